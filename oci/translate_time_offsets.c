/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.timeOffsets (spec_time_offsets.c) -> libvoid/namespaces.c: set as
 * the container's own time namespace is made. */
#include <time.h>

#include "translate.h"

int oci_translate_time_offsets(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    static const struct {
        const char *name;
        clockid_t id;
    } clocks[OCI_CLOCK_COUNT] = {
        [OCI_CLOCK_MONOTONIC] = {"monotonic", CLOCK_MONOTONIC},
        [OCI_CLOCK_BOOTTIME] = {"boottime", CLOCK_BOOTTIME},
    };
    for (int c = 0; lx && c < OCI_CLOCK_COUNT; c++) {
        const struct oci_time_offset *o = &lx->time_offsets[c];
        if (!o->present)
            continue;
        /* Offsets are set as a time namespace is made: a joined one (or
         * the runtime's) already has its own. */
        if (!oci_has_new_ns(lx, VD_NS_TIME))
            return vd_error_set(err, 0, "linux.timeOffsets: needs a new time namespace "
                                "(linux.namespaces: {\"type\": \"time\"} without a path)");
        if (vd_builder_set_time_offset(b, clocks[c].id, o->secs, o->nanosecs, err) < 0)
            return vd_error_prefix(err, "linux.timeOffsets.%s", clocks[c].name);
    }
    return 0;
}

