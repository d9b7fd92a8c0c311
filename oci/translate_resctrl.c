/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.intelRdt (spec_resctrl.c) -> libvoid/resctrl.c: a resctrl group,
 * made by create like the cgroup. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "translate.h"

/* The schemata lines in the order config-linux.md "IntelRdt" asks:
 * l3CacheSchema and memBwSchema combined (an MB: line of l3CacheSchema
 * gives way to memBwSchema), then every line of schemata. */
static const char **rdt_lines(const struct oci_intel_rdt *rdt)
{
    const char **v = calloc(rdt->n_schemata + 3, sizeof(*v));
    size_t n = 0;
    if (v == NULL)
        return NULL;
    const char *l3 = rdt->l3_cache_schema;
    if (l3 && !(rdt->mem_bw_schema && strncmp(l3, "MB:", 3) == 0))
        v[n++] = l3;
    if (rdt->mem_bw_schema)
        v[n++] = rdt->mem_bw_schema;
    for (size_t i = 0; i < rdt->n_schemata; i++)
        v[n++] = rdt->schemata[i];
    return v;
}

int oci_resctrl_config(const struct oci_linux *lx, const char *id, struct vd_resctrl_config *cfg,
                       const char ***lines, vd_error **err)
{
    *lines = NULL;
    if (lx == NULL || lx->intel_rdt == NULL)
        return 0;
    const struct oci_intel_rdt *rdt = lx->intel_rdt;
    if ((*lines = rdt_lines(rdt)) == NULL)
        return vd_error_set(err, ENOMEM, "linux.intelRdt");
    /* Without a closID the group is the container's, named after it. */
    *cfg = (struct vd_resctrl_config){
        .group = rdt->clos_id ? rdt->clos_id : id,
        .own_group = rdt->clos_id == NULL,
        .schemata = *lines,
        .monitor = rdt->enable_monitoring ? id : NULL,
    };
    return 1;
}
