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
    if (vd_send_fd(sock, name, strlen(name), master) < 0)
        return vd_error_set(err, errno, "send the pty to console socket \"%s\"", path);
    return 0;
}
