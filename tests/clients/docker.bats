#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Docker (docker.io 20.10: dockerd, its containerd and the
# io.containerd.runc.v2 shim) driving $RUNTIME as its default runtime:
# docker run with its options, exec, top, pause, update, stats, kill, stop,
# start, rm, restart policies and health checks.  One private dockerd for
# the file; see helpers.bash.

load helpers

IMG=vbusybox:latest

setup_file() {
    # bats 1.8 counts a skip in setup_file as a failure: without what the
    # tests need, each skips in setup(), saying why
    if [ "$(id -u)" != 0 ] || [ ! -x "$RUNTIME" ] || [ ! -x "$DOCKER" ] || [ ! -x "$DOCKERD" ]; then
        return 0
    fi
    docker_setup_file
}

teardown_file() {
    docker_teardown_file
}

setup() {
    docker_setup
}

teardown() {
    show_last_output
    docker_teardown
}

# run_detached ARG...: `docker run -d` ; sets $CTR to its ID.
run_detached() {
    CTR=$(drun -d "$@") || return 1
    [ -n "$CTR" ] || return 1
}

@test "docker run: the container's output and exit code, and the runtime is ours" {
    run --separate-stderr drun --rm "$IMG" sh -c 'echo to-stdout; echo to-stderr >&2; exit 7'
    [ "$status" -eq 7 ]
    [ "$output" = to-stdout ]
    [ "$stderr" = to-stderr ]
    run dk info --format '{{.DefaultRuntime}}'
    [ "$output" = "$DOCKER_RUNTIME" ]
}

@test "docker run: a missing program is exit 127, a non-executable one 126" {
    run -127 drun --rm "$IMG" /no/such/program
    [ "$status" -eq 127 ]
    [[ "$output" == *"no such file or directory"* ]]
    run -126 drun --rm "$IMG" /etc/passwd
    [ "$status" -eq 126 ]
}

@test "docker run -i: the container reads docker's stdin" {
    run drun --rm -i "$IMG" sh -c 'read -r line; echo "got: $line"; wc -l' <<<$'hello\nsecond\nthird'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "got: hello" ]
    [ "${lines[1]}" = 2 ]
}

@test "docker run -t: a pty, the controlling terminal, the client's size" {
    local cmd
    # the container waits for the size the client sends after the start
    printf -v cmd '%q ' "$DOCKER" -H "unix://$DOCKER_DIR/docker.sock" run --rm -t "$IMG" \
        sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-ttys; echo "tty_nr $(cut -d" " -f7 /proc/self/stat)"; i=0; while [ "$(stty size 2>/dev/null)" != "31 97" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; echo "size $(stty size)"'
    # script -c runs the line with $SHELL, which CI may leave unset (then
    # /bin/sh, dash): the line is on one line, and the shell is named
    SHELL=/bin/bash run timeout 60 script -qec "stty rows 31 cols 97; $cmd" /dev/null </dev/null
    [ "$status" -eq 0 ]
    output=$(strip_cr <<<"$output")
    [[ "$output" == *"/dev/pts/"* ]]
    [[ "$output" == *both-ttys* ]]
    [[ "$output" == *"size 31 97"* ]]
    # a controlling terminal: /proc/self/stat's tty_nr is not 0
    [ "$(sed -n 's/^tty_nr //p' <<<"$output")" -gt 0 ]
}

@test "docker run -e -w -u -h: environment, working directory, user, host name" {
    run drun --rm -e GREETING=hello -w /tmp -u 65534:65534 -h vthost "$IMG" \
        sh -c 'echo "$GREETING"; pwd; id -u; id -g; hostname; echo "$PATH"'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = hello ]
    [ "${lines[1]}" = /tmp ]
    [ "${lines[2]}" = 65534 ]
    [ "${lines[3]}" = 65534 ]
    [ "${lines[4]}" = vthost ]
    [ "${lines[5]}" = /usr/sbin:/usr/bin:/sbin:/bin ]
}

@test "docker run --read-only --tmpfs: the root is read-only, the tmpfs writable" {
    run drun --rm --read-only --tmpfs /tmp "$IMG" \
        sh -c 'touch /etc/x 2>&1; echo rc=$?; touch /tmp/y && echo tmp-ok; grep " /tmp " /proc/mounts'
    [ "$status" -eq 0 ]
    [[ "$output" == *"Read-only file system"* ]]
    [[ "$output" == *rc=1* ]]
    [[ "$output" == *tmp-ok* ]]
    [[ "$output" == *"tmpfs /tmp tmpfs rw"* ]]
}

