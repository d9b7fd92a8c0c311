/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json's process attributes that the kernel keeps per process:
 * process.scheduler, process.ioPriority, process.execCPUAffinity, and the
 * two that the spec keeps under "linux", linux.personality and
 * linux.memoryPolicy.  Everything the kernel would silently ignore or clamp
 * is refused here, with its JSON path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>

#include "spec_internal.h"
#include "utils.h"

/* The largest CPU and NUMA node numbers Linux can have (CONFIG_NR_CPUS
 * and CONFIG_NODES_SHIFT at their maximum). */
#define MAX_CPU 8191
#define MAX_NODE 1023

struct name_value {
    const char *name;
    int value;
};

static const struct name_value sched_policies[] = {
    {"SCHED_OTHER", VD_SCHED_OTHER}, {"SCHED_FIFO", VD_SCHED_FIFO},
    {"SCHED_RR", VD_SCHED_RR},       {"SCHED_BATCH", VD_SCHED_BATCH},
    {"SCHED_ISO", VD_SCHED_ISO},     {"SCHED_IDLE", VD_SCHED_IDLE},
    {"SCHED_DEADLINE", VD_SCHED_DEADLINE},
};

/* SCHED_FLAG_* of <linux/sched.h> */
static const struct name_value sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};
/* Flags only SCHED_DEADLINE reads: with another policy they would be dropped. */
#define DEADLINE_ONLY_FLAGS (0x02 | 0x04)

static const struct name_value ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", VD_IOPRIO_CLASS_RT},
    {"IOPRIO_CLASS_BE", VD_IOPRIO_CLASS_BE},
    {"IOPRIO_CLASS_IDLE", VD_IOPRIO_CLASS_IDLE},
};

static const struct name_value personality_domains[] = {
    {"LINUX", PER_LINUX},
    {"LINUX32", PER_LINUX32},
};

static const struct name_value mpol_modes[] = {
    {"MPOL_DEFAULT", VD_MPOL_DEFAULT},
    {"MPOL_BIND", VD_MPOL_BIND},
    {"MPOL_INTERLEAVE", VD_MPOL_INTERLEAVE},
    {"MPOL_WEIGHTED_INTERLEAVE", VD_MPOL_WEIGHTED_INTERLEAVE},
    {"MPOL_PREFERRED", VD_MPOL_PREFERRED},
    {"MPOL_PREFERRED_MANY", VD_MPOL_PREFERRED_MANY},
    {"MPOL_LOCAL", VD_MPOL_LOCAL},
};

static const struct name_value mpol_flags[] = {
    {"MPOL_F_NUMA_BALANCING", (int)VD_MPOL_F_NUMA_BALANCING},
    {"MPOL_F_RELATIVE_NODES", (int)VD_MPOL_F_RELATIVE_NODES},
    {"MPOL_F_STATIC_NODES", (int)VD_MPOL_F_STATIC_NODES},
};

#define FIND(table, name, out) find_value(table, VD_ARRAY_SIZE(table), name, out)

static int find_value(const struct name_value *table, size_t n, const char *name, int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0) {
            *out = table[i].value;
            return 0;
        }
    return -1;
}

const char *oci_memory_policy_mode_at(size_t i)
{
    return i < VD_ARRAY_SIZE(mpol_modes) ? mpol_modes[i].name : NULL;
}

const char *oci_memory_policy_flag_at(size_t i)
{
    return i < VD_ARRAY_SIZE(mpol_flags) ? mpol_flags[i].name : NULL;
}

/* ---- lists of numbers ---------------------------------------------------- */

/* One number of a list: decimal digits only, at most `max`. */
static int list_number(const char **p, unsigned max, unsigned *out)
{
    if (**p < '0' || **p > '9')
        return -EINVAL;
    unsigned long n = 0;
    while (**p >= '0' && **p <= '9') {
        n = n * 10 + (unsigned long)(**p - '0');
        if (n > max)
            return -ERANGE;
        (*p)++;
    }
    *out = (unsigned)n;
    return 0;
}

static void id_set_add(uint64_t *words, unsigned from, unsigned to)
{
    for (unsigned i = from; i <= to; i++)
        words[i / 64] |= UINT64_C(1) << (i % 64);
}

/* "0-3,7" into a set, as the kernel writes CPU and node lists (without
 * its ":stride" form).  An empty string is an empty set.  `what` is "CPU"
 * or "node", for the messages. */
