/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `events` output: libvoid's cgroup statistics as runc's event JSON, so
 * that a client decoding runc's types (containerd's shim does) reads ours.
 * A zero member runc marks omitempty is left out, as Go would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "json.h"
#include "utils.h"

static void key_uint(struct oci_json_writer *w, const char *key, uint64_t v)
{
    oci_json_write_key(w, key);
    oci_json_write_uint(w, v);
}

/* An omitempty number. */
static void key_uint_nz(struct oci_json_writer *w, const char *key, uint64_t v)
{
    if (v)
        key_uint(w, key, v);
}

/* An omitempty list of numbers. */
static void key_list(struct oci_json_writer *w, const char *key, const uint64_t *v, size_t n)
{
    if (n == 0)
        return;
    oci_json_write_key(w, key);
    oci_json_write_begin_array(w);
    for (size_t i = 0; i < n; i++)
        oci_json_write_uint(w, v[i]);
    oci_json_write_end_array(w);
}

static void write_cpu(struct oci_json_writer *w, const struct vd_cgroup_stats *s)
{
    oci_json_write_key(w, "cpu");
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "usage");
    oci_json_write_begin_object(w);
    key_uint_nz(w, "total", s->cpu.total);
    key_list(w, "percpu", s->cpu.percpu, s->cpu.n_percpu);
    key_list(w, "percpu_kernel", s->cpu.percpu_kernel, s->cpu.n_percpu_kernel);
    key_list(w, "percpu_user", s->cpu.percpu_user, s->cpu.n_percpu_user);
    key_uint(w, "kernel", s->cpu.kernel);
    key_uint(w, "user", s->cpu.user);
    oci_json_write_end_object(w);
    oci_json_write_key(w, "throttling");
    oci_json_write_begin_object(w);
    key_uint_nz(w, "periods", s->cpu.periods);
    key_uint_nz(w, "throttledPeriods", s->cpu.throttled_periods);
    key_uint_nz(w, "throttledTime", s->cpu.throttled_time);
    oci_json_write_end_object(w);
    oci_json_write_end_object(w);
}

static void write_memory_entry(struct oci_json_writer *w, const char *key,
                               const struct vd_cgroup_memory_entry *e)
{
    oci_json_write_key(w, key);
    oci_json_write_begin_object(w);
    key_uint(w, "limit", e->limit);
    key_uint_nz(w, "usage", e->usage);
    key_uint_nz(w, "max", e->max);
    key_uint(w, "failcnt", e->failcnt);
    oci_json_write_end_object(w);
}

static int compare_stat(const void *a, const void *b)
{
    return strcmp((*(const struct vd_cgroup_stat *const *)a)->key,
                  (*(const struct vd_cgroup_stat *const *)b)->key);
}

/* memory.stat as runc's "raw" map, keys sorted (Go sorts map keys). */
static int write_raw(struct oci_json_writer *w, const struct vd_cgroup_stats *s, vd_error **err)
{
    size_t n = s->memory.n_raw;
    if (n == 0)
        return 0;
    _cleanup_free_ const struct vd_cgroup_stat **sorted = calloc(n, sizeof(*sorted));
    if (sorted == NULL)
        return vd_error_set(err, ENOMEM, "write the memory statistics");
    for (size_t i = 0; i < n; i++)
        sorted[i] = &s->memory.raw[i];
    qsort(sorted, n, sizeof(*sorted), compare_stat);
    oci_json_write_key(w, "raw");
    oci_json_write_begin_object(w);
    for (size_t i = 0; i < n; i++)
        key_uint(w, sorted[i]->key, sorted[i]->value);
    oci_json_write_end_object(w);
    return 0;
}

static int write_memory(struct oci_json_writer *w, const struct vd_cgroup_stats *s,
                        vd_error **err)
{
    oci_json_write_key(w, "memory");
    oci_json_write_begin_object(w);
    key_uint_nz(w, "cache", s->memory.cache);
    write_memory_entry(w, "usage", &s->memory.usage);
    write_memory_entry(w, "swap", &s->memory.swap);
    write_memory_entry(w, "kernel", &s->memory.kernel);
    write_memory_entry(w, "kernelTCP", &s->memory.kernel_tcp);
    if (write_raw(w, s, err) < 0)
        return -1;
    oci_json_write_end_object(w);
    return 0;
}

