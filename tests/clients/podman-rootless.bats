#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Rootless podman driving $RUNTIME: `podman --runtime $RUNTIME` run by an
# unprivileged user with subordinate id ranges.  podman enters a user
# namespace of its own (uid 0 inside = the user, 1.. = the user's
# /etc/subuid range, written by newuidmap) and calls the runtime there as
# uid 0: the runtime keeps its state in the user's $XDG_RUNTIME_DIR and
# makes no cgroup (cgroupfs on a v1 host gives the user none).
#
# The user is made here and removed after: a fixed uid and name kept for
# these tests ($RLP_UID, $RLP_USER) with one fixed range in /etc/subuid and
# /etc/subgid, added with useradd/usermod and removed with userdel, which
# takes the ranges with it (tests/bats/test-user.bash).  If the uid, the
# name or the range is already there, the file skips rather than touch
# what is not its own.  podman runs entirely under a directory of the
# file's own: vfs storage, containers.conf (cgroupfs, file events, no
# network), $HOME and $XDG_RUNTIME_DIR.  The image is the clients'
# busybox image (make_image).

load helpers
load ../bats/test-user

RLP_UID=${VOIDOCI_TEST_PODMAN_ROOTLESS_UID:-52719}
RLP_USER=vtrlpod
RLP_SUBID_START=1718000000
RLP_SUBID_COUNT=65536
# The test user (test-user.bash).
export TU_NAME=$RLP_USER TU_UID=$RLP_UID TU_SUBID_START=$RLP_SUBID_START \
    TU_SUBID_COUNT=$RLP_SUBID_COUNT

setup_file() {
    require_root_and podman conmon newuidmap newgidmap useradd usermod userdel groupadd \
        groupdel setpriv
    [ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ] ||
        skip "user.max_user_namespaces is 0: the user cannot make a user namespace"
    local why
    why=$(test_user_unavailable)
    [ -z "$why" ] || skip "$why"
    RLP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$RLP_USER.XXXXXX")
    chmod 0711 "$RLP_DIR"
    export RLP_DIR
    test_user_add "$RLP_DIR/home"
    rlp_podman_setup
}

teardown_file() {
    [ -n "${RLP_DIR-}" ] || return 0
    rlp_pm rm -a -f -t 0 >/dev/null 2>&1 || true
    rlp_kill_pause
    # shellcheck disable=SC2046
    kill_pids_and_wait $(pids_mentioning "$RLP_DIR")
    test_user_del
    rm -rf "$RLP_DIR"
}

setup() {
    [ -n "${RLP_DIR-}" ] || skip "setup_file did not make the user"
    CTR=
}

teardown() {
    show_last_output
    [ -n "${RLP_DIR-}" ] || return 0
    local leaks=0 left
    rlp_pm rm -a -f -t 0 >/dev/null 2>&1 || true
    wait_for _no_pids_mentioning "$RLP_DIR" 2>/dev/null || true
    kill_pids_left "$(pids_mentioning "$RLP_DIR")" || leaks=1
    left=$(rlp_state_entries)
    if [ -n "$left" ]; then
        echo "teardown: $RUNTIME's state root keeps: $left" >&2
        leaks=1
    fi
    return "$leaks"
}

# rlp_podman_setup: podman's files under $RLP_DIR, the runtime copied where
# the user can run it (under its own name: runtime_supports_json), and the
# busybox image pulled as $IMAGE.
rlp_podman_setup() {
    local d=$RLP_DIR name=${RUNTIME##*/} id
    mkdir -p "$d/home" "$d/xdg" "$d/bin"
    chmod 0700 "$d/xdg"
    cp "$RUNTIME" "$d/bin/$name"
    chmod 0755 "$d/bin" "$d/bin/$name"
    RLP_RUNTIME=$d/bin/$name
    export RLP_RUNTIME
    # A rootless podman takes its graph root from rootless_storage_path
    # (graphroot is root's), its run root from $XDG_RUNTIME_DIR.
    podman_conf "$d" "$name" "rootless_storage_path = \"$d/storage/root\"" \
        "HOME=$d/home" "XDG_RUNTIME_DIR=$d/xdg" "USER=$RLP_USER" || return 1
    cp "$(make_image).tar" "$d/image.tar" || return 1
    chown -R "$RLP_UID:$RLP_UID" "$d"
    id=$(rlp_pm pull -q --signature-policy "$d/policy.json" "oci-archive:$d/image.tar") ||
        return 1
    rlp_pm tag "$id" "$IMAGE"
}

# rlp_pm ARG...: the user's podman with the runtime under test, in a clean
# environment of the user's own, under a timeout.
rlp_pm() {
    (
        cd "$RLP_DIR/cwd" || exit 1
        exec setpriv --reuid="$RLP_UID" --regid="$RLP_UID" --init-groups \
            env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin USER="$RLP_USER" LOGNAME="$RLP_USER" \
            HOME="$RLP_DIR/home" XDG_RUNTIME_DIR="$RLP_DIR/xdg" TMPDIR="$RLP_DIR/tmp" \
            CONTAINERS_CONF="$RLP_DIR/containers.conf" \
            CONTAINERS_STORAGE_CONF="$RLP_DIR/storage.conf" \
            CONTAINERS_REGISTRIES_CONF="$RLP_DIR/registries.conf" \
            timeout --kill-after=10 "$CLIENT_TIMEOUT" podman --runtime "$RLP_RUNTIME" "$@"
    )
}

# rlp_run ARG...: `podman run` with no network and the local image only.
rlp_run() {
    rlp_pm run --pull never --network none "$@"
}

# rlp_kill_pause: podman's pause process (it holds the user namespace the
# user's podman calls join), by the pid it wrote.
rlp_kill_pause() {
    local pid
    pid=$(cat "$RLP_DIR/tmp/pause.pid" 2>/dev/null) || return 0
    [ -n "$pid" ] && kill_pids_and_wait "$pid"
}

# rlp_state_entries: what the runtime keeps in its state root, the user's
# $XDG_RUNTIME_DIR/<runtime name> (voidoci's shared seccomp cache aside).
rlp_state_entries() {
    local e
    for e in "$RLP_DIR/xdg/${RUNTIME##*/}"/* "$RLP_DIR/xdg/${RUNTIME##*/}"/.[!.]*; do
        [ -e "$e" ] && [ "${e##*/}" != .seccomp-cache ] && printf '%s ' "${e##*/}"
    done
    return 0
}

