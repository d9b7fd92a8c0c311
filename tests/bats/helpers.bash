# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by every tests/bats/*.bats file:  load helpers
#
# Each test gets its own state directory ($ROOT, passed as --root), its own
# container ID ($ID), a bundle path ($BUNDLE, made by make_bundle) and a
# cgroup parent of its own ($CGROUP_PARENT, /voidoci-test-$ID in every
# hierarchy), under which make_bundle places its containers.  The teardown
# first deletes (`delete --force`) any container the test left in $ROOT,
# then fails the test if the test left a container, a mount, a state
# directory, a cgroup or a process behind, after cleaning it up so that the
# next test starts clean.  It looks only at what is the test's own: the
# cgroups under its parent, those its configs name and those named for its
# container IDs.  What other programs (systemd, podman, another runtime,
# another bats run) make or remove meanwhile is theirs, and never touched.

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
    CGROUP_PARENT=/voidoci-test-$ID
    BG_PIDS=()
    HOST_MOUNTS=()
}

# Call from each file's teardown().
voidoci_teardown() {
    cd / || return 1
    local leaks=0
    _umount_host_mounts
    _stop_background_jobs
    _delete_left_containers || leaks=1
    check_nothing_left_behind || leaks=1
    if [ -n "${ROOT-}" ] && [ -d "$ROOT" ]; then
        rm -rf "$ROOT"
    fi
    return "$leaks"
}

# ---- bundles --------------------------------------------------------------

# The busybox rootfs is made once per bats run and copied for each test;
# $VOIDOCI_TEST_ROOTFS may name one made beforehand (make-bundle.sh
# --rootfs-only): the cgroup v2 VM brings one, as a fork per applet link
# costs minutes there.
_rootfs_template() {
    local tpl=$BATS_RUN_TMPDIR/rootfs-template
    if [ -n "${VOIDOCI_TEST_ROOTFS-}" ]; then
        echo "$VOIDOCI_TEST_ROOTFS"
        return
    fi
    if [ ! -d "$tpl/rootfs" ]; then
        rm -rf "$tpl"
        "$TESTS_DIR/make-bundle.sh" --rootfs-only "$tpl" >&2 || return 1
    fi
    echo "$tpl/rootfs"
}

# make_bundle DIR [COMMAND [ARG...]]: a busybox bundle whose config.json is
# `voidoci spec`'s with terminal false, linux.cgroupsPath under the test's
# parent (bundle_cgroup DIR) and, if given, COMMAND as process.args.  A test
# that checks the default placement deletes linux.cgroupsPath.
make_bundle() {
    local dir=$1 tpl
    shift
    tpl=$(_rootfs_template) || return 1
    mkdir -p "$dir"
    cp -a "$tpl" "$dir/rootfs"
    VOIDOCI_BUNDLE_CGROUPS_PATH=$(bundle_cgroup "$dir") \
        "$TESTS_DIR/make-bundle.sh" --config-only "$dir" "$@"
}

