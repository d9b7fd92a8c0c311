/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "console_socket.h"
#include "utils.h"

static int connect_unix(const char *path, vd_error **err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path))
        return vd_error_set(err, ENAMETOOLONG, "console socket \"%s\"", path);
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return vd_error_set(err, errno, "create a socket for the console");
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        return vd_error_set(err, saved, "connect to console socket \"%s\"", path);
    }
    return fd;
}

int console_socket_send(const char *path, int master, vd_error **err)
{
    _cleanup_close_ int sock = connect_unix(path, err);
    if (sock < 0)
        return -1;
    char name[64] = "/dev/ptmx";
    int number;
    if (ioctl(master, TIOCGPTN, &number) == 0)
        snprintf(name, sizeof(name), "/dev/pts/%d", number);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct iovec iov = {.iov_base = name, .iov_len = strlen(name)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &master, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return vd_error_set(err, errno, "send the pty to console socket \"%s\"", path);
    return 0;
}
