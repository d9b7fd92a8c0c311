/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runtime-spec hooks, run much as runc runs them: the state JSON on stdin,
 * stdout and stderr kept for the error message, SIGKILL once the timeout
 * is up.  The hook gets its own args and env and nothing of ours: no shell,
 * no inherited fd, and an empty environment when config.json gives none
 * (runc, through Go's exec, would hand on its own).  A timeout kills the
 * hook's process group, so that a script's children go with it.
 *
 * The runner waits on a pidfd (or polls waitpid where the kernel has none)
 * and keeps no global state, so it works both in the runtime and in the
 * container's init before exec: no SIGCHLD handler is needed, and the
 * caller's signal mask and SIGCHLD disposition come back as they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "syscalls.h"
#include "utils.h"
#include "voidoci.h"

/* How much of a hook's stdout+stderr goes into its error message. */
#define HOOK_OUTPUT_MAX 4096
/* Without a pidfd, how often waitpid(WNOHANG) looks at the hook. */
#define HOOK_POLL_MS 10
/* Reads of what is left in the output pipe once the hook has exited: a
 * background child of the hook may keep it open and full. */
#define HOOK_DRAIN_READS 16

/* What the child failed at before exec, sent over a close-on-exec pipe:
 * the pipe reads empty when the exec happened. */
enum child_step { CHILD_STEP_FDS, CHILD_STEP_CWD, CHILD_STEP_EXEC };
struct child_report {
    int step;
    int errnum;
};

/* One hook process as the parent sees it. */
struct hook_proc {
    pid_t pid;
    int pidfd;     /* -1 where the kernel has no pidfd_open */
    int stdin_fd;  /* write end of the hook's stdin; -1 once closed */
    int output_fd; /* read end of its stdout and stderr; -1 once closed */
    int report_fd; /* read end of the child_report pipe */
    const char *input;
    size_t input_len; /* what is left to write */
    char output[HOOK_OUTPUT_MAX];
    size_t n_output;
    bool output_truncated;
    bool reaped;
    bool timed_out;
    int status; /* from waitpid, once reaped */
};

static void hook_proc_close(struct hook_proc *p)
{
    vd_closep(&p->pidfd);
    vd_closep(&p->stdin_fd);
    vd_closep(&p->output_fd);
    vd_closep(&p->report_fd);
    p->pidfd = p->stdin_fd = p->output_fd = p->report_fd = -1;
}

__attribute__((noreturn)) static void child_fail(int report_fd, enum child_step step, int errnum)
{
    struct child_report report = {.step = step, .errnum = errnum};
    ssize_t n = write(report_fd, &report, sizeof(report));
    (void)n;
    _exit(127);
}

/* In the forked child: system calls only from here to the exec.  Every fd
 * but the new 0, 1 and 2 is close-on-exec, so the hook gets nothing else. */
__attribute__((noreturn)) static void child_exec(const char *path, char *const argv[],
                                                 char *const envp[], const char *cwd,
                                                 int stdin_fd, int output_fd, int report_fd)
{
    /* Above 2 first, so that no dup2 below meets its own source: when the
     * caller runs without some of 0/1/2, pipe2 may have handed them out. */
    int report = fcntl(report_fd, F_DUPFD_CLOEXEC, 3);
    if (report < 0)
        child_fail(report_fd, CHILD_STEP_FDS, errno);
    int in = fcntl(stdin_fd, F_DUPFD_CLOEXEC, 3);
    int out = fcntl(output_fd, F_DUPFD_CLOEXEC, 3);
    if (in < 0 || out < 0)
        child_fail(report, CHILD_STEP_FDS, errno);
    if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0)
        child_fail(report, CHILD_STEP_FDS, errno);
    vd_close_fds(3, NULL, 0, VD_FDS_CLOEXEC);
    if (cwd && chdir(cwd) < 0)
        child_fail(report, CHILD_STEP_CWD, errno);

    /* Its own process group, so that a timeout kills what it started too. */
    setpgid(0, 0);
    /* The caller's blocked and ignored signals (SIGPIPE, at least) would
     * survive the exec. */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    execve(path, argv, envp);
    child_fail(report, CHILD_STEP_EXEC, errno);
}

static int make_pipe(int *read_end, int *write_end)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    *read_end = fds[0];
    *write_end = fds[1];
    return 0;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int start_hook(const struct oci_hook *h, const char *label, const char *cwd,
                      struct hook_proc *p, vd_error **err)
{
    _cleanup_close_ int in_r = -1, in_w = -1, out_r = -1, out_w = -1, rep_r = -1, rep_w = -1;
    if (make_pipe(&in_r, &in_w) < 0 || make_pipe(&out_r, &out_w) < 0 ||
        make_pipe(&rep_r, &rep_w) < 0)
        return vd_error_set(err, errno, "%s: pipe", label);
    /* Only the parent's ends: the hook's stdin must block as usual. */
    if (set_nonblocking(in_w) < 0 || set_nonblocking(out_r) < 0)
        return vd_error_set(err, errno, "%s: make pipes non-blocking", label);

