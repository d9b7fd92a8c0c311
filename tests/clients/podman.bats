#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# podman (with conmon) driving $RUNTIME: what `podman run`, exec, pause,
# update, kill, stop and rm ask of a runtime.  See helpers.bash.

load helpers

setup_file() {
    require_root_and podman conmon
    podman_setup_file
}

teardown_file() {
    podman_teardown_file
}

setup() {
    podman_setup
}

teardown() {
    show_last_output
    podman_teardown
}

# run_detached ARG...: `podman run -d` of this test; sets $CTR to its ID.
run_detached() {
    CTR=$(prun -d "$@") || return 1
    [ -n "$CTR" ] || return 1
}

@test "podman run: the container's output and exit code" {
    run --separate-stderr prun --rm "$IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2; exit 7'
    [ "$status" -eq 7 ]
    [ "$output" = to-stdout ]
    [ "$stderr" = to-stderr ]
}

@test "podman run -i: the container reads podman's stdin" {
    run prun --rm -i "$IMAGE" sh -c 'read -r line; echo "got: $line"; wc -l' <<<$'hello\nsecond\nthird'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "got: hello" ]
    [ "${lines[1]}" = 2 ]
}

@test "podman run -t: the container's stdio is a pty and its controlling terminal" {
    run prun --rm -t "$IMAGE" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-ttys; cat /proc/self/stat | cut -d" " -f7'
    [ "$status" -eq 0 ]
    output=$(strip_cr <<<"$output")
    [[ "${lines[0]}" == /dev/pts/* ]] || [[ "$output" == /dev/pts/* ]]
    [[ "$output" == *both-ttys* ]]
    # field 7 of stat is tty_nr: non-zero when the process has a controlling terminal
    local tty_nr
    tty_nr=$(tail -n1 <<<"$output")
    [ "$tty_nr" -ne 0 ]
}

@test "podman run -e -w -u: environment, working directory and user" {
    run prun --rm -e GREETING=hello -w /tmp -u 65534:65534 "$IMAGE" \
        sh -c 'echo "$GREETING"; pwd; id -u; id -g; echo "$PATH"'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = hello ]
    [ "${lines[1]}" = /tmp ]
    [ "${lines[2]}" = 65534 ]
    [ "${lines[3]}" = 65534 ]
    [ "${lines[4]}" = /usr/sbin:/usr/bin:/sbin:/bin ]
}

@test "podman run --read-only: the root is read-only, /tmp still writable" {
    run prun --rm --read-only "$IMAGE" sh -c 'touch /etc/x 2>&1; echo rc=$?; touch /tmp/y && echo tmp-ok'
    [ "$status" -eq 0 ]
    [[ "$output" == *"Read-only file system"* ]]
    [[ "$output" == *rc=1* ]]
    [[ "$output" == *tmp-ok* ]]
}

@test "podman run --cap-drop --cap-add: the container holds exactly the capabilities asked for" {
    # CAP_CHOWN is bit 0, CAP_NET_RAW bit 13.
    run prun --rm --cap-drop all --cap-add NET_RAW "$IMAGE" sh -c 'grep -E "^Cap(Eff|Prm|Bnd):" /proc/self/status'
    [ "$status" -eq 0 ]
    [[ "$output" == *"CapEff:	0000000000002000"* ]]
    [[ "$output" == *"CapBnd:	0000000000002000"* ]]
    run prun --rm --cap-drop CHOWN "$IMAGE" sh -c 'touch /f; chown 1:1 /f 2>&1; echo rc=$?'
    [ "$status" -eq 0 ]
    [[ "$output" == *"Operation not permitted"* ]]
    [[ "$output" == *rc=1* ]]
    run prun --rm "$IMAGE" sh -c 'touch /f; chown 1:1 /f && echo chown-ok'
    [ "$output" = chown-ok ]
}

@test "podman run --privileged: all of our capabilities, host devices, and mount works" {
    run prun --rm --privileged "$IMAGE" sh -c 'grep "^CapEff:" /proc/self/status; ls /dev/loop-control /dev/vda 2>&1; mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted'
    [ "$status" -eq 0 ]
    [[ "$output" == *"CapEff:	$(my_caps_hex)"* ]]
    [[ "$output" == *mounted* ]]
    [[ "$output" == */dev/vda* ]]
    [[ "$output" != *"No such file"* ]]
}

