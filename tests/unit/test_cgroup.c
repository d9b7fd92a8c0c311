/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvoid's cgroup v2 value conversions (cgroup_resources.c) against a
 * stand-in cgroup2 root: a temporary directory holding what the kernel
 * would show (cgroup.controllers, the container's directory and its
 * files), opened with vd_cgroup_open_at.  The runtime-spec gives the
 * values in v1 terms: shares become cpu.weight, swap (memory + swap on v1)
 * becomes memory.swap.max = swap - limit, quota and period become cpu.max.
 * And the stand-in itself: a v1/hybrid layout is read as /sys/fs/cgroup's.
 * What only the kernel can do -- refuse a value, enforce it -- is left to
 * tests/bats/cgroups.bats and the cgroup2 VM.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "void.h"
#include "check.h"

/* The files of the container's cgroup "c" the tests use. */
static const char *const files[] = {
    "cgroup.controllers", "cpu.weight", "cpu.max",    "memory.max",
    "memory.swap.max",    "memory.low", "memory.current",
};

static void read_file(const char *rel, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path_of(rel), "r");
    if (f == NULL)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
}

/* libvoid writes a cgroup file as the kernel wants it: one write(2) at
 * offset 0, no truncation (a cgroup file has nothing to truncate).  Here
 * the file then holds `want` over what the test put there `before`. */
static bool wrote(const char *rel, const char *before, const char *want)
{
    char expect[256], got[256];
    size_t n = strlen(want);
    snprintf(expect, sizeof(expect), "%s%s", want, strlen(before) > n ? before + n : "");
    read_file(rel, got, sizeof(got));
    if (strcmp(got, expect) == 0)
        return true;
    fprintf(stderr, "  %s: \"%s\", want \"%s\"\n", rel, got, expect);
    return false;
}

/* Every file of "c" empty (cpu.max and memory.max as given), then the
 * resources set.  `field` (given where a refusal is expected) gets the
 * field that failed; without it an error goes to stderr. */
static int set(const struct vd_cgroup_resources *r, const char *cpu_max, const char *memory_max,
               enum vd_cgroup_field *field)
{
    char rel[64];
    for (size_t i = 1; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(rel, sizeof(rel), "c/%s", files[i]);
        put(rel, "");
    }
    put("c/cpu.max", cpu_max);
    put("c/memory.max", memory_max);
    const char *dirs[] = {path_of("c")};
    vd_cgroup *cg = NULL;
    vd_error *err = NULL;
    struct vd_cgroup_where where = {0};
    int rc = vd_cgroup_open_at(fake_root, dirs, 1, &cg, &err);
    if (rc == 0)
        rc = vd_cgroup_set(cg, r, &where, &err);
    if (rc < 0 && err && field == NULL)
        fprintf(stderr, "  (vd_cgroup_set: %s)\n", err->msg);
    vd_error_free(&err);
    vd_cgroup_free(cg);
    if (field)
        *field = where.field;
    return rc;
}

static struct vd_opt opt(int64_t v)
{
    return (struct vd_opt){.set = true, .value = v};
}

/* The stand-in is a cgroup2 root with the container's directory "c". */
static void test_open_at(void)
{
    const char *dirs[] = {path_of("c")};
    vd_cgroup *cg = NULL;
    vd_error *err = NULL;
    CHECK(vd_cgroup_open_at(fake_root, dirs, 1, &cg, &err) == 0);
    if (cg == NULL) {
        fprintf(stderr, "  %s\n", err ? err->msg : "?");
        vd_error_free(&err);
        return;
    }
    CHECK(vd_cgroup_get_layout(cg) == VD_CGROUP_V2);
    CHECK(vd_cgroup_dir(cg, 0) && strcmp(vd_cgroup_dir(cg, 0), path_of("c")) == 0);
    CHECK(vd_cgroup_dir(cg, 1) == NULL);
    vd_cgroup_free(cg);
    /* A directory outside the root is in no hierarchy. */
    const char *outside[] = {"/tmp"};
    CHECK(vd_cgroup_open_at(fake_root, outside, 1, &cg, &err) < 0 && err && err->errnum == ENOENT);
    vd_error_free(&err);
}

