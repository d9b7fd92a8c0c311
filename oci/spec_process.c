/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json "process": what runs, as whom, with which privileges. */
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "spec_internal.h"
#include "utils.h"

static const struct {
    const char *name;
    int resource;
} rlimit_types[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

static const char *const cap_set_keys[OCI_CAP_SET_COUNT] = {
    [OCI_CAP_BOUNDING] = "bounding",       [OCI_CAP_EFFECTIVE] = "effective",
    [OCI_CAP_INHERITABLE] = "inheritable", [OCI_CAP_PERMITTED] = "permitted",
    [OCI_CAP_AMBIENT] = "ambient",
};

static int parse_console_size(vd_error **err, const struct oci_json *process,
                              struct oci_process *p)
{
    const struct oci_json *size = spec_member(process, "consoleSize"), *v;
    if (size == NULL)
        return 0;
    /* A terminal's size is two unsigned shorts (struct winsize): a larger
     * value cannot be honoured, and is refused rather than truncated. */
    int height = 0, width = 0;
    int r = spec_expect(err, size, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, size, "height", OCI_JSON_NUMBER, &v)) == 0)
        r = spec_int_between(err, v, 0, UINT16_MAX, &height);
    if (r == 0 && (r = spec_require(err, size, "width", OCI_JSON_NUMBER, &v)) == 0)
        r = spec_int_between(err, v, 0, UINT16_MAX, &width);
    p->console_height = (uint32_t)height;
    p->console_width = (uint32_t)width;
    p->has_console_size = r == 0;
    return r;
}

static int parse_gid(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    return spec_uint32(err, v, (uint32_t *)items + i);
}

static int parse_additional_gids(vd_error **err, const struct oci_json *v, struct oci_user *u)
{
    return spec_array(err, v, sizeof(*u->additional_gids), &u->additional_gids,
                      &u->n_additional_gids, parse_gid);
}

/* "user" is required in config.json; a process file for exec may leave it
 * out, as runc's callers do, and then runs as uid 0, gid 0. */
static int parse_user(vd_error **err, const struct oci_json *process, bool required,
                      struct oci_user *u)
{
    const struct oci_json *user, *v;
    if (!required && spec_member(process, "user") == NULL)
        return 0;
    int r = spec_require(err, process, "user", OCI_JSON_OBJECT, &user);
    if (r == 0 && (r = spec_require(err, user, "uid", OCI_JSON_NUMBER, &v)) == 0)
        r = spec_uint32(err, v, &u->uid);
    if (r == 0 && (r = spec_require(err, user, "gid", OCI_JSON_NUMBER, &v)) == 0)
        r = spec_uint32(err, v, &u->gid);
    if (r < 0)
        return r;
    if ((v = spec_member(user, "umask"))) {
        if ((r = spec_uint32(err, v, &u->umask)) < 0)
            return r;
        u->has_umask = true;
    }
    if ((v = spec_member(user, "additionalGids")))
        return parse_additional_gids(err, v, u);
    return 0;
}

/* The spec's spelling only ("CAP_CHOWN"): libcap would also take
 * "cap_chown", "12" and "CAP_CHOWN,junk". */
static bool is_cap_spelling(const char *name)
{
    if (strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
        return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(name);
}

int spec_cap_value(const char *name, int *value)
{
    cap_value_t v;
    if (!is_cap_spelling(name) || cap_from_name(name, &v) < 0)
        return -1;
    *value = v;
    return 0;
}

static int parse_cap_set(vd_error **err, const struct oci_json *v, struct oci_capabilities *caps,
                         enum oci_cap_set set)
{
    int r = spec_strv(err, v, false, &caps->names[set], &caps->n[set]);
    if (r < 0)
        return r;
    caps->values[set] = calloc(caps->n[set] ? caps->n[set] : 1, sizeof(int));
    if (caps->values[set] == NULL)
        return spec_oom(err);
    for (size_t i = 0; i < caps->n[set]; i++) {
        const char *name = caps->names[set][i];
        if (spec_cap_value(name, &caps->values[set][i]) < 0)
            return spec_error_value(err, oci_json_item(v, i), "unknown capability", name);
    }
    return 0;
}

static int parse_capabilities(vd_error **err, const struct oci_json *v,
                              struct oci_capabilities *caps)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    for (int set = 0; set < OCI_CAP_SET_COUNT && r == 0; set++) {
        const struct oci_json *names = spec_member(v, cap_set_keys[set]);
        if (names)
            r = parse_cap_set(err, names, caps, set);
    }
    return r;
}

static int rlimit_resource(const char *name)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(rlimit_types); i++)
        if (strcmp(rlimit_types[i].name, name) == 0)
            return rlimit_types[i].resource;
    return -1;
}

