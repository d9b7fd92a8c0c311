#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# config.json "mounts", linux.rootfsPropagation, root.readonly and
# linux.mountLabel, checked from inside the container through
# /proc/self/mountinfo: field 6 holds the per-mount options, the optional
# fields after it the propagation, and the super options follow " - ".

load helpers

setup() {
    voidoci_setup
}

# Host mounts a test makes go in HOST_MOUNTS: voidoci_teardown unmounts them.
teardown() {
    voidoci_teardown
}

# host_mount DIR [MOUNT-OPTION...]: a tmpfs on the host at DIR (made), for
# a bind source; unmounted by the teardown.
host_mount() {
    local dir=$1
    shift
    mkdir -p "$dir"
    mount -t tmpfs "$@" tmpfs "$dir"
    HOST_MOUNTS+=("$dir")
}

# A source directory with a tmpfs submount holding a file: what the "r"
# options must reach.
make_tree_source() {
    SRC=$BATS_TEST_TMPDIR/src
    mkdir -p "$SRC"
    echo top >"$SRC/top"
    host_mount "$SRC/sub"
    echo sub >"$SRC/sub/file"
}

# add_mount JSON [JQ-OPTION...]: append one entry to .mounts.
add_mount() {
    local json=$1
    shift
    bundle_jq "$BUNDLE" ".mounts += [$json]" "$@"
}

# The fields of the mountinfo line (in $output) of mount point $1.
mnt_opts() { awk -v d="$1" '$5 == d { print $6 }' <<<"$output" | tail -n 1; }
mnt_optional() {
    awk -v d="$1" '$5 == d { s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; print s }' \
        <<<"$output" | tail -n 1
}
mnt_super() {
    awk -v d="$1" '$5 == d { for (i = 7; $i != "-"; i++); print $(i + 3) }' <<<"$output" |
        tail -n 1
}

# has_opt LIST WORD: the comma-separated LIST holds WORD.
has_opt() { [[ ",$1," == *",$2,"* ]]; }
lacks_opt() { [[ ",$1," != *",$2,"* ]]; }

# ---- recursive attributes (mount_setattr) -----------------------------------

@test "mounts: rro makes an rbind read-only down to its submounts" {
    make_tree_source
    make_bundle "$BUNDLE" sh -c 'cat /proc/self/mountinfo; touch /mnt/sub/new && echo WROTE'
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "rro"]}' \
        --arg s "$SRC"
    run vrun
    [[ $output != *WROTE* ]]
    has_opt "$(mnt_opts /mnt)" ro
    has_opt "$(mnt_opts /mnt/sub)" ro
    # The host's mounts are untouched.
    touch "$SRC/sub/host-writes"
}

@test "mounts: plain ro on an rbind leaves its submounts writable (what rro is for)" {
    make_tree_source
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]}' \
        --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    has_opt "$(mnt_opts /mnt)" ro
    has_opt "$(mnt_opts /mnt/sub)" rw
}

@test "mounts: rnosuid, rnodev, rnoexec and rnosymfollow reach the submounts" {
    make_tree_source
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s,
        "options": ["rbind", "rnosuid", "rnodev", "rnoexec", "rnosymfollow"]}' --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    local m o
    for m in /mnt /mnt/sub; do
        for o in nosuid nodev noexec nosymfollow; do
            has_opt "$(mnt_opts $m)" $o || { echo "$m lacks $o: $(mnt_opts $m)" >&2; return 1; }
        done
    done
}

@test "mounts: rrw makes a read-only submount writable; the last word wins (rro, rrw)" {
    SRC=$BATS_TEST_TMPDIR/src
    mkdir -p "$SRC"
    host_mount "$SRC/sub" -o ro
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s,
        "options": ["rbind", "rro", "rrw"]}' --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    has_opt "$(mnt_opts /mnt/sub)" rw
    # The host's stays read-only.
    has_opt "$(findmnt -no OPTIONS "$SRC/sub")" ro
}

@test "mounts: rnoatime and rstrictatime set the atime of every mount of the tree" {
    make_tree_source
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s,
        "options": ["rbind", "rnoatime", "rnodiratime"]}' --arg s "$SRC"
    add_mount '{"destination": "/mnt2", "type": "bind", "source": $s,
        "options": ["rbind", "rstrictatime"]}' --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    has_opt "$(mnt_opts /mnt/sub)" noatime
    has_opt "$(mnt_opts /mnt/sub)" nodiratime
    lacks_opt "$(mnt_opts /mnt2/sub)" relatime
    lacks_opt "$(mnt_opts /mnt2/sub)" noatime
}

