#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci checkpoint / restore, driving the criu program.  Where `criu
# check` fails (our hosts' kernel: its vdso) both commands fail with one
# line and leave the container as it was; where it passes (the cgroup v2
# VM, tests/vm/bats-files) a counting container is dumped and restored.
#
# What criu 3.17 needs of the container: an init that leads its session
# (setsid) and stdio opened inside its own mount namespace (/dev/null).

load helpers

# `criu check` once for the file: under TCG it takes some 10 s.
setup_file() {
    local out
    if ! command -v criu >/dev/null; then
        echo "this machine has no criu" >"$BATS_FILE_TMPDIR/criu-why"
    elif ! out=$(criu check 2>&1); then
        echo "criu check fails here: $(grep -m1 Error <<<"$out")" >"$BATS_FILE_TMPDIR/criu-why"
    fi
}

setup() {
    voidoci_setup
    IMG=$BATS_TEST_TMPDIR/img
}

teardown() {
    voidoci_teardown
}

# criu_works: true where `criu check` passes; CRIU_WHY says why not.
criu_works() {
    [ -e "$BATS_FILE_TMPDIR/criu-why" ] || return 0
    CRIU_WHY=$(cat "$BATS_FILE_TMPDIR/criu-why")
    return 1
}

# vc ARGS: vo, and on failure the errors of criu's logs in $IMG.
vc() {
    vo "$@" </dev/null 3>&- && return 0
    local rc=$?
    grep -rh -B3 "Error (" "$IMG" --include='*.log' 2>/dev/null | tail -n 40 >&2
    return "$rc"
}

require_criu() {
    criu_works || skip "$CRIU_WHY"
}

# No network namespace of its own: the VM's, whose dump criu skips.  (Its
# own failed to dump, netlink EINVAL, until the VM loaded conntrack's
# netlink module, which criu's dump of any netns asks; it now dumps and
# restores, but the tests keep the cheaper case.)
no_netns() {
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "network"))'
}

