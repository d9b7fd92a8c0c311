#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cgroups: placement (linux.cgroupsPath), linux.resources written and
# felt, pause/resume, ps, kill --all and delete through the cgroup.  They
# run on a v1, hybrid (v1 controllers + a cgroup2 mount) or v2-only host:
# each test reads the files of the layout it finds.

load helpers

setup() {
    voidoci_setup
    [ -d /sys/fs/cgroup ] || skip "this machine has no /sys/fs/cgroup"
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        LAYOUT=v2
    elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        LAYOUT=hybrid
    else
        LAYOUT=v1
    fi
}

teardown() {
    voidoci_teardown
    restore_bfq
    [ -z "${NET_MNT-}" ] || release_net_hierarchy "$NET_MNT"
}

# cg_dir PID CONTROLLER: the host directory of PID's cgroup that holds
# CONTROLLER, read from /proc/PID/cgroup (not from what voidoci recorded).
cg_dir() {
    local pid=$1 ctl=$2 path
    if [ "$LAYOUT" = v2 ]; then
        echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
        return
    fi
    path=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
        "/proc/$pid/cgroup")
    if [ -n "$path" ]; then
        echo "/sys/fs/cgroup/$ctl$path"
    else # hybrid: what no v1 hierarchy has is in the cgroup2 mount
        echo "/sys/fs/cgroup/unified$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
    fi
}

# cg_read PID CONTROLLER FILE-V1 FILE-V2: the file of the layout.
cg_read() {
    local dir
    dir=$(cg_dir "$1" "$2")
    if [ "$LAYOUT" = v2 ]; then cat "$dir/$4"; else cat "$dir/$3"; fi
}

# A created container running `sleep`, with `FILTER` applied to its config.
create_sleeper() {
    make_bundle "$BUNDLE" sleep 1000
    [ -z "${1-}" ] || bundle_jq "$BUNDLE" "$1"
    vcreate
    PID=$(state_field pid)
}

# Every cgroup directory named $ID on the host.
our_cgroup_dirs() {
    find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "$ID" 2>/dev/null
}

@test "cgroups: the init is in /voidoci/ID of every hierarchy from its creation, and delete removes them all" {
    # The default placement: no cgroupsPath (make_bundle gives one).
    create_sleeper 'del(.linux.cgroupsPath)'
    local n_hier n_ours
    # Every hierarchy in /proc/PID/cgroup names our path.
    cat "/proc/$PID/cgroup"
    run grep -vc ":/voidoci/$ID\$" "/proc/$PID/cgroup"
    [ "$output" -eq 0 ]
    n_hier=$(grep -c '' "/proc/$PID/cgroup")
    n_ours=$(our_cgroup_dirs | grep -c '')
    [ "$n_ours" -eq "$n_hier" ]
    vo delete --force "$ID"
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: a test's containers are under its own parent, and its leak check judges only its own cgroups" {
    create_sleeper
    local mnt other top
    # make_bundle's cgroupsPath: $CGROUP_PARENT/$ID in every hierarchy.
    cat "/proc/$PID/cgroup"
    run grep -vc ":$CGROUP_PARENT/$ID\$" "/proc/$PID/cgroup"
    [ "$output" -eq 0 ]
    # Another program's cgroups, made while the test runs: at the top and
    # beside the default placement.  Not the test's to judge or remove.
    mnt=$(_cgroup_mounts | awk 'NR == 1 { print $1 }')
    top=$mnt/other-prog-$$-$RANDOM
    other=$mnt/voidoci/other-prog-$$-$RANDOM
    mkdir -p "$top" "$other"
    run _leaked_cgroups
    echo "$output"
    [[ $output == *"$CGROUP_PARENT/$ID"* ]]
    [[ $output != *other-prog* ]]
    vo delete --force "$ID"
    # The clean-up removes only its own: every rmdir it makes is logged.
    # (Whether the others' cgroups are still there afterwards says nothing:
    # an older suite running beside this one may have taken them.)
    : >"$BATS_TEST_TMPDIR/rmdir.log"
    rmdir() {
        echo "$*" >>"$BATS_TEST_TMPDIR/rmdir.log"
        command rmdir "$@"
    }
    check_nothing_left_behind
    unset -f rmdir
    cat "$BATS_TEST_TMPDIR/rmdir.log"
    [ -z "$(grep other-prog "$BATS_TEST_TMPDIR/rmdir.log")" ]
    rmdir "$top" "$other" 2>/dev/null || true
}

# The cgroup mount as a container sees it without a cgroup namespace of
# its own (voidoci spec's default, podman's and Docker's on v1): each
# hierarchy is the container's own cgroup directory (runc's way), so the
# files read are its limits and no cgroup above or beside it is there.
# check_own_cgroup_mount [FILTER]: that, for this test's bundle with FILTER.
check_own_cgroup_mount() {
    make_bundle "$BUNDLE" sh -c 'grep -E " - cgroup2? " /proc/self/mountinfo; echo ---
        if [ -e /sys/fs/cgroup/memory.max ]; then
            cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
            find /sys/fs/cgroup -mindepth 1 -type d
        else
            cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
            find /sys/fs/cgroup -mindepth 2 -type d
        fi'
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "cgroup"))
        | .linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 42}'
    [ -z "${1-}" ] || bundle_jq "$BUNDLE" "$1"
    jq -e '.mounts[] | select(.type == "cgroup" and .destination == "/sys/fs/cgroup")' \
        "$BUNDLE/config.json"
    run --separate-stderr vrun
    echo "$output"
    [ "$status" -eq 0 ]
    local mounts rest
    mounts=$(sed '/^---$/,$d' <<<"$output")
    rest=$(sed '1,/^---$/d' <<<"$output")
    # Every hierarchy is there, each rooted at the container's cgroup.
    [ "$(grep -c '' <<<"$mounts")" -ge 1 ]
    [ "$(awk '$4 != "'"$CGROUP_PARENT/$ID"'"' <<<"$mounts")" = "" ]
    # Its limits, and no cgroup directory below the hierarchies' tops.
    [ "$rest" = "$(printf '67108864\n42')" ]
}

@test "cgroups: without a cgroup namespace /sys/fs/cgroup shows the container's own cgroups and limits, none of the host's tree" {
    check_own_cgroup_mount
}