@test "mounts: rro on a tmpfs makes it read-only" {
    make_bundle "$BUNDLE" sh -c 'cat /proc/self/mountinfo; touch /data/x && echo WROTE'
    add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["rro"]}'
    run vrun
    [[ $output != *WROTE* ]]
    has_opt "$(mnt_opts /data)" ro
}

# ---- nosymfollow --------------------------------------------------------------

@test "mounts: nosymfollow refuses to follow a symlink on that mount only" {
    make_tree_source
    ln -s top "$SRC/link"
    ln -s file "$SRC/sub/link"
    make_bundle "$BUNDLE" sh -c 'cat /proc/self/mountinfo; cat /mnt/link || echo REFUSED;
        cat /mnt/sub/link'
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s,
        "options": ["rbind", "nosymfollow"]}' --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    has_opt "$(mnt_opts /mnt)" nosymfollow
    lacks_opt "$(mnt_opts /mnt/sub)" nosymfollow
    [[ $output == *REFUSED* ]]
    [ "${lines[-1]}" = sub ]
}

@test "mounts: nosymfollow on a tmpfs shows in its options; symfollow after it cancels it" {
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/a", "type": "tmpfs", "source": "tmpfs", "options": ["nosymfollow"]}'
    add_mount '{"destination": "/b", "type": "tmpfs", "source": "tmpfs",
        "options": ["nosymfollow", "symfollow"]}'
    run vrun
    [ "$status" -eq 0 ]
    has_opt "$(mnt_opts /a)" nosymfollow
    lacks_opt "$(mnt_opts /b)" nosymfollow
}

# ---- bind flags -----------------------------------------------------------------

@test "mounts: a read-only bind keeps the nodev, nosuid and noexec of its source" {
    SRC=$BATS_TEST_TMPDIR/src
    host_mount "$SRC" -o nodev,nosuid,noexec
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s, "options": ["bind", "ro"]}' \
        --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    local o
    for o in ro nodev nosuid noexec; do
        has_opt "$(mnt_opts /mnt)" $o || { echo "/mnt lacks $o: $(mnt_opts /mnt)" >&2; return 1; }
    done
}

@test "mounts: a bind that asks for dev and exec gets them over a nodev, noexec source" {
    SRC=$BATS_TEST_TMPDIR/src
    host_mount "$SRC" -o nodev,noexec,nosuid
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s,
        "options": ["bind", "dev", "exec"]}' --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    lacks_opt "$(mnt_opts /mnt)" nodev
    lacks_opt "$(mnt_opts /mnt)" noexec
    has_opt "$(mnt_opts /mnt)" nosuid
}

@test "mounts: a bind of a file gets a file made as its destination" {
    echo content >"$BATS_TEST_TMPDIR/hostfile"
    make_bundle "$BUNDLE" sh -c 'stat -c %F /etc/bound; cat /etc/bound'
    add_mount '{"destination": "/etc/bound", "type": "bind", "source": $s,
        "options": ["bind", "ro"]}' --arg s "$BATS_TEST_TMPDIR/hostfile"
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "regular file" ]
    [ "${lines[1]}" = content ]
}

# ---- idmap ----------------------------------------------------------------------

# run_idmapped: vrun; skips when the kernel or the filesystem under the
# test's directory cannot idmap, saying which.
run_idmapped() {
    run --separate-stderr vrun
    if [[ $stderr == *"cannot be idmapped"* || $stderr == *"has no mount_setattr"* ]]; then
        skip "no idmapped mounts here: $stderr"
    fi
}

@test "mounts: idmap shows a file of host uid 1000 as the mapped uid, unmapped ones as nobody" {
    SRC=$BATS_TEST_TMPDIR/src
    mkdir -p "$SRC"
    touch "$SRC/mine" "$SRC/roots"
    chown 1000:1000 "$SRC/mine"
    make_bundle "$BUNDLE" sh -c 'stat -c "%n %u:%g" /mnt/mine /mnt/roots'
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s, "options": ["bind", "idmap"],
        "uidMappings": [{"containerID": 1000, "hostID": 2000, "size": 1}],
        "gidMappings": [{"containerID": 1000, "hostID": 3000, "size": 1}]}' --arg s "$SRC"
    run_idmapped
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "/mnt/mine 2000:3000" ]
    [ "${lines[1]}" = "/mnt/roots 65534:65534" ]
    # On the host nothing changed.
    [ "$(stat -c %u:%g "$SRC/mine")" = 1000:1000 ]
}

