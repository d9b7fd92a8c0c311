/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json "linux": namespaces, id maps, propagation, masked and
 * read-only paths, cgroup path, sysctls and devices.  resources, seccomp
 * and the rest are left for later and pass through unread.
 */
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "utils.h"

static const struct {
    const char *name;
    enum vd_ns ns;
} namespace_types[] = {
    {"pid", VD_NS_PID},   {"network", VD_NS_NET}, {"mount", VD_NS_MOUNT},
    {"ipc", VD_NS_IPC},   {"uts", VD_NS_UTS},     {"user", VD_NS_USER},
    {"cgroup", VD_NS_CGROUP}, {"time", VD_NS_TIME},
};

static const char *const propagations[] = {
    "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
};

const char *oci_namespace_type_at(size_t i)
{
    return i < VD_ARRAY_SIZE(namespace_types) ? namespace_types[i].name : NULL;
}

static int namespace_from_name(const char *name, enum vd_ns *ns)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(namespace_types); i++)
        if (strcmp(namespace_types[i].name, name) == 0) {
            *ns = namespace_types[i].ns;
            return 0;
        }
    return -1;
}

static int parse_namespace(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_namespace *all = items, *ns = &all[i];
    const struct oci_json *type, *path;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "type", OCI_JSON_STRING, &type)) == 0)
        r = spec_string(err, type, &ns->type);
    if (r < 0)
        return r;
    if (namespace_from_name(ns->type, &ns->ns) < 0)
        return spec_error_value(err, type, "unknown namespace type", ns->type);
    for (size_t j = 0; j < i; j++)
        if (all[j].ns == ns->ns)
            return spec_error_value(err, type, "duplicate namespace type", ns->type);
    if ((path = spec_member(v, "path")))
        return spec_absolute_path(err, path, &ns->path);
    return 0;
}

static int parse_namespaces(vd_error **err, const struct oci_json *v, struct oci_linux *l)
{
    return spec_array(err, v, sizeof(*l->namespaces), &l->namespaces, &l->n_namespaces,
                      parse_namespace);
}

static int parse_id_mapping(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_id_mapping *m = (struct oci_id_mapping *)items + i;
    const struct oci_json *n;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "containerID", OCI_JSON_NUMBER, &n)) == 0)
        r = spec_uint32(err, n, &m->container_id);
    if (r == 0 && (r = spec_require(err, v, "hostID", OCI_JSON_NUMBER, &n)) == 0)
        r = spec_uint32(err, n, &m->host_id);
    if (r == 0 && (r = spec_require(err, v, "size", OCI_JSON_NUMBER, &n)) == 0)
        r = spec_uint32(err, n, &m->size);
    return r;
}

static int parse_id_mappings(vd_error **err, const struct oci_json *v,
                             struct oci_id_mapping **out, size_t *n_out)
{
    return spec_array(err, v, sizeof(**out), out, n_out, parse_id_mapping);
}

int spec_parse_id_mappings(vd_error **err, const struct oci_json *v,
                           struct oci_id_mapping **out, size_t *n)
{
    return parse_id_mappings(err, v, out, n);
}

static int parse_propagation(vd_error **err, const struct oci_json *v, struct oci_linux *l)
{
    int r = spec_string(err, v, &l->rootfs_propagation);
    if (r < 0)
        return r;
    for (size_t i = 0; i < VD_ARRAY_SIZE(propagations); i++)
        if (strcmp(propagations[i], l->rootfs_propagation) == 0)
            return 0;
    return spec_error_value(err, v, "unknown propagation", l->rootfs_propagation);
}

static int parse_device_type(vd_error **err, const struct oci_json *v, char *type)
{
    size_t len;
    int r = spec_expect(err, v, OCI_JSON_STRING);
    if (r < 0)
        return r;
    const char *s = oci_json_string(v, &len);
    if (len != 1 || s[0] == '\0' || strchr("cbup", s[0]) == NULL)
        return spec_error_value(err, v, "unknown device type", s);
    *type = s[0];
    return 0;
}

