/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources reading: every member comes out in the struct, and every
 * bad value fails with the exact message, JSON path included.
 * Test documents use ' for " so they stay readable.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "utils.h"
#include "check.h"

/* A config whose linux.resources is `res`. */
#define DOC(res) "{'ociVersion': '1.3.0', 'root': {'path': 'r'}, 'linux': {'resources': " res "}}"

static struct oci_spec *good_at(int line, const char *doc)
{
    struct oci_spec *spec = parse_good_at(line, doc);
    check_at(line, spec == NULL || (spec->linux_ && spec->linux_->resources), "has resources");
    return spec;
}
#define GOOD(res) good_at(__LINE__, DOC(res))
#define BAD(res, want) parse_bad_at(__LINE__, DOC(res), want)

/* What podman sends for `podman run --memory 64m --pids-limit 100`. */
static void test_podman_like(void)
{
    struct oci_spec *s = GOOD("{'devices': [{'allow': false, 'access': 'rwm'}],"
                              " 'memory': {'limit': 67108864, 'swap': 134217728},"
                              " 'pids': {'limit': 100}}");
    if (s == NULL)
        return;
    const struct oci_resources *r = s->linux_->resources;
    CHECK(r->n_devices == 1 && !r->devices[0].allow && r->devices[0].type == 'a' &&
          r->devices[0].major == -1 && r->devices[0].minor == -1 &&
          streq(r->devices[0].access, "rwm"));
    CHECK(r->memory.limit.set && r->memory.limit.value == 67108864);
    CHECK(r->memory.swap.set && r->memory.swap.value == 134217728);
    CHECK(!r->memory.reservation.set && !r->memory.swappiness.set);
    CHECK(r->pids_limit.set && r->pids_limit.value == 100);
    CHECK(!r->cpu.shares.set && r->cpu.cpus == NULL);
    oci_spec_free(s);
}

/* Docker sends every field, "not set" spelled 0 or "": all of it parses,
 * and an empty cpuset list is no list. */
static void test_docker_like(void)
{
    struct oci_spec *s = GOOD("{'memory': {'limit': 0, 'reservation': 0, 'swap': 0,"
                              "  'kernel': 0, 'kernelTCP': 0},"
                              " 'cpu': {'shares': 0, 'quota': 0, 'period': 0,"
                              "  'realtimeRuntime': 0, 'realtimePeriod': 0, 'cpus': '', 'mems': ''},"
                              " 'blockIO': {'weight': 0, 'leafWeight': 0},"
                              " 'pids': {'limit': 0}}");
    if (s == NULL)
        return;
    const struct oci_resources *r = s->linux_->resources;
    CHECK(r->cpu.cpus == NULL && r->cpu.mems == NULL);
    CHECK(r->cpu.shares.set && r->cpu.shares.value == 0);
    CHECK(r->block_io.weight.set && r->block_io.weight.value == 0);
    CHECK(r->memory.kernel.set && r->pids_limit.set);
    oci_spec_free(s);
}

