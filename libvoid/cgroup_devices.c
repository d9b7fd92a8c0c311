/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device access on cgroup v2.  v2 has no devices.allow/devices.deny files:
 * the kernel asks an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE,
 * attached to the cgroup, about every open and mknod of a device node.  We
 * assemble that program here from the same rule list v1 gets (config order,
 * then the default devices) with the same meaning: everything is denied
 * unless a rule allows it, and for each kind of access the last rule that
 * matches the device decides.  No libbpf: two bpf(2) calls load and attach
 * it.
 *
 * The program, for each access bit (mknod, read, write) the request has,
 * walks the rules that grant or deny that bit from the last to the first
 * and stops at the first that matches the device: deny returns 0 (EPERM),
 * allow goes on to the next bit, no match denies.  Every bit allowed: 1.
 * Splitting by bit lets a request for read and write be checked the way v1
 * does it, and makes the rule's access a test done here, not in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "syscalls.h"
#include "utils.h"

/* runc's default allow list: mknod of anything (the capability decides),
 * and the devices every container gets: null, zero, full, tty, random,
 * urandom, the pseudo-terminals, console, ptmx, and /dev/net/tun. */
const struct vd_cgroup_device_rule vd_cgroup_default_devices[] = {
    {true, 'c', -1, -1, "m"},     {true, 'b', -1, -1, "m"},     {true, 'c', 1, 3, "rwm"},
    {true, 'c', 1, 8, "rwm"},     {true, 'c', 1, 7, "rwm"},     {true, 'c', 5, 0, "rwm"},
    {true, 'c', 5, 1, "rwm"},     {true, 'c', 1, 5, "rwm"},     {true, 'c', 1, 9, "rwm"},
    {true, 'c', 136, -1, "rwm"},  {true, 'c', 5, 2, "rwm"},     {true, 'c', 10, 200, "rwm"},
};
const size_t vd_cgroup_n_default_devices = VD_ARRAY_SIZE(vd_cgroup_default_devices);

/* The registers of the program. */
enum { R0, R1, R2_TYPE, R3_ACCESS, R4_MAJOR, R5_MINOR };

struct prog {
    struct bpf_insn *insns;
    size_t n, cap;
};

static void emit(struct prog *p, struct bpf_insn insn)
{
    /* The capacity is computed from the rule count before assembling. */
    if (p->n < p->cap)
        p->insns[p->n] = insn;
    p->n++;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

static void emit_return(struct prog *p, int32_t value)
{
    emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, value));
    emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

#define CTX_OFFSET(field) ((int16_t)offsetof(struct bpf_cgroup_dev_ctx, field))

/* Load the request: R2 the device type, R3 the access bits, R4 and R5
 * the major and minor numbers (struct bpf_cgroup_dev_ctx, from R1). */
static void emit_prologue(struct prog *p)
{
    emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, R2_TYPE, R1, CTX_OFFSET(access_type), 0));
    emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_X, R3_ACCESS, R2_TYPE, 0, 0));
    emit(p, insn(BPF_ALU64 | BPF_RSH | BPF_K, R3_ACCESS, 0, 0, 16));
    emit(p, insn(BPF_ALU64 | BPF_AND | BPF_K, R2_TYPE, 0, 0, 0xffff));
    emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, R4_MAJOR, R1, CTX_OFFSET(major), 0));
    emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, R5_MINOR, R1, CTX_OFFSET(minor), 0));
}

/* The tests of one rule: each jumps past the rule's action when the device
 * differs.  Their count, to know how far to jump. */
static size_t rule_tests(const struct vd_cgroup_device_rule *r)
{
    if (r->type == 'a')
        return 0;
    return 1 + (r->major >= 0) + (r->minor >= 0);
}

/* A number the kernel cannot pass (above 32 bits) matches no device. */
static bool rule_can_match(const struct vd_cgroup_device_rule *r)
{
    return r->type == 'a' ||
           ((r->type == 'c' || r->type == 'b') && r->major <= UINT32_MAX && r->minor <= UINT32_MAX);
}

static bool rule_grants(const struct vd_cgroup_device_rule *r, char access)
{
    /* v1 reads "a" as every device and every access, whatever follows. */
    if (r->type == 'a')
        return true;
    const char *a = r->access && r->access[0] ? r->access : "rwm";
    return strchr(a, access) != NULL;
}

