/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intel RDT through the resctrl filesystem: the container's class of
 * service (a directory under the resctrl root, with its schemata and its
 * tasks), and an optional monitoring group under it (mon_groups/<name>).
 *
 * A group this call makes gets the schemata written; a group that exists
 * already is shared with others, so its schemata are compared instead and
 * a difference is an error (runtime-spec, config-linux.md "IntelRdt").
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#define RESCTRL_ROOT "/sys/fs/resctrl"
/* statfs(2)'s f_type of the resctrl filesystem. */
#define RESCTRL_SUPER_MAGIC 0x7655821
/* A schemata file holds a line per resource and cache level. */
#define SCHEMATA_MAX 8192

struct vd_resctrl {
    char *group_dir;               /* absolute */
    char *monitor_dir;             /* absolute; NULL: no monitoring group */
    bool own_group;                /* removed by destroy */
    bool made_group, made_monitor; /* by this create: removed if it fails */
};

void vd_resctrl_free(vd_resctrl *r)
{
    if (r == NULL)
        return;
    free(r->group_dir);
    free(r->monitor_dir);
    free(r);
}

const char *vd_resctrl_group_dir(const vd_resctrl *r)
{
    return r->group_dir;
}

const char *vd_resctrl_monitor_dir(const vd_resctrl *r)
{
    return r->monitor_dir;
}

bool vd_resctrl_owns_group(const vd_resctrl *r)
{
    return r->own_group;
}

void vd_builder_set_resctrl(vd_builder *b, const vd_resctrl *r)
{
    b->resctrl = r;
}

static vd_resctrl *resctrl_new(const char *group_dir, const char *monitor_dir, bool own)
{
    vd_resctrl *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->own_group = own;
    r->group_dir = strdup(group_dir);
    r->monitor_dir = monitor_dir ? strdup(monitor_dir) : NULL;
    if (r->group_dir == NULL || (monitor_dir && r->monitor_dir == NULL)) {
        vd_resctrl_free(r);
        return NULL;
    }
    return r;
}

int vd_resctrl_open(const char *group_dir, const char *monitor_dir, bool own_group,
                    vd_resctrl **out, vd_error **err)
{
    if ((*out = resctrl_new(group_dir, monitor_dir, own_group)) == NULL)
        return vd_error_set(err, ENOMEM, "resctrl group \"%s\"", group_dir);
    return 0;
}

/* ---- schemata ----------------------------------------------------------- */

