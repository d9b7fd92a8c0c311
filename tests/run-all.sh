#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build voidoci twice -- build/ as usual and build-asan/ with AddressSanitizer
# and UndefinedBehaviorSanitizer -- and run every test (the C unit tests and
# the bats integration suite) against each build.  Ends with one line:
# "N passed, N failed, N skipped", counting each unit test and each bats test.
# build/'s tests include the cgroup bats files run once more inside a qemu
# VM that is a cgroup v2 host (tests/vm/cgroup2-vm.sh, meson suite "vm"):
# their TAP is counted too.
#
# Run as root from anywhere:  ./tests/run-all.sh
# This is what CI runs (.ci/run).  Warnings are errors here, for developers
# and CI alike, so that a run that passes here passes in CI.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

missing=()
for tool in meson ninja bats jq /bin/busybox; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "run-all.sh: missing ${missing[*]}: run ./scripts/install-deps.sh as root" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "run-all.sh: the integration tests create namespaces: run as root" >&2
    exit 1
fi

passed=0
failed=0
skipped=0

# build DIR [MESON-OPTION...]: configure (or reconfigure) DIR and build it.
build() {
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" -Dwerror=true "$@" || return 1
    else
        meson setup "$dir" -Dwerror=true "$@" || return 1
    fi
    ninja -C "$dir"
}

