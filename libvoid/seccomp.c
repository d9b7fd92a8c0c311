/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seccomp: the void allows every syscall until a filter is asked for.  The
 * filter is described with libseccomp and compiled to BPF in the caller's
 * process (vd_builder_set_seccomp), so that a bad rule fails before anything
 * exists and the child only hands the program to seccomp(2).
 *
 * When the child loads it: a filter without no_new_privs needs
 * CAP_SYS_ADMIN, so it goes in before the user and capabilities change;
 * with no_new_privs it goes in right before the exec, so that the fewest of
 * our own syscalls run under it.  A filter with notify actions is the
 * exception: its listener fd must reach the caller before the start gate
 * (while the caller still listens), so it is loaded at the end of the setup.
 *
 * The profile is the user's, written for the program, and need not list
 * what the runtime itself calls: whatever the moment, only classic
 * syscalls run under the filter (set*id, capset, prctl, fchdir, umask,
 * openat, read, write, close, sendto/sendmsg, fstat, pread64, execve;
 * with no_new_privs and no listener, execve alone).  The fds are closed
 * before any load, so close_range never runs under it.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

/* Headers older than the kernel: the values are the kernel's ABI. */
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct vd_seccomp {
    scmp_filter_ctx ctx;
    enum vd_seccomp_action default_action;
    uint16_t default_errno;
    unsigned flags; /* VD_SECCOMP_FLAG_* */
    bool has_rules;
    bool notify; /* some rule notifies a listener */
};

/* ---- names ---------------------------------------------------------------- */

static const struct {
    const char *name;
    enum vd_seccomp_action action;
} action_names[] = {
    {"SCMP_ACT_KILL", VD_SECCOMP_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", VD_SECCOMP_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", VD_SECCOMP_KILL_THREAD},
    {"SCMP_ACT_TRAP", VD_SECCOMP_TRAP},
    {"SCMP_ACT_ERRNO", VD_SECCOMP_ERRNO},
    {"SCMP_ACT_TRACE", VD_SECCOMP_TRACE},
    {"SCMP_ACT_ALLOW", VD_SECCOMP_ALLOW},
    {"SCMP_ACT_LOG", VD_SECCOMP_LOG},
    {"SCMP_ACT_NOTIFY", VD_SECCOMP_NOTIFY},
};

static const struct {
    const char *name;
    enum vd_seccomp_op op;
    enum scmp_compare scmp;
} op_names[] = {
    {"SCMP_CMP_NE", VD_SECCOMP_NE, SCMP_CMP_NE},
    {"SCMP_CMP_LT", VD_SECCOMP_LT, SCMP_CMP_LT},
    {"SCMP_CMP_LE", VD_SECCOMP_LE, SCMP_CMP_LE},
    {"SCMP_CMP_EQ", VD_SECCOMP_EQ, SCMP_CMP_EQ},
    {"SCMP_CMP_GE", VD_SECCOMP_GE, SCMP_CMP_GE},
    {"SCMP_CMP_GT", VD_SECCOMP_GT, SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", VD_SECCOMP_MASKED_EQ, SCMP_CMP_MASKED_EQ},
};

static const struct {
    const char *name;
    unsigned flag;
    unsigned long kernel_flag;
} flag_names[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", VD_SECCOMP_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", VD_SECCOMP_FLAG_LOG, SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", VD_SECCOMP_FLAG_SPEC_ALLOW,
     SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", VD_SECCOMP_FLAG_WAIT_KILLABLE_RECV,
     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* Every SCMP_ARCH_* name some libseccomp knows; vd_seccomp_arch_names keeps
 * those this one resolves. */
static const char *const arch_candidates[] = {
    "SCMP_ARCH_X86",       "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",   "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",       "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",       "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_RISCV64",   "SCMP_ARCH_SHEB",        "SCMP_ARCH_SH",
};

const char *vd_seccomp_action_name_at(size_t i)
{
    return i < VD_ARRAY_SIZE(action_names) ? action_names[i].name : NULL;
}

const char *vd_seccomp_op_name_at(size_t i)
{
    return i < VD_ARRAY_SIZE(op_names) ? op_names[i].name : NULL;
}

const char *vd_seccomp_flag_name_at(size_t i)
{
    return i < VD_ARRAY_SIZE(flag_names) ? flag_names[i].name : NULL;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token, or 0 when it does not know it. */
static uint32_t arch_token(const char *name)
{
    static const char prefix[] = "SCMP_ARCH_";
    if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    char lower[32];
    size_t i = 0;
    for (const char *p = name + sizeof(prefix) - 1; *p; p++) {
        if (i + 1 >= sizeof(lower) || (*p >= 'a' && *p <= 'z'))
            return 0; /* libseccomp folds case; the names are upper case only */
        lower[i++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
    }
    lower[i] = '\0';
    return i ? seccomp_arch_resolve_name(lower) : 0;
}

size_t vd_seccomp_arch_names(const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < VD_ARRAY_SIZE(arch_candidates); i++) {
        if (arch_token(arch_candidates[i]) == 0)
            continue;
        if (n < max)
            names[n] = arch_candidates[i];
        n++;
    }
    return n;
}

int vd_seccomp_action_from_name(const char *name, enum vd_seccomp_action *out)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(action_names); i++)
        if (strcmp(action_names[i].name, name) == 0) {
            *out = action_names[i].action;
            return 0;
        }
    return -1;
}

int vd_seccomp_op_from_name(const char *name, enum vd_seccomp_op *out)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(op_names); i++)
        if (strcmp(op_names[i].name, name) == 0) {
            *out = op_names[i].op;
            return 0;
        }
    return -1;
}

