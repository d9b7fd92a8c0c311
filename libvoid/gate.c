/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The start gate: the create/start split.  The finished child blocks opening
 * a FIFO for writing until `start` opens it for reading. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int vd_builder_set_start_fifo(vd_builder *b, const char *path, vd_error **err)
{
    if (path == NULL || path[0] != '/')
        return vd_error_set(err, EINVAL, "start fifo \"%s\" must be absolute", path ? path : "");
    return vd_replace_string(&b->start_fifo, path, err);
}

void vd_builder_free_gate(vd_builder *b)
{
    free(b->start_fifo);
}

/* The host uid of the container's user: its user namespace's map, if any. */
static bool user_host_uid(const vd_builder *b, uid_t *uid)
{
    if (b->n_uid_maps == 0) {
        *uid = b->uid;
        return true;
    }
    for (size_t i = 0; i < b->n_uid_maps; i++) {
        const struct vd_id_map *m = &b->uid_maps[i];
        if (b->uid >= m->container_id && b->uid - m->container_id < m->size) {
            *uid = m->host_id + (b->uid - m->container_id);
            return true;
        }
    }
    return false;
}

/* In the caller, before the clone: a child in a new user namespace could
 * not reach the FIFO through the state directory.  The FIFO goes to the
 * container's user (its mode stays 0600), who reopens it for writing after
 * leaving root. */
int vd_gate_prepare(const vd_builder *b, int *fifo_fd, vd_error **err)
{
    *fifo_fd = -1;
    if (b->start_fifo == NULL)
        return 0;
    _cleanup_close_ int fd = open(b->start_fifo, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open start fifo \"%s\"", b->start_fifo);
    uid_t uid;
    if (user_host_uid(b, &uid) && fchownat(fd, "", uid, (gid_t)-1, AT_EMPTY_PATH) < 0)
        return vd_error_set(err, errno, "give start fifo \"%s\" to uid %u", b->start_fifo,
                            (unsigned)uid);
    *fifo_fd = steal_fd(&fd);
    return 0;
}

/* In the child: g->fifo_fd is vd_gate_prepare's. */
int vd_gate_open(const vd_builder *b, struct vd_gate *g, vd_error **err)
{
    g->fd_dir = g->write_fd = -1;
    if (b->start_fifo == NULL)
        return 0;
    /* Kept so that the FIFO can be reopened for writing after the pivot
     * even when the container mounts no /proc. */
    g->fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (g->fd_dir < 0)
        return vd_error_set(err, errno, "open \"/proc/self/fd\"");
    return 0;
}

/* Block until `start` opens the FIFO for reading, then tell it we are
 * through.  The write end stays open, close-on-exec: start reads EOF at a
 * successful exec, or the text of what failed after the gate. */
int vd_gate_wait(const vd_builder *b, struct vd_gate *g, vd_error **err)
{
    char name[16];
    snprintf(name, sizeof(name), "%d", g->fifo_fd);
    g->write_fd = openat(g->fd_dir, name, O_WRONLY | O_CLOEXEC);
    if (g->write_fd < 0)
        return vd_error_set(err, errno, "wait at start fifo \"%s\"", b->start_fifo);
    if (write(g->write_fd, "0", 1) < 0)
        return vd_error_set(err, errno, "write start fifo \"%s\"", b->start_fifo);
    close(g->fifo_fd);
    close(g->fd_dir);
    return 0;
}

void vd_gate_report(const struct vd_gate *g, const vd_error *e)
{
    if (g->write_fd < 0 || e == NULL || e->msg == NULL)
        return;
    ssize_t ignored = write(g->write_fd, e->msg, strlen(e->msg));
    (void)ignored;
}
