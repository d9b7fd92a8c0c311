/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json "linux.resources": read and checked, each value against the
 * range config-linux.md and the kernel's cgroup files give it, so that a
 * bad value is refused with its JSON path before any cgroup exists.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "resources_table.h"
#include "spec_internal.h"
#include "utils.h"

/* ---- typed optional members ---------------------------------------------- */

static int opt_i64(vd_error **err, const struct oci_json *obj, const char *key, int64_t min,
                   int64_t max, struct oci_opt_i64 *out)
{
    const struct oci_json *v = spec_member(obj, key);
    if (v == NULL)
        return 0;
    int64_t n;
    int r = spec_int64(err, v, &n);
    if (r < 0)
        return r;
    if (n < min)
        return spec_error(err, v, NULL, min == -1 ? "must be -1 (no limit) or at least 0"
                                                  : "must be at least %jd", (intmax_t)min);
    if (n > max)
        return spec_error(err, obj, key, max - min == 1 ? "must be %jd or %jd"
                                                        : "must be between %jd and %jd",
                          (intmax_t)min, (intmax_t)max);
    out->set = true;
    out->value = n;
    return 0;
}

static int opt_u64(vd_error **err, const struct oci_json *obj, const char *key, uint64_t max,
                   struct oci_opt_u64 *out)
{
    const struct oci_json *v = spec_member(obj, key);
    if (v == NULL)
        return 0;
    uint64_t n;
    int r = oci_json_uint64(v, &n);
    if (r == -ERANGE || (r == 0 && n > max))
        return spec_error(err, v, NULL, "must be between 0 and %ju", (uintmax_t)max);
    if (r < 0)
        return spec_error(err, v, NULL, "expected an integer");
    out->set = true;
    out->value = n;
    return 0;
}

/* A blkio weight: 0 (leave as is) or 10 to 1000, the kernel's range. */
static int opt_weight(vd_error **err, const struct oci_json *obj, const char *key,
                      struct oci_opt_u64 *out)
{
    int r = opt_u64(err, obj, key, 1000, out);
    if (r == 0 && out->set && out->value != 0 && out->value < 10)
        return spec_error(err, obj, key, "must be 0 or between 10 and 1000");
    return r;
}

static int opt_bool(vd_error **err, const struct oci_json *obj, const char *key, bool *has,
                    bool *out)
{
    const struct oci_json *v = spec_member(obj, key);
    if (v == NULL)
        return 0;
    *has = true;
    return spec_bool(err, v, out);
}

static int required_i64(vd_error **err, const struct oci_json *obj, const char *key,
                        int64_t *out)
{
    const struct oci_json *v;
    int r = spec_require(err, obj, key, OCI_JSON_NUMBER, &v);
    if (r == 0)
        r = spec_int64(err, v, out);
    if (r == 0 && *out < 0)
        return spec_error(err, v, NULL, "must be at least 0");
    return r;
}

/* ---- devices ------------------------------------------------------------- */

static int parse_access(vd_error **err, const struct oci_json *v, char access[4])
{
    _cleanup_free_ char *s = NULL;
    int r = spec_string(err, v, &s);
    if (r < 0)
        return r;
    bool seen[3] = {false};
    static const char letters[] = "rwm";
    for (const char *p = s; *p; p++) {
        const char *at = strchr(letters, *p);
        if (at == NULL || *p == '\0' || seen[at - letters])
            return spec_error_value(err, v, "must be made of r, w and m, each at most once:", s);
        seen[at - letters] = true;
    }
    if (s[0] == '\0')
        return spec_error(err, v, NULL, "must not be empty");
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        if (seen[i])
            access[n++] = letters[i];
    access[n] = '\0';
    return 0;
}

static int parse_device_number(vd_error **err, const struct oci_json *obj, const char *key,
                               int64_t *out)
{
    const struct oci_json *v = spec_member(obj, key);
    *out = -1;
    if (v == NULL)
        return 0;
    int r = spec_int64(err, v, out);
    if (r == 0 && *out < -1)
        return spec_error(err, v, NULL, "must be -1 (any) or at least 0");
    return r;
}

