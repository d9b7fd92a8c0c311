/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.cgroupsPath and linux.resources -> libvoid's cgroup calls.  Errors
 * name the JSON path of the field the cgroup could not take. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "resources_table.h"
#include "translate.h"
#include "utils.h"

int oci_cgroup_path(const struct oci_linux *lx, const char *id, char **out, vd_error **err)
{
    const char *given = lx ? lx->cgroups_path : NULL;
    if (given == NULL || given[0] == '\0') {
        /* Under one directory of ours, named by the ID. */
        if (asprintf(out, "/voidoci/%s", id) < 0)
            return vd_error_set(err, ENOMEM, "linux.cgroupsPath");
        return 0;
    }
    /* "slice:prefix:name" is the systemd driver's form. */
    if (strchr(given, ':'))
        return vd_error_set(err, 0, "linux.cgroupsPath: \"%s\": the systemd cgroup driver is "
                                    "not built in", given);
    for (const char *p = given; *p;) {
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return vd_error_set(err, 0, "linux.cgroupsPath: \"%s\": no \".\" or \"..\"", given);
        p += n;
        p += *p == '/';
    }
    if ((*out = strdup(given)) == NULL)
        return vd_error_set(err, ENOMEM, "linux.cgroupsPath");
    return 0;
}

static void zero_is_unset(struct vd_opt *o)
{
    if (o->set && o->value == 0)
        o->set = false;
}

static struct vd_opt opt_i(struct oci_opt_i64 o)
{
    return (struct vd_opt){.set = o.set, .value = o.value};
}

static struct vd_opt opt_u(struct oci_opt_u64 o)
{
    return (struct vd_opt){.set = o.set, .value = (int64_t)o.value};
}

/* Everything the arrays need, freed together. */
struct res_arrays {
    struct vd_cgroup_blkio_device *blkio;
    struct vd_cgroup_throttle *throttle[VD_THROTTLE_COUNT];
    struct vd_cgroup_hugetlb *hugetlb;
    struct vd_cgroup_net_prio *prios;
    struct vd_cgroup_rdma *rdma;
    struct vd_cgroup_kv *unified;
    struct vd_cgroup_device_rule *devices;
};

static void res_arrays_free(struct res_arrays *a)
{
    free(a->blkio);
    for (int k = 0; k < VD_THROTTLE_COUNT; k++)
        free(a->throttle[k]);
    free(a->hugetlb);
    free(a->prios);
    free(a->rdma);
    free(a->unified);
    free(a->devices);
}

static void *alloc_n(size_t n, size_t size, bool *oom)
{
    if (n == 0)
        return NULL;
    void *p = calloc(n, size);
    *oom = *oom || p == NULL;
    return p;
}

/* Every scalar row of the table, from `o` to `r`; a zero that asks
 * nothing (zero_unset) is left unset.  runc 1.1 treats 0 as "not set" in
 * those fields, at create and at update alike (its cgroup drivers skip a
 * zero), and clients rely on it: Docker sends blockIO.weight 0 and
 * cpu.shares 0 with every container.  So a zero asks for nothing here
 * either, and cannot fail on a host that lacks the file. */
static void fill_scalars(const struct oci_resources *o, struct vd_cgroup_resources *r)
{
    for (size_t i = 0; i < oci_n_res_fields; i++) {
        const struct oci_res_field *f = &oci_res_fields[i];
        const char *from = (const char *)o + f->at;
        char *to = (char *)r + f->to;
        if (f->to == OCI_RES_NOWHERE)
            continue;
        switch (f->kind) {
        case OCI_RES_I64:
            *(struct vd_opt *)to = opt_i(*(const struct oci_opt_i64 *)from);
            break;
        case OCI_RES_U64:
        case OCI_RES_WEIGHT:
            *(struct vd_opt *)to = opt_u(*(const struct oci_opt_u64 *)from);
            break;
        case OCI_RES_BOOL:
            *(bool *)((char *)r + f->has_to) = *(const bool *)((const char *)o + f->has_at);
            *(bool *)to = *(const bool *)from;
            break;
        case OCI_RES_FLAG:
            *(bool *)to = *(const bool *)from;
            break;
        case OCI_RES_CPU_LIST:
            *(const char **)to = *(char *const *)from;
            break;
        case OCI_RES_ARRAY:
        case OCI_RES_OBJECT:
            break; /* fill_lists */
        }
        if (f->zero_unset)
            zero_is_unset((struct vd_opt *)to);
    }
}

