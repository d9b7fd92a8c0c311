#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# linux.seccomp: each action, argument conditions, architectures, flags, a
# real profile (podman's), and SCMP_ACT_NOTIFY with a listener, each checked
# by its effect inside a busybox container; with noNewPrivileges true (the
# filter goes in right before the exec) and false (before the capabilities
# drop); through run and through create + start.  Bad input fails with one
# line naming the JSON path, and leaves nothing behind.

load helpers

setup() {
    voidoci_setup
    if [ -z "${SECCOMP_LISTENER-}" ]; then
        SECCOMP_LISTENER=$VOIDOCI_SRCDIR/build/tests/seccomp_listener
        if [ ! -x "$SECCOMP_LISTENER" ]; then
            # Run from a source tree without a build: make our own.
            SECCOMP_LISTENER=$BATS_RUN_TMPDIR/seccomp_listener
            [ -x "$SECCOMP_LISTENER" ] ||
                cc -std=c17 -D_GNU_SOURCE -o "$SECCOMP_LISTENER" "$TESTS_DIR/seccomp-listener.c" ||
                skip "no C compiler to build tests/seccomp-listener.c (or set SECCOMP_LISTENER)"
        fi
    fi
}

teardown() {
    voidoci_teardown
}

# seccomp_bundle SECCOMP-JSON COMMAND...: a writable bundle running COMMAND
# under linux.seccomp = SECCOMP-JSON.
seccomp_bundle() {
    local filter=$1
    shift
    make_bundle "$BUNDLE" "$@"
    bundle_writable "$BUNDLE"
    bundle_jq "$BUNDLE" '.linux.seccomp = $s' --argjson s "$filter"
}

# set_nnp true|false
set_nnp() {
    bundle_jq "$BUNDLE" '.process.noNewPrivileges = $n' --argjson n "$1"
}

# rule ACTION [EXTRA-JSON]: defaultAction ALLOW and ACTION for mkdir and mkdirat.
rule() {
    jq -nc --arg a "$1" --argjson extra "${2-{\}}" \
        '{defaultAction: "SCMP_ACT_ALLOW",
          syscalls: [{names: ["mkdir", "mkdirat"], action: $a} + $extra]}'
}

add_sys_admin() {
    bundle_jq "$BUNDLE" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] |
        .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
        .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
}

MKDIR='mkdir /tmp/x; echo "rc=$?"; if [ -d /tmp/x ]; then echo made; fi'

@test "seccomp: SCMP_ACT_ERRNO fails mkdir with EPERM, with noNewPrivileges true and false" {
    local nnp
    for nnp in true false; do
        seccomp_bundle "$(rule SCMP_ACT_ERRNO)" sh -c "$MKDIR; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status"
        set_nnp "$nnp"
        run vrun
        [ "$status" -eq 0 ]
        [[ $output == *"can't create directory '/tmp/x': Operation not permitted"* ]]
        [[ $output == *"rc=1"* ]]
        [[ $output != *made* ]]
        grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$output"
        grep -Eq "^NoNewPrivs:[[:space:]]+$([ "$nnp" = true ] && echo 1 || echo 0)$" <<<"$output"
        rm -rf "$BUNDLE"
    done
}

@test "seccomp: without a filter mkdir works and Seccomp reads 0 (the tests can fail)" {
    make_bundle "$BUNDLE" sh -c "$MKDIR; grep '^Seccomp:' /proc/self/status"
    bundle_writable "$BUNDLE"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *made* ]]
    grep -Eq '^Seccomp:[[:space:]]+0$' <<<"$output"
}

@test "seccomp: errnoRet 38 makes mkdir fail with ENOSYS" {
    seccomp_bundle "$(rule SCMP_ACT_ERRNO '{"errnoRet": 38}')" sh -c "$MKDIR"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"Function not implemented"* ]]
    [[ $output == *"rc=1"* ]]
}

