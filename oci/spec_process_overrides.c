/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `exec` without --process: the container's config.json process with the
 * command line's changes, by runc's rules (see oci_process_override). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "utils.h"

static int oom(vd_error **err, const char *what)
{
    return vd_error_set(err, ENOMEM, "exec: %s", what);
}

/* A NULL-terminated copy of v[0..n). */
static char **strv_copy(char *const *v, size_t n)
{
    char **copy = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; copy && i < n; i++) {
        if ((copy[i] = strdup(v[i])) == NULL) {
            spec_strv_free(copy);
            return NULL;
        }
    }
    return copy;
}

static int replace_string(char **field, const char *value, vd_error **err)
{
    if (value == NULL)
        return 0;
    char *copy = strdup(value);
    if (copy == NULL)
        return oom(err, "copy a string");
    free(*field);
    *field = copy;
    return 0;
}

static int replace_args(struct oci_process *p, const struct oci_process_overrides *o,
                        vd_error **err)
{
    if (o->n_args == 0)
        return vd_error_set(err, 0, "exec: no command given (ID COMMAND [ARG...], or --process)");
    char **args = strv_copy(o->args, o->n_args);
    if (args == NULL)
        return oom(err, "copy the command");
    spec_strv_free(p->args);
    p->args = args;
    p->n_args = o->n_args;
    return 0;
}

/* The index of the entry with the same "KEY=" as `kv`, or n. */
static size_t env_find(char *const *env, size_t n, const char *kv)
{
    size_t key_len = strcspn(kv, "=");
    for (size_t i = 0; i < n; i++)
        if (strncmp(env[i], kv, key_len) == 0 && env[i][key_len] == '=')
            return i;
    return n;
}

static int add_env(struct oci_process *p, const char *kv, vd_error **err)
{
    if (strchr(kv, '=') == NULL || kv[0] == '=')
        return vd_error_set(err, 0, "--env: \"%s\" is not KEY=VALUE", kv);
    char *copy = strdup(kv);
    if (copy == NULL)
        return oom(err, "copy --env");
    size_t i = env_find(p->env, p->n_env, kv);
    if (i < p->n_env) {
        free(p->env[i]);
        p->env[i] = copy;
        return 0;
    }
    char **env = realloc(p->env, (p->n_env + 2) * sizeof(char *));
    if (env == NULL) {
        free(copy);
        return oom(err, "grow the environment");
    }
    env[p->n_env++] = copy;
    env[p->n_env] = NULL;
    p->env = env;
    return 0;
}

static int add_gids(struct oci_user *u, const struct oci_process_overrides *o, vd_error **err)
{
    if (o->n_additional_gids == 0)
        return 0;
    size_t n = u->n_additional_gids + o->n_additional_gids;
    uint32_t *gids = realloc(u->additional_gids, n * sizeof(*gids));
    if (gids == NULL)
        return oom(err, "grow the additional gids");
    memcpy(gids + u->n_additional_gids, o->additional_gids,
           o->n_additional_gids * sizeof(*gids));
    u->additional_gids = gids;
    u->n_additional_gids = n;
    return 0;
}

static int add_cap(struct oci_capabilities *caps, enum oci_cap_set set, const char *name,
                   int value, vd_error **err)
{
    size_t n = caps->n[set];
    char **names = realloc(caps->names[set], (n + 2) * sizeof(char *));
    if (names == NULL)
        return oom(err, "grow a capability set");
    caps->names[set] = names;
    int *values = realloc(caps->values[set], (n + 1) * sizeof(int));
    if (values == NULL)
        return oom(err, "grow a capability set");
    caps->values[set] = values;
    if ((names[n] = strdup(name)) == NULL)
        return oom(err, "copy a capability");
    names[n + 1] = NULL;
    values[n] = value;
    caps->n[set] = n + 1;
    return 0;
}

static int add_caps(struct oci_process *p, const struct oci_process_overrides *o, vd_error **err)
{
    static const enum oci_cap_set sets[] = {OCI_CAP_BOUNDING, OCI_CAP_EFFECTIVE,
                                            OCI_CAP_PERMITTED, OCI_CAP_AMBIENT};
    /* runc: ambient ones cannot be raised without inheritable ones, which
     * --cap does not add. */
    size_t n_sets = p->capabilities.n[OCI_CAP_INHERITABLE] ? 4 : 3;
    for (size_t i = 0; i < o->n_caps; i++) {
        int value;
        if (spec_cap_value(o->caps[i], &value) < 0)
            return vd_error_set(err, 0, "--cap: unknown capability \"%s\"", o->caps[i]);
        for (size_t s = 0; s < n_sets; s++)
            if (add_cap(&p->capabilities, sets[s], o->caps[i], value, err) < 0)
                return -1;
        p->has_capabilities = true;
    }
    return 0;
}

int oci_process_override(struct oci_process *p, const struct oci_process_overrides *o,
                         vd_error **err)
{
    if (replace_args(p, o, err) < 0)
        return -1;
    for (size_t i = 0; i < o->n_env; i++)
        if (add_env(p, o->env[i], err) < 0)
            return -1;
    if (o->cwd && o->cwd[0] != '/')
        return vd_error_set(err, 0, "--cwd: \"%s\" is not an absolute path", o->cwd);
    if (replace_string(&p->cwd, o->cwd, err) < 0 ||
        replace_string(&p->apparmor_profile, o->apparmor_profile, err) < 0 ||
        replace_string(&p->selinux_label, o->selinux_label, err) < 0)
        return -1;
    if (o->has_uid)
        p->user.uid = o->uid;
    if (o->has_gid)
        p->user.gid = o->gid;
    if (add_gids(&p->user, o, err) < 0 || add_caps(p, o, err) < 0)
        return -1;
    if (o->no_new_privileges)
        p->no_new_privileges = true;
    p->terminal = o->terminal;
    return 0;
}
