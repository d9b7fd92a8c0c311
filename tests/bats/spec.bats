#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci spec: writes a default config.json like `runc spec`.

load helpers

setup() {
    voidoci_setup --unprivileged
    DIR=$BATS_TEST_TMPDIR/specdir
    mkdir -p "$DIR"
}

teardown() {
    voidoci_teardown
}

@test "spec: -b DIR writes DIR/config.json, valid JSON running sh on a terminal" {
    run --separate-stderr "$VOIDOCI" spec -b "$DIR"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ -z "$stderr" ]
    jq -e '.process.args == ["sh"] and .process.terminal == true and .root.path == "rootfs"
        and (.ociVersion | test("^[0-9]+\\.[0-9]+\\.[0-9]+"))' "$DIR/config.json"
}

@test "spec: --bundle DIR is the long form of -b" {
    run "$VOIDOCI" spec --bundle "$DIR"
    [ "$status" -eq 0 ]
    jq -e . "$DIR/config.json" >/dev/null
}

@test "spec: without -b it writes config.json in the current directory" {
    run bash -c 'cd "$1" && "$2" spec' _ "$DIR" "$VOIDOCI"
    [ "$status" -eq 0 ]
    jq -e '.process.args == ["sh"]' "$DIR/config.json"
}

@test "spec: refuses to overwrite an existing config.json and leaves it as it was" {
    echo '{"mine": true}' >"$DIR/config.json"
    run --separate-stderr "$VOIDOCI" spec -b "$DIR"
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json'
    [ "$(cat "$DIR/config.json")" = '{"mine": true}' ]
}

@test "spec: a -b directory that does not exist is one error line" {
    run --separate-stderr "$VOIDOCI" spec -b "$DIR/missing"
    [ "$status" -ne 0 ]
    assert_one_error_line 'missing'
    [ ! -e "$DIR/missing" ]
}

@test "spec: the default config asks for new pid, network, ipc, uts and mount namespaces" {
    "$VOIDOCI" spec -b "$DIR"
    jq -e '[.linux.namespaces[].type] as $t
        | all("pid", "network", "ipc", "uts", "mount"; . as $n | $t | index($n) != null)
        and all(.linux.namespaces[]; has("path") | not)' "$DIR/config.json"
}

@test "spec: the default config equals runc's apart from ociVersion and hostname" {
    command -v runc >/dev/null || skip "this machine lacks runc to compare with"
    mkdir "$DIR/runc"
    runc spec -b "$DIR/runc"
    "$VOIDOCI" spec -b "$DIR"
    local filter='del(.ociVersion, .hostname)'
    run diff -u <(jq -S "$filter" "$DIR/runc/config.json") <(jq -S "$filter" "$DIR/config.json")
    [ "$status" -eq 0 ]
}

@test "spec: the written config.json, made non-interactive, runs with voidoci run" {
    [ "$(id -u)" = 0 ] || skip "this machine runs the tests as uid $(id -u): voidoci run needs root"
    make_bundle "$BUNDLE"
    bundle_set_args "$BUNDLE" sh -c 'echo ran'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
}
