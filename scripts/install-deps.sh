#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what building and testing voidoci needs, on Debian 12, as root.
# Used by scripts/demo.sh and .ci/run.
set -euo pipefail

packages=(
    # the build
    build-essential pkg-config meson ninja-build git
    # the man pages (docs/man/*.scd)
    scdoc
    libyajl-dev libcap-dev libseccomp-dev libmnl-dev
    # the tests: bats runs them, jq edits config.json, busybox-static is
    # the rootfs (static, so the rootfs needs no libc), runc is compared with
    bats jq busybox-static runc
    # exec.bats reads which setns calls exec makes; security/valgrind.bats
    strace valgrind
    # security tests: capsh reads the capability sets inside the container,
    # python3 drives the ptrace, subreaper, ELF-rewrite and rename-race tests
    libcap2-bin python3
    # security/faults.bats and bench/run.sh read each runtime command's
    # peak RSS with /usr/bin/time (bash's time keyword cannot)
    time
    # tests/vm/cgroup2-vm.sh: a cgroup v2 host in a VM (its kernel is
    # fetched with apt-get download, not installed)
    qemu-system-x86 cpio
    # ... and apparmor_parser, copied into it: its kernel has AppArmor on
    apparmor
    # bench/run.sh
    hyperfine
    # tests/fuzz/run.sh: libFuzzer with ASan and UBSan
    clang libclang-rt-14-dev
    # tests/clients: podman (with conmon; uidmap for --uidmap) and
    # containerd with ctr, driving the runtime as clients do
    podman conmon uidmap containerd
    # ... and Docker (dockerd, with its own containerd, and the docker
    # client; tests/clients/docker.bats starts a private dockerd).  Its
    # postinst runs `invoke-rc.d docker start`: in a CI image without
    # systemd as PID 1 and with a policy-rc.d that exits 101 (as here),
    # no host dockerd starts.  Should one start elsewhere, the tests
    # neither use nor touch it: their dockerd has its own socket, roots,
    # containerd and cgroup parent.
    docker.io
)

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: run as root (apt-get)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${packages[@]}"
