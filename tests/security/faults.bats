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

# host_counts: what a leak would pin outside our processes, one "name
# count" per line: open files system-wide (a namespace or pidfd held by an
# fd), and the host's mounts (a namespace bound on a file).  The kernel's
# slab counts are no measure: they keep the peak of 20 live containers.
host_counts() {
    echo "files $(cut -f1 /proc/sys/fs/file-nr)"
    echo "host-mounts $(grep -c '' /proc/1/mountinfo)"
    echo "processes $(ls -d /proc/[0-9]* | grep -c '')"
}

# cycle ID: create, start, wait for the stop, delete; each step's failure is
# written to $BATS_TEST_TMPDIR/failures with the step and its stderr.
cycle() {
    local id=$1 step err=$BATS_TEST_TMPDIR/$1.err i
    for step in create start wait delete; do
        case $step in
        create) vo create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>"$err" 3>&- ;;
        start) vo start "$id" </dev/null >/dev/null 2>"$err" 3>&- ;;
        wait)
            for ((i = 0; i < 200; i++)); do
                [ "$(vo state "$id" 2>"$err" | jq -r .status)" = stopped ] && break
                sleep 0.05
            done
            [ "$i" -lt 200 ] || echo "not stopped after 10 s" >"$err"
            [ "$i" -lt 200 ]
            ;;
        delete) vo delete "$id" </dev/null >/dev/null 2>"$err" 3>&- ;;
        esac || {
            echo "$id: $step failed: $(cat "$err")" >>"$BATS_TEST_TMPDIR/failures"
            return 1
        }
    done
}

@test "faults: 200 containers created, started and deleted, 20 at a time: every call succeeds, nothing is left, no growth in open files, mounts or processes" {
    command -v jq >/dev/null || skip "jq is missing: it reads the state"
    make_bundle "$BUNDLE" true
    local before after i j name b a
    before=$(host_counts)
    : >"$BATS_TEST_TMPDIR/failures"
    for ((i = 0; i < 10; i++)); do
        for ((j = 0; j < 20; j++)); do
            cycle "$ID-$i-$j" &
        done
        wait
    done
    if [ -s "$BATS_TEST_TMPDIR/failures" ]; then
        echo "$(grep -c '' "$BATS_TEST_TMPDIR/failures") of 200 cycles failed:" >&2
        head -n 20 "$BATS_TEST_TMPDIR/failures" >&2
        return 1
    fi
    [ -z "$(ls -A "$ROOT")" ]
    [ -z "$(_leaked_cgroups)" ]
    [ -z "$(_leaked_mounts)" ]
    [ -z "$(runtime_pids)" ]
    # What the kernel frees after an RCU grace period or two.
    sleep 1
    after=$(host_counts)
    echo "before: $before" | tr '\n' ' ' >&2
    echo "after: $after" | tr '\n' ' ' >&2
    # A leak of one object per container would be 200; the rest of the
    # machine moves these by a few.
    while read -r name b; do
        a=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$after")
        if [ "$((a - b))" -gt 20 ]; then
            echo "$name grew from $b to $a over 200 containers" >&2
            return 1
        fi
    done <<<"$before"
}
