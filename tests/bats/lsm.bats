#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Security labels applied, read back from inside the container:
# process.apparmorProfile (run, exec --apparmor, exec --process) and
# process.selinuxLabel.  The AppArmor tests need a kernel with AppArmor on,
# securityfs and apparmor_parser: the cgroup v2 VM has all three
# (tests/vm/cgroup2-vm.sh), this machine's kernel has no AppArmor.  What a
# host without the LSM does with a label is in process-attrs.bats (run) and
# here (exec --apparmor).

load helpers

setup() {
    voidoci_setup
    PROFILE=voidoci-lsm-$ID
    PROFILE_FILE=$BATS_TEST_TMPDIR/profile
    PROFILE_LOADED=
}

# The profile goes after the containers: a profile that outlived its test
# is a leak like a mount.
teardown() {
    local rc=0
    voidoci_teardown || rc=1
    if [ -n "$PROFILE_LOADED" ]; then
        apparmor_parser -R "$PROFILE_FILE" || rc=1
        if grep -q "^$PROFILE " /sys/kernel/security/apparmor/profiles; then
            echo "leaked AppArmor profile: $PROFILE" >&2
            rc=1
        fi
    fi
    return "$rc"
}

apparmor_on() {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]
}

# require_apparmor: skip, naming what is missing, unless profiles can be
# loaded and applied here.
require_apparmor() {
    local on
    on=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) ||
        skip "this kernel has no AppArmor (no /sys/module/apparmor)"
    [ "$on" = Y ] ||
        skip "this kernel has AppArmor built in but off (enabled=$on): boot with lsm=...,apparmor"
    [ -e /sys/kernel/security/apparmor/.load ] ||
        skip "securityfs is not mounted at /sys/kernel/security: no AppArmor policy interface"
    command -v apparmor_parser >/dev/null ||
        skip "apparmor_parser is missing (apt-get install apparmor)"
}

# load_profile: $PROFILE, in enforce mode, allows everything but reading or
# writing /etc/voidoci-secret.  attach_disconnected: the container's fds
# opened before the pivot (its stdio here) lie outside its root.
load_profile() {
    cat >"$PROFILE_FILE" <<EOF
profile $PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  pivot_root,
  deny /etc/voidoci-secret rw,
}
EOF
    apparmor_parser -r -K "$PROFILE_FILE"
    PROFILE_LOADED=1
    grep -qxF "$PROFILE (enforce)" /sys/kernel/security/apparmor/profiles
}

# The program every test runs: its own label, then whether it can read a
# plain file, then read and write the one the profile denies.
PROBE='cat /proc/self/attr/current; echo
cat /etc/voidoci-open
if cat /etc/voidoci-secret 2>/dev/null; then echo read; else echo read-denied; fi
if { echo x >/etc/voidoci-secret; } 2>/dev/null; then echo wrote; else echo write-denied; fi'

