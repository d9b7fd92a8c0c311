# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by every tests/bats/*.bats file:  load helpers
#
# Each test gets its own state directory ($ROOT, passed as --root), its own
# container ID ($ID) and a bundle path ($BUNDLE, made by make_bundle).  The
# teardown fails the test if the test left a mount, a state directory, a
# cgroup or a process behind, after cleaning it up so that the next test
# starts clean.

bats_require_minimum_version 1.5.0

TESTS_DIR=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
VOIDOCI_SRCDIR=${VOIDOCI_SRCDIR:-$(cd "$TESTS_DIR/.." && pwd)}
VOIDOCI=${VOIDOCI:-$VOIDOCI_SRCDIR/build/src/voidoci}
export VOIDOCI VOIDOCI_SRCDIR
# No single container or runtime call in these tests should take this long:
# past it the call is killed, and the teardown reports what it left.
VOIDOCI_TEST_TIMEOUT=${VOIDOCI_TEST_TIMEOUT:-60}

# ---- setup and teardown ---------------------------------------------------

# Call from each file's setup().  Tests that run containers need root;
# `voidoci_setup --unprivileged` is for those that do not (spec, the CLI).
voidoci_setup() {
    [ -x "$VOIDOCI" ] || {
        echo "no voidoci binary at $VOIDOCI (build it, or set VOIDOCI)" >&2
        return 1
    }
    if [ "${1-}" != --unprivileged ] && [ "$(id -u)" != 0 ]; then
        skip "this machine runs the tests as uid $(id -u): voidoci run needs root"
    fi
    ROOT=$(mktemp -d "${TMPDIR:-/tmp}/voidoci-root.XXXXXX")
    ID="vt${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-$$-$RANDOM"
    BUNDLE=$BATS_TEST_TMPDIR/bundle
}

# Call from each file's teardown().
voidoci_teardown() {
    cd / || return 1
    local leaks=0
    check_nothing_left_behind || leaks=1
    if [ -n "${ROOT-}" ] && [ -d "$ROOT" ]; then
        rm -rf "$ROOT"
    fi
    return "$leaks"
}

# ---- bundles --------------------------------------------------------------

# The busybox rootfs is made once per bats run and copied for each test.
_rootfs_template() {
    local tpl=$BATS_RUN_TMPDIR/rootfs-template
    if [ ! -d "$tpl/rootfs" ]; then
        rm -rf "$tpl"
        "$TESTS_DIR/make-bundle.sh" --rootfs-only "$tpl" >&2 || return 1
    fi
    echo "$tpl/rootfs"
}

# make_bundle DIR [COMMAND [ARG...]]: a busybox bundle whose config.json is
# `voidoci spec`'s with terminal false and, if given, COMMAND as process.args.
make_bundle() {
    local dir=$1 tpl
    shift
    tpl=$(_rootfs_template) || return 1
    mkdir -p "$dir"
    cp -a "$tpl" "$dir/rootfs"
    "$TESTS_DIR/make-bundle.sh" --config-only "$dir" "$@"
}

# bundle_jq DIR FILTER [JQ-OPTION...]: rewrite DIR/config.json through jq,
# e.g. bundle_jq "$BUNDLE" '.hostname = $h' --arg h box.
bundle_jq() {
    local dir=$1 filter=$2 tmp
    shift 2
    tmp=$(mktemp "$dir/config.json.XXXXXX")
    if ! jq "$filter" "$@" <"$dir/config.json" >"$tmp"; then
        rm -f "$tmp"
        echo "bundle_jq: jq '$filter' failed on $dir/config.json" >&2
        return 1
    fi
    mv "$tmp" "$dir/config.json"
}

# bundle_set_args DIR ARG...: set process.args.
bundle_set_args() {
    local dir=$1
    shift
    bundle_jq "$dir" '.process.args = $args' --argjson args "$(json_array "$@")"
}

