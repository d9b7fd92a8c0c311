/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities: the void has none; exactly the five sets asked for are
 * added back. */
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "internal.h"

int vd_builder_add_cap(vd_builder *b, enum vd_cap_set set, int cap, vd_error **err)
{
    if ((unsigned)set >= VD_CAP_SET_COUNT)
        return vd_error_set(err, EINVAL, "capability set %d", (int)set);
    if (cap < 0 || cap > CAP_LAST_CAP || cap >= 64)
        return vd_error_set(err, EINVAL, "capability %d is not known to this build", cap);
    b->caps[set] |= UINT64_C(1) << cap;
    return 0;
}

static bool has_cap(uint64_t mask, cap_value_t cap)
{
    return cap < 64 && (mask >> cap) & 1;
}

/* Before the uid changes, while CAP_SETPCAP is still held. */
int vd_child_drop_bounding(const vd_builder *b, vd_error **err)
{
    for (cap_value_t cap = 0; cap <= CAP_LAST_CAP; cap++) {
        if (has_cap(b->caps[VD_CAP_BOUNDING], cap))
            continue;
        if (cap_drop_bound(cap) < 0 && errno != EINVAL)
            return vd_error_set(err, errno, "drop %s from the bounding set", cap_to_name(cap));
    }
    /* Capabilities the kernel knows and libcap's headers do not: dropped
     * without a read first (a drop of one already out succeeds); EINVAL is
     * the first number the kernel does not know. */
    for (cap_value_t cap = CAP_LAST_CAP + 1; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
            continue;
        if (errno == EINVAL)
            break;
        return vd_error_set(err, errno, "drop capability %d from the bounding set", cap);
    }
    return 0;
}

static int fill_flag(cap_t caps, cap_flag_t flag, uint64_t mask, vd_error **err)
{
    for (cap_value_t cap = 0; cap <= CAP_LAST_CAP; cap++) {
        if (!has_cap(mask, cap))
            continue;
        if (cap_set_flag(caps, flag, 1, &cap, CAP_SET) < 0)
            return vd_error_set(err, errno, "add %s", cap_to_name(cap));
    }
    return 0;
}

/* The kernel keeps an ambient capability only while it is both permitted
 * and inheritable; one that is not would be dropped at once.  runc and crun
 * skip those (runc's own `spec` asks for ambient without inheritable), so
 * the same configs run here; a raise that fails otherwise is an error. */
static int set_ambient(uint64_t mask, uint64_t permitted, uint64_t inheritable, vd_error **err)
{
    mask &= permitted & inheritable;
    /* One prctl: libcap's cap_reset_ambient first asks PR_CAP_AMBIENT_IS_SET
     * of every capability (42 calls).  EINVAL: a kernel without ambient
     * capabilities (before 4.3), which has none to clear. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return vd_error_set(err, errno, "clear the ambient capabilities");
    for (cap_value_t cap = 0; cap <= CAP_LAST_CAP; cap++) {
        if (!has_cap(mask, cap))
            continue;
        if (cap_set_ambient(cap, CAP_SET) < 0)
            return vd_error_set(err, errno, "add %s to the ambient set", cap_to_name(cap));
    }
    return 0;
}

/* After the uid change (PR_SET_KEEPCAPS kept the permitted set). */
int vd_child_set_caps(const vd_builder *b, vd_error **err)
{
    cap_t caps = cap_init();
    if (caps == NULL)
        return vd_error_set(err, errno, "allocate capability state");
    int r = 0;
    if (fill_flag(caps, CAP_EFFECTIVE, b->caps[VD_CAP_EFFECTIVE], err) < 0 ||
        fill_flag(caps, CAP_PERMITTED, b->caps[VD_CAP_PERMITTED], err) < 0 ||
        fill_flag(caps, CAP_INHERITABLE, b->caps[VD_CAP_INHERITABLE], err) < 0)
        r = -1;
    else if (cap_set_proc(caps) < 0)
        r = vd_error_set(err, errno, "set the effective, permitted and inheritable capabilities");
    cap_free(caps);
    if (r < 0)
        return r;
    return set_ambient(b->caps[VD_CAP_AMBIENT], b->caps[VD_CAP_PERMITTED],
                       b->caps[VD_CAP_INHERITABLE], err);
}
