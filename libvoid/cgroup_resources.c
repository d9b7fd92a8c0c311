/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resource limits written into the container's cgroup files.  The values
 * come in the runtime-spec's (cgroup v1) terms; on v2 they are converted
 * the way runc does it (shares -> cpu.weight, memsw -> memory.swap.max,
 * blkio weight -> io.bfq.weight or io.weight ...).  Something the host's
 * cgroups cannot hold is an error naming the file, never skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_internal.h"

struct ctx {
    const vd_cgroup *cg;
    struct vd_cgroup_where *where;
    vd_error **err;
};

static int fail_at(struct ctx *c, enum vd_cgroup_field f, size_t index)
{
    if (c->where)
        *c->where = (struct vd_cgroup_where){.field = f, .index = index, .kind = c->where->kind};
    return -1;
}

/* The directory of `controller`; its absence is the error. */
static const struct vd_cgroup_dir *need(struct ctx *c, const char *controller,
                                        enum vd_cgroup_field f, size_t index)
{
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(c->cg, controller);
    if (d == NULL) {
        vd_error_set(c->err, ENOTSUP,
                     vd_cgroup_get_layout(c->cg) == VD_CGROUP_V2
                         ? "the container's cgroup has no %s controller: the host has none, or "
                           "the parent cgroup holds processes and cannot give it one"
                         : "the host has no %s cgroup controller",
                     controller);
        fail_at(c, f, index);
    }
    return d;
}

static int put(struct ctx *c, const struct vd_cgroup_dir *d, const char *file, const char *text,
               enum vd_cgroup_field f, size_t index)
{
    if (vd_cgroup_write(d, file, text, c->err) < 0)
        return fail_at(c, f, index);
    return 0;
}

static int put_i64(struct ctx *c, const struct vd_cgroup_dir *d, const char *file, int64_t v,
                   enum vd_cgroup_field f)
{
    char text[32];
    snprintf(text, sizeof(text), "%" PRId64, v);
    return put(c, d, file, text, f, 0);
}

/* v2 spells "no limit" as "max". */
static void v2_limit(char *text, size_t size, int64_t v)
{
    if (v < 0)
        snprintf(text, size, "max");
    else
        snprintf(text, size, "%" PRId64, v);
}

static int refuse(struct ctx *c, enum vd_cgroup_field f, size_t index, const char *why)
{
    vd_error_set(c->err, ENOTSUP, "%s", why);
    return fail_at(c, f, index);
}

/* ---- memory --------------------------------------------------------------- */

/* checkBeforeUpdate: a limit (not "unlimited") under what the cgroup uses
 * now is refused before the kernel could reclaim (or OOM-kill) towards it. */
static int check_limit_over_usage(struct ctx *c, const struct vd_cgroup_dir *d,
                                  const char *usage_file, const struct vd_cgroup_resources *r)
{
    uint64_t usage;
    int64_t limit = r->memory.limit.value;
    if (!r->memory.check_before_update || !r->memory.limit.set || limit < 0 ||
        vd_cgroup_read_u64(d, usage_file, &usage, NULL) < 0 || (uint64_t)limit >= usage)
        return 0;
    vd_error_set(c->err, 0,
                 "unable to set memory limit to %" PRId64 ": under the current usage %" PRIu64
                 " (checkBeforeUpdate)",
                 limit, usage);
    return fail_at(c, VD_CG_MEMORY_LIMIT, 0);
}

/* memory.limit_in_bytes; the kernel's refusals explained: EBUSY is a
 * limit under what the cgroup already uses, EINVAL one above memsw. */
