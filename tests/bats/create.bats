#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci create: the init exists and waits before the user's program, its
# pid is in the pid file, it keeps create's stdio and no other fd, and no
# runtime process stays behind -- what conmon and containerd's shim rely on.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

@test "create: exits 0, prints nothing on stdout, and the container is created" {
    make_bundle "$BUNDLE" sleep 100
    run_create
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ -z "$stderr" ]
    [ "$(state_field status)" = created ]
    vo delete --force "$ID"
}

@test "create: the init waits before the user's program until start" {
    make_bundle "$BUNDLE" sh -c 'touch /tmp/ran; sleep 100'
    bundle_writable "$BUNDLE"
    vcreate
    sleep 0.5
    [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
    [ "$(state_field status)" = created ]
    vstart
    wait_for test -e "$BUNDLE/rootfs/tmp/ran"
    vo delete --force "$ID"
}

@test "create: --pid-file holds the init's host pid, digits only, no newline" {
    make_bundle "$BUNDLE" sleep 100
    local pidfile=$BATS_TEST_TMPDIR/init.pid pid
    vcreate --pid-file "$pidfile"
    pid=$(cat "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]]
    # containerd parses it with strconv.Atoi: a newline would fail it.
    [ "$(wc -c <"$pidfile")" -eq "${#pid}" ]
    [ "$(state_field pid)" = "$pid" ]
    # It is the container's init: its root is the rootfs, and it is PID 1
    # of its own pid namespace.
    [ "$(_inode_of "/proc/$pid/root")" = "$(_inode_of "$BUNDLE/rootfs")" ]
    grep -Eq "^NSpid:[[:space:]]+${pid}[[:space:]]+1\$" "/proc/$pid/status"
    vo delete --force "$ID"
}

@test "create: no runtime process stays behind, only the init (until start execs the program)" {
    make_bundle "$BUNDLE" sleep 100
    local pidfile=$BATS_TEST_TMPDIR/init.pid pid left
    vcreate --pid-file "$pidfile"
    pid=$(cat "$pidfile")
    # Everything create forked carries this test's mark in its environment
    # (see vo in helpers.bash); only the waiting init may still be there.
    left=$(runtime_pids | grep -vx "$pid" || true)
    if [ -n "$left" ]; then
        echo "runtime processes left by create: $left" >&2
        ps -o pid,ppid,args -p "$(tr '\n' ',' <<<"$left" | sed 's/,$//')" >&2 || true
        return 1
    fi
    vstart
    # The init has exec'd sleep with config.json's environment.
    wait_for test -z "$(runtime_pids)"
    pids_alive "$pid"
    vo delete --force "$ID"
}

@test "create: the init is left to the caller's subreaper, as conmon and the shim expect" {
    command -v python3 >/dev/null || skip "python3 is missing: it makes the subreaper"
    make_bundle "$BUNDLE" sleep 100
    local pidfile=$BATS_TEST_TMPDIR/init.pid
    # bash becomes a subreaper (PR_SET_CHILD_SUBREAPER = 36 survives execve),
    # runs create and prints the init's parent and its own pid.
    run python3 -c 'import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
os.execvp("bash", ["bash", "-c", sys.argv[1]] + sys.argv[2:])' '
        VOIDOCI_TEST_MARK=$1 timeout 60 "$2" --root "$3" create --bundle "$4" --pid-file "$5" "$1" \
            </dev/null >/dev/null 2>&1 3>&- || exit 1
        echo "$(awk "{ print \$4 }" "/proc/$(cat "$5")/stat") $$"' \
        _ "$ID" "$VOIDOCI" "$ROOT" "$BUNDLE" "$pidfile"
    [ "$status" -eq 0 ]
    local ppid=${output% *} subreaper=${output#* }
    [ "$ppid" = "$subreaper" ]
    vo delete --force "$ID"
}

@test "create: without a terminal the container's stdin, stdout and stderr are create's" {
    make_bundle "$BUNDLE" sh -c 'read line; echo "out:$line"; echo "err:$line" >&2'
    local in=$BATS_TEST_TMPDIR/in out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
    echo ping >"$in"
    vo create --bundle "$BUNDLE" "$ID" <"$in" >"$out" 2>"$err" 3>&-
    # create itself wrote nothing.
    [ ! -s "$out" ]
    [ ! -s "$err" ]
    vstart
    wait_status stopped
    [ "$(cat "$out")" = "out:ping" ]
    [ "$(cat "$err")" = "err:ping" ]
    vo delete "$ID"
}

@test "create: no fd of the caller but 0, 1 and 2 reaches the container (5, 7)" {
    # ls is a child of sh: /proc/1/fd lists sh's fds, not ls's own.
    make_bundle "$BUNDLE" sh -c 'ls /proc/1/fd; true'
    exec 5</dev/null 7</dev/null
    run_create
    exec 5<&- 7<&-
    [ "$status" -eq 0 ]
    vstart
    wait_status stopped
    [ "$(ctr_output | tr '\n' ' ')" = "0 1 2 " ]
    vo delete "$ID"
}

@test "create: --preserve-fds 1 passes fd 3 and no other" {
    make_bundle "$BUNDLE" sh -c 'ls /proc/1/fd; cat <&3'
    local out=$BATS_TEST_TMPDIR/out
    echo "through fd 3" >"$BATS_TEST_TMPDIR/three"
    vo create --bundle "$BUNDLE" --preserve-fds 1 "$ID" </dev/null >"$out" \
        3<"$BATS_TEST_TMPDIR/three" 4</dev/null 5</dev/null
    vstart
    wait_status stopped
    [ "$(tr '\n' ' ' <"$out")" = "0 1 2 3 through fd 3 " ]
    vo delete "$ID"
}

@test "create: the state directory is ROOT/ID, mode 0700, with state.json mode 0600" {
    make_bundle "$BUNDLE" sleep 100
    vcreate
    [ -d "$ROOT/$ID" ]
    [ "$(stat -c %a "$ROOT/$ID")" = 700 ]
    [ -f "$ROOT/$ID/state.json" ]
    [ "$(stat -c %a "$ROOT/$ID/state.json")" = 600 ]
    vo delete --force "$ID"
    [ ! -e "$ROOT/$ID" ]
}

@test "create: a missing --root is created, mode 0700" {
    make_bundle "$BUNDLE" sleep 100
    rmdir "$ROOT"
    vcreate
    [ -d "$ROOT" ]
    [ "$(stat -c %a "$ROOT")" = 700 ]
    vo delete --force "$ID"
}

@test "create: the bundle defaults to the current directory; root.path is relative to the bundle" {
    make_bundle "$BUNDLE" sleep 100
    [ "$(jq -r .root.path "$BUNDLE/config.json")" = rootfs ]
    (cd "$BUNDLE" && VOIDOCI_TEST_MARK=$ID timeout 60 "$VOIDOCI" --root "$ROOT" create "$ID" \
        </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&-)
    [ "$(state_field bundle)" = "$BUNDLE" ]
    [ "$(state_field rootfs)" = "$BUNDLE/rootfs" ]
    # Created from / with an absolute --bundle, the rootfs is still the bundle's.
    vo delete --force "$ID"
    (cd / && vcreate --pid-file "$BATS_TEST_TMPDIR/pid")
    [ "$(_inode_of "/proc/$(cat "$BATS_TEST_TMPDIR/pid")/root")" = "$(_inode_of "$BUNDLE/rootfs")" ]
    vo delete --force "$ID"
}

@test "create: an ID that exists fails with 'already exists' and leaves the first container alone" {
    make_bundle "$BUNDLE" sleep 100
    local pid
    vcreate --pid-file "$BATS_TEST_TMPDIR/first.pid"
    pid=$(cat "$BATS_TEST_TMPDIR/first.pid")

    run_create --pid-file "$BATS_TEST_TMPDIR/second.pid"
    [ "$status" -ne 0 ]
    [[ $stderr == *"already exists"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/second.pid" ]

    [ "$(state_field status)" = created ]
    [ "$(state_field pid)" = "$pid" ]
    pids_alive "$pid"
    vstart
    [ "$(state_field status)" = running ]
    vo delete --force "$ID"
}

@test "create: of two concurrent creates of one ID exactly one succeeds" {
    make_bundle "$BUNDLE" sleep 100
    local round x rc_a rc_b winner
    # create_as X: create $ID with X's pid file and stderr.
    create_as() {
        vo create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/$1.pid" "$ID" \
            </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/$1.err"
    }
    for round in 1 2 3 4 5; do
        rc_a=0 rc_b=0
        rm -f "$BATS_TEST_TMPDIR"/{a,b}.pid
        bg create_as a
        create_as b 3>&- || rc_b=$?
        wait "$BG_PID" || rc_a=$?
        if [ "$rc_a" -eq 0 ] && [ "$rc_b" -eq 0 ]; then
            echo "round $round: both creates succeeded" >&2
            return 1
        fi
        if [ "$rc_a" -ne 0 ] && [ "$rc_b" -ne 0 ]; then
            echo "round $round: both creates failed: $(cat "$BATS_TEST_TMPDIR"/{a,b}.err)" >&2
            return 1
        fi
        winner=a
        [ "$rc_b" -eq 0 ] && winner=b
        for x in a b; do
            if [ "$x" != "$winner" ]; then
                # The loser says why, and wrote no pid file.
                [ -s "$BATS_TEST_TMPDIR/$x.err" ]
                [ ! -e "$BATS_TEST_TMPDIR/$x.pid" ]
            fi
        done
        [ "$(state_field status)" = created ]
        [ "$(state_field pid)" = "$(cat "$BATS_TEST_TMPDIR/$winner.pid")" ]
        vo delete --force "$ID"
        check_nothing_left_behind
    done
}

@test "create: process.terminal without --console-socket fails with exit 1 and leaves nothing" {
    make_bundle "$BUNDLE" sh
    bundle_jq "$BUNDLE" '.process.terminal = true'
    run_create
    [ "$status" -eq 1 ]
    [ -n "$stderr" ]
    [ ! -e "$ROOT/$ID" ]
    check_nothing_left_behind
}

@test "create: a missing bundle fails and leaves no state directory" {
    BUNDLE=$BATS_TEST_TMPDIR/no-such-bundle run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *no-such-bundle* ]]
    [ ! -e "$ROOT/$ID" ]
}

@test "create: --no-pivot and --no-new-keyring are accepted and the container runs" {
    make_bundle "$BUNDLE" sh -c 'echo ran'
    vcreate --no-pivot --no-new-keyring --pid-file "$BATS_TEST_TMPDIR/pid"
    [ "$(_inode_of "/proc/$(cat "$BATS_TEST_TMPDIR/pid")/root")" = "$(_inode_of "$BUNDLE/rootfs")" ]
    vstart
    wait_status stopped
    [ "$(ctr_output)" = ran ]
    vo delete "$ID"
}

# podman and containerd run create, then start: these passed with `run`
# but not through the start gate (found by tests/clients).
@test "create: a non-root process.user passes the start gate" {
    make_bundle "$BUNDLE" id -u
    bundle_jq "$BUNDLE" '.process.user.uid = 65534 | .process.user.gid = 65534'
    vcreate
    # the fifo keeps mode 0600: it goes to the container's user instead
    [ "$(stat -c '%u %a' "$ROOT/$ID/exec.fifo")" = "65534 600" ]
    vstart
    wait_status stopped
    [ "$(ctr_output)" = 65534 ]
    vo delete "$ID"
}

@test "create: in a new user namespace the init passes the start gate" {
    make_bundle "$BUNDLE" sh -c 'cat /proc/self/uid_map; id -u'
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    chown -R 100000:100000 "$BUNDLE/rootfs"
    # root in the container is uid 100000 outside: it must get through the
    # test's own directories (mode 0700) to reach its rootfs
    local d=$BUNDLE
    while d=${d%/*}; [ "${#d}" -ge "${#BATS_RUN_TMPDIR}" ]; do
        chmod o+x "$d"
    done
    vcreate
    [ "$(stat -c '%u %a' "$ROOT/$ID/exec.fifo")" = "100000 600" ]
    vstart
    wait_status stopped
    run ctr_output
    [[ "${lines[0]}" =~ ^\ +0\ +100000\ +65536$ ]]
    [ "${lines[1]}" = 0 ]
    vo delete "$ID"
}

@test "create: a program missing from the rootfs fails create, not start (podman reads create's error)" {
    make_bundle "$BUNDLE" /no/such/program
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *'exec "/no/such/program": no such file or directory'* ]]
    [ ! -e "$ROOT/$ID" ]
}

@test "create: a program with no x bit, or a directory, fails create with 'permission denied' (as runc and crun)" {
    make_bundle "$BUNDLE" /etc/passwd
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *'exec "/etc/passwd": permission denied'* ]]
    [ ! -e "$ROOT/$ID" ]
    bundle_jq "$BUNDLE" '.process.args = ["/tmp"]'
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *'exec "/tmp": permission denied'* ]]
    [ ! -e "$ROOT/$ID" ]
}
