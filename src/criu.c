/* SPDX-License-Identifier: GPL-2.0-or-later */
/* checkpoint and restore run the `criu` program with arguments rather
 * than speaking its RPC: no protobuf library to link, one process to
 * wait for, and criu's own log file (in the image directory) holds the
 * detail that its exit status cannot. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu.h"
#include "utils.h"

#define CRIU_PROGRAM "criu"

int criu_arg(struct criu_argv *a, vd_error **err, const char *fmt, ...)
{
    char **v = realloc(a->v, (a->n + 2) * sizeof(char *));
    if (v == NULL)
        return vd_error_set(err, ENOMEM, "criu's arguments");
    a->v = v;
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&a->v[a->n], fmt, ap);
    va_end(ap);
    if (r < 0) {
        a->v[a->n] = NULL;
        return vd_error_set(err, ENOMEM, "criu's arguments");
    }
    a->v[++a->n] = NULL;
    return 0;
}

void criu_argv_free(struct criu_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = 0;
    for (size_t i = 0; i < a->n_inherit; i++)
        close(a->inherit[i]);
    a->n_inherit = 0;
}

int criu_argv_inherit(struct criu_argv *a, int fd, const char *key, vd_error **err)
{
    if (a->n_inherit == CRIU_INHERIT_MAX) {
        close(fd);
        return vd_error_set(err, EMFILE, "more than %d fds for criu to inherit", CRIU_INHERIT_MAX);
    }
    int number = CRIU_INHERIT_FD + (int)a->n_inherit;
    a->inherit[a->n_inherit++] = fd;
    return criu_arg(a, err, "--inherit-fd") < 0 || criu_arg(a, err, "fd[%d]:%s", number, key) < 0
               ? -1
               : 0;
}

static int check_mode(const char *mode, vd_error **err)
{
    static const char *const modes[] = {"soft", "full", "strict", "ignore"};
    for (size_t i = 0; i < VD_ARRAY_SIZE(modes); i++)
        if (strcmp(mode, modes[i]) == 0)
            return 0;
    return vd_error_set(err, 0, "--manage-cgroups-mode \"%s\": want soft, full, strict or ignore",
                        mode);
}

int criu_parse_opt(int c, const char *arg, struct criu_opts *o, vd_error **err)
{
    switch (c) {
    case CRIU_OPT_IMAGE_PATH: o->image_path = arg; break;
    case CRIU_OPT_WORK_PATH: o->work_path = arg; break;
    case CRIU_OPT_PARENT_PATH: o->parent_path = arg; break;
    case CRIU_OPT_CGROUPS_MODE:
        o->cgroups_mode = arg;
        return check_mode(arg, err);
    case CRIU_OPT_LEAVE_RUNNING: o->leave_running = true; break;
    case CRIU_OPT_TCP_ESTABLISHED: o->tcp_established = true; break;
    case CRIU_OPT_EXT_UNIX_SK: o->ext_unix_sk = true; break;
    case CRIU_OPT_SHELL_JOB: o->shell_job = true; break;
    case CRIU_OPT_FILE_LOCKS: o->file_locks = true; break;
    case CRIU_OPT_PRE_DUMP: o->pre_dump = true; break;
    default: return 1;
    }
    return 0;
}

/* criu's "(00.43) Error (criu/x.c:42): what" as "what", cut at the newline. */
static void error_text(const char *line, char *buf, size_t size)
{
    const char *colon = strstr(line, "): ");
    if (colon)
        line = colon + 3;
    size_t len = strcspn(line, "\n");
    snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), line);
}

/* In the child: the fds to inherit dup'ed above those they go to, and
 * then to CRIU_INHERIT_FD..., so that none is overwritten on the way. */
static int place_inherited(const struct criu_argv *a)
{
    int high[CRIU_INHERIT_MAX], above = CRIU_INHERIT_FD + CRIU_INHERIT_MAX;
    for (size_t i = 0; i < a->n_inherit; i++)
        if ((high[i] = fcntl(a->inherit[i], F_DUPFD_CLOEXEC, above)) < 0)
            return -1;
    for (size_t i = 0; i < a->n_inherit; i++)
        if (dup2(high[i], CRIU_INHERIT_FD + (int)i) < 0)
            return -1;
    return 0;
}