# Where a fresh mount is refused (a new user namespace, the host's cgroup
# namespace), the host's hierarchies were bound whole before.
@test "cgroups: in a new user namespace without a cgroup namespace, too, /sys/fs/cgroup shows only the container's own cgroups" {
    local d=$BUNDLE
    while d=${d%/*}; [ "${#d}" -ge "${#BATS_RUN_TMPDIR}" ]; do
        chmod o+x "$d"
    done
    check_own_cgroup_mount '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "cgroups: a mount of type cgroup2 without a cgroup namespace is the container's own cgroup2 directory" {
    grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "this host has no cgroup2 mount"
    make_bundle "$BUNDLE" sh -c 'grep " - cgroup2 " /proc/self/mountinfo; find /sys/fs/cgroup -mindepth 1 -type d'
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "cgroup"))
        | .mounts |= map(if .type == "cgroup" then .type = "cgroup2" | .source = "cgroup2" else . end)'
    run --separate-stderr vrun
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 1 ]
    [ "$(awk '{ print $4, $5 }' <<<"${lines[0]}")" = "$CGROUP_PARENT/$ID /sys/fs/cgroup" ]
}

# With /sys bound from the host (as a rootless spec has it), the host's
# cgroup2 mount is already where the container's goes, and mount(2)
# refuses the same file system on the same mount point (EBUSY): the fresh
# mount is made detached and moved on top.
@test "cgroups: a cgroup2 mount in a cgroup namespace over the host's own (/sys bound in) is fresh, rooted at the container's cgroup" {
    local c2
    c2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
    [ -n "$c2" ] || skip "this host has no cgroup2 mount"
    make_bundle "$BUNDLE" sh -c "grep -c ' $c2 ' /proc/self/mountinfo; grep '^0::' /proc/self/cgroup
        find $c2 -mindepth 1 -type d | wc -l; grep -x 1 $c2/cgroup.procs"
    # shellcheck disable=SC2016 # $c2 is jq's
    bundle_jq "$BUNDLE" --arg c2 "$c2" '
        .linux.namespaces |= (if any(.type == "cgroup") then . else . + [{type: "cgroup"}] end)
        | .mounts |= map(select(.destination != "/sys/fs/cgroup")
            | if .destination == "/sys" then {destination: "/sys", type: "bind", source: "/sys",
                options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
        | .mounts += [{destination: $c2, type: "cgroup2", source: "cgroup2",
            options: ["nosuid", "noexec", "nodev"]}]'
    run --separate-stderr vrun
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    # The host's mount and the fresh one on it; the container's cgroup at
    # its root: no cgroup below it, the init in it.
    [ "$output" = "2
0::/
0
1" ]
}

# A v1 hierarchy of several controllers ("cpu,cpuacct") is reached by each
# name inside, as on such hosts: cpu -> cpu,cpuacct.  Where the host has
# none, the test makes one: in a mount namespace of its own, a tmpfs on
# /sys/fs/cgroup with the host's hierarchies mounted again, plus the unused
# net_cls and net_prio controllers as one hierarchy.
@test "cgroups: a hierarchy of several controllers has a link for each of them (v1)" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2 only: it has no v1 hierarchy"
    local combined mnt=$BATS_TEST_TMPDIR/net-cgroups
    combined=$(awk '$5 ~ "^/sys/fs/cgroup/[^/]*,[^/]*$" && $0 ~ / - cgroup / { sub("/sys/fs/cgroup/", "", $5); print $5; exit }' \
        /proc/self/mountinfo)
    if [ -z "$combined" ]; then
        [ "$(hierarchy_of net_cls)" = 0 ] && [ "$(hierarchy_of net_prio)" = 0 ] ||
            skip "this host has no v1 hierarchy of several controllers, nor unused net_cls and net_prio controllers to make one"
        combined=net_cls,net_prio
        mkdir "$mnt"
        NET_MNT=$mnt # teardown frees the hierarchy
    fi
    make_bundle "$BUNDLE" sh -c "readlink /sys/fs/cgroup/${combined%%,*}; readlink /sys/fs/cgroup/${combined#*,}
        ls /sys/fs/cgroup/${combined#*,}/ | grep -c ."
    export CG_PARENT=${CGROUP_PARENT-}
    run --separate-stderr unshare -m --propagation private bash -c '
        set -e
        if [ -n "$1" ]; then
            mount -t tmpfs voidoci-test /sys/fs/cgroup
            while IFS=: read -r n ctrls path; do
                dir=/sys/fs/cgroup/${ctrls#name=}
                [ -n "$ctrls" ] || dir=/sys/fs/cgroup/unified
                mkdir "$dir"
                if [ -n "$ctrls" ]; then
                    mount -t cgroup -o "$ctrls" voidoci-test "$dir"
                else
                    mount -t cgroup2 voidoci-test "$dir"
                fi
            done </proc/self/cgroup
            mkdir /sys/fs/cgroup/net_cls,net_prio
            mount -t cgroup -o net_cls,net_prio voidoci-test /sys/fs/cgroup/net_cls,net_prio
            trap "rmdir /sys/fs/cgroup/net_cls,net_prio\$CG_PARENT /sys/fs/cgroup/net_cls,net_prio/voidoci 2>/dev/null || true" EXIT
        fi
        shift
        "$@"' _ "${NET_MNT-}" "$VOIDOCI" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    echo "$output" "$stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$combined" ]
    [ "${lines[1]}" = "$combined" ]
    [ "${lines[2]}" -gt 0 ]
}

@test "cgroups: a new cgroup namespace is rooted at the container's cgroup" {
    make_bundle "$BUNDLE" cat /proc/self/cgroup
    bundle_jq "$BUNDLE" '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
    run vrun
    echo "$output"
    [ "$status" -eq 0 ]
    # Every line reads "/" from inside.
    run grep -vc ':/$' <<<"$output"
    [ "$output" -eq 0 ]
}

@test "cgroups: an absolute cgroupsPath is under each hierarchy's root" {
    create_sleeper '.linux.cgroupsPath = "/'"$ID"'-parent/'"$ID"'"'
    run grep -vc ":/$ID-parent/$ID\$" "/proc/$PID/cgroup"
    [ "$output" -eq 0 ]
    vo delete --force "$ID"
    [ -z "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "$ID")" ]
    # The parents the runtime made stay, as runc's do: shared by whatever
    # else is placed there.
    find /sys/fs/cgroup -maxdepth 2 -type d -name "$ID-parent" -exec rmdir {} +
}

@test "cgroups: a relative cgroupsPath is under the runtime's own cgroup (runc's rule)" {
    local own mine before=
    own=$(sed -n 's/^[0-9]*:memory://p; s/^0:://p' /proc/self/cgroup | head -1)
    [ "$LAYOUT" != v2 ] || before=$(cat "/sys/fs/cgroup$own/cgroup.subtree_control")
    create_sleeper '.linux.cgroupsPath = "'"$ID"'"'
    mine=$(sed -n 's/^[0-9]*:memory://p; s/^0:://p' "/proc/$PID/cgroup" | head -1)
    echo "own $own, container $mine"
    [ "$mine" = "${own%/}/$ID" ]
    # v2: a cgroup holding processes (this shell) is not ours to change:
    # enabling its threaded controllers would make it a thread root.
    [ "$LAYOUT" != v2 ] || [ "$(cat "/sys/fs/cgroup$own/cgroup.subtree_control")" = "$before" ]
    vo delete --force "$ID"
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: v2: a limit under a parent that holds processes is one error line naming it" {
    [ "$LAYOUT" = v2 ] || skip "this host is not cgroup v2 only (v1 has no internal-process rule)"
    [ -n "$(cat "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)/cgroup.procs")" ] ||
        skip "this test's own cgroup holds no processes"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.cgroupsPath = "'"$ID"'" | .linux.resources.pids = {"limit": 10}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.resources\.pids\.limit: the container.s cgroup has no pids controller: .*holds processes'
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: memory limit, reservation and swap are written (converted on v2)" {
    create_sleeper '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 134217728}'
    [ "$(cg_read "$PID" memory memory.limit_in_bytes memory.max)" = 67108864 ]
    [ "$(cg_read "$PID" memory memory.soft_limit_in_bytes memory.low)" = 33554432 ]
    # v1 memsw is memory + swap; v2 swap.max is swap alone.
    [ "$(cg_read "$PID" memory memory.memsw.limit_in_bytes memory.swap.max)" = \
        "$([ "$LAYOUT" = v2 ] && echo 67108864 || echo 134217728)" ]
    vo delete --force "$ID"
}

@test "cgroups: a process allocating past the memory limit is OOM-killed" {
    make_bundle "$BUNDLE" awk 'BEGIN { s = "xxxxxxxxxxxxxxxx"; while (1) s = s s }'
    bundle_jq "$BUNDLE" '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
    run vrun
    echo "status $status: $output"
    [ "$status" -eq 137 ]
}

@test "cgroups: the pids limit is written and stops a fork bomb" {
    make_bundle "$BUNDLE" sh -c 'cat /sys/fs/cgroup/pids.max 2>/dev/null; for i in $(seq 50); do sleep 5 & done; echo forked'
    bundle_jq "$BUNDLE" '.linux.resources.pids = {"limit": 10}'
    run vrun
    echo "$output"
    [[ $output == *"can't fork"* ]]
    vcreate_pids_max=$(
        make_bundle "$BATS_TEST_TMPDIR/b2" sleep 1000 >/dev/null &&
            bundle_jq "$BATS_TEST_TMPDIR/b2" '.linux.resources.pids = {"limit": 10}' &&
            BUNDLE=$BATS_TEST_TMPDIR/b2 vcreate &&
            cg_read "$(state_field pid)" pids pids.max pids.max
    )
    vo delete --force "$ID"
    [ "$vcreate_pids_max" = 10 ]
}

@test "cgroups: cpu shares, quota, period, cpus and mems are written (shares as cpu.weight on v2)" {
    create_sleeper '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}'
    if [ "$LAYOUT" = v2 ]; then
        # runc: 1 + ((512 - 2) * 9999) / 262142
        [ "$(cg_read "$PID" cpu - cpu.weight)" = 20 ]
        [ "$(cg_read "$PID" cpu - cpu.max)" = "50000 100000" ]
    else
        [ "$(cg_read "$PID" cpu cpu.shares -)" = 512 ]
        [ "$(cg_read "$PID" cpu cpu.cfs_quota_us -)" = 50000 ]
        [ "$(cg_read "$PID" cpu cpu.cfs_period_us -)" = 100000 ]
    fi
    [ "$(cg_read "$PID" cpuset cpuset.cpus cpuset.cpus)" = 0 ]
    [ "$(cg_read "$PID" cpuset cpuset.mems cpuset.mems)" = 0 ]
    # The kernel applies the cpuset to the init itself.
    grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$PID/status"
    vo delete --force "$ID"
}

@test "cgroups: a paused container makes no progress, reads paused, and resumes" {
    # The count is renamed into place: a reader never sees it half-written.
    make_bundle "$BUNDLE" sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
    bundle_writable "$BUNDLE"
    vrun -d </dev/null >/dev/null 2>&1 3>&-
    local f=$BUNDLE/rootfs/tmp/count a b
    wait_for test -s "$f"
    vo pause "$ID"
    [ "$(state_field status)" = paused ]
    run vo list
    [[ $output == *paused* ]]
    a=$(cat "$f")
    sleep 0.5
    b=$(cat "$f")
    [ "$a" = "$b" ]
    run --separate-stderr vo pause "$ID"
    [ "$status" -ne 0 ]
    vo resume "$ID"
    [ "$(state_field status)" = running ]
    sleep 0.5
    [ "$(cat "$f")" -gt "$b" ]
    run --separate-stderr vo resume "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line 'resume .*: container not paused: running'
    vo delete --force "$ID"
}

@test "cgroups: pause of a stopped container fails" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo pause "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line 'pause .*: container not running or created: stopped'
    vo delete "$ID"
}

@test "cgroups: ps lists forked processes from the cgroup and kill --all kills them" {
    make_bundle "$BUNDLE" sh -c 'sleep 1001 & sleep 1002 & wait'
    vcreate
    vstart
    local pids
    wait_for sh -c "[ \$($VOIDOCI --root $ROOT ps -f json $ID | jq length) -eq 3 ]"
    pids=$(vo ps -f json "$ID" | jq -r '.[]')
    echo "ps: $pids"
    local dir
    dir=$(cg_dir "$(state_field pid)" pids)
    [ "$(sort -n "$dir/cgroup.procs" | tr '\n' ' ')" = "$(sort -n <<<"$pids" | tr '\n' ' ')" ]
    run vo ps "$ID"
    [[ $output == *"sleep 1001"* && $output == *"sleep 1002"* ]]
    # sh waits: only --all reaches the sleeps
    vo kill --all "$ID" KILL
    wait_status stopped
    # shellcheck disable=SC2086
    wait_for pids_gone $pids
    vo delete "$ID"
}

@test "cgroups: kill --all reaches a process whose parent died" {
    make_bundle "$BUNDLE" sh -c '(sleep 1003 &) ; sleep 1004'
    vcreate
    vstart
    wait_for sh -c "[ \$($VOIDOCI --root $ROOT ps -f json $ID | jq length) -eq 2 ]"
    local pids
    pids=$(vo ps -f json "$ID" | jq -r '.[]')
    # pid 1 of a namespace ignores TERM: KILL
    vo kill --all "$ID" KILL
    # shellcheck disable=SC2086
    wait_for pids_gone $pids
    vo delete "$ID"
}

@test "cgroups: podman's deny-all device rule still lets the default devices work" {
    make_bundle "$BUNDLE" sh -c 'echo x >/dev/null && head -c 3 /dev/zero | wc -c && head -c 3 /dev/urandom | wc -c && head -c 3 /dev/full | wc -c;  (: >/dev/tty) 2>&1; true'
    bundle_writable "$BUNDLE"
    bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
    run vrun
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^3$' <<<"$output")" -eq 3 ]
    # no terminal: ENXIO, not the cgroup's EPERM
    [[ $output != *"not permitted"* ]]
}

@test "cgroups: v1 device rules deny what is not listed, in config order" {
    [ "$LAYOUT" != v2 ] || skip "cgroup v2 has no devices.list: its eBPF program is tested by opening devices"
    create_sleeper '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
    local list
    list=$(cat "$(cg_dir "$PID" devices)/devices.list")
    echo "$list"
    grep -qx 'c 10:229 r' <<<"$list"
    grep -qx 'c 1:3 rwm' <<<"$list"
    ! grep -q '^a ' <<<"$list"
    vo delete --force "$ID"
}

# A host device that no default rule allows, bound in at /dev/kmsg: c 1:11.
# Opening it write-only needs no capability (reading needs CAP_SYSLOG), so
# a refusal there is the device cgroup's.
bind_kmsg() {
    make_bundle "$BUNDLE" sh -c '(exec 3>/dev/kmsg) && echo kmsg-opened; echo x >/dev/null && echo null-ok; head -c 3 /dev/zero | wc -c'
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
}

@test "cgroups: a host device bound in but not allowed cannot be opened, the default devices can" {
    [ -c /dev/kmsg ] || skip "this machine has no /dev/kmsg"
    bind_kmsg
    run vrun
    echo "$output"
    [[ $output == *"/dev/kmsg: Operation not permitted"* ]]
    [[ $output != *kmsg-opened* ]]
    [[ $output == *null-ok* ]]
    [[ $output == *$'\n'3* ]]
}

@test "cgroups: a device rule allows only its access, and the last matching rule wins" {
    [ -c /dev/kmsg ] || skip "this machine has no /dev/kmsg"
    bind_kmsg
    local allow_w='{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}'
    bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"}, '"$allow_w"']'
    run vrun
    echo "allowed for writing: $output"
    [[ $output == *kmsg-opened* ]]
    [[ $output == *null-ok* ]]
    # Read only: the write-only open is refused.
    bundle_jq "$BUNDLE" '.linux.resources.devices[1].access = "r"'
    run vrun
    echo "allowed for reading: $output"
    [[ $output == *"/dev/kmsg: Operation not permitted"* ]]
    [[ $output != *kmsg-opened* ]]
    # Allowed, then denied by a later rule: denied.
    bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"}, '"$allow_w"', {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
    run vrun
    echo "allowed, then denied: $output"
    [[ $output == *"/dev/kmsg: Operation not permitted"* ]]
    # Denied, then allowed by a later wildcard: allowed.
    bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}, {"allow": true, "type": "c", "access": "w"}]'
    run vrun
    echo "denied, then allowed: $output"
    [[ $output == *kmsg-opened* ]]
}

@test "cgroups: cpus beyond the machine's is one error line naming the field, nothing left" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.resources.cpu.cpus = "0-99"'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config.json: linux.resources.cpu.cpus: .*cpuset.cpus'
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: a unified key on a v1 host is an error naming it" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: unified keys are valid here"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.resources.unified = {"memory.max": "1000000"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux.resources.unified\["memory.max"\]'
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: unified keys are written as given on v2" {
    [ "$LAYOUT" = v2 ] || skip "this host is not cgroup v2 only"
    create_sleeper '.linux.resources.unified = {"memory.high": "50000000", "pids.max": "7"}'
    [ "$(cat "$(cg_dir "$PID" memory)/pids.max")" = 7 ]
    # the kernel rounds to pages
    [ "$(cat "$(cg_dir "$PID" memory)/memory.high")" -le 50000000 ]
    vo delete --force "$ID"
}

@test "cgroups: the systemd form of cgroupsPath is refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.cgroupsPath = "system.slice:voidoci:'"$ID"'"'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux.cgroupsPath: .*the systemd cgroup driver is not built in'
}

@test "cgroups: --systemd-cgroup is refused by the commands that set cgroups, and not by those that read or remove them" {
    make_bundle "$BUNDLE" true
    for cmd in "create --bundle $BUNDLE $ID" "run --bundle $BUNDLE $ID" \
        "exec $ID true" "pause $ID" "resume $ID" "update --pids-limit 5 $ID"; do
        # shellcheck disable=SC2086 # the command's words
        run --separate-stderr vo --systemd-cgroup $cmd
        [ "$status" -ne 0 ]
        assert_one_error_line "^voidoci: ${cmd%% *}: --systemd-cgroup: the systemd cgroup driver is not built in$"
    done
    [ ! -e "$ROOT/$ID" ]
    # These reach the container code and fail only because $ID does not exist.
    for cmd in state delete kill ps; do
        run --separate-stderr vo --systemd-cgroup "$cmd" "$ID"
        [ "$status" -ne 0 ]
        assert_one_error_line "$ID"
        [[ $stderr != *systemd* ]]
    done
    run --separate-stderr vo --systemd-cgroup list
    [ "$status" -eq 0 ]
}

@test "cgroups: v1-only fields are refused on v2, and v1 refuses a missing controller" {
    make_bundle "$BUNDLE" true
    if [ "$LAYOUT" = v2 ]; then
        local field refusal
        cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.json"
        while IFS='|' read -r field refusal; do
            cp "$BATS_TEST_TMPDIR/config.json" "$BUNDLE/config.json"
            bundle_jq "$BUNDLE" ".linux.resources.$field"
            run --separate-stderr vrun
            [ "$status" -ne 0 ]
            assert_one_error_line "linux.resources.${field%% =*}: $refusal"
            [ -z "$(our_cgroup_dirs)" ]
        done <<'FIELDS'
cpu.realtimeRuntime = 1000|cgroup v2 has no real-time
memory.swappiness = 60|cgroup v2 has no memory.swappiness
memory.disableOOMKiller = true|cgroup v2 cannot disable the OOM killer
blockIO.leafWeight = 500|cgroup v2 has no leaf weight
FIELDS
    else
        [ ! -d /sys/fs/cgroup/net_cls ] || skip "this host has a net_cls hierarchy"
        bundle_jq "$BUNDLE" '.linux.resources.network.classID = 1048577'
        run --separate-stderr vrun
        assert_one_error_line 'linux.resources.network.classID: the host has no net_cls cgroup controller'
    fi
    [ "$status" -ne 0 ]
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: hugetlb limits go to the hierarchy that has hugetlb (the cgroup2 mount on a hybrid host)" {
    local size
    size=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed -n 's/^hugepages-\([0-9]*\)kB$/\1/p' | sort -n | head -1)
    [ -n "$size" ] || skip "this machine has no huge pages"
    local name=$((size / 1024))MB limit=$((size * 1024 * 2)) dir
    [ "$size" -lt 1048576 ] || name=$((size / 1048576))GB
    create_sleeper '.linux.resources.hugepageLimits = [{"pageSize": "'"$name"'", "limit": '"$limit"'}]'
    dir=$(cg_dir "$PID" hugetlb)
    if [ -e "$dir/hugetlb.$name.limit_in_bytes" ]; then
        [ "$(cat "$dir/hugetlb.$name.limit_in_bytes")" = "$limit" ]
    else
        [ "$(cat "$dir/hugetlb.$name.max")" = "$limit" ]
    fi
    vo delete --force "$ID"
}

# ---- the rest of linux.resources.memory and .cpu, blockIO, rdma -------------

@test "cgroups: memory kernelTCP, swappiness, disableOOMKiller and useHierarchy are written (v1)" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: it has none of these files (voidoci refuses the fields)"
    create_sleeper '.linux.resources.memory = {"kernelTCP": 33554432, "swappiness": 30,
        "disableOOMKiller": true, "useHierarchy": true}'
    local dir
    dir=$(cg_dir "$PID" memory)
    [ "$(cat "$dir/memory.kmem.tcp.limit_in_bytes")" = 33554432 ]
    [ "$(cat "$dir/memory.swappiness")" = 30 ]
    grep -qx 'oom_kill_disable 1' "$dir/memory.oom_control"
    [ "$(cat "$dir/memory.use_hierarchy")" = 1 ]
    vo delete --force "$ID"
}

@test "cgroups: memory.kernel is ignored with a warning on stderr, as runc 1.1 does" {
    create_sleeper '.linux.resources.memory = {"kernel": 67108864, "limit": 33554432}'
    [[ $stderr == *"warning: config.json: linux.resources.memory.kernel is ignored"* ]]
    # Nothing written: the kmem limit (where the file is) stays unlimited.
    local dir
    dir=$(cg_dir "$PID" memory)
    [ ! -e "$dir/memory.kmem.limit_in_bytes" ] ||
        [ "$(cat "$dir/memory.kmem.limit_in_bytes")" -gt 67108864 ]
    [ "$(cg_read "$PID" memory memory.limit_in_bytes memory.max)" = 33554432 ]
    vo delete --force "$ID"
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: a memory value the kernel refuses (useHierarchy false) is one error line naming it, nothing left" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: useHierarchy false is refused before any write"
    [ "$(cat /sys/fs/cgroup/memory/memory.use_hierarchy)" = 1 ] || skip "this kernel still lets use_hierarchy be 0"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.resources.memory.useHierarchy = false'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.resources\.memory\.useHierarchy: write "0" to .*memory\.use_hierarchy'
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: cpu burst and idle are written (cpu.cfs_burst_us on v1, cpu.max.burst on v2)" {
    [ "$LAYOUT" = v2 ] || [ -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] ||
        skip "this kernel has no cpu.cfs_burst_us"
    create_sleeper '.linux.resources.cpu = {"quota": 50000, "period": 100000, "burst": 20000, "idle": 1}'
    [ "$(cg_read "$PID" cpu cpu.cfs_burst_us cpu.max.burst)" = 20000 ]
    [ "$(cg_read "$PID" cpu cpu.idle cpu.idle)" = 1 ]
    vo delete --force "$ID"
}

@test "cgroups: realtimePeriod and realtimeRuntime are written under a parent with a real-time budget (v1)" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: it has no real-time cgroup files (voidoci refuses the fields)"
    [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "this kernel has no CONFIG_RT_GROUP_SCHED"
    # Directly under the root, whose budget is the kernel's; /voidoci has none.
    create_sleeper '.linux.cgroupsPath = "/'"$ID"'"
        | .linux.resources.cpu = {"realtimePeriod": 500000, "realtimeRuntime": 1000}'
    [ "$(cg_read "$PID" cpu cpu.rt_period_us -)" = 500000 ]
    [ "$(cg_read "$PID" cpu cpu.rt_runtime_us -)" = 1000 ]
    vo delete --force "$ID"
    [ -z "$(our_cgroup_dirs)" ]
}

# The major:minor of a whole disk of this machine (not a loop or zram device).
disk_dev() {
    local d
    for d in /sys/block/*; do
        case ${d##*/} in loop* | zram* | ram*) continue ;; esac
        [ -r "$d/dev" ] && cat "$d/dev" && return
    done
    return 1
}

