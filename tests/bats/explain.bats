#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci explain: config.json checked as create checks it, the plan
# printed (text or JSON), nothing made on the host.

load helpers

CONFIGS_DIR=$TESTS_DIR/configs

setup() {
    voidoci_setup
    mkdir -p "$BUNDLE/rootfs"
    FILES=$BATS_TEST_TMPDIR/files
}

# explain runs nothing: each test checks that itself (nothing_made), and
# only the test that also runs create pays for the full leak scan of
# helpers.bash (a scan of every process and cgroup, seconds on a busy host).
teardown() {
    if [ -n "${RAN_CREATE-}" ]; then
        voidoci_teardown
    else
        rm -rf "$ROOT"
    fi
}

# spec_bundle: the default `voidoci spec` config, not on a terminal, in
# this test's cgroup.
spec_bundle() {
    rm -f "$BUNDLE/config.json"
    "$VOIDOCI" spec -b "$BUNDLE"
    bundle_jq "$BUNDLE" '.process.terminal = false | .linux.cgroupsPath = $c' \
        --arg c "$CGROUP_PARENT/$ID"
}

# captured_bundle NAME: tests/configs/NAME.config.json with its
# placeholders filled in (as field-configs.bats does), root.path "rootfs",
# and every bind source there.
captured_bundle() {
    sed -e "s|@TMPFILE@|$FILES|g" -e "s|@TMP@|$FILES|g" -e "s|@SHORTID@|${ID:0:12}|g" \
        -e "s|@ID@|$ID|g" -e "s|/@CGPARENT@|$CGROUP_PARENT|g" -e "s|@DOCKERD@|/bin/true|g" \
        "$CONFIGS_DIR/$1.config.json" | jq '.root.path = "rootfs"' >"$BUNDLE/config.json"
    jq -r '.mounts[] | select(.type == "bind") | .source' "$BUNDLE/config.json" |
        while IFS= read -r src; do mkdir -p "$src"; done
}