@test "seccomp: defaultErrnoRet is the errno of every syscall the profile does not list" {
    local profile
    # podman's profile without mkdir and mkdirat, its default errno 18.
    profile=$(jq -c '.defaultErrnoRet = 18 |
        .syscalls |= map(.names -= ["mkdir", "mkdirat"] | select(.names != []))' \
        "$VOIDOCI_SRCDIR/tests/fixtures/seccomp-podman-amd64.json")
    seccomp_bundle "$profile" sh -c "$MKDIR"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"Invalid cross-device link"* ]]
    [[ $output == *"rc=1"* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the process with SIGSYS (status 159)" {
    seccomp_bundle "$(rule SCMP_ACT_KILL_PROCESS)" mkdir /tmp/x
    run vrun
    [ "$status" -eq 159 ]
    [ ! -d "$BUNDLE/rootfs/tmp/x" ]
}

@test "seccomp: SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD kill the only thread with SIGSYS" {
    local action
    for action in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD; do
        seccomp_bundle "$(rule "$action")" mkdir /tmp/x
        run vrun
        [ "$status" -eq 159 ]
        [ ! -d "$BUNDLE/rootfs/tmp/x" ]
        rm -rf "$BUNDLE"
    done
}

@test "seccomp: SCMP_ACT_TRAP sends SIGSYS" {
    seccomp_bundle "$(rule SCMP_ACT_TRAP)" mkdir /tmp/x
    run vrun
    [ "$status" -eq 159 ]
    [ ! -d "$BUNDLE/rootfs/tmp/x" ]
}

@test "seccomp: SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS" {
    seccomp_bundle "$(rule SCMP_ACT_TRACE)" sh -c "$MKDIR"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"Function not implemented"* ]]
    [[ $output != *made* ]]
}

@test "seccomp: SCMP_ACT_LOG allows the syscall" {
    seccomp_bundle "$(rule SCMP_ACT_LOG)" sh -c "$MKDIR; grep '^Seccomp:' /proc/self/status"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *made* ]]
    grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$output"
}

@test "seccomp: a rule SCMP_ACT_ALLOW lets one syscall through a default SCMP_ACT_ERRNO" {
    local profile
    # podman's profile: everything it lists is allowed, mkdir included.
    profile=$(jq -c '.defaultErrnoRet = 18' "$VOIDOCI_SRCDIR/tests/fixtures/seccomp-podman-amd64.json")
    seccomp_bundle "$profile" sh -c "$MKDIR"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *made* ]]
}

@test "seccomp: an argument condition blocks socket(AF_INET) only" {
    local filter
    filter='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"],
             "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}'
    seccomp_bundle "$filter" sh -c 'nc 127.0.0.1 1 </dev/null; echo "inet=$?"; nc ::1 1 </dev/null; echo "inet6=$?"'
    run vrun
    [ "$status" -eq 0 ]
    # AF_INET: refused by the filter; AF_INET6: a socket, whose connect fails.
    grep -q 'socket: Operation not permitted' <<<"$output"
    [ "$(grep -c 'Operation not permitted' <<<"$output")" -eq 1 ]
    [[ $output == *"inet6=1"* ]]
}

@test "seccomp: SCMP_CMP_MASKED_EQ matches personality(PER_LINUX32) but not PER_LINUX" {
    local filter
    filter='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"],
             "action": "SCMP_ACT_ERRNO", "errnoRet": 18,
             "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
    seccomp_bundle "$filter" sh -c 'linux64 true; echo "linux64=$?"; linux32 true; echo "linux32=$?"'
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"linux64=0"* ]]
    [[ $output == *"Invalid cross-device link"* ]]
    [[ $output != *"linux32=0"* ]]
}

