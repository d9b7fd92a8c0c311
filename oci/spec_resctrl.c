/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.intelRdt: the resctrl group and its schemata (translate_resctrl.c). */
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"

/* runc's rule: closID names one directory under /sys/fs/resctrl. */
static int parse_clos_id(vd_error **err, const struct oci_json *v, char **out)
{
    int r = spec_string(err, v, out);
    if (r == 0 && ((*out)[0] == '\0' || strcmp(*out, ".") == 0 || strcmp(*out, "..") == 0 ||
                   strchr(*out, '/')))
        r = spec_error_value(err, v, "not a resctrl group name", *out);
    return r;
}

static int parse_schema(vd_error **err, const struct oci_json *v, const char *prefix, char **out)
{
    int r = spec_string(err, v, out);
    if (r == 0 && strchr(*out, '\n'))
        return spec_error(err, v, NULL, "must be one line");
    if (r == 0 && prefix && strncmp(*out, prefix, strlen(prefix)) != 0)
        return spec_error(err, v, NULL, "must start with \"%s\"", prefix);
    return r;
}

static int parse_intel_rdt(vd_error **err, const struct oci_json *v, struct oci_intel_rdt *rdt)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (m = spec_member(v, "closID")))
        r = parse_clos_id(err, m, &rdt->clos_id);
    if (r == 0 && (m = spec_member(v, "l3CacheSchema")))
        r = parse_schema(err, m, NULL, &rdt->l3_cache_schema);
    if (r == 0 && (m = spec_member(v, "memBwSchema")))
        r = parse_schema(err, m, "MB:", &rdt->mem_bw_schema);
    if (r == 0 && (m = spec_member(v, "schemata")))
        r = spec_strv(err, m, false, &rdt->schemata, &rdt->n_schemata);
    if (r == 0)
        r = spec_opt_bool(err, v, "enableMonitoring", &rdt->enable_monitoring);
    return r;
}

int spec_parse_intel_rdt(vd_error **err, const struct oci_json *linux_, struct oci_linux *l)
{
    const struct oci_json *m = spec_member(linux_, "intelRdt");
    if (m == NULL)
        return 0;
    l->intel_rdt = calloc(1, sizeof(*l->intel_rdt));
    if (l->intel_rdt == NULL)
        return spec_oom(err);
    return parse_intel_rdt(err, m, l->intel_rdt);
}

void spec_intel_rdt_free(struct oci_linux *l)
{
    if (l->intel_rdt == NULL)
        return;
    free(l->intel_rdt->clos_id);
    free(l->intel_rdt->l3_cache_schema);
    free(l->intel_rdt->mem_bw_schema);
    spec_strv_free(l->intel_rdt->schemata);
    free(l->intel_rdt);
}
