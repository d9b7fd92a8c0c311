/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The builder: a description of the void and of what is added back to it.
 * Nothing here touches the system; spawn.c acts on the description.
 *
 * The rule for the builder: this file holds only its lifecycle.  A setter
 * (vd_builder_set_X, vd_builder_add_X), the freeing of the fields it fills
 * (vd_builder_free_X, called below) and the child step that acts on them
 * (vd_child_X) live together in the file of their concern: mounts in
 * mounts.c, capabilities in caps.c, and so on. */
#include <stdlib.h>

#include "internal.h"

vd_builder *vd_builder_new(void)
{
    vd_builder *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    /* User and time namespaces are the caller's unless asked for: a new
     * user namespace without id maps would leave the process as nobody. */
    b->ns[VD_NS_USER].mode = VD_NS_MODE_SHARE;
    b->ns[VD_NS_TIME].mode = VD_NS_MODE_SHARE;
    return b;
}

void vd_builder_free(vd_builder *b)
{
    if (b == NULL)
        return;
    vd_builder_free_namespaces(b);
    vd_builder_free_mounts(b);
    vd_builder_free_devices(b);
    vd_builder_free_paths(b);
    vd_builder_free_process(b);
    vd_builder_free_gate(b);
    vd_builder_free_sysctls(b);
    vd_builder_free_network(b);
    vd_builder_free_sched(b);
    vd_builder_free_lsm(b);
    vd_builder_free_seccomp(b);
    vd_builder_free_steps(b);
    free(b);
}
