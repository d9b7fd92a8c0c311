/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci explain: what `create` would make of a bundle's config.json,
 * checked exactly as create checks it (config_describe), printed and not
 * run: nothing is made on the host. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create.h"
#include "explain.h"
#include "translate.h"
#include "utils.h"
#include "voidoci.h"

static void explain_usage(void)
{
    fputs("Usage: voidoci explain [OPTIONS] [ID]\n"
          "\n"
          "Read and check the bundle's config.json as create would, run nothing, and\n"
          "print the plan: each thing added back to the void (namespaces, root,\n"
          "mounts, devices, capabilities, user, rlimits, sysctls, seccomp, cgroup,\n"
          "hooks) and what stays a void, each with the config.json path that asked\n"
          "for it.  ID (default \"ID\") names the default cgroup, as create's ID would.\n"
          "\n"
          "  -b, --bundle DIR     bundle directory (default: the current directory)\n"
          "  -f, --format FORMAT  text (default) or json\n"
          "  -h, --help           show this help\n",
          stdout);
}

static void print_text(const struct oci_plan *plan, const char *bundle)
{
    printf("bundle %s\n", bundle);
    for (size_t i = 0; i < plan->n; i++)
        printf("%-13s %s  [%s]\n", plan->items[i].section, plan->items[i].what,
               plan->items[i].path);
}

static int explain(const char *bundle_arg, const char *id, bool json, vd_error **err)
{
    _cleanup_free_ char *bundle = realpath(bundle_arg, NULL);
    if (bundle == NULL)
        return vd_error_set(err, errno, "bundle \"%s\"", bundle_arg);
    vd_builder *b = vd_builder_new();
    if (b == NULL)
        return vd_error_set(err, ENOMEM, "allocate the builder");
    struct oci_spec *spec = NULL;
    _cleanup_free_ char *cgroup = NULL;
    char rootfs[PATH_MAX];
    struct oci_plan plan = {0};
    /* The profile is compiled here (no cache): a profile create would
     * refuse is refused here too. */
    int r = config_describe(bundle, false, 0, false, &spec, b, err);
    vd_builder_free(b);
    if (r == 0 && oci_cgroup_path(spec->linux_, id, &cgroup, err) < 0)
        r = vd_error_prefix(err, "config.json");
    if (r == 0 && oci_rootfs_path(spec, bundle, rootfs, err) < 0)
        r = vd_error_prefix(err, "config.json");
    if (r == 0)
        r = oci_explain(spec, bundle, rootfs, cgroup, &plan, err);
    oci_spec_free(spec);
    if (r < 0)
        return -1;
    if (json) {
        _cleanup_free_ char *text = oci_plan_json(&plan, bundle, err);
        if (text)
            printf("%s\n", text);
        else
            r = -1;
    } else {
        print_text(&plan, bundle);
    }
    size_t first = 0;
    if (r == 0 && oci_plan_refused(&plan, &first) > 0)
        r = vd_error_set(err, 0, "config.json: %s: %s", plan.items[first].path,
                         plan.items[first].what);
    oci_plan_free(&plan);
    return r;
}

int cmd_explain(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *bundle = ".", *format = "text";
    int c;

    (void)g;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+b:f:h", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            bundle = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'h':
            explain_usage();
            return 0;
        default:
            vd_error_set(err, 0, "explain: unknown option or missing value \"%s\" (see voidoci "
                         "explain --help)", argv[optind - 1]);
            return 1;
        }
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        vd_error_set(err, 0, "explain: --format: \"%s\": expected text or json", format);
        return 1;
    }
    if (argc - optind > 1) {
        vd_error_set(err, 0, "explain: takes at most one ID (see voidoci explain --help)");
        return 1;
    }
    const char *id = optind < argc ? argv[optind] : "ID";
    if (explain(bundle, id, strcmp(format, "json") == 0, err) < 0) {
        vd_error_prefix(err, "explain");
        return 1;
    }
    return 0;
}