static int put_memory_limit(struct ctx *c, const struct vd_cgroup_dir *d, int64_t limit)
{
    char text[32];
    snprintf(text, sizeof(text), "%" PRId64, limit);
    int r = vd_cgroup_write(d, "memory.limit_in_bytes", text, c->err);
    if (r == 0)
        return 0;
    uint64_t usage = 0, peak = 0, memsw = 0;
    if (r == -EBUSY && vd_cgroup_read_u64(d, "memory.usage_in_bytes", &usage, NULL) == 0 &&
        vd_cgroup_read_u64(d, "memory.max_usage_in_bytes", &peak, NULL) == 0)
        vd_error_set(c->err, 0,
                     "unable to set memory limit to %" PRId64 " (current usage: %" PRIu64
                     ", peak usage: %" PRIu64 ")",
                     limit, usage, peak);
    else if (r == -EINVAL &&
             vd_cgroup_read_u64(d, "memory.memsw.limit_in_bytes", &memsw, NULL) == 0 &&
             (limit < 0 || (uint64_t)limit > memsw))
        vd_error_set(c->err, 0,
                     "unable to set memory limit to %" PRId64 ": above the memory+swap limit "
                     "%" PRIu64 " (raise memory.swap with it)",
                     limit, memsw);
    return fail_at(c, VD_CG_MEMORY_LIMIT, 0);
}

/* memsw (memory + swap) must stay >= the limit after every write, so the
 * order depends on where both go (runc's rule): memsw first when it grows
 * past the current limit or becomes unlimited, the limit first otherwise. */
static int memory_and_swap_v1(struct ctx *c, const struct vd_cgroup_dir *d,
                              const struct vd_cgroup_resources *r)
{
    struct vd_opt limit = r->memory.limit, swap = r->memory.swap;
    /* No memory limit and no word on swap: swap unlimited too, which the
     * kernel requires (memsw may not be below the limit). */
    if (limit.set && limit.value == -1 && !swap.set &&
        vd_cgroup_has_file(d, "memory.memsw.limit_in_bytes"))
        swap = (struct vd_opt){.set = true, .value = -1};
    bool swap_first = false;
    if (limit.set && swap.set) {
        uint64_t current = 0;
        if (vd_cgroup_read_u64(d, "memory.limit_in_bytes", &current, c->err) < 0)
            return fail_at(c, VD_CG_MEMORY_LIMIT, 0);
        swap_first = swap.value == -1 || current < (uint64_t)swap.value;
    }
    if (swap_first && put_i64(c, d, "memory.memsw.limit_in_bytes", swap.value,
                              VD_CG_MEMORY_SWAP) < 0)
        return -1;
    if (limit.set && put_memory_limit(c, d, limit.value) < 0)
        return -1;
    if (!swap_first && swap.set &&
        put_i64(c, d, "memory.memsw.limit_in_bytes", swap.value, VD_CG_MEMORY_SWAP) < 0)
        return -1;
    return 0;
}

/* Linux 5.16 and later take a write to memory.kmem.limit_in_bytes and
 * ignore it (the file reads back unlimited): a limit the kernel drops is
 * refused, not silently lost. */
static int put_kernel_memory(struct ctx *c, const struct vd_cgroup_dir *d, int64_t limit)
{
    if (put_i64(c, d, "memory.kmem.limit_in_bytes", limit, VD_CG_MEMORY_KERNEL) < 0)
        return -1;
    if (limit < 0)
        return 0;
    uint64_t now, page = (uint64_t)sysconf(_SC_PAGESIZE);
    if (vd_cgroup_read_u64(d, "memory.kmem.limit_in_bytes", &now, c->err) < 0)
        return fail_at(c, VD_CG_MEMORY_KERNEL, 0);
    if (now == (uint64_t)limit / page * page)
        return 0;
    return refuse(c, VD_CG_MEMORY_KERNEL, 0,
                  "this kernel ignores kernel memory limits (memory.kmem.limit_in_bytes "
                  "reads back unchanged)");
}

