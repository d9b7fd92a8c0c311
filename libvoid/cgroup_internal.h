/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What cgroup.c, cgroup_resources.c and spawn.c share about a cgroup
 * handle.  Not installed. */
#ifndef LIBVOID_CGROUP_INTERNAL_H
#define LIBVOID_CGROUP_INTERNAL_H

#include "internal.h"

/* The container's directory in one hierarchy. */
struct vd_cgroup_dir {
    char *path;        /* absolute, e.g. "/sys/fs/cgroup/memory/voidoci/web" */
    bool v2;           /* in the cgroup2 hierarchy */
    bool made;         /* vd_cgroup_create made the last component */
    char *controllers; /* v1: the hierarchy's, comma separated ("cpu", "name=systemd") */
};

struct vd_cgroup {
    enum vd_cgroup_layout layout;
    struct vd_cgroup_dir *dirs;
    size_t n_dirs;
};

/* cgroup_host.c: the hierarchies of the host, or of a directory standing
 * for it. */
struct vd_cgroup_hierarchy {
    char *mount;       /* mount point */
    bool v2;
    char *controllers; /* v1 super options that name controllers */
    char *own;         /* the caller's cgroup in it, from /proc/self/cgroup */
};
struct vd_cgroup_hierarchies {
    struct vd_cgroup_hierarchy *v;
    size_t n;
};
void vd_cgroup_hierarchies_clear(struct vd_cgroup_hierarchies *h);
/* The mounted hierarchies, one per hierarchy, from /proc/self/mountinfo;
 * ENOENT when there is none. */
int vd_cgroup_host_hierarchies(struct vd_cgroup_hierarchies *h, vd_error **err);
/* The hierarchies under `root`, laid out as /sys/fs/cgroup: `root` is one
 * cgroup2 hierarchy when it holds cgroup.controllers; else each directory
 * in it is a hierarchy, cgroup2 when it holds cgroup.controllers, else v1
 * with the controllers its name lists ("cpu,cpuacct"). */
int vd_cgroup_hierarchies_at(const char *root, struct vd_cgroup_hierarchies *h, vd_error **err);
/* Fill each hierarchy's `own` from /proc/self/cgroup. */
int vd_cgroup_host_own(struct vd_cgroup_hierarchies *h, vd_error **err);
enum vd_cgroup_layout vd_cgroup_layout_of(const struct vd_cgroup_hierarchies *h);
/* `name` is one of the `sep` separated `list`. */
bool vd_cgroup_list_has(const char *list, const char *name, char sep);

/* cgroup.c.  The directory that holds `controller` (v1 first: on a hybrid host the
 * cgroup2 mount only has what no v1 hierarchy has), or NULL. */
const struct vd_cgroup_dir *vd_cgroup_dir_for(const vd_cgroup *cg, const char *controller);
/* The cgroup2 directory, or NULL. */
const struct vd_cgroup_dir *vd_cgroup_v2_dir(const vd_cgroup *cg);
/* Write `text` to <dir>/<file>; a file the kernel lacks says so. */
int vd_cgroup_write(const struct vd_cgroup_dir *d, const char *file, const char *text,
                    vd_error **err);
/* <dir>/<file> exists. */
bool vd_cgroup_has_file(const struct vd_cgroup_dir *d, const char *file);
/* The number in <dir>/<file> ("max" reads UINT64_MAX) (cgroup_stats.c). */
int vd_cgroup_read_u64(const struct vd_cgroup_dir *d, const char *file, uint64_t *out,
                       vd_error **err);

/* cgroup_devices.c: the devices every container may use (runc's list),
 * applied after the config's rules. */
extern const struct vd_cgroup_device_rule vd_cgroup_default_devices[];
extern const size_t vd_cgroup_n_default_devices;
/* cgroup v2: attach to `d` an eBPF device program that denies every device
 * but what `rules`, then the default devices, allow (the last rule that
 * matches decides, as on v1), replacing the program an earlier call
 * attached. */
int vd_cgroup_set_devices_v2(const struct vd_cgroup_dir *d,
                             const struct vd_cgroup_device_rule *rules, size_t n_rules,
                             vd_error **err);

/* cgroup_join.c (for spawn.c): an O_PATH fd on the cgroup2 directory for CLONE_INTO_CGROUP
 * (-1 when there is none). */
int vd_cgroup_open_v2_fd(const vd_cgroup *cg, vd_error **err);
/* Write `pid` into cgroup.procs of every directory (the cgroup2 one too
 * unless `skip_v2`: the clone put it there; the v1 ones unless `skip_v1`:
 * the child moves itself, vd_cgroup_join_self_v1). */
int vd_cgroup_join(const vd_cgroup *cg, pid_t pid, bool skip_v2, bool skip_v1, vd_error **err);
/* The tasks file of every v1 directory, opened for the child to move
 * itself in with vd_cgroup_join_self_v1 (*fds, one per v1 directory in
 * order), where the kernel lets a thread that moves itself skip the global
 * lock; *fds NULL when there is none or the kernel does not. */
int vd_cgroup_open_v1_tasks(const vd_cgroup *cg, int **fds, vd_error **err);
/* Closes them (the caller's copies; -1 entries were never opened) and frees. */
void vd_cgroup_close_v1_tasks(const vd_cgroup *cg, int *fds);
/* In the child: writes "0" (itself) into each and closes it. */
int vd_cgroup_join_self_v1(const vd_cgroup *cg, const int *fds, vd_error **err);

#endif
