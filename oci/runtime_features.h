/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Not features.h: that name would hide glibc's <features.h> on -Ioci. */
/* The features document of runtime-spec features.md: what this build of
 * voidoci recognises and supports, whatever the host offers. */
#ifndef OCI_RUNTIME_FEATURES_H
#define OCI_RUNTIME_FEATURES_H

#include "void.h"

#define OCI_VERSION_MIN "1.0.0"

/* The document as JSON, indented as runc prints it; free() it. */
char *oci_features_json(vd_error **err);

#endif
