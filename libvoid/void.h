/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoid: build a process that starts in a complete void, then add back
 * exactly what the caller asks for.
 *
 * A fresh builder describes the void: new mount, pid, network, ipc, uts and
 * cgroup namespaces, an empty root, no capabilities, no file descriptors but
 * 0/1/2, no devices.  Each vd_builder_* call makes it less of a void.
 * vd_spawn() creates the process with a single clone and runs the setup in
 * the child; the child reports any failure back over a sync channel, so the
 * caller gets one error and nothing is left behind.
 *
 * The library never prints, never exits, and keeps no global state.  Every
 * fallible call returns 0 (or a non-negative value) on success and a negative
 * value on failure, filling *err.
 */
#ifndef LIBVOID_VOID_H
#define LIBVOID_VOID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VD_VERSION "0.1.0"

/* ---- errors -------------------------------------------------------------- */

/* One error type threaded through every call.  errnum is 0 when the failure
 * is not a system call's (for instance invalid input). */
typedef struct vd_error {
    int errnum;
    char *msg;
} vd_error;

/* Set *err (if err is not NULL) and return -1 (or -errnum when errnum > 0).
 * The message is the formatted text followed by ": strerror(errnum)" when
 * errnum is not 0. */
int vd_error_set(vd_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing error's message with "<prefix>: ". Returns the same
 * value vd_error_set would for it. */
int vd_error_prefix(vd_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vd_error_free(vd_error **err);
const char *vd_version(void);

/* ---- file descriptors (fds.c) -------------------------------------------- */

enum vd_fds_how {
    VD_FDS_CLOSE,   /* closed now */
    VD_FDS_CLOEXEC, /* left open, close-on-exec: for a child that needs them until it execs */
};
/* Every fd >= `first` but those in `keep` (sorted ascending; entries below
 * `first` or negative are ignored; NULL when n_keep is 0), which are left
 * as they are.  close_range(2) where the kernel and any seccomp filter
 * allow it, else one close or fcntl per fd as /proc/self/fd lists them, or
 * without a procfs there every fd number below the RLIMIT_NOFILE hard
 * limit (at most 1 << 20).  Async-signal-safe, so a child may call it
 * between fork and exec; it cannot fail. */
void vd_close_fds(int first, const int *keep, size_t n_keep, enum vd_fds_how how);

/* ---- the builder --------------------------------------------------------- */

typedef struct vd_builder vd_builder;

enum vd_ns {
    VD_NS_MOUNT,
    VD_NS_PID,
    VD_NS_NET,
    VD_NS_IPC,
    VD_NS_UTS,
    VD_NS_CGROUP,
    VD_NS_USER,
    VD_NS_TIME,
    VD_NS_COUNT
};

/* Name as in /proc/PID/ns ("mnt", "pid", "net", ...). */
const char *vd_ns_name(enum vd_ns ns);

/* A complete void. Returns NULL only when out of memory. */
vd_builder *vd_builder_new(void);
void vd_builder_free(vd_builder *b);

/* Namespaces: mount/pid/net/ipc/uts/cgroup are new unless shared or joined;
 * user and time are the caller's unless made new or joined. */
int vd_builder_new_ns(vd_builder *b, enum vd_ns ns, vd_error **err);
int vd_builder_share_ns(vd_builder *b, enum vd_ns ns, vd_error **err);
int vd_builder_join_ns(vd_builder *b, enum vd_ns ns, const char *path, vd_error **err);
/* Check, before any spawn, that `path` is a namespace file of kind `ns`
 * (the child checks again when it joins). */
int vd_ns_check_path(enum vd_ns ns, const char *path, vd_error **err);
/* Join the live process whose /proc/PID directory is open at `proc_fd`
 * (a container's init, for `exec`): each namespace it is in that the
 * caller is not is joined, the others shared, and the child takes that
 * process's root.  Nothing in those namespaces is changed on the new
 * process's behalf: vd_spawn refuses a rootfs, mounts, devices, names,
 * sysctls, id maps, network devices or a new namespace; the pty is not
 * bound on /dev/console and the cwd must exist.  Working from the fd, not
 * the pid, a process that took the pid since is never joined; the fd must
 * stay open until vd_spawn returns. */
int vd_builder_join_process(vd_builder *b, int proc_fd, vd_error **err);
/* Offset of CLOCK_MONOTONIC or CLOCK_BOOTTIME in a new time namespace
 * (nsecs below 1e9).  The child makes the namespace itself, writes the
 * offsets, then enters it: they hold from its first instruction on. */
int vd_builder_set_time_offset(vd_builder *b, int clock, int64_t secs, uint32_t nsecs,
                               vd_error **err);

/* User namespace id maps, written by the parent once the child exists. */
int vd_builder_map_uid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err);
int vd_builder_map_gid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err);

/* The root: an absolute host directory that becomes "/".  Without a rootfs
 * the child keeps the caller's root (only useful with a shared mount ns). */
int vd_builder_set_rootfs(vd_builder *b, const char *path, bool readonly, vd_error **err);
/* Without a mount namespace of its own (VD_NS_MODE_SHARE) the container's
 * mounts are made in the caller's: on a bind of the rootfs over itself and
 * under it, entered with chroot.  vd_mount_id_at: the id of the mount on
 * top of `path` (the unique one where the kernel has it), taken before the
 * spawn; vd_unmount_above: detach the mounts stacked on `path` above that
 * one, and with them all the container's (0 when there are none).
 * vd_spawn does it itself when it fails. */
