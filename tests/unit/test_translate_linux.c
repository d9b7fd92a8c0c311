/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The linux.* members translated outside resources, mounts and seccomp:
 * linux.timeOffsets, linux.netDevices, linux.intelRdt and the namespace
 * rules (paths, id maps): config.json -> builder, with the exact error for
 * every refusal, whether the parser or the translation makes it.  What the
 * builder holds is read through libvoid's internal layout.
 *
 * Test documents use ' for " so they stay readable.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "spec.h"
#include "translate.h"
#include "check.h"

/* The root is "/": translate checks that it is a directory, nothing runs. */
#define HEAD                                                                                     \
    "'ociVersion': '1.3.0', 'root': {'path': '/'},"                                              \
    " 'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh'], 'cwd': '/'}"
#define DOC(...) "{" HEAD ", 'linux': {" __VA_ARGS__ "}}"
#define NS(...) "'namespaces': [" __VA_ARGS__ "]"

#define GOOD(doc) translate_good_at(__LINE__, doc)
#define BAD(doc, want) translate_bad_at(__LINE__, doc, want)

static void test_time_offsets(void)
{
    vd_builder *b = GOOD(DOC(NS("{'type': 'time'}") ", 'timeOffsets': {"
                             "'boottime': {'secs': -7, 'nanosecs': 999999999},"
                             " 'monotonic': {'secs': 9223372036854775807}}"));
    if (b) {
        CHECK(b->ns[VD_NS_TIME].mode == VD_NS_MODE_NEW);
        CHECK(b->time_offsets[0].set && b->time_offsets[0].secs == INT64_MAX);
        CHECK(b->time_offsets[1].set && b->time_offsets[1].secs == -7);
        CHECK(b->time_offsets[1].nsecs == 999999999);
        vd_builder_free(b);
    }
    b = GOOD(DOC(NS("{'type': 'time'}") ", 'timeOffsets': {'boottime': {}}"));
    if (b) {
        CHECK(!b->time_offsets[0].set && b->time_offsets[1].set);
        CHECK(b->time_offsets[1].secs == 0 && b->time_offsets[1].nsecs == 0);
        vd_builder_free(b);
    }
    b = GOOD(DOC(NS("{'type': 'time'}") ", 'timeOffsets': {}"));
    if (b) {
        CHECK(!b->time_offsets[0].set && !b->time_offsets[1].set);
        vd_builder_free(b);
    }

    BAD(DOC("'timeOffsets': {'boottime': {'secs': 1}}"),
        "linux.timeOffsets: needs a new time namespace (linux.namespaces: {\"type\": \"time\"} "
        "without a path)");
    BAD(DOC(NS("{'type': 'time', 'path': '/proc/self/ns/time'}")
            ", 'timeOffsets': {'boottime': {'secs': 1}}"),
        "linux.timeOffsets: needs a new time namespace (linux.namespaces: {\"type\": \"time\"} "
        "without a path)");
    BAD(DOC("'timeOffsets': []"), "linux.timeOffsets: expected an object");
    BAD(DOC("'timeOffsets': {'realtime': {}}"),
        "linux.timeOffsets.realtime: unknown clock (a time namespace has \"monotonic\" and "
        "\"boottime\")");
    BAD(DOC("'timeOffsets': {'boottime': []}"), "linux.timeOffsets.boottime: expected an object");
    BAD(DOC("'timeOffsets': {'boottime': {'secs': 9223372036854775808}}"),
        "linux.timeOffsets.boottime.secs: must be between -9223372036854775808 and "
        "9223372036854775807");
    BAD(DOC("'timeOffsets': {'boottime': {'secs': 1e3}}"),
        "linux.timeOffsets.boottime.secs: expected an integer");
    BAD(DOC("'timeOffsets': {'monotonic': {'nanosecs': 1000000000}}"),
        "linux.timeOffsets.monotonic.nanosecs: must be below 1000000000");
    BAD(DOC("'timeOffsets': {'monotonic': {'nanosecs': -1}}"),
        "linux.timeOffsets.monotonic.nanosecs: must be between 0 and 4294967295");
}

