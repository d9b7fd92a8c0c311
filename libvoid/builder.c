/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The builder: a description of the void and of what is added back to it.
 * Nothing here touches the system; spawn.c acts on the description. */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <net/if.h>
#include <sys/mount.h>
#include <time.h>

#include "internal.h"

static char **strv_copy(char *const v[], vd_error **err)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    char **copy = calloc(n + 1, sizeof(char *));
    if (copy == NULL) {
        vd_error_set(err, ENOMEM, "copy string array");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        copy[i] = vd_strdup_checked(v[i], err);
        if (copy[i] == NULL) {
            vd_strvfreep(&copy);
            return NULL;
        }
    }
    return copy;
}

static void strv_free(char **v)
{
    vd_strvfreep(&v);
}

static void strv_free_n(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

vd_builder *vd_builder_new(void)
{
    vd_builder *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    /* User and time namespaces are the caller's unless asked for: a new
     * user namespace without id maps would leave the process as nobody. */
    b->ns[VD_NS_USER].mode = VD_NS_MODE_SHARE;
    b->ns[VD_NS_TIME].mode = VD_NS_MODE_SHARE;
    return b;
}

void vd_builder_free(vd_builder *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < VD_NS_COUNT; i++)
        free(b->ns[i].path);
    free(b->uid_maps);
    free(b->gid_maps);
    free(b->rootfs);
    for (size_t i = 0; i < b->n_mounts; i++) {
        struct vd_mount_entry *m = &b->mounts[i];
        free(m->source);
        free(m->destination);
        free(m->fstype);
        free(m->data);
        vd_mount_entry_clear(m);
    }
    free(b->mounts);
    for (size_t i = 0; i < b->n_devices; i++)
        free(b->devices[i].path);
    free(b->devices);
    free(b->hostname);
    free(b->domainname);
    strv_free(b->argv);
    strv_free(b->envp);
    free(b->cwd);
    free(b->groups);
    free(b->rlimits);
    free(b->keep_fds);
    free(b->start_fifo);
    strv_free_n(b->masked_paths, b->n_masked_paths);
    strv_free_n(b->readonly_paths, b->n_readonly_paths);
    free(b->keyring);
    vd_builder_free_process_attrs(b);
    for (size_t i = 0; i < b->n_sysctls; i++) {
        free(b->sysctls[i].key);
        free(b->sysctls[i].value);
    }
    free(b->sysctls);
    vd_seccomp_prog_free(b->seccomp);
    free(b->steps);
    for (size_t i = 0; i < b->n_net_devices; i++) {
        free(b->net_devices[i].host_name);
        free(b->net_devices[i].name);
    }
    free(b->net_devices);
    if (b->join_only) {
        vd_closep(&b->join_root_fd);
        vd_closep(&b->join_pidfd);
    }
    free(b);
}

static int add_id_map(struct vd_id_map **maps, size_t *n, uint32_t container_id,
                      uint32_t host_id, uint32_t size, vd_error **err)
{
    if (size == 0)
        return vd_error_set(err, EINVAL, "id map %u:%u has size 0", container_id, host_id);
    struct vd_id_map *m = vd_array_append(maps, n, sizeof(**maps), err);
    if (m == NULL)
        return -1;
    *m = (struct vd_id_map){container_id, host_id, size};
    return 0;
}

int vd_builder_map_uid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err)
{
    return add_id_map(&b->uid_maps, &b->n_uid_maps, container_id, host_id, size, err);
}

int vd_builder_map_gid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err)
{
    return add_id_map(&b->gid_maps, &b->n_gid_maps, container_id, host_id, size, err);
}

int vd_builder_set_rootfs(vd_builder *b, const char *path, bool readonly, vd_error **err)
{
    if (path == NULL || path[0] != '/')
        return vd_error_set(err, EINVAL, "rootfs \"%s\": path must be absolute", path ? path : "");
    char *copy = vd_strdup_checked(path, err);
    if (copy == NULL)
        return -1;
    free(b->rootfs);
    b->rootfs = copy;
    b->rootfs_readonly = readonly;
    return 0;
}

void vd_builder_set_no_pivot(vd_builder *b, bool no_pivot)
{
    b->no_pivot = no_pivot;
}

