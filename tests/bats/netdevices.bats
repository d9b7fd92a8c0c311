#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.netDevices: a host interface moved into the container's new network
# namespace, renamed, with its permanent address, and up; and every way
# the field can be refused.  The interfaces are made per test (a dummy, or
# a veth pair where the dummy driver is missing) and removed after.

load helpers

setup() {
    voidoci_setup
    LINK=vdt$RANDOM
    PEER=
}

teardown() {
    local l
    for l in "$LINK" ${PEER:+"$PEER"}; do
        ip link del "$l" 2>/dev/null
    done
    voidoci_teardown
}

# make_link: the host interface $LINK, a dummy if this kernel has the
# driver, else one end of a veth pair (the other, $PEER, stays here).
make_link() {
    if ip link add "$LINK" type dummy 2>/dev/null; then
        return 0
    fi
    PEER=${LINK}p
    if ip link add "$LINK" type veth peer name "$PEER" 2>/dev/null; then
        return 0
    fi
    PEER=
    skip "this kernel can make neither a dummy nor a veth interface"
}

link_gone() {
    ! ip link show "$1" >/dev/null 2>&1
}

@test "netdevices: the host interface is inside, renamed, with its address, up; gone from the host" {
    make_link
    ip addr add 10.199.7.1/24 dev "$LINK"
    make_bundle "$BUNDLE" sh -c 'cat /sys/class/net/ctr0/flags; ip -4 addr show ctr0 | grep -o "inet [0-9./]*"; ls /sys/class/net'
    bundle_jq "$BUNDLE" '.linux.netDevices = {($l): {"name": "ctr0"}}' --arg l "$LINK"
    run vrun
    [ "$status" -eq 0 ]
    [ $((lines[0] & 1)) -eq 1 ] # IFF_UP
    [ "${lines[1]}" = "inet 10.199.7.1/24" ]
    [ "$(echo ${lines[@]:2})" = "ctr0 lo" ]
    # A virtual device dies with the namespace (a physical one would come
    # back to the host): either way it is not left here under its name.
    wait_for link_gone "$LINK"
    [ -z "$PEER" ] || wait_for link_gone "$PEER"
}

@test "netdevices: without a name the interface keeps its host name" {
    make_link
    make_bundle "$BUNDLE" ls /sys/class/net
    bundle_jq "$BUNDLE" '.linux.netDevices = {($l): {}}' --arg l "$LINK"
    run vrun
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = "lo $LINK" ]
}

@test "netdevices: after create the interface is in the created container already" {
    make_link
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.netDevices = {($l): {"name": "eth7"}}' --arg l "$LINK"
    vcreate
    local pid
    pid=$(state_field pid)
    link_gone "$LINK"
    # (/sys would show the host's view: ask the namespace over netlink.)
    nsenter --net="/proc/$pid/ns/net" ip link show eth7
    vo delete --force "$ID"
    wait_for link_gone "$LINK"
}

@test "netdevices: two devices, both moved" {
    make_link
    local second=${LINK}b
    ip link add "$second" type veth peer name "${LINK}c" || skip "this kernel cannot make a veth pair"
    make_bundle "$BUNDLE" ls /sys/class/net
    bundle_jq "$BUNDLE" '.linux.netDevices = {($a): {"name": "one"}, ($b): {"name": "two"}}' \
        --arg a "$LINK" --arg b "$second"
    run vrun
    ip link del "$second" 2>/dev/null || true
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = "lo one two" ]
}

@test "netdevices: an interface the host lacks is refused, naming linux.netDevices.NAME" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.netDevices = {($l): {"name": "ctr0"}}' --arg l "$LINK"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "config\.json: linux\.netDevices\.$LINK: no interface \"$LINK\" in the runtime's network namespace: No such device$"
}

@test "netdevices: without a new network namespace it is refused and the interface stays" {
    make_link
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "network"))
        | .linux.netDevices = {($l): {}}' --arg l "$LINK"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.netDevices: needs a new network namespace'
    ip link show "$LINK" >/dev/null
}

@test "netdevices: a joined network namespace is refused too" {
    make_link
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
        | .linux.netDevices = {($l): {}}' --arg l "$LINK" --arg p "/proc/$$/ns/net"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.netDevices: needs a new network namespace'
}

@test "netdevices: a container that fails after the move leaves no interface or process" {
    make_link
    make_bundle "$BUNDLE" /no/such/program
    bundle_jq "$BUNDLE" '.linux.netDevices = {($l): {"name": "ctr0"}}' --arg l "$LINK"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    wait_for link_gone "$LINK"
    ! ip link show ctr0 2>/dev/null
}

@test "netdevices: bad linux.netDevices are refused with their JSON path" {
    make_bundle "$BUNDLE" true
    local -a cases=(
        '.linux.netDevices = ["eth0"]'
        'linux\.netDevices: expected an object$'
        '.linux.netDevices = {"eth0": "ctr0"}'
        'linux\.netDevices\.eth0: expected an object$'
        '.linux.netDevices = {"eth0": {"name": 5}}'
        'linux\.netDevices\.eth0\.name: expected a string$'
        '.linux.netDevices = {"eth0": {"name": "abcdefghijklmnop"}}'
        'linux\.netDevices\.eth0\.name: not an interface name .* "abcdefghijklmnop"$'
        '.linux.netDevices = {"abcdefghijklmnop": {}}'
        'linux\.netDevices\.abcdefghijklmnop: not an interface name .* "abcdefghijklmnop"$'
        '.linux.netDevices = {"eth0": {"name": "a/b"}}'
        'linux\.netDevices\.eth0\.name: not an interface name .* "a/b"$'
        '.linux.netDevices = {"eth0": {"name": ""}}'
        'linux\.netDevices\.eth0\.name: not an interface name .* ""$'
        '.linux.netDevices = {"eth0": {"name": ".."}}'
        'linux\.netDevices\.eth0\.name: not an interface name .* "\.\."$'
        '.linux.netDevices = {"eth 0": {}}'
        'linux\.netDevices\["eth 0"\]: not an interface name .* "eth 0"$'
        '.linux.netDevices = {"eth0": {"name": "x"}, "eth1": {"name": "x"}}'
        'linux\.netDevices\.eth1: two devices would have the name "x"$'
        '.linux.netDevices = {"eth0": {}, "eth1": {"name": "eth0"}}'
        'linux\.netDevices\.eth1: two devices would have the name "eth0"$'
    )
    # (Not `i`: bats' `run` uses that name.)
    local k
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
    for ((k = 0; k < ${#cases[@]}; k += 2)); do
        cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
        bundle_jq "$BUNDLE" "${cases[k]}"
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: ${cases[k + 1]}"
    done
}
