/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespaces: which are new (clone flags), joining one by path, and the
 * time namespace, which the child makes itself to set its clocks first. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

static int add_id_map(struct vd_id_map **maps, size_t *n, uint32_t container_id,
                      uint32_t host_id, uint32_t size, vd_error **err)
{
    if (size == 0)
        return vd_error_set(err, EINVAL, "id map %u:%u has size 0", container_id, host_id);
    struct vd_id_map *m = vd_array_append(maps, n, sizeof(**maps), err);
    if (m == NULL)
        return -1;
    *m = (struct vd_id_map){container_id, host_id, size};
    return 0;
}

int vd_builder_map_uid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err)
{
    return add_id_map(&b->uid_maps, &b->n_uid_maps, container_id, host_id, size, err);
}

int vd_builder_map_gid(vd_builder *b, uint32_t container_id, uint32_t host_id, uint32_t size,
                       vd_error **err)
{
    return add_id_map(&b->gid_maps, &b->n_gid_maps, container_id, host_id, size, err);
}

int vd_builder_set_time_offset(vd_builder *b, int clock, int64_t secs, uint32_t nsecs,
                               vd_error **err)
{
    int i = clock == CLOCK_MONOTONIC ? 0 : clock == CLOCK_BOOTTIME ? 1 : -1;
    if (i < 0)
        return vd_error_set(err, EINVAL, "time offset of clock %d: a time namespace shifts "
                            "only CLOCK_MONOTONIC and CLOCK_BOOTTIME", clock);
    if (nsecs >= 1000000000u)
        return vd_error_set(err, EINVAL, "time offset: %u nanoseconds is a second or more", nsecs);
    b->time_offsets[i] = (struct vd_time_offset){.set = true, .secs = secs, .nsecs = nsecs};
    return 0;
}

void vd_builder_free_namespaces(vd_builder *b)
{
    for (size_t i = 0; i < VD_NS_COUNT; i++)
        free(b->ns[i].path);
    free(b->uid_maps);
    free(b->gid_maps);
    if (b->join_only) {
        vd_closep(&b->join_root_fd);
        vd_closep(&b->join_pidfd);
    }
}

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

/* runtime-spec: a path "not associated with a namespace of type `type`"
 * is an error; NS_GET_NSTYPE says which kind a nsfs file is. */
static int check_ns_fd(int fd, enum vd_ns ns, const char *path, vd_error **err)
{
    int type = ioctl(fd, NS_GET_NSTYPE);
    if (type < 0 && errno == ENOTTY)
        return vd_error_set(err, EINVAL, "join %s namespace \"%s\": not a namespace file",
                            vd_ns_name(ns), path);
    if (type < 0)
        return vd_error_set(err, errno, "join %s namespace \"%s\": NS_GET_NSTYPE",
                            vd_ns_name(ns), path);
    if (type == ns_table[ns].flag)
        return 0;
    for (int i = 0; i < VD_NS_COUNT; i++)
        if (ns_table[i].flag == type)
            return vd_error_set(err, EINVAL, "join %s namespace \"%s\": its type is %s",
                                vd_ns_name(ns), path, ns_table[i].name);
    return vd_error_set(err, EINVAL, "join %s namespace \"%s\": it is another kind of namespace",
                        vd_ns_name(ns), path);
}

