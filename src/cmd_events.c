/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidoci events: what the kernel counts for a container, as runc's JSON
 * event lines.  --stats prints one stats event; without it a stats event
 * every --interval and an oom event for each OOM kill, until the container
 * stops.
 *
 * It takes no lock on the container (container_peek): a watcher that runs
 * for hours must not hold kill or delete off.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container.h"
#include "events.h"
#include "units.h"
#include "utils.h"
#include "voidoci.h"

#define DEFAULT_INTERVAL_NS (5 * 1000000000LL)
/* How often the OOM counter and the init are looked at between stats. */
#define TICK_NS (100 * 1000000LL)

static void events_usage(void)
{
    fputs("Usage: voidoci events [--stats] [--interval DURATION] ID\n"
          "\n"
          "Print the statistics of container ID's cgroup (cpu, memory, pids, block I/O,\n"
          "huge pages) as JSON lines {\"type\":\"stats\",\"id\":ID,\"data\":{...}}, and\n"
          "{\"type\":\"oom\",\"id\":ID} each time the OOM killer kills one of its\n"
          "processes, until the container stops.\n"
          "\n"
          "      --stats              print the statistics once and exit\n"
          "      --interval DURATION  time between two stats events (default 5s;\n"
          "                           Go durations: 500ms, 2s, 1m30s)\n"
          "  -h, --help               show this help\n",
          stdout);
}

static void cgroup_freep(vd_cgroup **cg)
{
    vd_cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

/* One event line on stdout, flushed: a client reads them as they come. */
static int emit(char *json, vd_error **err)
{
    if (json == NULL)
        return -1;
    int r = printf("%s\n", json);
    free(json);
    if (r < 0 || fflush(stdout) != 0)
        return vd_error_set(err, errno, "write the event to stdout");
    return 0;
}

static int emit_stats(const char *id, const vd_cgroup *cg, vd_error **err)
{
    struct vd_cgroup_stats s;
    int r = vd_cgroup_stats(cg, &s, err);
    if (r == 0)
        r = emit(oci_event_stats_json(id, &s, err), err);
    vd_cgroup_stats_clear(&s);
    return r;
}

/* An oom event for each kill counted since *seen. */
static int emit_ooms(const char *id, const vd_cgroup *cg, uint64_t *seen, vd_error **err)
{
    uint64_t now;
    if (vd_cgroup_oom_kills(cg, &now, err) < 0)
        return -1;
    for (; *seen < now; (*seen)++)
        if (emit(oci_event_oom_json(id, err), err) < 0)
            return -1;
    return 0;
}

static bool running(const struct container *c)
{
    enum container_status s = container_status(c);
    return s != CONTAINER_STOPPED && s != CONTAINER_CREATING;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
    struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Until the container stops.  The OOM counter is polled rather than
 * waited on (v1 cgroup.event_control eventfd, v2 inotify): it is the same
 * on both, and a counter cannot lose a kill between two looks. */
static int stream(const struct container *c, const vd_cgroup *cg, int64_t interval,
                  vd_error **err)
{
    uint64_t seen = 0;
    if (vd_cgroup_oom_kills(cg, &seen, err) < 0)
        return -1;
    int64_t next_stats = now_ns();
    for (;;) {
        if (!running(c)) {
            /* A kill that stopped it is still reported; the cgroup may
             * be gone already (run removes it). */
            emit_ooms(c->id, cg, &seen, NULL);
            return 0;
        }
        if (emit_ooms(c->id, cg, &seen, err) < 0)
            return running(c) ? -1 : 0;
        if (now_ns() >= next_stats) {
            if (emit_stats(c->id, cg, err) < 0)
                return running(c) ? -1 : 0; /* stopped and deleted meanwhile */
            next_stats += interval;
            if (next_stats < now_ns()) /* stats slower than the interval */
                next_stats = now_ns() + interval;
        }
        int64_t wait = next_stats - now_ns();
        sleep_ns(wait < TICK_NS ? (wait > 0 ? wait : 0) : TICK_NS);
    }
}

static int events(const struct global_opts *g, const char *id, bool once, int64_t interval,
                  vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_peek(g, id, &c, err) < 0)
        return -1;
    enum container_status status = container_status(c);
    if (!running(c))
        return vd_error_set(err, 0, "container not running: %s", container_status_name(status));
    _cleanup_cgroup_ vd_cgroup *cg = NULL;
    if (container_cgroup(c, &cg, err) < 0)
        return -1;
    if (cg == NULL)
        return vd_error_set(err, 0, "the container has no cgroup (created by an older voidoci)");
    return once ? emit_stats(id, cg, err) : stream(c, cg, interval, err);
}

int cmd_events(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"stats", no_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool once = false;
    int64_t interval = DEFAULT_INTERVAL_NS;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            events_usage();
            return 0;
        case 's':
            once = true;
            break;
        case 'i':
            if (parse_go_duration(optarg, &interval) < 0 || interval <= 0) {
                vd_error_set(err, 0, "events: --interval: expected a positive duration such "
                                     "as 5s or 500ms, not \"%s\"", optarg);
                return 1;
            }
            break;
        default:
            vd_error_set(err, 0, "events: %s \"%s\" (see voidoci events --help)",
                         c == ':' ? "option needs a value" : "unknown option", argv[optind - 1]);
            return 1;
        }
    }
    if (optind != argc - 1) {
        vd_error_set(err, 0, "events: expects exactly one container ID (see voidoci events --help)");
        return 1;
    }
    const char *id = argv[optind];
    if (events(g, id, once, interval, err) < 0) {
        vd_error_prefix(err, "events \"%s\"", id);
        return 1;
    }
    return 0;
}
