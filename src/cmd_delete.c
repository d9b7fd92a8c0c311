/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci delete: remove a stopped container (with --force, stop it first),
 * then run its poststop hooks. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "create.h"
#include "spec.h"
#include "translate.h"
#include "utils.h"
#include "voidoci.h"

/* How long --force waits for the init to die of SIGKILL. */
#define DELETE_KILL_TIMEOUT_MS 10000

static void delete_usage(void)
{
    fputs("Usage: voidoci delete [-f|--force] ID\n"
          "\n"
          "Remove container ID, which must be stopped, and everything create made\n"
          "for it; then run its poststop hooks.\n"
          "\n"
          "  -f, --force  kill the container first if it is not stopped; a\n"
          "               container that does not exist is not an error\n"
          "  -h, --help   show this help\n",
          stdout);
}

/* SIGKILL to every process, then wait for the init: the init must be gone
 * before its state is. */
static int stop_container(const struct container *c, vd_error **err)
{
    if (container_signal(c, SIGKILL, true, err) < 0) {
        /* It may have stopped on its own since the status was read. */
        if (container_status(c) != CONTAINER_STOPPED)
            return -1;
        vd_error_free(err);
    }
    return container_wait_stopped(c, DELETE_KILL_TIMEOUT_MS, err);
}

/* The copy of config.json taken at create, for the poststop hooks; NULL when
 * there is none, state.json says it holds no poststop hooks (parsing it is
 * a third of a delete's instructions), or it cannot be read (a warning: the
 * delete goes on). */
static struct oci_spec *load_spec_copy(const struct container *c)
{
    if (!oci_state_may_have_hooks(c->state, OCI_HOOK_POSTSTOP))
        return NULL;
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/%s", c->dir, CONTAINER_CONFIG_FILE) < 0)
        return NULL;
    if (access(path, F_OK) < 0)
        return NULL;
    _cleanup_error_ vd_error *err = NULL;
    struct oci_spec *spec = NULL;
    if (oci_spec_load(path, &spec, &err) < 0) {
        log_warning("delete \"%s\": no poststop hooks: %s", c->id, err->msg);
        return NULL;
    }
    return spec;
}

/* runtime-spec: the poststop hooks run after the container is deleted. */
static int remove_container(const struct global_opts *g, const struct container *c,
                     vd_error **err)
{
    /* The cgroup first: while it stays, so does the state that names it. */
    if (container_destroy_cgroup(c, err) < 0 || container_destroy_resctrl(c, err) < 0 ||
        unmount_host_mounts(c->state, err) < 0)
        return -1;
    struct oci_spec *spec = c->state ? load_spec_copy(c) : NULL;
    int r = state_dir_remove(g->root, c->id, err);
    if (r == 0 && spec) {
        _cleanup_error_ vd_error *hook_err = NULL;
        /* Not fatal: each failure is a warning and the rest still run. */
        run_state_hooks(spec, OCI_HOOK_POSTSTOP, c->state, "stopped", false, &hook_err);
        if (hook_err)
            log_warning("delete \"%s\": %s", c->id, hook_err->msg);
    }
    oci_spec_free(spec);
    return r;
}

/* The cgroup config.json's copy names, with every process still in it:
 * what --force can find of a container whose state.json is unreadable. */
static void destroy_cgroup_of_copy(const struct global_opts *g, const char *id)
{
    _cleanup_error_ vd_error *err = NULL;
    _cleanup_free_ char *path = NULL, *cg_path = NULL;
    struct oci_spec *spec = NULL;
    vd_cgroup *cg = NULL;
    if (asprintf(&path, "%s/%s/%s", g->root, id, CONTAINER_CONFIG_FILE) < 0)
        return;
    if (access(path, F_OK) == 0 && oci_spec_load(path, &spec, &err) == 0 &&
        oci_cgroup_path(spec->linux_, id, &cg_path, &err) == 0 &&
        vd_cgroup_find(cg_path, &cg, &err) == 0 && vd_cgroup_dir(cg, 0) &&
        vd_cgroup_kill(cg, SIGKILL, &err) == 0)
        vd_cgroup_destroy(cg, false, &err);
    if (err)
        log_warning("delete \"%s\": its cgroup: %s", id, err->msg);
    vd_cgroup_free(cg);
    oci_spec_free(spec);
}

int container_delete(const struct global_opts *g, const char *id, bool force,
                     vd_error **err)
{
    if (validate_container_id(id, err) < 0)
        return -1;
    _cleanup_container_ struct container *c = NULL;
    int r = container_load(g, id, &c, err);
    if (r == -ENOENT && force) {
        vd_error_free(err);
        return 0;
    }
    if (r < 0 && force && *err && (*err)->errnum != ENOENT && (*err)->errnum != EPERM) {
        /* A state.json we cannot read names no process to kill; --force
         * still removes what is left.  Not another user's state dir
         * (EPERM): its config copy could name any cgroup. */
        log_warning("delete \"%s\": %s; removing its state directory anyway", id, (*err)->msg);
        vd_error_free(err);
        destroy_cgroup_of_copy(g, id);
        return state_dir_remove(g->root, id, err);
    }
    if (r < 0)
        return r;
    /* The status, the kill, the wait and the removal each open the cgroup. */
    container_keep_cgroup_host(c);

    enum container_status status = container_status(c);
    if (status != CONTAINER_STOPPED) {
        if (!force)
            return vd_error_set(err, 0, "cannot delete container \"%s\" that is not stopped: %s",
                                id, container_status_name(status));
        if (status != CONTAINER_CREATING && stop_container(c, err) < 0)
            return -1;
    }
    return remove_container(g, c, err);
}

int cmd_delete(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool force = false;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+fh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = true;
            break;
        case 'h':
            delete_usage();
            return 0;
        default:
            vd_error_set(err, 0, "delete: unknown option \"%s\" (see voidoci delete --help)",
                         argv[optind - 1]);
            return 1;
        }
    }
    if (optind != argc - 1) {
        vd_error_set(err, 0,
                     "delete: expects exactly one container ID (see voidoci delete --help)");
        return 1;
    }
    const char *id = argv[optind];
    if (container_delete(g, id, force, err) < 0) {
        vd_error_prefix(err, "delete \"%s\"", id);
        return 1;
    }
    return 0;
}
