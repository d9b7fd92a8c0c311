#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.intelRdt: read whole and checked, then refused: without a mounted
# resctrl the spec requires an error, and with one this build has no
# resctrl writes yet.  Either way it is never dropped.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

resctrl_mounted() {
    [ "$(stat -f -c %t /sys/fs/resctrl 2>/dev/null)" = 7655821 ]
}

@test "intelrdt: linux.intelRdt is refused, naming why (resctrl missing, or not built in)" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.intelRdt = {"closID": "guaranteed", "l3CacheSchema": "L3:0=7f0",
        "memBwSchema": "MB:0=20", "schemata": ["L2:0=f"], "enableMonitoring": true}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    if resctrl_mounted; then
        assert_one_error_line 'config\.json: linux\.intelRdt: not supported by this build yet$'
    else
        assert_one_error_line 'config\.json: linux\.intelRdt: resctrl is not mounted at /sys/fs/resctrl$'
    fi
}

@test "intelrdt: an empty linux.intelRdt object is refused too" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.intelRdt = {}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.intelRdt: '
}

@test "intelrdt: bad linux.intelRdt members are refused with their JSON path" {
    make_bundle "$BUNDLE" true
    local -a cases=(
        '.linux.intelRdt = "x"'
        'linux\.intelRdt: expected an object$'
        '.linux.intelRdt = {"closID": 5}'
        'linux\.intelRdt\.closID: expected a string$'
        '.linux.intelRdt = {"closID": "a/b"}'
        'linux\.intelRdt\.closID: not a resctrl group name "a/b"$'
        '.linux.intelRdt = {"closID": ".."}'
        'linux\.intelRdt\.closID: not a resctrl group name "\.\."$'
        '.linux.intelRdt = {"l3CacheSchema": "L3:0=1\nMB:0=2"}'
        'linux\.intelRdt\.l3CacheSchema: must be one line$'
        '.linux.intelRdt = {"memBwSchema": "L3:0=1"}'
        'linux\.intelRdt\.memBwSchema: must start with "MB:"$'
        '.linux.intelRdt = {"schemata": "L3:0=1"}'
        'linux\.intelRdt\.schemata: expected an array$'
        '.linux.intelRdt = {"schemata": [1]}'
        'linux\.intelRdt\.schemata\[0\]: expected a string$'
        '.linux.intelRdt = {"enableMonitoring": "yes"}'
        'linux\.intelRdt\.enableMonitoring: expected a boolean$'
    )
    # (Not `i`: bats' `run` uses that name.)
    local k
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
    for ((k = 0; k < ${#cases[@]}; k += 2)); do
        cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
        bundle_jq "$BUNDLE" "${cases[k]}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${cases[k + 1]}"
    done
}
