#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci run by an unprivileged user, on a `voidoci spec --rootless` bundle
# the user owns: the state root, the container's life, terminals, and
# cgroups the host does not give that user (rootless.bash says who the user
# is and where its files are).

load helpers
load rootless

setup() {
    rootless_setup
}

teardown() {
    rootless_teardown
}

@test "rootless: the state root is \$XDG_RUNTIME_DIR/voidoci, made 0700, and empty after delete" {
    rl_args sleep 100
    ucreate
    [ "$(stat -c '%a %u' "$RL_XDG/voidoci")" = "700 $RL_UID" ]
    [ -d "$RL_XDG/voidoci/$ID" ]
    run -0 uvo delete --force "$ID"
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}

@test "rootless: root only in the user's own user namespace (rootless podman's calls) uses \$XDG_RUNTIME_DIR/voidoci too" {
    command -v unshare >/dev/null || skip "no unshare (util-linux) to make the user's namespace"
    rl_args sleep 100
    ucreate
    # uid 0 in a namespace mapping only the user, as podman calls runtimes.
    run --separate-stderr -0 as_user unshare --user --map-root-user env USER=rluser \
        "$RL_VOIDOCI" state "$ID"
    [ "$(jq -r .status <<<"$output")" = created ]
    # As runc: $USER=root there means root's own state root, not the user's.
    run -1 as_user unshare --user --map-root-user env USER=root "$RL_VOIDOCI" state "$ID"
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

@test "rootless: the waiting init runs from a sealed memfd copy of the binary's loaded part" {
    # An unprivileged caller cannot mount the read-only overlayfs view that
    # root runs from: the copy it gets instead refuses writes, and holds
    # the binary up to its last loaded segment (not the debugging sections).
    rl_args sleep 100
    ucreate
    local pid size whole
    pid=$(uvo state "$ID" | jq -r .pid)
    [ "$(readlink "/proc/$pid/exe")" = "/memfd:voidoci (deleted)" ]
    # While it runs the kernel refuses the open (ETXTBSY); the seals refuse
    # the write after (F_SEAL_WRITE: EPERM).
    run ! bash -c 'echo x >>"$1"' - "/proc/$pid/exe"
    [[ "$output" == *"Text file busy"* || "$output" == *"Operation not permitted"* ]]
    size=$(stat -L -c %s "/proc/$pid/exe")
    whole=$(stat -c %s "$RL_VOIDOCI")
    [ "$size" -le "$whole" ]
    # The same bytes after the ELF header (which loses the section headers
    # when they were not copied).
    cmp -i 64 -n $((size - 64)) "/proc/$pid/exe" "$RL_VOIDOCI"
    if [ "$size" -lt "$whole" ]; then
        LC_ALL=C readelf -h "/proc/$pid/exe" | grep -Eq 'Number of section headers: +0$'
    fi
    run -0 uvo start "$ID"
    [ "$(uvo state "$ID" | jq -r .status)" = running ]
    run -0 uvo delete --force "$ID"
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
    rm -f "$sock"
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
