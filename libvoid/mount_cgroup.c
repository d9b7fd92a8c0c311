/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A mount of type "cgroup": the container's view of its own cgroups, at
 * /sys/fs/cgroup (or wherever config.json puts it).  In a cgroup
 * namespace of its own a fresh mount of each hierarchy is rooted at the
 * container's cgroup already.  Without one, a fresh mount would show the
 * root of the host's hierarchy: the whole tree, and none of the
 * container's limits (runtimes such as the JVM, Go and Node size
 * themselves from these files).  There each hierarchy's own cgroup
 * directory of the container is bound instead, as runc does, and nothing
 * above it is reachable.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

/* One cgroup mount of the host, from its /proc/self/mountinfo line (the
 * strings point into that line). */
struct hierarchy {
    const char *root;    /* the mount's root inside the hierarchy, "/" mostly */
    const char *point;   /* where the host has it: /sys/fs/cgroup[/NAME] */
    const char *name;    /* NAME, "" for /sys/fs/cgroup itself */
    const char *fstype;  /* cgroup or cgroup2 */
    const char *options; /* super options without rw/ro ("cpu,cpuacct"), or NULL */
};

static bool host_has_cgroup2_only(void)
{
    struct statfs sf;
    return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* From one mountinfo line of a cgroup file system at /sys/fs/cgroup or
 * directly under it. */
static bool parse_hierarchy(char *line, struct hierarchy *h)
{
    char *save = NULL;
    char *field[16] = {0};
    int n = 0;
    for (char *tok = strtok_r(line, " \n", &save); tok && n < 16;
         tok = strtok_r(NULL, " \n", &save))
        field[n++] = tok;
    int dash = -1;
    for (int i = 6; i < n; i++)
        if (strcmp(field[i], "-") == 0)
            dash = i;
    if (dash < 0 || dash + 3 >= n)
        return false;
    const char *point = field[4];
    if (strcmp(point, "/sys/fs/cgroup") == 0)
        h->name = "";
    else if (strncmp(point, "/sys/fs/cgroup/", 15) == 0 && !strchr(point + 15, '/'))
        h->name = point + 15;
    else
        return false;
    h->fstype = field[dash + 1];
    if (strcmp(h->fstype, "cgroup") != 0 && strcmp(h->fstype, "cgroup2") != 0)
        return false;
    h->root = field[3];
    h->point = point;
    char *opts = field[dash + 3];
    if (strncmp(opts, "rw,", 3) == 0 || strncmp(opts, "ro,", 3) == 0)
        opts += 3;
    else if (strcmp(opts, "rw") == 0 || strcmp(opts, "ro") == 0)
        opts = NULL;
    h->options = opts;
    return true;
}

/* Whether the comma-separated `list` holds `item` (`n` bytes). */
static bool list_has(const char *list, const char *item, size_t n)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, item, n) == 0)
            return true;
        p += len;
        p += *p == ',';
    }
    return false;
}

/* Whether the /proc/self/cgroup line's controllers `ctrls` are those of
 * hierarchy `h`: "" for cgroup2, each of them among the super options
 * ("cpu,cpuacct", "name=systemd") for v1. */
static bool is_line_of(const struct hierarchy *h, const char *id, const char *ctrls)
{
    if (strcmp(h->fstype, "cgroup2") == 0)
        return strcmp(id, "0") == 0 && ctrls[0] == '\0';
    if (ctrls[0] == '\0')
        return false;
    for (const char *p = ctrls; *p;) {
        size_t len = strcspn(p, ",");
        if (!list_has(h->options, p, len))
            return false;
        p += len;
        p += *p == ',';
    }
    return true;
}

/* /proc/self/cgroup, read once per mount: each line split into its
 * hierarchy id, its controllers and the calling process's cgroup there. */
struct own_line {
    char *id; /* the line itself, cut after each field */
    const char *ctrls;
    const char *path;
};
struct own_cgroups {
    struct own_line *line;
    size_t n;
};

static void own_cgroups_clear(struct own_cgroups *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->line[i].id);
    free(o->line);
    *o = (struct own_cgroups){0};
}
#define _cleanup_own_cgroups_ __attribute__((cleanup(own_cgroups_clear)))