# create_throttled_sleeper MAJ:MIN: create_sleeper with the four blockIO
# throttle lists on that device: read 1 MiB/s and 100 IOPS, write 2 MiB/s
# and 200 IOPS.
create_throttled_sleeper() {
    local maj=${1%:*} min=${1#*:}
    create_sleeper '.linux.resources.blockIO = {
        "throttleReadBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 1048576}],
        "throttleWriteBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 2097152}],
        "throttleReadIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 100}],
        "throttleWriteIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 200}]}'
}

@test "cgroups: the four blockIO throttle lists are written per device (v1)" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: this test reads the v1 blkio files"
    local dev
    dev=$(disk_dev) || skip "this machine has no disk in /sys/block"
    create_throttled_sleeper "$dev"
    local dir
    dir=$(cg_dir "$PID" blkio)
    [ "$(cat "$dir/blkio.throttle.read_bps_device")" = "$dev 1048576" ]
    [ "$(cat "$dir/blkio.throttle.write_bps_device")" = "$dev 2097152" ]
    [ "$(cat "$dir/blkio.throttle.read_iops_device")" = "$dev 100" ]
    [ "$(cat "$dir/blkio.throttle.write_iops_device")" = "$dev 200" ]
    vo delete --force "$ID"
}

@test "cgroups: the four blockIO throttle lists are one io.max line per device (v2)" {
    [ "$LAYOUT" = v2 ] || skip "this host is not cgroup v2 only: this test reads io.max"
    local dev
    dev=$(disk_dev) || skip "this machine has no disk in /sys/block"
    create_throttled_sleeper "$dev"
    local max
    max=$(cat "$(cg_dir "$PID" io)/io.max")
    echo "io.max: $max"
    [ "$max" = "$dev rbps=1048576 wbps=2097152 riops=100 wiops=200" ]
    vo delete --force "$ID"
}

