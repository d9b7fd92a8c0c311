#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci features: the document of runtime-spec features.md.  Engines trust
# what it lists, so each list is checked against what `run` really accepts.

load helpers

setup() {
    voidoci_setup
    LINK=
}

teardown() {
    [ -z "$LINK" ] || ip link del "$LINK" 2>/dev/null
    voidoci_teardown
}

features() {
    "$VOIDOCI" features
}

@test "features: prints one JSON object with the OCI version range this build parses" {
    run features
    [ "$status" -eq 0 ]
    echo "$output" | jq -e 'type == "object"'
    [ "$(echo "$output" | jq -r .ociVersionMin)" = 1.0.0 ]
    [ "$(echo "$output" | jq -r .ociVersionMax)" = 1.3.0 ]
    # Nothing but what features.md defines, at the top.
    [ "$(echo "$output" | jq -c 'keys')" = \
      '["annotations","hooks","linux","mountOptions","ociVersionMax","ociVersionMin","potentiallyUnsafeConfigAnnotations"]' ]
}

@test "features: a config.json at ociVersionMin and at ociVersionMax both run" {
    local v
    make_bundle "$BUNDLE" true
    for v in $(features | jq -r '.ociVersionMin, .ociVersionMax'); do
        bundle_jq "$BUNDLE" '.ociVersion = $v' --arg v "$v"
        vrun
    done
}

@test "features: takes no arguments and rejects unknown options" {
    run --separate-stderr "$VOIDOCI" features extra
    [ "$status" -ne 0 ]
    assert_one_error_line 'features: takes no arguments'
    run --separate-stderr "$VOIDOCI" features --bogus
    [ "$status" -ne 0 ]
    assert_one_error_line 'features: unknown option "--bogus"'
}

@test "features: every listed hook kind runs its hook" {
    local kinds kind
    kinds=$(features | jq -c .hooks)
    [ "$kinds" = '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' ]
    # createContainer and startContainer hooks run in the container's mount
    # namespace: the log directory is bound there at the same path.
    local logdir=$BATS_TEST_TMPDIR/log
    mkdir -p "$logdir"
    make_bundle "$BUNDLE" true
    bundle_jq "$BUNDLE" '.mounts += [{"destination": $d, "type": "bind", "source": $d, "options": ["bind"]}]' \
        --arg d "$logdir"
    for kind in $(echo "$kinds" | jq -r '.[]'); do
        bundle_jq "$BUNDLE" '.hooks[$k] = [{"path": "/bin/sh",
            "args": ["sh", "-c", "echo " + $k + " >> " + $log]}]' \
            --arg k "$kind" --arg log "$logdir/hooks.log"
    done
    vrun
    [ "$(sort "$logdir/hooks.log" | tr '\n' ' ')" = \
      "createContainer createRuntime poststart poststop prestart startContainer " ]
}

@test "features: every listed namespace type can be made new" {
    local ns
    make_bundle "$BUNDLE" true
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    for ns in $(features | jq -r '.linux.namespaces[]'); do
        cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
        bundle_jq "$BUNDLE" '.linux.namespaces += [{"type": $t}] | .linux.namespaces |= unique_by(.type)' \
            --arg t "$ns"
        if [ "$ns" = user ]; then
            bundle_jq "$BUNDLE" '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
                | .linux.gidMappings = .linux.uidMappings'
        fi
        vrun || { echo "namespace $ns listed but refused" >&2; return 1; }
    done
}

