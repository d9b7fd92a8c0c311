/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci checkpoint: dump a running container to disk with CRIU (criu.c);
 * without --leave-running it is then stopped and deleted, as runc does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "container.h"
#include "criu.h"
#include "utils.h"
#include "voidoci.h"

static void checkpoint_usage(void)
{
    fputs("Usage: voidoci checkpoint [OPTIONS] ID\n"
          "\n"
          "Dump container ID to disk with CRIU (the criu program, on a kernel where\n"
          "`criu check` passes).  Without --leave-running the container is then\n"
          "stopped and deleted; `voidoci restore` brings it back.\n"
          "\n"
          "  --image-path DIR            where the images go (default ./checkpoint)\n"
          "  --work-path DIR             where criu's log goes (default: the image path)\n"
          "  --leave-running             keep the container running after the dump\n"
          "  --pre-dump                  dump the memory only, for a later dump\n"
          "  --parent-path DIR           the pre-dump's images, relative to the image path\n"
          "  --tcp-established           dump established TCP connections\n"
          "  --ext-unix-sk               allow external unix sockets\n"
          "  --shell-job                 allow a shell job (an external terminal)\n"
          "  --file-locks                dump file locks\n"
          "  --manage-cgroups-mode MODE  soft (default), full, strict or ignore\n"
          "  -h, --help                  show this help\n",
          stdout);
}

static int dump(const struct global_opts *g, const char *id, const struct criu_opts *o,
                vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_load(g, id, &c, err) < 0)
        return -1;
    enum container_status status = container_status(c);
    if (status != CONTAINER_RUNNING && status != CONTAINER_PAUSED)
        return vd_error_set(err, 0, "container not running: %s", container_status_name(status));
    char config[4096];
    snprintf(config, sizeof(config), "%s/" CONTAINER_CONFIG_FILE, c->dir);
    struct oci_spec *spec = NULL;
    if (oci_spec_load(config, &spec, err) < 0)
        return -1;
    struct criu_argv a = {0};
    const char *action = o->pre_dump ? "pre-dump" : "dump";
    const char *log = o->pre_dump ? "pre-dump.log" : "dump.log";
    /* A pre-dump saves memory only: the terminal is the dump's concern. */
    bool terminal = spec->process && spec->process->terminal && !o->pre_dump;
    int r = criu_argv_start(&a, action, o, log, err);
    if (r == 0)
        r = criu_arg(&a, err, "--tree") < 0 || criu_arg(&a, err, "%d", (int)c->state->pid) < 0 ||
                    criu_argv_mounts(&a, spec, c->state->bundle, false, err) < 0 ||
                    criu_argv_namespaces(&a, spec, false, err) < 0 ||
                    (terminal && criu_argv_dump_tty(&a, o, c->state->pid, err) < 0)
                ? -1
                : criu_run(&a, o, log, err);
    criu_argv_free(&a);
    oci_spec_free(spec);
    return r;
}

int cmd_checkpoint(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        CRIU_SHARED_OPTIONS,
        {"parent-path", required_argument, NULL, CRIU_OPT_PARENT_PATH},
        {"leave-running", no_argument, NULL, CRIU_OPT_LEAVE_RUNNING},
        {"pre-dump", no_argument, NULL, CRIU_OPT_PRE_DUMP},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct criu_opts o = {.image_path = "checkpoint"};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        if (c == 'h') {
            checkpoint_usage();
            return 0;
        }
        if (c == ':') {
            vd_error_set(err, 0, "checkpoint: option \"%s\" needs an argument", argv[optind - 1]);
            return 1;
        }
        int r = criu_parse_opt(c, optarg, &o, err);
        if (r == 1)
            vd_error_set(err, 0, "unknown option \"%s\" (see voidoci checkpoint --help)",
                         argv[optind - 1]);
        if (r != 0) {
            vd_error_prefix(err, "checkpoint");
            return 1;
        }
    }
    if (argc - optind != 1) {
        vd_error_set(err, 0, "checkpoint: expects a container ID (see voidoci checkpoint --help)");
        return 1;
    }
    const char *id = argv[optind];
    /* What criu left is the container's stopped init: delete it as
     * runc does (its poststop hooks run, its cgroup goes). */
    if (dump(g, id, &o, err) < 0 ||
        (!o.leave_running && !o.pre_dump && container_delete(g, id, true, err) < 0)) {
        vd_error_prefix(err, "checkpoint \"%s\"", id);
        return 1;
    }
    return 0;
}
