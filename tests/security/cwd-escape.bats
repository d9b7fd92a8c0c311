#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.cwd through a leaked fd or a symlink (CVE-2024-21626): a cwd of
# /proc/self/fd/N names whatever directory fd N is open on, which may be a
# host directory the runtime or its caller had open; the container's program
# must never start there.  A cwd through a symlink resolves as it would
# inside the container, never to the host.

load ../bats/helpers

setup() {
    voidoci_setup
}

teardown() {
    exec 7<&- 2>/dev/null || true
    voidoci_teardown
}

# A program that says it started and where it is.
STARTED_PROGRAM=(sh -c 'echo STARTED; pwd -P; ls -a')

# assert_never_started: the container's program did not run (it prints
# STARTED first), and run or create failed with one error line naming the
# cwd.
assert_never_started() {
    if [[ $output == *STARTED* ]]; then
        echo "the program started with the cwd through a leaked fd:" >&2
        echo "$output" >&2
        return 1
    fi
    [ "$status" -ne 0 ]
    assert_one_error_line 'cwd.*/proc/self/fd/'
}

@test "cwd escape: run with process.cwd /proc/self/fd/7 and fd 7 open on the host's / fails before the program starts" {
    make_bundle "$BUNDLE" "${STARTED_PROGRAM[@]}"
    bundle_jq "$BUNDLE" '.process.cwd = "/proc/self/fd/7"'
    exec 7</
    run --separate-stderr vrun
    exec 7<&-
    assert_never_started
}

@test "cwd escape: create with process.cwd /proc/self/fd/7 and fd 7 open on the host's / fails, and start cannot start it" {
    make_bundle "$BUNDLE" "${STARTED_PROGRAM[@]}"
    bundle_jq "$BUNDLE" '.process.cwd = "/proc/self/fd/7"'
    exec 7</
    run_create
    exec 7<&-
    if [ "$status" -eq 0 ]; then
        # create should have refused: let the program run and show where.
        vstart || true
        wait_status stopped || true
        output=$(ctr_output)
        vo delete --force "$ID"
        echo "create accepted the cwd; the program printed: $output" >&2
        return 1
    fi
    assert_never_started
    [ ! -e "$ROOT/$ID" ]
    run --separate-stderr vo start "$ID"
    [ "$status" -ne 0 ]
    [[ $output != *STARTED* ]]
}

@test "cwd escape: process.cwd /proc/self/fd/N fails for every N from 3 to 15 (the runtime's own fds included)" {
    # runc leaked its fd on the host's /sys/fs/cgroup: whichever fds this
    # runtime holds during setup, none may become the container's cwd.
    make_bundle "$BUNDLE" "${STARTED_PROGRAM[@]}"
    local n
    for n in $(seq 3 15); do
        bundle_jq "$BUNDLE" '.process.cwd = $c' --arg c "/proc/self/fd/$n"
        run --separate-stderr vrun
        if [[ $output == *STARTED* ]] || [ "$status" -eq 0 ]; then
            echo "cwd /proc/self/fd/$n was not refused: the program started (status $status) in:" >&2
            echo "$output" >&2
            return 1
        fi
        assert_one_error_line "cwd.*/proc/self/fd/$n"
    done
}

@test "cwd escape: a cwd symlink to /../../.. resolves to the container's own root, not the host's" {
    make_bundle "$BUNDLE" sh -c 'pwd -P; ls -a'
    ln -s /../../.. "$BUNDLE/rootfs/up"
    bundle_jq "$BUNDLE" '.process.cwd = "/up"'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = / ]
    # What it lists is the rootfs, entry for entry, and nothing of the
    # host's root (such as this test's own directory tree).
    [ "$(printf '%s\n' "${lines[@]:1}" | sort)" = "$(ls -a "$BUNDLE/rootfs" | sort)" ]
}

@test "cwd escape: paths through the leaked fd 7 (/proc/self/fd/7/tmp, /proc/self/fd/7/../../.., a symlink to it) all fail before the program starts" {
    make_bundle "$BUNDLE" "${STARTED_PROGRAM[@]}"
    ln -s /proc/self/fd/7 "$BUNDLE/rootfs/leak"
    local cwd
    exec 7</
    for cwd in /proc/self/fd/7/tmp /proc/self/fd/7/../../.. /leak /leak/tmp; do
        bundle_jq "$BUNDLE" '.process.cwd = $c' --arg c "$cwd"
        run --separate-stderr vrun
        if [[ $output == *STARTED* ]] || [ "$status" -eq 0 ]; then
            exec 7<&-
            echo "cwd $cwd: the program started (status $status):" >&2
            echo "$output" >&2
            return 1
        fi
        assert_one_error_line "cwd.*$cwd" || {
            exec 7<&-
            return 1
        }
    done
    exec 7<&-
}

@test "cwd escape: a process.cwd that cannot be created fails with one error line instead of running elsewhere (/proc/no-such-dir)" {
    # The program must start in process.cwd or not at all: a cwd quietly
    # dropped for "/" is how a refused cwd could go unnoticed.
    make_bundle "$BUNDLE" "${STARTED_PROGRAM[@]}"
    bundle_jq "$BUNDLE" '.process.cwd = "/proc/no-such-dir"'
    run --separate-stderr vrun
    if [[ $output == *STARTED* ]] || [ "$status" -eq 0 ]; then
        echo "the program started (status $status) without its cwd:" >&2
        echo "$output" >&2
        return 1
    fi
    assert_one_error_line 'cwd.*/proc/no-such-dir'
}

@test "cwd escape: a relative cwd symlink climbing past the rootfs to a path that exists on the host and in the rootfs lands in the rootfs's copy" {
    # On the host the link reaches $BATS_TEST_TMPDIR, which holds the
    # bundle; inside it must reach the rootfs's own copy of the path.
    make_bundle "$BUNDLE" sh -c 'pwd -P; ls -A'
    mkdir -p "$BUNDLE/rootfs$BATS_TEST_TMPDIR"
    touch "$BUNDLE/rootfs$BATS_TEST_TMPDIR/inside-marker"
    ln -s "../../../../../../../../../../../../..$BATS_TEST_TMPDIR" "$BUNDLE/rootfs/up"
    bundle_jq "$BUNDLE" '.process.cwd = "/up"'
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$BATS_TEST_TMPDIR" ]
    # Not the host directory's entries (bundle, ...): the rootfs's copy's.
    [ "${lines[*]:1}" = inside-marker ]
}

@test "cwd escape: a dangling relative cwd symlink climbing past the rootfs to a host directory fails, or starts in the rootfs's copy of the path" {
    make_bundle "$BUNDLE" sh -c 'pwd -P; ls -A'
    bundle_writable "$BUNDLE"
    ln -s "../../../../../../../../../../../../..$BATS_TEST_TMPDIR" "$BUNDLE/rootfs/up"
    bundle_jq "$BUNDLE" '.process.cwd = "/up"'
    run --separate-stderr vrun
    if [ "$status" -ne 0 ]; then
        assert_one_error_line 'cwd.*/up'
        return
    fi
    if [ "${lines[0]}" != "$BATS_TEST_TMPDIR" ]; then
        echo "cwd /up: the program started in ${lines[0]}, not in /up:" >&2
        echo "$output" >&2
        return 1
    fi
    # The host directory's entries (bundle, ...) are not there.
    [ "${#lines[@]}" -eq 1 ]
}