static int parse_list_text(const char *text, unsigned max, struct oci_id_set *set, const char *what,
                      char *problem, size_t problem_len)
{
    size_t n_words = max / 64 + 1;
    uint64_t *words = calloc(n_words, sizeof(uint64_t));
    if (words == NULL)
        return -ENOMEM;
    unsigned highest = 0;
    bool any = false;
    for (const char *p = text; *p;) {
        unsigned from, to;
        int r = list_number(&p, max, &from);
        to = from;
        if (r == 0 && *p == '-') {
            p++;
            r = list_number(&p, max, &to);
        }
        if (r == 0 && *p != '\0' && *p != ',')
            r = -EINVAL;
        if (r == 0 && *p == ',' && p[1] == '\0')
            r = -EINVAL;
        if (r == 0 && to < from) {
            snprintf(problem, problem_len, "%s range %u-%u runs backwards", what, from, to);
            free(words);
            return -EINVAL;
        }
        if (r < 0) {
            if (r == -ERANGE)
                snprintf(problem, problem_len, "%s numbers go up to %u", what, max);
            else
                problem[0] = '\0';
            free(words);
            return r;
        }
        id_set_add(words, from, to);
        any = true;
        highest = to > highest ? to : highest;
        if (*p == ',')
            p++;
    }
    free(set->words);
    set->words = any ? words : NULL;
    set->n_words = any ? highest / 64 + 1 : 0;
    if (!any)
        free(words);
    return 0;
}

/* A member holding such a list: "<path>: invalid CPU list \"a-b\"". */
static int parse_id_list(vd_error **err, const struct oci_json *v, unsigned max, const char *what,
                         struct oci_id_set *set)
{
    _cleanup_free_ char *text = NULL;
    int r = spec_string(err, v, &text);
    if (r < 0)
        return r;
    char problem[96];
    r = parse_list_text(text, max, set, what, problem, sizeof(problem));
    if (r == -ENOMEM)
        return spec_oom(err);
    if (r < 0 && problem[0]) {
        _cleanup_free_ char *quoted = oci_json_quote(text, strlen(text));
        if (quoted == NULL)
            return spec_oom(err);
        return spec_error(err, v, NULL, "invalid %s list %s: %s", what, quoted, problem);
    }
    if (r < 0) {
        char label[32];
        snprintf(label, sizeof(label), "invalid %s list", what);
        return spec_error_value(err, v, label, text);
    }
    return 0;
}

static void id_set_free(struct oci_id_set *set)
{
    free(set->words);
    set->words = NULL;
    set->n_words = 0;
}

/* A required string member that must be one of `table`'s names. */
static int parse_enum(vd_error **err, const struct oci_json *obj, const char *key,
                      const struct name_value *table, size_t n, const char *kind, char **name,
                      int *value)
{
    const struct oci_json *v;
    int r = spec_require(err, obj, key, OCI_JSON_STRING, &v);
    if (r == 0)
        r = spec_string(err, v, name);
    if (r < 0)
        return r;
    if (find_value(table, n, *name, value) < 0) {
        char label[48];
        snprintf(label, sizeof(label), "unknown %s", kind);
        return spec_error_value(err, v, label, *name);
    }
    return 0;
}

/* An optional array of names from `table`, OR'ed into *bits. */
static int parse_flag_names(vd_error **err, const struct oci_json *obj, const char *key,
                            const struct name_value *table, size_t n, uint64_t *bits)
{
    const struct oci_json *v = spec_member(obj, key);
    if (v == NULL)
        return 0;
    int r = spec_expect(err, v, OCI_JSON_ARRAY);
    for (size_t i = 0; r == 0 && i < oci_json_len(v); i++) {
        const struct oci_json *item = oci_json_item(v, i);
        _cleanup_free_ char *name = NULL;
        int value;
        if ((r = spec_string(err, item, &name)) < 0)
            break;
        if (find_value(table, n, name, &value) < 0)
            r = spec_error_value(err, item, "unknown flag", name);
        else
            *bits |= (uint64_t)(unsigned)value;
    }
    return r;
}

/* ---- process.scheduler --------------------------------------------------- */

static int parse_sched_numbers(vd_error **err, const struct oci_json *v, struct oci_scheduler *s)
{
    const struct oci_json *m;
    int r = 0;
    if ((m = spec_member(v, "nice")))
        r = spec_int_between(err, m, -20, 19, &s->nice);
    if (r == 0 && (m = spec_member(v, "priority")))
        r = spec_int_between(err, m, 0, 99, &s->priority);
    if (r == 0 && (m = spec_member(v, "runtime")))
        r = spec_uint64(err, m, &s->runtime);
    if (r == 0 && (m = spec_member(v, "deadline")))
        r = spec_uint64(err, m, &s->deadline);
    if (r == 0 && (m = spec_member(v, "period")))
        r = spec_uint64(err, m, &s->period);
    return r;
}

/* The kernel's rules for SCHED_DEADLINE (__checkparam_dl), said before it
 * answers a bare EINVAL: runtime <= deadline <= period, and the runtime at
 * least 1024 ns. */
