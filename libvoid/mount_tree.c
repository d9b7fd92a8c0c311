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
 * path, as on a kernel without open_tree (before 5.2), and as when the
 * caller may not clone the host's mounts (rootless). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

static bool is_plain_bind(const vd_builder *b, const struct vd_mount_entry *m)
{
    bool bind = (m->flags & MS_BIND) || (m->fstype && strcmp(m->fstype, "bind") == 0);
    return bind && !m->idmap && m->source && m->source[0] &&
           b->ns[VD_NS_MOUNT].mode != VD_NS_MODE_JOIN;
}

/* A clone of a shared mount is a peer of the host's: cut it off as the
 * container's own tree is (mounts.c cut_from_host: private, or a slave
 * with an rslave rootfsPropagation), so that nothing mounted on either side
 * crosses.  With a shared rootfsPropagation (Kubernetes' bidirectional
 * volumes) the tree keeps its peers, as the rest of the copy does.  -1
 * with errno. */
static int cut_propagation(const vd_builder *b, const struct vd_mount_entry *m, int tree)
{
    unsigned long asked = b->rootfs_propagation & ~(unsigned long)MS_REC;
    if (asked == MS_SHARED)
        return 0;
    bool slave = asked == MS_SLAVE;
    struct mount_attr attr = {.propagation = slave ? MS_SLAVE : MS_PRIVATE};
    unsigned int flags = AT_EMPTY_PATH | ((m->flags & MS_REC) ? AT_RECURSIVE : 0);
    return vd_sys_mount_setattr(tree, "", flags, &attr, sizeof(attr));
}

/* The detached tree of each bind (idmapped ones mapped already) in its
 * tree_fd; a plain bind on a kernel without open_tree or mount_setattr
 * (before 5.12) keeps -1. */
static int open_tree_of(const vd_builder *b, struct vd_mount_entry *m, vd_error **err)
{
    if (m->idmap)
        m->tree_fd = vd_idmap_open_tree(m, err);
    else if (is_plain_bind(b, m))
        m->tree_fd = vd_mount_clone_source(m);
    else
        return 0;
    if (m->tree_fd < 0 && m->idmap)
        return -1;
    /* EPERM: a caller without CAP_SYS_ADMIN over the host's mounts (a
     * rootless one) cannot clone a tree; its child binds by path, as
     * runc's and crun's rootless containers do. */
    if (m->tree_fd < 0 && errno != ENOSYS && errno != EPERM)
        return vd_error_set(err, errno, "bind mount \"%s\" on \"%s\"", m->source, m->destination);
    if (m->tree_fd < 0 || cut_propagation(b, m, m->tree_fd) == 0)
        return 0;
    int e = errno;
    vd_closep(&m->tree_fd);
    m->tree_fd = -1;
    if (e == ENOSYS && !m->idmap)
        return 0;
    return vd_error_set(err, e, "make the tree of \"%s\" private", m->destination);
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
    int r = vd_sys_move_mount(m->tree_fd, "", dest_fd, "",
                              MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int e = errno;
    /* The container must never hold it, not even while it waits to start. */
    close(m->tree_fd);
    if (r < 0)
        return vd_error_set(err, e, "attach \"%s\" on \"%s\"", m->source, m->destination);
    return 0;
}
