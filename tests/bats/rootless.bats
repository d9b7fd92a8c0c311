#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci run by an unprivileged user, on a `voidoci spec --rootless` bundle
# the user owns: the state root, the container's life, terminals, and
# cgroups the host does not give that user.  The user is a fixed high uid
# with no passwd entry ($RL_UID), entered with setpriv; everything it
# touches is under a directory of the test's own ($RL_DIR, removed after).

load helpers

RL_UID=${VOIDOCI_TEST_ROOTLESS_UID:-52718}

setup() {
    voidoci_setup
    command -v setpriv >/dev/null || skip "no setpriv (util-linux) to run as uid $RL_UID"
    [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ] ||
        skip "kernel.unprivileged_userns_clone is 0: a user cannot make a user namespace"
    RL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/voidoci-rootless.XXXXXX")
    chmod 0711 "$RL_DIR"
    RL_XDG=$RL_DIR/xdg
    mkdir -m 0700 "$RL_XDG"
    # The state root the user's calls default to; the teardown looks there.
    rmdir "$ROOT"
    ROOT=$RL_XDG/voidoci
    BUNDLE=$RL_DIR/bundle
    mkdir "$BUNDLE"
    cp -a "$(_rootfs_template)" "$BUNDLE/rootfs"
    chown -R "$RL_UID:$RL_UID" "$RL_XDG" "$BUNDLE"
    # The build directory may be closed to others: the user runs a copy.
    RL_VOIDOCI=$VOIDOCI
    if ! as_user test -x "$VOIDOCI"; then
        RL_VOIDOCI=$RL_DIR/voidoci
        cp "$VOIDOCI" "$RL_VOIDOCI"
        chmod 0755 "$RL_VOIDOCI"
    fi
    as_user "$RL_VOIDOCI" spec --rootless --bundle "$BUNDLE"
    rl_jq '.process.terminal = false'
}

teardown() {
    voidoci_teardown
    undelegate
    rm -rf "${RL_DIR:?}"
}

# as_user COMMAND...: COMMAND as uid and gid $RL_UID, no other groups, its
# XDG_RUNTIME_DIR $RL_XDG, from $RL_DIR.
as_user() {
    (cd "$RL_DIR" && setpriv --reuid="$RL_UID" --regid="$RL_UID" --clear-groups \
        env XDG_RUNTIME_DIR="$RL_XDG" HOME="$RL_DIR" "$@")
}

# uvo ARG...: the user's voidoci, with no --root, under the test's timeout
# and mark (see vo).
uvo() {
    as_user env VOIDOCI_TEST_MARK="${ID-}" timeout --kill-after=10 "$VOIDOCI_TEST_TIMEOUT" \
        "$RL_VOIDOCI" "$@"
}

# rl_jq FILTER [JQ-OPTION...]: rewrite the bundle's config.json, keeping it
# the user's.
rl_jq() {
    bundle_jq "$BUNDLE" "$@"
    chown "$RL_UID:$RL_UID" "$BUNDLE/config.json"
}

# ucreate: the user's create of the bundle as $ID.  The init keeps create's
# stdio: files, not a pipe that bats would read to its end (see run_create).
ucreate() {
    uvo create --bundle "$BUNDLE" "$ID" </dev/null >"$RL_DIR/create.out" \
        2>"$RL_DIR/create.err" 3>&- || {
        cat "$RL_DIR/create.err" >&2
        return 1
    }
}

rl_args() {
    bundle_set_args "$BUNDLE" "$@"
    chown "$RL_UID:$RL_UID" "$BUNDLE/config.json"
}

@test "rootless: the state root is \$XDG_RUNTIME_DIR/voidoci, made 0700, and empty after delete" {
    rl_args sleep 100
    ucreate
    [ "$(stat -c '%a %u' "$RL_XDG/voidoci")" = "700 $RL_UID" ]
    [ -d "$RL_XDG/voidoci/$ID" ]
    run -0 uvo delete --force "$ID"
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}

