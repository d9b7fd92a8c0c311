/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What create and run share: a container from its bundle up to a live init,
 * with its state directory, state.json and hooks. */
#ifndef VOIDOCI_CREATE_H
#define VOIDOCI_CREATE_H

#include <stdbool.h>

#include "spec.h"
#include "state.h"
#include "voidoci.h"

struct create_opts {
    const char *id;
    const char *bundle; /* as given; default "." */
    const char *pid_file;
    const char *console_socket;
    bool no_pivot;
    bool no_new_keyring;
    int preserve_fds;
    /* create: the init waits at exec.fifo for `start`.  run: it goes on. */
    bool gate;
    /* run in the foreground relays a terminal itself: no socket needed. */
    bool relay_terminal;
};

struct created {
    vd_process *proc;
    int console;           /* pty master when relay_terminal, else -1 */
    struct oci_spec *spec; /* for the poststart and poststop hooks */
    struct oci_state *state;
    char *dir;             /* the state directory */
    vd_cgroup *cgroup;     /* the container's cgroup */
    vd_resctrl *resctrl;   /* its linux.intelRdt group, or NULL */
};

/* What create does first, and explain alone: BUNDLE/config.json read,
 * checked and translated onto `b` (errors start "config.json: " and name
 * the JSON path).  Nothing is made on the host.  With seccomp_by_caller
 * linux.seccomp is left to the caller (create compiles it through its
 * cache). */
int config_describe(const char *bundle, bool no_pivot, int preserve_fds, bool seccomp_by_caller,
                    struct oci_spec **spec, vd_builder *b, vd_error **err);
/* On failure nothing is left: no process, no state directory. */
int container_create(const struct global_opts *g, const struct create_opts *o, struct created *c,
                     vd_error **err);
void created_release(struct created *c);
/* A container without a mount namespace of its own: detach its mounts,
 * stacked on its rootfs in the host's (state.json records what was there
 * before); nothing to do for others. */
int unmount_host_mounts(const struct oci_state *s, vd_error **err);

/* The runtime-spec hooks of `kind` with the state (as `status`) on stdin.
 * fatal: see hooks_run. */
int run_state_hooks(const struct oci_spec *spec, enum oci_hook_kind kind,
                    const struct oci_state *state, const char *status, bool fatal,
                    vd_error **err);

struct option;
/* The options create and run share, plus `extra` handled by `on_extra`
 * (0: taken).  Returns 1 for --help. */
int parse_create_args(const char *cmd, int argc, char **argv, struct create_opts *o,
                      const struct option *extra, int (*on_extra)(int, struct create_opts *),
                      vd_error **err);

/* A debug line for each SELinux label (either may be NULL) that the
 * translation left out because SELinux is off on this host. */
void log_ignored_selinux_labels(const char *mount_label, const char *process_label);

/* The state of a container made from `spec` (no pid yet), and the copy
 * of the bundle's config.json in its state dir: what restore also keeps. */
struct oci_state *state_new(const struct oci_spec *spec, const char *id, const char *bundle,
                            vd_error **err);
int config_copy(const char *bundle, const char *dir, vd_error **err);

/* Parse "--preserve-fds N". */
int parse_preserve_fds(const char *arg, int *out, vd_error **err);
/* Digits only, no newline, written atomically (containerd uses Atoi). */
int write_pid_file(const char *path, pid_t pid, vd_error **err);

#endif
