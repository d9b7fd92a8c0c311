/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The foreground relay of `run` with a terminal: our stdin to the pty
 * master, the master to our stdout, signals and window size forwarded,
 * until the container's init exits. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"
#include "utils.h"

static bool copy_once(int from, int to)
{
    char buf[8192];
    ssize_t n = read(from, buf, sizeof(buf));
    if (n <= 0)
        return n < 0 && (errno == EINTR || errno == EAGAIN);
    for (ssize_t done = 0; done < n;) {
        ssize_t w = write(to, buf + done, (size_t)(n - done));
        if (w < 0 && errno != EINTR)
            return false;
        done += w > 0 ? w : 0;
    }
    return true;
}

static void copy_window_size(int master)
{
    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
        ioctl(master, TIOCSWINSZ, &ws);
}

static bool reap_if_exited(pid_t pid, int *status)
{
    int st;
    if (waitpid(pid, &st, WNOHANG) != pid)
        return false;
    *status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    return true;
}

/* Whatever the container wrote before it exited is still in the master. */
static void drain(int master)
{
    struct pollfd p = {.fd = master, .events = POLLIN};
    while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && copy_once(master, STDOUT_FILENO))
        ;
}

int tty_relay(vd_process *proc, int master, const sigset_t *signals, int *status,
              vd_error **err)
{
    _cleanup_close_ int sfd = signalfd(-1, signals, SFD_CLOEXEC);
    if (sfd < 0)
        return vd_error_set(err, errno, "create a signalfd");
    struct termios saved;
    bool raw = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        tcsetattr(STDIN_FILENO, TCSANOW, &t);
        copy_window_size(master);
    }
    pid_t pid = vd_process_pid(proc);
    bool stdin_open = true;
    int r = 0;
    while (!reap_if_exited(pid, status)) {
        struct pollfd fds[3] = {{.fd = sfd, .events = POLLIN},
                                {.fd = master, .events = POLLIN},
                                {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN}};
        if (poll(fds, 3, -1) < 0 && errno != EINTR) {
            r = vd_error_set(err, errno, "poll the terminal");
            break;
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si = {0};
            if (read(sfd, &si, sizeof(si)) != sizeof(si) || si.ssi_signo == SIGCHLD)
                ;
            else if (si.ssi_signo == SIGWINCH)
                copy_window_size(master);
            else
                vd_process_signal(proc, (int)si.ssi_signo, NULL);
        }
        if ((fds[2].revents & (POLLIN | POLLHUP)) && !copy_once(STDIN_FILENO, master))
            stdin_open = false;
        if ((fds[1].revents & (POLLIN | POLLHUP)) && !copy_once(master, STDOUT_FILENO)) {
            /* Every slave fd is closed: nothing more will come, so block in
             * waitpid rather than spin on the hang-up. */
            int st;
            if (waitpid(pid, &st, 0) == pid)
                *status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
            break;
        }
    }
    drain(master);
    if (raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return r;
}
