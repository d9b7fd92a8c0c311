#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Bind sources are opened on the host side, before the container's user
# namespace exists: a source its root could not reach by path is bound all
# the same, and the path is looked up once, by the runtime.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# A bundle whose root is uid 100000 on the host, able to reach its rootfs.
userns_bundle() {
    make_bundle "$BUNDLE" "$@"
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    chown -R 100000:100000 "$BUNDLE/rootfs"
    local d=$BUNDLE
    while d=${d%/*}; [ "${#d}" -ge "${#BATS_RUN_TMPDIR}" ]; do
        chmod o+x "$d"
    done
}

@test "mount-sources: in a user namespace a bind source under a host directory of mode 700 is bound" {
    userns_bundle sh -c 'cat /data/file; ls /data; cat /one
        touch /data/new 2>/dev/null || echo read-only; ls /proc/self/fd | tr "\n" " "'
    local secret=$BATS_TEST_TMPDIR/secret
    mkdir -p "$secret/data"
    chmod 700 "$secret"
    echo inside >"$secret/data/file"
    echo a file >"$secret/one"
    bundle_jq "$BUNDLE" '.mounts += [
        {"destination": "/data", "type": "bind", "source": $d, "options": ["rbind", "ro"]},
        {"destination": "/one", "type": "bind", "source": $f, "options": ["bind"]}]' \
        --arg d "$secret/data" --arg f "$secret/one"
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = inside ]
    [ "${lines[1]}" = file ]
    [ "${lines[2]}" = "a file" ]
    [ "${lines[3]}" = read-only ]
    # 0, 1, 2 and ls's own directory: no tree fd reached the container
    [ "${lines[4]}" = "0 1 2 3 " ]
}

@test "mount-sources: a bind of a file under a mode 700 directory, in a user namespace, with create and start" {
    userns_bundle cat /etc/the-file
    local secret=$BATS_TEST_TMPDIR/secret
    mkdir -p "$secret"
    chmod 700 "$secret"
    echo host file >"$secret/f"
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/etc/the-file", "type": "bind",
        "source": $f, "options": ["bind", "nosuid"]}]' --arg f "$secret/f"
    vcreate
    vstart
    wait_status stopped
    [ "$(ctr_output)" = "host file" ]
    vo delete "$ID"
}

@test "mount-sources: a missing bind source fails create in one line naming it, leaving nothing" {
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/data", "type": "bind",
        "source": "/nonexistent/voidoci-src", "options": ["rbind"]}]'
    run_create
    [ "$status" -ne 0 ]
    assert_one_error_line 'bind mount "/nonexistent/voidoci-src" on "/data": No such file or directory$'
    [ ! -e "$ROOT/$ID" ]
}
