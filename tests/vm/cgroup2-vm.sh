#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run bats tests on a cgroup v2 host: a qemu VM booting Debian's kernel with
# an initramfs made here.  Our machines are hybrid (cgroup v1 controllers
# plus a cgroup2 mount holding only hugetlb); inside the VM cgroup2 is
# mounted alone on /sys/fs/cgroup with every controller enabled.
#
# Usage: tests/vm/cgroup2-vm.sh [BUILD_DIR]      (as root; default: build)
#
# BUILD_DIR/src/voidoci and BUILD_DIR/tests/console_receiver go into the
# VM with their shared libraries, together with busybox-static, bash, bats,
# jq, the GNU tools the tests use, criu (with GNU tar, nft iptables and the
# nf_tables and socket-diag modules it needs: checkpoint.bats),
# tests/bats/helpers.bash and rootless.bash, tests/make-bundle.sh and the
# bats files listed in tests/vm/bats-files.
# Inside, tests/vm/init runs `bats --tap` on them and prints the TAP on the
# serial console between two marker lines.  This script prints that TAP and
# exits 0 only if every test passed or skipped; non-zero when one failed,
# when the VM did not boot or print its markers (the end of its console log
# is printed), or on the timeout.  Exit 77: this machine lacks qemu.
#
# The kernel: the package linux-image-amd64 depends on (Debian 12: 6.1),
# fetched with `apt-get download` and unpacked with `dpkg -x` -- never
# installed -- into $VOIDOCI_VM_CACHE (default $XDG_CACHE_HOME/voidoci-vm,
# else /var/cache/voidoci-vm), reused by later runs.  Its config has what
# the VM needs built in (8250 serial console, devtmpfs, cgroup2 and its
# controllers, every namespace, initramfs gzip), so no module is loaded.
#
# qemu uses KVM when /dev/kvm can be opened and the CPU shows vmx or svm,
# else TCG (software emulation: much slower, but it needs nothing from the
# machine).
#
# Environment:
#   VOIDOCI_VM_TIMEOUT  seconds for the whole VM run (default 900)
#   VOIDOCI_VM_CACHE    where the kernel is kept (see above)
#   VOIDOCI_VM_KERNEL   a linux-image-* package name instead of linux-image-amd64's
#   VOIDOCI_VM_LOG      keep the VM's serial console log in this file
#   VOIDOCI_VM_ACCEL    kvm or tcg instead of the choice above
#   VOIDOCI_VM_BATS_FILES  bats files to run instead of tests/vm/bats-files
#                       (paths from the source root, separated by spaces)
set -uo pipefail

prog=tests/vm/${0##*/}
srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
timeout_s=${VOIDOCI_VM_TIMEOUT:-900}
cache=${VOIDOCI_VM_CACHE:-${XDG_CACHE_HOME:+$XDG_CACHE_HOME/voidoci-vm}}
cache=${cache:-/var/cache/voidoci-vm}

die() {
    echo "$prog: $*" >&2
    exit 1
}

case ${1-} in
-h | --help)
    sed -n '4,35s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
    ;;
