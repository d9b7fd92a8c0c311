/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for src/hooks.c: a hook gets exactly the state JSON on stdin,
 * exactly its args and env, and no fd of ours; hooks run in order; a
 * failure stops the list only when fatal, with the exact message; a
 * timeout kills the hook and what it started; nothing is left behind.
 *
 * Hooks are /bin/sh scripts in a temp dir, or /bin/sh -c, which shows its
 * own argv and environ in /proc/$$.  Hooks get no PATH: commands are
 * spelled out in full.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "hooks.h"
#include "utils.h"
#include "voidoci.h"
#include "check.h"

static char tmpdir[] = "/tmp/test_hooks.XXXXXX";

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    return s;
}

/* <tmpdir>/<name>: a #!/bin/sh script with `body`, mode 0755. */
static char *script(const char *name, const char *body)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "we");
    if (f == NULL)
        abort();
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    if (chmod(path, 0755) < 0)
        abort();
    return path;
}

/* The whole file, *len bytes (NULs kept); "" when it does not exist. */
static char *slurp(const char *name, size_t *len)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, name);
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (out == NULL)
        abort();
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    int c;
    while (f && (c = fgetc(f)) != EOF)
        fputc(c, out);
    fclose(out);
    if (len)
        *len = size;
    return buf;
}

static bool file_is(const char *name, const char *want, size_t want_len)
{
    size_t len;
    _cleanup_free_ char *got = slurp(name, &len);
    bool ok = len == want_len && memcmp(got, want, len) == 0;
    if (!ok)
        fprintf(stderr, "  %s: want %zu bytes, got %zu: %.200s\n", name, want_len, len, got);
    return ok;
}
#define FILE_IS(name, lit) file_is(name, lit, sizeof(lit) - 1)

static void remove_file(const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, name);
    unlink(path);
}

static bool msg_is(const vd_error *err, const char *want)
{
    bool ok = err && err->msg && strcmp(err->msg, want) == 0;
    if (!ok)
        fprintf(stderr, "  want error: %s\n  got:        %s\n", want,
                err && err->msg ? err->msg : "(none)");
    return ok;
}

/* A hook running `path` with args (NULL-terminated, or NULL for none). */
static struct oci_hook hook(char *path, char **args, char **env)
{
    struct oci_hook h = {.path = path, .args = args, .env = env};
    for (char **a = args; a && *a; a++)
        h.n_args++;
    for (char **e = env; e && *e; e++)
        h.n_env++;
    return h;
}

/* hooks_run with stderr going to a file, kept in *stderr_out. */
static int run_capturing_stderr(const struct oci_hook *hooks, size_t n, const char *phase,
                                const char *state, bool fatal, vd_error **err,
                                char **stderr_out)
{
    _cleanup_free_ char *path = xasprintf("%s/stderr", tmpdir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
        abort();
    close(fd);
    int r = hooks_run(hooks, n, phase, state, fatal, err);
    dup2(saved, STDERR_FILENO);
    close(saved);
    *stderr_out = slurp("stderr", NULL);
    remove_file("stderr");
    return r;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- what a hook gets ----------------------------------------------------- */

static void test_stdin_is_the_state(void)
{
    static const char state[] = "{\"ociVersion\":\"1.3.0\",\"id\":\"x\",\"status\":\"creating\","
                                "\"pid\":42,\"bundle\":\"/b \\\"q\\\"\",\"annotations\":"
                                "{\"k\":\"caf\xc3\xa9\\n\"}}";
    _cleanup_free_ char *path = script("stdin", "/bin/cat > \"$1/stdin.out\"");
    char *args[] = {path, tmpdir, NULL};
    struct oci_hook h = hook(path, args, NULL);
    _cleanup_error_ vd_error *err = NULL;
    CHECK(hooks_run(&h, 1, "createRuntime", state, true, &err) == 0 && err == NULL);
    CHECK(file_is("stdin.out", state, strlen(state)));

    /* an empty state is an empty stdin, not a missing one */
    CHECK(hooks_run(&h, 1, "createRuntime", "", true, &err) == 0);
    CHECK(FILE_IS("stdin.out", ""));

    /* 1 MiB: more than a pipe holds, written while the hook reads */
    size_t big_len = 1 << 20;
    _cleanup_free_ char *big = malloc(big_len + 1);
    if (big == NULL)
        abort();
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)('a' + i % 26);
    big[big_len] = '\0';
    CHECK(hooks_run(&h, 1, "createRuntime", big, true, &err) == 0);
    CHECK(file_is("stdin.out", big, big_len));
    remove_file("stdin.out");
}

static void test_big_state_unread(void)
{
    size_t big_len = 4 << 20;
    _cleanup_free_ char *big = malloc(big_len + 1);
    if (big == NULL)
        abort();
    memset(big, 'x', big_len);
    big[big_len] = '\0';
    _cleanup_free_ char *path = script("noread", "exit 0");
    struct oci_hook hooks[2] = {hook(path, NULL, NULL), hook(path, NULL, NULL)};
    hooks[1].has_timeout = true;
    hooks[1].timeout = 5;
    _cleanup_error_ vd_error *err = NULL;
    double t0 = now();
    CHECK(hooks_run(hooks, 2, "prestart", big, true, &err) == 0 && err == NULL);
    CHECK(now() - t0 < 4);

    /* the EPIPE's SIGPIPE is neither left pending nor left blocked */
    sigset_t pending, mask;
    CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGPIPE));
    CHECK(sigprocmask(SIG_SETMASK, NULL, &mask) == 0 && !sigismember(&mask, SIGPIPE));
}

