#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# exec: a new process in a live container joins the init's namespaces,
# root and cgroup, and gets exactly the process asked for (a --process
# file, or config.json's process with the command line's changes).

load helpers

setup() {
    voidoci_setup
    find_console_receiver || true
}

teardown() {
    voidoci_teardown
}

# sleeper [JQ-FILTER]: a running container whose init sleeps; $INIT is its
# host pid.  The filter, if given, changes config.json first.
sleeper() {
    make_bundle "$BUNDLE" sleep 1000
    if [ -n "${1-}" ]; then
        bundle_jq "$BUNDLE" "$1"
    fi
    vcreate
    vstart
    wait_status running
    INIT=$(state_field pid)
}

# vexec ARG...: `exec ARG...` into this test's container, stdin /dev/null.
vexec() {
    vo exec "$@" </dev/null
}

# process_json JQ-FILTER: a process file made from config.json's process
# through FILTER; its path in $PROCESS.
process_json() {
    PROCESS=$BATS_TEST_TMPDIR/process.json
    jq "$1" <"$BUNDLE/config.json" >"$PROCESS"
}

finish() {
    vo delete --force "$ID"
}

@test "exec: the process is in the init's pid, mount, uts, net, ipc and cgroup namespaces" {
    sleeper
    local ns
    for ns in pid mnt uts net ipc cgroup user; do
        run -0 vexec "$ID" readlink "/proc/self/ns/$ns"
        [ "$output" = "$(readlink "/proc/$INIT/ns/$ns")" ]
    done
    # and not in the host's (what would pass if exec joined nothing)
    [ "$(readlink "/proc/$INIT/ns/pid")" != "$(host_ns pid)" ]
    [ "$(readlink "/proc/$INIT/ns/mnt")" != "$(host_ns mnt)" ]
    # it sees the container's processes: the init is pid 1 there
    run -0 vexec "$ID" cat /proc/1/comm
    [ "$output" = sleep ]
    finish
}

@test "exec: in a container with its own user namespace, the process joins it and its cgroup" {
    # Identity maps: the test's directories are 0700, out of reach of any
    # other uid; the user namespace is a new one all the same.
    sleeper '.linux.namespaces += [{type: "user"}] |
        .linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}] |
        .linux.gidMappings = [{containerID: 0, hostID: 0, size: 65536}]'
    [ "$(readlink "/proc/$INIT/ns/user")" != "$(host_ns user)" ]
    local pidfile=$BATS_TEST_TMPDIR/exec.pid pid
    vo exec --detach --pid-file "$pidfile" "$ID" sleep 300 </dev/null >/dev/null 2>&1 3>&-
    pid=$(cat "$pidfile")
    # the pid file holds the host pid of our process, not its pid inside
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 300 " ]
    local ns
    for ns in user pid mnt net; do
        [ "$(readlink "/proc/$pid/ns/$ns")" = "$(readlink "/proc/$INIT/ns/$ns")" ]
    done
    [ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$INIT/cgroup")" ]
    run -3 vexec "$ID" sh -c 'exit 3'
    finish
    pids_gone "$pid"
}

@test "exec: the process's root is the container's rootfs" {
    sleeper
    echo only-in-rootfs >"$BUNDLE/rootfs/marker" 2>/dev/null ||
        skip "the rootfs copy is read-only on this machine"
    run -0 vexec "$ID" cat /marker
    [ "$output" = only-in-rootfs ]
    finish
}

@test "exec: the exit status is the process's; a signal gives 128+N" {
    sleeper
    run -7 vexec "$ID" sh -c 'exit 7'
    run -0 vexec "$ID" true
    run -137 vexec "$ID" sh -c 'kill -9 $$'
    finish
}

@test "exec: --process FILE runs its args, env, cwd and user" {
    sleeper
    process_json '.process | .args = ["sh", "-c", "echo $GREETING; pwd; id -u; id -g"] |
        .env = ["PATH=/bin:/sbin", "GREETING=from-file"] | .cwd = "/etc" |
        .user = {uid: 1234, gid: 4321}'
    run -0 vexec --process "$PROCESS" "$ID"
    [ "${lines[0]}" = from-file ]
    [ "${lines[1]}" = /etc ]
    [ "${lines[2]}" = 1234 ]
    [ "${lines[3]}" = 4321 ]
    finish
}

