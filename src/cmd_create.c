/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci create: the init set up and waiting before the user's program.
 * create then exits; the init is left to the caller (conmon and the shim
 * are subreapers). */
#include <getopt.h>
#include <stdio.h>

#include "create.h"
#include "voidoci.h"

static void create_usage(FILE *out)
{
    fprintf(out,
            "Usage: voidoci create [OPTIONS] ID\n"
            "\n"
            "Create a container from an OCI bundle; its init waits for `voidoci start`.\n"
            "\n"
            "  -b, --bundle DIR         bundle directory (default: the current directory)\n"
            "      --pid-file FILE      write the init's pid to FILE (digits only)\n"
            "      --console-socket P   send the pty master to the unix socket P\n"
            "      --no-pivot           use MS_MOVE + chroot instead of pivot_root\n"
            "      --no-new-keyring     keep the caller's session keyring\n"
            "      --preserve-fds N     pass fds 3 .. 3+N-1 to the container\n"
            "  -h, --help               show this help\n");
}

int parse_create_args(const char *cmd, int argc, char **argv, struct create_opts *o,
                      const struct option *extra, int (*on_extra)(int, struct create_opts *),
                      vd_error **err)
{
    struct option longopts[16] = {
        {"bundle", required_argument, NULL, 'b'},
        {"pid-file", required_argument, NULL, 'p'},
        {"console-socket", required_argument, NULL, 'c'},
        {"no-pivot", no_argument, NULL, 'P'},
        {"no-new-keyring", no_argument, NULL, 'K'},
        {"preserve-fds", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
    };
    size_t n = 7;
    for (size_t i = 0; extra && extra[i].name && n < 15; i++)
        longopts[n++] = extra[i];
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+b:hd", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': o->bundle = optarg; break;
        case 'p': o->pid_file = optarg; break;
        case 'c': o->console_socket = optarg; break;
        case 'P': o->no_pivot = true; break;
        case 'K': o->no_new_keyring = true; break;
        case 'F':
            if (parse_preserve_fds(optarg, &o->preserve_fds, err) < 0)
                return vd_error_prefix(err, "%s", cmd);
            break;
        case 'h': return 1;
        default:
            if (on_extra && on_extra(c, o) == 0)
                break;
            return vd_error_set(err, 0, "%s: unknown or incomplete option \"%s\" (see %s --help)",
                                cmd, argv[optind - 1], cmd);
        }
    }
    if (optind != argc - 1)
        return vd_error_set(err, 0, "%s: expects exactly one container ID (see %s --help)", cmd,
                            cmd);
    o->id = argv[optind];
    if (validate_container_id(o->id, err) < 0)
        return vd_error_prefix(err, "%s", cmd);
    return 0;
}

int cmd_create(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    struct create_opts o = {.bundle = ".", .gate = true};
    int r = parse_create_args("create", argc, argv, &o, NULL, NULL, err);
    if (r > 0) {
        create_usage(stdout);
        return 0;
    }
    if (r < 0)
        return 1;
    struct created c;
    if (container_create(g, &o, &c, err) < 0) {
        vd_error_prefix(err, "create \"%s\"", o.id);
        return 1;
    }
    created_release(&c);
    return 0;
}
