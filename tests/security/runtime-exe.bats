#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The runtime's own binary never runs inside a container (CVE-2019-5736).
# Until its exec the container's init is a clone of voidoci, so a program
# path that leads to /proc/self/exe -- directly, through a symlink, or as a
# script's interpreter -- would run the host's voidoci binary in the
# container, where another container process could reopen it through
# /proc/PID/exe and overwrite it once it exits.  Each way is tried here: the
# exec must be refused, with one error line, and the host binary must be
# unchanged.  (The waiting init itself is covered by init-not-dumpable.bats.)

load ../bats/helpers

setup() {
    voidoci_setup
    BINARY_SUM=$(sha256sum "$VOIDOCI" | cut -d' ' -f1)
}

teardown() {
    voidoci_teardown
}

# refused: the last run failed with one line naming the runtime's binary,
# and the binary on the host is what it was.
refused() {
    [ "$status" -ne 0 ]
    assert_one_error_line "runtime's own binary"
    [ "$(sha256sum "$VOIDOCI" | cut -d' ' -f1)" = "$BINARY_SUM" ]
}

@test "runtime-exe: a program that is /proc/self/exe is refused" {
    make_bundle "$BUNDLE" /proc/self/exe --version
    run --separate-stderr vrun
    refused
}

@test "runtime-exe: a symlink in the rootfs to /proc/self/exe is refused" {
    make_bundle "$BUNDLE" /bin/innocent --version
    ln -s /proc/self/exe "$BUNDLE/rootfs/bin/innocent"
    run --separate-stderr vrun
    refused
}

@test "runtime-exe: a script whose interpreter is /proc/self/exe is refused" {
    make_bundle "$BUNDLE" /bin/evil.sh
    printf '#!/proc/self/exe --version\n' >"$BUNDLE/rootfs/bin/evil.sh"
    chmod 755 "$BUNDLE/rootfs/bin/evil.sh"
    run --separate-stderr vrun
    refused
}

@test "runtime-exe: a script whose interpreter is a script of /proc/self/exe is refused" {
    make_bundle "$BUNDLE" /bin/outer.sh
    printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/bin/inner.sh"
    printf '#!/bin/inner.sh\n' >"$BUNDLE/rootfs/bin/outer.sh"
    chmod 755 "$BUNDLE/rootfs/bin/inner.sh" "$BUNDLE/rootfs/bin/outer.sh"
    run --separate-stderr vrun
    refused
}

@test "runtime-exe: an ELF program whose PT_INTERP is /proc/self/exe is refused" {
    command -v python3 >/dev/null || skip "this machine has no python3 to rewrite an ELF interpreter"
    local interp=/lib64/ld-linux-x86-64.so.2
    grep -qa "$interp" /bin/true || skip "this machine's /bin/true has no $interp to rewrite"
    make_bundle "$BUNDLE" /bin/evil-elf
    # The host's /bin/true with its interpreter path rewritten: the kernel
    # would map /proc/self/exe -- the runtime, until the exec -- as ld.so.
    python3 - "$interp" /bin/true "$BUNDLE/rootfs/bin/evil-elf" <<'PY'
import sys
interp, src, dst = sys.argv[1].encode() + b"\0", sys.argv[2], sys.argv[3]
data = bytearray(open(src, "rb").read())
at = data.index(interp)
evil = b"/proc/self/exe"
data[at:at + len(interp)] = evil + b"\0" * (len(interp) - len(evil))
open(dst, "wb").write(data)
PY
    chmod 755 "$BUNDLE/rootfs/bin/evil-elf"
    run --separate-stderr vrun
    refused
    [[ $stderr == *'interpreter "/proc/self/exe"'* ]]
}

@test "runtime-exe: control: an ELF program with an ordinary PT_INTERP is not refused" {
    local interp=/lib64/ld-linux-x86-64.so.2
    [ -e "$interp" ] && grep -qa "$interp" /bin/true || skip "this machine's /bin/true has no $interp"
    make_bundle "$BUNDLE" /bin/true
    # glibc's true and what it loads, in the busybox rootfs.  The rootfs's
    # applets are absolute symlinks to /bin/busybox: a plain cp onto one
    # would follow it out to the host's busybox.
    mkdir -p "$BUNDLE/rootfs/lib64" "$BUNDLE/rootfs/lib/x86_64-linux-gnu"
    rm -f "$BUNDLE/rootfs/bin/true"
    cp /bin/true "$BUNDLE/rootfs/bin/true"
    cp -L "$interp" "$BUNDLE/rootfs$interp"
    cp -L /lib/x86_64-linux-gnu/libc.so.6 "$BUNDLE/rootfs/lib/x86_64-linux-gnu/"
    run --separate-stderr vrun
    echo "$stderr"
    [ "$status" -eq 0 ]
}

@test "runtime-exe: found through PATH, /proc/self/exe is refused too" {
    make_bundle "$BUNDLE" exe --version
    bundle_jq "$BUNDLE" '.process.env = ["PATH=/proc/self"]'
    run --separate-stderr vrun
    refused
}

@test "runtime-exe: control: an ordinary script with an ordinary interpreter runs, named after its path" {
    make_bundle "$BUNDLE" /bin/fine.sh
    printf '#!/bin/sh\necho "ran as $(cat /proc/self/comm) $(cat /proc/$$/comm)"\n' >"$BUNDLE/rootfs/bin/fine.sh"
    chmod 755 "$BUNDLE/rootfs/bin/fine.sh"
    run --separate-stderr vrun
    [ "$status" -eq 0 ]
    [ "$output" = "ran as cat fine.sh" ]
}

@test "runtime-exe: exec into a running container of /proc/self/exe, and of a script run by it, is refused" {
    make_bundle "$BUNDLE" sleep 100
    printf '#!/proc/self/exe --version\n' >"$BUNDLE/rootfs/bin/evil.sh"
    chmod 755 "$BUNDLE/rootfs/bin/evil.sh"
    vcreate
    vstart
    run --separate-stderr vo exec "$ID" /proc/self/exe --version
    refused
    run --separate-stderr vo exec "$ID" /bin/evil.sh
    refused
    [[ $stderr == *'interpreter "/proc/self/exe"'* ]]
    # The container still runs, and an ordinary exec works.
    run --separate-stderr vo exec "$ID" true
    [ "$status" -eq 0 ]
    vo delete --force "$ID"
}
