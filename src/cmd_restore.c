/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci restore: bring back a checkpointed container with CRIU (criu.c)
 * under a state dir of its own, so that state, exec, kill and delete treat
 * it as any other. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console_socket.h"
#include "container.h"
#include "create.h"
#include "criu.h"
#include "translate.h"
#include "utils.h"
#include "voidoci.h"

#define RESTORE_PID_FILE "criu-restore.pid" /* in the state dir */

static void restore_usage(void)
{
    fputs("Usage: voidoci restore [OPTIONS] ID\n"
          "\n"
          "Restore container ID from images made by `voidoci checkpoint`, with CRIU\n"
          "(the criu program, on a kernel where `criu check` passes).  The bundle's\n"
          "config.json gives its rootfs, bind mounts and cgroup.\n"
          "\n"
          "  --image-path DIR            the images (default ./checkpoint)\n"
          "  --work-path DIR             where criu's log goes (default: the image path)\n"
          "  -b, --bundle DIR            the bundle (default: the current directory)\n"
          "  -d, --detach                do not wait for the container's init\n"
          "  --pid-file FILE             write the init's pid to FILE\n"
          "  --console-socket PATH       send the new terminal's pty master to the unix\n"
          "                              socket PATH (process.terminal true)\n"
          "  --no-pivot                  taken and ignored (conmon passes it)\n"
          "  --no-new-keyring            taken and ignored (conmon passes it)\n"
          "  --tcp-established           restore established TCP connections\n"
          "  --ext-unix-sk               allow external unix sockets\n"
          "  --shell-job                 allow a shell job (an external terminal)\n"
          "  --file-locks                restore file locks\n"
          "  --manage-cgroups-mode MODE  soft (default), full, strict or ignore\n"
          "  -h, --help                  show this help\n",
          stdout);
}

struct restore_opts {
    struct criu_opts criu;
    const char *id;
    const char *bundle;
    const char *pid_file;
    const char *console_socket;
    bool detach;
};

/* What a restore made, undone when it fails. */
struct restored {
    char *dir;
    struct oci_spec *spec;
    struct oci_state *state;
    vd_cgroup *cgroup;
    char *cgroup_path; /* as config.json names it, for criu's --cgroup-root */
};

static int record_cgroup(struct restored *r, vd_error **err)
{
    size_t n = 0;
    while (vd_cgroup_dir(r->cgroup, n))
        n++;
    if ((r->state->cgroup_dirs = calloc(n + 1, sizeof(char *))) == NULL)
        return vd_error_set(err, ENOMEM, "record the cgroup");
    for (size_t i = 0; i < n; i++) {
        if ((r->state->cgroup_dirs[i] = strdup(vd_cgroup_dir(r->cgroup, i))) == NULL)
            return vd_error_set(err, ENOMEM, "record the cgroup");
        r->state->n_cgroup_dirs = i + 1;
    }
    return 0;
}

/* The container's cgroup and its limits from config.json, before criu
 * puts the restored processes there (--cgroup-root). */
static int make_cgroup(struct restored *r, const char *id, vd_error **err)
{
    const struct oci_linux *lx = r->spec->linux_;
    if (oci_cgroup_path(lx, id, &r->cgroup_path, err) < 0 ||
        vd_cgroup_create(r->cgroup_path, &r->cgroup, err) < 0)
        return -1;
    if (oci_translate_resources(lx, r->cgroup, err) < 0)
        return vd_error_prefix(err, "config.json: linux.resources");
    return record_cgroup(r, err);
}

static int read_pid(const char *path, pid_t *pid, vd_error **err)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return vd_error_set(err, errno, "read criu's pid file \"%s\"", path);
    int p = 0;
    int n = fscanf(f, "%d", &p);
    fclose(f);
    if (n != 1 || p <= 0)
        return vd_error_set(err, EINVAL, "criu's pid file \"%s\" holds no pid", path);
    *pid = p;
    return 0;
}

/* The restored process's new terminal: a pty of our own devpts.  The
 * container's devpts is a new instance that criu mounts as it restores the
 * mount namespace, after the fds it inherits must be open; so the pty
 * comes from the devpts criu runs under, as with a shell job. */
static int open_console(const struct oci_process *p, vd_pty *pty, vd_error **err)
{
    vd_pty_size size = {.rows = (unsigned short)p->console_height,
                        .cols = (unsigned short)p->console_width};
    return vd_pty_open(VD_PTY_CALLER_PTMX, p->has_console_size ? &size : NULL, pty, err);
}

static int run_criu(const struct restore_opts *o, struct restored *r, const char *pid_file,
                    int *master, vd_error **err)
{
    struct criu_argv a = {0};
    vd_pty pty = {.master = -1, .slave = -1};
    if (o->console_socket && open_console(r->spec->process, &pty, err) < 0)
        return -1;
    *master = pty.master;
    _cleanup_close_ int slave = pty.slave;
    int ret = criu_argv_start(&a, "restore", &o->criu, "restore.log", err);
    if (ret == 0)
        ret = criu_arg(&a, err, "--root") < 0 || criu_arg(&a, err, "%s", r->state->rootfs) < 0 ||
                      criu_arg(&a, err, "--restore-detached") < 0 ||
                      criu_arg(&a, err, "--pidfile") < 0 || criu_arg(&a, err, "%s", pid_file) < 0 ||
                      criu_arg(&a, err, "--cgroup-root") < 0 ||
                      criu_arg(&a, err, "%s", r->cgroup_path) < 0 ||
                      criu_argv_mounts(&a, r->spec, o->bundle, true, err) < 0 ||
                      (slave >= 0 && criu_argv_restore_tty(&a, &o->criu, steal_fd(&slave),
                                                           pty.slave_path, err) < 0) ||
                      criu_argv_namespaces(&a, r->spec, true, err) < 0
                  ? -1
                  : criu_run(&a, &o->criu, "restore.log", err);
    criu_argv_free(&a);
    return ret;
}