@test "podman run --memory --pids-limit: the cgroup limits are set and enforced" {
    run_detached --memory 32m --memory-swap 32m --pids-limit 20 "$IMAGE" sleep 1000
    local pid mem pids
    pid=$(pm_pid "$CTR")
    mem=$(proc_cgroup "$pid" memory)
    pids=$(proc_cgroup "$pid" pids)
    [[ "$mem" == /sys/fs/cgroup/memory$CG/* ]]
    [ "$(cat "$mem/memory.limit_in_bytes")" -eq $((32 * 1024 * 1024)) ]
    [ "$(cat "$pids/pids.max")" -eq 20 ]
    # pids: forking past the limit fails inside the container
    run pm exec "$CTR" sh -c 'i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i + 1)); done 2>&1; echo end'
    [[ "$output" == *"can't fork"* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
    # memory: a process that grows past the limit is killed
    touch "$BATS_TEST_TMPDIR/before-oom"
    run prun --rm --memory 16m --memory-swap 16m "$IMAGE" sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
    [ "$status" -eq 137 ]
    [[ "$output" != *survived* ]]
    # conmon's "oom" file, made in its working directory, is not this
    # directory's (a run from the checkout would leave it there).
    [ ! "$PWD/oom" -nt "$BATS_TEST_TMPDIR/before-oom" ]
}

@test "podman run --network none: only a loopback; --network host: the host's namespace" {
    local host_net
    host_net=$(readlink /proc/self/ns/net)
    run prun --rm --network none "$IMAGE" sh -c 'readlink /proc/self/ns/net; ls /sys/class/net'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" != "$host_net" ]
    [ "${lines[1]}" = lo ]
    [ "${#lines[@]}" -eq 2 ]
    run prun --rm --network host "$IMAGE" sh -c 'readlink /proc/self/ns/net'
    [ "$status" -eq 0 ]
    [ "$output" = "$host_net" ]
}

@test "podman run -v --mount --tmpfs: bind mounts (rw and ro) and a tmpfs" {
    local dir=$BATS_TEST_TMPDIR/shared
    mkdir -p "$dir/ro"
    echo from-host >"$dir/in"
    echo ro-file >"$dir/ro/f"
    run prun --rm -v "$dir:/data" --mount "type=bind,src=$dir/ro,dst=/ro,ro" --tmpfs /scratch:size=1m "$IMAGE" \
        sh -c 'cat /data/in; echo from-container >/data/out; cat /ro/f; touch /ro/g 2>&1; grep " /scratch " /proc/mounts'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = from-host ]
    [ "$(cat "$dir/out")" = from-container ]
    [ "${lines[1]}" = ro-file ]
    [[ "${lines[2]}" == *"Read-only file system"* ]]
    [[ "${lines[3]}" == "tmpfs /scratch tmpfs "*size=1024k* ]]
    [ ! -e "$dir/ro/g" ]
}

@test "podman run: its own pid namespace (sh is pid 1); --pid host shares the host's" {
    local host_pidns
    host_pidns=$(readlink /proc/self/ns/pid)
    run prun --rm "$IMAGE" sh -c 'echo $$; readlink /proc/self/ns/pid; ls -d /proc/[0-9]* | wc -l'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" != "$host_pidns" ]
    [ "${lines[2]}" -le 3 ]
    run prun --rm --pid host "$IMAGE" readlink /proc/self/ns/pid
    [ "$status" -eq 0 ]
    [ "$output" = "$host_pidns" ]
}

@test "podman run --uidmap --gidmap: a user namespace; root inside is uid 100000 outside" {
    run_detached --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMAGE" \
        sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /mine; sleep 1000'
    local pid
    pid=$(pm_pid "$CTR")
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = 100000 ]
    [ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = 100000 ]
    [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
    wait_for eval 'pm logs "$CTR" | grep -qx 0'
    run pm logs "$CTR"
    [[ "${lines[0]}" =~ ^\ +0\ +100000\ +65536$ ]]
    [[ "${lines[1]}" =~ ^\ +0\ +100000\ +65536$ ]]
    [ "${lines[2]}" = 0 ]
}

@test "podman run --device: the device node is there and usable" {
    run prun --rm --device /dev/zero:/dev/vzero "$IMAGE" sh -c 'ls -l /dev/vzero; head -c 4 /dev/vzero | od -An -tx1'
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == c*" 1,"*" 5 "*/dev/vzero ]]
    [ "$(echo ${lines[1]})" = "00 00 00 00" ]
    # and without --device the default devices are there, others are not
    run prun --rm "$IMAGE" sh -c 'for d in null zero full random urandom tty ptmx; do [ -c /dev/$d ] || echo missing $d; done; head -c 1 /dev/vda 2>&1; echo; ls /dev/fd/ >/dev/null && echo fd-ok'
    [[ "$output" != *missing* ]]
    [[ "$output" == *fd-ok* ]]
    [[ "$output" == *"No such file or directory"* ]]
}