@test "mounts: ridmap maps the submounts of an rbind too, idmap only the top" {
    make_tree_source
    chown 1000:1000 "$SRC/top" "$SRC/sub/file"
    make_bundle "$BUNDLE" sh -c 'stat -c "%u" /a/top /a/sub/file /b/top /b/sub/file'
    local maps='"uidMappings": [{"containerID": 1000, "hostID": 2000, "size": 1}],
        "gidMappings": [{"containerID": 1000, "hostID": 2000, "size": 1}]'
    add_mount '{"destination": "/a", "type": "bind", "source": $s, "options": ["rbind", "ridmap"],'"$maps"'}' \
        --arg s "$SRC"
    add_mount '{"destination": "/b", "type": "bind", "source": $s, "options": ["rbind", "idmap"],'"$maps"'}' \
        --arg s "$SRC"
    run_idmapped
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = "2000 2000 2000 1000" ]
}

@test "mounts: idmap without maps of its own uses the container's user namespace maps" {
    SRC=$BATS_TEST_TMPDIR/src
    mkdir -p "$SRC"
    touch "$SRC/f"
    chown 1000:1000 "$SRC/f"
    make_bundle "$BUNDLE" sh -c 'stat -c "%u:%g" /mnt/f /plain/f'
    # Root is itself (the bundle in the tests' 0700 directory stays
    # reachable); every other id is shifted by 100000.
    bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1},
                                {"containerID": 1, "hostID": 100001, "size": 65535}]
        | .linux.gidMappings = .linux.uidMappings'
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s, "options": ["bind", "idmap"]}' \
        --arg s "$SRC"
    add_mount '{"destination": "/plain", "type": "bind", "source": $s, "options": ["bind"]}' \
        --arg s "$SRC"
    run_idmapped
    [ "$status" -eq 0 ]
    # Through the container's maps on-disk 1000 is host 101000, 1000 inside.
    # Without the idmap, host uid 1000 has no name inside.
    [ "${lines[0]}" = 1000:1000 ]
    [ "${lines[1]}" = 65534:65534 ]
}

# ---- tmpcopyup --------------------------------------------------------------

@test "mounts: tmpcopyup fills the tmpfs with the image's files, writable without touching the image" {
    make_bundle "$BUNDLE" sh -c 'cat /proc/self/mountinfo; cat /data/sub/f;
        stat -c "%a %u:%g" /data/sub/f /data/sub; readlink /data/link;
        echo changed >/data/sub/f && cat /data/sub/f'
    mkdir -p "$BUNDLE/rootfs/data/sub"
    echo image >"$BUNDLE/rootfs/data/sub/f"
    chmod 604 "$BUNDLE/rootfs/data/sub/f"
    chown 0:12 "$BUNDLE/rootfs/data/sub/f"
    chmod 751 "$BUNDLE/rootfs/data/sub"
    ln -s /etc/passwd "$BUNDLE/rootfs/data/link"
    add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs",
        "options": ["tmpcopyup", "mode=755"]}'
    run vrun
    [ "$status" -eq 0 ]
    [[ $(mnt_super /data) == *mode=755* ]]
    local out
    out=$(grep -v '^[0-9]* [0-9]* ' <<<"$output")
    [ "$out" = "$(printf '%s\n' image '604 0:12' '751 0:0' /etc/passwd changed)" ]
    [ "$(cat "$BUNDLE/rootfs/data/sub/f")" = image ]
}

@test "mounts: tmpcopyup copies a symlink as a symlink and never reads through it" {
    echo secret >"$BATS_TEST_TMPDIR/host-secret"
    make_bundle "$BUNDLE" sh -c 'readlink /data/escape; cat /data/escape 2>/dev/null || echo DANGLING'
    mkdir -p "$BUNDLE/rootfs/data"
    ln -s "$BATS_TEST_TMPDIR/host-secret" "$BUNDLE/rootfs/data/escape"
    add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
    run vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$BATS_TEST_TMPDIR/host-secret" ]
    [ "${lines[1]}" = DANGLING ]
}