static int parse_device_rule(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_device_rule *d = (struct oci_device_rule *)items + i;
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "allow", OCI_JSON_BOOL, &m)) == 0)
        d->allow = oci_json_bool(m);
    d->type = 'a';
    if (r == 0 && (m = spec_member(v, "type"))) {
        _cleanup_free_ char *type = NULL;
        r = spec_string(err, m, &type);
        if (r == 0 && (strlen(type) != 1 || !strchr("acb", type[0])))
            return spec_error_value(err, m, "unknown device type (a, c or b)", type);
        if (r == 0)
            d->type = type[0];
    }
    if (r == 0)
        r = parse_device_number(err, v, "major", &d->major);
    if (r == 0)
        r = parse_device_number(err, v, "minor", &d->minor);
    strcpy(d->access, "rwm");
    if (r == 0 && (m = spec_member(v, "access")))
        r = parse_access(err, m, d->access);
    return r;
}

/* ---- memory, cpu, pids --------------------------------------------------- */

/* A cpuset list as the kernel takes it: "0-3,7", ranges not reversed. */
static bool is_cpu_list(const char *s)
{
    if (*s == '\0')
        return false;
    for (;;) {
        char *end;
        if (*s < '0' || *s > '9')
            return false;
        unsigned long lo = strtoul(s, &end, 10), hi = lo;
        if (*end == '-') {
            s = end + 1;
            if (*s < '0' || *s > '9')
                return false;
            hi = strtoul(s, &end, 10);
        }
        if (hi < lo || hi > 1u << 20)
            return false;
        if (*end == '\0')
            return true;
        if (*end != ',')
            return false;
        s = end + 1;
    }
}

/* "" leaves the cpuset as it is (runc's reading: Docker sends it). */
static int opt_cpu_list(vd_error **err, const struct oci_json *obj, const char *key, char **out)
{
    int r = spec_opt_string(err, obj, key, out);
    if (r == 0 && *out && (*out)[0] == '\0') {
        free(*out);
        *out = NULL;
    }
    if (r == 0 && *out && !is_cpu_list(*out))
        return spec_error_value(err, spec_member(obj, key),
                                "expected a list such as \"0-3,7\", not", *out);
    return r;
}

/* ---- blockIO ------------------------------------------------------------- */

static int parse_weight_device(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_blkio_weight_device *d = (struct oci_blkio_weight_device *)items + i;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = required_i64(err, v, "major", &d->major);
    if (r == 0)
        r = required_i64(err, v, "minor", &d->minor);
    if (r == 0)
        r = opt_weight(err, v, "weight", &d->weight);
    if (r == 0)
        r = opt_weight(err, v, "leafWeight", &d->leaf_weight);
    return r;
}

static int parse_throttle(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_blkio_throttle *t = (struct oci_blkio_throttle *)items + i;
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = required_i64(err, v, "major", &t->major);
    if (r == 0)
        r = required_i64(err, v, "minor", &t->minor);
    if (r == 0 && (r = spec_require(err, v, "rate", OCI_JSON_NUMBER, &m)) == 0)
        r = spec_uint64(err, m, &t->rate);
    return r;
}

/* ---- hugepages, network, rdma, unified ------------------------------------ */

/* "2MB", "1GB", "64KB": the spelling of the hugetlb.<size>.* files. */
static bool is_page_size(const char *s)
{
    size_t digits = strspn(s, "0123456789");
    if (digits == 0 || s[0] == '0')
        return false;
    const char *unit = s + digits;
    return strcmp(unit, "KB") == 0 || strcmp(unit, "MB") == 0 || strcmp(unit, "GB") == 0;
}

static int parse_hugepage_limit(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_hugepage_limit *h = (struct oci_hugepage_limit *)items + i;
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "pageSize", OCI_JSON_STRING, &m)) == 0)
        r = spec_string(err, m, &h->page_size);
    if (r == 0 && !is_page_size(h->page_size))
        return spec_error_value(err, m, "expected a size such as \"2MB\" or \"1GB\", not",
                                h->page_size);
    if (r == 0 && (r = spec_require(err, v, "limit", OCI_JSON_NUMBER, &m)) == 0)
        r = spec_uint64(err, m, &h->limit);
    return r;
}

static int parse_net_priority(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_net_priority *p = (struct oci_net_priority *)items + i;
    const struct oci_json *f;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "name", OCI_JSON_STRING, &f)) == 0)
        r = spec_string(err, f, &p->name);
    if (r == 0 && (r = spec_require(err, v, "priority", OCI_JSON_NUMBER, &f)) == 0)
        r = spec_uint32(err, f, &p->priority);
    return r;
}