@test "exec: a --process file without a user object runs as uid 0, gid 0, as runc's callers expect" {
    sleeper
    process_json '.process | .args = ["sh", "-c", "id -u; id -g"] | del(.user)'
    [ "$(jq has\(\"user\"\) "$PROCESS")" = false ]
    run -0 vexec --process "$PROCESS" "$ID"
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = 0 ]
    finish
}

@test "exec: a bad --process file fails with its name and the JSON path, exit 255" {
    sleeper
    echo '{"args": [], "cwd": "/", "user": {"uid": 0, "gid": 0}}' >"$BATS_TEST_TMPDIR/process.json"
    run --separate-stderr -255 vexec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
    assert_one_error_line 'process\.json: args: must be a non-empty array'
    finish
}

@test "exec: -e, --cwd and -u change the container's process, which gives the rest" {
    sleeper '.process.env += ["FROM_CONFIG=yes", "OVERRIDDEN=no"]'
    run -0 vexec -e ADDED=1 -e OVERRIDDEN=yes --cwd /tmp -u 1000:1001 "$ID" \
        sh -c 'echo "$FROM_CONFIG $ADDED $OVERRIDDEN"; pwd; id -u; id -g; env | grep -c ^OVERRIDDEN='
    [ "${lines[0]}" = "yes 1 yes" ]
    [ "${lines[1]}" = /tmp ]
    [ "${lines[2]}" = 1000 ]
    [ "${lines[3]}" = 1001 ]
    [ "${lines[4]}" = 1 ]
    finish
}

@test "exec: a cwd that does not exist fails, and is not created" {
    sleeper '.root.readonly = false'
    run --separate-stderr -255 vexec --cwd /no-such-dir "$ID" true
    assert_one_error_line 'no-such-dir.*No such file or directory'
    [ ! -e "$BUNDLE/rootfs/no-such-dir" ]
    finish
}

@test "exec: --cwd only root can enter (/root, mode 700) works with --user 1000, as with runc" {
    sleeper
    mkdir -p "$BUNDLE/rootfs/root"
    chown 0:0 "$BUNDLE/rootfs/root"
    chmod 700 "$BUNDLE/rootfs/root"
    run --separate-stderr -0 vexec --cwd /root --user 1000:1000 "$ID" sh -c 'pwd; id -u'
    [ "${lines[0]}" = /root ]
    [ "${lines[1]}" = 1000 ]
    finish
}

@test "exec: the cwd is resolved inside the container's root" {
    sleeper
    ln -s ../../../../../../../.. "$BUNDLE/rootfs/up" 2>/dev/null ||
        skip "the rootfs copy is read-only on this machine"
    echo only-in-rootfs >"$BUNDLE/rootfs/marker"
    run -0 vexec --cwd /up "$ID" cat marker
    [ "$output" = only-in-rootfs ]
    finish
}

@test "exec: the capabilities of the process JSON are the process's (CapEff)" {
    sleeper
    process_json '.process | .args = ["cat", "/proc/self/status"] |
        .capabilities = {bounding: ["CAP_KILL", "CAP_CHOWN"], effective: ["CAP_KILL"],
                         permitted: ["CAP_KILL"]}'
    run -0 vexec --process "$PROCESS" "$ID"
    [ "$(status_field CapEff)" = "$(cap_mask CAP_KILL)" ]
    [ "$(status_field CapBnd)" = "$(cap_mask CAP_KILL CAP_CHOWN)" ]
    finish
}

@test "exec: --cap adds a capability to the container's process" {
    sleeper '.process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"],
        permitted: ["CAP_CHOWN"]}'
    run -0 vexec --cap CAP_KILL "$ID" cat /proc/self/status
    [ "$(status_field CapEff)" = "$(cap_mask CAP_CHOWN CAP_KILL)" ]
    run -0 vexec "$ID" cat /proc/self/status
    [ "$(status_field CapEff)" = "$(cap_mask CAP_CHOWN)" ]
    finish
}

