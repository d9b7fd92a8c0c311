#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The process attributes the kernel keeps per process, each read back from
# inside the container: process.scheduler, ioPriority, execCPUAffinity,
# apparmorProfile, selinuxLabel, linux.personality and linux.memoryPolicy.
# What cannot be honoured is one error line naming the field, and leaves
# nothing behind (the teardown checks).

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# stat_fields N...: the fields N... of a /proc/PID/stat line in $output
# (the command name has no space here: busybox applets).
stat_fields() {
    local f out=() fields
    read -ra fields <<<"$output"
    for f; do
        out+=("${fields[$((f - 1))]}")
    done
    echo "${out[*]}"
}

# in_userns: the container gets a user namespace of its own, root mapped
# to root: its root has every capability in it and none in the host's.
in_userns() {
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
        | .linux.gidMappings = .linux.uidMappings'
}

# rt_budget: on a cgroup v1 kernel with real-time group scheduling a new cpu
# cgroup has no real-time budget (cpu.rt_runtime_us 0), and SCHED_FIFO and
# SCHED_RR fail in it, with runc as with voidoci: give the container's cgroup
# one, directly under the root (whose budget is the kernel's).
rt_budget() {
    [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || return 0
    bundle_jq "$BUNDLE" '.linux.cgroupsPath = "/'"$ID"'"
        | .linux.resources.cpu = {"realtimePeriod": 1000000, "realtimeRuntime": 10000}'
}

# needs_cpus_0_and_1: skip unless this runtime may run on CPUs 0 and 1.
needs_cpus_0_and_1() {
    local allowed
    allowed=$(taskset -cp $$ 2>/dev/null | sed 's/.*: //')
    case ",$allowed," in
    *,0-*|*,0,1,*) ;;
    *) skip "this machine lets the tests run on CPUs \"$allowed\": these tests need CPUs 0 and 1" ;;
    esac
}

# ---- process.scheduler ------------------------------------------------------

@test "scheduler: SCHED_FIFO priority 10 is the program's policy (41: 1) and priority (18: -11)" {
    make_bundle "$BUNDLE" cat /proc/self/stat
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
    rt_budget
    run vrun
    [ "$status" -eq 0 ]
    [ "$(stat_fields 18 19 41)" = "-11 0 1" ]
}

@test "scheduler: SCHED_RR priority 99 is policy 2, priority -100" {
    make_bundle "$BUNDLE" cat /proc/self/stat
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_RR", "priority": 99}'
    rt_budget
    run vrun
    [ "$status" -eq 0 ]
    [ "$(stat_fields 18 41)" = "-100 2" ]
}

@test "scheduler: SCHED_BATCH with nice 7 is policy 3 and nice 7; SCHED_IDLE is policy 5" {
    make_bundle "$BUNDLE" cat /proc/self/stat
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(stat_fields 19 41)" = "7 3" ]
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_IDLE"}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(stat_fields 41)" = 5 ]
}

@test "scheduler: SCHED_OTHER with nice -5 lowers the nice value the runtime had" {
    make_bundle "$BUNDLE" cat /proc/self/stat
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -5}'
    run nice -n 3 "$VOIDOCI" --root "$ROOT" run -b "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$(stat_fields 19 41)" = "-5 0" ]
}

@test "scheduler: SCHED_DEADLINE is policy 6 with at most the runtime asked for" {
    make_bundle "$BUNDLE" cat /proc/self/stat
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 10000000,
        "deadline": 30000000, "period": 30000000}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(stat_fields 41)" = 6 ]
    # A deadline task may fork only with SCHED_FLAG_RESET_ON_FORK.
    bundle_jq "$BUNDLE" '.process.scheduler.flags = ["SCHED_FLAG_RESET_ON_FORK"]
        | .process.args = ["sh", "-c", "sed -n \"s/^dl.runtime *: *//p\" /proc/$$/sched"]'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" -gt 0 ] && [ "$output" -le 10000000 ]
}

@test "scheduler: SCHED_FLAG_RESET_ON_FORK: the program is SCHED_FIFO, its children SCHED_OTHER" {
    make_bundle "$BUNDLE" sh -c 'cut -d" " -f41 /proc/$$/stat; cut -d" " -f41 /proc/self/stat; :'
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 5,
        "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
    rt_budget
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = 0 ]
}

