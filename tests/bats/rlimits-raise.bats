#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.rlimits above the runtime's own hard limit.  Raising a hard
# limit needs CAP_SYS_RESOURCE: root lacks it on our hosts, where the
# refusal is checked, and has it in the cgroup v2 VM (tests/vm/bats-files),
# where the raise is.  The runtime's limit is lowered first, so that the
# test does not depend on the host's own (or on fs.nr_open).

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

has_sys_resource() {
    local eff
    eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
    (((0x$eff >> $(cap_number CAP_SYS_RESOURCE)) & 1))
}

# vrun with the runtime's RLIMIT_NOFILE at 1024 soft, 2048 hard.
lowered_vrun() {
    (ulimit -Sn 1024 && ulimit -Hn 2048 && vrun)
}

@test "rlimits-raise: a hard limit above the runtime's own is raised with CAP_SYS_RESOURCE" {
    has_sys_resource || skip "root lacks CAP_SYS_RESOURCE here: no hard limit can be raised"
    make_bundle "$BUNDLE" sh -c 'ulimit -Sn; ulimit -Hn'
    bundle_jq "$BUNDLE" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 4096, hard: 8192}]'
    run --separate-stderr lowered_vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 4096 ]
    [ "${lines[1]}" = 8192 ]
}

@test "rlimits-raise: without CAP_SYS_RESOURCE the raise fails, naming the rlimit" {
    ! has_sys_resource || skip "root has CAP_SYS_RESOURCE here: the raise is allowed"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 4096, hard: 8192}]'
    run --separate-stderr lowered_vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'set RLIMIT_NOFILE to 4096 \(soft\) / 8192 \(hard\): Operation not permitted$'
}
