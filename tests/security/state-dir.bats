#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The state directory and its files are not readable by other users: they
# hold the bundle path, the init's pid and whatever the runtime keeps to
# reach the container.

load ../bats/helpers

setup() {
    voidoci_setup
    command -v setpriv >/dev/null || skip "setpriv is missing (package util-linux): it runs as uid 65534"
}

teardown() {
    voidoci_teardown
}

# as_nobody COMMAND...: COMMAND as uid and gid 65534, no groups, no caps.
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"
}

@test "state directory: uid 65534 can neither list ROOT/ID nor read any file in it" {
    make_bundle "$BUNDLE" sleep 100
    # --root world-traversable, as /run is: only the state directory's own
    # modes may keep uid 65534 out.
    chmod 0755 "$ROOT"
    vcreate
    [ -f "$ROOT/$ID/state.json" ]
    run as_nobody ls "$ROOT"
    [ "$status" -eq 0 ]
    [ "$output" = "$ID" ]
    run as_nobody ls "$ROOT/$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"Permission denied"* ]]
    run as_nobody cat "$ROOT/$ID/state.json"
    [ "$status" -ne 0 ]
    [[ $output == *"Permission denied"* ]]
    # Nor any other file the runtime keeps there, nor the state command.
    local f
    for f in "$ROOT/$ID"/* "$ROOT/$ID"/.[!.]*; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        if [ -p "$f" ]; then
            # A fifo that did open would block cat: ask access(2) instead.
            run as_nobody test -r "$f"
        else
            run as_nobody cat "$f"
        fi
        if [ "$status" -eq 0 ]; then
            echo "uid 65534 read $f" >&2
            return 1
        fi
    done
    run as_nobody "$VOIDOCI" --root "$ROOT" state "$ID"
    [ "$status" -ne 0 ]
    [[ $output != *"$BUNDLE"* ]]
    vo delete --force "$ID"
}

@test "state directory: ROOT/ID and every file in it are closed to group and others (no r, w or x bits)" {
    # The directory's mode alone hides its files today; this holds each
    # file to it too, so that a later chmod of the directory exposes nothing.
    make_bundle "$BUNDLE" sleep 100
    vcreate
    local f mode
    for f in "$ROOT/$ID" "$ROOT/$ID"/* "$ROOT/$ID"/.[!.]*; do
        [ -e "$f" ] && [ ! -L "$f" ] || continue
        mode=$(stat -c %a "$f")
        if [ $((8#$mode & 077)) -ne 0 ]; then
            echo "$f has mode $mode" >&2
            ls -la "$ROOT/$ID" >&2
            return 1
        fi
    done
    vo delete --force "$ID"
}
