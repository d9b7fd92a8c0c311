#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.namespaces joined by path (each type), checked against the path's
# type; the user namespace and its id maps; the time namespace and
# linux.timeOffsets; the sysctls that depend on the namespaces.  (New
# namespaces and a type left out: isolation.bats.  Devices in a user
# namespace, sysctl basics: config.bats.)

load helpers

setup() {
    voidoci_setup
    HELPER=
}

teardown() {
    # The helper holding the namespaces to join: killed by its pid.
    if [ -n "$HELPER" ]; then
        kill -KILL "$HELPER" 2>/dev/null
    fi
    voidoci_teardown
}

USERNS='.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]'

# start_helper UNSHARE-OPTION...: a process on the host in namespaces of
# its own (`unshare OPTION... --fork sleep`), its pid in $HELPER: the one in
# the new namespaces (unshare's child when --fork is given).
start_helper() {
    bg unshare "$@" sleep 1000
    local p=$BG_PID child
    if [[ " $* " == *" --fork "* ]]; then
        wait_for pgrep -P "$p" sleep >/dev/null || return 1
        child=$(pgrep -P "$p" sleep)
        HELPER=$child
    else
        HELPER=$p
    fi
    # Wait for unshare to have made its namespaces (it execs sleep).
    wait_for grep -q '^sleep$' "/proc/$HELPER/comm"
}

# ns_join_jq TYPE...: linux.namespaces joins the helper's namespace of each
# TYPE (the config.json spelling: network, mount, ...).
ns_join_jq() {
    local t f='.'
    for t; do
        f+=" | .linux.namespaces |= (map(select(.type != \"$t\")) + [{\"type\": \"$t\", \"path\": \"/proc/$HELPER/ns/$(proc_ns_name "$t")\"}])"
    done
    echo "$f"
}

proc_ns_name() {
    case $1 in
    network) echo net ;; mount) echo mnt ;; *) echo "$1" ;;
    esac
}

# ---- joining by path --------------------------------------------------------

@test "namespaces: net, ipc, uts, cgroup, pid and time joined by path are the helper's" {
    start_helper --net --ipc --uts --cgroup --pid --time --fork
    make_bundle "$BUNDLE" sh -c 'for n in net ipc uts cgroup pid time; do echo "$n $(readlink /proc/self/ns/$n)"; done'
    bundle_jq "$BUNDLE" "$(ns_join_jq network ipc uts cgroup pid time)"
    run vrun
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 6 ]
    local line ns
    for line in "${lines[@]}"; do
        ns=${line%% *}
        if [ "${line#* }" != "$(readlink "/proc/$HELPER/ns/$ns")" ]; then
            echo "$ns: inside ${line#* }, helper's $(readlink "/proc/$HELPER/ns/$ns")" >&2
            return 1
        fi
        [ "${line#* }" != "$(host_ns "$ns")" ]
    done
}

@test "namespaces: a joined pid namespace holds the container's process with the helper's" {
    start_helper --pid --fork --mount-proc
    make_bundle "$BUNDLE" sh -c 'echo $$; ps -o comm | grep -c sleep'
    bundle_jq "$BUNDLE" "$(ns_join_jq pid)"
    run vrun
    [ "$status" -eq 0 ]
    # The helper's sleep is pid 1 there: the container's shell is not.
    [ "${lines[0]}" != 1 ]
    [ "${lines[1]}" = 1 ]
}

@test "namespaces: a mount namespace joined by path is the helper's" {
    start_helper --mount
    make_bundle "$BUNDLE" readlink /proc/self/ns/mnt
    bundle_jq "$BUNDLE" "$(ns_join_jq mount)"
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "$(readlink "/proc/$HELPER/ns/mnt")" ]
    [ "$output" != "$(host_ns mnt)" ]
}

@test "namespaces: a joined user namespace comes first: the new ones belong to it" {
    start_helper --user
    echo "0 0 65536" >"/proc/$HELPER/uid_map"
    echo "0 0 65536" >"/proc/$HELPER/gid_map"
    # lo up in the new network namespace needs CAP_NET_ADMIN in its owner:
    # it works only if that owner is the joined user namespace.
    make_bundle "$BUNDLE" sh -c 'readlink /proc/self/ns/user; echo $$; cat /sys/class/net/lo/flags'
    bundle_jq "$BUNDLE" "$(ns_join_jq user)"
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(readlink "/proc/$HELPER/ns/user")" ]
    [ "${lines[0]}" != "$(host_ns user)" ]
    [ "${lines[1]}" = 1 ]
    [ $((lines[2] & 1)) -eq 1 ]
}

