/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How the process is scheduled and where it may run and allocate: the CPU
 * scheduler, the I/O priority, the CPU affinity and the NUMA memory policy.
 * All four are inherited across fork and kept across exec, so setting them
 * in the child is setting them for the program. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

/* sched_setattr(2)'s struct at SCHED_ATTR_SIZE_VER1, under our own name:
 * newer C libraries declare `struct sched_attr` themselves. */
struct sched_attr_v1 {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1
/* The largest CPU number Linux can have (CONFIG_NR_CPUS is at most 8192). */
#define MAX_CPUS 8192

static const char *const policy_names[] = {
    [VD_SCHED_OTHER] = "SCHED_OTHER", [VD_SCHED_FIFO] = "SCHED_FIFO",
    [VD_SCHED_RR] = "SCHED_RR",       [VD_SCHED_BATCH] = "SCHED_BATCH",
    [VD_SCHED_ISO] = "SCHED_ISO",     [VD_SCHED_IDLE] = "SCHED_IDLE",
    [VD_SCHED_DEADLINE] = "SCHED_DEADLINE",
};

static const char *const mpol_names[] = {
    [VD_MPOL_DEFAULT] = "MPOL_DEFAULT",
    [VD_MPOL_PREFERRED] = "MPOL_PREFERRED",
    [VD_MPOL_BIND] = "MPOL_BIND",
    [VD_MPOL_INTERLEAVE] = "MPOL_INTERLEAVE",
    [VD_MPOL_LOCAL] = "MPOL_LOCAL",
    [VD_MPOL_PREFERRED_MANY] = "MPOL_PREFERRED_MANY",
    [VD_MPOL_WEIGHTED_INTERLEAVE] = "MPOL_WEIGHTED_INTERLEAVE",
};

static const char *const ioprio_class_names[] = {
    [VD_IOPRIO_CLASS_RT] = "IOPRIO_CLASS_RT",
    [VD_IOPRIO_CLASS_BE] = "IOPRIO_CLASS_BE",
    [VD_IOPRIO_CLASS_IDLE] = "IOPRIO_CLASS_IDLE",
};

static const char *const affinity_names[] = {
    [VD_AFFINITY_INITIAL] = "initial",
    [VD_AFFINITY_FINAL] = "final",
};

/* ---- the builder --------------------------------------------------------- */

int vd_builder_set_scheduler(vd_builder *b, const struct vd_scheduler *s, vd_error **err)
{
    if ((unsigned)s->policy >= VD_ARRAY_SIZE(policy_names))
        return vd_error_set(err, EINVAL, "scheduler: unknown policy %d", (int)s->policy);
    if (s->nice < -20 || s->nice > 19)
        return vd_error_set(err, EINVAL, "scheduler: nice %d is not between -20 and 19", s->nice);
    if (s->priority > 99)
        return vd_error_set(err, EINVAL, "scheduler: priority %u is above 99", s->priority);
    b->scheduler = *s;
    b->has_scheduler = true;
    return 0;
}

int vd_builder_set_io_priority(vd_builder *b, enum vd_ioprio_class cls, int level, vd_error **err)
{
    if ((unsigned)cls >= VD_ARRAY_SIZE(ioprio_class_names) || ioprio_class_names[cls] == NULL)
        return vd_error_set(err, EINVAL, "I/O priority: unknown class %d", (int)cls);
    if (level < 0 || level > 7)
        return vd_error_set(err, EINVAL, "I/O priority: level %d is not between 0 and 7", level);
    b->io_priority = (int)cls << IOPRIO_CLASS_SHIFT | level;
    b->has_io_priority = true;
    return 0;
}

static bool id_set_empty(const struct vd_id_set *set)
{
    for (size_t i = 0; set && i < set->n_words; i++)
        if (set->words[i])
            return false;
    return true;
}

/* A copy of `set` trimmed of its trailing zero words. */
static int id_set_copy(const struct vd_id_set *set, uint64_t **out, size_t *n, vd_error **err)
{
    size_t words = set ? set->n_words : 0;
    while (words && set->words[words - 1] == 0)
        words--;
    uint64_t *copy = calloc(words ? words : 1, sizeof(uint64_t));
    if (copy == NULL)
        return vd_error_set(err, ENOMEM, "copy an id set");
    if (words)
        memcpy(copy, set->words, words * sizeof(uint64_t));
    free(*out);
    *out = copy;
    *n = words;
    return 0;
}

int vd_builder_set_cpu_affinity(vd_builder *b, enum vd_affinity_at at, const struct vd_id_set *cpus,
                                vd_error **err)
{
    if ((unsigned)at >= VD_ARRAY_SIZE(affinity_names))
        return vd_error_set(err, EINVAL, "CPU affinity: unknown moment %d", (int)at);
    if (id_set_empty(cpus))
        return vd_error_set(err, EINVAL, "%s CPU affinity: no CPU", affinity_names[at]);
    for (size_t i = MAX_CPUS / 64; i < cpus->n_words; i++)
        if (cpus->words[i])
            return vd_error_set(err, EINVAL, "%s CPU affinity: a CPU above %d", affinity_names[at],
                            MAX_CPUS - 1);
    return id_set_copy(cpus, &b->cpu_affinity[at], &b->n_cpu_affinity[at], err);
}

int vd_builder_set_memory_policy(vd_builder *b, enum vd_mpol_mode mode, unsigned flags,
                                 const struct vd_id_set *nodes, vd_error **err)
{
    const unsigned known = VD_MPOL_F_NUMA_BALANCING | VD_MPOL_F_RELATIVE_NODES |
                           VD_MPOL_F_STATIC_NODES;
    if ((unsigned)mode >= VD_ARRAY_SIZE(mpol_names))
        return vd_error_set(err, EINVAL, "memory policy: unknown mode %d", (int)mode);
    if (flags & ~known)
        return vd_error_set(err, EINVAL, "memory policy: unknown flags %#x", flags & ~known);
    if (id_set_copy(nodes, &b->mempolicy_nodes, &b->n_mempolicy_nodes, err) < 0)
        return -1;
    b->mempolicy_mode = (int)((unsigned)mode | flags);
    b->has_memory_policy = true;
    return 0;
}

void vd_builder_free_sched(vd_builder *b)
{
    free(b->cpu_affinity[VD_AFFINITY_INITIAL]);
    free(b->cpu_affinity[VD_AFFINITY_FINAL]);
    free(b->mempolicy_nodes);
}

/* ---- the child ----------------------------------------------------------- */

/* EPERM from the kernel says little; say what it wanted. */
#define NEEDS(cap) \
    " (needs " cap " in the host's user namespace: root of a new user namespace lacks it)"

int vd_child_set_scheduling(const vd_builder *b, vd_error **err)
{
    if (b->has_scheduler) {
        const struct vd_scheduler *s = &b->scheduler;
        struct sched_attr_v1 attr = {
            .size = sizeof(attr), .sched_policy = (uint32_t)s->policy, .sched_flags = s->flags,
            .sched_nice = s->nice, .sched_priority = s->priority, .sched_runtime = s->runtime,
            .sched_deadline = s->deadline, .sched_period = s->period,
        };
        if (vd_sys_sched_setattr(0, &attr, 0) < 0) {
            int e = errno;
            const char *hint = e != EPERM ? ""
                               : s->policy == VD_SCHED_DEADLINE
                                   ? " (SCHED_DEADLINE needs CAP_SYS_NICE in the host's user "
                                     "namespace, and every CPU in the process's affinity)"
                                   : s->policy == VD_SCHED_FIFO || s->policy == VD_SCHED_RR
                                   ? " (needs CAP_SYS_NICE in the host's user namespace, and on "
                                     "cgroup v1 with real-time group scheduling a real-time "
                                     "budget in the container's cpu cgroup: "
                                     "linux.resources.cpu.realtimeRuntime)"
                                   : NEEDS("CAP_SYS_NICE");
            return vd_error_set(err, e, "set scheduler %s (priority %u, nice %d, flags %#llx)%s",
                                policy_names[s->policy], s->priority, s->nice,
                                (unsigned long long)s->flags, hint);
        }
    }
    if (b->has_io_priority &&
        vd_sys_ioprio_set(IOPRIO_WHO_PROCESS, 0, b->io_priority) < 0) {
        int e = errno;
        return vd_error_set(err, e, "set I/O priority %s level %d%s",
                            ioprio_class_names[b->io_priority >> IOPRIO_CLASS_SHIFT],
                            b->io_priority & 7, e == EPERM ? NEEDS("CAP_SYS_NICE") : "");
    }
    return 0;
}

/* "0-1,5": `set` as a CPU list, for messages. */
static void format_cpus(const cpu_set_t *set, size_t size, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int cpu = 0; cpu < MAX_CPUS && used < len; cpu++) {
        if (!CPU_ISSET_S((size_t)cpu, size, set))
            continue;
        int last = cpu;
        while (last + 1 < MAX_CPUS && CPU_ISSET_S((size_t)last + 1, size, set))
            last++;
        used += (size_t)snprintf(buf + used, len - used, last > cpu ? "%s%d-%d" : "%s%d",
                                 used ? "," : "", cpu, last);
        cpu = last;
    }
}

