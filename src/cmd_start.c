/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci start: open the init's start gate, then run the poststart hooks.
 * Returns as soon as the init has passed the gate. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "create.h"
#include "utils.h"
#include "voidoci.h"

#define GATE_POLL_MS 100

/* Wait for data on the FIFO while the init lives.  Returns what read()
 * returned (0 at EOF, when the init exec'd or died). */
static ssize_t read_gate(const struct container *c, int fifo, char *buf, size_t len,
                         vd_error **err)
{
    for (;;) {
        struct pollfd p = {.fd = fifo, .events = POLLIN};
        int n = poll(&p, 1, GATE_POLL_MS);
        if (n < 0 && errno != EINTR)
            return vd_error_set(err, errno, "wait for the init at the start fifo");
        if (n > 0) {
            ssize_t r = read(fifo, buf, len);
            if (r >= 0 || (errno != EAGAIN && errno != EINTR))
                return r < 0 ? vd_error_set(err, errno, "read the start fifo") : r;
        }
        if (container_status(c) == CONTAINER_STOPPED)
            return 0;
    }
}

/* Open the FIFO without blocking (an init that died would never open its
 * end), take the init's "0", then wait for the exec: EOF means the
 * program runs; text means a startContainer hook or the exec failed. */
static int open_gate(const struct container *c, vd_error **err)
{
    _cleanup_close_ int dir = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return vd_error_set(err, errno, "open \"%s\"", c->dir);
    _cleanup_close_ int fifo = openat(dir, CONTAINER_FIFO_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0)
        return vd_error_set(err, errno, "open the start fifo");
    char byte;
    ssize_t n = read_gate(c, fifo, &byte, 1, err);
    if (n < 0)
        return -1;
    if (n == 0)
        return vd_error_set(err, 0, "the container's init exited before start");
    if (unlinkat(dir, CONTAINER_FIFO_FILE, 0) < 0)
        return vd_error_set(err, errno, "remove the start fifo");
    char text[4096];
    size_t used = 0;
    while (used < sizeof(text) - 1 &&
           (n = read_gate(c, fifo, text + used, sizeof(text) - 1 - used, err)) > 0)
        used += (size_t)n;
    if (n < 0)
        return -1;
    if (used > 0) {
        text[used] = '\0';
        return vd_error_set(err, 0, "%s", text);
    }
    return 0;
}

static int poststart(const struct container *c, vd_error **err)
{
    /* Most containers have none: the copy is not parsed then. */
    if (!oci_state_may_have_hooks(c->state, OCI_HOOK_POSTSTART))
        return 0;
    char config[4096];
    snprintf(config, sizeof(config), "%s/" CONTAINER_CONFIG_FILE, c->dir);
    struct oci_spec *spec = NULL;
    if (oci_spec_load(config, &spec, err) < 0)
        return -1;
    int r = run_state_hooks(spec, OCI_HOOK_POSTSTART, c->state, "running", false, err);
    oci_spec_free(spec);
    return r;
}

static int start_container(const struct global_opts *g, const char *id, vd_error **err)
{
    _cleanup_container_ struct container *c = NULL;
    if (container_load(g, id, &c, err) < 0)
        return -1;
    enum container_status status = container_status(c);
    if (status != CONTAINER_CREATED)
        return vd_error_set(err, 0, "cannot start a container that is %s",
                            container_status_name(status));
    if (open_gate(c, err) < 0)
        return -1;
    return poststart(c, err);
}

int cmd_start(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (ch == 'h') {
            printf("Usage: voidoci start ID\n\nLet a created container's init run its program.\n");
            return 0;
        }
        vd_error_set(err, 0, "start: unknown option \"%s\" (see start --help)", argv[optind - 1]);
        return 1;
    }
    if (optind != argc - 1) {
        vd_error_set(err, 0, "start: expects exactly one container ID (see start --help)");
        return 1;
    }
    if (start_container(g, argv[optind], err) < 0) {
        vd_error_prefix(err, "start \"%s\"", argv[optind]);
        return 1;
    }
    return 0;
}