@test "seccomp: the same argument twice in a rule matches either condition (as runc)" {
    local filter
    filter='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"],
             "action": "SCMP_ACT_ERRNO", "args": [
               {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
               {"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
    seccomp_bundle "$filter" sh -c 'linux64 true; echo "linux64=$?"; linux32 true; echo "linux32=$?"'
    run vrun
    [ "$status" -eq 0 ]
    [[ $output != *"linux64=0"* ]]
    [[ $output != *"linux32=0"* ]]
    [ "$(grep -c 'Operation not permitted' <<<"$output")" -eq 2 ]
}

@test "seccomp: unknown syscall names are skipped, the known ones of the rule still apply" {
    local filter
    filter='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["no_such_syscall",
             "mkdir", "mkdirat", "another_new_one"], "action": "SCMP_ACT_ERRNO"}]}'
    seccomp_bundle "$filter" sh -c "$MKDIR"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"Operation not permitted"* ]]
}

@test "seccomp: architectures x86_64, x86 and x32 are all filtered" {
    [ "$(uname -m)" = x86_64 ] || skip "this machine is $(uname -m), not x86_64"
    local filter
    filter='{"defaultAction": "SCMP_ACT_ALLOW",
             "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
             "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    seccomp_bundle "$filter" sh -c "$MKDIR"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"Operation not permitted"* ]]
}

@test "seccomp: flags LOG, SPEC_ALLOW, TSYNC and WAIT_KILLABLE_RECV are taken by the kernel" {
    local flag supported
    supported=$("$VOIDOCI" features | jq -c .linux.seccomp.supportedFlags)
    for flag in SECCOMP_FILTER_FLAG_LOG SECCOMP_FILTER_FLAG_SPEC_ALLOW SECCOMP_FILTER_FLAG_TSYNC \
        SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; do
        seccomp_bundle "$(rule SCMP_ACT_ERRNO | jq -c --arg f "$flag" '.flags = [$f]')" sh -c "$MKDIR"
        run --separate-stderr vrun
        if ! jq -e --arg f "$flag" 'index($f)' <<<"$supported" >/dev/null && [ "$status" -ne 0 ] &&
            [[ $stderr == *"load the seccomp filter: Invalid argument"* ]]; then
            # A kernel without it (WAIT_KILLABLE_RECV: before 5.19) refuses
            # it: an error, not a dropped flag.
            rm -rf "$BUNDLE"
            continue
        fi
        [ "$status" -eq 0 ]
        [[ $stderr == *"Operation not permitted"* ]]
        rm -rf "$BUNDLE"
    done
}

@test "seccomp: podman's default profile runs a busybox shell and denies what it denies" {
    local nnp profile
    profile=$(cat "$VOIDOCI_SRCDIR/tests/fixtures/seccomp-podman-amd64.json")
    for nnp in true false; do
        seccomp_bundle "$profile" sh -c 'echo hello; ls / >/dev/null && echo listed;
            mkdir /tmp/d && echo made;
            grep "^Seccomp:" /proc/self/status'
        set_nnp "$nnp"
        run vrun
        [ "$status" -eq 0 ]
        [[ $output == *hello* ]]
        [[ $output == *listed* ]]
        [[ $output == *made* ]]
        grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$output"
        rm -rf "$BUNDLE"
    done
}

# ---- a profile of classic syscalls only ------------------------------------

# tests/fixtures/seccomp-classic.json: default action ERRNO (EPERM), and no
# syscall newer than the classic ones (no close_range, openat2, clone3,
# pidfd_*, faccessat2, execveat).  What the runtime does after it loads the
# filter must not need more.  ionice's ioprio_get is not listed either:
# that EPERM shows the filter at work.
CLASSIC='echo hello; ls / >/dev/null && echo listed; ionice -p $$; echo "ionice=$?";
    grep "^Seccomp:" /proc/self/status'

classic_ran() {
    echo "$1"
    [[ $1 == *hello* ]] && [[ $1 == *listed* ]] && [[ $1 == *"ionice=1"* ]] &&
        [[ $1 == *"ioprio_get: Operation not permitted"* ]] &&
        grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$1"
}

