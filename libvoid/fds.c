/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every fd from a number up, closed or made close-on-exec, but for a few
 * survivors: what a child does before it execs something that must not
 * inherit its parent's fds (the container's process, a hook, criu, the
 * newuidmap helper).  One home, so that the fallback where close_range(2)
 * fails (a kernel before 5.9, or 5.11 for CLOSE_RANGE_CLOEXEC; a seccomp
 * filter that does not list it) is written once.
 *
 * Callers run between fork and exec, where only async-signal-safe calls
 * are allowed (another thread of the parent may have held malloc's lock):
 * nothing here allocates, and /proc/self/fd is read with getdents64 into a
 * buffer on the stack rather than with opendir. */
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/magic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

/* The fallback's bound where the hard limit is higher or infinite:
 * fs.nr_open's default, above which no fd can be open by default. */
#define FDS_MAX_FALLBACK (1 << 20)

/* The kernel's record of getdents64(2) (linux/dirent.h is not exported). */
struct fds_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void fds_act(int fd, enum vd_fds_how how)
{
    if (how == VD_FDS_CLOEXEC)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    else
        close(fd); /* releases the fd even when it reports an error */
}

/* Whether `fd` is in the sorted `keep` (bsearch's own, which is not on
 * the async-signal-safe list). */
static bool fds_kept(int fd, const int *keep, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keep[mid] == fd)
            return true;
        if (keep[mid] < fd)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* A /proc/self/fd entry's name as an fd number, -1 for "." and "..". */
static int fds_parse_name(const char *name)
{
    if (*name == '\0')
        return -1;
    int fd = 0;
    for (const char *c = name; *c; c++) {
        if (*c < '0' || *c > '9' || fd > (INT_MAX - 9) / 10)
            return -1;
        fd = fd * 10 + (*c - '0');
    }
    return fd;
}

/* Act on one buffer of entries; `dir` (the listing's own fd) is spared. */
static void fds_act_on_entries(const char *buf, long len, int dir, int first, const int *keep,
                               size_t n, enum vd_fds_how how)
{
    for (long off = 0; off < len;) {
        const struct fds_dirent64 *e = (const struct fds_dirent64 *)(buf + off);
        off += e->d_reclen;
        int fd = fds_parse_name(e->d_name);
        if (fd >= first && fd != dir && !fds_kept(fd, keep, n))
            fds_act(fd, how);
    }
}

int vd_close_fds_listed(int first, const int *keep, size_t n, enum vd_fds_how how)
{
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    /* A /proc that is not procfs (a container's own tmpfs there) could list
     * anything, and an fd it leaves out would leak into the exec. */
    struct statfs st;
    if (fstatfs(dir, &st) < 0 || st.f_type != PROC_SUPER_MAGIC) {
        close(dir);
        return -1;
    }
    /* The listing goes by fd number, so closing the fds already read does
     * not make it skip any. */
    _Alignas(struct fds_dirent64) char buf[4096];
    long len;
    while ((len = vd_sys_getdents64(dir, buf, sizeof(buf))) > 0)
        fds_act_on_entries(buf, len, dir, first, keep, n, how);
    close(dir);
    return len < 0 ? -1 : 0;
}

void vd_close_fds_counted(int first, const int *keep, size_t n, enum vd_fds_how how)
{
    struct rlimit rl;
    rlim_t max = FDS_MAX_FALLBACK;
    /* The hard limit, not the soft one (sysconf's _SC_OPEN_MAX): an fd
     * opened before the soft limit was lowered is still open above it. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < max)
        max = rl.rlim_max;
    for (int fd = first; (rlim_t)fd < max; fd++)
        if (!fds_kept(fd, keep, n))
            fds_act(fd, how);
}

/* close_range over each gap between the survivors; -1 at the first
 * refusal (then nothing is known of what it did not reach). */
static int fds_by_range(int first, const int *keep, size_t n, enum vd_fds_how how)
{
    unsigned int flags = how == VD_FDS_CLOEXEC ? CLOSE_RANGE_CLOEXEC : 0;
    unsigned int from = (unsigned)first;
    for (size_t i = 0; i < n; i++) {
        if (keep[i] < 0 || (unsigned)keep[i] < from)
            continue; /* below `first`, or a repeat */
        if ((unsigned)keep[i] > from && vd_sys_close_range(from, (unsigned)keep[i] - 1, flags) < 0)
            return -1;
        from = (unsigned)keep[i] + 1;
    }
    return vd_sys_close_range(from, ~0U, flags);
}

void vd_close_fds(int first, const int *keep, size_t n_keep, enum vd_fds_how how)
{
    if (first < 0)
        first = 0;
    if (fds_by_range(first, keep, n_keep, how) == 0)
        return;
    if (vd_close_fds_listed(first, keep, n_keep, how) == 0)
        return;
    vd_close_fds_counted(first, keep, n_keep, how);
}
