/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One clone, then the setup steps in the child, in order.  The child tells
 * the parent how it went over a SOCK_SEQPACKET pair: any failure comes back
 * as errno + message, so the parent can reap the child and report it; the
 * child's mounts and namespaces die with it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "internal.h"
#include "syscalls.h"

static int add_step(vd_builder *b, enum vd_step at, bool in_parent, vd_step_fn fn, void *data,
                    vd_error **err)
{
    if (in_parent && at != VD_STEP_NAMESPACES_READY)
        return vd_error_set(err, EINVAL, "a parent step runs only while the child is set up");
    struct vd_step_entry *e = vd_array_append(&b->steps, &b->n_steps, sizeof(*e), err);
    if (e == NULL)
        return -1;
    *e = (struct vd_step_entry){.at = at, .in_parent = in_parent, .fn = fn, .data = data};
    return 0;
}

int vd_builder_add_parent_step(vd_builder *b, enum vd_step at, vd_step_fn fn, void *data,
                               vd_error **err)
{
    return add_step(b, at, true, fn, data, err);
}

int vd_builder_add_child_step(vd_builder *b, enum vd_step at, vd_step_fn fn, void *data,
                              vd_error **err)
{
    return add_step(b, at, false, fn, data, err);
}

void vd_builder_free_steps(vd_builder *b)
{
    free(b->steps);
}

struct sync_msg {
    int type;
    int errnum;
    char text[4000];
};

struct vd_process {
    pid_t pid;
    int pidfd;
    int console;
};