int vd_builder_set_rootfs_propagation(vd_builder *b, unsigned long flags, vd_error **err)
{
    unsigned long kind = flags & ~(unsigned long)MS_REC;
    if (kind != MS_PRIVATE && kind != MS_SLAVE && kind != MS_SHARED && kind != MS_UNBINDABLE)
        return vd_error_set(err, EINVAL, "rootfs propagation %#lx is not one propagation type",
                            flags);
    b->rootfs_propagation = flags;
    return 0;
}

static int dup_optional(char **dst, const char *src, vd_error **err)
{
    *dst = NULL;
    if (src == NULL)
        return 0;
    *dst = vd_strdup_checked(src, err);
    return *dst ? 0 : -1;
}

int vd_builder_add_mount(vd_builder *b, const struct vd_mount *m, vd_error **err)
{
    if (m->destination == NULL || m->destination[0] != '/')
        return vd_error_set(err, EINVAL, "mount destination \"%s\" must be absolute",
                            m->destination ? m->destination : "");
    if (vd_mount_check(m, err) < 0)
        return -1;
    struct vd_mount_entry *e = vd_array_append(&b->mounts, &b->n_mounts, sizeof(*e), err);
    if (e == NULL)
        return -1;
    e->tree_fd = -1;
    e->flags = m->flags;
    e->propagation = m->propagation;
    if (dup_optional(&e->destination, m->destination, err) < 0 ||
        dup_optional(&e->source, m->source, err) < 0 ||
        dup_optional(&e->fstype, m->fstype, err) < 0 || dup_optional(&e->data, m->data, err) < 0 ||
        dup_optional(&e->label, m->label, err) < 0 || vd_mount_entry_fill(e, m, err) < 0)
        return -1; /* the entry is freed with the builder */
    return 0;
}

int vd_builder_add_device(vd_builder *b, const struct vd_device *d, vd_error **err)
{
    /* runtime-spec: "The path MAY be anywhere in the container filesystem". */
    if (d->path == NULL || d->path[0] != '/' || d->path[strspn(d->path, "/")] == '\0')
        return vd_error_set(err, EINVAL, "device \"%s\": path must be absolute and not \"/\"",
                            d->path ? d->path : "");
    if (strchr("cbup", d->type) == NULL || d->type == '\0')
        return vd_error_set(err, EINVAL, "device \"%s\": unknown type '%c'", d->path, d->type);
    /* A later entry for the same path replaces an earlier one (a caller's
     * list may redefine a default device). */
    struct vd_device_entry *e = NULL;
    for (size_t i = 0; i < b->n_devices; i++)
        if (strcmp(b->devices[i].path, d->path) == 0)
            e = &b->devices[i];
    if (e == NULL) {
        e = vd_array_append(&b->devices, &b->n_devices, sizeof(*e), err);
        if (e == NULL)
            return -1;
        if (dup_optional(&e->path, d->path, err) < 0)
            return -1;
    }
    e->type = d->type;
    e->major = d->major;
    e->minor = d->minor;
    e->mode = d->mode & 07777;
    e->uid = d->uid;
    e->gid = d->gid;
    return 0;
}