esac
[ $# -le 1 ] || die "usage: $prog [BUILD_DIR]"
build=${1:-build}
[[ $build == /* ]] || build=$srcdir/$build
[ -x "$build/src/voidoci" ] || die "no voidoci at $build/src/voidoci: build it first (meson setup build && ninja -C build)"
[ -x "$build/tests/console_receiver" ] || die "no console_receiver in $build/tests: build it first"
[ "$(id -u)" = 0 ] || die "run as root: apt-get fetches the kernel, the initramfs holds root-owned files"

if ! command -v qemu-system-x86_64 >/dev/null; then
    echo "$prog: skipped: this machine lacks qemu-system-x86_64 (apt-get install qemu-system-x86, or ./scripts/install-deps.sh)" >&2
    exit 77
fi
for tool in cpio gzip dpkg apt-get apt-cache bash bats jq ldd timeout; do
    command -v "$tool" >/dev/null || die "$tool is missing: run ./scripts/install-deps.sh"
done
[ -x /bin/busybox ] && ! LC_ALL=C ldd /bin/busybox >/dev/null 2>&1 ||
    die "/bin/busybox is missing or not static: apt-get install busybox-static"

work=$(mktemp -d "${TMPDIR:-/tmp}/voidoci-vm.XXXXXX") || die "mktemp failed"
qemu_pid=
# qemu runs under timeout(1): stop timeout and it passes the signal on to
# qemu; a qemu that outlives its timeout is killed by its own pid.
stop_qemu() {
    local children i
    children=$(cat "/proc/$qemu_pid/task/$qemu_pid/children" 2>/dev/null)
    kill -TERM "$qemu_pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$qemu_pid" 2>/dev/null || break
        sleep 0.1
    done
    # shellcheck disable=SC2086 # a list of pids
    kill -KILL "$qemu_pid" $children 2>/dev/null
    wait "$qemu_pid" 2>/dev/null
}
cleanup() {
    [ -n "$qemu_pid" ] && stop_qemu
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the kernel -----------------------------------------------------------

# kernel_package: the linux-image-6.1.0-*-amd64 package of this Debian, the
# one the metapackage linux-image-amd64 depends on.
kernel_package() {
    if [ -n "${VOIDOCI_VM_KERNEL-}" ]; then
        echo "$VOIDOCI_VM_KERNEL"
        return
    fi
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# fetch_kernel: the path of the kernel's vmlinuz, downloaded and unpacked
# into the cache the first time.
fetch_kernel() {
    local pkg dir deb vmlinuz
    pkg=$(kernel_package)
    if [ -z "$pkg" ]; then
        # No package lists (apt-get update never ran): a kernel cached by an
        # earlier run still does.
        vmlinuz=$(ls -1 "$cache"/linux-image-*/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
        [ -n "$vmlinuz" ] ||
            die "apt-cache knows no linux-image-amd64 (run apt-get update) and $cache holds no kernel"
        echo "$vmlinuz"
        return
    fi
    dir=$cache/$pkg
    vmlinuz=$(ls -1 "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1)
    # A cache from before the modules were kept is fetched again.
    if [ -n "$vmlinuz" ] && [ -f "$dir/modules/nf_conntrack_netlink.ko" ]; then
        echo "$vmlinuz"
        return
    fi
    mkdir -p "$cache" || die "cannot create $cache"
    echo "$prog: fetching $pkg into $cache" >&2
    rm -rf "$work/deb" && mkdir "$work/deb" || die "mkdir $work/deb failed"
    # apt's _apt user could not write into a root-only work directory.
    (cd "$work/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
        die "apt-get download $pkg failed"
    deb=$(ls -1 "$work"/deb/*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || die "apt-get download $pkg left no .deb"
    rm -rf "$dir.tmp" "$dir"
    dpkg -x "$deb" "$dir.tmp" || die "dpkg -x $deb failed"
    # Only the kernel image, its config and three of its modules (the rest
    # is 300 MB) are kept: a disk for the blockIO tests, null_blk (with
    # configfs, whose symbols it uses), and the BFQ scheduler, which gives
    # the io.bfq.weight files.  All three have no other dependency.
    # CRIU (checkpoint.bats) needs nf_tables (with what it uses: the
    # qemu64 CPU has no crc32c-intel) for its network lock and the
    # socket-diag modules to dump sockets, and conntrack's netlink (with
    # conntrack and what it uses): criu dumps a network namespace's
    # conntrack entries, even an external one's, and the kernel answers
    # EINVAL for a netfilter subsystem it does not have.
    mkdir -p "$dir.tmp/modules" || die "mkdir $dir.tmp/modules failed"
    for f in fs/configfs/configfs.ko drivers/block/null_blk/null_blk.ko block/bfq.ko \
        crypto/crc32c_generic.ko lib/libcrc32c.ko net/netfilter/nfnetlink.ko \
        net/netfilter/nf_tables.ko net/unix/unix_diag.ko net/ipv4/inet_diag.ko \
        net/ipv4/tcp_diag.ko net/ipv4/udp_diag.ko net/ipv4/raw_diag.ko \
        net/packet/af_packet_diag.ko net/netlink/netlink_diag.ko \
        net/ipv4/netfilter/nf_defrag_ipv4.ko net/ipv6/netfilter/nf_defrag_ipv6.ko \
        net/netfilter/nf_conntrack.ko net/netfilter/nf_conntrack_netlink.ko; do
        cp "$dir.tmp"/lib/modules/*/kernel/"$f" "$dir.tmp/modules/" ||
            die "$deb holds no $f"
    done
    find "$dir.tmp" -mindepth 1 -maxdepth 1 ! -name boot ! -name modules -exec rm -rf {} +
    mv "$dir.tmp" "$dir" || die "cannot move the kernel into $dir"
    # Older kernels cached by earlier runs are not used any more.
    find "$cache" -mindepth 1 -maxdepth 1 -name 'linux-image-*' ! -name "$pkg" -exec rm -rf {} +
    vmlinuz=$(ls -1 "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1)
    [ -n "$vmlinuz" ] || die "$deb holds no boot/vmlinuz-*"
    echo "$vmlinuz"
}

# ---- the initramfs --------------------------------------------------------

root=$work/root
# The modules /init loads, in its load order (see fetch_kernel).
vm_modules="configfs null_blk bfq crc32c_generic libcrc32c nfnetlink nf_tables unix_diag
    inet_diag tcp_diag udp_diag raw_diag af_packet_diag netlink_diag nf_defrag_ipv4
    nf_defrag_ipv6 nf_conntrack nf_conntrack_netlink"
declare -A copied=()
# What copy_file and copy_program queue for flush_copies: every fork costs
# here (ldd alone is a shell script), so they are done in two batches.
same_path=()
programs=()

# copy_file SRC [DEST]: copy SRC (following symlinks) to DEST in the
# initramfs, by default the same path (then queued for flush_copies).
copy_file() {
    local src=$1 dest=${2:-$1}
    [ -n "${copied[$dest]-}" ] && return 0
    copied[$dest]=1
    if [ "$dest" = "$src" ]; then
        same_path+=("$src")
        return 0
    fi
    mkdir -p "$(dirname "$root$dest")" && cp -L "$src" "$root$dest" ||
        die "cannot copy $src into the initramfs"
}

# copy_program SRC [DEST]: a program, and (at flush_copies) its libraries.
copy_program() {
    copy_file "$@"
    programs+=("$1")
}

# flush_copies: the queued programs' shared libraries and dynamic loader,
# as one ldd finds them, then every queued file, at the same paths.
flush_copies() {
    local lib
    # ldd says "not a dynamic executable" for a static program or a
    # script, and fails: nothing to copy for those.
    for lib in $(LC_ALL=C ldd "${programs[@]}" 2>/dev/null | awk '
        !/^\t/ { next }
        $2 == "=>" && $3 ~ /^\// { print $3 }
        $1 ~ /^\// { print $1 }'); do
        copy_file "$lib"
    done
    programs=()
    [ ${#same_path[@]} -eq 0 ] ||
        cp -L --parents -t "$root" "${same_path[@]}" || die "cannot copy files into the initramfs"
    same_path=()
}

# copy_tools NAME...: the host's program NAME (by PATH) at the same path,
# for each NAME the host has.
copy_tools() {
    local name path
    for name; do
        path=$(type -P "$name") || continue
        copy_program "$path"
    done
}

make_initramfs() {
    local d f
    mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,proc,sys,dev,tmp,run,root,etc,opt/voidoci} ||
        die "mkdir in $root failed"
    # The same merged-/usr layout as the host, so that every path ldd and
    # the tests name works the same inside.
    for d in bin sbin lib lib64; do
        if [ -L "/$d" ]; then
            ln -s "$(readlink "/$d")" "$root/$d"
            mkdir -p "$root$(readlink -f "/$d")"
        elif [ -d "/$d" ]; then
            mkdir -p "$root/$d"
        fi
    done

    # GNU tools where the tests may rely on their options (timeout
    # --kill-after, grep -z, stat -c, sort -u ...); busybox for the rest.
    copy_tools bash jq ldd
    if command -v dpkg-query >/dev/null; then
        for f in $(dpkg -L coreutils grep sed findutils 2>/dev/null | grep -E '^(/usr)?/s?bin/'); do
            [ -f "$f" ] && copy_program "$f"
        done
    fi
    copy_tools awk mount umount flock setsid nsenter unshare setpriv prlimit \
        ipcmk ipcrm ipcs ps pgrep pkill kill getopt mountpoint findmnt
    # checkpoint.bats: criu, and the nft iptables its network lock runs.
    # criu dumps a tmpfs (the container's /dev) with GNU tar.
    copy_tools criu ip xtables-nft-multi tar gzip
    for f in iptables iptables-restore iptables-save ip6tables ip6tables-restore ip6tables-save; do
        ln -sf xtables-nft-multi "$root/usr/sbin/$f"
    done
    for f in /usr/lib/x86_64-linux-gnu/xtables/*.so; do
        [ -f "$f" ] && copy_file "$f"
    done
    # lsm.bats loads an AppArmor profile: the kernel has AppArmor on.
    # cgroup2-host.bats reads the clone3 call with strace.
    copy_tools apparmor_parser strace
    copy_file /bin/busybox
    # The applets' links are made by /init (`busybox --install -s`: one
    # process there instead of one ln per applet here), where no GNU tool
    # is.  busybox sh is /bin/sh, as in the containers' rootfs (the host's
    # is dash): /init needs it to start.
    ln -sf /bin/busybox "$root/bin/sh"

    # bats-core: Debian's is a tree of bash scripts.
    for f in $(dpkg -L bats | grep -E '^/usr/(bin|lib|libexec)/'); do
        [ -f "$f" ] && copy_file "$f"
    done
    flush_copies
    chmod 755 "$root"/usr/libexec/bats-core/* "$root/usr/bin/bats"

    cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$root/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
    echo voidoci-vm >"$root/etc/hostname"
    chmod 1777 "$root/tmp"
    chmod 700 "$root/root"

    # voidoci's tree, as tests/meson.build's environment names it.
    local o=/opt/voidoci
    copy_program "$build/src/voidoci" "$o/build/src/voidoci"
    copy_program "$build/tests/console_receiver" "$o/build/tests/console_receiver"
    copy_file "$srcdir/tests/bats/helpers.bash" "$o/tests/bats/helpers.bash"
    copy_file "$srcdir/tests/bats/rootless.bash" "$o/tests/bats/rootless.bash"
    copy_file "$srcdir/tests/make-bundle.sh" "$o/tests/make-bundle.sh"
    copy_file "$srcdir/tests/console-receiver.c" "$o/tests/console-receiver.c"
    mkdir -p "$root$o/tests/vm"
    for f in $bats_files; do
        [ -f "$srcdir/$f" ] || die "$f does not exist (named in ${VOIDOCI_VM_BATS_FILES:+VOIDOCI_VM_BATS_FILES, not }tests/vm/bats-files)"
        copy_file "$srcdir/$f" "$o/$f"
        echo "$f" >>"$root$o/tests/vm/bats-files"
    done
    copy_file "$srcdir/tests/vm/init" /init
    # The modules /init loads (see fetch_kernel), in its load order.
    for f in $vm_modules; do
        copy_file "$(dirname "$(dirname "$vmlinuz")")/modules/$f.ko" "/lib/voidoci-modules/$f.ko"
    done
    flush_copies
    # The tests' busybox rootfs, made here where a fork is cheap
    # (helpers.bash copies it for each test: VOIDOCI_TEST_ROOTFS in /init).
    "$srcdir/tests/make-bundle.sh" --rootfs-only "$root$o/rootfs-template" >/dev/null ||
        die "tests/make-bundle.sh --rootfs-only failed"
    chmod 755 "$root/init"

    (cd "$root" && find . -print0 | LC_ALL=C sort -z |
        cpio --null --create --format=newc --owner=0:0 --quiet) |
        gzip -1 >"$work/initramfs.gz" || die "cpio | gzip failed"
}

# ---- the VM ---------------------------------------------------------------

# accelerator: kvm when this machine can run it, else tcg.  An openable
# /dev/kvm is not enough: a VM without the vmx/svm flags may have one whose
# guests hang or abort (seen here: qemu fails to set MSR 0x10a, or the
# kernel never gets past the BIOS).
accelerator() {
    case ${VOIDOCI_VM_ACCEL-} in
    kvm | tcg)
        echo "$VOIDOCI_VM_ACCEL"
        return
        ;;
    ?*) die "VOIDOCI_VM_ACCEL must be kvm or tcg, not $VOIDOCI_VM_ACCEL" ;;
    esac
    if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
        echo kvm
    else
        echo tcg
    fi
}

# run_vm VMLINUZ NONCE LOG: boot the VM; its serial console goes to LOG.
# Returns qemu's status, 124 on the timeout.
run_vm() {
    local vmlinuz=$1 nonce=$2 log=$3 accel rc
    accel=$(accelerator) || exit 1
    echo "$prog: accelerator: $accel" >&2
    if [ "$accel" = kvm ]; then
        accel=(-accel kvm -cpu host -smp 2)
    else
        # Measured here (a loop of /bin/true in the guest): one vCPU and
        # the plain qemu64 model (4-level paging: -cpu max has la57) start
        # processes fastest under TCG; the tests run one at a time anyway.
        accel=(-accel tcg -cpu qemu64 -smp 1)
    fi
    # -nodefaults: no VGA, no network card, no disks, only the serial port.
    # norandmaps: under TCG a translated block is found again by its
    # virtual address, so with ASLR every process translated its libraries
    # anew (a dynamic /bin/true ran twice as long).
    timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
        "${accel[@]}" -m 1024 \
        -nodefaults -no-user-config -nographic -no-reboot \
        -serial stdio -monitor none \
        -kernel "$vmlinuz" -initrd "$work/initramfs.gz" \
        -append "console=ttyS0 panic=-1 quiet mitigations=off norandmaps voidoci_vm.nonce=$nonce" \
        </dev/null >"$log" 2>"$work/qemu.err" &
    qemu_pid=$!
    wait "$qemu_pid"
    rc=$?
    qemu_pid=
    return "$rc"
}

start=$EPOCHREALTIME
bats_files=${VOIDOCI_VM_BATS_FILES:-$(grep -v -e '^#' -e '^[[:space:]]*$' "$srcdir/tests/vm/bats-files")}
vmlinuz=$(fetch_kernel) || exit 1
make_initramfs
nonce=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
log=${VOIDOCI_VM_LOG:-$work/console.log}
echo "$prog: booting $(basename "$vmlinuz") ($(du -k "$work/initramfs.gz" | cut -f1) KiB initramfs, timeout ${timeout_s}s)" >&2
boot=$EPOCHREALTIME
run_vm "$vmlinuz" "$nonce" "$log"
qemu_rc=$?
end=$EPOCHREALTIME

# The console's lines end in \r\n.
tr -d '\r' <"$log" >"$work/console.txt"
marker="voidoci-vm[$nonce]: "
# The VM's own status lines (the BIOS's escape sequences may precede the
# first one).
awk -v m="$marker" 'i = index($0, m) { $0 = substr($0, i + length(m)) }
    i && !/^(BEGIN TAP|END rc=)/ { print "vm: " $0 }' "$work/console.txt" >&2
tap=$(awk -v m="$marker" '
    index($0, m "BEGIN TAP") == 1 { on = 1; next }
    index($0, m "END rc=") == 1 { on = 0 }
    on' "$work/console.txt")
end_line=$(grep -F "${marker}END rc=" "$work/console.txt" | tail -n 1)
bats_rc=${end_line#"${marker}END rc="}

[ -n "$tap" ] && printf '%s\n' "$tap"
awk -v p="$prog" -v s="$start" -v b="$boot" -v e="$end" \
    'BEGIN { printf "%s: qemu ran %.1fs, %.1fs for the whole step\n", p, e - b, e - s }' >&2

failure() {
    echo "$prog: $*" >&2
    echo "---- the last 40 lines of the VM's console:" >&2
    tail -n 40 "$work/console.txt" >&2
    [ -s "$work/qemu.err" ] && { echo "---- qemu's stderr:" >&2; cat "$work/qemu.err" >&2; }
    exit 1
}
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
    failure "the VM did not finish in ${timeout_s}s (VOIDOCI_VM_TIMEOUT): killed"
fi
grep -qF "${marker}BEGIN TAP" "$work/console.txt" || failure "the VM never started the tests (qemu exit status $qemu_rc)"
[ -n "$end_line" ] || failure "the tests in the VM did not finish (qemu exit status $qemu_rc)"
if [ "$bats_rc" != 0 ] || grep -q '^not ok ' <<<"$tap"; then
    echo "$prog: bats in the VM exited with $bats_rc" >&2
    exit 1
fi
exit 0