# json_array ARG...: the arguments as a JSON array of strings.  (jq's own
# --args would take an argument such as "-c" for one of its options.)
json_array() {
    local a i=0 filter='[' sep=''
    local -a opts=()
    for a; do
        opts+=(--arg "a$i" "$a")
        filter+="$sep\$a$i"
        sep=,
        i=$((i + 1))
    done
    jq -nc "${opts[@]}" "$filter]"
}

# ---- running voidoci ------------------------------------------------------

# vo ARG...: voidoci with this test's --root, under a timeout.
vo() {
    timeout --kill-after=10 "$VOIDOCI_TEST_TIMEOUT" "$VOIDOCI" --root "$ROOT" "$@"
}

# vrun [RUN-OPTION...]: run this test's bundle as this test's container.
vrun() {
    vo run --bundle "$BUNDLE" "$@" "$ID"
}

# wait_for COMMAND...: retry COMMAND every 0.1 s for up to 10 s.
wait_for() {
    local i
    for ((i = 0; i < 100; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

# The ID of the inode at PATH, to recognise a container's root from outside
# (readlink /proc/PID/root says "/" for a root in another mount namespace).
_inode_of() {
    stat -L -c '%d:%i' "$1" 2>/dev/null
}

# host_ns NAME: this shell's namespace NAME, as readlink /proc/self/ns/NAME.
host_ns() {
    readlink "/proc/$$/ns/$1"
}

# cap_mask CAP_NAME...: the /proc/PID/status hex mask of these capabilities.
cap_mask() {
    local name mask=0 bit
    for name in "$@"; do
        bit=$(cap_number "$name") || return 1
        mask=$((mask | (1 << bit)))
    done
    printf '%016x\n' "$mask"
}

cap_number() {
    case $1 in
    CAP_CHOWN) echo 0 ;; CAP_DAC_OVERRIDE) echo 1 ;; CAP_DAC_READ_SEARCH) echo 2 ;;
    CAP_FOWNER) echo 3 ;; CAP_FSETID) echo 4 ;; CAP_KILL) echo 5 ;;
    CAP_SETGID) echo 6 ;; CAP_SETUID) echo 7 ;; CAP_SETPCAP) echo 8 ;;
    CAP_LINUX_IMMUTABLE) echo 9 ;; CAP_NET_BIND_SERVICE) echo 10 ;;
    CAP_NET_BROADCAST) echo 11 ;; CAP_NET_ADMIN) echo 12 ;; CAP_NET_RAW) echo 13 ;;
    CAP_IPC_LOCK) echo 14 ;; CAP_IPC_OWNER) echo 15 ;; CAP_SYS_MODULE) echo 16 ;;
    CAP_SYS_RAWIO) echo 17 ;; CAP_SYS_CHROOT) echo 18 ;; CAP_SYS_PTRACE) echo 19 ;;
    CAP_SYS_PACCT) echo 20 ;; CAP_SYS_ADMIN) echo 21 ;; CAP_SYS_BOOT) echo 22 ;;
    CAP_SYS_NICE) echo 23 ;; CAP_SYS_RESOURCE) echo 24 ;; CAP_SYS_TIME) echo 25 ;;
    CAP_SYS_TTY_CONFIG) echo 26 ;; CAP_MKNOD) echo 27 ;; CAP_LEASE) echo 28 ;;
    CAP_AUDIT_WRITE) echo 29 ;; CAP_AUDIT_CONTROL) echo 30 ;; CAP_SETFCAP) echo 31 ;;
    CAP_MAC_OVERRIDE) echo 32 ;; CAP_MAC_ADMIN) echo 33 ;; CAP_SYSLOG) echo 34 ;;
    CAP_WAKE_ALARM) echo 35 ;; CAP_BLOCK_SUSPEND) echo 36 ;; CAP_AUDIT_READ) echo 37 ;;
    CAP_PERFMON) echo 38 ;; CAP_BPF) echo 39 ;; CAP_CHECKPOINT_RESTORE) echo 40 ;;
    *) echo "cap_number: unknown capability $1" >&2; return 1 ;;
    esac
}

