/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the kernel counts for the container: cpu time, memory, pids, block
 * I/O and huge pages, read from whichever hierarchy holds each controller
 * (v1 files on a v1 or hybrid host, v2 files otherwise), in runc's units.
 * Only reads: nothing here changes the cgroup.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"

/* Stat files are small; memory.stat is the largest, a few KiB. */
#define STAT_FILE_MAX (256u * 1024)

/* ---- reading files ---------------------------------------------------------- */

/* <dir>/<file> into *out (NUL-terminated).  With `optional`, a file the
 * kernel does not have gives *out NULL and no error. */
static int read_text(const char *dir, const char *file, bool optional, char **out, vd_error **err)
{
    *out = NULL;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        return vd_error_set(err, ENAMETOOLONG, "cgroup file \"%s/%s\"", dir, file);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && optional)
        return 0;
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    _cleanup_free_ char *buf = malloc(STAT_FILE_MAX);
    if (buf == NULL)
        return vd_error_set(err, ENOMEM, "read \"%s\"", path);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, STAT_FILE_MAX - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vd_error_set(err, errno, "read \"%s\"", path);
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == STAT_FILE_MAX - 1)
            return vd_error_set(err, EFBIG, "read \"%s\"", path);
    }
    buf[len] = '\0';
    *out = steal_pointer(&buf);
    return 0;
}

/* A cgroup number; "max" is no limit. */
static int parse_u64(const char *s, uint64_t *out)
{
    while (*s == ' ')
        s++;
    if (strncmp(s, "max", 3) == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || (*end && *end != '\n' && *end != ' '))
        return -EINVAL;
    *out = v;
    return 0;
}

static int read_u64_in(const char *dir, const char *file, bool optional, uint64_t *out,
                       vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    *out = 0;
    if (read_text(dir, file, optional, &text, err) < 0)
        return -1;
    if (text && parse_u64(text, out) < 0)
        return vd_error_set(err, 0, "\"%s/%s\": not a number: \"%.32s\"", dir, file, text);
    return 0;
}

int vd_cgroup_read_u64(const struct vd_cgroup_dir *d, const char *file, uint64_t *out,
                       vd_error **err)
{
    return read_u64_in(d->path, file, false, out, err);
}

/* The value of `key` in a "key value" per line file (cpu.stat, memory.events). */
static bool keyed(const char *text, const char *key, uint64_t *out)
{
    size_t len = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, key, len) == 0 && p[len] == ' ')
            return parse_u64(p + len + 1, out) == 0;
    return false;
}

/* A keyed value of an optional file, 0 when the file or the key is absent. */
static int read_keyed(const char *dir, const char *file, const char *key, uint64_t *out,
                      vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    *out = 0;
    if (read_text(dir, file, true, &text, err) < 0)
        return -1;
    if (text)
        keyed(text, key, out);
    return 0;
}

/* Space-separated numbers (cpuacct.usage_percpu) into a new array. */
static int read_list(const char *dir, const char *file, bool optional, uint64_t **out, size_t *n,
                     vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    if (read_text(dir, file, optional, &text, err) < 0)
        return -1;
    for (char *p = text, *end; p && *p; p = end) {
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p)
            break;
        uint64_t *e = vd_array_append(out, n, sizeof(**out), err);
        if (e == NULL)
            return -1;
        *e = v;
    }
    return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---- cpu -------------------------------------------------------------------- */

/* v1: cpuacct counts, cpu.stat throttling.  cpuacct.stat is in clock
 * ticks, turned into nanoseconds as runc does. */
static int cpu_v1(const char *acct, const struct vd_cgroup_dir *cpu, struct vd_cgroup_stats *s,
                  vd_error **err)
{
    if (read_u64_in(acct, "cpuacct.usage", false, &s->cpu.total, err) < 0 ||
        read_list(acct, "cpuacct.usage_percpu", false, &s->cpu.percpu, &s->cpu.n_percpu, err) <
            0 ||
        read_list(acct, "cpuacct.usage_percpu_sys", true, &s->cpu.percpu_kernel,
                  &s->cpu.n_percpu_kernel, err) < 0 ||
        read_list(acct, "cpuacct.usage_percpu_user", true, &s->cpu.percpu_user,
                  &s->cpu.n_percpu_user, err) < 0)
        return -1;
    uint64_t user = 0, system = 0;
    if (read_keyed(acct, "cpuacct.stat", "user", &user, err) < 0 ||
        read_keyed(acct, "cpuacct.stat", "system", &system, err) < 0)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    uint64_t ns_per_tick = hz > 0 ? 1000000000u / (uint64_t)hz : 10000000u;
    s->cpu.user = user * ns_per_tick;
    s->cpu.kernel = system * ns_per_tick;
    if (cpu && !cpu->v2 &&
        (read_keyed(cpu->path, "cpu.stat", "nr_periods", &s->cpu.periods, err) < 0 ||
         read_keyed(cpu->path, "cpu.stat", "nr_throttled", &s->cpu.throttled_periods, err) < 0 ||
         read_keyed(cpu->path, "cpu.stat", "throttled_time", &s->cpu.throttled_time, err) < 0))
        return -1;
    return 0;
}

