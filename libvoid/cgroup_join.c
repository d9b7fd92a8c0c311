/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Putting the container's init (or an exec'd process) in its cgroups, for
 * spawn.c: straight into the cgroup2 directory at the clone
 * (CLONE_INTO_CGROUP), the v1 ones by the child itself where the kernel
 * makes that cheap, else by the runtime writing the pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup_internal.h"

int vd_cgroup_open_v2_fd(const vd_cgroup *cg, vd_error **err)
{
    const struct vd_cgroup_dir *d = vd_cgroup_v2_dir(cg);
    if (d == NULL)
        return -1;
    int fd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        vd_error_set(err, errno, "open cgroup \"%s\"", d->path);
    return fd < 0 ? -2 : fd;
}

/* Whether a thread that moves itself skips the global lock that any other
 * move takes (cgroup_threadgroup_rwsem), whose first write after an idle
 * moment waits for an RCU grace period: Linux 6.0 and later ("cgroup:
 * Optimize single thread migration"), for a write of "0" (the writer) to
 * a v1 hierarchy's tasks file.  Measured here (6.18, v1): 0.06 ms, against
 * 0.4 ms for another process's pid back to back and 11 ms after 0.3 s of
 * idle. */
static bool self_move_is_cheap(void)
{
    struct utsname u;
    unsigned major = 0;
    return uname(&u) == 0 && sscanf(u.release, "%u", &major) == 1 && major >= 6;
}

int vd_cgroup_open_v1_tasks(const vd_cgroup *cg, int **fds, vd_error **err)
{
    *fds = NULL;
    size_t n = 0;
    for (size_t i = 0; i < cg->n_dirs; i++)
        n += !cg->dirs[i].v2;
    if (n == 0 || !self_move_is_cheap())
        return 0;
    int *v = malloc(n * sizeof(*v));
    if (v == NULL)
        return vd_error_set(err, ENOMEM, "allocate the cgroup files");
    for (size_t k = 0; k < n; k++)
        v[k] = -1;
    size_t k = 0;
    for (size_t i = 0; i < cg->n_dirs; i++) {
        if (cg->dirs[i].v2)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/tasks", cg->dirs[i].path);
        /* Opened by the caller: the kernel checks who may move a task
         * against the credentials of the open, not of the child, which may
         * be in a user namespace by then. */
        v[k] = open(path, O_WRONLY | O_CLOEXEC);
        if (v[k] < 0) {
            vd_error_set(err, errno, "open \"%s\"", path);
            vd_cgroup_close_v1_tasks(cg, v);
            return -1;
        }
        k++;
    }
    *fds = v;
    return 0;
}

void vd_cgroup_close_v1_tasks(const vd_cgroup *cg, int *fds)
{
    if (fds == NULL)
        return;
    size_t k = 0;
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (!cg->dirs[i].v2 && fds[k++] >= 0)
            close(fds[k - 1]);
    free(fds);
}

int vd_cgroup_join_self_v1(const vd_cgroup *cg, const int *fds, vd_error **err)
{
    size_t k = 0;
    for (size_t i = 0; i < cg->n_dirs; i++) {
        if (cg->dirs[i].v2)
            continue;
        /* The child is single-threaded: moving its one thread moves it. */
        int r = vd_write_text(fds[k], "0");
        close(fds[k++]);
        if (r < 0)
            return vd_error_set(err, -r, "put the init in its cgroup: write \"0\" to \"%s/tasks\"",
                                cg->dirs[i].path);
    }
    return 0;
}

int vd_cgroup_join(const vd_cgroup *cg, pid_t pid, bool skip_v2, bool skip_v1, vd_error **err)
{
    char text[32];
    snprintf(text, sizeof(text), "%d", (int)pid);
    for (size_t i = 0; i < cg->n_dirs; i++) {
        if (cg->dirs[i].v2 ? skip_v2 : skip_v1)
            continue;
        if (vd_cgroup_write(&cg->dirs[i], "cgroup.procs", text, err) < 0)
            return vd_error_prefix(err, "put the init in its cgroup");
    }
    return 0;
}