static int memory_v1(struct ctx *c, const struct vd_cgroup_dir *d, const struct vd_cgroup_resources *r)
{
    if (check_limit_over_usage(c, d, "memory.usage_in_bytes", r) < 0 ||
        memory_and_swap_v1(c, d, r) < 0)
        return -1;
    if (r->memory.reservation.set &&
        put_i64(c, d, "memory.soft_limit_in_bytes", r->memory.reservation.value,
                VD_CG_MEMORY_RESERVATION) < 0)
        return -1;
    if (r->memory.kernel.set && put_kernel_memory(c, d, r->memory.kernel.value) < 0)
        return -1;
    if (r->memory.kernel_tcp.set &&
        put_i64(c, d, "memory.kmem.tcp.limit_in_bytes", r->memory.kernel_tcp.value,
                VD_CG_MEMORY_KERNEL_TCP) < 0)
        return -1;
    if (r->memory.swappiness.set && put_i64(c, d, "memory.swappiness",
                                            r->memory.swappiness.value,
                                            VD_CG_MEMORY_SWAPPINESS) < 0)
        return -1;
    if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer &&
        put(c, d, "memory.oom_control", "1", VD_CG_MEMORY_OOM, 0) < 0)
        return -1;
    if (r->memory.has_use_hierarchy &&
        put(c, d, "memory.use_hierarchy", r->memory.use_hierarchy ? "1" : "0",
            VD_CG_MEMORY_HIERARCHY, 0) < 0)
        return -1;
    return 0;
}

/* runc's conversion: v1 memsw is memory + swap, v2 swap.max is swap alone.
 * Without a new limit (an update of swap alone) the current memory.max
 * is the limit it counts from. */
static int v2_swap(struct ctx *c, const struct vd_cgroup_dir *d,
                   const struct vd_cgroup_resources *r, char *text, size_t size)
{
    int64_t swap = r->memory.swap.value, limit = r->memory.limit.set ? r->memory.limit.value : -1;
    uint64_t current = UINT64_MAX;
    if (!r->memory.limit.set && swap != -1 &&
        vd_cgroup_read_u64(d, "memory.max", &current, NULL) == 0 && current <= INT64_MAX)
        limit = (int64_t)current;
    if (swap == -1) {
        snprintf(text, size, "max");
        return 0;
    }
    if (limit == -1 || limit == 0)
        return refuse(c, VD_CG_MEMORY_SWAP, 0,
                      "a swap limit needs a memory limit on cgroup v2 (memory.swap.max is "
                      "swap - limit)");
    if (swap < limit)
        return refuse(c, VD_CG_MEMORY_SWAP, 0,
                      "must not be below memory.limit (it counts memory plus swap)");
    snprintf(text, size, "%" PRId64, swap - limit);
    return 0;
}

static int memory_v2(struct ctx *c, const struct vd_cgroup_dir *d, const struct vd_cgroup_resources *r)
{
    char text[32];
    if (check_limit_over_usage(c, d, "memory.current", r) < 0)
        return -1;
    if (r->memory.swap.set) {
        if (v2_swap(c, d, r, text, sizeof(text)) < 0 ||
            put(c, d, "memory.swap.max", text, VD_CG_MEMORY_SWAP, 0) < 0)
            return -1;
    }
    if (r->memory.limit.set) {
        v2_limit(text, sizeof(text), r->memory.limit.value);
        if (put(c, d, "memory.max", text, VD_CG_MEMORY_LIMIT, 0) < 0)
            return -1;
    }
    if (r->memory.reservation.set) {
        v2_limit(text, sizeof(text), r->memory.reservation.value);
        if (put(c, d, "memory.low", text, VD_CG_MEMORY_RESERVATION, 0) < 0)
            return -1;
    }
    if (r->memory.kernel.set)
        return refuse(c, VD_CG_MEMORY_KERNEL, 0, "cgroup v2 has no kernel memory limit");
    if (r->memory.kernel_tcp.set)
        return refuse(c, VD_CG_MEMORY_KERNEL_TCP, 0, "cgroup v2 has no kernel TCP memory limit");
    if (r->memory.swappiness.set)
        return refuse(c, VD_CG_MEMORY_SWAPPINESS, 0, "cgroup v2 has no memory.swappiness");
    if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
        return refuse(c, VD_CG_MEMORY_OOM, 0, "cgroup v2 cannot disable the OOM killer");
    if (r->memory.has_use_hierarchy && !r->memory.use_hierarchy)
        return refuse(c, VD_CG_MEMORY_HIERARCHY, 0, "cgroup v2 is always hierarchical");
    return 0;
}

