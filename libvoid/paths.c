/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Masked and read-only paths inside the container, done before the pivot
 * while the host's /proc can still name fds.  A path missing from the
 * rootfs is skipped: there is nothing to hide. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "syscalls.h"

static void strv_free_n(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int add_path(char ***list, size_t *n, const char *path, vd_error **err)
{
    if (path == NULL || path[0] != '/')
        return vd_error_set(err, EINVAL, "path \"%s\" must be absolute", path ? path : "");
    char **slot = vd_array_append(list, n, sizeof(char *), err);
    if (slot == NULL)
        return -1;
    *slot = vd_strdup_checked(path, err);
    return *slot ? 0 : -1;
}

int vd_builder_add_masked_path(vd_builder *b, const char *path, vd_error **err)
{
    return add_path(&b->masked_paths, &b->n_masked_paths, path, err);
}

int vd_builder_add_readonly_path(vd_builder *b, const char *path, vd_error **err)
{
    return add_path(&b->readonly_paths, &b->n_readonly_paths, path, err);
}

void vd_builder_free_paths(vd_builder *b)
{
    strv_free_n(b->masked_paths, b->n_masked_paths);
    strv_free_n(b->readonly_paths, b->n_readonly_paths);
}

/* Open an existing path in the root; 0 with *fd = -1 when it is absent. */
static int open_existing(int root_fd, const char *path, int *fd, vd_error **err)
{
    vd_error *local = NULL;
    *fd = vd_open_in_root(root_fd, path, false, false, &local);
    if (*fd >= 0)
        return 0;
    int errnum = local ? local->errnum : 0;
    if (errnum == ENOENT) {
        vd_error_free(&local);
        return 0;
    }
    *err = local;
    return -1;
}

/* The container's own /dev/null, checked to be the null device: a file the
 * image put there instead must not be bound over what is masked
 * (CVE-2025-31133). */
static int open_null(int root_fd, vd_error **err)
{
    _cleanup_close_ int fd = vd_open_in_root(root_fd, "/dev/null", false, false, err);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return vd_error_set(err, errno, "stat /dev/null");
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return vd_error_set(err, EPERM, "/dev/null in the container is not the null device");
    return steal_fd(&fd);
}

static int mask_one(int root_fd, int null_fd, const char *path, vd_error **err)
{
    _cleanup_close_ int fd = -1;
    if (open_existing(root_fd, path, &fd, err) < 0)
        return vd_error_prefix(err, "mask");
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return vd_error_set(err, errno, "stat \"%s\" to mask it", path);
    char target[FD_PATH_MAX], source[FD_PATH_MAX];
    fd_path(fd, target);
    int r;
    if (S_ISDIR(st.st_mode)) {
        r = mount("tmpfs", target, "tmpfs", MS_RDONLY, NULL);
    } else {
        fd_path(null_fd, source);
        r = mount(source, target, NULL, MS_BIND, NULL);
    }
    if (r < 0)
        return vd_error_set(err, errno, "mask \"%s\"", path);
    return 0;
}

static unsigned long flags_of(const char *path)
{
    struct statvfs sv;
    unsigned long flags = 0;
    if (statvfs(path, &sv) == 0) {
        flags |= (sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0;
        flags |= (sv.f_flag & ST_NODEV) ? MS_NODEV : 0;
        flags |= (sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0;
    }
    return flags;
}

/* A recursive bind of `fd` on itself, read-only at its top (the mounts
 * under it keep their own flags, as with a remount of the top alone): the
 * clone is made read-only while still detached, then attached on `fd`, so
 * that the path is resolved once.  1 (err untouched) where the kernel or a
 * seccomp filter refuses open_tree or mount_setattr (before Linux 5.12):
 * the caller binds by path instead. */
static int bind_readonly_tree(int fd, const char *path, vd_error **err)
{
    _cleanup_close_ int tree = vd_sys_open_tree(
        fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
    if (tree < 0)
        return errno == ENOSYS || errno == EPERM
                   ? 1
                   : vd_error_set(err, errno, "clone \"%s\" to make it read-only", path);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (vd_sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
        return errno == ENOSYS || errno == EPERM
                   ? 1
                   : vd_error_set(err, errno, "make the bind of \"%s\" read-only", path);
    if (vd_sys_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return vd_error_set(err, errno, "bind \"%s\" to make it read-only", path);
    return 0;
}

/* The same with mount(2): the bind, then a remount of its top, which only
 * a new lookup in the root reaches (`fd` still names what is under it). */
static int bind_readonly_path(int root_fd, int fd, const char *path, vd_error **err)
{
    char target[FD_PATH_MAX];
    fd_path(fd, target);
    if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return vd_error_set(err, errno, "bind \"%s\" to make it read-only", path);
    _cleanup_close_ int top = vd_open_in_root(root_fd, path, false, false, err);
    if (top < 0)
        return -1;
    fd_path(top, target);
    if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags_of(target), NULL) < 0)
        return vd_error_set(err, errno, "remount \"%s\" read-only", path);
    return 0;
}

static int make_readonly(int root_fd, const char *path, vd_error **err)
{
    _cleanup_close_ int fd = -1;
    if (open_existing(root_fd, path, &fd, err) < 0)
        return vd_error_prefix(err, "make read-only");
    if (fd < 0)
        return 0;
    int r = bind_readonly_tree(fd, path, err);
    return r == 1 ? bind_readonly_path(root_fd, fd, path, err) : r;
}

int vd_apply_paths(const vd_builder *b, int root_fd, vd_error **err)
{
    for (size_t i = 0; i < b->n_readonly_paths; i++)
        if (make_readonly(root_fd, b->readonly_paths[i], err) < 0)
            return -1;
    if (b->n_masked_paths == 0)
        return 0;
    _cleanup_close_ int null_fd = open_null(root_fd, err);
    if (null_fd < 0)
        return vd_error_prefix(err, "mask paths");
    for (size_t i = 0; i < b->n_masked_paths; i++)
        if (mask_one(root_fd, null_fd, b->masked_paths[i], err) < 0)
            return -1;
    return 0;
}