@test "cgroups: blockIO weight and a per-device weight go to io.bfq.weight, on the scale BFQ shares with v1 (v2)" {
    [ "$LAYOUT" = v2 ] || skip "this host is not cgroup v2 only: this test reads io.bfq.weight"
    [ -e "$(cg_dir $$ io)/io.bfq.weight" ] ||
        skip "this host has no BFQ scheduler loaded: no io.bfq.weight"
    local dev maj min
    dev=$(disk_dev) || skip "this machine has no disk in /sys/block"
    grep -q '\[bfq\]' "/sys/dev/block/$dev/queue/scheduler" || skip "disk $dev does not use BFQ"
    maj=${dev%:*} min=${dev#*:}
    create_sleeper '.linux.resources.blockIO = {"weight": 500,
        "weightDevice": [{"major": '"$maj"', "minor": '"$min"', "weight": 300}]}'
    local weights
    weights=$(cat "$(cg_dir "$PID" io)/io.bfq.weight")
    echo "io.bfq.weight: $weights"
    grep -qx 'default 500' <<<"$weights"
    grep -qx "$dev 300" <<<"$weights"
    vo delete --force "$ID"
}

# BFQ taken away for one test, where it is a module that can be put back
# (the VM's: tests/vm/init loads it from /lib/voidoci-modules); teardown
# puts it back.
BFQ_MODULE=/lib/voidoci-modules/bfq.ko
unload_bfq() {
    local q
    for q in /sys/block/*/queue/scheduler; do
        ! grep -q '\[bfq\]' "$q" || echo none >"$q" || return 1
    done
    rmmod bfq && touch "$BATS_TEST_TMPDIR/bfq-unloaded"
}

restore_bfq() {
    [ -e "$BATS_TEST_TMPDIR/bfq-unloaded" ] || return 0
    insmod "$BFQ_MODULE" && echo bfq >/sys/block/nullb0/queue/scheduler
}

@test "cgroups: without BFQ, blockIO weights go to io.weight on its 1-10000 scale (v2)" {
    [ "$LAYOUT" = v2 ] || skip "this host is not cgroup v2 only: this test reads io.weight"
    [ -e "$(cg_dir $$ io)/io.weight" ] || skip "this kernel has no io.weight (no blk-iocost)"
    if [ -e "$(cg_dir $$ io)/io.bfq.weight" ]; then
        [ -e "$BFQ_MODULE" ] || skip "BFQ is loaded here and this test cannot put it back"
        unload_bfq || skip "BFQ cannot be unloaded here"
    fi
    [ ! -e "$(cg_dir $$ io)/io.bfq.weight" ]
    local dev
    dev=$(disk_dev) || skip "this machine has no disk in /sys/block"
    # A per-device io.weight needs iocost on the device's queue.
    echo "$dev enable=1" >/sys/fs/cgroup/io.cost.qos || skip "iocost cannot be enabled on $dev"
    create_sleeper '.linux.resources.blockIO = {"weight": 500,
        "weightDevice": [{"major": '"${dev%:*}"', "minor": '"${dev#*:}"', "weight": 300}]}'
    local weights
    weights=$(cat "$(cg_dir "$PID" io)/io.weight")
    echo "io.weight: $weights"
    # runc's conversion: 1 + (w - 10) * 9999 / 990.
    grep -qx "default $((1 + (500 - 10) * 9999 / 990))" <<<"$weights"
    grep -qx "$dev $((1 + (300 - 10) * 9999 / 990))" <<<"$weights"
    vo delete --force "$ID"
    echo "$dev enable=0" >/sys/fs/cgroup/io.cost.qos
}

@test "cgroups: blockIO weight without a weight file (no BFQ) is one error line naming it, not dropped" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: this test is about the v1 blkio files"
    [ ! -e /sys/fs/cgroup/blkio/blkio.weight ] && [ ! -e /sys/fs/cgroup/blkio/blkio.bfq.weight ] ||
        skip "this host has a blkio weight file (BFQ or CFQ)"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.resources.blockIO.weight = 500'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.resources\.blockIO\.weight: blkio\.bfq\.weight: the kernel has no such cgroup file'
    [ -z "$(our_cgroup_dirs)" ]
}

# What Docker 20.10 sends with every container ("not set" spelled 0 or ""):
# runc reads each zero as unset, so nothing is written for it, and no host
# lacking BFQ, real-time groups or net_cls fails it.
@test "cgroups: Docker's all-zero resources run on any host and change nothing" {
    make_bundle "$BUNDLE" sleep 1000
    bundle_jq "$BUNDLE" '.linux.resources += {
        "memory": {"limit": 0, "reservation": 0, "swap": 0, "kernelTCP": 0,
                   "disableOOMKiller": false},
        "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0,
                "realtimePeriod": 0, "cpus": "", "mems": ""},
        "blockIO": {"weight": 0, "leafWeight": 0,
                    "weightDevice": [{"major": 8, "minor": 0, "weight": 0, "leafWeight": 0}]},
        "pids": {"limit": 0},
        "network": {"classID": 0}}'
    vcreate
    PID=$(state_field pid)
    [ -z "$stderr" ]
    if [ "$LAYOUT" = v2 ]; then
        [ "$(cg_read "$PID" cpu - cpu.weight)" = 100 ]
        [ "$(cg_read "$PID" cpu - cpu.max)" = "max 100000" ]
        [ "$(cg_read "$PID" memory - memory.max)" = max ]
    else
        [ "$(cg_read "$PID" cpu cpu.shares -)" = 1024 ]
        [ "$(cg_read "$PID" cpu cpu.cfs_quota_us -)" = -1 ]
        [ "$(cg_read "$PID" cpu cpu.cfs_period_us -)" = 100000 ]
        [ "$(cg_read "$PID" memory memory.limit_in_bytes -)" -gt 1000000000000 ]
        [ "$(cg_read "$PID" cpuset cpuset.cpus -)" = "$(cat "$(dirname "$(cg_dir "$PID" cpuset)")/cpuset.cpus")" ]
    fi
    [ "$(cg_read "$PID" pids pids.max pids.max)" = max ]
    vstart
    [ "$(state_field status)" = running ]
    vo delete --force "$ID"
    [ -z "$(our_cgroup_dirs)" ]
}

@test "cgroups: blockIO weight and a per-device weight go to the v1 BFQ (or CFQ) files (v1)" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: this test reads the v1 blkio files"
    local file
    for file in blkio.weight blkio.bfq.weight none; do
        [ "$file" != none ] || skip "this host has no blkio weight file (neither BFQ nor CFQ)"
        [ ! -e "/sys/fs/cgroup/blkio/$file" ] || break
    done
    local dev
    dev=$(disk_dev) || skip "this machine has no disk in /sys/block"
    grep -Eq '\[(bfq|cfq)\]' "/sys/dev/block/$dev/queue/scheduler" ||
        skip "disk $dev uses neither BFQ nor CFQ"
    create_sleeper '.linux.resources.blockIO = {"weight": 500,
        "weightDevice": [{"major": '"${dev%:*}"', "minor": '"${dev#*:}"', "weight": 300}]}'
    local dir
    dir=$(cg_dir "$PID" blkio)
    cat "$dir/$file" "$dir/${file}_device"
    grep -Eqx '(default )?500' "$dir/$file"
    grep -qx "$dev 300" "$dir/${file}_device"
    vo delete --force "$ID"
}

@test "cgroups: blockIO leafWeight without CFQ's leaf files is one error line naming it (v1)" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2: v2 refuses leafWeight on its own"
    [ -d /sys/fs/cgroup/blkio ] || skip "this host has no v1 blkio hierarchy"
    [ ! -e /sys/fs/cgroup/blkio/blkio.leaf_weight ] ||
        skip "this host has CFQ's blkio.leaf_weight (a kernel before 5.0)"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.resources.blockIO.leafWeight = 500'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.resources\.blockIO\.leafWeight: blkio\.leaf_weight: the kernel has no such cgroup file'
    [ -z "$(our_cgroup_dirs)" ]
}

# The kernel's hierarchy number of controller $1 (/proc/cgroups), or
# nothing when it has no such controller.
hierarchy_of() {
    awk -v c="$1" '$1 == c { print $2 }' /proc/cgroups
}

# A v1 hierarchy whose last mount went while a cgroup in it was still
# being removed outlives the mount (empty, its controllers held); mounting
# it again, empty now, and unmounting lets the kernel free it.
release_net_hierarchy() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(hierarchy_of net_cls)" != 0 ] || return 0
        unshare -m --propagation private sh -c \
            'mount -t cgroup -o net_cls,net_prio voidoci-test "$1" && umount "$1"' _ "$1"
        sleep 0.1
    done
    echo "the net_cls,net_prio hierarchy outlived the test" >&2
    return 1
}

@test "cgroups: network classID and priorities go to net_cls.classid and net_prio.ifpriomap (v1)" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2 only: net_cls and net_prio are v1 controllers"
    [ -n "$(hierarchy_of net_cls)" ] && [ -n "$(hierarchy_of net_prio)" ] ||
        skip "this kernel has no net_cls or net_prio controller"
    # Our hosts mount neither: the test mounts them as one v1 hierarchy, in a
    # mount namespace of its own, and runs the container's lifecycle there.
    [ "$(hierarchy_of net_cls)" = 0 ] && [ "$(hierarchy_of net_prio)" = 0 ] ||
        skip "net_cls or net_prio is mounted as a v1 hierarchy here already"
    make_bundle "$BUNDLE" sleep 1000
    # The default placement (/voidoci/ID), in the hierarchy the test mounts.
    bundle_jq "$BUNDLE" 'del(.linux.cgroupsPath) | .linux.resources.network = {"classID": 1048577,
        "priorities": [{"name": "lo", "priority": 5}]}'
    local mnt=$BATS_TEST_TMPDIR/net-cgroups
    mkdir "$mnt"
    NET_MNT=$mnt # teardown frees the hierarchy
    run --separate-stderr unshare -m --propagation private bash -c '
        mnt=$1 id=$2 bundle=$3 root=$4
        shift 4
        mount -t cgroup -o net_cls,net_prio "$id" "$mnt" || exit 1
        # The hierarchy goes once it has no cgroup and no mount left.
        trap "rmdir \"\$mnt/voidoci\" 2>/dev/null; umount \"\$mnt\"" EXIT
        "$@" create --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$mnt.err" 3>&- || {
            cat "$mnt.err" >&2
            exit 1
        }
        cat "$mnt/voidoci/$id/net_cls.classid"
        grep "^lo " "$mnt/voidoci/$id/net_prio.ifpriomap"
        grep -qx "$(jq .pid "$root/$id/state.json")" "$mnt/voidoci/$id/cgroup.procs" && echo "init in it"
        "$@" delete --force "$id" && [ ! -e "$mnt/voidoci/$id" ] && echo "removed by delete"
    ' _ "$mnt" "$ID" "$BUNDLE" "$ROOT" "$VOIDOCI" --root "$ROOT"
    echo "$output" "$stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1048577 ]
    [ "${lines[1]}" = "lo 5" ]
    [ "${lines[2]}" = "init in it" ]
    [ "${lines[3]}" = "removed by delete" ]
    # Nothing of it is left on the host: the hierarchy went with its mount
    # (its source is the test's ID).
    ! grep -qF " $ID " /proc/self/mountinfo
}

@test "cgroups: rdma limits go to rdma.max for the device" {
    [ -n "$(hierarchy_of rdma)" ] || skip "this kernel has no rdma cgroup controller"
    local dev
    dev=$(ls /sys/class/infiniband 2>/dev/null | head -1)
    [ -n "$dev" ] || skip "this machine has no RDMA device (/sys/class/infiniband is empty)"
    make_bundle "$BUNDLE" sleep 1000
    bundle_jq "$BUNDLE" '.linux.resources.rdma = {($d): {"hcaHandles": 3, "hcaObjects": 100}}' --arg d "$dev"
    vcreate
    PID=$(state_field pid)
    local max
    max=$(cat "$(cg_dir "$PID" rdma)/rdma.max")
    echo "rdma.max: $max"
    grep -qx "$dev hca_handle=3 hca_object=100" <<<"$max"
    vo delete --force "$ID"
}

@test "cgroups: rdma limits on a host without the rdma controller are refused naming the device" {
    [ ! -e /sys/fs/cgroup/rdma ] && ! grep -qw rdma /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
        skip "this host has the rdma controller"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.resources.rdma = {"mlx5_0": {"hcaHandles": 3, "hcaObjects": 100}}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'linux\.resources\.rdma\["mlx5_0"\]: the host has no rdma cgroup controller'
    [ -z "$(our_cgroup_dirs)" ]
}

# A host process in a v1 pids sub-cgroup of the container's, out of reach
# of the kill (on a hybrid host delete --force kills through the cgroup2
# mount's cgroup.kill), keeps that cgroup busy for $1 seconds, then leaves.
# BUSY is that sub-cgroup.
busy_sub_cgroup() {
    BUSY=$(cg_dir "$PID" pids)/busy
    mkdir "$BUSY"
    bg sh -c 'echo $$ >"$1/cgroup.procs" && sleep "$2" && echo $$ >/sys/fs/cgroup/pids/cgroup.procs' \
        sh "$BUSY" "$1"
    wait_for grep -q . "$BUSY/cgroup.procs"
}

@test "cgroups: delete --force retries a cgroup that is busy for a moment (EBUSY), and fails clearly when it stays busy" {
    [ "$LAYOUT" = hybrid ] || skip "needs a hybrid host: its v1 pids hierarchy holds a process that the cgroup2 kill does not reach"
    command -v strace >/dev/null || skip "strace is missing: it shows the rmdir calls"
    create_sleeper
    busy_sub_cgroup 0.5
    # LeakSanitizer cannot work under ptrace (the sanitizer build).
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run strace -f -e trace=rmdir -o "$BATS_TEST_TMPDIR/rmdir.log" \
        "$VOIDOCI" --root "$ROOT" delete --force "$ID"
    [ "$status" -eq 0 ]
    grep -q 'rmdir(".*/pids'"$CGROUP_PARENT/$ID"'/busy") = -1 EBUSY' "$BATS_TEST_TMPDIR/rmdir.log"
    grep -q 'rmdir(".*/pids'"$CGROUP_PARENT/$ID"'/busy") = 0' "$BATS_TEST_TMPDIR/rmdir.log"
    [ -z "$(our_cgroup_dirs)" ]
    [ ! -e "$ROOT/$ID" ]

    # Busy for longer than the retries last (2 s): an error that names the
    # cgroup, and the state stays for a later delete.
    vcreate
    PID=$(state_field pid)
    busy_sub_cgroup 4
    run --separate-stderr vo delete --force "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line 'remove cgroup ".*/pids'"$CGROUP_PARENT/$ID"'/busy": Device or resource busy'
    [ -e "$ROOT/$ID" ]
    wait_for sh -c '! grep -q . "$0"' "$BUSY/cgroup.procs"
    vo delete --force "$ID"
    [ -z "$(our_cgroup_dirs)" ]
}

