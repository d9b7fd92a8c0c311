/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvoid's vd_recvmsg, with which the runtime reads its child's reports.
 * A child that fails before it reads a message of the runtime's (the
 * cgroup join's "you are in") exits with that message unread: the kernel
 * then gives the runtime ECONNRESET before the child's error report, and a
 * plain recvmsg loses the report ("read the child's report: Connection
 * reset by peer", seen in CI where CPU affinity failed early).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "utils.h"
#include "check.h"

/* sv[0] is the runtime's end: it sent "cgroup" that the child's end never
 * reads; the child's end queued "report" and closed. */
static void peer_gone_unread(int sv[2])
{
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    CHECK(send(sv[0], "cgroup", 6, 0) == 6);
    CHECK(send(sv[1], "report", 6, 0) == 6);
    close(sv[1]);
}

static ssize_t recv_one(int sock, char *buf, size_t size, bool plain)
{
    struct iovec iov = {.iov_base = buf, .iov_len = size};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    memset(buf, 0, size);
    return plain ? recvmsg(sock, &mh, 0) : vd_recvmsg(sock, &mh, 0);
}

int main(void)
{
    int sv[2];
    char buf[16];

    /* What the kernel does: without the retry, the report is lost. */
    peer_gone_unread(sv);
    CHECK_MSG(recv_one(sv[0], buf, sizeof(buf), true) < 0 && errno == ECONNRESET,
              "a plain recvmsg first gets ECONNRESET (this kernel differs: the test proves less)");
    close(sv[0]);

    /* vd_recvmsg: the report, then the end. */
    peer_gone_unread(sv);
    CHECK(recv_one(sv[0], buf, sizeof(buf), false) == 6);
    CHECK(streq(buf, "report"));
    CHECK(recv_one(sv[0], buf, sizeof(buf), false) == 0);
    close(sv[0]);

    /* Nothing queued: the end (0), not an error. */
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    CHECK(send(sv[0], "cgroup", 6, 0) == 6);
    close(sv[1]);
    CHECK(recv_one(sv[0], buf, sizeof(buf), false) == 0);
    close(sv[0]);

    return check_summary("recvmsg");
}