static void test_args_exact(void)
{
    /* argv[0] is the hook's own: sh -c shows its argv in /proc/$$/cmdline */
    char *args[] = {"my-hook", "-c", "/bin/cat /proc/$$/cmdline > \"$0\"", NULL, "a b", "",
                    "--x=\"1\"", NULL};
    _cleanup_free_ char *out = xasprintf("%s/cmdline", tmpdir);
    args[3] = out;
    struct oci_hook h = hook("/bin/sh", args, NULL);
    _cleanup_error_ vd_error *err = NULL;
    CHECK(hooks_run(&h, 1, "prestart", "{}", true, &err) == 0);
    _cleanup_free_ char *want = NULL;
    size_t want_len = 0;
    FILE *f = open_memstream(&want, &want_len);
    if (f == NULL)
        abort();
    for (char **a = args; *a; a++)
        fwrite(*a, 1, strlen(*a) + 1, f);
    fclose(f);
    CHECK(file_is("cmdline", want, want_len));
    remove_file("cmdline");

    /* no args: argv is the path alone.  sh with no args reads its script
     * from stdin, so the state is the script and the failure shows $0. */
    struct oci_hook bare = hook("/bin/sh", NULL, NULL);
    CHECK(hooks_run(&bare, 1, "prestart", "echo \"[$0] [$#]\"; exit 3", true, &err) < 0);
    CHECK(msg_is(err, "hooks.prestart[0]: \"/bin/sh\" exited with status 3: [/bin/sh] [0]"));

    /* an empty args array is no args too */
    char *empty[] = {NULL};
    struct oci_hook h2 = hook("/bin/sh", empty, NULL);
    CHECK(hooks_run(&h2, 1, "prestart", "echo \"[$0]\"; exit 4", true, &err) < 0);
    CHECK(msg_is(err, "hooks.prestart[0]: \"/bin/sh\" exited with status 4: [/bin/sh]"));
}

static void test_env_exact(void)
{
    _cleanup_free_ char *path = script("env", "/bin/cat /proc/$$/environ > \"$1/environ\"");
    char *args[] = {path, tmpdir, NULL};
    char *env[] = {"A=1", "B=two words", "EMPTY=", "PATH=/nowhere", NULL};
    struct oci_hook h = hook(path, args, env);
    _cleanup_error_ vd_error *err = NULL;
    CHECK(hooks_run(&h, 1, "poststop", "{}", true, &err) == 0);
    CHECK(FILE_IS("environ", "A=1\0B=two words\0EMPTY=\0PATH=/nowhere\0"));

    /* no env: an empty environment, nothing of ours */
    CHECK(setenv("VOIDOCI_TEST_LEAK", "1", 1) == 0);
    h = hook(path, args, NULL);
    CHECK(hooks_run(&h, 1, "poststop", "{}", true, &err) == 0);
    CHECK(FILE_IS("environ", ""));
    char *none[] = {NULL};
    h = hook(path, args, none);
    CHECK(hooks_run(&h, 1, "poststop", "{}", true, &err) == 0);
    CHECK(FILE_IS("environ", ""));
    unsetenv("VOIDOCI_TEST_LEAK");
    remove_file("environ");
}

