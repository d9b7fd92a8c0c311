/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan of a config.json that oci_translate accepted: each thing added
 * back to the void, with the JSON path that asked for it, and what stays a
 * void.  Read from the parsed spec, never from the JSON again. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain.h"
#include "json.h"
#include "translate.h"
#include "utils.h"

struct plan_builder {
    struct oci_plan *plan;
    bool oom;
};

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* One item; `path` is taken (NULL: out of memory). */
static void item(struct plan_builder *pb, const char *section, char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void item(struct plan_builder *pb, const char *section, char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = vformat(fmt, ap);
    va_end(ap);
    struct oci_plan *p = pb->plan;
    struct oci_plan_item *items = realloc(p->items, (p->n + 1) * sizeof(*items));
    if (what == NULL || path == NULL || items == NULL) {
        free(what);
        free(path);
        if (items)
            p->items = items;
        pb->oom = true;
        return;
    }
    p->items = items;
    p->items[p->n++] = (struct oci_plan_item){.section = section, .what = what, .path = path};
}

static const char *const ns_type[VD_NS_COUNT] = {
    [VD_NS_MOUNT] = "mount", [VD_NS_PID] = "pid",   [VD_NS_NET] = "network",
    [VD_NS_IPC] = "ipc",     [VD_NS_UTS] = "uts",   [VD_NS_CGROUP] = "cgroup",
    [VD_NS_USER] = "user",   [VD_NS_TIME] = "time",
};

static const struct oci_namespace *find_ns(const struct oci_linux *lx, enum vd_ns ns, size_t *at)
{
    for (size_t i = 0; lx && i < lx->n_namespaces; i++)
        if (lx->namespaces[i].ns == ns) {
            *at = i;
            return &lx->namespaces[i];
        }
    return NULL;
}

static void explain_namespaces(struct plan_builder *pb, const struct oci_linux *lx)
{
    for (int t = 0; t < VD_NS_COUNT; t++) {
        size_t i = 0;
        const struct oci_namespace *ns = find_ns(lx, (enum vd_ns)t, &i);
        if (ns == NULL)
            item(pb, "namespace", format("linux.namespaces"),
                 "%s: shared with the runtime (not listed)", ns_type[t]);
        else if (ns->path)
            item(pb, "namespace", format("linux.namespaces[%zu].path", i), "%s: joined %s",
                 ns_type[t], ns->path);
        else
            item(pb, "namespace", format("linux.namespaces[%zu]", i), "%s: new", ns_type[t]);
    }
    for (size_t i = 0; lx && i < lx->n_uid_mappings; i++)
        item(pb, "namespace", format("linux.uidMappings[%zu]", i),
             "user: uids %u-%u are host uids %u-%u", lx->uid_mappings[i].container_id,
             lx->uid_mappings[i].container_id + lx->uid_mappings[i].size - 1,
             lx->uid_mappings[i].host_id, lx->uid_mappings[i].host_id + lx->uid_mappings[i].size - 1);
    for (size_t i = 0; lx && i < lx->n_gid_mappings; i++)
        item(pb, "namespace", format("linux.gidMappings[%zu]", i),
             "user: gids %u-%u are host gids %u-%u", lx->gid_mappings[i].container_id,
             lx->gid_mappings[i].container_id + lx->gid_mappings[i].size - 1,
             lx->gid_mappings[i].host_id, lx->gid_mappings[i].host_id + lx->gid_mappings[i].size - 1);
}

static void explain_root(struct plan_builder *pb, const struct oci_spec *spec, const char *rootfs)
{
    const struct oci_linux *lx = spec->linux_;
    item(pb, "root", format("root.path"), "%s, %s", rootfs,
         spec->root_readonly ? "read-only (root.readonly)" : "read-write");
    if (lx && lx->rootfs_propagation)
        item(pb, "root", format("linux.rootfsPropagation"), "propagation %s",
             lx->rootfs_propagation);
    else
        item(pb, "root", format("linux.rootfsPropagation"), "propagation rprivate (the default)");
    if (spec->hostname && spec->hostname[0])
        item(pb, "root", format("hostname"), "hostname %s", spec->hostname);
    if (spec->domainname && spec->domainname[0])
        item(pb, "root", format("domainname"), "domainname %s", spec->domainname);
}

static void explain_mounts(struct plan_builder *pb, const struct oci_spec *spec)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        char opts[512] = "";
        size_t len = 0;
        for (size_t j = 0; j < m->n_options && len < sizeof(opts); j++)
            len += (size_t)snprintf(opts + len, sizeof(opts) - len, "%s%s", j ? "," : "",
                                    m->options[j]);
        item(pb, "mount", format("mounts[%zu]", i), "%s: %s from %s%s%s", m->destination,
             m->type ? m->type : "bind", m->source ? m->source : "(none)", len ? " " : "",
             opts);
    }
    const struct oci_linux *lx = spec->linux_;
    for (size_t i = 0; lx && i < lx->n_devices; i++) {
        const struct oci_device *d = &lx->devices[i];
        item(pb, "device", format("linux.devices[%zu]", i), "%s: %c %lld:%lld", d->path, d->type,
             (long long)d->major, (long long)d->minor);
    }
    item(pb, "device", format("linux.devices"),
         "the default devices: /dev/null, zero, full, random, urandom, tty, ptmx");
    for (size_t i = 0; lx && i < lx->n_masked_paths; i++)
        item(pb, "masked", format("linux.maskedPaths[%zu]", i), "%s", lx->masked_paths[i]);
    for (size_t i = 0; lx && i < lx->n_readonly_paths; i++)
        item(pb, "readonly", format("linux.readonlyPaths[%zu]", i), "%s", lx->readonly_paths[i]);
}

