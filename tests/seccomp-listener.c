/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp-listener: a seccomp agent for tests/bats/seccomp.bats, the far
 * end of linux.seccomp.listenerPath.  It listens on a unix stream socket
 * (made under a temporary name and renamed into place once listening, so
 * that the socket's existence means "ready"), accepts one connection, reads
 * the container process state JSON to EOF with exactly one fd as
 * SCM_RIGHTS, prints the JSON on one line, then answers the filter's
 * notifications: mkdir and mkdirat fail with ERRNO, anything else goes on
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  Each answer is printed as
 * "notified NAME -> errno E" or "notified NR -> continue".  It exits 0 when
 * the last process using the filter is gone.
 *
 * Usage: seccomp-listener SOCKET_PATH ERRNO
 *
 * Exit status: 0 when done, 1 on a timeout (30 s without an event), 2 for a
 * bad message on the socket or any other error. */

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define TIMEOUT_MS 30000
#define PAYLOAD_MAX 65536

static int fail(const char *what)
{
    fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
    return 2;
}

static int listen_at(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char tmp[sizeof(addr.sun_path)];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, tmp);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(tmp);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0 ||
        rename(tmp, path) < 0)
        return -1;
    return fd;
}

static int wait_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, TIMEOUT_MS);
    if (n == 0)
        fprintf(stderr, "seccomp-listener: timed out\n");
    return n > 0 ? p.revents : -1;
}

/* The whole payload, the fd from the first message. */
static int receive_state(int conn, char *json, size_t max, int *fd)
{
    size_t used = 0;
    *fd = -1;
    for (;;) {
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = json + used, .iov_len = max - 1 - used};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                            .msg_controllen = sizeof(control.buf)};
        ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        if (c && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
            if (*fd >= 0 || used > 0) {
                fprintf(stderr, "seccomp-listener: an fd after the first message\n");
                return -1;
            }
            memcpy(fd, CMSG_DATA(c), sizeof(int));
        } else if (c) {
            fprintf(stderr, "seccomp-listener: a control message that is not one fd\n");
            return -1;
        }
        used += (size_t)n;
        if (used >= max - 1) {
            fprintf(stderr, "seccomp-listener: payload too long\n");
            return -1;
        }
    }
    json[used] = '\0';
    if (*fd < 0) {
        fprintf(stderr, "seccomp-listener: no fd came with the state\n");
        return -1;
    }
    return 0;
}

static int answer(int notify_fd, int error)
{
    struct seccomp_notif_sizes sizes;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
        return -1;
    struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
    struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
    if (req == NULL || resp == NULL)
        return -1;
    int r = 0;
    if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
        /* The process died between the poll and the receive. */
        r = errno == ENOENT || errno == EINTR ? 0 : -1;
        goto out;
    }
    resp->id = req->id;
    if (req->data.nr == SYS_mkdir || req->data.nr == SYS_mkdirat) {
        resp->error = -error;
        printf("notified %s -> errno %d\n", req->data.nr == SYS_mkdir ? "mkdir" : "mkdirat",
               error);
    } else {
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        printf("notified %d -> continue\n", req->data.nr);
    }
    fflush(stdout);
    if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
        r = -1;
out:
    free(req);
    free(resp);
    return r;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: seccomp-listener SOCKET_PATH ERRNO\n");
        return 2;
    }
    int error = atoi(argv[2]);
    int sock = listen_at(argv[1]);
    if (sock < 0)
        return fail("listen");
    if (wait_readable(sock) <= 0)
        return 1;
    int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return fail("accept");
    static char json[PAYLOAD_MAX];
    int notify_fd;
    if (receive_state(conn, json, sizeof(json), &notify_fd) < 0)
        return 2;
    close(conn);
    printf("%s\n", json);
    fflush(stdout);
    for (;;) {
        int revents = wait_readable(notify_fd);
        if (revents < 0)
            return 1;
        if (revents & POLLIN) {
            if (answer(notify_fd, error) < 0)
                return fail("answer a notification");
        } else if (revents & (POLLHUP | POLLERR)) {
            return 0; /* no process uses the filter any more */
        }
    }
}
