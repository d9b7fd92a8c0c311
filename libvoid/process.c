/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process itself: names, limits, user, working directory, file
 * descriptors, and the exec. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

static char **strv_copy(char *const v[], vd_error **err)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    char **copy = calloc(n + 1, sizeof(char *));
    if (copy == NULL) {
        vd_error_set(err, ENOMEM, "copy string array");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        copy[i] = vd_strdup_checked(v[i], err);
        if (copy[i] == NULL) {
            vd_strvfreep(&copy);
            return NULL;
        }
    }
    return copy;
}

int vd_builder_set_hostname(vd_builder *b, const char *name, vd_error **err)
{
    return vd_replace_string(&b->hostname, name, err);
}

int vd_builder_set_domainname(vd_builder *b, const char *name, vd_error **err)
{
    return vd_replace_string(&b->domainname, name, err);
}

int vd_builder_set_args(vd_builder *b, char *const argv[], vd_error **err)
{
    if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
        return vd_error_set(err, EINVAL, "args: need a program to run");
    char **copy = strv_copy(argv, err);
    if (copy == NULL)
        return -1;
    vd_strvfreep(&b->argv);
    b->argv = copy;
    return 0;
}

int vd_builder_set_env(vd_builder *b, char *const envp[], vd_error **err)
{
    char **copy = strv_copy(envp, err);
    if (copy == NULL)
        return -1;
    vd_strvfreep(&b->envp);
    b->envp = copy;
    return 0;
}

int vd_builder_set_cwd(vd_builder *b, const char *cwd, vd_error **err)
{
    if (cwd == NULL || cwd[0] != '/')
        return vd_error_set(err, EINVAL, "cwd \"%s\" must be absolute", cwd ? cwd : "");
    return vd_replace_string(&b->cwd, cwd, err);
}

int vd_builder_set_user(vd_builder *b, uid_t uid, gid_t gid, const gid_t *additional, size_t n,
                        vd_error **err)
{
    gid_t *groups = NULL;
    if (n > 0) {
        groups = malloc(n * sizeof(gid_t));
        if (groups == NULL)
            return vd_error_set(err, ENOMEM, "copy additional gids");
        memcpy(groups, additional, n * sizeof(gid_t));
    }
    free(b->groups);
    b->groups = groups;
    b->n_groups = n;
    b->uid = uid;
    b->gid = gid;
    return 0;
}

void vd_builder_set_umask(vd_builder *b, mode_t mask)
{
    b->has_umask = true;
    b->umask = mask & 0777;
}

int vd_builder_add_rlimit(vd_builder *b, int resource, uint64_t soft, uint64_t hard,
                          vd_error **err)
{
    if (resource < 0 || resource >= RLIM_NLIMITS)
        return vd_error_set(err, EINVAL, "rlimit %d: unknown resource", resource);
    if (soft > hard)
        return vd_error_set(err, EINVAL, "rlimit %d: soft limit %llu is above hard limit %llu",
                            resource, (unsigned long long)soft, (unsigned long long)hard);
    struct vd_rlimit_entry *e = NULL;
    for (size_t i = 0; i < b->n_rlimits; i++)
        if (b->rlimits[i].resource == resource)
            e = &b->rlimits[i];
    if (e == NULL) {
        e = vd_array_append(&b->rlimits, &b->n_rlimits, sizeof(*e), err);
        if (e == NULL)
            return -1;
    }
    e->resource = resource;
    e->limit.rlim_cur = soft;
    e->limit.rlim_max = hard;
    return 0;
}

void vd_builder_set_no_new_privs(vd_builder *b, bool on)
{
    b->no_new_privs = on;
}

int vd_builder_keep_fd(vd_builder *b, int fd, vd_error **err)
{
    if (fd < 3)
        return vd_error_set(err, EINVAL, "keep fd %d: 0, 1 and 2 are always kept", fd);
    int *slot = vd_array_append(&b->keep_fds, &b->n_keep_fds, sizeof(int), err);
    if (slot == NULL)
        return -1;
    *slot = fd;
    return 0;
}

