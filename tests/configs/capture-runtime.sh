#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A runtime that records what its client asks, then hands the call to a real
# runtime.  Give it to podman (--runtime), containerd (ctr --runc-binary) or
# dockerd (--add-runtime NAME=PATH) through a small script that sets:
#
#   CAPTURE_DIR      where the records go (made if missing)
#   CAPTURE_RUNTIME  the runtime that does the work (default: runc in PATH)
#
# Each call appends its arguments, one JSON array per line, to
# CAPTURE_DIR/calls.jsonl.  A create copies BUNDLE/config.json to
# CAPTURE_DIR/ID.config.json; an exec copies its --process file to
# CAPTURE_DIR/ID.exec-N.process.json (N counts from 1).  Recording never
# fails the call: the client sees only the real runtime.
#
# tests/configs/capture.sh drives the clients with it.
set -u

dir=${CAPTURE_DIR:-/tmp/capture-runtime}
real=${CAPTURE_RUNTIME:-runc}
mkdir -p "$dir" 2>/dev/null

record() {
    local cmd='' bundle=$PWD process='' id='' a n
    local -a args=("$@")
    # the arguments as one JSON line (jq may be missing from the caller's PATH)
    if command -v jq >/dev/null 2>&1 || [ -x /usr/bin/jq ]; then
        PATH=$PATH:/usr/bin /usr/bin/env jq -nc '$ARGS.positional' --args -- "$@" \
            >>"$dir/calls.jsonl" 2>/dev/null
    fi
    for ((n = 0; n < ${#args[@]}; n++)); do
        a=${args[n]}
        case $a in
        --bundle | -b) bundle=${args[n + 1]-}; n=$((n + 1)) ;;
        --bundle=*) bundle=${a#--bundle=} ;;
        --process | -p) process=${args[n + 1]-}; n=$((n + 1)) ;;
        --process=*) process=${a#--process=} ;;
        create | exec | run)
            [ -n "$cmd" ] || cmd=$a ;;
        esac
    done
    id=${args[${#args[@]} - 1]}
    case $cmd in
    create | run)
        [[ $bundle == /* ]] || bundle=$PWD/$bundle
        cp "$bundle/config.json" "$dir/$id.config.json" 2>/dev/null
        ;;
    exec)
        [ -n "$process" ] || return 0
        n=1
        while [ -e "$dir/$id.exec-$n.process.json" ]; do
            n=$((n + 1))
        done
        cp "$process" "$dir/$id.exec-$n.process.json" 2>/dev/null
        ;;
    esac
    return 0
}

record "$@"
exec "$real" "$@"
