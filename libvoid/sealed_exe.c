/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime runs from a copy of itself that no one can write
 * (CVE-2019-5736).
 *
 * A process that the container can see -- the waiting init, an exec's
 * child until its exec -- is a clone of the runtime, and its /proc/PID/exe
 * is the runtime's binary.  Not being dumpable keeps a container process
 * out, unless it holds CAP_SYS_PTRACE in the runtime's user namespace (a
 * container sharing the host's user namespace with that capability, or any
 * process of another container that joined the same PID namespace): it
 * then opens /proc/PID/exe, keeps the fd, and reopens it for writing once
 * nothing runs the binary any more.  So before it clones anything, the
 * runtime re-executes itself from a file that cannot be opened for
 * writing: /proc/PID/exe then leads there, and never to the host's file.
 *
 * That file is, where the caller may mount, the binary seen through a
 * read-only overlayfs mount made detached (fsopen/fsmount): no path in any
 * mount namespace reaches that mount, so no one can remount it writable,
 * and an open for writing through it fails (EROFS: overlayfs without an
 * upper layer cannot copy up).  Making it costs about 0.1 ms whatever the
 * binary's size.  Elsewhere (an unprivileged caller, a kernel without
 * overlayfs or the new mount API), it is a memfd copy sealed against any
 * write, growth or shrinking, and against new seals; the copy holds only
 * the part of the file the kernel and the dynamic loader read (up to the
 * end of the last segment the program headers name), not the debugging
 * sections after it, which can be most of an unstripped binary.
 *
 * Re-executing is the only way: a process's exe cannot be pointed
 * elsewhere while its image is mapped (PR_SET_MM_EXE_FILE refuses, and
 * needs CAP_SYS_RESOURCE besides), and whether a process in the container
 * could ever hold CAP_SYS_PTRACE in our user namespace cannot be known at
 * create time (a later exec, or another container joining the PID
 * namespace, may have it). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: say that the memfd will be executed */
#endif

#if __SIZEOF_POINTER__ == 8
#define ELF_CLASS ELFCLASS64
#else
#define ELF_CLASS ELFCLASS32
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* A read-only overlayfs file: nothing can open it for writing. */
static bool is_read_only_overlay(int fd)
{
    struct statfs sfs;
    return fstatfs(fd, &sfs) == 0 && sfs.f_type == OVERLAYFS_SUPER_MAGIC &&
           (sfs.f_flags & ST_RDONLY);
}

bool vd_running_from_sealed_copy(void)
{
    _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals >= 0)
        return (seals & SEALS) == SEALS;
    return is_read_only_overlay(fd);
}

/* ---- the read-only overlay --------------------------------------------- */

/* A detached mount of `fstype` made with fsconfig's "lowerdir" `lower` (or
 * no option), read-only; -1 with errno on failure. */
