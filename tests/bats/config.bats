#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# config.json fields that add kernel state back to the void, checked from
# inside the container: linux.devices, process.oomScoreAdj, linux.sysctl,
# the loopback interface of a new network namespace, domainname,
# linux.maskedPaths and linux.readonlyPaths (on directories), and an
# absolute root.path.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# ---- linux.devices ----------------------------------------------------------

@test "config: linux.devices creates the node with its type, numbers, mode and owner" {
    make_bundle "$BUNDLE" stat -c '%n %F %t:%T %a %u:%g' /dev/mynull /dev/myurandom /srv/fifo
    bundle_jq "$BUNDLE" '.linux.devices = [
        {"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 384,
         "uid": 1000, "gid": 1001},
        {"path": "/dev/myurandom", "type": "u", "major": 1, "minor": 9},
        {"path": "/srv/fifo", "type": "p", "fileMode": 416}]'
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "/dev/mynull character special file 1:3 600 1000:1001" ]
    # Without fileMode and uid/gid: runc's 0666, owned by root.
    [ "${lines[1]}" = "/dev/myurandom character special file 1:9 666 0:0" ]
    [ "${lines[2]}" = "/srv/fifo fifo 0:0 640 0:0" ]
}

@test "config: a device node already there (a bind mount over it) is left as it is, not chowned" {
    # rootless podman binds the host's /dev/null and others as mounts; the
    # node they bring belongs to the host: its owner stays (as runc).
    local node=$BATS_TEST_TMPDIR/mynull
    mknod -m 0644 "$node" c 1 3
    make_bundle "$BUNDLE" stat -c '%t:%T %u:%g' /dev/mynull
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/dev/mynull",
            "type": "bind", "source": $n, "options": ["bind"]}]
        | .linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
            "uid": 1000, "gid": 1001}]' --arg n "$node"
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "1:3 0:0" ]
    [ "$(stat -c '%u:%g' "$node")" = 0:0 ]
}

@test "config: a device listed in linux.devices works inside (reads from /dev/myzero)" {
    make_bundle "$BUNDLE" sh -c 'head -c 4 /dev/myzero | od -An -tx1'
    bundle_jq "$BUNDLE" '.linux.devices = [{"path": "/dev/myzero", "type": "c", "major": 1, "minor": 5}]'
    run vrun
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = "00 00 00 00" ]
}

@test "config: a bad linux.devices type is refused with its JSON path" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.devices = [{"path": "/dev/x", "type": "x", "major": 1, "minor": 3}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.devices\[0\]\.type: unknown device type "x"$'
}

@test "config: a linux.devices entry without major is refused with its JSON path" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.devices = [{"path": "/dev/x", "type": "b", "minor": 3}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.devices\[0\]\.major: is required$'
}

# In a user namespace mknod is refused: the host's node at the same path is
# bound instead, but only when it is the device that config.json names.  (An
# identity map, so that the bundle in the tests' 0700 directory stays
# reachable; mknod is refused all the same.)
USERNS='.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]'

@test "config: in a user namespace a listed device is the host's node, bound" {
    make_bundle "$BUNDLE" stat -c '%n %t:%T' /dev/zero
    bundle_jq "$BUNDLE" "$USERNS"' | .linux.devices = [{"path": "/dev/zero", "type": "c", "major": 1, "minor": 5}]'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "/dev/zero 1:5" ]
}

@test "config: in a user namespace a host node that is another device is not bound" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" "$USERNS"' | .linux.devices = [{"path": "/dev/zero", "type": "c", "major": 1, "minor": 3}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'bind host device "/dev/zero": it is not device c 1:3: No such device$'
}

# ---- process.oomScoreAdj ----------------------------------------------------

@test "config: process.oomScoreAdj is the container process's oom_score_adj" {
    # Raising needs no privilege; lowering needs CAP_SYS_RESOURCE, which
    # this machine's root may lack, so only a raise is tested here.
    make_bundle "$BUNDLE" cat /proc/self/oom_score_adj
    bundle_jq "$BUNDLE" '.process.oomScoreAdj = 500'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = 500 ]
}

# ---- linux.sysctl -----------------------------------------------------------

@test "config: linux.sysctl net.ipv4.ip_forward is set inside and the host's is unchanged" {
    local before
    before=$(cat /proc/sys/net/ipv4/ip_forward)
    make_bundle "$BUNDLE" cat /proc/sys/net/ipv4/ip_forward
    bundle_jq "$BUNDLE" '.linux.sysctl = {"net.ipv4.ip_forward": $v}' \
        --arg v "$((1 - before))"
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "$((1 - before))" ]
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
}

@test "config: linux.sysctl kernel.shmmax is set in the new ipc namespace only" {
    local before
    before=$(cat /proc/sys/kernel/shmmax)
    make_bundle "$BUNDLE" cat /proc/sys/kernel/shmmax
    bundle_jq "$BUNDLE" '.linux.sysctl = {"kernel.shmmax": "123456789"}'
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = 123456789 ]
    [ "$(cat /proc/sys/kernel/shmmax)" = "$before" ]
}

