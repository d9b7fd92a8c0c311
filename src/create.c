/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From a bundle to a live init: config.json read and translated, the state
 * directory made, hooks wired to their moments, the init spawned, the state
 * written.  Any failure undoes all of it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console_socket.h"
#include "container.h"
#include "create.h"
#include "hooks.h"
#include "seccomp_cache.h"
#include "seccomp_listener.h"
#include "translate.h"
#include "utils.h"

int parse_preserve_fds(const char *arg, int *out, vd_error **err)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (*arg == '\0' || *end || errno || n < 0 || n > 1024)
        return vd_error_set(err, 0, "--preserve-fds: \"%s\" is not a number of fds (0-1024)",
                            arg);
    *out = (int)n;
    return 0;
}

int write_pid_file(const char *path, pid_t pid, vd_error **err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid()) >= (int)sizeof(tmp))
        return vd_error_set(err, ENAMETOOLONG, "pid file \"%s\"", path);
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return vd_error_set(err, errno, "create pid file \"%s\"", tmp);
    char text[32];
    int len = snprintf(text, sizeof(text), "%d", (int)pid);
    if (write(fd, text, (size_t)len) != len || rename(tmp, path) < 0) {
        int saved = errno;
        unlink(tmp);
        return vd_error_set(err, saved, "write pid file \"%s\"", path);
    }
    return 0;
}

/* The working directory of a hook, as runc and crun give it: the rootfs
 * for createContainer (the init's mounts are there, not yet pivoted), the
 * bundle for the hooks of the runtime's namespaces, and the process's own
 * for startContainer, which runs in the container. */
static int hook_cwd(const struct oci_spec *spec, enum oci_hook_kind kind,
                    const struct oci_state *state, char path[PATH_MAX], vd_error **err)
{
    path[0] = '\0';
    if (kind == OCI_HOOK_START_CONTAINER || state->bundle == NULL)
        return 0;
    if (kind == OCI_HOOK_CREATE_CONTAINER)
        return oci_rootfs_path(spec, state->bundle, path, err);
    if (snprintf(path, PATH_MAX, "%s", state->bundle) >= PATH_MAX)
        return vd_error_set(err, ENAMETOOLONG, "bundle \"%.64s\"", state->bundle);
    return 0;
}

int run_state_hooks(const struct oci_spec *spec, enum oci_hook_kind kind,
                    const struct oci_state *state, const char *status, bool fatal,
                    vd_error **err)
{
    if (spec == NULL || spec->n_hooks[kind] == 0)
        return 0;
    _cleanup_free_ char *json = oci_state_to_json(state, status, false, err);
    if (json == NULL)
        return -1;
    char cwd[PATH_MAX];
    if (hook_cwd(spec, kind, state, cwd, err) < 0)
        return -1;
    return hooks_run_in(spec->hooks[kind], spec->n_hooks[kind], oci_hook_kind_name(kind), json,
                        cwd[0] ? cwd : NULL, fatal, err);
}

/* ---- the moments of the hooks -------------------------------------------- */

struct hook_ctx {
    const struct oci_spec *spec;
    struct oci_state *state;
};

/* The status each hook reads on its stdin is crun's, which conformance
 * tools expect: "created" for prestart, createRuntime and createContainer
 * (the environment exists by then), "starting" for startContainer,
 * "running" for poststart, "stopped" for poststop. */

/* In the runtime, once the namespaces exist and before the pivot. */
static int hooks_create_runtime(pid_t pid, void *data, vd_error **err)
{
    struct hook_ctx *h = data;
    h->state->pid = pid;
    if (run_state_hooks(h->spec, OCI_HOOK_PRESTART, h->state, "created", true, err) < 0)
        return -1;
    return run_state_hooks(h->spec, OCI_HOOK_CREATE_RUNTIME, h->state, "created", true, err);
}

/* In the init, in the container's namespaces, before the pivot. */
static int hooks_create_container(pid_t pid, void *data, vd_error **err)
{
    struct hook_ctx *h = data;
    h->state->pid = pid;
    return run_state_hooks(h->spec, OCI_HOOK_CREATE_CONTAINER, h->state, "created", true, err);
}

/* In the init, past the start gate, before the user's program. */
static int hooks_start_container(pid_t pid, void *data, vd_error **err)
{
    struct hook_ctx *h = data;
    h->state->pid = pid;
    return run_state_hooks(h->spec, OCI_HOOK_START_CONTAINER, h->state, "starting", true, err);
}