int vd_mount_id_at(const char *path, uint64_t *id, vd_error **err);
int vd_unmount_above(const char *path, uint64_t below, vd_error **err);
/* Use MS_MOVE + chroot instead of pivot_root (for a rootfs on a ramfs). */
void vd_builder_set_no_pivot(vd_builder *b, bool no_pivot);
/* Propagation of the container's mount tree: MS_PRIVATE (default), MS_SLAVE,
 * MS_SHARED or MS_UNBINDABLE, optionally with MS_REC. */
int vd_builder_set_rootfs_propagation(vd_builder *b, unsigned long flags, vd_error **err);

/* One id range of an idmapped mount: ids [container_id, +size) as stored
 * on the source's filesystem are seen as [host_id, +size) through the
 * mount (the line format of /proc/PID/uid_map). */
struct vd_id_range {
    uint32_t container_id, host_id, size;
};

struct vd_mount {
    const char *source;      /* may be NULL for pseudo filesystems */
    const char *destination; /* absolute, inside the container */
    const char *fstype;      /* "proc", "tmpfs", ... or "bind"/NULL with MS_BIND */
    unsigned long flags;     /* MS_* for mount(2) */
    unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC), or 0 */
    const char *data;        /* fs-specific options, or NULL */
    /* MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RDONLY, MS_NOSYMFOLLOW that the
     * caller turned off on purpose: a bind keeps every other one of these
     * that its source has (as mount(8) does; the kernel refuses to drop
     * them from a mount locked by a less privileged user namespace). */
    unsigned long clear_flags;
    /* mount_setattr(2) MOUNT_ATTR_* bits set and cleared on the mount and
     * every mount under it, once it is made (needs Linux 5.12).  An atime
     * choice sets MOUNT_ATTR__ATIME in attr_clr. */
    uint64_t attr_set, attr_clr;
    /* A tmpfs that starts as a copy of what the rootfs holds at the
     * destination (files, directories, symlinks, nodes; modes, owners,
     * times). */
    bool copy_up;
    /* An idmapped bind (needs Linux 5.12 and a filesystem that supports
     * it): `source` seen through these maps, on the top mount only or,
     * with idmap_recursive, on every mount of an rbind. */
    bool idmap, idmap_recursive;
    const struct vd_id_range *idmap_uids, *idmap_gids;
    size_t n_idmap_uids, n_idmap_gids;
    /* Prefixes this mount's errors, e.g. the caller's name for it; or NULL. */
    const char *label;
};
/* Mounts are applied in order, after the rootfs is bound and before pivot. */
int vd_builder_add_mount(vd_builder *b, const struct vd_mount *m, vd_error **err);

/* A device node created in the container (type 'c', 'b', 'u' or 'p'); 'u',
 * unbuffered, is a character device too.  Where mknod is not allowed (a user
 * namespace) the host's node at the same path is bound instead, after
 * checking that it is that very device. */
struct vd_device {
    const char *path; /* absolute, inside the container, e.g. "/dev/null" */
    char type;
    int64_t major, minor;
    mode_t mode; /* permission bits */
    uid_t uid;
    gid_t gid;
};
int vd_builder_add_device(vd_builder *b, const struct vd_device *d, vd_error **err);
/* Add null, zero, full, random, urandom and tty. */
int vd_builder_add_default_devices(vd_builder *b, vd_error **err);
/* Add the /dev/fd, stdin, stdout, stderr and ptmx -> pts/ptmx symlinks. */
void vd_builder_add_dev_symlinks(vd_builder *b);

/* Hide a path (a directory under an empty read-only tmpfs, a file under the
 * null device) or make it read-only.  Absent paths are skipped. */
int vd_builder_add_masked_path(vd_builder *b, const char *path, vd_error **err);
int vd_builder_add_readonly_path(vd_builder *b, const char *path, vd_error **err);

/* Kernel parameters of the container's own namespaces: `key` in sysctl
 * spelling ("net.ipv4.ip_forward"), written under /proc/sys by the child
 * once it is in its namespaces.  Which keys are namespaced is the caller's
 * to check; a key with "/" or an empty component is refused here. */
int vd_builder_add_sysctl(vd_builder *b, const char *key, const char *value, vd_error **err);
/* /proc/self/oom_score_adj of the process, -1000 to 1000. */
int vd_builder_set_oom_score_adj(vd_builder *b, int adj, vd_error **err);
/* Bring "lo" up in a new network namespace (nothing is done in a shared or
 * joined one: it is not ours to change). */
void vd_builder_set_loopback_up(vd_builder *b, bool on);
/* Move the caller's network interface `host_name` into the new network
 * namespace, renamed `name` (NULL: same name), with its permanent global
 * addresses, and bring it up there.  The caller does it, over rtnetlink,
 * before the child's setup goes on.  It is not moved back: when the
 * namespace dies the kernel returns a physical device to the initial
 * namespace and destroys a virtual one. */
int vd_builder_add_net_device(vd_builder *b, const char *host_name, const char *name,
                              vd_error **err);

int vd_builder_set_hostname(vd_builder *b, const char *name, vd_error **err);
int vd_builder_set_domainname(vd_builder *b, const char *name, vd_error **err);

/* The program.  argv[0] without a '/' is looked up in the PATH of env, inside
 * the container.  argv and env are copied. */
int vd_builder_set_args(vd_builder *b, char *const argv[], vd_error **err);
int vd_builder_set_env(vd_builder *b, char *const envp[], vd_error **err);
int vd_builder_set_cwd(vd_builder *b, const char *cwd, vd_error **err);