/* Keep `text` (one line, taken over) in `o` if it has the three fields. */
static int own_cgroups_add(struct own_cgroups *o, char *text)
{
    text[strcspn(text, "\n")] = '\0';
    char *ctrls = strchr(text, ':'), *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
    if (path == NULL) {
        free(text);
        return 0;
    }
    struct own_line *more = realloc(o->line, (o->n + 1) * sizeof(*more));
    if (more == NULL) {
        free(text);
        return -1;
    }
    *ctrls++ = '\0';
    *path++ = '\0';
    o->line = more;
    o->line[o->n++] = (struct own_line){.id = text, .ctrls = ctrls, .path = path};
    return 0;
}

static int read_own_cgroups(struct own_cgroups *o, vd_error **err)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
    if (f == NULL)
        return vd_error_set(err, errno, "open \"/proc/self/cgroup\"");
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (own_cgroups_add(o, line) < 0)
            return vd_error_set(err, ENOMEM, "read \"/proc/self/cgroup\"");
        line = NULL;
        cap = 0;
    }
    free(line);
    return 0;
}

/* The host path of the calling process's own cgroup in hierarchy `h`:
 * its /proc/self/cgroup path (in `own`), relative to the mount's root,
 * under the mount point. */
static int own_cgroup_dir(const struct own_cgroups *own, const struct hierarchy *h, char *out,
                          size_t size, vd_error **err)
{
    for (size_t i = 0; i < own->n; i++) {
        const struct own_line *l = &own->line[i];
        if (!is_line_of(h, l->id, l->ctrls))
            continue;
        size_t n = strcmp(h->root, "/") == 0 ? 0 : strlen(h->root);
        if (strncmp(l->path, h->root, n) != 0 || (l->path[n] != '/' && l->path[n] != '\0'))
            return vd_error_set(err, ENOENT,
                                "the cgroup \"%s\" is outside the host's mount "
                                "\"%s\" (root \"%s\")",
                                l->path, h->point, h->root);
        snprintf(out, size, "%s%s", h->point, l->path + n);
        return 0;
    }
    return vd_error_set(err, ENOENT, "no line of \"/proc/self/cgroup\" for the hierarchy at \"%s\"",
                        h->point);
}

/* The bind on `top` (the new mount, opened after it was made: the fd of
 * the mount point names what is under) takes the mount's flags. */
static int remount_bind(int top, const char *dest, unsigned long flags, vd_error **err)
{
    char target[FD_PATH_MAX];
    fd_path(top, target);
    if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags | vd_locked_flags(target), NULL) < 0)
        return vd_error_set(err, errno, "remount \"%s\" with its options", dest);
    return 0;
}

/* Bind the container's own cgroup directory of `h` on `target` (`dest`). */
static int bind_own_cgroup(const struct own_cgroups *own, const struct hierarchy *h,
                           const char *dest, const char *target, vd_error **err)
{
    char dir[4096];
    if (own_cgroup_dir(own, h, dir, sizeof(dir), err) < 0)
        return vd_error_prefix(err, "mount \"%s\"", dest);
    if (mount(dir, target, NULL, MS_BIND, NULL) < 0)
        return vd_error_set(err, errno, "bind \"%s\" on \"%s\"", dir, dest);
    return 0;
}

/* What each hierarchy of one mount of type "cgroup" works from. */
struct cgroup_tmpfs {
    const struct vd_mount_entry *m;
    int dir;                       /* the tmpfs at m->destination, resolved in the root */
    unsigned long flags;           /* each hierarchy's per-mount flags */
    bool own_ns;                   /* the container has a cgroup namespace of its own */
    const struct own_cgroups *own; /* without one, /proc/self/cgroup */
};

/* A fresh mount of `h` on `target` (0), or where the container lacks
 * privilege over the cgroup namespace (a new user namespace with the
 * host's cgroup namespace) the host's hierarchy bound there (1). */