# nothing_made: no state directory, no cgroup, no mount since setup.
nothing_made() {
    [ -z "$(ls -A "$ROOT")" ]
    local d
    for d in /sys/fs/cgroup/*/"$CGROUP_PARENT" /sys/fs/cgroup/"$CGROUP_PARENT"; do
        if [ -e "$d" ]; then
            echo "explain made $d" >&2
            return 1
        fi
    done
    # No mount over the bundle, the test's directory or the state root (the
    # host's other mounts are other programs', which may run beside it).
    [ -z "$(_leaked_mounts)" ]
}

# line SECTION WHAT PATH: $output has the text line of that item.
line() {
    local want
    want=$(printf '%-13s %s  [%s]' "$1" "$2" "$3")
    grep -qxF -- "$want" <<<"$output" || {
        echo "no line: $want" >&2
        return 1
    }
}

@test "explain: the default spec config, as text" {
    spec_bundle
    run --separate-stderr vo explain -b "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "bundle $BUNDLE" ]
    line namespace "pid: new" "linux.namespaces[0]"
    line namespace "network: new" "linux.namespaces[1]"
    line namespace "mount: new" "linux.namespaces[4]"
    line namespace "user: shared with the runtime (not listed)" "linux.namespaces"
    line root "$BUNDLE/rootfs, read-only (root.readonly)" "root.path"
    line root "hostname runc" "hostname"
    line mount "/proc: proc from proc" "mounts[0]"
    line masked "/proc/kcore" "linux.maskedPaths[2]"
    line readonly "/proc/sys" "linux.readonlyPaths[3]"
    line capabilities "bounding: CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE" \
        "process.capabilities.bounding"
    line capabilities "inheritable: none" "process.capabilities.inheritable"
    line user "uid 0, gid 0, additional gids none" "process.user"
    line rlimit "RLIMIT_NOFILE: soft 1024, hard 1024" "process.rlimits[0]"
    line seccomp "none: every system call is allowed" "linux.seccomp"
    line cgroup "$CGROUP_PARENT/$ID" "linux.cgroupsPath"
    line void "no network device but lo" "linux.netDevices"
    line void "no device but the default ones" "linux.devices"
    nothing_made
}

@test "explain: --format json is the same plan, one object per item" {
    spec_bundle
    run --separate-stderr vo explain -b "$BUNDLE" --format text "$ID"
    [ "$status" -eq 0 ]
    local text=$output
    run --separate-stderr vo explain -b "$BUNDLE" --format json "$ID"
    [ "$status" -eq 0 ]
    [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
    [ "$(jq -r '.plan[] | select(.path == "linux.namespaces[2]") | "\(.section) \(.what)"' \
        <<<"$output")" = "namespace ipc: new" ]
    [ "$(jq '[.plan[] | keys] | unique' -c <<<"$output")" = '[["path","section","what"]]' ]
    # the text lines and the JSON items are one description
    [ "$(jq -r '.plan[] | "\(.section)\t\(.what)\t\(.path)"' <<<"$output" |
        awk -F'\t' '{ printf "%-13s %s  [%s]\n", $1, $2, $3 }')" = "$(tail -n +2 <<<"$text")" ]
    run --separate-stderr vo explain -b "$BUNDLE" --format yaml
    [ "$status" -ne 0 ]
    assert_one_error_line 'explain: --format: "yaml": expected text or json'
    nothing_made
}

@test "explain: podman's config: its mounts, seccomp, cgroup and limits" {
    captured_bundle podman-plain
    run --separate-stderr vo explain -b "$BUNDLE"
    [ "$status" -eq 0 ]
    line namespace "cgroup: shared with the runtime (not listed)" "linux.namespaces"
    line mount "/etc/hosts: bind from $FILES/podman/storage/run/vfs-containers/$ID/userdata/hosts bind,rprivate" \
        "mounts[5]"
    line seccomp "default action SCMP_ACT_ERRNO, 19 rules, no listener" "linux.seccomp"
    line cgroup "$CGROUP_PARENT/libpod-$ID" "linux.cgroupsPath"
    line cgroup "pids.limit = 2048" "linux.resources.pids.limit"
    line rlimit "RLIMIT_NPROC: soft 32768, hard 32768" "process.rlimits[1]"
    line capabilities "ambient: none" "process.capabilities.ambient"
    ! grep -q '^refused' <<<"$output"
    nothing_made
}

@test "explain: Docker's config: its hooks and memory limit" {
    captured_bundle docker-memory
    run --separate-stderr vo explain -b "$BUNDLE" --format json
    [ "$status" -eq 0 ]
    [ "$(jq -r '.plan[] | select(.section == "hook") | .what' <<<"$output")" = "prestart: /bin/true" ]
    [ "$(jq -r '.plan[] | select(.path == "linux.resources.memory.limit") | .what' \
        <<<"$output")" = "memory.limit = $(jq .linux.resources.memory.limit "$BUNDLE/config.json")" ]
    # Docker's zeros are "not set", as create treats them: not in the plan.
    [ "$(jq .linux.resources.blockIO.weight "$BUNDLE/config.json")" = 0 ]
    [ "$(jq '[.plan[] | select(.path == "linux.resources.blockIO.weight")] | length' \
        <<<"$output")" = 0 ]
    nothing_made
}

@test "explain: every limit of linux.resources is listed with its path and value" {
    spec_bundle
    bundle_jq "$BUNDLE" '.linux.resources = {
        "memory": {"limit": 67108864, "reservation": 33554432, "swappiness": 10,
                   "disableOOMKiller": true},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
        "pids": {"limit": 99},
        "blockIO": {"weight": 300, "weightDevice": [{"major": 8, "minor": 0, "weight": 100}],
                    "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}]},
        "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
        "network": {"classID": 7, "priorities": [{"name": "eth0", "priority": 5}]},
        "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 1000}},
        "unified": {"memory.high": "50000000"}}'
    run --separate-stderr vo explain -b "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    line cgroup "memory.limit = 67108864" "linux.resources.memory.limit"
    line cgroup "memory.reservation = 33554432" "linux.resources.memory.reservation"
    line cgroup "memory.swappiness = 10" "linux.resources.memory.swappiness"
    line cgroup "memory.disableOOMKiller = true" "linux.resources.memory.disableOOMKiller"
    line cgroup "cpu.shares = 512" "linux.resources.cpu.shares"
    line cgroup "cpu.quota = 50000" "linux.resources.cpu.quota"
    line cgroup "cpu.period = 100000" "linux.resources.cpu.period"
    line cgroup "cpu.cpus = 0" "linux.resources.cpu.cpus"
    line cgroup "cpu.mems = 0" "linux.resources.cpu.mems"
    line cgroup "pids.limit = 99" "linux.resources.pids.limit"
    line cgroup "blockIO.weight = 300" "linux.resources.blockIO.weight"
    line cgroup "blockIO.weightDevice[0] = 8:0 weight 100" "linux.resources.blockIO.weightDevice[0]"
    line cgroup "blockIO.throttleReadBpsDevice[0] = 8:0 1048576" \
        "linux.resources.blockIO.throttleReadBpsDevice[0]"
    line cgroup "hugepageLimits[0] = 2MB 4194304" "linux.resources.hugepageLimits[0]"
    line cgroup "network.classID = 7" "linux.resources.network.classID"
    line cgroup "network.priorities[0] = eth0 5" "linux.resources.network.priorities[0]"
    line cgroup 'rdma["mlx5_1"] = hcaHandles 3, hcaObjects 1000' 'linux.resources.rdma["mlx5_1"]'
    line cgroup 'unified["memory.high"] = 50000000' 'linux.resources.unified["memory.high"]'
    nothing_made
}

@test "explain: joined namespaces name their path" {
    spec_bundle
    bundle_jq "$BUNDLE" '.linux.namespaces |= map(if .type == "network" or .type == "ipc"
        then .path = "/proc/\($pid)/ns/\(if .type == "network" then "net" else "ipc" end)" else . end)' \
        --arg pid $$
    run --separate-stderr vo explain -b "$BUNDLE"
    [ "$status" -eq 0 ]
    line namespace "network: joined /proc/$$/ns/net" "linux.namespaces[1].path"
    line namespace "ipc: joined /proc/$$/ns/ipc" "linux.namespaces[2].path"
    ! grep -q 'no network device but lo' <<<"$output"
    nothing_made
}

@test "explain: a config create refuses fails with create's error, and makes nothing" {
    spec_bundle
    bundle_jq "$BUNDLE" '.process.args = []'
    run --separate-stderr vo explain -b "$BUNDLE"
    [ "$status" -ne 0 ]
    assert_one_error_line '^voidoci: explain: config.json: process.args: '
    local explain_err=${stderr#voidoci: explain: }
    RAN_CREATE=1
    run --separate-stderr vo create -b "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    [ "${stderr#voidoci: create \"$ID\": }" = "$explain_err" ]

    spec_bundle
    bundle_jq "$BUNDLE" '.linux.namespaces[1].path = "/proc/self/ns/nowhere"'
    run --separate-stderr vo explain -b "$BUNDLE"
    [ "$status" -ne 0 ]
    assert_one_error_line '^voidoci: explain: config.json: linux.namespaces\[1\]\.path: .*/proc/self/ns/nowhere.*: No such file or directory$'
    nothing_made
}

