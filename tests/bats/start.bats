#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci start: lets a created container's init exec the user's program and
# returns at once; only a created container can be started.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

@test "start: returns at once while the program runs on, and the container is running" {
    make_bundle "$BUNDLE" sleep 100
    local t0 t1
    vcreate
    t0=$(date +%s%N)
    run --separate-stderr timeout 20 "$VOIDOCI" --root "$ROOT" start "$ID"
    t1=$(date +%s%N)
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    # sleep 100 is still running: start did not wait for it.
    [ $(((t1 - t0) / 1000000)) -lt 5000 ]
    [ "$(state_field status)" = running ]
    vo delete --force "$ID"
}

@test "start: of a running container fails with exit 1 and leaves it running" {
    make_bundle "$BUNDLE" sleep 100
    local pid
    vcreate
    vstart
    pid=$(state_field pid)
    run --separate-stderr vo start "$ID"
    [ "$status" -eq 1 ]
    [ -n "$stderr" ]
    [ "$(state_field status)" = running ]
    [ "$(state_field pid)" = "$pid" ]
    pids_alive "$pid"
    vo delete --force "$ID"
}

@test "start: of a stopped container fails with exit 1" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo start "$ID"
    [ "$status" -eq 1 ]
    [ -n "$stderr" ]
    [ "$(state_field status)" = stopped ]
    vo delete "$ID"
}

@test "start: the program runs once even when start is called twice" {
    make_bundle "$BUNDLE" sh -c 'echo ran >> /tmp/runs; sleep 100'
    bundle_writable "$BUNDLE"
    vcreate
    vstart
    run vo start "$ID"
    [ "$status" -ne 0 ]
    wait_for test -s "$BUNDLE/rootfs/tmp/runs"
    sleep 0.3
    [ "$(cat "$BUNDLE/rootfs/tmp/runs")" = ran ]
    vo delete --force "$ID"
}

@test "start: of an unknown ID fails with exit 1: container \"ID\" does not exist" {
    run --separate-stderr vo start "$ID"
    [ "$status" -eq 1 ]
    [[ $stderr == *"container \"$ID\" does not exist"* ]]
    [ -z "$output" ]
    [ ! -e "$ROOT/$ID" ]
}
