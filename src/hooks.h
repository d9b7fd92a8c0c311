/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running runtime-spec hooks: each hook's path with its args and env, the
 * state JSON on its stdin, killed after its timeout. */
#ifndef VOIDOCI_HOOKS_H
#define VOIDOCI_HOOKS_H

#include <stdbool.h>

#include "spec.h"

/* Run hooks[0..n) in order with `state_json` on stdin.  `phase` names the
 * hook list in messages ("createRuntime").  When `fatal`, the first hook
 * that fails (non-zero exit, signal, timeout, exec failure) stops the list
 * and returns -1 with `hooks.<phase>[i]: ...` in *err; otherwise each
 * failure is logged as a warning and the rest still run (poststart,
 * poststop), and the call returns 0. */
int hooks_run(const struct oci_hook *hooks, size_t n, const char *phase, const char *state_json,
              bool fatal, vd_error **err);
/* The same, each hook in working directory `cwd` (NULL: the caller's). */
int hooks_run_in(const struct oci_hook *hooks, size_t n, const char *phase,
                 const char *state_json, const char *cwd, bool fatal, vd_error **err);

#endif
