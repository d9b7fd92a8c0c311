/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What checkpoint and restore share: the `criu` command line they build
 * from their flags and from config.json, and running it. */
#ifndef VOIDOCI_CRIU_H
#define VOIDOCI_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"
#include "voidoci.h"

/* The flags both commands take, as runc names them. */
struct criu_opts {
    const char *image_path;   /* --image-path (default: ./checkpoint) */
    const char *work_path;    /* --work-path (default: the image path) */
    const char *parent_path;  /* --parent-path, relative to the image path */
    const char *cgroups_mode; /* --manage-cgroups-mode soft|full|strict|ignore */
    bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump;
};

/* The fd number criu gets the first inherited fd as (the terminal, the
 * joined namespaces), the others following: `--inherit-fd fd[N]:KEY`. */
#define CRIU_INHERIT_FD 3
#define CRIU_INHERIT_MAX 4

/* A growing argv for execvp, NULL-terminated, and the fds criu is to
 * inherit (owned: closed by criu_argv_free). */
struct criu_argv {
    char **v;
    size_t n;
    int inherit[CRIU_INHERIT_MAX];
    size_t n_inherit;
};

/* Add one argument, printf-style; -1 (ENOMEM in *err) when out of memory. */
int criu_arg(struct criu_argv *a, vd_error **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void criu_argv_free(struct criu_argv *a);

/* getopt values of the flags both commands take (and of checkpoint's
 * own, parsed in the same place). */
enum {
    CRIU_OPT_IMAGE_PATH = 300,
    CRIU_OPT_WORK_PATH,
    CRIU_OPT_PARENT_PATH,
    CRIU_OPT_CGROUPS_MODE,
    CRIU_OPT_LEAVE_RUNNING,
    CRIU_OPT_TCP_ESTABLISHED,
    CRIU_OPT_EXT_UNIX_SK,
    CRIU_OPT_SHELL_JOB,
    CRIU_OPT_FILE_LOCKS,
    CRIU_OPT_PRE_DUMP,
};
/* Their getopt_long entries, for the top of each command's table. */
// clang-format off
#define CRIU_SHARED_OPTIONS                                                   \
    {"image-path", required_argument, NULL, CRIU_OPT_IMAGE_PATH},             \
    {"work-path", required_argument, NULL, CRIU_OPT_WORK_PATH},               \
    {"manage-cgroups-mode", required_argument, NULL, CRIU_OPT_CGROUPS_MODE},  \
    {"tcp-established", no_argument, NULL, CRIU_OPT_TCP_ESTABLISHED},         \
    {"ext-unix-sk", no_argument, NULL, CRIU_OPT_EXT_UNIX_SK},                 \
    {"shell-job", no_argument, NULL, CRIU_OPT_SHELL_JOB},                     \
    {"file-locks", no_argument, NULL, CRIU_OPT_FILE_LOCKS}
// clang-format on
/* Take one of those (getopt's `c` and `optarg`); 1 when `c` is not one
 * of them, -1 with *err for a bad value. */
int criu_parse_opt(int c, const char *arg, struct criu_opts *o, vd_error **err);

/* "criu ACTION --images-dir ... --log-file LOG -v4" and the flags of `o`
 * that ACTION takes; the image (dump) and work directories made if missing. */
int criu_argv_start(struct criu_argv *a, const char *action, const struct criu_opts *o,
                    const char *log_name, vd_error **err);
/* The bind mounts of config.json as external mounts, keyed by their
 * destination: for dump `--external mnt[DEST]:DEST`, for restore
 * `--ext-mount-map DEST:SOURCE` (SOURCE relative to the bundle). */
int criu_argv_mounts(struct criu_argv *a, const struct oci_spec *spec, const char *bundle,
                     bool restore, vd_error **err);
/* Hand `fd` (taken: closed on failure too) to criu as the next inherited
 * fd, and say so: `--inherit-fd fd[N]:KEY`. */
int criu_argv_inherit(struct criu_argv *a, int fd, const char *key, vd_error **err);
/* The namespaces config.json joins by path: for dump, a network or pid
 * namespace `--external net[INODE]:extRootNetNS` (pid[...]:extRootPidNS),
 * the keys runc and crun use; for restore the namespace opened and
 * inherited under that key.  A joined namespace of another type that is
 * not ours too is refused: criu would dump it as the container's own and
 * restore a new one. */
int criu_argv_namespaces(struct criu_argv *a, const struct oci_spec *spec, bool restore,
                         vd_error **err);
/* A container with process.terminal true (see criu.c): for dump, the
 * init's pty slave `--external tty[RDEV:DEV]`, its key recorded in the
 * image dir, and `--external mnt[/dev/console]:/dev/console`. */
int criu_argv_dump_tty(struct criu_argv *a, const struct criu_opts *o, pid_t pid, vd_error **err);
/* For restore, the new pty slave `slave` (taken) at `slave_path` in their
 * place: `--inherit-fd fd[N]:tty[RDEV:DEV]` with the recorded key,
 * `--ext-mount-map /dev/console:SLAVE_PATH`. */
int criu_argv_restore_tty(struct criu_argv *a, const struct criu_opts *o, int slave,
                          const char *slave_path, vd_error **err);

/* Run it and wait, criu holding no fd of ours but 0-2 and the inherited
 * ones (as fds CRIU_INHERIT_FD...); a failure reads "criu ACTION failed (exit status N):
 * <the last error of its log>; see LOG".  Where criu cannot work on this
 * kernel it fails there, before it touches a process (no `criu check`
 * first: it takes seconds, some 20 s in a VM under TCG). */
int criu_run(const struct criu_argv *a, const struct criu_opts *o, const char *log_name,
             vd_error **err);

#endif