/* The kernel takes the CPUs it can and drops the rest without a word;
 * every CPU asked for must be there. */
static int check_affinity(const char *what, const cpu_set_t *want, size_t size, vd_error **err)
{
    cpu_set_t *got = CPU_ALLOC(MAX_CPUS);
    if (got == NULL)
        return vd_error_set(err, ENOMEM, "%s CPU affinity", what);
    int r = 0;
    if (sched_getaffinity(0, size, got) < 0) {
        r = vd_error_set(err, errno, "%s CPU affinity: read it back", what);
    } else {
        for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
            if (CPU_ISSET_S((size_t)cpu, size, want) && !CPU_ISSET_S((size_t)cpu, size, got)) {
                char allowed[256];
                format_cpus(got, size, allowed, sizeof(allowed));
                r = vd_error_set(err, 0, "%s CPU affinity: CPU %d is offline or not allowed "
                                 "here (allowed: %s)", what, cpu, allowed);
                break;
            }
        }
    }
    CPU_FREE(got);
    return r;
}

/* words == NULL: every CPU (the kernel keeps those the cpuset allows). */
static int set_affinity(const char *what, const uint64_t *words, size_t n_words, vd_error **err)
{
    size_t size = CPU_ALLOC_SIZE(MAX_CPUS);
    cpu_set_t *set = CPU_ALLOC(MAX_CPUS);
    if (set == NULL)
        return vd_error_set(err, ENOMEM, "%s CPU affinity", what);
    CPU_ZERO_S(size, set);
    for (size_t cpu = 0; cpu < MAX_CPUS; cpu++)
        if (words == NULL || (cpu / 64 < n_words && (words[cpu / 64] >> (cpu % 64) & 1)))
            CPU_SET_S(cpu, size, set);
    int r = 0;
    if (sched_setaffinity(0, size, set) < 0) {
        char list[256];
        format_cpus(set, size, list, sizeof(list));
        r = vd_error_set(err, errno, "set %s CPU affinity %s", what, words ? list : "(all)");
    } else if (words) {
        r = check_affinity(what, set, size, err);
    }
    CPU_FREE(set);
    return r;
}

