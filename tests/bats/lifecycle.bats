#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole lifecycle of runtime.md -- create, start, the program exits,
# delete -- and the call sequences podman and containerd use (CLIENTS.md),
# each leaving nothing behind.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# assert_no_error_logged LOG: no line of the JSON log LOG is an error.
assert_no_error_logged() {
    local line
    [ -e "$1" ] || return 0
    while IFS= read -r line; do
        jq -e '.level != "error"' <<<"$line" >/dev/null || {
            echo "error logged: $line" >&2
            return 1
        }
    done <"$1"
}

@test "lifecycle: create -> created (init pid) -> start -> running -> exit -> stopped -> delete -> gone" {
    make_bundle "$BUNDLE" sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo bye'
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
    [ "$(ctr_output)" = bye ]
    vo delete "$ID"
    [ ! -e "$ROOT/$ID" ]
    run vo state "$ID"
    [ "$status" -ne 0 ]
    pids_gone "$pid"
    check_nothing_left_behind
    [ -z "$(ls -A "$ROOT")" ]
}

@test "lifecycle: the same ID can be created again once deleted" {
    make_bundle "$BUNDLE" sleep 100
    local first
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    first=$(cat "$BATS_TEST_TMPDIR/pid")
    vo delete --force "$ID"
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" != "$first" ]
    [ "$(state_field status)" = created ]
    vo delete --force "$ID"
}

@test "lifecycle: run --detach returns at once with the container running; kill and delete work" {
    make_bundle "$BUNDLE" sleep 100
    local t0 t1
    t0=$(date +%s%N)
    vo run --detach --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" \
        </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&-
    t1=$(date +%s%N)
    [ $(((t1 - t0) / 1000000)) -lt 5000 ]
    [ ! -s "$BATS_TEST_TMPDIR/out" ]
    [ "$(state_field status)" = running ]
    [ "$(state_field pid)" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
    vo kill "$ID" KILL
    wait_status stopped
    vo delete "$ID"
    [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: run --detach keeps the runtime's stdout for the container" {
    make_bundle "$BUNDLE" echo detached hello
    vo run --detach --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&-
    wait_status stopped
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = "detached hello" ]
    vo delete "$ID"
}

@test "lifecycle: podman's calls (create --log json --pid-file, start, kill 15, kill 9, delete --force without PATH)" {
    make_bundle "$BUNDLE" sleep 100
    local log=$BATS_TEST_TMPDIR/oci-log pid
    vo --log-format=json --log "$log" create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" \
        </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&-
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    vo start "$ID"
    # sleep is PID 1 of its pid namespace: TERM without a handler does nothing.
    vo kill "$ID" 15
    [ "$(state_field status)" = running ]
    vo kill "$ID" 9
    wait_status stopped
    VOIDOCI_TEST_MARK=$ID timeout 60 env -u PATH "$VOIDOCI" --root "$ROOT" delete --force "$ID"
    [ ! -e "$ROOT/$ID" ]
    pids_gone "$pid"
    # A successful run logs no error.
    assert_no_error_logged "$log"
}

@test "lifecycle: containerd's calls (--log json create in the bundle, start, ps, kill, delete, delete --force)" {
    make_bundle "$BUNDLE" sleep 100
    local log=$BUNDLE/log.json pid
    (cd "$BUNDLE" && vo --log "$log" --log-format json create --bundle "$BUNDLE" \
        --pid-file "$BUNDLE/init.pid" "$ID" </dev/null >/dev/null 2>&1 3>&-)
    pid=$(cat "$BUNDLE/init.pid")
    (cd "$BUNDLE" && vo --log "$log" --log-format json start "$ID")
    [ "$(vo --log "$log" --log-format json ps --format json "$ID" | jq -c 'map(select(. == '"$pid"')) | length')" = 1 ]
    vo --log "$log" --log-format json kill "$ID" 9
    wait_status stopped
    vo --log "$log" --log-format json delete "$ID"
    # The shim's cleanup deletes again: a missing container is fine for --force.
    vo --log "$log" --log-format json delete --force "$ID"
    [ ! -e "$ROOT/$ID" ]
    assert_no_error_logged "$log"
}

@test "lifecycle: a create + start + delete cycle leaves no process, mount or file behind" {
    make_bundle "$BUNDLE" sh -c 'sleep 100 & sleep 100'
    vcreate
    vstart
    vo delete --force "$ID"
    check_nothing_left_behind
    [ -z "$(ls -A "$ROOT")" ]
}
