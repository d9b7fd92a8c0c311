/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keep the runtime's own binary out of the container's reach (CVE-2019-5736).
 *
 * The child is a clone of the runtime: until its exec, /proc/self/exe is the
 * runtime's binary on the host.  A container whose program is that link, or
 * a script or ELF program whose interpreter is, would run the host binary
 * inside the
 * container, and a container process could then reopen it through
 * /proc/PID/exe and write it once nothing runs it any more.  Rather than
 * copying the binary at every start, the child refuses to exec a file that
 * is the runtime's binary, checking the program and its chain of
 * interpreters ("#!" lines, and an ELF program's PT_INTERP, which the kernel
 * maps too) when it finds the program and again just before the exec. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* The PT_INTERP path of the ELF program `fd` (whose header `hdr` holds
 * `n` bytes), into buf; false when it has none or it cannot be read. */
static bool elf_interpreter(int fd, const unsigned char *hdr, ssize_t n, char *buf, size_t size)
{
    if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(hdr, ELFMAG, SELFMAG) != 0)
        return false;
    bool is64 = hdr[EI_CLASS] == ELFCLASS64;
    if (is64 && n < (ssize_t)sizeof(Elf64_Ehdr))
        return false;
    Elf64_Ehdr e64;
    Elf32_Ehdr e32;
    memcpy(is64 ? (void *)&e64 : (void *)&e32, hdr, is64 ? sizeof(e64) : sizeof(e32));
    uint64_t phoff = is64 ? e64.e_phoff : e32.e_phoff;
    unsigned phnum = is64 ? e64.e_phnum : e32.e_phnum;
    size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    for (unsigned i = 0; i < phnum && i < 4096; i++) {
        Elf64_Phdr p64;
        Elf32_Phdr p32;
        void *ph = is64 ? (void *)&p64 : (void *)&p32;
        if (pread(fd, ph, phsize, (off_t)(phoff + i * phsize)) != (ssize_t)phsize)
            return false;
        if ((is64 ? p64.p_type : p32.p_type) != PT_INTERP)
            continue;
        uint64_t off = is64 ? p64.p_offset : p32.p_offset;
        uint64_t len = is64 ? p64.p_filesz : p32.p_filesz;
        if (len < 2 || len > size)
            return false; /* the kernel refuses such a program itself */
        if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
            return false;
        buf[len - 1] = '\0';
        return buf[0] != '\0';
    }
    return false;
}

/* The interpreter the kernel will load for `fd`, into buf: a "#!" line's,
 * or an ELF program's PT_INTERP; false when it has none. */
static bool interpreter_of(int fd, char *buf, size_t size)
{
    unsigned char hdr[sizeof(Elf64_Ehdr)];
    ssize_t h = pread(fd, hdr, sizeof(hdr), 0);
    if (h >= SELFMAG && memcmp(hdr, ELFMAG, SELFMAG) == 0)
        return elf_interpreter(fd, hdr, h, buf, size);
    /* The kernel reads a "#!" line from the first BINPRM_BUF_SIZE bytes. */
    ssize_t n = pread(fd, buf, size - 1 < 256 ? size - 1 : 256, 0);
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

/* Check the interpreters of the program open at `fd`, as the kernel will
 * find them (paths resolved in the container's root, symlinks and /proc
 * magic links followed). */
static int check_interpreters(const char *program, int fd, const struct vd_file_id *runtime,
                              vd_error **err)
{
    char interp[PATH_MAX]; /* the longest PT_INTERP the kernel takes */
    _cleanup_close_ int cur = -1;
    for (int depth = 0; depth < MAX_INTERPRETERS; depth++) {
        if (!interpreter_of(cur >= 0 ? cur : fd, interp, sizeof(interp)))
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
    /* Nor does one that no one may execute (a directory, a file without an
     * x bit), as with runc and crun: failing at start instead, its init
     * would exit while Docker's start is still running, and dockerd then
     * may never delete the container. */
    if (S_ISDIR(st.st_mode) || (st.st_mode & 0111) == 0)
        return vd_child_exec_error(err, EACCES, program);
    if (is_runtime_exe(&st, runtime))
        return refuse(program, NULL, err);
    if (check_interpreters(program, fd, runtime, err) < 0)
        return -1;
    *fd_out = steal_fd(&fd);
    return 0;
}

/* The exec goes by path, as execve(2) names the process after the path's
 * last component (by fd it would be named "3").  Just before, the path
 * must still lead to the file opened and checked above, whose interpreters
 * are checked again (it may have been rewritten while the child waited at
 * its start gate).  What is left is the moment between this check and the
 * kernel's own lookup, in which a process already in the container would
 * have to swap the file. */
int vd_child_recheck_program(const char *program, int fd, const struct vd_file_id *runtime,
                             vd_error **err)
{
    if (fd < 0)
        return 0;
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
    return check_interpreters(program, fd, runtime, err);
}
