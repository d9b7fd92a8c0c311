#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How long voidoci takes against runc and crun (where they are installed),
# on the same bundle (config.json from `voidoci spec`, terminal false, busybox's
# `true`, with memory, pids and cpu limits so that every runtime makes and
# writes its cgroups), each runtime with its own --root:
#
#   run     `RUNTIME run`, from start to exit
#   cold    `RUNTIME run` after $COLD_PAUSE seconds of idle (not timed): on
#           cgroup v1 the first cgroup join after an idle moment waits for
#           an RCU grace period in the kernel, which back-to-back runs hide
#   guard   (voidoci alone) what the CVE-2019-5736 guard costs one start:
#           bench_exe_guard (bench/exe_guard.c, built next to voidoci) times
#           the guard's calls on busybox (static) and dash (dynamic: its ELF
#           interpreter is checked too)
#   seccomp `RUNTIME run` with podman's seccomp profile (linux.seccomp of
#           tests/configs/podman-plain.config.json, as podman sends it)
#   exec    `RUNTIME exec ID /bin/true` into a running container that has
#           that profile (what every exec probe and `docker exec` does)
#   alive   $ALIVE containers (running `sleep`) created and started back to
#           back, `create` then `start` for each in turn, from none alive:
#           the runtimes take turns, $ALIVE_RUNS rounds each (after one
#           untimed), and the $ALIVE are deleted after each round (not
#           timed); the median of the rounds' wall times
#   rss     peak RSS (KiB, `/usr/bin/time -f %M`, that is wait4's
#           ru_maxrss: the largest of the runtime's process and of those it
#           waited for) of `RUNTIME --version` and of `RUNTIME run` of the
#           plain bundle, medians of $RUNS; and the wall time of
#           `RUNTIME --version` (hyperfine or the plain loop)
#   seal    (voidoci alone) what running from a copy no one can write
#           costs a create, run or exec (CVE-2019-5736,
#           libvoid/sealed_exe.c): `voidoci create --help`, which re-executes
#           itself from a read-only overlayfs view of its binary (as root;
#           else a sealed memfd copy), against `voidoci state --help`, which
#           does not; warm (back to back) and cold (after $COLD_PAUSE seconds
#           of idle)
#   cycle   `RUNTIME create`, `start`, `delete --force`: the calls podman and
#           containerd make for a container's life.  The three calls run
#           from one small bash script (the same for every runtime), so the
#           time includes a bash start-up; delete --force, because /bin/true
#           may or may not have exited when start returns.
#   many    with $N containers alive (each created and started, running
#           `sleep`, every runtime's under IDs of its own), the calls run
#           one runtime after the other, in turn, so that all see the same
#           load:
#             create   the median of the first $N/20 creates (from none
#                      alive) against that of the last $N/20 (from about
#                      $N alive): how create's cost grows with their number
#             list     `RUNTIME list --format json`, $MANY_RUNS times
#             state    `RUNTIME state ID` of one of them, $MANY_RUNS times
#             delete   `RUNTIME kill ID KILL` then `RUNTIME delete --force
#                      ID`, for each of the $N in turn (median per container)
#           The containers are all deleted by the end (and by the exit trap
#           when the script is cut short).
#
# With hyperfine: --warmup $WARMUP --runs $RUNS, JSON saved in bench/results/.
# Without it: a plain loop of $RUNS runs each.  Prints the medians and the
# ratios voidoci/runc and voidoci/crun, and ends with a markdown table of
# issue 18's goals: row | voidoci | crun | runc | ratio voidoci/crun | goal
# | met?  (a row shows only when its ROWS entry ran; "no worse" compares to
# the issue's figures: 0.64x crun's peak RSS, 1.6 ms for --version).
#
# crun 1.8.1 refuses a hybrid cgroup host; so that it can be timed, and every
# runtime sees the same host, the script runs itself in a private mount
# namespace where /sys/fs/cgroup is a fresh tmpfs holding bind mounts of the
# v1 hierarchies only (not the cgroup2 one): a plain v1 host.
#
# Usage (as root): bench/run.sh        RUNS=100 bench/run.sh
#   VOIDOCI    the binary to time (default build/src/voidoci)
#   BASELINE   another voidoci binary to time beside it (e.g. one built
#              before a change), shown as "baseline"
#   HYPERFINE  hyperfine to use; empty for the plain loop
#   COLD_PAUSE seconds of idle before each cold run (default 1)
#   N          containers alive for the many rows (default 1000; 0 skips them)
#   MANY_RUNS  runs of list and state with $N alive (default 20)
#   ALIVE      containers created and started in the alive row (default 20)
#   ALIVE_RUNS rounds of the alive row (default 20)
#   OTHERS     the other runtimes to time beside voidoci (default "runc crun")
#   ROWS       the rows to time, of: run cold cycle seccomp exec alive rss
#              seal many
#              (default all; e.g. ROWS=many N=300 bench/run.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
srcdir=$PWD
VOIDOCI=${VOIDOCI:-$srcdir/build/src/voidoci}
RUNS=${RUNS:-50}
WARMUP=${WARMUP:-5}
COLD_PAUSE=${COLD_PAUSE:-1}
HYPERFINE=${HYPERFINE-hyperfine}
N=${N:-1000}
MANY_RUNS=${MANY_RUNS:-20}
OTHERS=${OTHERS-runc crun}
ALIVE=${ALIVE:-20}
ALIVE_RUNS=${ALIVE_RUNS:-20}
ROWS=${ROWS:-run cold cycle seccomp exec alive rss seal many}
ID=bench-$$

