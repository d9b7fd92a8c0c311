/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one place that knows both config.json and libvoid. */
#ifndef OCI_TRANSLATE_H
#define OCI_TRANSLATE_H

#include <limits.h>
#include <stdbool.h>

#include "spec.h"
#include "void.h"

struct oci_translate_opts {
    const char *bundle;  /* absolute bundle directory; relative root.path is under it */
    bool no_pivot;       /* --no-pivot */
    int preserve_fds;    /* --preserve-fds N: keep fds 3 .. 3+N-1 */
    bool seccomp_by_caller; /* linux.seccomp is left out: the caller sets a program */
};

/* The host path of the rootfs: root.path, under `bundle` when relative. */
int oci_rootfs_path(const struct oci_spec *spec, const char *bundle, char path[PATH_MAX],
                    vd_error **err);

/* linux.seccomp compiled onto the builder (translate_seccomp.c); the
 * listener of SCMP_ACT_NOTIFY is the caller's to set. */
int oci_translate_seccomp(const struct oci_linux *lx, vd_builder *b, vd_error **err);
/* The program linux.seccomp `sp` compiles to, for a caller that keeps it
 * (the filter cache); errors name the JSON path. */
struct vd_seccomp_prog *oci_seccomp_compile(const struct oci_seccomp *sp, vd_error **err);
/* Feed `ctx` a canonical form of everything in `sp` that the compiled
 * program depends on: two profiles that compile to different programs
 * never feed the same bytes (listenerPath and listenerMetadata, which do not
 * reach the program, are left out). */
void oci_seccomp_digest(const struct oci_seccomp *sp, struct vd_sha256 *ctx);

/* Describe `spec` on a fresh builder. Errors name the JSON path. */
int oci_translate(const struct oci_spec *spec, const struct oci_translate_opts *opts,
                  vd_builder *b, vd_error **err);
/* The process of `exec` onto a builder that joins the container's init
 * (vd_builder_join_process): `p` as config.json's process is translated,
 * plus what every process of the container gets from `spec`'s linux
 * section: personality, memory policy and the seccomp filter (unless
 * opts->seccomp_by_caller).  Only preserve_fds and seccomp_by_caller of
 * `opts` count here. */
int oci_translate_exec(const struct oci_spec *spec, const struct oci_process *p,
                       const struct oci_translate_opts *opts, vd_builder *b, vd_error **err);
/* process.scheduler, ioPriority, execCPUAffinity of `p`;
 * linux.personality, memoryPolicy of `lx` (may be NULL) (translate_sched.c). */
int oci_translate_sched(const struct oci_process *p, const struct oci_linux *lx, vd_builder *b,
                        vd_error **err);
/* process.apparmorProfile, selinuxLabel (translate_lsm.c). */
int oci_translate_lsm(const struct oci_process *p, vd_builder *b, vd_error **err);
/* Whether `lx` asks for a new namespace of `type` (one without a path). */
bool oci_has_new_ns(const struct oci_linux *lx, enum vd_ns type);
/* linux.timeOffsets (translate_time_offsets.c); `lx` may be NULL. */
int oci_translate_time_offsets(const struct oci_linux *lx, vd_builder *b, vd_error **err);
/* linux.netDevices (translate_network.c); `lx` may be NULL. */
int oci_translate_net_devices(const struct oci_linux *lx, vd_builder *b, vd_error **err);
/* linux.intelRdt of container `id` as a resctrl group: 1 and *cfg set, or
 * 0 when absent.  *cfg points into lx and *lines; free(*lines) always. */
int oci_resctrl_config(const struct oci_linux *lx, const char *id, struct vd_resctrl_config *cfg,
                       const char ***lines, vd_error **err);

/* For `features`: the i-th mount option name this build honours, NULL
 * past the end. */
const char *oci_mount_option_at(size_t i);

/* translate_mounts.c: "mounts" (and linux.mountLabel) onto the builder, a
 * relative bind source taken from `bundle`; and the propagation words
 * ("rslave") as MS_* flags (-1: unknown). */
int oci_translate_mounts(const struct oci_spec *spec, const char *bundle, vd_builder *b,
                         vd_error **err);
int oci_propagation_flags(const char *name, unsigned long *flags);

/* translate_resources.c: the cgroup path of container `id`
 * (linux.cgroupsPath, or "/voidoci/<id>"; the systemd form is refused),
 * and linux.resources written into `cg`. */
int oci_cgroup_path(const struct oci_linux *lx, const char *id, char **out, vd_error **err);
int oci_translate_resources(const struct oci_linux *lx, const vd_cgroup *cg, vd_error **err);
/* The same for a rootless caller's (delegated) cgroup, without the device
 * rules: a user may not attach the cgroup v2 device program (nor write v1's
 * devices.allow), and sees only the devices bound into its container; runc
 * ignores them there too. */
int oci_translate_resources_rootless(const struct oci_linux *lx, const vd_cgroup *cg,
                                     vd_error **err);
/* A zero in the fields runc reads as "not set" when 0 (cpu shares, quota,
 * periods, memory limits, pids, blkio weights ...) asks for nothing, at
 * create as at update.
 * `update`: a standalone resources object written into a live container's
 * cgroup; unset fields, and those runc reads as unset when 0, are left as
 * they are, device rules are not touched.  Errors name the JSON path
 * inside the object ("memory.limit: ..."). */
int oci_update_resources(const struct oci_resources *res, const vd_cgroup *cg, vd_error **err);
/* Whether `res` asks for memory.kernel: deprecated, never applied (as in
 * runc 1.1), for the command line to warn about. */
/* For a container that gets no cgroup (a rootless caller the host gives
 * none): 0 when linux.resources asks for no limit, leaving *err as it is;
 * else -1, *err (why there is no cgroup) prefixed with the JSON path of the
 * first limit asked for.  Device rules ask for nothing here: without a
 * cgroup a rootless container sees only the devices bound into it. */
int oci_resources_without_cgroup(const struct oci_linux *lx, vd_error **err);
/* Each field of linux.resources that create writes to the cgroup (a zero
 * runc treats as unset is left out, as create leaves it out), in the
 * order create writes them: FIELD is its path under linux.resources
 * ("memory.limit", "hugepageLimits[0]"), VALUE the value as text.
 * linux.resources.devices aside. */
typedef void (*oci_resource_fn)(void *ctx, const char *field, const char *value);
int oci_resources_each(const struct oci_linux *lx, oci_resource_fn fn, void *ctx, vd_error **err);
bool oci_resources_kernel_memory(const struct oci_resources *res);

#endif