# ---- mount types ------------------------------------------------------------

@test "mounts: the spec's proc, tmpfs, devpts, mqueue and sysfs have their types and options" {
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    run vrun
    [ "$status" -eq 0 ]
    local fstype
    fstype() { awk -v d="$1" '$5 == d { for (i = 7; $i != "-"; i++); print $(i + 1) }' <<<"$output"; }
    [ "$(fstype /proc)" = proc ]
    [ "$(fstype /dev)" = tmpfs ]
    [[ $(mnt_super /dev) == *size=65536k* && $(mnt_super /dev) == *mode=755* ]]
    has_opt "$(mnt_opts /dev)" nosuid
    [ "$(fstype /dev/pts)" = devpts ]
    [[ $(mnt_super /dev/pts) == *ptmxmode=666* && $(mnt_super /dev/pts) == *mode=620* ]]
    [[ $(mnt_super /dev/pts) == *gid=5* ]]
    has_opt "$(mnt_opts /dev/pts)" noexec
    [ "$(fstype /dev/shm)" = tmpfs ]
    [[ $(mnt_super /dev/shm) == *size=65536k* ]]
    has_opt "$(mnt_opts /dev/shm)" nodev
    [ "$(fstype /dev/mqueue)" = mqueue ]
    [ "$(fstype /sys)" = sysfs ]
    has_opt "$(mnt_opts /sys)" ro
}

@test "mounts: devpts newinstance is a private instance: the host's ptys are not in it" {
    make_bundle "$BUNDLE" ls /dev/pts
    run vrun
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = ptmx ]
}

@test "mounts: root.readonly makes / read-only, and false leaves it writable" {
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    bundle_jq "$BUNDLE" '.root.readonly = true'
    run vrun
    [ "$status" -eq 0 ]
    has_opt "$(mnt_opts /)" ro
    bundle_jq "$BUNDLE" '.root.readonly = false'
    run vrun
    [ "$status" -eq 0 ]
    has_opt "$(mnt_opts /)" rw
}

# ---- read-only mounts with more below them ----------------------------------

@test "mounts: a read-only /dev tmpfs gets its mounts, nodes and links first, then turns read-only" {
    make_bundle "$BUNDLE" sh -c '
        touch /dev/x 2>&1
        echo hello >/dev/null && echo NULL-OK
        [ -L /dev/ptmx ] && [ -c /dev/zero ] && echo NODES-OK
        cat /proc/self/mountinfo'
    bundle_jq "$BUNDLE" '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == *"/dev/x"*"Read-only file system"* ]]
    [[ $output == *NULL-OK* ]]
    [[ $output == *NODES-OK* ]]
    has_opt "$(mnt_opts /dev)" ro
    # Its other flags stay, and the mounts below it are there, writable.
    has_opt "$(mnt_opts /dev)" nosuid
    has_opt "$(mnt_opts /dev/pts)" rw
    has_opt "$(mnt_opts /dev/shm)" rw
    [ -n "$(mnt_opts /dev/mqueue)" ]
}

@test "mounts: a read-only tmpfs with a mount below it and a copy-up is made, then read-only" {
    make_bundle "$BUNDLE" sh -c 'cat /srv/image-file; touch /srv/x 2>&1; cat /proc/self/mountinfo'
    mkdir -p "$BUNDLE/rootfs/srv"
    echo from-image >"$BUNDLE/rootfs/srv/image-file"
    add_mount '{"destination": "/srv", "type": "tmpfs", "source": "tmpfs",
                "options": ["ro", "nodev", "tmpcopyup"]}'
    add_mount '{"destination": "/srv/inner/deep", "type": "tmpfs", "source": "tmpfs"}'
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == from-image* ]]
    [[ $output == *"/srv/x"*"Read-only file system"* ]]
    has_opt "$(mnt_opts /srv)" ro
    has_opt "$(mnt_opts /srv)" nodev
    has_opt "$(mnt_opts /srv/inner/deep)" rw
}

# ---- propagation --------------------------------------------------------------

