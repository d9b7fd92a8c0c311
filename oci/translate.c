/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json -> libvoid: the only file that knows both.  Every field this
 * build reads is either turned into a builder call or refused; nothing is
 * dropped silently. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "json.h"
#include "translate.h"
#include "utils.h"

static int translate_namespaces(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    bool listed[VD_NS_COUNT] = {false};
    for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
        const struct oci_namespace *ns = &lx->namespaces[i];
        listed[ns->ns] = true;
        /* A path that is no namespace of that type fails here, naming it,
         * rather than in the child. */
        if (ns->path && vd_ns_check_path(ns->ns, ns->path, err) < 0)
            return vd_error_prefix(err, "linux.namespaces[%zu].path", i);
        int r = ns->path ? vd_builder_join_ns(b, ns->ns, ns->path, err)
                         : vd_builder_new_ns(b, ns->ns, err);
        if (r < 0)
            return vd_error_prefix(err, "linux.namespaces[%zu]", i);
    }
    /* runtime-spec: a type not listed is the runtime's own. */
    for (int ns = 0; ns < VD_NS_COUNT; ns++)
        if (!listed[ns] && vd_builder_share_ns(b, (enum vd_ns)ns, err) < 0)
            return -1;
    return 0;
}

static bool ns_is_new(const struct oci_linux *lx, enum vd_ns type)
{
    for (size_t i = 0; lx && i < lx->n_namespaces; i++)
        if (lx->namespaces[i].ns == type && lx->namespaces[i].path == NULL)
            return true;
    return false;
}

static bool ns_is_listed(const struct oci_linux *lx, enum vd_ns type)
{
    for (size_t i = 0; lx && i < lx->n_namespaces; i++)
        if (lx->namespaces[i].ns == type)
            return true;
    return false;
}

static int translate_id_maps(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    if (lx == NULL)
        return 0;
    bool new_user = ns_is_new(lx, VD_NS_USER);
    /* runc's rules: maps only for a user namespace we create, and one we
     * create needs them (else its root would be nobody). */
    if (!new_user && lx->n_uid_mappings)
        return vd_error_set(err, 0, "linux.uidMappings: needs a new user namespace");
    if (!new_user && lx->n_gid_mappings)
        return vd_error_set(err, 0, "linux.gidMappings: needs a new user namespace");
    if (new_user && lx->n_uid_mappings == 0)
        return vd_error_set(err, 0, "linux.uidMappings: required with a new user namespace");
    if (new_user && lx->n_gid_mappings == 0)
        return vd_error_set(err, 0, "linux.gidMappings: required with a new user namespace");
    /* The host's mounts belong to the host's user namespace: from a new
     * one the rootfs could not even be bound (a bare EPERM later). runc
     * refuses this too. */
    if (new_user && !ns_is_listed(lx, VD_NS_MOUNT))
        return vd_error_set(err, 0,
                            "linux.namespaces: a new user namespace needs a mount "
                            "namespace of the container's too (the host's mounts "
                            "belong to the host's user namespace)");
    for (size_t i = 0; i < lx->n_uid_mappings; i++) {
        const struct oci_id_mapping *m = &lx->uid_mappings[i];
        if (vd_builder_map_uid(b, m->container_id, m->host_id, m->size, err) < 0)
            return vd_error_prefix(err, "linux.uidMappings[%zu]", i);
    }
    for (size_t i = 0; i < lx->n_gid_mappings; i++) {
        const struct oci_id_mapping *m = &lx->gid_mappings[i];
        if (vd_builder_map_gid(b, m->container_id, m->host_id, m->size, err) < 0)
            return vd_error_prefix(err, "linux.gidMappings[%zu]", i);
    }
    return 0;
}

int oci_rootfs_path(const struct oci_spec *spec, const char *bundle, char path[PATH_MAX],
                    vd_error **err)
{
    int n = spec->root_path[0] == '/'
                ? snprintf(path, PATH_MAX, "%s", spec->root_path)
                : snprintf(path, PATH_MAX, "%s/%s", bundle, spec->root_path);
    if (n < 0 || n >= PATH_MAX)
        return vd_error_set(err, ENAMETOOLONG, "root.path: \"%s\"", spec->root_path);
    return 0;
}

