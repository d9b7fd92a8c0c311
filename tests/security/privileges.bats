#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Capabilities and privileges: a process asked to run without capabilities
# really lacks them, in all five sets and in what it can do, and
# noNewPrivileges holds across a setuid-root binary in the rootfs.

load ../bats/helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# set_all_caps JSON-ARRAY: the same set in all five capability sets.
set_all_caps() {
    bundle_jq "$BUNDLE" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c,
        inheritable: $c, ambient: $c}' --argjson c "$1"
}

# suid_bundle NNP: uid 1000 runs a setuid-root copy of busybox as `su -c
# ...`, with noNewPrivileges NNP.  busybox drops a setuid euid for most
# applets, but not for su, which refuses to run ("must be suid to work
# properly") when its euid is not 0.  root has an empty password, so that a
# su that did get euid 0 runs its command at once; the bounding set holds
# CAP_SETUID and CAP_SETGID, so that the setuid exec would gain them.
suid_bundle() {
    make_bundle "$BUNDLE" /bin/busybox-suid su -c 'id -u; grep ^Uid: /proc/self/status'
    local r=$BUNDLE/rootfs
    cp /bin/busybox "$r/bin/busybox-suid"
    chown 0:0 "$r/bin/busybox-suid"
    chmod 4755 "$r/bin/busybox-suid"
    printf '%s\n' 'root::0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/:/bin/sh' >"$r/etc/passwd"
    printf '%s\n' 'root:x:0:' 'user:x:1000:' >"$r/etc/group"
    bundle_jq "$BUNDLE" '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = $n
        | .process.capabilities.bounding += ["CAP_SETUID", "CAP_SETGID"]' --argjson n "$1"
}

@test "no_new_privs: without noNewPrivileges a setuid-root binary run by uid 1000 does get euid 0 (the control)" {
    if grep -Eq '^NoNewPrivs:[[:space:]]+1' /proc/self/status; then
        skip "this machine runs the tests with no_new_privs already set"
    fi
    suid_bundle false
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [[ ${lines[1]} =~ ^Uid:[[:space:]]+0[[:space:]]+0[[:space:]]+0[[:space:]]+0$ ]]
}

@test "no_new_privs: with noNewPrivileges a setuid-root binary run by uid 1000 keeps euid 1000" {
    suid_bundle true
    run --separate-stderr vrun
    if [ "$status" -eq 0 ] || [[ $output == *Uid:* ]]; then
        echo "the setuid binary ran with its privileges (status $status):" >&2
        echo "$output" >&2
        return 1
    fi
    [ -z "$output" ]
    # busybox su's own check, on geteuid() != 0.
    [[ $stderr == *"must be suid to work properly"* ]]
}

@test "capabilities: with empty sets a root process has none in any of the five sets" {
    make_bundle "$BUNDLE" grep ^Cap /proc/self/status
    set_all_caps '[]'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    local field got z=0000000000000000
    for field in CapInh CapPrm CapEff CapBnd CapAmb; do
        got=$(status_field "$field")
        if [ "$got" != $z ]; then
            echo "$field: want $z, got $got" >&2
            return 1
        fi
    done
}

# The four privileged acts below, each printing NAME-ok when it worked:
# mount (CAP_SYS_ADMIN), sethostname in the container's own uts namespace
# (CAP_SYS_ADMIN), chroot (CAP_SYS_CHROOT), and root reading a file of
# uid 1000's with mode 0600 (CAP_DAC_OVERRIDE).
PRIVILEGED_ACTS='
mount -t tmpfs none /tmp && echo mount-ok
hostname escaped-name && echo hostname-ok
chroot / true && echo chroot-ok
cat /secret && echo read-ok
hostname
true'

acts_bundle() {
    make_bundle "$BUNDLE" sh -c "$PRIVILEGED_ACTS"
    bundle_jq "$BUNDLE" '.hostname = "void"'
    echo SECRET-1000 >"$BUNDLE/rootfs/secret"
    chown 1000:1000 "$BUNDLE/rootfs/secret"
    chmod 0600 "$BUNDLE/rootfs/secret"
}

@test "capabilities: with CAP_SYS_ADMIN, CAP_SYS_CHROOT and CAP_DAC_OVERRIDE root can mount, set the hostname, chroot and read uid 1000's file (the control)" {
    acts_bundle
    set_all_caps '["CAP_SYS_ADMIN", "CAP_SYS_CHROOT", "CAP_DAC_OVERRIDE"]'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "$(tr '\n' ' ' <<<"$output")" = "mount-ok hostname-ok chroot-ok SECRET-1000 read-ok escaped-name " ]
}

@test "capabilities: with empty sets root cannot mount, set the hostname, chroot or read uid 1000's mode 0600 file" {
    acts_bundle
    set_all_caps '[]'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    # Only the hostname, unchanged, is printed.
    if [ "$output" != void ]; then
        echo "a privileged act succeeded without its capability:" >&2
        echo "$output" >&2
        return 1
    fi
    [[ $stderr == *"mount: permission denied"* ]]
    [[ $stderr == *"hostname"*"Operation not permitted"* ]]
    [[ $stderr == *"chroot"*"Operation not permitted"* ]]
    [[ $stderr == *"/secret"*"Permission denied"* ]]
}
