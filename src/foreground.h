/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Waiting in the foreground for a process voidoci started (run, exec):
 * the signals voidoci gets go to it, as with runc. */
#ifndef VOIDOCI_FOREGROUND_H
#define VOIDOCI_FOREGROUND_H

#include <signal.h>

#include "void.h"

/* Block the forwarded signals and SIGCHLD; *set gets them, for
 * foreground_wait or tty_relay.  The caller restores its mask after. */
int foreground_block_signals(sigset_t *set);
/* Wait for `p`, forwarding the signals of `set` to it; *status gets its
 * exit code (128+N for signal N). */
int foreground_wait(vd_process *p, const sigset_t *set, int *status, vd_error **err);

#endif
