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
#include "voidoci.h"

int console_socket_send(const char *path, int master, vd_error **err)
{
    _cleanup_close_ int sock = unix_connect(path, "console socket", err);
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
