/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths and mounts as file handles, shared by every part of libvoid that
 * opens something in the rootfs or clones a mount: openat2 resolved in the
 * root (a symlink in the image can never lead out to the host), the flags
 * a bind remount must keep, the open_tree clone of a bind's source. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

int vd_openat2(int dir_fd, const char *path, int flags, uint64_t resolve)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = resolve,
    };
    int fd;
    /* EAGAIN: a rename raced the lookup; the kernel asks for a retry. */
    do
        fd = vd_sys_openat2(dir_fd, path, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    return fd;
}

static int openat2_in_root(int root_fd, const char *path, int flags)
{
    return vd_openat2(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* Create one missing component `name` under `parent_fd`. */
static int create_component(int parent_fd, const char *name, bool as_file)
{
    if (as_file) {
        int fd = openat(parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                        0644);
        if (fd < 0)
            return errno == EEXIST ? 0 : -1;
        close(fd);
        return 0;
    }
    if (mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

int vd_open_child(int dir_fd, const char *name, int flags)
{
    return vd_openat2(dir_fd, name, flags, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
}

/* As many symlinks as the kernel follows in one lookup (MAXSYMLINKS). */
#define MAX_DANGLING_LINKS 40

static int open_in_root(int root_fd, const char *path, bool create, bool as_file, int links,
                        vd_error **err);

/* `name` under `dir_fd` (the directory `dir`, relative to the root, "" for
 * the root) is a symlink whose target is missing -- an image's
 * /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf, where a
 * runtime binds the host's file.  As runc and crun do, the target is made
 * instead, inside the root: the path with the link replaced by its target
 * (from the root when absolute, else from `dir`) followed by `rest`, is
 * opened again from the root, resolved in it, so that ".." or an absolute
 * target can never lead out.  1 when `name` is no symlink (the caller's
 * error stands). */
static int follow_dangling(int root_fd, int dir_fd, const char *dir, const char *name,
                           const char *rest, bool as_file, int links, vd_error **err)
{
    /* Never the text of a magic link (/proc/PID/fd/N, cwd, exe, ...): it
     * names a file of the runtime's, even one it opened on the way (the
     * parent it holds). Only procfs has them. */
    struct statfs sf;
    if (fstatfs(dir_fd, &sf) < 0 || sf.f_type == PROC_SUPER_MAGIC)
        return 1;
    char target[PATH_MAX];
    ssize_t n = readlinkat(dir_fd, name, target, sizeof(target) - 1);
    if (n < 0)
        return 1;
    target[n] = '\0';
    if (links >= MAX_DANGLING_LINKS)
        return vd_error_set(err, ELOOP, "open \"%s/%s\" in rootfs: too many symlinks", dir, name);
    char next[PATH_MAX];
    bool absolute = target[0] == '/';
    int len = snprintf(next, sizeof(next), "/%s%s%s%s%s", absolute ? "" : dir,
                       absolute || dir[0] == '\0' ? "" : "/", target, rest[0] ? "/" : "", rest);
    if (len < 0 || (size_t)len >= sizeof(next))
        return vd_error_set(err, ENAMETOOLONG, "open \"%s/%s\" in rootfs: its symlink's target",
                            dir, name);
    return open_in_root(root_fd, next, true, as_file, links + 1, err);
}

/* Walk from the root, creating what is missing.  Each prefix is resolved
 * from the rootfs root again, so symlinks met on the way (pre-existing or
 * planted) resolve as they would inside the container. */
static int walk_creating(int root_fd, const char *path, const char *rel, bool as_file, int links,
                         vd_error **err)
{
    _cleanup_free_ char *prefix = strdup(rel);
    if (prefix == NULL)
        return vd_error_set(err, ENOMEM, "copy \"%s\"", path);
    _cleanup_close_ int parent = openat2_in_root(root_fd, ".", O_PATH);
    if (parent < 0)
        return vd_error_set(err, errno, "open rootfs");
    size_t len = strlen(prefix);
    for (size_t end = 0; end < len;) {
        size_t start = end + strspn(prefix + end, "/");
        end = start + strcspn(prefix + start, "/");
        if (end == start)
            break;
        bool last = prefix[end + strspn(prefix + end, "/")] == '\0';
        char saved = prefix[end];
        prefix[end] = '\0';
        int child = openat2_in_root(root_fd, prefix, O_PATH);
        if (child < 0 && errno == ENOENT) {
            if (create_component(parent, prefix + start, as_file && last) < 0)
                return vd_error_set(err, errno, "create \"%s\" in rootfs", prefix);
            child = openat2_in_root(root_fd, prefix, O_PATH);
        }
        if (child < 0 && errno == ENOENT) {
            /* Still missing after the create: a dangling symlink. */
            char dir[PATH_MAX], name[NAME_MAX + 1];
            snprintf(dir, sizeof(dir), "%.*s", (int)(start > 0 ? start - 1 : 0), prefix);
            snprintf(name, sizeof(name), "%s", prefix + start);
            prefix[end] = saved;
            const char *rest = prefix + end + strspn(prefix + end, "/");
            int r = follow_dangling(root_fd, parent, dir, name, rest, as_file, links, err);
            if (r != 1)
                return r;
            prefix[end] = '\0';
            errno = ENOENT;
        }
        if (child < 0)
            return vd_error_set(err, errno, "open \"%s\" in rootfs", prefix);
        prefix[end] = saved;
        close(parent);
        parent = child;
    }
    return steal_fd(&parent);
}

/* `rel` (relative, not empty) as its directory ("" for the root) and its
 * last component, trailing slashes dropped; -1 if either is too long. */
static int split_last(const char *rel, char dir[PATH_MAX], char name[NAME_MAX + 1])
{
    size_t end = strlen(rel);
    while (end > 1 && rel[end - 1] == '/')
        end--;
    size_t base = end;
    while (base > 0 && rel[base - 1] != '/')
        base--;
    size_t dir_end = base;
    while (dir_end > 0 && rel[dir_end - 1] == '/')
        dir_end--;
    if (end - base > NAME_MAX || dir_end >= PATH_MAX)
        return -1;
    snprintf(name, NAME_MAX + 1, "%.*s", (int)(end - base), rel + base);
    snprintf(dir, PATH_MAX, "%.*s", (int)dir_end, rel);
    return 0;
}

/* The common case of a missing path, a mount point under an existing
 * directory (dev/pts, sys/fs/cgroup): its parent opened once, resolved in
 * the root, the last component made in it and opened from it, never
 * through a symlink: a dangling one that the first lookup met has its
 * target made instead (follow_dangling), one that raced in since fails.  Sets *walk (and returns -1, err
 * untouched) when the parent is missing too, or the last component is "."
 * or "..": the walk handles those. */
static int create_last(int root_fd, const char *path, const char *rel, bool as_file, bool *walk,
                       int links, vd_error **err)
{
    char dir[PATH_MAX], name[NAME_MAX + 1];
    if (split_last(rel, dir, name) < 0)
        return vd_error_set(err, ENAMETOOLONG, "open \"%s\" in rootfs", path);
    *walk = strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
    if (*walk)
        return -1;
    _cleanup_close_ int parent = -1;
    if (dir[0] != '\0') {
        parent = openat2_in_root(root_fd, dir, O_PATH | O_DIRECTORY);
        *walk = parent < 0 && errno == ENOENT;
        if (*walk)
            return -1;
        if (parent < 0)
            return vd_error_set(err, errno, "open \"%s\" in rootfs", dir);
    }
    int dir_fd = parent >= 0 ? parent : root_fd;
    if (create_component(dir_fd, name, as_file) < 0)
        return vd_error_set(err, errno, "create \"%s\" in rootfs", path);
    int fd = vd_open_child(dir_fd, name, O_PATH);
    if (fd < 0 && errno == ELOOP) {
        int r = follow_dangling(root_fd, dir_fd, dir, name, "", as_file, links, err);
        if (r != 1)
            return r;
        errno = ELOOP;
    }
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\" in rootfs", path);
    return fd;
}

static int open_in_root(int root_fd, const char *path, bool create, bool as_file, int links,
                        vd_error **err)
{
    const char *rel = path + strspn(path, "/");
    if (*rel == '\0')
        rel = ".";
    int fd = openat2_in_root(root_fd, rel, O_PATH);
    if (fd >= 0)
        return fd;
    if (errno != ENOENT || !create)
        return vd_error_set(err, errno, "open \"%s\" in rootfs", path);
    bool walk = false;
    fd = create_last(root_fd, path, rel, as_file, &walk, links, err);
    if (!walk)
        return fd;
    return walk_creating(root_fd, path, rel, as_file, links, err);
}

int vd_open_in_root(int root_fd, const char *path, bool create, bool as_file, vd_error **err)
{
    return open_in_root(root_fd, path, create, as_file, 0, err);
}

/* Flags a bind remount must keep: the kernel refuses to drop nosuid, nodev
 * or noexec from a mount locked by a less privileged user namespace. */
unsigned long vd_locked_flags(const char *target)
{
    struct statvfs sv;
    if (statvfs(target, &sv) < 0)
        return 0;
    unsigned long flags = 0;
    if (sv.f_flag & ST_NOSUID)
        flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        flags |= MS_NOEXEC;
    return flags;
}

int vd_mount_clone_source(const struct vd_mount_entry *m)
{
    unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
    if (m->flags & MS_REC)
        flags |= AT_RECURSIVE;
    return vd_sys_open_tree(AT_FDCWD, m->source, flags);
}