static int translate_root(const struct oci_spec *spec, const struct oci_translate_opts *opts,
                          vd_builder *b, vd_error **err)
{
    char path[PATH_MAX];
    if (oci_rootfs_path(spec, opts->bundle, path, err) < 0)
        return -1;
    struct stat st;
    if (stat(path, &st) < 0)
        return vd_error_set(err, errno, "root.path: \"%s\"", path);
    if (!S_ISDIR(st.st_mode))
        return vd_error_set(err, ENOTDIR, "root.path: \"%s\"", path);
    if (vd_builder_set_rootfs(b, path, spec->root_readonly, err) < 0)
        return vd_error_prefix(err, "root.path");
    vd_builder_set_no_pivot(b, opts->no_pivot);
    const struct oci_linux *lx = spec->linux_;
    if (lx && lx->rootfs_propagation) {
        unsigned long flags;
        if (oci_propagation_flags(lx->rootfs_propagation, &flags) < 0)
            return vd_error_set(err, 0, "linux.rootfsPropagation: unknown propagation \"%s\"",
                                lx->rootfs_propagation);
        if (vd_builder_set_rootfs_propagation(b, flags, err) < 0)
            return vd_error_prefix(err, "linux.rootfsPropagation");
    }
    return 0;
}

static int translate_mounts(const struct oci_spec *spec, const char *bundle, vd_builder *b,
                            vd_error **err)
{
    if (oci_translate_mounts(spec, bundle, b, err) < 0)
        return -1;
    /* runtime-spec "Default Devices": always there, listed or not. */
    if (vd_builder_add_default_devices(b, err) < 0)
        return -1;
    vd_builder_add_dev_symlinks(b);
    return 0;
}

static int translate_paths(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    for (size_t i = 0; lx && i < lx->n_masked_paths; i++)
        if (vd_builder_add_masked_path(b, lx->masked_paths[i], err) < 0)
            return vd_error_prefix(err, "linux.maskedPaths[%zu]", i);
    for (size_t i = 0; lx && i < lx->n_readonly_paths; i++)
        if (vd_builder_add_readonly_path(b, lx->readonly_paths[i], err) < 0)
            return vd_error_prefix(err, "linux.readonlyPaths[%zu]", i);
    return 0;
}

static int translate_devices(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    for (size_t i = 0; lx && i < lx->n_devices; i++) {
        const struct oci_device *od = &lx->devices[i];
        /* runc's default mode, and its rule: fileMode's file type bits are
         * not the device's type. */
        struct vd_device d = {
            .path = od->path, .type = od->type, .major = od->major, .minor = od->minor,
            .mode = od->has_file_mode ? (mode_t)(od->file_mode & ~(uint32_t)S_IFMT) : 0666,
            .uid = od->uid, .gid = od->gid};
        if (vd_builder_add_device(b, &d, err) < 0)
            return vd_error_prefix(err, "linux.devices[%zu]", i);
    }
    return 0;
}

/* The sysctls runc accepts, each with the namespace it belongs to: any
 * other would change the host's kernel. */
static bool sysctl_namespace(const char *key, enum vd_ns *ns)
{
    static const char *const ipc_keys[] = {"kernel.sem"};
    static const char *const ipc_prefixes[] = {"kernel.shm", "kernel.msg", "fs.mqueue."};
    static const char *const uts_keys[] = {"kernel.hostname", "kernel.domainname"};
    if (strncmp(key, "net.", 4) == 0) {
        *ns = VD_NS_NET;
        return true;
    }
    *ns = VD_NS_IPC;
    for (size_t i = 0; i < VD_ARRAY_SIZE(ipc_keys); i++)
        if (strcmp(key, ipc_keys[i]) == 0)
            return true;
    for (size_t i = 0; i < VD_ARRAY_SIZE(ipc_prefixes); i++)
        if (strncmp(key, ipc_prefixes[i], strlen(ipc_prefixes[i])) == 0)
            return true;
    *ns = VD_NS_UTS;
    for (size_t i = 0; i < VD_ARRAY_SIZE(uts_keys); i++)
        if (strcmp(key, uts_keys[i]) == 0)
            return true;
    return false;
}

static const char *const ns_type_name[VD_NS_COUNT] = {
    [VD_NS_MOUNT] = "mount", [VD_NS_PID] = "pid",       [VD_NS_NET] = "network",
    [VD_NS_IPC] = "ipc",     [VD_NS_UTS] = "uts",       [VD_NS_CGROUP] = "cgroup",
    [VD_NS_USER] = "user",   [VD_NS_TIME] = "time",
};

