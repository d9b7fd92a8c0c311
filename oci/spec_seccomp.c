/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json "linux.seccomp": the default action, architectures, flags,
 * the listener and the syscall rules.  Names of actions, operators,
 * architectures and flags are checked against what this build supports
 * (libvoid knows libseccomp's names); syscall names are not: a profile
 * lists syscalls newer than the system, and those are skipped later, as
 * runc does.
 */
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "utils.h"

/* errnoRet travels in the 16 data bits of a seccomp return value. */
#define ERRNO_MAX 65535

static int parse_action(vd_error **err, const struct oci_json *v, enum vd_seccomp_action *out)
{
    int r = spec_expect(err, v, OCI_JSON_STRING);
    if (r < 0)
        return r;
    const char *name = oci_json_string(v, NULL);
    if (vd_seccomp_action_from_name(name, out) < 0)
        return spec_error_value(err, v, "unknown action", name);
    return 0;
}

/* runtime-spec: an errno given to an action that has none to return is an
 * error, not ignored. */
static int parse_errno(vd_error **err, const struct oci_json *v, enum vd_seccomp_action action,
                       const struct oci_json *action_v, uint32_t *out)
{
    int n;
    int r = spec_int_between(err, v, 0, ERRNO_MAX, &n);
    if (r < 0)
        return r;
    if (!vd_seccomp_action_takes_errno(action))
        return spec_error(err, v, NULL, "%s returns no errno", oci_json_string(action_v, NULL));
    *out = (uint32_t)n;
    return 0;
}

static int parse_names(vd_error **err, const struct oci_json *v, const char *what,
                       int (*known)(const char *), char ***out, size_t *n)
{
    int r = spec_strv(err, v, false, out, n);
    for (size_t i = 0; r == 0 && i < *n; i++)
        if (!known((*out)[i]))
            r = spec_error_value(err, oci_json_item(v, i), what, (*out)[i]);
    return r;
}

static int arch_known(const char *name)
{
    const char *names[64];
    size_t n = vd_seccomp_arch_names(names, VD_ARRAY_SIZE(names));
    for (size_t i = 0; i < n && i < VD_ARRAY_SIZE(names); i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static int flag_known(const char *name)
{
    unsigned flag;
    return vd_seccomp_flag_from_name(name, &flag) == 0;
}

static int parse_arg(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_seccomp_arg *a = (struct oci_seccomp_arg *)items + i;
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "index", OCI_JSON_NUMBER, &m)) == 0 &&
        (r = spec_uint32(err, m, &a->index)) == 0 && a->index > 5)
        r = spec_error(err, m, NULL, "must be between 0 and 5 (a syscall has six arguments)");
    if (r == 0 && (r = spec_require(err, v, "value", OCI_JSON_NUMBER, &m)) == 0)
        r = spec_uint64(err, m, &a->value);
    if (r == 0 && (m = spec_member(v, "valueTwo")))
        r = spec_uint64(err, m, &a->value_two);
    if (r == 0 && (r = spec_require(err, v, "op", OCI_JSON_STRING, &m)) == 0 &&
        vd_seccomp_op_from_name(oci_json_string(m, NULL), &a->op) < 0)
        r = spec_error_value(err, m, "unknown operator", oci_json_string(m, NULL));
    return r;
}

static int parse_args(vd_error **err, const struct oci_json *v, struct oci_seccomp_syscall *sc)
{
    return spec_array(err, v, sizeof(*sc->args), &sc->args, &sc->n_args, parse_arg);
}

static int parse_syscall(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_seccomp_syscall *sc = (struct oci_seccomp_syscall *)items + i;
    const struct oci_json *m, *action;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "names", OCI_JSON_ARRAY, &m)) == 0 &&
        (r = spec_strv(err, m, false, &sc->names, &sc->n_names)) == 0 && sc->n_names == 0)
        r = spec_error(err, m, NULL, "must name at least one syscall");
    if (r == 0 && (r = spec_require(err, v, "action", OCI_JSON_STRING, &action)) == 0)
        r = parse_action(err, action, &sc->action);
    if (r < 0)
        return r;
    sc->errno_ret = 1; /* EPERM, runtime-spec's default */
    if ((m = spec_member(v, "errnoRet")) &&
        (r = parse_errno(err, m, sc->action, action, &sc->errno_ret)) == 0)
        sc->has_errno_ret = true;
    if (r == 0 && (m = spec_member(v, "args")))
        r = parse_args(err, m, sc);
    return r;
}