/* One "domain=value" of a schemata line ("L3:0=7f0;1=1f"). */
struct schema_entry {
    char resource[32];
    char domain[32];
    char value[64];
};

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static bool copy_field(char *dst, size_t size, const char *src, size_t len)
{
    trim(&src, &len);
    if (len == 0 || len >= size)
        return false;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

/* Append the entries of `line` to *v; false when it is no schemata line. */
static bool parse_schema_line(const char *line, struct schema_entry **v, size_t *n)
{
    const char *colon = strchr(line, ':');
    if (colon == NULL)
        return false;
    struct schema_entry e;
    if (!copy_field(e.resource, sizeof(e.resource), line, (size_t)(colon - line)))
        return false;
    for (const char *p = colon + 1; *p;) {
        size_t len = strcspn(p, ";");
        const char *eq = memchr(p, '=', len);
        if (eq == NULL || !copy_field(e.domain, sizeof(e.domain), p, (size_t)(eq - p)) ||
            !copy_field(e.value, sizeof(e.value), eq + 1, len - (size_t)(eq - p) - 1))
            return false;
        struct schema_entry *nv = realloc(*v, (*n + 1) * sizeof(**v));
        if (nv == NULL)
            return false;
        *v = nv;
        (*v)[(*n)++] = e;
        p += len + (p[len] == ';');
    }
    return true;
}

/* The kernel prints bitmasks in its own width ("00ff" may read "ff"), so
 * values are compared without leading zeros or case. */
static bool same_value(const char *a, const char *b)
{
    while (a[0] == '0' && a[1])
        a++;
    while (b[0] == '0' && b[1])
        b++;
    return strcasecmp(a, b) == 0;
}

static const struct schema_entry *find_entry(const struct schema_entry *v, size_t n,
                                             const struct schema_entry *key)
{
    for (size_t i = n; i-- > 0;)
        if (strcmp(v[i].resource, key->resource) == 0 && strcmp(v[i].domain, key->domain) == 0)
            return &v[i];
    return NULL;
}

static int read_schemata(int group_fd, const char *group, char *buf, vd_error **err)
{
    _cleanup_close_ int fd = openat(group_fd, "schemata", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s/schemata\"", group);
    ssize_t n = read(fd, buf, SCHEMATA_MAX - 1);
    if (n < 0)
        return vd_error_set(err, errno, "read \"%s/schemata\"", group);
    buf[n] = '\0';
    return 0;
}

/* The group's schemata must hold every value asked for (a later line
 * overrides an earlier one for the same resource and domain). */
static int check_schemata(int group_fd, const char *group, const char *const *lines, vd_error **err)
{
    _cleanup_free_ char *buf = malloc(SCHEMATA_MAX);
    _cleanup_free_ struct schema_entry *want = NULL, *have = NULL;
    size_t n_want = 0, n_have = 0;
    if (buf == NULL)
        return vd_error_set(err, ENOMEM, "resctrl group \"%s\"", group);
    for (size_t i = 0; lines[i]; i++)
        if (!parse_schema_line(lines[i], &want, &n_want))
            return vd_error_set(err, 0, "schemata \"%s\": not RESOURCE:ID=VALUE;...", lines[i]);
    if (read_schemata(group_fd, group, buf, err) < 0)
        return -1;
    for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        parse_schema_line(line, &have, &n_have); /* what we cannot read we cannot match */
    for (size_t i = 0; i < n_want; i++) {
        const struct schema_entry *w = &want[i];
        if (find_entry(want, n_want, w) != w)
            continue; /* overridden by a later line */
        const struct schema_entry *h = find_entry(have, n_have, w);
        if (h == NULL || !same_value(h->value, w->value))
            return vd_error_set(err, 0,
                                "resctrl group \"%s\" exists with other schemata: %s:%s=%s "
                                "asked for, %s there",
                                group, w->resource, w->domain, w->value, h ? h->value : "none");
    }
    return 0;
}

/* resctrl explains a refused write in info/last_cmd_status. */
static void last_cmd_status(int root_fd, char *buf, size_t size)
{
    buf[0] = '\0';
    _cleanup_close_ int fd = openat(root_fd, "info/last_cmd_status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
    if (n <= 0)
        return;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
}

static int write_schemata(int root_fd, int group_fd, const char *group, const char *const *lines,
                          vd_error **err)
{
    _cleanup_close_ int fd = openat(group_fd, "schemata", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s/schemata\"", group);
    for (size_t i = 0; lines[i]; i++) {
        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "%s\n", lines[i]) < 0)
            return vd_error_set(err, ENOMEM, "write \"%s/schemata\"", group);
        size_t len = strlen(text);
        if (write(fd, text, len) != (ssize_t)len) {
            int e = errno;
            char why[256];
            last_cmd_status(root_fd, why, sizeof(why));
            return vd_error_set(err, e, "write \"%s\" to \"%s/schemata\"%s%s", lines[i], group,
                                why[0] ? ": " : "", why);
        }
    }
    return 0;
}

/* ---- the groups --------------------------------------------------------- */

