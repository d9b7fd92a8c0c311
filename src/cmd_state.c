/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci state: the runtime-spec state of one container, as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "container.h"
#include "utils.h"
#include "voidoci.h"

static void state_usage(void)
{
    fputs("Usage: voidoci state ID\n"
          "\n"
          "Print the state of container ID as JSON: ociVersion, id, pid, status\n"
          "(creating, created, running, paused or stopped), bundle, rootfs, created,\n"
          "annotations and owner.  pid is 0 once the container has stopped.\n"
          "\n"
          "  -h, --help  show this help\n",
          stdout);
}

static int print_state(const struct global_opts *g, const char *id, vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_read(g, id, &c, err) < 0)
        return -1;
    _cleanup_free_ char *json = container_state_json(c, container_status(c), true, err);
    if (json == NULL)
        return -1;
    printf("%s\n", json);
    return 0;
}

int cmd_state(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (c == 'h') {
            state_usage();
            return 0;
        }
        vd_error_set(err, 0, "state: unknown option \"%s\" (see voidoci state --help)",
                     argv[optind - 1]);
        return 1;
    }
    if (optind != argc - 1) {
        vd_error_set(err, 0, "state: expects exactly one container ID (see voidoci state --help)");
        return 1;
    }
    const char *id = argv[optind];
    if (print_state(g, id, err) < 0) {
        vd_error_prefix(err, "state \"%s\"", id);
        return 1;
    }
    return 0;
}