/* fds of ours that are not close-on-exec must not reach the hook either. */
static void test_no_fd_leaks(void)
{
    int leaky = open("/dev/null", O_RDONLY);
    int leaky_pipe[2];
    CHECK(leaky >= 0 && pipe(leaky_pipe) == 0);
    char *args[] = {"sh", "-c", "/bin/ls /proc/$$/fd; exit 1", NULL};
    struct oci_hook h = hook("/bin/sh", args, NULL);
    _cleanup_error_ vd_error *err = NULL;
    CHECK(hooks_run(&h, 1, "createContainer", "{}", true, &err) < 0);
    CHECK(msg_is(err, "hooks.createContainer[0]: \"/bin/sh\" exited with status 1: 0 1 2"));
    close(leaky);
    close(leaky_pipe[0]);
    close(leaky_pipe[1]);

    /* with our 0 closed, pipe2 hands out fd 0: the hook still gets its
     * stdin, stdout and stderr where they belong */
    int saved = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
    close(STDIN_FILENO);
    _cleanup_free_ char *path = script("stdio", "/bin/cat > \"$1/stdin.out\"; "
                                                "echo out; echo err >&2; exit 5");
    char *args2[] = {path, tmpdir, NULL};
    h = hook(path, args2, NULL);
    int r = hooks_run(&h, 1, "createContainer", "state", true, &err);
    dup2(saved, STDIN_FILENO);
    close(saved);
    CHECK(r < 0 && FILE_IS("stdin.out", "state"));
    _cleanup_free_ char *want =
        xasprintf("hooks.createContainer[0]: \"%s\" exited with status 5: out err", path);
    CHECK(msg_is(err, want));
    remove_file("stdin.out");
}

/* ---- order and failures --------------------------------------------------- */

static void test_order_and_failures(void)
{
    _cleanup_free_ char *append = script("append", "echo \"$2\" >> \"$1/order\"");
    _cleanup_free_ char *fail =
        script("fail", "echo \"$2\" >> \"$1/order\"; printf 'boom\\n\\n\\tline  2\\r\\n' >&2;"
                       " printf 'bell\\a\\n'; exit 3");
    char *a1[] = {append, tmpdir, "1", NULL}, *a2[] = {append, tmpdir, "2", NULL},
         *a3[] = {append, tmpdir, "3", NULL}, *f2[] = {fail, tmpdir, "2", NULL};

    struct oci_hook ok[3] = {hook(append, a1, NULL), hook(append, a2, NULL),
                             hook(append, a3, NULL)};
    _cleanup_error_ vd_error *err = NULL;
    CHECK(hooks_run(ok, 3, "createRuntime", "{}", true, &err) == 0 && err == NULL);
    CHECK(FILE_IS("order", "1\n2\n3\n"));
    remove_file("order");

    struct oci_hook mixed[3] = {hook(append, a1, NULL), hook(fail, f2, NULL),
                                hook(append, a3, NULL)};
    _cleanup_free_ char *want =
        xasprintf("hooks.createRuntime[1]: \"%s\" exited with status 3: boom line 2 bell?", fail);
    CHECK(hooks_run(mixed, 3, "createRuntime", "{}", true, &err) < 0);
    CHECK(msg_is(err, want));
    CHECK(err && err->errnum == 0);
    CHECK(FILE_IS("order", "1\n2\n"));
    remove_file("order");

    /* not fatal: a warning each, the rest still run, no error */
    vd_error_free(&err);
    mixed[2] = hook(fail, f2, NULL);
    _cleanup_free_ char *warnings = NULL;
    CHECK(run_capturing_stderr(mixed, 3, "poststart", "{}", false, &err, &warnings) == 0);
    CHECK(err == NULL);
    CHECK(FILE_IS("order", "1\n2\n2\n"));
    remove_file("order");
    _cleanup_free_ char *want_warnings = xasprintf(
        "voidoci: warning: hooks.poststart[1]: \"%s\" exited with status 3: boom line 2 bell?\n"
        "voidoci: warning: hooks.poststart[2]: \"%s\" exited with status 3: boom line 2 bell?\n",
        fail, fail);
    CHECK(warnings && strcmp(warnings, want_warnings) == 0);
    if (warnings && strcmp(warnings, want_warnings) != 0)
        fprintf(stderr, "  stderr was: %s", warnings);
}