static void fill_lists(const struct oci_resources *o, struct vd_cgroup_resources *r,
                       struct res_arrays *a, bool *oom)
{
    a->blkio = alloc_n(o->block_io.n_weight_devices, sizeof(*a->blkio), oom);
    for (size_t i = 0; a->blkio && i < o->block_io.n_weight_devices; i++) {
        const struct oci_blkio_weight_device *w = &o->block_io.weight_devices[i];
        a->blkio[i] = (struct vd_cgroup_blkio_device){.major = w->major, .minor = w->minor,
                                                      .weight = opt_u(w->weight),
                                                      .leaf_weight = opt_u(w->leaf_weight)};
    }
    r->blkio.devices = a->blkio;
    r->blkio.n_devices = a->blkio ? o->block_io.n_weight_devices : 0;
    for (int k = 0; k < VD_THROTTLE_COUNT; k++) {
        size_t n = o->block_io.n_throttle[k];
        a->throttle[k] = alloc_n(n, sizeof(*a->throttle[k]), oom);
        for (size_t i = 0; a->throttle[k] && i < n; i++) {
            const struct oci_blkio_throttle *t = &o->block_io.throttle[k][i];
            a->throttle[k][i] = (struct vd_cgroup_throttle){t->major, t->minor, t->rate};
        }
        r->blkio.throttle[k] = a->throttle[k];
        r->blkio.n_throttle[k] = a->throttle[k] ? n : 0;
    }
    a->hugetlb = alloc_n(o->n_hugepage_limits, sizeof(*a->hugetlb), oom);
    for (size_t i = 0; a->hugetlb && i < o->n_hugepage_limits; i++)
        a->hugetlb[i] = (struct vd_cgroup_hugetlb){o->hugepage_limits[i].page_size,
                                                   o->hugepage_limits[i].limit};
    r->hugetlb = a->hugetlb;
    r->n_hugetlb = a->hugetlb ? o->n_hugepage_limits : 0;
    a->prios = alloc_n(o->network.n_priorities, sizeof(*a->prios), oom);
    for (size_t i = 0; a->prios && i < o->network.n_priorities; i++)
        a->prios[i] = (struct vd_cgroup_net_prio){o->network.priorities[i].name,
                                                  o->network.priorities[i].priority};
    r->net_prios = a->prios;
    r->n_net_prios = a->prios ? o->network.n_priorities : 0;
    a->rdma = alloc_n(o->n_rdma, sizeof(*a->rdma), oom);
    for (size_t i = 0; a->rdma && i < o->n_rdma; i++)
        a->rdma[i] = (struct vd_cgroup_rdma){o->rdma[i].device, opt_u(o->rdma[i].hca_handles),
                                             opt_u(o->rdma[i].hca_objects)};
    r->rdma = a->rdma;
    r->n_rdma = a->rdma ? o->n_rdma : 0;
    a->unified = alloc_n(o->n_unified, sizeof(*a->unified), oom);
    for (size_t i = 0; a->unified && i < o->n_unified; i++)
        a->unified[i] = (struct vd_cgroup_kv){o->unified[i].key, o->unified[i].value};
    r->unified = a->unified;
    r->n_unified = a->unified ? o->n_unified : 0;
}

/* linux.resources.devices in order, then an allow rule for each of
 * linux.devices (runc's rule: a device the config creates is usable). */
static void fill_devices(const struct oci_linux *lx, struct vd_cgroup_resources *r,
                         struct res_arrays *a, bool *oom)
{
    const struct oci_resources *o = lx->resources;
    size_t n_rules = o ? o->n_devices : 0, n = n_rules + lx->n_devices;
    r->has_devices = true;
    a->devices = alloc_n(n, sizeof(*a->devices), oom);
    if (a->devices == NULL)
        return;
    for (size_t i = 0; i < n_rules; i++) {
        const struct oci_device_rule *d = &o->devices[i];
        a->devices[i] = (struct vd_cgroup_device_rule){d->allow, d->type, d->major, d->minor,
                                                       d->access};
    }
    size_t k = n_rules;
    for (size_t i = 0; i < lx->n_devices; i++) {
        const struct oci_device *d = &lx->devices[i];
        if (d->type == 'p')
            continue; /* a FIFO is no device to the cgroup */
        a->devices[k++] = (struct vd_cgroup_device_rule){
            true, d->type == 'b' ? 'b' : 'c', d->major, d->minor, "rwm"};
    }
    r->devices = a->devices;
    r->n_devices = k;
}

/* The path of the allow rule at `index` of the device rules:
 * linux.resources.devices[i], or the linux.devices entry it was made for. */