static bool any_memory(const struct vd_cgroup_resources *r)
{
    return r->memory.limit.set || r->memory.reservation.set || r->memory.swap.set ||
           r->memory.kernel.set || r->memory.kernel_tcp.set || r->memory.swappiness.set ||
           r->memory.has_disable_oom_killer || r->memory.has_use_hierarchy;
}

static int set_memory(struct ctx *c, const struct vd_cgroup_resources *r)
{
    if (!any_memory(r))
        return 0;
    enum vd_cgroup_field first = r->memory.limit.set ? VD_CG_MEMORY_LIMIT : VD_CG_MEMORY_SWAP;
    const struct vd_cgroup_dir *d = need(c, "memory", first, 0);
    if (d == NULL)
        return -1;
    return d->v2 ? memory_v2(c, d, r) : memory_v1(c, d, r);
}

/* ---- cpu ------------------------------------------------------------------ */

static int cpu_v1(struct ctx *c, const struct vd_cgroup_dir *d, const struct vd_cgroup_resources *r)
{
    const struct {
        const struct vd_opt *v;
        const char *file;
        enum vd_cgroup_field f;
    } files[] = {
        {&r->cpu.shares, "cpu.shares", VD_CG_CPU_SHARES},
        /* period before quota: the kernel checks quota against it */
        {&r->cpu.period, "cpu.cfs_period_us", VD_CG_CPU_PERIOD},
        {&r->cpu.quota, "cpu.cfs_quota_us", VD_CG_CPU_QUOTA},
        {&r->cpu.burst, "cpu.cfs_burst_us", VD_CG_CPU_BURST},
        /* period first here too: runtime must fit in it */
        {&r->cpu.realtime_period, "cpu.rt_period_us", VD_CG_CPU_RT_PERIOD},
        {&r->cpu.realtime_runtime, "cpu.rt_runtime_us", VD_CG_CPU_RT_RUNTIME},
        {&r->cpu.idle, "cpu.idle", VD_CG_CPU_IDLE},
    };
    for (size_t i = 0; i < VD_ARRAY_SIZE(files); i++)
        if (files[i].v->set && put_i64(c, d, files[i].file, files[i].v->value, files[i].f) < 0)
            return -1;
    return 0;
}

/* runc's ConvertCPUSharesToCgroupV2Value: [2, 262144] onto [1, 10000]. */
static uint64_t shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

/* cpu.max is "QUOTA PERIOD".  The kernel keeps the period when only a
 * quota is written, and there is no writing a period alone: a lone period
 * carries the quota the cgroup has (update --cpu-period must not lift it). */
static int cpu_max_v2(struct ctx *c, const struct vd_cgroup_dir *d,
                      const struct vd_cgroup_resources *r)
{
    char quota[32] = "max", text[64];
    uint64_t current;
    if (r->cpu.quota.set) {
        if (r->cpu.quota.value > 0)
            snprintf(quota, sizeof(quota), "%" PRId64, r->cpu.quota.value);
    } else if (vd_cgroup_read_u64(d, "cpu.max", &current, NULL) == 0 && current != UINT64_MAX) {
        snprintf(quota, sizeof(quota), "%" PRIu64, current);
    }
    if (r->cpu.period.set && r->cpu.period.value > 0)
        snprintf(text, sizeof(text), "%s %" PRId64, quota, r->cpu.period.value);
    else
        snprintf(text, sizeof(text), "%s", quota);
    return put(c, d, "cpu.max", text, r->cpu.quota.set ? VD_CG_CPU_QUOTA : VD_CG_CPU_PERIOD, 0);
}

