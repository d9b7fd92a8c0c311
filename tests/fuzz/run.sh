#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the libFuzzer harnesses with clang (ASan + UBSan + coverage) in
# build-fuzz/ and run each for FUZZ_SECONDS (default 60) from its seed
# corpus in tests/fuzz/corpus/.  Prints one TAP line per fuzzer; exits
# non-zero when one found a crash, a leak or a sanitizer report (the input
# that did it is kept as build-fuzz/crash-*, and the log tail printed).
#
#   tests/fuzz/run.sh [FUZZER...]       FUZZER: spec, state (default both)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
secs=${FUZZ_SECONDS:-60}
dir=${FUZZ_BUILD_DIR:-build-fuzz}
fuzzers=("$@")
[ ${#fuzzers[@]} -gt 0 ] || fuzzers=(spec state)

echo "1..${#fuzzers[@]}"
if ! command -v clang >/dev/null; then
    for f in "${fuzzers[@]}"; do
        echo "ok - fuzz $f # skip clang is not installed (run scripts/install-deps.sh)"
    done
    exit 0
fi

setup_log=$(mktemp)
trap 'rm -f "$setup_log"' EXIT
if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" -Dfuzz=true >"$setup_log" 2>&1 || {
        cat "$setup_log" >&2
        echo "not ok - fuzz: meson setup of $dir failed"
        exit 1
    }
fi
targets=()
for f in "${fuzzers[@]}"; do targets+=("tests/fuzz/fuzz_$f"); done
ninja -C "$dir" "${targets[@]}" >"$setup_log" 2>&1 || {
    cat "$setup_log" >&2
    echo "not ok - fuzz: build in $dir failed"
    exit 1
}

failed=0
n=0
for f in "${fuzzers[@]}"; do
    n=$((n + 1))
    # libFuzzer adds what it finds to the first corpus directory: work on a
    # copy so that the checked-in seeds stay as they are.
    work=$(mktemp -d)
    cp tests/fuzz/corpus/"$f"/* "$work"/
    dict=()
    [ -f "tests/fuzz/$f.dict" ] && dict=(-dict="tests/fuzz/$f.dict")
    log=$dir/fuzz-$f.log
    if "$dir/tests/fuzz/fuzz_$f" -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="$dir/" "$work" >"$log" 2>&1; then
        runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        echo "ok $n - fuzz $f: ${runs:-?} inputs in ${secs}s, no crash, leak or sanitizer report (${cov:-cov: ?})"
    else
        failed=1
        echo "not ok $n - fuzz $f: see $log"
        tail -40 "$log" | sed 's/^/# /'
    fi
    rm -rf "$work"
done
exit "$failed"
