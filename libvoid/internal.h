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
    unsigned long flags, propagation;
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

    struct vd_step_entry *steps;
    size_t n_steps;
};

/* Messages on the sync channel (spawn.c); an int type leads each one. */
enum vd_sync_type {
    VD_SYNC_MAPPED = 1, /* parent -> child: id maps are written */
    VD_SYNC_CONSOLE,    /* child -> parent: the pty master, as SCM_RIGHTS */
    VD_SYNC_READY,      /* child -> parent: set up, waiting at the start gate */
    VD_SYNC_EXEC,       /* child -> parent: about to exec */
    VD_SYNC_ERROR,      /* child -> parent: a step failed */
    VD_SYNC_STEP,       /* child -> parent: run your steps for VD_STEP_NAMESPACES_READY */
    VD_SYNC_STEP_DONE,  /* parent -> child: they succeeded */
};
int vd_child_setup_console(const vd_builder *b, int sync_fd, vd_error **err);

/* Write `text` to the existing file `path` in one write(2), as /proc and
 * /sys files want. */
int vd_write_file(const char *path, const char *text, vd_error **err);

/* Grow *array (of *n elements of `size`) by one zeroed element; returns it. */
void *vd_array_append(void *array_ptr, size_t *n, size_t size, vd_error **err);
char *vd_strdup_checked(const char *s, vd_error **err);

/* Steps run in the child, in this order (spawn.c drives them). */
int vd_child_reset_signals(vd_error **err);
int vd_child_join_namespaces(const vd_builder *b, vd_error **err);
int vd_child_bring_up_loopback(const vd_builder *b, vd_error **err);
int vd_child_set_sysctls(const vd_builder *b, vd_error **err);
int vd_child_set_oom_score_adj(const vd_builder *b, vd_error **err);
int vd_child_prepare_rootfs(const vd_builder *b, int *root_fd, vd_error **err);
int vd_child_enter_rootfs(const vd_builder *b, int root_fd, vd_error **err);
int vd_child_join_keyring(const vd_builder *b, vd_error **err);
int vd_child_set_names(const vd_builder *b, vd_error **err);
int vd_child_set_rlimits(const vd_builder *b, vd_error **err);
int vd_child_set_user(const vd_builder *b, vd_error **err);
int vd_child_set_caps(const vd_builder *b, vd_error **err);
int vd_child_drop_bounding(const vd_builder *b, vd_error **err);
int vd_child_open_cwd(const vd_builder *b, int *cwd_fd, vd_error **err);
int vd_child_enter_cwd(const vd_builder *b, int cwd_fd, vd_error **err);
int vd_child_finish_process(const vd_builder *b, mode_t caller_umask, vd_error **err);
int vd_child_prepare_fds(const vd_builder *b, const int *own, size_t n_own, vd_error **err);
char *vd_child_find_program(const vd_builder *b, vd_error **err);
int vd_child_exec(const vd_builder *b, const char *program, vd_error **err);

/* A path that reaches the file behind `fd` (mount(2) takes no fds). */
#define FD_PATH_MAX 32
static inline void fd_path(int fd, char buf[FD_PATH_MAX])
{
    snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* mounts.c */
/* Open `path` (absolute, inside the container) under the directory fd
 * `root_fd` without leaving it, creating missing directories on the way
 * (and the last component as a file when `as_file`).  Returns an O_PATH fd. */
int vd_open_in_root(int root_fd, const char *path, bool create, bool as_file, vd_error **err);
int vd_create_devices(const vd_builder *b, int root_fd, vd_error **err);
/* paths.c */
int vd_apply_paths(const vd_builder *b, int root_fd, vd_error **err);

/* gate.c */
struct vd_gate {
    int fifo_fd;  /* O_PATH on the FIFO, opened on the host side */
    int fd_dir;   /* O_PATH on our own /proc/self/fd, on the host's /proc */
    int write_fd; /* the FIFO open for writing, once past the gate */
};
int vd_gate_open(const vd_builder *b, struct vd_gate *g, vd_error **err);
int vd_gate_wait(const vd_builder *b, struct vd_gate *g, vd_error **err);
void vd_gate_report(const struct vd_gate *g, const vd_error *e);

/* namespaces.c */
int vd_ns_clone_flag(enum vd_ns ns);
unsigned long vd_clone_ns_flags(const vd_builder *b);
int vd_parent_enter_for_children(const vd_builder *b, int saved[2], vd_error **err);
void vd_parent_leave_for_children(int saved[2]);

#endif
