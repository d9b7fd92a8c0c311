/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvoid's vd_close_fds: after it, exactly fds 0-2, those below `first`
 * and the survivors are open (VD_FDS_CLOSE), or every fd is still open and
 * exactly the others are close-on-exec (VD_FDS_CLOEXEC).  Each way runs
 * through close_range and through both fallbacks (the /proc/self/fd
 * listing and the count up to the fd limit), which are called directly.
 * Each case runs in a forked child, so that what it closes is its own.
 * test_child_fds.c covers the fallback as vd_child_prepare_fds reaches it,
 * under a seccomp filter that denies close_range.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

/* The fds each case opens: below `first`, survivors, and ones to go,
 * one of them past a gap and one far up (but below the test's limit). */
#define FIRST 5
#define FD_LIMIT 600
static const int opened[] = {3, 4, 5, 6, 7, 9, 10, 11, 40, 41, 500};
static const int keep[] = {-1, 4, 6, 9, 10, 500}; /* sorted; -1 and 4 are ignored */

enum path { BY_RANGE, BY_LISTING, BY_COUNT };
static const char *const path_names[] = {"close_range", "/proc/self/fd", "count"};

static bool is_kept(int fd)
{
    if (fd < FIRST)
        return true;
    for (size_t i = 0; i < VD_ARRAY_SIZE(keep); i++)
        if (keep[i] == fd)
            return true;
    return false;
}

/* In the child: every fd but 0-2 closed, then `opened` on /dev/null,
 * inheritable but 4 and 9 (a survivor is to be left as it is, either way). */
static void open_fds(void)
{
    struct rlimit rl = {FD_LIMIT, FD_LIMIT};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        _exit(2);
    for (int fd = 3; fd < FD_LIMIT; fd++)
        close(fd);
    /* Out of the way of `opened` (open would return 3). */
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || dup3(devnull, FD_LIMIT - 1, O_CLOEXEC) < 0)
        _exit(2);
    close(devnull);
    devnull = FD_LIMIT - 1;
    for (size_t i = 0; i < VD_ARRAY_SIZE(opened); i++)
        if (devnull < 0 || dup2(devnull, opened[i]) < 0)
            _exit(2);
    close(devnull);
    if (fcntl(4, F_SETFD, FD_CLOEXEC) < 0 || fcntl(9, F_SETFD, FD_CLOEXEC) < 0)
        _exit(2);
}

static void run(enum path path, enum vd_fds_how how)
{
    size_t n = VD_ARRAY_SIZE(keep);
    switch (path) {
    case BY_RANGE:
        vd_close_fds(FIRST, keep, n, how);
        break;
    case BY_LISTING:
        CHECK(vd_close_fds_listed(FIRST, keep, n, how) == 0);
        break;
    case BY_COUNT:
        vd_close_fds_counted(FIRST, keep, n, how);
        break;
    }
}

/* The fd flags each fd up to the limit should have after `how`: -1 for
 * closed. */
static int want_flags(int fd, enum vd_fds_how how)
{
    bool was_open = fd <= 2;
    for (size_t i = 0; i < VD_ARRAY_SIZE(opened); i++)
        was_open = was_open || opened[i] == fd;
    if (!was_open)
        return -1;
    int before = fd == 4 || fd == 9 ? FD_CLOEXEC : 0;
    if (is_kept(fd))
        return before;
    return how == VD_FDS_CLOSE ? -1 : FD_CLOEXEC;
}

static void child_case(enum path path, enum vd_fds_how how)
{
    /* 0-2 may be closed in the test runner: made /dev/null first. */
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            _exit(2);
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_SETFD, 0) < 0)
            _exit(2);
    open_fds();
    run(path, how);
    for (int fd = 0; fd < FD_LIMIT; fd++) {
        int want = want_flags(fd, how), got = fcntl(fd, F_GETFD);
        if (got != want) {
            fprintf(stderr, "test_fds.c: %s, %s: fd %d: flags %d, want %d\n", path_names[path],
                    how == VD_FDS_CLOSE ? "close" : "cloexec", fd, got, want);
            failed++;
        } else {
            passed++;
        }
    }
    _exit(failed ? 1 : 0);
}

static void run_case(enum path path, enum vd_fds_how how)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        passed = failed = 0;
        child_case(path, how);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, path_names[path]);
}

/* A survivor list that is only the fds below `first`: all the rest go. */
static void test_no_survivors_left(void)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        open_fds();
        const int low[] = {3};
        vd_close_fds(FIRST, low, 1, VD_FDS_CLOSE);
        int open_above = 0;
        for (int fd = FIRST; fd < FD_LIMIT; fd++)
            open_above += fcntl(fd, F_GETFD) >= 0;
        _exit(open_above == 0 && fcntl(3, F_GETFD) == 0 && fcntl(4, F_GETFD) == FD_CLOEXEC ? 0 : 1);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
    for (enum path p = BY_RANGE; p <= BY_COUNT; p++) {
        run_case(p, VD_FDS_CLOSE);
        run_case(p, VD_FDS_CLOEXEC);
    }
    test_no_survivors_left();
    return check_summary("test_fds");
}
