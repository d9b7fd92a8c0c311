/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json as plain C structs.  Only oci/ includes this; libvoid never
 * sees it.  Every string is owned by the struct; optional fields have a
 * has_* flag or are NULL.  Arrays carry their length in n_*.
 */
#ifndef OCI_SPEC_H
#define OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "void.h"

/* config.json larger than this is refused before parsing. */
#define OCI_SPEC_MAX_SIZE (4u * 1024 * 1024)
#define OCI_SPEC_VERSION "1.3.0"

struct oci_kv {
    char *key;
    char *value;
};

struct oci_id_mapping {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};

struct oci_mount {
    char *destination; /* required */
    char *type;        /* optional */
    char *source;      /* optional */
    char **options;    /* NULL-terminated, may be NULL */
    size_t n_options;
    /* uidMappings / gidMappings of an idmapped mount; empty when absent */
    struct oci_id_mapping *uid_mappings, *gid_mappings;
    size_t n_uid_mappings, n_gid_mappings;
};

struct oci_rlimit {
    char *type; /* "RLIMIT_NOFILE", ... (validated against the known names) */
    int resource; /* RLIMIT_* number */
    uint64_t soft;
    uint64_t hard;
};

enum oci_cap_set { OCI_CAP_BOUNDING, OCI_CAP_EFFECTIVE, OCI_CAP_INHERITABLE, OCI_CAP_PERMITTED,
                   OCI_CAP_AMBIENT, OCI_CAP_SET_COUNT };

struct oci_capabilities {
    /* names as given ("CAP_CHOWN"), and their numbers, per set */
    char **names[OCI_CAP_SET_COUNT];
    int *values[OCI_CAP_SET_COUNT];
    size_t n[OCI_CAP_SET_COUNT];
};

struct oci_user {
    uint32_t uid; /* required on Linux */
    uint32_t gid; /* required on Linux */
    bool has_umask;
    uint32_t umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
};

/* CPU or NUMA node numbers from a list such as "0-3,7": number i is bit
 * i % 64 of words[i / 64].  n_words 0: the list was empty. */
struct oci_id_set {
    uint64_t *words;
    size_t n_words;
};

/* process.scheduler, with the kernel's numbers (enum vd_sched_policy,
 * SCHED_FLAG_* bits); absent numbers are 0, as the spec says. */
struct oci_scheduler {
    char *policy;
    int policy_value;
    int nice;
    int priority;
    uint64_t flags;
    uint64_t runtime, deadline, period;
};

/* process.ioPriority */
struct oci_io_priority {
    char *class_name;
    int class_value; /* enum vd_ioprio_class */
    int priority;    /* 0..7 */
};

/* process.execCPUAffinity: an empty or absent list has n_words 0. */
struct oci_cpu_affinity {
    struct oci_id_set initial;
    struct oci_id_set final_;
};

/* linux.personality */
struct oci_personality {
    char *domain;
    unsigned long persona; /* PER_LINUX or PER_LINUX32 */
};

/* linux.memoryPolicy */
struct oci_memory_policy {
    char *mode;
    int mode_value;     /* enum vd_mpol_mode */
    unsigned flags;     /* VD_MPOL_F_* */
    struct oci_id_set nodes;
};

struct oci_process {
    bool terminal;
    bool has_console_size;
    uint32_t console_height, console_width;
    struct oci_user user;
    char **args; /* NULL-terminated, at least one entry */
    size_t n_args;
    char **env; /* NULL-terminated, may be empty */
    size_t n_env;
    char *cwd; /* required, absolute */
    bool has_capabilities;
    struct oci_capabilities capabilities;
    struct oci_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    bool has_oom_score_adj;
    int oom_score_adj;
    char *apparmor_profile;
    char *selinux_label;
    /* scheduler, ioPriority, execCPUAffinity (spec_sched.c); NULL
     * when absent */
    struct oci_scheduler *scheduler;
    struct oci_io_priority *io_priority;
    struct oci_cpu_affinity *exec_cpu_affinity;
};

struct oci_namespace {
    char *type; /* "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" */
    enum vd_ns ns;
    char *path; /* NULL: a new namespace */
};

struct oci_device {
    char *path; /* absolute, required */
    char type;  /* 'c', 'b', 'u' or 'p' */
    int64_t major, minor; /* required unless type is 'p' */
    bool has_file_mode;
    uint32_t file_mode;
    uint32_t uid, gid; /* 0 when absent */
};

/* linux.timeOffsets: the clocks a time namespace can shift. */
enum oci_clock { OCI_CLOCK_MONOTONIC, OCI_CLOCK_BOOTTIME, OCI_CLOCK_COUNT };

struct oci_time_offset {
    bool present;
    int64_t secs;
    uint32_t nanosecs; /* < 1000000000 */
};

/* linux.netDevices["host_name"] = {"name": name} */
struct oci_net_device {
    char *host_name; /* the key: the interface in the runtime's namespace */
    char *name;      /* NULL: keeps host_name */
};

struct oci_intel_rdt {
    char *clos_id;
    char *l3_cache_schema;
    char *mem_bw_schema;
    char **schemata; /* NULL-terminated, may be NULL */
    size_t n_schemata;
    bool enable_monitoring;
};

