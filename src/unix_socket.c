/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A client connection to a unix stream socket: --console-socket and the
 * seccomp agent at linux.seccomp.listenerPath. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "voidoci.h"

int unix_connect(const char *path, const char *what, vd_error **err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path))
        return vd_error_set(err, ENAMETOOLONG, "%s \"%s\"", what, path);
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return vd_error_set(err, errno, "create a socket for the %s", what);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        return vd_error_set(err, saved, "connect to %s \"%s\"", what, path);
    }
    return fd;
}
