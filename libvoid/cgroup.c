/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's control group: where it is, made and removed, who is in
 * it, frozen and signalled as a whole.  (Resources: cgroup_resources.c;
 * which hierarchies the host has, and where: cgroup_host.c; how the init
 * is put in it: cgroup_join.c.)
 *
 * A host has cgroup v1 hierarchies (one or a few controllers each), one
 * cgroup2 hierarchy, or both (hybrid: v1 controllers plus a cgroup2 mount
 * that holds only what no v1 hierarchy took, hugetlb on our machines).  We
 * make the container's directory in every mounted hierarchy, as runc does:
 * the cgroup2 one too on a hybrid host, so that its processes are tracked
 * there as well (cgroup.kill) and its controllers can be used.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"

/* How long destroy retries a busy directory, and freeze waits. */
#define CG_RETRY_MS 2000

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- the handle ----------------------------------------------------------- */

void vd_cgroup_free(vd_cgroup *cg)
{
    if (cg == NULL)
        return;
    for (size_t i = 0; i < cg->n_dirs; i++) {
        free(cg->dirs[i].path);
        free(cg->dirs[i].controllers);
    }
    free(cg->dirs);
    free(cg);
}

const char *vd_cgroup_dir(const vd_cgroup *cg, size_t i)
{
    return i < cg->n_dirs ? cg->dirs[i].path : NULL;
}

enum vd_cgroup_layout vd_cgroup_get_layout(const vd_cgroup *cg)
{
    return cg->layout;
}

const struct vd_cgroup_dir *vd_cgroup_v2_dir(const vd_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].v2)
            return &cg->dirs[i];
    return NULL;
}

bool vd_cgroup_has_file(const struct vd_cgroup_dir *d, const char *file)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", d->path, file);
    return access(path, F_OK) == 0;
}

/* Read a small cgroup file into buf, without the trailing newline. */
static int read_small(const char *dir, const char *file, char *buf, size_t size, vd_error **err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    ssize_t n;
    do
        n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return vd_error_set(err, errno, "read \"%s\"", path);
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n')
        buf[n - 1] = '\0';
    return 0;
}

const struct vd_cgroup_dir *vd_cgroup_dir_for(const vd_cgroup *cg, const char *controller)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (!cg->dirs[i].v2 && vd_cgroup_list_has(cg->dirs[i].controllers, controller, ','))
            return &cg->dirs[i];
    const struct vd_cgroup_dir *d = vd_cgroup_v2_dir(cg);
    char have[512];
    if (d && read_small(d->path, "cgroup.controllers", have, sizeof(have), NULL) == 0 &&
        vd_cgroup_list_has(have, controller, ' '))
        return d;
    return NULL;
}

int vd_cgroup_write(const struct vd_cgroup_dir *d, const char *file, const char *text,
                    vd_error **err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", d->path, file) >= (int)sizeof(path))
        return vd_error_set(err, ENAMETOOLONG, "cgroup file \"%s/%s\"", d->path, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return vd_error_set(err, ENOENT, "%s: the kernel has no such cgroup file (\"%s\")", file,
                            path);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    int r = vd_write_text(fd, text);
    if (r < 0)
        return vd_error_set(err, -r, "write \"%s\" to \"%s\"", text, path);
    return 0;
}

/* ---- create --------------------------------------------------------------- */

/* Offer every controller of `dir` to its children (v2): they get the
 * files only if the parent lists them in cgroup.subtree_control.  One at
 * a time, and a refusal is not fatal here: a controller that stays off
 * makes the write that needs it fail, naming the field.
 * A cgroup other than the root that holds processes is left alone: the
 * kernel would refuse the domain controllers (no internal processes) but
 * take the threaded ones, which turns it into a thread root under which
 * no container can be placed (clone3 fails with EOPNOTSUPP), and it is
 * not ours to change. */
static void enable_subtree(const char *dir, bool is_root)
{
    char have[512], on[512], procs[16];
    if (!is_root && (read_small(dir, "cgroup.procs", procs, sizeof(procs), NULL) < 0 || procs[0]))
        return;
    if (read_small(dir, "cgroup.controllers", have, sizeof(have), NULL) < 0 ||
        read_small(dir, "cgroup.subtree_control", on, sizeof(on), NULL) < 0)
        return;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir) >= (int)sizeof(path))
        return;
    char *save = NULL;
    for (char *t = strtok_r(have, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (vd_cgroup_list_has(on, t, ' '))
            continue;
        char text[80];
        snprintf(text, sizeof(text), "+%s", t);
        vd_write_file(path, text, NULL);
    }
}

