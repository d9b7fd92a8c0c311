#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# config.json's hooks: prestart, createRuntime, createContainer,
# startContainer, poststart, poststop -- each at its moment of the
# lifecycle, in its namespaces, with the state on stdin, its own args, env
# and timeout; and the failures runtime.md says are fatal, fatal and
# cleaned up, the others only warnings.

load helpers

setup() {
    voidoci_setup
    # Every hook records what it saw in $HOOKLOG, inside the rootfs, so that
    # startContainer (which runs in the container, after the pivot) writes
    # to the same files as the hooks that run on the host.
    HOOKLOG=$BUNDLE/rootfs/hooklog
    HOST_HOOK=$BATS_TEST_TMPDIR/hooks/record.sh
}

teardown() {
    voidoci_teardown
}

HOOK_PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# make_hook_bundle COMMAND...: a bundle with a writable rootfs, and the two
# recording hooks: $HOST_HOOK (bash, on the host) and /hooklog/record.sh
# (busybox sh, inside the rootfs).  `record.sh NAME` saves its stdin as
# NAME.state, its args, environment, namespaces and working directory as
# NAME.args, NAME.env, NAME.ns and NAME.cwd, and appends NAME to `order`.
make_hook_bundle() {
    make_bundle "$BUNDLE" "$@"
    bundle_writable "$BUNDLE"
    mkdir -p "$HOOKLOG" "${HOST_HOOK%/*}"
    cat >"$HOST_HOOK" <<HOOK
#!/bin/bash
log=$HOOKLOG
HOOK
    cat >>"$HOST_HOOK" <<'HOOK'
name=$1
cat >"$log/$name.state"
printf '%s\n' "$@" >"$log/$name.args"
env >"$log/$name.env"
pwd -P >"$log/$name.cwd"
for ns in mnt uts pid net ipc; do
    echo "$ns $(readlink "/proc/self/ns/$ns")"
done >"$log/$name.ns"
echo "$name" >>"$log/order"
HOOK
    cat >"$HOOKLOG/record.sh" <<'HOOK'
#!/bin/sh
name=$1
cat >"/hooklog/$name.state"
for ns in mnt uts pid net ipc; do
    echo "$ns $(readlink "/proc/self/ns/$ns")"
done >"/hooklog/$name.ns"
echo "$name" >>/hooklog/order
HOOK
    chmod +x "$HOST_HOOK" "$HOOKLOG/record.sh"
}

# add_hook PHASE PATH ARGS-JSON [TIMEOUT]: append a hook to hooks.PHASE,
# with env PATH.
add_hook() {
    local timeout=${4:-null}
    bundle_jq "$BUNDLE" '.hooks[$phase] += [{path: $path, args: $args, env: [$env]}
        + (if $timeout == null then {} else {timeout: $timeout} end)]' \
        --arg phase "$1" --arg path "$2" --argjson args "$3" --arg env "$HOOK_PATH_ENV" \
        --argjson timeout "$timeout"
}

# add_record_hook PHASE [NAME]: a recording hook in hooks.PHASE that records
# as NAME (default PHASE).  startContainer's path is resolved in the
# container, the others' on the host.
add_record_hook() {
    local name=${2:-$1} path=$HOST_HOOK
    [ "$1" = startContainer ] && path=/hooklog/record.sh
    add_hook "$1" "$path" "$(json_array "$path" "$name")"
}

# add_failing_hook PHASE: a hook in hooks.PHASE that exits 1.
add_failing_hook() {
    add_hook "$1" /bin/sh '["sh", "-c", "cat >/dev/null; echo hook failing >&2; exit 1"]'
}

add_all_record_hooks() {
    local phase
    for phase in prestart createRuntime createContainer startContainer poststart poststop; do
        add_record_hook "$phase"
    done
}

# order: the hooks that ran, in order, on one line.
order() {
    cat "$HOOKLOG/order" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}

