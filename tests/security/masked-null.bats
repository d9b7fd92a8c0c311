#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# maskedPaths and the image's /dev/null (CVE-2025-31133 and its siblings):
# a path is masked by binding the null device over it, so a /dev/null that
# the image made into something else -- a file of its own, or a symlink to
# one -- must never be what gets bound over a masked path.

load ../bats/helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# masked_bundle [--no-dev-tmpfs]: a bundle that cats its masked files: the
# rootfs's own /etc/masked-file (which reads "UNMASKED" unless masked) and
# those of spec's masked /proc files that exist on this host.  With
# --no-dev-tmpfs, /dev is the rootfs's own directory (no tmpfs over it), so
# that the image's /dev/null is the one the runtime finds.
masked_bundle() {
    local p files=(/etc/masked-file)
    for p in /proc/keys /proc/timer_list /proc/kcore /proc/sched_debug /proc/latency_stats; do
        [ -e "$p" ] && files+=("$p")
    done
    make_bundle "$BUNDLE" cat "${files[@]}"
    echo UNMASKED >"$BUNDLE/rootfs/etc/masked-file"
    bundle_jq "$BUNDLE" '.linux.maskedPaths += ["/etc/masked-file"]'
    if [ "${1-}" = --no-dev-tmpfs ]; then
        bundle_jq "$BUNDLE" '.mounts |= map(select(.destination != "/dev"))'
    fi
}

# assert_masked_or_refused WHAT: run fails with one error line naming
# /dev/null, or it ran and every masked path read empty (not WHAT).
assert_masked_or_refused() {
    if [ "$status" -ne 0 ]; then
        assert_one_error_line '/dev/null'
        return
    fi
    if [[ $output == *"$1"* ]]; then
        echo "a masked path shows the image's $1 (its /dev/null was bound over it):" >&2
        echo "$output" >&2
        return 1
    fi
    [ -z "$output" ]
}

@test "masked paths: with a real /dev/null every masked file reads empty (the control for the tests below)" {
    masked_bundle
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "masked paths: an image /dev/null that is a regular file is never bound over a masked path" {
    masked_bundle --no-dev-tmpfs
    rm -rf "$BUNDLE/rootfs/dev/null"
    echo SECRET >"$BUNDLE/rootfs/dev/null"
    run --separate-stderr vrun
    assert_masked_or_refused SECRET
    # The image's file is still what the image put there.
    [ -f "$BUNDLE/rootfs/dev/null" ] && [ ! -L "$BUNDLE/rootfs/dev/null" ]
    [ "$(cat "$BUNDLE/rootfs/dev/null")" = SECRET ]
}

@test "masked paths: an image /dev/null that is a symlink to /etc/passwd never binds /etc/passwd over a masked path" {
    masked_bundle --no-dev-tmpfs
    rm -rf "$BUNDLE/rootfs/dev/null"
    ln -s /etc/passwd "$BUNDLE/rootfs/dev/null"
    run --separate-stderr vrun
    assert_masked_or_refused root:x:0:0
    # The rootfs's /etc/passwd was not replaced by a device either.
    [ -f "$BUNDLE/rootfs/etc/passwd" ] && [ ! -L "$BUNDLE/rootfs/etc/passwd" ]
    grep -q '^root:x:0:0:' "$BUNDLE/rootfs/etc/passwd"
}

@test "masked paths: an image /dev/null that is a symlink to a host file neither binds nor touches that file" {
    local host=$BATS_TEST_TMPDIR/host-file
    echo HOSTSECRET >"$host"
    masked_bundle --no-dev-tmpfs
    rm -rf "$BUNDLE/rootfs/dev/null"
    ln -s "$host" "$BUNDLE/rootfs/dev/null"
    run --separate-stderr vrun
    assert_masked_or_refused HOSTSECRET
    [ -f "$host" ] && [ ! -L "$host" ]
    [ "$(cat "$host")" = HOSTSECRET ]
    [ -z "$(awk -v f="$host" '$5 == f' /proc/self/mountinfo)" ]
}