int vd_seccomp_flag_from_name(const char *name, unsigned *out)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(flag_names); i++)
        if (strcmp(flag_names[i].name, name) == 0) {
            *out = flag_names[i].flag;
            return 0;
        }
    return -1;
}

/* seccomp(2) checks the flags before it reads the program: with no program
 * a flag the kernel knows fails with EFAULT, one it does not with EINVAL.
 * Nothing is loaded either way. */
bool vd_seccomp_flag_supported(unsigned flag)
{
    unsigned long kernel_flag = 0;
    for (size_t i = 0; i < VD_ARRAY_SIZE(flag_names); i++)
        if (flag_names[i].flag == flag)
            kernel_flag = flag_names[i].kernel_flag;
    if (kernel_flag == 0)
        return false;
    /* The kernel takes this one only beside a listener (as we load it). */
    if (kernel_flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
        kernel_flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    return vd_sys_seccomp(SECCOMP_SET_MODE_FILTER, kernel_flag, NULL) < 0 &&
           errno == EFAULT;
}

bool vd_seccomp_action_takes_errno(enum vd_seccomp_action action)
{
    return action == VD_SECCOMP_ERRNO || action == VD_SECCOMP_TRACE;
}

/* ---- the description -------------------------------------------------------- */

static uint32_t scmp_action(enum vd_seccomp_action action, uint16_t errno_ret)
{
    switch (action) {
    case VD_SECCOMP_KILL_THREAD:
        return SCMP_ACT_KILL_THREAD;
    case VD_SECCOMP_KILL_PROCESS:
        return SCMP_ACT_KILL_PROCESS;
    case VD_SECCOMP_TRAP:
        return SCMP_ACT_TRAP;
    case VD_SECCOMP_ERRNO:
        return SCMP_ACT_ERRNO(errno_ret);
    case VD_SECCOMP_TRACE:
        return SCMP_ACT_TRACE(errno_ret);
    case VD_SECCOMP_ALLOW:
        return SCMP_ACT_ALLOW;
    case VD_SECCOMP_LOG:
        return SCMP_ACT_LOG;
    case VD_SECCOMP_NOTIFY:
        return SCMP_ACT_NOTIFY;
    }
    return SCMP_ACT_KILL_PROCESS;
}

static const char *action_name(enum vd_seccomp_action action)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(action_names); i++)
        if (action_names[i].action == action)
            return action_names[i].name;
    return "an unknown action";
}

