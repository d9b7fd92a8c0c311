/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The root: bind the rootfs, add the mount list, pivot into it.  Every path
 * inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT), so a symlink
 * in the image can never send a mount out to the host. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

int vd_builder_set_rootfs(vd_builder *b, const char *path, bool readonly, vd_error **err)
{
    if (path == NULL || path[0] != '/')
        return vd_error_set(err, EINVAL, "rootfs \"%s\": path must be absolute", path ? path : "");
    char *copy = vd_strdup_checked(path, err);
    if (copy == NULL)
        return -1;
    free(b->rootfs);
    b->rootfs = copy;
    b->rootfs_readonly = readonly;
    return 0;
}

void vd_builder_set_no_pivot(vd_builder *b, bool no_pivot)
{
    b->no_pivot = no_pivot;
}

int vd_builder_set_rootfs_propagation(vd_builder *b, unsigned long flags, vd_error **err)
{
    unsigned long kind = flags & ~(unsigned long)MS_REC;
    if (kind != MS_PRIVATE && kind != MS_SLAVE && kind != MS_SHARED && kind != MS_UNBINDABLE)
        return vd_error_set(err, EINVAL, "rootfs propagation %#lx is not one propagation type",
                            flags);
    b->rootfs_propagation = flags;
    return 0;
}

int vd_builder_add_mount(vd_builder *b, const struct vd_mount *m, vd_error **err)
{
    if (m->destination == NULL || m->destination[0] != '/')
        return vd_error_set(err, EINVAL, "mount destination \"%s\" must be absolute",
                            m->destination ? m->destination : "");
    if (vd_mount_check(m, err) < 0)
        return -1;
    struct vd_mount_entry *e = vd_array_append(&b->mounts, &b->n_mounts, sizeof(*e), err);
    if (e == NULL)
        return -1;
    e->tree_fd = -1;
    e->flags = m->flags;
    e->propagation = m->propagation;
    if (vd_strdup_optional(&e->destination, m->destination, err) < 0 ||
        vd_strdup_optional(&e->source, m->source, err) < 0 ||
        vd_strdup_optional(&e->fstype, m->fstype, err) < 0 || vd_strdup_optional(&e->data, m->data, err) < 0 ||
        vd_strdup_optional(&e->label, m->label, err) < 0 || vd_mount_entry_fill(e, m, err) < 0)
        return -1; /* the entry is freed with the builder */
    return 0;
}

void vd_builder_free_mounts(vd_builder *b)
{
    free(b->rootfs);
    for (size_t i = 0; i < b->n_mounts; i++) {
        struct vd_mount_entry *m = &b->mounts[i];
        free(m->source);
        free(m->destination);
        free(m->fstype);
        free(m->data);
        vd_mount_entry_clear(m);
    }
    free(b->mounts);
}

static bool is_bind(const struct vd_mount_entry *m)
{
    return (m->flags & MS_BIND) || (m->fstype && strcmp(m->fstype, "bind") == 0);
}

static int check_ranges(const struct vd_mount *m, const char *what,
                        const struct vd_id_range *r, size_t n, vd_error **err)
{
    if (n == 0)
        return vd_error_set(err, EINVAL, "idmapped mount \"%s\": no %s maps", m->destination,
                            what);
    for (size_t i = 0; i < n; i++)
        if (r[i].size == 0)
            return vd_error_set(err, EINVAL, "idmapped mount \"%s\": %s map %u:%u has size 0",
                                m->destination, what, r[i].container_id, r[i].host_id);
    return 0;
}