static int sync_send(int fd, int type, const vd_error *e)
{
    struct sync_msg msg = {.type = type};
    if (e) {
        msg.errnum = e->errnum;
        snprintf(msg.text, sizeof(msg.text), "%s", e->msg ? e->msg : "");
    }
    size_t len = offsetof(struct sync_msg, text) + strlen(msg.text) + 1;
    ssize_t n;
    do
        n = send(fd, &msg, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

/* Returns the message length, 0 at EOF, -1 with errno on failure.  An fd
 * passed with the message lands in *fd (else -1). */
static ssize_t sync_recv_flags(int sock, struct sync_msg *msg, int *fd, int flags)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = msg, .iov_len = sizeof(*msg) - 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
    ssize_t n;
    memset(msg, 0, sizeof(*msg));
    n = vd_recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
    int received = -1;
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(&received, CMSG_DATA(c), sizeof(int));
    if (fd)
        *fd = received;
    else if (received >= 0)
        close(received);
    return n;
}

static ssize_t sync_recv(int sock, struct sync_msg *msg, int *fd)
{
    return sync_recv_flags(sock, msg, fd, 0);
}

/* ---- the child ----------------------------------------------------------- */

static int child_wait_for_maps(const vd_builder *b, int sync_fd, vd_error **err)
{
    /* The parent also moves the network devices in before it says so. */
    bool new_user = b->ns[VD_NS_USER].mode == VD_NS_MODE_NEW;
    if (!new_user && b->n_net_devices == 0)
        return 0;
    struct sync_msg msg;
    ssize_t n = sync_recv(sync_fd, &msg, NULL);
    if (n <= 0 || msg.type != VD_SYNC_MAPPED)
        return vd_error_set(err, n < 0 ? errno : EPIPE, "wait for the id maps");
    if (!new_user)
        return 0;
    /* Become root of the new namespace for the rest of the setup. */
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return vd_error_set(err, errno, "become root in the new user namespace");
    return 0;
}

static bool has_steps(const vd_builder *b, enum vd_step at, bool in_parent)
{
    for (size_t i = 0; i < b->n_steps; i++)
        if (b->steps[i].at == at && b->steps[i].in_parent == in_parent)
            return true;
    return false;
}

static int run_steps(const vd_builder *b, enum vd_step at, bool in_parent, pid_t pid,
                     vd_error **err)
{
    for (size_t i = 0; i < b->n_steps; i++) {
        const struct vd_step_entry *s = &b->steps[i];
        if (s->at == at && s->in_parent == in_parent && s->fn(pid, s->data, err) < 0)
            return -1;
    }
    return 0;
}

/* Our pid as the caller sees it: /proc is still the caller's here. */
static pid_t host_pid_of_self(void)
{
    char buf[32];
    ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return (pid_t)strtol(buf, NULL, 10);
}

/* Namespaces are there, the mounts done: the parent's steps, then ours. */
static int child_namespaces_ready(const vd_builder *b, int sync_fd, pid_t host_pid,
                                  vd_error **err)
{
    if (has_steps(b, VD_STEP_NAMESPACES_READY, true)) {
        if (sync_send(sync_fd, VD_SYNC_STEP, NULL) < 0)
            return vd_error_set(err, errno, "ask the runtime to run its steps");
        struct sync_msg msg;
        ssize_t n = sync_recv(sync_fd, &msg, NULL);
        if (n <= 0 || msg.type != VD_SYNC_STEP_DONE)
            return vd_error_set(err, n < 0 ? errno : EPIPE, "wait for the runtime's steps");
    }
    return run_steps(b, VD_STEP_NAMESPACES_READY, false, host_pid, err);
}

/* The parent puts us in our cgroups (those we did not move ourselves in
 * first, see vd_cgroup_open_v1_tasks) while we join our namespaces and make
 * the first mounts (on v1 its join can wait some 10-20 ms for an RCU grace
 * period); we wait for it before a cgroup mount or the devices, then make
 * the new cgroup namespace, rooted at the container's cgroup (the clone
 * left it out, see clone_init). */
struct cgroup_wait {
    const vd_builder *b;
    int sync_fd;
};

static int child_wait_cgroup(void *ctx, vd_error **err)
{
    const struct cgroup_wait *w = ctx;
    const vd_builder *b = w->b;
    int sync_fd = w->sync_fd;
    if (b->cgroup == NULL && b->resctrl == NULL)
        return 0;
    struct sync_msg msg;
    ssize_t n = sync_recv(sync_fd, &msg, NULL);
    if (n <= 0 || msg.type != VD_SYNC_CGROUP)
        return vd_error_set(err, n < 0 ? errno : EPIPE, "wait to be put in the cgroup");
    if (b->cgroup && b->ns[VD_NS_CGROUP].mode == VD_NS_MODE_NEW && unshare(CLONE_NEWCGROUP) < 0)
        return vd_error_set(err, errno, "create the cgroup namespace");
    return 0;
}

/* What the exec needs: the runtime's binary, which it must not be, and
 * the program, opened once it is found. */
struct child_exec {
    struct vd_file_id runtime;
    int program_fd;
};

/* Everything up to the exec; returns the resolved program. */
static char *child_setup(const vd_builder *b, int sync_fd, struct vd_gate *g, pid_t *host_pid,
                         struct child_exec *x, vd_error **err)
{
    /* First, so that everything the child does is the container's. */
    if (b->cgroup_tasks_fds && vd_cgroup_join_self_v1(b->cgroup, b->cgroup_tasks_fds, err) < 0)
        return NULL;
    if (vd_runtime_exe_id(&x->runtime, err) < 0 || vd_child_reset_signals(err) < 0 ||
        vd_child_set_initial_affinity(b, err) < 0 ||
        child_wait_for_maps(b, sync_fd, err) < 0)
        return NULL;
    /* Not dumpable: while the init runs our image, nothing in the container
     * may open /proc/<pid>/exe or its fds (CVE-2019-5736).  exec resets it. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        vd_error_set(err, errno, "make the init not dumpable");
        return NULL;
    }
    *host_pid = b->n_steps ? host_pid_of_self() : 0;
    mode_t caller_umask = umask(0);
    if (vd_child_join_namespaces(b, err) < 0 || vd_child_join_keyring(b, err) < 0 ||
        vd_gate_open(b, g, err) < 0)
        return NULL;
    /* In every namespace now, and the caller's /proc is still at /proc (the
     * container may mount none): the writes under /proc/self and /proc/sys
     * reach the container's own namespaces. */
    if (vd_child_bring_up_loopback(b, err) < 0 || vd_child_set_sysctls(b, err) < 0 ||
        vd_child_set_oom_score_adj(b, err) < 0 || vd_child_set_exec_label(b, err) < 0)
        return NULL;
    int root_fd = -1;
    struct cgroup_wait wait = {b, sync_fd};
    const struct vd_child_hook wait_cgroup = {child_wait_cgroup, &wait};
    if (vd_child_prepare_rootfs(b, &wait_cgroup, &root_fd, err) < 0 ||
        child_namespaces_ready(b, sync_fd, *host_pid, err) < 0 ||
        vd_child_enter_rootfs(b, root_fd, err) < 0)
        return NULL;
    if (root_fd >= 0)
        close(root_fd);
    if (vd_child_set_names(b, err) < 0 ||
        vd_child_setup_console(b, sync_fd, err) < 0 || vd_child_seal_mounts(b, err) < 0)
        return NULL;
    _cleanup_close_ int cwd_fd = -1;
    if (vd_child_open_cwd(b, &cwd_fd, err) < 0)
        return NULL;
    _cleanup_free_ char *program = vd_child_find_program(b, err);
    if (program == NULL || vd_child_open_program(program, &x->runtime, &x->program_fd, err) < 0)
        return NULL;
    /* The fds first: before any seccomp filter, whose profile need not list
     * close_range.  The cwd too, while still privileged (a cwd only root
     * can enter; the filter need not allow fchdir): entered again after the
     * user change only if this failed.  Then the process's own attributes
     * before a filter could forbid them, the scheduler while the child
     * still has CAP_SYS_NICE and after the final affinity (SCHED_DEADLINE
     * wants every CPU).  What runs after a filter loaded before the user
     * change is classic syscalls only (set*id, capset, prctl, fchdir,
     * umask, close, openat, write, sendto, fstat, pread64, execve): see
     * vd_child_load_seccomp. */
    const int own[] = {sync_fd, g->fifo_fd, g->fd_dir, x->program_fd, cwd_fd};
    if (vd_child_prepare_fds(b, own, VD_ARRAY_SIZE(own), err) < 0)
        return NULL;
    bool cwd_entered = vd_child_enter_cwd_early(b, cwd_fd);
    if (vd_child_set_rlimits(b, err) < 0 || vd_child_set_memory_policy(b, err) < 0 ||
        vd_child_set_final_affinity(b, err) < 0 || vd_child_set_scheduling(b, err) < 0 ||
        vd_child_set_personality(b, err) < 0 || vd_child_drop_bounding(b, err) < 0 ||
        vd_child_load_seccomp(b, VD_SECCOMP_BEFORE_USER, sync_fd, err) < 0 ||
        vd_child_set_user(b, err) < 0 || vd_child_set_caps(b, err) < 0 ||
        vd_child_enter_cwd(b, cwd_fd, cwd_entered, err) < 0 ||
        vd_child_finish_process(b, caller_umask, err) < 0)
        return NULL;
    if (cwd_fd >= 0)
        close(steal_fd(&cwd_fd));
    if (vd_child_load_seccomp(b, VD_SECCOMP_BEFORE_GATE, sync_fd, err) < 0)
        return NULL;
    return steal_pointer(&program);
}

static __attribute__((noreturn)) void child_main(const vd_builder *b, int sync_fd, int fifo_fd)
{
    vd_error *err = NULL;
    struct vd_gate g = {.fifo_fd = fifo_fd, .fd_dir = -1, .write_fd = -1};
    pid_t host_pid = 0;
    struct child_exec x = {.program_fd = -1};
    char *program = child_setup(b, sync_fd, &g, &host_pid, &x, &err);
    if (program && b->start_fifo) {
        if (sync_send(sync_fd, VD_SYNC_READY, NULL) < 0)
            _exit(127);
        if (vd_gate_wait(b, &g, &err) < 0)
            goto fail;
    }
    if (program && run_steps(b, VD_STEP_BEFORE_EXEC, false, host_pid, &err) < 0)
        goto fail;
    if (program) {
        if (sync_send(sync_fd, VD_SYNC_EXEC, NULL) < 0 && !b->start_fifo)
            _exit(127);
        /* The last look at the program before the filter: after it,
         * nothing but the execve. */
        if (vd_child_recheck_program(program, x.program_fd, &x.runtime, &err) == 0 &&
            vd_child_load_seccomp(b, VD_SECCOMP_BEFORE_EXEC, sync_fd, &err) == 0)
            vd_child_exec(b, program, &err);
    }
fail:
    /* Before READY the parent listens on the sync channel; past the gate
     * `start` listens on the FIFO. */
    sync_send(sync_fd, VD_SYNC_ERROR, err);
    vd_gate_report(&g, err);
    _exit(127);
}

/* ---- the parent ---------------------------------------------------------- */

static pid_t clone_child(unsigned long flags, int *pidfd)
{
    struct clone_args args = {
        .flags = flags | CLONE_PIDFD,
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .exit_signal = SIGCHLD,
    };
    pid_t pid = vd_sys_clone3(&args, sizeof(args));
    if (pid >= 0 || errno != ENOSYS)
        return pid;
    /* Kernels before 5.3: clone() like fork(), without a pidfd. */
    *pidfd = -1;
    return vd_sys_clone(flags | SIGCHLD);
}

/* clone3 straight into the cgroup2 directory `cgroup_fd` (Linux 5.7):
 * the child never runs outside it.  -1 with errno when the kernel cannot. */
static pid_t clone_into_cgroup(unsigned long flags, int *pidfd, int cgroup_fd)
{
    struct clone_args args = {
        .flags = flags | CLONE_PIDFD | CLONE_INTO_CGROUP,
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .exit_signal = SIGCHLD,
        .cgroup = (uint64_t)cgroup_fd,
    };
    return vd_sys_clone3(&args, sizeof(args));
}

/* The clone, into the cgroup2 directory when there is one (*into says
 * whether it worked).  With a cgroup, a new cgroup namespace is made by
 * the child once it is in all its cgroups (child_wait_cgroup). */
static pid_t clone_init(vd_builder *b, int *pidfd, bool *into, vd_error **err)
{
    unsigned long flags = vd_clone_ns_flags(b);
    *into = false;
    if (b->cgroup && b->ns[VD_NS_CGROUP].mode == VD_NS_MODE_NEW)
        flags &= ~(unsigned long)CLONE_NEWCGROUP;
    if (b->ns[VD_NS_USER].mode == VD_NS_MODE_JOIN)
        return vd_clone_in_joined_user_ns(b, flags, pidfd);
    _cleanup_close_ int cgroup_fd = b->cgroup ? vd_cgroup_open_v2_fd(b->cgroup, err) : -1;
    if (cgroup_fd == -2) {
        errno = (*err)->errnum;
        return -2;
    }
    if (cgroup_fd >= 0) {
        pid_t pid = clone_into_cgroup(flags, pidfd, cgroup_fd);
        if (pid >= 0 || (errno != EINVAL && errno != E2BIG && errno != ENOSYS)) {
            *into = pid >= 0;
            return pid;
        }
    }
    return clone_child(flags, pidfd);
}

/* v1 (unless the child moved itself in: `self_v1`) and v2 (when the clone
 * could not): write the child's pid into each cgroup.procs while it joins
 * its namespaces, and into the resctrl group's tasks; then let it go on. */
static int parent_join_cgroup(const vd_builder *b, pid_t pid, bool into, bool self_v1,
                              int sync_fd, vd_error **err)
{
    if (b->cgroup == NULL && b->resctrl == NULL)
        return 0;
    if (b->cgroup && vd_cgroup_join(b->cgroup, pid, into, self_v1, err) < 0)
        return -1;
    if (b->resctrl && vd_resctrl_join(b->resctrl, pid, err) < 0)
        return -1;
    if (sync_send(sync_fd, VD_SYNC_CGROUP, NULL) < 0)
        return vd_error_set(err, errno, "tell the child it is in its cgroup");
    return 0;
}

static int write_id_map(pid_t pid, const char *file, const struct vd_id_map *maps, size_t n,
                        vd_error **err)
{
    char text[4096] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof(text); i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%u %u %u\n",
                                 maps[i].container_id, maps[i].host_id, maps[i].size);
    if (used >= sizeof(text))
        return vd_error_set(err, E2BIG, "%s: too many id maps", file);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
    return vd_write_file(path, text, err);
}