int vd_builder_set_user(vd_builder *b, uid_t uid, gid_t gid, const gid_t *additional, size_t n,
                        vd_error **err);
/* umask of the process; without this call the caller's umask is kept
 * (runtime-spec: "If unspecified, the umask should not be changed"). */
void vd_builder_set_umask(vd_builder *b, mode_t umask);
int vd_builder_add_rlimit(vd_builder *b, int resource, uint64_t soft, uint64_t hard,
                          vd_error **err);

enum vd_cap_set {
    VD_CAP_EFFECTIVE,
    VD_CAP_PERMITTED,
    VD_CAP_INHERITABLE,
    VD_CAP_BOUNDING,
    VD_CAP_AMBIENT,
    VD_CAP_SET_COUNT
};
/* Add capability `cap` (a CAP_* number known to libcap) to one set. All five
 * sets start empty. */
int vd_builder_add_cap(vd_builder *b, enum vd_cap_set set, int cap, vd_error **err);
void vd_builder_set_no_new_privs(vd_builder *b, bool on);

/* Keep a caller's fd in the child at the same number.  Everything else but
 * 0/1/2 is closed at exec. */
int vd_builder_keep_fd(vd_builder *b, int fd, vd_error **err);

/* Give the process a pty made in the container's devpts as its stdio and
 * controlling terminal, also bound on /dev/console.  The master comes back
 * through vd_process_take_console().  rows/cols 0: leave the size unset. */
int vd_builder_set_terminal(vd_builder *b, bool on, unsigned short rows, unsigned short cols);

/* Hold the finished child before exec until another process opens the FIFO
 * at `path` (a host path) for reading: the create/start split.  The child
 * then writes one byte "0"; the FIFO closes at a successful exec, and a
 * failure past the gate is written to it as text first.  Without a gate the
 * child execs as soon as it is set up. */
int vd_builder_set_start_fifo(vd_builder *b, const char *path, vd_error **err);

/* Session keyring: join a new one named `name` (ENOSYS is not an error). */
int vd_builder_set_session_keyring(vd_builder *b, const char *name, vd_error **err);

/* ---- terminals (console.c) ----------------------------------------------- */

/* A pty's size: struct winsize's rows and columns. */
typedef struct vd_pty_size {
    unsigned short rows, cols;
} vd_pty_size;

/* A new pty: master and slave (both O_CLOEXEC, both the caller's to close)
 * and the slave's path in the devpts the pty came from. */
typedef struct vd_pty {
    int master, slave;
    char slave_path[32]; /* "/dev/pts/N" */
} vd_pty;

/* vd_pty_open's root for a pty of the caller's own /dev/ptmx. */
#define VD_PTY_CALLER_PTMX (-1)

/* Make a pty, unlocked, its size set when size is not NULL (else left as
 * the kernel makes it), its slave opened from the master (TIOCGPTPEER: no
 * path to race on).  From root's /dev/pts/ptmx, which must be the ptmx of
 * a devpts mount reached without a symlink: the container's own devpts,
 * whatever the image put on the way.  Or, root VD_PTY_CALLER_PTMX, from
 * the caller's /dev/ptmx: for a pty needed before the container's devpts
 * exists (a restore, whose devpts criu mounts only after the fds it
 * inherits are open).  Used by vd_spawn for a terminal; nothing to close
 * on failure. */
int vd_pty_open(int root, const vd_pty_size *size, vd_pty *pty, vd_error **err);

/* ---- scheduling, CPUs and memory nodes (sched.c) ------------------------- */

/* Kernel numbers, spelled out here because older headers lack the later ones. */
enum vd_sched_policy {
    VD_SCHED_OTHER = 0,
    VD_SCHED_FIFO = 1,
    VD_SCHED_RR = 2,
    VD_SCHED_BATCH = 3,
    VD_SCHED_ISO = 4, /* reserved by Linux, never implemented: the kernel refuses it */
    VD_SCHED_IDLE = 5,
    VD_SCHED_DEADLINE = 6,
};
/* sched_setattr(2)'s attributes.  flags are SCHED_FLAG_* bits; runtime,
 * deadline and period are nanoseconds, for VD_SCHED_DEADLINE. */
struct vd_scheduler {
    enum vd_sched_policy policy;
    uint64_t flags;
    int nice;          /* -20..19 */
    unsigned priority; /* 1..99 for FIFO and RR, else 0 */
    uint64_t runtime, deadline, period;
};
/* Set in the child before it gives up its privileges: a real-time policy
 * or a negative nice needs CAP_SYS_NICE in the host's user namespace. */
int vd_builder_set_scheduler(vd_builder *b, const struct vd_scheduler *s, vd_error **err);

enum vd_ioprio_class { VD_IOPRIO_CLASS_RT = 1, VD_IOPRIO_CLASS_BE = 2, VD_IOPRIO_CLASS_IDLE = 3 };
/* ioprio_set(2) of the process, level 0 (highest) to 7. */
int vd_builder_set_io_priority(vd_builder *b, enum vd_ioprio_class cls, int level, vd_error **err);

/* A set of CPU or NUMA node numbers: number i is bit i % 64 of words[i / 64]. */
struct vd_id_set {
    const uint64_t *words;
    size_t n_words;
};
/* The child's CPU affinity: `initial` as soon as it exists, `final` at
 * the end of its setup, which the program inherits.  With an initial set
 * and no final one, the program gets every CPU back (what the kernel and
 * cpuset allow).  Every CPU listed must end up allowed, or the spawn
 * fails: the kernel silently drops CPUs that are offline or outside the
 * cpuset. */