static int check_deadline(vd_error **err, const struct oci_json *v, const struct oci_scheduler *s)
{
    if (s->deadline == 0)
        return spec_error(err, v, "deadline", "is required with SCHED_DEADLINE");
    if (s->runtime < 1024)
        return spec_error(err, v, "runtime", "must be at least 1024 (ns) with SCHED_DEADLINE");
    if (s->runtime > s->deadline)
        return spec_error(err, v, "runtime", "must not exceed deadline");
    if (s->period && s->period < s->deadline)
        return spec_error(err, v, "period", "must not be less than deadline");
    if ((s->deadline | s->period) >> 63)
        return spec_error(err, v, s->deadline >> 63 ? "deadline" : "period",
                          "must be below 2^63");
    return 0;
}

/* What the kernel would ignore for this policy is refused. */
static int check_scheduler(vd_error **err, const struct oci_json *v, const struct oci_scheduler *s)
{
    bool realtime = s->policy_value == VD_SCHED_FIFO || s->policy_value == VD_SCHED_RR;
    bool deadline = s->policy_value == VD_SCHED_DEADLINE;
    if (realtime && s->priority == 0)
        return spec_error(err, v, "priority", "must be between 1 and 99 with %s", s->policy);
    if (!realtime && s->priority != 0)
        return spec_error(err, v, "priority", "must be 0 with %s (only SCHED_FIFO and SCHED_RR "
                          "use it)", s->policy);
    if ((realtime || deadline) && s->nice != 0)
        return spec_error(err, v, "nice", "must be 0 with %s (it does not use it)", s->policy);
    if (!deadline && (s->flags & DEADLINE_ONLY_FLAGS))
        return spec_error(err, v, "flags", "%s needs SCHED_DEADLINE",
                          s->flags & 0x02 ? "SCHED_FLAG_RECLAIM" : "SCHED_FLAG_DL_OVERRUN");
    if (!deadline) {
        static const char *const dl_keys[] = {"runtime", "deadline", "period"};
        const uint64_t dl_values[] = {s->runtime, s->deadline, s->period};
        for (size_t i = 0; i < VD_ARRAY_SIZE(dl_keys); i++)
            if (dl_values[i])
                return spec_error(err, v, dl_keys[i], "only SCHED_DEADLINE uses it");
        return 0;
    }
    return check_deadline(err, v, s);
}

static int parse_scheduler(vd_error **err, const struct oci_json *v, struct oci_scheduler *s)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = parse_enum(err, v, "policy", sched_policies, VD_ARRAY_SIZE(sched_policies),
                       "policy", &s->policy, &s->policy_value);
    if (r == 0)
        r = parse_sched_numbers(err, v, s);
    if (r == 0)
        r = parse_flag_names(err, v, "flags", sched_flags, VD_ARRAY_SIZE(sched_flags), &s->flags);
    return r < 0 ? r : check_scheduler(err, v, s);
}

/* ---- process.ioPriority, process.execCPUAffinity -------------------------- */

static int parse_io_priority(vd_error **err, const struct oci_json *v, struct oci_io_priority *io)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = parse_enum(err, v, "class", ioprio_classes, VD_ARRAY_SIZE(ioprio_classes), "class",
                       &io->class_name, &io->class_value);
    if (r == 0 && (r = spec_require(err, v, "priority", OCI_JSON_NUMBER, &m)) == 0)
        r = spec_int_between(err, m, 0, 7, &io->priority);
    return r;
}

static int parse_cpu_affinity(vd_error **err, const struct oci_json *v, struct oci_cpu_affinity *a)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (m = spec_member(v, "initial")))
        r = parse_id_list(err, m, MAX_CPU, "CPU", &a->initial);
    if (r == 0 && (m = spec_member(v, "final")))
        r = parse_id_list(err, m, MAX_CPU, "CPU", &a->final_);
    return r;
}

int spec_parse_sched(vd_error **err, const struct oci_json *process, struct oci_process *p)
{
    const struct oci_json *v;
    int r = 0;
    if ((v = spec_member(process, "scheduler"))) {
        if ((p->scheduler = calloc(1, sizeof(*p->scheduler))) == NULL)
            return spec_oom(err);
        r = parse_scheduler(err, v, p->scheduler);
    }
    if (r == 0 && (v = spec_member(process, "ioPriority"))) {
        if ((p->io_priority = calloc(1, sizeof(*p->io_priority))) == NULL)
            return spec_oom(err);
        r = parse_io_priority(err, v, p->io_priority);
    }
    if (r == 0 && (v = spec_member(process, "execCPUAffinity"))) {
        if ((p->exec_cpu_affinity = calloc(1, sizeof(*p->exec_cpu_affinity))) == NULL)
            return spec_oom(err);
        r = parse_cpu_affinity(err, v, p->exec_cpu_affinity);
    }
    return r;
}

