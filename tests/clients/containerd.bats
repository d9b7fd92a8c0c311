#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# containerd (ctr and the io.containerd.runc.v2 shim) driving $RUNTIME:
# run, exec, kill, pause and resume, ps, task delete.  See helpers.bash.

load helpers

setup_file() {
    require_root_and containerd ctr containerd-shim-runc-v2
    ctrd_setup_file
}

teardown_file() {
    ctrd_teardown_file
}

setup() {
    ctrd_setup
}

teardown() {
    show_last_output
    ctrd_teardown
}

# run_task_detached ARG...: `ctr run -d IMAGE $ID ARG...`, then wait until its
# task is RUNNING.
run_task_detached() {
    ctr_run -d "$IMAGE" "$ID" "$@" </dev/null >/dev/null || return 1
    wait_for eval '[ "$(ctr_task_status "$ID")" = RUNNING ]'
}

@test "ctr run --rm: the container's output and exit code" {
    run --separate-stderr ctr_run --rm "$IMAGE" "$ID" sh -c 'echo to-stdout; echo to-stderr >&2; exit 7'
    [ "$status" -eq 7 ]
    [ "$output" = to-stdout ]
    [ "$stderr" = to-stderr ]
    # --rm removed the container and its task
    ! ctr_cmd containers ls -q | grep -qFx "$ID"
}

@test "ctr run: the container reads ctr's stdin" {
    run ctr_run --rm "$IMAGE" "$ID" sh -c 'read -r line; echo "got: $line"' <<<hello
    [ "$status" -eq 0 ]
    [ "$output" = "got: hello" ]
}

@test "ctr run -t: the container's stdio is a pty and its controlling terminal" {
    local cmd
    printf -v cmd '%q ' ctr --address "$CTRD_DIR/c.sock" --namespace "$CTRD_NS" run --rm -t \
        --runc-binary "$RUNTIME" --runc-root "$CTRD_DIR/runtime-root" "$IMAGE" "$ID" \
        sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-ttys; cut -d" " -f7 /proc/self/stat'
    run ctr_tty "$cmd"
    [ "$status" -eq 0 ]
    output=$(strip_cr <<<"$output")
    [[ "$output" == *"/dev/pts/"* ]]
    [[ "$output" == *both-ttys* ]]
    [ "$(tail -n1 <<<"$output")" -ne 0 ]
}

@test "ctr tasks exec: a process in a running task's namespaces, with its user, cwd and exit code" {
    run_task_detached sh -c 'echo $$ > /tmp/init-pid; exec sleep 1000'
    run ctr_cmd tasks exec --exec-id e1 "$ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; readlink /proc/self/ns/pid'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "sleep 1000 " ]
    [ "${lines[1]}" = "$(readlink "/proc/$(ctr_task_pid "$ID")/ns/pid")" ]
    run ctr_cmd tasks exec --exec-id e2 --cwd /tmp --user 65534 "$ID" sh -c 'echo "$(id -u) $(pwd)"'
    [ "$status" -eq 0 ]
    [ "$output" = "65534 /tmp" ]
    run ctr_cmd tasks exec --exec-id e3 "$ID" sh -c 'exit 5'
    [ "$status" -eq 5 ]
}

@test "ctr tasks exec -t: the exec'd process gets a pty" {
    run_task_detached sleep 1000
    local cmd
    printf -v cmd '%q ' ctr --address "$CTRD_DIR/c.sock" --namespace "$CTRD_NS" tasks exec -t \
        --exec-id e1 "$ID" sh -c 'tty; [ -t 0 ] && echo is-a-tty'
    run ctr_tty "$cmd"
    [ "$status" -eq 0 ]
    [[ "$output" == *"/dev/pts/"* ]]
    [[ "$output" == *is-a-tty* ]]
}

@test "ctr tasks exec of a missing program fails with the runtime's error; the task runs on" {
    run_task_detached sleep 1000
    run ctr_cmd tasks exec --exec-id e1 "$ID" /no/such/program
    [ "$status" -ne 0 ]
    [[ "$output" == *"/no/such/program"* ]]
    [ "$(ctr_task_status "$ID")" = RUNNING ]
}

