#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The configs real clients write (tests/configs/, see its README.md): each
# captured config.json runs through create, start, exec with the client's
# own captured process.json, state, kill and delete.  Only the placeholders
# are filled in (the rootfs, IDs, the capture's temporary paths, namespace
# paths) and process.args replaced by a busybox command: every other field
# is what podman, containerd, Docker or containerd's CRI sent.

load helpers

CONFIGS_DIR=$TESTS_DIR/configs

setup() {
    voidoci_setup
    if [ -z "${CONSOLE_RECEIVER-}" ]; then
        CONSOLE_RECEIVER=$VOIDOCI_SRCDIR/build/tests/console_receiver
    fi
    FILES=$BATS_TEST_TMPDIR/files
    CG=$ID-cg
}

teardown() {
    _remove_cgroup_parent
    voidoci_teardown
}

# The parent cgroups the configs name (@CGPARENT@ and below): empty once
# the containers are deleted; the runtime leaves parents, as runc does.
_remove_cgroup_parent() {
    local d
    for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do
        [ -d "$d" ] || continue
        find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    return 0
}

# fill FILE [SED-EXPRESSION...]: FILE with its placeholders filled in:
# @TMPFILE@ and @TMP@ -> $FILES, @ID@ -> $ID, @SHORTID@ -> its first 12
# characters, @CGPARENT@ -> $CG, @DOCKERD@ (the path of Docker's
# libnetwork-setkey prestart hook: dockerd itself) -> /bin/true, and the
# expressions given.
fill() {
    local file=$1
    shift
    local -a exprs=()
    local e
    for e; do
        exprs+=(-e "$e")
    done
    sed -e "s|@TMPFILE@|$FILES|g" -e "s|@TMP@|$FILES|g" -e "s|@SHORTID@|${ID:0:12}|g" \
        -e "s|@ID@|$ID|g" -e "s|@CGPARENT@|$CG|g" -e "s|@DOCKERD@|/bin/true|g" \
        ${exprs[@]+"${exprs[@]}"} "$file"
}

