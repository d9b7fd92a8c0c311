/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci ps: the processes of a container, as `ps` lines or a JSON array
 * of host pids. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "utils.h"
#include "voidoci.h"

/* More ps output than this is refused rather than held in memory. */
#define PS_OUTPUT_MAX (64u * 1024 * 1024)

extern char **environ;

static void ps_usage(void)
{
    fputs("Usage: voidoci ps [-f|--format table|json] ID [PS OPTIONS]\n"
          "\n"
          "List the processes of container ID: the lines of `ps PS OPTIONS` (default\n"
          "-ef) whose PID is one of the container's, under ps's header; or, with\n"
          "json, an array of their host pids.\n"
          "\n"
          "  -f, --format FORMAT  table (default) or json\n"
          "  -h, --help           show this help\n",
          stdout);
}

/* Compact, as runc's json.Encoder writes a Go slice: `null` when empty. */
static void print_pids_json(const pid_t *pids, size_t n)
{
    if (n == 0) {
        puts("null");
        return;
    }
    putchar('[');
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", (int)pids[i]);
    puts("]");
}

static int read_all(int fd, char **out, vd_error **err)
{
    size_t cap = 65536, n = 0;
    _cleanup_free_ char *buf = malloc(cap);
    if (buf == NULL)
        return vd_error_set(err, ENOMEM, "read the output of ps");
    for (;;) {
        if (cap - n < 2) {
            if (cap >= PS_OUTPUT_MAX)
                return vd_error_set(err, 0, "ps wrote more than %u bytes", PS_OUTPUT_MAX);
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL)
                return vd_error_set(err, ENOMEM, "read the output of ps");
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return vd_error_set(err, errno, "read the output of ps");
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *out = steal_pointer(&buf);
    return 0;
}

static int wait_child(pid_t pid, vd_error **err)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return vd_error_set(err, errno, "wait for ps");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        return vd_error_set(err, 0, "ps exited with status %d", WEXITSTATUS(status));
    return vd_error_set(err, 0, "ps was killed by signal %d", WTERMSIG(status));
}

/* `ps args...` with its stdout captured; its stderr is ours. */
static int run_ps(char **args, char **out, vd_error **err)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return vd_error_set(err, errno, "pipe");
    _cleanup_close_ int rd = pipefd[0];
    _cleanup_close_ int wr = pipefd[1];

    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0)
        return vd_error_set(err, ENOMEM, "run ps");
    int r = posix_spawn_file_actions_adddup2(&actions, wr, STDOUT_FILENO);
    pid_t pid = -1;
    if (r == 0)
        r = posix_spawnp(&pid, "ps", &actions, NULL, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (r != 0)
        return vd_error_set(err, r, "run \"ps\"");
    close(steal_fd(&wr));

    _cleanup_free_ char *text = NULL;
    int read_r = read_all(rd, &text, err);
    close(steal_fd(&rd)); /* a ps still writing gets EPIPE, not a hang */
    _cleanup_error_ vd_error *wait_err = NULL;
    int wait_r = wait_child(pid, read_r < 0 ? &wait_err : err);
    if (read_r < 0 || wait_r < 0)
        return -1;
    *out = steal_pointer(&text);
    return 0;
}

/* Index of the "PID" column in ps's header. */
static int pid_column(const char *header, vd_error **err)
{
    _cleanup_free_ char *copy = strdup(header);
    if (copy == NULL)
        return vd_error_set(err, ENOMEM, "parse the output of ps");
    char *save = NULL;
    int i = 0;
    for (char *f = strtok_r(copy, " \t", &save); f; f = strtok_r(NULL, " \t", &save), i++)
        if (strcmp(f, "PID") == 0)
            return i;
    return vd_error_set(err, 0, "no PID column in the output of ps");
}

/* Field `index` of a line as a pid, or -1. */
static pid_t field_pid(const char *line, int index)
{
    const char *p = line;
    for (int i = 0;; i++) {
        p += strspn(p, " \t");
        if (*p == '\0')
            return -1;
        if (i == index) {
            char *end;
            long pid = strtol(p, &end, 10);
            if (end == p || (*end != '\0' && *end != ' ' && *end != '\t') || pid <= 0 ||
                pid > INT32_MAX)
                return -1;
            return (pid_t)pid;
        }
        p += strcspn(p, " \t");
    }
}

static bool has_pid(const pid_t *pids, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* ps's header, then its lines for our pids, as runc does. */
static int print_ps_table(char **ps_args, const pid_t *pids, size_t n, vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    if (run_ps(ps_args, &text, err) < 0)
        return -1;
    char *save = NULL;
    char *header = strtok_r(text, "\n", &save);
    if (header == NULL)
        return vd_error_set(err, 0, "ps printed nothing");
    int index = pid_column(header, err);
    if (index < 0)
        return -1;
    printf("%s\n", header);
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (has_pid(pids, n, field_pid(line, index)))
            printf("%s\n", line);
    return 0;
}

static int ps_container(const struct global_opts *g, const char *id, bool json, char **ps_args,
                        vd_error **err)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    {
        _cleanup_container_ struct container *c = NULL;
        if (container_read(g, id, &c, err) < 0 || container_pids(c, &pids, &n, err) < 0)
            return -1;
    } /* the lock is not held while ps runs */
    if (json) {
        print_pids_json(pids, n);
        return 0;
    }
    return print_ps_table(ps_args, pids, n, err);
}

int cmd_ps(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:f:h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = true;
            else if (strcmp(optarg, "table") == 0)
                json = false;
            else {
                vd_error_set(err, 0, "ps: invalid format \"%s\": want table or json", optarg);
                return 1;
            }
            break;
        case 'h':
            ps_usage();
            return 0;
        case ':':
            vd_error_set(err, 0, "ps: option \"%s\" needs an argument", argv[optind - 1]);
            return 1;
        default:
            vd_error_set(err, 0, "ps: unknown option \"%s\" (see voidoci ps --help)",
                         argv[optind - 1]);
            return 1;
        }
    }
    if (optind >= argc) {
        vd_error_set(err, 0, "ps: expects a container ID (see voidoci ps --help)");
        return 1;
    }
    const char *id = argv[optind++];
    if (optind < argc && strcmp(argv[optind], "--") == 0)
        optind++;

    /* argv is NULL-terminated: "ps" and the options after the ID, or -ef. */
    char *default_args[] = {(char *)"ps", (char *)"-ef", NULL};
    char **ps_args = default_args;
    _cleanup_free_ char **given = NULL;
    if (optind < argc) {
        given = calloc((size_t)(argc - optind) + 2, sizeof(*given));
        if (given == NULL) {
            vd_error_set(err, ENOMEM, "ps");
            return 1;
        }
        given[0] = (char *)"ps";
        memcpy(given + 1, argv + optind, (size_t)(argc - optind) * sizeof(*given));
        ps_args = given;
    }
    if (ps_container(g, id, json, ps_args, err) < 0) {
        vd_error_prefix(err, "ps \"%s\"", id);
        return 1;
    }
    return 0;
}