@test "seccomp: a profile of classic syscalls only runs run's container, with noNewPrivileges true and false" {
    local nnp
    for nnp in true false; do
        seccomp_bundle "$(cat "$VOIDOCI_SRCDIR/tests/fixtures/seccomp-classic.json")" sh -c "$CLASSIC"
        set_nnp "$nnp"
        run vrun
        [ "$status" -eq 0 ]
        classic_ran "$output"
        rm -rf "$BUNDLE"
    done
}

@test "seccomp: a profile of classic syscalls only runs create + start, with noNewPrivileges true and false" {
    local nnp
    for nnp in true false; do
        seccomp_bundle "$(cat "$VOIDOCI_SRCDIR/tests/fixtures/seccomp-classic.json")" sh -c "$CLASSIC"
        set_nnp "$nnp"
        vcreate
        vstart
        wait_status stopped
        classic_ran "$(ctr_output; cat "$BATS_TEST_TMPDIR/$ID.err")"
        vo delete "$ID"
        rm -rf "$BUNDLE"
    done
}

@test "seccomp: a profile of classic syscalls only runs exec's process, with noNewPrivileges true and false" {
    local nnp
    for nnp in true false; do
        seccomp_bundle "$(cat "$VOIDOCI_SRCDIR/tests/fixtures/seccomp-classic.json")" sleep 1000
        set_nnp "$nnp"
        vcreate
        vstart
        wait_status running
        run vo exec "$ID" sh -c "$CLASSIC" </dev/null
        [ "$status" -eq 0 ]
        classic_ran "$output"
        vo delete --force "$ID"
        rm -rf "$BUNDLE"
    done
}

@test "seccomp: podman's profile refuses sethostname(2) with EPERM even with CAP_SYS_ADMIN" {
    local profile
    profile=$(cat "$VOIDOCI_SRCDIR/tests/fixtures/seccomp-podman-amd64.json")
    seccomp_bundle "$profile" sh -c 'hostname renamed && echo renamed; echo end'
    add_sys_admin
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"Operation not permitted"* ]]
    [[ $output != *renamed* ]]
    [[ $output == *end* ]]
}

@test "seccomp: with CAP_SYS_ADMIN and no filter the same sethostname works (the test can fail)" {
    make_bundle "$BUNDLE" sh -c 'hostname renamed && hostname; echo end'
    add_sys_admin
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *renamed* ]]
}

@test "seccomp: a user without capabilities still gets the filter when noNewPrivileges is false" {
    seccomp_bundle "$(rule SCMP_ACT_ERRNO '{"errnoRet": 18}')" sh -c "$MKDIR; id -u"
    set_nnp false
    bundle_jq "$BUNDLE" '.process.user.uid = 1000 | .process.user.gid = 1000 |
        .process.capabilities = {}'
    chmod 1777 "$BUNDLE/rootfs/tmp"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"Invalid cross-device link"* ]]
    [[ $output == *1000* ]]
}

@test "seccomp: create + start load the filter, with noNewPrivileges true and false" {
    local nnp
    for nnp in true false; do
        seccomp_bundle "$(rule SCMP_ACT_ERRNO '{"errnoRet": 18}')" sh -c "$MKDIR"
        set_nnp "$nnp"
        vcreate
        vstart
        wait_status stopped
        [[ $(ctr_output) == *"rc=1"* ]]
        grep -q 'Invalid cross-device link' "$BATS_TEST_TMPDIR/$ID.err"
        vo delete "$ID"
        rm -rf "$BUNDLE"
    done
}

# ---- SCMP_ACT_NOTIFY ---------------------------------------------------------

# start_listener: the test agent on $AGENT_SOCK, answering mkdir with EXDEV
# (18); its output in $AGENT_OUT, its pid in $AGENT_PID.
# start_listener [NAME]: an agent at $AGENT_SOCK (a new one replaces the
# path), printing to $BATS_TEST_TMPDIR/NAME.out (default agent.out).
start_listener() {
    AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock
    AGENT_OUT=$BATS_TEST_TMPDIR/${1:-agent}.out
    rm -f "$AGENT_SOCK"
    bg "$SECCOMP_LISTENER" "$AGENT_SOCK" 18 >"$AGENT_OUT"
    AGENT_PID=$BG_PID
    wait_for test -S "$AGENT_SOCK"
}

