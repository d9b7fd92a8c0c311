/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `voidoci explain`: what a checked config.json adds back to the void, as
 * a list of items, each naming the config.json path that asked for it.
 * One description; the command line prints it as text or JSON. */
#ifndef OCI_EXPLAIN_H
#define OCI_EXPLAIN_H

#include <stddef.h>

#include "spec.h"

struct oci_plan_item {
    const char *section; /* "namespace", "root", "mount", ... (static) */
    char *what;          /* what it does, in words */
    char *path;          /* the config.json path that asked for it */
};

struct oci_plan {
    struct oci_plan_item *items;
    size_t n;
};

/* The plan of `spec`, which oci_translate has accepted; `cgroup` is the
 * container's cgroup path (oci_cgroup_path).  Items of section "refused"
 * (last) are what create would still refuse on this host, such as a bind
 * source that is not there.  Fails only without memory. */
int oci_explain(const struct oci_spec *spec, const char *bundle, const char *rootfs,
                const char *cgroup, struct oci_plan *out, vd_error **err);
/* How many items are refusals; *first: the index of the first. */
size_t oci_plan_refused(const struct oci_plan *plan, size_t *first);
/* The plan as a JSON document (documented in voidoci-explain(8)):
 * {"bundle": B, "plan": [{"section", "what", "path"}, ...]}. */
char *oci_plan_json(const struct oci_plan *plan, const char *bundle, vd_error **err);
void oci_plan_free(struct oci_plan *plan);

#endif
