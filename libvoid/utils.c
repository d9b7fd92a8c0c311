/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers the runtime shares with the library, and the library's own
 * that every part of it uses (arrays, strings, writing /proc and /sys
 * files): here, so that no domain file of libvoid needs another for them. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "utils.h"

int vd_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), or 0. */
size_t vd_utf8_length(const unsigned char *s, size_t left)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (n > left)
        return 0;
    /* overlong forms, UTF-16 surrogates, code points past U+10FFFF */
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

ssize_t vd_recvmsg(int sock, struct msghdr *mh, int flags)
{
    bool reset = false;
    for (;;) {
        ssize_t n = recvmsg(sock, mh, flags);
        if (n >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
            return n;
        reset = reset || errno == ECONNRESET;
    }
}

int vd_send_fd(int sock, const void *payload, size_t len, int fd)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

void *vd_array_append(void *array_ptr, size_t *n, size_t size, vd_error **err)
{
    void **array = array_ptr;
    char *grown = realloc(*array, (*n + 1) * size);
    if (grown == NULL) {
        vd_error_set(err, ENOMEM, "grow builder array");
        return NULL;
    }
    *array = grown;
    void *slot = grown + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

char *vd_strdup_checked(const char *s, vd_error **err)
{
    char *copy = strdup(s);
    if (copy == NULL)
        vd_error_set(err, ENOMEM, "copy \"%.64s\"", s);
    return copy;
}

/* *dst = a copy of src, or NULL when src is NULL. */
int vd_strdup_optional(char **dst, const char *src, vd_error **err)
{
    *dst = NULL;
    if (src == NULL)
        return 0;
    *dst = vd_strdup_checked(src, err);
    return *dst ? 0 : -1;
}

/* Replace the string *dst owns with a copy of src (kept on failure). */
int vd_replace_string(char **dst, const char *src, vd_error **err)
{
    char *copy = vd_strdup_checked(src, err);
    if (copy == NULL)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

int vd_write_text(int fd, const char *text)
{
    size_t len = strlen(text);
    ssize_t n;
    do
        n = write(fd, text, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    /* A short write has no errno of its own: errno would be stale. */
    return n == (ssize_t)len ? 0 : -EIO;
}

int vd_write_file(const char *path, const char *text, vd_error **err)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    int r = vd_write_text(fd, text);
    if (r < 0)
        return vd_error_set(err, -r, "write \"%s\"", path);
    return 0;
}
