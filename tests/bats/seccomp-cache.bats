#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Compiled seccomp filters on disk (src/seccomp_cache.c): create keeps the
# program in the state directory, its key in state.json, and exec loads that
# one without reading the profile's rules (a tampered copy fails exec, a
# missing one is compiled again); identical profiles share one
# entry of <root>/.seccomp-cache, 0600 in a 0700 directory, never written
# through a symlink; in every case the filter is in force in the process.

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# A profile that allows everything but mkdir and mkdirat (EPERM); $1 adds
# to the list of names, so that two profiles differ.
profile() {
    jq -nc --arg extra "${1-mkdir}" '{defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{names: (["mkdir", "mkdirat"] + [$extra] | unique), action: "SCMP_ACT_ERRNO"}]}'
}

# sleeper ID [PROFILE]: a running container of its own bundle under PROFILE.
sleeper() {
    local id=$1 bundle=$BATS_TEST_TMPDIR/bundle-$1
    make_bundle "$bundle" sleep 1000
    bundle_writable "$bundle"
    bundle_jq "$bundle" '.linux.seccomp = $s' --argjson s "${2-$(profile)}"
    vo create --bundle "$bundle" "$id" </dev/null >/dev/null 3>&-
    vo start "$id" </dev/null 3>&-
    wait_status running "$id"
}

# denied ID: exec's process in ID gets EPERM from mkdir, and runs.
denied() {
    run vo exec "$1" sh -c 'mkdir /tmp/x; echo "rc=$?"; grep "^Seccomp:" /proc/self/status' </dev/null
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"rc=1"* ]]
    [[ $output == *"Operation not permitted"* ]]
    grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$output"
}

cache_entries() {
    find "$ROOT/.seccomp-cache" -mindepth 1 -maxdepth 1 | sort
}

@test "seccomp cache: create stores the filter 0600 in the state directory and exec's process runs under it" {
    sleeper "$ID"
    [ "$(stat -c '%a %u' "$ROOT/$ID/seccomp.bpf")" = "600 0" ]
    denied "$ID"
    vo delete --force "$ID"
}

@test "seccomp cache: exec refuses a stored filter whose instructions were changed (fail closed)" {
    sleeper "$ID"
    # One byte of the last instruction (past the 96-byte header) flipped.
    local f=$ROOT/$ID/seccomp.bpf size
    size=$(stat -c %s "$f")
    printf '\x7f' | dd of="$f" bs=1 seek=$((size - 1)) conv=notrunc status=none
    run vo exec "$ID" true </dev/null
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"stored seccomp filter \"$ROOT/$ID/seccomp.bpf\": its instructions do not match their sha256"* ]]
    vo delete --force "$ID"
}

@test "seccomp cache: exec refuses another profile's filter, a symlink, or a file others may read, in the state directory" {
    sleeper "$ID"
    sleeper "$ID-other" "$(profile rmdir)"
    local f=$ROOT/$ID/seccomp.bpf
    cp "$ROOT/$ID-other/seccomp.bpf" "$f"
    run vo exec "$ID" true </dev/null
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"seccomp.bpf\": compiled from another profile"* ]]
    rm "$f"
    ln -s "$ROOT/$ID-other/seccomp.bpf" "$f"
    run vo exec "$ID" true </dev/null
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"open the stored seccomp filter \"$f\": Too many levels of symbolic links"* ]]
    rm "$f"
    cp "$ROOT/$ID-other/seccomp.bpf" "$f"
    chmod 644 "$f"
    run vo exec "$ID" true </dev/null
    [ "$status" -ne 0 ]
    [[ $output == *"not a regular file of ours, mode 0600"* ]]
    vo delete --force "$ID"
    vo delete --force "$ID-other"
}

@test "seccomp cache: exec takes the stored filter by state.json's seccompKey, not reading the copy's rules; without the key it reads them" {
    sleeper "$ID"
    local copy=$ROOT/$ID/config.json
    grep -Eq '"seccompKey":"[0-9a-f]{64}"' "$ROOT/$ID/state.json"
    # Rules no parse would take: exec does not read them, and its process
    # runs under the filter create compiled.
    jq '.linux.seccomp.syscalls = [{"names": 5}]' "$copy" >"$copy.new"
    mv "$copy.new" "$copy"
    denied "$ID"
    # state.json of an older voidoci: no key, the copy read whole.
    jq -c 'del(.seccompKey)' "$ROOT/$ID/state.json" >"$ROOT/$ID/state.json.new"
    mv "$ROOT/$ID/state.json.new" "$ROOT/$ID/state.json"
    run vo exec "$ID" true </dev/null
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"linux.seccomp.syscalls[0].names"* ]]
    # ... and the stored filter checked against the copy's profile.
    jq --argjson s "$(profile rmdir)" '.linux.seccomp = $s' "$copy" >"$copy.new"
    mv "$copy.new" "$copy"
    run vo exec "$ID" true </dev/null
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"seccomp.bpf\": compiled from another profile"* ]]
    vo delete --force "$ID"
}

@test "seccomp cache: exec compiles the profile again when the container has no stored filter" {
    sleeper "$ID"
    rm "$ROOT/$ID/seccomp.bpf" "$ROOT"/.seccomp-cache/*
    denied "$ID"
    vo delete --force "$ID"
}

@test "seccomp cache: identical profiles share one entry, 0600 in a 0700 directory; another profile adds one" {
    sleeper "$ID-a"
    [ "$(stat -c '%a %u' "$ROOT/.seccomp-cache")" = "700 0" ]
    local first
    first=$(cache_entries)
    [ "$(wc -l <<<"$first")" -eq 1 ]
    [ "$(stat -c '%a %u %F' "$first")" = "600 0 regular file" ]
    local inode
    inode=$(stat -c %i "$first")
    sleeper "$ID-b"
    # Read, not written again: the same file.
    [ "$(cache_entries)" = "$first" ]
    [ "$(stat -c %i "$first")" = "$inode" ]
    denied "$ID-b"
    sleeper "$ID-c" "$(profile rmdir)"
    [ "$(cache_entries | wc -l)" -eq 2 ]
    # list shows containers only.
    run vo list -q
    [[ $output != *seccomp-cache* ]]
    # Its name is no container's.
    run vo create --bundle "$BATS_TEST_TMPDIR/bundle-$ID-a" .seccomp-cache
    [ "$status" -ne 0 ]
    [[ $output == *'invalid container ID ".seccomp-cache": the name of the seccomp filter cache'* ]]
    for c in a b c; do vo delete --force "$ID-$c"; done
}

@test "seccomp cache: a symlink planted at an entry is not followed, and a corrupt entry is compiled again" {
    sleeper "$ID-a"
    local entry
    entry=$(cache_entries)
    vo delete --force "$ID-a"
    echo precious >"$BATS_TEST_TMPDIR/target"
    rm "$entry"
    ln -s "$BATS_TEST_TMPDIR/target" "$entry"
    sleeper "$ID-b"
    [ "$(cat "$BATS_TEST_TMPDIR/target")" = precious ]
    [ -f "$entry" ] && [ ! -L "$entry" ]
    denied "$ID-b"
    vo delete --force "$ID-b"
    # Cut short: compiled again and replaced, never loaded.
    truncate -s 200 "$entry"
    sleeper "$ID-c"
    [ "$(stat -c %s "$entry")" -eq "$(stat -c %s "$ROOT/$ID-c/seccomp.bpf")" ]
    cmp "$entry" "$ROOT/$ID-c/seccomp.bpf"
    denied "$ID-c"
    vo delete --force "$ID-c"
}
