/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container without a mount namespace of its own makes its mounts in the
 * caller's, the host's: on a bind of its rootfs over itself, made first
 * (mounts.c), and under it.  The mounts stacked on the rootfs path above
 * the one there before the container take all of them along when they are
 * detached: that is how create's failure and delete leave the host as they
 * found it. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U /* Linux 6.8: ids never reused */
#endif

/* -1 with errno. */
static int top_mount_id(const char *path, uint64_t *id)
{
    struct statx stx;
    if (statx(AT_FDCWD, path, AT_NO_AUTOMOUNT, STATX_MNT_ID_UNIQUE, &stx) < 0)
        return -1;
    if (!(stx.stx_mask & (STATX_MNT_ID_UNIQUE | STATX_MNT_ID))) {
        errno = ENOSYS;
        return -1;
    }
    *id = stx.stx_mnt_id;
    return 0;
}

int vd_mount_id_at(const char *path, uint64_t *id, vd_error **err)
{
    if (top_mount_id(path, id) == 0)
        return 0;
    if (errno == ENOSYS)
        return vd_error_set(err, errno,
                            "the mount of \"%s\": this kernel has no "
                            "STATX_MNT_ID (Linux 5.8)",
                            path);
    return vd_error_set(err, errno, "stat \"%s\"", path);
}

int vd_unmount_above(const char *path, uint64_t below, vd_error **err)
{
    /* Each round detaches the top one: the container's processes could
     * have stacked more on their root.  A rootfs gone has nothing left. */
    for (int round = 0; round < 64; round++) {
        uint64_t top;
        if (top_mount_id(path, &top) < 0)
            return errno == ENOENT ? 0 : vd_mount_id_at(path, &top, err);
        if (top == below)
            return 0;
        if (umount2(path, MNT_DETACH) < 0)
            return vd_error_set(err, errno, "unmount the container's mounts on \"%s\"", path);
    }
    return vd_error_set(err, ELOOP,
                        "unmount the container's mounts on \"%s\": still more "
                        "after 64",
                        path);
}
