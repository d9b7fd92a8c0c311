#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What config.json's process adds back to the void: user and groups,
# capabilities, rlimits, env, cwd, umask, noNewPrivileges -- and nothing
# else, not even an open file descriptor.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# set_caps BOUNDING EFFECTIVE PERMITTED INHERITABLE AMBIENT: each a JSON array.
set_caps() {
    bundle_jq "$BUNDLE" '.process.capabilities = {bounding: $b, effective: $e, permitted: $p,
        inheritable: $i, ambient: $a}' \
        --argjson b "$1" --argjson e "$2" --argjson p "$3" --argjson i "$4" --argjson a "$5"
}

# assert_caps INH PRM EFF BND AMB: the Cap* lines of a status dump in $output.
assert_caps() {
    local field want got ok=0
    for field in CapInh CapPrm CapEff CapBnd CapAmb; do
        want=$1
        shift
        got=$(status_field "$field") || got="(no $field line)"
        if [ "$got" != "$want" ]; then
            echo "$field: want $want, got $got" >&2
            ok=1
        fi
    done
    return "$ok"
}

@test "user: uid, gid and additionalGids are exactly the ones asked for" {
    make_bundle "$BUNDLE" sh -c 'id; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
    bundle_jq "$BUNDLE" '.process.user = {uid: 1000, gid: 1001, additionalGids: [2000, 2001]}'
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "uid=1000 gid=1001 groups=2000,2001" ]
    [[ ${lines[1]} =~ ^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
    [[ ${lines[2]} =~ ^Gid:[[:space:]]+1001[[:space:]]+1001[[:space:]]+1001[[:space:]]+1001$ ]]
    [[ ${lines[3]} =~ ^Groups:[[:space:]]+2000\ 2001[[:space:]]*$ ]]
}

@test "user: the runtime's own supplementary groups do not reach the container" {
    make_bundle "$BUNDLE" grep '^Groups:' /proc/self/status
    bundle_jq "$BUNDLE" '.process.user = {uid: 0, gid: 0}'
    run setpriv --groups 3000,3001 -- timeout 60 "$VOIDOCI" --root "$ROOT" run -b "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [[ $output =~ ^Groups:[[:space:]]*$ ]]
}

@test "capabilities: a root process with all five sets {CAP_CHOWN, CAP_KILL} has exactly 0000000000000021 in each" {
    make_bundle "$BUNDLE" grep ^Cap /proc/self/status
    local set='["CAP_CHOWN","CAP_KILL"]' m
    set_caps "$set" "$set" "$set" "$set" "$set"
    run vrun
    [ "$status" -eq 0 ]
    m=$(cap_mask CAP_CHOWN CAP_KILL)
    [ "$m" = 0000000000000021 ]
    assert_caps "$m" "$m" "$m" "$m" "$m"
}

@test "capabilities: empty sets leave a root process with no capability at all" {
    make_bundle "$BUNDLE" grep ^Cap /proc/self/status
    set_caps '[]' '[]' '[]' '[]' '[]'
    run vrun
    [ "$status" -eq 0 ]
    local z=0000000000000000
    assert_caps $z $z $z $z $z
}

@test "capabilities: a process without process.capabilities has none" {
    make_bundle "$BUNDLE" grep ^Cap /proc/self/status
    bundle_jq "$BUNDLE" 'del(.process.capabilities)'
    run vrun
    [ "$status" -eq 0 ]
    local z=0000000000000000
    assert_caps $z $z $z $z $z
}

@test "capabilities: as root with noNewPrivileges, permitted is exactly the requested set, not the bounding set" {
    # Without noNewPrivileges, execve as root would refill permitted from the
    # bounding set (capabilities(7)); with it, permitted cannot grow.
    make_bundle "$BUNDLE" grep ^Cap /proc/self/status
    set_caps '["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"]' '["CAP_CHOWN","CAP_KILL"]' \
        '["CAP_CHOWN","CAP_KILL"]' '[]' '[]'
    bundle_jq "$BUNDLE" '.process.noNewPrivileges = true'
    run vrun
    [ "$status" -eq 0 ]
    assert_caps 0000000000000000 "$(cap_mask CAP_CHOWN CAP_KILL)" "$(cap_mask CAP_CHOWN CAP_KILL)" \
        "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)" 0000000000000000
}

@test "capabilities: a non-root process keeps exactly its bounding and inheritable sets, and its ambient set is all it may use" {
    # After execve a non-root process's permitted and effective sets are its
    # ambient set (capabilities(7)).
    make_bundle "$BUNDLE" grep ^Cap /proc/self/status
    bundle_jq "$BUNDLE" '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false'
    set_caps '["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"]' '["CAP_KILL","CAP_NET_BIND_SERVICE"]' \
        '["CAP_KILL","CAP_NET_BIND_SERVICE"]' '["CAP_KILL","CAP_NET_BIND_SERVICE"]' \
        '["CAP_NET_BIND_SERVICE"]'
    run vrun
    [ "$status" -eq 0 ]
    local amb
    amb=$(cap_mask CAP_NET_BIND_SERVICE)
    assert_caps "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)" "$amb" "$amb" \
        "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)" "$amb"
}

@test "capabilities: a capability outside the bounding set is refused inside (chown without CAP_CHOWN)" {
    make_bundle "$BUNDLE" sh -c 'touch /tmp/f && chown 1:1 /tmp/f'
    bundle_jq "$BUNDLE" '.root.readonly = false'
    set_caps '["CAP_KILL"]' '["CAP_KILL"]' '["CAP_KILL"]' '[]' '[]'
    run vrun
    [ "$status" -ne 0 ]
    [[ $output == *"Operation not permitted"* ]]
}

@test "rlimits: RLIMIT_NOFILE soft and hard are the ones asked for (below the host's hard limit)" {
    local host_hard soft hard
    host_hard=$(ulimit -Hn)
    [ "$host_hard" = unlimited ] && host_hard=8192
    # Root here may lack CAP_SYS_RESOURCE: stay below the current hard limit.
    hard=$((host_hard / 2))
    soft=$((hard / 2))
    make_bundle "$BUNDLE" sh -c 'ulimit -n; ulimit -Hn'
    bundle_jq "$BUNDLE" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: $s, hard: $h}]' \
        --argjson s "$soft" --argjson h "$hard"
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$soft" ]
    [ "${lines[1]}" = "$hard" ]
}

