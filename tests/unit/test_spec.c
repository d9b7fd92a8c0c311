/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json reading: good configs come out as the right structs, and
 * every bad one fails with the exact message, JSON path included.
 *
 * Test documents use ' for " so they stay readable; dequote() swaps them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "spec.h"
#include "utils.h"
#include "check.h"

#define GOOD(doc) parse_good_at(__LINE__, doc)
#define BAD(doc, want) parse_bad_at(__LINE__, doc, want)

static void check_error(int line, int r, struct oci_spec *spec, const vd_error *err,
                        const char *want)
{
    bool ok = r < 0 && spec == NULL && err && streq(err->msg, want);
    if (!ok)
        fprintf(stderr, "test_spec.c:%d: want r<0 and error\n    %s\ngot r=%d and\n    %s\n", line,
                want, r, err ? err->msg : "(no error)");
    check_at(line, ok, "exact error");
    oci_spec_free(spec);
}

/* A valid document with more members at the top, in the process, in linux. */
#define HEAD "'ociVersion': '1.3.0', 'root': {'path': 'rootfs'}"
#define DOC(...) "{" HEAD ", " __VA_ARGS__ "}"
#define PROCESS_REQUIRED "'user': {'uid': 0, 'gid': 0}, 'args': ['sh'], 'cwd': '/'"
#define PROCESS(...) DOC("'process': {" PROCESS_REQUIRED ", " __VA_ARGS__ "}")
#define LINUX(...) DOC("'linux': {" __VA_ARGS__ "}")

/* ---- good configs -------------------------------------------------------- */

/* What `runc spec` writes. */
static const char runc_default[] =
    "{'ociVersion': '1.0.2-dev',"
    " 'process': {'terminal': true, 'user': {'uid': 0, 'gid': 0}, 'args': ['sh'],"
    "  'env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
    "          'TERM=xterm'],"
    "  'cwd': '/',"
    "  'capabilities': {"
    "    'bounding': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
    "    'effective': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
    "    'permitted': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
    "    'ambient': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']},"
    "  'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024}],"
    "  'noNewPrivileges': true},"
    " 'root': {'path': 'rootfs', 'readonly': true},"
    " 'hostname': 'runc',"
    " 'mounts': ["
    "  {'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
    "  {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',"
    "   'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},"
    "  {'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts',"
    "   'options': ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']},"
    "  {'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm',"
    "   'options': ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']},"
    "  {'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue',"
    "   'options': ['nosuid', 'noexec', 'nodev']},"
    "  {'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs',"
    "   'options': ['nosuid', 'noexec', 'nodev', 'ro']},"
    "  {'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup',"
    "   'options': ['nosuid', 'noexec', 'nodev', 'relatime', 'ro']}],"
    " 'linux': {"
    "  'resources': {'devices': [{'allow': false, 'access': 'rwm'}]},"
    "  'namespaces': [{'type': 'pid'}, {'type': 'network'}, {'type': 'ipc'}, {'type': 'uts'},"
    "                 {'type': 'mount'}, {'type': 'cgroup'}],"
    "  'maskedPaths': ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys',"
    "                  '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',"
    "                  '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],"
    "  'readonlyPaths': ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys',"
    "                    '/proc/sysrq-trigger']}}";

static void test_runc_default(void)
{
    struct oci_spec *s = GOOD(runc_default);
    if (s == NULL)
        return;
    CHECK(streq(s->oci_version, "1.0.2-dev"));
    CHECK(streq(s->root_path, "rootfs"));
    CHECK(s->root_readonly);
    CHECK(streq(s->hostname, "runc"));
    CHECK(s->domainname == NULL);
    CHECK(s->n_annotations == 0);

    CHECK(s->n_mounts == 7);
    CHECK(streq(s->mounts[0].destination, "/proc"));
    CHECK(streq(s->mounts[0].type, "proc"));
    CHECK(streq(s->mounts[0].source, "proc"));
    CHECK(s->mounts[0].options == NULL && s->mounts[0].n_options == 0);
    CHECK(s->mounts[2].n_options == 6);
    CHECK(streq(s->mounts[2].options[5], "gid=5") && s->mounts[2].options[6] == NULL);
    CHECK(streq(s->mounts[6].destination, "/sys/fs/cgroup"));

    const struct oci_process *p = s->process;
    CHECK(p != NULL);
    if (p) {
        CHECK(p->terminal);
        CHECK(!p->has_console_size);
        CHECK(p->user.uid == 0 && p->user.gid == 0 && !p->user.has_umask);
        CHECK(p->user.n_additional_gids == 0);
        CHECK(p->n_args == 1 && streq(p->args[0], "sh") && p->args[1] == NULL);
        CHECK(p->n_env == 2 && streq(p->env[1], "TERM=xterm") && p->env[2] == NULL);
        CHECK(streq(p->cwd, "/"));
        CHECK(p->has_capabilities);
        const struct oci_capabilities *c = &p->capabilities;
        CHECK(c->n[OCI_CAP_BOUNDING] == 3 && c->n[OCI_CAP_AMBIENT] == 3);
        CHECK(c->n[OCI_CAP_INHERITABLE] == 0 && c->names[OCI_CAP_INHERITABLE] == NULL);
        CHECK(streq(c->names[OCI_CAP_EFFECTIVE][1], "CAP_KILL"));
        CHECK(c->values[OCI_CAP_BOUNDING][0] == CAP_AUDIT_WRITE);
        CHECK(c->values[OCI_CAP_PERMITTED][1] == CAP_KILL);
        CHECK(c->values[OCI_CAP_AMBIENT][2] == CAP_NET_BIND_SERVICE);
        CHECK(p->n_rlimits == 1);
        CHECK(streq(p->rlimits[0].type, "RLIMIT_NOFILE"));
        CHECK(p->rlimits[0].resource == RLIMIT_NOFILE);
        CHECK(p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 1024);
        CHECK(p->no_new_privileges);
        CHECK(!p->has_oom_score_adj);
        CHECK(p->apparmor_profile == NULL && p->selinux_label == NULL);
    }

    const struct oci_linux *l = s->linux_;
    CHECK(l != NULL);
    if (l) {
        CHECK(l->n_namespaces == 6);
        CHECK(l->namespaces[0].ns == VD_NS_PID && streq(l->namespaces[0].type, "pid"));
        CHECK(l->namespaces[1].ns == VD_NS_NET);
        CHECK(l->namespaces[4].ns == VD_NS_MOUNT);
        CHECK(l->namespaces[5].ns == VD_NS_CGROUP && l->namespaces[5].path == NULL);
        CHECK(l->n_uid_mappings == 0 && l->uid_mappings == NULL);
        CHECK(l->rootfs_propagation == NULL);
        CHECK(l->n_masked_paths == 10 && streq(l->masked_paths[9], "/proc/scsi"));
        CHECK(l->masked_paths[10] == NULL);
        CHECK(l->n_readonly_paths == 5 && streq(l->readonly_paths[4], "/proc/sysrq-trigger"));
        CHECK(l->cgroups_path == NULL && l->n_sysctl == 0);
    }
    oci_spec_free(s);
}

static void test_minimal(void)
{
    struct oci_spec *s = GOOD("{'ociVersion': '1.3.0', 'root': {'path': '/srv/rootfs'}}");
    if (s == NULL)
        return;
    CHECK(streq(s->oci_version, "1.3.0"));
    CHECK(streq(s->root_path, "/srv/rootfs") && !s->root_readonly);
    CHECK(s->process == NULL && s->linux_ == NULL);
    CHECK(s->mounts == NULL && s->n_mounts == 0);
    CHECK(s->hostname == NULL && s->annotations == NULL);
    oci_spec_free(s);
}

/* The shape podman/crun configs take: user namespace, seccomp, resources,
 * hooks, devices and annotations.  Only some is read; none of it may fail. */