# count DIR [LOGBASE]: add the results in DIR/meson-logs/LOGBASE.json
# (testlog.json by default) to the totals.
# A test that prints TAP (bats) counts once per TAP line; one that ends with
# a "N passed, N failed[, N skipped]" line (the C unit tests) counts that;
# any other test counts once.  A test that failed without reporting a
# failure of its own (it crashed, or timed out) counts one more failure.
count() {
    local log=$1/meson-logs/${2:-testlog}.json counts p f s
    if [ ! -s "$log" ]; then
        echo "run-all.sh: $log is missing: meson test ran nothing" >&2
        failed=$((failed + 1))
        return
    fi
    counts=$(jq -rs '
        def n(re): [.[] | select(test(re))] | length;
        map((.stdout // "" | split("\n")) as $out
            | [$out[] | select(test("^(not )?ok [0-9]+"))] as $tap
            | [$out[] | capture("^([A-Za-z_-]+: )?(?<p>[0-9]+) passed, (?<f>[0-9]+) failed(, (?<s>[0-9]+) skipped)?$")] as $sum
            | (.result == "OK" or .result == "SKIP" or .result == "EXPECTEDFAIL") as $ok
            | if ($tap | length) > 0 then
                { p: ($tap | n("^ok ") - n("^ok .*# [Ss][Kk][Ii][Pp]")),
                  f: ($tap | n("^not ok ")),
                  s: ($tap | n("^ok .*# [Ss][Kk][Ii][Pp]")) }
              elif ($sum | length) > 0 then
                $sum[-1] | { p: (.p | tonumber), f: (.f | tonumber), s: (.s // "0" | tonumber) }
              else
                { p: (if .result == "OK" or .result == "EXPECTEDFAIL" then 1 else 0 end),
                  f: (if $ok then 0 else 1 end),
                  s: (if .result == "SKIP" then 1 else 0 end) }
              end
            | if ($ok | not) and .f == 0 then .f = 1 else . end)
        | "\(map(.p) | add // 0) \(map(.f) | add // 0) \(map(.s) | add // 0)"
    ' "$log") || {
        echo "run-all.sh: cannot read $log" >&2
        failed=$((failed + 1))
        return
    }
    read -r p f s <<<"$counts"
    echo "run-all.sh: $1${2:+ ($2)}: $p passed, $f failed, $s skipped"
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
}

# suite DIR [MESON-OPTION...]: build DIR and run its tests.
suite() {
    local dir=$1
    echo "==== $dir: build"
    if ! build "$@"; then
        echo "run-all.sh: $dir: build failed" >&2
        failed=$((failed + 1))
        return
    fi
    echo "==== $dir: meson test"
    rm -f "$dir/meson-logs/testlog.json"
    # The sanitizer build's reports of an earlier run would fail this one
    # (its last test, sanitizer-logs, fails on any file there).
    if [ -d "$dir/sanitizer-logs" ]; then
        find "$dir/sanitizer-logs" -mindepth 1 -delete
    fi
    if [ "$dir" = build ]; then
        vm_start "$dir"
    fi
    meson test -C "$dir" --no-suite vm --print-errorlogs
    count "$dir"
}

# vm_start DIR: DIR's cgroup v2 VM (the meson suite "vm": qemu under TCG,
# one core, some 10 min) in the background, beside everything else, its
# log in DIR/meson-logs/vm.json; vm_end waits for it and counts it.  The
# VM's tests run inside it and touch nothing of the host's; the host's
# tests only run slower beside it.
vm_pid=
vm_start() {
    local dir=$1
    rm -f "$dir/meson-logs/vm.json"
    echo "==== $dir: meson test --suite vm (in the background)"
    meson test -C "$dir" --no-rebuild --suite vm --logbase vm --print-errorlogs \
        >"$dir/meson-logs/vm-output.txt" 2>&1 &
    vm_pid=$!
    vm_dir=$dir
}

vm_end() {
    [ -n "$vm_pid" ] || return 0
    echo "==== $vm_dir: meson test --suite vm (waiting for it)"
    wait "$vm_pid"
    cat "$vm_dir/meson-logs/vm-output.txt"
    count "$vm_dir" vm
}

# tap NAME COMMAND...: run a command that prints TAP and add its lines to
# the totals; a non-zero exit without a "not ok" line counts one failure.
tap() {
    local name=$1 out rc p f s
    shift
    echo "==== $name"
    out=$("$@" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(grep -cE '^ok ' <<<"$out" | head -1)
    s=$(grep -ciE '^ok .*# skip' <<<"$out" | head -1)
    f=$(grep -cE '^not ok ' <<<"$out" | head -1)
    p=$((p - s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    echo "run-all.sh: $name: $p passed, $f failed, $s skipped"
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
}

suite build
# LeakSanitizer stays on: a leak in the runtime fails the run.  Set
# ASAN_OPTIONS yourself to change that.
suite build-asan -Dsanitize=true
# The core bats files once more against build/, in one pass that checks
# two things:
#  - every container under an ERRNO-default profile of classic syscalls
#    only: nothing the runtime does after it loads a filter may need
#    close_range, openat2, clone3, pidfd_*... (make-bundle.sh reads
#    VOIDOCI_TEST_SECCOMP; tests that set their own linux.seccomp keep
#    theirs);
#  - beside another program that makes cgroups and runs containers
#    (side-by-side.sh): nothing of that program's may be touched.
# A subset, to keep CI's time: the files that take the runtime through run,
# create/start and exec.
tap seccomp-classic-side-by-side env VOIDOCI_TEST_SECCOMP=classic \
    tests/security/side-by-side.sh build/src/voidoci \
    tests/bats/run.bats tests/bats/create.bats tests/bats/exec.bats
# The config.json and state.json readers under libFuzzer, FUZZ_SECONDS each.
tap fuzz env FUZZ_SECONDS="${FUZZ_SECONDS:-30}" tests/fuzz/run.sh
# podman and containerd driving voidoci, then the same tests driving runc:
# what passes with runc asks only what a real runtime does.
tap clients-voidoci tests/clients/run.sh build/src/voidoci
# To keep CI's time under its limit, CI checks only the Docker file and
# rootless podman (the newest, a few seconds) against runc; run all of them
# against runc by hand when a client test changes: tests/clients/run.sh
# /usr/sbin/runc (RUN_ALL_CLIENTS_RUNC=all).
if command -v runc >/dev/null; then
    if [ "${RUN_ALL_CLIENTS_RUNC:-}" = all ]; then
        tap clients-runc tests/clients/run.sh "$(command -v runc)"
    else
        tap clients-runc env CLIENT_FILES="docker.bats podman-rootless.bats" tests/clients/run.sh "$(command -v runc)"
    fi
fi

vm_end
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