static int name_device(const struct oci_linux *lx, const char *base, const char *dot,
                       size_t index, vd_error **err)
{
    size_t n_rules = lx->resources ? lx->resources->n_devices : 0;
    if (index < n_rules)
        return vd_error_prefix(err, "%s%sdevices[%zu]", base, dot, index);
    /* an allow rule made for linux.devices (FIFOs were skipped) */
    size_t k = n_rules;
    for (size_t i = 0; i < lx->n_devices; i++) {
        if (lx->devices[i].type == 'p')
            continue;
        if (k++ == index)
            return vd_error_prefix(err, "linux.devices[%zu]", i);
    }
    return vd_error_prefix(err, "%s%sdevices", base, dot);
}

/* The path of the field `w` names under `base` ("linux.resources" in
 * config.json, "" for a standalone resources object), as a prefix of the
 * error. */
static int name_field(const struct oci_linux *lx, const char *base,
                      const struct vd_cgroup_where *w, vd_error **err)
{
    const struct oci_resources *o = lx->resources;
    const struct oci_res_field *f = oci_res_field_of(w->field, (int)w->kind);
    const char *dot = base[0] ? "." : "";
    if (f == NULL)
        return base[0] ? vd_error_prefix(err, "%s", base) : -1;
    if (w->field == VD_CG_DEVICES)
        return name_device(lx, base, dot, w->index, err);
    if (f->kind == OCI_RES_ARRAY)
        return vd_error_prefix(err, "%s%s%s[%zu]", base, dot, f->name, w->index);
    if (f->kind == OCI_RES_OBJECT) {
        const char *key = w->field == VD_CG_RDMA ? o->rdma[w->index].device
                                                 : o->unified[w->index].key;
        _cleanup_free_ char *quoted = oci_json_quote(key, strlen(key));
        return vd_error_prefix(err, "%s%s%s[%s]", base, dot, f->name, quoted ? quoted : "?");
    }
    return vd_error_prefix(err, "%s%s%s", base, dot, f->name);
}

/* A blockIO.weightDevice weight of 0 asks nothing either (fill_scalars). */
static void unset_zeros(struct res_arrays *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        zero_is_unset(&a->blkio[i].weight);
        zero_is_unset(&a->blkio[i].leaf_weight);
    }
}

/* Whether row `f` asks something of a cgroup: a value set in `r` (zeros
 * unset), a list that is not empty; device rules aside (see
 * oci_resources_without_cgroup). */
static bool asks(const struct oci_res_field *f, const struct oci_resources *o,
                 const struct vd_cgroup_resources *r)
{
    const char *to = (const char *)r + f->to;
    if (f->to == OCI_RES_NOWHERE && f->kind != OCI_RES_ARRAY && f->kind != OCI_RES_OBJECT)
        return false;
    switch (f->kind) {
    case OCI_RES_I64:
    case OCI_RES_U64:
    case OCI_RES_WEIGHT:
        return ((const struct vd_opt *)to)->set;
    case OCI_RES_BOOL:
        return *(const bool *)((const char *)r + f->has_to);
    case OCI_RES_CPU_LIST:
        return *(const char *const *)to != NULL;
    case OCI_RES_FLAG:
        return false;
    case OCI_RES_ARRAY:
    case OCI_RES_OBJECT:
        return f->field != VD_CG_DEVICES && *(const size_t *)((const char *)o + f->count_at) > 0;
    }
    return false;
}

/* The first field of `o` that asks something of a cgroup, in `w`. */
static bool first_asked(const struct oci_resources *o, const struct vd_cgroup_resources *r,
                        struct vd_cgroup_where *w)
{
    *w = (struct vd_cgroup_where){.field = VD_CG_NONE};
    for (size_t i = 0; i < oci_n_res_fields; i++) {
        const struct oci_res_field *f = &oci_res_fields[i];
        if (asks(f, o, r)) {
            *w = (struct vd_cgroup_where){.field = f->field, .kind = f->throttle};
            return true;
        }
    }
    return false;
}

/* The values create would write for `o`, without device rules, Docker's
 * zeros unset; false when out of memory (a->... freed by the caller). */
static bool fill_asked(const struct oci_resources *o, struct vd_cgroup_resources *r,
                       struct res_arrays *a)
{
    bool oom = false;
    fill_scalars(o, r);
    fill_lists(o, r, a, &oom);
    unset_zeros(a, r->blkio.n_devices);
    return !oom;
}

