#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# update: new resource limits for a live container, from a LinuxResources
# JSON (--resources FILE or -, what podman and containerd send) and from
# runc's flags, written into the cgroup files and felt by the container.

load helpers

setup() {
    voidoci_setup
    [ -d /sys/fs/cgroup ] || skip "this machine has no /sys/fs/cgroup"
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        LAYOUT=v2
    else
        LAYOUT=v1 # v1 or hybrid: memory, cpu and pids are v1 controllers
    fi
}

teardown() {
    voidoci_teardown
}

# cg_file CONTROLLER FILE-V1 FILE-V2: the path of the container's file of
# the layout, from /proc/PID/cgroup (not from what voidoci recorded).
cg_file() {
    local ctl=$1 path
    if [ "$LAYOUT" = v2 ]; then
        echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$PID/cgroup")/$3"
        return
    fi
    path=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
        "/proc/$PID/cgroup")
    echo "/sys/fs/cgroup/$ctl$path/$2"
}

cg_cat() {
    cat "$(cg_file "$@")"
}

# A created container running `sleep`, with `FILTER` applied to its config.
create_sleeper() {
    make_bundle "$BUNDLE" sleep 1000
    [ -z "${1-}" ] || bundle_jq "$BUNDLE" "$1"
    vcreate
    PID=$(state_field pid)
}

@test "update: --memory and --memory-swap are written, lowered and raised (runc's order)" {
    create_sleeper '.linux.resources.memory = {"limit": 67108864, "swap": 134217728}'
    vo update --memory 32m --memory-swap 64m "$ID"
    [ "$(cg_cat memory memory.limit_in_bytes memory.max)" = 33554432 ]
    if [ "$LAYOUT" = v1 ]; then
        [ "$(cg_cat memory memory.memsw.limit_in_bytes -)" = 67108864 ]
    fi
    # Raised past the old memsw: memsw must go first or the kernel refuses.
    vo update --memory 256MiB --memory-swap 512m "$ID"
    [ "$(cg_cat memory memory.limit_in_bytes memory.max)" = 268435456 ]
    if [ "$LAYOUT" = v1 ]; then
        [ "$(cg_cat memory memory.memsw.limit_in_bytes -)" = 536870912 ]
    fi
    vo delete --force "$ID"
}

@test "update: --resources - reads a LinuxResources object on stdin (containerd)" {
    create_sleeper
    echo '{"cpu": {"quota": 20000, "period": 100000, "shares": 256}, "pids": {"limit": 20}}' |
        vo update --resources - "$ID"
    if [ "$LAYOUT" = v2 ]; then
        [ "$(cg_cat cpu - cpu.max)" = "20000 100000" ]
    else
        [ "$(cg_cat cpu cpu.cfs_quota_us -)" = 20000 ]
        [ "$(cg_cat cpu cpu.cfs_period_us -)" = 100000 ]
        [ "$(cg_cat cpu cpu.shares -)" = 256 ]
    fi
    [ "$(cg_cat pids pids.max pids.max)" = 20 ]
    vo delete --force "$ID"
}

@test "update: --cpu-quota alone keeps the period, --cpu-period alone keeps the quota" {
    create_sleeper '.linux.resources.cpu = {"quota": 30000, "period": 200000}'
    vo update --cpu-quota 40000 "$ID"
    vo update --cpu-period 300000 "$ID"
    if [ "$LAYOUT" = v2 ]; then
        [ "$(cg_cat cpu - cpu.max)" = "40000 300000" ]
    else
        [ "$(cg_cat cpu cpu.cfs_quota_us -)" = 40000 ]
        [ "$(cg_cat cpu cpu.cfs_period_us -)" = 300000 ]
    fi
    vo update --cpu-quota -1 "$ID"
    if [ "$LAYOUT" = v2 ]; then
        [ "$(cg_cat cpu - cpu.max)" = "max 300000" ]
    else
        [ "$(cg_cat cpu cpu.cfs_quota_us -)" = -1 ]
    fi
    vo delete --force "$ID"
}

@test "update: a flag overrides the --resources file's value (podman's --resources=FILE)" {
    create_sleeper
    echo '{"memory": {"limit": 50331648}, "pids": {"limit": 20}}' >"$BATS_TEST_TMPDIR/res.json"
    vo update --resources="$BATS_TEST_TMPDIR/res.json" --pids-limit 30 "$ID"
    [ "$(cg_cat pids pids.max pids.max)" = 30 ]
    [ "$(cg_cat memory memory.limit_in_bytes memory.max)" = 50331648 ]
    vo delete --force "$ID"
}