# field_bundle DIR NAME [SED-EXPRESSION...] -- ARG...: a bundle at DIR from
# tests/configs/NAME.config.json: a copy of the busybox rootfs (owned by the
# mapped root if the config maps users, as podman chowns its image), the
# config filled in (see fill), root.path "rootfs", process.args ARG...  The
# bind mounts' sources are made under $FILES: a file for @TMPFILE@, a
# directory for @TMP@.
field_bundle() {
    local dir=$1 name=$2 src
    shift 2
    local -a exprs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        exprs+=("$1")
        shift
    done
    shift
    make_bundle "$dir" || return 1
    fill "$CONFIGS_DIR/$name.config.json" ${exprs[@]+"${exprs[@]}"} >"$dir/config.json" || return 1
    bundle_jq "$dir" '.root.path = "rootfs" | .process.args = $args' --argjson args "$(json_array "$@")"
    # each bind source, with ".file" after those that are files
    jq -r '.mounts[] | select(.type == "bind") | .source
        | if startswith("@TMPFILE@") then . + ".file" else . end' "$CONFIGS_DIR/$name.config.json" |
        fill - ${exprs[@]+"${exprs[@]}"} |
        while IFS= read -r src; do
            case $src in
            "$FILES"/*.file)
                src=${src%.file}
                mkdir -p "$(dirname "$src")"
                echo "from $name" >"$src"
                ;;
            "$FILES"/*) mkdir -p "$src" ;;
            esac
        done
    # Root here may lack CAP_SYS_RESOURCE: then no process may lower its
    # oom_score_adj (the pause container asks for -998), runc's neither.
    local adj
    adj=$(jq -r '.process.oomScoreAdj // empty' "$dir/config.json")
    if [ -n "$adj" ] && ! sh -c "echo $adj >/proc/self/oom_score_adj" 2>/dev/null; then
        echo "# this machine cannot lower oom_score_adj to $adj (no CAP_SYS_RESOURCE):" \
            "the test asks for $(cat /proc/self/oom_score_adj)" >&3
        bundle_jq "$dir" '.process.oomScoreAdj = $a' --argjson a "$(cat /proc/self/oom_score_adj)"
    fi
    local host_root
    host_root=$(jq -r '[.linux.uidMappings[]? | select(.containerID == 0) | .hostID][0] // empty' \
        "$dir/config.json")
    if [ -n "$host_root" ]; then
        chown -R "$host_root:$host_root" "$dir/rootfs"
        # the mapped root must get through the test's own directories (mode
        # 0700) to its rootfs and bind sources, as podman makes them
        local d
        for d in "$dir" "$FILES"; do
            while d=${d%/*}; [ "${#d}" -ge "${#BATS_RUN_TMPDIR}" ]; do
                chmod o+x "$d"
            done
        done
    fi
}

# field_process NAME ARG...: tests/configs/NAME.process.json filled in, with
# process.args ARG..., in $BATS_TEST_TMPDIR/NAME.process.json (printed).
field_process() {
    local name=$1 out=$BATS_TEST_TMPDIR/$1.process.json
    shift
    fill "$CONFIGS_DIR/$name.process.json" |
        jq '.args = $args' --argjson args "$(json_array "$@")" >"$out" || return 1
    echo "$out"
}

# The container's program: says "ready" and sleeps, ignoring SIGHUP (a tty
# config's console receiver closes the master once it has read "ready").
INIT=(sh -c 'trap "" HUP; echo ready; exec sleep 1000')

# lifecycle NAME EXEC-NAME: lifecycle_until_exec NAME, then
# lifecycle_from_exec EXEC-NAME.
lifecycle() {
    lifecycle_until_exec "$1"
    lifecycle_from_exec "$2"
}

# lifecycle_until_exec NAME [--id ID] [--bundle DIR]: create (with a console
# socket if the config asks for a terminal), state created with a pid,
# start, "ready" from the container, state running.  ID defaults to $ID,
# DIR to $BUNDLE.
lifecycle_until_exec() {
    local id=$ID bundle=$BUNDLE tty receiver
    shift
    [ "${1-}" != --id ] || { id=$2; shift 2; }
    [ "${1-}" != --bundle ] || { bundle=$2; shift 2; }
    tty=$(jq -r '.process.terminal // false' "$bundle/config.json")
    if [ "$tty" = true ]; then
        [ -x "$CONSOLE_RECEIVER" ] || skip "no console receiver at $CONSOLE_RECEIVER: ninja -C build"
        bg "$CONSOLE_RECEIVER" "$BATS_TEST_TMPDIR/$id.sock" --expect ready \
            >"$BATS_TEST_TMPDIR/$id.receiver" 2>&1
        receiver=$BG_PID
        wait_for test -S "$BATS_TEST_TMPDIR/$id.sock"
        BUNDLE=$bundle vcreate --id "$id" --console-socket "$BATS_TEST_TMPDIR/$id.sock"
    else
        BUNDLE=$bundle vcreate --id "$id"
    fi
    [ "$(state_field status "$id")" = created ]
    [ "$(state_field pid "$id")" -gt 0 ]
    vstart "$id"
    if [ "$tty" = true ]; then
        wait "$receiver" || {
            echo "console receiver: $(cat "$BATS_TEST_TMPDIR/$id.receiver")" >&2
            return 1
        }
    else
        wait_for eval "ctr_output $id | grep -qx ready"
    fi
    [ "$(state_field status "$id")" = running ]
}

# lifecycle_from_exec EXEC-NAME [--id ID]: exec with EXEC-NAME.process.json
# (args: print "exec-ok UID"; over a console socket if it asks for a
# terminal), still running, kill 9, state stopped, delete, state gone.
lifecycle_from_exec() {
    local exec_name=$1 id=$ID proc exec_receiver
    shift
    [ "${1-}" != --id ] || { id=$2; shift 2; }
    # SIGHUP ignored: a tty exec's receiver closes the master as soon as it
    # has read "exec-ok", which can hang up the shell before it exits (129).
    proc=$(field_process "$exec_name" sh -c 'trap "" HUP; echo "exec-ok $(id -u)"')
    if [ "$(jq -r '.terminal // false' "$proc")" = true ]; then
        [ -x "$CONSOLE_RECEIVER" ] || skip "no console receiver at $CONSOLE_RECEIVER: ninja -C build"
        bg "$CONSOLE_RECEIVER" "$BATS_TEST_TMPDIR/$id.exec.sock" --expect exec-ok \
            >"$BATS_TEST_TMPDIR/$id.exec.receiver" 2>&1
        exec_receiver=$BG_PID
        wait_for test -S "$BATS_TEST_TMPDIR/$id.exec.sock"
        run vo exec --process "$proc" --console-socket "$BATS_TEST_TMPDIR/$id.exec.sock" "$id"
        [ "$status" -eq 0 ] || { echo "exec (status $status): $output" >&2; return 1; }
        wait "$exec_receiver" || {
            echo "exec's console receiver: $(cat "$BATS_TEST_TMPDIR/$id.exec.receiver")" >&2
            return 1
        }
    else
        run vo exec --process "$proc" "$id"
        [ "$status" -eq 0 ]
        [ "$output" = "exec-ok $(jq -r '.user.uid // 0' "$proc")" ]
    fi
    [ "$(state_field status "$id")" = running ]

    run vo kill "$id" 9
    [ "$status" -eq 0 ]
    wait_status stopped "$id"
    run vo delete "$id"
    [ "$status" -eq 0 ]
    run vo state "$id"
    [ "$status" -ne 0 ]
    [[ "$output" == *"does not exist"* ]]
}

# ---- podman 4.3 ---------------------------------------------------------------

@test "field config podman-plain: create, start, exec (podman exec's process), kill, delete" {
    field_bundle "$BUNDLE" podman-plain -- "${INIT[@]}"
    lifecycle podman-plain podman-exec
}

@test "field config podman-tty (run -t; exec -t)" {
    field_bundle "$BUNDLE" podman-tty -- "${INIT[@]}"
    lifecycle podman-tty podman-exec-tty
}

@test "field config podman-limits (--memory --pids-limit --cpus): the limits reach the cgroup" {
    field_bundle "$BUNDLE" podman-limits -- "${INIT[@]}"
    lifecycle_until_exec podman-limits
    [ "$(cat /sys/fs/cgroup/memory/"$CG"/libpod-"$ID"/memory.limit_in_bytes)" -eq $((64 << 20)) ]
    [ "$(cat /sys/fs/cgroup/pids/"$CG"/libpod-"$ID"/pids.max)" -eq 50 ]
    [ "$(cat /sys/fs/cgroup/cpu/"$CG"/libpod-"$ID"/cpu.cfs_quota_us)" -eq 50000 ]
    lifecycle_from_exec podman-exec
}

@test "field config podman-cap-add (--cap-add NET_ADMIN,SYS_PTRACE)" {
    field_bundle "$BUNDLE" podman-cap-add -- "${INIT[@]}"
    lifecycle podman-cap-add podman-exec
}

@test "field config podman-bind (-v DIR:/data, -v DIR:/data-ro:ro)" {
    field_bundle "$BUNDLE" podman-bind -- "${INIT[@]}"
    lifecycle podman-bind podman-exec
}

@test "field config podman-read-only (--read-only)" {
    field_bundle "$BUNDLE" podman-read-only -- "${INIT[@]}"
    lifecycle podman-read-only podman-exec
}

@test "field config podman-uidmap (--uidmap 0:100000:65536)" {
    field_bundle "$BUNDLE" podman-uidmap -- "${INIT[@]}"
    lifecycle podman-uidmap podman-exec
}

# ---- containerd 1.6 (ctr) ------------------------------------------------------

@test "field config ctr-plain: create, start, exec (ctr task exec's process), kill, delete" {
    field_bundle "$BUNDLE" ctr-plain -- "${INIT[@]}"
    lifecycle ctr-plain ctr-exec
}

@test "field config ctr-tty (run -t; task exec -t)" {
    field_bundle "$BUNDLE" ctr-tty -- "${INIT[@]}"
    lifecycle ctr-tty ctr-exec-tty
}

@test "field config ctr-seccomp (run --seccomp: containerd's default profile)" {
    field_bundle "$BUNDLE" ctr-seccomp -- "${INIT[@]}"
    lifecycle ctr-seccomp ctr-exec
}

# ---- Docker 20.10 ---------------------------------------------------------------

# Every Docker config carries "blockIO": {"weight": 0} and "cpu": {"shares": 0},
# which runc reads as unset (issue 14 item 2): this host has no BFQ, so a
# weight written would fail create.

@test "field config docker-plain: create, start, exec (docker exec's process), kill, delete" {
    field_bundle "$BUNDLE" docker-plain -- "${INIT[@]}"
    lifecycle docker-plain docker-exec
}

@test "field config docker-memory (--memory 64m)" {
    field_bundle "$BUNDLE" docker-memory -- "${INIT[@]}"
    lifecycle_until_exec docker-memory
    [ "$(cat /sys/fs/cgroup/memory/"$CG"/"$ID"/memory.limit_in_bytes)" -eq $((64 << 20)) ]
    lifecycle_from_exec docker-exec
}

@test "field config docker-tty (run -t; exec -t)" {
    field_bundle "$BUNDLE" docker-tty -- "${INIT[@]}"
    lifecycle docker-tty docker-exec-tty
}

@test "field config docker-cap-drop-all (--cap-drop ALL)" {
    field_bundle "$BUNDLE" docker-cap-drop-all -- "${INIT[@]}"
    lifecycle docker-cap-drop-all docker-exec
}

@test "field config docker-read-only (--read-only --tmpfs /run --tmpfs /tmp)" {
    field_bundle "$BUNDLE" docker-read-only -- "${INIT[@]}"
    lifecycle docker-read-only docker-exec
}

# ---- a Kubernetes pod, as containerd 1.6's CRI writes it ----------------------------

# netns_holder: a process of ours in a network namespace of its own, as CNI
# would make the pod's; sets $NETNS_HOLDER.
netns_holder() {
    bg unshare --net sleep 1000
    NETNS_HOLDER=$BG_PID
    wait_for _own_netns "$NETNS_HOLDER"
}

_own_netns() {
    [ "$(readlink "/proc/$1/ns/net")" != "$(host_ns net)" ]
}

# pod_sandbox: a network namespace as CNI would make it (held by a process
# of ours), then the pause container in it, created and started; sets
# $SANDBOX_PID.
pod_sandbox() {
    netns_holder
    field_bundle "$BUNDLE" pod-sandbox "s|@NETNS@|/proc/$NETNS_HOLDER/ns/net|g" -- "${INIT[@]}"
    vcreate
    vstart
    wait_for eval "ctr_output | grep -qx ready"
    SANDBOX_PID=$(state_field pid)
    [ "$(readlink "/proc/$SANDBOX_PID/ns/net")" = "$(readlink "/proc/$NETNS_HOLDER/ns/net")" ]
}

# pod_app NAME: the app container NAME (pod-app or pod-app-shared-pid) of
# the sandbox, in $BATS_TEST_TMPDIR/app, as $ID-app.
pod_app() {
    APP_BUNDLE=$BATS_TEST_TMPDIR/app
    field_bundle "$APP_BUNDLE" "$1" "s|@SANDBOX_PID@|$SANDBOX_PID|g" "s|@SANDBOX_ID@|$ID|g" \
        -- "${INIT[@]}"
    # the app's own ID in its cgroup path (the sandbox's is $ID)
    bundle_jq "$APP_BUNDLE" '.linux.cgroupsPath |= sub("/[^/]*$"; "/" + $id)' --arg id "$ID-app"
}

@test "field config pod-sandbox: the pause container runs through create, start, exec, kill, delete" {
    netns_holder
    field_bundle "$BUNDLE" pod-sandbox "s|@NETNS@|/proc/$NETNS_HOLDER/ns/net|g" -- "${INIT[@]}"
    lifecycle pod-sandbox pod-exec
}

@test "field config pod-app: joins the sandbox's net, ipc, uts; kill and delete leave the sandbox running" {
    pod_sandbox
    pod_app pod-app
    lifecycle_until_exec pod-app --id "$ID-app" --bundle "$APP_BUNDLE"
    local app_pid ns
    app_pid=$(state_field pid "$ID-app")
    for ns in net ipc uts; do
        [ "$(readlink "/proc/$app_pid/ns/$ns")" = "$(readlink "/proc/$SANDBOX_PID/ns/$ns")" ]
    done
    [ "$(readlink "/proc/$app_pid/ns/pid")" != "$(readlink "/proc/$SANDBOX_PID/ns/pid")" ]
    lifecycle_from_exec pod-exec --id "$ID-app"
    [ "$(state_field status)" = running ]
    run vo kill "$ID" 9
    [ "$status" -eq 0 ]
    wait_status stopped
    vo delete "$ID"
}

@test "field config pod-app-shared-pid (shareProcessNamespace): the sandbox's processes are the app's" {
    pod_sandbox
    pod_app pod-app-shared-pid
    lifecycle_until_exec pod-app-shared-pid --id "$ID-app" --bundle "$APP_BUNDLE"
    local app_pid
    app_pid=$(state_field pid "$ID-app")
    [ "$(readlink "/proc/$app_pid/ns/pid")" = "$(readlink "/proc/$SANDBOX_PID/ns/pid")" ]
    # the app sees the sandbox's sleep (pid 1 of the shared namespace)
    run vo exec --process "$(field_process pod-exec cat /proc/1/cmdline)" "$ID-app"
    [ "$status" -eq 0 ]
    [[ "$output" == sleep* ]]
    lifecycle_from_exec pod-exec --id "$ID-app"
    [ "$(state_field status)" = running ]
    run vo kill "$ID" 9
    [ "$status" -eq 0 ]
    wait_status stopped
    vo delete "$ID"
}