/* A new v1 cpuset cgroup starts with no cpus and no mems, and nothing can
 * join it: give it its parent's. */
static int fill_cpuset(const char *parent, const char *dir, vd_error **err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (size_t i = 0; i < VD_ARRAY_SIZE(files); i++) {
        char mine[4096], theirs[4096];
        if (read_small(dir, files[i], mine, sizeof(mine), err) < 0)
            return -1;
        if (mine[0])
            continue;
        if (read_small(parent, files[i], theirs, sizeof(theirs), err) < 0)
            return -1;
        struct vd_cgroup_dir d = {.path = (char *)dir};
        if (vd_cgroup_write(&d, files[i], theirs, err) < 0)
            return -1;
    }
    return 0;
}

/* mkdir -p of `rel` under `base`; *made: the last component is new. */
static int make_path(const struct vd_cgroup_hierarchy *h, const char *base, const char *rel, bool *made,
                     vd_error **err)
{
    char cur[PATH_MAX];
    snprintf(cur, sizeof(cur), "%s", base);
    _cleanup_free_ char *copy = strdup(rel);
    if (copy == NULL)
        return vd_error_set(err, ENOMEM, "cgroup \"%s\"", rel);
    bool cpuset = !h->v2 && vd_cgroup_list_has(h->controllers, "cpuset", ',');
    char *save = NULL;
    *made = false;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
            return vd_error_set(err, EINVAL, "cgroup path \"%s\": no \".\" or \"..\"", rel);
        if (h->v2)
            enable_subtree(cur, strcmp(cur, h->mount) == 0);
        char next[PATH_MAX];
        if (snprintf(next, sizeof(next), "%s/%s", cur, t) >= (int)sizeof(next))
            return vd_error_set(err, ENAMETOOLONG, "cgroup \"%s\"", rel);
        *made = mkdir(next, 0755) == 0;
        if (!*made && errno != EEXIST)
            return vd_error_set(err, errno, "create cgroup \"%s\"", next);
        if (*made && cpuset && fill_cpuset(cur, next, err) < 0) {
            rmdir(next);
            *made = false;
            return -1;
        }
        memcpy(cur, next, sizeof(cur));
    }
    return 0;
}

static int add_dir(vd_cgroup *cg, const struct vd_cgroup_hierarchy *h, char *path, vd_error **err)
{
    struct vd_cgroup_dir *d = vd_array_append(&cg->dirs, &cg->n_dirs, sizeof(*cg->dirs), err);
    if (d == NULL) {
        free(path);
        return -1;
    }
    d->path = path;
    d->v2 = h->v2;
    d->controllers = strdup(h->controllers);
    if (d->controllers == NULL)
        return vd_error_set(err, ENOMEM, "cgroup \"%s\"", path);
    return 0;
}

/* `path` in every hierarchy: made (vd_cgroup_create), or only those
 * directories that exist already (vd_cgroup_find). */
static int resolve(const char *path, bool make, vd_cgroup **out, vd_error **err)
{
    if (path == NULL || path[0] == '\0')
        return vd_error_set(err, EINVAL, "cgroup path: empty");
    struct vd_cgroup_hierarchies h = {0};
    vd_cgroup *cg = calloc(1, sizeof(*cg));
    if (cg == NULL)
        return vd_error_set(err, ENOMEM, "cgroup \"%s\"", path);
    int r = vd_cgroup_host_hierarchies(&h, err);
    if (r == 0 && path[0] != '/')
        r = vd_cgroup_host_own(&h, err);
    if (r == 0)
        cg->layout = vd_cgroup_layout_of(&h);
    for (size_t i = 0; r == 0 && i < h.n; i++) {
        const struct vd_cgroup_hierarchy *e = &h.v[i];
        const char *own = path[0] == '/' ? "" : e->own ? e->own : "/";
        char *base = NULL, *full = NULL;
        if (asprintf(&base, "%s%s", e->mount, strcmp(own, "/") == 0 ? "" : own) < 0) {
            r = vd_error_set(err, ENOMEM, "cgroup \"%s\"", path);
            break;
        }
        bool made = false;
        if (make)
            r = make_path(e, base, path, &made, err);
        if (r == 0 && asprintf(&full, "%s%s%s", base, path[0] == '/' ? "" : "/", path) < 0)
            r = vd_error_set(err, ENOMEM, "cgroup \"%s\"", path);
        free(base);
        if (r == 0 && !make && access(full, F_OK) < 0) {
            free(full);
            continue;
        }
        if (r == 0 && (r = add_dir(cg, e, full, err)) == 0)
            cg->dirs[cg->n_dirs - 1].made = made;
        else if (made)
            rmdir(full); /* made, but not recorded */
    }
    vd_cgroup_hierarchies_clear(&h);
    if (r < 0) {
        vd_cgroup_destroy(cg, true, NULL);
        vd_cgroup_free(cg);
        return -1;
    }
    *out = cg;
    return 0;
}

