#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# /dev/console, /dev/ptmx and /dev/pts/ptmx planted as symlinks by the image (the family of
# CVE-2025-52565): with a terminal, the pty's slave is bound on
# /dev/console.  Were the image's symlink followed, the bind would land on
# whatever it points to inside the container -- a /proc file such as
# core_pattern, or a masked path, which the pty would then replace.  The
# config here has no tmpfs on /dev, so the image's /dev is what the runtime
# meets.

load ../bats/helpers

setup() {
    voidoci_setup
    CONSOLE_RECEIVER=${CONSOLE_RECEIVER:-$VOIDOCI_SRCDIR/build/tests/console_receiver}
    [ -x "$CONSOLE_RECEIVER" ] || skip "no console receiver at $CONSOLE_RECEIVER: ninja -C build"
    SOCK=$BATS_TEST_TMPDIR/console.sock
}

teardown() {
    voidoci_teardown
}

# make_image_dev_bundle COMMAND...: a terminal bundle whose /dev is the
# image's own directory (only devpts is mounted, on /dev/pts), writable.
make_image_dev_bundle() {
    make_bundle "$BUNDLE" "$@"
    bundle_jq "$BUNDLE" '.process.terminal = true | .root.readonly = false
        | .mounts |= map(select(.destination | IN("/dev", "/dev/shm", "/dev/mqueue") | not))'
    mkdir -p "$BUNDLE/rootfs/dev/pts"
    ln -sf pts/ptmx "$BUNDLE/rootfs/dev/ptmx"
}

# create_with_terminal: create with a receiver on the console socket.
create_with_terminal() {
    bg "$CONSOLE_RECEIVER" "$SOCK" --timeout 5 >/dev/null 2>&1
    wait_for test -S "$SOCK"
    run_create --console-socket "$SOCK"
}

@test "console symlink: control: with the image's /dev, /dev/console is the pty" {
    make_image_dev_bundle sh -c 'stat -c %t:%T /dev/console; grep " /dev/console " /proc/self/mountinfo'
    create_with_terminal
    [ "$status" -eq 0 ]
    grep -q ' /dev/console ' <<<"$(cat /proc/"$(state_field pid)"/mountinfo)"
    vo delete --force "$ID"
}

@test "console symlink: /dev/console a symlink to /proc/sys/kernel/core_pattern: create fails, nothing is bound there" {
    make_image_dev_bundle true
    ln -sf /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/console"
    local before
    before=$(cat /proc/sys/kernel/core_pattern)
    create_with_terminal
    [ "$status" -ne 0 ]
    assert_one_error_line '/dev/console leads to "/proc/sys/kernel/core_pattern"'
    [ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
    [ ! -e "$ROOT/$ID" ]
}

@test "console symlink: /dev/console a symlink to a file of the image (/etc/passwd): create fails, the file is untouched" {
    make_image_dev_bundle true
    ln -sf /etc/passwd "$BUNDLE/rootfs/dev/console"
    local sum
    sum=$(sha256sum <"$BUNDLE/rootfs/etc/passwd")
    create_with_terminal
    [ "$status" -ne 0 ]
    assert_one_error_line '/dev/console leads to "/etc/passwd"'
    [ "$(sha256sum <"$BUNDLE/rootfs/etc/passwd")" = "$sum" ]
}

@test "console symlink: /dev/ptmx a symlink to /proc/sys/kernel/core_pattern: the image's /dev/ptmx is never opened, the pty comes from /dev/pts/ptmx" {
    make_image_dev_bundle sh -c 'stat -c %t:%T /dev/console'
    ln -sf /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/ptmx"
    local before
    before=$(cat /proc/sys/kernel/core_pattern)
    create_with_terminal
    [ "$status" -eq 0 ]
    # The pty the runtime made is bound on /dev/console: a pts of devpts.
    grep -Eq '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ /[0-9]+ /dev/console .* - devpts ' \
        /proc/"$(state_field pid)"/mountinfo
    [ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
    vo delete --force "$ID"
}

# Without a devpts mount on /dev/pts the image's own /dev/pts is what the
# runtime meets: there it can plant /dev/pts/ptmx.
make_image_pts_bundle() {
    make_image_dev_bundle true
    bundle_jq "$BUNDLE" '.mounts |= map(select(.destination != "/dev/pts"))'
}

@test "console symlink: /dev/pts/ptmx a symlink to /proc/sys/kernel/core_pattern (no devpts mounted): create fails, naming the symlink" {
    make_image_pts_bundle
    ln -sf /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/pts/ptmx"
    local before
    before=$(cat /proc/sys/kernel/core_pattern)
    create_with_terminal
    [ "$status" -ne 0 ]
    assert_one_error_line 'open "/dev/pts/ptmx": a symlink is on the way'
    [ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
    [ ! -e "$ROOT/$ID" ]
}

@test "console symlink: /dev/pts/ptmx a plain file of the image (no devpts mounted): create fails, it is not a devpts ptmx" {
    make_image_pts_bundle
    echo image >"$BUNDLE/rootfs/dev/pts/ptmx"
    create_with_terminal
    [ "$status" -ne 0 ]
    assert_one_error_line '"/dev/pts/ptmx" is not the ptmx of a devpts mount'
    [ "$(cat "$BUNDLE/rootfs/dev/pts/ptmx")" = image ]
    [ ! -e "$ROOT/$ID" ]
}
