/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidoci update: change a live container's resource limits.  The new
 * values come as a LinuxResources JSON object (--resources FILE, or - for
 * stdin: what containerd and podman send) and as runc's flags, which
 * override the file's values.  Both go through the config.json reader, so
 * a bad value is refused, naming its JSON path, before any cgroup file is
 * written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "json.h"
#include "spec.h"
#include "translate.h"
#include "units.h"
#include "utils.h"
#include "voidoci.h"

/* A resources document larger than this is refused. */
#define RESOURCES_MAX_SIZE (1024u * 1024)

static void update_usage(void)
{
    fputs("Usage: voidoci update [OPTIONS] ID\n"
          "\n"
          "Change the resource limits of container ID (created, running or paused).\n"
          "\n"
          "  -r, --resources FILE       a LinuxResources JSON object (linux.resources of\n"
          "                             config.json), - for stdin; the options below\n"
          "                             override its values\n"
          "      --memory SIZE          memory limit (SIZE: bytes, or 32m, 1.5g ...; -1: none)\n"
          "      --memory-reservation SIZE  soft limit\n"
          "      --memory-swap SIZE     memory plus swap limit (-1: unlimited swap)\n"
          "      --cpu-share N          cpu shares (also --cpu-shares)\n"
          "      --cpu-quota N          CFS quota in microseconds per period (-1: none)\n"
          "      --cpu-period N         CFS period in microseconds\n"
          "      --cpu-burst N          CFS burst in microseconds\n"
          "      --cpu-rt-period N      real-time period in microseconds\n"
          "      --cpu-rt-runtime N     real-time runtime in microseconds\n"
          "      --cpu-idle 0|1         SCHED_IDLE for the cgroup\n"
          "      --cpuset-cpus LIST     cpus to use (0-3,7)\n"
          "      --cpuset-mems LIST     memory nodes to use\n"
          "      --pids-limit N         maximum number of pids (-1: none)\n"
          "      --blkio-weight N       block I/O weight, 10 to 1000\n"
          "  -h, --help                 show this help\n"
          "\n"
          "A value of 0 leaves the limit as it is, as with runc.  --kernel-memory and\n"
          "--kernel-memory-tcp are accepted and ignored, as runc 1.1 does.\n",
          stdout);
}

/* How a flag's value is read and where it goes in the resources object. */
enum flag_kind { FLAG_BYTES, FLAG_INT, FLAG_UINT, FLAG_STRING, FLAG_IGNORED };

struct flag {
    const char *name;
    enum flag_kind kind;
    const char *section, *key; /* {"<section>": {"<key>": value}} */
};

static const struct flag flags[] = {
    {"memory", FLAG_BYTES, "memory", "limit"},
    {"memory-reservation", FLAG_BYTES, "memory", "reservation"},
    {"memory-swap", FLAG_BYTES, "memory", "swap"},
    {"kernel-memory", FLAG_IGNORED, NULL, NULL},
    {"kernel-memory-tcp", FLAG_IGNORED, NULL, NULL},
    {"cpu-share", FLAG_UINT, "cpu", "shares"},
    {"cpu-shares", FLAG_UINT, "cpu", "shares"},
    {"cpu-quota", FLAG_INT, "cpu", "quota"},
    {"cpu-period", FLAG_UINT, "cpu", "period"},
    {"cpu-burst", FLAG_UINT, "cpu", "burst"},
    {"cpu-rt-period", FLAG_UINT, "cpu", "realtimePeriod"},
    {"cpu-rt-runtime", FLAG_INT, "cpu", "realtimeRuntime"},
    {"cpu-idle", FLAG_INT, "cpu", "idle"},
    {"cpuset-cpus", FLAG_STRING, "cpu", "cpus"},
    {"cpuset-mems", FLAG_STRING, "cpu", "mems"},
    {"pids-limit", FLAG_INT, "pids", "limit"},
    {"blkio-weight", FLAG_UINT, "blockIO", "weight"},
};
#define N_FLAGS VD_ARRAY_SIZE(flags)

/* ---- the resources document ------------------------------------------------- */

