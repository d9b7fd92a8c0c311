/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.netDevices (spec_network.c) -> libvoid/network.c. */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "translate.h"
#include "utils.h"

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

int oci_translate_net_devices(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    if (lx == NULL)
        return 0;
    if (lx->n_net_devices && !oci_has_new_ns(lx, VD_NS_NET))
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