int vd_mount_check(const struct vd_mount *m, vd_error **err)
{
    bool bind = (m->flags & MS_BIND) || (m->fstype && strcmp(m->fstype, "bind") == 0);
    if (m->copy_up && (m->fstype == NULL || strcmp(m->fstype, "tmpfs") != 0))
        return vd_error_set(err, EINVAL, "mount \"%s\": a copy-up needs a tmpfs",
                            m->destination);
    if (m->idmap_recursive && !m->idmap)
        return vd_error_set(err, EINVAL, "mount \"%s\": recursive idmap without idmap",
                            m->destination);
    if (!m->idmap)
        return 0;
    if (!bind || m->source == NULL)
        return vd_error_set(err, EINVAL, "mount \"%s\": only a bind mount can be idmapped",
                            m->destination);
    if (check_ranges(m, "uid", m->idmap_uids, m->n_idmap_uids, err) < 0 ||
        check_ranges(m, "gid", m->idmap_gids, m->n_idmap_gids, err) < 0)
        return -1;
    return 0;
}

static int copy_ranges(struct vd_id_range **dst, size_t *n_dst, const struct vd_id_range *src,
                       size_t n, vd_error **err)
{
    if (n == 0)
        return 0;
    *dst = calloc(n, sizeof(**dst));
    if (*dst == NULL)
        return vd_error_set(err, ENOMEM, "copy id maps");
    memcpy(*dst, src, n * sizeof(**dst));
    *n_dst = n;
    return 0;
}

int vd_mount_entry_fill(struct vd_mount_entry *e, const struct vd_mount *m, vd_error **err)
{
    e->clear_flags = m->clear_flags;
    e->attr_set = m->attr_set;
    e->attr_clr = m->attr_clr;
    e->copy_up = m->copy_up;
    e->idmap = m->idmap;
    e->idmap_recursive = m->idmap_recursive;
    if (!m->idmap)
        return 0;
    if (copy_ranges(&e->idmap_uids, &e->n_idmap_uids, m->idmap_uids, m->n_idmap_uids, err) < 0 ||
        copy_ranges(&e->idmap_gids, &e->n_idmap_gids, m->idmap_gids, m->n_idmap_gids, err) < 0)
        return -1;
    return 0;
}

void vd_mount_entry_clear(struct vd_mount_entry *e)
{
    free(e->label);
    free(e->idmap_uids);
    free(e->idmap_gids);
    vd_closep(&e->tree_fd);
    e->tree_fd = -1;
}

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000 /* Linux 5.10 */
#endif

/* The per-mount flags a new bind has from its source. */
static unsigned long source_flags(const char *target)
{
    struct statvfs sv;
    if (statvfs(target, &sv) < 0)
        return 0;
    static const struct {
        unsigned long st, ms;
    } map[] = {{ST_NOSUID, MS_NOSUID},     {ST_NODEV, MS_NODEV},
               {ST_NOEXEC, MS_NOEXEC},     {ST_RDONLY, MS_RDONLY},
               {ST_NOSYMFOLLOW, MS_NOSYMFOLLOW}};
    unsigned long flags = 0;
    for (size_t i = 0; i < VD_ARRAY_SIZE(map); i++)
        if (sv.f_flag & map[i].st)
            flags |= map[i].ms;
    return flags;
}

/* mount(2) ignores most flags on a new bind: they take a remount, on the
 * new mount (reopened: the fd taken before it still names what is under).
 * The remount sets every per-mount flag at once, so the source's are kept
 * unless the caller turned them off ("dev", "rw"): a nodev source stays
 * nodev, and a flag that a user namespace locked fails loudly when asked
 * away instead of being dropped. */
static int bind_remount(int root_fd, const struct vd_mount_entry *m, vd_error **err)
{
    unsigned long extra = m->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
    if (extra == 0 && m->clear_flags == 0)
        return 0;
    _cleanup_close_ int fd = vd_open_in_root(root_fd, m->destination, false, false, err);
    if (fd < 0)
        return -1;
    char target[FD_PATH_MAX];
    fd_path(fd, target);
    unsigned long had = source_flags(target);
    if (extra == 0 && (had & m->clear_flags) == 0)
        return 0;
    unsigned long flags = MS_REMOUNT | MS_BIND | extra | (had & ~m->clear_flags);
    if (mount(NULL, target, NULL, flags, NULL) < 0)
        return vd_error_set(err, errno, "remount \"%s\" with its options", m->destination);
    return 0;
}

