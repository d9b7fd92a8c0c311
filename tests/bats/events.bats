#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# events: the container's cgroup statistics as runc's JSON event lines
# (--stats once, or streamed every --interval), and an oom event for each
# OOM kill, until the container stops.

load helpers

setup() {
    voidoci_setup
    [ -d /sys/fs/cgroup ] || skip "this machine has no /sys/fs/cgroup"
}

teardown() {
    voidoci_teardown
}

# lines_at_least N FILE: FILE has N lines or more.
lines_at_least() {
    [ "$(grep -c '' "$2")" -ge "$1" ]
}

# A started container running `sleep`, with `FILTER` applied to its config.
start_sleeper() {
    make_bundle "$BUNDLE" sleep 1000
    [ -z "${1-}" ] || bundle_jq "$BUNDLE" "$1"
    vcreate
    vstart
}

@test "events --stats prints one runc-style stats event with memory, pids and cpu" {
    start_sleeper '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
    run --separate-stderr vo events --stats "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '' <<<"$output")" -eq 1 ]
    jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$output"
    jq -e '.data.memory.usage.usage > 0' <<<"$output"
    jq -e '.data.memory.usage.limit == 67108864' <<<"$output"
    jq -e '.data.memory.raw | type == "object" and length > 0' <<<"$output"
    jq -e '.data.pids.current >= 1 and .data.pids.limit == 50' <<<"$output"
    jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage | has("kernel") and has("user"))' <<<"$output"
    jq -e '.data.cpu.throttling | type == "object"' <<<"$output"
    jq -e '(.data.blkio | type == "object") and (.data.hugetlb | type == "object")' <<<"$output"
    vo delete --force "$ID"
}

@test "events --stats follows an update: the new limits are what it reports" {
    start_sleeper '.linux.resources.pids = {"limit": 50}'
    vo update --pids-limit 40 --memory 48m "$ID"
    run --separate-stderr vo events --stats "$ID"
    [ "$status" -eq 0 ]
    jq -e '.data.pids.limit == 40 and .data.memory.usage.limit == 50331648' <<<"$output"
    vo delete --force "$ID"
}

@test "events streams stats every --interval and ends with the container" {
    start_sleeper
    local out=$BATS_TEST_TMPDIR/events.out
    bg vo events --interval 200ms "$ID" >"$out"
    local events_pid=$BG_PID
    wait_for lines_at_least 3 "$out"
    vo kill "$ID" KILL
    wait_status stopped
    # It exits 0 by itself once the init is gone.
    local st=0
    wait_for pids_gone "$events_pid"
    wait "$events_pid" || st=$?
    [ "$st" -eq 0 ]
    # Every line is a stats event of this container.
    jq -e --arg id "$ID" -s 'length >= 3 and all(.type == "stats" and .id == $id)' <"$out"
    vo delete "$ID"
}

@test "events reports an oom event when a process allocates past the memory limit" {
    make_bundle "$BUNDLE" sh -c 'awk "BEGIN { s = \"xxxxxxxxxxxxxxxx\"; while (1) s = s s }"; sleep 1000'
    bundle_jq "$BUNDLE" '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
    vcreate
    local out=$BATS_TEST_TMPDIR/events.out
    # A long interval: the oom event must not wait for the next stats.
    bg vo events --interval 1m "$ID" >"$out"
    wait_for test -s "$out"
    vstart
    wait_for grep -q '"type":"oom"' "$out"
    cat "$out"
    jq -e --arg id "$ID" -s 'map(select(.type == "oom")) | length >= 1 and all(.id == $id and (has("data") | not))' <"$out"
    # The shell survived its awk: the container still runs.
    [ "$(state_field status)" = running ]
    vo delete --force "$ID"
    # events ends by itself once the container is gone (not at teardown's
    # kill, which would leave its children: the check for leaks raced it).
    wait_for pids_gone "$BG_PID"
}

@test "events of a stopped or unknown container fails" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo events --stats "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "events \"$ID\": container not running: stopped"
    vo delete "$ID"
    run --separate-stderr vo events "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "events \"$ID\": container \"$ID\" does not exist"
}

@test "events --interval takes Go durations and refuses others" {
    run --separate-stderr vo events --interval 5 "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line 'events: --interval: expected a positive duration such as 5s or 500ms, not "5"'
    run --separate-stderr vo events --interval 0s "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line 'events: --interval: expected a positive duration'
}
