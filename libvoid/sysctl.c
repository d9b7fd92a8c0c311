/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel parameters: the void changes none.  Each one asked for is written
 * under /proc/sys by the child, which is by then in its own namespaces: the
 * namespaced files (net.*, kernel.hostname, kernel.shm*, ...) act on the
 * namespaces of the task that opens them.  Whether a key is namespaced at
 * all is the caller's to check: written from here, any other key would
 * change the host. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int set_sysctl(const struct vd_kv_entry *s, vd_error **err)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "/proc/sys/%s", s->key);
    if (n < 0 || (size_t)n >= sizeof(path))
        return vd_error_set(err, ENAMETOOLONG, "sysctl \"%s\"", s->key);
    /* The builder made sure the key holds no "/" and no empty component. */
    for (char *c = path + strlen("/proc/sys/"); *c; c++)
        if (*c == '.')
            *c = '/';
    if (vd_write_file(path, s->value, err) < 0)
        return vd_error_prefix(err, "sysctl \"%s\"", s->key);
    return 0;
}

int vd_child_set_sysctls(const vd_builder *b, vd_error **err)
{
    for (size_t i = 0; i < b->n_sysctls; i++)
        if (set_sysctl(&b->sysctls[i], err) < 0)
            return -1;
    return 0;
}
