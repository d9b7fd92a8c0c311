/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The raw system calls libvoid and the runtime make through syscall(2):
 * those glibc wraps only lately (openat2, mount_setattr, open_tree,
 * move_mount, fsopen, fsconfig, fsmount, close_range, pidfd_*: glibc
 * 2.36 and later, or never; getdents64: 2.30) or not
 * at all (clone3, sched_setattr, ioprio_set, seccomp, bpf, keyctl, the
 * NUMA calls), and clone without its glibc wrapper's stack.  Each returns
 * what the kernel does: -1 with errno on failure (ENOSYS where the kernel
 * lacks the call), so callers can fall back.  The structs are the kernel's
 * (linux/openat2.h, linux/sched.h, linux/mount.h or glibc's sys/mount.h):
 * declared here only, so that this header clashes with none of them;
 * `size` is sizeof the caller's struct, as the kernel wants it.  Not
 * installed. */
#ifndef LIBVOID_SYSCALLS_H
#define LIBVOID_SYSCALLS_H

#include <linux/keyctl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

struct clone_args;
struct open_how;
struct mount_attr;

/* clone3(2): like fork, 0 in the child. */
static inline pid_t vd_sys_clone3(struct clone_args *args, size_t size)
{
    return (pid_t)syscall(SYS_clone3, args, size);
}

/* clone(2) like fork (no new stack), for kernels without clone3 and for a
 * child that only holds a namespace. */
static inline pid_t vd_sys_clone(unsigned long flags)
{
    return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static inline int vd_sys_pidfd_open(pid_t pid, unsigned int flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

static inline int vd_sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info,
                                           unsigned int flags)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int vd_sys_openat2(int dir_fd, const char *path, struct open_how *how, size_t size)
{
    return (int)syscall(SYS_openat2, dir_fd, path, how, size);
}

static inline int vd_sys_open_tree(int dir_fd, const char *path, unsigned int flags)
{
    return (int)syscall(SYS_open_tree, dir_fd, path, flags);
}

static inline int vd_sys_move_mount(int from_dir_fd, const char *from_path, int to_dir_fd,
                                    const char *to_path, unsigned int flags)
{
    return (int)syscall(SYS_move_mount, from_dir_fd, from_path, to_dir_fd, to_path, flags);
}

/* fsopen(2), fsconfig(2), fsmount(2): a mount made detached. */
static inline int vd_sys_fsopen(const char *fstype, unsigned int flags)
{
    return (int)syscall(SYS_fsopen, fstype, flags);
}

static inline int vd_sys_fsconfig(int fs_fd, unsigned int cmd, const char *key, const void *value,
                                  int aux)
{
    return (int)syscall(SYS_fsconfig, fs_fd, cmd, key, value, aux);
}

static inline int vd_sys_fsmount(int fs_fd, unsigned int flags, unsigned int attr_flags)
{
    return (int)syscall(SYS_fsmount, fs_fd, flags, attr_flags);
}

static inline int vd_sys_mount_setattr(int dir_fd, const char *path, unsigned int flags,
                                       struct mount_attr *attr, size_t size)
{
    return (int)syscall(SYS_mount_setattr, dir_fd, path, flags, attr, size);
}

static inline int vd_sys_pivot_root(const char *new_root, const char *put_old)
{
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static inline int vd_sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
    return (int)syscall(SYS_close_range, first, last, flags);
}

/* getdents64(2): bytes of records read into `buf`, 0 at the end. */
static inline long vd_sys_getdents64(int dir_fd, void *buf, size_t size)
{
    return syscall(SYS_getdents64, dir_fd, buf, size);
}

static inline long vd_sys_join_session_keyring(const char *name)
{
    return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
}

/* `attr`: the kernel's struct sched_attr, of `size` bytes in attr->size. */
static inline int vd_sys_sched_setattr(pid_t pid, void *attr, unsigned int flags)
{
    return (int)syscall(SYS_sched_setattr, pid, attr, flags);
}

static inline int vd_sys_ioprio_set(int which, int who, int ioprio)
{
    return (int)syscall(SYS_ioprio_set, which, who, ioprio);
}

static inline long vd_sys_get_mempolicy(int *mode, void *nodemask, unsigned long maxnode,
                                        void *addr, unsigned long flags)
{
    return syscall(SYS_get_mempolicy, mode, nodemask, maxnode, addr, flags);
}

static inline long vd_sys_set_mempolicy(int mode, const void *nodemask, unsigned long maxnode)
{
    return syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

/* seccomp(2): a listener fd, 0, or -1 with errno. */
static inline int vd_sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
    return (int)syscall(SYS_seccomp, op, flags, args);
}

static inline int vd_sys_bpf(int cmd, void *attr, unsigned int size)
{
    return (int)syscall(SYS_bpf, cmd, attr, size);
}

#endif