/* Run criu with stdin /dev/null and its stdout+stderr into /dev/null,
 * the fds of `a` to inherit as CRIU_INHERIT_FD...; its exit status, or
 * -1 with *err set. */
static int spawn_criu(const struct criu_argv *a, vd_error **err)
{
    pid_t pid = fork();
    if (pid < 0)
        return vd_error_set(err, errno, "fork for criu");
    if (pid == 0) {
        /* /dev/null too above the fds it and the inherited ones go to. */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0)
            null = fcntl(null, F_DUPFD_CLOEXEC, CRIU_INHERIT_FD + CRIU_INHERIT_MAX);
        if (null < 0 || place_inherited(a) < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
            dup2(null, 2) < 0)
            _exit(126);
        /* Only 0-2 and the inherited fds, not what our caller left open. */
        vd_close_fds(CRIU_INHERIT_FD + (int)a->n_inherit, NULL, 0, VD_FDS_CLOSE);
        execvp(a->v[0], a->v);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return vd_error_set(err, errno, "wait for criu");
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

/* mkdir -p, as runc makes the image path. */
static int make_dir(const char *path, vd_error **err)
{
    char p[4096];
    if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
        return vd_error_set(err, ENAMETOOLONG, "create \"%s\"", path);
    for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
        if (s)
            *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            return vd_error_set(err, errno, "create \"%s\"", p);
        if (s == NULL)
            return 0;
        *s = '/';
    }
}

int criu_argv_start(struct criu_argv *a, const char *action, const struct criu_opts *o,
                    const char *log_name, vd_error **err)
{
    const char *work = o->work_path ? o->work_path : o->image_path;
    bool dump = strcmp(action, "restore") != 0;
    if ((dump && make_dir(o->image_path, err) < 0) || make_dir(work, err) < 0)
        return -1;
    if (criu_arg(a, err, CRIU_PROGRAM) < 0 || criu_arg(a, err, "%s", action) < 0 ||
        criu_arg(a, err, "--images-dir") < 0 || criu_arg(a, err, "%s", o->image_path) < 0 ||
        criu_arg(a, err, "--work-dir") < 0 || criu_arg(a, err, "%s", work) < 0 ||
        criu_arg(a, err, "--log-file") < 0 || criu_arg(a, err, "%s", log_name) < 0 ||
        criu_arg(a, err, "-v4") < 0)
        return -1;
    const struct {
        bool on;
        const char *arg;
    } flags[] = {
        {o->leave_running && dump, "--leave-running"},
        {o->tcp_established, "--tcp-established"},
        {o->ext_unix_sk, "--ext-unix-sk"},
        {o->shell_job, "--shell-job"},
        {o->file_locks, "--file-locks"},
    };
    for (size_t i = 0; i < VD_ARRAY_SIZE(flags); i++)
        if (flags[i].on && criu_arg(a, err, "%s", flags[i].arg) < 0)
            return -1;
    if (o->parent_path && dump &&
        (criu_arg(a, err, "--prev-images-dir") < 0 || criu_arg(a, err, "%s", o->parent_path) < 0))
        return -1;
    if (criu_arg(a, err, "--manage-cgroups=%s", o->cgroups_mode ? o->cgroups_mode : "soft") < 0)
        return -1;
    return 0;
}

static bool is_bind(const struct oci_mount *m)
{
    if (m->type && strcmp(m->type, "bind") == 0)
        return true;
    for (size_t i = 0; i < m->n_options; i++)
        if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
            return true;
    return false;
}

int criu_argv_mounts(struct criu_argv *a, const struct oci_spec *spec, const char *bundle,
                     bool restore, vd_error **err)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        if (!is_bind(m) || m->source == NULL)
            continue;
        int r;
        if (!restore)
            r = criu_arg(a, err, "--external") < 0 ||
                criu_arg(a, err, "mnt[%s]:%s", m->destination, m->destination) < 0;
        else if (m->source[0] == '/')
            r = criu_arg(a, err, "--ext-mount-map") < 0 ||
                criu_arg(a, err, "%s:%s", m->destination, m->source) < 0;
        else
            r = criu_arg(a, err, "--ext-mount-map") < 0 ||
                criu_arg(a, err, "%s:%s/%s", m->destination, bundle, m->source) < 0;
        if (r)
            return -1;
    }
    return 0;
}

