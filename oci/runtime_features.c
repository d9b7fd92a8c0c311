/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `voidoci features`.  Engines read this once and rely on it, so every list
 * comes from the table the parser or translator itself uses, never from a
 * copy: what is listed here is exactly what config.json may ask for.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "runtime_features.h"
#include "json.h"
#include "spec.h"
#include "translate.h"
#include "utils.h"

typedef const char *(*name_at_fn)(size_t i);

static void write_names(struct oci_json_writer *w, const char *key, name_at_fn name_at)
{
    oci_json_write_key(w, key);
    oci_json_write_begin_array(w);
    const char *name;
    for (size_t i = 0; (name = name_at(i)) != NULL; i++)
        oci_json_write_string(w, name);
    oci_json_write_end_array(w);
}

static void write_bool_object(struct oci_json_writer *w, const char *key, const char *member,
                              bool value)
{
    oci_json_write_key(w, key);
    oci_json_write_begin_object(w);
    oci_json_write_key(w, member);
    oci_json_write_bool(w, value);
    oci_json_write_end_object(w);
}

static const char *hook_name_at(size_t i)
{
    return i < OCI_HOOK_KIND_COUNT ? oci_hook_kind_name((enum oci_hook_kind)i) : NULL;
}

/* The names libcap of this build knows, in the spec's spelling: libcap
 * names a capability it does not know by its number. */
static void write_capabilities(struct oci_json_writer *w)
{
    oci_json_write_key(w, "capabilities");
    oci_json_write_begin_array(w);
    for (cap_value_t cap = 0; cap < 64; cap++) {
        char *name = cap_to_name(cap);
        if (name == NULL)
            break;
        if (strncmp(name, "cap_", 4) == 0 && !isdigit((unsigned char)name[4])) {
            for (char *p = name; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            oci_json_write_string(w, name);
        }
        cap_free(name);
    }
    oci_json_write_end_array(w);
}

static void write_cgroup(struct oci_json_writer *w)
{
    /* The cgroupfs manager (libvoid/cgroup.c) drives v1, v2 and hybrid
     * hosts; rdma limits go to the rdma controller of either.  No systemd
     * driver is built in. */
    oci_json_write_key(w, "cgroup");
    oci_json_write_begin_object(w);
    static const struct {
        const char *name;
        bool on;
    } members[] = {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false},
                   {"rdma", true}};
    for (size_t i = 0; i < VD_ARRAY_SIZE(members); i++) {
        oci_json_write_key(w, members[i].name);
        oci_json_write_bool(w, members[i].on);
    }
    oci_json_write_end_object(w);
}

/* libvoid/resctrl.c makes the group, writes or checks its schemata, and
 * makes the monitoring group of enableMonitoring. */
static void write_intel_rdt(struct oci_json_writer *w)
{
    oci_json_write_key(w, "intelRdt");
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "enabled");
    oci_json_write_bool(w, true);
    oci_json_write_key(w, "schemata");
    oci_json_write_bool(w, true);
    oci_json_write_key(w, "monitoring");
    oci_json_write_bool(w, true);
    oci_json_write_end_object(w);
}

/* supportedFlags: the known flags this kernel takes (features-linux.md). */
static void write_seccomp_flags(struct oci_json_writer *w)
{
    write_names(w, "knownFlags", vd_seccomp_flag_name_at);
    oci_json_write_key(w, "supportedFlags");
    oci_json_write_begin_array(w);
    const char *name;
    for (size_t i = 0; (name = vd_seccomp_flag_name_at(i)) != NULL; i++) {
        unsigned flag;
        if (vd_seccomp_flag_from_name(name, &flag) == 0 && vd_seccomp_flag_supported(flag))
            oci_json_write_string(w, name);
    }
    oci_json_write_end_array(w);
}

/* The names libvoid/seccomp.c resolves, the same spec_seccomp.c checks. */
static void write_seccomp(struct oci_json_writer *w)
{
    oci_json_write_key(w, "seccomp");
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "enabled");
    oci_json_write_bool(w, true);
    write_names(w, "actions", vd_seccomp_action_name_at);
    write_names(w, "operators", vd_seccomp_op_name_at);
    const char *archs[64];
    size_t n = vd_seccomp_arch_names(archs, VD_ARRAY_SIZE(archs));
    oci_json_write_key(w, "archs");
    oci_json_write_begin_array(w);
    for (size_t i = 0; i < n && i < VD_ARRAY_SIZE(archs); i++)
        oci_json_write_string(w, archs[i]);
    oci_json_write_end_array(w);
    write_seccomp_flags(w);
    oci_json_write_end_object(w);
}

static void write_memory_policy(struct oci_json_writer *w)
{
    oci_json_write_key(w, "memoryPolicy");
    oci_json_write_begin_object(w);
    write_names(w, "modes", oci_memory_policy_mode_at);
    write_names(w, "flags", oci_memory_policy_flag_at);
    oci_json_write_end_object(w);
}

/* mounts[].uidMappings and gidMappings: idmapped mounts (libvoid/idmap.c). */
static void write_mount_extensions(struct oci_json_writer *w)
{
    oci_json_write_key(w, "mountExtensions");
    oci_json_write_begin_object(w);
    write_bool_object(w, "idmap", "enabled", true);
    oci_json_write_end_object(w);
}

static void write_linux(struct oci_json_writer *w)
{
    oci_json_write_key(w, "linux");
    oci_json_write_begin_object(w);
    write_names(w, "namespaces", oci_namespace_type_at);
    write_capabilities(w);
    write_cgroup(w);
    write_seccomp(w);
    /* What this build can apply, whatever the host has (features-linux.md):
     * libvoid/lsm.c writes the exec attribute where the LSM is on, and
     * refuses the field where it is off. */
    write_bool_object(w, "apparmor", "enabled", true);
    write_bool_object(w, "selinux", "enabled", true);
    write_memory_policy(w);
    write_intel_rdt(w);
    write_mount_extensions(w);
    /* linux.netDevices: moved over rtnetlink (libvoid/network.c). */
    write_bool_object(w, "netDevices", "enabled", true);
    oci_json_write_end_object(w);
}

char *oci_features_json(vd_error **err)
{
    struct oci_json_writer *w = oci_json_writer_new(true);
    if (w == NULL) {
        vd_error_set(err, ENOMEM, "features");
        return NULL;
    }
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "ociVersionMin");
    oci_json_write_string(w, OCI_VERSION_MIN);
    oci_json_write_key(w, "ociVersionMax");
    oci_json_write_string(w, OCI_SPEC_VERSION);
    write_names(w, "hooks", hook_name_at);
    write_names(w, "mountOptions", oci_mount_option_at);
    write_linux(w);
    oci_json_write_key(w, "annotations");
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "org.voidoci.version");
    oci_json_write_string(w, vd_version());
    oci_json_write_end_object(w);
    /* voidoci acts on no annotation at all, so none can weaken it. */
    oci_json_write_key(w, "potentiallyUnsafeConfigAnnotations");
    oci_json_write_begin_array(w);
    oci_json_write_end_array(w);
    oci_json_write_end_object(w);
    return oci_json_writer_finish(w, NULL, err);
}
