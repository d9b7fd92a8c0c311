/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What libvoid's files share: the builder's layout and the setup steps run
 * in the child.  Not installed. */
#ifndef LIBVOID_INTERNAL_H
#define LIBVOID_INTERNAL_H

#include <stdio.h>
#include <sys/resource.h>

#include "utils.h"
#include "void.h"

enum vd_ns_mode {
    VD_NS_MODE_NEW,
    VD_NS_MODE_SHARE,
    VD_NS_MODE_JOIN,
};

struct vd_ns_spec {
    enum vd_ns_mode mode;
    char *path; /* VD_NS_MODE_JOIN */
};

struct vd_mount_entry {
    char *source, *destination, *fstype, *data;
    unsigned long flags, propagation, clear_flags;
    uint64_t attr_set, attr_clr;
    bool copy_up, idmap, idmap_recursive;
    struct vd_id_range *idmap_uids, *idmap_gids;
    size_t n_idmap_uids, n_idmap_gids;
    char *label;
    /* The detached tree of a bind (mount_tree.c), made by vd_spawn just
     * before the clone (the child inherits it) and closed in the parent just
     * after; -1 otherwise. */
    int tree_fd;
};

struct vd_device_entry {
    char *path;
    char type;
    int64_t major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

struct vd_id_map {
    uint32_t container_id, host_id, size;
};

struct vd_rlimit_entry {
    int resource;
    struct rlimit limit;
};

struct vd_kv_entry {
    char *key, *value;
};

/* Index 0 is CLOCK_MONOTONIC, 1 CLOCK_BOOTTIME (namespaces.c). */
struct vd_time_offset {
    bool set;
    int64_t secs;
    uint32_t nsecs;
};

struct vd_net_device {
    char *host_name, *name;
};

struct vd_step_entry {
    enum vd_step at;
    bool in_parent;
    vd_step_fn fn;
    void *data;
};

struct vd_builder {
    struct vd_ns_spec ns[VD_NS_COUNT];
    struct vd_id_map *uid_maps, *gid_maps;
    size_t n_uid_maps, n_gid_maps;

    char *rootfs;
    bool rootfs_readonly;
    bool no_pivot;
    unsigned long rootfs_propagation;

    struct vd_mount_entry *mounts;
    size_t n_mounts;
    struct vd_device_entry *devices;
    size_t n_devices;
    bool dev_symlinks;

    char *hostname, *domainname;
    char **argv, **envp;
    char *cwd;

    uid_t uid;
    gid_t gid;
    gid_t *groups;
    size_t n_groups;
    bool has_umask;
    mode_t umask;
    struct vd_rlimit_entry *rlimits;
    size_t n_rlimits;

    /* Capabilities as bit masks over CAP_* numbers (libcap knows < 64). */
    uint64_t caps[VD_CAP_SET_COUNT];
    bool no_new_privs;

    int *keep_fds;
    size_t n_keep_fds;

    char *start_fifo;

    bool terminal;
    unsigned short console_rows, console_cols;

    char **masked_paths, **readonly_paths;
    size_t n_masked_paths, n_readonly_paths;

    char *keyring;
    struct vd_kv_entry *sysctls;
    size_t n_sysctls;
    bool has_oom_score_adj;
    int oom_score_adj;
    bool loopback_up;

    /* sched.c, personality.c, lsm.c: how the process is scheduled, where it
     * may run and allocate, and the label it is exec'd into. */
    bool has_scheduler;
    struct vd_scheduler scheduler;
    bool has_io_priority;
    int io_priority; /* as ioprio_set(2) takes it: class << 13 | level */
    uint64_t *cpu_affinity[2]; /* by enum vd_affinity_at; NULL: not set */
    size_t n_cpu_affinity[2];  /* words */
    bool has_memory_policy;
    int mempolicy_mode; /* mode | MPOL_F_* flags */
    uint64_t *mempolicy_nodes;
    size_t n_mempolicy_nodes; /* words */
    bool has_personality;
    unsigned long personality;
    char *apparmor_profile, *selinux_label;

