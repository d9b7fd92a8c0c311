/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the command files share: global options, logging, the state dir. */
#ifndef VOIDOCI_H
#define VOIDOCI_H

#include <stdbool.h>

#include "void.h"

#define VOIDOCI_DEFAULT_ROOT "/run/voidoci"
#define VOIDOCI_ID_MAX 1024
/* In the root, beside the state directories: the shared compiled seccomp
 * filters (seccomp_cache.c).  Hidden from globs, and no container's ID. */
#define SECCOMP_CACHE_DIR ".seccomp-cache"

struct global_opts {
    const char *root;       /* --root, default VOIDOCI_DEFAULT_ROOT (root) or $XDG_RUNTIME_DIR/voidoci */
    const char *log_path;   /* --log, NULL: stderr only */
    bool log_json;          /* --log-format json */
    bool debug;             /* --debug */
    bool systemd_cgroup;    /* --systemd-cgroup: refused by commands that set cgroups */
};

/* Each command: argv[0] is the command name; getopt_long from there (main
 * resets optind to 0 first, so getopt starts afresh). Returns the process
 * exit code. Errors are returned through *err and printed once by main() as
 * "voidoci: <msg>", so the message itself names the command and the id:
 * `run "web": config.json: process.args: ...`. */
typedef int (*command_fn)(const struct global_opts *g, int argc, char **argv, vd_error **err);

int cmd_run(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_spec(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_create(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_start(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_state(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_list(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_kill(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_delete(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_ps(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_pause(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_resume(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_explain(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_features(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_update(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_events(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_checkpoint(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_restore(const struct global_opts *g, int argc, char **argv, vd_error **err);
int cmd_exec(const struct global_opts *g, int argc, char **argv, vd_error **err);

/* log.c: one line per call, "voidoci: <msg>" on stderr. With --log the line
 * also goes to the file (JSON: {"level":"error","msg":"...","time":"RFC3339"}
 * or logrus-style text): errors always, warnings and debug only with --debug,
 * because podman reads that file as a single JSON object. */
void log_init(const struct global_opts *g);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `s` as the inside of a JSON string (no quotes): ", \ and control
 * characters escaped, invalid UTF-8 replaced by U+FFFD. NULL when out of
 * memory; free() the result. */
char *log_json_escape(const char *s);

/* unix_socket.c: a connected unix stream socket, close-on-exec; errors
 * name it as `what` ("console socket \"/run/x.sock\""). */
int unix_connect(const char *path, const char *what, vd_error **err);

/* state_dir.c */
/* 0 when `id` is a usable container ID: non-empty, at most VOIDOCI_ID_MAX
 * bytes, only [A-Za-z0-9_+.-], not "." or "..". */
int validate_container_id(const char *id, vd_error **err);
/* Create <root>/<id> (root created 0700 if missing). Fails with "container
 * \"id\" already exists" (EEXIST) if it is there. */
int state_dir_create(const char *root, const char *id, char **dir_out, vd_error **err);
/* Remove <root>/<id> and what it holds. */
int state_dir_remove(const char *root, const char *id, vd_error **err);
/* runc's "rootless auto": not root, or root only inside a user namespace
 * whose map is not the whole id range (rootless podman's runtime calls). */
bool caller_is_rootless(void);

#endif
