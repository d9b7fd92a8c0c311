# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by tests/clients/*.bats:  load helpers
#
# These tests drive a runtime through real clients: podman (with conmon) and
# containerd (with ctr and the io.containerd.runc.v2 shim).  Each file runs
# its clients privately: podman with its own containers.conf and
# storage.conf, containerd with its own config.toml, root, state and socket,
# all under the file's temporary directory, so nothing of the host's own
# podman or containerd is read or touched.  The runtime is $RUNTIME (a path:
# voidoci or runc); see run.sh.
#
# No registry is reachable, so the image is made here: Debian's static
# busybox with all its applets (tests/make-bundle.sh --rootfs-only) packed as
# an OCI image layout with one uncompressed tar layer.  podman pulls it with
# `oci:DIR:latest`, ctr imports it as a tar.
#
# Each test cleans up what it started (containers by ID, processes by pid)
# and its teardown fails the test if it left a process, a mount, a cgroup or
# a runtime state entry behind.

bats_require_minimum_version 1.5.0

CLIENTS_DIR=$(cd "$BATS_TEST_DIRNAME" && pwd)
TESTS_DIR=$(cd "$CLIENTS_DIR/.." && pwd)
VOIDOCI_SRCDIR=${VOIDOCI_SRCDIR:-$(cd "$TESTS_DIR/.." && pwd)}
RUNTIME=${RUNTIME:-$VOIDOCI_SRCDIR/build/src/voidoci}
export RUNTIME
# No single client call should take this long: past it the call is killed,
# and the teardown reports what it left.
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}
IMAGE=localhost/vbusybox:latest

# ---- checks common to both clients ----------------------------------------

# require_root_and CMD...: skip unless root and every CMD is installed.
require_root_and() {
    local c
    [ "$(id -u)" = 0 ] || skip "these tests run containers: they need root, not uid $(id -u)"
    [ -x "$RUNTIME" ] || skip "no runtime at $RUNTIME (build voidoci or set RUNTIME)"
    for c; do
        command -v "$c" >/dev/null ||
            skip "$c is not installed (scripts/install-deps.sh installs it)"
    done
}

# strip_cr: what a pty wrote, without its carriage returns.
strip_cr() {
    tr -d '\r'
}

# wait_for COMMAND...: retry COMMAND every 0.1 s for up to 10 s.
wait_for() {
    local i
    for ((i = 0; i < 100; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

# my_caps_hex: this shell's bounding set, all that --privileged can give (as
# root here lacks CAP_SYS_RESOURCE, that is not every capability).
my_caps_hex() {
    awk '/^CapBnd:/ { print $2 }' /proc/self/status
}

# ---- the image --------------------------------------------------------------

# make_image: build the busybox OCI image layout once per bats run, in
# $BATS_RUN_TMPDIR/image (the layout) and image.tar (the same, as a tar).
# Prints the layout directory.
make_image() {
    local out=$BATS_RUN_TMPDIR/image work blobs ld ls cd cs md ms
    if [ -f "$out.tar" ]; then
        echo "$out"
        return 0
    fi
    work=$BATS_RUN_TMPDIR/image-work
    rm -rf "$out" "$work"
    mkdir -p "$out/blobs/sha256" "$work"
    blobs=$out/blobs/sha256
    "$TESTS_DIR/make-bundle.sh" --rootfs-only "$work/bundle" >&2 || return 1
    tar --numeric-owner --sort=name --mtime=@0 -C "$work/bundle/rootfs" \
        -cf "$work/layer.tar" . || return 1
    read -r ld ls < <(_put_blob "$blobs" "$work/layer.tar")
    jq -nc --arg l "sha256:$ld" '{architecture: "amd64", os: "linux",
        config: {Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
        rootfs: {type: "layers", diff_ids: [$l]}}' >"$work/config.json"
    read -r cd cs < <(_put_blob "$blobs" "$work/config.json")
    jq -nc --arg c "sha256:$cd" --argjson cs "$cs" --arg l "sha256:$ld" --argjson ls "$ls" \
        '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
          layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
        >"$work/manifest.json"
    read -r md ms < <(_put_blob "$blobs" "$work/manifest.json")
    jq -nc --arg m "sha256:$md" --argjson ms "$ms" --arg name "$IMAGE" \
        '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: $m, size: $ms, annotations: {"io.containerd.image.name": $name,
          "org.opencontainers.image.ref.name": "latest"}}]}' >"$out/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
    tar -C "$out" -cf "$out.tar.tmp" oci-layout index.json blobs || return 1
    mv "$out.tar.tmp" "$out.tar"
    rm -rf "$work"
    echo "$out"
}