enum vd_affinity_at { VD_AFFINITY_INITIAL, VD_AFFINITY_FINAL };
int vd_builder_set_cpu_affinity(vd_builder *b, enum vd_affinity_at at, const struct vd_id_set *cpus,
                                vd_error **err);

/* set_mempolicy(2) of the process, by the kernel's numbers. */
enum vd_mpol_mode {
    VD_MPOL_DEFAULT = 0,
    VD_MPOL_PREFERRED = 1,
    VD_MPOL_BIND = 2,
    VD_MPOL_INTERLEAVE = 3,
    VD_MPOL_LOCAL = 4,
    VD_MPOL_PREFERRED_MANY = 5,       /* Linux 5.15 */
    VD_MPOL_WEIGHTED_INTERLEAVE = 6,  /* Linux 6.9 */
};
#define VD_MPOL_F_NUMA_BALANCING (1u << 13)
#define VD_MPOL_F_RELATIVE_NODES (1u << 14)
#define VD_MPOL_F_STATIC_NODES (1u << 15)
/* Set at the end of the setup; the program inherits it.  `nodes` may be
 * empty (n_words 0).  Without MPOL_F_STATIC_NODES or _RELATIVE_NODES,
 * every node listed must be one the process may use, or the spawn fails
 * (the kernel would silently drop it). */
int vd_builder_set_memory_policy(vd_builder *b, enum vd_mpol_mode mode, unsigned flags,
                                 const struct vd_id_set *nodes, vd_error **err);

/* personality(2) of the process (PER_LINUX, PER_LINUX32, ...), set at
 * the end of the setup; exec keeps it. */
int vd_builder_set_personality(vd_builder *b, unsigned long persona, vd_error **err);

/* ---- security labels (lsm.c) --------------------------------------------- */

/* The AppArmor profile or SELinux label the program is exec'd into.  Both
 * fail here, before anything is spawned, when the host does not run that
 * LSM: the library never drops a label it was handed.  Whether to hand
 * one on where the LSM is off is the caller's choice: vd_selinux_enabled. */
int vd_builder_set_apparmor_profile(vd_builder *b, const char *profile, vd_error **err);
int vd_builder_set_selinux_label(vd_builder *b, const char *label, vd_error **err);
/* True when this host runs SELinux (selinuxfs mounted at /sys/fs/selinux). */
bool vd_selinux_enabled(void);

/* Points in the setup where a caller's function runs, in the parent (the
 * child waits for it) or in the child itself. */
enum vd_step {
    /* Namespaces exist and the mounts are done; the pivot is next. */
    VD_STEP_NAMESPACES_READY,
    /* Past the start gate, just before the exec (child only). */
    VD_STEP_BEFORE_EXEC,
};
/* `host_pid` is the child's pid in the caller's pid namespace.  A step that
 * fails aborts the spawn (or, past the gate, the child). */
typedef int (*vd_step_fn)(pid_t host_pid, void *data, vd_error **err);
int vd_builder_add_parent_step(vd_builder *b, enum vd_step at, vd_step_fn fn, void *data,
                               vd_error **err);
int vd_builder_add_child_step(vd_builder *b, enum vd_step at, vd_step_fn fn, void *data,
                              vd_error **err);

/* ---- SHA-256 (sha256.c) ----------------------------------------------------- */

#define VD_SHA256_LEN 32
struct vd_sha256 {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
    size_t used;
    int impl; /* the block function, as vd_sha256_init picks it for this CPU */
};
void vd_sha256_init(struct vd_sha256 *s);
void vd_sha256_update(struct vd_sha256 *s, const void *data, size_t n);
void vd_sha256_final(struct vd_sha256 *s, uint8_t out[VD_SHA256_LEN]);
void vd_sha256(const void *data, size_t n, uint8_t out[VD_SHA256_LEN]);

/* ---- seccomp (seccomp.c) ---------------------------------------------------- */

/* A syscall filter, described with libseccomp's words: a default action,
 * architectures, flags and rules.  Without one every syscall is allowed. */
typedef struct vd_seccomp vd_seccomp;

enum vd_seccomp_action {
    VD_SECCOMP_KILL_THREAD,  /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
    VD_SECCOMP_KILL_PROCESS, /* SCMP_ACT_KILL_PROCESS */
    VD_SECCOMP_TRAP,         /* SCMP_ACT_TRAP: SIGSYS */
    VD_SECCOMP_ERRNO,        /* SCMP_ACT_ERRNO: fail with the given errno */
    VD_SECCOMP_TRACE,        /* SCMP_ACT_TRACE: stop for a ptrace tracer, the errno as message */
    VD_SECCOMP_ALLOW,        /* SCMP_ACT_ALLOW */
    VD_SECCOMP_LOG,          /* SCMP_ACT_LOG: allow and log */
    VD_SECCOMP_NOTIFY,       /* SCMP_ACT_NOTIFY: ask the listener (below) */
};

enum vd_seccomp_op {
    VD_SECCOMP_NE,
    VD_SECCOMP_LT,
    VD_SECCOMP_LE,
    VD_SECCOMP_EQ,
    VD_SECCOMP_GE,
    VD_SECCOMP_GT,
    VD_SECCOMP_MASKED_EQ, /* (arg & value) == value_two */
};

