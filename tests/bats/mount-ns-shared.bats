#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A config without "mount" in linux.namespaces: the container shares the
# runtime's mount namespace (runtime-spec), so its mounts are the host's,
# under its rootfs, and it is entered with chroot.  Delete, the end of run
# and a failed create take every one of them away, and only them.

load helpers

setup() {
    voidoci_setup
}

# Host mounts a test makes go in HOST_MOUNTS: voidoci_teardown unmounts them.
teardown() {
    voidoci_teardown
}

no_mount_ns() {
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "mount"))'
}

# Mount points at or under the bundle's rootfs, as the host sees them.
rootfs_mounts() {
    awk -v p="$BUNDLE/rootfs" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}

@test "mount-ns-shared: run without a mount namespace: the host's, chrooted; no mount left after" {
    make_bundle "$BUNDLE" sh -c 'readlink /proc/self/ns/mnt; ls /; grep -c " /proc " /proc/self/mountinfo'
    no_mount_ns
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(readlink /proc/self/ns/mnt)" ]
    [ "$(printf '%s\n' "${lines[@]:1:${#lines[@]}-2}")" = "$(ls "$BUNDLE/rootfs")" ]
    [ "${lines[-1]}" = 1 ]
    [ -z "$(rootfs_mounts)" ]
    # root.readonly was the container's mount: the host's directory is writable
    touch "$BUNDLE/rootfs/after"
}

@test "mount-ns-shared: create, start, exec, delete: the mounts are on the host until delete, the container's own too" {
    make_bundle "$BUNDLE" sh -c 'mount -t tmpfs tmpfs /tmp && touch /tmp/made && sleep 1000'
    no_mount_ns
    bundle_jq "$BUNDLE" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
        | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
        | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
    vcreate
    rootfs_mounts | grep -qx "$BUNDLE/rootfs/proc"
    vstart
    wait_for test -e "$BUNDLE/rootfs/tmp/made"
    # exec enters the init's root, not the host's
    [ "$(vo exec "$ID" ls /tmp)" = made ]
    vo kill "$ID" KILL
    wait_status stopped
    vo delete "$ID"
    [ -z "$(rootfs_mounts)" ]
    [ ! -e "$BUNDLE/rootfs/tmp/made" ]
}

@test "mount-ns-shared: mounts on the rootfs before create are the host's: delete leaves them" {
    make_bundle "$BUNDLE" true
    no_mount_ns
    mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
    HOST_MOUNTS+=("$BUNDLE/rootfs")
    mkdir -p "$BUNDLE/rootfs/srv"
    mount -t tmpfs tmpfs "$BUNDLE/rootfs/srv"
    HOST_MOUNTS+=("$BUNDLE/rootfs/srv")
    local before
    before=$(rootfs_mounts)
    vcreate
    vstart
    wait_status stopped
    vo delete "$ID"
    [ "$(rootfs_mounts)" = "$before" ]
}

@test "mount-ns-shared: a create that fails after some mounts leaves none, nor its state" {
    make_bundle "$BUNDLE" true
    no_mount_ns
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/bad", "type": "voidoci-no-such-fs",
        "source": "none"}]'
    run_create
    [ "$status" -ne 0 ]
    assert_one_error_line 'mount voidoci-no-such-fs "none" on "/bad": No such device'
    [ -z "$(rootfs_mounts)" ]
    [ ! -e "$ROOT/$ID" ]
}