@test "rootless: without XDG_RUNTIME_DIR or --root, one error line naming XDG_RUNTIME_DIR" {
    rl_args true
    run --separate-stderr -1 as_user env -u XDG_RUNTIME_DIR "$RL_VOIDOCI" run \
        --bundle "$BUNDLE" "$ID"
    assert_one_error_line 'XDG_RUNTIME_DIR is not set.*--root'
    [ -z "$(ls -A "$RL_XDG")" ]
    # spec keeps no state and needs neither.
    run -0 as_user env -u XDG_RUNTIME_DIR "$RL_VOIDOCI" spec --rootless --bundle "$RL_XDG"
    rm "$RL_XDG/config.json"
}

@test "rootless: run gives the exit code; uid 0 inside is the user outside, the hostname, PID 1" {
    rl_jq '.hostname = "rlbox"'
    rl_args sh -c 'id -u; cat /proc/self/uid_map; hostname; echo pid=$$; exit 7'
    run --separate-stderr -7 uvo run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = 0 ]
    read -r inside outside size <<<"${lines[1]}"
    [ "$inside $outside $size" = "0 $RL_UID 1" ]
    [ "${lines[2]}" = rlbox ]
    [ "${lines[3]}" = pid=1 ]
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
    # runc agrees on the same bundle, run by the same user.
    command -v runc >/dev/null || return 0
    local ours=$output
    run --separate-stderr -7 as_user runc --root "$RL_XDG/runc" run --bundle "$BUNDLE" "$ID"
    [ "$output" = "$ours" ]
}

@test "rootless: create, state, list, start, exec, ps, kill, delete" {
    rl_args sleep 100
    ucreate
    [ "$(uvo state "$ID" | jq -r .status)" = created ]
    run -0 uvo start "$ID"
    [ "$(uvo state "$ID" | jq -r .status)" = running ]
    run -0 uvo list -q
    [ "$output" = "$ID" ]
    run --separate-stderr -0 uvo exec "$ID" sh -c 'id -u; echo pid=$$'
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" != pid=1 ]
    run -0 uvo ps "$ID"
    grep -q 'sleep 100' <<<"$output"
    run -0 uvo kill "$ID" KILL
    wait_for eval '[ "$(uvo state "$ID" | jq -r .status)" = stopped ]'
    run -0 uvo delete "$ID"
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
    no_rootfs_pids
}

@test "rootless: run -d with a terminal through --console-socket" {
    local receiver=$VOIDOCI_SRCDIR/build/tests/console_receiver sock=$RL_XDG/console.sock
    [ -x "$receiver" ] || skip "no console receiver at $receiver: ninja -C build"
    cp "$receiver" "$RL_DIR/receiver"
    rl_jq '.process.terminal = true'
    rl_args sh -c 'tty; echo uid=$(id -u); echo TTY-DONE'
    as_user ./receiver "$sock" --expect TTY-DONE >"$RL_DIR/received" 2>&1 &
    BG_PIDS+=($!)
    wait_for test -S "$sock"
    run -0 uvo run -d --console-socket "$sock" --bundle "$BUNDLE" "$ID" </dev/null 3>&-
    wait "${BG_PIDS[0]}"
    grep -q '^/dev/pts/0' "$RL_DIR/received"
    grep -q '^uid=0' "$RL_DIR/received"
    wait_for eval '[ "$(uvo state "$ID" | jq -r .status)" = stopped ]'
    run -0 uvo delete "$ID"
    rm "$sock"
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}

# Whether the host gives uid $RL_UID a cgroup under cgroupsPath $1: not on
# a v1 host, nor on v2 without a subtree delegated to it.
user_gets_cgroup() {
    local d
    for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do
        [ -d "$d" ] || continue
        as_user test -w "$d${1#/}" 2>/dev/null && return 0
    done
    return 1
}

