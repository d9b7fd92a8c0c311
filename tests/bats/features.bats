#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# voidoci features: the document of runtime-spec features.md.  Engines trust
# what it lists, so each list is checked against what `run` really accepts.

load helpers

setup() {
    voidoci_setup
}

teardown() {
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
