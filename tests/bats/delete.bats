#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci delete: removes a stopped container and everything create made;
# a container that is not stopped is an error unless --force, which kills it
# first; --force on a missing container is not an error (containerd's shim
# deletes twice).

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

@test "delete: a stopped container is removed: no state directory, no process, no mount" {
    make_bundle "$BUNDLE" true
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    vstart
    wait_status stopped
    run --separate-stderr vo delete "$ID"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ ! -e "$ROOT/$ID" ]
    pids_gone "$(cat "$BATS_TEST_TMPDIR/pid")"
    check_nothing_left_behind
}

@test "delete: a running container without --force fails with exit 1 and keeps running" {
    make_bundle "$BUNDLE" sleep 100
    local pid
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    vstart
    run --separate-stderr vo delete "$ID"
    [ "$status" -eq 1 ]
    [ -n "$stderr" ]
    [ -d "$ROOT/$ID" ]
    [ "$(state_field status)" = running ]
    pids_alive "$pid"
    vo delete --force "$ID"
}

@test "delete: a created container without --force fails with exit 1 and stays created" {
    # runtime.md: deleting a container that is not stopped MUST have no
    # effect on it and MUST generate an error.  (runc deletes it.)
    make_bundle "$BUNDLE" sleep 100
    local pid
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    run --separate-stderr vo delete "$ID"
    [ "$status" -eq 1 ]
    [ -n "$stderr" ]
    [ "$(state_field status)" = created ]
    pids_alive "$pid"
    vstart
    [ "$(state_field status)" = running ]
    vo delete --force "$ID"
}

@test "delete --force: kills a running container and removes it" {
    make_bundle "$BUNDLE" sh -c 'sleep 100 & sleep 100'
    local pid
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    vstart
    run --separate-stderr vo delete --force "$ID"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ ! -e "$ROOT/$ID" ]
    pids_gone "$pid"
    check_nothing_left_behind
}

@test "delete --force: removes a created container whose program never runs" {
    make_bundle "$BUNDLE" sh -c 'touch /tmp/ran; sleep 100'
    bundle_writable "$BUNDLE"
    local pid
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    vo delete --force "$ID"
    [ ! -e "$ROOT/$ID" ]
    pids_gone "$pid"
    sleep 0.3
    [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
    check_nothing_left_behind
}

@test "delete --force: a container without its own pid namespace leaves none of its processes" {
    make_bundle "$BUNDLE" sh -c 'sleep 100 & sleep 100 & touch /tmp/ready; wait'
    bundle_writable "$BUNDLE"
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "pid"))'
    vcreate
    vstart
    wait_for test -e "$BUNDLE/rootfs/tmp/ready"
    [ "$(rootfs_pids | wc -l)" -eq 3 ]
    vo delete --force "$ID"
    [ ! -e "$ROOT/$ID" ]
    wait_for no_rootfs_pids
}

@test "delete --force: of a missing container exits 0" {
    run --separate-stderr vo delete --force "$ID"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ ! -e "$ROOT/$ID" ]
}

@test "delete: of a missing container fails with exit 1: does not exist" {
    run --separate-stderr vo delete "$ID"
    [ "$status" -eq 1 ]
    [[ $stderr == *"does not exist"* ]]
    [[ $stderr == *"$ID"* ]]
}

@test "delete --force: works with no PATH in the environment (podman's cleanup)" {
    make_bundle "$BUNDLE" sleep 100
    vcreate
    vstart
    VOIDOCI_TEST_MARK=$ID timeout 60 env -u PATH "$VOIDOCI" --root "$ROOT" delete --force "$ID"
    [ ! -e "$ROOT/$ID" ]
    check_nothing_left_behind
}

@test "delete: deleting one container leaves another alone" {
    make_bundle "$BUNDLE" sleep 100
    # The same rootfs, another cgroup.
    bundle_clone "$BUNDLE" "$BATS_TEST_TMPDIR/b"
    local other=$ID-b pid_b
    vcreate
    BUNDLE=$BATS_TEST_TMPDIR/b vcreate --id "$other" --pid-file "$BATS_TEST_TMPDIR/b.pid"
    pid_b=$(cat "$BATS_TEST_TMPDIR/b.pid")
    vo delete --force "$ID"
    [ ! -e "$ROOT/$ID" ]
    [ "$(state_field status "$other")" = created ]
    pids_alive "$pid_b"
    vo delete --force "$other"
}