static int parse_syscalls(vd_error **err, const struct oci_json *v, struct oci_seccomp *s)
{
    return spec_array(err, v, sizeof(*s->syscalls), &s->syscalls, &s->n_syscalls,
                      parse_syscall);
}

static int parse_flags(vd_error **err, const struct oci_json *v, struct oci_seccomp *s)
{
    int r = parse_names(err, v, "unknown flag", flag_known, &s->flag_names, &s->n_flags);
    for (size_t i = 0; r == 0 && i < s->n_flags; i++) {
        unsigned flag = 0;
        vd_seccomp_flag_from_name(s->flag_names[i], &flag);
        s->flags |= flag;
    }
    return r;
}

static int parse_default(vd_error **err, const struct oci_json *v, struct oci_seccomp *s)
{
    const struct oci_json *action, *m;
    int r = spec_require(err, v, "defaultAction", OCI_JSON_STRING, &action);
    if (r == 0)
        r = parse_action(err, action, &s->default_action);
    /* The runtime's own syscalls after the load would wait for a listener
     * that has not got its fd yet (runc refuses it too). */
    if (r == 0 && s->default_action == VD_SECCOMP_NOTIFY)
        r = spec_error(err, action, NULL, "SCMP_ACT_NOTIFY cannot be the default action");
    if (r < 0)
        return r;
    s->default_errno_ret = 1; /* EPERM */
    if ((m = spec_member(v, "defaultErrnoRet")) &&
        (r = parse_errno(err, m, s->default_action, action, &s->default_errno_ret)) == 0)
        s->has_default_errno_ret = true;
    return r;
}

/* runtime-spec: NOTIFY sends the process state to listenerPath; metadata
 * only goes with a listener. */
static int check_listener(vd_error **err, const struct oci_json *v, const struct oci_seccomp *s)
{
    if (s->listener_metadata && s->listener_path == NULL)
        return spec_error(err, v, "listenerMetadata", "needs listenerPath");
    if (s->listener_path)
        return 0;
    for (size_t i = 0; i < s->n_syscalls; i++)
        if (s->syscalls[i].action == VD_SECCOMP_NOTIFY)
            return spec_error(err, oci_json_item(spec_member(v, "syscalls"), i), "action",
                              "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
    return 0;
}

static int parse_seccomp(vd_error **err, const struct oci_json *v, struct oci_seccomp *s)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = parse_default(err, v, s);
    if (r == 0 && (m = spec_member(v, "architectures")))
        r = parse_names(err, m, "unknown architecture", arch_known, &s->architectures,
                        &s->n_architectures);
    if (r == 0 && (m = spec_member(v, "flags")))
        r = parse_flags(err, m, s);
    if (r == 0 && (m = spec_member(v, "listenerPath")))
        r = spec_absolute_path(err, m, &s->listener_path);
    if (r == 0)
        r = spec_opt_string(err, v, "listenerMetadata", &s->listener_metadata);
    if (r == 0 && (m = spec_member(v, "syscalls")))
        r = parse_syscalls(err, m, s);
    if (r == 0)
        r = check_listener(err, v, s);
    return r;
}

int spec_parse_seccomp(vd_error **err, const struct oci_json *v, struct oci_seccomp **out)
{
    struct oci_seccomp *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return spec_oom(err);
    int r = parse_seccomp(err, v, s);
    if (r < 0) {
        spec_seccomp_free(s);
        return r;
    }
    *out = s;
    return 0;
}

void spec_seccomp_free(struct oci_seccomp *s)
{
    if (s == NULL)
        return;
    spec_strv_free(s->architectures);
    spec_strv_free(s->flag_names);
    free(s->listener_path);
    free(s->listener_metadata);
    for (size_t i = 0; i < s->n_syscalls; i++) {
        spec_strv_free(s->syscalls[i].names);
        free(s->syscalls[i].args);
    }
    free(s->syscalls);
    free(s);
}