static const char podman_like[] =
    "{'ociVersion': '1.2.0',"
    " 'process': {'user': {'uid': 1000, 'gid': 1000, 'umask': 18,"
    "             'additionalGids': [10, 4294967295]},"
    "  'args': ['/usr/bin/podman-init', '--', '/bin/bash', '-l'],"
    "  'env': ['PATH=/usr/bin', 'container=podman', 'HOME=/root', 'LANG=C.UTF-8'],"
    "  'cwd': '/home/user', 'terminal': false, 'consoleSize': {'height': 24, 'width': 80},"
    "  'capabilities': {'bounding': ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER',"
    "     'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SETFCAP', 'CAP_SETGID',"
    "     'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT'],"
    "    'effective': ['CAP_CHOWN'], 'inheritable': [], 'permitted': ['CAP_CHOWN'],"
    "    'ambient': null},"
    "  'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1048576, 'hard': 1048576},"
    "              {'type': 'RLIMIT_NPROC', 'soft': 4194304, 'hard': 4194304},"
    "              {'type': 'RLIMIT_CORE', 'soft': 18446744073709551615,"
    "               'hard': 18446744073709551615}],"
    "  'oomScoreAdj': -1000, 'noNewPrivileges': false,"
    "  'apparmorProfile': 'containers-default-0.50.1',"
    "  'selinuxLabel': 'system_u:system_r:container_t:s0:c1,c2',"
    "  'scheduler': {'policy': 'SCHED_OTHER'}, 'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 4}},"
    " 'root': {'path': '/var/lib/containers/storage/overlay/abc/merged'},"
    " 'hostname': 'f00dcafe', 'domainname': 'example.org',"
    " 'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc',"
    "             'options': ['nosuid', 'noexec', 'nodev']},"
    "            {'destination': '/etc/hosts', 'type': 'bind',"
    "             'source': '/run/containers/storage/hosts', 'options': ['bind', 'rprivate'],"
    "             'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}],"
    " 'hooks': {'prestart': [{'path': '/usr/bin/hook', 'args': ['hook', 'x'], 'timeout': 5}],"
    "           'poststop': []},"
    " 'annotations': {'io.container.manager': 'libpod', 'org.opencontainers.image.stopSignal':"
    "                 '15', '': 'empty key is the bundle author\\u0027s problem'},"
    " 'linux': {"
    "  'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "  'gidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536},"
    "                  {'containerID': 65536, 'hostID': 4294967295, 'size': 1}],"
    "  'sysctl': {'net.ipv4.ping_group_range': '0 0', 'kernel.msgmax': '8192'},"
    "  'resources': {'memory': {'limit': 536870912, 'swap': -1, 'swappiness': 0},"
    "    'cpu': {'shares': 1024, 'quota': -1, 'cpus': '0-3'},"
    "    'pids': {'limit': 2048}, 'unified': {'memory.high': 'max'},"
    "    'hugepageLimits': [{'pageSize': '2MB', 'limit': 9223372036854772000}],"
    "    'blockIO': {'weight': 100}},"
    "  'cgroupsPath': 'machine.slice:libpod:f00dcafe',"
    "  'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/run/netns/cni-1'},"
    "                 {'type': 'ipc'}, {'type': 'uts'}, {'type': 'mount'}, {'type': 'user'},"
    "                 {'type': 'cgroup'}, {'type': 'time'}],"
    "  'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
    "    'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
    "    'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
    "                 {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
    "                  'args': [{'index': 0, 'value': 4294967295, 'op': 'SCMP_CMP_EQ'}]}]},"
    "  'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
    "               'fileMode': 438, 'uid': 0, 'gid': 0}],"
    "  'rootfsPropagation': 'rslave', 'mountLabel': 'system_u:object_r:container_file_t:s0',"
    "  'maskedPaths': ['/proc/acpi', '/sys/firmware'], 'readonlyPaths': ['/proc/bus'],"
    "  'personality': {'domain': 'LINUX'}, 'intelRdt': null}}";

