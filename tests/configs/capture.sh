#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Capture the config.json and exec process.json that real clients hand a
# runtime, for tests/bats/field-configs.bats.  Each client runs privately
# under a temporary directory (podman and containerd as tests/clients/ runs
# them; Docker as a dockerd of its own with its own data root, exec root,
# socket, pid file, containerd and cgroup parent), with
# tests/configs/capture-runtime.sh in front of runc.  Nothing of the host's
# podman, containerd or Docker state is read or touched; every process the
# script started is stopped at the end.
#
# Usage: tests/configs/capture.sh [--runtime PATH] [OUT_DIR] [podman] [ctr] [docker]
#
# OUT_DIR defaults to tests/configs.  With no client named, all three run.
# --runtime: the runtime behind the wrapper (default: runc).  With voidoci
# there, the same scenarios check that the clients work with it.
# Writes OUT_DIR/CLIENT-SCENARIO.config.json (and .process.json for an exec),
# pretty-printed, with host-specific values replaced by placeholders (see
# README.md) that field-configs.bats fills in.  Needs root, runc, jq and the
# clients.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
out=$here
real_runc=
if [ "${1-}" = --runtime ]; then
    real_runc=$(cd "$(dirname "$2")" && pwd)/${2##*/}
    shift 2
fi
if [ $# -gt 0 ] && [[ $1 == */* || -d $1 ]]; then
    out=$(cd "$1" && pwd)
    shift
fi
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(podman ctr docker)

[ "$(id -u)" = 0 ] || { echo "capture.sh: run as root" >&2; exit 1; }
[ -n "$real_runc" ] || real_runc=$(command -v runc) ||
    { echo "capture.sh: runc is missing" >&2; exit 1; }
[ -x "$real_runc" ] || { echo "capture.sh: no runtime at $real_runc" >&2; exit 1; }

tmp=$(mktemp -d /tmp/vcapture.XXXXXX)
cap=$tmp/capture
mkdir -p "$cap" "$tmp/bin"
# The runtime the clients call: named runc, so that podman passes it
# --log-format=json as it does to runc.
cat >"$tmp/bin/runc" <<EOF
#!/bin/sh
CAPTURE_DIR=$cap CAPTURE_RUNTIME=$real_runc exec $here/capture-runtime.sh "\$@"
EOF
chmod +x "$tmp/bin/runc"

# tests/clients/helpers.bash, outside bats.
bats_require_minimum_version() { :; }
skip() { echo "capture.sh: $*" >&2; exit 1; }
BATS_TEST_DIRNAME=$srcdir/tests/clients
BATS_FILE_TMPDIR=$tmp
BATS_RUN_TMPDIR=$tmp
RUNTIME=$tmp/bin/runc
# shellcheck source=../clients/helpers.bash
. "$srcdir/tests/clients/helpers.bash"

dockerd_pid=
cleanup() {
    set +e
    [ -z "${PODMAN_DIR-}" ] || podman_teardown_file
    [ -z "${CTRD_DIR-}" ] || ctrd_teardown_file
    if [ -n "$dockerd_pid" ]; then
        dk rm -f $(dk ps -aq) >/dev/null 2>&1
        kill "$dockerd_pid" 2>/dev/null
        wait_for eval "! kill -0 $dockerd_pid 2>/dev/null" || kill -9 "$dockerd_pid"
    fi
    # shellcheck disable=SC2046
    kill_pids_and_wait $(pids_mentioning "$tmp")
    mounts_mentioning "$tmp" | sort -r | xargs -r -n1 umount -l
    for cg in vcapture-podman vcapture-docker vcapture-ctr; do
        remove_cgroup_tree "$cg"
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

# save NAME ID [EXEC-N]: scrub the captured config (or the Nth exec's
# process) of container ID into OUT/NAME.config.json (.process.json).
save() {
    local name=$1 id=$2 n=${3-} src dst
    if [ -n "$n" ]; then
        src=$cap/$id.exec-$n.process.json
        dst=$out/$name.process.json
    else
        src=$cap/$id.config.json
        dst=$out/$name.config.json
    fi
    [ -s "$src" ] || { echo "capture.sh: nothing captured for $name ($src)" >&2; return 1; }
    scrub "$id" <"$src" >"$dst.tmp"
    mv "$dst.tmp" "$dst"
    echo "captured $name"
}

# scrub ID: stdin's JSON with this run's values as placeholders:
#   @ID@ the container ID, @SHORTID@ its first 12 characters (when it is
#   64 hex digits), @TMPFILE@ the capture directory at the start of a bind
#   source that is a file, @TMP@ the capture directory anywhere else,
#   @CGPARENT@ the cgroup parent (or containerd namespace) of the capture,
#   @DOCKERD@ /proc/<dockerd's pid>/exe.
scrub() {
    local id=$1 short=
    [[ $id =~ ^[0-9a-f]{64}$ ]] && short=${id:0:12}
    local json
    json=$(cat)
    # bind sources that are files under $tmp
    local f
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        if [ -f "$f" ]; then
            json=$(jq --arg s "$f" --arg t "@TMPFILE@${f#"$tmp"}" \
                '(.mounts // [])[] |= (if .source == $s then .source = $t else . end)' <<<"$json")
        fi
    done < <(jq -r --arg t "$tmp/" '(.mounts // [])[] | .source // empty | select(startswith($t))' <<<"$json")
    jq --arg id "$id" --arg short "$short" --arg tmp "$tmp" \
        --arg dockerd "/proc/${dockerd_pid:-NONE}/exe" '
        def s: if type == "string" then
            gsub($tmp; "@TMP@") | gsub($dockerd; "@DOCKERD@")
            | gsub("vcapture-(podman|docker|ctr)"; "@CGPARENT@")
            | gsub($id; "@ID@")
            | (if $short != "" then gsub($short; "@SHORTID@") else . end)
          else . end;
        walk(s) | if .root.path then .root.path = "@ROOTFS@" else . end' <<<"$json"
}

# ---- podman ------------------------------------------------------------------

capture_podman() {
    local id
    podman_setup_file
    # pcap NAME ARG...: podman run -d ARG... sleep, exec once, save both.
    pcap() {
        local name=$1
        shift
        id=$(pm run -d --pull never --cgroup-parent=/vcapture-podman "$@" "$IMAGE" sleep 1000)
        pm exec "$id" true
        save "podman-$name" "$id"
        [ "$name" != plain ] || save podman-exec "$id" 1
        pm_rm "$id"
    }
    pcap plain
    id=$(pm run -d -t --pull never --cgroup-parent=/vcapture-podman "$IMAGE" sleep 1000)
    pm exec -t "$id" true </dev/null >/dev/null
    save podman-tty "$id"
    save podman-exec-tty "$id" 1
    pm_rm "$id"
    pcap limits --memory 64m --memory-swap 64m --pids-limit 50 --cpus 0.5
    pcap cap-add --cap-add NET_ADMIN --cap-add SYS_PTRACE
    mkdir -p "$tmp/volume"
    pcap bind -v "$tmp/volume:/data" -v "$tmp/volume:/data-ro:ro"
    pcap read-only --read-only
    pcap uidmap --uidmap 0:100000:65536 --gidmap 0:100000:65536
}

# ---- containerd (ctr) --------------------------------------------------------

capture_ctr() {
    ctrd_setup_file
    export CTRD_NS=vcapture-ctr
    ctr_cmd images import "$(make_image).tar" >/dev/null
    # ccap NAME ID ARG...: ctr run -d ARG... sleep, task exec once, save.
    ccap() {
        local name=$1 id=$2
        shift 2
        ctr_cmd run -d --runc-binary "$RUNTIME" --runc-root "$tmp/ctr-runtime-root" "$@" \
            "$IMAGE" "$id" sleep 1000 </dev/null >/dev/null
        ctr_cmd tasks exec --exec-id e1 "$id" true
        save "ctr-$name" "$id"
        ctr_cmd tasks kill -s SIGKILL "$id"
        wait_for eval '[ "$(ctr_task_status "$id")" = STOPPED ]'
        ctr_cmd tasks delete "$id" >/dev/null
        ctr_cmd containers delete "$id"
    }
    ccap plain vcapture-plain
    save ctr-exec vcapture-plain 1
    ccap seccomp vcapture-seccomp --seccomp
    # a tty: ctr needs a terminal of its own (script gives it one)
    ctr_tty "ctr --address $CTRD_DIR/c.sock --namespace $CTRD_NS run -t -d \
        --runc-binary $RUNTIME --runc-root $tmp/ctr-runtime-root $IMAGE vcapture-tty sleep 1000" >/dev/null
    ctr_tty "ctr --address $CTRD_DIR/c.sock --namespace $CTRD_NS tasks exec -t --exec-id e1 \
        vcapture-tty true" >/dev/null
    save ctr-tty vcapture-tty
    save ctr-exec-tty vcapture-tty 1
    ctr_cmd tasks kill -s SIGKILL vcapture-tty
    wait_for eval '[ "$(ctr_task_status vcapture-tty)" = STOPPED ]'
    ctr_cmd tasks delete vcapture-tty >/dev/null
    ctr_cmd containers delete vcapture-tty
}

# ---- Docker -------------------------------------------------------------------

dk() {
    timeout --kill-after=10 "$CLIENT_TIMEOUT" /usr/bin/docker -H "unix://$tmp/docker/docker.sock" "$@"
}

capture_docker() {
    local d=$tmp/docker id i
    command -v dockerd >/dev/null || { echo "capture.sh: dockerd is not installed" >&2; return 1; }
    mkdir -p "$d/data" "$d/exec"
    echo "{}" >"$d/daemon.json"
    # dockerd starts a containerd of its own under --exec-root and --data-root.
    # It also writes /etc/docker/key.json, /run/docker/plugins and (its
    # shims) /run/containerd/s whatever it is told: in a mount namespace of
    # its own, those go to tmpfs mounts that vanish with it.
    setsid unshare --mount --propagation private sh -c \
        'mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /etc/docker && exec "$@"' sh \
        dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
        -H "unix://$d/docker.sock" --containerd-namespace vcapture-docker \
        --containerd-plugins-namespace vcapture-docker-plugins \
        --cgroup-parent /vcapture-docker --iptables=false --ip6tables=false \
        --bridge=none --ip-masq=false --storage-driver vfs \
        --add-runtime "capture=$tmp/bin/runc" --config-file "$d/daemon.json" \
        </dev/null >"$d/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for ((i = 0; i < 300; i++)); do
        dk version >/dev/null 2>&1 && break
        kill -0 "$dockerd_pid" || { tail -20 "$d/dockerd.log" >&2; return 1; }
        sleep 0.1
    done
    dk version >/dev/null || { tail -20 "$d/dockerd.log" >&2; return 1; }
    tar --numeric-owner -C "$(make_image)/../image-rootfs" -c . 2>/dev/null |
        dk import -c 'CMD ["sh"]' -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' - vbusybox:latest >/dev/null
    # dcap NAME ARG...: docker run -d ARG... sleep, exec once, save both.
    dcap() {
        local name=$1
        shift
        id=$(dk run -d --runtime capture --network none "$@" vbusybox:latest sleep 1000)
        dk exec "$id" true
        save "docker-$name" "$id"
        [ "$name" != plain ] || save docker-exec "$id" 1
        dk rm -f "$id" >/dev/null
    }
    dcap plain
    dcap memory --memory 64m
    id=$(dk run -d -t --runtime capture --network none vbusybox:latest sleep 1000)
    dk exec -t "$id" true </dev/null >/dev/null 2>&1 || script -qec "/usr/bin/docker -H unix://$d/docker.sock exec -t $id true" /dev/null </dev/null >/dev/null
    save docker-tty "$id"
    save docker-exec-tty "$id" 1
    dk rm -f "$id" >/dev/null
    dcap cap-drop-all --cap-drop ALL
    dcap read-only --read-only --tmpfs /run --tmpfs /tmp
}

for c in "${clients[@]}"; do
    case $c in
    podman) capture_podman ;;
    ctr) capture_ctr ;;
    docker)
        # the rootfs tree the image layer was made from, for docker import
        mkdir -p "$tmp/image-rootfs"
        "$srcdir/tests/make-bundle.sh" --rootfs-only "$tmp/rootfs-bundle" >/dev/null
        rmdir "$tmp/image-rootfs"
        mv "$tmp/rootfs-bundle/rootfs" "$tmp/image-rootfs"
        capture_docker
        ;;
    *) echo "capture.sh: unknown client $c" >&2; exit 1 ;;
    esac
done
cp "$cap/calls.jsonl" "$tmp/calls.jsonl" 2>/dev/null || true
echo "calls: $(wc -l <"$cap/calls.jsonl" 2>/dev/null || echo 0)"