/* One rule for one access bit.  Allow jumps to `next_block` (an index
 * filled in once it is known: recorded in `fixups`). */
static void emit_rule(struct prog *p, const struct vd_cgroup_device_rule *r, size_t *fixups,
                      size_t *n_fixups)
{
    /* Jump over the remaining tests and the action (allow: 1, deny: 2). */
    int16_t skip = (int16_t)(rule_tests(r) - 1 + (r->allow ? 1 : 2));
    if (r->type != 'a') {
        int32_t type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
        emit(p, insn(BPF_JMP32 | BPF_JNE | BPF_K, R2_TYPE, 0, skip--, type));
        if (r->major >= 0)
            emit(p, insn(BPF_JMP32 | BPF_JNE | BPF_K, R4_MAJOR, 0, skip--,
                         (int32_t)(uint32_t)r->major));
        if (r->minor >= 0)
            emit(p, insn(BPF_JMP32 | BPF_JNE | BPF_K, R5_MINOR, 0, skip--,
                         (int32_t)(uint32_t)r->minor));
    }
    if (r->allow) {
        fixups[(*n_fixups)++] = p->n;
        emit(p, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
    } else {
        emit_return(p, 0);
    }
}

/* The rules in force for one access bit, last first; no match denies. */
static void emit_block(struct prog *p, const struct vd_cgroup_device_rule *const *rules, size_t n,
                       int32_t bit, char access, size_t *fixups)
{
    size_t n_fixups = 0;
    /* Not asked for: on to the next bit. */
    emit(p, insn(BPF_JMP | BPF_JSET | BPF_K, R3_ACCESS, 0, 1, bit));
    fixups[n_fixups++] = p->n;
    emit(p, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
    bool decided = false;
    for (size_t i = n; i-- > 0 && !decided;) {
        if (!rule_can_match(rules[i]) || !rule_grants(rules[i], access))
            continue;
        emit_rule(p, rules[i], fixups, &n_fixups);
        /* A rule for every device decides for all: the verifier refuses
         * the unreachable code that would follow. */
        decided = rules[i]->type == 'a';
    }
    if (!decided)
        emit_return(p, 0);
    for (size_t i = 0; i < n_fixups; i++)
        if (fixups[i] < p->cap)
            p->insns[fixups[i]].off = (int16_t)(p->n - fixups[i] - 1);
}

/* The whole program for `rules` followed by the default devices. */
static int assemble(const struct vd_cgroup_device_rule *rules, size_t n_rules, struct prog *p,
                    vd_error **err)
{
    static const struct {
        int32_t bit;
        char access;
    } bits[] = {{BPF_DEVCG_ACC_MKNOD, 'm'}, {BPF_DEVCG_ACC_READ, 'r'}, {BPF_DEVCG_ACC_WRITE, 'w'}};
    size_t n = n_rules + vd_cgroup_n_default_devices;
    _cleanup_free_ const struct vd_cgroup_device_rule **all = calloc(n, sizeof(*all));
    _cleanup_free_ size_t *fixups = calloc(n + 1, sizeof(*fixups));
    /* Per block: 2 + at most 5 per rule + 2; then the prologue and the end. */
    p->cap = VD_ARRAY_SIZE(bits) * (4 + 5 * n) + 8;
    p->insns = calloc(p->cap, sizeof(*p->insns));
    if (all == NULL || fixups == NULL || p->insns == NULL)
        return vd_error_set(err, ENOMEM, "the cgroup v2 device program");
    for (size_t i = 0; i < n_rules; i++)
        all[i] = &rules[i];
    for (size_t i = 0; i < vd_cgroup_n_default_devices; i++)
        all[n_rules + i] = &vd_cgroup_default_devices[i];
    emit_prologue(p);
    for (size_t i = 0; i < VD_ARRAY_SIZE(bits); i++)
        emit_block(p, all, n, bits[i].bit, bits[i].access, fixups);
    emit_return(p, 1);
    if (p->n > p->cap)
        return vd_error_set(err, EOVERFLOW, "the cgroup v2 device program: %zu instructions "
                                            "for room for %zu",
                            p->n, p->cap);
    return 0;
}

static int bpf(int cmd, union bpf_attr *attr)
{
    return vd_sys_bpf(cmd, attr, sizeof(*attr));
}

/* The verifier's last line before its statistics ("processed N insns"):
 * why it refused.  Cuts `log`. */
static const char *verifier_reason(char *log)
{
    char *stats = strstr(log, "\nprocessed ");
    if (stats)
        *stats = '\0';
    size_t len = strlen(log);
    while (len > 0 && log[len - 1] == '\n')
        log[--len] = '\0';
    char *last = strrchr(log, '\n');
    return last ? last + 1 : log;
}

/* BPF_PROG_LOAD; with `log`, the verifier explains itself there. */
static int load_with_log(const struct prog *p, char *log, uint32_t log_size)
{
    static const char license[] = "GPL";
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uintptr_t)p->insns;
    attr.insn_cnt = (uint32_t)p->n;
    attr.license = (uintptr_t)license;
    if (log) {
        attr.log_buf = (uintptr_t)log;
        attr.log_size = log_size;
        attr.log_level = 1;
    }
    return bpf(BPF_PROG_LOAD, &attr);
}

static int load(const struct prog *p, vd_error **err)
{
    int fd = load_with_log(p, NULL, 0);
    if (fd >= 0)
        return fd;
    int saved = errno;
    /* Once more with the log: it must hold the whole verification, or
     * the load fails with ENOSPC instead. */
    enum { LOG_SIZE = 1 << 20 };
    _cleanup_free_ char *log = calloc(1, LOG_SIZE);
    if (log && load_with_log(p, log, LOG_SIZE) < 0 && log[0])
        return vd_error_set(err, saved, "load the cgroup v2 device program (%zu instructions): %s",
                            p->n, verifier_reason(log));
    return vd_error_set(err, saved, "load the cgroup v2 device program (%zu instructions)", p->n);
}

/* The ids of the device programs attached to the cgroup now (an earlier
 * set of rules).  *n is 0 when there is none. */
static int query_attached(int cgroup_fd, const char *path, uint32_t *ids, uint32_t *n,
                          vd_error **err)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t)cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uintptr_t)ids;
    attr.query.prog_cnt = *n;
    if (bpf(BPF_PROG_QUERY, &attr) < 0)
        return vd_error_set(err, errno, "query the device programs of cgroup \"%s\"", path);
    *n = attr.query.prog_cnt;
    return 0;
}