int vd_cgroup_create(const char *path, vd_cgroup **out, vd_error **err)
{
    return resolve(path, true, out, err);
}

int vd_cgroup_find(const char *path, vd_cgroup **out, vd_error **err)
{
    return resolve(path, false, out, err);
}

struct vd_cgroup_host {
    struct vd_cgroup_hierarchies h;
};

int vd_cgroup_host_read(vd_cgroup_host **out, vd_error **err)
{
    vd_cgroup_host *host = calloc(1, sizeof(*host));
    if (host == NULL)
        return vd_error_set(err, ENOMEM, "read the cgroup mounts");
    if (vd_cgroup_host_hierarchies(&host->h, err) < 0) {
        vd_cgroup_host_free(host);
        return -1;
    }
    *out = host;
    return 0;
}

void vd_cgroup_host_free(vd_cgroup_host *host)
{
    if (host == NULL)
        return;
    vd_cgroup_hierarchies_clear(&host->h);
    free(host);
}

/* The cgroup of `dirs`, each in the hierarchy of `h` mounted where it is. */
static int open_over(const struct vd_cgroup_hierarchies *h, const char *const *dirs, size_t n,
                     vd_cgroup **out, vd_error **err)
{
    vd_cgroup *cg = calloc(1, sizeof(*cg));
    if (cg == NULL)
        return vd_error_set(err, ENOMEM, "open the cgroup");
    cg->layout = vd_cgroup_layout_of(h);
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        const struct vd_cgroup_hierarchy *found = NULL;
        for (size_t k = 0; k < h->n; k++) {
            size_t len = strlen(h->v[k].mount);
            if (strncmp(dirs[i], h->v[k].mount, len) == 0 && dirs[i][len] == '/')
                found = &h->v[k];
        }
        if (found == NULL) {
            r = vd_error_set(err, ENOENT, "cgroup \"%s\": in no mounted hierarchy", dirs[i]);
            break;
        }
        char *copy = strdup(dirs[i]);
        r = copy ? add_dir(cg, found, copy, err) : vd_error_set(err, ENOMEM, "open the cgroup");
    }
    if (r < 0) {
        vd_cgroup_free(cg);
        return -1;
    }
    *out = cg;
    return 0;
}

int vd_cgroup_open_in(const vd_cgroup_host *host, const char *const *dirs, size_t n,
                      vd_cgroup **out, vd_error **err)
{
    return open_over(&host->h, dirs, n, out, err);
}

int vd_cgroup_open_at(const char *root, const char *const *dirs, size_t n, vd_cgroup **out,
                      vd_error **err)
{
    struct vd_cgroup_hierarchies h = {0};
    int r = root ? vd_cgroup_hierarchies_at(root, &h, err) : vd_cgroup_host_hierarchies(&h, err);
    if (r == 0)
        r = open_over(&h, dirs, n, out, err);
    vd_cgroup_hierarchies_clear(&h);
    return r < 0 ? -1 : 0;
}

int vd_cgroup_open(const char *const *dirs, size_t n, vd_cgroup **out, vd_error **err)
{
    return vd_cgroup_open_at(NULL, dirs, n, out, err);
}

/* ---- sub-cgroups (exec --cgroup) ------------------------------------------- */

