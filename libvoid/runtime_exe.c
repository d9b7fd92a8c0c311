/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keep the runtime's own binary out of the container's reach (CVE-2019-5736).
 *
 * The child is a clone of the runtime: until its exec, /proc/self/exe is the
 * runtime's binary on the host.  A container whose program is that link, or
 * a script whose interpreter is, would run the host binary inside the
 * container, and a container process could then reopen it through
 * /proc/PID/exe and write it once nothing runs it any more.  Rather than
 * copying the binary at every start, the child refuses to exec a file that
 * is the runtime's binary, checking the program and its chain of script
 * interpreters when it finds the program and again just before the exec. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The kernel follows at most this many interpreters (BINPRM_MAX_RECURSION). */
#define MAX_INTERPRETERS 5

int vd_runtime_exe_id(struct vd_file_id *id, vd_error **err)
{
    struct stat st;
    if (stat("/proc/self/exe", &st) < 0)
        return vd_error_set(err, errno, "stat the runtime's binary \"/proc/self/exe\"");
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return 0;
}

static bool is_runtime_exe(const struct stat *st, const struct vd_file_id *runtime)
{
    return st->st_dev == runtime->dev && st->st_ino == runtime->ino;
}

/* The interpreter a "#!" line names, into buf; false when `fd` is no script. */
static bool script_interpreter(int fd, char *buf, size_t size)
{
    ssize_t n = pread(fd, buf, size - 1, 0);
    if (n < 3 || buf[0] != '#' || buf[1] != '!')
        return false;
    buf[n] = '\0';
    char *p = buf + 2;
    p += strspn(p, " \t");
    size_t len = strcspn(p, " \t\n");
    if (len == 0)
        return false;
    memmove(buf, p, len);
    buf[len] = '\0';
    return true;
}

static int refuse(const char *program, const char *via, vd_error **err)
{
    if (via)
        return vd_error_set(err, EPERM,
                            "exec \"%s\": its interpreter \"%s\" is the runtime's own binary, "
                            "which a container must not run",
                            program, via);
    return vd_error_set(err, EPERM,
                        "exec \"%s\": it is the runtime's own binary, which a container must not run",
                        program);
}

/* Check the interpreters of the script open at `fd`, as the kernel will
 * find them (paths resolved in the container's root, symlinks and /proc
 * magic links followed). */
static int check_interpreters(const char *program, int fd, const struct vd_file_id *runtime,
                              vd_error **err)
{
    char interp[256];
    _cleanup_close_ int cur = -1;
    for (int depth = 0; depth < MAX_INTERPRETERS; depth++) {
        if (!script_interpreter(cur >= 0 ? cur : fd, interp, sizeof(interp)))
            return 0;
        int next = open(interp, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (next < 0)
            return 0; /* the exec fails on its own, with the kernel's error */
        if (cur >= 0)
            close(cur);
        cur = next;
        struct stat st;
        if (fstat(cur, &st) == 0 && is_runtime_exe(&st, runtime))
            return refuse(program, interp, err);
    }
    return 0;
}

int vd_child_open_program(const char *program, const struct vd_file_id *runtime, int *fd_out,
                          vd_error **err)
{
    *fd_out = -1;
    /* Still privileged here: a program that is executable but not readable
     * by the user-to-be can be checked too. */
    _cleanup_close_ int fd = open(program, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        /* A program that is not there fails create, as with runc: podman
         * reads create's error (and maps this text to exit code 127), not
         * start's.  Any other failure is the exec's to report. */
        if (errno == ENOENT || errno == ENOTDIR)
            return vd_child_exec_error(err, errno, program);
        return 0;
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return vd_error_set(err, errno, "stat the program \"%s\"", program);
    if (is_runtime_exe(&st, runtime))
        return refuse(program, NULL, err);
    if (check_interpreters(program, fd, runtime, err) < 0)
        return -1;
    *fd_out = steal_fd(&fd);
    return 0;
}

/* Exec by path, as execve(2) names the process after the path's last
 * component (by fd it would be named "3").  Just before, the path must
 * still lead to the file opened and checked above, whose interpreters are
 * checked again (it may have been rewritten while the child waited at its
 * start gate).  What is left is the moment between this check and the
 * kernel's own lookup, in which a process already in the container would
 * have to swap the file. */
int vd_child_exec_program(const vd_builder *b, const char *program, int fd,
                          const struct vd_file_id *runtime, vd_error **err)
{
    if (fd >= 0) {
        struct stat checked, now;
        _cleanup_close_ int again = open(program, O_PATH | O_CLOEXEC);
        if (fstat(fd, &checked) < 0)
            return vd_error_set(err, errno, "stat the program \"%s\"", program);
        if (again < 0 || fstat(again, &now) < 0)
            return vd_child_exec_error(err, errno, program);
        if (now.st_dev != checked.st_dev || now.st_ino != checked.st_ino)
            return vd_error_set(err, EPERM,
                                "exec \"%s\": the file changed while the container was being set up",
                                program);
        if (check_interpreters(program, fd, runtime, err) < 0)
            return -1;
    }
    return vd_child_exec(b, program, err);
}