/* seccomp(2) SECCOMP_FILTER_FLAG_* of the same names. */
#define VD_SECCOMP_FLAG_TSYNC (1u << 0)
#define VD_SECCOMP_FLAG_LOG (1u << 1)
#define VD_SECCOMP_FLAG_SPEC_ALLOW (1u << 2)
#define VD_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1u << 3)

/* One condition on a syscall argument; a rule's conditions must all hold. */
struct vd_seccomp_arg {
    unsigned index;     /* 0 to 5 */
    enum vd_seccomp_op op;
    uint64_t value;     /* the mask for VD_SECCOMP_MASKED_EQ */
    uint64_t value_two; /* the value for VD_SECCOMP_MASKED_EQ; unused otherwise */
};

/* The names libseccomp's seccomp.h gives them ("SCMP_ACT_ERRNO",
 * "SCMP_CMP_EQ", "SCMP_ARCH_X86_64") and seccomp(2) gives the flags
 * ("SECCOMP_FILTER_FLAG_LOG"): the i-th name the *_from_name functions below
 * take, NULL past the end; static strings. */
const char *vd_seccomp_action_name_at(size_t i);
const char *vd_seccomp_op_name_at(size_t i);
const char *vd_seccomp_flag_name_at(size_t i);
/* Whether the running kernel takes flag (VD_SECCOMP_FLAG_*), asked of it
 * without loading anything. */
bool vd_seccomp_flag_supported(unsigned flag);
/* The SCMP_ARCH_* names this build's libseccomp resolves: up to `max` of
 * them in names[] (static strings); returns how many there are. */
size_t vd_seccomp_arch_names(const char **names, size_t max);
/* Name -> value; -1 for a name this build does not know. */
int vd_seccomp_action_from_name(const char *name, enum vd_seccomp_action *out);
int vd_seccomp_op_from_name(const char *name, enum vd_seccomp_op *out);
int vd_seccomp_flag_from_name(const char *name, unsigned *out);
/* ERRNO and TRACE carry an errno; the other actions have none to carry. */
bool vd_seccomp_action_takes_errno(enum vd_seccomp_action action);

/* NULL on failure.  NOTIFY cannot be the default: the child's own syscalls
 * would wait for a listener that has not got its fd yet. */
vd_seccomp *vd_seccomp_new(enum vd_seccomp_action default_action, uint16_t default_errno,
                           vd_error **err);
void vd_seccomp_free(vd_seccomp *s);
/* Also filter the syscalls of architecture `name` ("SCMP_ARCH_X86"); the
 * native one always is.  Architectures come before the rules.  Returns 1
 * (left out) for one of the other byte order, which no program here can
 * use. */
int vd_seccomp_add_arch(vd_seccomp *s, const char *name, vd_error **err);
/* VD_SECCOMP_FLAG_*; WAIT_KILLABLE_RECV only matters (and is only passed
 * to the kernel) when some rule notifies. */
void vd_seccomp_set_flags(vd_seccomp *s, unsigned flags);
/* `action` (with `errno_ret` for ERRNO and TRACE) for `syscall_name` when
 * all of args[] hold.  Returns 0 when added or when it does what the
 * default does (libseccomp takes no such rule), 1 when libseccomp does not
 * know the name (skipped: a profile lists syscalls newer than the system),
 * negative on error.  The rule is compiled now: a bad one fails here. */
int vd_seccomp_add_rule(vd_seccomp *s, const char *syscall_name, enum vd_seccomp_action action,
                        uint16_t errno_ret, const struct vd_seccomp_arg *args, size_t n_args,
                        vd_error **err);

/* Filter the program's syscalls with `s`, compiled to BPF now, in the
 * caller, so that a filter the kernel cannot take fails before anything is
 * spawned; the builder keeps the program and the caller still frees `s`.
 * The child loads it without no_new_privs before the user and capabilities
 * change (loading then needs CAP_SYS_ADMIN), with no_new_privs after the
 * start gate and the steps, right before the exec; a filter with NOTIFY
 * rules at the end of the setup, before the gate. */
int vd_builder_set_seccomp(vd_builder *b, const vd_seccomp *s, vd_error **err);
/* The same in two steps, for a caller that keeps compiled filters (a
 * cache): the program `s` compiles to, with the seccomp(2) flags it loads
 * with, and the builder's use of one such program (the builder takes it,
 * also on failure).  A program is refused unless it has 1 to BPF_MAXINSNS
 * instructions and only the flags vd_seccomp_compile can give. */
struct vd_seccomp_prog {
    void *insns; /* struct sock_filter[len] */
    unsigned short len;
    unsigned long kernel_flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
    bool notify;                /* with SECCOMP_FILTER_FLAG_NEW_LISTENER */
};
struct vd_seccomp_prog *vd_seccomp_compile(const vd_seccomp *s, vd_error **err);
int vd_builder_set_seccomp_prog(vd_builder *b, struct vd_seccomp_prog *p, vd_error **err);
void vd_seccomp_prog_free(struct vd_seccomp_prog *p);
/* Called in the caller's process with the filter's listener fd (the
 * SECCOMP_IOCTL_NOTIF_* end) when the filter has NOTIFY rules, before
 * vd_spawn returns; the fd is closed after the call, so keep a dup.  A
 * failure aborts the spawn.  A notifying filter without a listener is an
 * error of vd_spawn. */
typedef int (*vd_seccomp_listener_fn)(pid_t host_pid, int notify_fd, void *data,
                                      vd_error **err);
void vd_builder_set_seccomp_listener(vd_builder *b, vd_seccomp_listener_fn fn, void *data);

