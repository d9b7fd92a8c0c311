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
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec.h"
#include "translate.h"
#include "tty.h"
#include "utils.h"
#include "voidoci.h"

struct run_opts {
    const char *bundle;
    const char *pid_file;
    bool detach;
    bool no_pivot;
    int preserve_fds;
    const char *id;
};

static void run_usage(FILE *out)
{
    fprintf(out,
            "Usage: voidoci run [OPTIONS] ID\n"
            "\n"
            "Create and start a container from an OCI bundle; wait for it unless --detach.\n"
            "\n"
            "  -b, --bundle DIR       bundle directory (default: the current directory)\n"
            "      --pid-file FILE    write the container's init pid to FILE\n"
            "  -d, --detach           do not wait for the container\n"
            "      --no-pivot         use MS_MOVE + chroot instead of pivot_root\n"
            "      --preserve-fds N   pass fds 3 .. 3+N-1 to the container\n"
            "  -h, --help             show this help\n");
}

static int parse_run_args(int argc, char **argv, struct run_opts *o, vd_error **err)
{
    static const struct option longopts[] = {
        {"bundle", required_argument, NULL, 'b'},   {"pid-file", required_argument, NULL, 'p'},
        {"detach", no_argument, NULL, 'd'},         {"no-pivot", no_argument, NULL, 'P'},
        {"preserve-fds", required_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'},
        {"no-new-keyring", no_argument, NULL, 'K'}, {"keep", no_argument, NULL, 'k'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct run_opts){.bundle = "."};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+b:dh", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': o->bundle = optarg; break;
        case 'p': o->pid_file = optarg; break;
        case 'd': o->detach = true; break;
        case 'P': o->no_pivot = true; break;
        case 'K': case 'k': break;
        case 'F': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || n < 0 || n > 1024)
                return vd_error_set(err, 0, "run: --preserve-fds: \"%s\" is not a number of fds",
                                    optarg);
            o->preserve_fds = (int)n;
            break;
        }
        case 'h': run_usage(stdout); return 1;
        default:
            return vd_error_set(err, 0, "run: unknown or incomplete option \"%s\" (see run --help)",
                                argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return vd_error_set(err, 0, "run: expects exactly one container ID (see run --help)");
    o->id = argv[optind];
    return 0;
}

/* Digits only, no newline, written atomically: containerd parses it with
 * strconv.Atoi. */
static int write_pid_file(const char *path, pid_t pid, vd_error **err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid()) >= (int)sizeof(tmp))
        return vd_error_set(err, ENAMETOOLONG, "pid file \"%s\"", path);
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return vd_error_set(err, errno, "create pid file \"%s\"", tmp);
    char text[32];
    int len = snprintf(text, sizeof(text), "%d", (int)pid);
    if (write(fd, text, (size_t)len) != len) {
        unlink(tmp);
        return vd_error_set(err, errno, "write pid file \"%s\"", tmp);
    }
    if (rename(tmp, path) < 0) {
        unlink(tmp);
        return vd_error_set(err, errno, "rename \"%s\" to \"%s\"", tmp, path);
    }
    return 0;
}

static int absolute_bundle(const char *bundle, char **out, vd_error **err)
{
    char *abs = realpath(bundle, NULL);
    if (abs == NULL)
        return vd_error_set(err, errno, "bundle \"%s\"", bundle);
    struct stat st;
    if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
        free(abs);
        return vd_error_set(err, ENOTDIR, "bundle \"%s\"", bundle);
    }
    *out = abs;
    return 0;
}

static int build_container(const struct run_opts *o, const char *bundle, vd_builder *b,
                           vd_error **err)
{
    char config[PATH_MAX];
    snprintf(config, sizeof(config), "%s/config.json", bundle);
    struct oci_spec *spec = NULL;
    if (oci_spec_load(config, &spec, err) < 0)
        return -1;
    struct oci_translate_opts topts = {.bundle = bundle, .no_pivot = o->no_pivot,
                                       .preserve_fds = o->preserve_fds};
    int r = oci_translate(spec, &topts, b, err);
    if (r < 0)
        vd_error_prefix(err, "config.json");
    oci_spec_free(spec);
    return r;
}

/* Signals sent to `voidoci run` go to the container, as with runc. */
static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};

static int block_forwarded_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < VD_ARRAY_SIZE(forwarded); i++)
        sigaddset(set, forwarded[i]);
    sigaddset(set, SIGCHLD);
    return sigprocmask(SIG_BLOCK, set, NULL);
}

static int wait_forwarding_signals(vd_process *p, const sigset_t *set, int *status,
                                   vd_error **err)
{
    _cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
    if (sfd < 0)
        return vd_error_set(err, errno, "create a signalfd");
    for (;;) {
        int st;
        pid_t r = waitpid(vd_process_pid(p), &st, WNOHANG);
        if (r < 0)
            return vd_error_set(err, errno, "wait for the container");
        if (r > 0) {
            *status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
            return 0;
        }
        struct signalfd_siginfo si;
        ssize_t n = read(sfd, &si, sizeof(si));
        if (n < 0 && errno != EINTR)
            return vd_error_set(err, errno, "read the signalfd");
        if (n == sizeof(si) && si.ssi_signo != SIGCHLD)
            vd_process_signal(p, (int)si.ssi_signo, NULL);
    }
}

static int run_container(const struct global_opts *g, const struct run_opts *o, vd_error **err)
{
    _cleanup_free_ char *bundle = NULL;
    if (absolute_bundle(o->bundle, &bundle, err) < 0)
        return -1;
    vd_builder *b = vd_builder_new();
    if (b == NULL)
        return vd_error_set(err, ENOMEM, "allocate the builder");
    int r = build_container(o, bundle, b, err);
    _cleanup_free_ char *state_dir = NULL;
    if (r == 0)
        r = state_dir_create(g->root, o->id, &state_dir, err);
    if (r < 0) {
        vd_builder_free(b);
        return -1;
    }

    sigset_t set, old;
    sigprocmask(SIG_SETMASK, NULL, &old);
    block_forwarded_signals(&set);
    vd_process *p = NULL;
    r = vd_spawn(b, &p, err);
    vd_builder_free(b);
    if (r == 0 && o->pid_file)
        r = write_pid_file(o->pid_file, vd_process_pid(p), err);
    _cleanup_close_ int console = r == 0 ? vd_process_take_console(p) : -1;
    if (r == 0 && console >= 0 && o->detach)
        r = vd_error_set(err, 0, "process.terminal with --detach needs a console socket");
    int status = 0;
    if (r == 0 && !o->detach)
        r = console >= 0 ? tty_relay(p, console, &set, &status, err)
                         : wait_forwarding_signals(p, &set, &status, err);
    else if (r < 0 && p)
        vd_process_signal(p, SIGKILL, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    vd_process_free(p);
    /* A detached container keeps its state dir; the lifecycle commands
     * (create/start/delete) own it from there. */
    if (r < 0 || !o->detach)
        state_dir_remove(g->root, o->id, NULL);
    return r < 0 ? r : status;
}

int cmd_run(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    struct run_opts o;
    int r = parse_run_args(argc, argv, &o, err);
    if (r != 0)
        return r > 0 ? 0 : 1;
    if (validate_container_id(o.id, err) < 0) {
        vd_error_prefix(err, "run");
        return 1;
    }
    r = run_container(g, &o, err);
    if (r < 0) {
        vd_error_prefix(err, "run \"%s\"", o.id);
        return 1;
    }
    return r;
}