/* linux.resources (config-linux.md "Control groups").  Read and checked
 * here; applying them is the cgroup manager's job. */
struct oci_opt_i64 {
    bool set;
    int64_t value;
};
struct oci_opt_u64 {
    bool set;
    uint64_t value;
};

struct oci_device_rule {
    bool allow;      /* required */
    char type;       /* 'a' (also when absent), 'c' or 'b' */
    int64_t major, minor; /* -1: any (absent) */
    char access[4];  /* a subset of "rwm" in that order; "rwm" when absent */
};

struct oci_blkio_weight_device {
    int64_t major, minor;
    struct oci_opt_u64 weight, leaf_weight; /* 10..1000 (0: remove) */
};

struct oci_blkio_throttle {
    int64_t major, minor;
    uint64_t rate;
};

enum oci_throttle_kind { OCI_THROTTLE_READ_BPS, OCI_THROTTLE_WRITE_BPS, OCI_THROTTLE_READ_IOPS,
                         OCI_THROTTLE_WRITE_IOPS, OCI_THROTTLE_KIND_COUNT };

struct oci_hugepage_limit {
    char *page_size; /* "2MB", "1GB", ... */
    uint64_t limit;
};

struct oci_net_priority {
    char *name;
    uint32_t priority;
};

struct oci_rdma_limit {
    char *device;
    struct oci_opt_u64 hca_handles, hca_objects; /* uint32 range */
};

struct oci_resources {
    struct oci_device_rule *devices;
    size_t n_devices;
    struct {
        struct oci_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
        struct oci_opt_u64 swappiness; /* 0..100 */
        bool has_disable_oom_killer, disable_oom_killer;
        bool has_use_hierarchy, use_hierarchy;
        bool check_before_update;
    } memory;
    struct {
        struct oci_opt_u64 shares, period, burst, realtime_period;
        struct oci_opt_i64 quota, realtime_runtime, idle;
        char *cpus, *mems; /* NULL when absent */
    } cpu;
    struct {
        struct oci_opt_u64 weight, leaf_weight; /* 10..1000 */
        struct oci_blkio_weight_device *weight_devices;
        size_t n_weight_devices;
        struct oci_blkio_throttle *throttle[OCI_THROTTLE_KIND_COUNT];
        size_t n_throttle[OCI_THROTTLE_KIND_COUNT];
    } block_io;
    struct oci_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    struct {
        struct oci_opt_u64 class_id; /* uint32 range */
        struct oci_net_priority *priorities;
        size_t n_priorities;
    } network;
    struct oci_opt_i64 pids_limit;
    struct oci_rdma_limit *rdma;
    size_t n_rdma;
    struct oci_kv *unified; /* cgroup v2 file -> value, as given */
    size_t n_unified;
};

/* The JSON names of the four blockIO throttle lists, by kind. */
const char *oci_throttle_kind_name(enum oci_throttle_kind kind);

/* A standalone LinuxResources object (what `update --resources` reads),
 * parsed and checked as linux.resources is; errors give the JSON path
 * inside it: "memory.limit: expected an integer". */
int oci_resources_parse(const char *text, size_t len, struct oci_resources **out,
                        vd_error **err);
void oci_resources_free(struct oci_resources *res);

/* linux.seccomp (spec_seccomp.c).  Names are checked against what this
 * build supports and kept as libvoid's values. */
struct oci_seccomp_arg {
    uint32_t index; /* 0..5 */
    uint64_t value, value_two;
    enum vd_seccomp_op op;
};

struct oci_seccomp_syscall {
    char **names; /* NULL-terminated, at least one */
    size_t n_names;
    enum vd_seccomp_action action;
    bool has_errno_ret;
    uint32_t errno_ret; /* EPERM when absent; only for ERRNO and TRACE */
    struct oci_seccomp_arg *args;
    size_t n_args;
};

struct oci_seccomp {
    enum vd_seccomp_action default_action; /* never NOTIFY */
    bool has_default_errno_ret;
    uint32_t default_errno_ret; /* EPERM when absent */
    char **architectures; /* "SCMP_ARCH_X86_64", ...; NULL-terminated, may be NULL */
    size_t n_architectures;
    char **flag_names; /* as given */
    size_t n_flags;
    unsigned flags; /* VD_SECCOMP_FLAG_* */
    char *listener_path; /* absolute; required when a rule is NOTIFY */
    char *listener_metadata;
    struct oci_seccomp_syscall *syscalls;
    size_t n_syscalls;
    bool rules_left_out; /* oci_spec_load_without_seccomp_rules: syscalls not read */
};