@test "scheduler: SCHED_FIFO in a user namespace is refused: CAP_SYS_NICE of the host is needed" {
    make_bundle "$BUNDLE" sh -c 'echo ran > /ran'
    bundle_jq "$BUNDLE" '.root.readonly = false | .process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
    in_userns
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'set scheduler SCHED_FIFO .*needs CAP_SYS_NICE in the host.s user namespace.*: Operation not permitted$'
    [ ! -e "$BUNDLE/rootfs/ran" ]
}

@test "scheduler: SCHED_FIFO in a v1 cpu cgroup without a real-time budget fails, naming the field" {
    [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] ||
        skip "this host has no cgroup v1 real-time group scheduling (cpu.rt_runtime_us)"
    make_bundle "$BUNDLE" sh -c 'echo ran > /ran'
    bundle_jq "$BUNDLE" '.root.readonly = false | .process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'set scheduler SCHED_FIFO .*linux\.resources\.cpu\.realtimeRuntime\): Operation not permitted$'
    [ ! -e "$BUNDLE/rootfs/ran" ]
}

@test "scheduler: bad values name their JSON path" {
    make_bundle "$BUNDLE" true
    local bad
    for bad in '{"policy": "SCHED_FOO"}|process\.scheduler\.policy: unknown policy "SCHED_FOO"' \
        '{"nice": 1}|process\.scheduler\.policy: is required' \
        '{"policy": "SCHED_OTHER", "nice": 20}|process\.scheduler\.nice: must be between -20 and 19' \
        '{"policy": "SCHED_FIFO", "priority": 0}|process\.scheduler\.priority: must be between 1 and 99 with SCHED_FIFO' \
        '{"policy": "SCHED_OTHER", "runtime": 5}|process\.scheduler\.runtime: only SCHED_DEADLINE uses it' \
        '{"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_X"]}|process\.scheduler\.flags\[0\]: unknown flag "SCHED_FLAG_X"' \
        '"SCHED_FIFO"|process\.scheduler: expected an object'; do
        bundle_jq "$BUNDLE" '.process.scheduler = $s' --argjson s "${bad%%|*}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${bad#*|}\$"
    done
}

@test "scheduler: SCHED_ISO, which Linux never implemented, fails with the kernel's answer" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.scheduler = {"policy": "SCHED_ISO"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'set scheduler SCHED_ISO .*: Invalid argument$'
}

# ---- process.ioPriority -----------------------------------------------------

@test "ioPriority: each class and level is the program's, as ionice reads it" {
    make_bundle "$BUNDLE" ionice -p 1
    local c want
    for c in 'IOPRIO_CLASS_BE 5|best-effort: prio 5' 'IOPRIO_CLASS_RT 2|realtime: prio 2' \
        'IOPRIO_CLASS_IDLE 7|idle' 'IOPRIO_CLASS_BE 0|best-effort: prio 0'; do
        want=${c#*|}
        c=${c%|*}
        bundle_jq "$BUNDLE" '.process.ioPriority = {"class": $c, "priority": $p}' \
            --arg c "${c% *}" --argjson p "${c#* }"
        run vrun
        [ "$status" -eq 0 ]
        [ "$output" = "$want" ]
    done
}

@test "ioPriority: IOPRIO_CLASS_RT in a user namespace is refused with what it needs" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 0}'
    in_userns
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'set I/O priority IOPRIO_CLASS_RT level 0 .*needs CAP_SYS_NICE.*: Operation not permitted$'
}

@test "ioPriority: bad values name their JSON path" {
    make_bundle "$BUNDLE" true
    local bad
    for bad in '{"class": "IOPRIO_CLASS_NONE", "priority": 1}|process\.ioPriority\.class: unknown class "IOPRIO_CLASS_NONE"' \
        '{"class": "IOPRIO_CLASS_BE", "priority": 8}|process\.ioPriority\.priority: must be between 0 and 7' \
        '{"class": "IOPRIO_CLASS_BE"}|process\.ioPriority\.priority: is required' \
        '{"class": "IOPRIO_CLASS_BE", "priority": "1"}|process\.ioPriority\.priority: expected an integer'; do
        bundle_jq "$BUNDLE" '.process.ioPriority = $s' --argjson s "${bad%%|*}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${bad#*|}\$"
    done
}

