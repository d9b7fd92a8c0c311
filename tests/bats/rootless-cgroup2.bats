#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci run by an unprivileged user in a cgroup v2 subtree delegated to
# it.  Our machines are hybrid, so this skips there; tests/vm/cgroup2-vm.sh
# runs it in a cgroup v2 VM (tests/vm/bats-files).

load helpers
load rootless

setup() {
    rootless_setup
}

teardown() {
    rootless_teardown
}

@test "rootless: cgroup v2 subtree delegated to the user: limits, its cgroup2 mount, pause/resume, update, events, exec -d, kill --all" {
    [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
        skip "/sys/fs/cgroup is not a cgroup2-only mount: no subtree to delegate"
    delegate_subtree
    rl_jq '.linux.cgroupsPath = $p | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 30}}' \
        --arg p "/voidoci-rl-$ID/ctr"
    # The spec's own mounts: /sys bound from the host (the host's cgroup2
    # mount under it) and a cgroup mount on /sys/fs/cgroup in the
    # container's cgroup namespace.
    [ "$(jq -r '.mounts[] | select(.destination == "/sys/fs/cgroup") | .type' "$BUNDLE/config.json")" = cgroup ]
    jq -e '.linux.namespaces | any(.type == "cgroup")' "$BUNDLE/config.json" >/dev/null
    rl_args sleep 1000
    in_delegated ucreate
    local cg=$DELEGATED/ctr
    [ "$(cat "$cg/memory.max")" = 67108864 ]
    [ "$(cat "$cg/pids.max")" = 30 ]
    [ "$(stat -c %u "$cg")" = "$RL_UID" ]
    in_delegated uvo start "$ID"
    # Its own cgroup at the root of its /sys/fs/cgroup, not the host's tree
    # (whose root has no memory.max, and holds voidoci-rl-$ID).
    run -0 in_delegated uvo exec "$ID" sh -c \
        'cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; ls /sys/fs/cgroup'
    [ "${lines[0]}" = 0::/ ]
    [ "${lines[1]}" = 67108864 ]
    [ "${lines[2]}" = 30 ]
    [[ $output != *voidoci-rl-* ]]
    run -0 in_delegated uvo pause "$ID"
    [ "$(uvo state "$ID" | jq -r .status)" = paused ]
    grep -qx 'frozen 1' "$cg/cgroup.events"
    run -0 in_delegated uvo resume "$ID"
    [ "$(uvo state "$ID" | jq -r .status)" = running ]
    run -0 in_delegated uvo update --pids-limit 40 "$ID"
    [ "$(cat "$cg/pids.max")" = 40 ]
    run -0 in_delegated uvo events --stats "$ID"
    [ "$(jq -r .data.pids.limit <<<"$output")" = 40 ]
    # exec -d's process keeps the caller's stdio: files, not a pipe that
    # bats would read to its end (as create's, see ucreate).
    in_delegated uvo exec -d --pid-file "$RL_XDG/exec.pid" "$ID" sleep 1000 \
        </dev/null >"$RL_DIR/exec.out" 2>&1 3>&- || {
        cat "$RL_DIR/exec.out" >&2
        return 1
    }
    local init exec_pid
    init=$(uvo state "$ID" | jq -r .pid)
    exec_pid=$(cat "$RL_XDG/exec.pid")
    [ "$(sort -n "$cg/cgroup.procs")" = "$(printf '%s\n' "$init" "$exec_pid" | sort -n)" ]
    run -0 in_delegated uvo kill --all "$ID" KILL
    wait_for eval '[ "$(uvo state "$ID" | jq -r .status)" = stopped ]'
    wait_for eval '[ ! -e "/proc/$exec_pid" ] && [ -z "$(cat "$cg/cgroup.procs")" ]'
    run -0 in_delegated uvo delete "$ID"
    [ ! -d "$cg" ]
    rm "$RL_XDG/exec.pid"
    [ -z "$(ls -A "$RL_XDG/voidoci")" ]
    undelegate
}