@test "features: every listed capability is accepted, and granted where this host has it" {
    local caps held=() name bnd
    caps=$(features | jq -c .linux.capabilities)
    [ "$(echo "$caps" | jq length)" -ge 38 ]
    # The runtime cannot grant what it does not hold (root here lacks
    # CAP_SYS_RESOURCE): every listed name goes in the bounding set, where
    # asking to keep a capability costs nothing, and the held ones in all.
    bnd=$((16#$(awk '/^CapBnd/ { print $2 }' /proc/self/status)))
    for name in $(echo "$caps" | jq -r '.[]'); do
        (( bnd & (1 << $(cap_number "$name")) )) && held+=("$name")
    done
    make_bundle "$BUNDLE" sh -c 'grep CapEff /proc/self/status'
    bundle_jq "$BUNDLE" '.process.capabilities = {bounding: $c, effective: $h,
        permitted: $h, inheritable: $h, ambient: $h}' \
        --argjson c "$caps" --argjson h "$(json_array "${held[@]}")"
    run vrun
    [ "$status" -eq 0 ]
    [ "$output" = "CapEff:	$(cap_mask "${held[@]}")" ]
}

# A listed option is one voidoci understands: it never reaches the
# filesystem as mount data, where tmpfs would refuse an unknown word.
@test "features: every listed mount option is understood (tmpfs and bind mounts take it)" {
    local opt mount
    mkdir -p "$BATS_TEST_TMPDIR/src"
    make_bundle "$BUNDLE" true
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    for opt in $(features | jq -r '.mountOptions[]'); do
        case $opt in
        remount) continue ;; # needs a mount to change: tested below
        bind | rbind) mount='{"destination": "/mnt", "type": "bind", "source": $src, "options": [$o]}' ;;
        idmap | ridmap) # a bind with maps of its own
            mount='{"destination": "/mnt", "type": "bind", "source": $src, "options": ["rbind", $o],
                "uidMappings": [{"containerID": 0, "hostID": 0, "size": 65536}],
                "gidMappings": [{"containerID": 0, "hostID": 0, "size": 65536}]}' ;;
        *) mount='{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": [$o]}' ;;
        esac
        cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
        bundle_jq "$BUNDLE" ".mounts += [$mount]" --arg o "$opt" --arg src "$BATS_TEST_TMPDIR/src"
        run --separate-stderr vrun
        # Understood, and tried: the kernel's tmpfs (before 6.3) cannot be
        # idmapped, which is the filesystem's answer, not the runtime's.
        if [ "$status" -ne 0 ] && [[ $opt == *idmap && $stderr == *"cannot be idmapped"* ]]; then
            echo "mount option $opt: understood; $stderr" >&2
            continue
        fi
        [ "$status" -eq 0 ] || { echo "mount option $opt listed but refused: $stderr" >&2; return 1; }
    done
}

@test "features: the remount option changes a mount made earlier in the list" {
    features | jq -e '.mountOptions | index("remount")'
    make_bundle "$BUNDLE" sh -c 'grep " /mnt " /proc/self/mountinfo'
    bundle_jq "$BUNDLE" '.mounts += [
        {"destination": "/mnt", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["remount", "ro"]}]'
    run vrun
    [ "$status" -eq 0 ]
    [[ "$output" == *" /mnt ro,"* ]]
}

@test "features: names its version and no annotation that could weaken it" {
    run features
    [ "$status" -eq 0 ]
    echo "$output" | jq -e '.potentiallyUnsafeConfigAnnotations == []'
    echo "$output" | jq -e '.annotations["org.voidoci.version"] | type == "string"'
}

@test "features: apparmor, selinux and intelRdt are reported as supported by this build" {
    local f
    f=$(features)
    [ "$(jq -r .linux.apparmor.enabled <<<"$f")" = true ]
    [ "$(jq -r .linux.selinux.enabled <<<"$f")" = true ]
    [ "$(jq -r .linux.intelRdt.enabled <<<"$f")" = true ]
    [ "$(jq -r .linux.intelRdt.schemata <<<"$f")" = true ]
    [ "$(jq -r .linux.intelRdt.monitoring <<<"$f")" = true ]
}

# ---- linux: the members features-linux.md defines ------------------------------

@test "features: the linux object has every member features-linux.md defines" {
    local f
    f=$(features)
    [ "$(jq -c '.linux | keys' <<<"$f")" = \
      '["apparmor","capabilities","cgroup","intelRdt","memoryPolicy","mountExtensions","namespaces","netDevices","seccomp","selinux"]' ]
    [ "$(jq -c '.linux.seccomp | keys' <<<"$f")" = \
      '["actions","archs","enabled","knownFlags","operators","supportedFlags"]' ]
    jq -e '.linux.seccomp.enabled and .linux.mountExtensions.idmap.enabled and .linux.netDevices.enabled' <<<"$f"
    # Lists without repeats; the supported flags are known ones.
    jq -e '[.linux.seccomp[], .linux.memoryPolicy[] | arrays | length == (unique | length)] | all' <<<"$f"
    jq -e '.linux.seccomp | (.supportedFlags - .knownFlags) == []' <<<"$f"
}

# ---- linux.seccomp ---------------------------------------------------------------

# listed JQ-PATH: the names of the features list at JQ-PATH, one a line;
# fails when it is missing or empty, so that a loop over it cannot pass
# by doing nothing.
listed() {
    features | jq -er "$1"' | if type == "array" and length > 0 then .[] else error("empty") end'
}

# listener_bin: the seccomp agent of tests/seccomp-listener.c, as seccomp.bats
# finds or builds it.
listener_bin() {
    local bin=${SECCOMP_LISTENER:-$VOIDOCI_SRCDIR/build/tests/seccomp_listener}
    if [ ! -x "$bin" ]; then
        bin=$BATS_RUN_TMPDIR/seccomp_listener
        [ -x "$bin" ] || cc -std=c17 -D_GNU_SOURCE -o "$bin" "$TESTS_DIR/seccomp-listener.c" ||
            return 1
    fi
    echo "$bin"
}

