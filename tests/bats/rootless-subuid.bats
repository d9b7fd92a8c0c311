#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci run by an unprivileged user whose config.json maps more than the
# user's own id: 0 is the user, 1.. its /etc/subuid and /etc/subgid range,
# written by newuidmap and newgidmap (package uidmap).
#
# The user is made here and removed after (newuidmap needs a passwd entry
# and a range): a fixed uid and name kept for this file ($RL_UID,
# $TU_NAME), other than rootless.bats's and podman-rootless.bats's so that
# they can run beside it, with one fixed range (test-user.bash adds and
# removes them).  If the uid, the name or a range for them is already
# there, the file skips rather than touch what is not its own.

load helpers
load rootless
load test-user

RL_UID=${VOIDOCI_TEST_SUBUID_UID:-52721}
RLS_START=1719000000
RLS_COUNT=65536
# The test user (test-user.bash).
export TU_NAME=vtrlsub TU_UID=$RL_UID TU_SUBID_START=$RLS_START TU_SUBID_COUNT=$RLS_COUNT

setup_file() {
    [ "$(id -u)" = 0 ] || skip "this machine runs the tests as uid $(id -u): adding a user needs root"
    local c why
    for c in newuidmap newgidmap useradd usermod userdel groupadd groupdel setpriv; do
        command -v "$c" >/dev/null || skip "no $c (newuidmap/newgidmap: package uidmap)"
    done
    why=$(test_user_unavailable)
    [ -z "$why" ] || skip "$why"
    RLS_HOME=$(mktemp -d "${TMPDIR:-/tmp}/$TU_NAME.XXXXXX")
    export RLS_HOME
    test_user_add "$RLS_HOME"
}

teardown_file() {
    [ -n "${RLS_HOME-}" ] || return 0
    test_user_del
    rm -rf "$RLS_HOME"
}

setup() {
    [ -n "${TU_ADDED-}" ] || skip "setup_file did not make the user"
    rootless_setup
}

teardown() {
    rootless_teardown
}

# map_range START: uid and gid 0 the user, 1..65536 from START on.
map_range() {
    # shellcheck disable=SC2016 # $u, $s, $n are jq's
    rl_jq --argjson u "$RL_UID" --argjson s "$1" --argjson n "$RLS_COUNT" \
        '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
                               {containerID: 1, hostID: $s, size: $n}]
         | .linux.gidMappings = .linux.uidMappings'
}

@test "rootless subuid: run maps 0 to the user and 1.. to its range; chown, setgroups and groups work" {
    map_range "$RLS_START"
    rl_jq '.root.readonly = false | .process.user.additionalGids = [1000]
           | .process.capabilities[] += ["CAP_CHOWN"]
           | .mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs"}]'
    rl_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -G
        touch /scratch/f /owned && chown 1000:1000 /scratch/f /owned &&
        stat -c "%u:%g" /scratch/f'
    run --separate-stderr -0 uvo run --bundle "$BUNDLE" "$ID"
    local l
    l=$(printf '%s\n' "${lines[@]:0:4}" | awk '{print $1, $2, $3}')
    [ "$l" = "0 $RL_UID 1
1 $RLS_START $RLS_COUNT
0 $RL_UID 1
1 $RLS_START $RLS_COUNT" ]
    # newgidmap left setgroups allowed: the container's root set its groups.
    [ "${lines[4]}" = allow ]
    [ "${lines[5]}" = "0 1000" ]
    [ "${lines[6]}" = 1000:1000 ]
    # From the host, uid 1000 inside is the range's 1000th id.
    [ "$(stat -c %u:%g "$BUNDLE/rootfs/owned")" = "$((RLS_START + 999)):$((RLS_START + 999))" ]
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}

@test "rootless subuid: create/start, the maps from the host, exec as a subordinate uid" {
    map_range "$RLS_START"
    rl_jq '.root.readonly = false'
    rl_args sleep 100
    ucreate
    local pid
    pid=$(uvo state "$ID" | jq -r .pid)
    [ "$(awk '{print $1, $2, $3}' "/proc/$pid/uid_map" | tr '\n' ,)" = \
        "0 $RL_UID 1,1 $RLS_START $RLS_COUNT," ]
    [ "$(awk '{print $1, $2, $3}' "/proc/$pid/gid_map" | tr '\n' ,)" = \
        "0 $RL_UID 1,1 $RLS_START $RLS_COUNT," ]
    run -0 uvo start "$ID"
    run --separate-stderr -0 uvo exec --user 1000:1000 "$ID" sh -c 'id -u; touch /tmp/by-1000'
    [ "$output" = 1000 ]
    # The exec'd process's uid as the host sees it: the range's 1000th id.
    [ "$(stat -c %u "$BUNDLE/rootfs/tmp/by-1000")" = $((RLS_START + 999)) ]
    run -0 uvo delete --force "$ID"
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}

@test "rootless subuid: refused in one line, nothing left: a map beyond the user's range (newuidmap's word), no newuidmap in \$PATH" {
    map_range $((RLS_START + 1))
    rl_args true
    run --separate-stderr -1 uvo run --bundle "$BUNDLE" "$ID"
    assert_one_error_line 'write uid_map for pid [0-9]+ via [^ ]*newuidmap: exit status 1: newuidmap: '
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
    run --separate-stderr -1 uvo create --bundle "$BUNDLE" "$ID" </dev/null 3>&-
    assert_one_error_line 'via [^ ]*newuidmap: exit status'
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
    no_rootfs_pids
    # The user's own range, but no helper to be found.
    map_range "$RLS_START"
    mkdir "$RL_DIR/empty-path"
    run --separate-stderr -1 as_user env PATH="$RL_DIR/empty-path" "$RL_VOIDOCI" run \
        --bundle "$BUNDLE" "$ID"
    assert_one_error_line 'write uid_map for pid [0-9]+: newuidmap \(package uidmap\) is needed'
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
    no_rootfs_pids
}