/* `d` has one of the comma-separated `controllers`. */
static bool dir_has_any(const struct vd_cgroup_dir *d, const char *controllers)
{
    char have[512] = "";
    if (d->v2 && read_small(d->path, "cgroup.controllers", have, sizeof(have), NULL) < 0)
        return false;
    _cleanup_free_ char *copy = strdup(controllers);
    char *save = NULL;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
        if (d->v2 ? vd_cgroup_list_has(have, t, ' ') : vd_cgroup_list_has(d->controllers, t, ','))
            return true;
    return false;
}

static const char *sub_path_for(const struct vd_cgroup_dir *d, const struct vd_cgroup_sub *subs,
                                size_t n)
{
    const char *others = NULL;
    for (size_t i = 0; i < n; i++) {
        if (subs[i].controllers == NULL)
            others = others ? others : subs[i].path;
        else if (dir_has_any(d, subs[i].controllers))
            return subs[i].path;
    }
    return others;
}

static int check_sub(const vd_cgroup *cg, const struct vd_cgroup_sub *s, vd_error **err)
{
    const char *p = s->path;
    if (p == NULL || p[0] == '\0' || p[0] == '/')
        return vd_error_set(err, EINVAL, "sub-cgroup \"%s\": must be a relative path",
                            p ? p : "");
    for (const char *c = p; *c;) {
        size_t len = strcspn(c, "/");
        if (len == 2 && strncmp(c, "..", 2) == 0)
            return vd_error_set(err, EINVAL, "sub-cgroup \"%s\": must stay inside the cgroup", p);
        c += len + strspn(c + len, "/");
    }
    if (s->controllers == NULL)
        return 0;
    if (cg->layout == VD_CGROUP_V2)
        return vd_error_set(err, EINVAL, "sub-cgroup \"%s:%s\": cgroup v2 has one hierarchy: "
                            "name no controller", s->controllers, p);
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (dir_has_any(&cg->dirs[i], s->controllers))
            return 0;
    return vd_error_set(err, ENOENT, "sub-cgroup \"%s:%s\": the cgroup has no such controller",
                        s->controllers, p);
}

int vd_cgroup_open_sub(const vd_cgroup *cg, const struct vd_cgroup_sub *subs, size_t n,
                       vd_cgroup **out, vd_error **err)
{
    for (size_t i = 0; i < n; i++)
        if (check_sub(cg, &subs[i], err) < 0)
            return -1;
    vd_cgroup *sub = calloc(1, sizeof(*sub));
    if (sub == NULL)
        return vd_error_set(err, ENOMEM, "open the sub-cgroup");
    sub->layout = cg->layout;
    int r = 0;
    for (size_t i = 0; r == 0 && i < cg->n_dirs; i++) {
        const struct vd_cgroup_dir *d = &cg->dirs[i];
        const char *rel = sub_path_for(d, subs, n);
        char *path = NULL;
        struct stat st;
        if (asprintf(&path, "%s%s%s", d->path, rel ? "/" : "", rel ? rel : "") < 0) {
            r = vd_error_set(err, ENOMEM, "open the sub-cgroup");
            break;
        }
        int bad = stat(path, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
        if (bad) {
            r = vd_error_set(err, bad, "sub-cgroup \"%s\": \"%s\"", rel ? rel : "", path);
            free(path);
            break;
        }
        struct vd_cgroup_hierarchy h = {.v2 = d->v2, .controllers = d->controllers};
        r = add_dir(sub, &h, path, err);
    }
    if (r < 0) {
        vd_cgroup_free(sub);
        return -1;
    }
    *out = sub;
    return 0;
}

/* ---- members -------------------------------------------------------------- */

/* The directory whose cgroup.procs tells who is in: the freezer's on v1
 * (the one pause uses), else the first. */
static const struct vd_cgroup_dir *main_dir(const vd_cgroup *cg)
{
    if (cg->layout == VD_CGROUP_V2 && vd_cgroup_v2_dir(cg))
        return vd_cgroup_v2_dir(cg);
    const struct vd_cgroup_dir *d = vd_cgroup_dir_for(cg, "freezer");
    if (d)
        return d;
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (!cg->dirs[i].v2)
            return &cg->dirs[i];
    return cg->n_dirs ? &cg->dirs[0] : NULL;
}

struct pid_list {
    pid_t *v;
    size_t n;
};

static int read_procs(const char *dir, struct pid_list *l, vd_error **err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    if (f == NULL)
        return errno == ENOENT ? 0 : vd_error_set(err, errno, "open \"%s\"", path);
    int pid;
    while (fscanf(f, "%d", &pid) == 1) {
        pid_t *e = vd_array_append(&l->v, &l->n, sizeof(*l->v), err);
        if (e == NULL)
            return -1;
        *e = pid;
    }
    return 0;
}

/* cgroup.procs of `dir` and of every cgroup under it. */
static int collect_pids(const char *dir, struct pid_list *l, int depth, vd_error **err)
{
    if (read_procs(dir, l, err) < 0)
        return -1;
    DIR *d = depth < 32 ? opendir(dir) : NULL;
    if (d == NULL)
        return 0;
    int r = 0;
    struct dirent *de;
    while (r == 0 && (de = readdir(d)) != NULL) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < (int)sizeof(sub))
            r = collect_pids(sub, l, depth + 1, err);
    }
    closedir(d);
    return r;
}