@test "mounts: per-mount shared and unbindable show in the optional fields" {
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/a", "type": "tmpfs", "source": "tmpfs", "options": ["shared"]}'
    add_mount '{"destination": "/b", "type": "tmpfs", "source": "tmpfs", "options": ["unbindable"]}'
    add_mount '{"destination": "/c", "type": "tmpfs", "source": "tmpfs", "options": ["private"]}'
    run vrun
    [ "$status" -eq 0 ]
    [[ $(mnt_optional /a) == *shared:* ]]
    [[ $(mnt_optional /b) == *unbindable* ]]
    [ -z "$(mnt_optional /c | tr -d ' ')" ]
}

@test "mounts: rootfsPropagation rslave keeps a bound host mount a slave of the host's" {
    SRC=$BATS_TEST_TMPDIR/src
    host_mount "$SRC"
    mount --make-shared "$SRC"
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    bundle_jq "$BUNDLE" '.linux.rootfsPropagation = "rslave"'
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]}' \
        --arg s "$SRC"
    add_mount '{"destination": "/cut", "type": "bind", "source": $s, "options": ["rbind", "rprivate"]}' \
        --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    [[ $(mnt_optional /mnt) == *master:* ]]
    [[ $(mnt_optional /mnt) != *shared:* ]]
    [[ $(mnt_optional /cut) != *master:* ]]
}

@test "mounts: rootfsPropagation private (the default) cuts a bound host mount from the host's" {
    SRC=$BATS_TEST_TMPDIR/src
    host_mount "$SRC"
    mount --make-shared "$SRC"
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]}' \
        --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    [ -z "$(mnt_optional /mnt | tr -d ' ')" ]
}

@test "mounts: rootfsPropagation shared and unbindable apply to the root" {
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    bundle_jq "$BUNDLE" '.linux.rootfsPropagation = "shared"'
    run vrun
    [ "$status" -eq 0 ]
    [[ $(mnt_optional /) == *shared:* ]]
    bundle_jq "$BUNDLE" '.linux.rootfsPropagation = "runbindable"'
    run vrun
    [ "$status" -eq 0 ]
    [[ $(mnt_optional /) == *unbindable* ]]
}

# Kubernetes' volumes with propagation, as containerd's CRI writes them: the
# host directory is a shared mount, the bind carries "rshared"
# (Bidirectional) or "rslave" (HostToContainer), and rootfsPropagation is
# set to the same.  The container sleeps; the host and the container then
# each mount a tmpfs under the volume.  runc 1.1.5 passes these tests.
propagation_bundle() {
    VOL=$BATS_TEST_TMPDIR/vol
    host_mount "$VOL"
    mount --make-shared "$VOL"
    mkdir "$VOL/from-host" "$VOL/from-ctr"
    make_bundle "$BUNDLE" sleep 300
    bundle_jq "$BUNDLE" '.linux.rootfsPropagation = $p |
        .process.capabilities.bounding += ["CAP_SYS_ADMIN"] |
        .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
        .process.capabilities.permitted += ["CAP_SYS_ADMIN"]' --arg p "$1"
    add_mount '{"destination": "/vol", "type": "bind", "source": $s, "options": ["rbind", $p]}' \
        --arg s "$VOL" --arg p "$1"
    vcreate
    vstart
    # Each side's mount: unmounted (on the host) by the teardown.
    mount -t tmpfs from-host "$VOL/from-host"
    HOST_MOUNTS+=("$VOL/from-host")
    vo exec "$ID" mount -t tmpfs from-ctr /vol/from-ctr
    HOST_MOUNTS+=("$VOL/from-ctr")
    run vo exec "$ID" cat /proc/self/mountinfo
    [ "$status" -eq 0 ]
}

@test "mounts: an rshared volume (Kubernetes' Bidirectional) shares new mounts with the host both ways" {
    propagation_bundle rshared
    [ -n "$(mnt_opts /vol/from-host)" ]
    [ -n "$(mnt_opts /vol/from-ctr)" ]
    output=$(cat /proc/self/mountinfo)
    [ -n "$(mnt_opts "$VOL/from-ctr")" ]
    vo delete --force "$ID"
}

@test "mounts: an rslave volume (Kubernetes' HostToContainer) sees the host's new mounts; the host none of its" {
    propagation_bundle rslave
    [ -n "$(mnt_opts /vol/from-host)" ]
    [ -n "$(mnt_opts /vol/from-ctr)" ]
    output=$(cat /proc/self/mountinfo)
    [ -z "$(mnt_opts "$VOL/from-ctr")" ]
    vo delete --force "$ID"
}

