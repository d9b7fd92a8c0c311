/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp -> a libvoid filter, compiled onto the builder.  The
 * listener (SCMP_ACT_NOTIFY) is the command's to wire: it needs the state. */
#include <errno.h>
#include <stdbool.h>

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

int oci_translate_seccomp(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    if (lx == NULL || lx->seccomp == NULL)
        return 0;
    const struct oci_seccomp *sp = lx->seccomp;
    _cleanup_seccomp_ vd_seccomp *s =
        vd_seccomp_new(sp->default_action, (uint16_t)sp->default_errno_ret, err);
    if (s == NULL)
        return vd_error_prefix(err, "linux.seccomp.defaultAction");
    if (describe(sp, s, err) < 0)
        return -1;
    if (vd_builder_set_seccomp(b, s, err) < 0)
        return vd_error_prefix(err, "linux.seccomp");
    return 0;
}