static void test_podman_like(void)
{
    struct oci_spec *s = GOOD(podman_like);
    if (s == NULL)
        return;
    CHECK(streq(s->domainname, "example.org"));
    CHECK(s->n_mounts == 2 && streq(s->mounts[1].options[1], "rprivate"));
    CHECK(s->n_annotations == 3);
    CHECK(streq(s->annotations[0].key, "io.container.manager"));
    CHECK(streq(s->annotations[0].value, "libpod"));
    CHECK(streq(s->annotations[2].value, "empty key is the bundle author's problem"));

    const struct oci_process *p = s->process;
    if (p) {
        CHECK(p->user.uid == 1000 && p->user.gid == 1000);
        CHECK(p->user.has_umask && p->user.umask == 022);
        CHECK(p->user.n_additional_gids == 2 && p->user.additional_gids[1] == UINT32_MAX);
        CHECK(p->n_args == 4 && streq(p->args[3], "-l"));
        CHECK(streq(p->cwd, "/home/user") && !p->terminal);
        CHECK(p->has_console_size && p->console_height == 24 && p->console_width == 80);
        const struct oci_capabilities *c = &p->capabilities;
        CHECK(c->n[OCI_CAP_BOUNDING] == 11);
        CHECK(c->values[OCI_CAP_BOUNDING][10] == CAP_SYS_CHROOT);
        CHECK(c->n[OCI_CAP_INHERITABLE] == 0 && c->names[OCI_CAP_INHERITABLE] != NULL);
        CHECK(c->n[OCI_CAP_AMBIENT] == 0);
        CHECK(p->n_rlimits == 3 && p->rlimits[1].resource == RLIMIT_NPROC);
        CHECK(p->rlimits[2].soft == UINT64_MAX && p->rlimits[2].hard == UINT64_MAX);
        CHECK(p->has_oom_score_adj && p->oom_score_adj == -1000);
        CHECK(streq(p->apparmor_profile, "containers-default-0.50.1"));
        CHECK(streq(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2"));
    }
    CHECK(p != NULL);

    const struct oci_linux *l = s->linux_;
    if (l) {
        CHECK(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 100000);
        CHECK(l->uid_mappings[0].size == 65536 && l->uid_mappings[0].container_id == 0);
        CHECK(l->n_gid_mappings == 2 && l->gid_mappings[1].host_id == UINT32_MAX);
        CHECK(l->n_sysctl == 2 && streq(l->sysctl[1].key, "kernel.msgmax"));
        CHECK(streq(l->sysctl[0].value, "0 0"));
        CHECK(streq(l->cgroups_path, "machine.slice:libpod:f00dcafe"));
        CHECK(l->n_namespaces == 8);
        CHECK(l->namespaces[1].ns == VD_NS_NET && streq(l->namespaces[1].path, "/run/netns/cni-1"));
        CHECK(l->namespaces[5].ns == VD_NS_USER && l->namespaces[7].ns == VD_NS_TIME);
        CHECK(streq(l->rootfs_propagation, "rslave"));
        CHECK(l->n_masked_paths == 2 && l->n_readonly_paths == 1);
    }
    CHECK(l != NULL);
    oci_spec_free(s);
}

static void test_good_edges(void)
{
    struct oci_spec *s;

    /* null is "not there", as in Go's encoding/json */
    s = GOOD(DOC("'hostname': null, 'mounts': null, 'linux': null, 'process': {"
                 PROCESS_REQUIRED ", 'env': null, 'capabilities': null, 'rlimits': null}"));
    if (s) {
        CHECK(s->hostname == NULL && s->mounts == NULL && s->linux_ == NULL);
        CHECK(s->process && s->process->env && s->process->env[0] == NULL);
        CHECK(s->process && !s->process->has_capabilities);
    }
    oci_spec_free(s);

    /* unknown members at every level are ignored; so is their content */
    s = GOOD(DOC("'x-top': [1, {'a': null}], 'process': {'args': ['sh'], 'cwd': '/', 'x': 1,"
                 " 'user': {'uid': 0, 'gid': 0, 'username': 'root'}, 'commandLine': 'sh'},"
                 " 'mounts': [{'destination': '/a', 'x': {}}], 'linux': {'x': [], 'namespaces':"
                 " [{'type': 'pid', 'x': true}]}"));
    oci_spec_free(s);

    /* extreme but valid values; exponents are fine where nothing is read */
    s = GOOD(PROCESS("'oomScoreAdj': 1000, 'rlimits': [{'type': 'RLIMIT_CPU', 'soft': 0,"
                     " 'hard': -0}], 'x': 1.5e400"));
    if (s && s->process) {
        CHECK(s->process->oom_score_adj == 1000);
        CHECK(s->process->rlimits[0].hard == 0);
    }
    oci_spec_free(s);

    /* non-ASCII text and escapes come through unescaped */
    s = GOOD(DOC("'hostname': 'h\\u00e9te', 'domainname': 'caf\xc3\xa9', 'annotations':"
                 " {'k\\n': 'tab\\there'}"));
    if (s) {
        CHECK(streq(s->hostname, "h\xc3\xa9te") && streq(s->domainname, "caf\xc3\xa9"));
        CHECK(s->n_annotations == 1 && streq(s->annotations[0].key, "k\n"));
        CHECK(streq(s->annotations[0].value, "tab\there"));
    }
    oci_spec_free(s);

    /* every rlimit name and namespace type the kernel has */
    s = GOOD(PROCESS("'rlimits': ["
                     "{'type': 'RLIMIT_AS', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_CORE', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_CPU', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_DATA', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_FSIZE', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_LOCKS', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_MEMLOCK', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_MSGQUEUE', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_NICE', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_NPROC', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_RSS', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_RTPRIO', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_RTTIME', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_SIGPENDING', 'soft': 1, 'hard': 1},"
                     "{'type': 'RLIMIT_STACK', 'soft': 1, 'hard': 2}]"));
    if (s && s->process) {
        CHECK(s->process->n_rlimits == 16);
        CHECK(s->process->rlimits[15].resource == RLIMIT_STACK);
        CHECK(s->process->rlimits[13].resource == RLIMIT_RTTIME);
    }
    oci_spec_free(s);

    /* all eight propagations */
    const char *propagations[] = {"private", "rprivate", "slave",      "rslave",
                                  "shared",  "rshared",  "unbindable", "runbindable"};
    for (size_t i = 0; i < VD_ARRAY_SIZE(propagations); i++) {
        char doc[256];
        snprintf(doc, sizeof(doc), LINUX("'rootfsPropagation': '%s'"), propagations[i]);
        s = GOOD(doc);
        CHECK(s && s->linux_ && streq(s->linux_->rootfs_propagation, propagations[i]));
        oci_spec_free(s);
    }
}

/* 64 levels of arrays/objects are fine, 65 are not. */
static void test_nesting(void)
{
    char doc[512];
    /* the root object is level 1 */
    snprintf(doc, sizeof(doc), DOC("'x': %.*s%.*s"), 63,
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 63,
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
    struct oci_spec *s = GOOD(doc);
    oci_spec_free(s);
    snprintf(doc, sizeof(doc), DOC("'x': %.*s%.*s"), 64,
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 64,
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
    BAD(doc, "invalid JSON: nested deeper than 64 levels");

    /* a deep document must fail fast, not overflow a stack */
    size_t n = 1000000;
    _cleanup_free_ char *deep = malloc(n);
    if (deep == NULL)
        abort();
    memset(deep, '[', n);
    struct oci_spec *spec = NULL;
    _cleanup_error_ vd_error *err = NULL;
    int r = oci_spec_parse(deep, n, &spec, &err);
    check_error(__LINE__, r, spec, err, "invalid JSON: nested deeper than 64 levels");
}

/* ---- bad configs --------------------------------------------------------- */

static void test_bad_json(void)
{
    /* yajl would make these "?"; the value would not be the one written. */
    BAD("{'ociVersion': '1.3.0', 'hostname': '\\ud800'}",
        "invalid JSON: \\ud800 is half of a UTF-16 surrogate pair (near line 1, column 38)");
    BAD("{'ociVersion': '1.3.0', 'hostname': 'a\\uDC00'}",
        "invalid JSON: \\uDC00 is half of a UTF-16 surrogate pair (near line 1, column 39)");
    BAD("{'ociVersion': '1.3.0', 'hostname': '\\ud800\\u0041'}",
        "invalid JSON: \\ud800 is half of a UTF-16 surrogate pair (near line 1, column 38)");
    {
        struct oci_spec *s = GOOD(DOC("'hostname': '\\ud83d\\ude00 \\\\ud800'"));
        CHECK(s && streq(s->hostname, "\xf0\x9f\x98\x80 \\ud800"));
        oci_spec_free(s);
    }
    BAD("", "invalid JSON: parse error: premature EOF (near line 1, column 1)");
    BAD("{'ociVersion': x}", "invalid JSON: lexical error: invalid char in json text. "
                             "(near line 1, column 16)");
    BAD("{\n 'ociVersion':\n  tru}", "invalid JSON: lexical error: invalid string in json "
                                     "text. (near line 3, column 5)");
    BAD("{'ociVersion': '1', }", "invalid JSON: parse error: invalid object key (must be a "
                                 "string) (near line 1, column 21)");
    BAD(DOC("'x': 1") " {}", "invalid JSON: parse error: trailing garbage "
                             "(near line 1, column 61)");
    BAD(DOC("'x': 1") " // comment", "invalid JSON: parse error: trailing garbage "
                                     "(near line 1, column 60)");
    BAD("{'ociVersion': '\xff'}", "invalid JSON: lexical error: invalid bytes in UTF8 string. "
                                  "(near line 1, column 17)");
    BAD("{'ociVersion': 'a\tb'}", "invalid JSON: lexical error: invalid character inside "
                                  "string. (near line 1, column 17)");
    BAD("[1, 2", "invalid JSON: parse error: premature EOF (near line 1, column 6)");

    /* a raw NUL byte is not JSON, even inside a string */
    static const char with_nul[] = "{\"ociVersion\": \"1\0\"}";
    struct oci_spec *spec = NULL;
    _cleanup_error_ vd_error *err = NULL;
    int r = oci_spec_parse(with_nul, sizeof(with_nul) - 1, &spec, &err);
    check_error(__LINE__, r, spec, err,
                "invalid JSON: lexical error: invalid character inside string. "
                "(near line 1, column 17)");
}

/* Every SemVer form a 1.x config.json may carry. */
static void test_oci_versions(void)
{
    static const char *const good[] = {"1.0.0", "1.3.0", "1.0.2-dev", "1.1.0-rc.1",
                                       "1.2.1+build.5", "1.0.0-alpha-1+x.y", "1.10.0"};
    for (size_t i = 0; i < VD_ARRAY_SIZE(good); i++) {
        char doc[128];
        snprintf(doc, sizeof(doc), "{'ociVersion': '%s', 'root': {'path': 'r'}}", good[i]);
        struct oci_spec *spec = GOOD(doc);
        CHECK(spec && streq(spec->oci_version, good[i]));
        oci_spec_free(spec);
    }
}

static void test_bad_top(void)
{
    BAD("[]", "(root): expected an object");
    BAD("42", "(root): expected an object");
    BAD("'config'", "(root): expected an object");
    BAD("null", "(root): expected an object");
    BAD("{}", "ociVersion: is required");
    BAD("{'ociVersion': null, 'root': {'path': 'r'}}", "ociVersion: is required");
    BAD("{'ociVersion': 1.3}", "ociVersion: expected a string");
    BAD("{'ociVersion': '1.3.0'}", "root: is required");
    BAD("{'ociVersion': '1.3.0', 'root': 'rootfs'}", "root: expected an object");
    BAD("{'ociVersion': '1.3.0', 'root': {}}", "root.path: is required");
    BAD("{'ociVersion': '1.3.0', 'root': {'path': ''}}", "root.path: must not be empty");
    BAD("{'ociVersion': '1.3.0', 'root': {'path': ['rootfs']}}", "root.path: expected a string");
    BAD("{'ociVersion': '1.3.0', 'root': {'path': 'root\\u0000fs'}}",
        "root.path: contains a NUL byte");
    BAD("{'ociVersion': '1.3.0', 'root': {'path': 'r', 'readonly': 'yes'}}",
        "root.readonly: expected a boolean");
    BAD("{'ociVersion': '1', 'root': {'path': 'r'}}", "ociVersion: not a SemVer 2.0.0 version: \"1\"");
    BAD("{'ociVersion': '1.3', 'root': {'path': 'r'}}",
        "ociVersion: not a SemVer 2.0.0 version: \"1.3\"");
    BAD("{'ociVersion': '01.3.0', 'root': {'path': 'r'}}",
        "ociVersion: not a SemVer 2.0.0 version: \"01.3.0\"");
    BAD("{'ociVersion': '1.3.0-', 'root': {'path': 'r'}}",
        "ociVersion: not a SemVer 2.0.0 version: \"1.3.0-\"");
    BAD("{'ociVersion': '1.3.0+a..b', 'root': {'path': 'r'}}",
        "ociVersion: not a SemVer 2.0.0 version: \"1.3.0+a..b\"");
    BAD("{'ociVersion': 'v1.3.0', 'root': {'path': 'r'}}",
        "ociVersion: not a SemVer 2.0.0 version: \"v1.3.0\"");
    BAD("{'ociVersion': '2.0.0', 'root': {'path': 'r'}}",
        "ociVersion: version \"2.0.0\" is not supported: this runtime implements runtime-spec "
        "1.x, up to 1.3.0");
    BAD("{'ociVersion': '0.9.0', 'root': {'path': 'r'}}",
        "ociVersion: version \"0.9.0\" is not supported: this runtime implements runtime-spec "
        "1.x, up to 1.3.0");
    BAD(DOC("'hostname': ['a']"), "hostname: expected a string");
    BAD(DOC("'domainname': true"), "domainname: expected a string");
    /* 64 bytes is the kernel's limit for both, and fits. */
#define A16 "aaaaaaaaaaaaaaaa"
#define A64 A16 A16 A16 A16
    oci_spec_free(GOOD(DOC("'hostname': '" A64 "', 'domainname': '" A64 "'")));
    BAD(DOC("'hostname': '" A64 "a'"), "hostname: is longer than 64 bytes");
    BAD(DOC("'domainname': '" A64 "a'"), "domainname: is longer than 64 bytes");
    BAD(DOC("'annotations': []"), "annotations: expected an object");
    BAD(DOC("'annotations': {'org.example.key': 5}"),
        "annotations[\"org.example.key\"]: expected a string");
    BAD(DOC("'annotations': {'a\\u0000b': 'x'}"),
        "annotations[\"a\\u0000b\"]: key contains a NUL byte");
}

static void test_bad_duplicates(void)
{
    BAD("{'ociVersion': '1', 'ociVersion': '2'}", "(root): duplicate key \"ociVersion\"");
    BAD(DOC("'process': {" PROCESS_REQUIRED ", 'args': ['sh']}"),
        "process: duplicate key \"args\"");
    /* rejected even where nothing is read; the earliest repeat is named */
    BAD(LINUX("'resources': {'pids': {}, 'cpu': {}, 'pids': {}, 'cpu': {}}"),
        "linux.resources: duplicate key \"pids\"");
    BAD(DOC("'annotations': {'a.b': '1', 'a.b': '2'}"), "annotations: duplicate key \"a.b\"");
    BAD(DOC("'x': [{}, {'k\\n': 1, 'k\\n': 2}]"), "x[1]: duplicate key \"k\\n\"");
}

static void test_bad_mounts(void)
{
    BAD(DOC("'mounts': {}"), "mounts: expected an array");
    BAD(DOC("'mounts': ['/proc']"), "mounts[0]: expected an object");
    BAD(DOC("'mounts': [{'destination': '/a'}, {'type': 'tmpfs'}]"),
        "mounts[1].destination: is required");
    BAD(DOC("'mounts': [{'destination': '/a'}, {'destination': '/b'}, {'destination': 'c'}]"),
        "mounts[2].destination: must be an absolute path");
    BAD(DOC("'mounts': [{'destination': ''}]"), "mounts[0].destination: must be an absolute path");
    BAD(DOC("'mounts': [{'destination': '/a\\u0000'}]"),
        "mounts[0].destination: contains a NUL byte");
    BAD(DOC("'mounts': [{'destination': '/a', 'type': 1}]"), "mounts[0].type: expected a string");
    BAD(DOC("'mounts': [{'destination': '/a', 'source': {}}]"),
        "mounts[0].source: expected a string");
    BAD(DOC("'mounts': [{'destination': '/a', 'options': 'ro'}]"),
        "mounts[0].options: expected an array");
    BAD(DOC("'mounts': [{'destination': '/a', 'options': ['ro', 5]}]"),
        "mounts[0].options[1]: expected a string");
}

static void test_bad_process(void)
{
    BAD(DOC("'process': []"), "process: expected an object");
    BAD(DOC("'process': {'args': ['sh'], 'cwd': '/'}"), "process.user: is required");
    BAD(DOC("'process': {'user': 0, 'args': ['sh'], 'cwd': '/'}"),
        "process.user: expected an object");
    BAD(DOC("'process': {'user': {'gid': 0}, 'args': ['sh'], 'cwd': '/'}"),
        "process.user.uid: is required");
    BAD(DOC("'process': {'user': {'uid': 0}, 'args': ['sh'], 'cwd': '/'}"),
        "process.user.gid: is required");
    BAD(DOC("'process': {'user': {'uid': -1, 'gid': 0}}"),
        "process.user.uid: must be between 0 and 4294967295");
    BAD(DOC("'process': {'user': {'uid': 4294967296, 'gid': 0}}"),
        "process.user.uid: must be between 0 and 4294967295");
    BAD(DOC("'process': {'user': {'uid': 100000000000000000000000, 'gid': 0}}"),
        "process.user.uid: must be between 0 and 4294967295");
    BAD(DOC("'process': {'user': {'uid': 1.5, 'gid': 0}}"),
        "process.user.uid: expected an integer");
    BAD(DOC("'process': {'user': {'uid': '0', 'gid': 0}}"),
        "process.user.uid: expected an integer");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 1e3}}"),
        "process.user.gid: expected an integer");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0, 'umask': '022'}}"),
        "process.user.umask: expected an integer");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0, 'additionalGids': 5}}"),
        "process.user.additionalGids: expected an array");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0, 'additionalGids': [1, -2]}}"),
        "process.user.additionalGids[1]: must be between 0 and 4294967295");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'cwd': '/'}"), "process.args: is required");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'args': [], 'cwd': '/'}"),
        "process.args: must be a non-empty array");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'args': 'sh', 'cwd': '/'}"),
        "process.args: expected an array");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh', 1], 'cwd': '/'}"),
        "process.args[1]: expected a string");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh', null], 'cwd': '/'}"),
        "process.args[1]: expected a string");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['/bin/sh\\u0000-x']}"),
        "process.args[0]: contains a NUL byte");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh']}"),
        "process.cwd: is required");
    BAD(DOC("'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh'], 'cwd': 'tmp'}"),
        "process.cwd: must be an absolute path");
    BAD(PROCESS("'env': ['A=1', 2]"), "process.env[1]: expected a string");
    BAD(PROCESS("'env': 'A=1'"), "process.env: expected an array");
    BAD(PROCESS("'terminal': 'true'"), "process.terminal: expected a boolean");
    BAD(PROCESS("'consoleSize': [24, 80]"), "process.consoleSize: expected an object");
    BAD(PROCESS("'consoleSize': {'height': 24}"), "process.consoleSize.width: is required");
    BAD(PROCESS("'consoleSize': {'height': -24, 'width': 80}"),
        "process.consoleSize.height: must be between 0 and 65535");
    BAD(PROCESS("'consoleSize': {'height': 24, 'width': 65536}"),
        "process.consoleSize.width: must be between 0 and 65535");
    BAD(PROCESS("'noNewPrivileges': 1"), "process.noNewPrivileges: expected a boolean");
    BAD(PROCESS("'oomScoreAdj': 1001"), "process.oomScoreAdj: must be between -1000 and 1000");
    BAD(PROCESS("'oomScoreAdj': -99999999999999999999"),
        "process.oomScoreAdj: must be between -1000 and 1000");
    BAD(PROCESS("'oomScoreAdj': '5'"), "process.oomScoreAdj: expected an integer");
    BAD(PROCESS("'apparmorProfile': 5"), "process.apparmorProfile: expected a string");
    BAD(PROCESS("'selinuxLabel': {}"), "process.selinuxLabel: expected a string");
}

