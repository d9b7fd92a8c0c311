/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state directory: <root>/<id>, one per container. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"
#include "voidoci.h"

/* The state dir holds files and fifos; deeper trees are not ours to remove. */
#define STATE_DIR_MAX_DEPTH 4

static bool is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '+' || c == '.' || c == '-';
}

int validate_container_id(const char *id, vd_error **err)
{
    if (id == NULL || id[0] == '\0')
        return vd_error_set(err, 0, "container ID is empty");
    /* Checked before the ID is quoted so that a huge one is not echoed. */
    if (strnlen(id, VOIDOCI_ID_MAX + 1) > VOIDOCI_ID_MAX)
        return vd_error_set(err, 0, "container ID is longer than %d bytes", VOIDOCI_ID_MAX);
    for (const char *p = id; *p; p++) {
        if (!is_id_char(*p)) {
            /* Escaped: a newline in the ID must not split the error line. */
            _cleanup_free_ char *shown = log_json_escape(id);
            return vd_error_set(err, 0,
                                "invalid container ID \"%s\": only letters, digits and _+.- "
                                "are allowed",
                                shown ? shown : "?");
        }
    }
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return vd_error_set(err, 0, "invalid container ID \"%s\"", id);
    if (strcmp(id, SECCOMP_CACHE_DIR) == 0)
        return vd_error_set(err, 0, "invalid container ID \"%s\": the name of the seccomp "
                            "filter cache", id);
    return 0;
}

static char *path_join(const char *dir, const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return NULL;
    return path;
}

/* mkdir -p with 0700 for every component it creates. */
static int mkdir_parents(const char *path, vd_error **err)
{
    _cleanup_free_ char *p = strdup(path);
    if (p == NULL)
        return vd_error_set(err, ENOMEM, "mkdir \"%s\"", path);

    for (char *s = p + (p[0] == '/');; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            return vd_error_set(err, errno, "mkdir \"%s\"", p);
        *s = saved;
        if (saved == '\0')
            return 0;
    }
}

int state_dir_create(const char *root, const char *id, char **dir_out, vd_error **err)
{
    if (validate_container_id(id, err) < 0)
        return -1;
    _cleanup_free_ char *dir = path_join(root, id);
    if (dir == NULL)
        return vd_error_set(err, ENOMEM, "state directory for \"%s\"", id);

    /* The root usually exists: try the one mkdir that matters first. */
    int r = mkdir(dir, 0700);
    if (r < 0 && errno == ENOENT) {
        if (mkdir_parents(root, err) < 0)
            return -1;
        r = mkdir(dir, 0700);
    }
    if (r < 0 && errno == EEXIST)
        return vd_error_set(err, 0, "container \"%s\" already exists", id);
    if (r < 0)
        return vd_error_set(err, errno, "mkdir \"%s\"", dir);

    if (dir_out)
        *dir_out = steal_pointer(&dir);
    return 0;
}

static int remove_dir_contents(int dfd, const char *path, int depth, vd_error **err);

/* Remove `name` in dfd: unlink it, or, if it is a directory (not a symlink
 * to one), empty it and rmdir it. */
static int remove_entry(int dfd, const char *dir_path, const char *name, int depth,
                        vd_error **err)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR)
        return vd_error_set(err, errno, "remove \"%s/%s\"", dir_path, name);

    _cleanup_free_ char *path = path_join(dir_path, name);
    if (path == NULL)
        return vd_error_set(err, ENOMEM, "remove \"%s/%s\"", dir_path, name);
    if (depth >= STATE_DIR_MAX_DEPTH)
        return vd_error_set(err, ENOTEMPTY, "remove \"%s\": nested too deep", path);
    _cleanup_close_ int sub =
        openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return errno == ENOENT ? 0 : vd_error_set(err, errno, "open \"%s\"", path);
    if (remove_dir_contents(steal_fd(&sub), path, depth + 1, err) < 0)
        return -1;
    if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return vd_error_set(err, errno, "remove \"%s\"", path);
    return 0;
}

/* Takes ownership of dfd. */
static int remove_dir_contents(int dfd, const char *path, int depth, vd_error **err)
{
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        int saved = errno;
        close(dfd);
        return vd_error_set(err, saved, "open \"%s\"", path);
    }

    int r = 0;
    struct dirent *de;
    errno = 0;
    while (r == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        r = remove_entry(dirfd(d), path, de->d_name, depth, err);
        errno = 0;
    }
    if (r == 0 && errno != 0)
        r = vd_error_set(err, errno, "read \"%s\"", path);
    closedir(d);
    return r;
}

int state_dir_remove(const char *root, const char *id, vd_error **err)
{
    if (validate_container_id(id, err) < 0)
        return -1;
    _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return errno == ENOENT ? 0 : vd_error_set(err, errno, "open \"%s\"", root);
    return remove_entry(rootfd, root, id, 0, err);
}

/* runc's "rootless auto": not root, or root only inside a user namespace
 * (rootless podman calls the runtime so), where the id map is not the
 * whole range. */
bool caller_is_rootless(void)
{
    if (geteuid() != 0)
        return true;
    char line[128] = "";
    _cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
    if (f == NULL || fgets(line, sizeof(line), f) == NULL)
        return false;
    unsigned long inside, outside, count;
    return sscanf(line, "%lu %lu %lu", &inside, &outside, &count) != 3 || inside != 0 ||
           outside != 0 || count != 4294967295UL;
}