/* runc's ConvertCPUSharesToCgroupV2Value: 1 + (shares - 2) * 9999 / 262142,
 * shares clamped to [2, 262144]. */
static void test_shares_to_weight(void)
{
    static const struct {
        int64_t shares;
        const char *weight;
    } cases[] = {
        {1024, "39"}, {2, "1"}, {1, "1"}, {512, "20"}, {262144, "10000"}, {1000000, "10000"},
        {100000, "3815"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vd_cgroup_resources r = {0};
        r.cpu.shares = opt(cases[i].shares);
        CHECK(set(&r, "", "", NULL) == 0);
        CHECK(wrote("c/cpu.weight", "", cases[i].weight));
    }
    /* 0 is "not set": cpu.weight is left alone. */
    struct vd_cgroup_resources r = {0};
    r.cpu.shares = opt(0);
    CHECK(set(&r, "", "", NULL) == 0);
    CHECK(wrote("c/cpu.weight", "", ""));
}

/* v1's memsw counts memory plus swap; v2's memory.swap.max swap alone. */
static void test_swap(void)
{
    const int64_t mib = 1024 * 1024;
    struct vd_cgroup_resources r = {0};
    r.memory.limit = opt(100 * mib);
    r.memory.swap = opt(300 * mib);
    CHECK(set(&r, "", "", NULL) == 0);
    CHECK(wrote("c/memory.max", "", "104857600"));
    CHECK(wrote("c/memory.swap.max", "", "209715200"));

    /* swap == limit: no swap at all. */
    r.memory.swap = opt(100 * mib);
    CHECK(set(&r, "", "", NULL) == 0);
    CHECK(wrote("c/memory.swap.max", "", "0"));

    /* -1: unlimited, spelled "max"; so is an unlimited memory limit. */
    r.memory.limit = opt(-1);
    r.memory.swap = opt(-1);
    CHECK(set(&r, "", "", NULL) == 0);
    CHECK(wrote("c/memory.swap.max", "", "max"));
    CHECK(wrote("c/memory.max", "", "max"));

    /* Swap alone (update --memory-swap): counted from the current limit. */
    struct vd_cgroup_resources only_swap = {0};
    only_swap.memory.swap = opt(300 * mib);
    CHECK(set(&only_swap, "", "104857600\n", NULL) == 0);
    CHECK(wrote("c/memory.swap.max", "", "209715200"));
    CHECK(wrote("c/memory.max", "104857600\n", "104857600\n"));

    /* Refused, naming linux.resources.memory.swap: below the limit, or
     * with no limit to count from. */
    enum vd_cgroup_field field = VD_CG_NONE;
    r.memory.limit = opt(100 * mib);
    r.memory.swap = opt(50 * mib);
    CHECK(set(&r, "", "", &field) < 0 && field == VD_CG_MEMORY_SWAP);
    CHECK(wrote("c/memory.swap.max", "", ""));
    field = VD_CG_NONE;
    CHECK(set(&only_swap, "", "max\n", &field) < 0 && field == VD_CG_MEMORY_SWAP);
    CHECK(wrote("c/memory.swap.max", "", ""));
}

/* cpu.max is "QUOTA [PERIOD]"; a lone period keeps the current quota. */
static void test_cpu_max(void)
{
    struct vd_cgroup_resources r = {0};
    r.cpu.quota = opt(50000);
    r.cpu.period = opt(100000);
    CHECK(set(&r, "", "", NULL) == 0);
    CHECK(wrote("c/cpu.max", "", "50000 100000"));

    struct vd_cgroup_resources quota = {0};
    quota.cpu.quota = opt(20000);
    CHECK(set(&quota, "", "", NULL) == 0);
    CHECK(wrote("c/cpu.max", "", "20000"));

    /* -1 (or 0): no limit. */
    r.cpu.quota = opt(-1);
    CHECK(set(&r, "", "", NULL) == 0);
    CHECK(wrote("c/cpu.max", "", "max 100000"));

    struct vd_cgroup_resources period = {0};
    period.cpu.period = opt(250000);
    CHECK(set(&period, "20000 100000\n", "", NULL) == 0);
    CHECK(wrote("c/cpu.max", "20000 100000\n", "20000 250000"));
    CHECK(set(&period, "max 100000\n", "", NULL) == 0);
    CHECK(wrote("c/cpu.max", "max 100000\n", "max 250000"));
}

/* A stand-in laid out as a hybrid /sys/fs/cgroup: v1 hierarchies named
 * for their controllers, a symlink naming one again (not a hierarchy of
 * its own), and "unified", a cgroup2 hierarchy.  v1 takes shares as they
 * are: the v1 directory holds the cpu controller, not the cgroup2 one. */
static void test_v1_root(void)
{
    static const char *const made[] = {"h", "h/cpu,cpuacct", "h/cpu,cpuacct/c", "h/memory",
                                       "h/memory/c", "h/unified", "h/unified/c"};
    for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
        if (mkdir(path_of(made[i]), 0755) < 0)
            perror(made[i]), exit(1);
    if (symlink("cpu,cpuacct", path_of("h/cpu")) < 0)
        perror("symlink"), exit(1);
    put("h/unified/cgroup.controllers", "cpu\n");
    put("h/unified/c/cgroup.controllers", "cpu\n");
    put("h/cpu,cpuacct/c/cpu.shares", "");
    put("h/unified/c/cpu.weight", "");
    char hroot[512];
    snprintf(hroot, sizeof(hroot), "%s", path_of("h"));
    const char *dirs[] = {path_of("h/cpu,cpuacct/c"), path_of("h/memory/c"),
                          path_of("h/unified/c")};
    vd_cgroup *cg = NULL;
    vd_error *err = NULL;
    CHECK(vd_cgroup_open_at(hroot, dirs, 3, &cg, &err) == 0);
    if (cg) {
        CHECK(vd_cgroup_get_layout(cg) == VD_CGROUP_HYBRID);
        struct vd_cgroup_resources r = {0};
        r.cpu.shares = opt(1024);
        CHECK(vd_cgroup_set(cg, &r, NULL, &err) == 0);
        CHECK(wrote("h/cpu,cpuacct/c/cpu.shares", "", "1024"));
        CHECK(wrote("h/unified/c/cpu.weight", "", ""));
        vd_cgroup_free(cg);
        cg = NULL;
    }
    vd_error_free(&err);
    /* Through the symlink: in no hierarchy. */
    const char *linked[] = {path_of("h/cpu/c")};
    CHECK(vd_cgroup_open_at(hroot, linked, 1, &cg, &err) < 0 && err && err->errnum == ENOENT);
    vd_error_free(&err);
    static const char *const files_made[] = {"h/cpu", "h/unified/cgroup.controllers",
                                             "h/unified/c/cgroup.controllers",
                                             "h/cpu,cpuacct/c/cpu.shares",
                                             "h/unified/c/cpu.weight"};
    for (size_t i = 0; i < sizeof(files_made) / sizeof(files_made[0]); i++)
        unlink(path_of(files_made[i]));
    for (size_t i = sizeof(made) / sizeof(made[0]); i-- > 0;)
        rmdir(path_of(made[i]));
}

static void remove_root(void)
{
    char rel[64];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(rel, sizeof(rel), "c/%s", files[i]);
        unlink(path_of(rel));
    }
    rmdir(path_of("c"));
    unlink(path_of("cgroup.controllers"));
    fake_root_remove();
}

int main(void)
{
    if (fake_root_make("test_cgroup") < 0)
        return 1;
    put("cgroup.controllers", "cpu memory pids\n");
    if (mkdir(path_of("c"), 0755) < 0) {
        perror("mkdir");
        return 1;
    }
    put("c/cgroup.controllers", "cpu memory pids\n");
    test_open_at();
    test_shares_to_weight();
    test_swap();
    test_cpu_max();
    test_v1_root();
    remove_root();
    return check_summary("test_cgroup");
}
