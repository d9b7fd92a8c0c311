#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci ps: the container's processes; --format json is a JSON array of
# host pids, as containerd's shim reads it.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

@test "ps --format json: a created container's array holds its init's host pid" {
    make_bundle "$BUNDLE" sleep 100
    local pid
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    run --separate-stderr vo ps --format json "$ID"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    jq -e --argjson pid "$pid" 'type == "array" and . == [$pid]' <<<"$output"
    vo delete --force "$ID"
}

@test "ps --format json: a running container's array holds the init and its child, as host pids" {
    make_bundle "$BUNDLE" sh -c 'sleep 100 & touch /tmp/ready; wait'
    bundle_writable "$BUNDLE"
    local pid want
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    vstart
    wait_for test -e "$BUNDLE/rootfs/tmp/ready"
    want=$(rootfs_pids | jq -sc 'sort')
    run --separate-stderr vo ps --format json "$ID"
    [ "$status" -eq 0 ]
    jq -e --argjson pid "$pid" --argjson want "$want" '
        type == "array" and all(.[]; type == "number") and (sort == $want)
        and (map(select(. == $pid)) | length) == 1 and length == 2' <<<"$output"
    vo delete --force "$ID"
}

@test "ps: the table has a PID column holding the init's pid" {
    make_bundle "$BUNDLE" sleep 100
    local pid col
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    vstart
    run --separate-stderr vo ps "$ID"
    [ "$status" -eq 0 ]
    col=$(head -n 1 <<<"$output" | tr -s ' \t' '\n\n' | grep -nx PID | cut -d: -f1)
    [ -n "$col" ]
    awk -v c="$col" 'NR > 1 { print $c }' <<<"$output" | grep -qx "$pid"
    vo delete --force "$ID"
}

@test "ps: of an unknown ID fails with exit 1: container \"ID\" does not exist" {
    run --separate-stderr vo ps --format json "$ID"
    [ "$status" -eq 1 ]
    [[ $stderr == *"container \"$ID\" does not exist"* ]]
}