static int wire_hooks(vd_builder *b, struct hook_ctx *h, vd_error **err)
{
    const struct oci_spec *s = h->spec;
    if ((s->n_hooks[OCI_HOOK_PRESTART] || s->n_hooks[OCI_HOOK_CREATE_RUNTIME]) &&
        vd_builder_add_parent_step(b, VD_STEP_NAMESPACES_READY, hooks_create_runtime, h, err) < 0)
        return -1;
    if (s->n_hooks[OCI_HOOK_CREATE_CONTAINER] &&
        vd_builder_add_child_step(b, VD_STEP_NAMESPACES_READY, hooks_create_container, h, err) < 0)
        return -1;
    if (s->n_hooks[OCI_HOOK_START_CONTAINER] &&
        vd_builder_add_child_step(b, VD_STEP_BEFORE_EXEC, hooks_start_container, h, err) < 0)
        return -1;
    return 0;
}

/* ---- the state ------------------------------------------------------------ */

static char *now_rfc3339(void)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", ts.tv_nsec);
    return strdup(buf);
}

static bool has_own_pid_ns(const struct oci_spec *spec)
{
    for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++) {
        const struct oci_namespace *ns = &spec->linux_->namespaces[i];
        if (ns->ns == VD_NS_PID && ns->path == NULL)
            return true;
    }
    return false;
}

static int copy_annotations(const struct oci_spec *spec, struct oci_state *s, vd_error **err)
{
    if (spec->n_annotations == 0)
        return 0;
    s->annotations = calloc(spec->n_annotations, sizeof(struct oci_kv));
    if (s->annotations == NULL)
        return vd_error_set(err, ENOMEM, "copy annotations");
    s->n_annotations = spec->n_annotations;
    for (size_t i = 0; i < spec->n_annotations; i++) {
        s->annotations[i].key = strdup(spec->annotations[i].key);
        s->annotations[i].value = strdup(spec->annotations[i].value);
        if (!s->annotations[i].key || !s->annotations[i].value)
            return vd_error_set(err, ENOMEM, "copy annotations");
    }
    return 0;
}

struct oci_state *state_new(const struct oci_spec *spec, const char *id, const char *bundle,
                           vd_error **err)
{
    char rootfs[PATH_MAX];
    if (oci_rootfs_path(spec, bundle, rootfs, err) < 0)
        return NULL;
    struct oci_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        vd_error_set(err, ENOMEM, "allocate the state");
        return NULL;
    }
    s->oci_version = strdup(OCI_SPEC_VERSION);
    s->id = strdup(id);
    s->bundle = strdup(bundle);
    s->rootfs = strdup(rootfs);
    s->created = now_rfc3339();
    s->owner = strdup("");
    s->own_pid_ns = has_own_pid_ns(spec);
    oci_state_set_hook_kinds(s, spec);
    if (!s->oci_version || !s->id || !s->bundle || !s->rootfs || !s->created || !s->owner) {
        vd_error_set(err, ENOMEM, "allocate the state");
        oci_state_free(s);
        return NULL;
    }
    if (copy_annotations(spec, s, err) < 0) {
        oci_state_free(s);
        return NULL;
    }
    return s;
}

/* ---- the state directory -------------------------------------------------- */

/* The bundle's config.json as read, kept for delete (poststop) and exec. */
int config_copy(const char *bundle, const char *dir, vd_error **err)
{
    char from[PATH_MAX], to[PATH_MAX];
    snprintf(from, sizeof(from), "%s/config.json", bundle);
    snprintf(to, sizeof(to), "%s/" CONTAINER_CONFIG_FILE, dir);
    _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return vd_error_set(err, errno, "open \"%s\"", from);
    _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        return vd_error_set(err, errno, "create \"%s\"", to);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            return vd_error_set(err, errno, "write \"%s\"", to);
    if (n < 0)
        return vd_error_set(err, errno, "read \"%s\"", from);
    return 0;
}

static int make_state_dir(const struct global_opts *g, const struct create_opts *o,
                          const char *bundle, char **dir, int *lock_fd, vd_error **err)
{
    if (state_dir_create(g->root, o->id, dir, err) < 0)
        return -1;
    *lock_fd = open(*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*lock_fd < 0 || flock(*lock_fd, LOCK_EX) < 0)
        return vd_error_set(err, errno, "lock \"%s\"", *dir);
    if (o->gate && mkfifoat(*lock_fd, CONTAINER_FIFO_FILE, 0600) < 0)
        return vd_error_set(err, errno, "create \"%s/" CONTAINER_FIFO_FILE "\"", *dir);
    return config_copy(bundle, *dir, err);
}

