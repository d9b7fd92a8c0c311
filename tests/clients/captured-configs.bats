#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The scenarios tests/configs/ was captured from, run again through the real
# clients with $RUNTIME behind the recording wrapper
# (tests/configs/capture.sh --runtime): each client must run them all, and
# hand the runtime configs of the same shape (the same fields) as the
# checked-in ones, so that field-configs.bats keeps testing what the
# clients send today.

load helpers

setup() {
    [ "$(id -u)" = 0 ] || skip "these tests run containers: they need root, not uid $(id -u)"
    [ -x "$RUNTIME" ] || skip "no runtime at $RUNTIME (build voidoci or set RUNTIME)"
    CONFIGS=$TESTS_DIR/configs
    OUT=$BATS_TEST_TMPDIR/captured
    mkdir -p "$OUT"
}

# fields FILE: every path to a scalar in FILE, array indices left out.
fields() {
    jq -r '[paths(scalars) | map(select(type == "string")) | join(".")] | unique[]' "$1"
}

# capture_and_compare CLIENT: capture.sh CLIENT succeeds, and each checked-in
# CLIENT-*.json has a fresh counterpart with the same fields.
capture_and_compare() {
    local f name
    run timeout 600 "$CONFIGS/capture.sh" --runtime "$RUNTIME" "$OUT" "$1"
    echo "$output" | tail -n 20
    [ "$status" -eq 0 ]
    for f in "$CONFIGS/$1"-*.json; do
        name=${f##*/}
        [ -s "$OUT/$name" ] || { echo "$name was not captured" >&2; return 1; }
        diff <(fields "$f") <(fields "$OUT/$name") || {
            echo "$name: the client now sends other fields" >&2
            return 1
        }
    done
}

@test "captured configs: podman runs every scenario of tests/configs and sends the same fields" {
    require_root_and podman conmon runc
    capture_and_compare podman
}

@test "captured configs: ctr runs every scenario of tests/configs and sends the same fields" {
    require_root_and containerd ctr containerd-shim-runc-v2 runc
    capture_and_compare ctr
}

@test "captured configs: Docker runs every scenario of tests/configs and sends the same fields" {
    require_root_and dockerd docker unshare runc
    capture_and_compare docker
}
