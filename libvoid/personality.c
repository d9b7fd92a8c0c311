/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The execution domain of the process: personality(2), which exec keeps. */
#include <errno.h>
#include <sys/personality.h>

#include "internal.h"

int vd_builder_set_personality(vd_builder *b, unsigned long persona, vd_error **err)
{
    /* 0xffffffff only queries: it would set nothing. */
    if (persona > 0xfffffffeUL)
        return vd_error_set(err, EINVAL, "personality %#lx: out of range", persona);
    b->personality = persona;
    b->has_personality = true;
    return 0;
}

/* At the end of the setup, after everything that could care what the
 * machine looks like. */
int vd_child_set_personality(const vd_builder *b, vd_error **err)
{
    if (!b->has_personality)
        return 0;
    /* personality(2) returns the previous persona, or -1 with errno. */
    if (personality(b->personality) == -1)
        return vd_error_set(err, errno, "set personality %#lx", b->personality);
    /* The kernel keeps its persona for one it does not know, without an
     * error: read it back. */
    int now = personality(0xffffffff);
    if (now < 0 || (unsigned long)now != b->personality)
        return vd_error_set(err, EINVAL, "set personality %#lx: the kernel kept %#x",
                            b->personality, (unsigned)now);
    return 0;
}
