/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container as the lifecycle commands see it: its state directory, lock,
 * state.json, and its status derived from the live process. */
#ifndef VOIDOCI_CONTAINER_H
#define VOIDOCI_CONTAINER_H

#include <stdbool.h>

#include "state.h"
#include "voidoci.h"

/* Files in <root>/<id>/ */
#define CONTAINER_STATE_FILE "state.json"
#define CONTAINER_FIFO_FILE "exec.fifo"   /* exists from create until start */
#define CONTAINER_CONFIG_FILE "config.json" /* copy of the bundle's, taken at create */

enum container_status {
    CONTAINER_CREATING, /* state dir exists, no init pid yet */
    CONTAINER_CREATED,
    CONTAINER_RUNNING,
    CONTAINER_PAUSED,
    CONTAINER_STOPPED,
};

struct container {
    char *id;
    char *dir;     /* <root>/<id> */
    int lock_fd;   /* the state dir, flock()ed LOCK_EX for the whole command
                    * (open but not locked after container_peek) */
    bool locked;   /* this command holds that flock */
    struct oci_state *state; /* NULL while creating */
    /* The host's cgroup hierarchies, when the caller read them once for
     * many containers (list); NULL: read for each use. Not owned. */
    const vd_cgroup_host *cg_host;
    vd_cgroup_host *cg_host_owned; /* what container_keep_cgroup_host read */
};

const char *container_status_name(enum container_status s);

/* Open and lock <root>/<id>, to act on the container. An unknown ID fails
 * with `container "<id>" does not exist` and errnum ENOENT; a state dir that
 * another uid owns is refused (EPERM): its owner could have rewritten it. */
int container_load(const struct global_opts *g, const char *id, struct container **out,
                   vd_error **err);
/* container_load() for a command that only reads (state, ps): any owner. */
int container_read(const struct global_opts *g, const char *id, struct container **out,
                   vd_error **err);
/* Derived from the process: its pid gone, a zombie, or a start time other
 * than the recorded one (a reused pid) is `stopped`; the exec FIFO still
 * present is `created`; a frozen cgroup is `paused` (once cgroups exist). */
enum container_status container_status(const struct container *c);
/* Signal the init (through a pidfd opened and checked against the start
 * time, so a reused pid is never signalled) or, with `all`, every process of
 * the container (see container_pids), the init last.  A stopped or creating
 * container fails with exactly "container not running" (containerd matches
 * that text). */
int container_signal(const struct container *c, int sig, bool all, vd_error **err);
/* An O_PATH fd on /proc/<init pid>, checked after it was opened to be the
 * container's live init (its start time): what exec joins.  A gone init
 * fails with "container not running". */
int container_open_init(const struct container *c, vd_error **err);
/* Host pids of the container's processes, the init first, the rest in pid
 * order; none (n 0) when it is stopped or creating.  Free *pids. */
int container_pids(const struct container *c, pid_t **pids, size_t *n, vd_error **err);
/* container_load without the lock, for `list`: state.json is replaced
 * atomically, so a reader sees a whole one; a container being created or
 * deleted meanwhile may read as creating or not exist. */
int container_peek(const struct global_opts *g, const char *id, struct container **out,
                   vd_error **err);
/* oci_state_to_json of the container as `status`; a container without a
 * state.json yet (creating) prints its id and pid 0. */
char *container_state_json(const struct container *c, enum container_status status, bool pretty,
                           vd_error **err);
/* Wait up to timeout_ms for the init to exit (it is usually not our child:
 * polled through a pidfd, never waited for).  Fails with "the init (pid N)
 * is still alive after T ms". */
int container_wait_stopped(const struct container *c, int timeout_ms, vd_error **err);
/* The container's cgroup as state.json records it; *cg NULL when it has
 * none.  Free with vd_cgroup_free. */
int container_cgroup(const struct container *c, vd_cgroup **cg, vd_error **err);
/* Kill what is left in the cgroup and remove its directories. */
int container_destroy_cgroup(const struct container *c, vd_error **err);
/* Its linux.intelRdt group as state.json records it (*r NULL when none;
 * free with vd_resctrl_free), and its removal at delete. */
int container_resctrl(const struct container *c, vd_resctrl **r, vd_error **err);
int container_destroy_resctrl(const struct container *c, vd_error **err);
void container_free(struct container *c);
/* `voidoci delete [--force] ID` (cmd_delete.c): also what checkpoint does
 * to the container it stopped. */
int container_delete(const struct global_opts *g, const char *id, bool force, vd_error **err);
/* Read the host's cgroup mounts once into c, for a command that opens the
 * container's cgroup several times (delete).  On failure nothing is kept
 * and each use reads them, and fails, as without this. */
void container_keep_cgroup_host(struct container *c);

/* _cleanup_container_ */
static inline void container_freep(struct container **c)
{
    container_free(*c);
}
#define _cleanup_container_ __attribute__((cleanup(container_freep)))

/* Start time (field 22 of /proc/<pid>/stat) of `pid`; 0 when it is gone. */
uint64_t process_start_time(pid_t pid);

#endif