@test "config: linux.sysctl net.* without a network namespace is refused, naming the key" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "network"))
        | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.sysctl\["net\.ipv4\.ip_forward"\]: needs the container.s own network namespace$'
}

@test "config: a linux.sysctl that is not namespaced is refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.sysctl = {"vm.swappiness": "10"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: linux\.sysctl\["vm\.swappiness"\]: not namespaced: would change the host$'
}

@test "config: an unknown namespaced linux.sysctl fails at the write, naming the file" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.linux.sysctl = {"net.ipv4.nonexistent": "1"}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'sysctl "net\.ipv4\.nonexistent": open "/proc/sys/net/ipv4/nonexistent": No such file or directory$'
}

# ---- loopback -----------------------------------------------------------------

@test "config: lo is up in a new network namespace" {
    make_bundle "$BUNDLE" sh -c 'cat /sys/class/net/lo/operstate; ip link show lo'
    run vrun
    [ "$status" -eq 0 ]
    # "unknown" is what an up loopback reports ("down" when it is not).
    [ "${lines[0]}" = unknown ]
    [[ ${lines[1]} == *"<LOOPBACK,UP,LOWER_UP>"* ]]
}

@test "config: 127.0.0.1 carries traffic in a new network namespace" {
    # The listener's stdin is a fifo held open until what it received is in
    # the file: busybox nc quits when its stdin ends, which raced the data
    # (seen in CI: status 0 and nothing printed).  The client retries until
    # the listener is up.
    make_bundle "$BUNDLE" sh -c 'cd /dev/shm && mkfifo in
        nc -l -p 5555 <in >got & exec 3>in
        for i in $(seq 100); do echo through-lo | nc 127.0.0.1 5555 2>/dev/null && break; sleep 0.1; done
        for i in $(seq 100); do [ -s got ] && break; sleep 0.1; done
        exec 3>&-; wait; cat got'
    run --separate-stderr vrun
    echo "status $status, stdout: $output, stderr: $stderr" >&2
    [ "$status" -eq 0 ]
    [ "$output" = through-lo ]
}

# ---- domainname, maskedPaths, readonlyPaths -------------------------------

@test "config: domainname is the container's NIS domain name, and the host's is unchanged" {
    local before
    before=$(cat /proc/sys/kernel/domainname)
    make_bundle "$BUNDLE" cat /proc/sys/kernel/domainname
    bundle_jq "$BUNDLE" '.domainname = "void.example"'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "$output" = void.example ]
    [ "$(cat /proc/sys/kernel/domainname)" = "$before" ]
}

@test "config: domainname without the container's own uts namespace is refused" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" 'del(.hostname) | .domainname = "void.example"
        | .linux.namespaces |= map(select(.type != "uts"))'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'domainname: needs its own uts namespace$'
}

@test "config: a directory in linux.maskedPaths is an empty read-only tmpfs; its files are hidden" {
    make_bundle "$BUNDLE" sh -c 'ls -A /srv/secret; grep " /srv/secret " /proc/self/mounts; touch /srv/secret/x || echo refused'
    mkdir -p "$BUNDLE/rootfs/srv/secret"
    echo hidden >"$BUNDLE/rootfs/srv/secret/file"
    bundle_jq "$BUNDLE" '.linux.maskedPaths += ["/srv/secret"]'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    echo "$output"
    [ "${#lines[@]}" -eq 2 ]
    [[ ${lines[0]} == "tmpfs /srv/secret tmpfs ro,"* ]]
    [ "${lines[1]}" = refused ]
    [ -e "$BUNDLE/rootfs/srv/secret/file" ]
}

@test "config: linux.readonlyPaths makes that path read-only and leaves the rest of the root writable" {
    make_bundle "$BUNDLE" sh -c 'touch /srv/ro/x || echo refused; touch /srv/rw/y && echo written; grep " /srv/ro " /proc/self/mounts'
    bundle_writable "$BUNDLE"
    mkdir -p "$BUNDLE/rootfs/srv/ro" "$BUNDLE/rootfs/srv/rw"
    bundle_jq "$BUNDLE" '.linux.readonlyPaths += ["/srv/ro"]'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    echo "$output"
    [ "${lines[0]}" = refused ]
    [ "${lines[1]}" = written ]
    [[ ${lines[2]} == *" /srv/ro "*" ro,"* ]]
    [ ! -e "$BUNDLE/rootfs/srv/ro/x" ]
    [ -e "$BUNDLE/rootfs/srv/rw/y" ]
}

@test "config: an absolute root.path is used as is, wherever the bundle is" {
    make_bundle "$BUNDLE" cat /etc/where
    mv "$BUNDLE/rootfs" "$BATS_TEST_TMPDIR/elsewhere"
    echo elsewhere >"$BATS_TEST_TMPDIR/elsewhere/etc/where"
    bundle_jq "$BUNDLE" '.root.path = $p' --arg p "$BATS_TEST_TMPDIR/elsewhere"
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "$output" = elsewhere ]
}
