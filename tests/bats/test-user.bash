# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A test user with one /etc/subuid and /etc/subgid range, made by a bats
# file's setup_file and removed by its teardown_file.  Shared by
# tests/bats/rootless-subuid.bats (load test-user) and
# tests/clients/podman-rootless.bats (load ../bats/test-user).
#
# The file sets, before calling these: TU_NAME and TU_UID (a fixed name and
# uid of its own, the group the same), TU_SUBID_START and TU_SUBID_COUNT
# (its range, the same for uids and gids).  The user's home is a directory
# named $TU_NAME.* (or under one) that the file makes and removes: a user
# whose home is gone was left by a run killed before its teardown_file.
# The user and group are added with groupadd/useradd (useradd's own ranges
# off) and the range with usermod, and removed with userdel/groupdel,
# which take the range with them.

# test_user_unavailable: a reason to skip, on stdout, when the uid, the
# name or a range for them is already on this machine (not ours to use);
# nothing otherwise.  A user left by a killed run goes first.
test_user_unavailable() {
    test_user_remove_stale
    if getent passwd "$TU_UID" "$TU_NAME" >/dev/null ||
        getent group "$TU_UID" "$TU_NAME" >/dev/null; then
        echo "uid/gid $TU_UID or the name $TU_NAME is already on this machine: not ours to use"
    elif grep -qE "^($TU_NAME|$TU_UID):" /etc/subuid /etc/subgid 2>/dev/null; then
        echo "/etc/subuid or /etc/subgid already has a range for $TU_NAME ($TU_UID)"
    fi
}

# test_user_add HOME: the user and group, HOME its home (not made here),
# and the range.  TU_ADDED (exported) says there is something to remove.
test_user_add() {
    local last=$((TU_SUBID_START + TU_SUBID_COUNT - 1))
    groupadd -g "$TU_UID" "$TU_NAME" || return 1
    TU_ADDED=1
    export TU_ADDED
    useradd -M -N -u "$TU_UID" -g "$TU_UID" -d "$1" -s /usr/sbin/nologin \
        -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$TU_NAME" || return 1
    usermod --add-subuids "$TU_SUBID_START-$last" --add-subgids "$TU_SUBID_START-$last" \
        "$TU_NAME"
}

# test_user_remove_stale: a user this file added in a run killed before
# its teardown_file (its name and uid, its home under a $TU_NAME.*
# directory that no longer exists) goes, range and all, so that the file
# does not skip from then on.  A running file's user has its home.
test_user_remove_stale() {
    local ent home
    ent=$(getent passwd "$TU_NAME") || return 0
    home=$(cut -d: -f6 <<<"$ent")
    [ "$(cut -d: -f3 <<<"$ent")" = "$TU_UID" ] && [[ $home == */"$TU_NAME".* ]] &&
        [ ! -e "$home" ] || return 0
    echo "# removing $TU_NAME, left by a run killed before its teardown" >&3
    TU_ADDED=1 test_user_del
}

# test_user_del: userdel removes the user and its range; what it would
# leave (an older shadow) goes by its exact line.
test_user_del() {
    [ -n "${TU_ADDED-}" ] || return 0
    if getent passwd "$TU_NAME" >/dev/null; then
        userdel "$TU_NAME" || echo "teardown_file: userdel $TU_NAME failed" >&2
    fi
    if getent group "$TU_NAME" >/dev/null; then
        groupdel "$TU_NAME" || echo "teardown_file: groupdel $TU_NAME failed" >&2
    fi
    local f line="$TU_NAME:$TU_SUBID_START:$TU_SUBID_COUNT"
    for f in /etc/subuid /etc/subgid; do
        if grep -qx "$line" "$f"; then
            sed -i "/^$line\$/d" "$f"
        fi
    done
}