static const char *const cap_set[OCI_CAP_SET_COUNT] = {
    "bounding", "effective", "inheritable", "permitted", "ambient",
};

static void explain_caps(struct plan_builder *pb, const struct oci_process *p)
{
    for (int s = 0; s < OCI_CAP_SET_COUNT; s++) {
        size_t n = p->has_capabilities ? p->capabilities.n[s] : 0;
        char list[2048] = "";
        size_t len = 0;
        for (size_t i = 0; i < n && len < sizeof(list); i++)
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? " " : "",
                                    p->capabilities.names[s][i]);
        item(pb, "capabilities", format("process.capabilities.%s", cap_set[s]), "%s: %s",
             cap_set[s], n ? list : "none");
    }
}

static void explain_user(struct plan_builder *pb, const struct oci_process *p)
{
    char groups[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < p->user.n_additional_gids && len < sizeof(groups); i++)
        len += (size_t)snprintf(groups + len, sizeof(groups) - len, "%s%u", i ? "," : "",
                                p->user.additional_gids[i]);
    item(pb, "user", format("process.user"), "uid %u, gid %u, additional gids %s", p->user.uid,
         p->user.gid, len ? groups : "none");
    item(pb, "process", format("process.args"), "runs %s (%zu argument%s) in %s", p->args[0],
         p->n_args, p->n_args == 1 ? "" : "s", p->cwd);
    item(pb, "process", format("process.env"), "%zu environment variable%s", p->n_env,
         p->n_env == 1 ? "" : "s");
    item(pb, "process", format("process.noNewPrivileges"), "no_new_privs %s",
         p->no_new_privileges ? "on" : "off");
    if (p->terminal)
        item(pb, "process", format("process.terminal"),
             "a pty (create needs --console-socket; run relays it)");
    for (size_t i = 0; i < p->n_rlimits; i++)
        item(pb, "rlimit", format("process.rlimits[%zu]", i), "%s: soft %llu, hard %llu",
             p->rlimits[i].type, (unsigned long long)p->rlimits[i].soft,
             (unsigned long long)p->rlimits[i].hard);
}

static const char *action_name(enum vd_seccomp_action a)
{
    switch (a) {
    case VD_SECCOMP_KILL_THREAD: return "SCMP_ACT_KILL_THREAD";
    case VD_SECCOMP_KILL_PROCESS: return "SCMP_ACT_KILL_PROCESS";
    case VD_SECCOMP_TRAP: return "SCMP_ACT_TRAP";
    case VD_SECCOMP_ERRNO: return "SCMP_ACT_ERRNO";
    case VD_SECCOMP_TRACE: return "SCMP_ACT_TRACE";
    case VD_SECCOMP_ALLOW: return "SCMP_ACT_ALLOW";
    case VD_SECCOMP_LOG: return "SCMP_ACT_LOG";
    case VD_SECCOMP_NOTIFY: return "SCMP_ACT_NOTIFY";
    }
    return "?";
}

