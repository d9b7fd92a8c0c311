#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci run: the container runs in the foreground, its exit status is the
# runtime's, and its state lives in <root>/<id> only while it runs.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

@test "run: prints the container's output and exits 0" {
    make_bundle "$BUNDLE" echo hello from the void
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "$output" = "hello from the void" ]
    [ -z "$stderr" ]
}

@test "run: the container's exit status is the runtime's (exit 42)" {
    make_bundle "$BUNDLE" sh -c 'exit 42'
    run vrun
    [ "$status" -eq 42 ]
    [ -z "$output" ]
}

@test "run: a failing command (false) gives exit status 1" {
    make_bundle "$BUNDLE" false
    run vrun
    [ "$status" -eq 1 ]
}

@test "run: a container killed by SIGKILL from the host gives 128+9" {
    make_bundle "$BUNDLE" sleep 60
    local pidfile=$BATS_TEST_TMPDIR/pid bg rc=0
    vrun --pid-file "$pidfile" 3>&- &
    bg=$!
    wait_for test -s "$pidfile"
    kill -KILL "$(cat "$pidfile")"
    wait "$bg" || rc=$?
    [ "$rc" -eq 137 ]
}

@test "run: a container without its own pid namespace killing itself gives 128+N" {
    # As PID 1 of its own pid namespace, sh would be immune to its own
    # SIGKILL; sharing the host's pid namespace makes it an ordinary process.
    make_bundle "$BUNDLE" sh -c 'kill -KILL $$'
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "pid"))'
    run vrun
    [ "$status" -eq 137 ]

    bundle_set_args "$BUNDLE" sh -c 'kill -TERM $$'
    run vrun
    [ "$status" -eq 143 ]
}

@test "run: --pid-file holds the container init's host pid, digits only" {
    make_bundle "$BUNDLE" sleep 60
    local pidfile=$BATS_TEST_TMPDIR/pid bg pid rc=0
    vrun --pid-file "$pidfile" 3>&- &
    bg=$!
    wait_for test -s "$pidfile"
    pid=$(cat "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]]
    # No newline: containerd parses it with strconv.Atoi.
    [ "$(wc -c <"$pidfile")" -eq "${#pid}" ]
    # It is the container's init: its root is the rootfs, and it is PID 1
    # in its own pid namespace.
    [ "$(_inode_of "/proc/$pid/root")" = "$(_inode_of "$BUNDLE/rootfs")" ]
    grep -Eq "^NSpid:[[:space:]]+${pid}[[:space:]]+1\$" "/proc/$pid/status"
    kill -KILL "$pid"
    wait "$bg" || rc=$?
    [ "$rc" -eq 137 ]
}

@test "run: the container's stdin, stdout and stderr are the runtime's" {
    make_bundle "$BUNDLE" sh -c 'read line; echo "out:$line"; echo "err:$line" >&2'
    run --separate-stderr vrun <<<"ping"
    [ "$status" -eq 0 ]
    [ "$output" = "out:ping" ]
    [ "$stderr" = "err:ping" ]
}

@test "run: the bundle defaults to the current directory" {
    make_bundle "$BUNDLE" echo from cwd
    run bash -c 'cd "$1" && shift && "$@"' _ "$BUNDLE" \
        timeout 60 "$VOIDOCI" --root "$ROOT" run "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "from cwd" ]
}

@test "run: -b takes a bundle path relative to the current directory" {
    make_bundle "$BUNDLE" echo relative
    run bash -c 'cd "$1" && shift && "$@"' _ "$BATS_TEST_TMPDIR" \
        timeout 60 "$VOIDOCI" --root "$ROOT" run -b bundle "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "relative" ]
}

@test "run: the state directory <root>/<id> exists while the container runs and is removed after" {
    make_bundle "$BUNDLE" sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 7'
    local bg rc=0
    vrun 3>&- &
    bg=$!
    wait_for test -d "$ROOT/$ID"
    touch "$BUNDLE/rootfs/tmp/go"
    wait "$bg" || rc=$?
    [ "$rc" -eq 7 ]
    [ ! -e "$ROOT/$ID" ]
}

@test "run: --root is created if missing" {
    make_bundle "$BUNDLE" true
    rmdir "$ROOT"
    run vrun
    [ "$status" -eq 0 ]
    [ -d "$ROOT" ]
}

@test "run: leaves no mount, state, cgroup or process behind" {
    make_bundle "$BUNDLE" sh -c 'sleep 30 & echo started'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "started" ]
    # The background sleep died with the pid namespace.
    check_nothing_left_behind
    # (the shared compiled-seccomp cache stays: it is the root's, no container's)
    [ -z "$(ls -A "$ROOT" | grep -vx .seccomp-cache)" ]
}

@test "run: the same ID can be used again once the container has exited" {
    make_bundle "$BUNDLE" echo once
    run vrun
    [ "$status" -eq 0 ]
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "once" ]
}
