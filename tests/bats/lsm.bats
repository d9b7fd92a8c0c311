#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.apparmorProfile, process.selinuxLabel, and exec's --apparmor and
# --process-label, applied for real: on a host where the LSM is on.  Ours
# have AppArmor off, so these skip here; tests/vm/cgroup2-vm.sh runs them in
# a VM whose Debian kernel has AppArmor on, with apparmor_parser to load a
# profile.  (The refusals on a host without them: process-attrs.bats.)

load helpers

PROFILE=voidoci-test-lsm

setup() {
    voidoci_setup
}

teardown() {
    voidoci_teardown
}

# need_apparmor: skip unless a profile can be loaded here; then load ours.
# It allows everything but reading or writing /etc/secret, and stays
# loaded (reloaded by each test, the same every time).
need_apparmor() {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
        skip "AppArmor is not enabled in this kernel"
    command -v apparmor_parser >/dev/null || skip "apparmor_parser is missing (package apparmor)"
    [ -d /sys/kernel/security/apparmor ] || skip "securityfs is not mounted on /sys/kernel/security"
    # attach_disconnected: the container's paths are seen from its own root.
    cat >"$BATS_TEST_TMPDIR/profile" <<PROFILE_TEXT
profile $PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /etc/secret rw,
}
PROFILE_TEXT
    apparmor_parser -r -K "$BATS_TEST_TMPDIR/profile"
    grep -q "^$PROFILE (enforce)" /sys/kernel/security/apparmor/profiles
}

# What the container reports: its confinement, then whether each file reads.
REPORT='echo "label: $(cat /proc/self/attr/current)"
for f in /etc/secret /etc/public; do
    if cat "$f" >/dev/null 2>&1; then echo "$f: read"; else echo "$f: denied"; fi
done'

make_lsm_bundle() {
    make_bundle "$BUNDLE" "$@"
    echo secret >"$BUNDLE/rootfs/etc/secret"
    echo public >"$BUNDLE/rootfs/etc/public"
}

@test "lsm: process.apparmorProfile confines the program: its label is the profile, enforced, and a denied file cannot be read" {
    need_apparmor
    make_lsm_bundle sh -c "$REPORT"
    bundle_jq "$BUNDLE" '.process.apparmorProfile = "'"$PROFILE"'"'
    run vrun
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"label: $PROFILE (enforce)"* ]]
    [[ $output == *"/etc/secret: denied"* ]]
    [[ $output == *"/etc/public: read"* ]]
}

@test "lsm: control: without apparmorProfile the program is unconfined and reads both files" {
    need_apparmor
    make_lsm_bundle sh -c "$REPORT"
    run vrun
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"label: unconfined"* ]]
    [[ $output == *"/etc/secret: read"* ]]
}

@test "lsm: a profile that is not loaded fails create with one line naming it, and leaves nothing" {
    need_apparmor
    make_lsm_bundle true
    bundle_jq "$BUNDLE" '.process.apparmorProfile = "voidoci-no-such-profile"'
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line 'voidoci-no-such-profile'
    [ ! -e "$ROOT/$ID" ]
}

@test "lsm: exec --apparmor, and apparmorProfile in exec's process.json, confine the new process only" {
    need_apparmor
    make_lsm_bundle sleep 100
    vcreate
    vstart
    run vo exec --apparmor "$PROFILE" "$ID" sh -c "$REPORT"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"label: $PROFILE (enforce)"* ]]
    [[ $output == *"/etc/secret: denied"* ]]
    jq -n --arg p "$PROFILE" --arg r "$REPORT" \
        '{user: {uid: 0, gid: 0}, args: ["sh", "-c", $r], cwd: "/", env: ["PATH=/bin"], apparmorProfile: $p}' \
        >"$BATS_TEST_TMPDIR/process.json"
    run vo exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"label: $PROFILE (enforce)"* ]]
    [[ $output == *"/etc/secret: denied"* ]]
    # The init was left as it was.
    [ "$(cat "/proc/$(state_field pid)/attr/current")" = unconfined ]
    vo delete --force "$ID"
}

@test "lsm: process.selinuxLabel is the program's context (the runtime's own context, the one label every policy has)" {
    [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinux ] ||
        skip "SELinux is not enabled in this kernel (no selinuxfs on /sys/fs/selinux)"
    local label
    label=$(tr -d '\0' </proc/self/attr/current)
    make_bundle "$BUNDLE" cat /proc/self/attr/current
    bundle_jq "$BUNDLE" '.process.selinuxLabel = "'"$label"'"'
    run vrun
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(tr -d '\0' <<<"$output")" = "$label" ]
}
