/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Devices: the void has none.  Each node asked for is created in the
 * container's /dev (or bound from the host where mknod is not allowed). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

int vd_builder_add_device(vd_builder *b, const struct vd_device *d, vd_error **err)
{
    /* runtime-spec: "The path MAY be anywhere in the container filesystem". */
    if (d->path == NULL || d->path[0] != '/' || d->path[strspn(d->path, "/")] == '\0')
        return vd_error_set(err, EINVAL, "device \"%s\": path must be absolute and not \"/\"",
                            d->path ? d->path : "");
    if (strchr("cbup", d->type) == NULL || d->type == '\0')
        return vd_error_set(err, EINVAL, "device \"%s\": unknown type '%c'", d->path, d->type);
    /* A later entry for the same path replaces an earlier one (a caller's
     * list may redefine a default device). */
    struct vd_device_entry *e = NULL;
    for (size_t i = 0; i < b->n_devices; i++)
        if (strcmp(b->devices[i].path, d->path) == 0)
            e = &b->devices[i];
    if (e == NULL) {
        e = vd_array_append(&b->devices, &b->n_devices, sizeof(*e), err);
        if (e == NULL)
            return -1;
        if (vd_strdup_optional(&e->path, d->path, err) < 0)
            return -1;
    }
    e->type = d->type;
    e->major = d->major;
    e->minor = d->minor;
    e->mode = d->mode & 07777;
    e->uid = d->uid;
    e->gid = d->gid;
    return 0;
}

int vd_builder_add_default_devices(vd_builder *b, vd_error **err)
{
    static const struct {
        const char *path;
        int major, minor;
    } defaults[] = {
        {"/dev/null", 1, 3},    {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8},  {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    for (size_t i = 0; i < VD_ARRAY_SIZE(defaults); i++) {
        struct vd_device d = {.path = defaults[i].path, .type = 'c', .major = defaults[i].major,
                              .minor = defaults[i].minor, .mode = 0666};
        if (vd_builder_add_device(b, &d, err) < 0)
            return -1;
    }
    return 0;
}

void vd_builder_add_dev_symlinks(vd_builder *b)
{
    b->dev_symlinks = true;
}

void vd_builder_free_devices(vd_builder *b)
{
    for (size_t i = 0; i < b->n_devices; i++)
        free(b->devices[i].path);
    free(b->devices);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The container's /dev, resolved in the root (made if missing) once for
 * all its nodes and links: *dev_fd is -1 until the first asks for it, and
 * the caller closes it. */
static int open_dev(int root_fd, int *dev_fd, vd_error **err)
{
    if (*dev_fd < 0)
        *dev_fd = vd_open_in_root(root_fd, "/dev", true, false, err);
    return *dev_fd;
}

/* The directory of `path`, opened in the root (made if missing), or for a
 * node right under /dev the shared fd of open_dev (*owned false). */
static int open_parent_in_root(int root_fd, const char *path, int *dev_fd, bool *owned,
                               vd_error **err)
{
    _cleanup_free_ char *dir = strdup(path);
    if (dir == NULL)
        return vd_error_set(err, ENOMEM, "copy \"%s\"", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    *owned = strcmp(dir, "/dev") != 0;
    if (*owned)
        return vd_open_in_root(root_fd, dir, true, false, err);
    return open_dev(root_fd, dev_fd, err);
}

/* Where mknod is not allowed (a user namespace), bind the host's node at
 * the same path, once it is known to be the device asked for: a path may be
 * anywhere, and must not bring a host file into the container. */
static int bind_host_device(int parent_fd, const struct vd_device_entry *d, mode_t type,
                            dev_t dev, vd_error **err)
{
    _cleanup_close_ int source_fd = open(d->path, O_PATH | O_CLOEXEC);
    if (source_fd < 0)
        return vd_error_set(err, errno, "open host device \"%s\" to bind it", d->path);
    struct stat st;
    if (fstat(source_fd, &st) < 0)
        return vd_error_set(err, errno, "stat host device \"%s\"", d->path);
    if ((st.st_mode & S_IFMT) != type || st.st_rdev != dev)
        return vd_error_set(err, ENODEV, "bind host device \"%s\": it is not device %c %lld:%lld",
                            d->path, d->type, (long long)d->major, (long long)d->minor);
    char source[FD_PATH_MAX];
    fd_path(source_fd, source);
    const char *name = base_name(d->path);
    int fd = openat(parent_fd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return vd_error_set(err, errno, "create \"%s\" to bind the host device on", d->path);
    close(fd);
    _cleanup_close_ int target_fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (target_fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", d->path);
    char target[FD_PATH_MAX];
    fd_path(target_fd, target);
    if (mount(source, target, NULL, MS_BIND, NULL) < 0)
        return vd_error_set(err, errno, "bind host device \"%s\"", d->path);
    return 0;
}

/* The node `d` as the entry `base_name(d->path)` of `parent`: every call
 * below is relative to that fd and follows no symlink. */
static int create_node(int parent, const struct vd_device_entry *d, vd_error **err)
{
    const char *name = base_name(d->path);
    mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
    dev_t dev = makedev((unsigned)d->major, (unsigned)d->minor);
    if (mknodat(parent, name, type | d->mode, dev) < 0) {
        if (errno == EPERM && type != S_IFIFO)
            return bind_host_device(parent, d, type, dev, err);
        if (errno != EEXIST)
            return vd_error_set(err, errno, "mknod \"%s\"", d->path);
        struct stat st;
        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return vd_error_set(err, errno, "stat \"%s\"", d->path);
        if ((st.st_mode & S_IFMT) != type || st.st_rdev != dev)
            return vd_error_set(err, EEXIST, "device \"%s\" exists in the rootfs as another file",
                                d->path);
        /* The node is there already (in the image, or bound over by a
         * mount: rootless podman binds the host's): left as it is, as
         * runc does; its owner need not be ours to change. */
        return 0;
    }
    if (fchownat(parent, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return vd_error_set(err, errno, "chown \"%s\"", d->path);
    return 0;
}

static int create_device(int root_fd, const struct vd_device_entry *d, int *dev_fd, vd_error **err)
{
    bool owned = false;
    int parent = open_parent_in_root(root_fd, d->path, dev_fd, &owned, err);
    if (parent < 0)
        return -1;
    int r = create_node(parent, d, err);
    if (owned)
        close(parent);
    return r;
}

static int create_dev_symlinks(int root_fd, int *dev_fd, vd_error **err)
{
    static const char *const links[][2] = {
        {"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"},
        {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
        {"pts/ptmx", "ptmx"},
    };
    int dev = open_dev(root_fd, dev_fd, err);
    if (dev < 0)
        return -1;
    for (size_t i = 0; i < VD_ARRAY_SIZE(links); i++) {
        if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
            return vd_error_set(err, errno, "symlink \"/dev/%s\"", links[i][1]);
    }
    return 0;
}

int vd_create_devices(const vd_builder *b, int root_fd, vd_error **err)
{
    _cleanup_close_ int dev_fd = -1;
    for (size_t i = 0; i < b->n_devices; i++)
        if (create_device(root_fd, &b->devices[i], &dev_fd, err) < 0)
            return -1;
    if (b->dev_symlinks && create_dev_symlinks(root_fd, &dev_fd, err) < 0)
        return -1;
    return 0;
}