static int bind_mount(int root_fd, const struct vd_mount_entry *m, const char *target,
                      vd_error **err)
{
    const char *source = m->source ? m->source : "";
    if (mount(source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
        return vd_error_set(err, errno, "bind mount \"%s\" on \"%s\"", source, m->destination);
    return bind_remount(root_fd, m, err);
}

static bool source_is_dir(const struct vd_mount_entry *m)
{
    struct stat st;
    if (!is_bind(m) || m->source == NULL)
        return true;
    if (m->tree_fd >= 0)
        return fstat(m->tree_fd, &st) < 0 || S_ISDIR(st.st_mode);
    return stat(m->source, &st) < 0 || S_ISDIR(st.st_mode);
}

/* tmpcopyup: what the destination holds before the tmpfs covers it. */
static int open_below(int fd, const struct vd_mount_entry *m, vd_error **err)
{
    int below = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (below < 0)
        return vd_error_set(err, errno, "open \"%s\" to copy it up", m->destination);
    return below;
}

/* After the mount: the copy-up and the recursive attributes, on the new
 * mount at the destination. */
static int finish_mount(int root_fd, const struct vd_mount_entry *m, int below, vd_error **err)
{
    if (!m->copy_up && m->attr_set == 0 && m->attr_clr == 0)
        return 0;
    _cleanup_close_ int top = vd_open_in_root(root_fd, m->destination, false, false, err);
    if (top < 0)
        return -1;
    if (m->copy_up) {
        _cleanup_close_ int dir = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
            return vd_error_set(err, errno, "open the tmpfs on \"%s\"", m->destination);
        if (vd_copy_up(below, dir, m->destination, err) < 0)
            return -1;
    }
    return vd_mount_set_tree_attrs(top, m, err);
}

static int mount_one(int root_fd, const struct vd_mount_entry *m, bool own_cgroupns,
                     vd_error **err)
{
    _cleanup_close_ int fd = vd_open_in_root(root_fd, m->destination, true, !source_is_dir(m), err);
    if (fd < 0)
        return vd_error_prefix(err, "mount \"%s\"", m->destination);
    char target[FD_PATH_MAX];
    fd_path(fd, target);
    _cleanup_close_ int below = -1;
    if (m->copy_up && (below = open_below(fd, m, err)) < 0)
        return -1;

    int r;
    if (m->idmap || m->tree_fd >= 0) {
        r = vd_mount_attach_tree(m, fd, err);
        if (r == 0)
            r = bind_remount(root_fd, m, err);
    } else if (is_bind(m))
        r = bind_mount(root_fd, m, target, err);
    else if (m->fstype && strcmp(m->fstype, "cgroup") == 0)
        r = vd_mount_cgroup(root_fd, m, target, own_cgroupns, err);
    else if (m->fstype && strcmp(m->fstype, "cgroup2") == 0)
        r = own_cgroupns ? vd_mount_cgroup2_new(m, target, err)
                         : vd_mount_cgroup2_own(root_fd, m, target, err);
    else if (mount(m->source ? m->source : m->fstype, target, m->fstype, m->flags, m->data) < 0)
        r = vd_error_set(err, errno, "mount %s \"%s\" on \"%s\"", m->fstype ? m->fstype : "",
                         m->source ? m->source : "", m->destination);
    else
        r = 0;
    if (r == 0)
        r = finish_mount(root_fd, m, below, err);
    if (r < 0 || m->propagation == 0)
        return r;
    _cleanup_close_ int top = vd_open_in_root(root_fd, m->destination, false, false, err);
    if (top < 0)
        return -1;
    fd_path(top, target);
    if (mount(NULL, target, NULL, m->propagation, NULL) < 0)
        return vd_error_set(err, errno, "set propagation of \"%s\"", m->destination);
    return 0;
}

/* runc's rule: a read-only tmpfs, or a read-only /dev, is mounted
 * writable, so that what goes below it can be made (the mount points of
 * later mounts, device nodes and links, a copy-up, /dev/console), and made
 * read-only once the root is complete (vd_child_seal_mounts). */
static bool read_only_later(const struct vd_mount_entry *m)
{
    if (!(m->flags & MS_RDONLY) && !(m->attr_set & MOUNT_ATTR_RDONLY))
        return false;
    if (m->fstype && strcmp(m->fstype, "tmpfs") == 0)
        return true;
    const char *d = m->destination + strspn(m->destination, "/");
    return strncmp(d, "dev", 3) == 0 && d[3 + strspn(d + 3, "/")] == '\0';
}

static int mount_listed(int root_fd, const struct vd_mount_entry *m, bool own_cgroupns,
                        vd_error **err)
{
    if (!read_only_later(m))
        return mount_one(root_fd, m, own_cgroupns, err);
    struct vd_mount_entry rw = *m;
    rw.flags &= ~(unsigned long)MS_RDONLY;
    rw.attr_set &= ~(uint64_t)MOUNT_ATTR_RDONLY;
    return mount_one(root_fd, &rw, own_cgroupns, err);
}

static int seal_mount(int root_fd, const struct vd_mount_entry *m, vd_error **err)
{
    _cleanup_close_ int fd = vd_open_in_root(root_fd, m->destination, false, false, err);
    if (fd < 0)
        return -1;
    if (m->attr_set & MOUNT_ATTR_RDONLY) {
        const struct vd_mount_entry tree = {.destination = m->destination,
                                            .attr_set = MOUNT_ATTR_RDONLY};
        if (vd_mount_set_tree_attrs(fd, &tree, err) < 0)
            return -1;
    }
    if (!(m->flags & MS_RDONLY))
        return 0;
    char target[FD_PATH_MAX];
    fd_path(fd, target);
    /* A bind remount sets every per-mount flag: keep the others it has. */
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | source_flags(target);
    if (mount(NULL, target, NULL, flags, NULL) < 0)
        return vd_error_set(err, errno, "remount \"%s\" read-only", m->destination);
    return 0;
}

int vd_child_seal_mounts(const vd_builder *b, vd_error **err)
{
    if (b->rootfs == NULL)
        return 0;
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return vd_error_set(err, errno, "open \"/\"");
    for (size_t i = 0; i < b->n_mounts; i++) {
        const struct vd_mount_entry *m = &b->mounts[i];
        if (read_only_later(m) && seal_mount(root, m, err) < 0)
            return m->label ? vd_error_prefix(err, "%s", m->label) : -1;
    }
    return 0;
}

static int pivot_into(int root_fd, const char *rootfs, vd_error **err)
{
    _cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (old_root < 0)
        return vd_error_set(err, errno, "open the old root");
    if (fchdir(root_fd) < 0)
        return vd_error_set(err, errno, "chdir to rootfs \"%s\"", rootfs);
    /* pivot_root(".", ".") stacks the old root on the new one; detaching
     * it then leaves no path back to the host.  A shared root kept its
     * peers on the host: as slaves, the old root's mounts no longer carry
     * their unmounting there.  mount(2) does not step onto the stacked
     * mount from the new root's ".": it is reached from its own fd. */
    if (vd_sys_pivot_root(".", ".") < 0)
        return vd_error_set(err, errno, "pivot_root into \"%s\"", rootfs);
    if (fchdir(old_root) < 0)
        return vd_error_set(err, errno, "chdir to the old root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return vd_error_set(err, errno, "make the old root a slave");
    if (umount2(".", MNT_DETACH) < 0)
        return vd_error_set(err, errno, "detach the old root");
    if (chdir("/") < 0)
        return vd_error_set(err, errno, "chdir to \"/\"");
    return 0;
}

static int move_into(int root_fd, const char *rootfs, vd_error **err)
{
    if (fchdir(root_fd) < 0)
        return vd_error_set(err, errno, "chdir to rootfs \"%s\"", rootfs);
    /* A shared "/" would carry the move to the host's root. */
    if (mount(NULL, "/", NULL, MS_PRIVATE, NULL) < 0)
        return vd_error_set(err, errno, "make \"/\" private");
    if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
        return vd_error_set(err, errno, "move rootfs \"%s\" to \"/\"", rootfs);
    if (chroot(".") < 0)
        return vd_error_set(err, errno, "chroot into \"%s\"", rootfs);
    if (chdir("/") < 0)
        return vd_error_set(err, errno, "chdir to \"/\"");
    return 0;
}

/* In the host's mount namespace: neither pivot nor move may touch its root. */
static int chroot_into(int root_fd, const char *rootfs, vd_error **err)
{
    if (fchdir(root_fd) < 0)
        return vd_error_set(err, errno, "chdir to rootfs \"%s\"", rootfs);
    if (chroot(".") < 0)
        return vd_error_set(err, errno, "chroot into \"%s\"", rootfs);
    if (chdir("/") < 0)
        return vd_error_set(err, errno, "chdir to \"/\"");
    return 0;
}

static int finish_root(const vd_builder *b, vd_error **err)
{
    if (b->rootfs_readonly &&
        mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | vd_locked_flags("/"), NULL) < 0)
        return vd_error_set(err, errno, "remount the root read-only");
    if (b->rootfs_propagation && mount(NULL, "/", NULL, b->rootfs_propagation, NULL) < 0)
        return vd_error_set(err, errno, "set the root's propagation");
    return 0;
}

/* The mount the rootfs directory lies on: the last directory on the way up
 * from it that is on the same mount. */
static int open_rootfs_mount(const char *rootfs, vd_error **err)
{
    _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open rootfs \"%s\"", rootfs);
    struct statx here;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &here) < 0)
        return vd_error_set(err, errno, "statx rootfs \"%s\"", rootfs);
    for (;;) {
        _cleanup_close_ int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct statx st;
        if (up < 0 || statx(up, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &st) < 0)
            return vd_error_set(err, errno, "find the mount of rootfs \"%s\"", rootfs);
        if (!(st.stx_mask & STATX_MNT_ID))
            return vd_error_set(err, ENOSYS, "find the mount of rootfs \"%s\": this kernel "
                                "has no STATX_MNT_ID (Linux 5.8)", rootfs);
        if (st.stx_mnt_id != here.stx_mnt_id ||
            (st.stx_ino == here.stx_ino && st.stx_dev_major == here.stx_dev_major &&
             st.stx_dev_minor == here.stx_dev_minor))
            return steal_fd(&fd);
        close(fd);
        fd = steal_fd(&up);
        here = st;
    }
}