int vd_builder_set_session_keyring(vd_builder *b, const char *name, vd_error **err)
{
    return vd_replace_string(&b->keyring, name, err);
}

int vd_builder_set_oom_score_adj(vd_builder *b, int adj, vd_error **err)
{
    if (adj < -1000 || adj > 1000)
        return vd_error_set(err, EINVAL, "oom_score_adj %d: must be between -1000 and 1000", adj);
    b->has_oom_score_adj = true;
    b->oom_score_adj = adj;
    return 0;
}

void vd_builder_free_process(vd_builder *b)
{
    free(b->hostname);
    free(b->domainname);
    vd_strvfreep(&b->argv);
    vd_strvfreep(&b->envp);
    free(b->cwd);
    free(b->groups);
    free(b->rlimits);
    free(b->keep_fds);
    free(b->keyring);
}

int vd_child_set_names(const vd_builder *b, vd_error **err)
{
    if (b->hostname && sethostname(b->hostname, strlen(b->hostname)) < 0)
        return vd_error_set(err, errno, "set hostname \"%s\"", b->hostname);
    if (b->domainname && setdomainname(b->domainname, strlen(b->domainname)) < 0)
        return vd_error_set(err, errno, "set domainname \"%s\"", b->domainname);
    return 0;
}

static const char *const rlimit_names[RLIM_NLIMITS] = {
    [RLIMIT_CPU] = "RLIMIT_CPU",         [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
    [RLIMIT_DATA] = "RLIMIT_DATA",       [RLIMIT_STACK] = "RLIMIT_STACK",
    [RLIMIT_CORE] = "RLIMIT_CORE",       [RLIMIT_RSS] = "RLIMIT_RSS",
    [RLIMIT_NPROC] = "RLIMIT_NPROC",     [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
    [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK", [RLIMIT_AS] = "RLIMIT_AS",
    [RLIMIT_LOCKS] = "RLIMIT_LOCKS",     [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
    [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
    [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",   [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

/* The mask in /proc/self/status's line `key` ("SigIgn:\t0000000000001000"). */
static bool status_mask(const char *status, const char *key, uint64_t *mask)
{
    const char *line = strstr(status, key);
    if (line == NULL)
        return false;
    char *end;
    errno = 0;
    *mask = strtoull(line + strlen(key), &end, 16);
    return errno == 0 && end != line + strlen(key) && *end == '\n';
}

/* The signals ignored or caught, bit sig - 1 of *mask, from one read of
 * /proc/self/status; false when that cannot be trusted (no /proc, or one
 * that is not procfs and could say anything): the caller resets them all. */
static bool signals_not_default(uint64_t *mask)
{
    _cleanup_close_ int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    struct statfs st;
    if (fd < 0 || fstatfs(fd, &st) < 0 || st.f_type != PROC_SUPER_MAGIC)
        return false;
    char status[8192];
    ssize_t n = read(fd, status, sizeof(status) - 1);
    if (n <= 0)
        return false;
    status[n] = '\0';
    uint64_t ignored, caught;
    if (!status_mask(status, "\nSigIgn:\t", &ignored) ||
        !status_mask(status, "\nSigCgt:\t", &caught))
        return false;
    *mask = ignored | caught;
    return true;
}

/* The caller's blocked and ignored signals must not reach the program:
 * exec keeps both (and resets those caught).  Only the signals that are
 * not SIG_DFL are reset, when /proc says which: a sigaction each for all
 * 64 otherwise. */
int vd_child_reset_signals(vd_error **err)
{
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        return vd_error_set(err, errno, "unblock signals");
    uint64_t mask;
    if (!signals_not_default(&mask))
        mask = UINT64_MAX;
    for (int sig = 1; sig < NSIG && sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || !((mask >> (sig - 1)) & 1))
            continue;
        /* Numbers glibc keeps for itself fail with EINVAL: skip them. */
        if (signal(sig, SIG_DFL) == SIG_ERR && errno != EINVAL)
            return vd_error_set(err, errno, "reset signal %d", sig);
    }
    return 0;
}

int vd_child_set_rlimits(const vd_builder *b, vd_error **err)
{
    for (size_t i = 0; i < b->n_rlimits; i++) {
        const struct vd_rlimit_entry *r = &b->rlimits[i];
        if (setrlimit((__rlimit_resource_t)r->resource, &r->limit) < 0)
            return vd_error_set(err, errno, "set %s to %llu (soft) / %llu (hard)",
                                rlimit_names[r->resource], (unsigned long long)r->limit.rlim_cur,
                                (unsigned long long)r->limit.rlim_max);
    }
    return 0;
}

/* /proc/self/setgroups is "deny": a rootless caller's user namespace,
 * where no one may set groups (user_namespaces(7)). */
static bool setgroups_denied(void)
{
    char text[16] = "";
    _cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && read(fd, text, sizeof(text) - 1) > 0 && strncmp(text, "deny", 4) == 0;
}

/* Groups, gid, then uid; PR_SET_KEEPCAPS holds the permitted set across the
 * uid change so that vd_child_set_caps can still grant what was asked. */
int vd_child_set_user(const vd_builder *b, vd_error **err)
{
    /* Even with no additional gids the caller's groups must go; where
     * setgroups is denied (rootless) they stay, unmapped, as with runc. */
    if (setgroups(b->n_groups, b->groups) < 0 &&
        !(errno == EPERM && b->n_groups == 0 && setgroups_denied()))
        return vd_error_set(err, errno, "set additional gids");
    if (setresgid(b->gid, b->gid, b->gid) < 0)
        return vd_error_set(err, errno, "set gid %u", (unsigned)b->gid);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return vd_error_set(err, errno, "keep capabilities across the uid change");
    if (setresuid(b->uid, b->uid, b->uid) < 0)
        return vd_error_set(err, errno, "set uid %u", (unsigned)b->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return vd_error_set(err, errno, "reset keep-capabilities");
    return 0;
}

/* Resolve the working directory inside the root, as root and before the
 * user changes, creating it if missing (as runc does).  Magic links are
 * refused: a cwd of /proc/self/fd/N must not reach a host directory through
 * an inherited fd (CVE-2024-21626). */
int vd_child_open_cwd(const vd_builder *b, int *cwd_fd, vd_error **err)
{
    *cwd_fd = -1;
    if (b->cwd == NULL)
        return 0;
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return vd_error_set(err, errno, "open \"/\"");
    /* Not in a live container (exec): its tree is not ours to add to. */
    int fd = vd_open_in_root(root, b->cwd, !b->join_only, false, err);
    if (fd < 0)
        return vd_error_prefix(err, "cwd \"%s\"", b->cwd);
    *cwd_fd = fd;
    return 0;
}

/* Entered while still privileged, so that a cwd only root can enter
 * (/root, mode 700) works for a process of another user, as with runc.
 * A failure here is not final: a cwd only the user can enter (root-squashed
 * NFS) is tried again once the user is set, by vd_child_enter_cwd. */
bool vd_child_enter_cwd_early(const vd_builder *b, int cwd_fd)
{
    return b->cwd == NULL || fchdir(cwd_fd) == 0;
}

int vd_child_enter_cwd(const vd_builder *b, int cwd_fd, bool entered, vd_error **err)
{
    if (b->cwd == NULL || entered)
        return 0;
    if (fchdir(cwd_fd) < 0)
        return vd_error_set(err, errno, "chdir to cwd \"%s\"", b->cwd);
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Close every fd above 2 but the ones the caller keeps (made inheritable)
 * and libvoid's own `own` fds (close-on-exec, needed until the exec).
 * Closing now rather than at exec matters: an init waiting at its start
 * gate must not hold, say, the runtime's lock on the state directory. */
int vd_child_prepare_fds(const vd_builder *b, const int *own, size_t n_own, vd_error **err)
{
    size_t n = b->n_keep_fds + n_own;
    _cleanup_free_ int *survivors = malloc((n + 1) * sizeof(int));
    if (survivors == NULL)
        return vd_error_set(err, ENOMEM, "sort kept fds");
    for (size_t i = 0; i < b->n_keep_fds; i++)
        survivors[i] = b->keep_fds[i];
    for (size_t i = 0; i < n_own; i++)
        survivors[b->n_keep_fds + i] = own[i];
    qsort(survivors, n, sizeof(int), cmp_int);
    vd_close_fds(3, survivors, n, VD_FDS_CLOSE);
    for (size_t i = 0; i < b->n_keep_fds; i++)
        if (fcntl(b->keep_fds[i], F_SETFD, 0) < 0)
            return vd_error_set(err, errno, "keep fd %d", b->keep_fds[i]);
    return 0;
}

static const char *env_path(char *const envp[])
{
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], "PATH=", 5) == 0)
            return envp[i] + 5;
    return NULL;
}

static bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* errno text in lower case, as Go prints it: podman and containerd match
 * "no such file or directory" and "permission denied" to pick exit codes. */
int vd_child_exec_error(vd_error **err, int errnum, const char *what)
{
    char text[128];
    snprintf(text, sizeof(text), "%s", strerror(errnum));
    text[0] = (char)tolower((unsigned char)text[0]);
    vd_error_set(err, 0, "exec \"%s\": %s", what, text);
    if (err && *err)
        (*err)->errnum = errnum;
    return -errnum;
}

/* Find argv[0] in the container's PATH (from the process env, as runc does).
 * Returns a malloc'd path. */
char *vd_child_find_program(const vd_builder *b, vd_error **err)
{
    const char *prog = b->argv[0];
    if (strchr(prog, '/')) {
        char *copy = vd_strdup_checked(prog, err);
        return copy;
    }
    const char *path = env_path(b->envp);
    if (path == NULL)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t max = strlen(path) + strlen(prog) + 2;
    char *candidate = malloc(max);
    if (candidate == NULL) {
        vd_error_set(err, ENOMEM, "look up \"%s\"", prog);
        return NULL;
    }
    for (const char *dir = path; ; ) {
        size_t len = strcspn(dir, ":");
        snprintf(candidate, max, "%.*s/%s", (int)(len ? len : 1), len ? dir : ".", prog);
        if (is_executable_file(candidate))
            return candidate;
        if (dir[len] == '\0')
            break;
        dir += len + 1;
    }
    free(candidate);
    vd_error_set(err, 0, "exec \"%s\": executable file not found in $PATH", prog);
    if (err && *err)
        (*err)->errnum = ENOENT;
    return NULL;
}

int vd_child_exec(const vd_builder *b, const char *program, vd_error **err)
{
    static char *const empty_env[] = {NULL};
    execve(program, b->argv, b->envp ? b->envp : empty_env);
    return vd_child_exec_error(err, errno, program);
}

int vd_child_finish_process(const vd_builder *b, mode_t caller_umask, vd_error **err)
{
    umask(b->has_umask ? b->umask : caller_umask);
    if (b->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return vd_error_set(err, errno, "set no_new_privs");
    return 0;
}

int vd_child_join_keyring(const vd_builder *b, vd_error **err)
{
    if (b->keyring == NULL)
        return 0;
    if (vd_sys_join_session_keyring(b->keyring) < 0 && errno != ENOSYS)
        return vd_error_set(err, errno, "join session keyring \"%s\"", b->keyring);
    return 0;
}

/* Before the pivot: the caller's /proc is still there, and the container
 * may have none.  Lowering the value needs CAP_SYS_RESOURCE. */
int vd_child_set_oom_score_adj(const vd_builder *b, vd_error **err)
{
    if (!b->has_oom_score_adj)
        return 0;
    char text[16];
    snprintf(text, sizeof(text), "%d", b->oom_score_adj);
    if (vd_write_file("/proc/self/oom_score_adj", text, err) < 0)
        return vd_error_prefix(err, "set oom_score_adj %d", b->oom_score_adj);
    return 0;
}