/* A network namespace joined by a path that is our own: runc's check
 * ("host" is the runtime's, not the initial one). */
static bool joins_our_netns(const struct oci_linux *lx)
{
    struct stat ours, joined;
    for (size_t i = 0; i < lx->n_namespaces; i++) {
        const struct oci_namespace *ns = &lx->namespaces[i];
        if (ns->ns == VD_NS_NET && ns->path && stat(ns->path, &joined) == 0 &&
            stat("/proc/self/ns/net", &ours) == 0)
            return ours.st_dev == joined.st_dev && ours.st_ino == joined.st_ino;
    }
    return false;
}

static int translate_sysctl(const struct oci_linux *lx, vd_builder *b, vd_error **err)
{
    for (size_t i = 0; lx && i < lx->n_sysctl; i++) {
        const struct oci_kv *kv = &lx->sysctl[i];
        _cleanup_free_ char *where = oci_json_quote(kv->key, strlen(kv->key));
        if (where == NULL)
            return vd_error_set(err, ENOMEM, "linux.sysctl");
        enum vd_ns ns;
        if (!sysctl_namespace(kv->key, &ns))
            return vd_error_set(err, 0, "linux.sysctl[%s]: not namespaced: would change the host",
                                where);
        /* A joined namespace is the container's too (runc allows it). */
        if (!ns_is_listed(lx, ns))
            return vd_error_set(err, 0, "linux.sysctl[%s]: needs the container's own %s namespace",
                                where, ns_type_name[ns]);
        /* runc: the hostname field says it, a second way would conflict. */
        if (strcmp(kv->key, "kernel.hostname") == 0)
            return vd_error_set(err, 0, "linux.sysctl[%s]: conflicts with the hostname field",
                                where);
        if (ns == VD_NS_NET && joins_our_netns(lx))
            return vd_error_set(err, 0, "linux.sysctl[%s]: linux.namespaces joins the runtime's "
                                "own network namespace: would change the host", where);
        if (vd_builder_add_sysctl(b, kv->key, kv->value, err) < 0)
            return vd_error_prefix(err, "linux.sysctl[%s]", where);
    }
    /* runc brings "lo" up in every new network namespace; so do we. */
    vd_builder_set_loopback_up(b, ns_is_new(lx, VD_NS_NET));
    return 0;
}

static int translate_names(const struct oci_spec *spec, vd_builder *b, vd_error **err)
{
    bool own_uts = ns_is_listed(spec->linux_, VD_NS_UTS);
    if (spec->hostname && spec->hostname[0]) {
        if (!own_uts)
            return vd_error_set(err, 0, "hostname: needs its own uts namespace");
        if (vd_builder_set_hostname(b, spec->hostname, err) < 0)
            return vd_error_prefix(err, "hostname");
    }
    if (spec->domainname && spec->domainname[0]) {
        if (!own_uts)
            return vd_error_set(err, 0, "domainname: needs its own uts namespace");
        if (vd_builder_set_domainname(b, spec->domainname, err) < 0)
            return vd_error_prefix(err, "domainname");
    }
    return 0;
}

static const enum vd_cap_set cap_set_of[OCI_CAP_SET_COUNT] = {
    [OCI_CAP_BOUNDING] = VD_CAP_BOUNDING,       [OCI_CAP_EFFECTIVE] = VD_CAP_EFFECTIVE,
    [OCI_CAP_INHERITABLE] = VD_CAP_INHERITABLE, [OCI_CAP_PERMITTED] = VD_CAP_PERMITTED,
    [OCI_CAP_AMBIENT] = VD_CAP_AMBIENT,
};

static const char *const cap_set_name[OCI_CAP_SET_COUNT] = {
    "bounding", "effective", "inheritable", "permitted", "ambient",
};

static int translate_caps(const struct oci_process *p, vd_builder *b, vd_error **err)
{
    if (!p->has_capabilities)
        return 0;
    for (int set = 0; set < OCI_CAP_SET_COUNT; set++) {
        for (size_t i = 0; i < p->capabilities.n[set]; i++) {
            if (vd_builder_add_cap(b, cap_set_of[set], p->capabilities.values[set][i], err) < 0)
                return vd_error_prefix(err, "process.capabilities.%s[%zu]", cap_set_name[set], i);
        }
    }
    return 0;
}

