#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.terminal with --console-socket: the pty is made inside the
# container, the slave becomes its 0, 1, 2 and controlling terminal, and the
# master is sent over the socket in the one-message format conmon and
# containerd's shim check -- tests/console-receiver.c checks it as they do.

load helpers

setup() {
    voidoci_setup
    find_console_receiver ||
        skip "no C compiler to build tests/console-receiver.c (or set CONSOLE_RECEIVER)"
    [ -x "$CONSOLE_RECEIVER" ] || skip "no console receiver at $CONSOLE_RECEIVER: ninja -C build"
    SOCK=$BATS_TEST_TMPDIR/console.sock
}

teardown() {
    voidoci_teardown
}

# make_tty_bundle COMMAND...: a bundle whose process has a terminal.
make_tty_bundle() {
    make_bundle "$BUNDLE" "$@"
    bundle_jq "$BUNDLE" '.process.terminal = true'
}

# receiver ARG...: the console receiver, in the background, on $SOCK; its
# stdout in $BATS_TEST_TMPDIR/receiver.out, stderr in receiver.err.
receiver() {
    bg "$CONSOLE_RECEIVER" "$SOCK" "$@" >"$BATS_TEST_TMPDIR/receiver.out" \
        2>"$BATS_TEST_TMPDIR/receiver.err"
    RECEIVER=$BG_PID
    wait_for test -S "$SOCK"
}

# receiver_wait: wait for the receiver; fail unless it saw all it expected.
receiver_wait() {
    local rc=0
    wait "$RECEIVER" || rc=$?
    RECEIVED=$(tr -d '\r' <"$BATS_TEST_TMPDIR/receiver.out")
    if [ "$rc" -ne 0 ]; then
        echo "console receiver failed ($rc): $(cat "$BATS_TEST_TMPDIR/receiver.err")" >&2
        echo "it read: $RECEIVED" >&2
        return 1
    fi
}

@test "console: the master arrives over --console-socket; the slave is the container's 0, 1, 2 and controlling terminal" {
    make_tty_bundle sh -c '
        tty
        for f in 0 1 2; do echo "fd$f=$(readlink /proc/$$/fd/$f)"; done
        echo ctty >/dev/tty && echo CTTY-OK
        echo TTY-OK
        read line
        echo "got:$line"'
    receiver --expect TTY-OK --send hello --expect got:hello
    vcreate --console-socket "$SOCK"
    vstart
    receiver_wait
    grep -qx /dev/pts/0 <<<"$RECEIVED"
    grep -qx fd0=/dev/pts/0 <<<"$RECEIVED"
    grep -qx fd1=/dev/pts/0 <<<"$RECEIVED"
    grep -qx fd2=/dev/pts/0 <<<"$RECEIVED"
    grep -qx CTTY-OK <<<"$RECEIVED"
    grep -qx got:hello <<<"$RECEIVED"
    # The container wrote to its terminal, not to create's stdout.
    [ -z "$(ctr_output)" ]
    wait_status stopped
    vo delete "$ID"
}

@test "console: create/start with process.user 1000: the terminal is the process's (uid 1000, group tty), as runc" {
    make_tty_bundle sh -c 'echo "owner=$(stat -c %u:%g "$(tty)")"; echo OWNER-DONE'
    bundle_jq "$BUNDLE" '.process.user = {uid: 1000, gid: 1000}'
    receiver --expect OWNER-DONE
    vcreate --console-socket "$SOCK"
    vstart
    receiver_wait
    grep -qx owner=1000:5 <<<"$RECEIVED" || {
        echo "receiver read: $RECEIVED" >&2
        return 1
    }
    wait_status stopped
    vo delete "$ID"
}

@test "console: with a read-only /dev the terminal is bound on /dev/console before /dev turns read-only" {
    make_tty_bundle sh -c '[ -c /dev/console ] && echo CONSOLE-OK; touch /dev/x || echo RO-OK'
    bundle_jq "$BUNDLE" '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
    receiver --expect CONSOLE-OK --expect RO-OK
    vcreate --console-socket "$SOCK"
    vstart
    receiver_wait
    wait_status stopped
    vo delete "$ID"
}

@test "console: run with process.user 1000: the terminal is the process's (uid 1000, group tty)" {
    make_tty_bundle sh -c 'echo "owner=$(stat -c %u:%g "$(tty)")"; echo OWNER-DONE'
    bundle_jq "$BUNDLE" '.process.user = {uid: 1000, gid: 1000}'
    receiver --expect OWNER-DONE
    run --separate-stderr -0 vrun --console-socket "$SOCK"
    receiver_wait
    grep -qx owner=1000:5 <<<"$RECEIVED" || {
        echo "receiver read: $RECEIVED" >&2
        return 1
    }
}

@test "console: consoleSize 30x100 is the terminal's size (stty size)" {
    make_tty_bundle sh -c 'echo "size: $(stty size)"'
    bundle_jq "$BUNDLE" '.process.consoleSize = {height: 30, width: 100}'
    receiver --expect "size: 30 100"
    vcreate --console-socket "$SOCK"
    vstart
    receiver_wait
    wait_status stopped
    vo delete "$ID"
}

@test "console: the container's output reaches the master until it exits" {
    make_tty_bundle sh -c 'for i in 1 2 3; do echo "line $i"; done'
    # Without --expect the receiver reads until the terminal closes.
    receiver
    vcreate --console-socket "$SOCK"
    vstart
    receiver_wait
    [ "$(grep -c '^line [123]$' <<<"$RECEIVED")" -eq 3 ]
    wait_status stopped
    vo delete "$ID"
}

@test "console: delete --force of a created container with a terminal leaves nothing" {
    make_tty_bundle sleep 100
    receiver --timeout 1
    vcreate --console-socket "$SOCK"
    vo delete --force "$ID"
    check_nothing_left_behind
}

@test "console: --console-socket where nobody listens fails create and leaves nothing" {
    make_tty_bundle sh
    run_create --console-socket "$BATS_TEST_TMPDIR/nobody.sock"
    [ "$status" -ne 0 ]
    [ -n "$stderr" ]
    [ ! -e "$ROOT/$ID" ]
    check_nothing_left_behind
}
