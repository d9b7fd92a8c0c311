#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Mount destinations that are symlinks out of the rootfs (CVE-2021-30465
# style): whatever the image's /proc, /dev, a bind-mount destination or a
# masked path points at, every mount lands inside the rootfs and nothing is
# mounted on, or created in, a host directory.

load ../bats/helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# assert_host_dir_untouched DIR: no mount on DIR or under it in the host's
# mount table, and DIR is still empty.
assert_host_dir_untouched() {
    local dir=$1 mounts
    mounts=$(awk -v d="$dir" '$5 == d || index($5, d "/") == 1' /proc/self/mountinfo)
    if [ -n "$mounts" ]; then
        echo "mounted on the host directory $dir:" >&2
        echo "$mounts" >&2
        return 1
    fi
    if [ -n "$(ls -A "$dir")" ]; then
        echo "the container created files in the host directory $dir:" >&2
        ls -lA "$dir" >&2
        return 1
    fi
}

# try_bind_escape DEST HOSTDIR: bind a directory holding a marker file on
# DEST (a path that climbs or links out towards HOSTDIR) and run `cat
# DEST/marker`.  Either run fails with one error line, or the marker is
# seen inside; either way HOSTDIR is untouched.
try_bind_escape() {
    local dest=$1 hostdir=$2 src=$BATS_TEST_TMPDIR/bind-src
    mkdir -p "$src"
    echo "bound inside" >"$src/marker"
    bundle_set_args "$BUNDLE" cat "$dest/marker"
    bundle_jq "$BUNDLE" '.mounts += [{destination: $d, type: "bind", source: $s,
        options: ["rbind", "ro"]}]' --arg d "$dest" --arg s "$src"
    run --separate-stderr vrun
    assert_host_dir_untouched "$hostdir"
    if [ "$status" -ne 0 ]; then
        assert_one_error_line "$dest"
        return
    fi
    [ "$output" = "bound inside" ]
}

# link_out PATH TARGET [--target-in-rootfs]: replace the rootfs's PATH by a
# symlink to TARGET, a host directory; with --target-in-rootfs, the rootfs
# also has its own directory at TARGET, where the link leads inside the
# container.
link_out() {
    local path=$1 target=$2
    rm -rf "${BUNDLE:?}/rootfs$path"
    ln -s "$target" "$BUNDLE/rootfs$path"
    if [ "${3-}" = --target-in-rootfs ]; then
        mkdir -p "$BUNDLE/rootfs$target"
    fi
}

@test "mount symlinks: /proc a dangling symlink to a host directory: nothing is mounted on or created in the host directory" {
    local host=$BATS_TEST_TMPDIR/hostdir
    mkdir "$host"
    make_bundle "$BUNDLE" sh -c 'stat -f -c %T /proc/; cut -d" " -f1 /proc/self/stat'
    link_out /proc "$host"
    run --separate-stderr vrun
    assert_host_dir_untouched "$host"
    if [ "$status" -ne 0 ]; then
        assert_one_error_line proc
        return
    fi
    # The link resolved as it would inside the container: to the rootfs's
    # own copy of the path, which now holds the container's proc.
    [ -d "$BUNDLE/rootfs$host" ]
    [ "${lines[0]}" = proc ]
    [[ ${lines[1]} =~ ^[0-9]+$ ]]
}

@test "mount symlinks: /proc a symlink to a path that exists in the rootfs and on the host: proc is mounted inside the rootfs" {
    local host=$BATS_TEST_TMPDIR/hostdir
    mkdir "$host"
    make_bundle "$BUNDLE" sh -c 'stat -f -c %T /proc/; cut -d" " -f1 /proc/self/stat'
    link_out /proc "$host" --target-in-rootfs
    run --separate-stderr vrun
    assert_host_dir_untouched "$host"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = proc ]
    [[ ${lines[1]} =~ ^[0-9]+$ ]]
}

@test "mount symlinks: /dev a dangling symlink to a host directory: no device node or mount is made in the host directory" {
    local host=$BATS_TEST_TMPDIR/hostdev
    mkdir "$host"
    make_bundle "$BUNDLE" sh -c 'stat -f -c %T /dev/; stat -c "%F %t:%T" /dev/null'
    link_out /dev "$host"
    run --separate-stderr vrun
    assert_host_dir_untouched "$host"
    if [ "$status" -ne 0 ]; then
        assert_one_error_line dev
        return
    fi
    [ "${lines[0]}" = tmpfs ]
    [ "${lines[1]}" = "character special file 1:3" ]
}