static int open_ns(enum vd_ns ns, const char *path, vd_error **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open %s namespace \"%s\"", vd_ns_name(ns), path);
    if (check_ns_fd(fd, ns, path, err) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int vd_ns_check_path(enum vd_ns ns, const char *path, vd_error **err)
{
    if ((unsigned)ns >= VD_NS_COUNT)
        return vd_error_set(err, EINVAL, "namespace %d", (int)ns);
    int fd = open_ns(ns, path, err);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int join_one(const vd_builder *b, enum vd_ns ns, vd_error **err)
{
    const char *path = b->ns[ns].path;
    _cleanup_close_ int fd = open_ns(ns, path, err);
    if (fd < 0)
        return -1;
    if (setns(fd, ns_table[ns].flag) < 0)
        return vd_error_set(err, errno, "join %s namespace \"%s\"", vd_ns_name(ns), path);
    return 0;
}

/* The offsets of a time namespace can be written only while no process
 * is in it: unshare() makes one for our future children only, the offsets
 * go to it, and then we enter it ourselves (allowed to a process with one
 * thread), so that the program we exec reads the shifted clocks. */
static int enter_new_time_ns(const vd_builder *b, vd_error **err)
{
    if (unshare(CLONE_NEWTIME) < 0)
        return vd_error_set(err, errno, "create the time namespace");
    char text[128] = "";
    size_t used = 0;
    static const struct {
        const char *name;
        clockid_t id;
    } clocks[] = {{"monotonic", CLOCK_MONOTONIC}, {"boottime", CLOCK_BOOTTIME}};
    for (size_t i = 0; i < VD_ARRAY_SIZE(clocks); i++) {
        const struct vd_time_offset *o = &b->time_offsets[i];
        if (o->set)
            used += (size_t)snprintf(text + used, sizeof(text) - used, "%s %lld %u\n",
                                     clocks[i].name, (long long)o->secs, o->nsecs);
    }
    if (used && vd_write_file("/proc/self/timens_offsets", text, err) < 0)
        return vd_error_prefix(err, "set the time namespace's clock offsets");
    _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"/proc/self/ns/time_for_children\"");
    if (setns(fd, CLONE_NEWTIME) < 0)
        return vd_error_set(err, errno, "enter the new time namespace");
    return 0;
}

/* ---- joining a live process (exec) ----------------------------------------- */

/* Whether the process at `proc_fd` is in another namespace of kind `ns`
 * than we are.  A kind this kernel lacks is nobody's to join. */
static int differs_from_ours(int proc_fd, enum vd_ns ns, bool *differs, vd_error **err)
{
    char theirs_path[32], ours_path[48];
    snprintf(theirs_path, sizeof(theirs_path), "ns/%s", ns_table[ns].name);
    snprintf(ours_path, sizeof(ours_path), "/proc/self/ns/%s", ns_table[ns].name);
    struct stat theirs, ours;
    if (fstatat(proc_fd, theirs_path, &theirs, 0) < 0) {
        if (errno == ENOENT && stat(ours_path, &ours) < 0 && errno == ENOENT) {
            *differs = false;
            return 0;
        }
        return vd_error_set(err, errno, "stat the joined process's %s namespace",
                            ns_table[ns].name);
    }
    if (stat(ours_path, &ours) < 0)
        return vd_error_set(err, errno, "stat \"%s\"", ours_path);
    *differs = theirs.st_dev != ours.st_dev || theirs.st_ino != ours.st_ino;
    return 0;
}

/* A pidfd on the process at `proc_fd`, or -1 where the kernel has none.
 * Its pid is read from /proc; the process still being there after the
 * pidfd_open proves that the pid was not someone else's by then. */
static int open_pidfd_of(int proc_fd, vd_error **err)
{
    char text[32] = "";
    _cleanup_close_ int stat_fd = openat(proc_fd, "stat", O_RDONLY | O_CLOEXEC);
    if (stat_fd < 0 || read(stat_fd, text, sizeof(text) - 1) <= 0)
        return vd_error_set(err, errno, "read the joined process's pid");
    _cleanup_close_ int pidfd = vd_sys_pidfd_open((pid_t)atoi(text), 0);
    if (pidfd < 0)
        return errno == ENOSYS ? -1 : vd_error_set(err, errno, "open a pidfd on the joined process");
    struct stat st;
    if (fstatat(proc_fd, "stat", &st, 0) < 0)
        return vd_error_set(err, ESRCH, "the joined process exited");
    return steal_fd(&pidfd);
}

static int check_ns(enum vd_ns ns, vd_error **err)
{
    if ((unsigned)ns >= VD_NS_COUNT)
        return vd_error_set(err, EINVAL, "namespace %d", (int)ns);
    return 0;
}

static void set_ns(vd_builder *b, enum vd_ns ns, enum vd_ns_mode mode, char *path)
{
    struct vd_ns_spec *spec = &b->ns[ns];
    free(spec->path);
    spec->mode = mode;
    spec->path = path;
    /* Not the joined process's any more (vd_builder_join_process). */
    b->join_pidfd_kinds &= ~(1u << (ns & 31));
}

int vd_builder_new_ns(vd_builder *b, enum vd_ns ns, vd_error **err)
{
    if (check_ns(ns, err) < 0)
        return -1;
    set_ns(b, ns, VD_NS_MODE_NEW, NULL);
    return 0;
}

int vd_builder_share_ns(vd_builder *b, enum vd_ns ns, vd_error **err)
{
    if (check_ns(ns, err) < 0)
        return -1;
    set_ns(b, ns, VD_NS_MODE_SHARE, NULL);
    return 0;
}

int vd_builder_join_ns(vd_builder *b, enum vd_ns ns, const char *path, vd_error **err)
{
    if (check_ns(ns, err) < 0)
        return -1;
    if (path == NULL || path[0] != '/')
        return vd_error_set(err, EINVAL, "join %s namespace \"%s\": path must be absolute",
                            vd_ns_name(ns), path ? path : "");
    char *copy = vd_strdup_checked(path, err);
    if (copy == NULL)
        return -1;
    set_ns(b, ns, VD_NS_MODE_JOIN, copy);
    return 0;
}

int vd_builder_join_process(vd_builder *b, int proc_fd, vd_error **err)
{
    unsigned kinds = 0;
    for (int ns = 0; ns < VD_NS_COUNT; ns++) {
        bool differs = false;
        if (differs_from_ours(proc_fd, (enum vd_ns)ns, &differs, err) < 0)
            return -1;
        /* Through our fd on its /proc directory: the child opens the very
         * process's namespaces, never those of a pid's next owner. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d/ns/%s", proc_fd, ns_table[ns].name);
        int r = differs ? vd_builder_join_ns(b, (enum vd_ns)ns, path, err)
                        : vd_builder_share_ns(b, (enum vd_ns)ns, err);
        if (r < 0)
            return -1;
        if (differs)
            kinds |= 1u << ns;
    }
    _cleanup_close_ int root = openat(proc_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return vd_error_set(err, errno, "open the joined process's root");
    vd_error *pidfd_err = NULL;
    int pidfd = open_pidfd_of(proc_fd, &pidfd_err);
    if (pidfd_err) {
        if (err)
            *err = steal_pointer(&pidfd_err);
        vd_error_free(&pidfd_err);
        return -1;
    }
    if (b->join_only) {
        vd_closep(&b->join_root_fd);
        vd_closep(&b->join_pidfd);
    }
    b->join_root_fd = steal_fd(&root);
    b->join_pidfd = pidfd;
    b->join_pidfd_kinds = kinds;
    b->join_only = true;
    return 0;
}

int vd_check_join_only(const vd_builder *b, vd_error **err)
{
    if (!b->join_only)
        return 0;
    for (int ns = 0; ns < VD_NS_COUNT; ns++)
        if (b->ns[ns].mode == VD_NS_MODE_NEW)
            return vd_error_set(err, EINVAL, "join a live process: a new %s namespace cannot be "
                                "made", ns_table[ns].name);
    if (b->rootfs || b->n_mounts || b->n_devices || b->n_masked_paths || b->n_readonly_paths ||
        b->hostname || b->domainname || b->n_sysctls || b->n_uid_maps || b->n_gid_maps ||
        b->n_net_devices)
        return vd_error_set(err, EINVAL, "join a live process: its root, mounts, devices, "
                            "names, sysctls and id maps are not the new process's to change");
    return 0;
}

/* After the mount namespace join our root is that namespace's; the joined
 * process may have another (a container started with MS_MOVE + chroot),
 * and its own is the one to take. */
static int enter_joined_root(const vd_builder *b, vd_error **err)
{
    if (!b->join_only)
        return 0;
    if (fchdir(b->join_root_fd) < 0 || chroot(".") < 0)
        return vd_error_set(err, errno, "enter the joined process's root");
    return 0;
}

/* Run in the child.  The user namespace went first (joined before the
 * clone): it decides the privileges under which the other joins are
 * checked.  The pid and time
 * namespaces apply to children only, so the parent joins them before the
 * clone (vd_parent_enter_for_children; after the user namespace, the helper
 * of vd_clone_in_joined_user_ns does); a new time namespace is made here,
 * last, so that it belongs to the container's user namespace. */
/* The namespaces of a live process (exec) that `order` lists go in one
 * setns on its pidfd: all at once, with nothing to open in between.  *done
 * gets the kinds joined; none where the kernel (before 5.8) takes only
 * namespace fds, and then each is joined by path. */
static int join_by_pidfd(const vd_builder *b, const enum vd_ns *order, size_t n, unsigned *done,
                         vd_error **err)
{
    int flags = 0;
    unsigned kinds = 0;
    *done = 0;
    if (!b->join_only || b->join_pidfd < 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned bit = 1u << order[i];
        if (b->ns[order[i]].mode == VD_NS_MODE_JOIN && (b->join_pidfd_kinds & bit)) {
            flags |= ns_table[order[i]].flag;
            kinds |= bit;
        }
    }
    if (flags == 0)
        return 0;
    if (setns(b->join_pidfd, flags) == 0) {
        *done = kinds;
        return 0;
    }
    if (errno == EINVAL)
        return 0;
    return vd_error_set(err, errno, "join the namespaces of the container's init (setns on its pidfd)");
}

int vd_child_join_namespaces(const vd_builder *b, vd_error **err)
{
    /* A joined user namespace is in already: vd_clone_in_joined_user_ns. */
    static const enum vd_ns order[] = {VD_NS_IPC, VD_NS_UTS, VD_NS_NET, VD_NS_CGROUP,
                                       VD_NS_MOUNT};
    unsigned done;
    if (join_by_pidfd(b, order, VD_ARRAY_SIZE(order), &done, err) < 0)
        return -1;
    for (size_t i = 0; i < VD_ARRAY_SIZE(order); i++) {
        if (b->ns[order[i]].mode == VD_NS_MODE_JOIN && !(done & (1u << order[i])) &&
            join_one(b, order[i], err) < 0)
            return -1;
    }
    if (enter_joined_root(b, err) < 0)
        return -1;
    if (b->ns[VD_NS_TIME].mode == VD_NS_MODE_NEW)
        return enter_new_time_ns(b, err);
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
    /* With a joined user namespace the helper of vd_clone_in_joined_user_ns
     * joins them after it: forked from our pid namespace, it then sees the
     * child's pid as we do. */
    if (b->ns[VD_NS_USER].mode == VD_NS_MODE_JOIN)
        return 0;
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

/* The clone flags for every namespace the builder wants new, but time:
 * a child cloned into a new time namespace could no longer set its clocks
 * (and clone() without the 3 reads CLONE_NEWTIME as a signal number). */
unsigned long vd_clone_ns_flags(const vd_builder *b)
{
    unsigned long flags = 0;
    for (int i = 0; i < VD_NS_COUNT; i++)
        if (b->ns[i].mode == VD_NS_MODE_NEW && i != VD_NS_TIME)
            flags |= (unsigned long)ns_table[i].flag;
    return flags;
}

/* A user namespace joined by path must come before any new namespace: a
 * new one belongs to the user namespace of its creator, and only there
 * does the container's root have the capabilities to set it up.  The
 * caller cannot enter it and come back, so a short-lived helper joins it
 * and clones the child with CLONE_PARENT: the child is still the caller's
 * to wait for.  Returns like fork: 0 in the child, its pid in the caller,
 * -1 with errno on failure. */
static pid_t clone_sibling(unsigned long flags)
{
    /* With CLONE_PARENT the exit signal is the helper's own (SIGCHLD) and
     * clone3 insists on 0 here. */
    struct clone_args args = {.flags = flags | CLONE_PARENT};
    pid_t pid = vd_sys_clone3(&args, sizeof(args));
    if (pid < 0 && errno == ENOSYS)
        pid = vd_sys_clone(flags | CLONE_PARENT);
    return pid;
}

/* The helper's part of vd_parent_enter_for_children, in the joined user
 * namespace: -1 with errno on failure. */
static int join_for_children(const vd_builder *b)
{
    static const enum vd_ns kinds[] = {VD_NS_PID, VD_NS_TIME};
    for (size_t i = 0; i < VD_ARRAY_SIZE(kinds); i++) {
        if (b->ns[kinds[i]].mode != VD_NS_MODE_JOIN)
            continue;
        int fd = open(b->ns[kinds[i]].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        int r = setns(fd, ns_table[kinds[i]].flag);
        int e = errno;
        close(fd);
        if (r < 0) {
            errno = e;
            return -1;
        }
    }
    return 0;
}

pid_t vd_clone_in_joined_user_ns(const vd_builder *b, unsigned long flags, int *pidfd)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    pid_t helper = fork();
    if (helper < 0) {
        int e = errno;
        close(pipefd[0]);
        close(pipefd[1]);
        errno = e;
        return -1;
    }
    if (helper == 0) {
        close(pipefd[0]);
        /* The clone inherits it: never dumpable nor ptrace-able from inside
         * the joined user namespace before its exec (CVE-2019-5736). */
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        int result = -EINVAL, fd = open(b->ns[VD_NS_USER].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0 || join_for_children(b) < 0) {
            result = -errno;
        } else {
            pid_t pid = clone_sibling(flags);
            if (pid == 0)
                return 0; /* the child: off to its setup */
            result = pid < 0 ? -errno : pid;
        }
        (void)!write(pipefd[1], &result, sizeof(result));
        _exit(0);
    }
    close(pipefd[1]);
    int result = -EPIPE;
    ssize_t n;
    do
        n = read(pipefd[0], &result, sizeof(result));
    while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    if (n != sizeof(result) || result < 0) {
        errno = n == sizeof(result) ? -result : EPIPE;
        return -1;
    }
    *pidfd = vd_sys_pidfd_open((pid_t)result, 0);
    return (pid_t)result;
}