int oci_resources_without_cgroup(const struct oci_linux *lx, vd_error **err)
{
    if (lx == NULL || lx->resources == NULL)
        return 0;
    struct vd_cgroup_resources r = {0};
    struct res_arrays a = {0};
    bool oom = !fill_asked(lx->resources, &r, &a);
    struct vd_cgroup_where w;
    int ret = 0;
    if (oom)
        ret = vd_error_set(err, ENOMEM, "linux.resources");
    else if (first_asked(lx->resources, &r, &w))
        ret = name_field(lx, "linux.resources", &w, err);
    res_arrays_free(&a);
    return ret;
}

/* each_scalar ... each_list: oci_resources_each's parts, one kind of
 * field a function. */
static void each_scalar(const struct vd_cgroup_resources *r, oci_resource_fn fn, void *ctx)
{
    char value[32];
    for (size_t i = 0; i < oci_n_res_fields; i++) {
        const struct oci_res_field *f = &oci_res_fields[i];
        const char *to = (const char *)r + f->to;
        if (f->to == OCI_RES_NOWHERE)
            continue;
        switch (f->kind) {
        case OCI_RES_I64:
        case OCI_RES_U64:
        case OCI_RES_WEIGHT:
            if (!((const struct vd_opt *)to)->set)
                break;
            snprintf(value, sizeof(value), "%lld", (long long)((const struct vd_opt *)to)->value);
            fn(ctx, f->name, value);
            break;
        case OCI_RES_BOOL:
            if (*(const bool *)((const char *)r + f->has_to))
                fn(ctx, f->name, *(const bool *)to ? "true" : "false");
            break;
        case OCI_RES_CPU_LIST:
            if (*(const char *const *)to)
                fn(ctx, f->name, *(const char *const *)to);
            break;
        case OCI_RES_FLAG:
        case OCI_RES_ARRAY:
        case OCI_RES_OBJECT:
            break;
        }
    }
}

/* "PREFIXA n, B m" in buf, naming only the options that are set. */
static void two_opts(char *buf, size_t size, const char *prefix, const char *a,
                     const struct vd_opt *oa, const char *b, const struct vd_opt *ob)
{
    int n = snprintf(buf, size, "%s", prefix);
    if (oa->set && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "%s %lld", a, (long long)oa->value);
    if (ob->set && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "%s%s %lld", oa->set ? ", " : "", b,
                 (long long)ob->value);
}

static void each_blkio(const struct vd_cgroup_resources *r, oci_resource_fn fn, void *ctx)
{
    char field[64], value[96];
    for (size_t i = 0; i < r->blkio.n_devices; i++) {
        const struct vd_cgroup_blkio_device *d = &r->blkio.devices[i];
        snprintf(field, sizeof(field), "%s[%zu]", oci_res_field_of(VD_CG_BLKIO_DEVICE, 0)->name, i);
        char dev[48];
        snprintf(dev, sizeof(dev), "%lld:%lld ", (long long)d->major, (long long)d->minor);
        two_opts(value, sizeof(value), dev, "weight", &d->weight, "leafWeight", &d->leaf_weight);
        fn(ctx, field, value);
    }
    for (int k = 0; k < VD_THROTTLE_COUNT; k++) {
        for (size_t i = 0; i < r->blkio.n_throttle[k]; i++) {
            const struct vd_cgroup_throttle *t = &r->blkio.throttle[k][i];
            snprintf(field, sizeof(field), "blockIO.%s[%zu]",
                     oci_throttle_kind_name((enum oci_throttle_kind)k), i);
            snprintf(value, sizeof(value), "%lld:%lld %llu", (long long)t->major,
                     (long long)t->minor, (unsigned long long)t->rate);
            fn(ctx, field, value);
        }
    }
}

/* A field of an object keyed by name: its path as the errors give it
 * (rdma["mlx5_1"], unified["memory.high"]). */
static void each_keyed(enum vd_cgroup_field f, const char *key, const char *value,
                       oci_resource_fn fn, void *ctx)
{
    const char *name = oci_res_field_of(f, 0)->name;
    _cleanup_free_ char *quoted = oci_json_quote(key, strlen(key));
    _cleanup_free_ char *field = NULL;
    if (quoted == NULL || asprintf(&field, "%s[%s]", name, quoted) < 0)
        field = NULL;
    fn(ctx, field ? field : name, value);
}