static void explain_seccomp(struct plan_builder *pb, const struct oci_seccomp *sc)
{
    if (sc == NULL) {
        item(pb, "seccomp", format("linux.seccomp"), "none: every system call is allowed");
        return;
    }
    item(pb, "seccomp", format("linux.seccomp"), "default action %s, %zu rule%s, %s%s",
         action_name(sc->default_action), sc->n_syscalls, sc->n_syscalls == 1 ? "" : "s",
         sc->listener_path ? "listener at " : "no listener",
         sc->listener_path ? sc->listener_path : "");
}

/* One cgroup value create writes: what oci_resources_each lists. */
static void resource_item(void *ctx, const char *field, const char *value)
{
    item(ctx, "cgroup", format("linux.resources.%s", field), "%s = %s", field, value);
}

static void explain_linux(struct plan_builder *pb, const struct oci_linux *lx, const char *cgroup)
{
    for (size_t i = 0; lx && i < lx->n_sysctl; i++)
        item(pb, "sysctl", format("linux.sysctl[\"%s\"]", lx->sysctl[i].key), "%s = %s", lx->sysctl[i].key,
             lx->sysctl[i].value);
    explain_seccomp(pb, lx ? lx->seccomp : NULL);
    item(pb, "cgroup", format("linux.cgroupsPath"), "%s", cgroup);
    const struct oci_resources *r = lx ? lx->resources : NULL;
    vd_error *err = NULL;
    if (oci_resources_each(lx, resource_item, pb, &err) < 0) {
        vd_error_free(&err);
        pb->oom = true;
    }
    if (r && r->n_devices)
        item(pb, "cgroup", format("linux.resources.devices"), "%zu device rule%s", r->n_devices,
             r->n_devices == 1 ? "" : "s");
    for (size_t i = 0; lx && i < lx->n_net_devices; i++)
        item(pb, "netdevice", format("linux.netDevices"), "%s moved in as %s",
             lx->net_devices[i].host_name,
             lx->net_devices[i].name ? lx->net_devices[i].name : lx->net_devices[i].host_name);
}

static void explain_hooks(struct plan_builder *pb, const struct oci_spec *spec)
{
    for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
        for (size_t i = 0; i < spec->n_hooks[k]; i++)
            item(pb, "hook", format("hooks.%s[%zu]", oci_hook_kind_name((enum oci_hook_kind)k), i),
                 "%s: %s", oci_hook_kind_name((enum oci_hook_kind)k), spec->hooks[k][i].path);
}

static bool ns_new(const struct oci_linux *lx, enum vd_ns t)
{
    size_t i;
    const struct oci_namespace *ns = find_ns(lx, t, &i);
    return ns && ns->path == NULL;
}

/* What nothing in config.json added back. */
static void explain_void(struct plan_builder *pb, const struct oci_spec *spec)
{
    const struct oci_linux *lx = spec->linux_;
    if (ns_new(lx, VD_NS_NET) && (lx->n_net_devices == 0))
        item(pb, "void", format("linux.netDevices"), "no network device but lo");
    if (ns_new(lx, VD_NS_MOUNT))
        item(pb, "void", format("mounts"), "no mount of the host's but the %zu listed",
             spec->n_mounts);
    if (lx == NULL || lx->n_devices == 0)
        item(pb, "void", format("linux.devices"), "no device but the default ones");
    const struct oci_process *p = spec->process;
    if (!p->has_capabilities || p->capabilities.n[OCI_CAP_BOUNDING] == 0)
        item(pb, "void", format("process.capabilities"), "no capability");
    item(pb, "void", format("process"), "no file descriptor but 0, 1 and 2");
    if (ns_new(lx, VD_NS_IPC))
        item(pb, "void", format("linux.namespaces"), "no System V IPC object or POSIX queue");
}

static bool is_bind(const struct oci_mount *m)
{
    if (m->type && strcmp(m->type, "bind") == 0)
        return true;
    for (size_t j = 0; j < m->n_options; j++)
        if (strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0)
            return true;
    return false;
}

/* The hooks create runs from the runtime's namespace and whose failure
 * fails create (runtime.md: prestart, createRuntime, createContainer;
 * a failed poststart or poststop is only a warning). */