# want ROW: ROW is among $ROWS.
want() {
    [[ " $ROWS " == *" $1 "* ]]
}

die() {
    echo "bench: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root: containers need namespaces"

# The v1-only view of the cgroups (see above), when the host has a cgroup2
# mount beside v1 ones.
if [ -z "${VOIDOCI_BENCH_V1_VIEW-}" ] &&
    awk '$9 == "cgroup" { v1 = 1 } $9 == "cgroup2" { v2 = 1 } END { exit !(v1 && v2) }' \
        /proc/self/mountinfo; then
    exec env VOIDOCI_BENCH_V1_VIEW=1 unshare -m --propagation private "$0" "$@"
fi
if [ "${VOIDOCI_BENCH_V1_VIEW-}" = 1 ]; then
    v1_mounts=$(awk '$9 == "cgroup" { print $5 }' /proc/self/mountinfo)
    mkdir -p /tmp/voidoci-bench-cg
    mount --rbind /sys/fs/cgroup /tmp/voidoci-bench-cg
    # Off the mount table, not just covered: runtimes read mountinfo.
    umount -R -l /sys/fs/cgroup
    mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
    for m in $v1_mounts; do
        mkdir -p "$m"
        mount --bind "/tmp/voidoci-bench-cg/${m#/sys/fs/cgroup/}" "$m"
    done
    umount -l /tmp/voidoci-bench-cg
    echo "bench: in a private mount namespace with v1 cgroup hierarchies only" >&2
fi
[ -x "$VOIDOCI" ] || die "no voidoci at $VOIDOCI: build it first (ninja -C build)"

work=$(mktemp -d "${TMPDIR:-/tmp}/voidoci-bench.XXXXXX")

# descendants PID: the PIDs of the processes under PID (from each
# /proc/PID/stat's ppid: this kernel has no /proc/PID/task/TID/children).
descendants() {
    local f line pid rest queue=("$1") p
    local -A kids=()
    for f in /proc/[0-9]*/stat; do
        { read -r line <"$f"; } 2>/dev/null || continue
        pid=${f#/proc/} pid=${pid%/stat}
        rest=${line##*) } rest=${rest#* } # state, then ppid
        kids[${rest%% *}]+=" $pid"
    done
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]} queue=("${queue[@]:1}")
        for pid in ${kids[$p]-}; do
            echo "$pid"
            queue+=("$pid")
        done
    done
}

# alive PID: PID is a process and not a zombie.
alive() {
    local line
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    line=${line##*) }
    [ "${line%% *}" != Z ]
}

# any_alive PID...: one of them is alive.
any_alive() {
    local p
    for p; do
        alive "$p" && return 0
    done
    return 1
}

# stop_children: when the script is killed (SIGTERM, SIGHUP: bash runs the
# exit trap at once and leaves its children running), stop hyperfine, the
# one thing that would go on starting containers, and let the runtime calls
# in flight end (a runtime killed half-way leaves more behind than one let
# finish); after 10 s, kill what is left.
stop_children() {
    local pids p comm i
    pids=$(descendants $$)
    for p in $pids; do
        comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
        [ "$comm" != hyperfine ] || kill -TERM "$p" 2>/dev/null || true
    done
    for ((i = 0; i < 100; i++)); do
        # shellcheck disable=SC2086 # a list of PIDs
        any_alive $pids || return 0
        sleep 0.1
    done
    echo "bench: killing what is still running after 10 s: ${pids//$'\n'/ }" >&2
    for p in $pids; do
        kill -KILL "$p" 2>/dev/null || true
    done
}

cleanup() {
    local m r d
    stop_children
    # A run killed half-way could leave a container, or its mounts, behind.
    for r in "$work"/root-*; do
        [ -d "$r" ] || continue
        for d in "$r"/*/; do
            [ -d "$d" ] || continue
            echo "bench: deleting leftover container $(basename "$d")" >&2
            "${runtime_bin[${r##*/root-}]:-$VOIDOCI}" --root "$r" delete --force "$(basename "$d")" \
                </dev/null >/dev/null 2>&1 || true
        done
    done
    for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        echo "bench: unmounting leftover $m" >&2
        umount -l "$m" || true
    done
    rm -rf "$work"
}
declare -A runtime_bin
trap cleanup EXIT

