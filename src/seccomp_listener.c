/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp.listenerPath: the seccomp agent that answers SCMP_ACT_NOTIFY.
 * It gets one connection per container, carrying the runtime-spec
 * "container process state" JSON with the listener fd as SCM_RIGHTS, and
 * the connection is closed at once (config-linux.md).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "json.h"
#include "seccomp_listener.h"
#include "utils.h"
#include "voidoci.h"

/* {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"} */
static char *process_state_json(const struct seccomp_listener *l, pid_t pid, size_t *len,
                                vd_error **err)
{
    const struct oci_seccomp *sp = l->spec->linux_->seccomp;
    struct oci_json_writer *w = oci_json_writer_new(false);
    if (w == NULL) {
        vd_error_set(err, ENOMEM, "write the seccomp listener's state");
        return NULL;
    }
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "ociVersion");
    oci_json_write_string(w, OCI_SPEC_VERSION);
    oci_json_write_key(w, "fds");
    oci_json_write_begin_array(w);
    oci_json_write_string(w, "seccompFd");
    oci_json_write_end_array(w);
    oci_json_write_key(w, "pid");
    oci_json_write_int(w, pid);
    if (sp->listener_metadata) {
        oci_json_write_key(w, "metadata");
        oci_json_write_string(w, sp->listener_metadata);
    }
    oci_json_write_key(w, "state");
    oci_state_write_object(w, l->state, l->exec ? "running" : "creating");
    oci_json_write_end_object(w);
    return oci_json_writer_finish(w, len, err);
}

static int send_to_listener(pid_t pid, int notify_fd, void *data, vd_error **err)
{
    struct seccomp_listener *l = data;
    const char *path = l->spec->linux_->seccomp->listener_path;
    if (!l->exec)
        l->state->pid = pid;
    size_t len;
    _cleanup_free_ char *json = process_state_json(l, pid, &len, err);
    if (json == NULL)
        return -1;
    _cleanup_close_ int sock = unix_connect(path, "seccomp listener", err);
    if (sock < 0)
        return -1;
    /* One sendmsg: the fd goes with the first (and only) one. */
    if (vd_send_fd(sock, json, len, notify_fd) < 0)
        return vd_error_set(err, errno, "send the seccomp fd to listener \"%s\"", path);
    return 0;
}

void seccomp_listener_wire(vd_builder *b, struct seccomp_listener *l)
{
    const struct oci_linux *lx = l->spec->linux_;
    if (lx && lx->seccomp && lx->seccomp->listener_path)
        vd_builder_set_seccomp_listener(b, send_to_listener, l);
}
