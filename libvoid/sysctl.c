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

/* "a.b.c" with no empty component and no "/": once the dots become
 * slashes, the key names a file under /proc/sys and nothing else (no "..",
 * which would need an empty component). */
static bool is_sysctl_key(const char *key)
{
    if (key[0] == '\0' || strchr(key, '/'))
        return false;
    for (const char *c = key; *c;) {
        size_t len = strcspn(c, ".");
        if (len == 0)
            return false;
        c += len;
        if (*c == '.' && *++c == '\0')
            return false;
    }
    return true;
}

int vd_builder_add_sysctl(vd_builder *b, const char *key, const char *value, vd_error **err)
{
    if (key == NULL || value == NULL || !is_sysctl_key(key))
        return vd_error_set(err, EINVAL, "sysctl \"%s\": not a sysctl name", key ? key : "");
    struct vd_kv_entry *e = NULL;
    for (size_t i = 0; i < b->n_sysctls; i++)
        if (strcmp(b->sysctls[i].key, key) == 0)
            e = &b->sysctls[i];
    if (e == NULL) {
        e = vd_array_append(&b->sysctls, &b->n_sysctls, sizeof(*e), err);
        if (e == NULL || vd_strdup_optional(&e->key, key, err) < 0)
            return -1;
    }
    char *copy = vd_strdup_checked(value, err);
    if (copy == NULL)
        return -1;
    free(e->value);
    e->value = copy;
    return 0;
}

void vd_builder_free_sysctls(vd_builder *b)
{
    for (size_t i = 0; i < b->n_sysctls; i++) {
        free(b->sysctls[i].key);
        free(b->sysctls[i].value);
    }
    free(b->sysctls);
}

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
