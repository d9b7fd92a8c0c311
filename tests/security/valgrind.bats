#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The runtime's own leaks, under valgrind: every command that acts on a
# live container (state, list, ps, events, update, pause, resume, kill,
# delete) must exit with no definite or indirect leak, no invalid memory
# access, and no file descriptor of its own still open.  The sanitizer
# build (LeakSanitizer) covers the same for the whole suite, create and run
# included; valgrind cannot run those two here, as it lacks openat2(2).

load ../bats/helpers

setup() {
    voidoci_setup
    command -v valgrind >/dev/null || skip "this machine has no valgrind"
    if ldd "$VOIDOCI" 2>/dev/null | grep -q libasan; then
        skip "this voidoci is built with ASan, which valgrind cannot run (the plain build runs this test)"
    fi
}

teardown() {
    voidoci_teardown
}

# under_valgrind ARG...: voidoci ARG... under valgrind; fails on a leak,
# a memory error, or an fd open at exit that the test did not pass in.
under_valgrind() {
    local log=$BATS_TEST_TMPDIR/valgrind.log
    run valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --error-exitcode=99 --track-fds=yes --log-file="$log" \
        "$VOIDOCI" --root "$ROOT" "$@" </dev/null 3>&-
    echo "voidoci $* -> $status"
    cat "$log"
    [ "$status" -eq 0 ]
    # Each open fd listed at exit is followed by where it came from: only
    # the ones inherited from this test may be there.
    awk '/Open file descriptor/ { fd = $0; getline; if ($0 !~ /inherited from parent/) { print fd; bad = 1 } }
        END { exit bad }' "$log"
    grep -q 'ERROR SUMMARY: 0 errors' "$log"
}

@test "valgrind: the commands on a live container leak no memory and no fd" {
    make_bundle "$BUNDLE" sleep 1000
    vcreate
    vstart
    wait_status running
    under_valgrind state "$ID"
    [[ $output == *'"status": "running"'* ]]
    under_valgrind list
    under_valgrind ps --format json "$ID"
    under_valgrind events --stats "$ID"
    under_valgrind update --pids-limit 50 --memory 64m "$ID"
    under_valgrind pause "$ID"
    under_valgrind resume "$ID"
    under_valgrind kill "$ID" KILL
    wait_status stopped
    under_valgrind delete "$ID"
    [ ! -e "$ROOT/$ID" ]
}

@test "valgrind: errors leak nothing either (unknown ID, bad update, delete of a running container)" {
    make_bundle "$BUNDLE" sleep 1000
    vcreate
    vstart
    local log=$BATS_TEST_TMPDIR/valgrind.log
    for args in "state nosuch" "update --memory nonsense $ID" "delete $ID"; do
        # shellcheck disable=SC2086 # the words are the arguments
        run valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=99 --log-file="$log" "$VOIDOCI" --root "$ROOT" $args </dev/null 3>&-
        cat "$log"
        # voidoci's own failure (1), not valgrind's 99
        [ "$status" -eq 1 ]
        grep -q 'ERROR SUMMARY: 0 errors' "$log"
    done
    vo delete --force "$ID"
}
