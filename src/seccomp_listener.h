/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VOIDOCI_SECCOMP_LISTENER_H
#define VOIDOCI_SECCOMP_LISTENER_H

#include "spec.h"
#include "state.h"
#include "void.h"

struct seccomp_listener {
    const struct oci_spec *spec;
    /* The container's state.  For create (`exec` false) its pid is set to
     * the init's when the fd comes; exec leaves the init's pid there. */
    struct oci_state *state;
    bool exec;
};

/* With linux.seccomp.listenerPath, the filter's listener fd goes to that
 * socket with the container process state before create (status
 * "creating") or exec (status "running", the exec'd process's pid as
 * "pid") returns.  `l` must outlive vd_spawn. */
void seccomp_listener_wire(vd_builder *b, struct seccomp_listener *l);

#endif