# bundle_cgroup DIR: the cgroupsPath make_bundle gives the bundle at DIR:
# $CGROUP_PARENT/$ID for $BUNDLE, else $CGROUP_PARENT/$ID-NAME, NAME being
# DIR's path in the test's directory with "-" for "/".  Named for the
# test's ID, so that the container's cgroup is found by name as well.
bundle_cgroup() {
    local dir=${1%/} name
    # Outside a test (no voidoci_setup): no cgroupsPath.
    [ -n "${CGROUP_PARENT-}" ] || return 0
    if [ "$dir" = "${BUNDLE%/}" ]; then
        echo "$CGROUP_PARENT/$ID"
        return
    fi
    name=${dir#"$BATS_TEST_TMPDIR"/}
    name=${name//[^A-Za-z0-9_.-]/-}
    echo "$CGROUP_PARENT/$ID-${name#-}"
}

# bundle_clone SRC DST: a bundle at DST running SRC's rootfs (root.path
# made absolute) with SRC's config, but for the cgroupsPath make_bundle
# would give DST: for containers that run side by side from one rootfs,
# each in a cgroup of its own (two containers in one cgroup would share
# its limits, and the delete of one would kill the other).
bundle_clone() {
    local src=${1%/} dst=${2%/}
    mkdir -p "$dst"
    jq '.root.path = $r | .linux.cgroupsPath = $c' \
        --arg r "$(cd "$src" && realpath -m "$(jq -r .root.path config.json)")" \
        --arg c "$(bundle_cgroup "$dst")" <"$src/config.json" >"$dst/config.json"
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

# vo ARG...: voidoci with this test's --root, under a timeout.  The call
# carries VOIDOCI_TEST_MARK=$ID in its environment, and so does every process
# it forks until one execs with an environment of its own: that is how the
# teardown finds a runtime process that outlived its command (runtime_pids).
vo() {
    VOIDOCI_TEST_MARK=${ID-} timeout --kill-after=10 "$VOIDOCI_TEST_TIMEOUT" \
        "$VOIDOCI" --root "$ROOT" "$@"
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

# ---- the container lifecycle: create, start, state ------------------------

# Without a terminal the container's init keeps create's stdin, stdout and
# stderr, so create must never write to a pipe that someone then reads to
# its end: bats' `run` would wait for the container to exit.  These helpers
# give create files instead: stdin /dev/null, stdout and stderr
# $BATS_TEST_TMPDIR/<id>.out and <id>.err, which the container writes to
# after start (ctr_output).  fd 3 (bats' own output) is closed, so that a
# runtime that leaked it to the container could not hang bats.

# run_create [--id ID] [CREATE-OPTION...]: `create --bundle $BUNDLE OPTION...
# ID` (ID defaults to $ID).  Like `run --separate-stderr`, it sets $status,
# $output and $stderr (create's own output, read as soon as it returns) and
# returns 0.  For another bundle: BUNDLE=dir run_create --id other.
run_create() {
    local id=$ID out err
    if [ "${1-}" = --id ]; then
        id=$2
        shift 2
    fi
    out=$BATS_TEST_TMPDIR/$id.out
    err=$BATS_TEST_TMPDIR/$id.err
    status=0
    vo create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$out" 2>"$err" 3>&- || status=$?
    output=$(cat "$out")
    stderr=$(cat "$err")
}

# vcreate [--id ID] [CREATE-OPTION...]: run_create, which must succeed and
# print nothing on stdout.
vcreate() {
    run_create "$@"
    if [ "$status" -ne 0 ]; then
        echo "create failed with status $status: $stderr" >&2
        return 1
    fi
    if [ -n "$output" ]; then
        echo "create printed on stdout: $output" >&2
        return 1
    fi
}

# vstart [ID]: start the container, which must succeed.
vstart() {
    vo start "${1:-$ID}" </dev/null 3>&-
}

# ctr_output [ID]: what the container (and its create) wrote to stdout.
ctr_output() {
    cat "$BATS_TEST_TMPDIR/${1:-$ID}.out"
}

# state_field FIELD [ID]: .FIELD of `state ID`, raw (jq -r).
state_field() {
    local json
    json=$(vo state "${2:-$ID}") || return 1
    jq -er --arg f "$1" '.[$f] // empty' <<<"$json"
}

# state_is STATUS [ID]: the container's status is STATUS.
state_is() {
    [ "$(state_field status "${2:-$ID}" 2>/dev/null)" = "$1" ]
}

# wait_status STATUS [ID]: wait up to 10 s for the container to reach STATUS.
wait_status() {
    wait_for state_is "$@"
}

# bundle_writable DIR: a rootfs the container may write to (runc's and
# voidoci's spec make it read-only), so that a process inside can leave
# files for the test at DIR/rootfs/PATH.
bundle_writable() {
    bundle_jq "$1" '.root.readonly = false'
}

# bg COMMAND...: run COMMAND in the background, without bats' fd 3 (bats
# would wait for it), and remember its pid in $BG_PID; the teardown kills it
# if the test did not wait for it.
bg() {
    "$@" 3>&- &
    BG_PID=$!
    BG_PIDS+=("$BG_PID")
}

# pids_alive PID...: true when any of the pids is a live process (not a
# zombie).
pids_alive() {
    local p state
    for p; do
        # The state follows the command name, which may hold spaces: ") ".
        state=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
        state=${state%% *}
        [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] && return 0
    done
    return 1
}

# pids_gone PID...: none of the pids is a live process.  (A bare `! cmd`
# does not fail a bats test.)
pids_gone() {
    ! pids_alive "$@"
}

# runtime_pids: processes (other than this shell) that carry this test's
# VOIDOCI_TEST_MARK: runtime processes started through vo that are still
# there.  A container's init carries it until start makes it exec the
# user's program with config.json's environment.
runtime_pids() {
    [ -n "${ID-}" ] || return 0
    # One grep over every environment: a fork per process costs seconds per
    # test on a busy host.
    grep -lszxF -- "VOIDOCI_TEST_MARK=$ID" /proc/[0-9]*/environ |
        awk -F/ -v self="$$" -v me="$BASHPID" '$3 != self && $3 != me { print $3 }'
}

# rootfs_pids: the live processes whose root is this test's rootfs (or any
# bundle's in the test's directory): the containers' processes, seen from
# the host.
rootfs_pids() {
    _leaked_pids
}

# no_rootfs_pids: true when no process runs in this test's rootfs.
no_rootfs_pids() {
    [ -z "$(_leaked_pids)" ]
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

# ---- the far end of --console-socket --------------------------------------

# find_console_receiver: set CONSOLE_RECEIVER (unless the caller did) to
# tests/console-receiver.c's program: the build's, else one compiled for
# this run; false, CONSOLE_RECEIVER empty, when neither can be had.
find_console_receiver() {
    [ -z "${CONSOLE_RECEIVER-}" ] || return 0
    CONSOLE_RECEIVER=$VOIDOCI_SRCDIR/build/tests/console_receiver
    [ ! -x "$CONSOLE_RECEIVER" ] || return 0
    # Run from a source tree without a build: make our own.
    CONSOLE_RECEIVER=$BATS_RUN_TMPDIR/console_receiver
    [ -x "$CONSOLE_RECEIVER" ] ||
        cc -std=c17 -D_GNU_SOURCE -o "$CONSOLE_RECEIVER" "$TESTS_DIR/console-receiver.c" ||
        CONSOLE_RECEIVER=
    [ -n "$CONSOLE_RECEIVER" ]
}

# ---- what a test may not leave behind -------------------------------------

# _umount_host_mounts: the host mounts a test made itself (for a mount's
# source, or on its rootfs) and listed in HOST_MOUNTS, deepest (last) first,
# before the leak check sees them.
_umount_host_mounts() {
    local m
    [ -n "${HOST_MOUNTS+set}" ] || return 0
    for ((m = ${#HOST_MOUNTS[@]} - 1; m >= 0; m--)); do
        umount -l "${HOST_MOUNTS[m]}" 2>/dev/null
    done
    HOST_MOUNTS=()
}

_stop_background_jobs() {
    local p
    for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    BG_PIDS=()
}

# _delete_left_containers: every container the test left in $ROOT (it failed
# half-way, or forgot to) is deleted with `delete --force`, as a client
# would, and counts as a failure of the test.
_delete_left_containers() {
    local d id st left=0
    { [ -n "${ROOT-}" ] && [ -d "$ROOT" ]; } || return 0
    for d in "$ROOT"/*/; do
        [ -d "$d" ] || continue
        id=$(basename "$d")
        left=1
        st=$(timeout 10 "$VOIDOCI" --root "$ROOT" state "$id" 2>/dev/null </dev/null 3>&- |
            jq -r .status 2>/dev/null)
        echo "the test left container $id (${st:-status unknown}): delete --force $id" >&2
        VOIDOCI_TEST_MARK=${ID-} timeout --kill-after=5 30 "$VOIDOCI" --root "$ROOT" \
            delete --force "$id" </dev/null >&2 3>&- ||
            echo "delete --force $id failed" >&2
    done
    return "$left"
}

# Mount points that mention the bundle, the test's directory or the state
# directory, deepest first.
_leaked_mounts() {
    local pat
    for pat in "${BUNDLE-}" "${BATS_TEST_TMPDIR:+$BATS_TEST_TMPDIR/}" "${ROOT-}"; do
        [ -n "$pat" ] || continue
        # Field 5 is the mount point, with spaces etc. escaped as \040.
        awk -v p="$pat" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo
    done | sort -ru
}

# Processes (other than this shell) whose root or cwd is inside the bundle,
# or whose root is the rootfs of any bundle in the test's directory.
_leaked_pids() {
    local r
    local -a roots=()
    [ -n "${BUNDLE-}" ] || return 0
    for r in "$BUNDLE/rootfs" "${BATS_TEST_TMPDIR:-/nonexistent}"/*/rootfs; do
        [ -d "$r" ] && roots+=("$r")
    done
    # Three finds for all the processes (kernel threads and zombies have
    # neither link to read): the targets of root and cwd, then the device
    # and inode each root resolves to.  A fork per process would cost
    # seconds per test on a busy host.
    {
        [ ${#roots[@]} -eq 0 ] || find -L "${roots[@]}" -maxdepth 0 -printf 'rootfs %D:%i\n'
        find /proc/[0-9]*/root /proc/[0-9]*/cwd -maxdepth 0 -printf '%p link %l\n'
        find -L /proc/[0-9]*/root -maxdepth 0 -printf '%p inode %D:%i\n'
    } 2>/dev/null | awk -v bundle="$BUNDLE" -v self="$$" -v me="$BASHPID" '
        $1 == "rootfs" { rootfs[$2] = 1; next }
        { split($1, part, "/"); pid = part[3] }
        pid == self || pid == me { next }
        $2 == "link" && index(substr($0, length($1) + 7), bundle) == 1 { print pid }
        $2 == "inode" && ($3 in rootfs) { print pid }
    ' | sort -un
}

# _cgroup_mounts: each cgroup hierarchy mounted under /sys/fs/cgroup in
# this mount namespace, and this shell's cgroup in it: "MOUNT OWN" a line
# (OWN is where a relative cgroupsPath goes).
_cgroup_mounts() {
    awk -F: 'NR == FNR { own[$2] = $3; next }
        {
            sep = index($0, " - "); split(substr($0, 1, sep - 1), pre, " ")
            split(substr($0, sep + 3), post, " ")
            if (pre[5] !~ "^/sys/fs/cgroup(/|$)") next
            if (post[1] == "cgroup2") { print pre[5], ("" in own ? own[""] : "/"); next }
            if (post[1] != "cgroup") next
            # v1: the /proc/self/cgroup line whose controllers are this
            # mount'\''s options
            n = split(post[3], opt, ",")
            for (k in own) {
                if (k == "") continue
                m = split(k, c, ","); hit = 0
                for (i = 1; i <= m; i++) for (j = 1; j <= n; j++) if (c[i] == opt[j]) hit++
                if (hit == m) { print pre[5], own[k]; break }
            }
        }' /proc/self/cgroup FS=' ' /proc/self/mountinfo
}

# _config_cgroup_paths: linux.cgroupsPath of every config.json in the
# test's directory (the bundles' and any the test wrote), one a line; not
# the systemd form (slice:prefix:name), which names no directory, nor one
# with a "." or ".." component (the runtime refuses them; a test may try).
_config_cgroup_paths() {
    local f filter='.linux.cgroupsPath? // empty | strings'
    local -a files=()
    [ -n "${BATS_TEST_TMPDIR-}" ] && [ -d "$BATS_TEST_TMPDIR" ] || return 0
    mapfile -t files < <(find "$BATS_TEST_TMPDIR" -maxdepth 4 -name rootfs -prune -o \
        -name config.json -type f -print 2>/dev/null | xargs -r grep -l cgroupsPath 2>/dev/null)
    [ "${#files[@]}" -gt 0 ] || return 0
    {
        # One jq for them all; file by file if one is not JSON (tests write
        # broken configs on purpose).
        jq -r "$filter" "${files[@]}" 2>/dev/null ||
            for f in "${files[@]}"; do jq -r "$filter" "$f" 2>/dev/null; done
    } | grep -v -e '^[^/]*:.*:' -e '^/*$' -e '\(^\|/\)\.\.\?\(/\|$\)' | sort -u
}

# The test's cgroups that are still there, deepest first, in every
# hierarchy: everything below its parent $CGROUP_PARENT, the paths its
# configs name (absolute: from the hierarchy's root; relative: from this
# shell's cgroup, as voidoci places them) and what is below them, and any
# directory named $ID or $ID-... (the default place, /voidoci/ID, and the
# parents tests make, such as /$ID-parent).  Nothing else: a cgroup made
# meanwhile by another program is not the test's to judge or remove.  The
# parent itself and the default parent /voidoci are no leak: the runtime
# makes them for its containers and leaves them, as runc does.
_leaked_cgroups() {
    local mnt own p d
    local -a paths=() mnts=()
    [ -n "${ID-}" ] || return 0
    mapfile -t paths < <(_config_cgroup_paths)
    {
        while read -r mnt own; do
            mnts+=("$mnt")
            [ -z "${CGROUP_PARENT-}" ] || [ ! -d "$mnt$CGROUP_PARENT" ] ||
                find "$mnt$CGROUP_PARENT" -mindepth 1 -type d
            for p in ${paths[@]+"${paths[@]}"}; do
                case $p in
                /*) d=$mnt$p ;;
                *) d=$mnt${own%/}/$p ;;
                esac
                [ -d "$d" ] && [ "$d" != "$mnt$CGROUP_PARENT" ] || continue
                # Never outside the hierarchy (a symbolic link in the way).
                [[ $(realpath "$d") == "$mnt"/* ]] && find "$d" -type d
            done
        done < <(_cgroup_mounts)
        # One find over every hierarchy: a fork each costs on a busy host.
        [ ${#mnts[@]} -eq 0 ] ||
            find "${mnts[@]}" -maxdepth 8 -type d \( -path "*/$ID" -o -path "*/$ID/*" \
                -o -path "*/$ID-*" \)
    } 2>/dev/null | sort -ru
}

# _remove_cgroup_parent: rmdir the test's parent in every hierarchy (the
# runtime leaves it, as it leaves /voidoci).  Quietly: what is below it was
# reported by _leaked_cgroups.
_remove_cgroup_parent() {
    local mnt own
    [ -n "${CGROUP_PARENT-}" ] || return 0
    while read -r mnt own; do
        [ ! -d "$mnt$CGROUP_PARENT" ] || rmdir "$mnt$CGROUP_PARENT" 2>/dev/null
    done < <(_cgroup_mounts)
    return 0
}

# check_nothing_left_behind: 0 if this test's containers left no trace; else
# print each leak, clean it up, and return 1.
check_nothing_left_behind() {
    local leaked=0 p m c d pids i
    pids=$( (
        _leaked_pids
        runtime_pids
    ) | sort -un)
    if [ -n "$pids" ]; then
        leaked=1
        for p in $pids; do
            echo "leaked process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
            kill -KILL "$p" 2>/dev/null
        done
        for ((i = 0; i < 50; i++)); do
            [ -z "$(_leaked_pids)$(runtime_pids)" ] && break
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
    if [ -n "${ROOT-}" ] && [ -d "$ROOT" ]; then
        for d in "$ROOT"/*/; do
            [ -d "$d" ] || continue
            leaked=1
            echo "leaked state directory: ${d%/}" >&2
            rm -rf "$d"
        done
    fi
    for c in $(_leaked_cgroups); do
        leaked=1
        echo "leaked cgroup: $c" >&2
        rmdir "$c" 2>/dev/null
    done
    _remove_cgroup_parent
    return "$leaked"
}
