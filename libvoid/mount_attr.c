/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attributes of a whole mount tree: mount(2) changes one mount at a time,
 * so read-only, nosuid, nodev, noexec, the atime choice and nosymfollow
 * reach the mounts under an rbind only through mount_setattr(2) with
 * AT_RECURSIVE (Linux 5.12). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "internal.h"
#include "syscalls.h"

/* Through syscall(2): glibc before 2.36 has no wrapper, and the error of a
 * kernel without it must read as such. */
static int mount_setattr_fd(int fd, unsigned int flags, struct mount_attr *attr)
{
    return vd_sys_mount_setattr(fd, "", AT_EMPTY_PATH | flags, attr, sizeof(*attr));
}

int vd_mount_set_tree_attrs(int fd, const struct vd_mount_entry *m, vd_error **err)
{
    if (m->attr_set == 0 && m->attr_clr == 0)
        return 0;
    struct mount_attr attr = {.attr_set = m->attr_set, .attr_clr = m->attr_clr};
    if (mount_setattr_fd(fd, AT_RECURSIVE, &attr) == 0)
        return 0;
    if (errno == ENOSYS)
        return vd_error_set(err, errno, "set recursive attributes of \"%s\": this kernel has no "
                            "mount_setattr (Linux 5.12)", m->destination);
    return vd_error_set(err, errno, "set recursive attributes of \"%s\"", m->destination);
}
