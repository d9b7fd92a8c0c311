/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvoid's vd_open_in_root, which every mount point, device node and cwd
 * of a container goes through: what it makes when a path is missing (the
 * last component only, a file, several components), that it stays in the
 * root through "..", symlinks and dangling symlinks (nothing made or
 * opened on the host's side), and that the fd it returns is the object in
 * the root.  A fake root: "rootfs" beside "host", the directory a symlink
 * of the image would aim at.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

static int root_fd = -1;

/* Whether `fd` is the file at fake_root/`rel` (not following a symlink). */
static bool is_file_at(int fd, const char *rel)
{
    struct stat a, b;
    return fd >= 0 && fstat(fd, &a) == 0 && lstat(path_of(rel), &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

static bool is_dir(const char *rel)
{
    struct stat st;
    return lstat(path_of(rel), &st) == 0 && S_ISDIR(st.st_mode);
}

static bool host_is_empty(void)
{
    return rmdir(path_of("host")) == 0 && mkdir(path_of("host"), 0755) == 0;
}

/* vd_open_in_root in the fake root: the fd, or -1 with the error's errno
 * in `err_no`. */
static int err_no;
static int open_at(const char *path, bool create, bool as_file)
{
    vd_error *err = NULL;
    int fd = vd_open_in_root(root_fd, path, create, as_file, &err);
    err_no = fd < 0 && err ? err->errnum : 0;
    vd_error_free(&err);
    return fd;
}

static void link_at(const char *target, const char *rel)
{
    if (symlink(target, path_of(rel)) < 0) {
        perror(rel);
        exit(1);
    }
}

static void missing_last_component_is_made_in_its_parent(void)
{
    mkdir(path_of("rootfs/dev"), 0755);
    int fd = open_at("/dev/pts", true, false);
    CHECK(is_dir("rootfs/dev/pts"));
    CHECK(is_file_at(fd, "rootfs/dev/pts"));
    close(fd);
    fd = open_at("/dev/console", true, true);
    CHECK(is_file_at(fd, "rootfs/dev/console"));
    struct stat st;
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
    close(fd);
    /* Trailing slashes, and a path made before: opened, not made again. */
    fd = open_at("/dev/shm//", true, false);
    CHECK(is_file_at(fd, "rootfs/dev/shm"));
    close(fd);
    fd = open_at("/dev/shm", true, false);
    CHECK(is_file_at(fd, "rootfs/dev/shm"));
    close(fd);
}

static void missing_components_are_made_from_the_root_down(void)
{
    int fd = open_at("/a/b/c", true, false);
    CHECK(is_dir("rootfs/a/b"));
    CHECK(is_file_at(fd, "rootfs/a/b/c"));
    close(fd);
    fd = open_at("/x/y/file", true, true);
    CHECK(is_dir("rootfs/x/y"));
    CHECK(is_file_at(fd, "rootfs/x/y/file"));
    close(fd);
}

static void missing_path_without_create_fails(void)
{
    CHECK(open_at("/nothing/here", false, false) < 0 && err_no == ENOENT);
    CHECK(!is_dir("rootfs/nothing"));
}

static void dot_dot_stays_in_the_root(void)
{
    int fd = open_at("/../../../up", true, false);
    CHECK(is_file_at(fd, "rootfs/up"));
    close(fd);
    fd = open_at("/a/../../../a/under", true, false);
    CHECK(is_file_at(fd, "rootfs/a/under"));
    close(fd);
}

/* A symlink in the parent resolves as it would inside the container. */
static void symlinked_parent_resolves_in_the_root(void)
{
    mkdir(path_of("rootfs/real"), 0755);
    link_at("/real", "rootfs/abs");
    link_at("../../../../../../real", "rootfs/rel");
    int fd = open_at("/abs/one", true, false);
    CHECK(is_file_at(fd, "rootfs/real/one"));
    close(fd);
    fd = open_at("/rel/two", true, false);
    CHECK(is_file_at(fd, "rootfs/real/two"));
    close(fd);
}

/* A dangling symlink whose target exists on the host: its target is made
 * inside the rootfs instead (as runc and crun do), never on the host,
 * whether it is the last component or a parent. */
static void dangling_symlinks_land_in_the_root(void)
{
    char inside[600], rel[700];
    snprintf(inside, sizeof(inside), "rootfs%s", path_of("host"));
    link_at(path_of("host"), "rootfs/escape");
    int fd = open_at("/escape", true, false);
    CHECK(is_file_at(fd, inside) && is_dir(inside));
    close(fd);
    snprintf(rel, sizeof(rel), "%s/sub", inside);
    fd = open_at("/escape/sub", true, false);
    CHECK(is_file_at(fd, rel) && is_dir(rel));
    close(fd);
    char climb[600];
    snprintf(climb, sizeof(climb), "../../../../../../../../..%s/file", path_of("host"));
    link_at(climb, "rootfs/climb");
    snprintf(rel, sizeof(rel), "%s/file", inside);
    fd = open_at("/climb", true, true);
    CHECK(is_file_at(fd, rel));
    close(fd);
    CHECK(host_is_empty());
}

/* Dangling symlinks that point at each other: an error, not a loop. */
static void dangling_symlink_loops_fail(void)
{
    link_at("loop-b", "rootfs/loop-a");
    link_at("loop-a", "rootfs/loop-b");
    CHECK(open_at("/loop-a", true, false) < 0 && err_no == ELOOP);
    CHECK(open_at("/loop-a/sub", true, false) < 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int main(void)
{
    if (fake_root_make("test_fs") < 0 || mkdir(path_of("rootfs"), 0755) < 0 ||
        mkdir(path_of("host"), 0755) < 0)
        return 1;
    root_fd = open(path_of("rootfs"), O_PATH | O_DIRECTORY | O_CLOEXEC);
    CHECK(root_fd >= 0);
    missing_last_component_is_made_in_its_parent();
    missing_components_are_made_from_the_root_down();
    missing_path_without_create_fails();
    dot_dot_stays_in_the_root();
    symlinked_parent_resolves_in_the_root();
    dangling_symlinks_land_in_the_root();
    dangling_symlink_loops_fail();
    close(root_fd);
    CHECK(nftw(path_of("rootfs"), remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
    CHECK(rmdir(path_of("host")) == 0);
    fake_root_remove();
    return check_summary("fs");
}
