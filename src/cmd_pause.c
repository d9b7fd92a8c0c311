/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci pause / resume: freeze every process of a container through its
 * cgroup's freezer, and thaw them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "container.h"
#include "utils.h"
#include "voidoci.h"

static void usage(const char *cmd)
{
    printf("Usage: voidoci %s ID\n"
           "\n"
           "%s every process of container ID (through its cgroup's freezer).\n"
           "\n"
           "  -h, --help  show this help\n",
           cmd, cmd[0] == 'p' ? "Suspend" : "Resume");
}

/* runc's rules: pause a running or created container, resume a paused one. */
static int freeze(const struct global_opts *g, const char *id, bool frozen, vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_load(g, id, &c, err) < 0)
        return -1;
    enum container_status status = container_status(c);
    if (frozen && status != CONTAINER_RUNNING && status != CONTAINER_CREATED)
        return vd_error_set(err, 0, "container not running or created: %s",
                            container_status_name(status));
    if (!frozen && status != CONTAINER_PAUSED)
        return vd_error_set(err, 0, "container not paused: %s", container_status_name(status));
    vd_cgroup *cg = NULL;
    if (container_cgroup(c, &cg, err) < 0)
        return -1;
    if (cg == NULL)
        return vd_error_set(err, 0, "the container has no cgroup (created by an older voidoci)");
    int r = vd_cgroup_freeze(cg, frozen, err);
    vd_cgroup_free(cg);
    return r;
}

static int pause_or_resume(const char *cmd, bool frozen, const struct global_opts *g, int argc,
                           char **argv, vd_error **err)
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (c == 'h') {
            usage(cmd);
            return 0;
        }
        vd_error_set(err, 0, "%s: unknown option \"%s\" (see voidoci %s --help)", cmd,
                     argv[optind - 1], cmd);
        return 1;
    }
    if (argc - optind != 1) {
        vd_error_set(err, 0, "%s: expects a container ID (see voidoci %s --help)", cmd, cmd);
        return 1;
    }
    if (freeze(g, argv[optind], frozen, err) < 0) {
        vd_error_prefix(err, "%s \"%s\"", cmd, argv[optind]);
        return 1;
    }
    return 0;
}

int cmd_pause(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    return pause_or_resume("pause", true, g, argc, argv, err);
}

int cmd_resume(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    return pause_or_resume("resume", false, g, argc, argv, err);
}