static void test_every_member(void)
{
    struct oci_spec *s = GOOD(
        "{'devices': [{'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'mr'}],"
        " 'memory': {'limit': -1, 'reservation': 1024, 'swap': -1, 'kernel': 0,"
        "  'kernelTCP': 4096, 'swappiness': 100, 'disableOOMKiller': true,"
        "  'useHierarchy': false, 'checkBeforeUpdate': true},"
        " 'cpu': {'shares': 512, 'quota': -1, 'period': 100000, 'burst': 5000,"
        "  'realtimeRuntime': 950000, 'realtimePeriod': 1000000, 'cpus': '0-1,3',"
        "  'mems': '0', 'idle': 1},"
        " 'blockIO': {'weight': 500, 'leafWeight': 10,"
        "  'weightDevice': [{'major': 8, 'minor': 0, 'weight': 1000}],"
        "  'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
        "  'throttleWriteIOPSDevice': [{'major': 8, 'minor': 16, 'rate': 100}]},"
        " 'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}],"
        " 'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 5}]},"
        " 'pids': {'limit': -1},"
        " 'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}},"
        " 'unified': {'memory.high': '1073741824', 'io.weight': 'default 100'}}");
    if (s == NULL)
        return;
    const struct oci_resources *r = s->linux_->resources;
    CHECK(r->devices[0].allow && r->devices[0].type == 'c' && r->devices[0].major == 1 &&
          r->devices[0].minor == 3 && streq(r->devices[0].access, "rm"));
    CHECK(r->memory.limit.value == -1 && r->memory.kernel_tcp.value == 4096);
    CHECK(r->memory.swappiness.value == 100 && r->memory.has_disable_oom_killer &&
          r->memory.disable_oom_killer && r->memory.has_use_hierarchy &&
          !r->memory.use_hierarchy && r->memory.check_before_update);
    CHECK(r->cpu.shares.value == 512 && r->cpu.quota.value == -1 &&
          r->cpu.period.value == 100000 && r->cpu.burst.value == 5000);
    CHECK(r->cpu.realtime_runtime.value == 950000 && r->cpu.realtime_period.value == 1000000);
    CHECK(streq(r->cpu.cpus, "0-1,3") && streq(r->cpu.mems, "0") && r->cpu.idle.value == 1);
    CHECK(r->block_io.weight.value == 500 && r->block_io.leaf_weight.value == 10);
    CHECK(r->block_io.n_weight_devices == 1 && r->block_io.weight_devices[0].major == 8 &&
          r->block_io.weight_devices[0].weight.value == 1000 &&
          !r->block_io.weight_devices[0].leaf_weight.set);
    CHECK(r->block_io.n_throttle[OCI_THROTTLE_READ_BPS] == 1 &&
          r->block_io.throttle[OCI_THROTTLE_READ_BPS][0].rate == 1048576);
    CHECK(r->block_io.n_throttle[OCI_THROTTLE_WRITE_IOPS] == 1 &&
          r->block_io.throttle[OCI_THROTTLE_WRITE_IOPS][0].minor == 16);
    CHECK(r->block_io.n_throttle[OCI_THROTTLE_WRITE_BPS] == 0);
    CHECK(r->n_hugepage_limits == 1 && streq(r->hugepage_limits[0].page_size, "2MB") &&
          r->hugepage_limits[0].limit == 209715200);
    CHECK(r->network.class_id.value == 1048577 && r->network.n_priorities == 1 &&
          streq(r->network.priorities[0].name, "eth0") && r->network.priorities[0].priority == 5);
    CHECK(r->pids_limit.value == -1);
    CHECK(r->n_rdma == 1 && streq(r->rdma[0].device, "mlx5_1") &&
          r->rdma[0].hca_handles.value == 3 && r->rdma[0].hca_objects.value == 10000);
    CHECK(r->n_unified == 2 && streq(r->unified[0].key, "memory.high") &&
          streq(r->unified[1].value, "default 100"));
    oci_spec_free(s);
}

