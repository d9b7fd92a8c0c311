#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci list: the containers under --root, as a table (ID PID STATUS
# BUNDLE CREATED OWNER), as a JSON array of state objects, or IDs only (-q).

load helpers

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# Two containers: $ID created, from $BUNDLE; $ID-b running, from $BUNDLE_B
# (the same rootfs, another cgroup).
make_two_containers() {
    make_bundle "$BUNDLE" sleep 100
    BUNDLE_B=$BATS_TEST_TMPDIR/b
    bundle_clone "$BUNDLE" "$BUNDLE_B"
    vcreate --pid-file "$BATS_TEST_TMPDIR/a.pid"
    BUNDLE=$BUNDLE_B vcreate --id "$ID-b" --pid-file "$BATS_TEST_TMPDIR/b.pid"
    vstart "$ID-b"
}

delete_two_containers() {
    vo delete --force "$ID"
    vo delete --force "$ID-b"
}

@test "list: an empty root lists no containers (table, json, -q)" {
    run --separate-stderr vo list -q
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    run --separate-stderr vo list
    [ "$status" -eq 0 ]
    # At most the header.
    [ "${#lines[@]}" -le 1 ]
    run --separate-stderr vo list --format json
    [ "$status" -eq 0 ]
    # runc prints null here (a nil Go slice); voidoci keeps that.
    [ "$output" = "null" ]
}

@test "list: the table has the header ID PID STATUS BUNDLE CREATED OWNER and a row per container" {
    make_two_containers
    run --separate-stderr vo list
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(awk 'NR == 1 { print $1, $2, $3, $4, $5, $6 }' <<<"$output")" = "ID PID STATUS BUNDLE CREATED OWNER" ]
    [ "${#lines[@]}" -eq 3 ]
    grep -Eq "^$ID +$(cat "$BATS_TEST_TMPDIR/a.pid") +created +$BUNDLE +" <<<"$output"
    grep -Eq "^$ID-b +$(cat "$BATS_TEST_TMPDIR/b.pid") +running +$BUNDLE_B +" <<<"$output"
    delete_two_containers
}

@test "list --format json: an array of state objects, one per container" {
    make_two_containers
    run --separate-stderr vo list --format json
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    jq -e --arg a "$ID" --arg b "$ID-b" --arg bundle "$BUNDLE" --arg bundle_b "$BUNDLE_B" \
        --argjson pa "$(cat "$BATS_TEST_TMPDIR/a.pid")" --argjson pb "$(cat "$BATS_TEST_TMPDIR/b.pid")" '
        type == "array" and length == 2
        and (map(select(.id == $a and .status == "created" and .pid == $pa and .bundle == $bundle)) | length) == 1
        and (map(select(.id == $b and .status == "running" and .pid == $pb and .bundle == $bundle_b)) | length) == 1
        and all(.[]; (.created | type == "string"))' <<<"$output"
    delete_two_containers
}

@test "list: each container's status from its own cgroup: a paused one beside a created one" {
    make_two_containers
    vo pause "$ID-b"
    run --separate-stderr vo list --format json
    [ "$status" -eq 0 ]
    jq -e --arg a "$ID" --arg b "$ID-b" '
        (map(select(.id == $a and .status == "created")) | length) == 1
        and (map(select(.id == $b and .status == "paused")) | length) == 1' <<<"$output"
    vo resume "$ID-b"
    run --separate-stderr vo list --format json
    jq -e --arg b "$ID-b" 'map(select(.id == $b and .status == "running")) | length == 1' <<<"$output"
    delete_two_containers
}

@test "list: the OWNER of each state directory, one owned by another user" {
    make_two_containers
    chown 65534 "$ROOT/$ID-b"
    other=$(getent passwd 65534 | cut -d: -f1)
    other=${other:-#65534}
    run --separate-stderr vo list
    [ "$status" -eq 0 ]
    grep -Eq "^$ID +.* root\$" <<<"$output"
    grep -Eq "^$ID-b +.* $other\$" <<<"$output"
    run --separate-stderr vo list --format json
    jq -e --arg a "$ID" --arg b "$ID-b" --arg other "$other" '
        (map(select(.id == $a and .owner == "root")) | length) == 1
        and (map(select(.id == $b and .owner == $other)) | length) == 1' <<<"$output"
    # root does not act on another user's state directory (it could have
    # been rewritten); state still reads it
    run --separate-stderr -1 vo delete --force "$ID-b"
    assert_one_error_line 'belongs to uid 65534, not to the caller \(uid 0\)'
    run -0 vo state "$ID-b"
    chown 0 "$ROOT/$ID-b"
    delete_two_containers
}

@test "list -q: only the IDs, one per line" {
    make_two_containers
    run --separate-stderr vo list -q
    [ "$status" -eq 0 ]
    [ "$(sort <<<"$output")" = "$(printf '%s\n' "$ID" "$ID-b" | sort)" ]
    delete_two_containers
}

@test "list: a container whose program exited is listed as stopped" {
    make_bundle "$BUNDLE" true
    vcreate
    vstart
    wait_status stopped
    run --separate-stderr vo list --format json
    [ "$status" -eq 0 ]
    jq -e --arg id "$ID" 'length == 1 and .[0].id == $id and .[0].status == "stopped"' <<<"$output"
    run --separate-stderr vo list
    grep -Eq "^$ID +[0-9]+ +stopped +" <<<"$output"
    vo delete "$ID"
    run vo list -q
    [ -z "$output" ]
}