static void test_bad_capabilities(void)
{
    BAD(PROCESS("'capabilities': ['CAP_CHOWN']"), "process.capabilities: expected an object");
    BAD(PROCESS("'capabilities': {'bounding': 'CAP_CHOWN'}"),
        "process.capabilities.bounding: expected an array");
    BAD(PROCESS("'capabilities': {'bounding': ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN',"
                " 'CAP_FOO']}"),
        "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"");
    BAD(PROCESS("'capabilities': {'effective': ['cap_chown']}"),
        "process.capabilities.effective[0]: unknown capability \"cap_chown\"");
    BAD(PROCESS("'capabilities': {'inheritable': ['12']}"),
        "process.capabilities.inheritable[0]: unknown capability \"12\"");
    BAD(PROCESS("'capabilities': {'permitted': ['CAP_CHOWN,CAP_KILL']}"),
        "process.capabilities.permitted[0]: unknown capability \"CAP_CHOWN,CAP_KILL\"");
    BAD(PROCESS("'capabilities': {'ambient': ['CAP_']}"),
        "process.capabilities.ambient[0]: unknown capability \"CAP_\"");
    BAD(PROCESS("'capabilities': {'ambient': ['CAP_\\'X\\n']}"),
        "process.capabilities.ambient[0]: unknown capability \"CAP_\\\"X\\n\"");
    BAD(PROCESS("'capabilities': {'ambient': [true]}"),
        "process.capabilities.ambient[0]: expected a string");
}

static void test_bad_rlimits(void)
{
    BAD(PROCESS("'rlimits': {}"), "process.rlimits: expected an array");
    BAD(PROCESS("'rlimits': ['RLIMIT_NOFILE']"), "process.rlimits[0]: expected an object");
    BAD(PROCESS("'rlimits': [{'soft': 1, 'hard': 1}]"), "process.rlimits[0].type: is required");
    BAD(PROCESS("'rlimits': [{'type': 7, 'soft': 1, 'hard': 1}]"),
        "process.rlimits[0].type: expected a string");
    BAD(PROCESS("'rlimits': [{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]"),
        "process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"");
    BAD(PROCESS("'rlimits': [{'type': 'nofile', 'soft': 1, 'hard': 1}]"),
        "process.rlimits[0].type: unknown rlimit type \"nofile\"");
    BAD(PROCESS("'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1}]"),
        "process.rlimits[0].soft: is required");
    BAD(PROCESS("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1}]"),
        "process.rlimits[0].hard: is required");
    BAD(PROCESS("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': -1, 'hard': 1}]"),
        "process.rlimits[0].soft: must be between 0 and 18446744073709551615");
    BAD(PROCESS("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': "
                "18446744073709551616}]"),
        "process.rlimits[0].hard: must be between 0 and 18446744073709551615");
    BAD(PROCESS("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1.0, 'hard': 1}]"),
        "process.rlimits[0].soft: expected an integer");
    BAD(PROCESS("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},"
                " {'type': 'RLIMIT_CORE', 'soft': 1, 'hard': 1},"
                " {'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]"),
        "process.rlimits[2].type: duplicate rlimit type \"RLIMIT_NOFILE\"");
}

static void test_bad_linux(void)
{
    BAD(DOC("'linux': []"), "linux: expected an object");
    BAD(LINUX("'namespaces': {'pid': {}}"), "linux.namespaces: expected an array");
    BAD(LINUX("'namespaces': ['pid']"), "linux.namespaces[0]: expected an object");
    BAD(LINUX("'namespaces': [{'path': '/proc/1/ns/pid'}]"),
        "linux.namespaces[0].type: is required");
    BAD(LINUX("'namespaces': [{'type': 'pid'}, {'type': 'foo'}]"),
        "linux.namespaces[1].type: unknown namespace type \"foo\"");
    BAD(LINUX("'namespaces': [{'type': 'pid'}, {'type': 'net'}]"),
        "linux.namespaces[1].type: unknown namespace type \"net\"");
    BAD(LINUX("'namespaces': [{'type': 'pid'}, {'type': 'ipc'}, {'type': 'pid'}]"),
        "linux.namespaces[2].type: duplicate namespace type \"pid\"");
    BAD(LINUX("'namespaces': [{'type': 'network', 'path': 'netns/x'}]"),
        "linux.namespaces[0].path: must be an absolute path");
    BAD(LINUX("'namespaces': [{'type': 'network', 'path': 5}]"),
        "linux.namespaces[0].path: expected a string");
    BAD(LINUX("'uidMappings': {}"), "linux.uidMappings: expected an array");
    BAD(LINUX("'uidMappings': [{'containerID': 0, 'hostID': 1000}]"),
        "linux.uidMappings[0].size: is required");
    BAD(LINUX("'uidMappings': [{'hostID': 1000, 'size': 1}]"),
        "linux.uidMappings[0].containerID: is required");
    BAD(LINUX("'gidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1},"
              " {'containerID': 1, 'hostID': -1, 'size': 1}]"),
        "linux.gidMappings[1].hostID: must be between 0 and 4294967295");
    BAD(LINUX("'rootfsPropagation': 'bogus'"),
        "linux.rootfsPropagation: unknown propagation \"bogus\"");
    BAD(LINUX("'rootfsPropagation': 'RPRIVATE'"),
        "linux.rootfsPropagation: unknown propagation \"RPRIVATE\"");
    BAD(LINUX("'maskedPaths': ['/proc/kcore', 'proc/keys']"),
        "linux.maskedPaths[1]: must be an absolute path");
    BAD(LINUX("'readonlyPaths': '/proc/sys'"), "linux.readonlyPaths: expected an array");
    BAD(LINUX("'cgroupsPath': 1"), "linux.cgroupsPath: expected a string");
    BAD(LINUX("'sysctl': ['net.ipv4.ip_forward=1']"), "linux.sysctl: expected an object");
    BAD(LINUX("'sysctl': {'net.ipv4.ip_forward': 1}"),
        "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string");
    BAD(LINUX("'sysctl': {'kernel_x': true}"), "linux.sysctl.kernel_x: expected a string");
}

/* ---- linux.devices -------------------------------------------------------- */

static void test_devices(void)
{
    struct oci_spec *s = GOOD(LINUX(
        "'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
        "             'fileMode': 438, 'uid': 0, 'gid': 0},"
        "            {'path': '/dev/sda', 'type': 'b', 'major': 8, 'minor': 0,"
        "             'fileMode': 432, 'uid': 1000, 'gid': 4294967295},"
        "            {'path': '/run/fifo', 'type': 'p'},"
        "            {'path': '/dev/big', 'type': 'u', 'major': 4294967296, 'minor': -1,"
        "             'fileMode': null}]"));
    if (s) {
        const struct oci_linux *l = s->linux_;
        CHECK(l->n_devices == 4);
        CHECK(streq(l->devices[0].path, "/dev/fuse") && l->devices[0].type == 'c');
        CHECK(l->devices[0].major == 10 && l->devices[0].minor == 229);
        CHECK(l->devices[0].has_file_mode && l->devices[0].file_mode == 0666);
        CHECK(l->devices[1].type == 'b' && l->devices[1].file_mode == 0660);
        CHECK(l->devices[1].uid == 1000 && l->devices[1].gid == UINT32_MAX);
        CHECK(l->devices[2].type == 'p' && l->devices[2].major == 0 && !l->devices[2].has_file_mode);
        CHECK(l->devices[3].type == 'u' && l->devices[3].major == INT64_C(4294967296));
        CHECK(l->devices[3].minor == -1 && !l->devices[3].has_file_mode);
        CHECK(l->devices[3].uid == 0 && l->devices[3].gid == 0);
        oci_spec_free(s);
    }
    s = GOOD(LINUX("'devices': []"));
    if (s) {
        CHECK(s->linux_->n_devices == 0);
        oci_spec_free(s);
    }

    BAD(LINUX("'devices': {}"), "linux.devices: expected an array");
    BAD(LINUX("'devices': ['/dev/null']"), "linux.devices[0]: expected an object");
    BAD(LINUX("'devices': [{'type': 'c', 'major': 1, 'minor': 3}]"),
        "linux.devices[0].path: is required");
    BAD(LINUX("'devices': [{'path': 'dev/null', 'type': 'c', 'major': 1, 'minor': 3}]"),
        "linux.devices[0].path: must be an absolute path");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'major': 1, 'minor': 3}]"),
        "linux.devices[0].type: is required");
    BAD(LINUX("'devices': [{'path': '/dev/a', 'type': 'p'},"
              "            {'path': '/dev/null', 'type': 'x', 'major': 1, 'minor': 3}]"),
        "linux.devices[1].type: unknown device type \"x\"");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'cb', 'major': 1, 'minor': 3}]"),
        "linux.devices[0].type: unknown device type \"cb\"");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': '', 'major': 1, 'minor': 3}]"),
        "linux.devices[0].type: unknown device type \"\"");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'C', 'major': 1, 'minor': 3}]"),
        "linux.devices[0].type: unknown device type \"C\"");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 99, 'major': 1, 'minor': 3}]"),
        "linux.devices[0].type: expected a string");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'c', 'minor': 3}]"),
        "linux.devices[0].major: is required");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'b', 'major': 1}]"),
        "linux.devices[0].minor: is required");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'u', 'major': '1', 'minor': 3}]"),
        "linux.devices[0].major: expected an integer");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'c', 'major': 1.5, 'minor': 3}]"),
        "linux.devices[0].major: expected an integer");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'c', 'major': 1,"
              " 'minor': 9223372036854775808}]"),
        "linux.devices[0].minor: must be between -9223372036854775808 and 9223372036854775807");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'c', 'major': 1, 'minor': 3,"
              " 'fileMode': -1}]"),
        "linux.devices[0].fileMode: must be between 0 and 4294967295");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'c', 'major': 1, 'minor': 3,"
              " 'uid': 'root'}]"),
        "linux.devices[0].uid: expected an integer");
    BAD(LINUX("'devices': [{'path': '/dev/null', 'type': 'c', 'major': 1, 'minor': 3,"
              " 'gid': 4294967296}]"),
        "linux.devices[0].gid: must be between 0 and 4294967295");
}