@test "podman run -d, then ps, logs and exec" {
    run_detached "$IMAGE" sh -c 'echo started; exec sleep 1000'
    run pm ps --no-trunc --format '{{.ID}} {{.Status}}'
    [[ "$output" == *"$CTR Up"* ]]
    wait_for eval 'pm logs "$CTR" | grep -qx started'
    # plain exec: it runs in the container's pid namespace
    run pm exec "$CTR" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
    [ "$status" -eq 0 ]
    [ "$output" = "sleep 1000 " ]
    # exec with an environment variable and a user
    run pm exec -e XVAR=xval -u 65534 -w /tmp "$CTR" sh -c 'echo "$XVAR $(id -u) $(pwd)"'
    [ "$status" -eq 0 ]
    [ "$output" = "xval 65534 /tmp" ]
    # exec's exit code
    run pm exec "$CTR" sh -c 'exit 3'
    [ "$status" -eq 3 ]
}

@test "podman exec -t: the exec'd process gets a pty" {
    run_detached "$IMAGE" sleep 1000
    run pm exec -t "$CTR" sh -c 'tty; [ -t 0 ] && echo is-a-tty'
    [ "$status" -eq 0 ]
    output=$(strip_cr <<<"$output")
    [[ "$output" == /dev/pts/* ]]
    [[ "$output" == *is-a-tty* ]]
}

@test "podman exec of a missing binary exits 127" {
    run_detached "$IMAGE" sleep 1000
    run -127 pm exec "$CTR" /no/such/binary
    [[ "$output" == *"/no/such/binary"* ]]
    # and the container goes on running
    [ "$(pm_status "$CTR")" = running ]
}

@test "podman pause and unpause: the container is frozen, then thaws" {
    run_detached "$IMAGE" sh -c 'i=0; while :; do i=$((i + 1)); echo $i; sleep 0.1; done'
    local pid freezer n1 n2
    pid=$(pm_pid "$CTR")
    freezer=$(proc_cgroup "$pid" freezer)
    pm pause "$CTR"
    [ "$(pm_status "$CTR")" = paused ]
    [ "$(cat "$freezer/freezer.state")" = FROZEN ]
    # while frozen it prints nothing more
    n1=$(pm logs "$CTR" | wc -l)
    sleep 0.5
    n2=$(pm logs "$CTR" | wc -l)
    [ "$n1" -eq "$n2" ]
    pm unpause "$CTR"
    [ "$(pm_status "$CTR")" = running ]
    [ "$(cat "$freezer/freezer.state")" = THAWED ]
    wait_for eval '[ "$(pm logs "$CTR" | wc -l)" -gt "$n2" ]'
}

@test "podman update --memory: the new limit reaches the cgroup" {
    run_detached --memory 64m "$IMAGE" sleep 1000
    local mem
    mem=$(proc_cgroup "$(pm_pid "$CTR")" memory)
    [ "$(cat "$mem/memory.limit_in_bytes")" -eq $((64 * 1024 * 1024)) ]
    run pm update --memory 128m "$CTR"
    [ "$status" -eq 0 ]
    [ "$(cat "$mem/memory.limit_in_bytes")" -eq $((128 * 1024 * 1024)) ]
}

@test "podman kill -s USR1: the signal reaches the container's init" {
    run_detached "$IMAGE" sh -c 'trap "echo got-usr1; exit 3" USR1; echo ready; while :; do sleep 0.1; done'
    wait_for eval 'pm logs "$CTR" | grep -qx ready'
    pm kill -s USR1 "$CTR"
    run pm wait "$CTR"
    [ "$output" = 3 ]
    run pm logs "$CTR"
    [[ "$output" == *got-usr1* ]]
}

@test "podman stop: SIGTERM to the init, then the container has exited" {
    run_detached "$IMAGE" sh -c 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
    wait_for eval 'pm logs "$CTR" | grep -qx ready'
    local pid
    pid=$(pm_pid "$CTR")
    run pm stop -t 20 "$CTR"
    [ "$status" -eq 0 ]
    [ "$(pm_status "$CTR")" = exited ]
    [ "$(pm inspect --format '{{.State.ExitCode}}' "$CTR")" = 0 ]
    run pm logs "$CTR"
    [[ "$output" == *got-term* ]]
    ! kill -0 "$pid" 2>/dev/null
    # and a container that ignores SIGTERM is killed after the timeout
    run_detached "$IMAGE" sleep 1000
    run pm stop -t 1 "$CTR"
    [ "$status" -eq 0 ]
    [ "$(pm inspect --format '{{.State.ExitCode}}' "$CTR")" = 137 ]
}

@test "podman rm -f of a running container: its processes and its cgroup go" {
    run_detached "$IMAGE" sh -c 'sleep 1000 & sleep 1000'
    local pid id=$CTR
    pid=$(pm_pid "$CTR")
    kill -0 "$pid"
    run pm rm -f -t 0 "$CTR"
    [ "$status" -eq 0 ]
    wait_for eval "! kill -0 $pid 2>/dev/null"
    run pm ps -aq --no-trunc
    [[ "$output" != *"$id"* ]]
    [ -z "$(cgroup_pids "$CG")" ]
    ! runtime_lists "$id"
    [ -z "$(find /sys/fs/cgroup/memory"$CG" -name "libpod-$id" 2>/dev/null)" ]
}

@test "podman passes --log-format=json to a runtime named in runtime_supports_json, and not to others" {
    local bin=$BATS_TEST_TMPDIR/bin name=${RUNTIME##*/}
    mkdir -p "$bin/json" "$bin/plain"
    # the same runtime, under its own name (listed) and under another (not)
    for d in json/"$name" plain/other-runtime; do
        printf '#!/bin/sh\necho "$*" >>%s/calls\nexec %s "$@"\n' "$bin" "$RUNTIME" >"$bin/$d"
        chmod +x "$bin/$d"
    done
    RUNTIME=$bin/json/$name run prun --rm "$IMAGE" echo via-listed-name
    [ "$status" -eq 0 ]
    [ "$output" = via-listed-name ]
    grep -q -- '^--log-format=json --log .* create ' "$bin/calls"
    : >"$bin/calls"
    RUNTIME=$bin/plain/other-runtime run prun --rm "$IMAGE" echo via-other-name
    [ "$status" -eq 0 ]
    [ "$output" = via-other-name ]
    grep -q '^create ' "$bin/calls"
    ! grep -q -- '--log-format' "$bin/calls"
}

@test "podman shows the runtime's own error for a failing create, with and without --log-format=json" {
    local bin=$BATS_TEST_TMPDIR/bin
    mkdir -p "$bin"
    printf '#!/bin/sh\nexec %s "$@"\n' "$RUNTIME" >"$bin/other-runtime"
    chmod +x "$bin/other-runtime"
    # a missing program: exit 127, and the runtime's message names it
    run -127 prun --rm "$IMAGE" /no/such/program
    [[ "$output" == *"/no/such/program"* ]]
    [[ "$output" == *"no such file or directory"* ]] || [[ "$output" == *"executable file not found"* ]]
    RUNTIME=$bin/other-runtime run -127 prun --rm "$IMAGE" /no/such/program
    [[ "$output" == *"/no/such/program"* ]]
    # a sysctl the kernel does not have: only the runtime finds out
    run ! prun --rm --sysctl net.ipv4.no_such_sysctl=1 "$IMAGE" true
    [[ "$output" == *no_such_sysctl* ]]
    RUNTIME=$bin/other-runtime run ! prun --rm --sysctl net.ipv4.no_such_sysctl=1 "$IMAGE" true
    [[ "$output" == *no_such_sysctl* ]]
}
