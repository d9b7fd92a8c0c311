/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json -> libvoid for linux.timeOffsets, linux.netDevices and
 * linux.intelRdt: each is honoured or refused here, with its JSON path
 * (intelRdt becomes a resctrl group, made by create like the cgroup). */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "translate.h"
#include "utils.h"

static bool has_new_ns(const struct oci_linux *lx, enum vd_ns type)
{
    for (size_t i = 0; i < lx->n_namespaces; i++)
        if (lx->namespaces[i].ns == type && lx->namespaces[i].path == NULL)
            return true;
    return false;
}

static int translate_time_offsets(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    static const struct {
        const char *name;
        clockid_t id;
    } clocks[OCI_CLOCK_COUNT] = {
        [OCI_CLOCK_MONOTONIC] = {"monotonic", CLOCK_MONOTONIC},
        [OCI_CLOCK_BOOTTIME] = {"boottime", CLOCK_BOOTTIME},
    };
    for (int c = 0; c < OCI_CLOCK_COUNT; c++) {
        const struct oci_time_offset *o = &lx->time_offsets[c];
        if (!o->present)
            continue;
        /* Offsets are set as a time namespace is made: a joined one (or
         * the runtime's) already has its own. */
        if (!has_new_ns(lx, VD_NS_TIME))
            return vd_error_set(err, 0, "linux.timeOffsets: needs a new time namespace "
                                "(linux.namespaces: {\"type\": \"time\"} without a path)");
        if (vd_builder_set_time_offset(b, clocks[c].id, o->secs, o->nanosecs, err) < 0)
            return vd_error_prefix(err, "linux.timeOffsets.%s", clocks[c].name);
    }
    return 0;
}

/* "linux.netDevices.eth0", or linux.netDevices["eth0.100"] for a key that
 * is not an identifier, as the parser names JSON paths. */
static char *net_device_path(const char *key)
{
    bool ident = isalpha((unsigned char)key[0]) || key[0] == '_';
    for (const char *c = key; *c && ident; c++)
        ident = isalnum((unsigned char)*c) || *c == '_';
    _cleanup_free_ char *quoted = ident ? NULL : oci_json_quote(key, strlen(key));
    char *path = NULL;
    if (ident ? asprintf(&path, "linux.netDevices.%s", key) < 0
              : quoted == NULL || asprintf(&path, "linux.netDevices[%s]", quoted) < 0)
        return NULL;
    return path;
}

static int translate_net_devices(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    if (lx->n_net_devices && !has_new_ns(lx, VD_NS_NET))
        return vd_error_set(err, 0, "linux.netDevices: needs a new network namespace "
                            "(linux.namespaces: {\"type\": \"network\"} without a path)");
    for (size_t i = 0; i < lx->n_net_devices; i++) {
        const struct oci_net_device *d = &lx->net_devices[i];
        _cleanup_free_ char *where = net_device_path(d->host_name);
        if (where == NULL)
            return vd_error_set(err, ENOMEM, "linux.netDevices");
        /* Checked now to name it; the move itself checks again. */
        if (if_nametoindex(d->host_name) == 0)
            return vd_error_set(err, errno == ENXIO ? ENODEV : errno,
                                "%s: no interface \"%s\" in the runtime's network namespace",
                                where, d->host_name);
        if (vd_builder_add_net_device(b, d->host_name, d->name, err) < 0)
            return vd_error_prefix(err, "%s", where);
    }
    return 0;
}

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

int oci_translate_linux_ext(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    if (lx == NULL)
        return 0;
    if (translate_time_offsets(lx, b, err) < 0 || translate_net_devices(lx, b, err) < 0)
        return -1;
    return 0;
}