@test "explain: a bind source missing on this host is refused, with its reason" {
    spec_bundle
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/data", "type": "bind",
        "source": "/nonexistent-voidoci-src", "options": ["rbind"]}]'
    run --separate-stderr vo explain -b "$BUNDLE"
    [ "$status" -ne 0 ]
    local n
    n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
    line refused '"/nonexistent-voidoci-src": No such file or directory' "mounts[$n].source"
    [ "$stderr" = "voidoci: explain: config.json: mounts[$n].source: \"/nonexistent-voidoci-src\": No such file or directory" ]
    nothing_made
}

@test "explain: a hook create runs that cannot be run, and a missing seccomp agent socket, are refused as create would" {
    spec_bundle
    bundle_jq "$BUNDLE" '.hooks = {"createRuntime": [{"path": "/bin/true"},
                                                    {"path": "/nonexistent-voidoci-hook"}],
                                   "poststop": [{"path": "/nonexistent-voidoci-poststop"}]}
        | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                            "listenerPath": "'"$BATS_TEST_TMPDIR"'/no-agent.sock",
                            "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
    run --separate-stderr vo explain -b "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    line refused '"/nonexistent-voidoci-hook": cannot be run: No such file or directory' \
        "hooks.createRuntime[1].path"
    line refused "\"$BATS_TEST_TMPDIR/no-agent.sock\": No such file or directory" \
        "linux.seccomp.listenerPath"
    # a failed poststop hook is a warning at delete, not a refusal
    ! grep -q 'hooks.poststop' <<<"$(grep '^refused' <<<"$output")"
    nothing_made
}