/* ---- hooks --------------------------------------------------------------- */

static void test_hooks(void)
{
    struct oci_spec *s = GOOD(DOC(
        "'hooks': {"
        " 'prestart': [{'path': '/usr/bin/fix-mounts', 'args': ['fix-mounts', 'arg1', 'arg2'],"
        "               'env': ['key1=value1']},"
        "              {'path': '/usr/bin/setup-network'}],"
        " 'createRuntime': [{'path': '/usr/bin/fix-mounts', 'args': [], 'env': []}],"
        " 'createContainer': [],"
        " 'startContainer': [{'path': '/usr/bin/refresh-ldcache', 'timeout': 1}],"
        " 'poststart': [{'path': '/usr/bin/notify-start', 'timeout': 5, 'args': null}],"
        " 'poststop': [{'path': '/usr/sbin/cleanup.sh', 'args': ['cleanup.sh', '-f'],"
        "               'timeout': 2147483647}],"
        " 'postStop': 'unknown kinds are ignored', 'x': [1]}"));
    if (s == NULL)
        return;
    const struct oci_hook *h = s->hooks[OCI_HOOK_PRESTART];
    CHECK(s->n_hooks[OCI_HOOK_PRESTART] == 2);
    CHECK(streq(h[0].path, "/usr/bin/fix-mounts") && h[0].n_args == 3);
    CHECK(streq(h[0].args[0], "fix-mounts") && streq(h[0].args[2], "arg2") && !h[0].args[3]);
    CHECK(h[0].n_env == 1 && streq(h[0].env[0], "key1=value1") && h[0].env[1] == NULL);
    CHECK(!h[0].has_timeout);
    CHECK(streq(h[1].path, "/usr/bin/setup-network"));
    CHECK(h[1].args == NULL && h[1].n_args == 0 && h[1].env == NULL && h[1].n_env == 0);

    h = s->hooks[OCI_HOOK_CREATE_RUNTIME];
    CHECK(s->n_hooks[OCI_HOOK_CREATE_RUNTIME] == 1);
    CHECK(h[0].n_args == 0 && h[0].args && h[0].args[0] == NULL);
    CHECK(h[0].n_env == 0 && h[0].env && h[0].env[0] == NULL);
    CHECK(s->n_hooks[OCI_HOOK_CREATE_CONTAINER] == 0);

    h = s->hooks[OCI_HOOK_START_CONTAINER];
    CHECK(s->n_hooks[OCI_HOOK_START_CONTAINER] == 1 && h[0].has_timeout && h[0].timeout == 1);
    h = s->hooks[OCI_HOOK_POSTSTART];
    CHECK(s->n_hooks[OCI_HOOK_POSTSTART] == 1 && h[0].timeout == 5 && h[0].args == NULL);
    h = s->hooks[OCI_HOOK_POSTSTOP];
    CHECK(s->n_hooks[OCI_HOOK_POSTSTOP] == 1 && h[0].timeout == 2147483647);
    CHECK(h[0].n_args == 2 && streq(h[0].args[1], "-f"));
    oci_spec_free(s);

    /* no hooks, null hooks, null lists */
    s = GOOD(DOC("'hooks': null"));
    for (int kind = 0; s && kind < OCI_HOOK_KIND_COUNT; kind++)
        CHECK(s->hooks[kind] == NULL && s->n_hooks[kind] == 0);
    oci_spec_free(s);
    s = GOOD(DOC("'hooks': {'prestart': null, 'poststop': null}"));
    CHECK(s && s->hooks[OCI_HOOK_PRESTART] == NULL && s->n_hooks[OCI_HOOK_POSTSTOP] == 0);
    oci_spec_free(s);

    CHECK(streq(oci_hook_kind_name(OCI_HOOK_PRESTART), "prestart"));
    CHECK(streq(oci_hook_kind_name(OCI_HOOK_CREATE_RUNTIME), "createRuntime"));
    CHECK(streq(oci_hook_kind_name(OCI_HOOK_CREATE_CONTAINER), "createContainer"));
    CHECK(streq(oci_hook_kind_name(OCI_HOOK_START_CONTAINER), "startContainer"));
    CHECK(streq(oci_hook_kind_name(OCI_HOOK_POSTSTART), "poststart"));
    CHECK(streq(oci_hook_kind_name(OCI_HOOK_POSTSTOP), "poststop"));
}

