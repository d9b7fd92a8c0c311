/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console: a pty made inside the container's own devpts, its slave as
 * the process's stdio and controlling terminal and bound on /dev/console;
 * the master goes to the caller over the sync channel.  vd_pty_open, the
 * one place a pty is made, also serves restore's pty on the host devpts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "internal.h"

int vd_builder_set_terminal(vd_builder *b, bool on, unsigned short rows, unsigned short cols)
{
    b->terminal = on;
    b->console_rows = rows;
    b->console_cols = cols;
    return 0;
}

/* The image's /dev/console may be a symlink: followed inside the root it
 * could lead the bind onto a /proc file (core_pattern, or a masked path,
 * which the pty would then replace).  It must lead to /dev/console itself. */
static int check_console_target(const char *target_path, vd_error **err)
{
    char where[PATH_MAX];
    ssize_t n = readlink(target_path, where, sizeof(where) - 1);
    if (n < 0)
        return vd_error_set(err, errno, "read where /dev/console leads");
    where[n] = '\0';
    if (strcmp(where, "/dev/console") != 0)
        return vd_error_set(err, 0,
                            "/dev/console leads to \"%s\": refusing to bind the terminal there",
                            where);
    return 0;
}

/* /dev/console is the pty's slave, bound from its devpts path. */
static int bind_console(int root, const char *slave, vd_error **err)
{
    _cleanup_close_ int target = vd_open_in_root(root, "/dev/console", true, true, err);
    if (target < 0)
        return vd_error_prefix(err, "create /dev/console");
    char target_path[FD_PATH_MAX];
    fd_path(target, target_path);
    if (check_console_target(target_path, err) < 0)
        return -1;
    if (mount(slave, target_path, NULL, MS_BIND, NULL) < 0)
        return vd_error_set(err, errno, "bind \"%s\" on \"/dev/console\"", slave);
    return 0;
}

static int make_controlling_tty(int slave, vd_error **err)
{
    if (setsid() < 0)
        return vd_error_set(err, errno, "start a session for the terminal");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return vd_error_set(err, errno, "make the pty the controlling terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0)
            return vd_error_set(err, errno, "make the pty fd %d", fd);
    return 0;
}

/* The pty master, from the container's own devpts on /dev/pts.  Not
 * through /dev/ptmx, which the image may have made a symlink (to a /proc
 * file, say), and not through any symlink at all: what is opened must be
 * the ptmx node of a devpts mount, checked on the open fd. */
static int open_ptmx(int root, vd_error **err)
{
    _cleanup_close_ int fd =
        vd_openat2(root, "dev/pts/ptmx", O_RDWR | O_NOCTTY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
    if (fd < 0)
        return vd_error_set(err, errno,
                            errno == ELOOP ? "open \"/dev/pts/ptmx\": a symlink is on the way"
                                           : "open \"/dev/pts/ptmx\" for the terminal");
    struct statfs fs;
    struct stat st;
    if (fstatfs(fd, &fs) < 0 || fstat(fd, &st) < 0)
        return vd_error_set(err, errno, "stat \"/dev/pts/ptmx\"");
    if (fs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 ||
        minor(st.st_rdev) != 2)
        return vd_error_set(err, 0,
                            "\"/dev/pts/ptmx\" is not the ptmx of a devpts mount: refusing to "
                            "open the terminal there");
    return steal_fd(&fd);
}

/* The pty master from the caller's /dev/ptmx: the devpts it runs under. */
static int open_caller_ptmx(vd_error **err)
{
    int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"/dev/ptmx\" for the terminal");
    return fd;
}

int vd_pty_open(int root, const vd_pty_size *size, vd_pty *pty, vd_error **err)
{
    _cleanup_close_ int master =
        root == VD_PTY_CALLER_PTMX ? open_caller_ptmx(err) : open_ptmx(root, err);
    if (master < 0)
        return -1;
    int unlock = 0, number = -1;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &number) < 0)
        return vd_error_set(err, errno, "unlock the pty");
    if (size) {
        struct winsize ws = {.ws_row = size->rows, .ws_col = size->cols};
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
            return vd_error_set(err, errno, "set the console size");
    }
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return vd_error_set(err, errno, "open the pty slave");
    snprintf(pty->slave_path, sizeof(pty->slave_path), "/dev/pts/%d", number);
    pty->slave = slave;
    pty->master = steal_fd(&master);
    return 0;
}

/* Run in the child after the pivot, while still privileged. */
int vd_child_setup_console(const vd_builder *b, int sync_fd, vd_error **err)
{
    if (!b->terminal)
        return 0;
    /* The container's root: both paths below are resolved inside it. */
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return vd_error_set(err, errno, "open \"/\"");
    vd_pty_size size = {.rows = b->console_rows, .cols = b->console_cols};
    vd_pty pty;
    if (vd_pty_open(root, size.rows && size.cols ? &size : NULL, &pty, err) < 0)
        return -1;
    _cleanup_close_ int master = pty.master;
    _cleanup_close_ int slave = pty.slave;
    /* The terminal is the process's, as with runc: devpts made it ours
     * (root's), with the group its gid= option names (tty); the uid is the
     * one the process gets in the container's user namespace, where we are. */
    if (b->uid != 0 && fchown(slave, b->uid, (gid_t)-1) < 0)
        return vd_error_set(err, errno, "give the pty to uid %u", (unsigned)b->uid);
    /* A process joining a live container leaves its /dev/console alone. */
    if ((!b->join_only && bind_console(root, pty.slave_path, err) < 0) ||
        make_controlling_tty(slave, err) < 0)
        return -1;
    int type = VD_SYNC_CONSOLE;
    if (vd_send_fd(sync_fd, &type, sizeof(type), master) < 0)
        return vd_error_set(err, errno, "send the pty master to the runtime");
    return 0;
}
