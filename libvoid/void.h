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

/* User namespace id maps, written by the parent once the child exists. */
int vd_builder_map_uid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err);
int vd_builder_map_gid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err);

/* The root: an absolute host directory that becomes "/".  Without a rootfs
 * the child keeps the caller's root (only useful with a shared mount ns). */
int vd_builder_set_rootfs(vd_builder *b, const char *path, bool readonly, vd_error **err);
/* Use MS_MOVE + chroot instead of pivot_root (for a rootfs on a ramfs). */
void vd_builder_set_no_pivot(vd_builder *b, bool no_pivot);
/* Propagation of the container's mount tree: MS_PRIVATE (default), MS_SLAVE,
 * MS_SHARED or MS_UNBINDABLE, optionally with MS_REC. */
int vd_builder_set_rootfs_propagation(vd_builder *b, unsigned long flags, vd_error **err);

struct vd_mount {
    const char *source;      /* may be NULL for pseudo filesystems */
    const char *destination; /* absolute, inside the container */
    const char *fstype;      /* "proc", "tmpfs", ... or "bind"/NULL with MS_BIND */
    unsigned long flags;     /* MS_* for mount(2) */
    unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC), or 0 */
    const char *data;        /* fs-specific options, or NULL */
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

/* ---- spawning ------------------------------------------------------------ */

typedef struct vd_process vd_process;

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