@test "docker run --cap-drop ALL --cap-add: exactly the capabilities asked for; Docker's default set otherwise" {
    run drun --rm --cap-drop ALL "$IMG" grep -E '^Cap(Eff|Prm|Bnd):' /proc/self/status
    [ "$status" -eq 0 ]
    [ "$(grep -c '0000000000000000$' <<<"$output")" -eq 3 ]
    # CAP_CHOWN is bit 0, CAP_NET_ADMIN bit 12
    run drun --rm --cap-drop ALL --cap-add CHOWN --cap-add NET_ADMIN "$IMG" \
        awk '/^CapEff:/ { print $2 }' /proc/self/status
    [ "$status" -eq 0 ]
    [ "$output" = 0000000000001001 ]
    # Docker's default: chown dac_override fowner fsetid kill setgid setuid
    # setpcap net_bind_service net_raw sys_chroot mknod audit_write setfcap
    run drun --rm "$IMG" awk '/^CapEff:/ { print $2 }' /proc/self/status
    [ "$output" = 00000000a80425fb ]
}

@test "docker run: Docker's default seccomp profile is in force; --security-opt seccomp=unconfined lifts it" {
    run drun --rm "$IMG" sh -c 'grep ^Seccomp: /proc/self/status; unshare -U true 2>&1; echo rc=$?'
    [ "$status" -eq 0 ]
    [[ "$output" == *"Seccomp:"*2* ]]
    # unshare(CLONE_NEWUSER) is refused by the profile without CAP_SYS_ADMIN
    [[ "$output" == *"Operation not permitted"* ]]
    [[ "$output" != *rc=0* ]]
    run drun --rm --security-opt seccomp=unconfined "$IMG" grep ^Seccomp: /proc/self/status
    [[ "$output" == *"Seccomp:"*0 ]]
}

@test "docker run --memory --pids-limit --cpus: each limit is visible in the container's cgroups" {
    run drun --rm --memory 64m --pids-limit 50 --cpus 0.5 "$IMG" sh -c '
        cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
        cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 67108864 ]
    [ "${lines[1]}" = 50 ]
    [ "${lines[2]}" = 50000 ]
    [ "${lines[3]}" = 100000 ]
}

@test "docker run --ulimit nofile: the soft and hard limits" {
    run drun --rm --ulimit nofile=512:1024 "$IMG" sh -c 'ulimit -Sn; ulimit -Hn'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 512 ]
    [ "${lines[1]}" = 1024 ]
}

@test "docker run -v (rw and :ro) --tmpfs: bind mounts and a tmpfs" {
    local dir=$BATS_TEST_TMPDIR/vol
    mkdir -p "$dir"
    echo from-host >"$dir/in"
    run drun --rm -v "$dir:/data" -v "$dir:/data-ro:ro" --tmpfs /scratch:size=1m "$IMG" sh -c '
        cat /data/in; echo from-container >/data/out
        touch /data-ro/x 2>&1; echo rc=$?
        touch /scratch/y && echo scratch-ok; df -k /scratch | tail -n1'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = from-host ]
    [[ "$output" == *"Read-only file system"* ]]
    [[ "$output" == *rc=1* ]]
    [[ "$output" == *scratch-ok* ]]
    [[ "$output" == *" 1024 "* ]]
    [ "$(cat "$dir/out")" = from-container ]
}

@test "docker run --network none: only a loopback; --network host: the host's namespace" {
    run drun --rm --network none "$IMG" sh -c 'ls /sys/class/net; readlink /proc/self/ns/net'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = lo ]
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[1]}" != "$(readlink /proc/self/ns/net)" ]
    run drun --rm --network host "$IMG" readlink /proc/self/ns/net
    [ "$status" -eq 0 ]
    [ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "docker run --init: docker-init is pid 1; without it the program is pid 1" {
    run drun --rm --init "$IMG" sh -c 'cat /proc/1/comm; echo $$'
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == docker-init || "${lines[0]}" == tini* ]]
    [ "${lines[1]}" -ne 1 ]
    run drun --rm "$IMG" sh -c 'echo $$'
    [ "$status" -eq 0 ]
    [ "$output" = 1 ]
}

@test "docker run -d, then exec: exit code, -u, -w, -e, a missing program; only fds 0-2 in the init" {
    run_detached "$IMG" sleep 1000
    run dk exec "$CTR" sh -c 'exit 5'
    [ "$status" -eq 5 ]
    run dk exec -u 65534 -w /tmp -e FOO=bar "$CTR" sh -c 'echo "$(id -u) $(pwd) $FOO"; cat /proc/1/comm'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "65534 /tmp bar" ]
    [ "${lines[1]}" = sleep ]
    run dk exec -i "$CTR" sh -c 'read -r l; echo "got $l"' <<<piped
    [ "$output" = "got piped" ]
    run dk exec "$CTR" /no/such/program
    [ "$status" -eq 126 ]
    [[ "$output" == *"no such file or directory"* || "$output" == *"not found"* ]]
    # the container still runs, in the state of the runtime under test
    [ "$(dk_inspect '{{.State.Status}}' "$CTR")" = running ]
    run "$RUNTIME" --root "$(docker_runtime_root)" list -q
    [ "$output" = "$CTR" ]
    # no fd but 0-2 reached the container's init
    run ls "/proc/$(dk_inspect '{{.State.Pid}}' "$CTR")/fd"
    [ "$(tr '\n' ' ' <<<"$output")" = "0 1 2 " ]
}