void spec_sched_free(struct oci_process *p)
{
    if (p->scheduler)
        free(p->scheduler->policy);
    free(p->scheduler);
    if (p->io_priority)
        free(p->io_priority->class_name);
    free(p->io_priority);
    if (p->exec_cpu_affinity) {
        id_set_free(&p->exec_cpu_affinity->initial);
        id_set_free(&p->exec_cpu_affinity->final_);
    }
    free(p->exec_cpu_affinity);
}

/* ---- linux.personality, linux.memoryPolicy -------------------------------- */

static int parse_personality(vd_error **err, const struct oci_json *v, struct oci_personality *pe)
{
    int domain = 0;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = parse_enum(err, v, "domain", personality_domains, VD_ARRAY_SIZE(personality_domains),
                       "domain", &pe->domain, &domain);
    pe->persona = (unsigned long)domain;
    /* The spec defines no flag yet: any one is unknown. */
    uint64_t none = 0;
    if (r == 0)
        r = parse_flag_names(err, v, "flags", NULL, 0, &none);
    return r;
}

static bool mpol_takes_no_nodes(int mode)
{
    return mode == VD_MPOL_DEFAULT || mode == VD_MPOL_LOCAL;
}

/* PREFERRED without nodes means local allocation; the others need some. */
static bool mpol_needs_nodes(int mode)
{
    return !mpol_takes_no_nodes(mode) && mode != VD_MPOL_PREFERRED;
}

static size_t id_set_count(const struct oci_id_set *set)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n_words; i++)
        n += (size_t)__builtin_popcountll(set->words[i]);
    return n;
}

static int check_memory_policy(vd_error **err, const struct oci_json *v,
                               const struct oci_memory_policy *mp)
{
    bool has_nodes = mp->nodes.n_words > 0;
    /* The kernel would keep the first node and drop the others. */
    if (mp->mode_value == VD_MPOL_PREFERRED && id_set_count(&mp->nodes) > 1)
        return spec_error(err, v, "nodes", "MPOL_PREFERRED takes one node (MPOL_PREFERRED_MANY "
                          "takes several)");
    if (mpol_takes_no_nodes(mp->mode_value) && has_nodes)
        return spec_error(err, v, "nodes", "must be empty with %s", mp->mode);
    if (mpol_needs_nodes(mp->mode_value) && !has_nodes)
        return spec_error(err, v, "nodes", "is required with %s", mp->mode);
    if ((mp->flags & VD_MPOL_F_STATIC_NODES) && (mp->flags & VD_MPOL_F_RELATIVE_NODES))
        return spec_error(err, v, "flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES "
                          "exclude each other");
    if (!has_nodes && (mp->flags & (VD_MPOL_F_STATIC_NODES | VD_MPOL_F_RELATIVE_NODES)))
        return spec_error(err, v, "flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES "
                          "need nodes");
    return 0;
}

static int parse_memory_policy(vd_error **err, const struct oci_json *v,
                               struct oci_memory_policy *mp)
{
    const struct oci_json *m;
    uint64_t flags = 0;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = parse_enum(err, v, "mode", mpol_modes, VD_ARRAY_SIZE(mpol_modes), "mode", &mp->mode,
                       &mp->mode_value);
    if (r == 0 && (m = spec_member(v, "nodes")))
        r = parse_id_list(err, m, MAX_NODE, "node", &mp->nodes);
    if (r == 0)
        r = parse_flag_names(err, v, "flags", mpol_flags, VD_ARRAY_SIZE(mpol_flags), &flags);
    mp->flags = (unsigned)flags;
    return r < 0 ? r : check_memory_policy(err, v, mp);
}

int spec_parse_linux_sched(vd_error **err, const struct oci_json *linux_,
                                   struct oci_linux *l)
{
    const struct oci_json *v;
    int r = 0;
    if ((v = spec_member(linux_, "personality"))) {
        if ((l->personality = calloc(1, sizeof(*l->personality))) == NULL)
            return spec_oom(err);
        r = parse_personality(err, v, l->personality);
    }
    if (r == 0 && (v = spec_member(linux_, "memoryPolicy"))) {
        if ((l->memory_policy = calloc(1, sizeof(*l->memory_policy))) == NULL)
            return spec_oom(err);
        r = parse_memory_policy(err, v, l->memory_policy);
    }
    return r;
}

void spec_linux_sched_free(struct oci_linux *l)
{
    if (l->personality)
        free(l->personality->domain);
    free(l->personality);
    if (l->memory_policy) {
        free(l->memory_policy->mode);
        id_set_free(&l->memory_policy->nodes);
    }
    free(l->memory_policy);
}