static int translate_user(const struct oci_user *u, vd_builder *b, vd_error **err)
{
    _cleanup_free_ gid_t *gids = NULL;
    if (u->n_additional_gids) {
        gids = calloc(u->n_additional_gids, sizeof(gid_t));
        if (gids == NULL)
            return vd_error_set(err, ENOMEM, "process.user.additionalGids");
        for (size_t i = 0; i < u->n_additional_gids; i++)
            gids[i] = u->additional_gids[i];
    }
    if (vd_builder_set_user(b, u->uid, u->gid, gids, u->n_additional_gids, err) < 0)
        return vd_error_prefix(err, "process.user");
    if (u->has_umask)
        vd_builder_set_umask(b, (mode_t)u->umask);
    return 0;
}

static int translate_process(const struct oci_process *p, vd_builder *b, vd_error **err)
{
    if (vd_builder_set_args(b, p->args, err) < 0)
        return vd_error_prefix(err, "process.args");
    if (p->env && vd_builder_set_env(b, p->env, err) < 0)
        return vd_error_prefix(err, "process.env");
    if (vd_builder_set_cwd(b, p->cwd, err) < 0)
        return vd_error_prefix(err, "process.cwd");
    if (translate_user(&p->user, b, err) < 0 || translate_caps(p, b, err) < 0)
        return -1;
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct oci_rlimit *r = &p->rlimits[i];
        if (vd_builder_add_rlimit(b, r->resource, r->soft, r->hard, err) < 0)
            return vd_error_prefix(err, "process.rlimits[%zu]", i);
    }
    vd_builder_set_no_new_privs(b, p->no_new_privileges);
    if (p->has_oom_score_adj && vd_builder_set_oom_score_adj(b, p->oom_score_adj, err) < 0)
        return vd_error_prefix(err, "process.oomScoreAdj");
    if (p->terminal)
        vd_builder_set_terminal(b, true, (unsigned short)p->console_height,
                                (unsigned short)p->console_width);
    return 0;
}

/* --preserve-fds N: fds 3 .. 3+N-1 reach the process. */
static int keep_fds(int n, vd_builder *b, vd_error **err)
{
    for (int i = 0; i < n; i++)
        if (vd_builder_keep_fd(b, 3 + i, err) < 0)
            return -1;
    return 0;
}

bool oci_has_new_ns(const struct oci_linux *lx, enum vd_ns type)
{
    for (size_t i = 0; i < lx->n_namespaces; i++)
        if (lx->namespaces[i].ns == type && lx->namespaces[i].path == NULL)
            return true;
    return false;
}

int oci_translate(const struct oci_spec *spec, const struct oci_translate_opts *opts,
                  vd_builder *b, vd_error **err)
{
    if (spec->process == NULL)
        return vd_error_set(err, 0, "process: is required to run a container");
    if (translate_namespaces(spec->linux_, b, err) < 0 ||
        translate_id_maps(spec->linux_, b, err) < 0 || translate_root(spec, opts, b, err) < 0 ||
        translate_mounts(spec, opts->bundle, b, err) < 0 || translate_devices(spec->linux_, b, err) < 0 ||
        translate_paths(spec->linux_, b, err) < 0 || translate_sysctl(spec->linux_, b, err) < 0 ||
        translate_names(spec, b, err) < 0 || oci_translate_time_offsets(spec->linux_, b, err) < 0 ||
        oci_translate_net_devices(spec->linux_, b, err) < 0 ||
        translate_process(spec->process, b, err) < 0 ||
        oci_translate_sched(spec->process, spec->linux_, b, err) < 0 ||
        oci_translate_lsm(spec->process, b, err) < 0 ||
        (!opts->seccomp_by_caller && oci_translate_seccomp(spec->linux_, b, err) < 0))
        return -1;
    return keep_fds(opts->preserve_fds, b, err);
}

int oci_translate_exec(const struct oci_spec *spec, const struct oci_process *p,
                       const struct oci_translate_opts *opts, vd_builder *b, vd_error **err)
{
    if (translate_process(p, b, err) < 0 ||
        oci_translate_sched(p, spec->linux_, b, err) < 0 || oci_translate_lsm(p, b, err) < 0 ||
        (!opts->seccomp_by_caller && oci_translate_seccomp(spec->linux_, b, err) < 0))
        return -1;
    return keep_fds(opts->preserve_fds, b, err);
}