static int parse_device(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_device *d = (struct oci_device *)items + i;
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "path", OCI_JSON_STRING, &m)) == 0)
        r = spec_absolute_path(err, m, &d->path);
    if (r == 0 && (r = spec_require(err, v, "type", OCI_JSON_STRING, &m)) == 0)
        r = parse_device_type(err, m, &d->type);
    if (r < 0)
        return r;
    /* runtime-spec: major and minor are "REQUIRED unless type is p". */
    if (d->type != 'p') {
        if ((r = spec_require(err, v, "major", OCI_JSON_NUMBER, &m)) == 0)
            r = spec_int64(err, m, &d->major);
        if (r == 0 && (r = spec_require(err, v, "minor", OCI_JSON_NUMBER, &m)) == 0)
            r = spec_int64(err, m, &d->minor);
    }
    if (r == 0 && (m = spec_member(v, "fileMode"))) {
        r = spec_uint32(err, m, &d->file_mode);
        d->has_file_mode = r == 0;
    }
    if (r == 0 && (m = spec_member(v, "uid")))
        r = spec_uint32(err, m, &d->uid);
    if (r == 0 && (m = spec_member(v, "gid")))
        r = spec_uint32(err, m, &d->gid);
    return r;
}

static int parse_devices(vd_error **err, const struct oci_json *v, struct oci_linux *l)
{
    return spec_array(err, v, sizeof(*l->devices), &l->devices, &l->n_devices, parse_device);
}

static int parse_linux(vd_error **err, const struct oci_json *v, struct oci_linux *l)
{
    const struct oci_json *m;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (m = spec_member(v, "namespaces")))
        r = parse_namespaces(err, m, l);
    if (r == 0 && (m = spec_member(v, "uidMappings")))
        r = parse_id_mappings(err, m, &l->uid_mappings, &l->n_uid_mappings);
    if (r == 0 && (m = spec_member(v, "gidMappings")))
        r = parse_id_mappings(err, m, &l->gid_mappings, &l->n_gid_mappings);
    if (r == 0 && (m = spec_member(v, "rootfsPropagation")))
        r = parse_propagation(err, m, l);
    if (r == 0)
        r = spec_opt_string(err, v, "mountLabel", &l->mount_label);
    if (r == 0 && (m = spec_member(v, "maskedPaths")))
        r = spec_strv(err, m, true, &l->masked_paths, &l->n_masked_paths);
    if (r == 0 && (m = spec_member(v, "readonlyPaths")))
        r = spec_strv(err, m, true, &l->readonly_paths, &l->n_readonly_paths);
    if (r == 0)
        r = spec_opt_string(err, v, "cgroupsPath", &l->cgroups_path);
    if (r == 0 && (m = spec_member(v, "resources")))
        r = spec_parse_resources(err, m, &l->resources);
    if (r == 0 && (m = spec_member(v, "sysctl")))
        r = spec_string_map(err, m, &l->sysctl, &l->n_sysctl);
    if (r == 0 && (m = spec_member(v, "devices")))
        r = parse_devices(err, m, l);
    if (r == 0 && (m = spec_member(v, "seccomp")))
        r = spec_parse_seccomp(err, m, &l->seccomp);
    if (r == 0)
        r = spec_parse_time_offsets(err, v, l);
    if (r == 0)
        r = spec_parse_net_devices(err, v, l);
    if (r == 0)
        r = spec_parse_intel_rdt(err, v, l);
    if (r == 0)
        r = spec_parse_linux_sched(err, v, l);
    return r;
}

int spec_parse_linux(vd_error **err, const struct oci_json *v, struct oci_linux **out)
{
    struct oci_linux *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return spec_oom(err);
    int r = parse_linux(err, v, l);
    if (r < 0) {
        spec_linux_free(l);
        return r;
    }
    *out = l;
    return 0;
}

void spec_linux_free(struct oci_linux *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n_namespaces; i++) {
        free(l->namespaces[i].type);
        free(l->namespaces[i].path);
    }
    free(l->namespaces);
    free(l->uid_mappings);
    free(l->gid_mappings);
    free(l->rootfs_propagation);
    free(l->mount_label);
    spec_strv_free(l->masked_paths);
    spec_strv_free(l->readonly_paths);
    free(l->cgroups_path);
    spec_seccomp_free(l->seccomp);
    spec_resources_free(l->resources);
    spec_kv_free(l->sysctl, l->n_sysctl);
    for (size_t i = 0; i < l->n_devices; i++)
        free(l->devices[i].path);
    free(l->devices);
    spec_net_devices_free(l);
    spec_intel_rdt_free(l);
    spec_linux_sched_free(l);
    free(l);
}
