#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile and broken input: every broken config.json in bad-configs.tsv and
# bad-files.tsv, and every bad command line below, must give exactly one
# error line that names what is wrong and where (the JSON path), a non-zero
# exit, and leave nothing behind: no state directory, no mount, no process.

load ../bats/helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# try_config NAME ERE: run the bundle as it is now; print what is wrong (and
# return 1) unless it failed with one error line that ERE matches from just
# after the prefix (so that "config\.json: PATH: " is where it must be), and
# left nothing.
try_config() {
    local name=$1 ere=$2 status=0 out err
    out=$(vo run --bundle "$BUNDLE" "$ID" 2>"$BATS_TEST_TMPDIR/stderr") || status=$?
    err=$(cat "$BATS_TEST_TMPDIR/stderr")
    local prefix="voidoci: run \"$ID\": "
    if [ "$status" -eq 0 ]; then
        echo "[$name] was accepted"
    elif [ "$(printf '%s' "$err" | grep -c '')" -ne 1 ]; then
        echo "[$name] wants one error line, got: $err"
    elif [[ $err != "$prefix"* ]]; then
        echo "[$name] error does not start with '$prefix': $err"
    elif ! grep -Eq -- "^($ere)" <<<"${err#"$prefix"}"; then
        echo "[$name] error does not match /$ere/: $err"
    elif [ -n "$out" ]; then
        echo "[$name] printed on stdout: $out"
    elif [ -e "$ROOT/$ID" ]; then
        echo "[$name] left its state directory $ROOT/$ID"
    elif [ -n "$(_leaked_mounts)" ]; then
        echo "[$name] left mounts: $(_leaked_mounts)"
    elif [ -n "$(runtime_pids)" ]; then
        echo "[$name] left processes: $(runtime_pids)"
    else
        return 0
    fi
    return 1
}

@test "bad input: each broken config.json of bad-configs.tsv is refused with one line naming the field" {
    local name filter ere failures=0 n=0
    make_bundle "$BUNDLE" true
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    while IFS=$'\t' read -r name filter ere; do
        [[ -z $name || $name == '#'* ]] && continue
        n=$((n + 1))
        jq "$filter" "$BATS_TEST_TMPDIR/base.json" >"$BUNDLE/config.json" || {
            echo "[$name] jq filter failed: $filter"
            failures=$((failures + 1))
            continue
        }
        try_config "$name" "$ere" || failures=$((failures + 1))
    done <"$BATS_TEST_DIRNAME/bad-configs.tsv"
    echo "$n variants, $failures wrong"
    [ "$n" -ge 100 ]
    [ "$failures" -eq 0 ]
}

@test "bad input: each broken config.json file of bad-files.tsv (bytes jq cannot write) is refused" {
    local name how ere failures=0 n=0
    make_bundle "$BUNDLE" true
    cp "$BUNDLE/config.json" "$BUNDLE/base.json"
    while IFS=$'\t' read -r name how ere; do
        [[ -z $name || $name == '#'* ]] && continue
        n=$((n + 1))
        rm -rf "$BUNDLE/config.json"
        (cd "$BUNDLE" && eval "$how") || {
            echo "[$name] could not write the file: $how"
            failures=$((failures + 1))
            continue
        }
        try_config "$name" "$ere" || failures=$((failures + 1))
    done <"$BATS_TEST_DIRNAME/bad-files.tsv"
    rm -rf "$BUNDLE/config.json"
    echo "$n files, $failures wrong"
    [ "$failures" -eq 0 ]
}

# try_cli ERE ARG...: voidoci ARG... must fail with one error line matching ERE.
try_cli() {
    local ere=$1 status=0 err
    shift
    "$VOIDOCI" --root "$ROOT" "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/stderr" || status=$?
    err=$(cat "$BATS_TEST_TMPDIR/stderr")
    if [ "$status" -eq 0 ]; then
        echo "[voidoci $*] was accepted"
    elif [ "$(printf '%s' "$err" | grep -c '')" -ne 1 ] || [[ $err != "voidoci: "* ]]; then
        echo "[voidoci $*] wants one 'voidoci: ' error line, got: $err"
    elif ! grep -Eq -- "$ere" <<<"$err"; then
        echo "[voidoci $*] error does not match /$ere/: $err"
    elif [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
        echo "[voidoci $*] left $(ls -A "$ROOT") in the state root"
    else
        return 0
    fi
    return 1
}

@test "bad input: bad command lines are refused with one line and create nothing" {
    local failures=0
    make_bundle "$BUNDLE" true
    : >"$BATS_TEST_TMPDIR/a-file"
    try_cli 'unknown global option "--bogus"' --bogus run -b "$BUNDLE" "$ID" || failures=$((failures + 1))
    try_cli 'unknown command "nosuchcommand"' nosuchcommand || failures=$((failures + 1))
    try_cli 'run: unknown or incomplete option "--bogus"' run --bogus -b "$BUNDLE" "$ID" || failures=$((failures + 1))
    try_cli 'create: unknown or incomplete option "-z"' create -z -b "$BUNDLE" "$ID" || failures=$((failures + 1))
    try_cli 'run: .*container ID' run -b "$BUNDLE" || failures=$((failures + 1))
    try_cli 'create: .*container ID' create -b "$BUNDLE" || failures=$((failures + 1))
    try_cli 'start: .*container ID' start || failures=$((failures + 1))
    try_cli 'delete: .*container ID' delete || failures=$((failures + 1))
    try_cli 'kill: .*container ID' kill || failures=$((failures + 1))
    try_cli 'state: .*container ID' state || failures=$((failures + 1))
    try_cli 'bundle.*/nonexistent-voidoci-bundle' run -b /nonexistent-voidoci-bundle "$ID" || failures=$((failures + 1))
    try_cli 'a-file/config\.json": Not a directory' run -b "$BATS_TEST_TMPDIR/a-file" "$ID" || failures=$((failures + 1))
    try_cli 'container ID' run -b "$BUNDLE" "a/b" || failures=$((failures + 1))
    try_cli 'container ID' run -b "$BUNDLE" ".." || failures=$((failures + 1))
    try_cli 'container ID' run -b "$BUNDLE" "../$ID" || failures=$((failures + 1))
    try_cli 'container ID' run -b "$BUNDLE" "" || failures=$((failures + 1))
    try_cli 'container ID' run -b "$BUNDLE" "$(printf 'a%.0s' $(seq 1100))" || failures=$((failures + 1))
    try_cli 'container ID' run -b "$BUNDLE" "$(printf 'a\nb')" || failures=$((failures + 1))
    try_cli 'does not exist' state "nosuch-$ID" || failures=$((failures + 1))
    try_cli 'does not exist' start "nosuch-$ID" || failures=$((failures + 1))
    try_cli 'does not exist' kill "nosuch-$ID" KILL || failures=$((failures + 1))
    try_cli 'does not exist' delete "nosuch-$ID" || failures=$((failures + 1))
    try_cli 'kill ".*": unknown signal "SIGNOPE"' kill "$ID" SIGNOPE || failures=$((failures + 1))
    try_cli 'preserve-fds' run --preserve-fds -1 -b "$BUNDLE" "$ID" || failures=$((failures + 1))
    try_cli 'preserve-fds' run --preserve-fds banana -b "$BUNDLE" "$ID" || failures=$((failures + 1))
    [ "$failures" -eq 0 ]
}