/* ---- cgroups (cgroup.c, cgroup_resources.c) ------------------------------ */

/* A container's control group: one directory in each mounted hierarchy
 * (v1 controllers each on their own, the cgroup2 one; a hybrid host has
 * both: the cgroup2 mount then holds what the v1 ones do not, hugetlb
 * here).  The handle is the list of those directories. */
typedef struct vd_cgroup vd_cgroup;

enum vd_cgroup_layout {
    VD_CGROUP_V1,     /* cgroup v1 hierarchies only */
    VD_CGROUP_HYBRID, /* v1 controllers plus a cgroup2 mount */
    VD_CGROUP_V2,     /* /sys/fs/cgroup is cgroup2, nothing else */
};
/* Read /proc/self/mountinfo once; -1 when no cgroup is mounted. */
int vd_cgroup_host_layout(enum vd_cgroup_layout *out, vd_error **err);

/* Make `path` in every hierarchy (with its missing parents): absolute
 * under each hierarchy's root, relative under the caller's own cgroup
 * there (runc's rule).  v2 parents get every controller they offer in
 * cgroup.subtree_control; v1 cpuset parents made here get their parent's
 * cpus and mems.  An existing directory is used as it is. */
int vd_cgroup_create(const char *path, vd_cgroup **out, vd_error **err);
/* The directories of `path` (the same rules) that exist: none made. */
int vd_cgroup_find(const char *path, vd_cgroup **out, vd_error **err);
/* The cgroup of live or recorded directories (vd_cgroup_dir). */
int vd_cgroup_open(const char *const *dirs, size_t n, vd_cgroup **out, vd_error **err);
/* The cgroup hierarchies mounted here, read once from /proc/self/mountinfo
 * for many vd_cgroup_open_in calls (list opens one cgroup per container). */
typedef struct vd_cgroup_host vd_cgroup_host;
int vd_cgroup_host_read(vd_cgroup_host **out, vd_error **err);
void vd_cgroup_host_free(vd_cgroup_host *host);
/* vd_cgroup_open against hierarchies read before. */
int vd_cgroup_open_in(const vd_cgroup_host *host, const char *const *dirs, size_t n,
                      vd_cgroup **out, vd_error **err);
/* The same with the hierarchies found under `root` instead of the host's
 * mounts (NULL: the host's): `root` laid out as /sys/fs/cgroup is, either
 * one cgroup2 hierarchy (it holds cgroup.controllers) or a directory per
 * hierarchy, v1 ones named for their controllers ("cpu,cpuacct").  For
 * tests and tools that work on a stand-in for the host. */
int vd_cgroup_open_at(const char *root, const char *const *dirs, size_t n, vd_cgroup **out,
                      vd_error **err);
/* A sub-cgroup of a container's cgroup: `path`, relative and inside it,
 * for the hierarchies of `controllers` ("cpu,cpuacct"; NULL: the others). */
struct vd_cgroup_sub {
    const char *controllers;
    const char *path;
};
/* The cgroup of cg's directories, each moved to the sub path its
 * hierarchy's controllers ask for (runc's exec --cgroup): the first entry
 * naming one of them, else the entry naming none, else cg's own directory.
 * The directories must exist.  On a cgroup v2 host an entry may name no
 * controller (there is one hierarchy). */
int vd_cgroup_open_sub(const vd_cgroup *cg, const struct vd_cgroup_sub *subs, size_t n,
                       vd_cgroup **out, vd_error **err);
/* Its directories, for the caller to record: i from 0 while non-NULL. */
const char *vd_cgroup_dir(const vd_cgroup *cg, size_t i);
enum vd_cgroup_layout vd_cgroup_get_layout(const vd_cgroup *cg);
/* Every pid in the cgroup and its sub-cgroups, sorted. Free *pids. */
int vd_cgroup_pids(const vd_cgroup *cg, pid_t **pids, size_t *n, vd_error **err);
/* Freeze (v1 freezer.state, v2 cgroup.freeze) and wait until it is. */
int vd_cgroup_freeze(const vd_cgroup *cg, bool frozen, vd_error **err);
int vd_cgroup_is_frozen(const vd_cgroup *cg, bool *frozen, vd_error **err);
/* Signal every process: v2 SIGKILL through cgroup.kill; otherwise frozen
 * first (so nothing forks in between), each pid signalled, thawed; for
 * SIGKILL repeated until the cgroup is empty. */
int vd_cgroup_kill(const vd_cgroup *cg, int sig, vd_error **err);
/* Remove the directories (sub-cgroups first), retrying briefly while the
 * last tasks exit (EBUSY).  Absent ones are fine.  `only_made`: only those
 * vd_cgroup_create made (undoing a failed create). */
int vd_cgroup_destroy(vd_cgroup *cg, bool only_made, vd_error **err);
void vd_cgroup_free(vd_cgroup *cg);

/* Resources, in the runtime-spec's v1 terms (libvoid converts for v2 as
 * runc does).  An unset field is left as the kernel has it. */
struct vd_opt {
    bool set;
    int64_t value;
};
struct vd_cgroup_device_rule {
    bool allow;
    char type;            /* 'a', 'c', 'b' */
    int64_t major, minor; /* -1: any */
    const char *access;   /* subset of "rwm" */
};
struct vd_cgroup_blkio_device {
    int64_t major, minor;
    struct vd_opt weight, leaf_weight;
};
struct vd_cgroup_throttle {
    int64_t major, minor;
    uint64_t rate;
};
enum vd_throttle { VD_THROTTLE_READ_BPS, VD_THROTTLE_WRITE_BPS, VD_THROTTLE_READ_IOPS,
                   VD_THROTTLE_WRITE_IOPS, VD_THROTTLE_COUNT };