int vd_builder_add_default_devices(vd_builder *b, vd_error **err)
{
    static const struct {
        const char *path;
        int major, minor;
    } defaults[] = {
        {"/dev/null", 1, 3},    {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8},  {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    for (size_t i = 0; i < VD_ARRAY_SIZE(defaults); i++) {
        struct vd_device d = {.path = defaults[i].path, .type = 'c', .major = defaults[i].major,
                              .minor = defaults[i].minor, .mode = 0666};
        if (vd_builder_add_device(b, &d, err) < 0)
            return -1;
    }
    return 0;
}

void vd_builder_add_dev_symlinks(vd_builder *b)
{
    b->dev_symlinks = true;
}

/* "a.b.c" with no empty component and no "/": once the dots become
 * slashes, the key names a file under /proc/sys and nothing else (no "..",
 * which would need an empty component). */
static bool is_sysctl_key(const char *key)
{
    if (key[0] == '\0' || strchr(key, '/'))
        return false;
    for (const char *c = key; *c;) {
        size_t len = strcspn(c, ".");
        if (len == 0)
            return false;
        c += len;
        if (*c == '.' && *++c == '\0')
            return false;
    }
    return true;
}

int vd_builder_add_sysctl(vd_builder *b, const char *key, const char *value, vd_error **err)
{
    if (key == NULL || value == NULL || !is_sysctl_key(key))
        return vd_error_set(err, EINVAL, "sysctl \"%s\": not a sysctl name", key ? key : "");
    struct vd_kv_entry *e = NULL;
    for (size_t i = 0; i < b->n_sysctls; i++)
        if (strcmp(b->sysctls[i].key, key) == 0)
            e = &b->sysctls[i];
    if (e == NULL) {
        e = vd_array_append(&b->sysctls, &b->n_sysctls, sizeof(*e), err);
        if (e == NULL || dup_optional(&e->key, key, err) < 0)
            return -1;
    }
    char *copy = vd_strdup_checked(value, err);
    if (copy == NULL)
        return -1;
    free(e->value);
    e->value = copy;
    return 0;
}

int vd_builder_set_oom_score_adj(vd_builder *b, int adj, vd_error **err)
{
    if (adj < -1000 || adj > 1000)
        return vd_error_set(err, EINVAL, "oom_score_adj %d: must be between -1000 and 1000", adj);
    b->has_oom_score_adj = true;
    b->oom_score_adj = adj;
    return 0;
}

void vd_builder_set_loopback_up(vd_builder *b, bool on)
{
    b->loopback_up = on;
}

int vd_builder_set_time_offset(vd_builder *b, int clock, int64_t secs, uint32_t nsecs,
                               vd_error **err)
{
    int i = clock == CLOCK_MONOTONIC ? 0 : clock == CLOCK_BOOTTIME ? 1 : -1;
    if (i < 0)
        return vd_error_set(err, EINVAL, "time offset of clock %d: a time namespace shifts "
                            "only CLOCK_MONOTONIC and CLOCK_BOOTTIME", clock);
    if (nsecs >= 1000000000u)
        return vd_error_set(err, EINVAL, "time offset: %u nanoseconds is a second or more", nsecs);
    b->time_offsets[i] = (struct vd_time_offset){.set = true, .secs = secs, .nsecs = nsecs};
    return 0;
}

/* 1 to IFNAMSIZ-1 bytes without '/', ':' or white space, not "." or "..":
 * what the kernel accepts as an interface name. */
static bool is_ifname(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    return strpbrk(s, "/: \t\n\v\f\r") == NULL;
}

int vd_builder_add_net_device(vd_builder *b, const char *host_name, const char *name,
                              vd_error **err)
{
    if (host_name == NULL || !is_ifname(host_name))
        return vd_error_set(err, EINVAL, "network device \"%s\": not an interface name",
                            host_name ? host_name : "");
    if (name && !is_ifname(name))
        return vd_error_set(err, EINVAL, "network device \"%s\": \"%s\" is not an interface name",
                            host_name, name);
    struct vd_net_device *d =
        vd_array_append(&b->net_devices, &b->n_net_devices, sizeof(*d), err);
    if (d == NULL || dup_optional(&d->host_name, host_name, err) < 0 ||
        dup_optional(&d->name, name, err) < 0)
        return -1; /* the entry is freed with the builder */
    return 0;
}

static int replace_string(char **dst, const char *src, vd_error **err)
{
    char *copy = vd_strdup_checked(src, err);
    if (copy == NULL)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

int vd_builder_set_hostname(vd_builder *b, const char *name, vd_error **err)
{
    return replace_string(&b->hostname, name, err);
}

int vd_builder_set_domainname(vd_builder *b, const char *name, vd_error **err)
{
    return replace_string(&b->domainname, name, err);
}

int vd_builder_set_args(vd_builder *b, char *const argv[], vd_error **err)
{
    if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
        return vd_error_set(err, EINVAL, "args: need a program to run");
    char **copy = strv_copy(argv, err);
    if (copy == NULL)
        return -1;
    strv_free(b->argv);
    b->argv = copy;
    return 0;
}

int vd_builder_set_env(vd_builder *b, char *const envp[], vd_error **err)
{
    char **copy = strv_copy(envp, err);
    if (copy == NULL)
        return -1;
    strv_free(b->envp);
    b->envp = copy;
    return 0;
}

int vd_builder_set_cwd(vd_builder *b, const char *cwd, vd_error **err)
{
    if (cwd == NULL || cwd[0] != '/')
        return vd_error_set(err, EINVAL, "cwd \"%s\" must be absolute", cwd ? cwd : "");
    return replace_string(&b->cwd, cwd, err);
}

int vd_builder_set_user(vd_builder *b, uid_t uid, gid_t gid, const gid_t *additional, size_t n,
                        vd_error **err)
{
    gid_t *groups = NULL;
    if (n > 0) {
        groups = malloc(n * sizeof(gid_t));
        if (groups == NULL)
            return vd_error_set(err, ENOMEM, "copy additional gids");
        memcpy(groups, additional, n * sizeof(gid_t));
    }
    free(b->groups);
    b->groups = groups;
    b->n_groups = n;
    b->uid = uid;
    b->gid = gid;
    return 0;
}

void vd_builder_set_umask(vd_builder *b, mode_t mask)
{
    b->has_umask = true;
    b->umask = mask & 0777;
}

int vd_builder_add_rlimit(vd_builder *b, int resource, uint64_t soft, uint64_t hard,
                          vd_error **err)
{
    if (resource < 0 || resource >= RLIM_NLIMITS)
        return vd_error_set(err, EINVAL, "rlimit %d: unknown resource", resource);
    if (soft > hard)
        return vd_error_set(err, EINVAL, "rlimit %d: soft limit %llu is above hard limit %llu",
                            resource, (unsigned long long)soft, (unsigned long long)hard);
    struct vd_rlimit_entry *e = NULL;
    for (size_t i = 0; i < b->n_rlimits; i++)
        if (b->rlimits[i].resource == resource)
            e = &b->rlimits[i];
    if (e == NULL) {
        e = vd_array_append(&b->rlimits, &b->n_rlimits, sizeof(*e), err);
        if (e == NULL)
            return -1;
    }
    e->resource = resource;
    e->limit.rlim_cur = soft;
    e->limit.rlim_max = hard;
    return 0;
}

int vd_builder_add_cap(vd_builder *b, enum vd_cap_set set, int cap, vd_error **err)
{
    if ((unsigned)set >= VD_CAP_SET_COUNT)
        return vd_error_set(err, EINVAL, "capability set %d", (int)set);
    if (cap < 0 || cap > CAP_LAST_CAP || cap >= 64)
        return vd_error_set(err, EINVAL, "capability %d is not known to this build", cap);
    b->caps[set] |= UINT64_C(1) << cap;
    return 0;
}

void vd_builder_set_no_new_privs(vd_builder *b, bool on)
{
    b->no_new_privs = on;
}

int vd_builder_keep_fd(vd_builder *b, int fd, vd_error **err)
{
    if (fd < 3)
        return vd_error_set(err, EINVAL, "keep fd %d: 0, 1 and 2 are always kept", fd);
    int *slot = vd_array_append(&b->keep_fds, &b->n_keep_fds, sizeof(int), err);
    if (slot == NULL)
        return -1;
    *slot = fd;
    return 0;
}

int vd_builder_set_start_fifo(vd_builder *b, const char *path, vd_error **err)
{
    if (path == NULL || path[0] != '/')
        return vd_error_set(err, EINVAL, "start fifo \"%s\" must be absolute", path ? path : "");
    return replace_string(&b->start_fifo, path, err);
}

int vd_builder_set_session_keyring(vd_builder *b, const char *name, vd_error **err)
{
    return replace_string(&b->keyring, name, err);
}

static int add_step(vd_builder *b, enum vd_step at, bool in_parent, vd_step_fn fn, void *data,
                    vd_error **err)
{
    if (in_parent && at != VD_STEP_NAMESPACES_READY)
        return vd_error_set(err, EINVAL, "a parent step runs only while the child is set up");
    struct vd_step_entry *e = vd_array_append(&b->steps, &b->n_steps, sizeof(*e), err);
    if (e == NULL)
        return -1;
    *e = (struct vd_step_entry){.at = at, .in_parent = in_parent, .fn = fn, .data = data};
    return 0;
}

int vd_builder_add_parent_step(vd_builder *b, enum vd_step at, vd_step_fn fn, void *data,
                               vd_error **err)
{
    return add_step(b, at, true, fn, data, err);
}

int vd_builder_add_child_step(vd_builder *b, enum vd_step at, vd_step_fn fn, void *data,
                              vd_error **err)
{
    return add_step(b, at, false, fn, data, err);
}