VOIDOCI=$VOIDOCI tests/make-bundle.sh "$work/bundle" true >/dev/null
jq '.ociVersion = "1.0.2" | .linux.resources += {"memory": {"limit": 268435456}, "pids": {"limit": 1024},
    "cpu": {"shares": 512}}' "$work/bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"
# The same bundle under podman's seccomp profile: bundle-seccomp runs true,
# bundle-sleep sleeps for exec to enter it (same rootfs).
jq --slurpfile p tests/configs/podman-plain.config.json '.linux.seccomp = $p[0].linux.seccomp' \
    "$work/bundle/config.json" >"$work/seccomp.json"
for b in seccomp sleep; do
    mkdir "$work/bundle-$b"
    jq --arg r "$work/bundle/rootfs" '.root.path = $r' "$work/seccomp.json" >"$work/bundle-$b/config.json"
done
jq '.process.args = ["sleep", "100000"]' "$work/bundle-sleep/config.json" >"$work/seccomp.json"
mv "$work/seccomp.json" "$work/bundle-sleep/config.json"
# The plain bundle sleeping, for the containers kept alive (alive, many).
mkdir "$work/bundle-live"
jq --arg r "$work/bundle/rootfs" '.root.path = $r | .process.args = ["sleep", "100000"]' \
    "$work/bundle/config.json" >"$work/bundle-live/config.json"