struct vd_cgroup_hugetlb {
    const char *page_size; /* "2MB" */
    uint64_t limit;
};
struct vd_cgroup_net_prio {
    const char *name;
    uint32_t priority;
};
struct vd_cgroup_rdma {
    const char *device;
    struct vd_opt hca_handles, hca_objects;
};
struct vd_cgroup_kv {
    const char *key, *value;
};
struct vd_cgroup_resources {
    struct {
        struct vd_opt limit, reservation, swap, kernel, kernel_tcp, swappiness;
        bool has_disable_oom_killer, disable_oom_killer;
        bool has_use_hierarchy, use_hierarchy;
        /* A limit under the cgroup's current usage is refused, not
         * reclaimed towards (what update asks with checkBeforeUpdate). */
        bool check_before_update;
    } memory;
    struct {
        struct vd_opt shares, quota, period, burst, realtime_runtime, realtime_period, idle;
        const char *cpus, *mems;
    } cpu;
    struct vd_opt pids_limit;
    struct {
        struct vd_opt weight, leaf_weight;
        const struct vd_cgroup_blkio_device *devices;
        size_t n_devices;
        const struct vd_cgroup_throttle *throttle[VD_THROTTLE_COUNT];
        size_t n_throttle[VD_THROTTLE_COUNT];
    } blkio;
    const struct vd_cgroup_hugetlb *hugetlb;
    size_t n_hugetlb;
    struct vd_opt net_class_id;
    const struct vd_cgroup_net_prio *net_prios;
    size_t n_net_prios;
    const struct vd_cgroup_rdma *rdma;
    size_t n_rdma;
    const struct vd_cgroup_kv *unified;
    size_t n_unified;
    /* Device access: everything denied, then these rules in order, then
     * the default devices (runc's list) allowed; the last rule matching a
     * device decides.  v1 writes them to devices.deny/allow, v2 attaches
     * an eBPF device program. */
    bool has_devices;
    const struct vd_cgroup_device_rule *devices;
    size_t n_devices;
};
/* Which field of vd_cgroup_resources failed, for the caller's message. */
enum vd_cgroup_field {
    VD_CG_NONE, VD_CG_MEMORY_LIMIT, VD_CG_MEMORY_RESERVATION, VD_CG_MEMORY_SWAP,
    VD_CG_MEMORY_KERNEL, VD_CG_MEMORY_KERNEL_TCP, VD_CG_MEMORY_SWAPPINESS,
    VD_CG_MEMORY_OOM, VD_CG_MEMORY_HIERARCHY, VD_CG_CPU_SHARES, VD_CG_CPU_QUOTA,
    VD_CG_CPU_PERIOD, VD_CG_CPU_BURST, VD_CG_CPU_RT_RUNTIME, VD_CG_CPU_RT_PERIOD,
    VD_CG_CPU_IDLE, VD_CG_CPU_CPUS, VD_CG_CPU_MEMS, VD_CG_PIDS, VD_CG_BLKIO_WEIGHT,
    VD_CG_BLKIO_LEAF_WEIGHT, VD_CG_BLKIO_DEVICE, VD_CG_BLKIO_THROTTLE, VD_CG_HUGETLB,
    VD_CG_NET_CLASS_ID, VD_CG_NET_PRIO, VD_CG_RDMA, VD_CG_UNIFIED, VD_CG_DEVICES,
};
/* Where the failure was: the field, and the index in its array (the
 * throttle kind in `kind`).  Filled by vd_cgroup_set on failure. */
struct vd_cgroup_where {
    enum vd_cgroup_field field;
    size_t index;
    enum vd_throttle kind;
};
/* Write `r` into the cgroup's files.  A controller or file the host lacks
 * is an error naming the file.  Device rules on a cgroup v2 host become an
 * eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the cgroup,
 * replacing the one an earlier call attached. */
int vd_cgroup_set(const vd_cgroup *cg, const struct vd_cgroup_resources *r,
                  struct vd_cgroup_where *where, vd_error **err);

/* ---- cgroup statistics (cgroup_stats.c) ------------------------------------ */

/* What the kernel counts for the container, read from the v1 or v2 files
 * of each controller (runc's `events` data, in its units: bytes and
 * nanoseconds).  A controller the host lacks leaves its part zero and its
 * has_* false; "no limit" reads UINT64_MAX for memory, 0 for pids. */
struct vd_cgroup_memory_entry {
    uint64_t limit, usage, max, failcnt;
};
struct vd_cgroup_stat {
    char *key; /* a line of memory.stat */
    uint64_t value;
};
struct vd_cgroup_blkio_entry {
    uint64_t major, minor;
    char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
    uint64_t value;
};
struct vd_cgroup_hugetlb_stats {
    char page_size[16]; /* "2MB" */
    uint64_t usage, max, failcnt;
};
struct vd_cgroup_stats {
    bool has_cpu;
    struct {
        uint64_t total, kernel, user;
        uint64_t *percpu, *percpu_kernel, *percpu_user; /* per cpu, v1 only */
        size_t n_percpu, n_percpu_kernel, n_percpu_user;
        uint64_t periods, throttled_periods, throttled_time;
    } cpu;
    bool has_memory;
    struct {
        uint64_t cache;
        struct vd_cgroup_memory_entry usage, swap, kernel, kernel_tcp;
        struct vd_cgroup_stat *raw;
        size_t n_raw;
    } memory;
    bool has_pids;
    struct {
        uint64_t current, limit;
    } pids;
    bool has_blkio;
    struct {
        struct vd_cgroup_blkio_entry *service_bytes, *serviced;
        size_t n_service_bytes, n_serviced;
    } blkio;
    struct vd_cgroup_hugetlb_stats *hugetlb;
    size_t n_hugetlb;
};
/* Fill *out (zeroed first; clear it after, also after a failure).  A file
 * the kernel may lack (memsw without swap accounting, kmem) reads zero;
 * any other failure to read is the error. */