static int cpu_v2(struct ctx *c, const struct vd_cgroup_dir *d, const struct vd_cgroup_resources *r)
{
    char text[64];
    if (r->cpu.shares.set && r->cpu.shares.value > 0) {
        snprintf(text, sizeof(text), "%" PRIu64, shares_to_weight((uint64_t)r->cpu.shares.value));
        if (put(c, d, "cpu.weight", text, VD_CG_CPU_SHARES, 0) < 0)
            return -1;
    }
    if ((r->cpu.quota.set || r->cpu.period.set) && cpu_max_v2(c, d, r) < 0)
        return -1;
    if (r->cpu.burst.set && put_i64(c, d, "cpu.max.burst", r->cpu.burst.value, VD_CG_CPU_BURST) < 0)
        return -1;
    if (r->cpu.idle.set && put_i64(c, d, "cpu.idle", r->cpu.idle.value, VD_CG_CPU_IDLE) < 0)
        return -1;
    if (r->cpu.realtime_runtime.set)
        return refuse(c, VD_CG_CPU_RT_RUNTIME, 0, "cgroup v2 has no real-time cpu controller");
    if (r->cpu.realtime_period.set)
        return refuse(c, VD_CG_CPU_RT_PERIOD, 0, "cgroup v2 has no real-time cpu controller");
    return 0;
}

static int set_cpu(struct ctx *c, const struct vd_cgroup_resources *r)
{
    bool any = r->cpu.shares.set || r->cpu.quota.set || r->cpu.period.set || r->cpu.burst.set ||
               r->cpu.realtime_runtime.set || r->cpu.realtime_period.set || r->cpu.idle.set;
    if (any) {
        const struct vd_cgroup_dir *d = need(c, "cpu", VD_CG_CPU_SHARES, 0);
        if (d == NULL || (d->v2 ? cpu_v2(c, d, r) : cpu_v1(c, d, r)) < 0)
            return -1;
    }
    if (r->cpu.cpus || r->cpu.mems) {
        const struct vd_cgroup_dir *d =
            need(c, "cpuset", r->cpu.cpus ? VD_CG_CPU_CPUS : VD_CG_CPU_MEMS, 0);
        if (d == NULL)
            return -1;
        if (r->cpu.cpus && put(c, d, "cpuset.cpus", r->cpu.cpus, VD_CG_CPU_CPUS, 0) < 0)
            return -1;
        if (r->cpu.mems && put(c, d, "cpuset.mems", r->cpu.mems, VD_CG_CPU_MEMS, 0) < 0)
            return -1;
    }
    return 0;
}

/* ---- pids ----------------------------------------------------------------- */

static int set_pids(struct ctx *c, const struct vd_cgroup_resources *r)
{
    if (!r->pids_limit.set)
        return 0;
    const struct vd_cgroup_dir *d = need(c, "pids", VD_CG_PIDS, 0);
    if (d == NULL)
        return -1;
    /* runc: 0 and below mean no limit */
    char text[32];
    v2_limit(text, sizeof(text), r->pids_limit.value > 0 ? r->pids_limit.value : -1);
    return put(c, d, "pids.max", text, VD_CG_PIDS, 0);
}

/* ---- block I/O ------------------------------------------------------------ */

/* runc's BlkioWeightToIOWeight: [10, 1000] onto [1, 10000]. */
static uint64_t blkio_to_io_weight(int64_t w)
{
    return w <= 0 ? 0 : 1 + ((uint64_t)w - 10) * 9999 / 990;
}