/* v2: one cpu.stat, in microseconds. */
static int cpu_v2(const char *dir, struct vd_cgroup_stats *s, vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    if (read_text(dir, "cpu.stat", false, &text, err) < 0)
        return -1;
    uint64_t usec = 0;
    if (keyed(text, "usage_usec", &usec))
        s->cpu.total = usec * 1000;
    if (keyed(text, "user_usec", &usec))
        s->cpu.user = usec * 1000;
    if (keyed(text, "system_usec", &usec))
        s->cpu.kernel = usec * 1000;
    if (keyed(text, "throttled_usec", &usec))
        s->cpu.throttled_time = usec * 1000;
    keyed(text, "nr_periods", &s->cpu.periods);
    keyed(text, "nr_throttled", &s->cpu.throttled_periods);
    return 0;
}

static int stats_cpu(const vd_cgroup *cg, struct vd_cgroup_stats *s, vd_error **err)
{
    const struct vd_cgroup_dir *acct = vd_cgroup_dir_for(cg, "cpuacct");
    int r = 0;
    if (acct && !acct->v2)
        r = cpu_v1(acct->path, vd_cgroup_dir_for(cg, "cpu"), s, err);
    else if (cg->layout == VD_CGROUP_V2 && vd_cgroup_v2_dir(cg))
        r = cpu_v2(vd_cgroup_v2_dir(cg)->path, s, err); /* cpu.stat is always there */
    else
        return 0;
    s->has_cpu = r == 0;
    return r;
}

/* ---- memory ----------------------------------------------------------------- */

/* v1 <prefix>.usage_in_bytes and its siblings; optional ones (memsw, kmem)
 * read zero when the kernel lacks them. */
static int memory_entry_v1(const char *dir, const char *prefix, bool optional,
                           struct vd_cgroup_memory_entry *e, vd_error **err)
{
    static const char *const names[] = {"usage_in_bytes", "max_usage_in_bytes", "failcnt",
                                        "limit_in_bytes"};
    uint64_t *fields[] = {&e->usage, &e->max, &e->failcnt, &e->limit};
    for (size_t i = 0; i < VD_ARRAY_SIZE(names); i++) {
        char file[64];
        snprintf(file, sizeof(file), "%s.%s", prefix, names[i]);
        if (read_u64_in(dir, file, optional, fields[i], err) < 0)
            return -1;
    }
    return 0;
}

/* memory.stat, every line kept (runc's "raw"). */
static int memory_raw(const char *dir, struct vd_cgroup_stats *s, vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    if (read_text(dir, "memory.stat", false, &text, err) < 0)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        uint64_t v;
        if (sp == NULL || parse_u64(sp + 1, &v) < 0)
            continue;
        struct vd_cgroup_stat *e =
            vd_array_append(&s->memory.raw, &s->memory.n_raw, sizeof(*s->memory.raw), err);
        if (e == NULL)
            return -1;
        if ((e->key = strndup(line, (size_t)(sp - line))) == NULL)
            return vd_error_set(err, ENOMEM, "read \"%s/memory.stat\"", dir);
        e->value = v;
    }
    return 0;
}

static uint64_t raw_value(const struct vd_cgroup_stats *s, const char *key)
{
    for (size_t i = 0; i < s->memory.n_raw; i++)
        if (strcmp(s->memory.raw[i].key, key) == 0)
            return s->memory.raw[i].value;
    return 0;
}

static int memory_v1(const char *dir, struct vd_cgroup_stats *s, vd_error **err)
{
    if (memory_entry_v1(dir, "memory", false, &s->memory.usage, err) < 0 ||
        memory_entry_v1(dir, "memory.memsw", true, &s->memory.swap, err) < 0 ||
        memory_entry_v1(dir, "memory.kmem", true, &s->memory.kernel, err) < 0 ||
        memory_entry_v1(dir, "memory.kmem.tcp", true, &s->memory.kernel_tcp, err) < 0 ||
        memory_raw(dir, s, err) < 0)
        return -1;
    s->memory.cache = raw_value(s, "cache");
    return 0;
}

