/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci: global options, then one command; its error is printed here, once. */
#include <errno.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "utils.h"
#include "voidoci.h"

struct command {
    const char *name;
    command_fn fn;
    const char *summary;
    /* Places processes in cgroups or changes them, so the cgroup driver
     * matters; commands that only read or remove them work with any. */
    bool sets_cgroups;
    /* Clones processes that the container can see: runs from a sealed
     * copy of the binary (libvoid's vd_run_from_sealed_copy). */
    bool spawns;
};

static int cmd_help(const struct global_opts *g, int argc, char **argv, vd_error **err);

static const struct command commands[] = {
    {"checkpoint", cmd_checkpoint, "dump a running container to disk (needs criu)", false,
     false},
    {"create", cmd_create, "create a container", true, true},
    {"delete", cmd_delete, "delete a container and what it holds", false, false},
    {"events", cmd_events, "display container events and statistics", false, false},
    {"exec", cmd_exec, "run a new process inside a container", true, true},
    {"explain", cmd_explain, "print what a bundle's config.json would make, running nothing", false,
     false},
    {"features", cmd_features, "show the enabled features", false, false},
    {"kill", cmd_kill, "send a signal to a container's init process", false, false},
    {"list", cmd_list, "list the containers under the root directory", false, false},
    {"pause", cmd_pause, "suspend every process in a container", true, false},
    {"ps", cmd_ps, "list the processes running in a container", false, false},
    {"restore", cmd_restore, "restore a checkpointed container (needs criu)", true, false},
    {"resume", cmd_resume, "resume a paused container", true, false},
    {"run", cmd_run, "create and run a container", true, true},
    {"spec", cmd_spec, "write an example config.json", false, false},
    {"start", cmd_start, "run the user's process in a created container", false, false},
    {"state", cmd_state, "print the state of a container as JSON", false, false},
    {"update", cmd_update, "update a container's resource limits", true, false},
    {"help", cmd_help, "show this help, or a command's help", false, false},
};

static void print_usage(FILE *out)
{
    fputs("Usage: voidoci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "An OCI container runtime: each container starts as a complete void and\n"
          "its config.json adds back what it needs.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < VD_ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Global options:\n"
          "  --root DIR               state directory (default " VOIDOCI_DEFAULT_ROOT ",\n"
          "                           $XDG_RUNTIME_DIR/voidoci for a non-root user)\n"
          "  --log FILE               also write errors to FILE\n"
          "  --log-format text|json   format of the --log FILE (default text)\n"
          "  --debug                  print debug messages\n"
          "  --systemd-cgroup         refused: the systemd cgroup driver is not built in\n"
          "  -h, --help               show this help\n"
          "  -v, --version            show the versions of voidoci and its libraries\n"
          "\n"
          "Run 'voidoci COMMAND --help' for a command's options.\n",
          out);
}

static void print_version(void)
{
    const struct scmp_version *seccomp = seccomp_version();
    printf("voidoci version %s\n"
           "spec: %s\n"
           "yajl: %s\n"
           "libcap: %s\n",
           VOIDOCI_VERSION, OCI_RUNTIME_SPEC_VERSION, YAJL_VERSION_STR, LIBCAP_VERSION_STR);
    /* The library actually loaded, which may be newer than the headers. */
    if (seccomp)
        printf("libseccomp: %u.%u.%u\n", seccomp->major, seccomp->minor, seccomp->micro);
    else
        printf("libseccomp: %s\n", LIBSECCOMP_VERSION_STR);
    printf("libmnl: %s\n", LIBMNL_VERSION_STR);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* `voidoci help` and `voidoci help COMMAND` (as `voidoci COMMAND --help`). */
static int cmd_help(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    if (argc < 2) {
        print_usage(stdout);
        return 0;
    }
    const struct command *c = find_command(argv[1]);
    if (c == NULL) {
        vd_error_set(err, 0, "help: unknown command \"%s\"", argv[1]);
        return 1;
    }
    if (c->fn == cmd_help) {
        print_usage(stdout);
        return 0;
    }
    char *sub_argv[] = {argv[1], (char *)"--help", NULL};
    optind = 0;
    return c->fn(g, 2, sub_argv, err);
}

/* The commands may chdir (to the bundle) before they use these paths. */
static char *absolute_path(const char *path, vd_error **err)
{
    if (path[0] == '/')
        return strdup(path);
    _cleanup_free_ char *cwd = getcwd(NULL, 0);
    if (cwd == NULL) {
        vd_error_set(err, errno, "getcwd");
        return NULL;
    }
    char *abs = NULL;
    if (asprintf(&abs, "%s/%s", cwd, path) < 0)
        return NULL;
    return abs;
}

/* Root only inside a user namespace it did not get the whole id range of
 * (rootless podman's calls): as runc, its user's $XDG_RUNTIME_DIR when set,
 * unless $USER says root; /run is not that user's to write. */
static bool namespaced_root_uses_xdg(void)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *user = getenv("USER");
    if (xdg == NULL || xdg[0] == '\0' || (user != NULL && strcmp(user, "root") == 0))
        return false;
    return caller_is_rootless();
}