notify_filter() {
    jq -nc --arg p "$AGENT_SOCK" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p,
        listenerMetadata: "MKNOD=/dev/null;x=1",
        syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
}

# check_agent_state: the first line the agent printed is the container
# process state of this test's container.
check_agent_state() {
    local state bundle
    bundle=$(realpath "$BUNDLE")
    state=$(head -n 1 "$AGENT_OUT")
    echo "state: $state" >&2
    jq -e --arg id "$ID" --arg b "$bundle" '
        .ociVersion == "1.3.0" and .fds == ["seccompFd"] and (.pid | type) == "number" and
        .pid > 0 and .metadata == "MKNOD=/dev/null;x=1" and .state.id == $id and
        .state.status == "creating" and .state.pid == .pid and .state.bundle == $b and
        .state.ociVersion == "1.3.0"' <<<"$state"
}

@test "seccomp: SCMP_ACT_NOTIFY sends the state and fd to listenerPath; its answers reach the container" {
    local nnp
    for nnp in true false; do
        start_listener
        seccomp_bundle "$(notify_filter)" sh -c "$MKDIR; echo done"
        set_nnp "$nnp"
        run vrun
        [ "$status" -eq 0 ]
        [[ $output == *"Invalid cross-device link"* ]]
        [[ $output == *"rc=1"* ]]
        [[ $output == *done* ]]
        # The agent exits 0 once no process uses the filter.
        wait "$AGENT_PID"
        check_agent_state
        grep -Eq '^notified mkdir(at)? -> errno 18$' "$AGENT_OUT"
        rm -rf "$BUNDLE"
    done
}

@test "seccomp: SCMP_ACT_NOTIFY with create + start: the agent has the fd when create returns" {
    start_listener
    seccomp_bundle "$(notify_filter)" sh -c "$MKDIR"
    vcreate
    check_agent_state
    [ "$(head -n 1 "$AGENT_OUT" | jq .pid)" = "$(state_field pid)" ]
    vstart
    wait_status stopped
    [[ $(ctr_output) == *"rc=1"* ]]
    grep -q 'Invalid cross-device link' "$BATS_TEST_TMPDIR/$ID.err"
    wait "$AGENT_PID"
    vo delete "$ID"
}

@test "seccomp: SCMP_ACT_NOTIFY with exec: an agent gets the exec'd process's fd and the running state" {
    start_listener
    seccomp_bundle "$(notify_filter)" sleep 1000
    vcreate
    vstart
    wait_status running
    local init first=$AGENT_PID state
    init=$(state_field pid)
    # The first agent serves the init; a second one takes the exec's fd.
    start_listener exec-agent
    run vo exec "$ID" sh -c "$MKDIR" </dev/null
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"Invalid cross-device link"* ]]
    [[ $output == *"rc=1"* ]]
    wait "$AGENT_PID"
    state=$(head -n 1 "$AGENT_OUT")
    echo "state: $state"
    jq -e --arg id "$ID" --argjson init "$init" '.fds == ["seccompFd"] and .pid > 0 and
        .pid != $init and .state.id == $id and .state.status == "running" and
        .state.pid == $init' <<<"$state"
    grep -Eq '^notified mkdir(at)? -> errno 18$' "$AGENT_OUT"
    vo delete --force "$ID"
    wait "$first"
}