struct oci_linux {
    struct oci_namespace *namespaces;
    size_t n_namespaces;
    struct oci_id_mapping *uid_mappings;
    size_t n_uid_mappings;
    struct oci_id_mapping *gid_mappings;
    size_t n_gid_mappings;
    char *rootfs_propagation;
    char *mount_label; /* linux.mountLabel */
    char **masked_paths;
    size_t n_masked_paths;
    char **readonly_paths;
    size_t n_readonly_paths;
    char *cgroups_path;
    struct oci_resources *resources; /* NULL when absent */
    struct oci_seccomp *seccomp; /* NULL when absent */
    struct oci_kv *sysctl;
    size_t n_sysctl;
    struct oci_device *devices;
    size_t n_devices;
    /* linux.timeOffsets, linux.netDevices, linux.intelRdt (spec_time_offsets.c,
     * spec_network.c, spec_resctrl.c) */
    struct oci_time_offset time_offsets[OCI_CLOCK_COUNT];
    struct oci_net_device *net_devices;
    size_t n_net_devices;
    struct oci_intel_rdt *intel_rdt; /* NULL when absent */
    /* linux.personality, linux.memoryPolicy (spec_sched.c); NULL
     * when absent */
    struct oci_personality *personality;
    struct oci_memory_policy *memory_policy;
};

struct oci_hook {
    char *path;  /* absolute, required */
    char **args; /* NULL-terminated, may be NULL */
    size_t n_args;
    char **env;  /* NULL-terminated, may be NULL */
    size_t n_env;
    bool has_timeout;
    int timeout; /* seconds, > 0 */
};

enum oci_hook_kind {
    OCI_HOOK_PRESTART,
    OCI_HOOK_CREATE_RUNTIME,
    OCI_HOOK_CREATE_CONTAINER,
    OCI_HOOK_START_CONTAINER,
    OCI_HOOK_POSTSTART,
    OCI_HOOK_POSTSTOP,
    OCI_HOOK_KIND_COUNT
};

struct oci_spec {
    char *oci_version; /* required */
    char *root_path;   /* required on Linux */
    bool root_readonly;
    struct oci_mount *mounts;
    size_t n_mounts;
    struct oci_process *process; /* NULL when absent */
    char *hostname;
    char *domainname;
    struct oci_linux *linux_; /* NULL when absent */
    struct oci_kv *annotations;
    size_t n_annotations;
    /* hooks.prestart, createRuntime, createContainer, startContainer,
     * poststart, poststop, indexed by enum oci_hook_kind */
    struct oci_hook *hooks[OCI_HOOK_KIND_COUNT];
    size_t n_hooks[OCI_HOOK_KIND_COUNT];
};

/* For `features`: the i-th namespace type config.json may name ("pid",
 * "network", ...), NULL past the end. */
const char *oci_namespace_type_at(size_t i);

/* For `features`: the i-th linux.memoryPolicy mode or flag config.json
 * may name, NULL past the end. */
const char *oci_memory_policy_mode_at(size_t i);
const char *oci_memory_policy_flag_at(size_t i);

/* "prestart", "createRuntime", ... */
const char *oci_hook_kind_name(enum oci_hook_kind kind);

/* Parse and validate a config.json held in memory. Errors name the JSON
 * path: "process.args[0]: expected a string". */
int oci_spec_parse(const char *text, size_t len, struct oci_spec **out, vd_error **err);
/* Read `path` (refusing files over OCI_SPEC_MAX_SIZE), then parse it.
 * Errors start with "config.json: " */
int oci_spec_load(const char *path, struct oci_spec **out, vd_error **err);
/* The same without linux.seccomp.syscalls, the profile's rules, which are
 * most of a config from podman or Docker: for exec, which loads the filter
 * create compiled from them (src/seccomp_cache.c).  The profile's other
 * members are read; it has no rules and rules_left_out is set, so that
 * oci_seccomp_compile and oci_seccomp_digest refuse it. */
int oci_spec_load_without_seccomp_rules(const char *path, struct oci_spec **out,
                                        vd_error **err);
void oci_spec_free(struct oci_spec *spec);

/* A standalone OCI "process" object (`exec --process FILE`), parsed and
 * checked as config.json's "process" is.  Errors start with the file's
 * name and give the JSON path inside it: "process.json: args: must be a
 * non-empty array". */
int oci_process_load(const char *path, struct oci_process **out, vd_error **err);
void oci_process_free(struct oci_process *p);

/* What `exec` without --process changes in the container's process, by
 * runc's rules: args replaced; env appended, a KEY= given replacing the
 * same KEY; cwd, uid, gid, AppArmor profile and SELinux label replaced
 * when given; additional gids appended; each capability ("CAP_KILL") added
 * to the bounding, effective and permitted sets, and to the ambient one
 * when the process has inheritable capabilities; noNewPrivileges set when
 * asked; terminal as given (spec_process_overrides.c). */
struct oci_process_overrides {
    char *const *args; /* at least one */
    size_t n_args;
    char *const *env;
    size_t n_env;
    const char *cwd;
    bool has_uid, has_gid;
    uint32_t uid, gid;
    const uint32_t *additional_gids;
    size_t n_additional_gids;
    char *const *caps;
    size_t n_caps;
    bool no_new_privileges;
    const char *apparmor_profile, *selinux_label;
    bool terminal;
};
/* Errors name the option: "--cap: unknown capability \"CAP_NOPE\"". */
int oci_process_override(struct oci_process *p, const struct oci_process_overrides *o,
                         vd_error **err);

#endif