static void refused_hooks(struct plan_builder *pb, const struct oci_spec *spec)
{
    static const enum oci_hook_kind fatal[] = {OCI_HOOK_PRESTART, OCI_HOOK_CREATE_RUNTIME,
                                               OCI_HOOK_CREATE_CONTAINER};
    for (size_t k = 0; k < sizeof(fatal) / sizeof(fatal[0]); k++) {
        const char *kind = oci_hook_kind_name(fatal[k]);
        for (size_t i = 0; i < spec->n_hooks[fatal[k]]; i++) {
            const char *path = spec->hooks[fatal[k]][i].path;
            if (access(path, X_OK) < 0)
                item(pb, "refused", format("hooks.%s[%zu].path", kind, i),
                     "\"%s\": cannot be run: %s", path, strerror(errno));
        }
    }
}

/* A seccomp agent's socket that is not there: create would fail to
 * connect to it.  (A missing linux.netDevices interface is refused by
 * oci_translate already.) */
static void refused_linux(struct plan_builder *pb, const struct oci_linux *lx)
{
    const char *listener = lx && lx->seccomp ? lx->seccomp->listener_path : NULL;
    struct stat st;
    if (listener && stat(listener, &st) < 0)
        item(pb, "refused", format("linux.seccomp.listenerPath"), "\"%s\": %s", listener,
             strerror(errno));
    else if (listener && !S_ISSOCK(st.st_mode))
        item(pb, "refused", format("linux.seccomp.listenerPath"), "\"%s\": not a socket",
             listener);
}

/* What create would refuse on this host later than oci_translate does: a
 * bind mount's source that is not there (the child would fail to mount),
 * and the above. */
static void explain_refusals(struct plan_builder *pb, const struct oci_spec *spec,
                             const char *bundle)
{
    refused_hooks(pb, spec);
    refused_linux(pb, spec->linux_);
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        struct stat st;
        if (!m->source || !is_bind(m))
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s%s%s", m->source[0] == '/' ? "" : bundle,
                 m->source[0] == '/' ? "" : "/", m->source);
        if (stat(path, &st) < 0)
            item(pb, "refused", format("mounts[%zu].source", i), "\"%s\": %s", path,
                 strerror(errno));
    }
}

size_t oci_plan_refused(const struct oci_plan *plan, size_t *first)
{
    size_t n = 0;
    for (size_t i = plan->n; i-- > 0;)
        if (strcmp(plan->items[i].section, "refused") == 0) {
            *first = i;
            n++;
        }
    return n;
}

int oci_explain(const struct oci_spec *spec, const char *bundle, const char *rootfs,
                const char *cgroup, struct oci_plan *out, vd_error **err)
{
    *out = (struct oci_plan){0};
    struct plan_builder pb = {.plan = out};
    explain_namespaces(&pb, spec->linux_);
    explain_root(&pb, spec, rootfs);
    explain_mounts(&pb, spec);
    explain_caps(&pb, spec->process);
    explain_user(&pb, spec->process);
    explain_linux(&pb, spec->linux_, cgroup);
    explain_hooks(&pb, spec);
    explain_void(&pb, spec);
    explain_refusals(&pb, spec, bundle);
    if (pb.oom) {
        oci_plan_free(out);
        return vd_error_set(err, ENOMEM, "explain");
    }
    return 0;
}

char *oci_plan_json(const struct oci_plan *plan, const char *bundle, vd_error **err)
{
    struct oci_json_writer *w = oci_json_writer_new(true);
    if (w == NULL) {
        vd_error_set(err, ENOMEM, "explain");
        return NULL;
    }
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "bundle");
    oci_json_write_string(w, bundle);
    oci_json_write_key(w, "plan");
    oci_json_write_begin_array(w);
    for (size_t i = 0; i < plan->n; i++) {
        oci_json_write_begin_object(w);
        oci_json_write_key(w, "section");
        oci_json_write_string(w, plan->items[i].section);
        oci_json_write_key(w, "what");
        oci_json_write_string(w, plan->items[i].what);
        oci_json_write_key(w, "path");
        oci_json_write_string(w, plan->items[i].path);
        oci_json_write_end_object(w);
    }
    oci_json_write_end_array(w);
    oci_json_write_end_object(w);
    return oci_json_writer_finish(w, NULL, err);
}

void oci_plan_free(struct oci_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        free(plan->items[i].what);
        free(plan->items[i].path);
    }
    free(plan->items);
    *plan = (struct oci_plan){0};
}