# On Linux 6.0 and later a thread that moves itself into a v1 cgroup skips
# the global lock whose first use after an idle moment waits for an RCU
# grace period (11 ms here, against 0.1 ms): the init writes "0" to each v1
# hierarchy's tasks file, through files the runtime opened before the
# clone, and no pid goes into a v1 cgroup.procs.
@test "cgroups: on v1 (Linux 6 and later) the init moves itself into its cgroups (tasks), the runtime writes no pid" {
    [ "$LAYOUT" != v2 ] || skip "this host is cgroup v2 only: it has no v1 hierarchy"
    [ "$(uname -r | cut -d. -f1)" -ge 6 ] || skip "this kernel ($(uname -r)) is older than 6.0: the runtime writes the pid"
    command -v strace >/dev/null || skip "strace is missing: it shows the writes"
    make_bundle "$BUNDLE" cat /proc/self/cgroup
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "cgroup"))'
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run --separate-stderr \
        strace -f -e trace=openat,write -o "$BATS_TEST_TMPDIR/strace.log" \
        "$VOIDOCI" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    local n_v1 n_tasks pid
    n_v1=$(awk -F: '$2 != ""' <<<"$output" | wc -l)
    [ "$n_v1" -gt 0 ]
    # Each v1 line of the init's /proc/self/cgroup is the container's.
    awk -F: -v want="${CGROUP_PARENT-}/$ID" '$2 != "" && $3 !~ want"$" { bad = 1; print "not in its cgroup: " $0 } END { exit bad }' <<<"$output"
    n_tasks=$(grep -c 'write([0-9]*, "0", 1) *= 1' "$BATS_TEST_TMPDIR/strace.log")
    [ "$n_tasks" -ge "$n_v1" ]
    grep -q "openat(AT_FDCWD, \"/sys/fs/cgroup/[^\"]*/$ID/tasks\", O_WRONLY|O_CLOEXEC)" "$BATS_TEST_TMPDIR/strace.log"
    ! grep -q "/$ID/cgroup.procs\", O_WRONLY" "$BATS_TEST_TMPDIR/strace.log"
}