@test "update: a bad value names its JSON path and changes nothing" {
    create_sleeper '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 10}'
    echo '{"memory": {"limit": 33554432}, "pids": {"limit": "many"}}' >"$BATS_TEST_TMPDIR/res.json"
    run --separate-stderr vo update -r "$BATS_TEST_TMPDIR/res.json" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "update \"$ID\": --resources .*res.json: pids.limit: expected an integer"
    # Checked before anything was written: the memory limit is the old one.
    [ "$(cg_cat memory memory.limit_in_bytes memory.max)" = 67108864 ]
    [ "$(cg_cat pids pids.max pids.max)" = 10 ]

    run --separate-stderr vo update -r - "$ID" <<<'{"memory": {"limit": 1'
    [ "$status" -ne 0 ]
    assert_one_error_line 'resources -: invalid JSON'

    run --separate-stderr vo update --blkio-weight 5 "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line '--blkio-weight 5: blockIO.weight: must be 0 or between 10 and 1000'

    run --separate-stderr vo update --memory 12zb "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line '--memory 12zb: expected a size'

    run --separate-stderr vo update --memory 64m --memory-swap 32m "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line 'memory.swap: must not be below memory.limit'
    [ "$(cg_cat memory memory.limit_in_bytes memory.max)" = 67108864 ]
    vo delete --force "$ID"
}

@test "update: a memory limit under the current usage is refused with the usage (v1)" {
    [ "$LAYOUT" = v1 ] || skip "cgroup v2 reclaims instead of refusing (memory.max has no EBUSY)"
    create_sleeper '.linux.resources.memory = {"limit": 67108864}'
    run --separate-stderr vo update --memory 4k "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line 'memory.limit: unable to set memory limit to 4096 \(current usage: [0-9]+, peak usage: [0-9]+\)'
    [ "$(cg_cat memory memory.limit_in_bytes -)" = 67108864 ]
    vo delete --force "$ID"
}

@test "update: checkBeforeUpdate refuses a limit under the current usage, on v1 and v2" {
    create_sleeper '.linux.resources.memory = {"limit": 67108864}'
    run --separate-stderr vo update --resources - "$ID" \
        <<<'{"memory": {"limit": 4096, "checkBeforeUpdate": true}}'
    [ "$status" -ne 0 ]
    assert_one_error_line 'memory\.limit: unable to set memory limit to 4096: under the current usage [0-9]+ \(checkBeforeUpdate\)$'
    [ "$(cg_cat memory memory.limit_in_bytes memory.max)" = 67108864 ]
    # Over the usage it goes through.
    echo '{"memory": {"limit": 33554432, "checkBeforeUpdate": true}}' | vo update --resources - "$ID"
    [ "$(cg_cat memory memory.limit_in_bytes memory.max)" = 33554432 ]
    vo delete --force "$ID"
}

@test "update: --kernel-memory is ignored with a warning, as runc 1.1 does" {
    create_sleeper
    run --separate-stderr vo update --kernel-memory 5m --pids-limit 15 "$ID"
    [ "$status" -eq 0 ]
    [[ $stderr == *"--kernel-memory is ignored"* ]]
    [ "$(cg_cat pids pids.max pids.max)" = 15 ]
    vo delete --force "$ID"
}

@test "update --resources: memory.kernel is ignored with a warning, the rest applied" {
    create_sleeper
    echo '{"memory": {"kernel": 5242880}, "pids": {"limit": 15}}' >"$BATS_TEST_TMPDIR/r.json"
    run --separate-stderr vo update --resources "$BATS_TEST_TMPDIR/r.json" "$ID"
    [ "$status" -eq 0 ]
    [[ $stderr == *"memory.kernel is ignored"* ]]
    [ "$(cg_cat pids pids.max pids.max)" = 15 ]
    vo delete --force "$ID"
}

@test "update of a stopped container fails" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo update --pids-limit 5 "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "update \"$ID\": container not running: stopped"
    vo delete "$ID"
}

@test "update of an unknown container fails" {
    run --separate-stderr vo update --pids-limit 5 "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "update \"$ID\": container \"$ID\" does not exist"
}

@test "update: a lowered pids limit stops further forks, a raised one lets them through" {
    # Each /tmp/go makes the init fork a subshell that forks `sleep 0`; it
    # writes ok, or the fork failure, into /tmp/r.
    make_bundle "$BUNDLE" sh -c 'while :; do if [ -e /tmp/go ]; then rm /tmp/go; (sleep 0; echo ok) >/tmp/r 2>&1 || echo failed >>/tmp/r; fi; sleep 0.2; done'
    bundle_writable "$BUNDLE"
    vrun -d </dev/null >/dev/null 2>&1 3>&-
    local r=$BUNDLE/rootfs/tmp/r
    touch "$BUNDLE/rootfs/tmp/go"
    wait_for test -s "$r"
    [ "$(cat "$r")" = ok ]
    # The init and its `sleep 0.2`: room for the subshell, not its child.
    vo update --pids-limit 2 "$ID"
    rm "$r"
    touch "$BUNDLE/rootfs/tmp/go"
    wait_for grep -q failed "$r"
    cat "$r"
    grep -q "can't fork" "$r"
    vo update --pids-limit 10 "$ID"
    rm "$r"
    touch "$BUNDLE/rootfs/tmp/go"
    wait_for test -s "$r"
    [ "$(cat "$r")" = ok ]
    vo delete --force "$ID"
}

@test "update of a paused container is allowed" {
    create_sleeper
    vstart
    vo pause "$ID"
    vo update --pids-limit 12 "$ID"
    [ "$(cg_cat pids pids.max pids.max)" = 12 ]
    [ "$(state_field status)" = paused ]
    vo delete --force "$ID"
}