int vd_child_set_initial_affinity(const vd_builder *b, vd_error **err)
{
    const uint64_t *cpus = b->cpu_affinity[VD_AFFINITY_INITIAL];
    if (cpus == NULL)
        return 0;
    return set_affinity("initial", cpus, b->n_cpu_affinity[VD_AFFINITY_INITIAL], err);
}

int vd_child_set_final_affinity(const vd_builder *b, vd_error **err)
{
    const uint64_t *cpus = b->cpu_affinity[VD_AFFINITY_FINAL];
    if (cpus)
        return set_affinity("final", cpus, b->n_cpu_affinity[VD_AFFINITY_FINAL], err);
    /* The initial affinity was for the setup only: the program gets the
     * container's default, every CPU its cpuset allows. */
    if (b->cpu_affinity[VD_AFFINITY_INITIAL])
        return set_affinity("final", NULL, 0, err);
    return 0;
}

/* "0-1,5": the numbers in `words`, for messages. */
static void format_words(const uint64_t *words, size_t n_words, char *buf, size_t len)
{
    size_t used = 0, n = n_words * 64;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        if (!(words[i / 64] >> (i % 64) & 1))
            continue;
        size_t last = i;
        while (last + 1 < n && (words[(last + 1) / 64] >> ((last + 1) % 64) & 1))
            last++;
        used += (size_t)snprintf(buf + used, len - used, last > i ? "%s%zu-%zu" : "%s%zu",
                                 used ? "," : "", i, last);
        i = last;
    }
}