@test "mounts: rootfsPropagation rshared with the bundle on a shared host mount: nothing of the container reaches the host" {
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    bundle_jq "$BUNDLE" '.linux.rootfsPropagation = "rshared"'
    mount --bind "$BUNDLE" "$BUNDLE"
    mount --make-shared "$BUNDLE"
    HOST_MOUNTS+=("$BUNDLE")
    local pivot
    for pivot in "" --no-pivot; do
        run_create $pivot
        [ "$status" -eq 0 ]
        # The container's rootfs and mounts are made: none is on the host.
        [ "$(awk -v b="$BUNDLE/" 'index($5, b) == 1' /proc/self/mountinfo)" = "" ]
        vstart
        wait_status stopped
        [[ $(ctr_output) == *" / "* ]]
        vo delete "$ID"
        [ "$(awk -v b="$BUNDLE/" 'index($5, b) == 1' /proc/self/mountinfo)" = "" ]
    done
}

# ---- refused ----------------------------------------------------------------

@test "mounts: idmap without uidMappings or a user namespace is refused, naming the mount" {
    make_bundle "$BUNDLE" true
    add_mount '{"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind", "idmap"]}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: mounts\[[0-9]+\]\.uidMappings: "idmap" needs uidMappings and gidMappings'
}

@test "mounts: uidMappings on a mount without idmap are refused, not ignored" {
    make_bundle "$BUNDLE" true
    add_mount '{"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind"],
        "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: mounts\[[0-9]+\]\.uidMappings: needs the "idmap" or "ridmap" option$'
}

@test "mounts: idmap on a mount that is not a bind is refused" {
    make_bundle "$BUNDLE" true
    add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"],
        "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
        "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'mounts\[[0-9]+\]\.options\[0\]: "idmap" is only for a bind mount$'
}

@test "mounts: an unknown option rfoo on a tmpfs fails at the mount, naming mounts[i]" {
    make_bundle "$BUNDLE" true
    local idx
    idx=$(jq '.mounts | length' "$BUNDLE/config.json")
    add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["rfoo"]}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "config\\.json: mounts\\[$idx\\]: mount tmpfs .*\"/mnt\": Invalid argument$"
}

@test "mounts: filesystem options on a bind (mode=, size=, uid=) are ignored, as mount(2) and runc do" {
    SRC=$BATS_TEST_TMPDIR/src
    mkdir -p "$SRC"
    echo here >"$SRC/file"
    make_bundle "$BUNDLE" sh -c 'cat /mnt/file; cat /proc/self/mountinfo'
    add_mount '{"destination": "/mnt", "type": "bind", "source": $s,
                "options": ["rbind", "mode=755", "size=65536k", "uid=1000", "nosuid"]}' --arg s "$SRC"
    run vrun
    [ "$status" -eq 0 ]
    [[ $output == here* ]]
    # The flag words still apply; the data went nowhere.
    has_opt "$(mnt_opts /mnt)" nosuid
    lacks_opt "$(mnt_super /mnt)" size=65536k
}

@test "mounts: tmpcopyup on a mount that is not a tmpfs is refused" {
    make_bundle "$BUNDLE" true
    add_mount '{"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind", "tmpcopyup"]}'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'config\.json: mounts\[[0-9]+\]\.options\[1\]: "tmpcopyup" is only for a tmpfs mount$'
}

@test "mounts: linux.mountLabel is the context of the container's tmpfs mounts (SELinux)" {
    [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinux ] ||
        skip "SELinux is not enabled here (no selinuxfs at /sys/fs/selinux)"
    # A context the loaded policy has for files: the host's /tmp's.
    local label
    label=$(stat -c %C /tmp)
    [ -n "$label" ] && [ "$label" != "?" ]
    make_bundle "$BUNDLE" sh -c 'grep " /dev/shm " /proc/self/mountinfo; stat -c %C /dev/shm'
    bundle_jq "$BUNDLE" '.linux.mountLabel = $l' --arg l "$label"
    run -0 vrun
    echo "$output"
    # SELinux shows the option among the super options, quoted when the
    # label has a comma (MCS categories).
    [[ "${lines[0]}" == *" - tmpfs "*"context=$label"* || "${lines[0]}" == *" - tmpfs "*"context=\"$label\""* ]]
    [ "${lines[1]}" = "$label" ]
    # A context the policy cannot have fails the run instead.
    bundle_jq "$BUNDLE" '.linux.mountLabel = $l' \
        --arg l "$(awk -F: -v OFS=: '{ $3 = "voidoci_no_such_t"; print }' <<<"$label")"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    [ "$(grep -c '' <<<"$stderr")" -eq 1 ]
}

