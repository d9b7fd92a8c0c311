#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# How voidoci run fails: one line on stderr starting "voidoci: ", a non-zero
# exit, JSON problems named by their JSON path, and nothing left behind (the
# teardown checks that for every test).

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

@test "errors: a missing bundle directory is one error line naming it" {
    run --separate-stderr vo run -b "$BATS_TEST_TMPDIR/no-such-bundle" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": .*no-such-bundle"
}

@test "errors: a bundle without config.json is one error line naming config.json" {
    make_bundle "$BUNDLE" true
    rm "$BUNDLE/config.json"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": .*config\.json"
}

@test "errors: malformed JSON in config.json is one error line starting with config.json" {
    make_bundle "$BUNDLE" true
    printf '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": config\.json: "
}

@test "errors: process.args[0] of the wrong type names its JSON path" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.args = [42]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line
    [ "$stderr" = "voidoci: run \"$ID\": config.json: process.args[0]: expected a string" ]
}

@test "errors: process.args that is not an array names process.args" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.args = "sh"'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": config\.json: process\.args: "
}

@test "errors: an empty process.args names process.args" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.args = []'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": config\.json: process\.args: "
}

@test "errors: a wrong type deep inside names the whole path (process.rlimits[0].hard)" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 10, hard: "many"}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": config\.json: process\.rlimits\[0\]\.hard: "
}

@test "errors: an unknown capability names its JSON path" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.capabilities.bounding = ["CAP_CHOWN", "CAP_NO_SUCH_THING"]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": config\.json: process\.capabilities\.bounding\[1\]: .*CAP_NO_SUCH_THING"
}

@test "errors: a missing rootfs is one error line naming the rootfs" {
    make_bundle "$BUNDLE" true
    rm -rf "$BUNDLE/rootfs"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": .*rootfs"
}

@test "errors: a program missing from the rootfs says 'no such file or directory'" {
    # podman maps this text to exit code 127.
    make_bundle "$BUNDLE" /bin/no-such-program
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": "
    [[ ${stderr,,} == *"no such file or directory"* ]]
}

@test "errors: a program not in PATH says 'executable file not found in \$PATH'" {
    make_bundle "$BUNDLE" no-such-program
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": "
    [[ $stderr == *'executable file not found in $PATH'* ]]
}

@test "errors: a failure inside the new container (rlimit above the hard limit) is reported once and cleaned up" {
    local host_hard
    host_hard=$(ulimit -Hn)
    [ "$host_hard" != unlimited ] || skip "this machine has no hard RLIMIT_NOFILE to exceed"
    local eff
    eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
    if (((16#$eff >> $(cap_number CAP_SYS_RESOURCE)) & 1)); then
        skip "this machine runs the tests with CAP_SYS_RESOURCE: any hard limit can be raised"
    fi
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: $h, hard: $h}]' \
        --argjson h $((host_hard + 1000))
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": .*RLIMIT_NOFILE"
}

@test "errors: a container ID with '/' is refused" {
    make_bundle "$BUNDLE" true
    run --separate-stderr vo run -b "$BUNDLE" "a/b"
    [ "$status" -ne 0 ]
    assert_one_error_line
    [ ! -e "$ROOT/a" ]
}

@test "errors: a container ID of '..' is refused" {
    make_bundle "$BUNDLE" true
    run --separate-stderr vo run -b "$BUNDLE" ..
    [ "$status" -ne 0 ]
    assert_one_error_line
}

@test "errors: an empty container ID is refused" {
    make_bundle "$BUNDLE" true
    run --separate-stderr vo run -b "$BUNDLE" ""
    [ "$status" -ne 0 ]
    assert_one_error_line
}

@test "errors: run without a container ID is refused" {
    make_bundle "$BUNDLE" true
    run --separate-stderr vo run -b "$BUNDLE"
    [ "$status" -ne 0 ]
    assert_one_error_line
}

@test "errors: running an ID that is already running says 'already exists' and leaves the first alone" {
    make_bundle "$BUNDLE" sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo first done'
    local bg rc=0 out=$BATS_TEST_TMPDIR/first.out
    vrun >"$out" 3>&- &
    bg=$!
    wait_for test -d "$ROOT/$ID"

    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: run \"$ID\": .*already exists"
    # The failed second run must not have taken the first one's state away.
    [ -d "$ROOT/$ID" ]

    touch "$BUNDLE/rootfs/tmp/go"
    wait "$bg" || rc=$?
    [ "$rc" -eq 0 ]
    [ "$(cat "$out")" = "first done" ]
}

@test "errors: with --log FILE --log-format json each failure appends one JSON error line" {
    local log=$BATS_TEST_TMPDIR/log.json line
    run --separate-stderr vo --log "$log" --log-format json run -b "$BATS_TEST_TMPDIR/no-such-bundle" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line
    [ "$(grep -c '' "$log")" -eq 1 ]
    # containerd appends every call's errors to one file and reads it line
    # by line: a second failure must make a second, separate line.
    run --separate-stderr vo --log "$log" --log-format json run -b "$BATS_TEST_TMPDIR/no-such-bundle" "$ID"
    [ "$status" -ne 0 ]
    [ "$(grep -c '' "$log")" -eq 2 ]
    [ -z "$(tail -c 1 "$log")" ] # ends with a newline
    while IFS= read -r line; do
        jq -e '.level == "error" and (.msg | test("no-such-bundle"))
            and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"))' <<<"$line"
    done <"$log"
}

@test "errors: with --log FILE (text) a failure is appended to the file as text" {
    local log=$BATS_TEST_TMPDIR/log.txt
    run --separate-stderr vo --log "$log" run -b "$BATS_TEST_TMPDIR/no-such-bundle" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line
    grep -q 'no-such-bundle' "$log"
}