static int compare_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

int vd_cgroup_pids(const vd_cgroup *cg, pid_t **pids, size_t *n, vd_error **err)
{
    struct pid_list l = {0};
    const struct vd_cgroup_dir *d = main_dir(cg);
    if (d && collect_pids(d->path, &l, 0, err) < 0) {
        free(l.v);
        return -1;
    }
    if (l.n)
        qsort(l.v, l.n, sizeof(*l.v), compare_pid);
    *pids = l.v ? l.v : calloc(1, sizeof(pid_t));
    *n = l.n;
    if (*pids == NULL)
        return vd_error_set(err, ENOMEM, "list the cgroup's processes");
    return 0;
}

/* ---- freezer -------------------------------------------------------------- */

/* The freezer: v1's freezer hierarchy (also on a hybrid host), else the
 * cgroup2 directory.  *v2 says which. */
static const struct vd_cgroup_dir *freezer_dir(const vd_cgroup *cg, bool *v2, vd_error **err)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (!cg->dirs[i].v2 && vd_cgroup_list_has(cg->dirs[i].controllers, "freezer", ',')) {
            *v2 = false;
            return &cg->dirs[i];
        }
    const struct vd_cgroup_dir *d = vd_cgroup_v2_dir(cg);
    if (d && vd_cgroup_has_file(d, "cgroup.freeze")) {
        *v2 = true;
        return d;
    }
    vd_error_set(err, ENOTSUP, "the host has no cgroup freezer (no v1 freezer hierarchy, no "
                               "cgroup.freeze)");
    return NULL;
}

/* v2: "frozen 0|1" of cgroup.events. */
static int v2_events_frozen(const char *dir, bool *frozen, vd_error **err)
{
    char buf[512];
    if (read_small(dir, "cgroup.events", buf, sizeof(buf), err) < 0)
        return -1;
    const char *p = strstr(buf, "frozen ");
    *frozen = p && p[7] == '1';
    return 0;
}

int vd_cgroup_is_frozen(const vd_cgroup *cg, bool *frozen, vd_error **err)
{
    bool v2;
    const struct vd_cgroup_dir *d = freezer_dir(cg, &v2, err);
    if (d == NULL)
        return -1;
    char buf[64];
    if (read_small(d->path, v2 ? "cgroup.freeze" : "freezer.state", buf, sizeof(buf), err) < 0)
        return -1;
    /* FREEZING counts: the container was asked to pause. */
    *frozen = v2 ? strcmp(buf, "1") == 0 : strcmp(buf, "THAWED") != 0;
    return 0;
}

int vd_cgroup_freeze(const vd_cgroup *cg, bool frozen, vd_error **err)
{
    bool v2;
    const struct vd_cgroup_dir *d = freezer_dir(cg, &v2, err);
    if (d == NULL)
        return -1;
    const char *file = v2 ? "cgroup.freeze" : "freezer.state";
    const char *want = v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
    /* v1 may stay FREEZING while a task is busy in the kernel: writing
     * FROZEN again retries it, as runc does. */
    for (int waited = 0; waited <= CG_RETRY_MS; waited++) {
        if (waited % 50 == 0 && vd_cgroup_write(d, file, want, err) < 0)
            return -1;
        bool done;
        if (v2) {
            bool now;
            if (v2_events_frozen(d->path, &now, err) < 0)
                return -1;
            done = now == frozen;
        } else {
            char buf[64];
            if (read_small(d->path, "freezer.state", buf, sizeof(buf), err) < 0)
                return -1;
            done = strcmp(buf, want) == 0;
        }
        if (done)
            return 0;
        sleep_ms(1);
    }
    if (frozen) /* do not leave it half frozen */
        vd_cgroup_write(d, file, v2 ? "0" : "THAWED", NULL);
    return vd_error_set(err, EBUSY, "cgroup \"%s\": not %s after %d ms", d->path,
                        frozen ? "frozen" : "thawed", CG_RETRY_MS);
}

