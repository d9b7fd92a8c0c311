/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VOIDOCI_SECCOMP_LISTENER_H
#define VOIDOCI_SECCOMP_LISTENER_H

#include "spec.h"
#include "state.h"
#include "void.h"

struct seccomp_listener {
    const struct oci_spec *spec;
    struct oci_state *state; /* its pid is set when the fd comes */
};

/* With linux.seccomp.listenerPath, the filter's listener fd goes to that
 * socket with the container process state (status "creating"), before
 * create returns.  `l` must outlive vd_spawn. */
void seccomp_listener_wire(vd_builder *b, struct seccomp_listener *l);

#endif