static void test_failure_messages(void)
{
    _cleanup_error_ vd_error *err = NULL;

    struct oci_hook missing = hook("/nonexistent/hook", NULL, NULL);
    CHECK(hooks_run(&missing, 1, "prestart", "{}", true, &err) == -ENOENT);
    CHECK(msg_is(err, "hooks.prestart[0]: exec \"/nonexistent/hook\": No such file or directory"));
    CHECK(err && err->errnum == ENOENT);

    _cleanup_free_ char *plain = xasprintf("%s/not-executable", tmpdir);
    FILE *f = fopen(plain, "we");
    if (f)
        fclose(f);
    struct oci_hook noexec = hook(plain, NULL, NULL);
    CHECK(hooks_run(&noexec, 1, "startContainer", "{}", true, &err) == -EACCES);
    _cleanup_free_ char *want =
        xasprintf("hooks.startContainer[0]: exec \"%s\": Permission denied", plain);
    CHECK(msg_is(err, want));
    unlink(plain);

    _cleanup_free_ char *killer = script("killer", "kill -9 $$");
    struct oci_hook killed = hook(killer, NULL, NULL);
    CHECK(hooks_run(&killed, 1, "poststart", "{}", true, &err) < 0);
    free(want);
    want = xasprintf("hooks.poststart[0]: \"%s\" killed by signal 9", killer);
    CHECK(msg_is(err, want));

    /* odd bytes of a path stay on one line */
    struct oci_hook odd = hook("/no/such\n\"hook\"", NULL, NULL);
    CHECK(hooks_run(&odd, 1, "prestart", "{}", true, &err) < 0);
    CHECK(msg_is(err, "hooks.prestart[0]: exec \"/no/such\\n\\\"hook\\\"\": No such file or "
                      "directory"));

    /* output past 4 KiB is cut, marked, and never mid-character */
    _cleanup_free_ char *chatty =
        script("chatty", "printf 'x%.0s' $(/usr/bin/seq 4095); printf '\\303\\251%.0s' "
                         "$(/usr/bin/seq 100); exit 1");
    struct oci_hook talk = hook(chatty, NULL, NULL);
    CHECK(hooks_run(&talk, 1, "prestart", "{}", true, &err) < 0);
    char xs[4096];
    memset(xs, 'x', 4095);
    xs[4095] = '\0';
    free(want);
    want = xasprintf("hooks.prestart[0]: \"%s\" exited with status 1: %s...", chatty, xs);
    CHECK(msg_is(err, want));
}

/* ---- timeouts ------------------------------------------------------------- */

static void test_timeout(void)
{
    _cleanup_free_ char *slow = script("slow", "echo $$ > \"$1/pid\"; echo started; "
                                               "/bin/sleep 100; echo never");
    char *args[] = {slow, tmpdir, NULL};
    struct oci_hook h = hook(slow, args, NULL);
    h.has_timeout = true;
    h.timeout = 1;
    _cleanup_error_ vd_error *err = NULL;
    double t0 = now();
    CHECK(hooks_run(&h, 1, "poststart", "{}", true, &err) < 0);
    double took = now() - t0;
    CHECK(took >= 0.9 && took < 2.5);
    if (!(took >= 0.9 && took < 2.5))
        fprintf(stderr, "  took %.2f s\n", took);
    _cleanup_free_ char *want =
        xasprintf("hooks.poststart[0]: \"%s\" timed out after 1 seconds: started", slow);
    CHECK(msg_is(err, want));

    /* the sleep went with its hook: the group is empty once the orphan is
     * reaped (we are its subreaper) */
    _cleanup_free_ char *pid_text = slurp("pid", NULL);
    pid_t pgid = (pid_t)atoi(pid_text);
    bool gone = false;
    for (int i = 0; i < 200 && !gone && pgid > 0; i++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        gone = kill(-pgid, 0) < 0 && errno == ESRCH;
        if (!gone)
            usleep(10000);
    }
    CHECK(gone);
    remove_file("pid");

    /* a quick hook under a timeout is not held to it */
    _cleanup_free_ char *quick = script("quick", "exit 0");
    struct oci_hook q = hook(quick, NULL, NULL);
    q.has_timeout = true;
    q.timeout = 30;
    t0 = now();
    CHECK(hooks_run(&q, 1, "poststart", "{}", true, &err) == 0);
    CHECK(now() - t0 < 1);
}

/* ---- the caller's process state ------------------------------------------ */

static void test_sigchld_ignored(void)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old, after;
    CHECK(sigaction(SIGCHLD, &ign, &old) == 0);
    _cleanup_free_ char *three = script("three", "exit 3");
    struct oci_hook h = hook(three, NULL, NULL);
    _cleanup_error_ vd_error *err = NULL;
    CHECK(hooks_run(&h, 1, "prestart", "{}", true, &err) < 0);
    _cleanup_free_ char *want = xasprintf("hooks.prestart[0]: \"%s\" exited with status 3", three);
    CHECK(msg_is(err, want));
    CHECK(sigaction(SIGCHLD, &old, &after) == 0 && after.sa_handler == SIG_IGN);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (d == NULL)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL)
        abort();
    /* orphans of a killed hook come to us, so that we can see them go */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    int fds_before = count_fds();

    test_stdin_is_the_state();
    test_big_state_unread();
    test_args_exact();
    test_env_exact();
    test_no_fd_leaks();
    test_order_and_failures();
    test_failure_messages();
    test_timeout();
    test_sigchld_ignored();

    /* no fd and no child of a hook is left */
    CHECK(count_fds() == fds_before);
    errno = 0;
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);

    const char *names[] = {"stdin", "noread", "env", "stdio", "append", "fail",
                           "killer", "chatty", "slow", "quick", "three"};
    for (size_t i = 0; i < VD_ARRAY_SIZE(names); i++)
        remove_file(names[i]);
    CHECK(rmdir(tmpdir) == 0);
    return check_summary("test_hooks");
}
