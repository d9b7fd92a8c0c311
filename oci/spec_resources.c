/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json "linux.resources": read and checked, each value against the
 * range config-linux.md and the kernel's cgroup files give it, so that a
 * bad value is refused with its JSON path before any cgroup exists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "utils.h"

static const char *const throttle_keys[OCI_THROTTLE_KIND_COUNT] = {
    [OCI_THROTTLE_READ_BPS] = "throttleReadBpsDevice",
    [OCI_THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
    [OCI_THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
    [OCI_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

const char *oci_throttle_kind_name(enum oci_throttle_kind kind)
{
    return (unsigned)kind < OCI_THROTTLE_KIND_COUNT ? throttle_keys[kind] : "unknown";
}

/* ---- typed optional members ---------------------------------------------- */

static int opt_i64(vd_error **err, const struct oci_json *obj, const char *key, int64_t min,
                   struct oci_opt_i64 *out)
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

/* Allocate `n` zeroed elements for an array member, so that a failure half
 * way leaves a freeable array. */
static void *alloc_array(vd_error **err, const struct oci_json *v, size_t size, size_t *n)
{
    if (spec_expect(err, v, OCI_JSON_ARRAY) < 0)
        return NULL;
    size_t len = oci_json_len(v);
    void *a = calloc(len ? len : 1, size);
    if (a == NULL) {
        spec_oom(err);
        return NULL;
    }
    *n = len;
    return a;
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

static int parse_device_rule(vd_error **err, const struct oci_json *v, struct oci_device_rule *d)
{
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

static int parse_devices(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    res->devices = alloc_array(err, v, sizeof(*res->devices), &res->n_devices);
    if (res->devices == NULL)
        return -1;
    int r = 0;
    for (size_t i = 0; i < res->n_devices && r == 0; i++)
        r = parse_device_rule(err, oci_json_item(v, i), &res->devices[i]);
    return r;
}

/* ---- memory, cpu, pids --------------------------------------------------- */

static int parse_memory(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = opt_i64(err, v, "limit", -1, &res->memory.limit);
    if (r == 0)
        r = opt_i64(err, v, "reservation", -1, &res->memory.reservation);
    if (r == 0)
        r = opt_i64(err, v, "swap", -1, &res->memory.swap);
    if (r == 0)
        r = opt_i64(err, v, "kernel", -1, &res->memory.kernel);
    if (r == 0)
        r = opt_i64(err, v, "kernelTCP", -1, &res->memory.kernel_tcp);
    if (r == 0)
        r = opt_u64(err, v, "swappiness", 100, &res->memory.swappiness);
    if (r == 0)
        r = opt_bool(err, v, "disableOOMKiller", &res->memory.has_disable_oom_killer,
                     &res->memory.disable_oom_killer);
    if (r == 0)
        r = opt_bool(err, v, "useHierarchy", &res->memory.has_use_hierarchy,
                     &res->memory.use_hierarchy);
    if (r == 0)
        r = spec_opt_bool(err, v, "checkBeforeUpdate", &res->memory.check_before_update);
    return r;
}

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

static int parse_cpu(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = opt_u64(err, v, "shares", UINT64_MAX, &res->cpu.shares);
    if (r == 0)
        r = opt_i64(err, v, "quota", -1, &res->cpu.quota);
    if (r == 0)
        r = opt_u64(err, v, "period", UINT64_MAX, &res->cpu.period);
    if (r == 0)
        r = opt_u64(err, v, "burst", UINT64_MAX, &res->cpu.burst);
    if (r == 0)
        r = opt_i64(err, v, "realtimeRuntime", -1, &res->cpu.realtime_runtime);
    if (r == 0)
        r = opt_u64(err, v, "realtimePeriod", UINT64_MAX, &res->cpu.realtime_period);
    if (r == 0)
        r = opt_cpu_list(err, v, "cpus", &res->cpu.cpus);
    if (r == 0)
        r = opt_cpu_list(err, v, "mems", &res->cpu.mems);
    if (r == 0)
        r = opt_i64(err, v, "idle", 0, &res->cpu.idle);
    if (r == 0 && res->cpu.idle.set && res->cpu.idle.value > 1)
        return spec_error(err, v, "idle", "must be 0 or 1");
    return r;
}

static int parse_pids(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "limit", OCI_JSON_NUMBER, &m)) == 0)
        r = opt_i64(err, v, "limit", -1, &res->pids_limit);
    return r;
}

/* ---- blockIO ------------------------------------------------------------- */

static int parse_weight_device(vd_error **err, const struct oci_json *v,
                               struct oci_blkio_weight_device *d)
{
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

static int parse_throttle(vd_error **err, const struct oci_json *v, struct oci_blkio_throttle *t)
{
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

static int parse_block_io(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = opt_weight(err, v, "weight", &res->block_io.weight);
    if (r == 0)
        r = opt_weight(err, v, "leafWeight", &res->block_io.leaf_weight);
    if (r == 0 && (m = spec_member(v, "weightDevice"))) {
        res->block_io.weight_devices = alloc_array(err, m, sizeof(*res->block_io.weight_devices),
                                                   &res->block_io.n_weight_devices);
        if (res->block_io.weight_devices == NULL)
            return -1;
        for (size_t i = 0; i < res->block_io.n_weight_devices && r == 0; i++)
            r = parse_weight_device(err, oci_json_item(m, i), &res->block_io.weight_devices[i]);
    }
    for (int k = 0; k < OCI_THROTTLE_KIND_COUNT && r == 0; k++) {
        if ((m = spec_member(v, throttle_keys[k])) == NULL)
            continue;
        res->block_io.throttle[k] = alloc_array(err, m, sizeof(*res->block_io.throttle[k]),
                                                &res->block_io.n_throttle[k]);
        if (res->block_io.throttle[k] == NULL)
            return -1;
        for (size_t i = 0; i < res->block_io.n_throttle[k] && r == 0; i++)
            r = parse_throttle(err, oci_json_item(m, i), &res->block_io.throttle[k][i]);
    }
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

static int parse_hugepage_limit(vd_error **err, const struct oci_json *v,
                                struct oci_hugepage_limit *h)
{
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

static int parse_network(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    const struct oci_json *m, *item, *f;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0)
        r = opt_u64(err, v, "classID", UINT32_MAX, &res->network.class_id);
    if (r < 0 || (m = spec_member(v, "priorities")) == NULL)
        return r;
    res->network.priorities = alloc_array(err, m, sizeof(*res->network.priorities),
                                          &res->network.n_priorities);
    if (res->network.priorities == NULL)
        return -1;
    for (size_t i = 0; i < res->network.n_priorities && r == 0; i++) {
        struct oci_net_priority *p = &res->network.priorities[i];
        item = oci_json_item(m, i);
        r = spec_expect(err, item, OCI_JSON_OBJECT);
        if (r == 0 && (r = spec_require(err, item, "name", OCI_JSON_STRING, &f)) == 0)
            r = spec_string(err, f, &p->name);
        if (r == 0 && (r = spec_require(err, item, "priority", OCI_JSON_NUMBER, &f)) == 0)
            r = spec_uint32(err, f, &p->priority);
    }
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

/* ---- the object ---------------------------------------------------------- */

static int parse_resources(vd_error **err, const struct oci_json *v, struct oci_resources *res)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (m = spec_member(v, "devices")))
        r = parse_devices(err, m, res);
    if (r == 0 && (m = spec_member(v, "memory")))
        r = parse_memory(err, m, res);
    if (r == 0 && (m = spec_member(v, "cpu")))
        r = parse_cpu(err, m, res);
    if (r == 0 && (m = spec_member(v, "blockIO")))
        r = parse_block_io(err, m, res);
    if (r == 0 && (m = spec_member(v, "hugepageLimits"))) {
        res->hugepage_limits = alloc_array(err, m, sizeof(*res->hugepage_limits),
                                           &res->n_hugepage_limits);
        if (res->hugepage_limits == NULL)
            return -1;
        for (size_t i = 0; i < res->n_hugepage_limits && r == 0; i++)
            r = parse_hugepage_limit(err, oci_json_item(m, i), &res->hugepage_limits[i]);
    }
    if (r == 0 && (m = spec_member(v, "network")))
        r = parse_network(err, m, res);
    if (r == 0 && (m = spec_member(v, "pids")))
        r = parse_pids(err, m, res);
    if (r == 0 && (m = spec_member(v, "rdma")))
        r = parse_rdma(err, m, res);
    if (r == 0 && (m = spec_member(v, "unified")))
        r = parse_unified(err, m, res);
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