@test "exec: no_new_privs from --no-new-privs and from the process JSON" {
    sleeper '.process.noNewPrivileges = false'
    run -0 vexec "$ID" cat /proc/self/status
    [ "$(status_field NoNewPrivs)" = 0 ]
    run -0 vexec --no-new-privs "$ID" cat /proc/self/status
    [ "$(status_field NoNewPrivs)" = 1 ]
    process_json '.process | .args = ["cat", "/proc/self/status"] | .noNewPrivileges = true'
    run -0 vexec --process "$PROCESS" "$ID"
    [ "$(status_field NoNewPrivs)" = 1 ]
    finish
}

@test "exec: the container's seccomp filter applies to the exec'd process" {
    local filter
    filter=$(jq -nc '{defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}')
    sleeper ".root.readonly = false | .linux.seccomp = $filter"
    run -0 vexec "$ID" sh -c 'mkdir /tmp/x; echo "rc=$?"; grep ^Seccomp: /proc/self/status'
    [[ $output == *"rc=1"* ]]
    [[ $output == *"Seccomp:"*2* ]]
    [ ! -d "$BUNDLE/rootfs/tmp/x" ]
    finish
}

@test "exec: the process is in the container's cgroup" {
    sleeper
    run -0 vexec "$ID" sh -c 'cat /proc/$$/cgroup; true'
    # /proc/PID/cgroup read inside: the container's cgroup namespace is the
    # host's here, so the paths compare as they are.
    [ "$output" = "$(cat "/proc/$INIT/cgroup")" ]
    [[ $output == *"/$ID"* ]]
    finish
}

# v1_cgroup_dir CONTROLLER PID: the host directory of PID's cgroup in the
# v1 hierarchy of CONTROLLER.
v1_cgroup_dir() {
    local path
    path=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
        "/proc/$2/cgroup")
    [ -n "$path" ] && echo "/sys/fs/cgroup/$1$path"
}

@test "exec: --cgroup memory:sub puts the process in sub for memory only; a plain path is for the other hierarchies" {
    [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ] ||
        skip "this host has no v1 memory and pids hierarchies"
    sleeper
    local mem pids pidfile=$BATS_TEST_TMPDIR/exec.pid pid
    mem=$(v1_cgroup_dir memory "$INIT")
    pids=$(v1_cgroup_dir pids "$INIT")
    mkdir "$mem/sub" "$pids/sub"
    vo exec --detach --pid-file "$pidfile" --cgroup memory:sub "$ID" sleep 300 </dev/null >/dev/null 2>&1 3>&-
    pid=$(cat "$pidfile")
    [ "$(v1_cgroup_dir memory "$pid")" = "$mem/sub" ]
    [ "$(v1_cgroup_dir pids "$pid")" = "$pids" ]
    kill -9 "$pid"
    # A plain path is for every hierarchy no entry names: "other" in each
    # of the container's cgroup directories (a v1 cpuset one needs cpus
    # and mems before anyone can join it).
    local d dirs
    dirs=$(jq -r '.cgroupDirs[]' "$ROOT/$ID/state.json")
    for d in $dirs; do
        mkdir "$d/other"
        if [ -e "$d/cpuset.cpus" ]; then
            cat "$d/cpuset.cpus" >"$d/other/cpuset.cpus"
            cat "$d/cpuset.mems" >"$d/other/cpuset.mems"
        fi
    done
    vo exec --detach --pid-file "$pidfile" --cgroup pids:sub --cgroup other "$ID" sleep 300 \
        </dev/null >/dev/null 2>&1 3>&-
    pid=$(cat "$pidfile")
    [ "$(v1_cgroup_dir pids "$pid")" = "$pids/sub" ]
    [ "$(v1_cgroup_dir memory "$pid")" = "$mem/other" ]
    kill -9 "$pid"
    wait_for test ! -e "/proc/$pid"
    for d in $dirs; do
        rmdir "$d/other"
    done
    rmdir "$mem/sub" "$pids/sub"
    finish
}

@test "exec: a bad --cgroup fails with exit 255, naming it" {
    sleeper
    local bad
    for bad in 'nosuch|sub-cgroup "nosuch": ".*/nosuch": No such file or directory' \
        '../up|sub-cgroup "../up": must stay inside the cgroup' \
        '/abs|sub-cgroup "/abs": must be a relative path' \
        'nosuchctl:x|sub-cgroup "nosuchctl:x": (the cgroup has no such controller|cgroup v2 has one hierarchy: name no controller)'; do
        run --separate-stderr vo exec --cgroup "${bad%%|*}" "$ID" true </dev/null
        [ "$status" -eq 255 ]
        assert_one_error_line "--cgroup: ${bad#*|}"
    done
    finish
}

