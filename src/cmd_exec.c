/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci exec: a new process in a live container.  It joins every
 * namespace of the container's init, its root and its cgroup, and gets
 * exactly the process asked for: a process JSON file, or the container's
 * own process (config.json) with the command line's changes.  Failures
 * exit 255, as with runc and crun. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console_socket.h"
#include "container.h"
#include "create.h"
#include "foreground.h"
#include "seccomp_cache.h"
#include "seccomp_listener.h"
#include "spec.h"
#include "translate.h"
#include "tty.h"
#include "utils.h"
#include "voidoci.h"

#define EXEC_FAILED 255

static void exec_usage(FILE *out)
{
    fprintf(out,
            "Usage: voidoci exec [OPTIONS] ID [COMMAND [ARG...]]\n"
            "\n"
            "Run a new process in a running (or created) container.  Without --process,\n"
            "the container's own process (config.json) runs COMMAND, with the changes\n"
            "below.  Waits for it and exits with its status (128+N if signal N killed\n"
            "it), unless --detach.\n"
            "\n"
            "  -p, --process FILE         the process as an OCI \"process\" JSON object\n"
            "  -t, --tty                  give the process a pty\n"
            "      --console-socket P     send the pty master to the unix socket P\n"
            "  -d, --detach               do not wait for the process\n"
            "      --pid-file FILE        write the process's pid to FILE (digits only)\n"
            "  -e, --env KEY=VALUE        set an environment variable (repeatable)\n"
            "      --cwd DIR              working directory inside the container\n"
            "  -u, --user UID[:GID]       run as UID (and GID)\n"
            "  -g, --additional-gids GID  add a supplementary group (repeatable)\n"
            "  -c, --cap CAP              add a capability, e.g. CAP_KILL (repeatable)\n"
            "      --no-new-privs         set no_new_privs\n"
            "      --apparmor PROFILE     AppArmor profile of the process\n"
            "      --process-label LABEL  SELinux label of the process\n"
            "      --preserve-fds N       pass fds 3 .. 3+N-1 to the process\n"
            "      --cgroup [CTLS:]PATH   join this sub-cgroup of the container's cgroup, in\n"
            "                             the hierarchies of controllers CTLS (\"cpu,memory\")\n"
            "                             or in the others; repeatable\n"
            "  -h, --help                 show this help\n");
}

struct exec_opts {
    const char *id;
    const char *process_file;
    const char *console_socket;
    const char *pid_file;
    struct vd_cgroup_sub *cgroup_subs; /* --cgroup [CONTROLLERS:]PATH */
    size_t n_cgroup_subs;
    bool detach;
    int preserve_fds;
    struct oci_process_overrides ov;
    /* the repeatable options, pointing into argv */
    char **env, **caps;
    uint32_t *gids;
};

static void exec_opts_release(struct exec_opts *o)
{
    free(o->env);
    free(o->caps);
    free(o->gids);
    free(o->cgroup_subs);
}

