/* SPDX-License-Identifier: GPL-2.0-or-later */
/* oci/events.c: runc's event JSON, member names, omitempty and key order. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "utils.h"
#include "check.h"

static bool same(const char *got, const char *want)
{
    bool ok = got && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "want %s\ngot  %s\n", want, got ? got : "(null)");
    return ok;
}

static void test_oom(void)
{
    _cleanup_free_ char *json = oci_event_oom_json("web", NULL);
    CHECK(same(json, "{\"type\":\"oom\",\"id\":\"web\"}"));
}

/* Nothing counted: only what runc prints without omitempty is there. */
static void test_empty(void)
{
    struct vd_cgroup_stats s = {0};
    _cleanup_free_ char *json = oci_event_stats_json("c1", &s, NULL);
    CHECK(same(json, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
                     "\"cpu\":{\"usage\":{\"kernel\":0,\"user\":0},\"throttling\":{}},"
                     "\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0},"
                     "\"swap\":{\"limit\":0,\"failcnt\":0},"
                     "\"kernel\":{\"limit\":0,\"failcnt\":0},"
                     "\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
                     "\"pids\":{},\"blkio\":{},\"hugetlb\":{}}}"));
}

static void test_filled(void)
{
    uint64_t percpu[] = {10, 20};
    struct vd_cgroup_stat raw[] = {{(char *)"rss", 5}, {(char *)"cache", 7}};
    struct vd_cgroup_blkio_entry io[] = {{8, 0, "Read", 512}};
    struct vd_cgroup_hugetlb_stats huge[] = {{"2MB", 0, 0, 1}, {"1GB", 4, 0, 0}};
    struct vd_cgroup_stats s = {
        .has_cpu = true,
        .cpu = {.total = 30, .kernel = 1, .user = 2, .percpu = percpu, .n_percpu = 2,
                .throttled_periods = 3},
        .has_memory = true,
        .memory = {.cache = 7, .usage = {.limit = 100, .usage = 50, .max = 60}, .raw = raw,
                   .n_raw = 2},
        .has_pids = true,
        .pids = {.current = 2},
        .has_blkio = true,
        .blkio = {.service_bytes = io, .n_service_bytes = 1},
        .hugetlb = huge,
        .n_hugetlb = 2,
    };
    _cleanup_free_ char *json = oci_event_stats_json("c2", &s, NULL);
    CHECK(same(json,
               "{\"type\":\"stats\",\"id\":\"c2\",\"data\":{"
               "\"cpu\":{\"usage\":{\"total\":30,\"percpu\":[10,20],\"kernel\":1,\"user\":2},"
               "\"throttling\":{\"throttledPeriods\":3}},"
               "\"memory\":{\"cache\":7,\"usage\":{\"limit\":100,\"usage\":50,\"max\":60,"
               "\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},"
               "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
               "\"raw\":{\"cache\":7,\"rss\":5}},"
               "\"pids\":{\"current\":2},"
               "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\","
               "\"value\":512}]},"
               "\"hugetlb\":{\"1GB\":{\"usage\":4,\"failcnt\":0},\"2MB\":{\"failcnt\":1}}}}"));
}

int main(void)
{
    test_oom();
    test_empty();
    test_filled();
    return check_summary("test_events_json");
}
