/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Security labels: the AppArmor profile or SELinux label the program is
 * exec'd into.  Both are written to the process's "exec" attribute, which
 * the kernel applies at the next execve -- the program's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#define SELINUX_MAGIC 0xf97cff8c

static bool apparmor_enabled(void)
{
    char c = 0;
    _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool vd_selinux_enabled(void)
{
    struct statfs sfs;
    return statfs("/sys/fs/selinux", &sfs) == 0 && (unsigned long)sfs.f_type == SELINUX_MAGIC;
}

/* Neither label may contain a newline or a NUL: the kernel would read
 * only part of it, or another command. */
static int check_label(const char *what, const char *label, vd_error **err)
{
    if (label == NULL || label[0] == '\0')
        return vd_error_set(err, EINVAL, "%s: empty", what);
    if (strchr(label, '\n'))
        return vd_error_set(err, EINVAL, "%s \"%.64s\": contains a newline", what, label);
    return 0;
}

/* The host is checked here, before anything is spawned: a label the host
 * cannot apply is refused with nothing to clean up. */
int vd_builder_set_apparmor_profile(vd_builder *b, const char *profile, vd_error **err)
{
    if (check_label("AppArmor profile", profile, err) < 0)
        return -1;
    if (!apparmor_enabled())
        return vd_error_set(err, 0, "AppArmor is not enabled on this host");
    char *copy = vd_strdup_checked(profile, err);
    if (copy == NULL)
        return -1;
    free(b->apparmor_profile);
    b->apparmor_profile = copy;
    return 0;
}

int vd_builder_set_selinux_label(vd_builder *b, const char *label, vd_error **err)
{
    if (check_label("SELinux label", label, err) < 0)
        return -1;
    if (!vd_selinux_enabled())
        return vd_error_set(err, 0, "SELinux is not enabled on this host");
    char *copy = vd_strdup_checked(label, err);
    if (copy == NULL)
        return -1;
    free(b->selinux_label);
    b->selinux_label = copy;
    return 0;
}

void vd_builder_free_lsm(vd_builder *b)
{
    free(b->apparmor_profile);
    free(b->selinux_label);
}

/* Written while the caller's /proc is still at /proc (the container may
 * mount none), yet it takes effect only at the exec, the next one this
 * process makes.  AppArmor has its own directory since Linux 5.8, where
 * it no longer shares the attribute with another LSM. */
int vd_child_set_exec_label(const vd_builder *b, vd_error **err)
{
    if (b->apparmor_profile) {
        char text[4096];
        int n = snprintf(text, sizeof(text), "exec %s", b->apparmor_profile);
        if (n < 0 || (size_t)n >= sizeof(text))
            return vd_error_set(err, ENAMETOOLONG, "AppArmor profile \"%.64s\"",
                                b->apparmor_profile);
        const char *path = access("/proc/self/attr/apparmor/exec", F_OK) == 0
                               ? "/proc/self/attr/apparmor/exec"
                               : "/proc/self/attr/exec";
        if (vd_write_file(path, text, err) < 0)
            return vd_error_prefix(err, "set AppArmor profile \"%s\" for the exec",
                                   b->apparmor_profile);
    }
    if (b->selinux_label && vd_write_file("/proc/self/attr/exec", b->selinux_label, err) < 0)
        return vd_error_prefix(err, "set SELinux label \"%s\" for the exec", b->selinux_label);
    return 0;
}
