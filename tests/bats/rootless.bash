# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by rootless.bats and rootless-cgroup2.bats:  load rootless
#
# voidoci run by an unprivileged user: a fixed high uid with no passwd
# entry ($RL_UID), entered with setpriv, on a `voidoci spec --rootless`
# bundle it owns; everything it touches is under a directory of the test's
# own ($RL_DIR, removed after).

RL_UID=${VOIDOCI_TEST_ROOTLESS_UID:-52718}

rootless_setup() {
    voidoci_setup
    command -v setpriv >/dev/null || skip "no setpriv (util-linux) to run as uid $RL_UID"
    [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ] ||
        skip "kernel.unprivileged_userns_clone is 0: a user cannot make a user namespace"
    RL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/voidoci-rootless.XXXXXX")
    chmod 0711 "$RL_DIR"
    RL_XDG=$RL_DIR/xdg
    mkdir -m 0700 "$RL_XDG"
    # The state root the user's calls default to; the teardown looks there.
    rmdir "$ROOT"
    ROOT=$RL_XDG/voidoci
    BUNDLE=$RL_DIR/bundle
    mkdir "$BUNDLE"
    cp -a "$(_rootfs_template)" "$BUNDLE/rootfs"
    chown -R "$RL_UID:$RL_UID" "$RL_XDG" "$BUNDLE"
    # The build directory may be closed to others: the user runs a copy.
    RL_VOIDOCI=$VOIDOCI
    if ! as_user test -x "$VOIDOCI"; then
        RL_VOIDOCI=$RL_DIR/voidoci
        cp "$VOIDOCI" "$RL_VOIDOCI"
        chmod 0755 "$RL_VOIDOCI"
    fi
    as_user "$RL_VOIDOCI" spec --rootless --bundle "$BUNDLE"
    rl_jq '.process.terminal = false'
}

rootless_teardown() {
    voidoci_teardown
    undelegate
    rm -rf "${RL_DIR:?}"
}

# as_user COMMAND...: COMMAND as uid and gid $RL_UID, no other groups, its
# XDG_RUNTIME_DIR $RL_XDG, from $RL_DIR.
as_user() {
    (cd "$RL_DIR" && setpriv --reuid="$RL_UID" --regid="$RL_UID" --clear-groups \
        env XDG_RUNTIME_DIR="$RL_XDG" HOME="$RL_DIR" "$@")
}

# uvo ARG...: the user's voidoci, with no --root, under the test's timeout
# and mark (see vo).
uvo() {
    as_user env VOIDOCI_TEST_MARK="${ID-}" timeout --kill-after=10 "$VOIDOCI_TEST_TIMEOUT" \
        "$RL_VOIDOCI" "$@"
}

# rl_jq FILTER [JQ-OPTION...]: rewrite the bundle's config.json, keeping it
# the user's.
rl_jq() {
    bundle_jq "$BUNDLE" "$@"
    chown "$RL_UID:$RL_UID" "$BUNDLE/config.json"
}

# ucreate: the user's create of the bundle as $ID.  The init keeps create's
# stdio: files, not a pipe that bats would read to its end (see run_create).
ucreate() {
    uvo create --bundle "$BUNDLE" "$ID" </dev/null >"$RL_DIR/create.out" \
        2>"$RL_DIR/create.err" 3>&- || {
        cat "$RL_DIR/create.err" >&2
        return 1
    }
}

rl_args() {
    bundle_set_args "$BUNDLE" "$@"
    chown "$RL_UID:$RL_UID" "$BUNDLE/config.json"
}

# A cgroup v2 subtree delegated to the user, as systemd gives a user
# session: the directory and its cgroup.procs, cgroup.subtree_control and
# cgroup.threads are the user's, the controllers enabled above it.  The
# user's calls start in its leaf "shell", so that moving the init into a
# sibling needs only the user's own cgroup.procs (cgroup v2's rule: write
# access to the common ancestor).
delegate_subtree() {
    DELEGATED=/sys/fs/cgroup/voidoci-rl-$ID
    mkdir "$DELEGATED" "$DELEGATED/shell"
    chown "$RL_UID:$RL_UID" "$DELEGATED" "$DELEGATED"/cgroup.{procs,subtree_control,threads} \
        "$DELEGATED/shell" "$DELEGATED"/shell/cgroup.{procs,subtree_control,threads}
    local c
    for c in memory pids cpu; do
        echo "+$c" >"$DELEGATED/cgroup.subtree_control"
    done
}

# in_delegated COMMAND...: COMMAND, run in the delegated "shell" leaf.
in_delegated() {
    (
        echo "$BASHPID" >"$DELEGATED/shell/cgroup.procs"
        "$@"
    )
}

undelegate() {
    { [ -n "${DELEGATED-}" ] && [ -d "$DELEGATED" ]; } || return 0
    local d
    for d in "$DELEGATED"/*/; do
        if [ -d "$d" ]; then rmdir "$d"; fi
    done
    rmdir "$DELEGATED"
}

