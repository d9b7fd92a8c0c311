/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.timeOffsets: the clocks of a new time namespace (translate_time_offsets.c). */
#include <string.h>

#include "spec_internal.h"

static const char *const clock_names[OCI_CLOCK_COUNT] = {
    [OCI_CLOCK_MONOTONIC] = "monotonic",
    [OCI_CLOCK_BOOTTIME] = "boottime",
};

static int parse_time_offset(vd_error **err, const struct oci_json *v, struct oci_time_offset *o)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (m = spec_member(v, "secs")))
        r = spec_int64(err, m, &o->secs);
    if (r == 0 && (m = spec_member(v, "nanosecs"))) {
        r = spec_uint32(err, m, &o->nanosecs);
        /* The kernel takes a timespec: whole seconds go in secs. */
        if (r == 0 && o->nanosecs >= 1000000000u)
            r = spec_error(err, m, NULL, "must be below 1000000000");
    }
    o->present = r == 0;
    return r;
}

static int parse_time_offsets(vd_error **err, const struct oci_json *v, struct oci_linux *l)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    for (size_t i = 0; r == 0 && i < oci_json_len(v); i++) {
        const struct oci_json *item = oci_json_item(v, i);
        const char *key;
        if ((r = spec_member_key(err, v, i, &key)) < 0)
            break;
        int clock = -1;
        for (int c = 0; c < OCI_CLOCK_COUNT; c++)
            if (strcmp(key, clock_names[c]) == 0)
                clock = c;
        if (clock < 0)
            return spec_error(err, item, NULL,
                              "unknown clock (a time namespace has \"monotonic\" and "
                              "\"boottime\")");
        r = parse_time_offset(err, item, &l->time_offsets[clock]);
    }
    return r;
}

int spec_parse_time_offsets(vd_error **err, const struct oci_json *linux_, struct oci_linux *l)
{
    const struct oci_json *m = spec_member(linux_, "timeOffsets");
    return m ? parse_time_offsets(err, m, l) : 0;
}
