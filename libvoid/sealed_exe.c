/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime runs from a sealed copy of itself (CVE-2019-5736).
 *
 * A process that the container can see -- the waiting init, an exec's
 * child until its exec -- is a clone of the runtime, and its /proc/PID/exe
 * is the runtime's binary.  Not being dumpable keeps a container process
 * out, unless it holds CAP_SYS_PTRACE in the runtime's user namespace (a
 * container sharing the host's user namespace with that capability, or any
 * process of another container that joined the same PID namespace): it
 * then opens /proc/PID/exe, keeps the fd, and reopens it for writing once
 * nothing runs the binary any more.  So before it clones anything, the
 * runtime re-executes itself from a memfd copy sealed against any write,
 * growth or shrinking, and against new seals: /proc/PID/exe then leads to
 * that copy, which no one can change, and never to the host's file.
 *
 * Re-executing is the only way: a process's exe cannot be pointed
 * elsewhere while its image is mapped (PR_SET_MM_EXE_FILE refuses, and
 * needs CAP_SYS_RESOURCE besides), and whether a process in the container
 * could ever hold CAP_SYS_PTRACE in our user namespace cannot be known at
 * create time (a later exec, or another container joining the PID
 * namespace, may have it). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "internal.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: say that the memfd will be executed */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool vd_running_from_sealed_copy(void)
{
    _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    int seals = fcntl(fd, F_GET_SEALS);
    return seals >= 0 && (seals & SEALS) == SEALS;
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
    for (;;) {
        ssize_t n = sendfile(fd, src, NULL, 1 << 30);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR)
            return vd_error_set(err, errno, "copy the runtime's binary \"/proc/self/exe\"");
    }
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
    _cleanup_close_ int copy = sealed_copy(src, err);
    if (copy < 0)
        return -1;
    close(steal_fd(&src));
    fexecve(copy, argv, environ);
    return vd_error_set(err, errno, "re-execute the runtime from its sealed copy");
}