# bundle_with_secret [COMMAND...]: a writable bundle (default: the probe)
# with /etc/voidoci-open and /etc/voidoci-secret.
bundle_with_secret() {
    if [ $# -eq 0 ]; then
        set -- sh -c "$PROBE"
    fi
    make_bundle "$BUNDLE" "$@"
    bundle_writable "$BUNDLE"
    echo open >"$BUNDLE/rootfs/etc/voidoci-open"
    echo secret >"$BUNDLE/rootfs/etc/voidoci-secret"
}

# The probe's output in the profile, and unconfined.  attr/current ends in
# a newline or a NUL depending on the kernel: tr drops the NUL, and the
# probe's echo ends the line either way.
confined() {
    printf '%s\n' "$PROFILE (enforce)" open read-denied write-denied
}
unconfined() {
    printf '%s\n' unconfined open secret read wrote
}
probe_output() {
    tr -d '\0' | sed '/^$/d'
}

# sleeper [FILTER [JQ-OPTION...]]: a created and started container running
# sleep, with FILTER on its config.
sleeper() {
    bundle_with_secret sleep 1000
    if [ $# -gt 0 ]; then
        bundle_jq "$BUNDLE" "$@"
    fi
    vcreate
    vstart
    wait_status running
}

@test "apparmorProfile: the program runs in the profile, enforced: its deny rules hold, the rest is allowed" {
    require_apparmor
    load_profile
    bundle_with_secret
    bundle_jq "$BUNDLE" '.process.apparmorProfile = $p' --arg p "$PROFILE"
    run -0 vrun
    [ "$(probe_output <<<"$output")" = "$(confined)" ]
    [ "$(cat "$BUNDLE/rootfs/etc/voidoci-secret")" = secret ]
    # The control: the same container without the profile reads and writes it.
    bundle_jq "$BUNDLE" 'del(.process.apparmorProfile)'
    run -0 vrun
    [ "$(probe_output <<<"$output")" = "$(unconfined)" ]
    [ "$(cat "$BUNDLE/rootfs/etc/voidoci-secret")" = x ]
}

@test "apparmorProfile: a profile the kernel has not loaded fails the run, naming it, and leaves nothing" {
    require_apparmor
    bundle_with_secret sh -c 'echo ran > /ran'
    bundle_jq "$BUNDLE" '.process.apparmorProfile = $p' --arg p "$PROFILE-not-loaded"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "set AppArmor profile \"$PROFILE-not-loaded\" for the exec"
    [ ! -e "$BUNDLE/rootfs/ran" ]
}

@test "exec --apparmor: the new process runs in the profile; without it, in the container's (none here)" {
    require_apparmor
    load_profile
    sleeper
    run -0 vo exec --apparmor "$PROFILE" "$ID" sh -c "$PROBE" </dev/null
    [ "$(probe_output <<<"$output")" = "$(confined)" ]
    run -0 vo exec "$ID" sh -c "$PROBE" </dev/null
    [ "$(probe_output <<<"$output")" = "$(unconfined)" ]
    # The container's init stays as it was.
    [ "$(tr -d '\0' <"/proc/$(state_field pid)/attr/current")" = unconfined ]
    vo delete --force "$ID"
}

@test "exec --process: process.json's apparmorProfile is the new process's" {
    require_apparmor
    load_profile
    sleeper
    jq '.process | .args = ["sh", "-c", $probe] | .apparmorProfile = $p' \
        --arg probe "$PROBE" --arg p "$PROFILE" <"$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
    run -0 vo exec --process "$BATS_TEST_TMPDIR/process.json" "$ID" </dev/null
    [ "$(probe_output <<<"$output")" = "$(confined)" ]
    vo delete --force "$ID"
}

@test "exec: without --apparmor the process gets the container's apparmorProfile (as runc)" {
    require_apparmor
    load_profile
    sleeper '.process.apparmorProfile = $p' --arg p "$PROFILE"
    [ "$(tr -d '\0' <"/proc/$(state_field pid)/attr/current")" = "$PROFILE (enforce)" ]
    run -0 vo exec "$ID" sh -c "$PROBE" </dev/null
    [ "$(probe_output <<<"$output")" = "$(confined)" ]
    vo delete --force "$ID"
}

@test "exec --apparmor on a host without AppArmor is refused by name; the container runs on" {
    if apparmor_on; then
        skip "AppArmor is enabled here: this test is for hosts without it"
    fi
    sleeper
    run --separate-stderr vo exec --apparmor voidoci-test "$ID" sh -c 'echo ran > /ran' </dev/null
    [ "$status" -eq 255 ]
    assert_one_error_line 'AppArmor is not enabled on this host$'
    [ ! -e "$BUNDLE/rootfs/ran" ]
    # Nothing of the exec is left: the container has its init alone.
    [ "$(rootfs_pids)" = "$(state_field pid)" ]
    state_is running
    vo delete --force "$ID"
}

# The one label known to be valid here is the runtime's own context, which
# the program would have anyway: so a label the policy cannot have must
# fail the run, which proves the label is written, not dropped.
@test "selinuxLabel: the program runs with the label asked for (the runtime's own context)" {
    [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinux ] ||
        skip "SELinux is not enabled here (no selinuxfs at /sys/fs/selinux)"
    local label bogus
    label=$(tr -d '\0' </proc/self/attr/current)
    [ -n "$label" ]
    make_bundle "$BUNDLE" cat /proc/self/attr/current
    bundle_jq "$BUNDLE" '.process.selinuxLabel = $l' --arg l "$label"
    run -0 vrun
    [ "$(tr -d '\0' <<<"$output")" = "$label" ]
    # user:role:type[:level] with a type no policy has
    bogus=$(awk -F: -v OFS=: '{ $3 = "voidoci_no_such_t"; print }' <<<"$label")
    bundle_jq "$BUNDLE" '.process.selinuxLabel = $l' --arg l "$bogus"
    run --separate-stderr vrun
    [ "$status" -ne 0 ]
    assert_one_error_line "set SELinux label \"$bogus\" for the exec"
}