@test "mounts: linux.mountLabel without SELinux is a no-op (as crun), said in a debug line" {
    if [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinux ]; then
        skip "SELinux is enabled on this machine: the label would be applied"
    fi
    make_bundle "$BUNDLE" cat /proc/self/mountinfo
    bundle_jq "$BUNDLE" '.linux.mountLabel = "system_u:object_r:container_file_t:s0"'
    run --separate-stderr -0 vrun
    # the tmpfs of /dev is there, without a context= option
    grep -q ' /dev rw.* - tmpfs ' <<<"$output"
    [[ $output != *context=* ]]
    [ -z "$stderr" ]
    run --separate-stderr -0 vo --debug run --bundle "$BUNDLE" "$ID-d"
    [[ $stderr == *'debug: linux.mountLabel "system_u:object_r:container_file_t:s0" ignored: SELinux is not enabled on this host'* ]]
}

@test "mounts: a relative bind source is relative to the bundle, not to where voidoci runs" {
    make_bundle "$BUNDLE" cat /mnt/data/marker
    mkdir -p "$BUNDLE/data"
    echo from-the-bundle >"$BUNDLE/data/marker"
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/mnt/data", "type": "bind",
        "source": "data", "options": ["rbind", "ro"]}]'
    cd /
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "$output" = from-the-bundle ]
}

# An image's /etc/resolv.conf is often a dangling symlink (to
# ../run/systemd/resolve/stub-resolv.conf, made by the host's resolver at
# boot); podman and Docker bind their own file there.  As runc and crun
# do, the link's target is made inside the rootfs and the bind lands on it.
@test "mounts: a bind on a dangling relative symlink (resolv.conf) makes its target inside the rootfs" {
    local src=$BATS_TEST_TMPDIR/resolv.conf
    echo "nameserver 192.0.2.53" >"$src"
    make_bundle "$BUNDLE" sh -c 'cat /etc/resolv.conf; readlink /etc/resolv.conf'
    bundle_writable "$BUNDLE"
    rm -f "$BUNDLE/rootfs/etc/resolv.conf"
    ln -s ../run/systemd/resolve/stub-resolv.conf "$BUNDLE/rootfs/etc/resolv.conf"
    bundle_jq "$BUNDLE" '.mounts += [{destination: "/etc/resolv.conf", type: "bind", source: $s,
        options: ["rbind", "ro"]}]' --arg s "$src"
    run --separate-stderr -0 vrun
    [ "${lines[0]}" = "nameserver 192.0.2.53" ]
    [ "${lines[1]}" = ../run/systemd/resolve/stub-resolv.conf ]
    [ -f "$BUNDLE/rootfs/run/systemd/resolve/stub-resolv.conf" ]
}

@test "mounts: a mount under a dangling directory symlink (var/run -> ../gone/run) lands under its target, made inside the rootfs" {
    make_bundle "$BUNDLE" sh -c 'grep -c " /gone/run/secrets tmpfs\| /gone/run/secrets " /proc/self/mountinfo; stat -f -c %T /var/run/secrets/'
    bundle_writable "$BUNDLE"
    rm -rf "$BUNDLE/rootfs/var/run" "$BUNDLE/rootfs/gone"
    ln -s ../gone/run "$BUNDLE/rootfs/var/run"
    bundle_jq "$BUNDLE" '.mounts += [{destination: "/var/run/secrets", type: "tmpfs", source: "tmpfs"}]'
    run --separate-stderr -0 vrun
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = tmpfs ]
    [ -d "$BUNDLE/rootfs/gone/run/secrets" ]
}

@test "mounts: a dangling symlink that loops is one error line naming the destination, nothing left" {
    make_bundle "$BUNDLE" true
    bundle_writable "$BUNDLE"
    ln -s loop-b "$BUNDLE/rootfs/loop-a"
    ln -s loop-a "$BUNDLE/rootfs/loop-b"
    bundle_jq "$BUNDLE" '.mounts += [{destination: "/loop-a", type: "tmpfs", source: "tmpfs"}]'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line /loop-a
    [[ "$stderr" == *"symbolic links"* ]]
}
