/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json -> libvoid for the process attributes the kernel keeps per
 * process: process.scheduler, ioPriority, execCPUAffinity,
 * linux.personality and memoryPolicy (libvoid/sched.c, personality.c).
 * Each is handed on or refused here, with its JSON path. */
#include "translate.h"

static struct vd_id_set id_set(const struct oci_id_set *s)
{
    return (struct vd_id_set){.words = s->words, .n_words = s->n_words};
}

static int translate_scheduler(const struct oci_process *p, vd_builder *b, vd_error **err)
{
    const struct oci_scheduler *os = p->scheduler;
    if (os == NULL)
        return 0;
    struct vd_scheduler s = {
        .policy = (enum vd_sched_policy)os->policy_value, .flags = os->flags, .nice = os->nice,
        .priority = (unsigned)os->priority, .runtime = os->runtime, .deadline = os->deadline,
        .period = os->period,
    };
    if (vd_builder_set_scheduler(b, &s, err) < 0)
        return vd_error_prefix(err, "process.scheduler");
    return 0;
}

static int translate_cpu_affinity(const struct oci_process *p, vd_builder *b, vd_error **err)
{
    const struct oci_cpu_affinity *a = p->exec_cpu_affinity;
    if (a == NULL)
        return 0;
    /* An empty list is an absent one (the spec: "If omitted or empty"). */
    struct vd_id_set initial = id_set(&a->initial), final_ = id_set(&a->final_);
    if (initial.n_words && vd_builder_set_cpu_affinity(b, VD_AFFINITY_INITIAL, &initial, err) < 0)
        return vd_error_prefix(err, "process.execCPUAffinity.initial");
    if (final_.n_words && vd_builder_set_cpu_affinity(b, VD_AFFINITY_FINAL, &final_, err) < 0)
        return vd_error_prefix(err, "process.execCPUAffinity.final");
    return 0;
}

static int translate_linux_attrs(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    if (lx == NULL)
        return 0;
    if (lx->personality && vd_builder_set_personality(b, lx->personality->persona, err) < 0)
        return vd_error_prefix(err, "linux.personality");
    const struct oci_memory_policy *mp = lx->memory_policy;
    if (mp) {
        struct vd_id_set nodes = id_set(&mp->nodes);
        if (vd_builder_set_memory_policy(b, (enum vd_mpol_mode)mp->mode_value, mp->flags, &nodes,
                                         err) < 0)
            return vd_error_prefix(err, "linux.memoryPolicy");
    }
    return 0;
}

int oci_translate_sched(const struct oci_process *p, const struct oci_linux *lx, vd_builder *b,
                        vd_error **err)
{
    if (translate_scheduler(p, b, err) < 0)
        return -1;
    const struct oci_io_priority *io = p->io_priority;
    if (io && vd_builder_set_io_priority(b, (enum vd_ioprio_class)io->class_value, io->priority,
                                         err) < 0)
        return vd_error_prefix(err, "process.ioPriority");
    if (translate_cpu_affinity(p, b, err) < 0)
        return -1;
    return translate_linux_attrs(lx, b, err);
}