/* Where state lives without --root: /run/voidoci for root, as runc has
 * /run/runc; a non-root caller cannot write /run, so (as runc) its own
 * $XDG_RUNTIME_DIR/voidoci, made 0700 by the first create; so too root in
 * a user namespace of a user's (namespaced_root_uses_xdg).  spec, features
 * and help keep no state and need neither. */
static char *default_root(const struct command *cmd, vd_error **err)
{
    bool stateless = cmd && (cmd->fn == cmd_spec || cmd->fn == cmd_features ||
                             cmd->fn == cmd_help);
    if (stateless || (geteuid() == 0 && !namespaced_root_uses_xdg()))
        return strdup(VOIDOCI_DEFAULT_ROOT);
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg == NULL || xdg[0] == '\0') {
        vd_error_set(err, 0, "no state directory: XDG_RUNTIME_DIR is not set (a non-root "
                             "user's default is $XDG_RUNTIME_DIR/voidoci): set it or give --root");
        return NULL;
    }
    char *root = NULL;
    if (asprintf(&root, "%s/voidoci", xdg) < 0) {
        vd_error_set(err, ENOMEM, "the state directory");
        return NULL;
    }
    return root;
}

enum {
    OPT_ROOT = 256,
    OPT_LOG,
    OPT_LOG_FORMAT,
    OPT_DEBUG,
    OPT_SYSTEMD_CGROUP,
};

/* What parse_global_opts found besides the options. */
enum parse_result {
    PARSE_COMMAND, /* argv[optind] is the command */
    PARSE_EXIT_OK, /* --help or --version was printed */
    PARSE_ERROR,   /* *err is set */
};

/* getopt sets optopt for long options too, so tell them apart by "--". */
static enum parse_result unknown_global_option(char **argv, vd_error **err)
{
    const char *arg = argv[optind - 1];
    if (strncmp(arg, "--", 2) == 0)
        vd_error_set(err, 0, "unknown global option \"%s\" (see voidoci --help)", arg);
    else
        vd_error_set(err, 0, "unknown global option \"-%c\" (see voidoci --help)", optopt);
    return PARSE_ERROR;
}

static enum parse_result set_path(const char **field, const char *option, const char *value,
                                  vd_error **err)
{
    if (value[0] == '\0') {
        vd_error_set(err, 0, "global option \"%s\" needs a non-empty path", option);
        return PARSE_ERROR;
    }
    *field = value;
    return PARSE_COMMAND;
}

static enum parse_result set_log_format(struct global_opts *g, const char *format,
                                        vd_error **err)
{
    if (strcmp(format, "json") == 0)
        g->log_json = true;
    else if (strcmp(format, "text") == 0)
        g->log_json = false;
    else {
        vd_error_set(err, 0, "invalid --log-format \"%s\": want text or json", format);
        return PARSE_ERROR;
    }
    return PARSE_COMMAND;
}

/* "+": stop at the command, whose own options follow it. ":": report a
 * missing argument apart from an unknown option. */