/* The map is the caller's own id alone: the one map the kernel lets a
 * caller without CAP_SETUID/CAP_SETGID write itself. */
static bool only_own_id(const struct vd_id_map *maps, size_t n, uint32_t id)
{
    return n == 1 && maps[0].size == 1 && maps[0].host_id == id;
}

/* Keep `first` as the error, or drop it when another way is tried. */
static int keep_error(vd_error *first, vd_error **err)
{
    int r = first->errnum > 0 ? -first->errnum : -1;
    if (err != NULL && *err == NULL)
        *err = first;
    else
        vd_error_free(&first);
    return r;
}

/* Written directly; a map the kernel refuses the caller (EPERM: more than
 * its own uid, without CAP_SETUID over the parent namespace) by newuidmap. */
static int write_uid_map(pid_t pid, const vd_builder *b, vd_error **err)
{
    vd_error *first = NULL;
    if (write_id_map(pid, "uid_map", b->uid_maps, b->n_uid_maps, &first) == 0)
        return 0;
    if (first->errnum != EPERM || only_own_id(b->uid_maps, b->n_uid_maps, geteuid()))
        return keep_error(first, err);
    vd_error_free(&first);
    return vd_newidmap_write(pid, "uid_map", b->uid_maps, b->n_uid_maps, err);
}

