/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed reads of config.json values, failing with the value's JSON path. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "utils.h"

int spec_error(vd_error **err, const struct oci_json *at, const char *key, const char *fmt, ...)
{
    _cleanup_free_ char *problem = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&problem, fmt, ap);
    va_end(ap);
    if (n < 0) {
        problem = NULL;
        return spec_oom(err);
    }
    _cleanup_free_ char *path = oci_json_path(at, key);
    if (path == NULL)
        return spec_oom(err);
    return vd_error_set(err, 0, "%s: %s", path, problem);
}

int spec_error_value(vd_error **err, const struct oci_json *at, const char *problem,
                     const char *value)
{
    _cleanup_free_ char *quoted = oci_json_quote(value, strlen(value));
    if (quoted == NULL)
        return spec_oom(err);
    return spec_error(err, at, NULL, "%s %s", problem, quoted);
}

int spec_oom(vd_error **err)
{
    return vd_error_set(err, ENOMEM, "parse config");
}

/* Go's encoding/json, which wrote most config.json files in the wild,
 * reads null as "not there"; so do we. */
const struct oci_json *spec_member(const struct oci_json *obj, const char *key)
{
    const struct oci_json *v = oci_json_get(obj, key);
    return v && oci_json_type(v) != OCI_JSON_NULL ? v : NULL;
}

static const char *type_name(enum oci_json_type type)
{
    switch (type) {
    case OCI_JSON_NULL:
        return "null";
    case OCI_JSON_BOOL:
        return "a boolean";
    case OCI_JSON_NUMBER: /* config.json has no use for fractions */
        return "an integer";
    case OCI_JSON_STRING:
        return "a string";
    case OCI_JSON_ARRAY:
        return "an array";
    case OCI_JSON_OBJECT:
        return "an object";
    }
    return "a value";
}

int spec_expect(vd_error **err, const struct oci_json *v, enum oci_json_type type)
{
    if (oci_json_type(v) == type)
        return 0;
    return spec_error(err, v, NULL, "expected %s", type_name(type));
}

int spec_require(vd_error **err, const struct oci_json *obj, const char *key,
                 enum oci_json_type type, const struct oci_json **out)
{
    const struct oci_json *v = spec_member(obj, key);
    if (v == NULL)
        return spec_error(err, obj, key, "is required");
    int r = spec_expect(err, v, type);
    if (r < 0)
        return r;
    *out = v;
    return 0;
}

int spec_string(vd_error **err, const struct oci_json *v, char **out)
{
    int r = spec_expect(err, v, OCI_JSON_STRING);
    if (r < 0)
        return r;
    size_t len;
    const char *s = oci_json_string(v, &len);
    /* a C string would silently end at the NUL */
    if (strlen(s) != len)
        return spec_error(err, v, NULL, "contains a NUL byte");
    char *copy = strdup(s);
    if (copy == NULL)
        return spec_oom(err);
    free(*out);
    *out = copy;
    return 0;
}

int spec_absolute_path(vd_error **err, const struct oci_json *v, char **out)
{
    _cleanup_free_ char *s = NULL;
    int r = spec_string(err, v, &s);
    if (r < 0)
        return r;
    if (s[0] != '/')
        return spec_error(err, v, NULL, "must be an absolute path");
    /* No system call takes a longer one; say so here, with the JSON path,
     * rather than echo kilobytes of path from deep inside the setup. */
    if (strlen(s) >= PATH_MAX)
        return spec_error(err, v, NULL, "is longer than %d bytes", PATH_MAX - 1);
    free(*out);
    *out = steal_pointer(&s);
    return 0;
}

int spec_bool(vd_error **err, const struct oci_json *v, bool *out)
{
    int r = spec_expect(err, v, OCI_JSON_BOOL);
    if (r < 0)
        return r;
    *out = oci_json_bool(v);
    return 0;
}

int spec_uint64(vd_error **err, const struct oci_json *v, uint64_t *out)
{
    int r = oci_json_uint64(v, out);
    if (r == -ERANGE)
        return spec_error(err, v, NULL, "must be between 0 and %ju", (uintmax_t)UINT64_MAX);
    if (r < 0)
        return spec_error(err, v, NULL, "expected an integer");
    return 0;
}

int spec_uint32(vd_error **err, const struct oci_json *v, uint32_t *out)
{
    uint64_t n;
    int r = oci_json_uint64(v, &n);
    if (r == -ERANGE || (r == 0 && n > UINT32_MAX))
        return spec_error(err, v, NULL, "must be between 0 and %u", UINT32_MAX);
    if (r < 0)
        return spec_error(err, v, NULL, "expected an integer");
    *out = (uint32_t)n;
    return 0;
}

