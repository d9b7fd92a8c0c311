#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.intelRdt: a resctrl group (libvoid/resctrl.c).  Without a mounted
# resctrl the spec requires an error; with one the container's init is in
# the group's tasks, its schemata written (a group made here) or compared
# (a group found), and its monitoring group made.  The logic is also
# unit-tested against a stand-in directory (tests/unit/test_resctrl.c);
# the tests below that need the kernel's resctrl skip where it is absent
# (no Intel RDT or AMD PQoS, or resctrl not mounted).

load helpers

RESCTRL=/sys/fs/resctrl

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
    # The groups these tests make by hand (the runtime's own are checked).
    if resctrl_mounted; then
        rmdir "$RESCTRL/vt-gold-$$" 2>/dev/null || true
    fi
}

resctrl_mounted() {
    [ "$(stat -f -c %t "$RESCTRL" 2>/dev/null)" = 7655821 ]
}

need_resctrl() {
    resctrl_mounted || skip "no resctrl filesystem at $RESCTRL (the CPU has no Intel RDT/AMD PQoS, or it is not mounted)"
}

# The first line of the root group's schemata, trimmed: a value the host
# accepts for a new group ("L3:0=fff;1=fff").
default_schema_line() {
    sed -n '1{s/^ *//;s/=  */=/g;s/; */;/g;p}' "$RESCTRL/schemata"
}

@test "intelrdt: without resctrl, linux.intelRdt is refused naming why, and nothing is left" {
    ! resctrl_mounted || skip "resctrl is mounted here"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.intelRdt = {"closID": "guaranteed", "l3CacheSchema": "L3:0=7f0",
        "memBwSchema": "MB:0=20", "schemata": ["L2:0=f"], "enableMonitoring": true}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.intelRdt: resctrl is not mounted at /sys/fs/resctrl$'
    # An empty object asks for the container's own group: the same error.
    bundle_jq "$BUNDLE" '.linux.intelRdt = {}'
    run_create
    [ "$status" -ne 0 ]
    [[ "$stderr" == *'linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl' ]]
    run vo state "$ID"
    [ "$status" -ne 0 ]
}

@test "intelrdt: the container's own group holds its init, and goes with delete" {
    need_resctrl
    make_bundle "$BUNDLE" sleep 60
    bundle_jq "$BUNDLE" '.linux.intelRdt = {}'
    vcreate
    local pid
    pid=$(state_field pid)
    [ -d "$RESCTRL/$ID" ]
    grep -qx "$pid" "$RESCTRL/$ID/tasks"
    vo delete --force "$ID"
    [ ! -e "$RESCTRL/$ID" ]
}

@test "intelrdt: schemata are written to a group made for the container" {
    need_resctrl
    local line
    line=$(default_schema_line)
    [ -n "$line" ]
    make_bundle "$BUNDLE" sleep 60
    bundle_jq "$BUNDLE" '.linux.intelRdt = {"schemata": [$l]}' --arg l "$line"
    vcreate
    local res=${line%%:*} want got
    want=$(echo "${line#*:}" | tr ';' '\n' | sed 's/=0*/=/' | sort)
    got=$(sed -n "s/^ *$res:\(.*\)/\1/p" "$RESCTRL/$ID/schemata" | tr ';' '\n' |
        sed 's/= */=/;s/=0*/=/' | sort)
    [ "$want" = "$got" ]
    vo delete --force "$ID"
    [ ! -e "$RESCTRL/$ID" ]
}

@test "intelrdt: a closID group that exists is joined, compared, and kept after delete" {
    need_resctrl
    local group=vt-gold-$$ line
    line=$(default_schema_line)
    mkdir "$RESCTRL/$group"
    make_bundle "$BUNDLE" sleep 60
    bundle_jq "$BUNDLE" '.linux.intelRdt = {"closID": $g}' --arg g "$group"
    vcreate
    grep -qx "$(state_field pid)" "$RESCTRL/$group/tasks"
    vo delete --force "$ID"
    [ -d "$RESCTRL/$group" ]
    # Schemata that differ from the group's are an error.
    local res=${line%%:*} dom
    dom=$(echo "${line#*:}" | cut -d= -f1)
    bundle_jq "$BUNDLE" '.linux.intelRdt = {"closID": $g, "schemata": [$l]}' \
        --arg g "$group" --arg l "$res:$dom=1"
    run_create
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"linux.intelRdt: resctrl group \"$RESCTRL/$group\" exists with other schemata: $res:$dom=1 asked for"* ]]
    [ -d "$RESCTRL/$group" ]
}

@test "intelrdt: a closID without schemata must name a group that exists" {
    need_resctrl
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.intelRdt = {"closID": "vt-none-\($p)"}' --argjson p $$
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "config\\.json: linux\\.intelRdt: resctrl group \"$RESCTRL/vt-none-$$\" does not exist"
    [ ! -e "$RESCTRL/vt-none-$$" ]
}

@test "intelrdt: enableMonitoring makes a monitoring group for the container; exec joins it" {
    need_resctrl
    [ -d "$RESCTRL/mon_groups" ] || skip "resctrl here has no monitoring (no mon_groups)"
    make_bundle "$BUNDLE" sleep 60
    bundle_jq "$BUNDLE" '.linux.intelRdt = {"enableMonitoring": true}'
    vcreate
    local mon=$RESCTRL/$ID/mon_groups/$ID
    grep -qx "$(state_field pid)" "$mon/tasks"
    vstart
    vo exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 30
    grep -qx "$(cat "$BATS_TEST_TMPDIR/exec.pid")" "$mon/tasks"
    vo delete --force "$ID"
    [ ! -e "$mon" ] && [ ! -e "$RESCTRL/$ID" ]
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
