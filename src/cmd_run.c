/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci run: create the container from its bundle, run it, wait for it,
 * and remove every trace of it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "create.h"
#include "foreground.h"
#include "spec.h"
#include "translate.h"
#include "tty.h"
#include "utils.h"
#include "voidoci.h"

static void run_usage(FILE *out)
{
    fprintf(out,
            "Usage: voidoci run [OPTIONS] ID\n"
            "\n"
            "Create and start a container from an OCI bundle; wait for it unless --detach.\n"
            "\n"
            "  -b, --bundle DIR         bundle directory (default: the current directory)\n"
            "      --pid-file FILE      write the container's init pid to FILE\n"
            "  -d, --detach             do not wait for the container\n"
            "      --console-socket P   send the pty master to the unix socket P\n"
            "      --no-pivot           use MS_MOVE + chroot instead of pivot_root\n"
            "      --no-new-keyring     keep the caller's session keyring\n"
            "      --preserve-fds N     pass fds 3 .. 3+N-1 to the container\n"
            "  -h, --help               show this help\n");
}

static int on_detach(int c, struct create_opts *o)
{
    if (c == 'k') /* runc's --keep: nothing to keep without cgroups yet */
        return 0;
    if (c != 'd')
        return -1;
    o->relay_terminal = false;
    return 0;
}

static int wait_container(struct created *c, const sigset_t *set, int *status,
                          vd_error **err)
{
    if (c->console >= 0)
        return tty_relay(c->proc, c->console, set, status, err);
    return foreground_wait(c->proc, set, status, err);
}

static int run_container(const struct global_opts *g, struct create_opts *o, vd_error **err)
{
    sigset_t set, old;
    sigprocmask(SIG_SETMASK, NULL, &old);
    foreground_block_signals(&set);
    struct created c;
    int status = 0;
    int r = container_create(g, o, &c, err);
    if (r == 0) {
        run_state_hooks(c.spec, OCI_HOOK_POSTSTART, c.state, "running", false, NULL);
        /* A detached container keeps its state dir for kill and delete. */
        if (o->relay_terminal) {
            r = wait_container(&c, &set, &status, err);
            run_state_hooks(c.spec, OCI_HOOK_POSTSTOP, c.state, "stopped", false, NULL);
            /* What the init left running dies with the container. */
            if (c.cgroup) {
                vd_cgroup_kill(c.cgroup, SIGKILL, NULL);
                vd_cgroup_destroy(c.cgroup, false, NULL);
            }
            _cleanup_error_ vd_error *unmount_err = NULL;
            if (unmount_host_mounts(c.state, &unmount_err) < 0)
                log_warning("run \"%s\": %s", o->id, unmount_err->msg);
            state_dir_remove(g->root, o->id, NULL);
        }
        created_release(&c);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r < 0 ? r : status;
}

int cmd_run(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option detach[] = {{"detach", no_argument, NULL, 'd'},
                                           {"keep", no_argument, NULL, 'k'},
                                           {NULL, 0, NULL, 0}};
    struct create_opts o = {.bundle = ".", .relay_terminal = true};
    int r = parse_create_args("run", argc, argv, &o, detach, on_detach, err);
    if (r > 0) {
        run_usage(stdout);
        return 0;
    }
    if (r < 0)
        return 1;
    r = run_container(g, &o, err);
    if (r < 0) {
        vd_error_prefix(err, "run \"%s\"", o.id);
        return 1;
    }
    return r;
}
