#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# completion/voidoci.bash: sourced in bash, the completions of partial
# command lines.

load helpers

setup() {
    voidoci_setup
}

# Only the test that creates a container pays for helpers.bash's full leak
# scan (seconds on a busy host); the others run no container.
teardown() {
    if [ -n "${RAN_CREATE-}" ]; then
        voidoci_teardown
    else
        rm -rf "$ROOT"
    fi
}

# complete WORD...: the completions bash offers for the command line
# "voidoci WORD..." (the last WORD is the one being completed, "" for a
# new word), one per line, sorted.  The command is $VOIDOCI.
complete_line() {
    bash -c '
        source "$1"
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        _voidoci
        printf "%s\n" "${COMPREPLY[@]}" | sort' \
        sh "$VOIDOCI_SRCDIR/completion/voidoci.bash" "$VOIDOCI" "$@"
}

@test "completion: commands, global options and a command's options" {
    [ "$(complete_line e | xargs)" = "events exec explain" ]
    [ "$(complete_line --ro | xargs)" = "--root" ]
    [ "$(complete_line --log-format "" | xargs)" = "json text" ]
    [ "$(complete_line --root /tmp exec --pid | xargs)" = "--pid-file" ]
    [ "$(complete_line update --cpu-r | xargs)" = "--cpu-rt-period --cpu-rt-runtime" ]
    [ "$(complete_line explain --format "" | xargs)" = "json text" ]
    [ "$(complete_line list -f "" | xargs)" = "json table" ]
}

@test "completion: --bundle completes directories only" {
    mkdir -p "$BATS_TEST_TMPDIR/bdir/sub1" "$BATS_TEST_TMPDIR/bdir/sub2"
    touch "$BATS_TEST_TMPDIR/bdir/file1"
    [ "$(complete_line run --bundle "$BATS_TEST_TMPDIR/bdir/" | xargs)" = \
        "$BATS_TEST_TMPDIR/bdir/sub1 $BATS_TEST_TMPDIR/bdir/sub2" ]
    [ "$(complete_line create -b "$BATS_TEST_TMPDIR/bdir/s" | xargs)" = \
        "$BATS_TEST_TMPDIR/bdir/sub1 $BATS_TEST_TMPDIR/bdir/sub2" ]
}

@test "completion: container IDs from list -q under the --root given; signals for kill" {
    RAN_CREATE=1
    make_bundle "$BUNDLE" sleep 100
    vo create --bundle "$BUNDLE" "$ID"
    [ "$(complete_line --root "$ROOT" kill "")" = "$ID" ]
    [ "$(complete_line --root="$ROOT" delete --force "${ID:0:3}")" = "$ID" ]
    # another root holds no container
    mkdir "$BATS_TEST_TMPDIR/other-root"
    [ -z "$(complete_line --root "$BATS_TEST_TMPDIR/other-root" state "")" ]
    [ "$(complete_line --root "$ROOT" kill "$ID" TE | xargs)" = "TERM" ]
    [ "$(complete_line --root "$ROOT" kill --all "$ID" SIGUS | xargs)" = "USR1 USR2" ]
    # the ID is given: nothing more for state
    [ -z "$(complete_line --root "$ROOT" state "$ID" "")" ]
    vo delete --force "$ID"
}
