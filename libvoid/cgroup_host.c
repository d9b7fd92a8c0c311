/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host's cgroups: which hierarchies there are and where (cgroup v1,
 * cgroup2, or both: hybrid), and the caller's own cgroup in each.  Read
 * from /proc/self/mountinfo and /proc/self/cgroup, or from a directory laid
 * out as /sys/fs/cgroup is (vd_cgroup_hierarchies_at), so that a test can
 * stand in for the host.  What is done in a cgroup: cgroup.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_internal.h"

void vd_cgroup_hierarchies_clear(struct vd_cgroup_hierarchies *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].mount);
        free(h->v[i].controllers);
        free(h->v[i].own);
    }
    free(h->v);
    *h = (struct vd_cgroup_hierarchies){0};
}

/* The super options of a v1 mount that are controllers, comma separated. */
static char *v1_controllers(const char *super)
{
    static const char *const not_controllers[] = {"rw", "ro", "noprefix", "xattr",
                                                  "clone_children", "cpuset_v2_mode"};
    _cleanup_free_ char *copy = strdup(super);
    char *out = calloc(1, strlen(super) + 1);
    if (copy == NULL || out == NULL) {
        free(out);
        return NULL;
    }
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        bool skip = strncmp(t, "release_agent=", 14) == 0;
        for (size_t i = 0; i < VD_ARRAY_SIZE(not_controllers); i++)
            skip = skip || strcmp(t, not_controllers[i]) == 0;
        if (skip)
            continue;
        if (out[0])
            strcat(out, ",");
        strcat(out, t);
    }
    return out;
}

bool vd_cgroup_list_has(const char *list, const char *name, char sep)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, sep);
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, len) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Mount points of the cgroup hierarchies, one per hierarchy (a hierarchy
 * mounted twice is the same device). */
static int read_mountinfo(struct vd_cgroup_hierarchies *h, vd_error **err)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return vd_error_set(err, errno, "open \"/proc/self/mountinfo\"");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    char seen[64][16];
    size_t n_seen = 0;
    while (getline(&line, &cap, f) > 0) {
        char dev[16], mnt[PATH_MAX], fstype[32], super[1024];
        char *dash = strstr(line, " - ");
        /* Most lines are other mounts: their type is checked before any
         * sscanf (both types start with "cgroup"). */
        if (dash == NULL || strncmp(dash + 3, "cgroup", 6) != 0)
            continue;
        if (sscanf(line, "%*s %*s %15s %*s %4095s", dev, mnt) != 2 ||
            sscanf(dash + 3, "%31s %*s %1023s", fstype, super) != 2)
            continue;
        bool v2 = strcmp(fstype, "cgroup2") == 0;
        if (!v2 && strcmp(fstype, "cgroup") != 0)
            continue;
        bool dup = false;
        for (size_t i = 0; i < n_seen; i++)
            dup = dup || strcmp(seen[i], dev) == 0;
        if (dup || n_seen == VD_ARRAY_SIZE(seen))
            continue;
        snprintf(seen[n_seen++], sizeof(seen[0]), "%s", dev);
        struct vd_cgroup_hierarchy *e = vd_array_append(&h->v, &h->n, sizeof(*h->v), err);
        if (e == NULL)
            return -1;
        e->v2 = v2;
        e->mount = strdup(mnt);
        e->controllers = v2 ? strdup("") : v1_controllers(super);
        if (e->mount == NULL || e->controllers == NULL)
            return vd_error_set(err, ENOMEM, "read the cgroup mounts");
    }
    return 0;
}

/* "N:controllers:path" lines of /proc/self/cgroup. */
int vd_cgroup_host_own(struct vd_cgroup_hierarchies *h, vd_error **err)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
    if (f == NULL)
        return vd_error_set(err, errno, "open \"/proc/self/cgroup\"");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        const char *ctrls = c1 + 1, *path = c2 + 1;
        for (size_t i = 0; i < h->n; i++) {
            struct vd_cgroup_hierarchy *e = &h->v[i];
            bool match;
            if (e->v2) {
                match = ctrls[0] == '\0';
            } else {
                /* The first controller this line names tells the hierarchy. */
                char first[64];
                snprintf(first, sizeof(first), "%.*s", (int)strcspn(ctrls, ","), ctrls);
                match = first[0] && vd_cgroup_list_has(e->controllers, first, ',');
            }
            if (match && e->own == NULL && (e->own = strdup(path)) == NULL)
                return vd_error_set(err, ENOMEM, "read \"/proc/self/cgroup\"");
        }
    }
    return 0;
}

