/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one place that knows both config.json and libvoid. */
#ifndef OCI_TRANSLATE_H
#define OCI_TRANSLATE_H

#include <limits.h>
#include <stdbool.h>

#include "spec.h"
#include "void.h"

struct oci_translate_opts {
    const char *bundle;  /* absolute bundle directory; relative root.path is under it */
    bool no_pivot;       /* --no-pivot */
    int preserve_fds;    /* --preserve-fds N: keep fds 3 .. 3+N-1 */
};

/* The host path of the rootfs: root.path, under `bundle` when relative. */
int oci_rootfs_path(const struct oci_spec *spec, const char *bundle, char path[PATH_MAX],
                    vd_error **err);

/* Describe `spec` on a fresh builder. Errors name the JSON path. */
int oci_translate(const struct oci_spec *spec, const struct oci_translate_opts *opts,
                  vd_builder *b, vd_error **err);

/* For `features`: the i-th mount option name this build honours, NULL
 * past the end. */
const char *oci_mount_option_at(size_t i);

#endif