/* rlimits[0..i) are parsed; rlimits[i] is filled from v. */
static int parse_rlimit(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_rlimit *rlimits = items, *rl = &rlimits[i];
    const struct oci_json *type, *n;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "type", OCI_JSON_STRING, &type)) == 0)
        r = spec_string(err, type, &rl->type);
    if (r < 0)
        return r;
    rl->resource = rlimit_resource(rl->type);
    if (rl->resource < 0)
        return spec_error_value(err, type, "unknown rlimit type", rl->type);
    for (size_t j = 0; j < i; j++)
        if (rlimits[j].resource == rl->resource)
            return spec_error_value(err, type, "duplicate rlimit type", rl->type);
    if ((r = spec_require(err, v, "soft", OCI_JSON_NUMBER, &n)) == 0)
        r = spec_uint64(err, n, &rl->soft);
    if (r == 0 && (r = spec_require(err, v, "hard", OCI_JSON_NUMBER, &n)) == 0)
        r = spec_uint64(err, n, &rl->hard);
    return r;
}

static int parse_rlimits(vd_error **err, const struct oci_json *v, struct oci_process *p)
{
    return spec_array(err, v, sizeof(*p->rlimits), &p->rlimits, &p->n_rlimits, parse_rlimit);
}

static int parse_args(vd_error **err, const struct oci_json *process, struct oci_process *p)
{
    const struct oci_json *args;
    int r = spec_require(err, process, "args", OCI_JSON_ARRAY, &args);
    if (r == 0)
        r = spec_strv(err, args, false, &p->args, &p->n_args);
    if (r == 0 && p->n_args == 0)
        r = spec_error(err, args, NULL, "must be a non-empty array");
    return r;
}

static int parse_cwd(vd_error **err, const struct oci_json *process, struct oci_process *p)
{
    const struct oci_json *cwd;
    int r = spec_require(err, process, "cwd", OCI_JSON_STRING, &cwd);
    return r < 0 ? r : spec_absolute_path(err, cwd, &p->cwd);
}

static int parse_env(vd_error **err, const struct oci_json *process, struct oci_process *p)
{
    const struct oci_json *env = spec_member(process, "env");
    if (env)
        return spec_strv(err, env, false, &p->env, &p->n_env);
    /* an empty vector, so the translator can hand it on as is */
    p->env = calloc(1, sizeof(*p->env));
    return p->env ? 0 : spec_oom(err);
}

static int parse_privileges(vd_error **err, const struct oci_json *process,
                            struct oci_process *p)
{
    const struct oci_json *v;
    int r = 0;
    if ((v = spec_member(process, "capabilities"))) {
        r = parse_capabilities(err, v, &p->capabilities);
        p->has_capabilities = true;
    }
    if (r == 0 && (v = spec_member(process, "rlimits")))
        r = parse_rlimits(err, v, p);
    if (r == 0)
        r = spec_opt_bool(err, process, "noNewPrivileges", &p->no_new_privileges);
    if (r == 0 && (v = spec_member(process, "oomScoreAdj"))) {
        r = spec_int_between(err, v, -1000, 1000, &p->oom_score_adj);
        p->has_oom_score_adj = r == 0;
    }
    return r;
}

static int parse_process(vd_error **err, const struct oci_json *v, bool user_required,
                         struct oci_process *p)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = spec_opt_bool(err, v, "terminal", &p->terminal);
    if (r == 0)
        r = parse_console_size(err, v, p);
    if (r == 0)
        r = parse_user(err, v, user_required, &p->user);
    if (r == 0)
        r = parse_args(err, v, p);
    if (r == 0)
        r = parse_env(err, v, p);
    if (r == 0)
        r = parse_cwd(err, v, p);
    if (r == 0)
        r = parse_privileges(err, v, p);
    if (r == 0)
        r = spec_parse_lsm(err, v, p);
    if (r == 0)
        r = spec_parse_sched(err, v, p);
    return r;
}

int spec_parse_process(vd_error **err, const struct oci_json *v, bool user_required,
                       struct oci_process **out)
{
    struct oci_process *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return spec_oom(err);
    int r = parse_process(err, v, user_required, p);
    if (r < 0) {
        spec_process_free(p);
        return r;
    }
    *out = p;
    return 0;
}

void spec_process_free(struct oci_process *p)
{
    if (p == NULL)
        return;
    free(p->user.additional_gids);
    spec_strv_free(p->args);
    spec_strv_free(p->env);
    free(p->cwd);
    for (int set = 0; set < OCI_CAP_SET_COUNT; set++) {
        spec_strv_free(p->capabilities.names[set]);
        free(p->capabilities.values[set]);
    }
    for (size_t i = 0; i < p->n_rlimits; i++)
        free(p->rlimits[i].type);
    free(p->rlimits);
    spec_lsm_free(p);
    spec_sched_free(p);
    free(p);
}
