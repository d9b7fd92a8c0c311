#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# --log FILE --log-format json for the lifecycle commands: one JSON object
# per line, {"level","msg","time"}, the real error as the last error line
# (containerd shows it; podman reads the file as one object, so a failed
# create writes exactly one line) -- and the same error as text on stderr.

load helpers

setup() {
    voidoci_setup
    LOG=$BATS_TEST_TMPDIR/log.json
}

teardown() {
    voidoci_teardown
}

# assert_one_json_error PATTERN: $LOG is exactly one line, a JSON object
# with level "error", an RFC 3339 time, and a msg matching the extended
# regex PATTERN; stderr matches PATTERN too.
assert_one_json_error() {
    if [ "$(grep -c '' "$LOG")" -ne 1 ]; then
        echo "want one line in the log, got:" >&2
        cat "$LOG" >&2
        return 1
    fi
    jq -e --arg re "$1" '.level == "error" and (.msg | test($re))
        and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"))' \
        "$LOG" || {
        echo "log line: $(cat "$LOG")" >&2
        return 1
    }
    date -d "$(jq -r .time "$LOG")" >/dev/null
    [ -z "$(tail -c 1 "$LOG")" ] # ends with a newline
    grep -Eq -- "$1" <<<"$stderr" || {
        echo "stderr does not say /$1/: $stderr" >&2
        return 1
    }
}

# run_create_logged: run_create with --log $LOG --log-format json.
run_create_logged() {
    local out=$BATS_TEST_TMPDIR/$ID.out err=$BATS_TEST_TMPDIR/$ID.err
    status=0
    vo --log "$LOG" --log-format json create --bundle "$BUNDLE" "$ID" \
        </dev/null >"$out" 2>"$err" 3>&- || status=$?
    output=$(cat "$out")
    stderr=$(cat "$err")
}

@test "log: a failing create writes one JSON error line naming the missing bundle, and says it on stderr" {
    BUNDLE=$BATS_TEST_TMPDIR/no-such-bundle run_create_logged
    [ "$status" -ne 0 ]
    assert_one_json_error no-such-bundle
    [ ! -e "$ROOT/$ID" ]
}

@test "log: create of an ID that exists logs 'already exists'" {
    make_bundle "$BUNDLE" sleep 100
    vcreate
    run_create_logged
    [ "$status" -ne 0 ]
    assert_one_json_error "already exists"
    vo delete --force "$ID"
}

@test "log: a failing createRuntime hook is the one error line of a failed create" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
    run_create_logged
    [ "$status" -ne 0 ]
    assert_one_json_error '[Hh]ook'
    [ ! -e "$ROOT/$ID" ]
}

@test "log: kill of a stopped container logs 'container not running'" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo --log "$LOG" --log-format json kill "$ID" 9
    [ "$status" -eq 1 ]
    assert_one_json_error "container not running"
    vo delete "$ID"
}

@test "log: delete of a missing container logs 'does not exist'" {
    run --separate-stderr vo --log "$LOG" --log-format json delete "$ID"
    [ "$status" -eq 1 ]
    assert_one_json_error "does not exist"
}

@test "log: start of a running container logs one error line" {
    make_bundle "$BUNDLE" sleep 100
    vcreate
    vstart
    run --separate-stderr vo --log "$LOG" --log-format json start "$ID"
    [ "$status" -eq 1 ]
    assert_one_json_error "."
    vo delete --force "$ID"
}

@test "log: a create, start, kill and delete that succeed log no error" {
    make_bundle "$BUNDLE" sleep 100
    vo --log "$LOG" --log-format json create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
    vo --log "$LOG" --log-format json start "$ID"
    vo --log "$LOG" --log-format json kill "$ID" KILL
    wait_status stopped
    vo --log "$LOG" --log-format json delete "$ID"
    local line
    if [ -e "$LOG" ]; then
        while IFS= read -r line; do
            jq -e '.level != "error"' <<<"$line"
        done <"$LOG"
    fi
}