@test "seccomp: a listenerPath no one listens on fails create, leaving nothing" {
    seccomp_bundle "$(jq -nc --arg p "$BATS_TEST_TMPDIR/nobody.sock" '{defaultAction: "SCMP_ACT_ALLOW",
        listenerPath: $p, syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}')" sh -c 'echo ran > /ran'
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *"connect to seccomp listener \"$BATS_TEST_TMPDIR/nobody.sock\": No such file or directory"* ]]
    [ "$(printf '%s' "$stderr" | grep -c '')" -eq 1 ]
    [ ! -e "$BUNDLE/rootfs/ran" ]
    [ ! -e "$ROOT/$ID" ]
}

# ---- bad input -------------------------------------------------------------------

# bad_filter SECCOMP-JSON PATTERN: run fails with one line matching PATTERN
# and the container's program never ran.
bad_filter() {
    seccomp_bundle "$1" sh -c 'echo ran > /ran'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "$2"
    [ ! -e "$BUNDLE/rootfs/ran" ]
}

@test "seccomp: an unknown action is an error naming its path" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_MAYBE"}]}' \
        'config\.json: linux\.seccomp\.syscalls\[0\]\.action: unknown action "SCMP_ACT_MAYBE"$'
}

@test "seccomp: an unknown default action is an error naming its path" {
    bad_filter '{"defaultAction": "ALLOW"}' \
        'config\.json: linux\.seccomp\.defaultAction: unknown action "ALLOW"$'
}

@test "seccomp: an unknown operator is an error naming its path" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
        "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_SOMETIMES"}]}]}' \
        'config\.json: linux\.seccomp\.syscalls\[0\]\.args\[0\]\.op: unknown operator "SCMP_CMP_SOMETIMES"$'
}

@test "seccomp: an unknown architecture is an error naming its path" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]}' \
        'config\.json: linux\.seccomp\.architectures\[1\]: unknown architecture "SCMP_ARCH_Z80"$'
}

@test "seccomp: an unknown flag is an error naming its path" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"]}' \
        'config\.json: linux\.seccomp\.flags\[0\]: unknown flag "SECCOMP_FILTER_FLAG_FAST"$'
}

@test "seccomp: an argument index above 5 is an error naming its path" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
        "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' \
        'config\.json: linux\.seccomp\.syscalls\[0\]\.args\[0\]\.index: must be between 0 and 5'
}

@test "seccomp: wrong types are errors naming their path" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "mkdir", "action": "SCMP_ACT_ERRNO"}]}' \
        'config\.json: linux\.seccomp\.syscalls\[0\]\.names: expected an array$'
    rm -rf "$BUNDLE"
    bad_filter '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": "EPERM"}' \
        'config\.json: linux\.seccomp\.defaultErrnoRet: expected an integer$'
    rm -rf "$BUNDLE"
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
        "args": [{"index": 0, "value": "1", "op": "SCMP_CMP_EQ"}]}]}' \
        'config\.json: linux\.seccomp\.syscalls\[0\]\.args\[0\]\.value: expected an integer$'
    rm -rf "$BUNDLE"
    bad_filter '"SCMP_ACT_ALLOW"' 'config\.json: linux\.seccomp: expected an object$'
}

@test "seccomp: an errnoRet on an action without one is an error (runtime-spec)" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_KILL_PROCESS", "errnoRet": 1}]}' \
        'config\.json: linux\.seccomp\.syscalls\[0\]\.errnoRet: SCMP_ACT_KILL_PROCESS returns no errno$'
}

@test "seccomp: SCMP_ACT_NOTIFY without listenerPath is an error" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}' \
        'config\.json: linux\.seccomp\.syscalls\[0\]\.action: SCMP_ACT_NOTIFY needs linux\.seccomp\.listenerPath$'
}

@test "seccomp: a relative listenerPath is an error" {
    bad_filter '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "agent.sock", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}' \
        'config\.json: linux\.seccomp\.listenerPath: must be an absolute path$'
}

@test "seccomp: create with a bad filter fails and leaves no state directory" {
    seccomp_bundle '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]}' true
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_NOPE"'* ]]
    [ ! -e "$ROOT/$ID" ]
}
