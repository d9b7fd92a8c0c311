/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VOIDOCI_CONSOLE_SOCKET_H
#define VOIDOCI_CONSOLE_SOCKET_H

#include "void.h"

/* Connect to the unix stream socket at `path` and send the pty `master` as
 * one message: the pty's name as payload and exactly one SCM_RIGHTS fd,
 * the shape conmon and containerd's shim check. */
int console_socket_send(const char *path, int master, vd_error **err);

#endif
