/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Idmapped binds.  The kernel takes the id maps of a mount from a user
 * namespace, so each one gets a namespace of its own, held by a helper
 * that lives just long enough for its maps to be written and its ns file
 * opened.  The tree is cloned with open_tree(2) and mapped with
 * mount_setattr(2) in the caller, before the container's clone: there the
 * maps may name any host id, which they could not from inside the
 * container's own user namespace.  The child inherits the detached tree and
 * attaches it with move_mount(2) onto a destination resolved in its root. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

static int write_map(pid_t pid, const char *file, const struct vd_id_range *r, size_t n,
                     vd_error **err)
{
    char text[4096];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(text + used, sizeof(text) - used, "%u %u %u\n", r[i].container_id,
                         r[i].host_id, r[i].size);
        if (w < 0 || (size_t)w >= sizeof(text) - used)
            return vd_error_set(err, E2BIG, "%s of an idmapped mount: too many ranges", file);
        used += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    return vd_write_file(path, text, err);
}

static void reap_helper(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* An fd on a new user namespace holding the mount's maps. */
static int open_userns(const struct vd_mount_entry *m, vd_error **err)
{
    pid_t pid = vd_sys_clone(CLONE_NEWUSER | SIGCHLD);
    if (pid < 0)
        return vd_error_set(err, errno, "create the user namespace of idmapped \"%s\"",
                            m->destination);
    if (pid == 0) {
        /* Only holds the namespace open until killed. */
        for (;;)
            pause();
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    int fd = -1;
    if (write_map(pid, "uid_map", m->idmap_uids, m->n_idmap_uids, err) == 0 &&
        write_map(pid, "gid_map", m->idmap_gids, m->n_idmap_gids, err) == 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            vd_error_set(err, errno, "open \"%s\"", path);
    }
    reap_helper(pid);
    if (fd < 0)
        return vd_error_prefix(err, "idmapped mount \"%s\"", m->destination);
    return fd;
}

static int open_tree_of(const struct vd_mount_entry *m, vd_error **err)
{
    int fd = vd_mount_clone_source(m);
    if (fd >= 0)
        return fd;
    if (errno == ENOSYS)
        return vd_error_set(err, errno, "idmapped mount \"%s\": this kernel has no open_tree "
                            "(Linux 5.2)", m->destination);
    return vd_error_set(err, errno, "idmapped mount \"%s\": clone \"%s\"", m->destination,
                        m->source);
}

int vd_idmap_open_tree(const struct vd_mount_entry *m, vd_error **err)
{
    _cleanup_close_ int tree = open_tree_of(m, err);
    if (tree < 0)
        return -1;
    _cleanup_close_ int userns = open_userns(m, err);
    if (userns < 0)
        return -1;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
    unsigned int flags = AT_EMPTY_PATH | (m->idmap_recursive ? AT_RECURSIVE : 0);
    if (vd_sys_mount_setattr(tree, "", flags, &attr, sizeof(attr)) == 0)
        return steal_fd(&tree);
    if (errno == ENOSYS)
        return vd_error_set(err, errno, "idmapped mount \"%s\": this kernel has no "
                            "mount_setattr (Linux 5.12)", m->destination);
    if (errno == EINVAL)
        return vd_error_set(err, errno, "idmapped mount \"%s\": the filesystem of \"%s\" (or "
                            "a mount under it) cannot be idmapped", m->destination, m->source);
    return vd_error_set(err, errno, "idmapped mount \"%s\": map \"%s\"", m->destination,
                        m->source);
}
