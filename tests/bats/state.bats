#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci state: the runtime-spec state object (ociVersion, id, status, pid,
# bundle, annotations) plus runc's rootfs, created and owner; the status is
# read from the process, not from what the state directory remembers.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

@test "state: a created container has every field, pid = the pid file's, bundle and rootfs absolute" {
    make_bundle "$BUNDLE" sleep 100
    local json
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    run --separate-stderr vo state "$ID"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    json=$output
    jq -e . <<<"$json" >/dev/null
    jq -e --arg id "$ID" --arg b "$BUNDLE" --argjson pid "$(cat "$BATS_TEST_TMPDIR/pid")" '
        (.ociVersion | type == "string" and length > 0)
        and .id == $id and .status == "created" and .pid == $pid
        and .bundle == $b and .rootfs == ($b + "/rootfs")
        and (.created | type == "string") and (.owner | type == "string")' <<<"$json"
    vo delete --force "$ID"
}

@test "state: created is the RFC 3339 UTC time of the create" {
    make_bundle "$BUNDLE" sleep 100
    local before after created secs
    before=$(date -u +%s)
    vcreate
    after=$(date -u +%s)
    created=$(state_field created)
    [[ $created =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
    secs=$(date -u -d "$created" +%s)
    [ "$secs" -ge $((before - 1)) ]
    [ "$secs" -le $((after + 1)) ]
    vo delete --force "$ID"
}

@test "state: a relative --bundle is stored absolute" {
    make_bundle "$BUNDLE" sleep 100
    (cd "$BATS_TEST_TMPDIR" && VOIDOCI_TEST_MARK=$ID timeout 60 "$VOIDOCI" --root "$ROOT" \
        create -b bundle "$ID" </dev/null >/dev/null 2>&1 3>&-)
    [ "$(state_field bundle)" = "$BUNDLE" ]
    [ "$(state_field rootfs)" = "$BUNDLE/rootfs" ]
    vo delete --force "$ID"
}

@test "state: annotations from config.json are in the state" {
    make_bundle "$BUNDLE" sleep 100
    bundle_jq "$BUNDLE" '.annotations = {"org.example.key": "value", "com.example.other": "2"}'
    vcreate
    vo state "$ID" | jq -e '.annotations == {"org.example.key": "value", "com.example.other": "2"}'
    vo delete --force "$ID"
}

@test "state: created, then running after start, then stopped once the program exits" {
    make_bundle "$BUNDLE" sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done'
    bundle_writable "$BUNDLE"
    local pid
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    [ "$(state_field status)" = created ]
    [ "$(state_field pid)" = "$pid" ]
    vstart
    [ "$(state_field status)" = running ]
    [ "$(state_field pid)" = "$pid" ]
    touch "$BUNDLE/rootfs/tmp/go"
    wait_status stopped
    vo delete "$ID"
}

@test "state: a container whose init was killed behind the runtime's back reads stopped" {
    make_bundle "$BUNDLE" sleep 100
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    vstart
    kill -KILL "$(cat "$BATS_TEST_TMPDIR/pid")"
    wait_status stopped
    vo delete "$ID"
}

@test "state: a created container whose init was killed reads stopped" {
    make_bundle "$BUNDLE" sleep 100
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    kill -KILL "$(cat "$BATS_TEST_TMPDIR/pid")"
    wait_status stopped
    vo delete "$ID"
}

@test "state: a reused pid reads stopped, and neither kill nor delete --force signals the process that reuses it" {
    make_bundle "$BUNDLE" sleep 100
    local init other state=$ROOT/$ID/state.json
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    init=$(cat "$BATS_TEST_TMPDIR/pid")
    if ! jq -e '.pid | type == "number"' "$state" >/dev/null 2>&1; then
        vo delete --force "$ID"
        skip "this runtime's state.json keeps the pid elsewhere: cannot fake a reused pid"
    fi
    # Make the recorded pid another live process, as if the init had died
    # and its pid been reused: the recorded start time no longer matches.
    bg sleep 1000
    other=$BG_PID
    jq --argjson p "$other" '.pid = $p' "$state" >"$state.new"
    chmod 600 "$state.new"
    mv "$state.new" "$state"
    [ "$(state_field status)" = stopped ]
    run --separate-stderr vo kill "$ID" KILL
    [ "$status" -eq 1 ]
    [[ $stderr == *"container not running"* ]]
    pids_alive "$other"
    # delete --force signals through the container's cgroup, never the
    # recorded pid: the real init goes, the process that has its pid stays.
    vo delete --force "$ID"
    pids_alive "$other"
    wait_for pids_gone "$init"
    [ ! -e "$ROOT/$ID" ]
}

@test "state: of an unknown ID fails with exit 1: container \"ID\" does not exist" {
    run --separate-stderr vo state "$ID"
    [ "$status" -eq 1 ]
    [[ $stderr == *"container \"$ID\" does not exist"* ]]
    [ -z "$output" ]
}