int vd_cgroup_stats(const vd_cgroup *cg, struct vd_cgroup_stats *out, vd_error **err);
void vd_cgroup_stats_clear(struct vd_cgroup_stats *s);
/* How many processes the OOM killer has killed in the cgroup (v1
 * memory.oom_control, v2 memory.events "oom_kill"): a counter, so that a
 * watcher polling it misses none. */
int vd_cgroup_oom_kills(const vd_cgroup *cg, uint64_t *count, vd_error **err);

/* The child starts in `cg` (not owned; it must outlive vd_spawn): v2
 * through clone3's CLONE_INTO_CGROUP, v1 by the caller writing its pid
 * into each cgroup.procs while the child begins its setup; the child waits
 * for that before its mounts, and makes its new cgroup namespace only then
 * so that the namespace is rooted at the container's cgroup. */
void vd_builder_set_cgroup(vd_builder *b, const vd_cgroup *cg);

/* ---- Intel RDT (resctrl.c) ------------------------------------------------ */

/* A class of service: a group directory under the resctrl root, and an
 * optional monitoring group in it. */
typedef struct vd_resctrl vd_resctrl;
struct vd_resctrl_config {
    const char *root;  /* NULL: /sys/fs/resctrl, which must be a resctrl mount */
    const char *group; /* a directory name under root */
    /* The group is the container's own (named after it): made when
     * missing, removed by vd_resctrl_destroy.  Otherwise it is made only
     * when there are schemata, and is never removed. */
    bool own_group;
    /* Lines for the group's schemata file, in order; NULL-terminated, NULL
     * for none.  Written to a group made here; compared with the file of
     * a group that exists already, a difference being an error. */
    const char *const *schemata;
    const char *monitor; /* a monitoring group mon_groups/<monitor>; NULL: none */
};
/* Make or find the groups; nothing made is left when it fails. */
int vd_resctrl_create(const struct vd_resctrl_config *cfg, vd_resctrl **out, vd_error **err);
/* The groups of a container made earlier, as vd_resctrl_group_dir and
 * vd_resctrl_monitor_dir named them. */
int vd_resctrl_open(const char *group_dir, const char *monitor_dir, bool own_group,
                    vd_resctrl **out, vd_error **err);
const char *vd_resctrl_group_dir(const vd_resctrl *r);   /* absolute */
const char *vd_resctrl_monitor_dir(const vd_resctrl *r); /* NULL: none */
bool vd_resctrl_owns_group(const vd_resctrl *r);
/* Put `pid` in the group's tasks, then the monitoring group's. */
int vd_resctrl_join(const vd_resctrl *r, pid_t pid, vd_error **err);
/* Remove the monitoring group, and the group when it is the container's
 * own.  Absent ones are fine.  `only_made`: only what vd_resctrl_create
 * made (undoing a failed create; a group it found is someone else's). */
int vd_resctrl_destroy(const vd_resctrl *r, bool only_made, vd_error **err);
void vd_resctrl_free(vd_resctrl *r);
/* The child is put in `r` (not owned; it must outlive vd_spawn) by the
 * caller before it goes past its namespace setup. */
void vd_builder_set_resctrl(vd_builder *b, const vd_resctrl *r);

/* ---- spawning ------------------------------------------------------------ */

typedef struct vd_process vd_process;

/* Re-execute the calling program from a copy of its binary that no one can
 * write (a read-only overlayfs view, else a sealed memfd copy),
 * with `argv` and the same environment, unless it already runs from one
 * (then 0).  Call it before the first vd_spawn: a process that the
 * container can see then never leads to the host's binary through
 * /proc/PID/exe (CVE-2019-5736).  Returns only when it cannot (-1). */
int vd_run_from_sealed_copy(char **argv, vd_error **err);
/* Whether the calling program runs from such a sealed copy. */
bool vd_running_from_sealed_copy(void);

/* Create the process and run every setup step in it.  Returns when the
 * child has either exec'd the program or is waiting at its start gate (*out
 * is set), or failed (the child is
 * reaped, nothing it made is left, *err says which step failed). */
int vd_spawn(vd_builder *b, vd_process **out, vd_error **err);

pid_t vd_process_pid(const vd_process *p);
/* A pidfd for the process, or -1 where the kernel has none. */
int vd_process_pidfd(const vd_process *p);
/* Wait for the process to exit; *status is its exit code, or 128+N when
 * killed by signal N. */
int vd_process_wait(vd_process *p, int *status, vd_error **err);
int vd_process_signal(vd_process *p, int sig, vd_error **err);
/* The pty master of a process spawned with a terminal, or -1.  The caller
 * owns the fd from then on. */
int vd_process_take_console(vd_process *p);
/* Frees the handle; does not touch the process. */
void vd_process_free(vd_process *p);

#ifdef __cplusplus
}
#endif

#endif
