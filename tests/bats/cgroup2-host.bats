#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# voidoci on a cgroup v2 host: cgroup2 alone on /sys/fs/cgroup.  Our
# machines are hybrid, so these tests skip there; tests/vm/cgroup2-vm.sh
# runs them in a VM that is such a host.

load helpers

setup() {
    voidoci_setup
    [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
        skip "/sys/fs/cgroup is not a cgroup2-only mount (this host has cgroup v1 or a hybrid tree)"
}

teardown() {
    voidoci_teardown
}

# The host's cgroup mount as seen in the container: mountinfo fields 5
# (mount point), 6 (per-mount options) and the fstype after " - ".
CGROUP_MOUNT_INFO='while read -r _ _ _ _ mp opts rest; do
    [ "$mp" = /sys/fs/cgroup ] && echo "mount: $opts ${rest#* - }"
done </proc/self/mountinfo'

@test "cgroup2-host: a cgroup mount in a new cgroup namespace is a cgroup2 fs rooted at the container's cgroup" {
    make_bundle "$BUNDLE" sh -c "$CGROUP_MOUNT_INFO"'
        echo "fsmagic: $(stat -f -c %t /sys/fs/cgroup)"
        echo "self: $(cat /proc/self/cgroup)"
        echo "controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"'
    bundle_jq "$BUNDLE" '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
    run vrun
    echo "$output"
    [ "$status" -eq 0 ]
    # busybox stat has no name for it: CGROUP2_SUPER_MAGIC.
    [[ $output == *"fsmagic: 63677270"* ]]
    [[ $output == *"mount: "*" cgroup2 "* ]]
    # The namespace's root is the cgroup voidoci ran in: "/" from inside.
    [[ $output == *"self: 0::/"$'\n'* ]]
    # Its controllers are those the host's cgroup has.
    local want
    want=$(cat "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)/cgroup.controllers")
    [[ $output == *"controllers: $want"* ]]
}

@test "cgroup2-host: the init is cloned straight into its cgroup (clone3 with CLONE_INTO_CGROUP), never joining it later" {
    command -v strace >/dev/null || skip "strace is missing: it shows the clone3 call"
    make_bundle "$BUNDLE" true
    # LeakSanitizer cannot work under ptrace (the sanitizer build).
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run strace -f -e trace=clone3,write -o "$BATS_TEST_TMPDIR/strace.log" \
        "$VOIDOCI" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    grep 'clone3(' "$BATS_TEST_TMPDIR/strace.log"
    grep -q 'clone3({flags=[^}]*CLONE_INTO_CGROUP' "$BATS_TEST_TMPDIR/strace.log"
    # No pid is written into a cgroup.procs afterwards: on v2 the runtime
    # opens no cgroup.procs to join it (the write trace would show the pid).
    local pid
    pid=$(sed -n 's/.*clone3({flags=[^}]*CLONE_INTO_CGROUP.*= \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/strace.log" | head -1)
    [ -n "$pid" ]
    ! grep -q "write([0-9]*, \"$pid\"" "$BATS_TEST_TMPDIR/strace.log"
}