static int read_all(int fd, const char *name, char **out, size_t *len, vd_error **err)
{
    size_t cap = 65536, n = 0;
    _cleanup_free_ char *buf = malloc(cap);
    if (buf == NULL)
        return vd_error_set(err, ENOMEM, "read %s", name);
    for (;;) {
        if (n == cap) {
            if (cap >= RESOURCES_MAX_SIZE)
                return vd_error_set(err, 0, "%s: larger than %u bytes", name,
                                    RESOURCES_MAX_SIZE);
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL)
                return vd_error_set(err, ENOMEM, "read %s", name);
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return vd_error_set(err, errno, "read %s", name);
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *out = steal_pointer(&buf);
    *len = n;
    return 0;
}

/* --resources FILE or - (stdin), parsed; errors start with the option. */
static int load_resources(const char *path, struct oci_resources **out, vd_error **err)
{
    bool stdin_ = strcmp(path, "-") == 0;
    _cleanup_close_ int fd = stdin_ ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    if (!stdin_ && fd < 0)
        return vd_error_set(err, errno, "--resources: open \"%s\"", path);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_all(stdin_ ? STDIN_FILENO : fd, stdin_ ? "stdin" : path, &text, &len, err);
    if (r == 0)
        r = oci_resources_parse(text, len, out, err);
    if (r < 0)
        return vd_error_prefix(err, "--resources %s", stdin_ ? "-" : path);
    return 0;
}

/* ---- the flags ---------------------------------------------------------------- */

/* The flag's value as the JSON value it stands for. */
static int write_flag_value(struct oci_json_writer *w, const struct flag *f, const char *value,
                            vd_error **err)
{
    char *end;
    errno = 0;
    switch (f->kind) {
    case FLAG_BYTES: {
        int64_t bytes;
        if (parse_ram_bytes(value, &bytes) < 0)
            return vd_error_set(err, 0, "expected a size such as 1024, 32m or 1.5g, not \"%s\"",
                                value);
        oci_json_write_int(w, bytes);
        return 0;
    }
    case FLAG_INT: {
        long long n = strtoll(value, &end, 10);
        if (value[0] == '\0' || *end || errno)
            return vd_error_set(err, 0, "expected an integer, not \"%s\"", value);
        oci_json_write_int(w, n);
        return 0;
    }
    case FLAG_UINT: {
        unsigned long long n = strtoull(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || *end || errno)
            return vd_error_set(err, 0, "expected a non-negative integer, not \"%s\"", value);
        oci_json_write_uint(w, n);
        return 0;
    }
    case FLAG_STRING:
        oci_json_write_string(w, value);
        return 0;
    case FLAG_IGNORED:
        break;
    }
    return vd_error_set(err, 0, "not a value flag");
}

/* One flag as the resources object {"<section>": {"<key>": value}}, read
 * by the same parser as --resources, so that its checks are the same. */
static int parse_flag(const struct flag *f, const char *value, struct oci_resources **out,
                      vd_error **err)
{
    _cleanup_json_writer_ struct oci_json_writer *w = oci_json_writer_new(false);
    if (w == NULL)
        return vd_error_set(err, ENOMEM, "--%s", f->name);
    oci_json_write_begin_object(w);
    oci_json_write_key(w, f->section);
    oci_json_write_begin_object(w);
    oci_json_write_key(w, f->key);
    if (write_flag_value(w, f, value, err) < 0)
        return -1;
    oci_json_write_end_object(w);
    oci_json_write_end_object(w);
    size_t len = 0;
    _cleanup_free_ char *text = oci_json_writer_finish(steal_pointer(&w), &len, err);
    if (text == NULL)
        return -1;
    return oci_resources_parse(text, len, out, err);
}

static void merge_i64(struct oci_opt_i64 *dst, const struct oci_opt_i64 *src)
{
    if (src->set)
        *dst = *src;
}

static void merge_u64(struct oci_opt_u64 *dst, const struct oci_opt_u64 *src)
{
    if (src->set)
        *dst = *src;
}

static void merge_string(char **dst, char **src)
{
    if (*src) {
        free(*dst);
        *dst = steal_pointer(src);
    }
}

/* What a flag may set, from `src` over `dst`. */
static void merge_flag(struct oci_resources *dst, struct oci_resources *src)
{
    merge_i64(&dst->memory.limit, &src->memory.limit);
    merge_i64(&dst->memory.reservation, &src->memory.reservation);
    merge_i64(&dst->memory.swap, &src->memory.swap);
    merge_u64(&dst->cpu.shares, &src->cpu.shares);
    merge_i64(&dst->cpu.quota, &src->cpu.quota);
    merge_u64(&dst->cpu.period, &src->cpu.period);
    merge_u64(&dst->cpu.burst, &src->cpu.burst);
    merge_u64(&dst->cpu.realtime_period, &src->cpu.realtime_period);
    merge_i64(&dst->cpu.realtime_runtime, &src->cpu.realtime_runtime);
    merge_i64(&dst->cpu.idle, &src->cpu.idle);
    merge_string(&dst->cpu.cpus, &src->cpu.cpus);
    merge_string(&dst->cpu.mems, &src->cpu.mems);
    merge_i64(&dst->pids_limit, &src->pids_limit);
    merge_u64(&dst->block_io.weight, &src->block_io.weight);
}

static void resources_freep(struct oci_resources **r)
{
    oci_resources_free(*r);
}
#define _cleanup_resources_ __attribute__((cleanup(resources_freep)))

/* The file's resources (or none), then each flag given over them. */
static int collect(const char *file, char *const values[N_FLAGS], struct oci_resources **out,
                   vd_error **err)
{
    _cleanup_resources_ struct oci_resources *res = NULL;
    if (file && load_resources(file, &res, err) < 0)
        return -1;
    if (oci_resources_kernel_memory(res))
        log_warning("--resources: memory.kernel is ignored (kernel memory limits are "
                    "obsolete), as runc 1.1 does");
    if (res == NULL && (res = calloc(1, sizeof(*res))) == NULL)
        return vd_error_set(err, ENOMEM, "update");
    for (size_t i = 0; i < N_FLAGS; i++) {
        if (values[i] == NULL)
            continue;
        if (flags[i].kind == FLAG_IGNORED) {
            log_warning("--%s is ignored (kernel memory limits are obsolete), as runc does",
                        flags[i].name);
            continue;
        }
        _cleanup_resources_ struct oci_resources *one = NULL;
        if (parse_flag(&flags[i], values[i], &one, err) < 0)
            return vd_error_prefix(err, "--%s %s", flags[i].name, values[i]);
        merge_flag(res, one);
    }
    *out = steal_pointer(&res);
    return 0;
}

/* ---- the container ------------------------------------------------------------ */

static int update(const struct global_opts *g, const char *id, const struct oci_resources *res,
                  vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_load(g, id, &c, err) < 0)
        return -1;
    enum container_status status = container_status(c);
    if (status != CONTAINER_CREATED && status != CONTAINER_RUNNING && status != CONTAINER_PAUSED)
        return vd_error_set(err, 0, "container not running: %s", container_status_name(status));
    vd_cgroup *cg = NULL;
    if (container_cgroup(c, &cg, err) < 0)
        return -1;
    if (cg == NULL)
        return vd_error_set(err, 0, "the container has no cgroup (created by an older voidoci)");
    int r = oci_update_resources(res, cg, err);
    vd_cgroup_free(cg);
    return r;
}