@test "rootless podman run: output, exit code; uid 0 inside is the user, 1.. its subuid range" {
    run --separate-stderr rlp_run --rm "$IMAGE" \
        sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map; echo to-stderr >&2; exit 7'
    [ "$status" -eq 7 ]
    [ "$stderr" = to-stderr ]
    [ "${lines[0]}" = 0 ]
    local -a m
    read -ra m <<<"${lines[1]}"
    [ "${m[*]}" = "0 $RLP_UID 1" ]
    read -ra m <<<"${lines[2]}"
    [ "${m[*]}" = "1 $RLP_SUBID_START $RLP_SUBID_COUNT" ]
    read -ra m <<<"${lines[3]}"
    [ "${m[*]}" = "0 $RLP_UID 1" ]
    read -ra m <<<"${lines[4]}"
    [ "${m[*]}" = "1 $RLP_SUBID_START $RLP_SUBID_COUNT" ]
    [ -z "$(rlp_state_entries)" ]
}

@test "rootless podman run -d, exec, stop, rm: the init runs as the user on the host" {
    CTR=$(rlp_run -d "$IMAGE" sh -c \
        'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done')
    [ -n "$CTR" ]
    local pid
    pid=$(rlp_pm inspect --format '{{.State.Pid}}' "$CTR")
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = "$RLP_UID" ]
    [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
    # the runtime's state is in the user's XDG_RUNTIME_DIR
    [ "$(rlp_state_entries)" = "$CTR " ]
    wait_for eval 'rlp_pm logs "$CTR" | grep -qx ready'
    # exec: in the container's pid namespace, a subuid outside, its exit code
    run rlp_pm exec -u 1000 "$CTR" sh -c 'id -u; tr "\0" " " </proc/1/cmdline; echo; exit 3'
    [ "$status" -eq 3 ]
    [ "${lines[0]}" = 1000 ]
    [[ "${lines[1]}" == "sh -c trap "* ]]
    # stop: SIGTERM reaches the init, which exits 0
    run rlp_pm stop -t 20 "$CTR"
    [ "$status" -eq 0 ]
    [ "$(rlp_pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$CTR")" = "exited 0" ]
    run rlp_pm logs "$CTR"
    [[ "$output" == *got-term* ]]
    run ! kill -0 "$pid"
    run rlp_pm rm "$CTR"
    [ "$status" -eq 0 ]
    [ "$output" = "$CTR" ]
    [ -z "$(rlp_state_entries)" ]
}

@test "rootless podman rm -f of a running container: its processes go" {
    CTR=$(rlp_run -d "$IMAGE" sh -c 'sleep 1000 & exec sleep 1000')
    local pid
    pid=$(rlp_pm inspect --format '{{.State.Pid}}' "$CTR")
    kill -0 "$pid"
    run rlp_pm rm -f -t 0 "$CTR"
    [ "$status" -eq 0 ]
    wait_for eval "! kill -0 $pid 2>/dev/null"
    wait_for _no_pids_mentioning "$RLP_DIR"
    [ -z "$(rlp_state_entries)" ]
}

@test "rootless podman run --userns=keep-id, --uidmap, --read-only, --cap-drop all, -v of a root-owned file" {
    run rlp_run --rm --userns=keep-id "$IMAGE" id -u
    [ "$status" -eq 0 ]
    [ "$output" = "$RLP_UID" ]
    # --uidmap maps ids of podman's namespace: 1 there is the range's first
    run rlp_run --rm --uidmap 0:1:1000 "$IMAGE" cat /proc/self/uid_map
    [ "$status" -eq 0 ]
    local -a m
    read -ra m <<<"$output"
    [ "${m[*]}" = "0 1 1000" ]
    run rlp_run --rm --read-only --cap-drop all "$IMAGE" \
        sh -c 'touch /x 2>&1; touch /tmp/y && echo tmp-ok; grep ^CapEff: /proc/self/status'
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == *"Read-only file system"* ]]
    [ "${lines[1]}" = tmp-ok ]
    [ "${lines[2]}" = "CapEff:	0000000000000000" ]
    # a root-owned host file bound in rw stays unwritable: root inside is
    # only the user outside
    local f=$RLP_DIR/root-owned
    echo orig >"$f"
    chown 0:0 "$f"
    chmod 0644 "$f"
    run rlp_run --rm -v "$f:/f" "$IMAGE" sh -c 'echo changed 2>&1 >/f; echo rc=$?; cat /f'
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == *"Permission denied"* ]]
    [ "${lines[1]}" = rc=1 ]
    [ "${lines[2]}" = orig ]
    [ "$(cat "$f")" = orig ]
}

@test "rootless podman run --privileged: the host's device nodes bound in as they are, and mount works" {
    # podman binds /dev/null and the rest from the host (mounts): the
    # runtime's own default devices find them there and leave them be.
    run rlp_run --rm --privileged "$IMAGE" \
        sh -c 'ls -ln /dev/null; mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted'
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == c*" 1,"*" 3 "*/dev/null ]]
    [ "${lines[1]}" = mounted ]
}