@test "exec: --detach --pid-file writes the pid (digits only) and leaves the process running" {
    sleeper
    local pidfile=$BATS_TEST_TMPDIR/exec.pid
    vo exec --detach --pid-file "$pidfile" "$ID" sleep 300 </dev/null \
        >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&-
    grep -qxE '[0-9]+' "$pidfile"
    [ "$(tail -c 1 "$pidfile" | od -An -c | tr -d ' ')" != '\n' ]
    local pid
    pid=$(cat "$pidfile")
    pids_alive "$pid"
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 300 " ]
    [ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INIT/ns/pid")" ]
    [ ! -s "$BATS_TEST_TMPDIR/exec.out" ]
    # the container's processes: ps lists it
    run -0 vo ps --format json "$ID"
    jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
    finish
    pids_gone "$pid"
}

@test "exec: --preserve-fds N passes fds 3 .. 3+N-1, and only those" {
    sleeper
    run -0 vo exec --preserve-fds 2 "$ID" sh -c 'ls /proc/$$/fd; true' \
        3</dev/null 4</dev/null 5</dev/null 6</dev/null
    [ "$(echo $output)" = "0 1 2 3 4" ]
    finish
}

@test "exec: no fd of the runtime or the caller reaches the process: 0, 1, 2 only" {
    sleeper
    run -0 vo exec "$ID" sh -c 'ls /proc/$$/fd; true' 5</dev/null 9</dev/null
    [ "$(echo $output)" = "0 1 2" ]
    finish
}

@test "exec: a stopped container fails with 'container not running' and exit 255" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr -255 vexec "$ID" true
    assert_one_error_line 'exec "'"$ID"'": container not running'
    vo delete "$ID"
}

@test "exec: a created container (not started) can be exec'd into" {
    make_bundle "$BUNDLE" sleep 1000
    vcreate
    run -0 vexec "$ID" echo in-created
    [ "$output" = in-created ]
    state_is created
    finish
}

@test "exec: an unknown container fails with 'does not exist' and exit 255" {
    run --separate-stderr -255 vexec "no-such-$ID" true
    assert_one_error_line 'container "no-such-'"$ID"'" does not exist'
}

@test "exec: a missing program says 'executable file not found in \$PATH' or 'no such file or directory'" {
    sleeper
    run --separate-stderr -255 vexec "$ID" no-such-program
    assert_one_error_line 'executable file not found in \$PATH'
    run --separate-stderr -255 vexec "$ID" /bin/no-such-program
    assert_one_error_line 'no such file or directory'
    finish
}

@test "exec: an --apparmor the host cannot apply is refused naming the flag" {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] ||
        skip "AppArmor is enabled here: the refusal is for hosts without it"
    sleeper
    # The value came from the command line, not from config.json.
    run --separate-stderr -255 vexec --apparmor voidoci-test "$ID" true
    assert_one_error_line "exec \"$ID\": --apparmor: AppArmor is not enabled on this host$"
    # The same field from config.json is named as config.json's.
    process_json '.process | .apparmorProfile = "voidoci-test"'
    run --separate-stderr -255 vexec --process "$PROCESS" "$ID"
    assert_one_error_line "exec \"$ID\": --process: process.apparmorProfile: AppArmor is not enabled on this host$"
    finish
}

