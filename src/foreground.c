/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The foreground wait of run and exec, signals forwarded. */
#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "foreground.h"
#include "utils.h"

static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};

int foreground_block_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < VD_ARRAY_SIZE(forwarded); i++)
        sigaddset(set, forwarded[i]);
    sigaddset(set, SIGCHLD);
    return sigprocmask(SIG_BLOCK, set, NULL);
}

int foreground_wait(vd_process *p, const sigset_t *set, int *status, vd_error **err)
{
    _cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
    if (sfd < 0)
        return vd_error_set(err, errno, "create a signalfd");
    for (;;) {
        int st;
        pid_t r = waitpid(vd_process_pid(p), &st, WNOHANG);
        if (r < 0)
            return vd_error_set(err, errno, "wait for process %d", (int)vd_process_pid(p));
        if (r > 0) {
            *status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
            return 0;
        }
        struct signalfd_siginfo si;
        ssize_t n = read(sfd, &si, sizeof(si));
        if (n < 0 && errno != EINTR)
            return vd_error_set(err, errno, "read the signalfd");
        if (n == sizeof(si) && si.ssi_signo != SIGCHLD)
            vd_process_signal(p, (int)si.ssi_signo, NULL);
    }
}