int spec_int64(vd_error **err, const struct oci_json *v, int64_t *out)
{
    int r = oci_json_int64(v, out);
    if (r == -ERANGE)
        return spec_error(err, v, NULL, "must be between %jd and %jd", (intmax_t)INT64_MIN,
                          (intmax_t)INT64_MAX);
    if (r < 0)
        return spec_error(err, v, NULL, "expected an integer");
    return 0;
}

int spec_int_between(vd_error **err, const struct oci_json *v, int min, int max, int *out)
{
    int64_t n;
    int r = oci_json_int64(v, &n);
    if (r == -ERANGE || (r == 0 && (n < min || n > max)))
        return spec_error(err, v, NULL, "must be between %d and %d", min, max);
    if (r < 0)
        return spec_error(err, v, NULL, "expected an integer");
    *out = (int)n;
    return 0;
}

void spec_strv_free(char **v)
{
    if (v == NULL)
        return;
    for (char **i = v; *i; i++)
        free(*i);
    free(v);
}

int spec_array(vd_error **err, const struct oci_json *v, size_t size, void *out, size_t *n,
               spec_item_fn item)
{
    int r = spec_expect(err, v, OCI_JSON_ARRAY);
    if (r < 0)
        return r;
    size_t len = oci_json_len(v);
    void *items = calloc(len ? len : 1, size);
    if (items == NULL)
        return spec_oom(err);
    memcpy(out, &items, sizeof(items));
    *n = len;
    for (size_t i = 0; i < len && r == 0; i++)
        r = item(err, oci_json_item(v, i), items, i);
    return r;
}

/* The i-th key of obj, refusing one with a NUL inside (no name has one). */
int spec_member_key(vd_error **err, const struct oci_json *obj, size_t i, const char **key)
{
    size_t len;
    *key = oci_json_key(obj, i, &len);
    if (strlen(*key) != len)
        return spec_error(err, oci_json_item(obj, i), NULL, "key holds a NUL byte");
    return 0;
}

int spec_strv(vd_error **err, const struct oci_json *v, bool absolute, char ***out, size_t *n)
{
    int r = spec_expect(err, v, OCI_JSON_ARRAY);
    if (r < 0)
        return r;
    size_t len = oci_json_len(v);
    /* zeroed, so it stays NULL-terminated (and freeable) however far we get */
    _cleanup_strv_ char **strv = calloc(len + 1, sizeof(*strv));
    if (strv == NULL)
        return spec_oom(err);
    for (size_t i = 0; i < len; i++) {
        const struct oci_json *item = oci_json_item(v, i);
        r = absolute ? spec_absolute_path(err, item, &strv[i]) : spec_string(err, item, &strv[i]);
        if (r < 0)
            return r;
    }
    spec_strv_free(*out);
    *out = steal_pointer(&strv);
    *n = len;
    return 0;
}

void spec_kv_free(struct oci_kv *kv, size_t n)
{
    if (kv == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static int read_key(vd_error **err, const struct oci_json *obj, size_t i, char **out)
{
    size_t len;
    const char *key = oci_json_key(obj, i, &len);
    if (strlen(key) != len)
        return spec_error(err, oci_json_item(obj, i), NULL, "key contains a NUL byte");
    *out = strdup(key);
    return *out ? 0 : spec_oom(err);
}

int spec_string_map(vd_error **err, const struct oci_json *v, struct oci_kv **out, size_t *n)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r < 0)
        return r;
    size_t len = oci_json_len(v);
    struct oci_kv *kv = calloc(len ? len : 1, sizeof(*kv));
    if (kv == NULL)
        return spec_oom(err);
    for (size_t i = 0; i < len && r == 0; i++) {
        r = read_key(err, v, i, &kv[i].key);
        if (r == 0)
            r = spec_string(err, oci_json_item(v, i), &kv[i].value);
    }
    if (r < 0) {
        spec_kv_free(kv, len);
        return r;
    }
    spec_kv_free(*out, *n);
    *out = kv;
    *n = len;
    return 0;
}

int spec_opt_string(vd_error **err, const struct oci_json *obj, const char *key, char **out)
{
    const struct oci_json *v = spec_member(obj, key);
    return v ? spec_string(err, v, out) : 0;
}

int spec_opt_bool(vd_error **err, const struct oci_json *obj, const char *key, bool *out)
{
    const struct oci_json *v = spec_member(obj, key);
    return v ? spec_bool(err, v, out) : 0;
}