@test "ctr tasks ps: the runtime lists the task's processes" {
    run_task_detached sh -c 'sleep 1000 & exec sleep 1001'
    local pid
    pid=$(ctr_task_pid "$ID")
    run ctr_cmd tasks ps "$ID"
    [ "$status" -eq 0 ]
    # the init and its child, by host pid
    [[ "$output" == *"$pid"* ]]
    [ "$(grep -cE '^[0-9]+ ' <<<"$output")" -eq 2 ]
}

@test "ctr tasks kill -s: the signal reaches the init; kill of a stopped task fails" {
    run_task_detached sh -c 'trap "exit 3" USR1; while :; do sleep 0.1; done'
    ctr_cmd tasks kill -s SIGUSR1 "$ID"
    wait_for eval '[ "$(ctr_task_status "$ID")" = STOPPED ]'
    run ctr_cmd tasks delete "$ID"
    [ "$status" -eq 0 ]
    [[ "$output" == *"exit code 3"* ]]
    # SIGKILL to a running task
    ctr_cmd containers delete "$ID"
    run_task_detached sleep 1000
    ctr_cmd tasks kill -s SIGKILL "$ID"
    wait_for eval '[ "$(ctr_task_status "$ID")" = STOPPED ]'
    run ctr_cmd tasks kill -s SIGKILL "$ID"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not running"* ]] || [[ "$output" == *"not found"* ]] || [[ "$output" == *"process already finished"* ]]
}

@test "ctr tasks pause and resume: the task is frozen, then thaws" {
    run_task_detached sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done'
    local pid freezer
    pid=$(ctr_task_pid "$ID")
    freezer=$(proc_cgroup "$pid" freezer)
    ctr_cmd tasks pause "$ID"
    [ "$(ctr_task_status "$ID")" = PAUSED ]
    [ "$(cat "$freezer/freezer.state")" = FROZEN ]
    ctr_cmd tasks resume "$ID"
    [ "$(ctr_task_status "$ID")" = RUNNING ]
    [ "$(cat "$freezer/freezer.state")" = THAWED ]
}

@test "ctr tasks delete: a running task is refused, a stopped one goes with its cgroup" {
    run_task_detached sleep 1000
    local pid
    pid=$(ctr_task_pid "$ID")
    run ctr_cmd tasks delete "$ID"
    [ "$status" -ne 0 ]
    [ "$(ctr_task_status "$ID")" = RUNNING ]
    ctr_cmd tasks kill -s SIGKILL "$ID"
    wait_for eval '[ "$(ctr_task_status "$ID")" = STOPPED ]'
    run ctr_cmd tasks delete "$ID"
    [ "$status" -eq 0 ]
    [ -z "$(ctr_task_status "$ID")" ]
    ! kill -0 "$pid" 2>/dev/null
    [ -z "$(cgroup_dirs "$CTRD_NS/$ID")" ]
    ! runtime_lists --root "$CTRD_DIR/runtime-root/$CTRD_NS" "$ID"
    # a running task goes with --force
    ctr_cmd containers delete "$ID"
    run_task_detached sleep 1000
    run ctr_cmd tasks delete --force "$ID"
    [ "$status" -eq 0 ]
    [ -z "$(ctr_task_status "$ID")" ]
}

@test "ctr run of a missing program: ctr shows the runtime's own error" {
    run ctr_run --rm "$IMAGE" "$ID" /no/such/program
    [ "$status" -ne 0 ]
    [[ "$output" == *"OCI runtime create failed"* ]] || [[ "$output" == *"OCI runtime start failed"* ]]
    [[ "$output" == *"/no/such/program"* ]]
    [[ "$output" == *"no such file or directory"* ]] || [[ "$output" == *"executable file not found"* ]]
}

@test "ctr run with a broken config: ctr shows the runtime's own error" {
    # a namespace path that does not exist: neither ctr nor containerd opens it
    run ctr_run --rm --with-ns network:/no/such/netns "$IMAGE" "$ID" true
    [ "$status" -ne 0 ]
    [[ "$output" == *"OCI runtime create failed"* ]]
    [[ "$output" == *"/no/such/netns"* ]]
}
