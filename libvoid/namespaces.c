/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespaces: which are new (clone flags), and joining one by path. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>

#include "internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
    const char *name;
    int flag;
} ns_table[VD_NS_COUNT] = {
    [VD_NS_MOUNT] = {"mnt", CLONE_NEWNS},       [VD_NS_PID] = {"pid", CLONE_NEWPID},
    [VD_NS_NET] = {"net", CLONE_NEWNET},        [VD_NS_IPC] = {"ipc", CLONE_NEWIPC},
    [VD_NS_UTS] = {"uts", CLONE_NEWUTS},        [VD_NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP},
    [VD_NS_USER] = {"user", CLONE_NEWUSER},     [VD_NS_TIME] = {"time", CLONE_NEWTIME},
};

const char *vd_ns_name(enum vd_ns ns)
{
    return (unsigned)ns < VD_NS_COUNT ? ns_table[ns].name : "unknown";
}

int vd_ns_clone_flag(enum vd_ns ns)
{
    return ns_table[ns].flag;
}

static int join_one(const vd_builder *b, enum vd_ns ns, vd_error **err)
{
    const char *path = b->ns[ns].path;
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open %s namespace \"%s\"", vd_ns_name(ns), path);
    if (setns(fd, ns_table[ns].flag) < 0)
        return vd_error_set(err, errno, "join %s namespace \"%s\"", vd_ns_name(ns), path);
    return 0;
}

/* Run in the child.  The user namespace goes first: joining it decides the
 * privileges under which the other joins are checked.  The pid and time
 * namespaces apply to children only, so the parent joins them before the
 * clone (vd_parent_enter_for_children). */
int vd_child_join_namespaces(const vd_builder *b, vd_error **err)
{
    static const enum vd_ns order[] = {VD_NS_USER, VD_NS_IPC,    VD_NS_UTS,
                                       VD_NS_NET,  VD_NS_CGROUP, VD_NS_MOUNT};
    for (size_t i = 0; i < VD_ARRAY_SIZE(order); i++) {
        if (b->ns[order[i]].mode == VD_NS_MODE_JOIN && join_one(b, order[i], err) < 0)
            return -1;
    }
    return 0;
}

/* The pid and time namespaces of a process are fixed at its creation: to
 * put the child in a given one, the caller's "for children" namespace is
 * switched around the clone and restored after.  *saved receives the fds to
 * restore (or -1). */
int vd_parent_enter_for_children(const vd_builder *b, int saved[2], vd_error **err)
{
    static const enum vd_ns kinds[2] = {VD_NS_PID, VD_NS_TIME};
    static const char *const own[2] = {"/proc/self/ns/pid_for_children",
                                       "/proc/self/ns/time_for_children"};
    saved[0] = saved[1] = -1;
    for (int i = 0; i < 2; i++) {
        if (b->ns[kinds[i]].mode != VD_NS_MODE_JOIN)
            continue;
        saved[i] = open(own[i], O_RDONLY | O_CLOEXEC);
        if (saved[i] < 0)
            return vd_error_set(err, errno, "open \"%s\"", own[i]);
        if (join_one(b, kinds[i], err) < 0)
            return -1;
    }
    return 0;
}

void vd_parent_leave_for_children(int saved[2])
{
    static const int flags[2] = {CLONE_NEWPID, CLONE_NEWTIME};
    for (int i = 0; i < 2; i++) {
        if (saved[i] >= 0) {
            /* Going back to one's own namespace is always allowed. */
            (void)setns(saved[i], flags[i]);
            close(saved[i]);
            saved[i] = -1;
        }
    }
}

/* The clone flags for every namespace the builder wants new. */
unsigned long vd_clone_ns_flags(const vd_builder *b)
{
    unsigned long flags = 0;
    for (int i = 0; i < VD_NS_COUNT; i++)
        if (b->ns[i].mode == VD_NS_MODE_NEW)
            flags |= (unsigned long)ns_table[i].flag;
    return flags;
}
