#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How long `RUNTIME run` of busybox's `true` takes, from start to exit, for
# voidoci and for runc and crun where they are installed.  All runtimes run
# the same bundle (config.json from `voidoci spec`, terminal false), each
# with its own --root.  With hyperfine: --warmup 5 --runs $RUNS, JSON saved
# in bench/results/.  Without it: a plain loop of $RUNS runs each.
#
# Usage (as root): bench/run.sh        RUNS=100 bench/run.sh
#   VOIDOCI    the binary to time (default build/src/voidoci)
#   HYPERFINE  hyperfine to use; empty for the plain loop
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
srcdir=$PWD
VOIDOCI=${VOIDOCI:-$srcdir/build/src/voidoci}
RUNS=${RUNS:-50}
WARMUP=${WARMUP:-5}
HYPERFINE=${HYPERFINE-hyperfine}
ID=bench-$$

die() {
    echo "bench: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root: containers need namespaces"
[ -x "$VOIDOCI" ] || die "no voidoci at $VOIDOCI: build it first (ninja -C build)"

work=$(mktemp -d /tmp/voidoci-bench.XXXXXX)
cleanup() {
    local m
    # A run killed half-way could leave its container's mounts behind.
    for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        echo "bench: unmounting leftover $m" >&2
        umount -l "$m" || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

VOIDOCI=$VOIDOCI tests/make-bundle.sh "$work/bundle" true >/dev/null

# The runtimes to time: voidoci first, then the others that are installed
# and can run this bundle.
names=()
commands=()
add_runtime() {
    local name=$1 bin=$2 root=$work/root-$1 cmd
    cmd="$bin --root $root run --bundle $work/bundle $ID"
    if ! $cmd >"$work/check.out" 2>&1; then
        echo "bench: $name cannot run the bundle here, skipped: $(head -c 300 "$work/check.out")" >&2
        return
    fi
    names+=("$name")
    commands+=("$cmd")
}

add_runtime voidoci "$VOIDOCI"
[ ${#names[@]} -eq 1 ] || die "voidoci failed to run the benchmark bundle"
for other in runc crun; do
    if bin=$(command -v "$other"); then
        add_runtime "$other" "$bin"
    else
        echo "bench: $other is not installed, skipped" >&2
    fi
done

declare -A median_ms
if [ -n "$HYPERFINE" ] && command -v "$HYPERFINE" >/dev/null; then
    mkdir -p bench/results
    json=bench/results/run-true-$(date -u +%Y%m%dT%H%M%SZ).json
    args=()
    for i in "${!names[@]}"; do
        args+=(-n "${names[i]}" "${commands[i]}")
    done
    # -N: no shell in between, so that only the runtime is timed.
    "$HYPERFINE" -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$json" "${args[@]}"
    while read -r name ms; do
        median_ms[$name]=$ms
    done < <(jq -r '.results[] | "\(.command) \(.median * 1000)"' "$json")
    echo "bench: hyperfine results in $json"
else
    echo "bench: no hyperfine: timing a plain loop of $RUNS runs" >&2
    for i in "${!names[@]}"; do
        for ((r = 0; r < WARMUP; r++)); do
            ${commands[i]} >/dev/null
        done
        for ((r = 0; r < RUNS; r++)); do
            t0=$(date +%s%N)
            ${commands[i]} >/dev/null
            t1=$(date +%s%N)
            echo $((t1 - t0))
        done | sort -n | awk '{ t[NR] = $1 }
            END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1e6 }' \
            >"$work/median"
        median_ms[${names[i]}]=$(cat "$work/median")
    done
fi

echo
echo "median wall time of \`run\` of /bin/true ($RUNS runs):"
for name in "${names[@]}"; do
    printf '  %-8s %8.2f ms\n' "$name" "${median_ms[$name]}"
done
for other in runc crun; do
    if [ -n "${median_ms[$other]-}" ]; then
        printf '  ratio voidoci/%s: %.2f\n' "$other" \
            "$(awk -v a="${median_ms[voidoci]}" -v b="${median_ms[$other]}" 'BEGIN { print a / b }')"
    fi
done