static void each_list(const struct vd_cgroup_resources *r, oci_resource_fn fn, void *ctx)
{
    char field[64], value[96];
    for (size_t i = 0; i < r->n_hugetlb; i++) {
        snprintf(field, sizeof(field), "%s[%zu]", oci_res_field_of(VD_CG_HUGETLB, 0)->name, i);
        snprintf(value, sizeof(value), "%s %llu", r->hugetlb[i].page_size,
                 (unsigned long long)r->hugetlb[i].limit);
        fn(ctx, field, value);
    }
    for (size_t i = 0; i < r->n_net_prios; i++) {
        snprintf(field, sizeof(field), "%s[%zu]", oci_res_field_of(VD_CG_NET_PRIO, 0)->name, i);
        snprintf(value, sizeof(value), "%s %u", r->net_prios[i].name, r->net_prios[i].priority);
        fn(ctx, field, value);
    }
    char hca[64];
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct vd_cgroup_rdma *d = &r->rdma[i];
        two_opts(hca, sizeof(hca), "", "hcaHandles", &d->hca_handles, "hcaObjects",
                 &d->hca_objects);
        each_keyed(VD_CG_RDMA, d->device, hca, fn, ctx);
    }
    for (size_t i = 0; i < r->n_unified; i++)
        each_keyed(VD_CG_UNIFIED, r->unified[i].key, r->unified[i].value, fn, ctx);
}

int oci_resources_each(const struct oci_linux *lx, oci_resource_fn fn, void *ctx, vd_error **err)
{
    if (lx == NULL || lx->resources == NULL)
        return 0;
    struct vd_cgroup_resources r = {0};
    struct res_arrays a = {0};
    bool oom = !fill_asked(lx->resources, &r, &a);
    if (!oom) {
        each_scalar(&r, fn, ctx);
        each_blkio(&r, fn, ctx);
        each_list(&r, fn, ctx);
    }
    res_arrays_free(&a);
    return oom ? vd_error_set(err, ENOMEM, "linux.resources") : 0;
}

bool oci_resources_kernel_memory(const struct oci_resources *res)
{
    return res && res->memory.kernel.set;
}

static int translate_resources(const struct oci_linux *lx, const vd_cgroup *cg, bool devices,
                               vd_error **err);

int oci_translate_resources(const struct oci_linux *lx, const vd_cgroup *cg, vd_error **err)
{
    return translate_resources(lx, cg, true, err);
}

int oci_translate_resources_rootless(const struct oci_linux *lx, const vd_cgroup *cg,
                                     vd_error **err)
{
    return translate_resources(lx, cg, false, err);
}

static int translate_resources(const struct oci_linux *lx, const vd_cgroup *cg, bool devices,
                               vd_error **err)
{
    static const struct oci_linux none = {0};
    if (lx == NULL)
        lx = &none;
    struct vd_cgroup_resources r = {0};
    struct res_arrays a = {0};
    bool oom = false;
    if (lx->resources) {
        fill_scalars(lx->resources, &r);
        fill_lists(lx->resources, &r, &a, &oom);
        unset_zeros(&a, r.blkio.n_devices);
    }
    if (devices)
        fill_devices(lx, &r, &a, &oom);
    int ret = 0;
    struct vd_cgroup_where where;
    if (oom)
        ret = vd_error_set(err, ENOMEM, "linux.resources");
    else if (vd_cgroup_set(cg, &r, &where, err) < 0)
        ret = name_field(lx, "linux.resources", &where, err);
    res_arrays_free(&a);
    return ret;
}

/* ---- update ------------------------------------------------------------------ */

int oci_update_resources(const struct oci_resources *res, const vd_cgroup *cg, vd_error **err)
{
    struct vd_cgroup_resources r = {0};
    struct res_arrays a = {0};
    bool oom = false;
    fill_scalars(res, &r);
    fill_lists(res, &r, &a, &oom);
    unset_zeros(&a, r.blkio.n_devices);
    /* Device rules are never rewritten on a live container (runc skips
     * them too): rewriting starts with "deny all", which a running
     * program would feel. */
    int ret = 0;
    struct vd_cgroup_where where;
    if (oom)
        ret = vd_error_set(err, ENOMEM, "resources");
    else if (r.memory.limit.set && r.memory.swap.set && r.memory.swap.value != -1 &&
             (r.memory.limit.value == -1 || r.memory.swap.value < r.memory.limit.value))
        ret = vd_error_set(err, 0, "memory.swap: must not be below memory.limit (it counts "
                                   "memory plus swap)");
    else if (vd_cgroup_set(cg, &r, &where, err) < 0) {
        struct oci_linux lx = {.resources = (struct oci_resources *)res};
        ret = name_field(&lx, "", &where, err);
    }
    res_arrays_free(&a);
    return ret;
}