/* v2: swap is reported as memory + swap, runc's v1-compatible figure. */
static int memory_v2(const char *dir, struct vd_cgroup_stats *s, vd_error **err)
{
    struct vd_cgroup_memory_entry *u = &s->memory.usage, *w = &s->memory.swap;
    uint64_t swap = 0, swap_max = 0;
    if (read_u64_in(dir, "memory.current", false, &u->usage, err) < 0 ||
        read_u64_in(dir, "memory.max", false, &u->limit, err) < 0 ||
        read_u64_in(dir, "memory.peak", true, &u->max, err) < 0 ||
        read_keyed(dir, "memory.events", "max", &u->failcnt, err) < 0 ||
        read_u64_in(dir, "memory.swap.current", true, &swap, err) < 0 ||
        read_u64_in(dir, "memory.swap.max", true, &swap_max, err) < 0 ||
        memory_raw(dir, s, err) < 0)
        return -1;
    w->usage = add_sat(u->usage, swap);
    w->limit = add_sat(u->limit, swap_max);
    s->memory.cache = raw_value(s, "file");
    return 0;
}

static int stats_memory(const vd_cgroup *cg, struct vd_cgroup_stats *s, vd_error **err)
{
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(cg, "memory");
    if (d == NULL)
        return 0;
    int r = d->v2 ? memory_v2(d->path, s, err) : memory_v1(d->path, s, err);
    s->has_memory = r == 0;
    return r;
}

int vd_cgroup_oom_kills(const vd_cgroup *cg, uint64_t *count, vd_error **err)
{
    *count = 0;
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(cg, "memory");
    if (d == NULL) /* no memory controller: nothing can be OOM-killed by it */
        return 0;
    return read_keyed(d->path, d->v2 ? "memory.events" : "memory.oom_control", "oom_kill", count,
                      err);
}

/* ---- pids ------------------------------------------------------------------- */

static int stats_pids(const vd_cgroup *cg, struct vd_cgroup_stats *s, vd_error **err)
{
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(cg, "pids");
    if (d == NULL)
        return 0;
    if (read_u64_in(d->path, "pids.current", false, &s->pids.current, err) < 0 ||
        read_u64_in(d->path, "pids.max", false, &s->pids.limit, err) < 0)
        return -1;
    if (s->pids.limit == UINT64_MAX)
        s->pids.limit = 0; /* runc prints no limit as none */
    s->has_pids = true;
    return 0;
}

/* ---- block I/O -------------------------------------------------------------- */

static int add_blkio(struct vd_cgroup_blkio_entry **v, size_t *n, uint64_t major, uint64_t minor,
                     const char *op, uint64_t value, vd_error **err)
{
    struct vd_cgroup_blkio_entry *e = vd_array_append(v, n, sizeof(**v), err);
    if (e == NULL)
        return -1;
    *e = (struct vd_cgroup_blkio_entry){.major = major, .minor = minor, .value = value};
    snprintf(e->op, sizeof(e->op), "%s", op);
    return 0;
}

/* v1 "MAJ:MIN Op value" lines; the last, "Total N", has no device. */
static int blkio_v1_file(const char *dir, const char *file, struct vd_cgroup_blkio_entry **v,
                         size_t *n, vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    if (read_text(dir, file, true, &text, err) < 0)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned long long major, minor, value;
        char op[16];
        if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) == 4 &&
            add_blkio(v, n, major, minor, op, value, err) < 0)
            return -1;
    }
    return 0;
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ...". */
static int blkio_v2(const char *dir, struct vd_cgroup_stats *s, vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    if (read_text(dir, "io.stat", true, &text, err) < 0)
        return -1;
    static const struct {
        const char *key, *op;
        bool bytes;
    } keys[] = {{"rbytes=", "Read", true},
                {"wbytes=", "Write", true},
                {"rios=", "Read", false},
                {"wios=", "Write", false}};
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned long long major, minor;
        if (sscanf(line, "%llu:%llu", &major, &minor) != 2)
            continue;
        for (size_t k = 0; k < VD_ARRAY_SIZE(keys); k++) {
            const char *at = strstr(line, keys[k].key);
            uint64_t v;
            if (at == NULL || parse_u64(at + strlen(keys[k].key), &v) < 0)
                continue;
            int r = keys[k].bytes ? add_blkio(&s->blkio.service_bytes, &s->blkio.n_service_bytes,
                                              major, minor, keys[k].op, v, err)
                                  : add_blkio(&s->blkio.serviced, &s->blkio.n_serviced, major,
                                              minor, keys[k].op, v, err);
            if (r < 0)
                return -1;
        }
    }
    return 0;
}