@test "rlimits: several rlimits are all applied (RLIMIT_NOFILE and RLIMIT_CORE)" {
    make_bundle "$BUNDLE" cat /proc/self/limits
    bundle_jq "$BUNDLE" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200},
        {type: "RLIMIT_CORE", soft: 4096, hard: 8192}]'
    run vrun
    [ "$status" -eq 0 ]
    grep -Eq '^Max open files +100 +200 +files' <<<"$output"
    grep -Eq '^Max core file size +4096 +8192 +bytes' <<<"$output"
}

@test "env: the container's environment is exactly process.env" {
    make_bundle "$BUNDLE" env
    bundle_jq "$BUNDLE" '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "HOME=/root"]'
    VOIDOCI_HOST_ONLY=leaked run vrun
    [ "$status" -eq 0 ]
    [ "$(sort <<<"$output" | tr '\n' '|')" = "FOO=bar baz|HOME=/root|PATH=/bin:/usr/bin|" ]
}

@test "cwd: the process starts in process.cwd" {
    make_bundle "$BUNDLE" pwd
    bundle_jq "$BUNDLE" '.process.cwd = "/tmp"'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = /tmp ]
}

@test "cwd: a cwd only root can enter (/root, mode 700) works for a non-root process.user, as with runc" {
    make_bundle "$BUNDLE" sh -c 'pwd; id -u'
    mkdir -p "$BUNDLE/rootfs/root"
    chown 0:0 "$BUNDLE/rootfs/root"
    chmod 700 "$BUNDLE/rootfs/root"
    bundle_jq "$BUNDLE" '.process.cwd = "/root" | .process.user = {uid: 1000, gid: 1000}'
    run --separate-stderr -0 vrun
    [ "${lines[0]}" = /root ]
    [ "${lines[1]}" = 1000 ]
}