/* /proc/PID/setgroups stays "allow", as runc leaves it for root: the
 * container's root may set its groups (process.user.additionalGids).  A
 * caller without CAP_SETGID (rootless) may write its own gid alone only
 * once it is "deny" (user_namespaces(7)): then, as runc does, it is.  More
 * than its own gid goes to newgidmap, with setgroups left as it is (see
 * newidmap.c). */
static int write_gid_map(pid_t pid, const vd_builder *b, vd_error **err)
{
    vd_error *first = NULL;
    if (write_id_map(pid, "gid_map", b->gid_maps, b->n_gid_maps, &first) == 0)
        return 0;
    if (first->errnum != EPERM)
        return keep_error(first, err);
    vd_error_free(&first);
    if (!only_own_id(b->gid_maps, b->n_gid_maps, getegid()))
        return vd_newidmap_write(pid, "gid_map", b->gid_maps, b->n_gid_maps, err);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
    if (vd_write_file(path, "deny", err) < 0)
        return -1;
    return write_id_map(pid, "gid_map", b->gid_maps, b->n_gid_maps, err);
}

static int parent_write_maps(const vd_builder *b, pid_t pid, int sync_fd, vd_error **err)
{
    bool new_user = b->ns[VD_NS_USER].mode == VD_NS_MODE_NEW;
    if (!new_user && b->n_net_devices == 0)
        return 0;
    if (new_user && b->n_uid_maps && write_uid_map(pid, b, err) < 0)
        return -1;
    if (new_user && b->n_gid_maps && write_gid_map(pid, b, err) < 0)
        return -1;
    if (vd_parent_move_net_devices(b, pid, err) < 0)
        return -1;
    if (sync_send(sync_fd, VD_SYNC_MAPPED, NULL) < 0)
        return vd_error_set(err, errno, "tell the child its id maps are written");
    return 0;
}

