#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The waiting init is not dumpable (CVE-2019-5736): between create and
# start the init still runs the runtime's own binary, and a process of the
# same uid but without CAP_SYS_PTRACE -- what a container's root is -- must
# not be able to open its /proc/PID/exe (the way to the runtime binary on
# the host), read the link, or ptrace it.

load ../bats/helpers

setup() {
    voidoci_setup
    command -v capsh >/dev/null || skip "capsh is missing (package libcap2-bin): it drops CAP_SYS_PTRACE"
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
        skip "python3 is missing: it makes the ptrace and open calls"
}

teardown() {
    voidoci_teardown
}

# What a root process without CAP_SYS_PTRACE can do to PID: open
# /proc/PID/exe, readlink it, PTRACE_ATTACH (then detach).  Prints one word
# per try: "ok" or the errno name.  It first checks that it really lacks
# CAP_SYS_PTRACE (bit 19) in its permitted set.
PROBE='
import ctypes, errno, os, sys
pid = int(sys.argv[1])
for line in open("/proc/self/status"):
    if line.startswith("CapPrm:") and int(line.split()[1], 16) & (1 << 19):
        sys.exit("the probe still has CAP_SYS_PTRACE")
out = []
try:
    os.close(os.open("/proc/%d/exe" % pid, os.O_RDONLY))
    out.append("ok")
except OSError as e:
    out.append(errno.errorcode[e.errno])
try:
    os.readlink("/proc/%d/exe" % pid)
    out.append("ok")
except OSError as e:
    out.append(errno.errorcode[e.errno])
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
    os.waitpid(pid, 0x40000000)  # __WALL: the tracee stopped
    libc.ptrace(17, pid, None, None)  # PTRACE_DETACH, no signal
    out.append("ok")
else:
    out.append(errno.errorcode[ctypes.get_errno()])
print(" ".join(out))
'

# probe PID: run PROBE on PID as root with CAP_SYS_PTRACE dropped from the
# bounding set, so that the exec'd python has it in no set at all.
probe() {
    run capsh --drop=cap_sys_ptrace -- -c 'exec "$0" -c "$1" "$2"' "$PYTHON" "$PROBE" "$1"
}

# exe_is PID PATH: PID runs the program at PATH.
exe_is() {
    [ "$(readlink "/proc/$1/exe")" = "$2" ]
}

@test "init not dumpable: a root process without CAP_SYS_PTRACE can open, readlink and ptrace a plain root process (the control)" {
    # The same capability sets as the probe's: only dumpability differs
    # from the waiting init.
    bg capsh --drop=cap_sys_ptrace -- -c 'exec sleep 100'
    wait_for exe_is "$BG_PID" "$(readlink -f "$(command -v sleep)")"
    probe "$BG_PID"
    [ "$status" -eq 0 ]
    [ "$output" = "ok ok ok" ]
}

@test "init not dumpable: between create and start, a root process without CAP_SYS_PTRACE can neither open nor readlink the init's /proc/PID/exe, nor ptrace it; after start its program can" {
    make_bundle "$BUNDLE" sleep 100
    local pidfile=$BATS_TEST_TMPDIR/init.pid pid
    vcreate --pid-file "$pidfile"
    pid=$(cat "$pidfile")
    [ "$(state_field status)" = created ]
    probe "$pid"
    [ "$status" -eq 0 ]
    if [ "$output" != "EACCES EACCES EPERM" ]; then
        echo "the waiting init was reachable: open, readlink, ptrace gave: $output" >&2
        return 1
    fi
    # Still waiting, untouched: start runs the program.  Its exec made the
    # same process dumpable again, and as reachable as the control.
    vstart
    wait_status running
    probe "$pid"
    [ "$status" -eq 0 ]
    [ "$output" = "ok ok ok" ]
    vo delete --force "$ID"
}
