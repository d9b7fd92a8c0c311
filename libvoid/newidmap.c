/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Id maps beyond the caller's own id, for a caller the kernel lets map only
 * that one id (no CAP_SETUID/CAP_SETGID over the parent user namespace): the
 * setuid helpers newuidmap and newgidmap (package uidmap) write them, allowing
 * the ranges /etc/subuid and /etc/subgid give the caller.  The helper is
 * looked up in $PATH (the usual system directories when it is unset) and
 * runs with stdin and stdout on /dev/null, stderr on a pipe whose first line
 * names its refusal, no other fd and an empty environment.  setgroups is left
 * to newgidmap: it denies it only for a map it allows from the user's own gid
 * alone, and cannot allow it again once denied. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The first executable DIR/name for DIR in $PATH (absolute entries only). */
static char *find_helper(const char *name)
{
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0')
        path = DEFAULT_PATH;
    for (const char *p = path; *p != '\0';) {
        size_t len = strcspn(p, ":");
        if (len > 0 && p[0] == '/') {
            char *full = NULL;
            if (asprintf(&full, "%.*s/%s", (int)len, p, name) < 0)
                return NULL;
            if (access(full, X_OK) == 0)
                return full;
            free(full);
        }
        p += len;
        if (*p == ':')
            p++;
    }
    return NULL;
}

/* argv: HELPER PID then INSIDE OUTSIDE COUNT for each map, in one buffer. */
static char **helper_argv(const char *helper, pid_t pid, const struct vd_id_map *maps, size_t n)
{
    size_t n_args = 2 + 3 * n + 1;
    size_t text = 16 + n * 3 * 12;
    char **argv = calloc(1, n_args * sizeof(char *) + text);
    if (argv == NULL)
        return NULL;
    char *s = (char *)(argv + n_args), *end = s + text;
    argv[0] = (char *)helper;
    argv[1] = s;
    s += snprintf(s, (size_t)(end - s), "%d", (int)pid) + 1;
    for (size_t i = 0; i < n; i++) {
        unsigned v[3] = {maps[i].container_id, maps[i].host_id, maps[i].size};
        for (size_t k = 0; k < 3; k++) {
            argv[2 + 3 * i + k] = s;
            s += snprintf(s, (size_t)(end - s), "%u", v[k]) + 1;
        }
    }
    return argv;
}

/* In the forked child: only async-signal-safe calls, then exec or _exit. */
static void exec_helper(const char *path, char **argv, int err_fd)
{
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0 ||
        dup2(err_fd, STDERR_FILENO) < 0)
        _exit(126);
    vd_close_fds(3, NULL, 0, VD_FDS_CLOSE);
    char *envp[] = {NULL};
    execve(path, argv, envp);
    _exit(127);
}

/* The helper's first line on stderr, without a trailing newline. */
static void read_first_line(int fd, char *buf, size_t size)
{
    size_t used = 0;
    while (used + 1 < size) {
        ssize_t r = read(fd, buf + used, size - 1 - used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        used += (size_t)r;
    }
    buf[used] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
}

static int run_helper(const char *path, char **argv, char *out, size_t out_size, int *status,
                      vd_error **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return vd_error_set(err, errno, "pipe");
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return vd_error_set(err, e, "fork");
    }
    if (pid == 0)
        exec_helper(path, argv, p[1]);
    close(p[1]);
    read_first_line(p[0], out, out_size);
    close(p[0]);
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return vd_error_set(err, errno, "wait for %s", path);
    }
    return 0;
}

int vd_newidmap_write(pid_t pid, const char *file, const struct vd_id_map *maps, size_t n,
                      vd_error **err)
{
    const char *name = strcmp(file, "gid_map") == 0 ? "newgidmap" : "newuidmap";
    _cleanup_free_ char *path = find_helper(name);
    if (path == NULL)
        return vd_error_set(err, ENOENT, "write %s for pid %d: %s (package uidmap) is needed "
                            "to map more than the caller's own id, and is not in $PATH",
                            file, (int)pid, name);
    _cleanup_free_ char **argv = helper_argv(name, pid, maps, n);
    if (argv == NULL)
        return vd_error_set(err, ENOMEM, "write %s for pid %d via %s", file, (int)pid, name);
    char line[512];
    int status = 0;
    if (run_helper(path, argv, line, sizeof(line), &status, err) < 0)
        return vd_error_prefix(err, "write %s for pid %d via %s", file, (int)pid, name);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        return vd_error_set(err, 0, "write %s for pid %d via %s: killed by signal %d%s%s", file,
                            (int)pid, path, WTERMSIG(status), line[0] ? ": " : "", line);
    return vd_error_set(err, 0, "write %s for pid %d via %s: exit status %d%s%s", file, (int)pid,
                        path, WEXITSTATUS(status), line[0] ? ": " : "", line);
}
