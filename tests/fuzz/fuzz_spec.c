/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: config.json bytes -> the reader and validator, then,
 * for a config that passes, the translation onto a fresh builder.  Any
 * crash, leak or sanitizer report is a bug; errors are the expected answer
 * to most inputs.  Nothing here spawns: the builder only records.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spec.h"
#include "translate.h"
#include "utils.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every error must be one line: the CLI prints it as one. */
static void check_error(const vd_error *err)
{
    if (err == NULL || err->msg == NULL || strchr(err->msg, '\n'))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > OCI_SPEC_MAX_SIZE)
        return 0;
    struct oci_spec *spec = NULL;
    vd_error *err = NULL;
    if (oci_spec_parse((const char *)data, size, &spec, &err) < 0) {
        check_error(err);
        vd_error_free(&err);
        return 0;
    }
    vd_builder *b = vd_builder_new();
    if (b) {
        struct oci_translate_opts opts = {.bundle = "/nonexistent-fuzz-bundle"};
        if (oci_translate(spec, &opts, b, &err) < 0)
            check_error(err);
        vd_error_free(&err);
        vd_builder_free(b);
    }
    oci_spec_free(spec);
    return 0;
}