@test "namespaces: a path that is another type of namespace is refused, naming it" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
        --arg p "/proc/$$/ns/ipc"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "config\.json: linux\.namespaces\[[0-9]\]\.path: join net namespace \"/proc/$$/ns/ipc\": its type is ipc: Invalid argument$"
}

@test "namespaces: a path that is no namespace file is refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(if .type == "uts" then .path = "/etc/hostname" else . end)'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.namespaces\[[0-9]\]\.path: join uts namespace "/etc/hostname": not a namespace file: Invalid argument$'
}

@test "namespaces: a missing namespace path is refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(if .type == "ipc" then .path = "/nonexistent/ns" else . end)'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.namespaces\[[0-9]\]\.path: open ipc namespace "/nonexistent/ns": No such file or directory$'
}

# ---- the user namespace -----------------------------------------------------

@test "namespaces: in a new user namespace setgroups is allowed (additionalGids apply)" {
    make_bundle "$BUNDLE" sh -c 'cat /proc/self/setgroups; grep ^Groups: /proc/self/status; cat /proc/self/uid_map'
    bundle_jq "$BUNDLE" "$USERNS"' | .process.user.additionalGids = [10, 20]'
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = allow ]
    [ "$(echo ${lines[1]})" = "Groups: 10 20" ]
    [ "$(echo ${lines[2]})" = "0 0 65536" ]
    [ "$(readlink /proc/self/ns/user)" = "$(host_ns user)" ]
}

@test "namespaces: uidMappings without a new user namespace are refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.uidMappings: needs a new user namespace$'
}

@test "namespaces: gidMappings with a joined user namespace are refused" {
    start_helper --user
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" "$(ns_join_jq user)"' | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.gidMappings: needs a new user namespace$'
}

@test "namespaces: a new user namespace without mappings is refused (as runc)" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "user"}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.uidMappings: required with a new user namespace$'
}

@test "namespaces: a new user namespace with uidMappings only is refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.gidMappings: required with a new user namespace$'
}

@test "namespaces: a new user namespace without a mount namespace is refused, before anything is made" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces = [{"type": "user"}, {"type": "pid"}]
        | del(.hostname)
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.namespaces: a new user namespace needs a mount namespace of the container.s too'
}

# ---- the time namespace -----------------------------------------------------

@test "namespaces: linux.timeOffsets shift boottime (/proc/uptime) and monotonic inside" {
    local host_up
    host_up=$(cut -d. -f1 /proc/uptime)
    make_bundle "$BUNDLE" sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"boottime": {"secs": 1000000}, "monotonic": {"secs": 86400, "nanosecs": 5}}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "monotonic 86400 5" ]
    [ "$(echo ${lines[1]})" = "boottime 1000000 0" ]
    # Up at least 1000000 s more than the host was just before.
    [ "${lines[2]}" -ge $((host_up + 1000000)) ]
    [ "${lines[2]}" -lt $((host_up + 1000000 + 60)) ]
    [ "${lines[3]}" != "$(host_ns time)" ]
}

@test "namespaces: a new time namespace without offsets has the host's clocks" {
    local host_up
    host_up=$(cut -d. -f1 /proc/uptime)
    make_bundle "$BUNDLE" sh -c 'cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "time"}]'
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" -ge "$host_up" ]
    [ "${lines[0]}" -lt $((host_up + 60)) ]
    [ "${lines[1]}" != "$(host_ns time)" ]
}

@test "namespaces: timeOffsets in a new user namespace: the time namespace is the container's" {
    make_bundle "$BUNDLE" cat /proc/self/timens_offsets
    bundle_jq "$BUNDLE" "$USERNS"' | .linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"monotonic": {"secs": -5}}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "monotonic -5 0" ]
}

@test "namespaces: timeOffsets without a new time namespace are refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.timeOffsets = {"boottime": {"secs": 1}}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.timeOffsets: needs a new time namespace'
}