static void write_pids(struct oci_json_writer *w, const struct vd_cgroup_stats *s)
{
    oci_json_write_key(w, "pids");
    oci_json_write_begin_object(w);
    key_uint_nz(w, "current", s->pids.current);
    key_uint_nz(w, "limit", s->pids.limit);
    oci_json_write_end_object(w);
}

static void write_blkio_list(struct oci_json_writer *w, const char *key,
                             const struct vd_cgroup_blkio_entry *v, size_t n)
{
    if (n == 0)
        return;
    oci_json_write_key(w, key);
    oci_json_write_begin_array(w);
    for (size_t i = 0; i < n; i++) {
        oci_json_write_begin_object(w);
        key_uint_nz(w, "major", v[i].major);
        key_uint_nz(w, "minor", v[i].minor);
        if (v[i].op[0]) {
            oci_json_write_key(w, "op");
            oci_json_write_string(w, v[i].op);
        }
        key_uint_nz(w, "value", v[i].value);
        oci_json_write_end_object(w);
    }
    oci_json_write_end_array(w);
}

static void write_blkio(struct oci_json_writer *w, const struct vd_cgroup_stats *s)
{
    oci_json_write_key(w, "blkio");
    oci_json_write_begin_object(w);
    write_blkio_list(w, "ioServiceBytesRecursive", s->blkio.service_bytes,
                     s->blkio.n_service_bytes);
    write_blkio_list(w, "ioServicedRecursive", s->blkio.serviced, s->blkio.n_serviced);
    oci_json_write_end_object(w);
}

static int compare_hugetlb(const void *a, const void *b)
{
    return strcmp(((const struct vd_cgroup_hugetlb_stats *)a)->page_size,
                  ((const struct vd_cgroup_hugetlb_stats *)b)->page_size);
}

static int write_hugetlb(struct oci_json_writer *w, const struct vd_cgroup_stats *s,
                         vd_error **err)
{
    size_t n = s->n_hugetlb;
    _cleanup_free_ struct vd_cgroup_hugetlb_stats *sorted = calloc(n ? n : 1, sizeof(*sorted));
    if (sorted == NULL)
        return vd_error_set(err, ENOMEM, "write the hugetlb statistics");
    if (n)
        memcpy(sorted, s->hugetlb, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), compare_hugetlb);
    oci_json_write_key(w, "hugetlb");
    oci_json_write_begin_object(w);
    for (size_t i = 0; i < n; i++) {
        oci_json_write_key(w, sorted[i].page_size);
        oci_json_write_begin_object(w);
        key_uint_nz(w, "usage", sorted[i].usage);
        key_uint_nz(w, "max", sorted[i].max);
        key_uint(w, "failcnt", sorted[i].failcnt);
        oci_json_write_end_object(w);
    }
    oci_json_write_end_object(w);
    return 0;
}

static void write_head(struct oci_json_writer *w, const char *type, const char *id)
{
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "type");
    oci_json_write_string(w, type);
    oci_json_write_key(w, "id");
    oci_json_write_string(w, id);
}

char *oci_event_stats_json(const char *id, const struct vd_cgroup_stats *s, vd_error **err)
{
    _cleanup_json_writer_ struct oci_json_writer *w = oci_json_writer_new(false);
    if (w == NULL) {
        vd_error_set(err, ENOMEM, "write the stats event");
        return NULL;
    }
    write_head(w, "stats", id);
    oci_json_write_key(w, "data");
    oci_json_write_begin_object(w);
    write_cpu(w, s);
    if (write_memory(w, s, err) < 0)
        return NULL;
    write_pids(w, s);
    write_blkio(w, s);
    if (write_hugetlb(w, s, err) < 0)
        return NULL;
    oci_json_write_end_object(w);
    oci_json_write_end_object(w);
    return oci_json_writer_finish(steal_pointer(&w), NULL, err);
}

char *oci_event_oom_json(const char *id, vd_error **err)
{
    struct oci_json_writer *w = oci_json_writer_new(false);
    if (w == NULL) {
        vd_error_set(err, ENOMEM, "write the oom event");
        return NULL;
    }
    write_head(w, "oom", id);
    oci_json_write_end_object(w);
    return oci_json_writer_finish(w, NULL, err);
}