static void test_bad(void)
{
    BAD("[]", "linux.resources: expected an object");
    BAD("{'devices': {}}", "linux.resources.devices: expected an array");
    BAD("{'devices': [{'access': 'rwm'}]}", "linux.resources.devices[0].allow: is required");
    BAD("{'devices': [{'allow': 'no'}]}", "linux.resources.devices[0].allow: expected a boolean");
    BAD("{'devices': [{'allow': true, 'type': 'p'}]}",
        "linux.resources.devices[0].type: unknown device type (a, c or b) \"p\"");
    BAD("{'devices': [{'allow': true, 'major': -2}]}",
        "linux.resources.devices[0].major: must be -1 (any) or at least 0");
    BAD("{'devices': [{'allow': true, 'access': 'rwx'}]}",
        "linux.resources.devices[0].access: must be made of r, w and m, each at most once: "
        "\"rwx\"");
    BAD("{'devices': [{'allow': true, 'access': 'rr'}]}",
        "linux.resources.devices[0].access: must be made of r, w and m, each at most once: "
        "\"rr\"");
    BAD("{'devices': [{'allow': true, 'access': ''}]}",
        "linux.resources.devices[0].access: must not be empty");
    BAD("{'memory': {'limit': '64m'}}", "linux.resources.memory.limit: expected an integer");
    BAD("{'memory': {'limit': -2}}",
        "linux.resources.memory.limit: must be -1 (no limit) or at least 0");
    BAD("{'memory': {'limit': 1e20}}", "linux.resources.memory.limit: expected an integer");
    BAD("{'memory': {'limit': 99999999999999999999}}",
        "linux.resources.memory.limit: must be between -9223372036854775808 and "
        "9223372036854775807");
    BAD("{'memory': {'swappiness': 101}}",
        "linux.resources.memory.swappiness: must be between 0 and 100");
    BAD("{'memory': {'swappiness': -1}}",
        "linux.resources.memory.swappiness: must be between 0 and 100");
    BAD("{'memory': {'disableOOMKiller': 1}}",
        "linux.resources.memory.disableOOMKiller: expected a boolean");
    BAD("{'cpu': {'shares': -5}}",
        "linux.resources.cpu.shares: must be between 0 and 18446744073709551615");
    BAD("{'cpu': {'shares': 1.5}}", "linux.resources.cpu.shares: expected an integer");
    BAD("{'cpu': {'quota': -7}}", "linux.resources.cpu.quota: must be -1 (no limit) or at least 0");
    BAD("{'cpu': {'cpus': '1-0'}}",
        "linux.resources.cpu.cpus: expected a list such as \"0-3,7\", not \"1-0\"");
    BAD("{'cpu': {'cpus': '0,,1'}}",
        "linux.resources.cpu.cpus: expected a list such as \"0-3,7\", not \"0,,1\"");
    BAD("{'cpu': {'idle': 2}}", "linux.resources.cpu.idle: must be 0 or 1");
    BAD("{'cpu': {'idle': -1}}", "linux.resources.cpu.idle: must be at least 0");
    BAD("{'blockIO': {'weight': 5}}", "linux.resources.blockIO.weight: must be 0 or between 10 "
                                      "and 1000");
    BAD("{'blockIO': {'weight': 1001}}",
        "linux.resources.blockIO.weight: must be between 0 and 1000");
    BAD("{'blockIO': {'weightDevice': [{'minor': 0, 'weight': 10}]}}",
        "linux.resources.blockIO.weightDevice[0].major: is required");
    BAD("{'blockIO': {'throttleReadBpsDevice': [{'major': 8, 'minor': 0}]}}",
        "linux.resources.blockIO.throttleReadBpsDevice[0].rate: is required");
    BAD("{'blockIO': {'throttleWriteBpsDevice': [{'major': 8, 'minor': -1, 'rate': 1}]}}",
        "linux.resources.blockIO.throttleWriteBpsDevice[0].minor: must be at least 0");
    BAD("{'hugepageLimits': [{'pageSize': '2M', 'limit': 1}]}",
        "linux.resources.hugepageLimits[0].pageSize: expected a size such as \"2MB\" or "
        "\"1GB\", not \"2M\"");
    BAD("{'hugepageLimits': [{'pageSize': '2MB'}]}",
        "linux.resources.hugepageLimits[0].limit: is required");
    BAD("{'network': {'classID': 4294967296}}",
        "linux.resources.network.classID: must be between 0 and 4294967295");
    BAD("{'network': {'priorities': [{'name': 'eth0'}]}}",
        "linux.resources.network.priorities[0].priority: is required");
    BAD("{'pids': {}}", "linux.resources.pids.limit: is required");
    BAD("{'pids': {'limit': -3}}", "linux.resources.pids.limit: must be -1 (no limit) or at least 0");
    BAD("{'rdma': {'mlx5_1': {'hcaHandles': -1}}}",
        "linux.resources.rdma.mlx5_1.hcaHandles: must be between 0 and 4294967295");
    BAD("{'unified': {'../../escape': 'x'}}",
        "linux.resources.unified[\"../../escape\"]: key must be a cgroup file name such as "
        "\"memory.high\", not \"../../escape\"");
    BAD("{'unified': {'cgroup.procs/x': '1'}}",
        "linux.resources.unified[\"cgroup.procs/x\"]: key must be a cgroup file name such as "
        "\"memory.high\", not \"cgroup.procs/x\"");
    BAD("{'unified': {'memory.max': 5}}",
        "linux.resources.unified[\"memory.max\"]: expected a string");
}

/* `update --resources`: the object alone, paths inside it, same checks. */
static void test_standalone(void)
{
    struct oci_resources *r = NULL;
    _cleanup_error_ vd_error *err = NULL;
    const char *good = "{\"memory\": {\"limit\": 33554432, \"swap\": 67108864}}";
    CHECK(oci_resources_parse(good, strlen(good), &r, &err) == 0 && r &&
          r->memory.limit.value == 33554432 && r->memory.swap.value == 67108864 &&
          !r->pids_limit.set);
    oci_resources_free(r);
    r = NULL;
    const char *bad = "{\"memory\": {\"limit\": 1}, \"cpu\": {\"cpus\": \"3-1\"}}";
    CHECK(oci_resources_parse(bad, strlen(bad), &r, &err) < 0 && r == NULL && err &&
          streq(err->msg, "cpu.cpus: expected a list such as \"0-3,7\", not \"3-1\""));
    vd_error_free(&err);
    const char *not_object = "[1]";
    CHECK(oci_resources_parse(not_object, strlen(not_object), &r, &err) < 0 && err &&
          streq(err->msg, "(root): expected an object"));
}

int main(void)
{
    test_podman_like();
    test_docker_like();
    test_every_member();
    test_bad();
    test_standalone();
    return check_summary("test_resources");
}