static void test_bad_hooks(void)
{
    BAD(DOC("'hooks': []"), "hooks: expected an object");
    BAD(DOC("'hooks': {'prestart': {'path': '/bin/true'}}"), "hooks.prestart: expected an array");
    BAD(DOC("'hooks': {'createRuntime': ['/bin/true']}"),
        "hooks.createRuntime[0]: expected an object");
    BAD(DOC("'hooks': {'createContainer': [{'path': '/a'}, {'args': ['a']}]}"),
        "hooks.createContainer[1].path: is required");
    BAD(DOC("'hooks': {'startContainer': [{'path': 'bin/true'}]}"),
        "hooks.startContainer[0].path: must be an absolute path");
    BAD(DOC("'hooks': {'startContainer': [{'path': ''}]}"),
        "hooks.startContainer[0].path: must be an absolute path");
    BAD(DOC("'hooks': {'poststart': [{'path': 7}]}"), "hooks.poststart[0].path: expected a string");
    BAD(DOC("'hooks': {'poststart': [{'path': '/a\\u0000b'}]}"),
        "hooks.poststart[0].path: contains a NUL byte");
    BAD(DOC("'hooks': {'poststop': [{'path': '/a', 'args': 'a b'}]}"),
        "hooks.poststop[0].args: expected an array");
    BAD(DOC("'hooks': {'poststop': [{'path': '/a', 'args': ['a', 1]}]}"),
        "hooks.poststop[0].args[1]: expected a string");
    BAD(DOC("'hooks': {'prestart': [{'path': '/a', 'env': {'A': '1'}}]}"),
        "hooks.prestart[0].env: expected an array");
    BAD(DOC("'hooks': {'prestart': [{'path': '/a', 'env': ['A=1', null]}]}"),
        "hooks.prestart[0].env[1]: expected a string");
    BAD(DOC("'hooks': {'poststart': [{'path': '/a', 'timeout': 0}]}"),
        "hooks.poststart[0].timeout: must be greater than zero");
    BAD(DOC("'hooks': {'poststart': [{'path': '/a', 'timeout': 1},"
            " {'path': '/b', 'timeout': -5}]}"),
        "hooks.poststart[1].timeout: must be greater than zero");
    BAD(DOC("'hooks': {'poststart': [{'path': '/a', 'timeout': 2147483648}]}"),
        "hooks.poststart[0].timeout: must be between 1 and 2147483647");
    BAD(DOC("'hooks': {'poststart': [{'path': '/a', 'timeout': -99999999999999999999}]}"),
        "hooks.poststart[0].timeout: must be between 1 and 2147483647");
    BAD(DOC("'hooks': {'poststart': [{'path': '/a', 'timeout': 1.5}]}"),
        "hooks.poststart[0].timeout: expected an integer");
    BAD(DOC("'hooks': {'poststart': [{'path': '/a', 'timeout': '5'}]}"),
        "hooks.poststart[0].timeout: expected an integer");
    /* the lists are read in the spec's order, each checked whole */
    BAD(DOC("'hooks': {'poststop': [{}], 'prestart': [{'path': '/a'}, 5]}"),
        "hooks.prestart[1]: expected an object");
}

/* ---- the JSON layer ------------------------------------------------------ */

static void test_json_paths(void)
{
    static const char doc[] = "{\"a\": {\"b c\": [0, {\"\\\"q\\\"\": 1, \"_x9\": 2}]}}";
    struct oci_json *root = NULL;
    _cleanup_error_ vd_error *err = NULL;
    CHECK(oci_json_parse(doc, sizeof(doc) - 1, &root, &err) == 0);
    if (root == NULL)
        return;
    const struct oci_json *a = oci_json_get(root, "a");
    const struct oci_json *bc = oci_json_get(a, "b c");
    const struct oci_json *inner = oci_json_item(bc, 1);
    CHECK(oci_json_type(bc) == OCI_JSON_ARRAY && oci_json_len(bc) == 2);
    CHECK(oci_json_get(bc, "x") == NULL && oci_json_get(root, "b c") == NULL);
    _cleanup_free_ char *p1 = oci_json_path(root, NULL);
    _cleanup_free_ char *p2 = oci_json_path(oci_json_item(inner, 0), NULL);
    _cleanup_free_ char *p3 = oci_json_path(inner, "_x9");
    _cleanup_free_ char *p4 = oci_json_path(root, "a");
    CHECK(streq(p1, "(root)"));
    CHECK(streq(p2, "a[\"b c\"][1][\"\\\"q\\\"\"]"));
    CHECK(streq(p3, "a[\"b c\"][1]._x9"));
    CHECK(streq(p4, "a"));
    int64_t i = -1;
    CHECK(oci_json_int64(oci_json_get(inner, "_x9"), &i) == 0 && i == 2);
    CHECK(oci_json_int64(a, &i) == -EINVAL);
    oci_json_free(root);
}

/* oci_json_parse_without: the member at the path is left out, the same key
 * elsewhere is not, and the text left out must still be JSON. */
