#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: --version, --help, global options, unknown input.

load helpers

setup() {
    voidoci_setup --unprivileged
}

teardown() {
    voidoci_teardown
}

@test "cli: --version lists voidoci, the OCI spec, yajl, libcap and libseccomp versions" {
    run --separate-stderr "$VOIDOCI" --version
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [[ ${lines[0]} =~ ^voidoci\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
    grep -Eq '^spec: [0-9]+\.[0-9]+\.[0-9]+' <<<"$output"
    grep -Eq '^yajl: [0-9]' <<<"$output"
    grep -Eq '^libcap: [0-9]' <<<"$output"
    grep -Eq '^libseccomp: [0-9]' <<<"$output"
}

@test "cli: --help exits 0 and names the run and spec commands" {
    run --separate-stderr "$VOIDOCI" --help
    [ "$status" -eq 0 ]
    [[ $output == *run* ]]
    [[ $output == *spec* ]]
    [[ $output == *--root* ]]
}

@test "cli: run --help exits 0 and describes --bundle and --pid-file" {
    run --separate-stderr "$VOIDOCI" run --help
    [ "$status" -eq 0 ]
    [[ $output == *--bundle* ]]
    [[ $output == *--pid-file* ]]
}

@test "cli: spec --help exits 0 and describes --bundle" {
    run --separate-stderr "$VOIDOCI" spec --help
    [ "$status" -eq 0 ]
    [[ $output == *--bundle* ]]
}

@test "cli: an unknown command exits non-zero with one error line naming it" {
    run --separate-stderr "$VOIDOCI" frobnicate
    [ "$status" -ne 0 ]
    assert_one_error_line 'frobnicate'
}

@test "cli: an unknown global option exits non-zero with one error line" {
    run --separate-stderr "$VOIDOCI" --no-such-option spec
    [ "$status" -ne 0 ]
    assert_one_error_line 'no-such-option'
}

@test "cli: an unknown run option exits non-zero with one error line" {
    run --separate-stderr "$VOIDOCI" --root "$ROOT" run --no-such-option x
    [ "$status" -ne 0 ]
    assert_one_error_line 'no-such-option'
}

@test "cli: --log-format accepts text and json and refuses anything else" {
    local dir=$BATS_TEST_TMPDIR/s
    mkdir "$dir"
    run "$VOIDOCI" --log-format json spec -b "$dir"
    [ "$status" -eq 0 ]
    rm "$dir/config.json"
    run "$VOIDOCI" --log-format text spec -b "$dir"
    [ "$status" -eq 0 ]
    rm "$dir/config.json"
    run --separate-stderr "$VOIDOCI" --log-format yaml spec -b "$dir"
    [ "$status" -ne 0 ]
    assert_one_error_line 'yaml'
    [ ! -e "$dir/config.json" ]
}

@test "cli: --debug and --root are accepted before any command" {
    local dir=$BATS_TEST_TMPDIR/s
    mkdir "$dir"
    run "$VOIDOCI" --debug --root "$ROOT" spec -b "$dir"
    [ "$status" -eq 0 ]
    [ -f "$dir/config.json" ]
}