static void test_net_devices(void)
{
    /* "lo" is in every network namespace, the one running this too. */
    vd_builder *b = GOOD(DOC(NS("{'type': 'network'}") ", 'netDevices': {'lo': {'name': 'ctr0'}}"));
    if (b) {
        CHECK(b->n_net_devices == 1);
        CHECK(b->n_net_devices && streq(b->net_devices[0].host_name, "lo"));
        CHECK(b->n_net_devices && streq(b->net_devices[0].name, "ctr0"));
        vd_builder_free(b);
    }
    b = GOOD(DOC(NS("{'type': 'network'}") ", 'netDevices': {'lo': {'name': null}}"));
    if (b) {
        CHECK(b->n_net_devices == 1 && b->net_devices[0].name == NULL);
        vd_builder_free(b);
    }

    BAD(DOC("'netDevices': {'lo': {}}"),
        "linux.netDevices: needs a new network namespace (linux.namespaces: {\"type\": "
        "\"network\"} without a path)");
    BAD(DOC(NS("{'type': 'network'}") ", 'netDevices': {'nosuchif0': {}}"),
        "linux.netDevices.nosuchif0: no interface \"nosuchif0\" in the runtime's network "
        "namespace: No such device");
    BAD(DOC(NS("{'type': 'network'}") ", 'netDevices': {'eth0.100': {}}"),
        "linux.netDevices[\"eth0.100\"]: no interface \"eth0.100\" in the runtime's network "
        "namespace: No such device");
    BAD(DOC("'netDevices': ['lo']"), "linux.netDevices: expected an object");
    BAD(DOC("'netDevices': {'lo': 'x'}"), "linux.netDevices.lo: expected an object");
    BAD(DOC("'netDevices': {'lo': {'name': ['x']}}"), "linux.netDevices.lo.name: expected a string");
    BAD(DOC("'netDevices': {'lo': {'name': '0123456789abcdef'}}"),
        "linux.netDevices.lo.name: not an interface name (1 to 15 bytes, no '/', ':' or space, "
        "not \".\" or \"..\") \"0123456789abcdef\"");
    BAD(DOC("'netDevices': {'a:b': {}}"),
        "linux.netDevices[\"a:b\"]: not an interface name (1 to 15 bytes, no '/', ':' or space, "
        "not \".\" or \"..\") \"a:b\"");
    BAD(DOC("'netDevices': {'': {}}"),
        "linux.netDevices[\"\"]: not an interface name (1 to 15 bytes, no '/', ':' or space, "
        "not \".\" or \"..\") \"\"");
    BAD(DOC("'netDevices': {'a': {'name': 'c'}, 'b': {'name': 'c'}}"),
        "linux.netDevices.b: two devices would have the name \"c\"");
}

/* linux.intelRdt as the resctrl group create makes (oci_resctrl_config). */

/* The schemata lines of `doc`'s intelRdt joined by '|', and the group. */
static bool rdt_is(int line, const char *doc, const char *group, bool own, const char *monitor,
                   const char *lines)
{
    vd_error *err = NULL;
    struct oci_spec *spec;
    parse_doc(doc, &spec, &err);
    struct vd_resctrl_config cfg = {0};
    const char **v = NULL;
    char joined[256] = "";
    int r = spec ? oci_resctrl_config(spec->linux_, "ctr", &cfg, &v, &err) : -1;
    for (size_t i = 0; r == 1 && v[i]; i++)
        snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? "|" : "",
                 v[i]);
    bool ok = r == 1 && streq(cfg.group, group) && cfg.own_group == own &&
              (monitor ? streq(cfg.monitor, monitor) : cfg.monitor == NULL) && streq(joined, lines);
    if (!ok)
        fprintf(stderr, "test_translate_linux.c:%d: got r=%d group=%s own=%d monitor=%s lines=%s\n", line,
                r, cfg.group ? cfg.group : "-", cfg.own_group, cfg.monitor ? cfg.monitor : "-",
                joined);
    free(v);
    vd_error_free(&err);
    oci_spec_free(spec);
    return ok;
}
#define RDT_IS(doc, group, own, monitor, lines)                                                    \
    check_at(__LINE__, rdt_is(__LINE__, doc, group, own, monitor, lines), "resctrl config")