# seccomp_try FILTER-JSON: run `mkdir /tmp/x` under the filter, an agent
# answering EXDEV at listenerPath when a rule notifies; $status as run sets it.
seccomp_try() {
    local filter=$1 sock=$BATS_TEST_TMPDIR/agent.sock agent=
    rm -rf "$BUNDLE"
    make_bundle "$BUNDLE" mkdir /tmp/x
    bundle_writable "$BUNDLE"
    if jq -e '[.syscalls[]?.action] | index("SCMP_ACT_NOTIFY")' <<<"$filter" >/dev/null; then
        rm -f "$sock"
        bg "$(listener_bin)" "$sock" 18 >/dev/null
        agent=$BG_PID
        wait_for test -S "$sock"
        filter=$(jq -c --arg p "$sock" '.listenerPath = $p' <<<"$filter")
    fi
    bundle_jq "$BUNDLE" '.linux.seccomp = $s' --argjson s "$filter"
    run --separate-stderr vrun
    [ -z "$agent" ] || wait "$agent"
}

# mkdir_rule ACTION: defaultAction ALLOW and ACTION for mkdir and mkdirat.
mkdir_rule() {
    jq -nc --arg a "$1" '{defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{names: ["mkdir", "mkdirat"], action: $a}]}'
}

@test "features: every listed seccomp action works in a rule, with its effect on mkdir" {
    local action want actions msg
    actions=$(listed .linux.seccomp.actions)
    for action in $actions; do
        msg=
        case $action in
        SCMP_ACT_ALLOW | SCMP_ACT_LOG) want=0 ;;
        # mkdir fails (status 1 is also voidoci's own failure: the message
        # tells them apart): EPERM; ENOSYS with no tracer; the agent's EXDEV
        SCMP_ACT_ERRNO) want=1 msg='Operation not permitted' ;;
        SCMP_ACT_TRACE) want=1 msg='Function not implemented' ;;
        SCMP_ACT_NOTIFY) want=1 msg='Invalid cross-device link' ;;
        SCMP_ACT_KILL | SCMP_ACT_KILL_THREAD | SCMP_ACT_KILL_PROCESS | SCMP_ACT_TRAP)
            want=159 ;; # SIGSYS
        *) echo "seccomp action $action is listed and this test does not know it" >&2; return 1 ;;
        esac
        seccomp_try "$(mkdir_rule "$action")"
        [ "$status" -eq "$want" ] && [[ $stderr == *"mkdir: can't create directory"*"$msg"* || -z $msg ]] ||
            { echo "$action: status $status, want $want ($msg): $stderr" >&2; return 1; }
        if [ "$want" -eq 0 ]; then [ -d "$BUNDLE/rootfs/tmp/x" ]; else [ ! -e "$BUNDLE/rootfs/tmp/x" ]; fi
    done
}

# busybox's linux64 calls personality(0) and linux32 personality(8): each
# operator is given a value that refuses just one of them.
@test "features: every listed seccomp operator works in an argument condition" {
    local op cond refused ops
    ops=$(listed .linux.seccomp.operators)
    make_bundle "$BUNDLE" sh -c 'linux64 true; echo "linux64=$?"; linux32 true; echo "linux32=$?"'
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    for op in $ops; do
        case $op in
        SCMP_CMP_EQ) cond='"value": 8' refused=linux32 ;;
        SCMP_CMP_NE) cond='"value": 0' refused=linux32 ;;
        SCMP_CMP_GT) cond='"value": 0' refused=linux32 ;;
        SCMP_CMP_GE) cond='"value": 1' refused=linux32 ;;
        SCMP_CMP_LT) cond='"value": 1' refused=linux64 ;;
        SCMP_CMP_LE) cond='"value": 0' refused=linux64 ;;
        SCMP_CMP_MASKED_EQ) cond='"value": 255, "valueTwo": 8' refused=linux32 ;;
        *) echo "seccomp operator $op is listed and this test does not know it" >&2; return 1 ;;
        esac
        cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
        bundle_jq "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                          "args": [{"index": 0, "op": $op} + ('"{$cond}"')]}]}' --arg op "$op"
        run vrun
        [ "$status" -eq 0 ]
        if [ "$refused" = linux32 ]; then
            [[ $output == *"linux64=0"* && $output != *"linux32=0"* ]] || { echo "$op: $output" >&2; return 1; }
        else
            [[ $output != *"linux64=0"* && $output == *"linux32=0"* ]] || { echo "$op: $output" >&2; return 1; }
        fi
    done
}

