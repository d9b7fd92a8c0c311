/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the CVE-2019-5736 guard costs a container start: the calls the
 * child makes for it (libvoid/runtime_exe.c and the prctl in spawn.c),
 * timed in a loop on real programs.  A start makes each once, except the
 * program's open-and-check, which it makes twice (when the program is
 * found, and again just before the exec; the second time reopens by
 * path and compares, which costs about the same).
 *
 * Usage: bench_exe_guard [ITERATIONS] PROGRAM...   prints microseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* One start's worth of the guard for `program`; false on an error. */
static bool guard_once(const char *program)
{
    vd_error *err = NULL;
    struct vd_file_id runtime;
    int fd = -1;
    bool ok = vd_runtime_exe_id(&runtime, &err) == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
    for (int check = 0; ok && check < 2; check++) {
        ok = vd_child_open_program(program, &runtime, &fd, &err) == 0 && fd >= 0;
        if (fd >= 0)
            close(fd);
    }
    if (err) {
        fprintf(stderr, "bench_exe_guard: %s: %s\n", program, err->msg);
        vd_error_free(&err);
    }
    return ok;
}

int main(int argc, char **argv)
{
    int first = 1;
    long n = 10000;
    if (argc > 2 && (n = strtol(argv[1], NULL, 10)) > 0)
        first = 2;
    if (argc <= first || n <= 0) {
        fprintf(stderr, "usage: bench_exe_guard [ITERATIONS] PROGRAM...\n");
        return 2;
    }
    for (int i = first; i < argc; i++) {
        if (!guard_once(argv[i]))
            return 1;
        double t0 = now_us();
        for (long k = 0; k < n; k++)
            if (!guard_once(argv[i]))
                return 1;
        printf("%-24s %.1f us per start\n", argv[i], (now_us() - t0) / (double)n);
    }
    return 0;
}