static int parse_rdma(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r < 0)
        return r;
    size_t n = oci_json_len(v);
    res->rdma = calloc(n ? n : 1, sizeof(*res->rdma));
    if (res->rdma == NULL)
        return spec_oom(err);
    res->n_rdma = n;
    for (size_t i = 0; i < n && r == 0; i++) {
        const struct oci_json *limit = oci_json_item(v, i);
        size_t len;
        const char *key = oci_json_key(v, i, &len);
        if (len == 0 || strlen(key) != len || strchr(key, ' ') || strchr(key, '\n'))
            return spec_error(err, limit, NULL, "not a usable RDMA device name");
        res->rdma[i].device = strdup(key);
        if (res->rdma[i].device == NULL)
            return spec_oom(err);
        r = spec_expect(err, limit, OCI_JSON_OBJECT);
        if (r == 0)
            r = opt_u64(err, limit, "hcaHandles", UINT32_MAX, &res->rdma[i].hca_handles);
        if (r == 0)
            r = opt_u64(err, limit, "hcaObjects", UINT32_MAX, &res->rdma[i].hca_objects);
    }
    return r;
}

/* A unified key names a file in the container's cgroup directory: it must
 * stay a plain name there ("memory.high"), never a path. */
static int parse_unified(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    int r = spec_string_map(err, v, &res->unified, &res->n_unified);
    for (size_t i = 0; i < res->n_unified && r == 0; i++) {
        const char *key = res->unified[i].key;
        if (key[0] == '\0' || key[0] == '.' || strchr(key, '/') || !strchr(key, '.'))
            return spec_error_value(err, oci_json_item(v, i),
                                    "key must be a cgroup file name such as \"memory.high\", not",
                                    key);
    }
    return r;
}

/* ---- the table ----------------------------------------------------------- */

#define AT(m) offsetof(struct oci_resources, m)
#define TO(m) offsetof(struct vd_cgroup_resources, m)
#define I64(g, k, m, vm, f)                                                                    \
    {g, k, g "." k, OCI_RES_I64, .min = -1, .max = INT64_MAX, .zero_unset = true, .at = AT(m),   \
     .to = TO(vm), .field = f}
#define U64(g, k, m, vm, f, mx, z)                                                              \
    {g, k, g "." k, OCI_RES_U64, .max = mx, .zero_unset = z, .at = AT(m), .to = TO(vm),       \
     .field = f}
