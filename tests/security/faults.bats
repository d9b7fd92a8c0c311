#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults: a create killed half-way, an init that dies before start, a full
# disk under --root, a corrupt state file, and many containers at once.
# After each, `delete --force` must clean up everything (the teardown
# checks: no process, mount, state directory or cgroup left) and `list`
# must tell the truth.

load ../bats/helpers

setup() {
    voidoci_setup
}

teardown() {
    if [ -n "${SMALL_ROOT-}" ]; then
        umount "$SMALL_ROOT" 2>/dev/null
    fi
    voidoci_teardown
}

# listed ID: `list -q` names ID.
listed() {
    vo list -q | grep -qxF -- "$1"
}

# kill_create_at HOOK: run create with a HOOK hook (createRuntime runs in
# the runtime's namespaces, createContainer in the container's, after its
# mounts and before the pivot, where the host's paths are still seen) that
# marks a file and then blocks reading a FIFO; SIGKILL create while the
# hook waits; then let the hook go.
kill_create_at() {
    local hook=$1 fifo=$BATS_TEST_TMPDIR/hook.fifo mark=$BATS_TEST_TMPDIR/hook.ran create_pid
    mkfifo "$fifo"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.hooks[$h] = [{"path": "/bin/busybox",
        "args": ["sh", "-c", "touch \($m); exec cat \($f)"]}]' \
        --arg h "$hook" --arg f "$fifo" --arg m "$mark"
    VOIDOCI_TEST_MARK=$ID "$VOIDOCI" --root "$ROOT" create --bundle "$BUNDLE" "$ID" \
        </dev/null >/dev/null 2>&1 3>&- &
    create_pid=$!
    wait_for test -e "$mark"
    kill -KILL "$create_pid"
    wait "$create_pid" 2>/dev/null || true
    # The hook reads EOF and exits (if it is still there to read).
    timeout 5 sh -c 'echo >"$1"' sh "$fifo" || true
}

@test "faults: create killed before it reads config.json leaves nothing, and delete --force exits 0" {
    make_bundle "$BUNDLE" true
    rm "$BUNDLE/config.json"
    mkfifo "$BUNDLE/config.json"
    VOIDOCI_TEST_MARK=$ID "$VOIDOCI" --root "$ROOT" create --bundle "$BUNDLE" "$ID" \
        </dev/null >/dev/null 2>&1 3>&- &
    local pid=$!
    sleep 0.3
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    run vo delete --force "$ID"
    [ "$status" -eq 0 ]
    ! listed "$ID"
    [ ! -e "$ROOT/$ID" ]
}

@test "faults: create killed while a createRuntime hook runs: delete --force cleans up, list is right" {
    kill_create_at createRuntime
    run vo delete --force "$ID"
    [ "$status" -eq 0 ]
    ! listed "$ID"
    [ -z "$(_leaked_cgroups)" ]
}

@test "faults: create killed after the mounts, in a createContainer hook: delete --force cleans up" {
    kill_create_at createContainer
    run vo delete --force "$ID"
    [ "$status" -eq 0 ]
    ! listed "$ID"
    [ -z "$(_leaked_cgroups)" ]
}

@test "faults: an init killed between create and start reads stopped; start fails; delete removes it" {
    make_bundle "$BUNDLE" true
    vcreate
    local pid
    pid=$(state_field pid)
    kill -KILL "$pid"
    wait_for state_is stopped
    run --separate-stderr vo start "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "not (running|created)|stopped"
    run vo delete "$ID"
    [ "$status" -eq 0 ]
    ! listed "$ID"
}

@test "faults: a full disk under --root fails create with ENOSPC, one line, nothing left" {
    SMALL_ROOT=$BATS_TEST_TMPDIR/small
    mkdir -p "$SMALL_ROOT"
    mount -t tmpfs -o size=64k,mode=0700 tmpfs "$SMALL_ROOT"
    # Fill it: the state directory can be made (an inode), its files cannot.
    dd if=/dev/zero of="$SMALL_ROOT/filler" bs=4k 2>/dev/null || true
    make_bundle "$BUNDLE" true
    local root=$ROOT
    ROOT=$SMALL_ROOT
    run --separate-stderr vo create --bundle "$BUNDLE" "$ID" </dev/null 3>&-
    ROOT=$root
    [ "$status" -ne 0 ]
    assert_one_error_line "No space left on device"
    [ ! -e "$SMALL_ROOT/$ID" ]
    [ -z "$(_leaked_cgroups)" ]
    no_rootfs_pids
}

@test "faults: a corrupt state.json gives a clear error from state; delete --force still removes the container" {
    make_bundle "$BUNDLE" sleep 1000
    vcreate
    vstart
    local pid
    pid=$(state_field pid)
    printf '{"ociVersion": "1.2.0", "id": ' >"$ROOT/$ID/state.json"
    run --separate-stderr vo state "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "state.json"
    run vo list
    [ "$status" -eq 0 ]
    run vo delete --force "$ID"
    [ "$status" -eq 0 ]
    [ ! -e "$ROOT/$ID" ]
    # The init went with it: found through its cgroup, not the lost pid.
    wait_for pids_gone "$pid"
}

@test "faults: 200 containers, 20 at a time: no state, mount, cgroup or process left, no fd growth" {
    make_bundle "$BUNDLE" true
    local fds_before fds_after i j
    fds_before=$(ls /proc/self/fd | wc -l)
    for ((i = 0; i < 10; i++)); do
        for ((j = 0; j < 20; j++)); do
            vo run --bundle "$BUNDLE" "$ID-$i-$j" </dev/null >/dev/null 2>&1 3>&- &
        done
        wait
    done
    fds_after=$(ls /proc/self/fd | wc -l)
    [ "$fds_before" -eq "$fds_after" ]
    [ -z "$(ls -A "$ROOT")" ]
    [ -z "$(_leaked_cgroups)" ]
    [ -z "$(_leaked_mounts)" ]
    # Each run really ran: one more, and its exit status is the program's.
    run vo run --bundle "$BUNDLE" "$ID-last"
    [ "$status" -eq 0 ]
}
