#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test suite beside another program that makes cgroups and runs
# containers, as on a developer's machine (systemd, podman, another runtime,
# a CI harness): bats files run while, in the background,
#   - a loop makes cgroups of its own in every hierarchy, both at the top and
#     in voidoci's default parent (/voidoci), holds each a moment, checks that
#     it is still there, and removes it;
#   - a loop runs `voidoci run` of one container ID of its own (own --root,
#     default placement /voidoci/ID), again and again.
# The suite may not fail, and it may not remove or disturb anything of the
# other program's: no cgroup of the loop's may vanish, no run may fail.
# Prints TAP: the bats files' tests, then one line per loop.
#
# Usage: tests/security/side-by-side.sh [VOIDOCI_BINARY] [BATS_FILE...]
#
# VOIDOCI_BINARY defaults to $VOIDOCI, else build/src/voidoci; the bats files
# (paths from the source root) to $VOIDOCI_SIDE_BY_SIDE_FILES, else a few
# quick ones that make and remove containers and cgroups. Needs root.
set -uo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
voidoci=${VOIDOCI:-$srcdir/build/src/voidoci}
if [ $# -gt 0 ] && [[ $1 != *.bats ]]; then
    voidoci=$1
    shift
fi
case $voidoci in /*) ;; *) voidoci=$PWD/$voidoci ;; esac
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    read -ra files <<<"${VOIDOCI_SIDE_BY_SIDE_FILES:-tests/bats/run.bats tests/bats/delete.bats tests/bats/kill.bats}"
fi
cd "$srcdir" || exit 1
[ -x "$voidoci" ] || {
    echo "side-by-side.sh: no voidoci binary at $voidoci" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || {
    echo "1..0 # SKIP this machine runs the tests as uid $(id -u): containers need root"
    exit 0
}

work=$(mktemp -d "${TMPDIR:-/tmp}/voidoci-side-by-side.XXXXXX")
other=other-prog-$$
stop=$work/stop

# The hierarchies: every cgroup mount under /sys/fs/cgroup.
mapfile -t mounts < <(awk '$0 ~ / - cgroup2? / && $5 ~ "^/sys/fs/cgroup" { print $5 }' /proc/self/mountinfo)
[ ${#mounts[@]} -gt 0 ] || {
    echo "1..0 # SKIP this machine has no cgroup hierarchy under /sys/fs/cgroup"
    exit 0
}

# cgroup_loop: make, hold, check, remove, until $stop exists.  Counts in
# $work/cgroups: "made N vanished N".
cgroup_loop() {
    local n=0 made=0 vanished=0 m d
    local -a dirs
    while [ ! -e "$stop" ]; do
        n=$((n + 1))
        dirs=()
        for m in "${mounts[@]}"; do
            for d in "$m/$other-$n" "$m/voidoci/$other-$n"; do
                mkdir -p "$d" 2>/dev/null && dirs+=("$d")
            done
        done
        made=$((made + ${#dirs[@]}))
        sleep "0.$((RANDOM % 4 + 1))"
        for d in "${dirs[@]}"; do
            if [ ! -d "$d" ] || { ! rmdir "$d" 2>/dev/null && [ ! -d "$d" ]; }; then
                vanished=$((vanished + 1))
                echo "# the other program's cgroup $d vanished" >>"$work/cgroup-log"
            fi
        done
        echo "made $made vanished $vanished" >"$work/cgroups"
    done
}

# run_loop: `voidoci run` of container $other, until $stop exists.  Counts
# in $work/runs: "runs N failed N".
run_loop() {
    local runs=0 failed=0
    while [ ! -e "$stop" ]; do
        runs=$((runs + 1))
        if ! timeout 60 "$voidoci" --root "$work/root" run --bundle "$work/bundle" "$other" \
            </dev/null >/dev/null 2>"$work/run.err"; then
            failed=$((failed + 1))
            echo "# run $runs: $(head -1 "$work/run.err")" >>"$work/run-log"
            timeout 30 "$voidoci" --root "$work/root" delete --force "$other" >/dev/null 2>&1
        fi
        echo "runs $runs failed $failed" >"$work/runs"
    done
}

# Interrupted: stop the loops, remove what they made.
cleanup() {
    touch "$stop"
    kill "${cgroup_pid-}" "${run_pid-}" 2>/dev/null
    wait 2>/dev/null
    timeout 30 "$voidoci" --root "$work/root" delete --force "$other" >/dev/null 2>&1
    for m in "${mounts[@]}"; do
        rmdir "$m/voidoci/$other"-* "$m/$other"-* 2>/dev/null
    done
    rm -rf "$work"
}
trap 'cleanup; exit 130' INT TERM

VOIDOCI=$voidoci "$srcdir/tests/make-bundle.sh" "$work/bundle" true >/dev/null || exit 1
cgroup_loop &
cgroup_pid=$!
run_loop &
run_pid=$!

# The suite's own rmdir calls on the other program's cgroups, logged: when
# a cgroup vanishes, this tells whether the suite took it or someone else
# (a suite without this fix running beside this one does).
rmdir_bin=$(command -v rmdir)
mkdir "$work/bin"
cat >"$work/bin/rmdir" <<EOF
#!/bin/sh
for a; do case \$a in *$other*) echo "\$a" >>"$work/suite-rmdir";; esac; done
exec $rmdir_bin "\$@"
EOF
chmod 755 "$work/bin/rmdir"
PATH=$work/bin:$PATH VOIDOCI=$voidoci VOIDOCI_SRCDIR=$srcdir bats --tap "${files[@]}" >"$work/bats.tap" 2>&1
bats_rc=$?

touch "$stop"
wait "$cgroup_pid" "$run_pid"
read -r _ made _ vanished <"$work/cgroups" 2>/dev/null || made=0 vanished=0
read -r _ runs _ failed <"$work/runs" 2>/dev/null || runs=0 failed=0

n=$(grep -cE '^(not )?ok ' "$work/bats.tap")
echo "1..$((n + 3))"
grep -v '^1\.\.' "$work/bats.tap"
if [ "$bats_rc" -ne 0 ] && ! grep -q '^not ok ' "$work/bats.tap"; then
    echo "# bats exited with $bats_rc"
fi
if [ ! -s "$work/suite-rmdir" ]; then
    echo "ok $((n + 1)) side by side: the suite removed none of the other program's cgroups"
else
    echo "not ok $((n + 1)) side by side: the suite removed $(grep -c '' "$work/suite-rmdir") of the other program's cgroups"
    sed 's/^/# /' "$work/suite-rmdir"
fi
if [ "$made" -gt 0 ] && [ "$vanished" -eq 0 ]; then
    echo "ok $((n + 2)) side by side: the other program's $made cgroups stayed until it removed them"
else
    echo "not ok $((n + 2)) side by side: $vanished of the other program's $made cgroups vanished"
    cat "$work/cgroup-log" 2>/dev/null
fi
if [ "$runs" -gt 0 ] && [ "$failed" -eq 0 ]; then
    echo "ok $((n + 3)) side by side: the other program's $runs runs of container $other all succeeded"
else
    echo "not ok $((n + 3)) side by side: $failed of the other program's $runs runs of container $other failed"
    cat "$work/run-log" 2>/dev/null
fi

for m in "${mounts[@]}"; do
    rmdir "$m/voidoci/$other"-* "$m/$other"-* 2>/dev/null
done
suite_clean=0
[ ! -s "$work/suite-rmdir" ] || suite_clean=1
rm -rf "$work"
[ "$bats_rc" -eq 0 ] && [ "$suite_clean" -eq 0 ] && [ "$vanished" -eq 0 ] && [ "$failed" -eq 0 ] &&
    [ "$runs" -gt 0 ] && [ "$made" -gt 0 ]
