/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvoid's vd_pty_open, the one place a pty is made: for a spawned
 * terminal from the container's devpts, for restore from the caller's
 * /dev/ptmx.  The caller's pty is checked whole (size, slave path, the
 * pair, O_CLOEXEC); in a root, the refusals that keep create from opening
 * whatever the image put on /dev/pts/ptmx.  (A pty from a container's own
 * devpts is console.bats's.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "void.h"

static bool cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags >= 0 && (flags & FD_CLOEXEC);
}

/* A byte written on the slave is read on the master: they are one pty. */
static bool paired(const vd_pty *pty)
{
    char c = 0;
    return write(pty->slave, "x", 1) == 1 && read(pty->master, &c, 1) == 1 && c == 'x';
}

static void callers_pty_with_size(void)
{
    vd_error *err = NULL;
    vd_pty pty = {.master = -1, .slave = -1};
    vd_pty_size size = {.rows = 24, .cols = 80};
    CHECK(vd_pty_open(VD_PTY_CALLER_PTMX, &size, &pty, &err) == 0);
    if (pty.master < 0 || pty.slave < 0) {
        fprintf(stderr, "no pty: %s\n", err ? err->msg : "?");
        check_fail();
        vd_error_free(&err);
        return;
    }
    struct winsize ws = {0};
    CHECK(ioctl(pty.slave, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 && ws.ws_col == 80);
    int number = -1;
    char want[32];
    CHECK(ioctl(pty.master, TIOCGPTN, &number) == 0);
    snprintf(want, sizeof(want), "/dev/pts/%d", number);
    CHECK(streq(pty.slave_path, want));
    CHECK(cloexec(pty.master) && cloexec(pty.slave));
    CHECK(paired(&pty));
    close(pty.master);
    close(pty.slave);
}

/* No size: the kernel's 0x0, as a terminal with no consoleSize gets. */
static void callers_pty_without_size(void)
{
    vd_error *err = NULL;
    vd_pty pty = {.master = -1, .slave = -1};
    CHECK(vd_pty_open(VD_PTY_CALLER_PTMX, NULL, &pty, &err) == 0);
    struct winsize ws = {.ws_row = 1, .ws_col = 1};
    CHECK(ioctl(pty.slave, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 0 && ws.ws_col == 0);
    if (pty.master >= 0)
        close(pty.master);
    if (pty.slave >= 0)
        close(pty.slave);
    vd_error_free(&err);
}

/* vd_pty_open in fake_root, which must fail with exactly WANT. */
static void refused_at(int line, const char *want)
{
    vd_error *err = NULL;
    vd_pty pty = {.master = -1, .slave = -1};
    int root = open(fake_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    bool ok = root >= 0 && vd_pty_open(root, NULL, &pty, &err) < 0 && error_is(err, want) &&
              pty.master == -1 && pty.slave == -1;
    if (!ok)
        fprintf(stderr, "%s:%d: want error\n    %s\ngot\n    %s\n", CHECK_FILE, line, want,
                err ? err->msg : "(no error)");
    check_at(line, ok, "exact error, nothing opened");
    if (root >= 0)
        close(root);
    vd_error_free(&err);
}

static void refusals_in_a_root(void)
{
    if (fake_root_make("test_console") < 0) {
        check_fail();
        return;
    }
    refused_at(__LINE__, "open \"/dev/pts/ptmx\" for the terminal: No such file or directory");
    CHECK(mkdir(path_of("dev"), 0755) == 0 && mkdir(path_of("dev/pts"), 0755) == 0);
    /* The host's own ptmx, reached through a symlink the image made. */
    CHECK(symlink("/dev/ptmx", path_of("dev/pts/ptmx")) == 0);
    refused_at(__LINE__, "open \"/dev/pts/ptmx\": a symlink is on the way: Too many levels of "
                         "symbolic links");
    CHECK(unlink(path_of("dev/pts/ptmx")) == 0);
    put("dev/pts/ptmx", "");
    refused_at(__LINE__, "\"/dev/pts/ptmx\" is not the ptmx of a devpts mount: refusing to open "
                         "the terminal there");
    CHECK(unlink(path_of("dev/pts/ptmx")) == 0);
    CHECK(rmdir(path_of("dev/pts")) == 0 && rmdir(path_of("dev")) == 0);
    fake_root_remove();
}

int main(void)
{
    callers_pty_with_size();
    callers_pty_without_size();
    refusals_in_a_root();
    return check_summary("console");
}
