/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tmpfs that starts as a copy of what it covers ("tmpcopyup"): the image
 * keeps its files, the container gets a writable copy of them.  Every step
 * works from directory fds with O_NOFOLLOW and *at(2) calls, so a symlink
 * in the image is copied as a symlink and never followed, in or out of the
 * rootfs.  Hard links become separate files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Deeper than this is an image made to exhaust the stack. */
#define COPY_UP_MAX_DEPTH 128

struct copy_up {
    const char *dest; /* the mount's destination, for errors */
    char path[4096];  /* the entry being copied, relative to dest */
    vd_error **err;
};

static int fail(struct copy_up *c, const char *step)
{
    return vd_error_set(c->err, errno, "copy up \"%s/%s\": %s", c->dest, c->path, step);
}

/* Owner, then mode (chown clears set-id bits), then times; `name` under
 * `dir`, never followed. */
static int copy_attrs(struct copy_up *c, int dir, const char *name, const struct stat *st)
{
    if (fchownat(dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return fail(c, "chown");
    if (!S_ISLNK(st->st_mode) && fchmodat(dir, name, st->st_mode & 07777, 0) < 0)
        return fail(c, "chmod");
    const struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        return fail(c, "set times");
    return 0;
}

static int copy_file(struct copy_up *c, int from, int to, const char *name, const struct stat *st)
{
    _cleanup_close_ int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (in < 0)
        return fail(c, "open");
    _cleanup_close_ int out =
        openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
        return fail(c, "create");
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(c, "read");
        if (n == 0)
            break;
        if (vd_write_all(out, buf, (size_t)n) < 0)
            return fail(c, "write");
    }
    return copy_attrs(c, to, name, st);
}

static int copy_symlink(struct copy_up *c, int from, int to, const char *name,
                        const struct stat *st)
{
    char target[4096];
    ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
    if (n < 0)
        return fail(c, "readlink");
    target[n] = '\0';
    if (symlinkat(target, to, name) < 0)
        return fail(c, "symlink");
    return copy_attrs(c, to, name, st);
}

static int copy_dir(struct copy_up *c, int from, int to, unsigned depth);

static int copy_subdir(struct copy_up *c, int from, int to, const char *name,
                       const struct stat *st, unsigned depth)
{
    if (mkdirat(to, name, 0700) < 0)
        return fail(c, "mkdir");
    _cleanup_close_ int sub_from =
        openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_from < 0 || sub_to < 0)
        return fail(c, "open directory");
    if (copy_dir(c, sub_from, sub_to, depth + 1) < 0)
        return -1;
    return copy_attrs(c, to, name, st);
}

static int copy_entry(struct copy_up *c, int from, int to, const char *name, unsigned depth)
{
    struct stat st;
    if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return fail(c, "stat");
    switch (st.st_mode & S_IFMT) {
    case S_IFDIR:
        return copy_subdir(c, from, to, name, &st, depth);
    case S_IFREG:
        return copy_file(c, from, to, name, &st);
    case S_IFLNK:
        return copy_symlink(c, from, to, name, &st);
    default: /* device nodes, FIFOs, sockets: the node itself */
        if (mknodat(to, name, st.st_mode & (S_IFMT | 0777), st.st_rdev) < 0)
            return fail(c, "mknod");
        return copy_attrs(c, to, name, &st);
    }
}

static int copy_dir(struct copy_up *c, int from, int to, unsigned depth)
{
    if (depth > COPY_UP_MAX_DEPTH) {
        errno = ELOOP;
        return fail(c, "too deep");
    }
    int fd = dup(from);
    if (fd < 0)
        return fail(c, "dup");
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return fail(c, "read directory");
    }
    size_t len = strlen(c->path);
    int r = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno != 0)
                r = fail(c, "read directory");
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int n = snprintf(c->path + len, sizeof(c->path) - len, "%s%s", len ? "/" : "",
                         de->d_name);
        if (n < 0 || (size_t)n >= sizeof(c->path) - len) {
            errno = ENAMETOOLONG;
            r = fail(c, "path");
            break;
        }
        r = copy_entry(c, from, to, de->d_name, depth);
        c->path[len] = '\0';
        if (r < 0)
            break;
    }
    closedir(d);
    return r;
}

int vd_copy_up(int from_dir, int to_dir, const char *dest, vd_error **err)
{
    struct copy_up c = {.dest = dest, .err = err};
    return copy_dir(&c, from_dir, to_dir, 0);
}