/* ---- create ---------------------------------------------------------------- */

static int check_terminal(const struct create_opts *o, const struct oci_spec *spec,
                          vd_error **err)
{
    bool terminal = spec->process && spec->process->terminal;
    if (terminal && !o->console_socket && !o->relay_terminal)
        return vd_error_set(err, 0, "process.terminal is true: --console-socket is required");
    if (!terminal && o->console_socket)
        return vd_error_set(err, 0, "--console-socket needs process.terminal to be true");
    return 0;
}

void log_ignored_selinux_labels(const char *mount_label, const char *process_label)
{
    if (vd_selinux_enabled())
        return;
    if (mount_label && mount_label[0])
        log_debug("linux.mountLabel \"%s\" ignored: SELinux is not enabled on this host",
                  mount_label);
    if (process_label && process_label[0])
        log_debug("process.selinuxLabel \"%s\" ignored: SELinux is not enabled on this host",
                  process_label);
}

int config_describe(const char *bundle, bool no_pivot, int preserve_fds, bool seccomp_by_caller,
                    struct oci_spec **spec, vd_builder *b, vd_error **err)
{
    char config[PATH_MAX];
    snprintf(config, sizeof(config), "%s/config.json", bundle);
    if (oci_spec_load(config, spec, err) < 0)
        return -1;
    if ((*spec)->linux_ && oci_resources_kernel_memory((*spec)->linux_->resources))
        log_warning("config.json: linux.resources.memory.kernel is ignored (kernel memory "
                    "limits are obsolete), as runc 1.1 does");
    struct oci_translate_opts topts = {.bundle = bundle, .no_pivot = no_pivot,
                                       .preserve_fds = preserve_fds,
                                       .seccomp_by_caller = seccomp_by_caller};
    if (oci_translate(*spec, &topts, b, err) < 0)
        return vd_error_prefix(err, "config.json");
    log_ignored_selinux_labels((*spec)->linux_ ? (*spec)->linux_->mount_label : NULL,
                               (*spec)->process ? (*spec)->process->selinux_label : NULL);
    return 0;
}

static int describe(const struct create_opts *o, const char *bundle, struct oci_spec **spec,
                    vd_builder *b, vd_error **err)
{
    /* linux.seccomp is compiled by create itself, through the cache. */
    if (config_describe(bundle, o->no_pivot, o->preserve_fds, true, spec, b, err) < 0)
        return -1;
    if (check_terminal(o, *spec, err) < 0)
        return -1;
    if (!o->no_new_keyring && vd_builder_set_session_keyring(b, o->id, err) < 0)
        return -1;
    return 0;
}

static int hand_over_console(const struct create_opts *o, struct created *c, vd_error **err)
{
    _cleanup_close_ int master = vd_process_take_console(c->proc);
    if (master < 0)
        return 0;
    if (o->relay_terminal && !o->console_socket) {
        c->console = steal_fd(&master);
        return 0;
    }
    return console_socket_send(o->console_socket, master, err);
}

static int record_init(const struct create_opts *o, struct created *c, vd_error **err)
{
    pid_t pid = vd_process_pid(c->proc);
    c->state->pid = pid;
    c->state->start_time = process_start_time(pid);
    if (oci_state_write(c->dir, c->state, err) < 0)
        return -1;
    if (o->pid_file && write_pid_file(o->pid_file, pid, err) < 0)
        return -1;
    return 0;
}

/* ---- without a mount namespace ------------------------------------------ */

/* runtime-spec: a namespace type not listed is the runtime's. */
static bool shares_mount_ns(const struct oci_spec *spec)
{
    for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++)
        if (spec->linux_->namespaces[i].ns == VD_NS_MOUNT)
            return false;
    return true;
}

/* The container's mounts will be the host's, on its rootfs: what is there
 * now is recorded before they exist, so that delete takes away exactly
 * theirs, even after a create killed half-way. */
static int note_host_mounts(struct created *c, vd_error **err)
{
    if (!shares_mount_ns(c->spec))
        return 0;
    if (vd_mount_id_at(c->state->rootfs, &c->state->rootfs_mount_below, err) < 0)
        return vd_error_prefix(err, "root.path");
    c->state->host_mounts = true;
    return oci_state_write(c->dir, c->state, err);
}