/* The namespaces criu 3.17 takes as external (criu(8): --external
 * net[INODE]:KEY, pid[INODE]:KEY) and their keys, those runc and crun
 * use so that the images go between the runtimes. */
static const char *external_ns_key(enum vd_ns ns)
{
    static const char *const keys[VD_NS_COUNT] = {
        [VD_NS_NET] = "extRootNetNS",
        [VD_NS_PID] = "extRootPidNS",
    };
    return (unsigned)ns < VD_NS_COUNT ? keys[ns] : NULL;
}

/* Whether the namespace at `path` is ours (voidoci's, and criu's) too:
 * criu neither dumps nor restores a namespace it shares with the tasks. */
static int ns_is_ours(const struct oci_namespace *ns, struct stat *st, vd_error **err)
{
    char self[64];
    struct stat own;
    snprintf(self, sizeof(self), "/proc/self/ns/%s", vd_ns_name(ns->ns));
    if (stat(ns->path, st) < 0)
        return vd_error_set(err, errno, "linux.namespaces: stat %s namespace \"%s\"",
                            vd_ns_name(ns->ns), ns->path);
    if (stat(self, &own) < 0)
        return vd_error_set(err, errno, "stat \"%s\"", self);
    return st->st_dev == own.st_dev && st->st_ino == own.st_ino;
}

static int joined_ns_dump(struct criu_argv *a, const struct oci_namespace *ns, vd_error **err)
{
    struct stat st;
    int ours = ns_is_ours(ns, &st, err);
    const char *key = external_ns_key(ns->ns);
    if (ours < 0)
        return -1;
    if (key)
        return criu_arg(a, err, "--external") < 0 ||
                       criu_arg(a, err, "%s[%llu]:%s", vd_ns_name(ns->ns),
                                (unsigned long long)st.st_ino, key) < 0
                   ? -1
                   : 0;
    if (ours)
        return 0;
    return vd_error_set(err, 0,
                        "linux.namespaces: the joined %s namespace \"%s\" cannot be "
                        "checkpointed: criu takes only network and pid namespaces as external",
                        vd_ns_name(ns->ns), ns->path);
}

static int joined_ns_restore(struct criu_argv *a, const struct oci_namespace *ns, vd_error **err)
{
    const char *key = external_ns_key(ns->ns);
    if (key == NULL) {
        struct stat st;
        int ours = ns_is_ours(ns, &st, err);
        if (ours != 0)
            return ours < 0 ? -1 : 0;
        return vd_error_set(err, 0,
                            "linux.namespaces: criu cannot restore into the joined %s "
                            "namespace \"%s\": only network and pid namespaces",
                            vd_ns_name(ns->ns), ns->path);
    }
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "linux.namespaces: open %s namespace \"%s\"",
                            vd_ns_name(ns->ns), ns->path);
    return criu_argv_inherit(a, fd, key, err);
}

int criu_argv_namespaces(struct criu_argv *a, const struct oci_spec *spec, bool restore,
                         vd_error **err)
{
    const struct oci_linux *lx = spec->linux_;
    for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
        const struct oci_namespace *ns = &lx->namespaces[i];
        if (ns->path && (restore ? joined_ns_restore(a, ns, err) : joined_ns_dump(a, ns, err)) < 0)
            return -1;
    }
    return 0;
}

/* The last error line of the log before criu's closing "Dumping FAILED."
 * (or "Restoring FAILED."): the step that failed ("Can't dump tmpfs
 * content"); earlier ones may be harmless.  "" when there is none. */
static void log_error_line(const char *log, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(log, "re");
    if (f == NULL)
        return;
    char line[1024];
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "Error (") && !strstr(line, "FAILED."))
            error_text(line, buf, size);
    fclose(f);
}

int criu_run(const struct criu_argv *a, const struct criu_opts *o, const char *log_name,
             vd_error **err)
{
    int status = spawn_criu(a, err);
    if (status < 0)
        return -1;
    if (status == 0)
        return 0;
    char log[4096], last[512];
    snprintf(log, sizeof(log), "%s/%s", o->work_path ? o->work_path : o->image_path, log_name);
    if (status == 127)
        return vd_error_set(err, ENOENT, "criu %s: criu is not installed", a->v[1]);
    log_error_line(log, last, sizeof(last));
    return vd_error_set(err, 0, "criu %s failed (exit status %d)%s%s; see %s", a->v[1], status,
                        last[0] ? ": " : "", last, log);
}

