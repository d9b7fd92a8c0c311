#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# From a fresh Debian 12 machine, as root: install the dependencies, build
# voidoci, make a busybox bundle and run a container that shows its void --
# its own hostname, PID 1, and only the mounts config.json asked for.
#
# Usage: scripts/demo.sh [--no-install]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$(id -u)" != 0 ]; then
    echo "demo.sh: run as root: containers need namespaces" >&2
    exit 1
fi
if [ "${1-}" != --no-install ]; then
    ./scripts/install-deps.sh
fi

if [ ! -f build/build.ninja ]; then
    meson setup build
fi
ninja -C build
voidoci=$PWD/build/src/voidoci

work=$(mktemp -d /tmp/voidoci-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

VOIDOCI=$voidoci tests/make-bundle.sh "$work/bundle" sh -c '
    echo "hostname: $(hostname)"
    echo "my pid:   $$"
    echo "my mounts:"
    cat /proc/self/mounts'
jq '.hostname = "void"' "$work/bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"

echo "host's hostname: $(hostname), this shell's pid: $$"
echo "---- $voidoci run"
"$voidoci" --root "$work/state" run --bundle "$work/bundle" demo