# Each architecture is added to a filter that must still refuse mkdir here.
@test "features: every listed seccomp architecture is taken in a filter that still works" {
    local arch archs
    archs=$(listed .linux.seccomp.archs)
    for arch in $archs; do
        seccomp_try "$(mkdir_rule SCMP_ACT_ERRNO | jq -c --arg a "$arch" '.architectures = [$a]')"
        [ "$status" -eq 1 ] && [[ $stderr == "mkdir: can't create directory"*"Operation not permitted" ]] ||
            { echo "$arch: status $status: $stderr" >&2; return 1; }
    done
}

# A supported flag is loaded with and without a listener (the one
# WAIT_KILLABLE_RECV is about); a known one this kernel lacks is refused.
@test "features: every supported seccomp flag loads, with and without a listener" {
    local f flag action flags
    f=$(features)
    flags=$(listed .linux.seccomp.knownFlags)
    for flag in $flags; do
        for action in SCMP_ACT_ERRNO SCMP_ACT_NOTIFY; do
            seccomp_try "$(mkdir_rule "$action" | jq -c --arg f "$flag" '.flags = [$f]')"
            if jq -e --arg f "$flag" '.linux.seccomp.supportedFlags | index($f)' <<<"$f" >/dev/null; then
                # mkdir's own failure, the rule's errno (the agent's EXDEV)
                [ "$status" -eq 1 ] && [[ $stderr == "mkdir: can't create directory"* && $stderr != *voidoci:* ]] ||
                    { echo "$flag, $action: status $status: $stderr" >&2; return 1; }
                [ ! -e "$BUNDLE/rootfs/tmp/x" ]
            else
                [ "$status" -ne 0 ] && [ "$status" -ne 1 ]
            fi
        done
    done
}

# What is not listed is refused: the names of runtime-spec's config-linux.md
# and libseccomp's that this build leaves out, and made-up ones.
@test "features: a seccomp or memoryPolicy name not listed is refused" {
    local f name key path tried=0
    f=$(features)
    make_bundle "$BUNDLE" true
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    for name in actions:SCMP_ACT_KILL_ALL actions:SCMP_ACT_USER_NOTIF operators:SCMP_CMP_AND \
        archs:SCMP_ARCH_LOONGARCH64 archs:SCMP_ARCH_M68K archs:SCMP_ARCH_SH archs:SCMP_ARCH_SHEB \
        archs:SCMP_ARCH_NATIVE archs:SCMP_ARCH_x86_64 knownFlags:SECCOMP_FILTER_FLAG_NEW_LISTENER \
        knownFlags:SECCOMP_FILTER_FLAG_TSYNC_ESRCH modes:MPOL_MAX modes:MPOL_LOCAL_MANY \
        flags:MPOL_F_MOF flags:MPOL_F_NODE; do
        key=${name%%:*} name=${name#*:}
        if jq -e --arg k "$key" --arg n "$name" \
            '[.linux.seccomp[$k]?, .linux.memoryPolicy[$k]?] | map(arrays[]) | index($n)' <<<"$f" >/dev/null; then
            continue # listed by this build: the tests above use it
        fi
        tried=$((tried + 1))
        cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
        case $key in
        actions) path='linux\.seccomp\.syscalls\[0\]\.action: unknown action'
            bundle_jq "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["mkdir"], "action": $n}]}' --arg n "$name" ;;
        operators) path='linux\.seccomp\.syscalls\[0\]\.args\[0\]\.op: unknown operator'
            bundle_jq "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
                              "args": [{"index": 0, "value": 0, "op": $n}]}]}' --arg n "$name" ;;
        archs) path='linux\.seccomp\.architectures\[0\]: unknown architecture'
            bundle_jq "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "architectures": [$n]}' --arg n "$name" ;;
        knownFlags) path='linux\.seccomp\.flags\[0\]: unknown flag'
            bundle_jq "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "flags": [$n]}' --arg n "$name" ;;
        modes) path='linux\.memoryPolicy\.mode: unknown mode'
            bundle_jq "$BUNDLE" '.linux.memoryPolicy = {"mode": $n, "nodes": "0"}' --arg n "$name" ;;
        flags) path='linux\.memoryPolicy\.flags\[0\]: unknown flag'
            bundle_jq "$BUNDLE" '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0",
                "flags": [$n]}' --arg n "$name" ;;
        esac
        run --separate-stderr vrun
        [ "$status" -ne 0 ]
        assert_one_error_line "config\.json: $path \"$name\"\$"
    done
    [ "$tried" -ge 10 ]
}

