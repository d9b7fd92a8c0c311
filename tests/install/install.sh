#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install.sh BUILD_DIR SRC_DIR: `meson install` into a temp DESTDIR; every
# file installed must be one of those expected and every one expected must
# be there.  Then docs/example.c (README's library example) is compiled
# against the installed libvoid through pkg-config and run on a busybox
# rootfs: a void, a proc mount, one command.  Prints TAP.
set -uo pipefail
build=$1 src=$2
tmp=$(mktemp -d /tmp/voidoci-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }

prefix=$(meson introspect "$build" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')
libdir=$(meson introspect "$build" --buildoptions | jq -r '.[] | select(.name == "libdir") | .value')
mandir=$(meson introspect "$build" --buildoptions | jq -r '.[] | select(.name == "mandir") | .value')
datadir=$(meson introspect "$build" --buildoptions | jq -r '.[] | select(.name == "datadir") | .value')
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $mandir in /*) ;; *) mandir=$prefix/$mandir ;; esac
case $datadir in /*) ;; *) datadir=$prefix/$datadir ;; esac

expected=(
    "$prefix/bin/voidoci"
    "$libdir/libvoid.so" "$libdir/libvoid.so.0" "$libdir/libvoid.so.0.1.0"
    "$libdir/pkgconfig/libvoid.pc"
    "$prefix/include/libvoid/void.h"
    "$datadir/bash-completion/completions/voidoci"
)
man=true
command -v scdoc >/dev/null || man=false
if $man; then
    expected+=("$mandir/man8/voidoci.8")
    for c in checkpoint create delete events exec explain features kill list pause ps restore resume run spec start state update; do
        expected+=("$mandir/man8/voidoci-$c.8")
    done
fi

if out=$(DESTDIR=$dest meson install -C "$build" --no-rebuild --quiet 2>&1); then
    ok "DESTDIR=... meson install"
else
    notok "DESTDIR=... meson install" "$out"
fi
got=$(cd "$dest" && find . \( -type f -o -type l \) | sed 's/^\.//' | sort)
want=$(printf '%s\n' "${expected[@]}" | sort)
if [ "$got" = "$want" ]; then
    ok "exactly the expected files are installed (${#expected[@]})"
else
    notok "exactly the expected files are installed" "$(diff <(echo "$want") <(echo "$got"))"
fi
so=$(readelf -d "$dest$libdir/libvoid.so.0.1.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$so" = libvoid.so.0 ] && ok "libvoid's soname is libvoid.so.0" || notok "soname" "got '$so'"
[ "$(readlink "$dest$libdir/libvoid.so")" = libvoid.so.0 ] && ok "libvoid.so -> libvoid.so.0" \
    || notok "libvoid.so link" "$(ls -l "$dest$libdir/libvoid.so")"
v=$("$dest$prefix/bin/voidoci" --version 2>&1 | head -1)
[[ $v == voidoci\ version* ]] && ok "the installed voidoci runs: $v" || notok "installed voidoci runs" "$v"

export PKG_CONFIG_PATH=$dest$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs libvoid 2>&1)
# shellcheck disable=SC2086
if out=$(cc -std=c17 -Wall -Wextra -Werror -o "$tmp/example" "$src/docs/example.c" $flags 2>&1); then
    ok "docs/example.c builds with pkg-config --cflags --libs libvoid ($flags)"
else
    notok "docs/example.c builds" "$flags" "$out"
fi
"$src/tests/make-bundle.sh" --rootfs-only "$tmp/bundle" >/dev/null
out=$(LD_LIBRARY_PATH=$dest$libdir "$tmp/example" "$tmp/bundle/rootfs" 2>&1)
rc=$?
ldd_lib=$(LD_LIBRARY_PATH=$dest$libdir ldd "$tmp/example" | grep libvoid)
if [ $rc = 0 ] && grep -qx 'pid 1' <<<"$out" && grep -q '^proc /proc proc ' <<<"$out" \
    && [ "$(grep -c . <<<"$out")" = 2 ] && [[ $ldd_lib == *"$dest"* ]]; then
    ok "the example runs in a void: pid 1, one mount (proc)"
else
    notok "the example runs in a void" "rc $rc" "$out" "$ldd_lib"
fi
if ! $man; then
    n=$((n + 1))
    echo "ok $n - the man pages are installed # skip this machine has no scdoc (scripts/install-deps.sh installs it)"
fi
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
[ $failed = 0 ]