# status_field NAME: the value of "NAME:" in $output (a /proc/PID/status dump).
status_field() {
    local line
    while IFS= read -r line; do
        if [[ $line == "$1:"* ]]; then
            line=${line#"$1":}
            echo "${line//[[:space:]]/}"
            return 0
        fi
    done <<<"$output"
    return 1
}

# assert_one_error_line PATTERN: $stderr is exactly one line, it starts with
# "voidoci: " and matches the extended regex PATTERN; $output (stdout) is empty.
assert_one_error_line() {
    local n
    n=$(printf '%s' "$stderr" | grep -c '')
    if [ "$n" -ne 1 ]; then
        echo "expected one line on stderr, got $n:" >&2
        printf '%s\n' "$stderr" >&2
        return 1
    fi
    if [[ $stderr != "voidoci: "* ]]; then
        echo "stderr does not start with 'voidoci: ': $stderr" >&2
        return 1
    fi
    if [ $# -gt 0 ] && ! grep -Eq -- "$1" <<<"$stderr"; then
        echo "stderr does not match /$1/: $stderr" >&2
        return 1
    fi
    if [ -n "$output" ]; then
        echo "expected nothing on stdout, got: $output" >&2
        return 1
    fi
}

# ---- what a test may not leave behind -------------------------------------

# Mount points that mention the bundle or the state directory, deepest first.
_leaked_mounts() {
    local pat
    for pat in "${BUNDLE-}" "${ROOT-}"; do
        [ -n "$pat" ] || continue
        # Field 5 is the mount point, with spaces etc. escaped as \040.
        awk -v p="$pat" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo
    done | sort -ru
}

# Processes (other than this shell) whose root or cwd is inside the bundle.
_leaked_pids() {
    local rootfs_inode="" p link
    [ -n "${BUNDLE-}" ] || return 0
    [ -d "$BUNDLE/rootfs" ] && rootfs_inode=$(_inode_of "$BUNDLE/rootfs")
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
        for link in root cwd; do
            if [[ $(readlink "/proc/$p/$link" 2>/dev/null) == "$BUNDLE"* ]] ||
                { [ -n "$rootfs_inode" ] && [ "$link" = root ] &&
                    [ "$(_inode_of "/proc/$p/root")" = "$rootfs_inode" ]; }; then
                echo "$p"
                break
            fi
        done
    done
}

_leaked_cgroups() {
    [ -n "${ID-}" ] || return 0
    find /sys/fs/cgroup -maxdepth 6 -type d -name "$ID" 2>/dev/null | sort -r
}

# check_nothing_left_behind: 0 if this test's container left no trace; else
# print each leak, clean it up, and return 1.
check_nothing_left_behind() {
    local leaked=0 p m c pids i
    pids=$(_leaked_pids)
    if [ -n "$pids" ]; then
        leaked=1
        for p in $pids; do
            echo "leaked process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
            kill -KILL "$p" 2>/dev/null
        done
        for ((i = 0; i < 50; i++)); do
            [ -z "$(_leaked_pids)" ] && break
            sleep 0.1
        done
    fi
    for m in $(_leaked_mounts); do
        leaked=1
        echo "leaked mount: $m" >&2
        umount -l "$(printf '%b' "$m")" 2>/dev/null
    done
    if [ -n "${ROOT-}" ] && [ -n "${ID-}" ] && [ -e "$ROOT/$ID" ]; then
        leaked=1
        echo "leaked state directory: $ROOT/$ID" >&2
        rm -rf "${ROOT:?}/$ID"
    fi
    for c in $(_leaked_cgroups); do
        leaked=1
        echo "leaked cgroup: $c" >&2
        rmdir "$c" 2>/dev/null
    done
    return "$leaked"
}
