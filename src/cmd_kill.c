/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci kill: send a signal to a container's init, or to all its processes. */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "container.h"
#include "utils.h"
#include "voidoci.h"

static void kill_usage(void)
{
    fputs("Usage: voidoci kill [-a|--all] ID [SIGNAL]\n"
          "\n"
          "Send SIGNAL (default TERM) to the init of container ID.  SIGNAL is a\n"
          "number (9), a name with or without SIG in any case (KILL, SIGKILL, kill),\n"
          "or RTMIN+N / RTMAX-N.\n"
          "\n"
          "  -a, --all   signal every process of the container\n"
          "  -h, --help  show this help\n",
          stdout);
}

/* "5" in "RTMIN+5": a decimal number without sign or spaces. */
static bool parse_small_number(const char *s, long max, int *out)
{
    if (!isdigit((unsigned char)s[0]))
        return false;
    char *end;
    long n = strtol(s, &end, 10);
    if (*end != '\0' || n > max)
        return false;
    *out = (int)n;
    return true;
}

static bool parse_rt_signal(const char *name, int *sig)
{
    int n = 0;
    if (strcasecmp(name, "RTMIN") == 0)
        *sig = SIGRTMIN;
    else if (strcasecmp(name, "RTMAX") == 0)
        *sig = SIGRTMAX;
    else if (strncasecmp(name, "RTMIN+", 6) == 0 && parse_small_number(name + 6, 64, &n))
        *sig = SIGRTMIN + n;
    else if (strncasecmp(name, "RTMAX-", 6) == 0 && parse_small_number(name + 6, 64, &n))
        *sig = SIGRTMAX - n;
    else
        return false;
    return *sig >= SIGRTMIN && *sig <= SIGRTMAX;
}

/* A number as is (0 asks only whether the container is alive), or a name
 * as runc takes it: any case, "SIG" optional. */
static int parse_signal(const char *arg, int *sig, vd_error **err)
{
    if (parse_small_number(arg, SIGRTMAX, sig))
        return 0;
    const char *name = strncasecmp(arg, "SIG", 3) == 0 ? arg + 3 : arg;
    for (int s = 1; s < SIGRTMIN; s++) {
        const char *abbrev = sigabbrev_np(s);
        if (abbrev && strcasecmp(name, abbrev) == 0) {
            *sig = s;
            return 0;
        }
    }
    /* Second names that glibc's table leaves out (Go knows SIGIO, not SIGPOLL). */
    static const struct {
        const char *name;
        int sig;
    } aliases[] = {{"IO", SIGIO}, {"IOT", SIGIOT}, {"CLD", SIGCHLD}};
    for (size_t i = 0; i < VD_ARRAY_SIZE(aliases); i++)
        if (strcasecmp(name, aliases[i].name) == 0) {
            *sig = aliases[i].sig;
            return 0;
        }
    if (parse_rt_signal(name, sig))
        return 0;
    return vd_error_set(err, 0, "unknown signal \"%s\"", arg);
}

static int kill_container(const struct global_opts *g, const char *id, int sig, bool all,
                          vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_load(g, id, &c, err) < 0)
        return -1;
    return container_signal(c, sig, all, err);
}

int cmd_kill(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool all = false;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+ah", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            all = true;
            break;
        case 'h':
            kill_usage();
            return 0;
        default:
            vd_error_set(err, 0, "kill: unknown option \"%s\" (see voidoci kill --help)",
                         argv[optind - 1]);
            return 1;
        }
    }
    if (optind >= argc || argc - optind > 2) {
        vd_error_set(err, 0, "kill: expects a container ID and an optional signal "
                             "(see voidoci kill --help)");
        return 1;
    }
    const char *id = argv[optind];
    int sig = SIGTERM;
    if ((optind + 1 < argc && parse_signal(argv[optind + 1], &sig, err) < 0) ||
        kill_container(g, id, sig, all, err) < 0) {
        vd_error_prefix(err, "kill \"%s\"", id);
        return 1;
    }
    return 0;
}
