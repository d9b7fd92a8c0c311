#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What the container cannot see of the host: its own pid, mount, network,
# ipc, uts and cgroup namespaces, as linux.namespaces asks.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    if [ -n "${QID-}" ]; then
        ipcrm -q "$QID"
    fi
    voidoci_teardown
}

ALL_NAMESPACES='[{"type":"mount"},{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"cgroup"}]'

@test "isolation: the container's process is PID 1 and sees only its own processes" {
    # `echo /proc/[0-9]*` is expanded by sh itself: no child exists yet.
    make_bundle "$BUNDLE" sh -c 'echo $$; echo /proc/[0-9]*; ps; true'
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = /proc/1 ]
    # ps: a header, sh (PID 1) and ps itself.
    [ "${#lines[@]}" -eq 5 ]
    [[ ${lines[3]} =~ ^[[:space:]]*1[[:space:]] ]]
}

@test "isolation: every namespace in linux.namespaces is new (mnt pid net ipc uts cgroup)" {
    make_bundle "$BUNDLE" sh -c 'for n in mnt pid net ipc uts cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
    bundle_jq "$BUNDLE" '.linux.namespaces = $ns' --argjson ns "$ALL_NAMESPACES"
    run vrun
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 6 ]
    local line ns inside
    for line in "${lines[@]}"; do
        ns=${line%% *}
        inside=${line#* }
        [[ $inside == "$ns:["* ]]
        if [ "$inside" = "$(host_ns "$ns")" ]; then
            echo "namespace $ns is the host's: $inside" >&2
            return 1
        fi
    done
}

@test "isolation: a namespace left out of linux.namespaces is the host's (network)" {
    make_bundle "$BUNDLE" readlink /proc/self/ns/net
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "network"))'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "$(host_ns net)" ]
}

@test "isolation: the container has its own hostname and the host's is unchanged" {
    local host_before name=void-$RANDOM
    host_before=$(hostname)
    make_bundle "$BUNDLE" hostname
    bundle_jq "$BUNDLE" '.hostname = $h' --arg h "$name"
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "$name" ]
    [ "$(hostname)" = "$host_before" ]
}

@test "isolation: the mount table holds only the root and the mounts config.json asks for" {
    make_bundle "$BUNDLE" sh -c 'while read -r id parent dev root mp rest; do echo "$mp"; done </proc/self/mountinfo'
    bundle_jq "$BUNDLE" '.mounts = [{"destination":"/proc","type":"proc","source":"proc"}]
        | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .root.readonly = false'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "/ /proc " ]
}

@test "isolation: no host mount point is visible inside with the default spec" {
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    run vrun
    [ "$status" -eq 0 ]
    local inside dests mp dest asked
    inside=$(awk '{ print $5 }' <<<"$output")
    [ -n "$inside" ]
    dests=$(jq -r '.mounts[].destination' "$BUNDLE/config.json")
    # Every host mount point other than "/" and those at or under a
    # destination config.json asks for must be absent inside.
    while read -r mp; do
        [ "$mp" = / ] && continue
        asked=false
        for dest in $dests; do
            if [ "$mp" = "$dest" ] || [[ $mp == "$dest"/* ]]; then
                asked=true
                break
            fi
        done
        $asked && continue
        if grep -qxF -- "$mp" <<<"$inside"; then
            echo "host mount point $mp is visible inside" >&2
            return 1
        fi
    done < <(awk '{ print $5 }' /proc/self/mountinfo)
    # And no mount point names the host's path to the bundle or to /work.
    if grep -F -e "$BATS_TEST_TMPDIR" -e /work <<<"$inside"; then
        echo "a host path is a mount point inside" >&2
        return 1
    fi
}

@test "isolation: a new network namespace has only the loopback interface" {
    make_bundle "$BUNDLE" cat /proc/net/dev
    run vrun
    [ "$status" -eq 0 ]
    # Two header lines, then one line per interface.
    [ "${#lines[@]}" -eq 3 ]
    [[ ${lines[2]} =~ ^[[:space:]]*lo: ]]
}

@test "isolation: the container's ipc namespace hides the host's System V message queues" {
    command -v ipcmk >/dev/null || skip "this machine lacks ipcmk (util-linux)"
    QID=$(ipcmk -Q | grep -oE '[0-9]+$')
    # The host sees its queue...
    awk -v q="$QID" '$2 == q { found = 1 } END { exit !found }' /proc/sysvipc/msg
    make_bundle "$BUNDLE" cat /proc/sysvipc/msg
    run vrun
    [ "$status" -eq 0 ]
    # ...the container sees only the header line.
    [ "${#lines[@]}" -eq 1 ]
}
