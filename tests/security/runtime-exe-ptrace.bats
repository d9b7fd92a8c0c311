#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# CVE-2019-5736 against a container that holds CAP_SYS_PTRACE.  A process
# that the container can see and that still runs the runtime's image -- the
# init waiting for start, an exec's child, the init of a container that
# joins the PID namespace -- is not dumpable, but CAP_SYS_PTRACE in the
# runtime's user namespace lets a container process open its /proc/PID/exe
# anyway.  The attacker (tests/exe-attacker.c, static) keeps that fd and,
# once nothing runs the image any more, reopens it for writing and writes.
# The runtime under test is a copy of voidoci in the test's directory, so
# that a successful attack damages only the copy.  Passing: the attacker
# held the exe (the window was there), never reopened the runtime's file on
# the host for writing (only the sealed copy that voidoci runs from where it
# cannot mount, which refuses every write; the read-only overlayfs view it
# runs from as root refuses the reopen itself), never wrote, and the copy's
# sha256 is unchanged.
# (init-not-dumpable.bats covers a container without CAP_SYS_PTRACE.)

load ../bats/helpers

setup() {
    voidoci_setup
    ATTACKER=${EXE_ATTACKER:-$(dirname "$VOIDOCI")/../tests/exe_attacker}
    [ -x "$ATTACKER" ] || skip "no static attacker at $ATTACKER (ninja -C build)"
    mkdir "$BATS_TEST_TMPDIR/runtime"
    cp "$VOIDOCI" "$BATS_TEST_TMPDIR/runtime/voidoci"
    BUILT_VOIDOCI=$VOIDOCI
    VOIDOCI=$BATS_TEST_TMPDIR/runtime/voidoci
    BINARY_SUM=$(sha256sum "$VOIDOCI" | cut -d' ' -f1)
}

# The clean-up by the binary that was copied: an attack that worked has
# damaged the copy.
teardown() {
    VOIDOCI=${BUILT_VOIDOCI:-$VOIDOCI} voidoci_teardown
}

# ptrace_bundle DIR ARG...: a writable busybox bundle running ARG... with
# CAP_SYS_PTRACE in every capability set, and the attacker at /bin.
ptrace_bundle() {
    local dir=$1
    shift
    make_bundle "$dir" "$@"
    bundle_writable "$dir"
    bundle_jq "$dir" '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
    cp "$ATTACKER" "$dir/rootfs/bin/exe_attacker"
}

# holds_exe: the attacker (writing to $BUNDLE/rootfs/out) holds an exe.
holds_exe() {
    grep -q '^held ' "$BUNDLE/rootfs/out" 2>/dev/null
}

attack_done() {
    grep -qx done "$BUNDLE/rootfs/out" 2>/dev/null
}

# attack_failed: tell the attacker to try its writes, then check that
# nothing reached the runtime's binary.
attack_failed() {
    touch "$BUNDLE/rootfs/go"
    wait_for attack_done
    echo "the attacker's report:" >&2
    cat "$BUNDLE/rootfs/out" >&2
    holds_exe
    # Only the sealed copy may be reopened for writing, and nothing written.
    # (A test's "! command" would not fail it: errexit ignores it.)
    if grep -v '^reopen-rw /memfd:voidoci (deleted) ok$' "$BUNDLE/rootfs/out" |
        grep -q '^reopen-rw .* ok$'; then
        echo "the attacker reopened the runtime's binary for writing" >&2
        return 1
    fi
    if grep -q '^write .* ok$' "$BUNDLE/rootfs/out"; then
        echo "the attacker wrote to the runtime's binary" >&2
        return 1
    fi
    [ "$(sha256sum "$VOIDOCI" | cut -d' ' -f1)" = "$BINARY_SUM" ]
}

@test "runtime-exe ptrace: create/start: a sibling with CAP_SYS_PTRACE holding the waiting init's exe cannot write the runtime's binary" {
    ptrace_bundle "$BUNDLE" sleep 100
    vcreate
    # The sibling: an exec into the created container, before start;
    # detached, so that no runtime process runs the binary once it starts.
    vo exec --detach "$ID" /bin/exe_attacker /out /go </dev/null >/dev/null 2>&1 3>&-
    wait_for holds_exe
    grep -q '^held 1 ' "$BUNDLE/rootfs/out"
    vstart
    wait_status running
    attack_failed
    vo delete --force "$ID"
}

@test "runtime-exe ptrace: exec: the init with CAP_SYS_PTRACE holding an exec's child's exe cannot write the runtime's binary" {
    ptrace_bundle "$BUNDLE" /bin/exe_attacker /out /go
    vcreate
    vstart
    wait_status running
    local i
    for ((i = 0; i < 50; i++)); do
        vo exec "$ID" true
        ! holds_exe || break
    done
    attack_failed
    vo delete --force "$ID"
}

@test "runtime-exe ptrace: run: a container with CAP_SYS_PTRACE holding the exe of a run joining its PID namespace cannot write the runtime's binary" {
    ptrace_bundle "$BUNDLE" /bin/exe_attacker /out /go
    vcreate
    vstart
    wait_status running
    local joiner=$BATS_TEST_TMPDIR/joiner pid i
    pid=$(state_field pid)
    make_bundle "$joiner" true
    bundle_jq "$joiner" '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
        --arg p "/proc/$pid/ns/pid"
    for ((i = 0; i < 50; i++)); do
        vo run --bundle "$joiner" "$ID-joiner" </dev/null
        ! holds_exe || break
    done
    attack_failed
    vo delete --force "$ID"
}

@test "runtime-exe ptrace: the waiting init runs from a read-only view of the binary, under the runtime's name" {
    make_bundle "$BUNDLE" sleep 100
    local pidfile=$BATS_TEST_TMPDIR/init.pid pid
    vcreate --pid-file "$pidfile"
    pid=$(cat "$pidfile")
    # As root: the binary through a detached read-only overlayfs mount, not
    # the host's file (another device), and not writable.
    [ "$(stat -L -f -c %T "/proc/$pid/exe")" = overlayfs ]
    [ "$(readlink "/proc/$pid/exe")" = /voidoci ]
    [ ! "/proc/$pid/exe" -ef "$VOIDOCI" ]
    cmp "/proc/$pid/exe" "$VOIDOCI"
    run ! bash -c 'exec 3>>"$1"' - "/proc/$pid/exe"
    [[ "$output" == *"Read-only file system"* ]]
    # An exec by fd would name it "memfd:voidoci": ps and pgrep see "voidoci".
    [ "$(cat "/proc/$pid/comm")" = voidoci ]
    vo delete --force "$ID"
}