int cmd_update(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    enum { OPT_FLAG0 = 1000 };
    struct option options[N_FLAGS + 3];
    for (size_t i = 0; i < N_FLAGS; i++)
        options[i] = (struct option){flags[i].name, required_argument, NULL,
                                     OPT_FLAG0 + (int)i};
    options[N_FLAGS] = (struct option){"resources", required_argument, NULL, 'r'};
    options[N_FLAGS + 1] = (struct option){"help", no_argument, NULL, 'h'};
    options[N_FLAGS + 2] = (struct option){NULL, 0, NULL, 0};
    char *values[N_FLAGS] = {NULL};
    const char *file = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:hr:", options, NULL)) != -1) {
        if (c == 'h') {
            update_usage();
            return 0;
        } else if (c == 'r') {
            file = optarg;
        } else if (c >= OPT_FLAG0 && c < OPT_FLAG0 + (int)N_FLAGS) {
            values[c - OPT_FLAG0] = optarg;
        } else {
            vd_error_set(err, 0, "update: %s \"%s\" (see voidoci update --help)",
                         c == ':' ? "option needs a value" : "unknown option", argv[optind - 1]);
            return 1;
        }
    }
    if (optind != argc - 1) {
        vd_error_set(err, 0, "update: expects exactly one container ID (see voidoci update --help)");
        return 1;
    }
    const char *id = argv[optind];
    _cleanup_resources_ struct oci_resources *res = NULL;
    if (collect(file, values, &res, err) < 0 || update(g, id, res, err) < 0) {
        vd_error_prefix(err, "update \"%s\"", id);
        return 1;
    }
    return 0;
}