static int mount_fresh(const struct cgroup_tmpfs *c, const struct hierarchy *h, const char *dest,
                       const char *target, vd_error **err)
{
    if (mount(h->fstype, target, h->fstype, c->flags, h->options) == 0)
        return 0;
    if (errno != EPERM)
        return vd_error_set(err, errno, "mount %s \"%s\" on \"%s\"", h->fstype,
                            h->options ? h->options : "", dest);
    if (mount(h->point, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return vd_error_set(err, errno, "bind \"%s\" on \"%s\"", h->point, dest);
    return 1;
}

/* Mount hierarchy `h` on its own directory of the cgroup tmpfs, made and
 * opened from the tmpfs's fd (a single component, no symlink followed). */
static int mount_hierarchy(const struct cgroup_tmpfs *c, const struct hierarchy *h, vd_error **err)
{
    char dest[4096];
    snprintf(dest, sizeof(dest), "%s/%s", c->m->destination, h->name);
    if (mkdirat(c->dir, h->name, 0755) < 0 && errno != EEXIST)
        return vd_error_set(err, errno, "create \"%s\"", dest);
    _cleanup_close_ int fd = vd_open_child(c->dir, h->name, O_PATH | O_DIRECTORY);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", dest);
    char target[FD_PATH_MAX];
    fd_path(fd, target);
    int bound;
    if (c->own_ns)
        bound = mount_fresh(c, h, dest, target, err);
    else
        bound = bind_own_cgroup(c->own, h, dest, target, err) < 0 ? -1 : 1;
    if (bound <= 0)
        return bound;
    _cleanup_close_ int top = vd_open_child(c->dir, h->name, O_PATH | O_DIRECTORY);
    if (top < 0)
        return vd_error_set(err, errno, "open \"%s\"", dest);
    return remount_bind(top, dest, c->flags, err);
}

/* A hierarchy that holds several controllers ("cpu,cpuacct") is reached
 * by each of their names too, as on the host: cpu -> cpu,cpuacct. */
static int link_controllers(const struct cgroup_tmpfs *c, const char *name, vd_error **err)
{
    if (strchr(name, ',') == NULL)
        return 0;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, ",");
        char link[256];
        snprintf(link, sizeof(link), "%.*s", (int)len, p);
        if (strchr(link, '=') == NULL && symlinkat(name, c->dir, link) < 0 && errno != EEXIST)
            return vd_error_set(err, errno, "symlink \"%s/%s\" to \"%s\"", c->m->destination, link,
                                name);
        p += len;
        p += *p == ',';
    }
    return 0;
}

/* A mount of type "cgroup2" without a cgroup namespace of the container's
 * own: its directory of the host's cgroup2 hierarchy (at /sys/fs/cgroup,
 * or under it on a hybrid host) bound on `target`. */
int vd_mount_cgroup2_own(int root_fd, const struct vd_mount_entry *m, const char *target,
                         vd_error **err)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return vd_error_set(err, errno, "open \"/proc/self/mountinfo\"");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    unsigned long flags = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_RELATIME);
    while (getline(&line, &cap, f) > 0) {
        struct hierarchy h;
        if (!parse_hierarchy(line, &h) || strcmp(h.fstype, "cgroup2") != 0)
            continue;
        _cleanup_own_cgroups_ struct own_cgroups own = {0};
        if (read_own_cgroups(&own, err) < 0 ||
            bind_own_cgroup(&own, &h, m->destination, target, err) < 0)
            return -1;
        _cleanup_close_ int top = vd_open_in_root(root_fd, m->destination, false, false, err);
        if (top < 0)
            return -1;
        return remount_bind(top, m->destination, flags, err);
    }
    return vd_error_set(err, ENOENT,
                        "mount \"%s\": the host has no cgroup2 mount under "
                        "\"/sys/fs/cgroup\"",
                        m->destination);
}