@test "cwd: a cwd only the user can enter, not root (as on root-squashed NFS), is entered after the user switch" {
    command -v capsh >/dev/null || skip "no capsh (libcap2-bin) to run voidoci without its DAC capabilities"
    make_bundle "$BUNDLE" sh -c 'pwd; id -u'
    mkdir -p "$BUNDLE/rootfs/home/u"
    chown 1000:1000 "$BUNDLE/rootfs/home/u"
    chmod 700 "$BUNDLE/rootfs/home/u"
    bundle_jq "$BUNDLE" '.process.cwd = "/home/u" | .process.user = {uid: 1000, gid: 1000}'
    # A root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH cannot enter
    # the directory, as root-squashed NFS refuses root; uid 1000 can.  Nor
    # can it make a directory in a hierarchy's root (mode 555): the test's
    # cgroup parent is made beforehand, with every capability.
    local mnt own
    while read -r mnt own; do
        mkdir -p "$mnt$CGROUP_PARENT"
        # A v1 cpuset cgroup starts empty: no task may join it until set.
        if [ -f "$mnt/cpuset.cpus" ] && [ ! -f "$mnt/cgroup.controllers" ]; then
            cat "$mnt/cpuset.cpus" >"$mnt$CGROUP_PARENT/cpuset.cpus"
            cat "$mnt/cpuset.mems" >"$mnt$CGROUP_PARENT/cpuset.mems"
        fi
    done < <(_cgroup_mounts)
    run --separate-stderr capsh --drop=cap_dac_override,cap_dac_read_search -- -c \
        '"$@"' sh "$VOIDOCI" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = /home/u ]
    [ "${lines[1]}" = 1000 ]
}

@test "umask: process.user.umask is the process's umask" {
    make_bundle "$BUNDLE" sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
    bundle_jq "$BUNDLE" '.process.user.umask = 63 | .root.readonly = false' # 0077
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0077 ]
    [ "${lines[1]}" = 600 ]
}

@test "noNewPrivileges: true sets NoNewPrivs, false leaves it clear" {
    if grep -Eq '^NoNewPrivs:[[:space:]]+1' /proc/self/status; then
        skip "this machine runs the tests with no_new_privs already set"
    fi
    make_bundle "$BUNDLE" grep ^NoNewPrivs: /proc/self/status
    bundle_jq "$BUNDLE" '.process.noNewPrivileges = true'
    run vrun
    [ "$status" -eq 0 ]
    [[ $output =~ ^NoNewPrivs:[[:space:]]+1$ ]]

    bundle_jq "$BUNDLE" '.process.noNewPrivileges = false'
    run vrun
    [ "$status" -eq 0 ]
    [[ $output =~ ^NoNewPrivs:[[:space:]]+0$ ]]
}

@test "fds: the container gets only fds 0, 1 and 2, not the runtime's others (5, 7)" {
    # ls runs as a child and lists PID 1's (sh's) fds, so its own directory
    # fd is not in the list.
    make_bundle "$BUNDLE" sh -c 'ls /proc/1/fd; true'
    exec 5</dev/null 7</dev/null
    run vrun
    exec 5<&- 7<&-
    [ "$status" -eq 0 ]
    [ "$(tr '\n' ' ' <<<"$output")" = "0 1 2 " ]
}

@test "signals: those the caller ignores, and those the runtime blocks, reach the program at their default" {
    # exec keeps SIG_IGN and the blocked mask, so the child resets both (the
    # runtime blocks HUP, INT, TERM... for itself).  40 is a real-time signal.
    # No timeout(1) in between: it catches HUP, INT, QUIT and TERM, and
    # would hand them on at their default whatever voidoci does.
    make_bundle "$BUNDLE" grep -E '^Sig(Blk|Ign|Cgt):' /proc/self/status
    run bash -c 'trap "" HUP INT QUIT USR1 PIPE TERM 40 && exec "$@"' _ \
        "$VOIDOCI" --root "$ROOT" run -b "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$(status_field SigIgn)" = 0000000000000000 ]
    [ "$(status_field SigCgt)" = 0000000000000000 ]
    [ "$(status_field SigBlk)" = 0000000000000000 ]
}