# The runtimes to time: voidoci first, then the others that are installed
# and can run this bundle.  Each gets a run command and a cycle script.
names=()
run_commands=()
cycle_commands=()
seccomp_commands=()
exec_commands=()
version_commands=()
add_runtime() {
    local name=$1 bin=$2 root=$work/root-$1 cmd script=$work/cycle-$1.sh
    # From now on, for the exit trap to delete what it makes.
    runtime_bin[$name]=$bin
    cmd="$bin --root $root run --bundle $work/bundle $ID"
    if ! $cmd </dev/null >"$work/check.out" 2>&1; then
        echo "bench: $name cannot run the bundle here, skipped: $(head -c 300 "$work/check.out")" >&2
        return
    fi
    cat >"$script" <<SCRIPT
#!/bin/bash
set -e
"$bin" --root "$root" create --bundle "$work/bundle" "$ID-cycle"
"$bin" --root "$root" start "$ID-cycle"
"$bin" --root "$root" delete --force "$ID-cycle"
SCRIPT
    chmod +x "$script"
    # The container's stdio is the script's: never a pipe.
    if ! "$script" </dev/null >/dev/null 2>"$work/check.out" || [ -e "$root/$ID-cycle" ]; then
        echo "bench: $name cannot create, start and delete the bundle here, skipped:" \
            "$(head -c 300 "$work/check.out")" >&2
        return
    fi
    # The exec target: created and started once, deleted at the end.
    if ! "$bin" --root "$root" run -d --bundle "$work/bundle-sleep" "$ID-exec" </dev/null \
        >/dev/null 2>"$work/check.out"; then
        echo "bench: $name cannot run the seccomp bundle detached here, skipped:" \
            "$(head -c 300 "$work/check.out")" >&2
        return
    fi
    names+=("$name")
    run_commands+=("$cmd")
    cycle_commands+=("$script")
    seccomp_commands+=("$bin --root $root run --bundle $work/bundle-seccomp $ID-seccomp")
    exec_commands+=("$bin --root $root exec $ID-exec /bin/true")
    version_commands+=("$bin --version")
}