static int blkio_v1(struct ctx *c, const struct vd_cgroup_dir *d,
                    const struct vd_cgroup_resources *r)
{
    /* The CFQ files went with the legacy block layer; BFQ's remain. */
    const char *weight = vd_cgroup_has_file(d, "blkio.weight") ? "blkio.weight"
                                                               : "blkio.bfq.weight";
    const char *weight_device = vd_cgroup_has_file(d, "blkio.weight_device")
                                    ? "blkio.weight_device"
                                    : "blkio.bfq.weight_device";
    char text[96];
    if (r->blkio.weight.set && put_i64(c, d, weight, r->blkio.weight.value, VD_CG_BLKIO_WEIGHT) < 0)
        return -1;
    if (r->blkio.leaf_weight.set && put_i64(c, d, "blkio.leaf_weight", r->blkio.leaf_weight.value,
                                            VD_CG_BLKIO_LEAF_WEIGHT) < 0)
        return -1;
    for (size_t i = 0; i < r->blkio.n_devices; i++) {
        const struct vd_cgroup_blkio_device *e = &r->blkio.devices[i];
        if (e->weight.set) {
            snprintf(text, sizeof(text), "%" PRId64 ":%" PRId64 " %" PRId64, e->major, e->minor,
                     e->weight.value);
            if (put(c, d, weight_device, text, VD_CG_BLKIO_DEVICE, i) < 0)
                return -1;
        }
        if (e->leaf_weight.set) {
            snprintf(text, sizeof(text), "%" PRId64 ":%" PRId64 " %" PRId64, e->major, e->minor,
                     e->leaf_weight.value);
            if (put(c, d, "blkio.leaf_weight_device", text, VD_CG_BLKIO_DEVICE, i) < 0)
                return -1;
        }
    }
    static const char *const files[VD_THROTTLE_COUNT] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
    for (int k = 0; k < VD_THROTTLE_COUNT; k++)
        for (size_t i = 0; i < r->blkio.n_throttle[k]; i++) {
            const struct vd_cgroup_throttle *t = &r->blkio.throttle[k][i];
            snprintf(text, sizeof(text), "%" PRId64 ":%" PRId64 " %" PRIu64, t->major, t->minor,
                     t->rate);
            if (c->where)
                c->where->kind = (enum vd_throttle)k;
            if (put(c, d, files[k], text, VD_CG_BLKIO_THROTTLE, i) < 0)
                return -1;
        }
    return 0;
}

static int blkio_v2(struct ctx *c, const struct vd_cgroup_dir *d,
                    const struct vd_cgroup_resources *r)
{
    /* runc: BFQ takes the v1 scale as it is; io.weight its own. */
    bool bfq = vd_cgroup_has_file(d, "io.bfq.weight");
    char text[128];
    if (r->blkio.weight.set) {
        snprintf(text, sizeof(text), "%" PRIu64,
                 bfq ? (uint64_t)r->blkio.weight.value : blkio_to_io_weight(r->blkio.weight.value));
        if (put(c, d, bfq ? "io.bfq.weight" : "io.weight", text, VD_CG_BLKIO_WEIGHT, 0) < 0)
            return -1;
    }
    if (r->blkio.leaf_weight.set)
        return refuse(c, VD_CG_BLKIO_LEAF_WEIGHT, 0, "cgroup v2 has no leaf weight");
    for (size_t i = 0; i < r->blkio.n_devices; i++) {
        const struct vd_cgroup_blkio_device *e = &r->blkio.devices[i];
        if (e->leaf_weight.set)
            return refuse(c, VD_CG_BLKIO_DEVICE, i, "leafWeight: cgroup v2 has no leaf weight");
        if (!e->weight.set)
            continue;
        snprintf(text, sizeof(text), "%" PRId64 ":%" PRId64 " %" PRIu64, e->major, e->minor,
                 bfq ? (uint64_t)e->weight.value : blkio_to_io_weight(e->weight.value));
        if (put(c, d, bfq ? "io.bfq.weight" : "io.weight", text, VD_CG_BLKIO_DEVICE, i) < 0)
            return -1;
    }
    static const char *const keys[VD_THROTTLE_COUNT] = {"rbps", "wbps", "riops", "wiops"};
    for (int k = 0; k < VD_THROTTLE_COUNT; k++)
        for (size_t i = 0; i < r->blkio.n_throttle[k]; i++) {
            const struct vd_cgroup_throttle *t = &r->blkio.throttle[k][i];
            snprintf(text, sizeof(text), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major,
                     t->minor, keys[k], t->rate);
            if (c->where)
                c->where->kind = (enum vd_throttle)k;
            if (put(c, d, "io.max", text, VD_CG_BLKIO_THROTTLE, i) < 0)
                return -1;
        }
    return 0;
}

