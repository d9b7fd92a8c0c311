/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bind sources, opened by the caller before the container's clone: each
 * becomes a detached copy of its tree (open_tree(2) with OPEN_TREE_CLONE)
 * that the child inherits and attaches with move_mount(2) onto a
 * destination resolved in its root.  The source path is looked up once, by
 * the runtime with the caller's privileges, so that
 *  - a source the container's user namespace could not reach by path (one
 *    under a host directory of mode 700) is bound all the same, as with
 *    runc and crun;
 *  - no path is looked up again later, when the host could have swapped it.
 * A joined mount namespace has sources of its own: those the child binds by
 * path, as on a kernel without open_tree (before 5.2). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

int vd_mount_clone_source(const struct vd_mount_entry *m)
{
    unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
    if (m->flags & MS_REC)
        flags |= AT_RECURSIVE;
    return (int)syscall(SYS_open_tree, AT_FDCWD, m->source, flags);
}

static bool is_plain_bind(const vd_builder *b, const struct vd_mount_entry *m)
{
    bool bind = (m->flags & MS_BIND) || (m->fstype && strcmp(m->fstype, "bind") == 0);
    return bind && !m->idmap && m->source && m->source[0] &&
           b->ns[VD_NS_MOUNT].mode != VD_NS_MODE_JOIN;
}

/* The detached tree of each bind (idmapped ones mapped already) in its
 * tree_fd; a plain bind on a kernel without open_tree keeps -1. */
static int open_tree_of(const vd_builder *b, struct vd_mount_entry *m, vd_error **err)
{
    if (m->idmap) {
        m->tree_fd = vd_idmap_open_tree(m, err);
        return m->tree_fd < 0 ? -1 : 0;
    }
    if (!is_plain_bind(b, m))
        return 0;
    m->tree_fd = vd_mount_clone_source(m);
    if (m->tree_fd >= 0 || errno == ENOSYS)
        return 0;
    return vd_error_set(err, errno, "bind mount \"%s\" on \"%s\"", m->source, m->destination);
}

int vd_mount_open_trees(vd_builder *b, vd_error **err)
{
    if (b->rootfs == NULL)
        return 0;
    for (size_t i = 0; i < b->n_mounts; i++) {
        if (open_tree_of(b, &b->mounts[i], err) < 0) {
            if (b->mounts[i].label)
                vd_error_prefix(err, "%s", b->mounts[i].label);
            vd_mount_close_trees(b);
            return -1;
        }
    }
    return 0;
}

void vd_mount_close_trees(vd_builder *b)
{
    for (size_t i = 0; i < b->n_mounts; i++) {
        vd_closep(&b->mounts[i].tree_fd);
        b->mounts[i].tree_fd = -1;
    }
}

int vd_mount_attach_tree(const struct vd_mount_entry *m, int dest_fd, vd_error **err)
{
    if (m->tree_fd < 0)
        return vd_error_set(err, EBADF, "mount \"%s\": its tree was never opened", m->destination);
    int r = (int)syscall(SYS_move_mount, m->tree_fd, "", dest_fd, "",
                         MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int e = errno;
    /* The container must never hold it, not even while it waits to start. */
    close(m->tree_fd);
    if (r < 0)
        return vd_error_set(err, e, "attach \"%s\" on \"%s\"", m->source, m->destination);
    return 0;
}