/* Read the child's report: 0 once it waits at the gate or has exec'd.
 * A pty master sent on the way lands in *console. */
static int parent_read_report(const vd_builder *b, pid_t pid, int sync_fd, int *console,
                              vd_error **err)
{
    bool exec_announced = false;
    for (;;) {
        struct sync_msg msg;
        int fd = -1;
        ssize_t n = sync_recv(sync_fd, &msg, &fd);
        if (n < 0)
            return vd_error_set(err, errno, "read the child's report");
        if (n == 0) {
            if (exec_announced)
                return 0; /* the sync fd closed on exec */
            return vd_error_set(err, EPIPE, "the container's init died during setup");
        }
        switch ((enum vd_sync_type)msg.type) {
        case VD_SYNC_CONSOLE:
            if (*console >= 0)
                close(*console);
            *console = fd;
            fd = -1;
            break;
        case VD_SYNC_READY:
            if (b->start_fifo)
                return 0;
            break;
        case VD_SYNC_EXEC:
            exec_announced = true;
            break;
        case VD_SYNC_ERROR:
            vd_error_set(err, 0, "%s", msg.text);
            (*err)->errnum = msg.errnum;
            return msg.errnum > 0 ? -msg.errnum : -1;
        case VD_SYNC_STEP:
            if (run_steps(b, VD_STEP_NAMESPACES_READY, true, pid, err) < 0)
                return -1;
            if (sync_send(sync_fd, VD_SYNC_STEP_DONE, NULL) < 0)
                return vd_error_set(err, errno, "tell the child the runtime's steps are done");
            break;
        case VD_SYNC_SECCOMP:
            if (vd_parent_seccomp_listener(b, pid, fd, err) < 0) {
                vd_closep(&fd);
                return -1;
            }
            break;
        case VD_SYNC_MAPPED:
        case VD_SYNC_CGROUP:
        case VD_SYNC_STEP_DONE:
            break;
        }
        if (fd >= 0)
            close(fd);
    }
}