static enum parse_result parse_global_opts(struct global_opts *g, int argc, char **argv,
                                           vd_error **err)
{
    static const struct option options[] = {
        {"root", required_argument, NULL, OPT_ROOT},
        {"log", required_argument, NULL, OPT_LOG},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"debug", no_argument, NULL, OPT_DEBUG},
        {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:hv", options, NULL)) != -1) {
        switch (c) {
        case OPT_ROOT:
            if (set_path(&g->root, "--root", optarg, err) == PARSE_ERROR)
                return PARSE_ERROR;
            break;
        case OPT_LOG:
            if (set_path(&g->log_path, "--log", optarg, err) == PARSE_ERROR)
                return PARSE_ERROR;
            break;
        case OPT_LOG_FORMAT:
            if (set_log_format(g, optarg, err) == PARSE_ERROR)
                return PARSE_ERROR;
            break;
        case OPT_DEBUG:
            g->debug = true;
            break;
        case OPT_SYSTEMD_CGROUP:
            g->systemd_cgroup = true;
            break;
        case 'h':
            print_usage(stdout);
            return PARSE_EXIT_OK;
        case 'v':
            print_version();
            return PARSE_EXIT_OK;
        case ':':
            vd_error_set(err, 0, "global option \"%s\" needs an argument", argv[optind - 1]);
            return PARSE_ERROR;
        default:
            return unknown_global_option(argv, err);
        }
    }
    if (optind >= argc) {
        vd_error_set(err, 0, "no command given (see voidoci --help)");
        return PARSE_ERROR;
    }
    return PARSE_COMMAND;
}

/* What was printed must have reached stdout (`voidoci state x > /dev/full`). */
static int flush_stdout(int code, vd_error **err)
{
    if (fflush(stdout) != 0 && code == 0) {
        vd_error_set(err, errno, "write to stdout");
        return 1;
    }
    return code;
}

/* The one place where an error reaches the user. */
static int report(int code, vd_error **err)
{
    code = flush_stdout(code, err);
    if (code != 0 && *err && (*err)->msg)
        log_error("%s", (*err)->msg);
    vd_error_free(err);
    /* A command that returned a negative errno still exits "failed". */
    return code < 0 ? 1 : code;
}

int main(int argc, char **argv)
{
    struct global_opts g = {0};
    _cleanup_error_ vd_error *err = NULL;

    switch (parse_global_opts(&g, argc, argv, &err)) {
    case PARSE_EXIT_OK:
        return report(0, &err);
    case PARSE_ERROR:
        return report(1, &err);
    case PARSE_COMMAND:
        break;
    }
    /* "+" in the options: argv is as it came, for the re-exec. */
    const struct command *spawner = find_command(argv[optind]);
    if (spawner && spawner->spawns && vd_run_from_sealed_copy(argv, &err) < 0) {
        vd_error_prefix(&err, "%s", argv[optind]);
        return report(1, &err);
    }

    const char *name = argv[optind];
    const struct command *cmd = find_command(name);
    _cleanup_free_ char *given = NULL;
    if (g.root == NULL && (given = default_root(cmd, &err)) == NULL)
        return report(1, &err);
    _cleanup_free_ char *root = absolute_path(g.root ? g.root : given, &err);
    _cleanup_free_ char *log_path = g.log_path ? absolute_path(g.log_path, &err) : NULL;
    if (root == NULL || (g.log_path && log_path == NULL)) {
        if (err == NULL)
            vd_error_set(&err, ENOMEM, "global options");
        return report(1, &err);
    }
    g.root = root;
    g.log_path = log_path;
    log_init(&g);

    if (cmd == NULL) {
        vd_error_set(&err, 0, "unknown command \"%s\" (see voidoci --help)", name);
        return report(1, &err);
    }

    /* Refused rather than ignored: the container would land in cgroupfs
     * cgroups that the caller's systemd does not know about. */
    if (g.systemd_cgroup && cmd->sets_cgroups) {
        vd_error_set(&err, 0, "%s: --systemd-cgroup: the systemd cgroup driver is not built in",
                     name);
        return report(1, &err);
    }

    int cmd_argc = argc - optind;
    char **cmd_argv = argv + optind;
    optind = 0; /* a full getopt reset for the command's own options */
    return report(cmd->fn(&g, cmd_argc, cmd_argv, &err), &err);
}
