/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container as the lifecycle commands see it: <root>/<id> locked for the
 * whole command, its state.json, and a status read off the live process.
 *
 * The init is usually not our child (the caller's subreaper reaps it), so
 * nothing here waits for it: liveness comes from /proc/<pid>/stat, and the
 * recorded start time tells our init from a process that got its pid since.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "syscalls.h"
#include "utils.h"

#define NOT_RUNNING "container not running"

const char *container_status_name(enum container_status s)
{
    switch (s) {
    case CONTAINER_CREATING:
        return "creating";
    case CONTAINER_CREATED:
        return "created";
    case CONTAINER_RUNNING:
        return "running";
    case CONTAINER_PAUSED:
        return "paused";
    case CONTAINER_STOPPED:
        return "stopped";
    }
    return "unknown";
}

/* ---- /proc ---------------------------------------------------------------- */

struct proc_stat {
    char state; /* R, S, D, Z, X, ... */
    pid_t ppid;
    uint64_t start_time;
};

/* Fields 3, 4 and 22 of /proc/<pid>/stat.  The command name (field 2) may
 * hold spaces and parentheses, so the fields are counted from the last ')'. */
static int read_stat_fd(int fd, struct proc_stat *out);

static int read_proc_stat(pid_t pid, struct proc_stat *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    return read_stat_fd(fd, out);
}

static int read_stat_fd(int fd, struct proc_stat *out)
{
    char buf[1024];
    ssize_t n;
    do
        n = read(fd, buf, sizeof(buf) - 1);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n < 0 ? -errno : -ESRCH;
    buf[n] = '\0';

    char *p = strrchr(buf, ')');
    if (p == NULL)
        return -EINVAL;
    p++;
    char state = 0;
    int ppid = 0;
    unsigned long long start = 0;
    /* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
     * cmajflt utime stime cutime cstime priority nice num_threads
     * itrealvalue starttime */
    if (sscanf(p, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
               &state, &ppid, &start) != 3)
        return -EINVAL;
    *out = (struct proc_stat){.state = state, .ppid = ppid, .start_time = start};
    return 0;
}

uint64_t process_start_time(pid_t pid)
{
    struct proc_stat st;
    return pid > 0 && read_proc_stat(pid, &st) == 0 ? st.start_time : 0;
}

/* `pid` is alive (not a zombie) and, when `start_time` is known, the same
 * process that had that start time. */
static bool process_is(pid_t pid, uint64_t start_time)
{
    struct proc_stat st;
    if (pid <= 0 || read_proc_stat(pid, &st) < 0)
        return false;
    if (st.state == 'Z' || st.state == 'X')
        return false;
    return start_time == 0 || st.start_time == start_time;
}

int container_open_init(const struct container *c, vd_error **err)
{
    if (c->state == NULL || c->state->pid <= 0)
        return vd_error_set(err, 0, NOT_RUNNING);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d", (int)c->state->pid);
    _cleanup_close_ int dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0 && errno == ENOENT)
        return vd_error_set(err, 0, NOT_RUNNING);
    if (dir < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    /* Checked after the open: the fd stays with the process it found. */
    _cleanup_close_ int stat_fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
    struct proc_stat st;
    if (stat_fd < 0 || read_stat_fd(stat_fd, &st) < 0 || st.state == 'Z' || st.state == 'X' ||
        (c->state->start_time && st.start_time != c->state->start_time))
        return vd_error_set(err, 0, NOT_RUNNING);
    return steal_fd(&dir);
}

/* ---- loading -------------------------------------------------------------- */

void container_free(struct container *c)
{
    if (c == NULL)
        return;
    if (c->lock_fd >= 0)
        close(c->lock_fd); /* and with it the lock */
    free(c->id);
    free(c->dir);
    oci_state_free(c->state);
    vd_cgroup_host_free(c->cg_host_owned);
    free(c);
}

static int does_not_exist(const char *id, vd_error **err)
{
    vd_error_set(err, 0, "container \"%s\" does not exist", id);
    if (err && *err)
        (*err)->errnum = ENOENT;
    return -ENOENT;
}

/* The directory we locked is still <root>/<id>: a `delete` that held the
 * lock before us may have removed it, and a `create` made a new one since. */
static int same_dir(int fd, const char *path, bool *same)
{
    struct stat a, b;
    if (fstat(fd, &a) < 0)
        return -errno;
    if (stat(path, &b) < 0) {
        if (errno != ENOENT)
            return -errno;
        *same = false;
        return 0;
    }
    *same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    return 0;
}

/* Open <root>/<id> into c->lock_fd and, when `lock`, hold its flock. */
static int open_dir(struct container *c, bool lock, vd_error **err)
{
    /* Each retry means the directory was replaced while we waited. */
    for (int attempt = 0; attempt < 3; attempt++) {
        _cleanup_close_ int fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
            return does_not_exist(c->id, err);
        if (fd < 0)
            return vd_error_set(err, errno, "open \"%s\"", c->dir);
        if (!lock) {
            c->lock_fd = steal_fd(&fd);
            return 0;
        }
        int r;
        do
            r = flock(fd, LOCK_EX);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return vd_error_set(err, errno, "lock \"%s\"", c->dir);

        bool same = false;
        r = same_dir(fd, c->dir, &same);
        if (r < 0)
            return vd_error_set(err, -r, "stat \"%s\"", c->dir);
        if (same) {
            c->lock_fd = steal_fd(&fd);
            c->locked = true;
            return 0;
        }
    }
    return does_not_exist(c->id, err);
}

enum load_mode {
    LOAD_PEEK, /* no lock */
    LOAD_READ, /* locked, to read */
    LOAD_ACT,  /* locked, to act on the container: its owner's only */
};

/*
 * A state dir that another uid owns was written by that user, who may have
 * rewritten its state.json (the init's pid and start time are readable in
 * /proc for any process) and its copy of config.json (poststop hooks).  So
 * a command that acts on the container refuses it: root cleaning up a
 * rootless user's state root would otherwise signal, or run hooks for,
 * whatever that user names.  Inside rootless podman's user namespace the
 * user's own dir is owned by uid 0 there, as the caller is.
 */
static int refuse_foreign(const struct container *c, vd_error **err)
{
    struct stat st;
    if (fstat(c->lock_fd, &st) < 0)
        return vd_error_set(err, errno, "stat \"%s\"", c->dir);
    if (st.st_uid == geteuid())
        return 0;
    return vd_error_set(err, EPERM,
                        "container \"%s\": its state directory \"%s\" belongs to uid %u, not "
                        "to the caller (uid %u): run the command as that user",
                        c->id, c->dir, (unsigned)st.st_uid, (unsigned)geteuid());
}

static int load(const struct global_opts *g, const char *id, enum load_mode mode,
                struct container **out, vd_error **err)
{
    bool lock = mode != LOAD_PEEK;
    if (validate_container_id(id, err) < 0)
        return -1;
    struct container *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return vd_error_set(err, ENOMEM, "load container");
    c->lock_fd = -1;
    _cleanup_container_ struct container *owned = c;
    if ((c->id = strdup(id)) == NULL || asprintf(&c->dir, "%s/%s", g->root, id) < 0) {
        c->dir = NULL;
        return vd_error_set(err, ENOMEM, "load container");
    }
    int r = open_dir(c, lock, err);
    if (r < 0)
        return r;
    if (mode == LOAD_ACT && refuse_foreign(c, err) < 0)
        return -1;

    /* No state.json yet: a create is under way, or died before writing it. */
    if (faccessat(c->lock_fd, CONTAINER_STATE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno != ENOENT)
            return vd_error_set(err, errno, "access \"%s/%s\"", c->dir, CONTAINER_STATE_FILE);
        *out = steal_pointer(&owned);
        return 0;
    }
    r = oci_state_read(c->dir, &c->state, err);
    if (r < 0)
        return r;
    if (strcmp(c->state->id, id) != 0)
        return vd_error_set(err, 0, "read \"%s/%s\": id: \"%s\" is not the directory's name",
                            c->dir, CONTAINER_STATE_FILE, c->state->id);
    *out = steal_pointer(&owned);
    return 0;
}

int container_load(const struct global_opts *g, const char *id, struct container **out,
                   vd_error **err)
{
    return load(g, id, LOAD_ACT, out, err);
}

int container_read(const struct global_opts *g, const char *id, struct container **out,
                   vd_error **err)
{
    return load(g, id, LOAD_READ, out, err);
}

int container_peek(const struct global_opts *g, const char *id, struct container **out,
                   vd_error **err)
{
    return load(g, id, LOAD_PEEK, out, err);
}

/* ---- the cgroup ------------------------------------------------------------ */

int container_cgroup(const struct container *c, vd_cgroup **cg, vd_error **err)
{
    *cg = NULL;
    if (c->state == NULL || c->state->n_cgroup_dirs == 0)
        return 0;
    const char *const *dirs = (const char *const *)c->state->cgroup_dirs;
    if (c->cg_host)
        return vd_cgroup_open_in(c->cg_host, dirs, c->state->n_cgroup_dirs, cg, err);
    return vd_cgroup_open(dirs, c->state->n_cgroup_dirs, cg, err);
}

void container_keep_cgroup_host(struct container *c)
{
    vd_cgroup_host *host = NULL;
    if (c->cg_host || vd_cgroup_host_read(&host, NULL) < 0)
        return;
    c->cg_host = c->cg_host_owned = host;
}

static void cgroup_freep(vd_cgroup **cg)
{
    vd_cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

int container_destroy_cgroup(const struct container *c, vd_error **err)
{
    _cleanup_cgroup_ vd_cgroup *cg = NULL;
    if (container_cgroup(c, &cg, err) < 0)
        return -1;
    if (cg == NULL)
        return 0;
    /* What outlived the init (a shared pid namespace) goes with it. */
    pid_t *pids = NULL;
    size_t n = 0;
    if (vd_cgroup_pids(cg, &pids, &n, err) < 0)
        return -1;
    free(pids);
    if (n && vd_cgroup_kill(cg, SIGKILL, err) < 0)
        return -1;
    return vd_cgroup_destroy(cg, false, err);
}

/* ---- linux.intelRdt --------------------------------------------------------- */

int container_resctrl(const struct container *c, vd_resctrl **r, vd_error **err)
{
    *r = NULL;
    if (c->state == NULL || c->state->resctrl_group == NULL)
        return 0;
    return vd_resctrl_open(c->state->resctrl_group, c->state->resctrl_monitor,
                           c->state->resctrl_own, r, err);
}

int container_destroy_resctrl(const struct container *c, vd_error **err)
{
    vd_resctrl *r = NULL;
    if (container_resctrl(c, &r, err) < 0)
        return -1;
    int ret = r ? vd_resctrl_destroy(r, false, err) : 0;
    vd_resctrl_free(r);
    return ret;
}

static bool cgroup_frozen(const struct container *c)
{
    _cleanup_cgroup_ vd_cgroup *cg = NULL;
    bool frozen = false;
    if (container_cgroup(c, &cg, NULL) < 0 || cg == NULL)
        return false;
    return vd_cgroup_is_frozen(cg, &frozen, NULL) == 0 && frozen;
}

/* ---- status --------------------------------------------------------------- */

/* A create holds the state directory's lock until the init is recorded. */
static bool create_under_way(const struct container *c)
{
    if (c->locked)
        return false; /* the lock is ours */
    if (flock(c->lock_fd, LOCK_SH | LOCK_NB) < 0)
        return errno == EWOULDBLOCK;
    flock(c->lock_fd, LOCK_UN);
    return false;
}

enum container_status container_status(const struct container *c)
{
    /* No state.json, or create's first one (pid 0, written before the init
     * exists so that it names the cgroup): a create is under way, or was
     * killed before it finished. */
    if (c->state == NULL || c->state->pid <= 0)
        return create_under_way(c) ? CONTAINER_CREATING : CONTAINER_STOPPED;
    if (!process_is(c->state->pid, c->state->start_time))
        return CONTAINER_STOPPED;
    if (cgroup_frozen(c))
        return CONTAINER_PAUSED;
    /* `start` removes the FIFO once the init has passed it. */
    if (faccessat(c->lock_fd, CONTAINER_FIFO_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return CONTAINER_CREATED;
    return CONTAINER_RUNNING;
}

char *container_state_json(const struct container *c, enum container_status status, bool pretty,
                           vd_error **err)
{
    /* A container still being created has no state.json: say what we know. */
    struct oci_state creating = {.oci_version = (char *)OCI_SPEC_VERSION, .id = c->id};
    return oci_state_to_json(c->state ? c->state : &creating, container_status_name(status),
                             pretty, err);
}

/* ---- the container's processes ------------------------------------------- */

struct proc_entry {
    pid_t pid;
    pid_t ppid;
    uint64_t start_time;
};

struct proc_set {
    struct proc_entry *v;
    size_t n, cap;
};

static int proc_set_add(struct proc_set *s, const struct proc_entry *e)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct proc_entry *bigger = reallocarray(s->v, cap, sizeof(*bigger));
        if (bigger == NULL)
            return -ENOMEM;
        s->v = bigger;
        s->cap = cap;
    }
    s->v[s->n++] = *e;
    return 0;
}

/* Whether a process belongs to the container, asked of each host process. */
struct membership {
    bool by_pid_ns;
    dev_t ns_dev;
    ino_t ns_ino;
};

static bool in_pid_ns(const struct membership *m, pid_t pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
    return stat(path, &st) == 0 && st.st_dev == m->ns_dev && st.st_ino == m->ns_ino;
}

/* Every host process, or those in the init's pid namespace. */
static int scan_proc(const struct membership *m, struct proc_set *all, vd_error **err)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return vd_error_set(err, errno, "open \"/proc\"");
    int r = 0;
    struct dirent *de;
    while (r == 0 && (de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (de->d_name[0] < '1' || de->d_name[0] > '9' || *end != '\0' || pid > INT32_MAX)
            continue;
        struct proc_stat st;
        if (read_proc_stat((pid_t)pid, &st) < 0)
            continue; /* gone since readdir */
        if (m->by_pid_ns && !in_pid_ns(m, (pid_t)pid))
            continue;
        struct proc_entry e = {.pid = (pid_t)pid, .ppid = st.ppid, .start_time = st.start_time};
        if (proc_set_add(all, &e) < 0)
            r = vd_error_set(err, ENOMEM, "list processes");
    }
    closedir(d);
    return r;
}

/* Keep the init, then all the others (`descendants`: only the init's
 * descendants).  Nothing when the init is not among them. */
static int keep_members(const struct proc_set *all, pid_t init, bool descendants,
                        struct proc_set *out, vd_error **err)
{
    for (size_t i = 0; i < all->n; i++)
        if (all->v[i].pid == init && proc_set_add(out, &all->v[i]) < 0)
            return vd_error_set(err, ENOMEM, "list processes");
    if (out->n == 0)
        return 0;
    if (!descendants) {
        for (size_t i = 0; i < all->n; i++)
            if (all->v[i].pid != init && proc_set_add(out, &all->v[i]) < 0)
                return vd_error_set(err, ENOMEM, "list processes");
        return 0;
    }
    /* Breadth first: out[k] is the parent whose children are added next.
     * A pid appears once in /proc, so the walk cannot loop. */
    for (size_t k = 0; k < out->n; k++)
        for (size_t i = 0; i < all->n; i++)
            if (all->v[i].ppid == out->v[k].pid && all->v[i].pid != init &&
                proc_set_add(out, &all->v[i]) < 0)
                return vd_error_set(err, ENOMEM, "list processes");
    return 0;
}

static int compare_pids(const void *a, const void *b)
{
    pid_t x = ((const struct proc_entry *)a)->pid, y = ((const struct proc_entry *)b)->pid;
    return (x > y) - (x < y);
}

/* The processes of the container's cgroup, as proc entries. */
static int scan_cgroup(const vd_cgroup *cg, struct proc_set *all, vd_error **err)
{
    pid_t *pids = NULL;
    size_t n = 0;
    if (vd_cgroup_pids(cg, &pids, &n, err) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        struct proc_stat st;
        if (read_proc_stat(pids[i], &st) < 0)
            continue; /* gone since */
        struct proc_entry e = {.pid = pids[i], .ppid = st.ppid, .start_time = st.start_time};
        if (proc_set_add(all, &e) < 0)
            r = vd_error_set(err, ENOMEM, "list processes");
    }
    free(pids);
    return r;
}

/*
 * The init's pid namespace into `m`: 1, or 0 when the init is gone.  When it
 * can only be found by its tree, m->by_pid_ns goes false:
 *  - a rootless caller may not look into an init that is not dumpable yet
 *    (created, before its exec);
 *  - the namespace is the caller's own: state.json says the init has one of
 *    its own, and it has not (a rewritten state), so every process of ours
 *    would be "in" it.
 */
static int find_init_pid_ns(pid_t init, struct membership *m, vd_error **err)
{
    char path[64];
    struct stat st, self;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init);
    if (stat(path, &st) < 0) {
        if (errno == EACCES) {
            m->by_pid_ns = false;
            return 1;
        }
        return errno == ENOENT ? 0 : vd_error_set(err, errno, "stat \"%s\"", path);
    }
    if (stat("/proc/self/ns/pid", &self) == 0 && st.st_dev == self.st_dev &&
        st.st_ino == self.st_ino) {
        m->by_pid_ns = false;
        return 1;
    }
    m->ns_dev = st.st_dev;
    m->ns_ino = st.st_ino;
    return 1;
}

/*
 * The container's processes: those of its cgroup when it has one (state.json
 * names it), else, for a state written without one:
 *  - the init has a pid namespace of its own: every host process in it;
 *  - otherwise the init and its descendants by parent pid, which misses a
 *    process whose parent died (it is reparented out of the tree).
 * A stopped or creating container has none.
 */
static int collect(const struct container *c, struct proc_set *out, vd_error **err)
{
    enum container_status status = container_status(c);
    if (status == CONTAINER_STOPPED || status == CONTAINER_CREATING)
        return 0;
    pid_t init = c->state->pid;
    struct membership m = {.by_pid_ns = c->state->own_pid_ns};
    _cleanup_cgroup_ vd_cgroup *cg = NULL;
    if (container_cgroup(c, &cg, err) < 0)
        return -1;
    if (cg) {
        struct proc_set all = {0};
        int r = scan_cgroup(cg, &all, err);
        if (r == 0)
            r = keep_members(&all, init, false, out, err);
        free(all.v);
        if (r < 0 || out->n == 0)
            return r;
        qsort(out->v + 1, out->n - 1, sizeof(*out->v), compare_pids);
        if (c->state->start_time && out->v[0].start_time != c->state->start_time)
            out->n = 0;
        return 0;
    }
    if (m.by_pid_ns) {
        int r = find_init_pid_ns(init, &m, err);
        if (r <= 0)
            return r;
    }

    struct proc_set all = {0};
    int r = scan_proc(&m, &all, err);
    if (r == 0)
        r = keep_members(&all, init, !m.by_pid_ns, out, err);
    free(all.v);
    if (r < 0 || out->n == 0)
        return r;
    /* The init stays first; the rest in pid order. */
    qsort(out->v + 1, out->n - 1, sizeof(*out->v), compare_pids);
    /* It was checked against its start time above, but may have died and
     * its pid been reused since. */
    if (c->state->start_time && out->v[0].start_time != c->state->start_time)
        out->n = 0;
    return 0;
}

int container_pids(const struct container *c, pid_t **pids, size_t *n, vd_error **err)
{
    struct proc_set set = {0};
    int r = collect(c, &set, err);
    if (r < 0) {
        free(set.v);
        return r;
    }
    pid_t *v = calloc(set.n ? set.n : 1, sizeof(*v));
    if (v == NULL) {
        free(set.v);
        return vd_error_set(err, ENOMEM, "list processes");
    }
    for (size_t i = 0; i < set.n; i++)
        v[i] = set.v[i].pid;
    free(set.v);
    *pids = v;
    *n = set.n;
    return 0;
}

/* ---- signals -------------------------------------------------------------- */

/* Signal `pid` only if it is still the process that started at
 * `start_time`: the pidfd pins it, then the start time proves it is ours.
 * Returns -ESRCH when it is gone. */
static int signal_process(pid_t pid, uint64_t start_time, int sig)
{
    _cleanup_close_ int pidfd = vd_sys_pidfd_open(pid, 0);
    if (pidfd < 0 && errno != ENOSYS)
        return -errno;
    if (!process_is(pid, start_time))
        return -ESRCH;
    /* Kernels before 5.3 have no pidfd: kill(2) right after the check. */
    int r = pidfd >= 0 ? vd_sys_pidfd_send_signal(pidfd, sig, NULL, 0) : kill(pid, sig);
    return r < 0 ? -errno : 0;
}

int container_signal(const struct container *c, int sig, bool all, vd_error **err)
{
    enum container_status status = container_status(c);
    /* --all of a stopped container signals what outlived the init in its
     * cgroup (none once its pid namespace is gone) and succeeds, as runc
     * does: containerd's shim sends it while it cleans up. */
    if (status == CONTAINER_CREATING || (status == CONTAINER_STOPPED && !all))
        return vd_error_set(err, 0, NOT_RUNNING);

    /* The cgroup holds them all, those whose parent died too. */
    _cleanup_cgroup_ vd_cgroup *cg = NULL;
    if (all && container_cgroup(c, &cg, err) < 0)
        return -1;
    if (cg)
        return vd_cgroup_kill(cg, sig, err);
    if (status == CONTAINER_STOPPED)
        return 0;

    struct proc_set set = {0};
    struct proc_entry init = {.pid = c->state->pid, .start_time = c->state->start_time};
    /* All of them are found before any is signalled: once the init dies,
     * its children are reparented out of its tree. */
    if (all && collect(c, &set, err) < 0) {
        free(set.v);
        return -1;
    }
    int r = 0;
    /* The others first, the init (set.v[0]) last, for the same reason. */
    for (size_t i = set.n; r == 0 && i > 1; i--) {
        int s = signal_process(set.v[i - 1].pid, set.v[i - 1].start_time, sig);
        if (s < 0 && s != -ESRCH) /* one that exited meanwhile is fine */
            r = vd_error_set(err, -s, "send signal %d to pid %d", sig, (int)set.v[i - 1].pid);
    }
    free(set.v);
    if (r < 0)
        return r;

    r = signal_process(init.pid, init.start_time, sig);
    if (r == -ESRCH)
        return vd_error_set(err, 0, NOT_RUNNING);
    if (r < 0)
        return vd_error_set(err, -r, "send signal %d to the init (pid %d)", sig, (int)init.pid);
    return 0;
}

int container_wait_stopped(const struct container *c, int timeout_ms, vd_error **err)
{
    enum container_status status = container_status(c);
    if (status == CONTAINER_STOPPED || status == CONTAINER_CREATING)
        return 0;
    pid_t pid = c->state->pid;
    _cleanup_close_ int pidfd = vd_sys_pidfd_open(pid, 0);
    if (pidfd < 0 && errno == ESRCH)
        return 0;
    /* A pidfd polls readable once the process has exited, zombie or not; it
     * may have died and its pid been reused between the status and the
     * pidfd, which the start time check below catches. */
    int waited = 0;
    while (waited < timeout_ms) {
        if (!process_is(pid, c->state->start_time))
            return 0;
        int step = timeout_ms - waited < 100 ? timeout_ms - waited : 100;
        if (pidfd >= 0) {
            struct pollfd p = {.fd = pidfd, .events = POLLIN};
            int n = poll(&p, 1, step);
            if (n > 0)
                return 0;
            if (n < 0 && errno != EINTR)
                return vd_error_set(err, errno, "wait for the init (pid %d)", (int)pid);
        } else {
            usleep((useconds_t)step * 1000);
        }
        waited += step;
    }
    if (!process_is(pid, c->state->start_time))
        return 0;
    return vd_error_set(err, 0, "the init (pid %d) is still alive after %d ms", (int)pid,
                        timeout_ms);
}