    char *const path_only[] = {h->path, NULL};
    char *const no_env[] = {NULL};
    char *const *argv = h->n_args > 0 ? h->args : path_only;
    char *const *envp = h->env ? h->env : no_env;

    pid_t pid = fork();
    if (pid < 0)
        return vd_error_set(err, errno, "%s: fork", label);
    if (pid == 0)
        child_exec(h->path, argv, envp, cwd, in_r, out_w, rep_w);

    /* Also here, so that a timeout never finds the group not made yet.
     * After the exec it fails with EACCES: the child has made it. */
    setpgid(pid, pid);
    p->pid = pid;
    p->pidfd = vd_sys_pidfd_open(pid, 0);
    p->stdin_fd = steal_fd(&in_w);
    p->output_fd = steal_fd(&out_r);
    p->report_fd = steal_fd(&rep_r);
    return 0;
}

static void feed_stdin(struct hook_proc *p)
{
    while (p->input_len > 0) {
        ssize_t n = write(p->stdin_fd, p->input, p->input_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            break; /* EPIPE: a hook need not read its stdin */
        p->input += n;
        p->input_len -= (size_t)n;
    }
    vd_closep(&p->stdin_fd);
    p->stdin_fd = -1;
}

/* One read: a hook that writes without end must not keep us from its
 * timeout.  Returns false when there is nothing more to read for now. */
static bool read_output(struct hook_proc *p)
{
    char buf[HOOK_OUTPUT_MAX];
    ssize_t n;
    do
        n = read(p->output_fd, buf, sizeof(buf));
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN)
        return false;
    if (n <= 0) {
        vd_closep(&p->output_fd);
        p->output_fd = -1;
        return false;
    }
    size_t keep = sizeof(p->output) - p->n_output;
    if (keep > (size_t)n)
        keep = (size_t)n;
    memcpy(p->output + p->n_output, buf, keep);
    p->n_output += keep;
    if (keep < (size_t)n)
        p->output_truncated = true;
    return true;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kill_hook(struct hook_proc *p)
{
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL); /* in case its group was never made */
}

static int reap(struct hook_proc *p, const char *label, vd_error **err)
{
    while (!p->reaped) {
        if (waitpid(p->pid, &p->status, 0) == p->pid)
            p->reaped = true;
        else if (errno != EINTR)
            return vd_error_set(err, errno, "%s: wait for the hook", label);
    }
    return 0;
}

/* Until the hook exits or its time is up, feed its stdin and collect its
 * output as each is ready.  Returns with the hook reaped. */
static int wait_hook(const struct oci_hook *h, const char *label, struct hook_proc *p,
                     vd_error **err)
{
    int64_t deadline = h->has_timeout ? now_ms() + (int64_t)h->timeout * 1000 : -1;
    if (p->input_len == 0)
        feed_stdin(p);
    for (;;) {
        struct pollfd fds[3];
        nfds_t n = 0;
        int in_i = -1, out_i = -1, pid_i = -1;
        if (p->stdin_fd >= 0) {
            in_i = (int)n;
            fds[n++] = (struct pollfd){.fd = p->stdin_fd, .events = POLLOUT};
        }
        if (p->output_fd >= 0) {
            out_i = (int)n;
            fds[n++] = (struct pollfd){.fd = p->output_fd, .events = POLLIN};
        }
        if (p->pidfd >= 0) {
            pid_i = (int)n;
            fds[n++] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
        }
        int timeout = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                kill_hook(p);
                p->timed_out = true;
                break;
            }
            timeout = left > INT_MAX ? INT_MAX : (int)left;
        }
        if (p->pidfd < 0 && (timeout < 0 || timeout > HOOK_POLL_MS))
            timeout = HOOK_POLL_MS;
        if (poll(fds, n, timeout) < 0 && errno != EINTR) {
            int saved = errno;
            kill_hook(p);
            reap(p, label, NULL);
            return vd_error_set(err, saved, "%s: poll", label);
        }
        if (in_i >= 0 && fds[in_i].revents)
            feed_stdin(p);
        if (out_i >= 0 && fds[out_i].revents)
            read_output(p);
        bool exited;
        if (pid_i >= 0)
            exited = fds[pid_i].revents != 0;
        else
            exited = p->reaped = waitpid(p->pid, &p->status, WNOHANG) == p->pid;
        if (exited)
            break;
    }
    int r = reap(p, label, err);
    for (int i = 0; i < HOOK_DRAIN_READS && p->output_fd >= 0 && read_output(p); i++)
        ;
    return r;
}

/* The output on one line, for a message: runs of white space become one
 * space, other control bytes '?', and a cut never splits a UTF-8 sequence. */
