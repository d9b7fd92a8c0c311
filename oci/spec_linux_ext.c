/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json "linux": timeOffsets, netDevices and intelRdt.  Each is read
 * whole and checked here, so that translate can either honour it or refuse
 * it; none passes through unread.
 */
#include <ctype.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "utils.h"

static const char *const clock_names[OCI_CLOCK_COUNT] = {
    [OCI_CLOCK_MONOTONIC] = "monotonic",
    [OCI_CLOCK_BOOTTIME] = "boottime",
};

/* The i-th key of obj, refusing one with a NUL inside (no name has one). */
static int member_key(vd_error **err, const struct oci_json *obj, size_t i, const char **key)
{
    size_t len;
    *key = oci_json_key(obj, i, &len);
    if (strlen(*key) != len)
        return spec_error(err, oci_json_item(obj, i), NULL, "key holds a NUL byte");
    return 0;
}

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
        if ((r = member_key(err, v, i, &key)) < 0)
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

/* What the kernel takes as an interface name (dev_valid_name): 1 to 15
 * bytes, not "." or "..", no '/', ':' or white space. */
static bool is_ifname(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (const char *c = s; *c; c++)
        if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
            return false;
    return true;
}

static int check_ifname(vd_error **err, const struct oci_json *at, const char *name)
{
    if (is_ifname(name))
        return 0;
    return spec_error_value(err, at,
                            "not an interface name (1 to 15 bytes, no '/', ':' or space, "
                            "not \".\" or \"..\")",
                            name);
}

static const char *final_name(const struct oci_net_device *d)
{
    return d->name ? d->name : d->host_name;
}

static int parse_net_device(vd_error **err, const struct oci_json *obj, size_t i,
                            struct oci_net_device *d)
{
    const struct oci_json *v = oci_json_item(obj, i), *m;
    const char *key;
    int r = member_key(err, obj, i, &key);
    if (r < 0)
        return r;
    if ((r = check_ifname(err, v, key)) < 0 || (r = spec_expect(err, v, OCI_JSON_OBJECT)) < 0)
        return r;
    d->host_name = strdup(key);
    if (d->host_name == NULL)
        return spec_oom(err);
    if ((m = spec_member(v, "name"))) {
        if ((r = spec_string(err, m, &d->name)) < 0)
            return r;
        if ((r = check_ifname(err, m, d->name)) < 0)
            return r;
    }
    return 0;
}

static int parse_net_devices(vd_error **err, const struct oci_json *v, struct oci_linux *l)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r < 0)
        return r;
    size_t n = oci_json_len(v);
    l->net_devices = calloc(n ? n : 1, sizeof(*l->net_devices));
    if (l->net_devices == NULL)
        return spec_oom(err);
    l->n_net_devices = n; /* zeroed entries are safe to free */
    for (size_t i = 0; i < n && r == 0; i++) {
        struct oci_net_device *d = &l->net_devices[i];
        r = parse_net_device(err, v, i, d);
        /* Two devices cannot end up with one name in the container. */
        for (size_t j = 0; j < i && r == 0; j++)
            if (strcmp(final_name(&l->net_devices[j]), final_name(d)) == 0)
                r = spec_error_value(err, oci_json_item(v, i),
                                     "two devices would have the name", final_name(d));
    }
    return r;
}

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

int spec_parse_linux_ext(vd_error **err, const struct oci_json *v, struct oci_linux *l)
{
    const struct oci_json *m;
    int r = 0;
    if ((m = spec_member(v, "timeOffsets")))
        r = parse_time_offsets(err, m, l);
    if (r == 0 && (m = spec_member(v, "netDevices")))
        r = parse_net_devices(err, m, l);
    if (r == 0 && (m = spec_member(v, "intelRdt"))) {
        l->intel_rdt = calloc(1, sizeof(*l->intel_rdt));
        if (l->intel_rdt == NULL)
            return spec_oom(err);
        r = parse_intel_rdt(err, m, l->intel_rdt);
    }
    return r;
}

void spec_linux_ext_free(struct oci_linux *l)
{
    for (size_t i = 0; i < l->n_net_devices; i++) {
        free(l->net_devices[i].host_name);
        free(l->net_devices[i].name);
    }
    free(l->net_devices);
    if (l->intel_rdt) {
        free(l->intel_rdt->clos_id);
        free(l->intel_rdt->l3_cache_schema);
        free(l->intel_rdt->mem_bw_schema);
        spec_strv_free(l->intel_rdt->schemata);
        free(l->intel_rdt);
    }
}