enum vd_cgroup_layout vd_cgroup_layout_of(const struct vd_cgroup_hierarchies *h)
{
    bool v1 = false, v2 = false;
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i].v2)
            v2 = true;
        else if (strncmp(h->v[i].controllers, "name=", 5) != 0)
            v1 = true;
    }
    return v1 && v2 ? VD_CGROUP_HYBRID : v1 ? VD_CGROUP_V1 : VD_CGROUP_V2;
}

int vd_cgroup_host_hierarchies(struct vd_cgroup_hierarchies *h, vd_error **err)
{
    if (read_mountinfo(h, err) < 0)
        return -1;
    if (h->n == 0)
        return vd_error_set(err, ENOENT, "cgroups: no cgroup hierarchy is mounted");
    return 0;
}

int vd_cgroup_host_layout(enum vd_cgroup_layout *out, vd_error **err)
{
    struct vd_cgroup_hierarchies h = {0};
    int r = vd_cgroup_host_hierarchies(&h, err);
    if (r == 0)
        *out = vd_cgroup_layout_of(&h);
    vd_cgroup_hierarchies_clear(&h);
    return r;
}

/* One hierarchy at `dir` (its mount point), v2 or v1 with `controllers`. */
static int add_hierarchy(struct vd_cgroup_hierarchies *h, const char *dir, bool v2,
                         const char *controllers, vd_error **err)
{
    struct vd_cgroup_hierarchy *e = vd_array_append(&h->v, &h->n, sizeof(*h->v), err);
    if (e == NULL)
        return -1;
    e->v2 = v2;
    e->mount = strdup(dir);
    e->controllers = strdup(v2 ? "" : controllers);
    if (e->mount == NULL || e->controllers == NULL)
        return vd_error_set(err, ENOMEM, "cgroup hierarchy \"%s\"", dir);
    return 0;
}

static bool holds_file(const char *dir, const char *name, const char *file)
{
    char path[PATH_MAX];
    int n = name ? snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file)
                 : snprintf(path, sizeof(path), "%s/%s", dir, file);
    return n > 0 && (size_t)n < sizeof(path) && access(path, F_OK) == 0;
}

int vd_cgroup_hierarchies_at(const char *root, struct vd_cgroup_hierarchies *h, vd_error **err)
{
    if (holds_file(root, NULL, "cgroup.controllers"))
        return add_hierarchy(h, root, true, NULL, err);
    DIR *d = opendir(root);
    if (d == NULL)
        return vd_error_set(err, errno, "open cgroup root \"%s\"", root);
    int r = 0;
    struct dirent *de;
    while (r == 0 && (de = readdir(d)) != NULL) {
        /* Symlinks ("cpu" -> "cpu,cpuacct") name a hierarchy twice. */
        bool is_dir = de->d_type == DT_DIR;
        struct stat st;
        if (de->d_type == DT_UNKNOWN)
            is_dir = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                     S_ISDIR(st.st_mode);
        if (de->d_name[0] == '.' || !is_dir)
            continue;
        char dir[PATH_MAX];
        if (snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name) >= (int)sizeof(dir))
            r = vd_error_set(err, ENAMETOOLONG, "cgroup root \"%s\"", root);
        else
            r = add_hierarchy(h, dir, holds_file(root, de->d_name, "cgroup.controllers"),
                              de->d_name, err);
    }
    closedir(d);
    if (r < 0)
        return -1;
    if (h->n == 0)
        return vd_error_set(err, ENOENT, "cgroup root \"%s\": no cgroup hierarchy in it", root);
    return 0;
}