static void output_line(const struct hook_proc *p, char line[HOOK_OUTPUT_MAX + 4])
{
    size_t len = p->n_output;
    if (p->output_truncated) {
        size_t lead = len;
        while (lead > 0 && len - lead < 4 && ((unsigned char)p->output[lead - 1] & 0xc0) == 0x80)
            lead--;
        if (lead > 0) {
            unsigned char c = (unsigned char)p->output[lead - 1];
            size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            if (len - (lead - 1) < want)
                len = lead - 1;
        }
    }
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p->output[i];
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            space = true;
            continue;
        }
        if (space && n > 0)
            line[n++] = ' ';
        space = false;
        line[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (p->output_truncated && n > 0) {
        memcpy(line + n, "...", 3);
        n += 3;
    }
    line[n] = '\0';
}

static const char *child_step_name(enum child_step step)
{
    switch (step) {
    case CHILD_STEP_FDS: return "set up fds for";
    case CHILD_STEP_CWD: return "enter the working directory of";
    case CHILD_STEP_EXEC: return "exec";
    }
    return "start";
}

static int hook_result(const struct oci_hook *h, const char *label, const char *cwd,
                       const struct hook_proc *p, vd_error **err)
{
    struct child_report report;
    ssize_t got;
    do
        got = read(p->report_fd, &report, sizeof(report));
    while (got < 0 && errno == EINTR);
    _cleanup_free_ char *escaped = log_json_escape(h->path);
    const char *path = escaped ? escaped : h->path;
    if (got == (ssize_t)sizeof(report) && report.step == CHILD_STEP_CWD)
        return vd_error_set(err, report.errnum, "%s: %s \"%s\" (\"%s\")", label,
                            child_step_name(report.step), path, cwd ? cwd : "");
    if (got == (ssize_t)sizeof(report))
        return vd_error_set(err, report.errnum, "%s: %s \"%s\"", label,
                            child_step_name(report.step), path);

    char output[HOOK_OUTPUT_MAX + 4];
    output_line(p, output);
    const char *sep = output[0] ? ": " : "";
    if (p->timed_out)
        return vd_error_set(err, 0, "%s: \"%s\" timed out after %d seconds%s%s", label, path,
                            h->timeout, sep, output);
    if (WIFSIGNALED(p->status))
        return vd_error_set(err, 0, "%s: \"%s\" killed by signal %d%s%s", label, path,
                            WTERMSIG(p->status), sep, output);
    if (WIFEXITED(p->status) && WEXITSTATUS(p->status) != 0)
        return vd_error_set(err, 0, "%s: \"%s\" exited with status %d%s%s", label, path,
                            WEXITSTATUS(p->status), sep, output);
    return 0;
}

static int run_hook(const struct oci_hook *h, const char *label, const char *input,
                    const char *cwd, vd_error **err)
{
    struct hook_proc p = {.pid = -1, .pidfd = -1, .stdin_fd = -1, .output_fd = -1,
                          .report_fd = -1, .input = input, .input_len = strlen(input)};
    int r = start_hook(h, label, cwd, &p, err);
    if (r == 0)
        r = wait_hook(h, label, &p, err);
    if (r == 0)
        r = hook_result(h, label, cwd, &p, err);
    hook_proc_close(&p);
    return r;
}

int hooks_run(const struct oci_hook *hooks, size_t n, const char *phase, const char *state_json,
              bool fatal, vd_error **err)
{
    return hooks_run_in(hooks, n, phase, state_json, NULL, fatal, err);
}

int hooks_run_in(const struct oci_hook *hooks, size_t n, const char *phase,
                 const char *state_json, const char *cwd, bool fatal, vd_error **err)
{
    if (n == 0)
        return 0;
    /* A hook that exits without reading its stdin must cost us EPIPE, not
     * SIGPIPE; one we raise is taken back below, one already pending kept. */
    sigset_t sigpipe, old_mask, pending;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    sigprocmask(SIG_BLOCK, &sigpipe, &old_mask);
    bool pipe_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    /* With SIGCHLD ignored the kernel would reap the hook before us and
     * take its exit status with it. */
    struct sigaction old_chld, dfl = {.sa_handler = SIG_DFL};
    bool chld_reset = sigaction(SIGCHLD, NULL, &old_chld) == 0 &&
                      (old_chld.sa_handler == SIG_IGN || (old_chld.sa_flags & SA_NOCLDWAIT));
    if (chld_reset)
        sigaction(SIGCHLD, &dfl, NULL);

    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        char label[128];
        snprintf(label, sizeof(label), "hooks.%s[%zu]", phase, i);
        _cleanup_error_ vd_error *warning = NULL;
        if (fatal)
            r = run_hook(&hooks[i], label, state_json ? state_json : "", cwd, err);
        else if (run_hook(&hooks[i], label, state_json ? state_json : "", cwd, &warning) < 0)
            log_warning("%s", warning ? warning->msg : label);
    }

    if (chld_reset)
        sigaction(SIGCHLD, &old_chld, NULL);
    struct timespec zero = {0};
    while (!pipe_pending && sigtimedwait(&sigpipe, NULL, &zero) == SIGPIPE)
        ;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    return r;
}