/* ---- signals -------------------------------------------------------------- */

static int signal_listed(const vd_cgroup *cg, int sig, size_t *signalled, vd_error **err)
{
    pid_t *pids = NULL;
    size_t n = 0;
    if (vd_cgroup_pids(cg, &pids, &n, err) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n; i++)
        if (kill(pids[i], sig) < 0 && errno != ESRCH && r == 0)
            r = vd_error_set(err, errno, "send signal %d to pid %d", sig, (int)pids[i]);
    free(pids);
    *signalled = n;
    return r;
}

int vd_cgroup_kill(const vd_cgroup *cg, int sig, vd_error **err)
{
    const struct vd_cgroup_dir *v2 = vd_cgroup_v2_dir(cg);
    if (sig == SIGKILL && v2 && vd_cgroup_has_file(v2, "cgroup.kill")) {
        if (vd_cgroup_write(v2, "cgroup.kill", "1", err) < 0)
            return -1;
        /* A task frozen (paused, or the v1 freezer of a hybrid host) dies
         * only once thawed. */
        bool frozen = false;
        if (vd_cgroup_is_frozen(cg, &frozen, NULL) == 0 && frozen)
            return vd_cgroup_freeze(cg, false, err);
        return 0;
    }
    /* Frozen, nothing forks between the listing and the signals.  A
     * container paused by the user stays paused, except under SIGKILL: a
     * frozen task cannot die, so it is thawed to let the kill land. */
    bool was_frozen = false, can_freeze = vd_cgroup_is_frozen(cg, &was_frozen, NULL) == 0;
    if (can_freeze && !was_frozen && vd_cgroup_freeze(cg, true, err) < 0)
        return -1;
    size_t n = 0;
    int r = signal_listed(cg, sig, &n, err);
    bool thaw = can_freeze && (!was_frozen || sig == SIGKILL);
    if (thaw && vd_cgroup_freeze(cg, false, r < 0 ? NULL : err) < 0)
        r = -1;
    /* Killed tasks leave once thawed; a fork that raced an unfrozen
     * listing is caught by the next round. */
    for (int round = 0; r == 0 && sig == SIGKILL && n && round < CG_RETRY_MS / 10; round++) {
        sleep_ms(10);
        r = signal_listed(cg, sig, &n, err);
    }
    return r;
}

/* ---- destroy -------------------------------------------------------------- */

/* rmdir `dir` after the cgroups under it; retried while busy. */
static int remove_tree(const char *dir, int depth, vd_error **err)
{
    DIR *d = depth < 32 ? opendir(dir) : NULL;
    if (d == NULL && errno == ENOENT)
        return 0;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_type != DT_DIR || de->d_name[0] == '.')
                continue;
            char sub[PATH_MAX];
            if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < (int)sizeof(sub) &&
                remove_tree(sub, depth + 1, err) < 0) {
                closedir(d);
                return -1;
            }
        }
        closedir(d);
    }
    for (int waited = 0;; waited += 10) {
        if (rmdir(dir) == 0 || errno == ENOENT)
            return 0;
        if (errno != EBUSY || waited >= CG_RETRY_MS)
            return vd_error_set(err, errno, "remove cgroup \"%s\"", dir);
        sleep_ms(10);
    }
}

int vd_cgroup_destroy(vd_cgroup *cg, bool only_made, vd_error **err)
{
    int r = 0;
    for (size_t i = 0; i < cg->n_dirs; i++) {
        if (only_made && !cg->dirs[i].made)
            continue;
        if (remove_tree(cg->dirs[i].path, 0, r < 0 ? NULL : err) < 0)
            r = -1;
    }
    return r;
}

void vd_builder_set_cgroup(vd_builder *b, const vd_cgroup *cg)
{
    b->cgroup = cg;
}
