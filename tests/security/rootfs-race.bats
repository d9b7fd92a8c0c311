#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Races against the runtime's setup.  A rootfs that goes away while the
# container is made: whatever step finds it missing, the container fails --
# its program never runs with the host's root as its own.  A mount
# destination swapped for a symlink to a host directory while the mounts are
# made (CVE-2021-30465): the mount lands inside the rootfs or the container
# fails; it never lands on the host path.

load ../bats/helpers

setup() {
    voidoci_setup
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
        skip "python3 is missing: it renames the rootfs in a tight loop"
}

teardown() {
    voidoci_teardown
}

# run_once [STDOUT]: one run of the bundle, stdin closed, its output in
# $out and $err.  Sets $outcome: "inside" when it exits 0 (and printed
# STDOUT, when given), "refused" when it fails with one voidoci error line,
# else "odd"; the caller prints an odd run and stops.
run_once() {
    local rc=0
    vrun </dev/null >"$out" 2>"$err" 3>&- || rc=$?
    if [ "$rc" -eq 0 ] && { [ $# -eq 0 ] || [ "$(cat "$out")" = "$1" ]; }; then
        outcome=inside
    elif [ "$rc" -ne 0 ] && [ "$(grep -c '' "$err")" -eq 1 ] && grep -q '^voidoci: ' "$err"; then
        outcome=refused
    else
        outcome=odd
        echo "run $i: status $rc, stdout: $(cat "$out"), stderr: $(cat "$err")" >&2
    fi
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
    local i outcome out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err host=0 inside=0 refused=0
    bg "$PYTHON" -c "$RENAMER" "$BUNDLE"
    for ((i = 0; i < 100; i++)); do
        run_once in-rootfs
        if grep -qx HOST-ROOT "$out"; then
            host=$((host + 1))
        elif [ "$outcome" = odd ]; then
            kill "$BG_PID"
            return 1
        fi
        [ "$outcome" != inside ] || inside=$((inside + 1))
        [ "$outcome" != refused ] || refused=$((refused + 1))
    done
    kill "$BG_PID"
    wait "$BG_PID" || true
    [ -d "$BUNDLE/rootfs" ] || mv "$BUNDLE/rootfs.away" "$BUNDLE/rootfs"
    echo "of 100 runs: $inside in the rootfs, $refused refused, $host in the host's root" >&2
    [ "$host" -eq 0 ]
}

# Swap DIR/a and DIR/b (renameat2 RENAME_EXCHANGE) as fast as it can.
EXCHANGER='
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = (os.fsencode(sys.argv[1] + "/" + n) for n in ("a", "b"))
AT_FDCWD, RENAME_EXCHANGE, SYS_renameat2 = -100, 2, 316
while True:
    libc.syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
'

@test "rootfs race: a bind destination swapped with a symlink to a host directory during run never mounts outside the rootfs" {
    [ "$(uname -m)" = x86_64 ] || skip "the exchanger calls renameat2 by its x86_64 number"
    local host=$BATS_TEST_TMPDIR/host-target src=$BATS_TEST_TMPDIR/src
    mkdir -p "$host" "$src" "$BUNDLE.tmp"
    touch "$src/marker"
    # The program looks for the bind among its own mounts: mountinfo names
    # the mount point as it is now, whichever name the directory has.
    make_bundle "$BUNDLE" sh -c 'awk -v h="$0" '"'"'$5 == "/vol/a" || $5 == "/vol/b" || $5 == h { f = 1 }
        END { if (!f) print "OUTSIDE"; exit !f * 3 }'"'"' /proc/self/mountinfo' "$host"
    # rootfs/vol/a a directory, rootfs/vol/b an absolute symlink to the host
    # directory; the destination is /vol/a, and the two keep trading names.
    mkdir -p "$BUNDLE/rootfs/vol/a"
    ln -s "$host" "$BUNDLE/rootfs/vol/b"
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/vol/a", "type": "bind", "source": "'"$src"'", "options": ["bind"]}]'
    local i outcome out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err inside=0 refused=0
    bg "$PYTHON" -c "$EXCHANGER" "$BUNDLE/rootfs/vol"
    for ((i = 0; i < 100; i++)); do
        run_once
        case $outcome in
        inside) inside=$((inside + 1)) ;;
        refused)
            refused=$((refused + 1))
            cat "$err" >>"$BATS_TEST_TMPDIR/refusals"
            ;;
        *)
            kill "$BG_PID"
            return 1
            ;;
        esac
    done
    kill "$BG_PID"
    wait "$BG_PID" || true
    echo "of 100 runs: $inside mounted inside the rootfs, $refused refused" >&2
    [ "$refused" -eq 0 ] || sed 's/vt[0-9-]*/ID/g' "$BATS_TEST_TMPDIR/refusals" | sort | uniq -c >&2
    # Nothing was ever made in the host directory (the container's program
    # exits 3, counted as neither, when the mount is not under its root).
    [ -z "$(ls -A "$host")" ]
    [ "$inside" -gt 0 ]
}