/* Without MPOL_F_STATIC_NODES or MPOL_F_RELATIVE_NODES the kernel keeps
 * only the nodes this process may use, and drops the others without a
 * word: every node asked for must be one of them. */
static int check_nodes(const vd_builder *b, vd_error **err)
{
    unsigned flags = (unsigned)b->mempolicy_mode &
                     (VD_MPOL_F_STATIC_NODES | VD_MPOL_F_RELATIVE_NODES);
    size_t n = b->n_mempolicy_nodes;
    if (flags || n == 0)
        return 0;
    /* get_mempolicy(2) wants room for every node the kernel may have. */
    uint64_t allowed[1024 / 64] = {0};
    const unsigned long mems_allowed = 4; /* MPOL_F_MEMS_ALLOWED */
    if (vd_sys_get_mempolicy(NULL, allowed, 1024UL, NULL, mems_allowed) < 0)
        return vd_error_set(err, errno, "memory policy: read the nodes allowed here");
    for (size_t node = 0; node < n * 64; node++) {
        bool want = b->mempolicy_nodes[node / 64] >> (node % 64) & 1;
        bool ok = node < 1024 && (allowed[node / 64] >> (node % 64) & 1);
        if (want && !ok)
            return vd_error_set(err, 0, "memory policy: node %zu is offline or not allowed here",
                                node);
    }
    return 0;
}

int vd_child_set_memory_policy(const vd_builder *b, vd_error **err)
{
    if (!b->has_memory_policy)
        return 0;
    if (check_nodes(b, err) < 0)
        return -1;
    size_t n = b->n_mempolicy_nodes;
    /* maxnode counts one more bit than the mask holds: the kernel has
     * always read one bit fewer than it is told. */
    if (vd_sys_set_mempolicy(b->mempolicy_mode, n ? b->mempolicy_nodes : NULL,
                             n ? n * 64 + 1 : 0) < 0) {
        int e = errno;
        unsigned mode = (unsigned)b->mempolicy_mode & 0xff;
        const char *hint = "";
        if (e == EINVAL && mode == VD_MPOL_WEIGHTED_INTERLEAVE)
            hint = " (it needs Linux 6.9 or later)";
        else if (e == EINVAL && mode == VD_MPOL_PREFERRED_MANY)
            hint = " (it needs Linux 5.15 or later)";
        char nodes[256];
        format_words(b->mempolicy_nodes, n, nodes, sizeof(nodes));
        return vd_error_set(err, e, "set memory policy %s on nodes \"%s\" with flags %#x%s",
                            mpol_names[mode], nodes, (unsigned)b->mempolicy_mode & ~0xffu, hint);
    }
    return 0;
}