static int run_criu_restore(const struct restore_opts *o, struct restored *r, vd_error **err)
{
    char pid_file[PATH_MAX];
    snprintf(pid_file, sizeof(pid_file), "%s/" RESTORE_PID_FILE, r->dir);
    _cleanup_close_ int master = -1;
    if (run_criu(o, r, pid_file, &master, err) < 0)
        return -1;
    pid_t pid = 0;
    if (read_pid(pid_file, &pid, err) < 0)
        return -1;
    unlink(pid_file);
    r->state->pid = pid;
    r->state->start_time = process_start_time(pid);
    /* Only once criu is done: a failed restore sends nothing. */
    if (master >= 0 && console_socket_send(o->console_socket, master, err) < 0)
        return -1;
    return 0;
}

static void restored_undo(const struct global_opts *g, struct restored *r, const char *id)
{
    if (r->state && r->state->pid > 0)
        kill(r->state->pid, SIGKILL);
    if (r->cgroup)
        vd_cgroup_destroy(r->cgroup, false, NULL);
    if (r->dir)
        state_dir_remove(g->root, id, NULL);
}

static void restored_free(struct restored *r)
{
    free(r->dir);
    oci_spec_free(r->spec);
    oci_state_free(r->state);
    vd_cgroup_free(r->cgroup);
    free(r->cgroup_path);
}

static int restore(const struct global_opts *g, const struct restore_opts *o, struct restored *r,
                   vd_error **err)
{
    char config[PATH_MAX];
    snprintf(config, sizeof(config), "%s/config.json", o->bundle);
    if (validate_container_id(o->id, err) < 0 ||
        oci_spec_load(config, &r->spec, err) < 0)
        return -1;
    bool terminal = r->spec->process && r->spec->process->terminal;
    if (terminal && !o->console_socket)
        return vd_error_set(err, 0, "process.terminal is true: --console-socket is required");
    if (!terminal && o->console_socket)
        return vd_error_set(err, 0, "--console-socket needs process.terminal to be true");
    if (access(o->criu.image_path, R_OK | X_OK) < 0)
        return vd_error_set(err, errno, "the image path \"%s\"", o->criu.image_path);
    if (state_dir_create(g->root, o->id, &r->dir, err) < 0)
        return -1;
    if ((r->state = state_new(r->spec, o->id, o->bundle, err)) == NULL ||
        config_copy(o->bundle, r->dir, err) < 0 || make_cgroup(r, o->id, err) < 0)
        return -1;
    /* Without --detach the restored init becomes our child once criu is
     * gone, so that its exit status can be ours. */
    if (!o->detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        return vd_error_set(err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
    if (run_criu_restore(o, r, err) < 0 || oci_state_write(r->dir, r->state, err) < 0)
        return -1;
    if (o->pid_file && write_pid_file(o->pid_file, r->state->pid, err) < 0)
        return -1;
    return 0;
}

/* Without --detach: the init's exit status, as `run` gives it. */
static int wait_init(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

enum {
    OPT_PID_FILE = 400,
    OPT_CONSOLE_SOCKET,
    OPT_IGNORED,
};

static int parse_restore_args(int argc, char **argv, struct restore_opts *o, vd_error **err)
{
    static const struct option options[] = {
        CRIU_SHARED_OPTIONS,
        {"bundle", required_argument, NULL, 'b'},
        {"detach", no_argument, NULL, 'd'},
        {"pid-file", required_argument, NULL, OPT_PID_FILE},
        {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
        /* conmon passes create's flags to restore too; criu brings back
         * the root and the keyring as they were dumped. */
        {"no-pivot", no_argument, NULL, OPT_IGNORED},
        {"no-new-keyring", no_argument, NULL, OPT_IGNORED},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:b:dh", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            restore_usage();
            return 1;
        case 'b': o->bundle = optarg; break;
        case 'd': o->detach = true; break;
        case OPT_PID_FILE: o->pid_file = optarg; break;
        case OPT_IGNORED: break;
        case OPT_CONSOLE_SOCKET: o->console_socket = optarg; break;
        case ':':
            return vd_error_set(err, 0, "option \"%s\" needs an argument", argv[optind - 1]);
        default: {
            int r = criu_parse_opt(c, optarg, &o->criu, err);
            if (r == 1)
                return vd_error_set(err, 0, "unknown option \"%s\" (see voidoci restore --help)",
                                    argv[optind - 1]);
            if (r < 0)
                return -1;
        }
        }
    }
    if (argc - optind != 1)
        return vd_error_set(err, 0, "expects a container ID (see voidoci restore --help)");
    o->id = argv[optind];
    return 0;
}

int cmd_restore(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    struct restore_opts o = {.criu.image_path = "checkpoint", .bundle = "."};
    int r = parse_restore_args(argc, argv, &o, err);
    if (r != 0) {
        if (r < 0)
            vd_error_prefix(err, "restore");
        return r < 0 ? 1 : 0;
    }
    _cleanup_free_ char *bundle = realpath(o.bundle, NULL);
    _cleanup_free_ char *images = realpath(o.criu.image_path, NULL);
    o.bundle = bundle ? bundle : o.bundle;
    o.criu.image_path = images ? images : o.criu.image_path;
    struct restored rs = {0};
    r = restore(g, &o, &rs, err);
    if (r < 0) {
        restored_undo(g, &rs, o.id);
        restored_free(&rs);
        vd_error_prefix(err, "restore \"%s\"", o.id);
        return 1;
    }
    pid_t pid = rs.state->pid;
    restored_free(&rs);
    return o.detach ? 0 : wait_init(pid);
}
