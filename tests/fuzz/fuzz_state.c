/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: state.json bytes -> the state reader, and for a state
 * that parses, the JSON `voidoci state` prints from it.  A state file is
 * ours, but a full disk or a crash mid-write can leave any bytes there.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "utils.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > OCI_STATE_MAX_SIZE)
        return 0;
    struct oci_state *s = NULL;
    vd_error *err = NULL;
    if (oci_state_parse((const char *)data, size, &s, &err) < 0) {
        if (err == NULL || err->msg == NULL || strchr(err->msg, '\n'))
            __builtin_trap();
        vd_error_free(&err);
        return 0;
    }
    char *json = oci_state_to_json(s, "running", true, &err);
    free(json);
    vd_error_free(&err);
    oci_state_free(s);
    return 0;
}