# _put_blob DIR FILE: move FILE into DIR under its sha256; print digest, size.
_put_blob() {
    local dir=$1 file=$2 digest
    digest=$(sha256sum "$file" | cut -d' ' -f1) || return 1
    mv "$file" "$dir/$digest"
    echo "$digest $(stat -c %s "$dir/$digest")"
}

# ---- what a test may leave behind -------------------------------------------

# pids_mentioning DIR [EXCEPT-PID...]: processes whose command line or root
# directory names DIR (conmon, shims, cleanup processes, containers whose
# rootfs is under DIR), except the given pids.
pids_mentioning() {
    local dir=$1 pid
    shift
    {
        # the pattern comes from a file: grep's own command line must not
        # name DIR
        grep -lsF -f <(echo "$dir") /proc/[0-9]*/cmdline
        find /proc/[0-9]*/root -maxdepth 0 -lname "*$dir*" 2>/dev/null
    } | cut -d/ -f3 | sort -un | while read -r pid; do
        [[ " $$ $* " != *" $pid "* ]] || continue
        echo "$pid"
    done
}

# kill_pids_and_wait PID...: SIGKILL each pid still alive, wait until gone.
kill_pids_and_wait() {
    local p
    for p; do
        kill -9 "$p" 2>/dev/null || true
    done
    for p; do
        wait_for eval "! kill -0 $p 2>/dev/null" 2>/dev/null || true
    done
}

# kill_pids_left PIDS: PIDS (one a line, maybe none) are what a test left
# behind: name each with its command line on stderr, kill them by pid and
# wait.  Fails if there was any.
kill_pids_left() {
    [ -n "$1" ] || return 0
    echo "teardown: processes left: $(echo "$1" | while read -r p; do
        echo "$p:$(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-80);"
    done)" >&2
    # shellcheck disable=SC2086
    kill_pids_and_wait $1
    return 1
}

# umount_mounts_left DIR: the mounts under DIR are what a test left behind:
# name them on stderr and unmount them (lazily, deepest first).  Fails if
# there was any.
umount_mounts_left() {
    local left
    left=$(mounts_mentioning "$1")
    [ -n "$left" ] || return 0
    echo "teardown: mounts left: $(tr '\n' ' ' <<<"$left")" >&2
    sort -r <<<"$left" | xargs -r -n1 umount -l
    return 1
}

# show_last_output: for teardown(), shown only when the test failed: what
# the last `run` printed.
show_last_output() {
    [ -z "${output-}" ] || printf 'last output:\n%s\n' "$output" | head -n 30
}

