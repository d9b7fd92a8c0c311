#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the client tests (podman, containerd, Docker, and the scenarios of
# tests/configs with podman, containerd and Docker) against a runtime and
# print TAP.
#
# Usage: tests/clients/run.sh [RUNTIME_BINARY] [BATS-OPTION...]
#
# RUNTIME_BINARY defaults to $RUNTIME, else build/src/voidoci.  Pass
# /usr/sbin/runc to check the tests themselves against the reference.
# Needs root, podman, conmon, containerd, ctr and docker.io
# (scripts/install-deps.sh); rootless podman also uidmap's newuidmap and
# newgidmap; a file whose client is missing skips.
# Extra arguments go to bats, e.g. `-f exec` to run only some tests;
# CLIENT_FILES="docker.bats" runs only the files it names.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
runtime=${RUNTIME:-$srcdir/build/src/voidoci}
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
    runtime=$1
    shift
fi
case $runtime in
/*) ;;
*/*) runtime=$PWD/$runtime ;;
*) runtime=$(command -v "$runtime" || echo "$PWD/$runtime") ;;
esac
[ -x "$runtime" ] || {
    echo "run.sh: no runtime binary at $runtime" >&2
    exit 1
}
export RUNTIME=$runtime
echo "# runtime: $RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n1))"
# CLIENT_FILES: the files to run (names in tests/clients), all by default.
files=()
for f in ${CLIENT_FILES:-podman.bats podman-rootless.bats containerd.bats docker.bats captured-configs.bats}; do
    files+=("$here/$f")
done
exec bats --tap "$@" "${files[@]}"