@test "hooks: order across create, start, kill and delete is prestart createRuntime createContainer startContainer poststart poststop" {
    make_hook_bundle sleep 100
    add_all_record_hooks
    vcreate
    [ "$(order)" = "prestart createRuntime createContainer" ]
    vstart
    # poststart runs before start returns.
    [ "$(order)" = "prestart createRuntime createContainer startContainer poststart" ]
    vo kill "$ID" KILL
    wait_status stopped
    [ "$(order)" = "prestart createRuntime createContainer startContainer poststart" ]
    vo delete "$ID"
    # poststop runs before delete returns.
    [ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
}

@test "hooks: each gets the state on stdin, status created, created, created, starting, running, stopped (as crun)" {
    make_hook_bundle sleep 100
    add_all_record_hooks
    local pid name want
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    vstart
    vo delete --force "$ID"
    for name in prestart:created createRuntime:created createContainer:created \
        startContainer:starting poststart:running poststop:stopped; do
        want=${name#*:}
        name=${name%:*}
        jq -e --arg id "$ID" --arg b "$BUNDLE" --arg s "$want" \
            '.id == $id and .bundle == $b and .status == $s and (.ociVersion | type == "string")' \
            "$HOOKLOG/$name.state" || {
            echo "hook $name got: $(cat "$HOOKLOG/$name.state")" >&2
            return 1
        }
        if [ "$name" != poststop ]; then
            jq -e --argjson pid "$pid" '.pid == $pid' "$HOOKLOG/$name.state" || {
                echo "hook $name got pid $(jq .pid "$HOOKLOG/$name.state"), want $pid" >&2
                return 1
            }
        fi
    done
}

@test "hooks: createContainer runs in the rootfs (as runc); prestart, createRuntime, poststart and poststop in the bundle" {
    make_hook_bundle sleep 100
    local phase
    for phase in prestart createRuntime createContainer poststart poststop; do
        add_record_hook "$phase"
    done
    local bundle
    bundle=$(realpath "$BUNDLE")
    # from elsewhere than the bundle, as containerd and podman call
    cd /
    vcreate
    vstart
    vo delete --force "$ID"
    [ "$(cat "$HOOKLOG/createContainer.cwd")" = "$bundle/rootfs" ]
    for phase in prestart createRuntime poststart poststop; do
        [ "$(cat "$HOOKLOG/$phase.cwd")" = "$bundle" ] || {
            echo "hook $phase ran in $(cat "$HOOKLOG/$phase.cwd")" >&2
            return 1
        }
    done
}

@test "hooks: createRuntime, poststart and poststop run in the runtime's namespaces; createContainer and startContainer in the container's" {
    make_hook_bundle sleep 100
    add_all_record_hooks
    local pid ns name want
    vcreate --pid-file "$BATS_TEST_TMPDIR/pid"
    pid=$(cat "$BATS_TEST_TMPDIR/pid")
    for ns in mnt uts pid net ipc; do
        echo "$ns $(readlink "/proc/$pid/ns/$ns")"
    done >"$BATS_TEST_TMPDIR/container.ns"
    for ns in mnt uts pid net ipc; do
        echo "$ns $(readlink "/proc/$$/ns/$ns")"
    done >"$BATS_TEST_TMPDIR/host.ns"
    vstart
    vo delete --force "$ID"
    for name in prestart:host createRuntime:host createContainer:container \
        startContainer:container poststart:host poststop:host; do
        want=${name#*:}
        name=${name%:*}
        diff -u "$BATS_TEST_TMPDIR/$want.ns" "$HOOKLOG/$name.ns" || {
            echo "hook $name did not run in the $want's namespaces" >&2
            return 1
        }
    done
}

@test "hooks: a hook gets its own args (args[0] is argv[0]) and env, not the runtime's" {
    make_hook_bundle sleep 100
    add_hook createRuntime "$HOST_HOOK" "$(json_array "$HOST_HOOK" createRuntime one "two words")"
    bundle_jq "$BUNDLE" '.hooks.createRuntime[0].env += ["HOOK_VAR=hello"]'
    # busybox runs the applet that argv[0] names: "sh", not "busybox".
    add_hook createRuntime /bin/busybox \
        "$(json_array sh -c 'cat >/dev/null; echo "$0" >"$1"' zero "$HOOKLOG/argv0")"
    vcreate
    [ "$(cat "$HOOKLOG/createRuntime.args")" = "$(printf '%s\n' createRuntime one "two words")" ]
    grep -qx 'HOOK_VAR=hello' "$HOOKLOG/createRuntime.env"
    grep -qx "$HOOK_PATH_ENV" "$HOOKLOG/createRuntime.env"
    run grep -q '^VOIDOCI_TEST_MARK=' "$HOOKLOG/createRuntime.env"
    [ "$status" -ne 0 ]
    [ "$(cat "$HOOKLOG/argv0")" = zero ]
    vo delete --force "$ID"
}

@test "hooks: a failing createRuntime hook fails create and leaves nothing behind" {
    make_hook_bundle sh -c 'touch /tmp/ran'
    add_record_hook createRuntime first
    add_failing_hook createRuntime
    add_record_hook createContainer
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *createRuntime* ]]
    [ "$(order)" = first ]
    [ ! -e "$ROOT/$ID" ]
    [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
    check_nothing_left_behind
}

@test "hooks: a failing createContainer hook fails create and leaves nothing behind" {
    make_hook_bundle sh -c 'touch /tmp/ran'
    add_record_hook createRuntime
    add_failing_hook createContainer
    add_record_hook startContainer
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *createContainer* ]]
    [ "$(order)" = createRuntime ]
    [ ! -e "$ROOT/$ID" ]
    [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
    check_nothing_left_behind
}

@test "hooks: a failing prestart hook fails create and leaves nothing behind" {
    make_hook_bundle sh -c 'touch /tmp/ran'
    add_failing_hook prestart
    add_record_hook createRuntime
    run_create
    [ "$status" -ne 0 ]
    [[ $stderr == *prestart* ]]
    [ -z "$(order)" ]
    [ ! -e "$ROOT/$ID" ]
    check_nothing_left_behind
}

@test "hooks: a createRuntime hook past its timeout (1 s, sleep 10) is killed and fails create" {
    make_hook_bundle true
    local mark=10.$RANDOM t0 t1
    add_hook createRuntime /bin/sleep "$(json_array sleep "$mark")" 1
    t0=$(date +%s%N)
    run_create
    t1=$(date +%s%N)
    [ "$status" -ne 0 ]
    [ $(((t1 - t0) / 1000000)) -lt 8000 ]
    [ ! -e "$ROOT/$ID" ]
    # The hook itself was killed, not left to sleep on.
    wait_for bash -c '! pgrep -f "^sleep $1\$" >/dev/null' _ "$mark"
    check_nothing_left_behind
}

@test "hooks: a failing startContainer hook fails start and the program never runs" {
    make_hook_bundle sh -c 'touch /tmp/ran; sleep 100'
    bundle_jq "$BUNDLE" '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "exit 1"]}]'
    add_record_hook poststop
    vcreate
    run --separate-stderr vo start "$ID"
    [ "$status" -ne 0 ]
    [[ $stderr == *startContainer* ]]
    sleep 0.3
    [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
    # runtime.md: the container is stopped, and the lifecycle goes on to delete.
    wait_status stopped
    vo delete "$ID"
    [ "$(order)" = poststop ]
}

@test "hooks: a failing poststart hook only warns: start exits 0, the container runs, the next poststart hook runs" {
    make_hook_bundle sleep 100
    add_failing_hook poststart
    add_record_hook poststart
    vcreate
    run --separate-stderr vo start "$ID"
    [ "$status" -eq 0 ]
    [ "$(order)" = poststart ]
    [ "$(state_field status)" = running ]
    vo delete --force "$ID"
}

@test "hooks: a failing poststop hook only warns: delete exits 0, removes the container, the next poststop hook runs" {
    make_hook_bundle true
    add_failing_hook poststop
    add_record_hook poststop
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo delete "$ID"
    [ "$status" -eq 0 ]
    [ "$(order)" = poststop ]
    [ ! -e "$ROOT/$ID" ]
    check_nothing_left_behind
}

@test "hooks: delete --force of a running container runs poststop with status stopped" {
    make_hook_bundle sleep 100
    add_record_hook poststop
    vcreate
    vstart
    vo delete --force "$ID"
    [ "$(order)" = poststop ]
    jq -e '.status == "stopped"' "$HOOKLOG/poststop.state"
}

@test "hooks: run (create, start, wait) runs every hook, in order" {
    make_hook_bundle true
    add_all_record_hooks
    run vrun
    [ "$status" -eq 0 ]
    [ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
    [ ! -e "$ROOT/$ID" ]
}

@test "hooks: without poststart or poststop hooks, start and delete do not read the config copy (state.json's configHooks says so)" {
    make_hook_bundle sleep 100
    add_record_hook prestart
    vcreate
    jq -e '.configHooks == ["prestart"]' "$ROOT/$ID/state.json"
    # Not JSON: reading it would fail start and make delete warn.
    echo '{' >"$ROOT/$ID/config.json"
    run --separate-stderr vo start "$ID"
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    run --separate-stderr vo delete --force "$ID"
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ ! -e "$ROOT/$ID" ]
}

@test "hooks: a state.json without configHooks (an older voidoci's) still runs poststart and poststop from the config copy" {
    make_hook_bundle sleep 100
    add_record_hook poststart
    add_record_hook poststop
    vcreate
    jq -e '.configHooks == ["poststart", "poststop"]' "$ROOT/$ID/state.json"
    jq -c 'del(.configHooks)' "$ROOT/$ID/state.json" >"$ROOT/$ID/state.json.new"
    mv "$ROOT/$ID/state.json.new" "$ROOT/$ID/state.json"
    vstart
    vo delete --force "$ID"
    [ "$(order)" = "poststart poststop" ]
}