static int set_blkio(struct ctx *c, const struct vd_cgroup_resources *r)
{
    size_t n_throttle = 0;
    for (int k = 0; k < VD_THROTTLE_COUNT; k++)
        n_throttle += r->blkio.n_throttle[k];
    if (!r->blkio.weight.set && !r->blkio.leaf_weight.set && !r->blkio.n_devices && !n_throttle)
        return 0;
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(c->cg, "blkio");
    if (d == NULL)
        d = vd_cgroup_dir_for(c->cg, "io");
    if (d == NULL) {
        vd_error_set(c->err, ENOTSUP, "the host has no blkio/io cgroup controller");
        return fail_at(c, VD_CG_BLKIO_WEIGHT, 0);
    }
    return d->v2 ? blkio_v2(c, d, r) : blkio_v1(c, d, r);
}

/* ---- hugetlb, network, rdma ------------------------------------------------- */

static int set_hugetlb(struct ctx *c, const struct vd_cgroup_resources *r)
{
    for (size_t i = 0; i < r->n_hugetlb; i++) {
        const struct vd_cgroup_dir *d = need(c, "hugetlb", VD_CG_HUGETLB, i);
        if (d == NULL)
            return -1;
        char file[64], text[32];
        snprintf(file, sizeof(file), d->v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes",
                 r->hugetlb[i].page_size);
        snprintf(text, sizeof(text), "%" PRIu64, r->hugetlb[i].limit);
        if (put(c, d, file, text, VD_CG_HUGETLB, i) < 0)
            return -1;
    }
    return 0;
}

static int set_network(struct ctx *c, const struct vd_cgroup_resources *r)
{
    if (r->net_class_id.set) {
        const struct vd_cgroup_dir *d = need(c, "net_cls", VD_CG_NET_CLASS_ID, 0);
        if (d == NULL || put_i64(c, d, "net_cls.classid", r->net_class_id.value,
                                 VD_CG_NET_CLASS_ID) < 0)
            return -1;
    }
    for (size_t i = 0; i < r->n_net_prios; i++) {
        const struct vd_cgroup_dir *d = need(c, "net_prio", VD_CG_NET_PRIO, i);
        if (d == NULL)
            return -1;
        char text[128];
        snprintf(text, sizeof(text), "%s %u", r->net_prios[i].name, r->net_prios[i].priority);
        if (put(c, d, "net_prio.ifpriomap", text, VD_CG_NET_PRIO, i) < 0)
            return -1;
    }
    return 0;
}

static int set_rdma(struct ctx *c, const struct vd_cgroup_resources *r)
{
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct vd_cgroup_rdma *e = &r->rdma[i];
        const struct vd_cgroup_dir *d = need(c, "rdma", VD_CG_RDMA, i);
        if (d == NULL)
            return -1;
        char text[256];
        int n = snprintf(text, sizeof(text), "%s", e->device);
        if (e->hca_handles.set)
            n += snprintf(text + n, sizeof(text) - (size_t)n, " hca_handle=%" PRId64,
                          e->hca_handles.value);
        if (e->hca_objects.set)
            snprintf(text + n, sizeof(text) - (size_t)n, " hca_object=%" PRId64,
                     e->hca_objects.value);
        if (put(c, d, "rdma.max", text, VD_CG_RDMA, i) < 0)
            return -1;
    }
    return 0;
}

/* ---- unified ---------------------------------------------------------------- */

