/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scope-exit cleanup helpers shared by libvoid, oci and src. */
#ifndef LIBVOID_UTILS_H
#define LIBVOID_UTILS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void vd_freep(void *p)
{
    free(*(void **)p);
}
static inline void vd_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}
static inline void vd_fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}
static inline void vd_strvfreep(char ***v)
{
    if (*v) {
        for (char **i = *v; *i; i++)
            free(*i);
        free(*v);
    }
}

#define _cleanup_free_ __attribute__((cleanup(vd_freep)))
#define _cleanup_close_ __attribute__((cleanup(vd_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(vd_fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(vd_strvfreep)))
#define _cleanup_error_ __attribute__((cleanup(vd_error_free)))

/* Take ownership out of a cleanup variable. */
#define steal_pointer(pp)                                                                         \
    ({                                                                                            \
        __typeof__(*(pp)) _p = *(pp);                                                             \
        *(pp) = NULL;                                                                             \
        _p;                                                                                       \
    })
#define steal_fd(fdp)                                                                             \
    ({                                                                                            \
        int _fd = *(fdp);                                                                         \
        *(fdp) = -1;                                                                              \
        _fd;                                                                                      \
    })

#define VD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* write() until done; 0 or -errno. */
int vd_write_all(int fd, const void *buf, size_t len);
/* Length of the valid UTF-8 sequence at s (at most `left` bytes), or 0. */
size_t vd_utf8_length(const unsigned char *s, size_t left);
/* One message: `payload` and exactly one fd as SCM_RIGHTS.  0, or -1 with
 * errno. */
int vd_send_fd(int sock, const void *payload, size_t len, int fd);

/* recvmsg(2), retried on EINTR and past one ECONNRESET: a unix seqpacket
 * or datagram peer that closed with messages of ours unread leaves that
 * error, which the kernel returns (and clears) before the messages the
 * peer had queued for us, such as its last report. */
struct msghdr;
ssize_t vd_recvmsg(int sock, struct msghdr *mh, int flags);

#endif