@test "docker top, stats --no-stream: the container's processes and usage" {
    run_detached "$IMG" sleep 1000
    run dk top "$CTR"
    [ "$status" -eq 0 ]
    [[ "$output" == *"sleep 1000"* ]]
    [[ "$output" == *"$(dk_inspect '{{.State.Pid}}' "$CTR")"* ]]
    run dk stats --no-stream --format '{{.Container}} {{.MemUsage}} {{.PIDs}}' "$CTR"
    [ "$status" -eq 0 ]
    [[ "$output" == "$CTR "* ]]
    [[ "$output" != *" 0B / "* ]]
    [ "${output##* }" = 1 ]
}

@test "docker pause, unpause: the container is frozen, then runs again" {
    run_detached "$IMG" sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done'
    local pid
    pid=$(dk_inspect '{{.State.Pid}}' "$CTR")
    dk pause "$CTR"
    [ "$(dk_inspect '{{.State.Status}}' "$CTR")" = paused ]
    [ "$(cat "$(proc_cgroup "$pid" freezer)/freezer.state")" = FROZEN ]
    run dk exec "$CTR" true
    [ "$status" -ne 0 ]
    dk unpause "$CTR"
    [ "$(dk_inspect '{{.State.Status}}' "$CTR")" = running ]
    [ "$(cat "$(proc_cgroup "$pid" freezer)/freezer.state")" = THAWED ]
    run dk exec "$CTR" true
    [ "$status" -eq 0 ]
}

@test "docker update --memory: the new limit is visible inside" {
    run_detached --memory 64m "$IMG" sleep 1000
    dk update --memory 48m --memory-swap 96m "$CTR"
    run dk exec "$CTR" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$status" -eq 0 ]
    [ "$output" = 50331648 ]
}

@test "docker kill -s USR1: the program traps it; stop: TERM, a graceful exit; start again" {
    run_detached "$IMG" sh -c 'trap "echo got-usr1" USR1; trap "echo got-term; exit 3" TERM
        echo ready; while :; do sleep 0.1; done'
    wait_for eval 'dk logs "$CTR" 2>&1 | grep -q ready'
    dk kill -s USR1 "$CTR"
    wait_for eval 'dk logs "$CTR" 2>&1 | grep -q got-usr1'
    [ "$(dk_inspect '{{.State.Status}}' "$CTR")" = running ]
    local t0=$SECONDS
    dk stop -t 20 "$CTR"
    [ $((SECONDS - t0)) -lt 10 ]
    [ "$(dk_inspect '{{.State.ExitCode}}' "$CTR")" = 3 ]
    dk logs "$CTR" 2>&1 | grep -q got-term
    dk start "$CTR"
    [ "$(dk_inspect '{{.State.Status}}' "$CTR")" = running ]
    wait_for eval '[ "$(dk logs "$CTR" 2>&1 | grep -c ready)" -eq 2 ]'
}

@test "docker rm -f: a running container is killed and removed" {
    run_detached "$IMG" sleep 1000
    local pid
    pid=$(dk_inspect '{{.State.Pid}}' "$CTR")
    kill -0 "$pid"
    dk rm -f "$CTR"
    ! kill -0 "$pid" 2>/dev/null
    [ -z "$(dk ps -aq)" ]
}

@test "docker run --restart on-failure:2: restarted twice, then left exited" {
    run_detached --restart on-failure:2 "$IMG" sh -c 'echo run; exit 1'
    wait_for eval '[ "$(dk_inspect "{{.RestartCount}} {{.State.Status}}" "$CTR")" = "2 exited" ]'
    [ "$(dk logs "$CTR" 2>&1 | grep -c run)" -eq 3 ]
    [ "$(dk_inspect '{{.State.ExitCode}}' "$CTR")" = 1 ]
}

@test "docker run --health-cmd: Docker's exec probe makes the container healthy" {
    run_detached --health-cmd 'test -f /tmp/ready' --health-interval 200ms --health-retries 1 \
        "$IMG" sh -c 'sleep 0.3; touch /tmp/ready; exec sleep 1000'
    wait_for eval '[ "$(dk_inspect "{{.State.Health.Status}}" "$CTR")" = healthy ]'
    [ "$(dk_inspect '{{(index .State.Health.Log 0).ExitCode}}' "$CTR")" -le 1 ]
}