#define BOOL(k, m, f)                                                                          \
    {"memory", k, "memory." k, OCI_RES_BOOL, .at = AT(memory.m), .has_at = AT(memory.has_##m),  \
     .to = TO(memory.m), .has_to = TO(memory.has_##m), .field = f}
#define THROTTLE(k, kind)                                                                      \
    {"blockIO", k, "blockIO." k, OCI_RES_ARRAY, .at = AT(block_io.throttle[kind]),              \
     .count_at = AT(block_io.n_throttle[kind]), .item_size = sizeof(struct oci_blkio_throttle), \
     .parse_item = parse_throttle, .field = VD_CG_BLKIO_THROTTLE, .throttle = kind}

/* In the order they are read (so the first of two bad fields is the one
 * named), which is also the order explain lists them in. */
const struct oci_res_field oci_res_fields[] = {
    {NULL, "devices", "devices", OCI_RES_ARRAY, .at = AT(devices), .count_at = AT(n_devices),
     .item_size = sizeof(struct oci_device_rule), .parse_item = parse_device_rule,
     .field = VD_CG_DEVICES},
    I64("memory", "limit", memory.limit, memory.limit, VD_CG_MEMORY_LIMIT),
    I64("memory", "reservation", memory.reservation, memory.reservation,
        VD_CG_MEMORY_RESERVATION),
    I64("memory", "swap", memory.swap, memory.swap, VD_CG_MEMORY_SWAP),
    /* deprecated and never applied (runc 1.1 ignores it too); the command
     * line warns about it (oci_resources_kernel_memory) */
    {"memory", "kernel", "memory.kernel", OCI_RES_I64, .min = -1, .max = INT64_MAX,
     .at = AT(memory.kernel), .to = OCI_RES_NOWHERE, .field = VD_CG_MEMORY_KERNEL},
    I64("memory", "kernelTCP", memory.kernel_tcp, memory.kernel_tcp, VD_CG_MEMORY_KERNEL_TCP),
    U64("memory", "swappiness", memory.swappiness, memory.swappiness, VD_CG_MEMORY_SWAPPINESS,
        100, false),
    BOOL("disableOOMKiller", disable_oom_killer, VD_CG_MEMORY_OOM),
    BOOL("useHierarchy", use_hierarchy, VD_CG_MEMORY_HIERARCHY),
    {"memory", "checkBeforeUpdate", "memory.checkBeforeUpdate", OCI_RES_FLAG,
     .at = AT(memory.check_before_update), .to = TO(memory.check_before_update)},
    U64("cpu", "shares", cpu.shares, cpu.shares, VD_CG_CPU_SHARES, UINT64_MAX, true),
    I64("cpu", "quota", cpu.quota, cpu.quota, VD_CG_CPU_QUOTA),
    U64("cpu", "period", cpu.period, cpu.period, VD_CG_CPU_PERIOD, UINT64_MAX, true),
    U64("cpu", "burst", cpu.burst, cpu.burst, VD_CG_CPU_BURST, UINT64_MAX, false),
    I64("cpu", "realtimeRuntime", cpu.realtime_runtime, cpu.realtime_runtime,
        VD_CG_CPU_RT_RUNTIME),
    U64("cpu", "realtimePeriod", cpu.realtime_period, cpu.realtime_period, VD_CG_CPU_RT_PERIOD,
        UINT64_MAX, true),
    {"cpu", "cpus", "cpu.cpus", OCI_RES_CPU_LIST, .at = AT(cpu.cpus), .to = TO(cpu.cpus),
     .field = VD_CG_CPU_CPUS},
    {"cpu", "mems", "cpu.mems", OCI_RES_CPU_LIST, .at = AT(cpu.mems), .to = TO(cpu.mems),
     .field = VD_CG_CPU_MEMS},
    {"cpu", "idle", "cpu.idle", OCI_RES_I64, .min = 0, .max = 1, .at = AT(cpu.idle),
     .to = TO(cpu.idle), .field = VD_CG_CPU_IDLE},
    {"blockIO", "weight", "blockIO.weight", OCI_RES_WEIGHT, .zero_unset = true,
     .at = AT(block_io.weight), .to = TO(blkio.weight), .field = VD_CG_BLKIO_WEIGHT},
    {"blockIO", "leafWeight", "blockIO.leafWeight", OCI_RES_WEIGHT, .zero_unset = true,
     .at = AT(block_io.leaf_weight), .to = TO(blkio.leaf_weight),
     .field = VD_CG_BLKIO_LEAF_WEIGHT},
    {"blockIO", "weightDevice", "blockIO.weightDevice", OCI_RES_ARRAY,
     .at = AT(block_io.weight_devices), .count_at = AT(block_io.n_weight_devices),
     .item_size = sizeof(struct oci_blkio_weight_device), .parse_item = parse_weight_device,
     .field = VD_CG_BLKIO_DEVICE},
    THROTTLE("throttleReadBpsDevice", OCI_THROTTLE_READ_BPS),
    THROTTLE("throttleWriteBpsDevice", OCI_THROTTLE_WRITE_BPS),
    THROTTLE("throttleReadIOPSDevice", OCI_THROTTLE_READ_IOPS),
    THROTTLE("throttleWriteIOPSDevice", OCI_THROTTLE_WRITE_IOPS),
    {NULL, "hugepageLimits", "hugepageLimits", OCI_RES_ARRAY, .at = AT(hugepage_limits),
     .count_at = AT(n_hugepage_limits), .item_size = sizeof(struct oci_hugepage_limit),
     .parse_item = parse_hugepage_limit, .field = VD_CG_HUGETLB},
    U64("network", "classID", network.class_id, net_class_id, VD_CG_NET_CLASS_ID, UINT32_MAX,
        true),
    {"network", "priorities", "network.priorities", OCI_RES_ARRAY,
     .at = AT(network.priorities), .count_at = AT(network.n_priorities),
     .item_size = sizeof(struct oci_net_priority), .parse_item = parse_net_priority,
     .field = VD_CG_NET_PRIO},
    {"pids", "limit", "pids.limit", OCI_RES_I64, .min = -1, .max = INT64_MAX, .required = true,
     .zero_unset = true, .at = AT(pids_limit), .to = TO(pids_limit), .field = VD_CG_PIDS},
    {NULL, "rdma", "rdma", OCI_RES_OBJECT, .at = AT(rdma), .count_at = AT(n_rdma),
     .parse = parse_rdma, .field = VD_CG_RDMA},
    {NULL, "unified", "unified", OCI_RES_OBJECT, .at = AT(unified), .count_at = AT(n_unified),
     .parse = parse_unified, .field = VD_CG_UNIFIED},
};
const size_t oci_n_res_fields = VD_ARRAY_SIZE(oci_res_fields);

const struct oci_res_field *oci_res_field_of(enum vd_cgroup_field field, int throttle)
{
    for (size_t i = 0; field != VD_CG_NONE && i < oci_n_res_fields; i++)
        if (oci_res_fields[i].field == field &&
            (field != VD_CG_BLKIO_THROTTLE || oci_res_fields[i].throttle == throttle))
            return &oci_res_fields[i];
    return NULL;
}

const char *oci_throttle_kind_name(enum oci_throttle_kind kind)
{
    const struct oci_res_field *f = oci_res_field_of(VD_CG_BLKIO_THROTTLE, (int)kind);
    return f ? f->key : "unknown";
}

/* ---- reading by the table ------------------------------------------------- */

static int parse_field(vd_error **err, const struct oci_json *obj, const struct oci_res_field *f,
                       struct oci_resources *res)
{
    void *at = (char *)res + f->at;
    const struct oci_json *m = spec_member(obj, f->key);
    int r = f->required ? spec_require(err, obj, f->key, OCI_JSON_NUMBER, &m) : 0;
    if (r < 0)
        return r;
    switch (f->kind) {
    case OCI_RES_I64:
        return opt_i64(err, obj, f->key, f->min, (int64_t)f->max, at);
    case OCI_RES_U64:
        return opt_u64(err, obj, f->key, f->max, at);
    case OCI_RES_WEIGHT:
        return opt_weight(err, obj, f->key, at);
    case OCI_RES_BOOL:
        return opt_bool(err, obj, f->key, (bool *)((char *)res + f->has_at), at);
    case OCI_RES_FLAG:
        return spec_opt_bool(err, obj, f->key, at);
    case OCI_RES_CPU_LIST:
        return opt_cpu_list(err, obj, f->key, at);
    case OCI_RES_ARRAY:
        return m ? spec_array(err, m, f->item_size, (char *)res + f->at,
                              (size_t *)((char *)res + f->count_at), f->parse_item)
                 : 0;
    case OCI_RES_OBJECT:
        return m ? f->parse(err, m, res) : 0;
    }
    return 0;
}

/* Each row of the table, the member that holds its group checked to be an
 * object once, before its first row. */
static int parse_resources(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    const struct oci_json *group = v;
    for (size_t i = 0; i < oci_n_res_fields && r == 0; i++) {
        const struct oci_res_field *f = &oci_res_fields[i];
        const char *prev = i ? oci_res_fields[i - 1].group : NULL;
        if (i == 0 || (f->group != prev && (!f->group || !prev || strcmp(f->group, prev)))) {
            group = f->group ? spec_member(v, f->group) : v;
            if (group && f->group)
                r = spec_expect(err, group, OCI_JSON_OBJECT);
        }
        if (group && r == 0)
            r = parse_field(err, group, f, res);
    }
    return r;
}

int spec_parse_resources(vd_error **err, const struct oci_json *v, struct oci_resources **out)
{
    struct oci_resources *res = calloc(1, sizeof(*res));
    if (res == NULL)
        return spec_oom(err);
    int r = parse_resources(err, v, res);
    if (r < 0) {
        spec_resources_free(res);
        return r;
    }
    *out = res;
    return 0;
}

int oci_resources_parse(const char *text, size_t len, struct oci_resources **out,
                        vd_error **err)
{
    _cleanup_json_ struct oci_json *top = NULL;
    int r = oci_json_parse(text, len, &top, err);
    if (r < 0)
        return r;
    return spec_parse_resources(err, top, out);
}

void oci_resources_free(struct oci_resources *res)
{
    spec_resources_free(res);
}

void spec_resources_free(struct oci_resources *res)
{
    if (res == NULL)
        return;
    free(res->devices);
    free(res->cpu.cpus);
    free(res->cpu.mems);
    free(res->block_io.weight_devices);
    for (int k = 0; k < OCI_THROTTLE_KIND_COUNT; k++)
        free(res->block_io.throttle[k]);
    for (size_t i = 0; i < res->n_hugepage_limits; i++)
        free(res->hugepage_limits[i].page_size);
    free(res->hugepage_limits);
    for (size_t i = 0; i < res->network.n_priorities; i++)
        free(res->network.priorities[i].name);
    free(res->network.priorities);
    for (size_t i = 0; i < res->n_rdma; i++)
        free(res->rdma[i].device);
    free(res->rdma);
    spec_kv_free(res->unified, res->n_unified);
    free(res);
}