static int set_unified(struct ctx *c, const struct vd_cgroup_resources *r)
{
    if (r->n_unified == 0)
        return 0;
    const struct vd_cgroup_dir *d = vd_cgroup_v2_dir(c->cg);
    if (d == NULL)
        return refuse(c, VD_CG_UNIFIED, 0, "the host has no cgroup v2 hierarchy");
    for (size_t i = 0; i < r->n_unified; i++) {
        const char *key = r->unified[i].key;
        /* A file of the container's own cgroup, nothing above or below it. */
        if (key[0] == '\0' || strchr(key, '/') || key[0] == '.') {
            vd_error_set(c->err, EINVAL, "not a cgroup file name");
            return fail_at(c, VD_CG_UNIFIED, i);
        }
        if (put(c, d, key, r->unified[i].value, VD_CG_UNIFIED, i) < 0)
            return -1;
    }
    return 0;
}

/* ---- devices ---------------------------------------------------------------- */

static void device_rule_text(const struct vd_cgroup_device_rule *e, char *text, size_t size)
{
    char major[24] = "*", minor[24] = "*";
    if (e->major >= 0)
        snprintf(major, sizeof(major), "%" PRId64, e->major);
    if (e->minor >= 0)
        snprintf(minor, sizeof(minor), "%" PRId64, e->minor);
    if (e->type == 'a')
        snprintf(text, size, "a");
    else
        snprintf(text, size, "%c %s:%s %s", e->type, major, minor,
                 e->access && e->access[0] ? e->access : "rwm");
}

static int set_devices(struct ctx *c, const struct vd_cgroup_resources *r)
{
    if (!r->has_devices)
        return 0;
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(c->cg, "devices");
    if (d == NULL && c->cg->layout == VD_CGROUP_V1)
        return refuse(c, VD_CG_DEVICES, 0, "the host has no devices cgroup controller");
    if (d == NULL) {
        /* v2 has no device files: an eBPF program decides. */
        const struct vd_cgroup_dir *v2 = vd_cgroup_v2_dir(c->cg);
        if (v2 == NULL || c->cg->layout != VD_CGROUP_V2)
            return refuse(c, VD_CG_DEVICES, 0, "the host has no devices cgroup controller");
        if (vd_cgroup_set_devices_v2(v2, r->devices, r->n_devices, c->err) < 0)
            return fail_at(c, VD_CG_DEVICES, 0);
        return 0;
    }
    if (put(c, d, "devices.deny", "a", VD_CG_DEVICES, 0) < 0)
        return -1;
    char text[96];
    for (size_t i = 0; i < r->n_devices; i++) {
        device_rule_text(&r->devices[i], text, sizeof(text));
        if (put(c, d, r->devices[i].allow ? "devices.allow" : "devices.deny", text, VD_CG_DEVICES,
                i) < 0)
            return -1;
    }
    for (size_t i = 0; i < vd_cgroup_n_default_devices; i++) {
        device_rule_text(&vd_cgroup_default_devices[i], text, sizeof(text));
        if (vd_cgroup_write(d, "devices.allow", text, c->err) < 0)
            return vd_error_prefix(c->err, "the default devices");
    }
    return 0;
}

int vd_cgroup_set(const vd_cgroup *cg, const struct vd_cgroup_resources *r,
                  struct vd_cgroup_where *where, vd_error **err)
{
    if (where)
        *where = (struct vd_cgroup_where){.field = VD_CG_NONE};
    struct ctx c = {.cg = cg, .where = where, .err = err};
    if (set_cpu(&c, r) < 0 || set_memory(&c, r) < 0 || set_pids(&c, r) < 0 ||
        set_blkio(&c, r) < 0 || set_hugetlb(&c, r) < 0 || set_network(&c, r) < 0 ||
        set_rdma(&c, r) < 0 || set_devices(&c, r) < 0 || set_unified(&c, r) < 0)
        return -1;
    return 0;
}