# mounts_mentioning DIR: mount points (our mount namespace) under DIR.
mounts_mentioning() {
    awk -v d="$1" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

# cgroup_dirs NAME: NAME's directory in each cgroup hierarchy that has one.
cgroup_dirs() {
    local name=${1#/} d
    [ -n "$name" ] || return 1
    for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
        [ -d "$d" ] && echo "$d"
    done
    return 0
}

# remove_cgroup_tree NAME: rmdir NAME and all below it in every hierarchy,
# deepest first.  Fails (naming what stayed) if one could not be removed:
# a process still lives in it.
remove_cgroup_tree() {
    local -a dirs
    mapfile -t dirs < <(cgroup_dirs "$1")
    [ "${#dirs[@]}" -gt 0 ] || return 0
    find "${dirs[@]}" -depth -type d -print0 2>/dev/null | xargs -0r rmdir 2>/dev/null
    mapfile -t dirs < <(cgroup_dirs "$1")
    [ "${#dirs[@]}" -eq 0 ] && return 0
    echo "cgroups that stay (with processes $(cgroup_pids "$1" | tr '\n' ' ')):" \
        "$(find "${dirs[@]}" -type d | tr '\n' ' ')" >&2
    return 1
}

# cgroup_pids NAME: every pid in NAME or below, in any hierarchy.
cgroup_pids() {
    local -a dirs
    mapfile -t dirs < <(cgroup_dirs "$1")
    [ "${#dirs[@]}" -gt 0 ] || return 0
    find "${dirs[@]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un
}

# runtime_lists [GLOBAL-OPTION...] ID: the runtime's `list` names ID.
runtime_lists() {
    local id=${*: -1}
    "$RUNTIME" "${@:1:$#-1}" list -q 2>/dev/null | grep -qFx "$id"
}

# proc_cgroup PID CONTROLLER: the cgroup directory (on the host) of PID in
# the v1 hierarchy of CONTROLLER.
proc_cgroup() {
    local path
    path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
        "/proc/$1/cgroup") || return 1
    [ -n "$path" ] || {
        echo "pid $1 has no $2 cgroup" >&2
        return 1
    }
    echo "/sys/fs/cgroup/$2$path"
}

# ---- podman -----------------------------------------------------------------

# podman_conf DIR RUNTIME-NAME STORAGE-LINE [CONMON-ENV...]: a private
# podman's files in DIR (rootful or rootless): storage.conf (vfs, its graph
# root DIR/storage/root, and STORAGE-LINE: where the run root or the
# rootless graph root is), containers.conf, an empty registries.conf and a
# policy.json that takes any image.  RUNTIME-NAME is the runtime's file
# name, for runtime_supports_json; each CONMON-ENV (VAR=VALUE) is added to
# the environment conmon gives podman's exit command.
podman_conf() {
    local d=$1 runtime_name=$2 storage_line=$3 env e nofile nproc pid_max
    shift 3
    mkdir -p "$d/storage/root" "$d/tmp" "$d/cni" "$d/events" "$d/cwd"
    # Root here lacks CAP_SYS_RESOURCE: podman's default RLIMIT_NOFILE of
    # 1048576 could not be set, so ask for the limits we already have.
    nofile=$(ulimit -Hn)
    nproc=$(ulimit -Hu)
    pid_max=$(cat /proc/sys/kernel/pid_max)
    if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; then
        nproc=$pid_max
    fi
    cat >"$d/storage.conf" <<EOC
[storage]
driver = "vfs"
graphroot = "$d/storage/root"
$storage_line
EOC
    # conmon starts the exit command (`podman container cleanup`) with only
    # conmon_env_vars: without these it would read the host's configuration.
    # static_dir and volume_path are where podman puts them when the exit
    # command passes --root (<graph root>/libpod): elsewhere, the cleanup
    # would not find the container and every `wait` and attached run would
    # take podman's 20 s timeout.
    env='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
    env+=", \"CONTAINERS_CONF=$d/containers.conf\", \"CONTAINERS_STORAGE_CONF=$d/storage.conf\""
    env+=", \"CONTAINERS_REGISTRIES_CONF=$d/registries.conf\", \"TMPDIR=$d/tmp\""
    for e; do
        env+=", \"$e\""
    done
    cat >"$d/containers.conf" <<EOC
[containers]
netns = "none"
log_driver = "k8s-file"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[network]
network_config_dir = "$d/cni"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events/events.log"
lock_type = "file"
tmp_dir = "$d/tmp"
static_dir = "$d/storage/root/libpod"
volume_path = "$d/storage/root/volumes"
runtime_supports_json = ["$runtime_name", "crun", "runc"]
conmon_env_vars = [$env]
EOC
    : >"$d/registries.conf"
    echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$d/policy.json"
}

# podman_setup_file: a private podman under $BATS_FILE_TMPDIR/podman, holding
# the busybox image as $IMAGE.  Call from setup_file.
podman_setup_file() {
    local d id image link
    d=$BATS_FILE_TMPDIR/podman
    mkdir -p "$d/storage/run"
    podman_conf "$d" "${RUNTIME##*/}" "runroot = \"$d/storage/run\"" || return 1
    export PODMAN_DIR=$d
    image=$(make_image) || return 1
    # An oci: image is named after its directory, which must be lower case:
    # pull it through a symbolic link, then give it the name tests use.
    link=/tmp/vtclients-image-$$
    ln -sfn "$image" "$link"
    id=$(pm pull -q --signature-policy "$d/policy.json" "oci:$link:latest") || {
        rm -f "$link"
        return 1
    }
    rm -f "$link"
    pm untag "$id" || return 1
    pm tag "$id" "$IMAGE" || return 1
}

# podman_teardown_file: remove every container, then the private podman.
podman_teardown_file() {
    [ -n "${PODMAN_DIR-}" ] || return 0
    pm rm -a -f -t 0 >/dev/null 2>&1 || true
    # shellcheck disable=SC2046
    kill_pids_and_wait $(pids_mentioning "$PODMAN_DIR")
    rm -rf "$PODMAN_DIR"
}

# pm ARG...: the private podman, with $RUNTIME, under a timeout.  It runs
# in $PODMAN_DIR/cwd, and so does the conmon it starts: conmon writes a
# file named "oom" in its working directory when the container meets its
# memory limit, which would otherwise land in the caller's (the checkout).
pm() {
    (
        cd "$PODMAN_DIR/cwd" || exit 1
        TMPDIR=$PODMAN_DIR/tmp \
            CONTAINERS_CONF=$PODMAN_DIR/containers.conf \
            CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf \
            CONTAINERS_REGISTRIES_CONF=$PODMAN_DIR/registries.conf \
            exec timeout --kill-after=10 "$CLIENT_TIMEOUT" podman --runtime "$RUNTIME" "$@"
    )
}

# prun ARG...: `podman run` of this test, in this test's cgroup parent.
prun() {
    pm run --pull never --cgroup-parent="$CG" "$@"
}

# podman_setup: call from setup().  Each test's containers go under the
# cgroup parent $CG, removed by the teardown.
podman_setup() {
    require_root_and podman conmon
    CG=/vtclients-$$-${BATS_TEST_NUMBER}-$RANDOM
}

# podman_teardown: call from teardown().  Removes every container (by ID),
# waits for their conmon and processes to go (killing by pid what stays),
# then fails if the runtime left a state entry, a process, a mount or a
# cgroup that holds a process.
podman_teardown() {
    local ids leaks=0 pids id
    [ -n "${PODMAN_DIR-}" ] && [ -n "${CG-}" ] || return 0
    mapfile -t ids < <(pm ps -aq --no-trunc 2>/dev/null)
    if [ "${#ids[@]}" -gt 0 ]; then
        pm_rm "${ids[@]}" || {
            echo "teardown: podman rm -f ${ids[*]} failed" >&2
            leaks=1
        }
    fi
    # conmon's exit command (podman container cleanup) may still be running.
    wait_for _no_pids_mentioning "$PODMAN_DIR" 2>/dev/null || true
    pids=$(pids_mentioning "$PODMAN_DIR"; cgroup_pids "$CG")
    kill_pids_left "$pids" || leaks=1
    for id in "${ids[@]}"; do
        if runtime_lists "$id"; then
            echo "teardown: $RUNTIME list still shows $id" >&2
            "$RUNTIME" delete --force "$id" >/dev/null 2>&1
            leaks=1
        fi
    done
    umount_mounts_left "$PODMAN_DIR" || leaks=1
    remove_cgroup_tree "$CG" || leaks=1
    return "$leaks"
}

_no_pids_mentioning() {
    [ -z "$(pids_mentioning "$1")" ]
}

# pm_rm ID...: remove the containers, running or not, and say why on
# stderr if podman can't.  Each is stopped first and its conmon and exit
# command (`podman container cleanup ID`) are waited for, so that `rm`
# does not run beside that cleanup.  podman 4.3's `rm -f` of a running
# container races it: conmon (and so its exit command) lives in a mount
# namespace of its own, where the cleanup unmounts its copy of the shm
# mount and marks the storage unmounted; rm then skips the unmount in ours
# and fails with "unlinkat .../userdata/shm: device or resource busy"
# (containers/podman#11594, #17216; strace of rm: no umount2 of shm
# before the failed rmdir).  Seen in 7 of 350 --uidmap runs with voidoci,
# 0 of 350 with runc (timing).  An rm that fails all the same is tried once
# more, a second later; the first error is printed.
pm_rm() {
    local id out left
    [ "$#" -gt 0 ] || return 0
    pm stop -t 0 "$@" >/dev/null 2>&1 || true
    for id in "$@"; do
        wait_for _no_pids_mentioning "$id" 2>/dev/null || true
    done
    out=$(pm rm -f -t 0 "$@" 2>&1 >/dev/null) && return 0
    echo "pm_rm: podman rm -f $*: $out" >&2
    sleep 1
    mapfile -t left < <(pm ps -aq --no-trunc 2>/dev/null | grep -xF -f <(printf '%s\n' "$@"))
    [ "${#left[@]}" -eq 0 ] || pm rm -f -t 0 "${left[@]}" >/dev/null || return 1
    # podman may have dropped a container whose storage it failed to remove
    pm rm --storage "$@" >/dev/null 2>&1 || true
}

# pm_pid ID: the host pid of the container's init.
pm_pid() {
    pm inspect --format '{{.State.Pid}}' "$1"
}

# pm_status ID: podman's status of the container (running, paused, exited...)
pm_status() {
    pm inspect --format '{{.State.Status}}' "$1"
}

# ---- containerd ---------------------------------------------------------------

# ctrd_setup_file: a private containerd under $BATS_FILE_TMPDIR/ctrd, started
# with setsid and stopped by its pid, holding the busybox image.  The shim
# calls the runtime it finds in $PATH as "runc" when ctr does not pass
# --runc-binary: bin/runc, first in containerd's PATH, is $RUNTIME.
ctrd_setup_file() {
    local d image i
    d=$BATS_FILE_TMPDIR/ctrd
    mkdir -p "$d/root" "$d/state" "$d/opt" "$d/bin" "$d/runtime-root"
    ln -sf "$RUNTIME" "$d/bin/runc"
    cat >"$d/config.toml" <<EOC
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.internal.v1.tracing",
  "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$d/c.sock"

[ttrpc]
  address = "$d/c.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
EOC
    export CTRD_DIR=$d
    # Its own namespace, so that its default cgroups (/NS/ID) are ours alone.
    export CTRD_NS=vtclients-$$
    PATH=$d/bin:$PATH setsid containerd --config "$d/config.toml" \
        </dev/null >"$d/containerd.log" 2>&1 3>&- &
    export CTRD_PID=$!
    for ((i = 0; i < 100; i++)); do
        [ -S "$d/c.sock" ] && ctr_cmd version >/dev/null 2>&1 && break
        sleep 0.1
    done
    ctr_cmd version >/dev/null || {
        echo "containerd did not start: $(tail -5 "$d/containerd.log")" >&2
        return 1
    }
    image=$(make_image) || return 1
    ctr_cmd images import "$image.tar" >/dev/null || return 1
}

# ctrd_teardown_file: stop containerd by its pid, then remove its files.
ctrd_teardown_file() {
    [ -n "${CTRD_DIR-}" ] || return 0
    if [ -n "${CTRD_PID-}" ]; then
        kill "$CTRD_PID" 2>/dev/null || true
        wait_for eval "! kill -0 $CTRD_PID 2>/dev/null" || kill -9 "$CTRD_PID" 2>/dev/null
    fi
    # shellcheck disable=SC2046
    kill_pids_and_wait $(pids_mentioning "$CTRD_DIR")
    mounts_mentioning "$CTRD_DIR" | sort -r | xargs -r -n1 umount -l
    remove_cgroup_tree "$CTRD_NS" || true
    rm -rf "$CTRD_DIR"
}

# ctr_cmd ARG...: ctr talking to the private containerd, in its namespace.
ctr_cmd() {
    timeout --kill-after=10 "$CLIENT_TIMEOUT" \
        ctr --address "$CTRD_DIR/c.sock" --namespace "$CTRD_NS" "$@"
}

# crun_ ARG...: `ctr run` with $RUNTIME (and its state under our directory).
ctr_run() {
    ctr_cmd run --runc-binary "$RUNTIME" --runc-root "$CTRD_DIR/runtime-root" "$@"
}

# ctrd_setup: call from setup().  $ID is this test's container.
ctrd_setup() {
    require_root_and containerd ctr containerd-shim-runc-v2
    ID=vt$BATS_TEST_NUMBER-$RANDOM
    CTR_IDS=("$ID")
}

# ctrd_teardown: call from teardown().  Kills and deletes the test's tasks
# and containers (by ID), then fails if a shim, a container process, a
# mount, a cgroup or a runtime state entry stayed.
ctrd_teardown() {
    local id leaks=0 pids
    [ -n "${CTRD_DIR-}" ] && [ -n "${ID-}" ] || return 0
    for id in "${CTR_IDS[@]}"; do
        if ctr_cmd tasks ls -q 2>/dev/null | grep -qFx "$id"; then
            ctr_cmd tasks kill -s SIGKILL "$id" >/dev/null 2>&1
            ctr_cmd tasks delete -f "$id" >/dev/null 2>&1 || {
                echo "teardown: ctr tasks delete -f $id failed" >&2
                leaks=1
            }
        fi
        if ctr_cmd containers ls -q 2>/dev/null | grep -qFx "$id"; then
            ctr_cmd containers delete "$id" >/dev/null 2>&1 || {
                echo "teardown: ctr containers delete $id failed" >&2
                leaks=1
            }
        fi
    done
    wait_for _no_pids_mentioning_but "$CTRD_DIR" "$CTRD_PID" 2>/dev/null || true
    pids=$(pids_mentioning "$CTRD_DIR" "$CTRD_PID"
        for id in "${CTR_IDS[@]}"; do cgroup_pids "$CTRD_NS/$id"; done)
    kill_pids_left "$pids" || leaks=1
    for id in "${CTR_IDS[@]}"; do
        if runtime_lists --root "$CTRD_DIR/runtime-root/$CTRD_NS" "$id"; then
            echo "teardown: $RUNTIME list still shows $id" >&2
            "$RUNTIME" --root "$CTRD_DIR/runtime-root/$CTRD_NS" delete --force "$id" >/dev/null 2>&1
            leaks=1
        fi
        if [ -n "$(cgroup_dirs "$CTRD_NS/$id")" ]; then
            echo "teardown: cgroup $CTRD_NS/$id left: $(cgroup_dirs "$CTRD_NS/$id" | tr '\n' ' ')" >&2
            remove_cgroup_tree "$CTRD_NS/$id"
            leaks=1
        fi
    done
    umount_mounts_left "$CTRD_DIR" || leaks=1
    return "$leaks"
}

_no_pids_mentioning_but() {
    [ -z "$(pids_mentioning "$@")" ]
}

# ctr_task_status ID: the task's status as ctr shows it (RUNNING, PAUSED,
# STOPPED...).
ctr_task_status() {
    ctr_cmd tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

# ctr_task_pid ID: the host pid of the task's init.
ctr_task_pid() {
    ctr_cmd tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'
}

# ctr_tty COMMAND-STRING: run a ctr command line (a string for sh) with a pty
# as its stdin and stdout: `ctr run -t` needs a terminal of its own.
ctr_tty() {
    timeout --kill-after=10 "$CLIENT_TIMEOUT" script -qec "$1" /dev/null </dev/null
}

# ---- Docker -------------------------------------------------------------------

# DOCKER and DOCKERD: Debian's docker.io, named by path (a stray
# /usr/local/bin/docker may come first in PATH).
DOCKER=${DOCKER:-/usr/bin/docker}
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
# DOCKER_RUNTIME: the name dockerd gives $RUNTIME (`--add-runtime`), also its
# default runtime.  Not "runc": that name is dockerd's own.
DOCKER_RUNTIME=under-test

# require_docker: skip unless root and docker.io's client and daemon are
# installed.
require_docker() {
    require_root_and unshare setsid
    if [ ! -x "$DOCKER" ] || [ ! -x "$DOCKERD" ]; then
        skip "$DOCKER or $DOCKERD is missing: docker.io is not installed (scripts/install-deps.sh installs it)"
    fi
}

# docker_setup_file: a private dockerd under $BATS_FILE_TMPDIR/docker, with
# $RUNTIME as its default runtime, holding the busybox image as
# vbusybox:latest (made with `docker import`).  Call from setup_file.
#
# It has its own data root, exec root, pid file, socket, containerd
# namespace and cgroup parent (/vtdocker-PID), no iptables and no bridge,
# vfs storage.  dockerd starts a containerd of its own (under the exec and
# data roots) unless it finds /run/containerd/containerd.sock, and it writes
# /etc/docker/key.json and /run/docker whatever it is told: it runs in a
# mount namespace of its own where /run and /etc/docker are empty tmpfs
# mounts, so it neither finds the host's containerd nor writes in the
# host's Docker files; those mounts (and the containers' rootfs mounts) go
# with the namespace.  setsid execs in place, so $! is dockerd's pid.
docker_setup_file() {
    local d i
    d=$BATS_FILE_TMPDIR/docker
    mkdir -p "$d/data" "$d/exec" "$d/cwd"
    echo '{}' >"$d/daemon.json"
    export DOCKER_DIR=$d DOCKER_CG=/vtdocker-$$ DOCKER_NS=vtdocker-$$
    (
        cd "$d/cwd" || exit 1
        exec setsid unshare --mount --propagation private sh -c \
            'mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /etc/docker && exec "$@"' sh \
            "$DOCKERD" --config-file "$d/daemon.json" --data-root "$d/data" \
            --exec-root "$d/exec" --pidfile "$d/dockerd.pid" -H "unix://$d/docker.sock" \
            --containerd-namespace "$DOCKER_NS" \
            --containerd-plugins-namespace "$DOCKER_NS-plugins" \
            --cgroup-parent "$DOCKER_CG" --exec-opt native.cgroupdriver=cgroupfs \
            --iptables=false --ip6tables=false --ip-masq=false --bridge=none \
            --storage-driver vfs --add-runtime "$DOCKER_RUNTIME=$RUNTIME" \
            --default-runtime "$DOCKER_RUNTIME" --log-level warn
    ) </dev/null >"$d/dockerd.log" 2>&1 3>&- &
    export DOCKERD_PID=$!
    for ((i = 0; i < 300; i++)); do
        dk version >/dev/null 2>&1 && break
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 0.1
    done
    dk version >/dev/null || {
        echo "dockerd did not start: $(tail -5 "$d/dockerd.log")" >&2
        return 1
    }
    "$TESTS_DIR/make-bundle.sh" --rootfs-only "$d/image" >/dev/null || return 1
    tar --numeric-owner -C "$d/image/rootfs" -c . |
        dk import -c 'CMD ["sh"]' -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' - vbusybox:latest \
            >/dev/null || return 1
    rm -rf "$d/image"
}

# docker_teardown_file: remove every container, stop dockerd by its pid (it
# stops its containerd), kill by pid what stays (the shims), remove the
# cgroup parent and the files.
docker_teardown_file() {
    local ids
    [ -n "${DOCKER_DIR-}" ] || return 0
    if [ -n "${DOCKERD_PID-}" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        mapfile -t ids < <(dk ps -aq 2>/dev/null)
        [ "${#ids[@]}" -eq 0 ] || dk rm -f "${ids[@]}" >/dev/null 2>&1 || true
        kill "$DOCKERD_PID" 2>/dev/null || true
        wait_for eval "! kill -0 $DOCKERD_PID 2>/dev/null" 2>/dev/null ||
            kill -9 "$DOCKERD_PID" 2>/dev/null || true
    fi
    # shellcheck disable=SC2046
    kill_pids_and_wait $(pids_mentioning "$DOCKER_DIR")
    mounts_mentioning "$DOCKER_DIR" | sort -r | xargs -r -n1 umount -l
    remove_cgroup_tree "$DOCKER_CG" || true
    rm -rf "$DOCKER_DIR"
}

# dk ARG...: the private dockerd's client, under a timeout.
dk() {
    timeout --kill-after=10 "$CLIENT_TIMEOUT" "$DOCKER" -H "unix://$DOCKER_DIR/docker.sock" "$@"
}

# drun ARG...: `docker run` with the image's name given by the caller.
drun() {
    dk run "$@"
}

# docker_setup: call from setup().
docker_setup() {
    require_docker
    [ -n "${DOCKER_DIR-}" ] || skip "the private dockerd did not start (see setup_file)"
}

# docker_teardown: call from teardown().  Removes every container, then fails
# if a container process, a runtime state entry or a cgroup holding a
# process stayed (shims, dockerd and its containerd are the file's).
docker_teardown() {
    local ids leaks=0 pids root
    root=$(docker_runtime_root)
    [ -n "${DOCKER_DIR-}" ] || return 0
    mapfile -t ids < <(dk ps -aq --no-trunc 2>/dev/null)
    if [ "${#ids[@]}" -gt 0 ]; then
        dk rm -f "${ids[@]}" >/dev/null 2>&1 || {
            echo "teardown: docker rm -f ${ids[*]} failed" >&2
            leaks=1
        }
    fi
    wait_for _no_cgroup_pids "$DOCKER_CG" 2>/dev/null || true
    pids=$(cgroup_pids "$DOCKER_CG")
    kill_pids_left "$pids" || leaks=1
    if [ -d "$root" ] && [ -n "$("$RUNTIME" --root "$root" list -q 2>/dev/null)" ]; then
        echo "teardown: $RUNTIME list still shows $("$RUNTIME" --root "$root" list -q | tr '\n' ' ')" >&2
        leaks=1
    fi
    remove_cgroup_tree "$DOCKER_CG" || leaks=1
    return "$leaks"
}

_no_cgroup_pids() {
    [ -z "$(cgroup_pids "$1")" ]
}

# docker_runtime_root: the --root dockerd 20.10 gives every runtime of the
# runc v2 shim: EXEC-ROOT/runtime-runc/NAMESPACE, whatever the runtime's name.
docker_runtime_root() {
    echo "$DOCKER_DIR/exec/runtime-runc/$DOCKER_NS"
}

# dk_inspect FORMAT ID: one field of `docker inspect`.
dk_inspect() {
    dk inspect --format "$1" "$2"
}