/* The per-mount flags of `flags` (MS_*) as fsmount(2)'s MOUNT_ATTR_*. */
static unsigned int mount_attrs(unsigned long flags)
{
    return (flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) |
           (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) | (flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) |
           (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

/* A fresh cgroup2 mount made detached (fsopen/fsmount, Linux 5.2) and
 * moved onto `target`.  Where `target` is the root of a cgroup2 mount
 * already -- the host's, under /sys bound from the host in a rootless
 * container -- mount(2) refuses the same file system on the same mount
 * point (EBUSY); a move puts it on top. */
static int mount_cgroup2_moved(const struct vd_mount_entry *m, const char *target, vd_error **err)
{
    _cleanup_close_ int fs = vd_sys_fsopen("cgroup2", FSOPEN_CLOEXEC);
    if (fs < 0)
        return vd_error_set(err, errno, "fsopen cgroup2 for \"%s\"", m->destination);
    if (vd_sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return vd_error_set(err, errno, "create a cgroup2 mount for \"%s\"", m->destination);
    _cleanup_close_ int mnt = vd_sys_fsmount(fs, FSMOUNT_CLOEXEC, mount_attrs(m->flags));
    if (mnt < 0)
        return vd_error_set(err, errno, "fsmount cgroup2 for \"%s\"", m->destination);
    _cleanup_close_ int dest = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dest < 0)
        return vd_error_set(err, errno, "open \"%s\"", m->destination);
    if (vd_sys_move_mount(mnt, "", dest, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return vd_error_set(err, errno, "move a cgroup2 mount onto \"%s\"", m->destination);
    return 0;
}

/* Options (m->data) are for mount(2) alone: with them, its EBUSY stands. */
int vd_mount_cgroup2_new(const struct vd_mount_entry *m, const char *target, vd_error **err)
{
    const char *data = m->data && m->data[0] ? m->data : NULL;
    if (mount(m->source ? m->source : "cgroup2", target, "cgroup2", m->flags, data) == 0)
        return 0;
    if (errno == EBUSY && data == NULL)
        return mount_cgroup2_moved(m, target, err);
    return vd_error_set(err, errno, "mount cgroup2 %s%son \"%s\"", data ? data : "",
                        data ? " " : "", m->destination);
}

/* A cgroup2-only host: /sys/fs/cgroup itself, fresh in a namespace of the
 * container's own, else the container's directory bound. */
static int mount_unified(int root_fd, const struct vd_mount_entry *m, const char *target,
                         bool own_ns, vd_error **err)
{
    if (!own_ns)
        return vd_mount_cgroup2_own(root_fd, m, target, err);
    struct vd_mount_entry fresh = *m;
    fresh.source = NULL;
    fresh.data = NULL;
    return vd_mount_cgroup2_new(&fresh, target, err);
}

/* Each hierarchy of the host's /proc/self/mountinfo (`f`) under the
 * cgroup tmpfs, reached by each of its controllers' names. */
static int mount_hierarchies(const struct cgroup_tmpfs *c, FILE *f, vd_error **err)
{
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        struct hierarchy h;
        if (!parse_hierarchy(line, &h) || h.name[0] == '\0')
            continue;
        if (mount_hierarchy(c, &h, err) < 0 || link_controllers(c, h.name, err) < 0)
            return -1;
    }
    return 0;
}

int vd_mount_cgroup(int root_fd, const struct vd_mount_entry *m, const char *target, bool own_ns,
                    vd_error **err)
{
    if (host_has_cgroup2_only())
        return mount_unified(root_fd, m, target, own_ns, err);
    unsigned long flags = m->flags & ~(unsigned long)MS_RDONLY;
    if (mount("tmpfs", target, "tmpfs", flags, "mode=755") < 0)
        return vd_error_set(err, errno, "mount tmpfs for cgroups on \"%s\"", m->destination);
    _cleanup_close_ int dir = vd_open_in_root(root_fd, m->destination, false, false, err);
    if (dir < 0)
        return -1;
    _cleanup_own_cgroups_ struct own_cgroups own = {0};
    if (!own_ns && read_own_cgroups(&own, err) < 0)
        return -1;
    const struct cgroup_tmpfs c = {
        .m = m,
        .dir = dir,
        .flags = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_RELATIME),
        .own_ns = own_ns,
        .own = &own,
    };
    _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return vd_error_set(err, errno, "open \"/proc/self/mountinfo\"");
    if (mount_hierarchies(&c, f, err) < 0)
        return -1;
    if (!(m->flags & MS_RDONLY))
        return 0;
    char top_path[FD_PATH_MAX];
    fd_path(dir, top_path);
    if (mount(NULL, top_path, NULL, MS_REMOUNT | MS_RDONLY | flags, "mode=755") < 0)
        return vd_error_set(err, errno, "remount \"%s\" read-only", m->destination);
    return 0;
}
