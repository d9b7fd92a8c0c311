#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A rootfs that goes away while the container is made: whatever step finds
# it missing, the container fails -- its program never runs with the host's
# root as its own.

load ../bats/helpers

setup() {
    voidoci_setup
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
        skip "python3 is missing: it renames the rootfs in a tight loop"
}

teardown() {
    voidoci_teardown
}

# Rename DIR/rootfs to DIR/rootfs.away and back, as fast as it can.
RENAMER='
import os, sys
a, b = sys.argv[1] + "/rootfs", sys.argv[1] + "/rootfs.away"
while True:
    try:
        os.rename(a, b)
        os.rename(b, a)
    except OSError:
        pass
'

@test "rootfs race: a rootfs renamed away and back during run never lets the program run in the host's root" {
    # $BATS_TEST_TMPDIR exists on the host and not in the rootfs.
    make_bundle "$BUNDLE" sh -c 'if test -d "$0"; then echo HOST-ROOT; else echo in-rootfs; fi' \
        "$BATS_TEST_TMPDIR"
    local i rc out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err host=0 inside=0 refused=0
    bg "$PYTHON" -c "$RENAMER" "$BUNDLE"
    for ((i = 0; i < 100; i++)); do
        rc=0
        vrun </dev/null >"$out" 2>"$err" 3>&- || rc=$?
        if grep -qx HOST-ROOT "$out"; then
            host=$((host + 1))
        elif [ "$rc" -eq 0 ] && [ "$(cat "$out")" = in-rootfs ]; then
            inside=$((inside + 1))
        elif [ "$rc" -ne 0 ] && [ "$(grep -c '' "$err")" -eq 1 ] && grep -q '^voidoci: ' "$err"; then
            refused=$((refused + 1))
        else
            echo "run $i: status $rc, stdout: $(cat "$out"), stderr: $(cat "$err")" >&2
            kill "$BG_PID"
            return 1
        fi
    done
    kill "$BG_PID"
    wait "$BG_PID" || true
    [ -d "$BUNDLE/rootfs" ] || mv "$BUNDLE/rootfs.away" "$BUNDLE/rootfs"
    echo "of 100 runs: $inside in the rootfs, $refused refused, $host in the host's root" >&2
    [ "$host" -eq 0 ]
}