/* A step of the parent failed (a send that met a closed socket, a cgroup
 * join of a pid that is gone): when the child died of its own error first,
 * its report, already queued, is the cause worth showing. */
static void prefer_child_error(int sync_fd, vd_error **err)
{
    struct sync_msg msg;
    while (sync_recv_flags(sync_fd, &msg, NULL, MSG_DONTWAIT) > 0) {
        if (msg.type != VD_SYNC_ERROR)
            continue;
        if (err) {
            vd_error_free(err);
            vd_error_set(err, 0, "%s", msg.text);
            (*err)->errnum = msg.errnum;
        }
        return;
    }
}

static void reap(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* A container in the caller's mount namespace made its mounts there: the
 * id of the mount on its rootfs before it, to detach what it stacked. */
struct host_mounts {
    bool used;
    uint64_t below;
};

static int note_host_mounts(const vd_builder *b, struct host_mounts *h, vd_error **err)
{
    h->used = b->rootfs && b->ns[VD_NS_MOUNT].mode == VD_NS_MODE_SHARE;
    return h->used ? vd_mount_id_at(b->rootfs, &h->below, err) : 0;
}

/* The parent's copies of the v1 tasks files (the child has its own). */
static void close_cgroup_tasks(vd_builder *b)
{
    vd_cgroup_close_v1_tasks(b->cgroup, steal_pointer(&b->cgroup_tasks_fds));
}

/* The child is gone (reaped): undo what it did that outlives it. */
static void undo_child(const vd_builder *b, const struct host_mounts *h, int *pidfd, int *console)
{
    vd_closep(pidfd);
    vd_closep(console);
    if (h->used)
        (void)vd_unmount_above(b->rootfs, h->below, NULL);
}

int vd_spawn(vd_builder *b, vd_process **out, vd_error **err)
{
    if (b->argv == NULL)
        return vd_error_set(err, EINVAL, "spawn: no program to run");
    struct host_mounts host_mounts;
    if (vd_seccomp_check(b, err) < 0 || vd_check_join_only(b, err) < 0 ||
        note_host_mounts(b, &host_mounts, err) < 0)
        return -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return vd_error_set(err, errno, "create the sync channel");
    _cleanup_close_ int parent_fd = sv[0];
    _cleanup_close_ int child_fd = sv[1];
    _cleanup_close_ int fifo_fd = -1;
    if (vd_gate_prepare(b, &fifo_fd, err) < 0)
        return -1;

    /* The bind sources are opened here, by the caller: the child, maybe in
     * a user namespace, could not reach them all; idmapped ones are mapped
     * here too, where their maps may name any host id.  The child inherits
     * them at the clone. */
    if (b->cgroup && vd_cgroup_open_v1_tasks(b->cgroup, &b->cgroup_tasks_fds, err) < 0)
        return -1;
    if (vd_mount_open_trees(b, err) < 0) {
        close_cgroup_tasks(b);
        return -1;
    }
    int saved_ns[2];
    if (vd_parent_enter_for_children(b, saved_ns, err) < 0) {
        vd_parent_leave_for_children(saved_ns);
        vd_mount_close_trees(b);
        close_cgroup_tasks(b);
        return -1;
    }
    int pidfd = -1;
    bool into_cgroup = false;
    vd_error *clone_err = NULL;
    pid_t pid = clone_init(b, &pidfd, &into_cgroup, &clone_err);
    if (pid == 0) {
        close(parent_fd);
        child_main(b, child_fd, fifo_fd);
    }
    int clone_errno = errno;
    vd_parent_leave_for_children(saved_ns);
    vd_mount_close_trees(b);
    bool self_joined_v1 = b->cgroup_tasks_fds != NULL;
    close_cgroup_tasks(b);
    if (pid == -2 && clone_err) {
        if (err) /* the cgroup could not be opened */
            *err = steal_pointer(&clone_err);
        vd_error_free(&clone_err);
        return -1;
    }
    vd_error_free(&clone_err);
    if (pid < 0)
        return vd_error_set(err, clone_errno, "clone the container's init");
    close(steal_fd(&child_fd));

    int console = -1;
    if (parent_write_maps(b, pid, parent_fd, err) < 0 ||
        parent_join_cgroup(b, pid, into_cgroup, self_joined_v1, parent_fd, err) < 0) {
        prefer_child_error(parent_fd, err);
        reap(pid);
        undo_child(b, &host_mounts, &pidfd, &console);
        return -1;
    }
    if (parent_read_report(b, pid, parent_fd, &console, err) < 0) {
        reap(pid);
        undo_child(b, &host_mounts, &pidfd, &console);
        return -1;
    }
    vd_process *p = malloc(sizeof(*p));
    if (p == NULL) {
        reap(pid);
        undo_child(b, &host_mounts, &pidfd, &console);
        return vd_error_set(err, ENOMEM, "allocate the process handle");
    }
    *p = (vd_process){.pid = pid, .pidfd = pidfd, .console = console};
    *out = p;
    return 0;
}

int vd_process_take_console(vd_process *p)
{
    return steal_fd(&p->console);
}

pid_t vd_process_pid(const vd_process *p)
{
    return p->pid;
}

int vd_process_pidfd(const vd_process *p)
{
    return p->pidfd;
}

int vd_process_wait(vd_process *p, int *status, vd_error **err)
{
    int st;
    pid_t r;
    do
        r = waitpid(p->pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return vd_error_set(err, errno, "wait for process %d", p->pid);
    *status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    return 0;
}

int vd_process_signal(vd_process *p, int sig, vd_error **err)
{
    int r = p->pidfd >= 0 ? vd_sys_pidfd_send_signal(p->pidfd, sig, NULL, 0) : kill(p->pid, sig);
    if (r < 0)
        return vd_error_set(err, errno, "send signal %d to process %d", sig, p->pid);
    return 0;
}

void vd_process_free(vd_process *p)
{
    if (p == NULL)
        return;
    vd_closep(&p->pidfd);
    vd_closep(&p->console);
    free(p);
}
