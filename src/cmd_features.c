/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci features: the features document of runtime-spec features.md. */
#include <getopt.h>
#include <stdio.h>

#include "runtime_features.h"
#include "utils.h"
#include "voidoci.h"

static void features_usage(void)
{
    fputs("Usage: voidoci features\n"
          "\n"
          "Print, as JSON, what this build of voidoci recognises in config.json:\n"
          "the OCI versions, hooks, mount options, namespaces, capabilities,\n"
          "seccomp actions and the rest (runtime-spec features.md).  It describes\n"
          "the build, not the host: a listed feature can still fail on a kernel\n"
          "that lacks it.\n"
          "\n"
          "  -h, --help  show this help\n",
          stdout);
}

int cmd_features(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    (void)g;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (c == 'h') {
            features_usage();
            return 0;
        }
        vd_error_set(err, 0, "features: unknown option \"%s\" (see voidoci features --help)",
                     argv[optind - 1]);
        return 1;
    }
    if (optind != argc) {
        vd_error_set(err, 0, "features: takes no arguments (see voidoci features --help)");
        return 1;
    }
    _cleanup_free_ char *json = oci_features_json(err);
    if (json == NULL) {
        vd_error_prefix(err, "features");
        return 1;
    }
    printf("%s\n", json);
    return 0;
}
