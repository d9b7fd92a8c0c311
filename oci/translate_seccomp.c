/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp -> a libvoid filter, compiled onto the builder.  The
 * listener (SCMP_ACT_NOTIFY) is the command's to wire: it needs the state. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "translate.h"
#include "utils.h"

static void seccomp_freep(vd_seccomp **s)
{
    vd_seccomp_free(*s);
}
#define _cleanup_seccomp_ __attribute__((cleanup(seccomp_freep)))

/* libseccomp takes one condition per argument in a rule.  runc's answer
 * when a rule compares the same argument twice: one rule per condition,
 * so that any of them matches; done the same here for the same configs. */
static bool repeats_an_index(const struct oci_seccomp_syscall *sc)
{
    unsigned seen = 0;
    for (size_t i = 0; i < sc->n_args; i++) {
        unsigned bit = 1u << sc->args[i].index;
        if (seen & bit)
            return true;
        seen |= bit;
    }
    return false;
}

static int add_rule(vd_seccomp *s, const struct oci_seccomp_syscall *sc, const char *name,
                    const struct vd_seccomp_arg *args, size_t n, vd_error **err)
{
    int r = vd_seccomp_add_rule(s, name, sc->action, (uint16_t)sc->errno_ret, args, n, err);
    return r < 0 ? r : 0;
}

static int add_syscall(vd_seccomp *s, const struct oci_seccomp_syscall *sc, size_t index,
                       vd_error **err)
{
    struct vd_seccomp_arg args[6];
    bool split = repeats_an_index(sc);
    if (!split && sc->n_args > VD_ARRAY_SIZE(args))
        return vd_error_set(err, 0, "linux.seccomp.syscalls[%zu].args: more than six", index);
    for (size_t i = 0; i < sc->n_args && !split; i++)
        args[i] = (struct vd_seccomp_arg){.index = sc->args[i].index, .op = sc->args[i].op,
                                          .value = sc->args[i].value,
                                          .value_two = sc->args[i].value_two};
    for (size_t j = 0; j < sc->n_names; j++) {
        int r = 0;
        for (size_t i = 0; split && i < sc->n_args && r == 0; i++) {
            struct vd_seccomp_arg one = {.index = sc->args[i].index, .op = sc->args[i].op,
                                         .value = sc->args[i].value,
                                         .value_two = sc->args[i].value_two};
            r = add_rule(s, sc, sc->names[j], &one, 1, err);
        }
        if (!split)
            r = add_rule(s, sc, sc->names[j], args, sc->n_args, err);
        if (r < 0)
            return vd_error_prefix(err, "linux.seccomp.syscalls[%zu].names[%zu]", index, j);
    }
    return 0;
}

static int describe(const struct oci_seccomp *sp, vd_seccomp *s, vd_error **err)
{
    for (size_t i = 0; i < sp->n_architectures; i++)
        if (vd_seccomp_add_arch(s, sp->architectures[i], err) < 0)
            return vd_error_prefix(err, "linux.seccomp.architectures[%zu]", i);
    vd_seccomp_set_flags(s, sp->flags);
    for (size_t i = 0; i < sp->n_syscalls; i++)
        if (add_syscall(s, &sp->syscalls[i], i, err) < 0)
            return -1;
    return 0;
}

struct vd_seccomp_prog *oci_seccomp_compile(const struct oci_seccomp *sp, vd_error **err)
{
    if (sp->rules_left_out) { /* a program without them would let through what they deny */
        vd_error_set(err, EINVAL, "linux.seccomp.syscalls: not read (exec's load of the "
                     "config copy): no filter is compiled without them");
        return NULL;
    }
    _cleanup_seccomp_ vd_seccomp *s =
        vd_seccomp_new(sp->default_action, (uint16_t)sp->default_errno_ret, err);
    if (s == NULL) {
        vd_error_prefix(err, "linux.seccomp.defaultAction");
        return NULL;
    }
    if (describe(sp, s, err) < 0)
        return NULL;
    struct vd_seccomp_prog *p = vd_seccomp_compile(s, err);
    if (p == NULL)
        vd_error_prefix(err, "linux.seccomp");
    return p;
}

int oci_translate_seccomp(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    if (lx == NULL || lx->seccomp == NULL)
        return 0;
    struct vd_seccomp_prog *p = oci_seccomp_compile(lx->seccomp, err);
    if (p == NULL || vd_builder_set_seccomp_prog(b, p, err) < 0)
        return p ? vd_error_prefix(err, "linux.seccomp") : -1;
    return 0;
}

/* ---- the canonical form, for the cache's key ------------------------------ */

static void feed_u64(struct vd_sha256 *ctx, uint64_t v)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    vd_sha256_update(ctx, le, sizeof(le));
}

/* Length first, so that no two lists of strings feed the same bytes. */
static void feed_str(struct vd_sha256 *ctx, const char *str)
{
    size_t n = strlen(str);
    feed_u64(ctx, n);
    vd_sha256_update(ctx, str, n);
}

static void feed_syscall(struct vd_sha256 *ctx, const struct oci_seccomp_syscall *sc)
{
    feed_u64(ctx, sc->n_names);
    for (size_t j = 0; j < sc->n_names; j++)
        feed_str(ctx, sc->names[j]);
    feed_u64(ctx, (uint64_t)sc->action);
    feed_u64(ctx, sc->errno_ret);
    feed_u64(ctx, sc->n_args);
    for (size_t i = 0; i < sc->n_args; i++) {
        feed_u64(ctx, sc->args[i].index);
        feed_u64(ctx, (uint64_t)sc->args[i].op);
        feed_u64(ctx, sc->args[i].value);
        feed_u64(ctx, sc->args[i].value_two);
    }
}

void oci_seccomp_digest(const struct oci_seccomp *sp, struct vd_sha256 *ctx)
{
    /* No profile whose rules were read feeds this first: no key of one. */
    if (sp->rules_left_out)
        feed_u64(ctx, UINT64_MAX);
    feed_u64(ctx, (uint64_t)sp->default_action);
    feed_u64(ctx, sp->default_errno_ret);
    feed_u64(ctx, sp->n_architectures);
    for (size_t i = 0; i < sp->n_architectures; i++)
        feed_str(ctx, sp->architectures[i]);
    feed_u64(ctx, sp->flags);
    feed_u64(ctx, sp->n_syscalls);
    for (size_t i = 0; i < sp->n_syscalls; i++)
        feed_syscall(ctx, &sp->syscalls[i]);
}