static void test_json_without(void)
{
    static const char *const skip[] = {"linux", "seccomp", "syscalls", NULL};
    static const char doc[] =
        "{\"syscalls\": 1, \"linux\": {\"syscalls\": 2, \"seccomp\": {\"a\": 1,"
        " \"syscalls\": [[{\"x\": [1, {}]}], \"s\", null], \"b\": {\"syscalls\": 3}}},"
        " \"z\": {\"linux\": {\"seccomp\": {\"syscalls\": 4}}},"
        " \"w\": {\"linux\": [{\"seccomp\": {\"syscalls\": 5}}]}}";
    struct oci_json *root = NULL;
    _cleanup_error_ vd_error *err = NULL;
    CHECK(oci_json_parse_without(doc, sizeof(doc) - 1, skip, &root, &err) == 0);
    if (root == NULL)
        return;
    const struct oci_json *linux_ = oci_json_get(root, "linux");
    const struct oci_json *sc = oci_json_get(linux_, "seccomp");
    int64_t i = 0;
    CHECK(oci_json_int64(oci_json_get(root, "syscalls"), &i) == 0 && i == 1);
    CHECK(oci_json_int64(oci_json_get(linux_, "syscalls"), &i) == 0 && i == 2);
    CHECK(oci_json_len(sc) == 2 && oci_json_get(sc, "syscalls") == NULL);
    CHECK(oci_json_int64(oci_json_get(sc, "a"), &i) == 0 && i == 1);
    CHECK(oci_json_int64(oci_json_get(oci_json_get(sc, "b"), "syscalls"), &i) == 0 && i == 3);
    const struct oci_json *z = oci_json_get(oci_json_get(oci_json_get(root, "z"), "linux"),
                                            "seccomp");
    CHECK(z && oci_json_int64(oci_json_get(z, "syscalls"), &i) == 0 && i == 4);
    const struct oci_json *w = oci_json_item(oci_json_get(oci_json_get(root, "w"), "linux"), 0);
    CHECK(w && oci_json_int64(oci_json_get(oci_json_get(w, "seccomp"), "syscalls"), &i) == 0 &&
          i == 5);
    oci_json_free(root);

    /* A scalar left out; then the members after it. */
    static const char scalar[] = "{\"linux\": {\"seccomp\": {\"syscalls\": null, \"c\": true}}}";
    root = NULL;
    CHECK(oci_json_parse_without(scalar, sizeof(scalar) - 1, skip, &root, &err) == 0);
    sc = root ? oci_json_get(oci_json_get(root, "linux"), "seccomp") : NULL;
    CHECK(sc && oci_json_len(sc) == 1 && oci_json_bool(oci_json_get(sc, "c")));
    oci_json_free(root);

    /* Brackets and quotes inside strings, in the member and before it, and
     * the key written with an escape: the right bytes are left out. */
    static const char tricky[] =
        "{\"note\": \"\\\"syscalls\\\": [\", \"linux\": {\"seccomp\": {\"syscalls\":"
        " [\"]\", \"\\\"}\", {\"a\": \"[{\"}], \"c\": \"}\"}}, \"d\": 2}";
    root = NULL;
    CHECK(oci_json_parse_without(tricky, sizeof(tricky) - 1, skip, &root, &err) == 0);
    sc = root ? oci_json_get(oci_json_get(root, "linux"), "seccomp") : NULL;
    CHECK(sc && oci_json_len(sc) == 1 && streq(oci_json_string(oci_json_get(sc, "c"), NULL), "}"));
    CHECK(root && oci_json_int64(oci_json_get(root, "d"), &i) == 0 && i == 2);
    CHECK(root && streq(oci_json_string(oci_json_get(root, "note"), NULL), "\"syscalls\": ["));
    oci_json_free(root);
    static const char escaped[] =
        "{\"linux\": {\"seccomp\": {\"sys\\u0063alls\": [1], \"c\": 1}}}";
    root = NULL;
    CHECK(oci_json_parse_without(escaped, sizeof(escaped) - 1, skip, &root, &err) == 0);
    sc = root ? oci_json_get(oci_json_get(root, "linux"), "seccomp") : NULL;
    CHECK(sc && oci_json_len(sc) == 1 && oci_json_get(sc, "c"));
    oci_json_free(root);

    /* Not JSON outside the member: refused as by oci_json_parse. */
    static const char bad[] = "{\"linux\": {\"seccomp\": {\"syscalls\": [1], \"x\": }}}";
    root = NULL;
    CHECK(oci_json_parse_without(bad, sizeof(bad) - 1, skip, &root, &err) < 0 && root == NULL);
    vd_error *whole = NULL;
    CHECK(oci_json_parse(bad, sizeof(bad) - 1, &root, &whole) < 0);
    CHECK(err && whole && streq(err->msg, whole->msg) && strstr(err->msg, "column 46"));
    vd_error_free(&whole);
}

/* ---- loading from a file ------------------------------------------------- */

static char tmpdir[] = "/tmp/test_spec.XXXXXX";

static char *tmp_path(const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", tmpdir, name) < 0)
        abort();
    return path;
}

static void write_file(const char *path, const char *text, size_t len, size_t pad_to)
{
    FILE *f = fopen(path, "we");
    if (f == NULL)
        abort();
    fwrite(text, 1, len, f);
    for (size_t n = len; n < pad_to; n++)
        fputc(' ', f);
    fclose(f);
}

static void expect_load_error(int line, const char *path, const char *want)
{
    struct oci_spec *spec = NULL;
    _cleanup_error_ vd_error *err = NULL;
    int r = oci_spec_load(path, &spec, &err);
    check_error(line, r, spec, err, want);
}

static void test_load(void)
{
    if (mkdtemp(tmpdir) == NULL)
        abort();
    _cleanup_free_ char *good = tmp_path("config.json");
    _cleanup_free_ char *bad = tmp_path("bad.json");
    _cleanup_free_ char *big = tmp_path("big.json");
    _cleanup_free_ char *missing = tmp_path("missing.json");
    _cleanup_free_ char *text = dequote(runc_default);
    _cleanup_free_ char *bad_text = dequote(DOC("'process': {'args': []}"));

    /* exactly at the limit loads */
    write_file(good, text, strlen(text), OCI_SPEC_MAX_SIZE);
    struct oci_spec *spec = NULL;
    _cleanup_error_ vd_error *err = NULL;
    CHECK(oci_spec_load(good, &spec, &err) == 0 && spec && streq(spec->hostname, "runc"));
    oci_spec_free(spec);

    write_file(big, text, strlen(text), OCI_SPEC_MAX_SIZE + 1);
    expect_load_error(__LINE__, big, "config.json: file is larger than 4194304 bytes");
    /* no usable st_size: the limit holds on what is read */
    expect_load_error(__LINE__, "/dev/zero", "config.json: file is larger than 4194304 bytes");

    write_file(bad, bad_text, strlen(bad_text), 0);
    expect_load_error(__LINE__, bad, "config.json: process.user: is required");

    _cleanup_free_ char *want = NULL;
    if (asprintf(&want, "config.json: open \"%s\": No such file or directory", missing) < 0)
        abort();
    expect_load_error(__LINE__, missing, want);
    free(want);
    if (asprintf(&want, "config.json: read \"%s\": Is a directory", tmpdir) < 0)
        abort();
    expect_load_error(__LINE__, tmpdir, want);

    unlink(good);
    unlink(big);
    unlink(bad);
    CHECK(rmdir(tmpdir) == 0);
}

/* ---- process attributes: scheduler, ioPriority, execCPUAffinity,
 * linux.personality, linux.memoryPolicy ------------------------------------ */

static bool id_set_is(const struct oci_id_set *set, const char *bits)
{
    /* bits: '1' or '0' per number from 0, and nothing set past it */
    size_t n = strlen(bits);
    for (size_t i = 0; i < set->n_words * 64 || i < n; i++) {
        bool want = i < n && bits[i] == '1';
        bool got = i < set->n_words * 64 && (set->words[i / 64] >> (i % 64) & 1);
        if (want != got)
            return false;
    }
    return true;
}

static void test_process_attrs(void)
{
    struct oci_spec *s = GOOD(PROCESS("'scheduler': {'policy': 'SCHED_FIFO', 'priority': 10,"
                                      " 'flags': ['SCHED_FLAG_RESET_ON_FORK']},"
                                      " 'ioPriority': {'class': 'IOPRIO_CLASS_IDLE', 'priority': 4},"
                                      " 'execCPUAffinity': {'initial': '0-2,5', 'final': '64'}"));
    if (s) {
        const struct oci_process *p = s->process;
        CHECK(p->scheduler && p->scheduler->policy_value == VD_SCHED_FIFO);
        CHECK(p->scheduler && p->scheduler->priority == 10 && p->scheduler->flags == 0x01);
        CHECK(p->io_priority && p->io_priority->class_value == VD_IOPRIO_CLASS_IDLE);
        CHECK(p->io_priority && p->io_priority->priority == 4);
        CHECK(p->exec_cpu_affinity && id_set_is(&p->exec_cpu_affinity->initial, "111001"));
        CHECK(p->exec_cpu_affinity && p->exec_cpu_affinity->final_.n_words == 2 &&
              p->exec_cpu_affinity->final_.words[1] == 1 &&
              p->exec_cpu_affinity->final_.words[0] == 0);
        oci_spec_free(s);
    }
    s = GOOD(PROCESS("'scheduler': {'policy': 'SCHED_DEADLINE', 'runtime': 1024,"
                     " 'deadline': 2000, 'period': 2000, 'flags': ['SCHED_FLAG_RECLAIM']},"
                     " 'execCPUAffinity': {'initial': ''}"));
    if (s) {
        CHECK(s->process->scheduler->deadline == 2000 && s->process->scheduler->flags == 0x02);
        CHECK(s->process->exec_cpu_affinity->initial.n_words == 0);
        oci_spec_free(s);
    }
    s = GOOD(PROCESS("'scheduler': {'policy': 'SCHED_BATCH', 'nice': -20}"));
    if (s) {
        CHECK(s->process->scheduler->nice == -20);
        oci_spec_free(s);
    }
    s = GOOD(LINUX("'personality': {'domain': 'LINUX32', 'flags': []},"
                   " 'memoryPolicy': {'mode': 'MPOL_INTERLEAVE', 'nodes': '0,2-3',"
                   " 'flags': ['MPOL_F_STATIC_NODES']}"));
    if (s) {
        CHECK(s->linux_->personality && s->linux_->personality->persona == 8);
        const struct oci_memory_policy *mp = s->linux_->memory_policy;
        CHECK(mp && mp->mode_value == VD_MPOL_INTERLEAVE && mp->flags == VD_MPOL_F_STATIC_NODES);
        CHECK(mp && id_set_is(&mp->nodes, "1011"));
        oci_spec_free(s);
    }
    s = GOOD(LINUX("'memoryPolicy': {'mode': 'MPOL_PREFERRED'}"));
    if (s) {
        CHECK(s->linux_->memory_policy->nodes.n_words == 0);
        oci_spec_free(s);
    }
    s = GOOD(LINUX("'memoryPolicy': {'mode': 'MPOL_WEIGHTED_INTERLEAVE', 'nodes': '1023'}"));
    if (s) {
        CHECK(s->linux_->memory_policy->mode_value == VD_MPOL_WEIGHTED_INTERLEAVE);
        CHECK(s->linux_->memory_policy->nodes.n_words == 16);
        oci_spec_free(s);
    }
}

