/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VOIDOCI_TTY_H
#define VOIDOCI_TTY_H

#include <signal.h>

#include "void.h"

/* Relay between our stdio and the pty `master` until `proc` exits;
 * *status gets its exit code (128+N for signal N).  `signals` are blocked
 * by the caller and forwarded to the process. */
int tty_relay(vd_process *proc, int master, const sigset_t *signals, int *status,
              vd_error **err);

#endif
