#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci kill: a signal by number or name (TERM by default) to the init, or
# with --all to every process of the container; a stopped container is an
# error that says "container not running", as containerd matches, except for
# --all, which signals what is left in its cgroup and succeeds, as runc does.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# A container whose init reports each signal it catches in /tmp/got.  sh is
# PID 1 of its pid namespace: without a trap it would ignore them all.
make_trap_bundle() {
    make_bundle "$BUNDLE" sh -c '
        for s in HUP INT USR1 USR2 TERM; do trap "echo $s >> /tmp/got" $s; done
        touch /tmp/ready
        while :; do sleep 0.1; done'
    bundle_writable "$BUNDLE"
}

# got: the signals the container reported, one per line.
got() {
    cat "$BUNDLE/rootfs/tmp/got" 2>/dev/null
}

# got_is LINES: what the container reported is exactly LINES.
got_is() {
    [ "$(got)" = "$1" ]
}

# got_count_is N: the container reported N signals.
got_count_is() {
    [ "$(got | wc -l)" -eq "$1" ]
}

# got_sorted_is WORDS: the reports, sorted, joined by spaces, are WORDS.
got_sorted_is() {
    [ "$(got | sort | tr '\n' ' ')" = "$1" ]
}

start_trap_container() {
    make_trap_bundle
    vcreate
    vstart
    wait_for test -e "$BUNDLE/rootfs/tmp/ready"
}

@test "kill: without a signal sends TERM" {
    start_trap_container
    vo kill "$ID"
    wait_for got_is TERM
    [ "$(state_field status)" = running ]
    vo delete --force "$ID"
}

@test "kill: the signal may be a number, a name or a SIG name (10, USR1, SIGUSR1)" {
    start_trap_container
    local sig n=0 want=""
    for sig in 10 USR1 SIGUSR1 12 USR2 SIGUSR2 1 HUP SIGHUP; do
        run --separate-stderr vo kill "$ID" "$sig"
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        n=$((n + 1))
        # One at a time: the same signal twice while pending would merge.
        wait_for got_count_is "$n"
    done
    want=$(printf '%s\n' USR1 USR1 USR1 USR2 USR2 USR2 HUP HUP HUP)
    [ "$(got)" = "$want" ]
    vo delete --force "$ID"
}

@test "kill: 9, KILL and SIGKILL each stop a running container" {
    make_bundle "$BUNDLE" sleep 100
    local sig
    for sig in 9 KILL SIGKILL; do
        vcreate
        vstart
        vo kill "$ID" "$sig"
        wait_status stopped
        vo delete "$ID"
    done
}

@test "kill: a created container can be killed, and is then stopped without having run" {
    make_bundle "$BUNDLE" sh -c 'touch /tmp/ran; sleep 100'
    bundle_writable "$BUNDLE"
    vcreate
    vo kill "$ID" KILL
    wait_status stopped
    [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
    vo delete "$ID"
}

@test "kill: a stopped container fails with exit 1: container not running" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo kill "$ID" 9
    [ "$status" -eq 1 ]
    [[ $stderr == *"container not running"* ]]
    [ -z "$output" ]
    run --separate-stderr vo kill "$ID"
    [ "$status" -eq 1 ]
    [[ $stderr == *"container not running"* ]]
    vo delete "$ID"
}

@test "kill: an unknown ID fails with exit 1: container \"ID\" does not exist" {
    run --separate-stderr vo kill "$ID" 9
    [ "$status" -eq 1 ]
    [[ $stderr == *"container \"$ID\" does not exist"* ]]
}

@test "kill: an unknown signal fails and leaves the container running" {
    start_trap_container
    run --separate-stderr vo kill "$ID" NOSUCHSIGNAL
    [ "$status" -ne 0 ]
    [[ $stderr == *NOSUCHSIGNAL* ]]
    run --separate-stderr vo kill "$ID" 12345
    [ "$status" -ne 0 ]
    [ "$(state_field status)" = running ]
    [ -z "$(got)" ]
    vo delete --force "$ID"
}

@test "kill --all: every process of the container gets the signal, not only the init" {
    make_bundle "$BUNDLE" sh -c '
        sh -c "trap \"echo child >> /tmp/got\" USR1; touch /tmp/child-ready; while :; do sleep 0.1; done" &
        trap "echo init >> /tmp/got" USR1
        touch /tmp/ready
        while :; do sleep 0.1; done'
    bundle_writable "$BUNDLE"
    vcreate
    vstart
    wait_for test -e "$BUNDLE/rootfs/tmp/ready"
    wait_for test -e "$BUNDLE/rootfs/tmp/child-ready"
    vo kill --all "$ID" USR1
    wait_for got_sorted_is "child init "
    vo delete --force "$ID"
}

@test "kill --all: KILL stops every process of a container without its own pid namespace" {
    # podman sends `kill --all ID 15` for such containers: killing the init
    # alone would leave the others running on the host.
    make_bundle "$BUNDLE" sh -c 'sleep 100 & sleep 100 & touch /tmp/ready; wait'
    bundle_writable "$BUNDLE"
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "pid"))'
    vcreate
    vstart
    wait_for test -e "$BUNDLE/rootfs/tmp/ready"
    [ "$(rootfs_pids | wc -l)" -eq 3 ]
    vo kill --all "$ID" KILL
    wait_for no_rootfs_pids
    wait_status stopped
    vo delete "$ID"
}

@test "kill --all: a stopped container succeeds, as containerd's shim expects while it cleans up" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr -0 vo kill --all "$ID" 9
    [ -z "$stderr" ]
    run --separate-stderr -0 vo kill -a "$ID" TERM
    # plain kill still says the container is not running
    run --separate-stderr -1 vo kill "$ID" 9
    [[ $stderr == *"container not running"* ]]
    [ "$(state_field status)" = stopped ]
    vo delete "$ID"
}

@test "kill --all: a stopped container's processes that outlived its init (no pid namespace) get the signal" {
    make_bundle "$BUNDLE" sh -c 'sleep 100 & touch /tmp/ready'
    bundle_writable "$BUNDLE"
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "pid"))'
    vcreate
    vstart
    wait_status stopped
    wait_for test -e "$BUNDLE/rootfs/tmp/ready"
    [ "$(rootfs_pids | wc -l)" -eq 1 ]
    vo kill --all "$ID" KILL
    wait_for no_rootfs_pids
    vo delete "$ID"
}