# ---- process.execCPUAffinity --------------------------------------------------

@test "execCPUAffinity: final \"1\" is the program's Cpus_allowed_list" {
    needs_cpus_0_and_1
    make_bundle "$BUNDLE" grep Cpus_allowed_list /proc/self/status
    bundle_jq "$BUNDLE" '.process.execCPUAffinity = {"initial": "0", "final": "1"}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(status_field Cpus_allowed_list)" = 1 ]
}

@test "execCPUAffinity: initial alone is for the setup only: the program gets every CPU back" {
    needs_cpus_0_and_1
    make_bundle "$BUNDLE" grep Cpus_allowed_list /proc/self/status
    bundle_jq "$BUNDLE" '.process.execCPUAffinity = {"initial": "1"}'
    # Even a runtime pinned to CPU 0 hands every CPU to the program.
    run taskset -c 0 "$VOIDOCI" --root "$ROOT" run -b "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$(status_field Cpus_allowed_list)" = "$(cat /sys/devices/system/cpu/online)" ]
}

@test "execCPUAffinity: an initial CPU the machine lacks fails the run" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.execCPUAffinity = {"initial": "0,4000"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'initial CPU affinity: CPU 4000 is offline or not allowed here \(allowed: [0-9,-]+\)$'
}

@test "execCPUAffinity: a final CPU the machine lacks fails the run, not dropped" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.execCPUAffinity = {"final": "0-4000"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'final CPU affinity: CPU [0-9]+ is offline or not allowed here'
}

@test "execCPUAffinity: bad lists name their JSON path" {
    make_bundle "$BUNDLE" true
    local bad
    for bad in '{"initial": "a-b"}|process\.execCPUAffinity\.initial: invalid CPU list "a-b"' \
        '{"final": "3-1"}|process\.execCPUAffinity\.final: invalid CPU list "3-1": CPU range 3-1 runs backwards' \
        '{"final": "9000"}|process\.execCPUAffinity\.final: invalid CPU list "9000": CPU numbers go up to 8191' \
        '{"initial": 1}|process\.execCPUAffinity\.initial: expected a string'; do
        bundle_jq "$BUNDLE" '.process.execCPUAffinity = $s' --argjson s "${bad%%|*}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${bad#*|}\$"
    done
}

# ---- linux.personality --------------------------------------------------------

@test "personality: LINUX32 makes uname -m say i686; LINUX undoes a runtime's linux32" {
    [ "$(uname -m)" = x86_64 ] || skip "this machine is $(uname -m): the test reads x86_64's names"
    make_bundle "$BUNDLE" uname -m
    bundle_jq "$BUNDLE" '.linux.personality = {"domain": "LINUX32"}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = i686 ]
    bundle_jq "$BUNDLE" '.linux.personality = {"domain": "LINUX"}'
    run setarch linux32 "$VOIDOCI" --root "$ROOT" run -b "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = x86_64 ]
}

@test "personality: bad values name their JSON path" {
    make_bundle "$BUNDLE" true
    local bad
    for bad in '{"domain": "LINUX64"}|linux\.personality\.domain: unknown domain "LINUX64"' \
        '{}|linux\.personality\.domain: is required' \
        '{"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}|linux\.personality\.flags\[0\]: unknown flag "ADDR_NO_RANDOMIZE"'; do
        bundle_jq "$BUNDLE" '.linux.personality = $s' --argjson s "${bad%%|*}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${bad#*|}\$"
    done
}

# ---- linux.memoryPolicy ---------------------------------------------------------

# The policy of the program's first mapping (its text), from numa_maps.
numa_policy_of_program() {
    awk 'NR == 1 { print $2 }' <<<"$output"
}