# ---- linux.memoryPolicy ----------------------------------------------------------

# The policy of the program's text mapping, from /proc/self/numa_maps: the
# kernel's name of each mode, and of the flags after "=".
@test "features: every listed memoryPolicy mode and flag is the program's policy" {
    [ -e /sys/devices/system/node/node0 ] || skip "this kernel has no NUMA support (no node0)"
    local m want nodes modes flags
    modes=$(listed .linux.memoryPolicy.modes)
    flags=$(listed .linux.memoryPolicy.flags)
    make_bundle "$BUNDLE" head -n 1 /proc/self/numa_maps
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
    for m in $(printf 'mode:%s\n' $modes) $(printf 'flag:%s\n' $flags); do
        nodes=0
        case $m in
        mode:MPOL_DEFAULT) want='default' nodes='' ;;
        mode:MPOL_LOCAL) want='local' nodes='' ;;
        mode:MPOL_BIND) want='bind:0' ;;
        mode:MPOL_INTERLEAVE) want='interleave:0' ;;
        mode:MPOL_WEIGHTED_INTERLEAVE) want='weighted interleave:0' ;;
        mode:MPOL_PREFERRED) want='prefer:0' ;;
        mode:MPOL_PREFERRED_MANY) want='prefer (many):0' ;;
        flag:MPOL_F_STATIC_NODES) want='bind=static:0' ;;
        flag:MPOL_F_RELATIVE_NODES) want='bind=relative:0' ;;
        flag:MPOL_F_NUMA_BALANCING) want='bind=balancing:0' ;;
        *) echo "memoryPolicy $m is listed and this test does not know it" >&2; return 1 ;;
        esac
        cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
        if [ "${m%%:*}" = mode ]; then
            bundle_jq "$BUNDLE" '.linux.memoryPolicy = {"mode": $m}
                + (if $n == "" then {} else {"nodes": $n} end)' --arg m "${m#*:}" --arg n "$nodes"
        else
            bundle_jq "$BUNDLE" '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0",
                "flags": [$f]}' --arg f "${m#*:}"
        fi
        run --separate-stderr vrun
        if [ "$m" = mode:MPOL_WEIGHTED_INTERLEAVE ] && [ ! -d /sys/kernel/mm/mempolicy/weighted_interleave ]; then
            # Recognised, and refused by a kernel before 6.9, saying so.
            [ "$status" -ne 0 ] && [[ $stderr == *MPOL_WEIGHTED_INTERLEAVE* ]]
            continue
        fi
        [ "$status" -eq 0 ] || { echo "$m: $stderr" >&2; return 1; }
        [[ $output == *" $want "* ]] || { echo "$m: want \"$want\" in: $output" >&2; return 1; }
    done
}

# ---- linux.netDevices, mountExtensions.idmap --------------------------------------

@test "features: netDevices enabled: a host interface moves into the container" {
    features | jq -e '.linux.netDevices.enabled'
    LINK=vdf$RANDOM
    # A dummy, or one end of a veth pair where the dummy driver is missing.
    ip link add "$LINK" type dummy 2>/dev/null || ip link add "$LINK" type veth peer name "${LINK}p" ||
        { LINK=; skip "this kernel can make neither a dummy nor a veth interface"; }
    make_bundle "$BUNDLE" ls /sys/class/net
    bundle_jq "$BUNDLE" '.linux.netDevices = {($l): {"name": "ctr0"}}' --arg l "$LINK"
    run vrun
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = "ctr0 lo" ]
}

@test "features: mountExtensions.idmap enabled: a mount's uidMappings and gidMappings shift its files" {
    features | jq -e '.linux.mountExtensions.idmap.enabled'
    local src=$BATS_TEST_TMPDIR/src
    mkdir -p "$src"
    touch "$src/f"
    chown 1000:1000 "$src/f"
    make_bundle "$BUNDLE" stat -c %u:%g /mnt/f
    bundle_jq "$BUNDLE" '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s,
        "options": ["rbind", "idmap"],
        "uidMappings": [{"containerID": 1000, "hostID": 2000, "size": 1}],
        "gidMappings": [{"containerID": 1000, "hostID": 3000, "size": 1}]}]' --arg s "$src"
    run --separate-stderr vrun
    if [[ $stderr == *"cannot be idmapped"* || $stderr == *"has no mount_setattr"* ]]; then
        skip "no idmapped mounts here: $stderr"
    fi
    [ "$status" -eq 0 ]
    [ "$output" = 2000:3000 ]
}
