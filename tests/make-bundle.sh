#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Make a small OCI bundle: a rootfs holding Debian's static busybox with all
# its applets, and a config.json written by `voidoci spec`, made
# non-interactive (process.terminal false) and running COMMAND if one is given.
#
# Usage: tests/make-bundle.sh [--rootfs-only | --config-only] BUNDLE_DIR [COMMAND [ARG...]]
#
#   --rootfs-only   make BUNDLE_DIR/rootfs and no config.json
#   --config-only   write only BUNDLE_DIR/config.json (the rootfs is already there)
#
# The runtime that writes config.json is $VOIDOCI, else build/src/voidoci next
# to this script's tests/ directory. $VOIDOCI_BUNDLE_CGROUPS_PATH, when set,
# becomes linux.cgroupsPath (the tests place each container under a cgroup
# parent of their own). Needs busybox-static and jq.
# VOIDOCI_TEST_SECCOMP=classic adds linux.seccomp: tests/fixtures/seccomp-classic.json.
set -euo pipefail

prog=${0##*/}
die() {
    echo "$prog: $*" >&2
    exit 1
}

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runtime=${VOIDOCI:-$srcdir/build/src/voidoci}
busybox=/bin/busybox

want_rootfs=true
want_config=true
case ${1-} in
--rootfs-only) want_config=false; shift ;;
--config-only) want_rootfs=false; shift ;;
-h | --help)
    sed -n '4,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
    ;;
esac
[ $# -ge 1 ] || die "usage: $prog [--rootfs-only | --config-only] BUNDLE_DIR [COMMAND [ARG...]]"
bundle=$1
shift

make_rootfs() {
    local rootfs=$1 applet
    [ -x "$busybox" ] || die "$busybox is missing: apt-get install busybox-static"
    # A dynamically linked busybox would need a libc inside the rootfs.
    if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
        die "$busybox is dynamically linked: apt-get install busybox-static"
    fi
    [ ! -e "$rootfs" ] || die "$rootfs already exists"

    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,etc,root,tmp,run,var/tmp}
    chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
    chmod 0700 "$rootfs/root"
    cp "$busybox" "$rootfs/bin/busybox"
    # `busybox --install -s` would do this chrooted; creating the links from
    # here needs no chroot and gives the same tree.
    for applet in $("$busybox" --list-full); do
        [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
    done
    [ -L "$rootfs/bin/sh" ] || die "busybox has no sh applet"

    cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
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

# The linux.seccomp every container gets in the suite's conservative mode.
seccomp_profile() {
    case ${VOIDOCI_TEST_SECCOMP-} in
    '') echo null ;;
    classic) cat "$srcdir/tests/fixtures/seccomp-classic.json" ;;
    *) die "VOIDOCI_TEST_SECCOMP=$VOIDOCI_TEST_SECCOMP: unknown mode (classic, or unset)" ;;
    esac
}

write_config() {
    local dir=$1 tmp seccomp
    shift
    command -v jq >/dev/null || die "jq is missing: apt-get install jq"
    [ -x "$runtime" ] || die "no runtime at $runtime: build it (meson setup build && ninja -C build) or set VOIDOCI"
    [ ! -e "$dir/config.json" ] || die "$dir/config.json already exists"
    seccomp=$(seccomp_profile) || exit 1
    "$runtime" spec -b "$dir" || die "$runtime spec -b $dir failed"
    tmp=$(mktemp "$dir/config.json.XXXXXX")
    local filter='.process.terminal = false | if $seccomp then .linux.seccomp = $seccomp else . end'
    local -a opts=(--arg cg "${VOIDOCI_BUNDLE_CGROUPS_PATH-}" --argjson seccomp "$seccomp")
    if [ -n "${VOIDOCI_BUNDLE_CGROUPS_PATH-}" ]; then
        filter+=' | .linux.cgroupsPath = $cg'
    fi
    if [ $# -gt 0 ]; then
        filter+=' | .process.args = $args'
        opts+=(--argjson args "$(json_array "$@")")
    fi
    jq "$filter" "${opts[@]}" <"$dir/config.json" >"$tmp"
    mv "$tmp" "$dir/config.json"
}

mkdir -p "$bundle"
if $want_rootfs; then
    make_rootfs "$bundle/rootfs"
fi
if $want_config; then
    write_config "$bundle" "$@"
fi