@test "exec: --process-label and a process file's selinuxLabel are no-ops without SELinux, said in a debug line" {
    [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" != selinux ] ||
        skip "SELinux is enabled here: the label would be applied"
    sleeper
    run --separate-stderr -0 vexec --process-label system_u:system_r:spc_t:s0 "$ID" echo ran
    [ "$output" = ran ]
    [ -z "$stderr" ]
    run --separate-stderr -0 vo --debug exec --process-label system_u:system_r:spc_t:s0 "$ID" true </dev/null
    [[ $stderr == *'debug: process.selinuxLabel "system_u:system_r:spc_t:s0" ignored: SELinux is not enabled on this host'* ]]
    process_json '.process | .args = ["echo", "from-file"] | .selinuxLabel = "system_u:system_r:spc_t:s0"'
    run --separate-stderr -0 vexec --process "$PROCESS" "$ID"
    [ "$output" = from-file ]
    finish
}

@test "exec: errors go to --log as one JSON line" {
    sleeper
    local log=$BATS_TEST_TMPDIR/log.json
    run -255 vo --log "$log" --log-format json exec "$ID" no-such-program </dev/null
    [ "$(wc -l <"$log")" -eq 1 ]
    jq -e '.level == "error" and (.msg | test("executable file not found"))' "$log"
    finish
}

@test "exec: --tty with --console-socket gives the process a pty as 0, 1, 2" {
    [ -n "$CONSOLE_RECEIVER" ] || skip "no C compiler to build tests/console-receiver.c"
    sleeper
    local sock=$BATS_TEST_TMPDIR/console.sock
    bg "$CONSOLE_RECEIVER" "$sock" --expect TTY-OK >"$BATS_TEST_TMPDIR/receiver.out" \
        2>"$BATS_TEST_TMPDIR/receiver.err"
    local receiver=$BG_PID
    wait_for test -S "$sock"
    vo exec --tty --console-socket "$sock" --detach "$ID" \
        sh -c 'tty; readlink /proc/$$/fd/1; echo TTY-OK; sleep 1' </dev/null 3>&-
    wait "$receiver"
    local got
    got=$(tr -d '\r' <"$BATS_TEST_TMPDIR/receiver.out")
    grep -qxE '/dev/pts/[0-9]+' <<<"$got"
    grep -qx TTY-OK <<<"$got"
    finish
}

@test "exec: --tty with --user 1000 gives the process a terminal it owns (uid 1000, group tty), as runc" {
    [ -n "$CONSOLE_RECEIVER" ] || skip "no C compiler to build tests/console-receiver.c"
    sleeper
    local sock=$BATS_TEST_TMPDIR/console.sock
    bg "$CONSOLE_RECEIVER" "$sock" --expect OWNER-DONE >"$BATS_TEST_TMPDIR/receiver.out" \
        2>"$BATS_TEST_TMPDIR/receiver.err"
    local receiver=$BG_PID
    wait_for test -S "$sock"
    vo exec --tty --console-socket "$sock" --detach --user 1000:1000 "$ID" \
        sh -c 'echo "owner=$(stat -c %u:%g "$(tty)")"; echo OWNER-DONE; sleep 1' </dev/null 3>&-
    wait "$receiver"
    local got
    got=$(tr -d '\r' <"$BATS_TEST_TMPDIR/receiver.out")
    grep -qx owner=1000:5 <<<"$got" || {
        echo "receiver read: $got" >&2
        return 1
    }
    finish
}

@test "exec: --tty --detach without --console-socket fails" {
    sleeper
    run --separate-stderr -255 vexec --tty --detach "$ID" true
    assert_one_error_line 'needs --console-socket'
    finish
}

@test "exec: the init's mount, uts, ipc and network namespaces are joined with one setns on a pidfd" {
    command -v strace >/dev/null || skip "this machine has no strace"
    sleeper
    # LeakSanitizer (the ASan build) cannot run under ptrace.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -qq -y -e trace=setns -o "$BATS_TEST_TMPDIR/trace" \
        "$VOIDOCI" --root "$ROOT" exec "$ID" true </dev/null
    cat "$BATS_TEST_TMPDIR/trace"
    local one
    one=$(grep -E 'setns\([0-9]+<anon_inode:\[pidfd\]>, ' "$BATS_TEST_TMPDIR/trace")
    [ "$(wc -l <<<"$one")" -eq 1 ]
    local kind
    for kind in NS UTS IPC NET; do
        [[ $one == *"CLONE_NEW$kind"* ]]
    done
    # None of those kinds is joined again through a namespace file.
    ! grep -E 'setns\([0-9]+<(mnt|uts|ipc|net|cgroup):' "$BATS_TEST_TMPDIR/trace"
    finish
}

@test "exec: --help describes the options" {
    run -0 "$VOIDOCI" exec --help
    [[ $output == *"--process FILE"* ]]
    [[ $output == *"--console-socket"* ]]
    [[ $output == *"--preserve-fds"* ]]
}