static int attach(int cgroup_fd, int prog_fd, const char *path, vd_error **err)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    /* Several programs may be attached (a parent's too): all must allow. */
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &attr) < 0)
        return vd_error_set(err, errno, "attach the device program to cgroup \"%s\"", path);
    return 0;
}

static int detach_id(int cgroup_fd, uint32_t id, const char *path, vd_error **err)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = id;
    _cleanup_close_ int prog_fd = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (prog_fd < 0 && errno == ENOENT)
        return 0; /* gone meanwhile */
    if (prog_fd < 0)
        return vd_error_set(err, errno, "open device program %u of cgroup \"%s\"", id, path);
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
        return vd_error_set(err, errno, "detach the old device program %u from cgroup \"%s\"", id,
                            path);
    return 0;
}

int vd_cgroup_set_devices_v2(const struct vd_cgroup_dir *d,
                             const struct vd_cgroup_device_rule *rules, size_t n_rules,
                             vd_error **err)
{
    struct prog p = {0};
    int r = assemble(rules, n_rules, &p, err);
    _cleanup_free_ struct bpf_insn *insns = p.insns;
    if (r < 0)
        return r;
    _cleanup_close_ int cgroup_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup_fd < 0)
        return vd_error_set(err, errno, "open cgroup \"%s\"", d->path);
    uint32_t old[64], n_old = VD_ARRAY_SIZE(old);
    if (query_attached(cgroup_fd, d->path, old, &n_old, err) < 0)
        return -1;
    _cleanup_close_ int prog_fd = load(&p, err);
    if (prog_fd < 0)
        return -1;
    /* The new program first, then the old ones go: never a moment with
     * no program, which would allow every device. */
    if (attach(cgroup_fd, prog_fd, d->path, err) < 0)
        return -1;
    for (uint32_t i = 0; i < n_old && i < VD_ARRAY_SIZE(old); i++)
        if (detach_id(cgroup_fd, old[i], d->path, err) < 0)
            return -1;
    return 0;
}