static int parse_id_number(const char *text, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (*text == '\0' || *text == '-' || *end || errno || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* runc's form: numbers only, "UID" or "UID:GID". */
static int parse_user(const char *arg, struct oci_process_overrides *ov, vd_error **err)
{
    _cleanup_free_ char *copy = strdup(arg);
    if (copy == NULL)
        return vd_error_set(err, ENOMEM, "--user");
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    if (parse_id_number(copy, &ov->uid) < 0 ||
        (colon && parse_id_number(colon + 1, &ov->gid) < 0))
        return vd_error_set(err, 0, "--user: \"%s\" is not UID or UID:GID (numbers)", arg);
    ov->has_uid = true;
    ov->has_gid = colon != NULL;
    return 0;
}

enum {
    OPT_CONSOLE_SOCKET = 256,
    OPT_PID_FILE,
    OPT_CWD,
    OPT_NO_NEW_PRIVS,
    OPT_APPARMOR,
    OPT_PROCESS_LABEL,
    OPT_PRESERVE_FDS,
    OPT_CGROUP,
};

static const struct option exec_options[] = {
    {"process", required_argument, NULL, 'p'},
    {"tty", no_argument, NULL, 't'},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"env", required_argument, NULL, 'e'},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"user", required_argument, NULL, 'u'},
    {"additional-gids", required_argument, NULL, 'g'},
    {"cap", required_argument, NULL, 'c'},
    {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
    {"apparmor", required_argument, NULL, OPT_APPARMOR},
    {"process-label", required_argument, NULL, OPT_PROCESS_LABEL},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    {"cgroup", required_argument, NULL, OPT_CGROUP},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* "cpu,memory:PATH" or "PATH"; the ':' is cut in place (argv is ours). */
static void add_cgroup_sub(struct exec_opts *o, char *arg)
{
    struct vd_cgroup_sub *s = &o->cgroup_subs[o->n_cgroup_subs++];
    char *colon = strchr(arg, ':');
    if (colon) {
        *colon = '\0';
        *s = (struct vd_cgroup_sub){.controllers = arg, .path = colon + 1};
    } else {
        *s = (struct vd_cgroup_sub){.controllers = NULL, .path = arg};
    }
}

/* One option; 1 for --help. */
static int take_option(int c, char **argv, struct exec_opts *o, vd_error **err)
{
    struct oci_process_overrides *ov = &o->ov;
    switch (c) {
    case 'p': o->process_file = optarg; break;
    case 't': ov->terminal = true; break;
    case OPT_CONSOLE_SOCKET: o->console_socket = optarg; break;
    case 'd': o->detach = true; break;
    case OPT_PID_FILE: o->pid_file = optarg; break;
    case 'e': o->env[ov->n_env++] = optarg; break;
    case OPT_CWD: ov->cwd = optarg; break;
    case 'u': return parse_user(optarg, ov, err);
    case 'g':
        if (parse_id_number(optarg, &o->gids[ov->n_additional_gids]) < 0)
            return vd_error_set(err, 0, "--additional-gids: \"%s\" is not a gid", optarg);
        ov->n_additional_gids++;
        break;
    case 'c': o->caps[ov->n_caps++] = optarg; break;
    case OPT_NO_NEW_PRIVS: ov->no_new_privileges = true; break;
    case OPT_APPARMOR: ov->apparmor_profile = optarg; break;
    case OPT_PROCESS_LABEL: ov->selinux_label = optarg; break;
    case OPT_PRESERVE_FDS: return parse_preserve_fds(optarg, &o->preserve_fds, err);
    case OPT_CGROUP: add_cgroup_sub(o, optarg); break;
    case 'h': return 1;
    case ':': return vd_error_set(err, 0, "option \"%s\" needs an argument", argv[optind - 1]);
    default: return vd_error_set(err, 0, "unknown option \"%s\" (see voidoci exec --help)",
                                 argv[optind - 1]);
    }
    return 0;
}

/* "+": the options end at the ID; what follows is the command. */
static int parse_exec_args(int argc, char **argv, struct exec_opts *o, vd_error **err)
{
    o->env = calloc((size_t)argc, sizeof(char *));
    o->caps = calloc((size_t)argc, sizeof(char *));
    o->gids = calloc((size_t)argc, sizeof(uint32_t));
    o->cgroup_subs = calloc((size_t)argc, sizeof(*o->cgroup_subs));
    if (!o->env || !o->caps || !o->gids || !o->cgroup_subs)
        return vd_error_set(err, ENOMEM, "parse the options");
    optind = 0;
    opterr = 0;
    int c, r;
    while ((c = getopt_long(argc, argv, "+:p:tde:u:g:c:h", exec_options, NULL)) != -1)
        if ((r = take_option(c, argv, o, err)) != 0)
            return r;
    if (optind >= argc)
        return vd_error_set(err, 0, "no container ID given (see voidoci exec --help)");
    o->id = argv[optind++];
    o->ov.env = o->env;
    o->ov.caps = o->caps;
    o->ov.additional_gids = o->gids;
    o->ov.args = argv + optind;
    o->ov.n_args = (size_t)(argc - optind);
    if (o->process_file && o->ov.n_args)
        return vd_error_set(err, 0, "--process and a command exclude each other");
    return 0;
}

/* ---- the process ----------------------------------------------------------- */

/* runc: a created container may be exec'd into, a stopped one not. */
static int check_running(const struct container *c, vd_error **err)
{
    switch (container_status(c)) {
    case CONTAINER_CREATED:
    case CONTAINER_RUNNING:
        return 0;
    case CONTAINER_PAUSED:
        return vd_error_set(err, 0, "container is paused: resume it first");
    case CONTAINER_CREATING:
    case CONTAINER_STOPPED:
        break;
    }
    return vd_error_set(err, 0, "container not running");
}

/* The container's process with the command line's changes, or the
 * --process file.  *owned is what the caller frees (the file's process). */
static int describe_process(const struct exec_opts *o, struct oci_spec *spec,
                            struct oci_process **p, struct oci_process **owned, vd_error **err)
{
    if (o->process_file) {
        if (oci_process_load(o->process_file, owned, err) < 0)
            return vd_error_prefix(err, "--process");
        *p = *owned;
        return 0;
    }
    if (spec->process == NULL)
        return vd_error_set(err, 0, "config.json has no process to start from: use --process");
    *p = spec->process;
    return oci_process_override(*p, &o->ov, err);
}

/* runc's rules: a pty goes to --console-socket, or is relayed by a
 * foreground exec; a detached one needs the socket. */
static int check_terminal(const struct exec_opts *o, const struct oci_process *p,
                          vd_error **err)
{
    if (p->terminal && o->detach && !o->console_socket)
        return vd_error_set(err, 0, "a detached process with a terminal needs --console-socket");
    if (!p->terminal && o->console_socket)
        return vd_error_set(err, 0, "--console-socket needs a terminal (--tty, or "
                            "\"terminal\": true in the process)");
    return 0;
}

/* ---- the cgroup ----------------------------------------------------------- */

/* The container's cgroup, or the sub-cgroups --cgroup asks for. */
static int open_cgroup(const struct container *c, const struct exec_opts *o, vd_cgroup **cg,
                       vd_error **err)
{
    *cg = NULL;
    if (o->n_cgroup_subs && c->state->n_cgroup_dirs == 0)
        return vd_error_set(err, 0, "--cgroup: the container has no cgroup");
    if (container_cgroup(c, cg, err) < 0)
        return -1;
    if (o->n_cgroup_subs == 0)
        return 0;
    vd_cgroup *sub = NULL;
    int r = vd_cgroup_open_sub(*cg, o->cgroup_subs, o->n_cgroup_subs, &sub, err);
    vd_cgroup_free(*cg);
    *cg = sub;
    return r < 0 ? vd_error_prefix(err, "--cgroup") : 0;
}

/* ---- running it -------------------------------------------------------------- */

struct exec_run {
    struct exec_opts *o;
    sigset_t signals; /* forwarded to the process while we wait */
    vd_process *proc;
    int console; /* the pty master we relay, or -1 */
};

/* Without --process the process is config.json's with the flags' changes:
 * an error in a field a flag set names the flag, not config.json. */
static int name_error_source(const struct exec_opts *o, vd_error **err)
{
    const struct {
        const char *path, *flag;
        bool set;
    } flags[] = {
        {"process.apparmorProfile: ", "--apparmor", o->ov.apparmor_profile != NULL},
        {"process.selinuxLabel: ", "--process-label", o->ov.selinux_label != NULL},
    };
    if (o->process_file)
        return vd_error_prefix(err, "--process");
    const char *msg = *err && (*err)->msg ? (*err)->msg : "";
    for (size_t i = 0; i < VD_ARRAY_SIZE(flags); i++) {
        size_t len = strlen(flags[i].path);
        char *named = NULL;
        if (flags[i].set && strncmp(msg, flags[i].path, len) == 0 &&
            asprintf(&named, "%s: %s", flags[i].flag, msg + len) >= 0) {
            free((*err)->msg);
            (*err)->msg = named; /* errnum stays */
            return -1;
        }
    }
    return vd_error_prefix(err, "config.json");
}

static int describe_builder(const struct exec_opts *o, const struct oci_spec *spec,
                            const struct oci_process *p, int init_fd, const vd_cgroup *cg,
                            vd_builder *b, vd_error **err)
{
    if (vd_builder_join_process(b, init_fd, err) < 0)
        return vd_error_prefix(err, "join the container's init");
    struct oci_translate_opts topts = {.preserve_fds = o->preserve_fds,
                                       .seccomp_by_caller = true};
    if (oci_translate_exec(spec, p, &topts, b, err) < 0)
        return name_error_source(o, err);
    log_ignored_selinux_labels(NULL, p->selinux_label);
    if (cg)
        vd_builder_set_cgroup(b, cg);
    return 0;
}

/* The pty master to --console-socket, or kept to relay. */
static int hand_over_console(struct exec_run *x, vd_error **err)
{
    _cleanup_close_ int master = vd_process_take_console(x->proc);
    if (master < 0)
        return 0;
    if (x->o->console_socket)
        return console_socket_send(x->o->console_socket, master, err);
    x->console = steal_fd(&master);
    return 0;
}

static void kill_process(vd_process *p)
{
    vd_process_signal(p, SIGKILL, NULL);
    while (waitpid(vd_process_pid(p), NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Spawned: the pty handed over, the pid file written; then waited for
 * unless detached (the caller's subreaper gets it when we exit). */
static int finish(struct exec_run *x, int *status, vd_error **err)
{
    if (hand_over_console(x, err) < 0 ||
        (x->o->pid_file && write_pid_file(x->o->pid_file, vd_process_pid(x->proc), err) < 0)) {
        kill_process(x->proc);
        return -1;
    }
    *status = 0;
    if (x->o->detach)
        return 0;
    if (x->console >= 0)
        return tty_relay(x->proc, x->console, &x->signals, status, err);
    return foreground_wait(x->proc, &x->signals, status, err);
}

/* The container's filter as create compiled it (seccomp_cache.c says why
 * it may be trusted), checked against the key state.json records: 0 with
 * *out, 1 when state.json records none (no profile, or an older voidoci's
 * container) or the file is absent, -1 when the file fails a check (fail
 * closed).  Then exec need not read the profile's rules. */
static int load_stored_filter(const struct container *c, struct vd_seccomp_prog **out,
                              vd_error **err)
{
    *out = NULL;
    if (!c->state->has_seccomp_key)
        return 1;
    return seccomp_filter_load(c->dir, c->state->seccomp_key, out, err);
}

/* The stored filter when there is one; else the one the config copy's
 * profile compiles to: the stored file checked against the profile's key
 * (a container of an older voidoci), or compiled again when the container
 * has none stored. */
static int set_seccomp(const struct global_opts *g, const struct container *c,
                       const struct oci_spec *spec, struct vd_seccomp_prog **stored,
                       vd_builder *b, vd_error **err)
{
    if (*stored)
        return vd_builder_set_seccomp_prog(b, steal_pointer(stored), err);
    const struct oci_seccomp *sp = spec->linux_ ? spec->linux_->seccomp : NULL;
    if (sp == NULL)
        return 0;
    uint8_t key[VD_SHA256_LEN];
    seccomp_key(sp, key);
    struct vd_seccomp_prog *prog = NULL;
    int r = seccomp_filter_load(c->dir, key, &prog, err);
    if (r < 0)
        return -1;
    uint8_t insns_sha256[VD_SHA256_LEN];
    if (r > 0 && (prog = seccomp_cache_get(g->root, sp, key, insns_sha256, err)) == NULL)
        return vd_error_prefix(err, "config.json");
    return vd_builder_set_seccomp_prog(b, prog, err);
}

static int spawn_in(const struct global_opts *g, struct exec_run *x, struct container *c,
                    struct oci_spec *spec, const struct oci_process *p,
                    struct vd_seccomp_prog **stored, vd_error **err)
{
    _cleanup_close_ int init_fd = container_open_init(c, err);
    if (init_fd < 0)
        return -1;
    vd_cgroup *cg = NULL;
    if (open_cgroup(c, x->o, &cg, err) < 0)
        return -1;
    /* As with runc, the process joins the init's resctrl group too. */
    vd_resctrl *rdt = NULL;
    if (container_resctrl(c, &rdt, err) < 0) {
        vd_cgroup_free(cg);
        return -1;
    }
    vd_builder *b = vd_builder_new();
    int r = b ? 0 : vd_error_set(err, ENOMEM, "allocate the builder");
    if (r == 0 && rdt)
        vd_builder_set_resctrl(b, rdt);
    struct seccomp_listener listener = {.spec = spec, .state = c->state, .exec = true};
    if (r == 0)
        r = describe_builder(x->o, spec, p, init_fd, cg, b, err);
    if (r == 0)
        r = set_seccomp(g, c, spec, stored, b, err);
    if (r == 0) {
        seccomp_listener_wire(b, &listener);
        r = vd_spawn(b, &x->proc, err);
    }
    vd_builder_free(b);
    vd_cgroup_free(cg);
    vd_resctrl_free(rdt);
    return r;
}

static int exec_in_container(const struct global_opts *g, struct exec_opts *o, int *status,
                             vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_load(g, o->id, &c, err) < 0 || check_running(c, err) < 0)
        return -1;
    char config[PATH_MAX];
    snprintf(config, sizeof(config), "%s/" CONTAINER_CONFIG_FILE, c->dir);
    struct oci_spec *spec = NULL;
    struct oci_process *p = NULL, *owned = NULL;
    struct vd_seccomp_prog *stored = NULL;
    int loaded = load_stored_filter(c, &stored, err);
    if (loaded < 0)
        return -1;
    /* The profile's rules are most of a config from podman or Docker. */
    if ((loaded == 0 ? oci_spec_load_without_seccomp_rules(config, &spec, err)
                     : oci_spec_load(config, &spec, err)) < 0) {
        vd_seccomp_prog_free(stored);
        return -1;
    }
    int r = describe_process(o, spec, &p, &owned, err);
    if (r == 0)
        r = check_terminal(o, p, err);
    /* Not dumpable from here on, and so neither is the child until its
     * exec: nothing in the container may ptrace it or open its fds and
     * /proc/PID/exe, the runtime's binary (CVE-2019-5736). */
    if (r == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        r = vd_error_set(err, errno, "make the runtime not dumpable");
    struct exec_run x = {.o = o, .console = -1};
    sigset_t old;
    sigprocmask(SIG_SETMASK, NULL, &old);
    if (r == 0 && !o->detach)
        foreground_block_signals(&x.signals);
    if (r == 0)
        r = spawn_in(g, &x, c, spec, p, &stored, err);
    /* The process is in: kill, delete and the rest need not wait for it. */
    vd_closep(&c->lock_fd);
    if (r == 0)
        r = finish(&x, status, err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    vd_closep(&x.console);
    vd_process_free(x.proc);
    oci_process_free(owned);
    oci_spec_free(spec);
    vd_seccomp_prog_free(stored);
    return r;
}

int cmd_exec(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    struct exec_opts o = {0};
    int r = parse_exec_args(argc, argv, &o, err);
    if (r > 0) {
        exec_usage(stdout);
        exec_opts_release(&o);
        return 0;
    }
    int status = 0;
    if (r == 0)
        r = exec_in_container(g, &o, &status, err);
    if (r < 0 && o.id)
        vd_error_prefix(err, "exec \"%s\"", o.id);
    else if (r < 0)
        vd_error_prefix(err, "exec");
    exec_opts_release(&o);
    return r < 0 ? EXEC_FAILED : status;
}