add_runtime voidoci "$VOIDOCI"
[ ${#names[@]} -eq 1 ] || die "voidoci failed to run, or to create, start and delete, the benchmark bundle"
if [ -n "${BASELINE-}" ]; then
    add_runtime baseline "$BASELINE"
fi
for other in $OTHERS; do
    if bin=$(command -v "$other"); then
        add_runtime "$other" "$bin"
    else
        echo "bench: $other is not installed, skipped" >&2
    fi
done

declare -A median_ms

# time_commands KIND PAUSE COMMAND...: time each runtime's COMMAND (in the
# order of $names), each run after PAUSE seconds of idle (0: none, and a
# warm-up), and set median_ms[KIND/NAME] in milliseconds.
time_commands() {
    local kind=$1 pause=$2 i r json name ms t0 t1 warmup=$WARMUP
    shift 2
    local -a cmds=("$@") args=() prepare=()
    if [ "$pause" != 0 ]; then
        warmup=0
        prepare=(--prepare "sleep $pause")
    fi
    if [ -n "$HYPERFINE" ] && command -v "$HYPERFINE" >/dev/null; then
        mkdir -p bench/results
        json=bench/results/$kind-true-$(date -u +%Y%m%dT%H%M%SZ).json
        for i in "${!names[@]}"; do
            args+=(-n "${names[i]}" "${cmds[i]}")
        done
        # -N: no shell in between, so that only the runtime is timed.
        "$HYPERFINE" -N --warmup "$warmup" "${prepare[@]}" --runs "$RUNS" --export-json "$json" "${args[@]}"
        while read -r name ms; do
            median_ms[$kind/$name]=$ms
        done < <(jq -r '.results[] | "\(.command) \(.median * 1000)"' "$json")
        echo "bench: hyperfine results in $json"
    else
        echo "bench: no hyperfine: timing a plain loop of $RUNS runs" >&2
        for i in "${!names[@]}"; do
            for ((r = 0; r < warmup; r++)); do
                ${cmds[i]} </dev/null >/dev/null
            done
            for ((r = 0; r < RUNS; r++)); do
                [ "$pause" = 0 ] || sleep "$pause"
                t0=$(date +%s%N)
                ${cmds[i]} </dev/null >/dev/null
                t1=$(date +%s%N)
                echo $((t1 - t0))
            done | sort -n | awk '{ t[NR] = $1 }
                END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1e6 }' \
                >"$work/median"
            median_ms[$kind/${names[i]}]=$(cat "$work/median")
        done
    fi
}

# report KIND TITLE [WHAT]: the medians of KIND (WHAT: "wall time", in ms,
# by default; "peak RSS", in KiB) and voidoci's ratio to the others.
report() {
    local kind=$1 title=$2 what=${3:-wall time} name other format='  %-8s %8.2f ms\n'
    [ "$what" = "wall time" ] || format='  %-8s %8.0f KiB\n'
    echo
    echo "median $what of $title ($RUNS runs):"
    for name in "${names[@]}"; do
        # shellcheck disable=SC2059 # the format is one of the two above
        printf "$format" "$name" "${median_ms[$kind/$name]}"
    done
    for other in baseline runc crun; do
        if [ -n "${median_ms[$kind/$other]-}" ]; then
            printf '  ratio voidoci/%s: %.2f\n' "$other" \
                "$(awk -v a="${median_ms[$kind/voidoci]}" -v b="${median_ms[$kind/$other]}" 'BEGIN { print a / b }')"
        fi
    done
}

# median: the median of the numbers on stdin (one a line), to 3 decimals.
median() {
    sort -g | awk '{ t[NR] = $1 }
        END { if (NR == 0) { print "nan"; exit }
              m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.3f\n", m }'
}

# timed_ms FILE COMMAND...: run COMMAND (stdio away from any pipe) and append
# its wall time in ms to FILE; a failure stops the bench.
timed_ms() {
    local file=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    "$@" </dev/null >/dev/null 2>"$work/many.err" || die "$* failed: $(head -c 300 "$work/many.err")"
    t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' >>"$file"
}

# The many rows (see the top): $N containers alive for each runtime.
time_many() {
    local i name bin root k=$((N / 20 > 0 ? N / 20 : 1)) live=$work/bundle-live
    for name in "${names[@]}"; do
        rm -f "$work/many-create-$name" "$work/many-list-$name" "$work/many-state-$name" \
            "$work/many-delete-$name"
    done
    echo "bench: starting $N containers for each of ${names[*]}" >&2
    for ((i = 1; i <= N; i++)); do
        for name in "${names[@]}"; do
            bin=${runtime_bin[$name]} root=$work/root-$name
            timed_ms "$work/many-create-$name" "$bin" --root "$root" create --bundle "$live" "$ID-$name-$i"
            "$bin" --root "$root" start "$ID-$name-$i" </dev/null >/dev/null ||
                die "$name start $ID-$name-$i failed"
        done
    done
    for name in "${names[@]}"; do
        median_ms[many-create-first/$name]=$(head -n "$k" "$work/many-create-$name" | median)
        median_ms[many-create-last/$name]=$(tail -n "$k" "$work/many-create-$name" | median)
    done
    for ((i = 0; i < MANY_RUNS; i++)); do
        for name in "${names[@]}"; do
            bin=${runtime_bin[$name]} root=$work/root-$name
            timed_ms "$work/many-list-$name" "$bin" --root "$root" list --format json
            timed_ms "$work/many-state-$name" "$bin" --root "$root" state "$ID-$name-$((N / 2 + 1))"
        done
    done
    for ((i = 1; i <= N; i++)); do
        for name in "${names[@]}"; do
            bin=${runtime_bin[$name]} root=$work/root-$name
            timed_ms "$work/many-delete-$name" bash -c \
                '"$1" --root "$2" kill "$3" KILL && "$1" --root "$2" delete --force "$3"' \
                - "$bin" "$root" "$ID-$name-$i"
        done
    done
    for name in "${names[@]}"; do
        median_ms[many-list/$name]=$(median <"$work/many-list-$name")
        median_ms[many-state/$name]=$(median <"$work/many-state-$name")
        median_ms[many-delete/$name]=$(median <"$work/many-delete-$name")
    done
}

# The alive row (see the top): $ALIVE containers created and started back
# to back, the runtimes in turn, deleted after each round (not timed).
time_alive() {
    local r i name bin root t0 t1 live=$work/bundle-live
    for name in "${names[@]}"; do
        rm -f "$work/alive-$name"
    done
    echo "bench: creating and starting $ALIVE containers, 1 + $ALIVE_RUNS rounds for each of ${names[*]}" >&2
    for ((r = -1; r < ALIVE_RUNS; r++)); do
        for name in "${names[@]}"; do
            bin=${runtime_bin[$name]} root=$work/root-$name
            t0=$EPOCHREALTIME
            for ((i = 1; i <= ALIVE; i++)); do
                "$bin" --root "$root" create --bundle "$live" "$ID-alive-$i" </dev/null >/dev/null \
                    2>"$work/alive.err" || die "$name create $ID-alive-$i failed: $(head -c 300 "$work/alive.err")"
                "$bin" --root "$root" start "$ID-alive-$i" </dev/null >/dev/null 2>"$work/alive.err" ||
                    die "$name start $ID-alive-$i failed: $(head -c 300 "$work/alive.err")"
            done
            t1=$EPOCHREALTIME
            ((r < 0)) || awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' >>"$work/alive-$name"
            for ((i = 1; i <= ALIVE; i++)); do
                "$bin" --root "$root" delete --force "$ID-alive-$i" </dev/null >/dev/null 2>"$work/alive.err" ||
                    die "$name delete --force $ID-alive-$i failed: $(head -c 300 "$work/alive.err")"
            done
        done
    done
    for name in "${names[@]}"; do
        median_ms[alive/$name]=$(median <"$work/alive-$name")
    done
}

# time_rss KIND COMMAND...: each runtime's COMMAND (in the order of $names)
# $RUNS times, the runtimes in turn; median_ms[KIND/NAME] is then the median
# peak RSS, in KiB (not ms), as /usr/bin/time gives it: wait4's ru_maxrss,
# the largest of the process and of those it waited for.
time_rss() {
    local kind=$1 r i
    shift
    local -a cmds=("$@")
    for i in "${!names[@]}"; do
        rm -f "$work/$kind-${names[i]}"
    done
    for ((r = 0; r < RUNS; r++)); do
        for i in "${!names[@]}"; do
            /usr/bin/time -f %M -o "$work/rss.out" ${cmds[i]} </dev/null >/dev/null 2>"$work/rss.err" ||
                die "${cmds[i]} failed: $(head -c 300 "$work/rss.err")"
            tail -n 1 "$work/rss.out" >>"$work/$kind-${names[i]}"
        done
    done
    for i in "${!names[@]}"; do
        median_ms[$kind/${names[i]}]=$(median <"$work/$kind-${names[i]}")
    done
}

# row ROW COMMAND...: COMMAND if ROW is wanted, and how long it took.
row() {
    local t0=$SECONDS
    want "$1" || return 0
    "${@:2}"
    echo "bench: the $1 row took $((SECONDS - t0)) s" >&2
}

# rss_rows: the rss row (see the top).
rss_rows() {
    time_commands version 0 "${version_commands[@]}"
    if [ -x /usr/bin/time ]; then
        time_rss rss-version "${version_commands[@]}"
        time_rss rss-run "${run_commands[@]}"
    else
        echo "bench: no /usr/bin/time (Debian's time): peak RSS not measured" >&2
    fi
}

row run time_commands run 0 "${run_commands[@]}"
row cold time_commands cold "$COLD_PAUSE" "${run_commands[@]}"
row cycle time_commands cycle 0 "${cycle_commands[@]}"
row seccomp time_commands seccomp 0 "${seccomp_commands[@]}"
row exec time_commands exec 0 "${exec_commands[@]}"
for name in "${names[@]}"; do
    "${runtime_bin[$name]}" --root "$work/root-$name" delete --force "$ID-exec" </dev/null >/dev/null
done
row alive time_alive
row rss rss_rows
[ "$N" -le 0 ] || row many time_many

# The sealed copy: two commands of voidoci's own, named apart.
time_seal() {
    local runtime_names=("${names[@]}")
    names=(sealed unsealed)
    time_commands seal 0 "$VOIDOCI create --help" "$VOIDOCI state --help"
    time_commands seal-cold "$COLD_PAUSE" "$VOIDOCI create --help" "$VOIDOCI state --help"
    names=("${runtime_names[@]}")
}
row seal time_seal

echo
uptime
want run && report run '`run` of /bin/true, warm (back to back)'
want cold && report cold "\`run\` of /bin/true, cold (after ${COLD_PAUSE}s idle)"
want cycle && report cycle '`create` + `start` + `delete --force` of /bin/true'
want seccomp && report seccomp "\`run\` of /bin/true with podman's seccomp profile"
want exec && report exec "\`exec\` of /bin/true into a container with podman's seccomp profile"
want alive && RUNS=$ALIVE_RUNS report alive "\`create\` + \`start\` of $ALIVE containers (sleep), back to back, from none alive"
if want rss; then
    report version '`--version`'
    if [ -n "${median_ms[rss-run/voidoci]-}" ]; then
        report rss-version '`--version` (largest process)' "peak RSS"
        report rss-run '`run` of /bin/true (largest of the runtime and the processes it waited for)' "peak RSS"
    fi
fi
if want many && [ "$N" -gt 0 ]; then
    RUNS=$MANY_RUNS report many-list "\`list --format json\` with $N containers alive"
    RUNS=$MANY_RUNS report many-state "\`state ID\` with $N containers alive"
    RUNS=$N report many-delete "\`kill ID KILL\` + \`delete --force ID\` with from $N down to 1 alive, per container"
    echo
    echo "\`create\` from none alive (first $((N / 20 > 0 ? N / 20 : 1))) against from $N alive (last as many), medians:"
    for name in "${names[@]}"; do
        awk -v n="$name" -v a="${median_ms[many-create-first/$name]}" -v b="${median_ms[many-create-last/$name]}" \
            'BEGIN { printf "  %-8s %8.2f ms -> %8.2f ms: %+.0f%%\n", n, a, b, (b / a - 1) * 100 }'
    done
fi

if want seal; then
    echo
    echo "the CVE-2019-5736 sealed copy, per create, run or exec (create --help against state --help):"
    for kind in seal seal-cold; do
        awk -v k="$kind" -v a="${median_ms[$kind/sealed]}" -v b="${median_ms[$kind/unsealed]}" \
            'BEGIN { printf "  %-9s with %6.2f ms, without %6.2f ms: %.2f ms per start\n", k == "seal" ? "warm" : "cold", a, b, a - b }'
    done

    guard=$(dirname "$VOIDOCI")/../bench/bench_exe_guard
    if [ -x "$guard" ]; then
        echo
        echo "the CVE-2019-5736 guard, per container start (runtime_exe.c, the prctl):"
        "$guard" 20000 "$work/bundle/rootfs/bin/busybox" "$(readlink -f /bin/sh)" | sed 's/^/  /'
    else
        echo "bench: no $guard: the guard's cost is not measured (ninja -C build)" >&2
    fi
fi

# The summary: issue 18's goals table, in markdown, for a closing note.
# cell KIND NAME UNIT: the median of KIND for NAME with its unit, or "–".
cell() {
    local v=${median_ms[$1/$2]-}
    if [ -z "$v" ]; then
        echo "–"
    elif [ "$3" = KiB ]; then
        printf '%.0f KiB\n' "$v"
    else
        printf '%.2f ms\n' "$v"
    fi
}

# ratio_row TITLE KIND GOAL LIMIT UNIT: the medians of KIND, voidoci/crun,
# and whether that ratio is at most LIMIT (none if empty).
ratio_row() {
    local title=$1 kind=$2 goal=$3 limit=$4 unit=$5 ratio=– met=–
    [ -n "${median_ms[$kind/voidoci]-}" ] || return 0
    if [ -n "${median_ms[$kind/crun]-}" ]; then
        read -r ratio met < <(awk -v a="${median_ms[$kind/voidoci]}" -v b="${median_ms[$kind/crun]}" \
            -v l="$limit" 'BEGIN { r = a / b; printf "%.2f× %s\n", r, l == "" ? "–" : (r <= l + 1e-9) ? "yes" : "no" }')
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$title" "$(cell "$kind" voidoci "$unit")" \
        "$(cell "$kind" crun "$unit")" "$(cell "$kind" runc "$unit")" "$ratio" "$goal" "$met"
}

# growth_cell NAME: create's median from none alive -> from $N alive.
growth_cell() {
    local a=${median_ms[many-create-first/$1]-} b=${median_ms[many-create-last/$1]-}
    if [ -z "$a" ]; then
        echo "–"
    else
        awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f → %.2f ms (%+.0f%%)\n", a, b, (b / a - 1) * 100 }'
    fi
}

summary() {
    local ratio=– met=– v=${median_ms[version/voidoci]-}
    echo
    echo "issue 18's goals, medians of this run (RUNS=$RUNS, N=$N, MANY_RUNS=$MANY_RUNS, ALIVE=$ALIVE, ALIVE_RUNS=$ALIVE_RUNS; load: $(cut -d' ' -f1-3 /proc/loadavg)):"
    echo
    echo "| row | voidoci | crun | runc | ratio voidoci/crun | goal | met? |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    ratio_row "\`run\` with podman's seccomp profile" seccomp "≤ 0.5×" 0.5 ms
    ratio_row "\`exec\` into a container with that profile" exec "≤ 0.5×" 0.5 ms
    ratio_row "plain \`run\`, warm" run "≤ 0.55×" 0.55 ms
    ratio_row "plain \`run\`, cold (${COLD_PAUSE} s idle)" cold "≤ 0.85×" 0.85 ms
    ratio_row "create+start+delete --force" cycle "≤ 0.75×" 0.75 ms
    ratio_row "$ALIVE containers alive: create+start all" alive "≤ 0.6×" 0.6 ms
    ratio_row "\`list --format json\` with $N live containers" many-list "≤ 1×" 1 ms
    ratio_row "\`state\` with $N live containers" many-state "(none)" "" ms
    ratio_row "kill+delete of $N live containers, per container" many-delete "≤ 0.8×" 0.8 ms
    if [ -n "${median_ms[many-create-first/voidoci]-}" ]; then
        if [ -n "${median_ms[many-create-last/crun]-}" ]; then
            ratio=$(awk -v a="${median_ms[many-create-last/voidoci]}" -v b="${median_ms[many-create-last/crun]}" \
                'BEGIN { printf "%.2f× (at %d)\n", a / b, '"$N"' }')
        fi
        met=$(awk -v a="${median_ms[many-create-first/voidoci]}" -v b="${median_ms[many-create-last/voidoci]}" \
            'BEGIN { print (b / a - 1 <= 0.1) ? "yes" : "no" }')
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "create with $N already live, vs the first" \
            "$(growth_cell voidoci)" "$(growth_cell crun)" "$(growth_cell runc)" "$ratio" "flat (≤ +10%)" "$met"
    fi
    ratio_row "peak RSS, \`--version\`" rss-version "no worse (≤ 0.64×)" 0.64 KiB
    ratio_row "peak RSS, plain \`run\`" rss-run "no worse (≤ 0.64×)" 0.64 KiB
    if [ -n "$v" ]; then
        ratio=–
        [ -z "${median_ms[version/crun]-}" ] ||
            ratio=$(awk -v a="$v" -v b="${median_ms[version/crun]}" 'BEGIN { printf "%.2f×\n", a / b }')
        met=$(awk -v a="$v" 'BEGIN { print (a <= 1.6) ? "yes" : "no" }')
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "\`--version\`, wall time" "$(cell version voidoci ms)" \
            "$(cell version crun ms)" "$(cell version runc ms)" "$ratio" "no worse (≤ 1.6 ms)" "$met"
    fi
    echo
    echo "Peak RSS is wait4's ru_maxrss (/usr/bin/time -f %M): the largest of the runtime's process and of those it waited for."
}
summary
echo "bench: took $SECONDS s in all" >&2