static int open_root(const char *root, vd_error **err)
{
    int fd = open(root ? root : RESCTRL_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct statfs st;
    if (root == NULL && (fd < 0 || fstatfs(fd, &st) < 0 || st.f_type != RESCTRL_SUPER_MAGIC)) {
        vd_closep(&fd);
        return vd_error_set(err, 0, "resctrl is not mounted at " RESCTRL_ROOT);
    }
    if (fd < 0)
        return vd_error_set(err, errno, "open the resctrl root \"%s\"", root);
    return fd;
}

/* mkdir, or find it there already (*made says which). */
static int make_dir(int at, const char *name, const char *path, bool *made, vd_error **err)
{
    *made = mkdirat(at, name, 0755) == 0;
    if (!*made && errno != EEXIST)
        return vd_error_set(err, errno, "create resctrl group \"%s\"", path);
    return 0;
}

static int open_group(const struct vd_resctrl_config *cfg, int root_fd, vd_resctrl *r,
                      vd_error **err)
{
    bool may_make = cfg->own_group || (cfg->schemata && cfg->schemata[0]);
    if (may_make && make_dir(root_fd, cfg->group, r->group_dir, &r->made_group, err) < 0)
        return -1;
    int fd = openat(root_fd, cfg->group, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && !may_make)
        return vd_error_set(err, 0,
                            "resctrl group \"%s\" does not exist (a closID without schemata "
                            "names a group made beforehand)",
                            r->group_dir);
    if (fd < 0)
        return vd_error_set(err, errno, "open resctrl group \"%s\"", r->group_dir);
    return fd;
}

static int make_monitor(const struct vd_resctrl_config *cfg, int group_fd, vd_resctrl *r,
                        vd_error **err)
{
    _cleanup_free_ char *name = NULL;
    if (asprintf(&name, "mon_groups/%s", cfg->monitor) < 0)
        return vd_error_set(err, ENOMEM, "resctrl monitoring group");
    /* The kernel makes mon_groups in every group where it can monitor. */
    if (faccessat(group_fd, "mon_groups", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
        return vd_error_set(err, 0,
                            "resctrl group \"%s\" has no mon_groups: this host cannot "
                            "monitor (enableMonitoring)",
                            r->group_dir);
    return make_dir(group_fd, name, r->monitor_dir, &r->made_monitor, err);
}

static int set_up(const struct vd_resctrl_config *cfg, vd_resctrl *r, vd_error **err)
{
    _cleanup_close_ int root_fd = open_root(cfg->root, err);
    if (root_fd < 0)
        return -1;
    _cleanup_close_ int group_fd = open_group(cfg, root_fd, r, err);
    if (group_fd < 0)
        return -1;
    if (cfg->schemata && cfg->schemata[0] &&
        (r->made_group ? write_schemata(root_fd, group_fd, r->group_dir, cfg->schemata, err)
                       : check_schemata(group_fd, r->group_dir, cfg->schemata, err)) < 0)
        return -1;
    if (cfg->monitor && make_monitor(cfg, group_fd, r, err) < 0)
        return -1;
    return 0;
}

static bool is_name(const char *s)
{
    return s && s[0] && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strchr(s, '/');
}

int vd_resctrl_create(const struct vd_resctrl_config *cfg, vd_resctrl **out, vd_error **err)
{
    if (!is_name(cfg->group) || (cfg->monitor && !is_name(cfg->monitor)))
        return vd_error_set(err, 0, "resctrl group \"%s\": not a directory name",
                            is_name(cfg->group) ? cfg->monitor : cfg->group);
    const char *root = cfg->root ? cfg->root : RESCTRL_ROOT;
    _cleanup_free_ char *group = NULL, *monitor = NULL;
    if (asprintf(&group, "%s/%s", root, cfg->group) < 0 ||
        (cfg->monitor && asprintf(&monitor, "%s/mon_groups/%s", group, cfg->monitor) < 0))
        return vd_error_set(err, ENOMEM, "resctrl group \"%s\"", cfg->group);
    vd_resctrl *r = resctrl_new(group, monitor, cfg->own_group);
    if (r == NULL)
        return vd_error_set(err, ENOMEM, "resctrl group \"%s\"", cfg->group);
    if (set_up(cfg, r, err) < 0) {
        vd_resctrl_destroy(r, true, NULL);
        vd_resctrl_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

static int write_task(const char *dir, pid_t pid, vd_error **err)
{
    char path[PATH_MAX], text[32];
    snprintf(path, sizeof(path), "%s/tasks", dir);
    snprintf(text, sizeof(text), "%d\n", (int)pid);
    if (vd_write_file(path, text, err) < 0)
        return vd_error_prefix(err, "put pid %d in resctrl group \"%s\"", (int)pid, dir);
    return 0;
}

/* The class of service first: a monitoring group takes only tasks of its
 * parent group. */
int vd_resctrl_join(const vd_resctrl *r, pid_t pid, vd_error **err)
{
    if (write_task(r->group_dir, pid, err) < 0)
        return -1;
    if (r->monitor_dir && write_task(r->monitor_dir, pid, err) < 0)
        return -1;
    return 0;
}

static int remove_dir(const char *dir, vd_error **err)
{
    if (rmdir(dir) < 0 && errno != ENOENT)
        return vd_error_set(err, errno, "remove resctrl group \"%s\"", dir);
    return 0;
}

/* rmdir of a resctrl group moves what is left in it to the parent group,
 * so there is no wait for the tasks to exit, as there is for a cgroup. */
int vd_resctrl_destroy(const vd_resctrl *r, bool only_made, vd_error **err)
{
    if (r->monitor_dir && (!only_made || r->made_monitor) && remove_dir(r->monitor_dir, err) < 0)
        return -1;
    bool group = only_made ? r->made_group : r->own_group;
    if (group && remove_dir(r->group_dir, err) < 0)
        return -1;
    return 0;
}
