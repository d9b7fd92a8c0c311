/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json "hooks": the programs the runtime runs around the container's
 * life (runtime-spec config.md, "POSIX-platform Hooks").  Hook lists this
 * runtime does not know are ignored, as any unknown member.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "spec_internal.h"
#include "utils.h"

static const char *const hook_kind_names[OCI_HOOK_KIND_COUNT] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
    return (unsigned)kind < OCI_HOOK_KIND_COUNT ? hook_kind_names[kind] : "unknown";
}

/* The spec only says "MUST be greater than zero"; the upper bound is what
 * the struct holds. */
static int parse_timeout(vd_error **err, const struct oci_json *v, struct oci_hook *h)
{
    int64_t n;
    int r = oci_json_int64(v, &n);
    if (r == -EINVAL)
        return spec_error(err, v, NULL, "expected an integer");
    if (r == 0 && n <= 0)
        return spec_error(err, v, NULL, "must be greater than zero");
    if (r < 0 || n > INT_MAX)
        return spec_error(err, v, NULL, "must be between 1 and %d", INT_MAX);
    h->timeout = (int)n;
    h->has_timeout = true;
    return 0;
}

static int parse_hook(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_hook *h = (struct oci_hook *)items + i;
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "path", OCI_JSON_STRING, &m)) == 0)
        r = spec_absolute_path(err, m, &h->path);
    if (r == 0 && (m = spec_member(v, "args")))
        r = spec_strv(err, m, false, &h->args, &h->n_args);
    if (r == 0 && (m = spec_member(v, "env")))
        r = spec_strv(err, m, false, &h->env, &h->n_env);
    if (r == 0 && (m = spec_member(v, "timeout")))
        r = parse_timeout(err, m, h);
    return r;
}

static int parse_hook_list(vd_error **err, const struct oci_json *v, struct oci_hook **out,
                           size_t *n_out)
{
    return spec_array(err, v, sizeof(**out), out, n_out, parse_hook);
}

int spec_parse_hooks(vd_error **err, const struct oci_json *v, struct oci_spec *spec)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    for (int kind = 0; kind < OCI_HOOK_KIND_COUNT && r == 0; kind++) {
        const struct oci_json *list = spec_member(v, hook_kind_names[kind]);
        if (list)
            r = parse_hook_list(err, list, &spec->hooks[kind], &spec->n_hooks[kind]);
    }
    return r;
}

void spec_hooks_free(struct oci_spec *spec)
{
    for (int kind = 0; kind < OCI_HOOK_KIND_COUNT; kind++) {
        for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
            free(spec->hooks[kind][i].path);
            spec_strv_free(spec->hooks[kind][i].args);
            spec_strv_free(spec->hooks[kind][i].env);
        }
        free(spec->hooks[kind]);
        spec->hooks[kind] = NULL;
        spec->n_hooks[kind] = 0;
    }
}