/* Nothing done below may propagate back to the host.  Slave or private:
 * the whole copy of the host's tree is cut from it (a slave still hears
 * from the host).  Shared (Kubernetes' bidirectional volumes): the copy
 * keeps its peers on the host, so that a bind of a shared host directory
 * shares with it both ways; only the mount the rootfs is bound on is made
 * private, so that the rootfs and what is mounted on it stay ours. */
static int cut_from_host(const vd_builder *b, vd_error **err)
{
    unsigned long asked = b->rootfs_propagation & ~(unsigned long)MS_REC;
    if (asked == MS_SHARED) {
        _cleanup_close_ int below = open_rootfs_mount(b->rootfs, err);
        if (below < 0)
            return -1;
        char path[FD_PATH_MAX];
        fd_path(below, path);
        if (mount(NULL, path, NULL, MS_PRIVATE, NULL) < 0)
            return vd_error_set(err, errno, "make the mount under rootfs \"%s\" private",
                                b->rootfs);
        return 0;
    }
    unsigned long first = asked == MS_SLAVE ? MS_SLAVE : MS_PRIVATE;
    if (mount(NULL, "/", NULL, MS_REC | first, NULL) < 0)
        return vd_error_set(err, errno, "make the mount tree private");
    return 0;
}

/* A mount that must be made inside the container's cgroups: a cgroup file
 * system (its root is the new cgroup namespace's), or a tmpcopyup, whose
 * copied pages are charged to the cgroup of the process that writes them. */
