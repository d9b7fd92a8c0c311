/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.netDevices: host interfaces moved into the container's network
 * namespace, each checked against the kernel's name rules
 * (translate_network.c). */
#include <ctype.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"

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
    int r = spec_member_key(err, obj, i, &key);
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

int spec_parse_net_devices(vd_error **err, const struct oci_json *linux_, struct oci_linux *l)
{
    const struct oci_json *m = spec_member(linux_, "netDevices");
    return m ? parse_net_devices(err, m, l) : 0;
}

void spec_net_devices_free(struct oci_linux *l)
{
    for (size_t i = 0; i < l->n_net_devices; i++) {
        free(l->net_devices[i].host_name);
        free(l->net_devices[i].name);
    }
    free(l->net_devices);
}