@test "namespaces: timeOffsets with a joined time namespace are refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "time", "path": $p}]
        | .linux.timeOffsets = {"boottime": {"secs": 1}}' --arg p "/proc/$$/ns/time"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.timeOffsets: needs a new time namespace'
}

@test "namespaces: bad timeOffsets are refused with their JSON path" {
    make_bundle "$BUNDLE" true
    local tns='.linux.namespaces += [{"type": "time"}] | '
    local -a cases=(
        '.linux.timeOffsets = [1]'
        'linux\.timeOffsets: expected an object$'
        '.linux.timeOffsets = {"realtime": {"secs": 1}}'
        'linux\.timeOffsets\.realtime: unknown clock'
        '.linux.timeOffsets = {"boottime": 5}'
        'linux\.timeOffsets\.boottime: expected an object$'
        '.linux.timeOffsets = {"boottime": {"secs": "1"}}'
        'linux\.timeOffsets\.boottime\.secs: expected an integer$'
        '.linux.timeOffsets = {"boottime": {"secs": 1.5}}'
        'linux\.timeOffsets\.boottime\.secs: expected an integer$'
        '.linux.timeOffsets = {"monotonic": {"nanosecs": -1}}'
        'linux\.timeOffsets\.monotonic\.nanosecs: must be between 0 and 4294967295$'
        '.linux.timeOffsets = {"monotonic": {"nanosecs": 1000000000}}'
        'linux\.timeOffsets\.monotonic\.nanosecs: must be below 1000000000$'
    )
    # (Not `i`: bats' `run` uses that name.)
    local k
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
    for ((k = 0; k < ${#cases[@]}; k += 2)); do
        cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
        bundle_jq "$BUNDLE" "$tns${cases[k]}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${cases[k + 1]}"
    done
    # One past int64 (jq would turn it into a float: sed writes it).
    cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
    bundle_jq "$BUNDLE" "$tns"'.linux.timeOffsets = {"monotonic": {"secs": "BIG"}}'
    sed -i 's/"BIG"/9223372036854775808/' "$BUNDLE/config.json"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.timeOffsets\.monotonic\.secs: must be between -9223372036854775808 and 9223372036854775807$'
}

@test "namespaces: an offset the kernel refuses fails the start, naming the file" {
    make_bundle "$BUNDLE" true
    # boottime would go below zero.
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"boottime": {"secs": -1000000000}}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'set the time namespace.s clock offsets: write "/proc/self/timens_offsets": Numerical result out of range$'
}

# ---- sysctls and the namespaces -----------------------------------------------

@test "namespaces: linux.sysctl kernel.domainname is set in the new uts namespace" {
    local before
    before=$(cat /proc/sys/kernel/domainname)
    make_bundle "$BUNDLE" cat /proc/sys/kernel/domainname
    bundle_jq "$BUNDLE" '.linux.sysctl = {"kernel.domainname": "void.test"}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = void.test ]
    [ "$(cat /proc/sys/kernel/domainname)" = "$before" ]
}

@test "namespaces: linux.sysctl kernel.hostname is refused: the hostname field says it" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.sysctl = {"kernel.hostname": "x"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.sysctl\["kernel\.hostname"\]: conflicts with the hostname field$'
}

@test "namespaces: linux.sysctl net.* with the runtime's own network namespace joined is refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
        | .linux.sysctl = {"net.ipv4.ip_forward": "1"}' --arg p "/proc/$$/ns/net"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.sysctl\["net\.ipv4\.ip_forward"\]: linux\.namespaces joins the runtime.s own network namespace: would change the host$'
}

@test "namespaces: linux.sysctl net.* in a joined network namespace changes that one only" {
    start_helper --net
    local before
    before=$(cat /proc/sys/net/ipv4/ip_forward)
    make_bundle "$BUNDLE" cat /proc/sys/net/ipv4/ip_forward
    bundle_jq "$BUNDLE" "$(ns_join_jq network)"' | .linux.sysctl = {"net.ipv4.ip_forward": $v}' \
        --arg v $((1 - before))
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = $((1 - before)) ]
    [ "$(nsenter --net="/proc/$HELPER/ns/net" cat /proc/sys/net/ipv4/ip_forward)" = $((1 - before)) ]
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
}
