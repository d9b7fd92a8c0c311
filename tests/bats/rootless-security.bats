#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What a rootless container must not get: a host file its user could not
# write, capabilities over the host (the initial user namespace), or a
# signal to another user's process through a state dir its user controls.
# The user is rootless.bash's: a fixed uid entered with setpriv.

load helpers
load rootless

setup() {
    rootless_setup
    OTHER_PID=
}

teardown() {
    if [ -n "$OTHER_PID" ]; then kill -KILL "$OTHER_PID" 2>/dev/null || true; fi
    rootless_teardown
}

# A process of another uid than the user's, the test's own, in $OTHER_PID:
# OWNER is a uid or "root".
start_other() {
    local owner=$1
    if [ "$owner" = root ]; then
        setsid sleep 1000 </dev/null >/dev/null 2>&1 &
    else
        setsid setpriv --reuid="$owner" --regid="$owner" --clear-groups sleep 1000 \
            </dev/null >/dev/null 2>&1 &
    fi
    OTHER_PID=$!
    wait_for test -r "/proc/$OTHER_PID/stat"
    # setsid may fork: the sleep is the pid whose command is sleep
    wait_for eval '[ "$(cat /proc/$OTHER_PID/comm)" = sleep ]'
}

# forge_init: the user rewrites its container's state.json so that its init
# is $OTHER_PID, start time and all (both are world-readable in /proc); the
# real init's pid goes to $REAL_INIT for the test to reap.
forge_init() {
    local state=$RL_XDG/voidoci/$ID/state.json start
    REAL_INIT=$(jq -r .pid "$state")
    start=$(cut -d' ' -f22 "/proc/$OTHER_PID/stat")
    jq --argjson pid "$OTHER_PID" --argjson st "$start" \
        '.pid = $pid | .startTime = $st' \
        "$state" >"$state.new"
    chown "$RL_UID:$RL_UID" "$state.new"
    as_user mv "$state.new" "$state"
}

@test "rootless security: a root-owned host file bound in read-write stays unwritable" {
    echo host >"$RL_DIR/root-file"
    mkdir "$RL_DIR/root-dir"
    chmod 0644 "$RL_DIR/root-file"
    chmod 0755 "$RL_DIR/root-dir"
    rl_jq --arg f "$RL_DIR/root-file" --arg d "$RL_DIR/root-dir" \
        '.mounts += [{destination: "/mnt/f", type: "bind", source: $f, options: ["rbind", "rw"]},
                     {destination: "/mnt/d", type: "bind", source: $d, options: ["rbind", "rw"]}]'
    rl_args sh -c 'id -u; stat -c "%u %a" /mnt/f
        echo pwned 2>/dev/null >/mnt/f && echo wrote-file
        touch /mnt/d/new 2>/dev/null && echo wrote-dir
        chmod 0666 /mnt/f 2>/dev/null && echo chmod-ok
        exit 0'
    run --separate-stderr -0 uvo run --bundle "$BUNDLE" "$ID"
    # uid 0 inside; the host's root is not mapped: the file is the overflow uid's
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = "$(cat /proc/sys/kernel/overflowuid) 644" ]
    [ "${#lines[@]}" -eq 2 ]
    [ "$(cat "$RL_DIR/root-file")" = host ]
    [ "$(stat -c %a "$RL_DIR/root-file")" = 644 ]
    [ -z "$(ls -A "$RL_DIR/root-dir")" ]
}