static int detached_mount(const char *fstype, const char *lower, unsigned attrs)
{
    _cleanup_close_ int fs = vd_sys_fsopen(fstype, FSOPEN_CLOEXEC);
    if (fs < 0)
        return -1;
    if (lower && vd_sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
        return -1;
    if (vd_sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -1;
    return vd_sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | attrs);
}

/* The binary at `path` (which `src` has open), opened through a detached
 * read-only overlayfs mount of its directory; -1 where that cannot be made,
 * for the caller to fall back to a copy.  Overlayfs without an upper layer
 * wants two lower ones: the second is an empty tmpfs, itself detached. */
static int overlay_view(int src, const char *path)
{
    const char *slash = strrchr(path, '/');
    /* fsconfig's lowerdir takes ':' as a separator and '\' as an escape;
     * such a path (and a binary replaced since, "... (deleted)") gets the
     * copy. */
    if (path[0] != '/' || slash == NULL || strpbrk(path, ":\\,") != NULL ||
        strstr(path, " (deleted)") != NULL)
        return -1;
    _cleanup_close_ int empty = detached_mount("tmpfs", NULL, 0);
    if (empty < 0)
        return -1;
    char lower[PATH_MAX + 32];
    int n = snprintf(lower, sizeof(lower), "%.*s:/proc/self/fd/%d",
                     slash == path ? 1 : (int)(slash - path), path, empty);
    if (n < 0 || (size_t)n >= sizeof(lower))
        return -1;
    _cleanup_close_ int mnt = detached_mount("overlay", lower, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    if (mnt < 0)
        return -1;
    _cleanup_close_ int fd = openat(mnt, slash + 1, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    /* The file found by that path is the one running (not replaced since):
     * overlayfs shows the lower file's size, times and owner. */
    struct stat a, b;
    if (fstat(src, &a) < 0 || fstat(fd, &b) < 0 || !S_ISREG(b.st_mode) ||
        a.st_size != b.st_size || a.st_mtim.tv_sec != b.st_mtim.tv_sec ||
        a.st_mtim.tv_nsec != b.st_mtim.tv_nsec || a.st_ino != b.st_ino ||
        !is_read_only_overlay(fd))
        return -1;
    return steal_fd(&fd);
}

/* ---- the sealed copy --------------------------------------------------- */

/* How much of the ELF file `src` the kernel and the dynamic loader read:
 * the end of the furthest part a program header names (the headers
 * included).  0 where it is not such a file: the caller copies it whole. */
static off_t loaded_extent(int src)
{
    ElfW(Ehdr) eh;
    if (pread(src, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELF_CLASS ||
        eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 || eh.e_phnum > 64)
        return 0;
    ElfW(Phdr) ph[64];
    size_t size = (size_t)eh.e_phnum * sizeof(ph[0]);
    if (pread(src, ph, size, (off_t)eh.e_phoff) != (ssize_t)size)
        return 0;
    ElfW(Off) end = eh.e_phoff + size;
    for (size_t i = 0; i < eh.e_phnum; i++)
        if (ph[i].p_offset + ph[i].p_filesz > end)
            end = ph[i].p_offset + ph[i].p_filesz;
    return (off_t)end;
}

/* The copy's ELF header without section headers: they were past the part
 * copied (debuggers would read garbage). */
static int drop_section_headers(int fd)
{
    ElfW(Ehdr) eh;
    if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
        return -1;
    eh.e_shoff = 0;
    eh.e_shnum = 0;
    eh.e_shstrndx = SHN_UNDEF;
    return pwrite(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) ? 0 : -1;
}

/* A memfd holding a copy of the file at `src`, sealed. */
static int sealed_copy(int src, vd_error **err)
{
    unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    _cleanup_close_ int fd = memfd_create("voidoci", flags | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) /* a kernel before 6.3 */
        fd = memfd_create("voidoci", flags);
    if (fd < 0)
        return vd_error_set(err, errno, "memfd_create a copy of the runtime's binary");
    struct stat st;
    if (fstat(src, &st) < 0)
        return vd_error_set(err, errno, "stat the runtime's binary \"/proc/self/exe\"");
    off_t extent = loaded_extent(src);
    size_t left = (size_t)(extent > 0 && extent < st.st_size ? extent : st.st_size);
    off_t at = 0;
    while (left > 0) {
        ssize_t n = sendfile(fd, src, &at, left);
        if (n == 0)
            return vd_error_set(err, EIO, "copy the runtime's binary \"/proc/self/exe\": it shrank");
        if (n < 0 && errno != EINTR)
            return vd_error_set(err, errno, "copy the runtime's binary \"/proc/self/exe\"");
        if (n > 0)
            left -= (size_t)n;
    }
    if (at < st.st_size && drop_section_headers(fd) < 0)
        return vd_error_set(err, errno, "write the ELF header of the copy of the runtime's binary");
    if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
        return vd_error_set(err, errno, "seal the copy of the runtime's binary");
    return steal_fd(&fd);
}

int vd_run_from_sealed_copy(char **argv, vd_error **err)
{
    if (vd_running_from_sealed_copy()) {
        /* An exec by fd names the process after the fd ("4") or the memfd:
         * keep the name that ps and pgrep know. */
        const char *slash = argv[0] ? strrchr(argv[0], '/') : NULL;
        if (argv[0])
            (void)prctl(PR_SET_NAME, slash ? slash + 1 : argv[0], 0, 0, 0);
        return 0;
    }
    _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0)
        return vd_error_set(err, errno, "open the runtime's binary \"/proc/self/exe\"");
    char path[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
    _cleanup_close_ int copy = -1;
    if (len > 0) {
        path[len] = '\0';
        copy = overlay_view(src, path);
    }
    if (copy < 0 && (copy = sealed_copy(src, err)) < 0)
        return -1;
    close(steal_fd(&src));
    fexecve(copy, argv, environ);
    return vd_error_set(err, errno, "re-execute the runtime from its sealed copy");
}