static void test_bad_process_attrs(void)
{
    BAD(PROCESS("'scheduler': 'SCHED_FIFO'"), "process.scheduler: expected an object");
    BAD(PROCESS("'scheduler': {}"), "process.scheduler.policy: is required");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_FOO'}"),
        "process.scheduler.policy: unknown policy \"SCHED_FOO\"");
    BAD(PROCESS("'scheduler': {'policy': 1}"), "process.scheduler.policy: expected a string");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_OTHER', 'nice': 20}"),
        "process.scheduler.nice: must be between -20 and 19");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_OTHER', 'nice': '1'}"),
        "process.scheduler.nice: expected an integer");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_FIFO'}"),
        "process.scheduler.priority: must be between 1 and 99 with SCHED_FIFO");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_RR', 'priority': 100}"),
        "process.scheduler.priority: must be between 0 and 99");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_OTHER', 'priority': 5}"),
        "process.scheduler.priority: must be 0 with SCHED_OTHER (only SCHED_FIFO and SCHED_RR "
        "use it)");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_FIFO', 'priority': 5, 'nice': -1}"),
        "process.scheduler.nice: must be 0 with SCHED_FIFO (it does not use it)");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_OTHER', 'flags': ['SCHED_FLAG_FOO']}"),
        "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_FOO\"");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_OTHER', 'flags': 'SCHED_FLAG_RECLAIM'}"),
        "process.scheduler.flags: expected an array");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_OTHER', 'flags': ['SCHED_FLAG_RECLAIM']}"),
        "process.scheduler.flags: SCHED_FLAG_RECLAIM needs SCHED_DEADLINE");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_BATCH', 'period': 100}"),
        "process.scheduler.period: only SCHED_DEADLINE uses it");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_DEADLINE', 'runtime': 2000}"),
        "process.scheduler.deadline: is required with SCHED_DEADLINE");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_DEADLINE', 'runtime': 1000, 'deadline': 2000}"),
        "process.scheduler.runtime: must be at least 1024 (ns) with SCHED_DEADLINE");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_DEADLINE', 'runtime': 3000, 'deadline': 2000}"),
        "process.scheduler.runtime: must not exceed deadline");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_DEADLINE', 'runtime': 2000, 'deadline': 3000,"
                " 'period': 2500}"),
        "process.scheduler.period: must not be less than deadline");
    BAD(PROCESS("'scheduler': {'policy': 'SCHED_DEADLINE', 'runtime': -1, 'deadline': 3000}"),
        "process.scheduler.runtime: must be between 0 and 18446744073709551615");

    BAD(PROCESS("'ioPriority': []"), "process.ioPriority: expected an object");
    BAD(PROCESS("'ioPriority': {'priority': 1}"), "process.ioPriority.class: is required");
    BAD(PROCESS("'ioPriority': {'class': 'IOPRIO_CLASS_NONE', 'priority': 1}"),
        "process.ioPriority.class: unknown class \"IOPRIO_CLASS_NONE\"");
    BAD(PROCESS("'ioPriority': {'class': 'IOPRIO_CLASS_BE'}"),
        "process.ioPriority.priority: is required");
    BAD(PROCESS("'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 8}"),
        "process.ioPriority.priority: must be between 0 and 7");
    BAD(PROCESS("'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': -1}"),
        "process.ioPriority.priority: must be between 0 and 7");

    BAD(PROCESS("'execCPUAffinity': '0'"), "process.execCPUAffinity: expected an object");
    BAD(PROCESS("'execCPUAffinity': {'initial': 0}"),
        "process.execCPUAffinity.initial: expected a string");
    BAD(PROCESS("'execCPUAffinity': {'initial': 'a-b'}"),
        "process.execCPUAffinity.initial: invalid CPU list \"a-b\"");
    BAD(PROCESS("'execCPUAffinity': {'final': '0,,1'}"),
        "process.execCPUAffinity.final: invalid CPU list \"0,,1\"");
    BAD(PROCESS("'execCPUAffinity': {'final': '0,'}"),
        "process.execCPUAffinity.final: invalid CPU list \"0,\"");
    BAD(PROCESS("'execCPUAffinity': {'final': ' 1'}"),
        "process.execCPUAffinity.final: invalid CPU list \" 1\"");
    BAD(PROCESS("'execCPUAffinity': {'final': '0-31:2'}"),
        "process.execCPUAffinity.final: invalid CPU list \"0-31:2\"");
    BAD(PROCESS("'execCPUAffinity': {'final': '3-1'}"),
        "process.execCPUAffinity.final: invalid CPU list \"3-1\": CPU range 3-1 runs backwards");
    BAD(PROCESS("'execCPUAffinity': {'initial': '8192'}"),
        "process.execCPUAffinity.initial: invalid CPU list \"8192\": CPU numbers go up to 8191");
    BAD(PROCESS("'execCPUAffinity': {'initial': '99999999999999999999'}"),
        "process.execCPUAffinity.initial: invalid CPU list \"99999999999999999999\": CPU "
        "numbers go up to 8191");

    BAD(LINUX("'personality': 'LINUX'"), "linux.personality: expected an object");
    BAD(LINUX("'personality': {}"), "linux.personality.domain: is required");
    BAD(LINUX("'personality': {'domain': 'LINUX64'}"),
        "linux.personality.domain: unknown domain \"LINUX64\"");
    BAD(LINUX("'personality': {'domain': 'LINUX', 'flags': ['ADDR_NO_RANDOMIZE']}"),
        "linux.personality.flags[0]: unknown flag \"ADDR_NO_RANDOMIZE\"");

    BAD(LINUX("'memoryPolicy': []"), "linux.memoryPolicy: expected an object");
    BAD(LINUX("'memoryPolicy': {'nodes': '0'}"), "linux.memoryPolicy.mode: is required");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_FOO'}"),
        "linux.memoryPolicy.mode: unknown mode \"MPOL_FOO\"");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_BIND'}"),
        "linux.memoryPolicy.nodes: is required with MPOL_BIND");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_INTERLEAVE', 'nodes': ''}"),
        "linux.memoryPolicy.nodes: is required with MPOL_INTERLEAVE");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_DEFAULT', 'nodes': '0'}"),
        "linux.memoryPolicy.nodes: must be empty with MPOL_DEFAULT");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_LOCAL', 'nodes': '1'}"),
        "linux.memoryPolicy.nodes: must be empty with MPOL_LOCAL");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_PREFERRED', 'nodes': '0,2'}"),
        "linux.memoryPolicy.nodes: MPOL_PREFERRED takes one node (MPOL_PREFERRED_MANY takes "
        "several)");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '0-x'}"),
        "linux.memoryPolicy.nodes: invalid node list \"0-x\"");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '1024'}"),
        "linux.memoryPolicy.nodes: invalid node list \"1024\": node numbers go up to 1023");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '0', 'flags': ['MPOL_F_FOO']}"),
        "linux.memoryPolicy.flags[0]: unknown flag \"MPOL_F_FOO\"");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '0',"
              " 'flags': ['MPOL_F_STATIC_NODES', 'MPOL_F_RELATIVE_NODES']}"),
        "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude "
        "each other");
    BAD(LINUX("'memoryPolicy': {'mode': 'MPOL_PREFERRED', 'flags': ['MPOL_F_STATIC_NODES']}"),
        "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES need nodes");
}

int main(void)
{
    test_runc_default();
    test_minimal();
    test_podman_like();
    test_good_edges();
    test_nesting();
    test_bad_json();
    test_oci_versions();
    test_bad_top();
    test_bad_duplicates();
    test_bad_mounts();
    test_bad_process();
    test_bad_capabilities();
    test_bad_rlimits();
    test_bad_linux();
    test_devices();
    test_hooks();
    test_bad_hooks();
    test_json_paths();
    test_json_without();
    test_load();
    test_process_attrs();
    test_bad_process_attrs();
    return check_summary("test_spec");
}