@test "rootless security: every capability inside, none over the host" {
    # All of them asked for, and /proc/sys left writable, so that only the
    # user namespace stands between the container and the host.
    rl_jq '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}
           | del(.linux.readonlyPaths) | del(.linux.maskedPaths)' \
        --argjson c "$("$VOIDOCI" features | jq -c .linux.capabilities)"
    rl_args sh -c 'grep CapEff /proc/self/status
        mknod /tmp/mem c 1 1 2>/dev/null && echo mknod-ok
        v=$(cat /proc/sys/vm/overcommit_memory); echo "$v" 2>/dev/null >/proc/sys/vm/overcommit_memory && echo sysctl-ok
        echo 1 2>/dev/null >/proc/sys/kernel/sysrq && echo sysrq-ok
        exit 0'
    run --separate-stderr -0 uvo run --bundle "$BUNDLE" "$ID"
    # the full set is held, in the container's own user namespace
    [[ "${lines[0]}" == CapEff:*0000* ]]
    [ "${lines[0]}" != "CapEff:	0000000000000000" ]
    # device nodes and the host's sysctls need the initial namespace's
    [ "${#lines[@]}" -eq 1 ]
    # and the init's user namespace is not the host's
    rl_args sh -c 'readlink /proc/self/ns/user'
    run --separate-stderr -0 uvo run --bundle "$BUNDLE" "$ID"
    [ "$output" != "$(readlink /proc/self/ns/user)" ]
}

@test "rootless security: delete --force by the user never signals another user's process" {
    # The kernel refuses the user that signal too; this keeps the runtime
    # from ever being what grants it.
    start_other $((RL_UID + 7))
    rl_args sleep 100
    ucreate
    forge_init
    run uvo delete --force "$ID"
    kill -0 "$OTHER_PID"
    [ "$(cat "/proc/$OTHER_PID/comm")" = sleep ]
    kill -KILL "$REAL_INIT"
}

@test "rootless security: root's delete --force in a user's state root never signals another's process" {
    # An administrator cleaning up a user's containers runs as root, on a
    # state dir the user could have rewritten.
    start_other root
    rl_args sleep 100
    ucreate
    forge_init
    run --separate-stderr -1 "$VOIDOCI" --root "$RL_XDG/voidoci" delete --force "$ID"
    assert_one_error_line "state directory .* belongs to uid $RL_UID, not to the caller \(uid 0\)"
    kill -0 "$OTHER_PID"
    [ "$(cat "/proc/$OTHER_PID/comm")" = sleep ]
    # the same for what else acts on it; state and ps only read
    local cmd
    for cmd in "kill $ID KILL" "kill --all $ID KILL" "pause $ID" "resume $ID" "start $ID" \
        "exec $ID true" "update --pids-limit 10 $ID"; do
        # shellcheck disable=SC2086
        run --separate-stderr "$VOIDOCI" --root "$RL_XDG/voidoci" $cmd
        [ "$status" -ne 0 ] # exec's own failures are 255, the others' 1
        assert_one_error_line "belongs to uid $RL_UID, not to the caller"
    done
    run -0 "$VOIDOCI" --root "$RL_XDG/voidoci" state "$ID"
    kill -0 "$OTHER_PID"
    # the user, who wrote it, deletes it: the kernel keeps it from root's sleep
    kill -KILL "$REAL_INIT"
    run uvo delete --force "$ID"
    kill -0 "$OTHER_PID"
}

@test "rootless security: a state whose init is not in a pid namespace of its own: its tree only" {
    # The user's own processes outside any container: one named as the
    # init, one beside it.  Taken at its word ("the init's pid namespace"),
    # the state would make every process of the host's pid namespace the
    # container's.
    start_other "$RL_UID"
    local bystander
    setsid setpriv --reuid="$RL_UID" --regid="$RL_UID" --clear-groups sleep 1000 \
        </dev/null >/dev/null 2>&1 &
    bystander=$!
    wait_for eval '[ "$(cat /proc/$bystander/comm)" = sleep ]'
    rl_args sleep 100
    ucreate
    forge_init
    run -0 uvo ps "$ID"
    [[ "$output" == *" $OTHER_PID "* ]]
    [[ "$output" != *" $bystander "* ]]
    kill -KILL "$REAL_INIT"
    run -0 uvo delete --force "$ID"
    local alive=0
    kill -0 "$bystander" && alive=1
    kill -KILL "$bystander"
    [ "$alive" = 1 ]
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
}
