/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json -> builder: the checks the translation makes before anything
 * runs (which sysctls are namespaced, and in which namespace), and the exact
 * error for each refusal.  What the builder then holds is read through
 * libvoid's internal layout, as only a test may.
 *
 * Test documents use ' for " so they stay readable; dequote() swaps them.
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
    " 'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh'], 'cwd': '/'"
#define DOC(process, linux) "{" HEAD process "}, 'linux': {" linux "}}"
#define NS(...) "'namespaces': [" __VA_ARGS__ "]"

#define GOOD(doc) translate_good_at(__LINE__, doc)
#define BAD(doc, want) translate_bad_at(__LINE__, doc, want)

static const struct vd_device_entry *find_device(const vd_builder *b, const char *path)
{
    for (size_t i = 0; i < b->n_devices; i++)
        if (streq(b->devices[i].path, path))
            return &b->devices[i];
    return NULL;
}

static void test_devices(void)
{
    vd_builder *b = GOOD(DOC("", "'devices': ["
                                 " {'path': '/dev/mynull', 'type': 'c', 'major': 1, 'minor': 3,"
                                 "  'fileMode': 8624, 'uid': 1000, 'gid': 1001},"
                                 " {'path': '/dev/null', 'type': 'u', 'major': 1, 'minor': 3,"
                                 "  'fileMode': 384},"
                                 " {'path': '/srv/fifo', 'type': 'p'}]"));
    if (b == NULL)
        return;
    const struct vd_device_entry *d = find_device(b, "/dev/mynull");
    /* 8624 is S_IFCHR | 0660: the type bits of fileMode are dropped. */
    CHECK(d && d->type == 'c' && d->major == 1 && d->minor == 3 && d->mode == 0660);
    CHECK(d && d->uid == 1000 && d->gid == 1001);
    d = find_device(b, "/dev/null"); /* replaces the default /dev/null */
    CHECK(d && d->type == 'u' && d->mode == 0600 && d->uid == 0);
    d = find_device(b, "/srv/fifo"); /* runc's default mode */
    CHECK(d && d->type == 'p' && d->mode == 0666);
    vd_builder_free(b);
}

static void test_oom_score_adj(void)
{
    vd_builder *b = GOOD(DOC(", 'oomScoreAdj': -17", ""));
    if (b) {
        CHECK(b->has_oom_score_adj && b->oom_score_adj == -17);
        vd_builder_free(b);
    }
    b = GOOD(DOC("", ""));
    if (b) {
        CHECK(!b->has_oom_score_adj);
        vd_builder_free(b);
    }
}

static void test_sysctl(void)
{
    vd_builder *b = GOOD(DOC("", NS("{'type': 'network'}, {'type': 'ipc'}, {'type': 'uts'}") ","
                                 "'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.shmmax': '9',"
                                 " 'kernel.msgmax': '8192', 'kernel.sem': '1 2 3 4',"
                                 " 'fs.mqueue.msg_max': '5', 'kernel.domainname': 'd'}"));
    if (b) {
        CHECK(b->n_sysctls == 6);
        CHECK(streq(b->sysctls[0].key, "net.ipv4.ip_forward") && streq(b->sysctls[0].value, "1"));
        CHECK(streq(b->sysctls[3].key, "kernel.sem") && streq(b->sysctls[3].value, "1 2 3 4"));
        CHECK(b->loopback_up);
        vd_builder_free(b);
    }
    /* A joined namespace is the container's too (runc: even the runtime's
     * own, but for the network one, below). */
    b = GOOD(DOC("", NS("{'type': 'ipc', 'path': '/proc/self/ns/ipc'}")
                     ", 'sysctl': {'kernel.shmmax': '100'}"));
    if (b) {
        CHECK(b->n_sysctls == 1 && !b->loopback_up);
        vd_builder_free(b);
    }
    b = GOOD(DOC("", NS("{'type': 'pid'}")));
    if (b) {
        CHECK(b->n_sysctls == 0 && !b->loopback_up);
        vd_builder_free(b);
    }

    BAD(DOC("", NS("{'type': 'ipc'}") ", 'sysctl': {'net.ipv4.ip_forward': '1'}"),
        "linux.sysctl[\"net.ipv4.ip_forward\"]: needs the container's own network namespace");
    BAD(DOC("", NS("{'type': 'network'}") ", 'sysctl': {'kernel.shmmax': '1'}"),
        "linux.sysctl[\"kernel.shmmax\"]: needs the container's own ipc namespace");
    BAD(DOC("", NS("{'type': 'network'}") ", 'sysctl': {'fs.mqueue.queues_max': '1'}"),
        "linux.sysctl[\"fs.mqueue.queues_max\"]: needs the container's own ipc namespace");
    BAD(DOC("", NS("{'type': 'ipc'}") ", 'sysctl': {'kernel.hostname': 'x'}"),
        "linux.sysctl[\"kernel.hostname\"]: needs the container's own uts namespace");
    BAD(DOC("", NS("{'type': 'uts'}") ", 'sysctl': {'kernel.hostname': 'x'}"),
        "linux.sysctl[\"kernel.hostname\"]: conflicts with the hostname field");
    BAD(DOC("", NS("{'type': 'network', 'path': '/proc/self/ns/net'}")
                ", 'sysctl': {'net.core.somaxconn': '100'}"),
        "linux.sysctl[\"net.core.somaxconn\"]: linux.namespaces joins the runtime's own network "
        "namespace: would change the host");
    BAD(DOC("", NS("{'type': 'network'}, {'type': 'ipc'}, {'type': 'uts'}")
                ", 'sysctl': {'vm.swappiness': '10'}"),
        "linux.sysctl[\"vm.swappiness\"]: not namespaced: would change the host");
    /* Only kernel.sem itself is an ipc key, not what merely starts with it. */
    BAD(DOC("", NS("{'type': 'ipc'}") ", 'sysctl': {'kernel.semx': '1'}"),
        "linux.sysctl[\"kernel.semx\"]: not namespaced: would change the host");
    BAD(DOC("", NS("{'type': 'ipc'}") ", 'sysctl': {'kernel.pid_max': '10'}"),
        "linux.sysctl[\"kernel.pid_max\"]: not namespaced: would change the host");
    BAD(DOC("", NS("{'type': 'network'}") ", 'sysctl': {'net.ipv4/../ip_forward': '1'}"),
        "linux.sysctl[\"net.ipv4/../ip_forward\"]: sysctl \"net.ipv4/../ip_forward\": not a sysctl "
        "name: Invalid argument");
    BAD(DOC("", NS("{'type': 'network'}") ", 'sysctl': {'net..ipv4': '1'}"),
        "linux.sysctl[\"net..ipv4\"]: sysctl \"net..ipv4\": not a sysctl name: Invalid argument");
    BAD(DOC("", NS("{'type': 'network'}") ", 'sysctl': {'net.ipv4.': '1'}"),
        "linux.sysctl[\"net.ipv4.\"]: sysctl \"net.ipv4.\": not a sysctl name: Invalid argument");
}

int main(void)
{
    test_devices();
    test_oom_score_adj();
    test_sysctl();
    return check_summary("test_translate");
}