static void test_intel_rdt(void)
{
    /* Translation leaves it to create, which makes the group. */
    vd_builder *b = GOOD(DOC("'intelRdt': {'closID': 'g', 'schemata': ['L3:0=f']}"));
    vd_builder_free(b);
    /* No closID: the container's own group, named after it. */
    RDT_IS(DOC("'intelRdt': {}"), "ctr", true, NULL, "");
    RDT_IS(DOC("'intelRdt': {'closID': 'gold', 'enableMonitoring': true}"), "gold", false, "ctr",
           "");
    /* l3CacheSchema and memBwSchema combined, then schemata, in order. */
    RDT_IS(DOC("'intelRdt': {'l3CacheSchema': 'L3:0=7f0', 'memBwSchema': 'MB:0=20',"
               " 'schemata': ['L2:0=f', 'MB:0=70']}"),
           "ctr", true, NULL, "L3:0=7f0|MB:0=20|L2:0=f|MB:0=70");
    /* An MB: line in l3CacheSchema gives way to memBwSchema ... */
    RDT_IS(DOC("'intelRdt': {'l3CacheSchema': 'MB:0=50', 'memBwSchema': 'MB:0=20'}"), "ctr", true,
           NULL, "MB:0=20");
    /* ... and is kept without one. */
    RDT_IS(DOC("'intelRdt': {'l3CacheSchema': 'MB:0=50'}"), "ctr", true, NULL, "MB:0=50");
    struct oci_spec *spec;
    parse_doc(DOC("'sysctl': {}"), &spec, NULL);
    struct vd_resctrl_config cfg;
    const char **v = (const char **)&cfg;
    CHECK(spec && oci_resctrl_config(spec->linux_, "ctr", &cfg, &v, NULL) == 0 && v == NULL);
    oci_spec_free(spec);
    BAD(DOC("'intelRdt': {'closID': ''}"), "linux.intelRdt.closID: not a resctrl group name \"\"");
    BAD(DOC("'intelRdt': {'closID': '.'}"), "linux.intelRdt.closID: not a resctrl group name \".\"");
    BAD(DOC("'intelRdt': {'memBwSchema': 'L3:0=f'}"),
        "linux.intelRdt.memBwSchema: must start with \"MB:\"");
    BAD(DOC("'intelRdt': {'l3CacheSchema': 'L3:0=f\\nL3:1=f'}"),
        "linux.intelRdt.l3CacheSchema: must be one line");
    BAD(DOC("'intelRdt': {'schemata': [1]}"), "linux.intelRdt.schemata[0]: expected a string");
    BAD(DOC("'intelRdt': {'enableMonitoring': 1}"),
        "linux.intelRdt.enableMonitoring: expected a boolean");
}

static void test_namespace_rules(void)
{
    vd_builder *b = GOOD(DOC(NS("{'type': 'ipc', 'path': '/proc/self/ns/ipc'}")));
    if (b) {
        CHECK(b->ns[VD_NS_IPC].mode == VD_NS_MODE_JOIN);
        CHECK(streq(b->ns[VD_NS_IPC].path, "/proc/self/ns/ipc"));
        vd_builder_free(b);
    }
    b = GOOD(DOC(NS("{'type': 'user'}, {'type': 'mount'}")
                 ", 'uidMappings': [{'containerID': 0, 'hostID': 1000,"
                 " 'size': 10}], 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]"));
    if (b) {
        CHECK(b->ns[VD_NS_USER].mode == VD_NS_MODE_NEW);
        CHECK(b->n_uid_maps == 1 && b->uid_maps[0].host_id == 1000 && b->uid_maps[0].size == 10);
        CHECK(b->n_gid_maps == 1);
        vd_builder_free(b);
    }
    BAD(DOC(NS("{'type': 'network', 'path': '/proc/self/ns/uts'}")),
        "linux.namespaces[0].path: join net namespace \"/proc/self/ns/uts\": its type is uts: "
        "Invalid argument");
    BAD(DOC(NS("{'type': 'pid'}, {'type': 'mount', 'path': '/'}")),
        "linux.namespaces[1].path: join mnt namespace \"/\": not a namespace file: Invalid "
        "argument");
    BAD(DOC(NS("{'type': 'cgroup', 'path': '/nonexistent-voidoci-ns'}")),
        "linux.namespaces[0].path: open cgroup namespace \"/nonexistent-voidoci-ns\": No such file "
        "or "
        "directory");
    BAD(DOC(NS("{'type': 'user'}")), "linux.uidMappings: required with a new user namespace");
    BAD(DOC(NS("{'type': 'user'}") ", 'uidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1}]"),
        "linux.gidMappings: required with a new user namespace");
    BAD(DOC(NS("{'type': 'user'}, {'type': 'pid'}")
            ", 'uidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1}]"
            ", 'gidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1}]"),
        "linux.namespaces: a new user namespace needs a mount namespace of the container's too "
        "(the host's mounts belong to the host's user namespace)");
    BAD(DOC("'gidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1}]"),
        "linux.gidMappings: needs a new user namespace");
    BAD(DOC(NS("{'type': 'user', 'path': '/proc/self/ns/user'}")
            ", 'uidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1}]"),
        "linux.uidMappings: needs a new user namespace");
}

int main(void)
{
    test_time_offsets();
    test_net_devices();
    test_intel_rdt();
    test_namespace_rules();
    return check_summary("test_translate_linux");
}