@test "mount symlinks: /dev a symlink to a path that exists in the rootfs and on the host: /dev and its nodes are made inside the rootfs" {
    local host=$BATS_TEST_TMPDIR/hostdev
    mkdir "$host"
    make_bundle "$BUNDLE" sh -c 'stat -f -c %T /dev/; stat -c "%F %t:%T" /dev/null'
    link_out /dev "$host" --target-in-rootfs
    run --separate-stderr vrun
    assert_host_dir_untouched "$host"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = tmpfs ]
    [ "${lines[1]}" = "character special file 1:3" ]
}

@test "mount symlinks: a bind destination that climbs out with /../../.. lands inside the rootfs" {
    local host=$BATS_TEST_TMPDIR/hostdir2
    mkdir "$host"
    make_bundle "$BUNDLE" true
    try_bind_escape "/../../../../../../../..$host" "$host"
}

@test "mount symlinks: a bind destination that is a dangling absolute symlink to a host directory does not reach it" {
    local host=$BATS_TEST_TMPDIR/hostdir3
    mkdir "$host"
    make_bundle "$BUNDLE" true
    link_out /escape "$host"
    try_bind_escape /escape "$host"
}

@test "mount symlinks: a bind destination that is an absolute symlink to a path that exists in the rootfs and on the host lands inside the rootfs" {
    local host=$BATS_TEST_TMPDIR/hostdir3
    mkdir "$host"
    make_bundle "$BUNDLE" true
    link_out /escape "$host" --target-in-rootfs
    try_bind_escape /escape "$host"
    [ "$status" -eq 0 ]
}

@test "mount symlinks: a bind destination under a dangling relative symlink that climbs to a host directory does not reach it" {
    local host=$BATS_TEST_TMPDIR/hostdir4
    mkdir "$host"
    make_bundle "$BUNDLE" true
    # More ../ than the rootfs is deep: on the host this reaches "/".
    link_out /escape "../../../../../../../../../../../../..$host"
    try_bind_escape /escape/sub "$host"
}

@test "mount symlinks: a bind destination under a relative symlink that climbs to a path that exists in the rootfs and on the host lands inside the rootfs" {
    local host=$BATS_TEST_TMPDIR/hostdir4
    mkdir -p "$host/sub"
    make_bundle "$BUNDLE" true
    link_out /escape "../../../../../../../../../../../../..$host"
    mkdir -p "$BUNDLE/rootfs$host/sub"
    try_bind_escape /escape/sub "$host/sub"
    [ "$status" -eq 0 ]
}

@test "mount symlinks: a masked path that is a symlink to a host path is not followed on the host" {
    # The link names, as a host path, a file of this very rootfs: had masking
    # followed it on the host, /etc/victim would read empty inside.
    make_bundle "$BUNDLE" cat /etc/victim
    echo VICTIM >"$BUNDLE/rootfs/etc/victim"
    ln -s "$BUNDLE/rootfs/etc/victim" "$BUNDLE/rootfs/etc/masked-link"
    bundle_jq "$BUNDLE" '.linux.maskedPaths += ["/etc/masked-link"]'
    run --separate-stderr vrun
    if [ "$status" -ne 0 ]; then
        assert_one_error_line masked-link
        return
    fi
    [ "$output" = VICTIM ]
}

@test "mount symlinks: a readonly path that is a symlink to a host path is not followed on the host" {
    # As above: on the host the link names a directory of this rootfs, which
    # the container must still be able to write.
    make_bundle "$BUNDLE" sh -c 'touch /data/w && echo written'
    bundle_writable "$BUNDLE"
    mkdir "$BUNDLE/rootfs/data"
    ln -s "$BUNDLE/rootfs/data" "$BUNDLE/rootfs/etc/ro-link"
    bundle_jq "$BUNDLE" '.linux.readonlyPaths += ["/etc/ro-link"]'
    run --separate-stderr vrun
    if [ "$status" -ne 0 ]; then
        assert_one_error_line ro-link
        return
    fi
    [ "$output" = written ]
    [ -e "$BUNDLE/rootfs/data/w" ]
}