static bool needs_cgroups(const struct vd_mount_entry *m)
{
    return m->copy_up ||
           (m->fstype && (strcmp(m->fstype, "cgroup") == 0 || strcmp(m->fstype, "cgroup2") == 0));
}

/* Everything up to the pivot: the rootfs bound, the mount list, devices,
 * masked and read-only paths; `before_cgroup` runs once on the way, before
 * the first mount that needs_cgroups or else after the mount list.
 * *root_fd gets the rootfs fd for vd_child_enter_rootfs (-1 without a
 * rootfs).  The fd travels apart from the status: an error's -errno must
 * never pass for "nothing to do". */
int vd_child_prepare_rootfs(const vd_builder *b, const struct vd_child_hook *before_cgroup,
                            int *root_fd_out, vd_error **err)
{
    *root_fd_out = -1;
    if (b->rootfs == NULL)
        return before_cgroup->fn(before_cgroup->ctx, err);
    /* Nothing done below may propagate back to the host (cut_from_host);
     * unless the host's mount namespace is the container's: then all is
     * done on the bind of the rootfs below, which takes it all away when
     * detached (host_mounts.c), and the host's propagation stays as it is. */
    if (b->ns[VD_NS_MOUNT].mode != VD_NS_MODE_SHARE && cut_from_host(b, err) < 0)
        return -1;
    if (mount(b->rootfs, b->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return vd_error_set(err, errno, "bind rootfs \"%s\"", b->rootfs);
    _cleanup_close_ int root_fd = open(b->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return vd_error_set(err, errno, "open rootfs \"%s\"", b->rootfs);

    /* The hook waits for the cgroups (see child_wait_cgroup): the mounts
     * before the first that needs them go on while the parent joins. */
    bool waited = false, own_cgroupns = b->ns[VD_NS_CGROUP].mode != VD_NS_MODE_SHARE;
    for (size_t i = 0; i < b->n_mounts; i++) {
        if (!waited && needs_cgroups(&b->mounts[i])) {
            waited = true;
            if (before_cgroup->fn(before_cgroup->ctx, err) < 0)
                return -1;
        }
        if (mount_listed(root_fd, &b->mounts[i], own_cgroupns, err) < 0)
            return b->mounts[i].label ? vd_error_prefix(err, "%s", b->mounts[i].label) : -1;
    }
    /* Devices after it: on v1 the devices cgroup decides what mknod may make. */
    if (!waited && before_cgroup->fn(before_cgroup->ctx, err) < 0)
        return -1;
    if (vd_create_devices(b, root_fd, err) < 0 || vd_apply_paths(b, root_fd, err) < 0)
        return -1;
    *root_fd_out = steal_fd(&root_fd);
    return 0;
}

int vd_child_enter_rootfs(const vd_builder *b, int root_fd, vd_error **err)
{
    if (b->rootfs == NULL)
        return 0;
    if (root_fd < 0)
        return vd_error_set(err, EBADF, "enter rootfs \"%s\": it was never opened", b->rootfs);
    int r;
    if (b->ns[VD_NS_MOUNT].mode == VD_NS_MODE_SHARE)
        r = chroot_into(root_fd, b->rootfs, err);
    else
        r = b->no_pivot ? move_into(root_fd, b->rootfs, err) : pivot_into(root_fd, b->rootfs, err);
    if (r < 0)
        return r;
    return finish_root(b, err);
}