static int stats_blkio(const vd_cgroup *cg, struct vd_cgroup_stats *s, vd_error **err)
{
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(cg, "blkio");
    int r;
    if (d && !d->v2)
        /* The throttle layer sees every bio, whatever the I/O scheduler. */
        r = blkio_v1_file(d->path, "blkio.throttle.io_service_bytes_recursive",
                          &s->blkio.service_bytes, &s->blkio.n_service_bytes, err) < 0 ||
                    blkio_v1_file(d->path, "blkio.throttle.io_serviced_recursive",
                                  &s->blkio.serviced, &s->blkio.n_serviced, err) < 0
                ? -1
                : 0;
    else if ((d = vd_cgroup_dir_for(cg, "io")) != NULL)
        r = blkio_v2(d->path, s, err);
    else
        return 0;
    s->has_blkio = r == 0;
    return r;
}

/* ---- huge pages ------------------------------------------------------------- */

/* "hugepages-2048kB" -> "2MB", the spelling of the hugetlb.<size>.* files. */
static bool page_size_name(const char *dirent, char *out, size_t size)
{
    unsigned long kb;
    char unit[4];
    if (sscanf(dirent, "hugepages-%lu%3s", &kb, unit) != 2 || strcmp(unit, "kB") != 0 || kb == 0)
        return false;
    int n;
    if (kb % (1024 * 1024) == 0)
        n = snprintf(out, size, "%luGB", kb / (1024 * 1024));
    else if (kb % 1024 == 0)
        n = snprintf(out, size, "%luMB", kb / 1024);
    else
        n = snprintf(out, size, "%luKB", kb);
    return n > 0 && (size_t)n < size;
}

static int hugetlb_one(const struct vd_cgroup_dir *d, struct vd_cgroup_hugetlb_stats *h,
                       vd_error **err)
{
    char file[64];
    if (d->v2) {
        snprintf(file, sizeof(file), "hugetlb.%s.current", h->page_size);
        if (read_u64_in(d->path, file, false, &h->usage, err) < 0)
            return -1;
        snprintf(file, sizeof(file), "hugetlb.%s.events", h->page_size);
        return read_keyed(d->path, file, "max", &h->failcnt, err);
    }
    static const char *const names[] = {"usage_in_bytes", "max_usage_in_bytes", "failcnt"};
    uint64_t *fields[] = {&h->usage, &h->max, &h->failcnt};
    for (size_t i = 0; i < VD_ARRAY_SIZE(names); i++) {
        snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size, names[i]);
        if (read_u64_in(d->path, file, false, fields[i], err) < 0)
            return -1;
    }
    return 0;
}

static int stats_hugetlb(const vd_cgroup *cg, struct vd_cgroup_stats *s, vd_error **err)
{
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(cg, "hugetlb");
    if (d == NULL)
        return 0;
    DIR *sizes = opendir("/sys/kernel/mm/hugepages");
    if (sizes == NULL)
        return errno == ENOENT ? 0 : vd_error_set(err, errno, "open \"/sys/kernel/mm/hugepages\"");
    int r = 0;
    struct dirent *de;
    while (r == 0 && (de = readdir(sizes)) != NULL) {
        char name[16];
        if (!page_size_name(de->d_name, name, sizeof(name)))
            continue;
        struct vd_cgroup_hugetlb_stats *h =
            vd_array_append(&s->hugetlb, &s->n_hugetlb, sizeof(*s->hugetlb), err);
        if (h == NULL) {
            r = -1;
            break;
        }
        snprintf(h->page_size, sizeof(h->page_size), "%s", name);
        r = hugetlb_one(d, h, err);
    }
    closedir(sizes);
    return r;
}

/* ---- all -------------------------------------------------------------------- */

int vd_cgroup_stats(const vd_cgroup *cg, struct vd_cgroup_stats *out, vd_error **err)
{
    *out = (struct vd_cgroup_stats){0};
    if (stats_cpu(cg, out, err) < 0 || stats_memory(cg, out, err) < 0 ||
        stats_pids(cg, out, err) < 0 || stats_blkio(cg, out, err) < 0 ||
        stats_hugetlb(cg, out, err) < 0)
        return vd_error_prefix(err, "read the cgroup's statistics");
    return 0;
}

void vd_cgroup_stats_clear(struct vd_cgroup_stats *s)
{
    free(s->cpu.percpu);
    free(s->cpu.percpu_kernel);
    free(s->cpu.percpu_user);
    for (size_t i = 0; i < s->memory.n_raw; i++)
        free(s->memory.raw[i].key);
    free(s->memory.raw);
    free(s->blkio.service_bytes);
    free(s->blkio.serviced);
    free(s->hugetlb);
    *s = (struct vd_cgroup_stats){0};
}
