/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvoid's vd_child_prepare_fds where close_range(2) fails: under a
 * seccomp filter that denies it (as a runtime run inside a container with
 * an older profile meets it; kernels before 5.9 lack it), the fds are
 * closed one by one, as /proc/self/fd lists them or, without a /proc, up
 * to the fd limit.  Each case runs in a forked child, which the filter and
 * the unmounted /proc then die with.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "check.h"

static int skipped;

/* The child's exit status for a case this machine cannot run. */
#define SKIP 77

static bool is_closed(int fd)
{
    return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static void deny_close_range(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(close_range), 0) < 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0) {
        fprintf(stderr, "test_child_fds.c: cannot load the filter\n");
        _exit(2);
    }
    seccomp_release(ctx);
}

/* In the child: fds 10 (to close), 11 (kept), 12 (libvoid's own), 200
 * (to close); exits with the number of failed checks. */
static void child_case(bool without_proc)
{
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int fds[] = {10, 11, 12, 200};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (dup3(devnull, fds[i], O_CLOEXEC) < 0)
            _exit(2);
    close(devnull);
    /* A mount namespace of the child's own, which needs root: the
     * caller keeps its /proc (LeakSanitizer reads it at exit). */
    if (without_proc && (unshare(CLONE_NEWNS) < 0 ||
                         mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
        _exit(SKIP);
    if (without_proc && umount2("/proc", MNT_DETACH) < 0)
        _exit(2);
    CHECK(without_proc == (access("/proc/self/fd", F_OK) < 0));
    deny_close_range();
    CHECK(syscall(SYS_close_range, 300, 300, 0) < 0 && errno == EPERM);

    vd_builder *b = vd_builder_new();
    vd_error *err = NULL;
    CHECK(b != NULL && vd_builder_keep_fd(b, 11, &err) == 0);
    const int own[] = {12, -1};
    CHECK(vd_child_prepare_fds(b, own, 2, &err) == 0);
    CHECK(err == NULL);
    CHECK(is_closed(10));
    CHECK(is_closed(200));
    CHECK(fcntl(11, F_GETFD) == 0); /* kept, and inheritable now */
    CHECK(fcntl(12, F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0);
    vd_builder_free(b);
    _exit(failed);
}

static void run_case(const char *name, bool without_proc)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        passed = failed = 0;
        child_case(without_proc);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        passed++;
        return;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == SKIP) {
        skipped++;
        printf("skip: %s: no mount namespace of its own: run as root\n", name);
        return;
    }
    failed++;
    fprintf(stderr, "test_child_fds.c: %s: child status %#x\n", name, (unsigned)st);
}

int main(void)
{
    run_case("with /proc", false);
    run_case("without /proc", true);
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
