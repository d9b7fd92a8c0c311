/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.json: what voidoci keeps of a container between commands, and the
 * runtime-spec "state" object printed by `state` and fed to hooks. */
#ifndef OCI_STATE_H
#define OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"
#include "void.h"

/* state.json larger than this is refused before parsing. */
#define OCI_STATE_MAX_SIZE (1024u * 1024)

struct oci_state {
    char *oci_version; /* OCI_SPEC_VERSION when written by us */
    char *id;
    pid_t pid;          /* host pid of the init; 0 before it exists */
    uint64_t start_time; /* field 22 of /proc/<pid>/stat: tells a reused pid from ours */
    char *bundle;       /* absolute */
    char *rootfs;       /* absolute */
    char *created;      /* RFC 3339 with nanoseconds, UTC, e.g. 2026-11-22T10:13:42.123456789Z */
    char *owner;        /* "" for root, as runc prints it */
    bool own_pid_ns;    /* the init is PID 1 of a pid namespace of its own */
    struct oci_kv *annotations;
    size_t n_annotations;
    /* The container's cgroup directories, one per hierarchy (absolute);
     * NULL-terminated, NULL when it has none.  Not printed. */
    char **cgroup_dirs;
    size_t n_cgroup_dirs;
    /* linux.intelRdt's resctrl group and monitoring group (absolute; NULL
     * when none), and whether the group is the container's own, removed
     * at delete.  Not printed. */
    char *resctrl_group;
    char *resctrl_monitor;
    bool resctrl_own;
    /* Without a mount namespace of its own the container's mounts are the
     * host's, stacked on `rootfs` above the mount of this id (the one there
     * before create): delete detaches them (vd_unmount_above).  Not
     * printed. */
    bool host_mounts;
    uint64_t rootfs_mount_below;
    /* The kinds of hooks the config copy holds, as bits 1u << enum
     * oci_hook_kind: start and delete read the copy only when it holds
     * poststart or poststop hooks.  hook_kinds_known false when state.json
     * does not say (written by an older voidoci): read the copy then.  Not
     * printed. */
    bool hook_kinds_known;
    unsigned hook_kinds;
    /* The key (src/seccomp_cache.c) of the seccomp profile create compiled
     * into seccomp.bpf, when the config has one: exec loads that filter
     * against it, without reading the profile's rules from the copy.
     * has_seccomp_key false when state.json does not say (no profile, or
     * an older voidoci): exec reads the whole copy then.  Not printed. */
    bool has_seccomp_key;
    uint8_t seccomp_key[VD_SHA256_LEN];
};

/* Write <dir>/state.json atomically (temp file + rename, 0600). */
int oci_state_write(const char *dir, const struct oci_state *s, vd_error **err);
/* Read <dir>/state.json; errors name the file and the field:
 * `read "/run/voidoci/web/state.json": pid: expected an integer`. */
int oci_state_read(const char *dir, struct oci_state **out, vd_error **err);
/* Parse a state.json held in memory (what oci_state_read does after
 * reading the file); errors name the field. */
int oci_state_parse(const char *text, size_t len, struct oci_state **out, vd_error **err);
/* The runtime-spec state object (ociVersion, id, status, pid, bundle,
 * annotations) plus runc's rootfs, created and owner; pretty-printed with
 * two-space indent when `pretty`, members in runc's order, no newline at
 * the end.  `status` is one of creating|created|running|paused|stopped; pid
 * reads 0 when stopped, as runc prints it.  startTime and ownPidNs, kept in
 * state.json, are not printed. */
char *oci_state_to_json(const struct oci_state *s, const char *status, bool pretty,
                        vd_error **err);
/* The same object as oci_state_to_json, as the next value of `w` (for
 * JSON that holds the state, such as the seccomp listener's). */
struct oci_json_writer;
void oci_state_write_object(struct oci_json_writer *w, const struct oci_state *s,
                            const char *status);
/* The config copy may hold hooks of `kind`: true when it does, or when
 * state.json does not say. */
bool oci_state_may_have_hooks(const struct oci_state *s, enum oci_hook_kind kind);
/* Record in `s` the kinds of hooks `spec` holds. */
void oci_state_set_hook_kinds(struct oci_state *s, const struct oci_spec *spec);
void oci_state_free(struct oci_state *s);
static inline void oci_state_freep(struct oci_state **s)
{
    oci_state_free(*s);
}
#define _cleanup_state_ __attribute__((cleanup(oci_state_freep)))

#endif
