/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoid in use: a void, plus one mount, running one command.
 *
 *   cc -o example example.c $(pkg-config --cflags --libs libvoid)
 *   ./example ROOTFS            (as root; ROOTFS holds /bin/sh)
 *
 * The process starts in new mount, pid, network, ipc, uts and cgroup
 * namespaces, with ROOTFS as its root, no capabilities and no devices; the
 * one thing added back is a proc filesystem on /proc.
 */
#include <errno.h>
#include <void.h> /* in $includedir/libvoid: pkg-config --cflags says so */
#include <stdio.h>

static int run(const char *rootfs, vd_error **err)
{
    static const struct vd_mount proc = {
        .source = "proc", .destination = "/proc", .fstype = "proc",
    };
    char *const argv[] = {"/bin/sh", "-c", "echo pid $$; grep ' /proc ' /proc/mounts", NULL};
    char *const envp[] = {"PATH=/bin", NULL};
    vd_builder *b = vd_builder_new();
    vd_process *p = NULL;
    int status = -1;

    if (!b)
        return vd_error_set(err, ENOMEM, "vd_builder_new");
    if (vd_builder_set_rootfs(b, rootfs, false, err) < 0 ||
        vd_builder_add_mount(b, &proc, err) < 0 ||
        vd_builder_set_args(b, argv, err) < 0 ||
        vd_builder_set_env(b, envp, err) < 0 ||
        vd_spawn(b, &p, err) < 0 ||
        vd_process_wait(p, &status, err) < 0)
        status = -1;
    vd_process_free(p);
    vd_builder_free(b);
    return status;
}

int main(int argc, char **argv)
{
    vd_error *err = NULL;
    int status;

    if (argc != 2) {
        fprintf(stderr, "usage: %s ROOTFS\n", argv[0]);
        return 2;
    }
    status = run(argv[1], &err);
    if (status < 0) {
        fprintf(stderr, "example: %s\n", err ? err->msg : "failed");
        vd_error_free(&err);
        return 1;
    }
    return status;
}