    struct vd_step_entry *steps;
    size_t n_steps;

    /* seccomp.c: the compiled filter, and who gets its listener fd */
    struct vd_seccomp_prog *seccomp;
    vd_seccomp_listener_fn seccomp_listener;
    void *seccomp_listener_data;

    struct vd_time_offset time_offsets[2];
    struct vd_net_device *net_devices;
    size_t n_net_devices;

    /* cgroup.c: where the child starts (not owned); the v1 tasks files it
     * moves itself in with, opened by vd_spawn around the clone (or NULL) */
    const struct vd_cgroup *cgroup;
    int *cgroup_tasks_fds;
    /* resctrl.c: the class of service the child is put in (not owned) */
    const struct vd_resctrl *resctrl;

    /* namespaces.c: vd_builder_join_process; join_root_fd is the joined
     * process's root, opened by the caller, and join_pidfd a pidfd on it
     * (-1 where the kernel has none), both valid when join_only.  The
     * namespaces of kinds in join_pidfd_kinds (1 << enum vd_ns) are its. */
    bool join_only;
    int join_root_fd;
    int join_pidfd;
    unsigned join_pidfd_kinds;
};

/* Messages on the sync channel (spawn.c); an int type leads each one. */
enum vd_sync_type {
    VD_SYNC_MAPPED = 1, /* parent -> child: id maps written, network devices moved in */
    VD_SYNC_CONSOLE,    /* child -> parent: the pty master, as SCM_RIGHTS */
    VD_SYNC_READY,      /* child -> parent: set up, waiting at the start gate */
    VD_SYNC_EXEC,       /* child -> parent: about to exec */
    VD_SYNC_ERROR,      /* child -> parent: a step failed */
    VD_SYNC_STEP,       /* child -> parent: run your steps for VD_STEP_NAMESPACES_READY */
    VD_SYNC_STEP_DONE,  /* parent -> child: they succeeded */
    VD_SYNC_SECCOMP,    /* child -> parent: the seccomp listener fd, as SCM_RIGHTS */
    VD_SYNC_CGROUP,     /* parent -> child: you are in your cgroups */
};
int vd_child_setup_console(const vd_builder *b, int sync_fd, vd_error **err);

/* utils.c.  Write `text` to the existing file `path` in one write(2), as
 * /proc and /sys files want (vd_write_text: to `fd`; 0 or -errno, -EIO for
 * a short write; EINTR retried). */
int vd_write_file(const char *path, const char *text, vd_error **err);
int vd_write_text(int fd, const char *text);

/* Grow *array (of *n elements of `size`) by one zeroed element; returns it. */
void *vd_array_append(void *array_ptr, size_t *n, size_t size, vd_error **err);
char *vd_strdup_checked(const char *s, vd_error **err);
/* *dst = a copy of src, NULL for NULL. */
int vd_strdup_optional(char **dst, const char *src, vd_error **err);
/* Replace *dst (owned) with a copy of src; *dst is kept on failure. */
int vd_replace_string(char **dst, const char *src, vd_error **err);

/* The builder's core (builder.c): vd_builder_new and vd_builder_free, which
 * calls one free per concern; each is defined in the file of that concern,
 * beside its setters and its child step. */
void vd_builder_free_namespaces(vd_builder *b); /* namespaces.c: ns, id maps, join fds */
void vd_builder_free_mounts(vd_builder *b);     /* mounts.c: rootfs, mounts */
void vd_builder_free_devices(vd_builder *b);    /* devices.c */
void vd_builder_free_paths(vd_builder *b);      /* paths.c: masked and read-only */
void vd_builder_free_process(vd_builder *b);    /* process.c: names, args, env, user, ... */
void vd_builder_free_gate(vd_builder *b);       /* gate.c: the start fifo */
void vd_builder_free_sysctls(vd_builder *b);    /* sysctl.c */
void vd_builder_free_network(vd_builder *b);    /* network.c: devices moved in */
void vd_builder_free_sched(vd_builder *b);      /* sched.c: affinity, memory policy */
void vd_builder_free_lsm(vd_builder *b);        /* lsm.c: AppArmor, SELinux */
void vd_builder_free_seccomp(vd_builder *b);    /* seccomp.c */
void vd_builder_free_steps(vd_builder *b);      /* spawn.c: the caller's steps */

/* Steps run in the child, in this order (spawn.c drives them). */
int vd_child_reset_signals(vd_error **err);
int vd_child_join_namespaces(const vd_builder *b, vd_error **err);
int vd_child_bring_up_loopback(const vd_builder *b, vd_error **err);
int vd_child_set_sysctls(const vd_builder *b, vd_error **err);
int vd_child_set_oom_score_adj(const vd_builder *b, vd_error **err);
struct vd_child_hook {
    int (*fn)(void *ctx, vd_error **err);
    void *ctx;
};
int vd_child_prepare_rootfs(const vd_builder *b, const struct vd_child_hook *before_cgroup,
                            int *root_fd, vd_error **err);
int vd_child_enter_rootfs(const vd_builder *b, int root_fd, vd_error **err);
/* After the console: the read-only tmpfs and /dev mounts, left writable
 * until then, made read-only. */
int vd_child_seal_mounts(const vd_builder *b, vd_error **err);
int vd_child_join_keyring(const vd_builder *b, vd_error **err);
int vd_child_set_names(const vd_builder *b, vd_error **err);
int vd_child_set_rlimits(const vd_builder *b, vd_error **err);
int vd_child_set_user(const vd_builder *b, vd_error **err);
int vd_child_set_caps(const vd_builder *b, vd_error **err);
int vd_child_drop_bounding(const vd_builder *b, vd_error **err);
int vd_child_open_cwd(const vd_builder *b, int *cwd_fd, vd_error **err);
bool vd_child_enter_cwd_early(const vd_builder *b, int cwd_fd);
int vd_child_enter_cwd(const vd_builder *b, int cwd_fd, bool entered, vd_error **err);
int vd_child_finish_process(const vd_builder *b, mode_t caller_umask, vd_error **err);
int vd_child_prepare_fds(const vd_builder *b, const int *own, size_t n_own, vd_error **err);
char *vd_child_find_program(const vd_builder *b, vd_error **err);
int vd_child_exec(const vd_builder *b, const char *program, vd_error **err);
/* "exec PROGRAM: <errno text in lower case>", errnum kept; returns -errnum. */
int vd_child_exec_error(vd_error **err, int errnum, const char *what);

/* runtime_exe.c: the runtime's binary never runs in a container. */
struct vd_file_id {
    dev_t dev;
    ino_t ino;
};
/* The file /proc/self/exe names, read before the child leaves the host's view. */
int vd_runtime_exe_id(struct vd_file_id *id, vd_error **err);
/* Open `program` (close-on-exec) for vd_child_recheck_program, refusing it
 * when it, or an interpreter of its script chain, is the runtime's binary.
 * *fd_out is -1 when it cannot be opened (the exec then reports why). */
int vd_child_open_program(const char *program, const struct vd_file_id *runtime, int *fd_out,
                          vd_error **err);
/* Right before vd_child_exec: `program` must still be the file opened
 * above, and none of its interpreters the runtime's binary. */
int vd_child_recheck_program(const char *program, int fd, const struct vd_file_id *runtime,
                             vd_error **err);
/* sched.c: the initial CPU affinity first thing in the child; the memory
 * policy, the final affinity, then the scheduler and I/O priority at the
 * end of the setup, while the child still has its privileges and before
 * a seccomp filter could forbid the calls. */
int vd_child_set_initial_affinity(const vd_builder *b, vd_error **err);
int vd_child_set_scheduling(const vd_builder *b, vd_error **err);
int vd_child_set_final_affinity(const vd_builder *b, vd_error **err);
int vd_child_set_memory_policy(const vd_builder *b, vd_error **err);
/* personality.c, right after them */
int vd_child_set_personality(const vd_builder *b, vd_error **err);
/* lsm.c: while the caller's /proc is still there */
int vd_child_set_exec_label(const vd_builder *b, vd_error **err);

/* A path that reaches the file behind `fd` (mount(2) takes no fds). */
#define FD_PATH_MAX 32
static inline void fd_path(int fd, char buf[FD_PATH_MAX])
{
    snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* fds.c: vd_close_fds's fallbacks where close_range fails, apart for
 * test_fds.c.  By /proc/self/fd: -1 when it cannot be opened or read as
 * procfs (what it did act on stays done).  By every fd number up to the
 * RLIMIT_NOFILE hard limit (at most 1 << 20). */
int vd_close_fds_listed(int first, const int *keep, size_t n, enum vd_fds_how how);
void vd_close_fds_counted(int first, const int *keep, size_t n, enum vd_fds_how how);

/* fs.c */
/* openat2(2) with O_CLOEXEC added, retried while the kernel says EAGAIN. */
int vd_openat2(int dir_fd, const char *path, int flags, uint64_t resolve);
/* Open `path` (absolute, inside the container) under the directory fd
 * `root_fd` without leaving it, creating missing directories on the way
 * (and the last component as a file when `as_file`).  Returns an O_PATH fd. */
int vd_open_in_root(int root_fd, const char *path, bool create, bool as_file, vd_error **err);
/* `name`, one component, under `dir_fd` without following a symlink (a
 * trailing one fails with ELOOP) or climbing above it. */
int vd_open_child(int dir_fd, const char *name, int flags);
/* Flags a bind remount of `target` must keep (locked by a less privileged
 * user namespace). */
unsigned long vd_locked_flags(const char *target);
/* The open_tree(2) clone of m->source, -1 with errno. */
int vd_mount_clone_source(const struct vd_mount_entry *m);
/* mounts.c */
int vd_create_devices(const vd_builder *b, int root_fd, vd_error **err);
/* What vd_builder_add_mount refuses, and the parts of an entry beyond its
 * strings (copied in, freed). */
int vd_mount_check(const struct vd_mount *m, vd_error **err);
int vd_mount_entry_fill(struct vd_mount_entry *e, const struct vd_mount *m, vd_error **err);
void vd_mount_entry_clear(struct vd_mount_entry *e);
/* mount_cgroup.c: a mount of type "cgroup" on `target` (the fd path of
 * its destination): each hierarchy fresh when the container has a cgroup
 * namespace of its own (`own_ns`), else its own cgroup directories bound. */
int vd_mount_cgroup(int root_fd, const struct vd_mount_entry *m, const char *target, bool own_ns,
                    vd_error **err);
/* A mount of type "cgroup2" in a cgroup namespace of the container's own:
 * fresh on `target`, over a cgroup2 mount there too. */
int vd_mount_cgroup2_new(const struct vd_mount_entry *m, const char *target, vd_error **err);
/* A mount of type "cgroup2" outside a cgroup namespace of the container's
 * own: its own cgroup2 directory bound on `target`. */
int vd_mount_cgroup2_own(int root_fd, const struct vd_mount_entry *m, const char *target,
                         vd_error **err);
/* mount_attr.c: the mount's recursive attributes, on the mount at `fd`. */
int vd_mount_set_tree_attrs(int fd, const struct vd_mount_entry *m, vd_error **err);
/* tmpcopyup.c: copy what directory `from_dir` holds into `to_dir`;
 * `dest` names them in errors. */
int vd_copy_up(int from_dir, int to_dir, const char *dest, vd_error **err);
/* idmap.c: the detached tree of idmapped `m`, mapped. */
int vd_idmap_open_tree(const struct vd_mount_entry *m, vd_error **err);
/* newidmap.c: `file` ("uid_map" or "gid_map") of pid's user namespace
 * written by newuidmap or newgidmap, for maps the kernel lets the caller
 * write only through them (ranges of /etc/subuid, /etc/subgid). */
int vd_newidmap_write(pid_t pid, const char *file, const struct vd_id_map *maps, size_t n,
                      vd_error **err);
/* mount_tree.c: the trees of the binds (idmapped or not), opened in the
 * caller before the clone and closed there after it; the child attaches
 * its copy on `dest_fd` (and closes it). */
int vd_mount_open_trees(vd_builder *b, vd_error **err);
void vd_mount_close_trees(vd_builder *b);
int vd_mount_attach_tree(const struct vd_mount_entry *m, int dest_fd, vd_error **err);
/* paths.c */
int vd_apply_paths(const vd_builder *b, int root_fd, vd_error **err);

/* seccomp.c: the child loads the filter at one of these moments, the one
 * that fits no_new_privs and the listener (see there). */
enum vd_seccomp_moment {
    VD_SECCOMP_BEFORE_USER, /* before the user and capabilities change */
    VD_SECCOMP_BEFORE_GATE, /* the end of the setup, before the start gate */
    VD_SECCOMP_BEFORE_EXEC, /* right before the exec */
};
/* Before the clone: a notifying filter needs a listener. */
int vd_seccomp_check(const vd_builder *b, vd_error **err);
/* Load the filter if `at` is its moment; a listener fd goes to the parent
 * as VD_SYNC_SECCOMP. */
int vd_child_load_seccomp(const vd_builder *b, enum vd_seccomp_moment at, int sync_fd,
                          vd_error **err);
/* The parent's side of VD_SYNC_SECCOMP: hand `fd` to the caller's listener. */
int vd_parent_seccomp_listener(const vd_builder *b, pid_t pid, int fd, vd_error **err);

/* gate.c */
struct vd_gate {
    int fifo_fd;  /* O_PATH on the FIFO, opened on the host side */
    int fd_dir;   /* O_PATH on our own /proc/self/fd, on the host's /proc */
    int write_fd; /* the FIFO open for writing, once past the gate */
};
int vd_gate_prepare(const vd_builder *b, int *fifo_fd, vd_error **err);
int vd_gate_open(const vd_builder *b, struct vd_gate *g, vd_error **err);
int vd_gate_wait(const vd_builder *b, struct vd_gate *g, vd_error **err);
void vd_gate_report(const struct vd_gate *g, const vd_error *e);

/* namespaces.c */
int vd_ns_clone_flag(enum vd_ns ns);
/* Before the clone: a builder that joins a live process asks for nothing
 * that would change its namespaces. */
int vd_check_join_only(const vd_builder *b, vd_error **err);
unsigned long vd_clone_ns_flags(const vd_builder *b);
int vd_parent_enter_for_children(const vd_builder *b, int saved[2], vd_error **err);
/* network.c: move the builder's network devices into the child's network
 * namespace; the child waits for it (VD_SYNC_MAPPED). */
int vd_parent_move_net_devices(const vd_builder *b, pid_t pid, vd_error **err);
void vd_parent_leave_for_children(int saved[2]);
pid_t vd_clone_in_joined_user_ns(const vd_builder *b, unsigned long flags, int *pidfd);

/* sha256.c's block functions (struct vd_sha256's impl): vd_sha256_init
 * picks the fastest this CPU supports; a test may set another. */
enum vd_sha256_impl {
    VD_SHA256_PORTABLE,
    VD_SHA256_SHANI, /* x86 SHA extensions */
};
bool vd_sha256_impl_supported(enum vd_sha256_impl impl);

#endif