int unmount_host_mounts(const struct oci_state *s, vd_error **err)
{
    if (s == NULL || !s->host_mounts)
        return 0;
    return vd_unmount_above(s->rootfs, s->rootfs_mount_below, err);
}

/* ---- the cgroup ----------------------------------------------------------- */

/* Its directories in state.json, for the commands that come later. */
static int record_cgroup(const vd_cgroup *cg, struct oci_state *s, vd_error **err)
{
    size_t n = 0;
    while (vd_cgroup_dir(cg, n))
        n++;
    s->cgroup_dirs = calloc(n + 1, sizeof(char *));
    if (s->cgroup_dirs == NULL)
        return vd_error_set(err, ENOMEM, "record the cgroup");
    for (size_t i = 0; i < n; i++) {
        if ((s->cgroup_dirs[i] = strdup(vd_cgroup_dir(cg, i))) == NULL)
            return vd_error_set(err, ENOMEM, "record the cgroup");
        s->n_cgroup_dirs = i + 1;
    }
    return 0;
}

/* A rootless caller that may not make the cgroup goes without one when it
 * asked for no limit (as runc): 1, *err cleared.  Else -1, *err naming the
 * limit and why it cannot be had. */
static int go_without_cgroup(const struct oci_linux *lx, vd_error **err)
{
    int e = *err ? (*err)->errnum : 0;
    if (!caller_is_rootless() || (e != EACCES && e != EPERM && e != EROFS))
        return vd_error_prefix(err, "config.json: linux.cgroupsPath");
    if (oci_resources_without_cgroup(lx, err) < 0)
        return vd_error_prefix(err, "config.json");
    vd_error_free(err);
    return 1;
}

/* The cgroup made and its limits written before the init exists, so that
 * it starts inside them (vd_builder_set_cgroup). */
static int make_cgroup(const struct create_opts *o, struct created *c, vd_builder *b,
                       vd_error **err)
{
    const struct oci_linux *lx = c->spec->linux_;
    _cleanup_free_ char *path = NULL;
    if (oci_cgroup_path(lx, o->id, &path, err) < 0)
        return vd_error_prefix(err, "config.json");
    if (vd_cgroup_create(path, &c->cgroup, err) < 0) {
        int r = go_without_cgroup(lx, err);
        return r > 0 ? 0 : r;
    }
    if ((caller_is_rootless() ? oci_translate_resources_rootless
                           : oci_translate_resources)(lx, c->cgroup, err) < 0)
        return vd_error_prefix(err, "config.json");
    if (record_cgroup(c->cgroup, c->state, err) < 0)
        return -1;
    /* A first state.json, pid 0, before the init exists: if this create is
     * killed from here on, `delete --force` still finds the cgroup, and
     * through it every process that got there. */
    if (oci_state_write(c->dir, c->state, err) < 0)
        return -1;
    vd_builder_set_cgroup(b, c->cgroup);
    return 0;
}

/* ---- linux.intelRdt ----------------------------------------------------- */

static int record_resctrl(const vd_resctrl *r, struct oci_state *s, vd_error **err)
{
    const char *mon = vd_resctrl_monitor_dir(r);
    s->resctrl_own = vd_resctrl_owns_group(r);
    if ((s->resctrl_group = strdup(vd_resctrl_group_dir(r))) == NULL ||
        (mon && (s->resctrl_monitor = strdup(mon)) == NULL))
        return vd_error_set(err, ENOMEM, "record the resctrl group");
    return 0;
}

/* Like the cgroup: made, and recorded for delete, before the init exists;
 * the init is put in it before its setup goes on (vd_builder_set_resctrl). */
static int make_resctrl(const struct create_opts *o, struct created *c, vd_builder *b,
                        vd_error **err)
{
    struct vd_resctrl_config cfg;
    _cleanup_free_ const char **lines = NULL;
    int r = oci_resctrl_config(c->spec->linux_, o->id, &cfg, &lines, err);
    if (r <= 0)
        return r < 0 ? vd_error_prefix(err, "config.json") : 0;
    if (vd_resctrl_create(&cfg, &c->resctrl, err) < 0)
        return vd_error_prefix(err, "config.json: linux.intelRdt");
    if (record_resctrl(c->resctrl, c->state, err) < 0 || oci_state_write(c->dir, c->state, err) < 0)
        return -1;
    vd_builder_set_resctrl(b, c->resctrl);
    return 0;
}