@test "rootless: no cgroup to be had and no limit asked: the container runs without one" {
    user_gets_cgroup / && skip "this host lets uid $RL_UID write a cgroup root"
    rl_args true
    run -0 uvo run --bundle "$BUNDLE" "$ID"
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}

@test "rootless: a limit asked where the user gets no cgroup: one line naming it, nothing left" {
    user_gets_cgroup / && skip "this host lets uid $RL_UID write a cgroup root"
    rl_jq '.linux.resources = {pids: {limit: 20}}'
    rl_args true
    run --separate-stderr -1 uvo run --bundle "$BUNDLE" "$ID"
    assert_one_error_line 'linux\.resources\.pids\.limit: .*cgroup.*Permission denied'
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}

# A cgroup v2 subtree delegated to the user, as systemd gives a user
# session: the directory and its cgroup.procs, cgroup.subtree_control and
# cgroup.threads are the user's, the controllers enabled above it.  The
# user's calls start in its leaf "shell", so that moving the init into a
# sibling needs only the user's own cgroup.procs (cgroup v2's rule: write
# access to the common ancestor).
delegate_subtree() {
    DELEGATED=/sys/fs/cgroup/voidoci-rl-$ID
    mkdir "$DELEGATED" "$DELEGATED/shell"
    chown "$RL_UID:$RL_UID" "$DELEGATED" "$DELEGATED"/cgroup.{procs,subtree_control,threads} \
        "$DELEGATED/shell" "$DELEGATED"/shell/cgroup.{procs,subtree_control,threads}
    local c
    for c in memory pids cpu; do
        echo "+$c" >"$DELEGATED/cgroup.subtree_control"
    done
}

# in_delegated COMMAND...: COMMAND, run in the delegated "shell" leaf.
in_delegated() {
    (
        echo "$BASHPID" >"$DELEGATED/shell/cgroup.procs"
        "$@"
    )
}

undelegate() {
    { [ -n "${DELEGATED-}" ] && [ -d "$DELEGATED" ]; } || return 0
    local d
    for d in "$DELEGATED"/*/; do
        if [ -d "$d" ]; then rmdir "$d"; fi
    done
    rmdir "$DELEGATED"
}

@test "rootless: cgroup v2 subtree delegated to the user: limits, pause/resume, update, events, kill --all" {
    [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
        skip "/sys/fs/cgroup is not a cgroup2-only mount: no subtree to delegate"
    delegate_subtree
    rl_jq '.linux.cgroupsPath = $p | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 30}}' \
        --arg p "/voidoci-rl-$ID/ctr"
    rl_args sleep 100
    in_delegated ucreate
    local cg=$DELEGATED/ctr
    [ "$(cat "$cg/memory.max")" = 67108864 ]
    [ "$(cat "$cg/pids.max")" = 30 ]
    [ "$(stat -c %u "$cg")" = "$RL_UID" ]
    in_delegated uvo start "$ID"
    run -0 in_delegated uvo pause "$ID"
    [ "$(uvo state "$ID" | jq -r .status)" = paused ]
    grep -qx 'frozen 1' "$cg/cgroup.events"
    run -0 in_delegated uvo resume "$ID"
    [ "$(uvo state "$ID" | jq -r .status)" = running ]
    run -0 in_delegated uvo update --pids-limit 40 "$ID"
    [ "$(cat "$cg/pids.max")" = 40 ]
    run -0 in_delegated uvo events --stats "$ID"
    [ "$(jq -r .data.pids.limit <<<"$output")" = 40 ]
    run -0 in_delegated uvo exec -d "$ID" sleep 100
    [ "$(wc -l <"$cg/cgroup.procs")" = 2 ]
    run -0 in_delegated uvo kill --all "$ID" KILL
    wait_for eval '[ "$(uvo state "$ID" | jq -r .status)" = stopped ]'
    run -0 in_delegated uvo delete "$ID"
    [ ! -d "$cg" ]
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
    undelegate
}