/* The terminal of a container whose process.terminal is true.  Its pty is
 * made in the container's own devpts, a new instance that goes with the
 * container: criu cannot dump the master end (ours, or the console
 * socket's receiver's) and would fail on the slave ("slave peer without
 * master").  So the slave is an external tty to criu, keyed by its
 * st_rdev and st_dev, and /dev/console (a bind of it) an external mount;
 * restore hands criu a new slave for both.  (runc asks criu to make the
 * pair in the restored devpts and send back the master, the
 * "orphan-pts-master" notification: that exists only over criu's RPC.) */

#define CRIU_TTY_RECORD "voidoci-tty" /* in the image dir: the tty's key */
#define PTY_SLAVE_MAJOR_FIRST 136     /* UNIX98_PTY_SLAVE_MAJOR */
#define PTY_SLAVE_MAJOR_COUNT 8

static bool is_pty_slave(const struct stat *st)
{
    return S_ISCHR(st->st_mode) && major(st->st_rdev) >= PTY_SLAVE_MAJOR_FIRST &&
           major(st->st_rdev) < PTY_SLAVE_MAJOR_FIRST + PTY_SLAVE_MAJOR_COUNT;
}

/* The key criu names the pty slave by: "tty[RDEV:DEV]" in hex. */
static void tty_key(const struct stat *st, char *key, size_t size)
{
    snprintf(key, size, "tty[%llx:%llx]", (unsigned long long)st->st_rdev,
             (unsigned long long)st->st_dev);
}

/* The init's terminal: the first of its fds 0-2 that is a pty slave. */
static int init_tty_key(pid_t pid, char *key, size_t size, vd_error **err)
{
    for (int fd = 0; fd < 3; fd++) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
        if (stat(path, &st) == 0 && is_pty_slave(&st)) {
            tty_key(&st, key, size);
            return 0;
        }
    }
    return vd_error_set(err, 0,
                        "process.terminal is true but the init (pid %d) has no pty "
                        "on its fds 0-2",
                        (int)pid);
}

int criu_argv_dump_tty(struct criu_argv *a, const struct criu_opts *o, pid_t pid, vd_error **err)
{
    char key[64], path[4096];
    if (init_tty_key(pid, key, sizeof(key), err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/" CRIU_TTY_RECORD, o->image_path);
    errno = 0;
    FILE *f = fopen(path, "we");
    if (f == NULL || fprintf(f, "%s\n", key) < 0 || fclose(f) != 0)
        return vd_error_set(err, errno ? errno : EIO, "write \"%s\"", path);
    return criu_arg(a, err, "--external") < 0 || criu_arg(a, err, "%s", key) < 0 ||
                   criu_arg(a, err, "--external") < 0 ||
                   criu_arg(a, err, "mnt[/dev/console]:/dev/console") < 0
               ? -1
               : 0;
}

int criu_argv_restore_tty(struct criu_argv *a, const struct criu_opts *o, int slave,
                          const char *slave_path, vd_error **err)
{
    char path[4096], key[64];
    snprintf(path, sizeof(path), "%s/" CRIU_TTY_RECORD, o->image_path);
    _cleanup_close_ int fd = slave;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return vd_error_set(err, errno,
                            errno == ENOENT ? "the images hold no terminal (\"%s\"): was the "
                                              "container checkpointed with process.terminal "
                                              "true?"
                                            : "read \"%s\"",
                            path);
    int n = fscanf(f, "%63s", key);
    fclose(f);
    if (n != 1 || strncmp(key, "tty[", 4) != 0)
        return vd_error_set(err, EINVAL, "\"%s\" holds no tty key", path);
    return criu_argv_inherit(a, steal_fd(&fd), key, err) < 0 ||
                   criu_arg(a, err, "--ext-mount-map") < 0 ||
                   criu_arg(a, err, "/dev/console:%s", slave_path) < 0
               ? -1
               : 0;
}