vd_seccomp *vd_seccomp_new(enum vd_seccomp_action default_action, uint16_t default_errno,
                           vd_error **err)
{
    /* The child hands the listener fd over with sendmsg(2) after the load:
     * with every syscall waiting for that very listener, it never could. */
    if (default_action == VD_SECCOMP_NOTIFY) {
        vd_error_set(err, EINVAL, "seccomp: SCMP_ACT_NOTIFY cannot be the default action");
        return NULL;
    }
    vd_seccomp *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        vd_error_set(err, ENOMEM, "seccomp: allocate the filter");
        return NULL;
    }
    s->default_action = default_action;
    s->default_errno = default_errno;
    s->ctx = seccomp_init(scmp_action(default_action, default_errno));
    if (s->ctx == NULL) {
        free(s);
        vd_error_set(err, EINVAL, "seccomp: default action %s: refused by libseccomp",
                     action_name(default_action));
        return NULL;
    }
    /* We set no_new_privs ourselves, when asked; libseccomp would set it
     * always.  Only the export is used, but the attribute says what the
     * program means. */
    int r = seccomp_attr_set(s->ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (r < 0) {
        vd_seccomp_free(s);
        vd_error_set(err, -r, "seccomp: turn off libseccomp's no_new_privs");
        return NULL;
    }
    /* The syscalls as a binary tree sorted by number (libseccomp 2.5), not
     * a list: loading a filter, the kernel runs it once per syscall number
     * to find those always allowed (its action cache, Linux 5.11), so a
     * list costs (numbers x list length).  podman's profile: 1125
     * instructions as a list took 0.73 ms to load. An older libseccomp
     * without the attribute keeps the list. */
    (void)seccomp_attr_set(s->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    return s;
}

void vd_seccomp_free(vd_seccomp *s)
{
    if (s == NULL)
        return;
    if (s->ctx)
        seccomp_release(s->ctx);
    free(s);
}

int vd_seccomp_add_arch(vd_seccomp *s, const char *name, vd_error **err)
{
    uint32_t token = arch_token(name);
    if (token == 0)
        return vd_error_set(err, EINVAL, "seccomp: unknown architecture \"%s\"", name);
    /* libseccomp gives a new architecture only the rules added after it. */
    if (s->has_rules)
        return vd_error_set(err, EINVAL, "seccomp: architecture \"%s\" added after rules", name);
    int r = seccomp_arch_add(s->ctx, token);
    /* libseccomp keeps one byte order per filter.  A kernel runs programs
     * of its own byte order only, so no syscall of the other one can reach
     * the filter: such an architecture is left out, not refused. */
    if (r == -EDOM)
        return 1;
    if (r < 0 && r != -EEXIST) /* the native one is always there */
        return vd_error_set(err, -r, "seccomp: add architecture \"%s\"", name);
    return 0;
}

void vd_seccomp_set_flags(vd_seccomp *s, unsigned flags)
{
    s->flags = flags;
}

static int make_conditions(const struct vd_seccomp_arg *args, size_t n,
                           struct scmp_arg_cmp *out, vd_error **err)
{
    for (size_t i = 0; i < n; i++) {
        if (args[i].index > 5)
            return vd_error_set(err, EINVAL, "seccomp: argument index %u: a syscall has six "
                                "arguments, 0 to 5", args[i].index);
        enum scmp_compare op = _SCMP_CMP_MIN;
        for (size_t j = 0; j < VD_ARRAY_SIZE(op_names); j++)
            if (op_names[j].op == args[i].op)
                op = op_names[j].scmp;
        if (op == _SCMP_CMP_MIN)
            return vd_error_set(err, EINVAL, "seccomp: unknown comparison %d", (int)args[i].op);
        out[i] = (struct scmp_arg_cmp){.arg = args[i].index, .op = op,
                                       .datum_a = args[i].value, .datum_b = args[i].value_two};
    }
    return 0;
}

int vd_seccomp_add_rule(vd_seccomp *s, const char *syscall_name, enum vd_seccomp_action action,
                        uint16_t errno_ret, const struct vd_seccomp_arg *args, size_t n_args,
                        vd_error **err)
{
    if (n_args > 6)
        return vd_error_set(err, EINVAL, "seccomp: \"%s\": %zu conditions, at most 6",
                            syscall_name, n_args);
    if (action == VD_SECCOMP_NOTIFY && strcmp(syscall_name, "sendmsg") == 0)
        return vd_error_set(err, EINVAL, "seccomp: \"sendmsg\" cannot be SCMP_ACT_NOTIFY: it "
                            "hands the listener its fd");
    struct scmp_arg_cmp conds[6];
    if (make_conditions(args, n_args, conds, err) < 0)
        return -1;
    int nr = seccomp_syscall_resolve_name(syscall_name);
    if (nr == __NR_SCMP_ERROR)
        return 1; /* a syscall this libseccomp does not know: skipped, as runc does */
    s->has_rules = true;
    /* libseccomp refuses a rule that does what the default does. */
    if (action == s->default_action &&
        (!vd_seccomp_action_takes_errno(action) || errno_ret == s->default_errno))
        return 0;
    /* Not the _exact variant: on x86 a socket rule becomes a socketcall one. */
    int r = seccomp_rule_add_array(s->ctx, scmp_action(action, errno_ret), nr,
                                   (unsigned)n_args, conds);
    if (r < 0)
        return vd_error_set(err, -r, "seccomp: add the %s rule for \"%s\"", action_name(action),
                            syscall_name);
    if (action == VD_SECCOMP_NOTIFY)
        s->notify = true;
    return 0;
}

/* ---- compiling ---------------------------------------------------------------- */

static unsigned long kernel_flags(const vd_seccomp *s)
{
    unsigned long flags = 0;
    for (size_t i = 0; i < VD_ARRAY_SIZE(flag_names); i++)
        if (s->flags & flag_names[i].flag)
            flags |= flag_names[i].kernel_flag;
    /* WAIT_KILLABLE_RECV is about the listener's wait: the kernel takes it
     * only with one (as libseccomp loads it). */
    if (!s->notify)
        flags &= ~(unsigned long)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    if (s->notify) {
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        /* The kernel takes TSYNC with a listener only in this form. */
        if (flags & SECCOMP_FILTER_FLAG_TSYNC)
            flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    return flags;
}

/* libseccomp 2.5 exports BPF only to an fd: through a memfd, back to memory. */
static int export_bpf(const vd_seccomp *s, struct vd_seccomp_prog *p, vd_error **err)
{
    _cleanup_close_ int fd = memfd_create("voidoci-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "seccomp: create a memfd for the program");
    int r = seccomp_export_bpf(s->ctx, fd);
    if (r < 0)
        return vd_error_set(err, -r, "seccomp: compile the filter");
    struct stat st;
    if (fstat(fd, &st) < 0)
        return vd_error_set(err, errno, "seccomp: size the program");
    size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
    if (n == 0 || n > BPF_MAXINSNS)
        return vd_error_set(err, E2BIG, "seccomp: the filter has %zu instructions, the kernel "
                            "takes 1 to %d", n, BPF_MAXINSNS);
    p->insns = malloc(n * sizeof(struct sock_filter));
    if (p->insns == NULL)
        return vd_error_set(err, ENOMEM, "seccomp: allocate the program");
    ssize_t got = pread(fd, p->insns, n * sizeof(struct sock_filter), 0);
    if (got != (ssize_t)(n * sizeof(struct sock_filter)))
        return vd_error_set(err, got < 0 ? errno : EIO, "seccomp: read the program back");
    p->len = (unsigned short)n;
    return 0;
}

void vd_seccomp_prog_free(struct vd_seccomp_prog *p)
{
    if (p == NULL)
        return;
    free(p->insns);
    free(p);
}

struct vd_seccomp_prog *vd_seccomp_compile(const vd_seccomp *s, vd_error **err)
{
    struct vd_seccomp_prog *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        vd_error_set(err, ENOMEM, "seccomp: allocate the program");
        return NULL;
    }
    if (export_bpf(s, p, err) < 0) {
        vd_seccomp_prog_free(p);
        return NULL;
    }
    p->kernel_flags = kernel_flags(s);
    p->notify = s->notify;
    return p;
}

/* Every flag kernel_flags() can give. */
static unsigned long known_kernel_flags(void)
{
    unsigned long all = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    for (size_t i = 0; i < VD_ARRAY_SIZE(flag_names); i++)
        all |= flag_names[i].kernel_flag;
    return all;
}

int vd_builder_set_seccomp_prog(vd_builder *b, struct vd_seccomp_prog *p, vd_error **err)
{
    if (p->len == 0 || p->len > BPF_MAXINSNS || p->insns == NULL) {
        vd_seccomp_prog_free(p);
        return vd_error_set(err, E2BIG, "seccomp: a program of %u instructions, the kernel "
                            "takes 1 to %d", (unsigned)p->len, BPF_MAXINSNS);
    }
    if ((p->kernel_flags & ~known_kernel_flags()) != 0 ||
        p->notify != ((p->kernel_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0)) {
        vd_seccomp_prog_free(p);
        return vd_error_set(err, EINVAL, "seccomp: flags 0x%lx do not fit the program",
                            p->kernel_flags);
    }
    vd_seccomp_prog_free(b->seccomp);
    b->seccomp = p;
    return 0;
}

int vd_builder_set_seccomp(vd_builder *b, const vd_seccomp *s, vd_error **err)
{
    struct vd_seccomp_prog *p = vd_seccomp_compile(s, err);
    return p ? vd_builder_set_seccomp_prog(b, p, err) : -1;
}

void vd_builder_set_seccomp_listener(vd_builder *b, vd_seccomp_listener_fn fn, void *data)
{
    b->seccomp_listener = fn;
    b->seccomp_listener_data = data;
}

void vd_builder_free_seccomp(vd_builder *b)
{
    vd_seccomp_prog_free(b->seccomp);
}

/* ---- loading ------------------------------------------------------------------ */

int vd_seccomp_check(const vd_builder *b, vd_error **err)
{
    if (b->seccomp && b->seccomp->notify && b->seccomp_listener == NULL)
        return vd_error_set(err, EINVAL, "seccomp: the filter notifies, and no one listens");
    return 0;
}

static enum vd_seccomp_moment load_moment(const vd_builder *b)
{
    if (!b->no_new_privs)
        return VD_SECCOMP_BEFORE_USER;
    return b->seccomp->notify ? VD_SECCOMP_BEFORE_GATE : VD_SECCOMP_BEFORE_EXEC;
}

int vd_child_load_seccomp(const vd_builder *b, enum vd_seccomp_moment at, int sync_fd,
                          vd_error **err)
{
    const struct vd_seccomp_prog *p = b->seccomp;
    if (p == NULL || load_moment(b) != at)
        return 0;
    struct sock_fprog prog = {.len = p->len, .filter = (struct sock_filter *)p->insns};
    long fd = vd_sys_seccomp(SECCOMP_SET_MODE_FILTER, p->kernel_flags, &prog);
    if (fd < 0)
        return vd_error_set(err, errno, "load the seccomp filter");
    if (!p->notify)
        return 0;
    /* The caller's listener gets it; until then notified syscalls wait. */
    int type = VD_SYNC_SECCOMP;
    int r = vd_send_fd(sync_fd, &type, sizeof(type), (int)fd);
    int saved = errno;
    close((int)fd);
    if (r < 0)
        return vd_error_set(err, saved, "send the seccomp listener fd to the runtime");
    return 0;
}

int vd_parent_seccomp_listener(const vd_builder *b, pid_t pid, int fd, vd_error **err)
{
    if (fd < 0)
        return vd_error_set(err, EPROTO, "seccomp: the child sent no listener fd");
    if (b->seccomp_listener == NULL)
        return vd_error_set(err, EINVAL, "seccomp: the filter notifies, and no one listens");
    return b->seccomp_listener(pid, fd, b->seccomp_listener_data, err);
}