@test "memoryPolicy: each mode is the program's, as /proc/self/numa_maps shows it" {
    [ -e /sys/devices/system/node/node0 ] || skip "this kernel has no NUMA support (no node0)"
    make_bundle "$BUNDLE" cat /proc/self/numa_maps
    local m want
    for m in 'MPOL_BIND|0|bind:0' 'MPOL_INTERLEAVE|0|interleave:0' 'MPOL_PREFERRED|0|prefer:0' \
        'MPOL_LOCAL||local' 'MPOL_DEFAULT||default'; do
        want=${m##*|}
        m=${m%|*}
        bundle_jq "$BUNDLE" '.linux.memoryPolicy = {"mode": $m} + (if $n == "" then {} else {"nodes": $n} end)' \
            --arg m "${m%|*}" --arg n "${m#*|}"
        run vrun
        [ "$status" -eq 0 ]
        [ "$(numa_policy_of_program)" = "$want" ]
    done
}

@test "memoryPolicy: MPOL_WEIGHTED_INTERLEAVE works where the kernel has it, else fails naming it" {
    [ -e /sys/devices/system/node/node0 ] || skip "this kernel has no NUMA support (no node0)"
    make_bundle "$BUNDLE" cat /proc/self/numa_maps
    bundle_jq "$BUNDLE" '.linux.memoryPolicy = {"mode": "MPOL_WEIGHTED_INTERLEAVE", "nodes": "0"}'
    run --separate-stderr vrun
    if [ -d /sys/kernel/mm/mempolicy/weighted_interleave ]; then
        [ "$status" -eq 0 ]
        [[ ${lines[0]} == *" weighted interleave:0 "* ]]
    else
        [ "$status" -ne 0 ]
        assert_one_error_line 'set memory policy MPOL_WEIGHTED_INTERLEAVE on nodes "0" .*Linux 6\.9.*: Invalid argument$'
    fi
}

@test "memoryPolicy: a node the machine lacks fails the run, not dropped" {
    [ -e /sys/devices/system/node/node0 ] || skip "this kernel has no NUMA support (no node0)"
    [ ! -e /sys/devices/system/node/node1000 ] || skip "this machine has a NUMA node 1000"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0,1000"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'memory policy: node 1000 is offline or not allowed here$'
}

@test "memoryPolicy: bad values name their JSON path" {
    make_bundle "$BUNDLE" true
    local bad
    for bad in '{"mode": "MPOL_FOO"}|linux\.memoryPolicy\.mode: unknown mode "MPOL_FOO"' \
        '{"mode": "MPOL_BIND"}|linux\.memoryPolicy\.nodes: is required with MPOL_BIND' \
        '{"mode": "MPOL_LOCAL", "nodes": "0"}|linux\.memoryPolicy\.nodes: must be empty with MPOL_LOCAL' \
        '{"mode": "MPOL_BIND", "nodes": "0-x"}|linux\.memoryPolicy\.nodes: invalid node list "0-x"' \
        '{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_X"]}|linux\.memoryPolicy\.flags\[0\]: unknown flag "MPOL_F_X"'; do
        bundle_jq "$BUNDLE" '.linux.memoryPolicy = $s' --argjson s "${bad%%|*}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${bad#*|}\$"
    done
}

# ---- process.apparmorProfile, process.selinuxLabel -------------------------------

@test "apparmorProfile: refused, naming the field, on a host without AppArmor" {
    if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
        skip "AppArmor is enabled here: this test is for hosts without it"
    fi
    make_bundle "$BUNDLE" sh -c 'echo ran > /ran'
    bundle_jq "$BUNDLE" '.root.readonly = false | .process.apparmorProfile = "voidoci-test"'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: process\.apparmorProfile: AppArmor is not enabled on this host$'
    [ ! -e "$BUNDLE/rootfs/ran" ]
}

@test "selinuxLabel: a no-op on a host without SELinux (as crun, podman and Kubernetes expect), said in a debug line" {
    if [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinux ]; then
        skip "SELinux is enabled here: this test is for hosts without it"
    fi
    make_bundle "$BUNDLE" sh -c 'echo ran > /ran'
    bundle_jq "$BUNDLE" '.root.readonly = false
        | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
    run --separate-stderr -0 vrun
    [ "$(cat "$BUNDLE/rootfs/ran")" = ran ]
    [ -z "$stderr" ]
    # --debug says what was left out, and why
    run --separate-stderr -0 vo --debug run --bundle "$BUNDLE" "$ID-d"
    [[ $stderr == *'debug: process.selinuxLabel "system_u:system_r:container_t:s0" ignored: SELinux is not enabled on this host'* ]]
}

@test "apparmorProfile, selinuxLabel: an empty string asks for nothing" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.process.apparmorProfile = "" | .process.selinuxLabel = ""'
    run vrun
    [ "$status" -eq 0 ]
}