/* linux.seccomp: the program from the cache (or compiled into it), kept
 * in the state directory for exec with its key in state.json (written by
 * record_init), and set on the builder. */
static int set_seccomp(const struct global_opts *g, struct created *c, vd_builder *b,
                       vd_error **err)
{
    const struct oci_seccomp *sp = c->spec->linux_ ? c->spec->linux_->seccomp : NULL;
    if (sp == NULL)
        return 0;
    uint8_t key[VD_SHA256_LEN], insns_sha256[VD_SHA256_LEN];
    seccomp_key(sp, key);
    struct vd_seccomp_prog *p = seccomp_cache_get(g->root, sp, key, insns_sha256, err);
    if (p == NULL)
        return vd_error_prefix(err, "config.json");
    if (seccomp_filter_store(c->dir, p, key, insns_sha256, err) < 0) {
        vd_seccomp_prog_free(p);
        return -1;
    }
    memcpy(c->state->seccomp_key, key, VD_SHA256_LEN);
    c->state->has_seccomp_key = true;
    return vd_builder_set_seccomp_prog(b, p, err);
}

static void undo(const struct global_opts *g, const struct create_opts *o, struct created *c)
{
    if (c->proc) {
        vd_process_signal(c->proc, SIGKILL, NULL);
        while (waitpid(vd_process_pid(c->proc), NULL, 0) < 0 && errno == EINTR)
            ;
    }
    unmount_host_mounts(c->state, NULL);
    if (c->cgroup)
        vd_cgroup_destroy(c->cgroup, true, NULL);
    if (c->resctrl)
        vd_resctrl_destroy(c->resctrl, true, NULL);
    if (c->dir)
        state_dir_remove(g->root, o->id, NULL);
    created_release(c);
}

int container_create(const struct global_opts *g, const struct create_opts *o, struct created *c,
                     vd_error **err)
{
    *c = (struct created){.console = -1};
    _cleanup_free_ char *bundle = realpath(o->bundle ? o->bundle : ".", NULL);
    if (bundle == NULL)
        return vd_error_set(err, errno, "bundle \"%s\"", o->bundle ? o->bundle : ".");
    vd_builder *b = vd_builder_new();
    if (b == NULL)
        return vd_error_set(err, ENOMEM, "allocate the builder");
    _cleanup_close_ int lock_fd = -1;
    struct hook_ctx hooks = {0};
    struct seccomp_listener listener = {0};
    int r = describe(o, bundle, &c->spec, b, err);
    if (r == 0 && (c->state = state_new(c->spec, o->id, bundle, err)) == NULL)
        r = -1;
    if (r == 0)
        r = make_state_dir(g, o, bundle, &c->dir, &lock_fd, err);
    if (r == 0)
        r = set_seccomp(g, c, b, err);
    if (r == 0 && o->gate) {
        char fifo[PATH_MAX];
        snprintf(fifo, sizeof(fifo), "%s/" CONTAINER_FIFO_FILE, c->dir);
        r = vd_builder_set_start_fifo(b, fifo, err);
    }
    if (r == 0) {
        hooks = (struct hook_ctx){.spec = c->spec, .state = c->state};
        r = wire_hooks(b, &hooks, err);
        listener = (struct seccomp_listener){.spec = c->spec, .state = c->state};
        seccomp_listener_wire(b, &listener);
    }
    if (r == 0)
        r = make_cgroup(o, c, b, err);
    if (r == 0)
        r = make_resctrl(o, c, b, err);
    if (r == 0)
        r = note_host_mounts(c, err);
    if (r == 0)
        r = vd_spawn(b, &c->proc, err);
    vd_builder_free(b);
    if (r == 0)
        r = hand_over_console(o, c, err);
    if (r == 0)
        r = record_init(o, c, err);
    if (r < 0) {
        undo(g, o, c);
        return -1;
    }
    return 0;
}

void created_release(struct created *c)
{
    vd_process_free(c->proc);
    vd_closep(&c->console);
    oci_spec_free(c->spec);
    oci_state_free(c->state);
    free(c->dir);
    vd_cgroup_free(c->cgroup);
    vd_resctrl_free(c->resctrl);
    *c = (struct created){.console = -1};
}