# A container whose init counts in /tmp/count, five times a second.
make_counter() {
    make_bundle "$BUNDLE" setsid sh -c '
        exec </dev/null >/dev/null 2>&1
        i=0
        while :; do i=$((i + 1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.2; done'
    bundle_writable "$BUNDLE"
    no_netns
}

count() {
    cat "$BUNDLE/rootfs/tmp/count" 2>/dev/null || echo 0
}

# count_above N: the counter went past N.
count_above() {
    [ "$(count)" -gt "$1" ]
}

start_counter() {
    make_counter
    vcreate
    vstart
    wait_for count_above 2
}

# receiver NAME ARG...: the console receiver in the background on the
# socket $BATS_TEST_TMPDIR/NAME.sock, its stdout in NAME.out; its pid in
# $RECEIVER.
receiver() {
    local name=$1
    shift
    bg "$CONSOLE_RECEIVER" "$BATS_TEST_TMPDIR/$name.sock" "$@" \
        >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err"
    RECEIVER=$BG_PID
    wait_for test -S "$BATS_TEST_TMPDIR/$name.sock"
}

# A container with a terminal whose init counts in /tmp/count and on the
# terminal ("count:N"), and answers each line it reads there with
# "got:LINE:" and its tty.  No setsid: the terminal makes it a session
# leader.
make_tty_counter() {
    make_bundle "$BUNDLE" sh -c '
        i=0
        while :; do
            i=$((i + 1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count
            echo "count:$i"
            if read -t 1 line; then echo "got:$line:$(tty)"; fi
        done'
    bundle_jq "$BUNDLE" '.process.terminal = true'
    bundle_writable "$BUNDLE"
    no_netns
}

run_cmd() {
    local err=$BATS_TEST_TMPDIR/stderr
    status=0
    output=$(vo "$@" 2>"$err" </dev/null 3>&-) || status=$?
    stderr=$(cat "$err")
}

# make_ns TYPE NAME: a namespace of TYPE (unshare's name: net, pid, ipc)
# kept by a bind mount on $BATS_TEST_TMPDIR/NAME (in NS), which the
# teardown unmounts.
make_ns() {
    NS=$BATS_TEST_TMPDIR/$2
    touch "$NS"
    if [ "$1" = pid ]; then
        unshare --pid="$NS" --fork true
    else
        unshare --"$1"="$NS" true
    fi
    HOST_MOUNTS+=("$NS")
}

# joins TYPE PATH: the container joins the namespace at PATH (config.json's
# type name) instead of having one of its own.
joins() {
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != $t)) + [{"type": $t, "path": $p}]' \
        --arg t "$1" --arg p "$2"
}

ns_ino() {
    stat -L -c %i "$1"
}

@test "checkpoint fails with one line where criu check fails, and the container runs on" {
    ! criu_works || skip "criu check passes here: the failure is tested where it fails"
    start_counter
    run_cmd checkpoint --image-path "$IMG" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: checkpoint \"$ID\": criu (dump failed \(exit status [0-9]+\): .+; see $IMG/dump.log|dump: criu is not installed)\$"
    state_is running
    local n
    n=$(count)
    wait_for count_above "$n"
    vo kill "$ID" KILL
    wait_status stopped
    vo delete "$ID"
}

@test "a failed restore (no image dir) leaves no state dir nor cgroup; conmon's flags are taken" {
    make_counter
    run_cmd restore --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" --no-pivot \
        --no-new-keyring --detach --image-path "$IMG/none" --work-path "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": the image path \"$IMG/none\": No such file or directory\$"
    run_cmd state "$ID"
    [ "$status" -ne 0 ]
    [[ $stderr == *"does not exist"* ]]
    [ ! -e "$ROOT/$ID" ]
}

@test "a restore that criu fails (empty image dir) leaves no state dir nor cgroup" {
    make_counter
    mkdir -p "$IMG"
    run_cmd restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": criu (restore failed \(exit status [0-9]+\): .+; see $IMG/restore.log|restore: criu is not installed)\$"
    [ ! -e "$ROOT/$ID" ]
    [ ! -e "/sys/fs/cgroup$(bundle_cgroup "$BUNDLE")" ]
    [ ! -e "/sys/fs/cgroup/pids$(bundle_cgroup "$BUNDLE")" ]
}

# fake_criu: a `criu` first on PATH (in $FAKE_BIN) that writes its
# arguments, one a line, to $BATS_TEST_TMPDIR/criu.args and the fds it was
# given to criu.fds ("FD TARGET", as ls, its child, inherits them: the
# shell's own are close-on-exec, ls's own is under /proc) and the inodes of
# fds 3-6 to criu.inodes ("FD INODE"), then fails.  Real criu fails on
# our hosts' kernel before it looks at either.
# Only where real criu fails: the host runs these, and the VM's time under
# TCG goes to the tests that need criu.
fake_criu() {
    ! criu_works || skip "criu check passes here: the fake criu runs where it fails"
    FAKE_BIN=$BATS_TEST_TMPDIR/bin
    mkdir -p "$FAKE_BIN"
    local t=$BATS_TEST_TMPDIR
    cat >"$FAKE_BIN/criu" <<EOF
#!/bin/sh
printf '%s\\n' "\$@" >"$t/criu.args"
ls -l /proc/self/fd/ >"$t/criu.ls"
awk '\$(NF - 1) == "->" && \$NF !~ "^/proc/" { print \$(NF - 2), \$NF }' "$t/criu.ls" | sort -n >"$t/criu.fds"
for fd in 3 4 5 6; do
    [ ! -e /proc/\$\$/fd/\$fd ] || echo "\$fd \$(stat -L -c %i /proc/\$\$/fd/\$fd)"
done >"$t/criu.inodes"
exit 1
EOF
    chmod +x "$FAKE_BIN/criu"
    touch "$BATS_TEST_TMPDIR/marker"
}

criu_fds() {
    cut -d' ' -f1 "$BATS_TEST_TMPDIR/criu.fds" | tr '\n' ' '
}

# criu_arg_after ARG: the argument that followed ARG on criu's command line.
criu_arg_after() {
    grep -x -A1 -F -- "$1" "$BATS_TEST_TMPDIR/criu.args" | sed -n 2p
}

@test "criu gets no fd of ours but 0, 1 and 2 (checkpoint, with fd 7 open)" {
    fake_criu
    start_counter
    PATH=$FAKE_BIN:$PATH run_cmd checkpoint --image-path "$IMG" "$ID" 7<"$BATS_TEST_TMPDIR/marker"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: checkpoint \"$ID\": criu dump failed \(exit status 1\)"
    cat "$BATS_TEST_TMPDIR/criu.fds" >&2
    [ "$(criu_fds)" = "0 1 2 " ]
    state_is running
    vo delete --force "$ID"
}

@test "checkpoint of a container with a terminal names its pty and /dev/console external to criu (not a pre-dump)" {
    fake_criu
    find_console_receiver ||
        skip "no C compiler to build tests/console-receiver.c (or set CONSOLE_RECEIVER)"
    make_tty_counter
    receiver first --timeout 60 --expect never-seen
    vcreate --console-socket "$BATS_TEST_TMPDIR/first.sock"
    vstart
    wait_for count_above 1
    local pid maj min dev key
    pid=$(state_field pid)
    read -r maj min dev < <(stat -L -c '%t %T %d' "/proc/$pid/fd/0")
    key=$(printf 'tty[%x:%x]' $(((0x$maj << 8) | 0x$min)) "$dev")
    # A pre-dump saves memory only: no terminal to name.
    PATH=$FAKE_BIN:$PATH run_cmd checkpoint --pre-dump --image-path "$IMG/pre" "$ID"
    [ "$status" -ne 0 ]
    grep -qx -- --tree "$BATS_TEST_TMPDIR/criu.args"
    [ "$(grep -c -e '^tty\[' -e console "$BATS_TEST_TMPDIR/criu.args")" = 0 ]
    [ ! -e "$IMG/pre/voidoci-tty" ]
    PATH=$FAKE_BIN:$PATH run_cmd checkpoint --image-path "$IMG" "$ID"
    [ "$status" -ne 0 ]
    cat "$BATS_TEST_TMPDIR/criu.args" >&2
    [ "$(grep -x -B1 -F -- "$key" "$BATS_TEST_TMPDIR/criu.args")" = "--external
$key" ]
    [ "$(grep -x -B1 -F -- 'mnt[/dev/console]:/dev/console' "$BATS_TEST_TMPDIR/criu.args")" = "--external
mnt[/dev/console]:/dev/console" ]
    [ "$(cat "$IMG/voidoci-tty")" = "$key" ]
    state_is running
    vo delete --force "$ID"
}

@test "restore --console-socket gives criu a new pty as fd 3 and nothing else of ours; a failure leaves nothing" {
    fake_criu
    make_tty_counter
    mkdir -p "$IMG"
    echo 'tty[8800:1b]' >"$IMG/voidoci-tty"
    PATH=$FAKE_BIN:$PATH run_cmd restore -d --image-path "$IMG" --bundle "$BUNDLE" \
        --console-socket "$BATS_TEST_TMPDIR/none.sock" "$ID" 7<"$BATS_TEST_TMPDIR/marker"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": criu restore failed \(exit status 1\); see $IMG/restore.log\$"
    cat "$BATS_TEST_TMPDIR/criu.fds" "$BATS_TEST_TMPDIR/criu.args" >&2
    [ "$(criu_fds)" = "0 1 2 3 " ]
    local pts
    pts=$(sed -n 's/^3 //p' "$BATS_TEST_TMPDIR/criu.fds")
    [[ $pts == /dev/pts/[0-9]* ]]
    [ "$(criu_arg_after --inherit-fd)" = "fd[3]:tty[8800:1b]" ]
    [ "$(criu_arg_after --ext-mount-map)" = "/dev/console:$pts" ]
    [ ! -e "$ROOT/$ID" ]
    [ ! -e "/sys/fs/cgroup/pids$(bundle_cgroup "$BUNDLE")" ]
}

@test "checkpoint names a joined network namespace external to criu by its inode (a joined ipc namespace that is ours is left alone)" {
    fake_criu
    make_counter
    make_ns net netns
    joins network "$NS"
    joins ipc "/proc/$$/ns/ipc"
    vcreate
    vstart
    wait_for count_above 1
    PATH=$FAKE_BIN:$PATH run_cmd checkpoint --image-path "$IMG" "$ID"
    [ "$status" -ne 0 ]
    cat "$BATS_TEST_TMPDIR/criu.args" >&2
    local ext="net[$(ns_ino "$NS")]:extRootNetNS"
    [ "$(grep -x -B1 -F -- "$ext" "$BATS_TEST_TMPDIR/criu.args")" = "--external
$ext" ]
    ! grep -q -e '^ipc\[' -e '^pid\[' "$BATS_TEST_TMPDIR/criu.args"
    state_is running
    vo delete --force "$ID"
}

@test "checkpoint and restore of a container that joins an ipc namespace not ours are refused in one line, criu not run" {
    fake_criu
    make_counter
    make_ns ipc ipcns
    joins ipc "$NS"
    vcreate
    vstart
    wait_for count_above 1
    PATH=$FAKE_BIN:$PATH run_cmd checkpoint --image-path "$IMG" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: checkpoint \"$ID\": linux.namespaces: the joined ipc namespace \"$NS\" cannot be checkpointed: criu takes only network and pid namespaces as external\$"
    [ ! -e "$BATS_TEST_TMPDIR/criu.args" ]
    state_is running
    vo delete --force "$ID"
    # restore too, leaving nothing behind.
    mkdir -p "$IMG"
    PATH=$FAKE_BIN:$PATH run_cmd restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": linux.namespaces: criu cannot restore into the joined ipc namespace \"$NS\": only network and pid namespaces\$"
    [ ! -e "$BATS_TEST_TMPDIR/criu.args" ]
    [ ! -e "$ROOT/$ID" ]
    [ ! -e "/sys/fs/cgroup/pids$(bundle_cgroup "$BUNDLE")" ]
}

@test "restore gives criu the joined network and pid namespaces as fds 3 and 4 under their keys; a failure leaves nothing" {
    fake_criu
    make_counter
    make_ns net netns
    local net=$NS
    make_ns pid pidns
    joins network "$net"
    joins pid "$NS"
    mkdir -p "$IMG"
    PATH=$FAKE_BIN:$PATH run_cmd restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID" \
        7<"$BATS_TEST_TMPDIR/marker"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": criu restore failed \(exit status 1\); see $IMG/restore.log\$"
    cat "$BATS_TEST_TMPDIR/criu.fds" "$BATS_TEST_TMPDIR/criu.args" >&2
    [ "$(criu_fds)" = "0 1 2 3 4 " ]
    # The namespaces themselves (nsfs inodes), not merely files.
    [ "$(cat "$BATS_TEST_TMPDIR/criu.inodes")" = "3 $(ns_ino "$net")
4 $(ns_ino "$NS")" ]
    [ "$(grep -x -A1 -F -- --inherit-fd "$BATS_TEST_TMPDIR/criu.args" | grep -v -x -e --inherit-fd -e --)" = "fd[3]:extRootNetNS
fd[4]:extRootPidNS" ]
    [ ! -e "$ROOT/$ID" ]
    [ ! -e "/sys/fs/cgroup/pids$(bundle_cgroup "$BUNDLE")" ]
}

@test "restore of a container with a terminal: without --console-socket, or without images, one line and nothing left" {
    make_tty_counter
    run_cmd restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": process.terminal is true: --console-socket is required\$"
    run_cmd restore -d --image-path "$IMG/none" --bundle "$BUNDLE" \
        --console-socket "$BATS_TEST_TMPDIR/none.sock" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": the image path \"$IMG/none\": No such file or directory\$"
    mkdir -p "$IMG"
    run_cmd restore -d --image-path "$IMG" --bundle "$BUNDLE" \
        --console-socket "$BATS_TEST_TMPDIR/none.sock" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": the images hold no terminal \(\"$IMG/voidoci-tty\"\)"
    [ ! -e "$ROOT/$ID" ]
    [ ! -e "/sys/fs/cgroup/pids$(bundle_cgroup "$BUNDLE")" ]
}

@test "checkpoint stops and deletes the container; restore brings it back counting on, in its cgroup's limits" {
    require_criu
    make_counter
    bundle_jq "$BUNDLE" '.linux.resources.pids.limit = 77'
    vcreate
    vstart
    wait_for count_above 2
    vc checkpoint --image-path "$IMG" "$ID"
    [ -f "$IMG/dump.log" ]
    run_cmd state "$ID"
    [ "$status" -ne 0 ]
    local n
    n=$(count)
    sleep 1
    [ "$(count)" = "$n" ]
    vc restore -d --image-path "$IMG" --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
    state_is running
    [ "$(state_field pid)" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
    wait_for count_above "$n"
    local pid cg
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
        [ "$cg" = "/sys/fs/cgroup$(bundle_cgroup "$BUNDLE")" ]
        [ "$(cat "$cg/pids.max")" = 77 ]
    fi
    vo exec "$ID" cat /tmp/count </dev/null 3>&-
    vo kill "$ID" KILL
    wait_status stopped
    vo delete "$ID"
}

@test "checkpoint --leave-running; restore under a new ID" {
    require_criu
    start_counter
    vc checkpoint --leave-running --image-path "$IMG" "$ID"
    state_is running
    local n
    n=$(count)
    wait_for count_above "$n"
    vo delete --force "$ID"
    local id2=$ID-again
    vc restore -d --image-path "$IMG" --bundle "$BUNDLE" "$id2"
    state_is running "$id2"
    n=$(count)
    wait_for count_above "$n"
    vo kill "$id2" KILL
    wait_status stopped "$id2"
    vo delete "$id2"
}

@test "checkpoint --pre-dump, then a dump on top of it" {
    require_criu
    start_counter
    vc checkpoint --pre-dump --image-path "$IMG/pre" "$ID"
    state_is running
    vc checkpoint --image-path "$IMG/full" --parent-path ../pre "$ID"
    run_cmd state "$ID"
    [ "$status" -ne 0 ]
    local n
    n=$(count)
    vc restore -d --image-path "$IMG/full" --bundle "$BUNDLE" "$ID"
    wait_for count_above "$n"
    vo delete --force "$ID"
}

@test "a container that joins a network namespace by path is restored into that namespace" {
    require_criu
    make_counter
    make_ns net netns
    joins network "$NS"
    vcreate
    vstart
    wait_for count_above 2
    vc checkpoint --image-path "$IMG" "$ID"
    local n
    n=$(count)
    vc restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    wait_for count_above "$n"
    [ "$(readlink "/proc/$(state_field pid)/ns/net")" = "net:[$(ns_ino "$NS")]" ]
    vo delete --force "$ID"
}

data_above() {
    [ "$(cat "$BATS_TEST_TMPDIR/data/count")" -gt "$1" ]
}

@test "a bind mount is restored at its place" {
    require_criu
    mkdir -p "$BATS_TEST_TMPDIR/data"
    make_bundle "$BUNDLE" setsid sh -c '
        exec </dev/null >/dev/null 2>&1
        i=0
        while :; do i=$((i + 1)); echo $i >/data/count; sleep 0.2; done'
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' \
        --arg s "$BATS_TEST_TMPDIR/data"
    no_netns
    vcreate
    vstart
    wait_for test -s "$BATS_TEST_TMPDIR/data/count"
    vc checkpoint --image-path "$IMG" "$ID"
    local n
    n=$(cat "$BATS_TEST_TMPDIR/data/count")
    vc restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    wait_for data_above "$n"
    vo delete --force "$ID"
}

@test "a container with a terminal is restored with --console-socket: a new pty is its stdio" {
    require_criu
    find_console_receiver ||
        skip "no C compiler to build tests/console-receiver.c (or set CONSOLE_RECEIVER)"
    make_tty_counter
    # The first terminal: held open (the never-seen line) until the dump.
    receiver first --timeout 120 --send one --expect got:one: --expect never-seen
    local first=$RECEIVER
    vcreate --console-socket "$BATS_TEST_TMPDIR/first.sock"
    vstart
    wait_for count_above 2
    vc checkpoint --image-path "$IMG" "$ID"
    run_cmd state "$ID"
    [ "$status" -ne 0 ]
    # The dump closed the first terminal: its receiver ends there.
    wait "$first" || true
    grep -q got:one: "$BATS_TEST_TMPDIR/first.out"
    local n
    n=$(count)
    # Without a console socket: refused, as runc does.
    run_cmd restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    assert_one_error_line "^voidoci: restore \"$ID\": process.terminal is true: --console-socket is required\$"
    receiver second --timeout 60 --expect "count:$((n + 1))" --send two --expect got:two:
    vc restore -d --image-path "$IMG" --bundle "$BUNDLE" \
        --console-socket "$BATS_TEST_TMPDIR/second.sock" "$ID"
    state_is running
    local rc=0
    wait "$RECEIVER" || rc=$?
    cat "$BATS_TEST_TMPDIR/second.out" "$BATS_TEST_TMPDIR/second.err" >&2
    [ "$rc" -eq 0 ]
    [ "$(count)" -gt "$n" ]
    # Inside, the new slave is known by name: /dev/console is bound on it.
    tr -d '\r' <"$BATS_TEST_TMPDIR/second.out" | grep -qx got:two:/dev/console
    vo delete --force "$ID"
}
