#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sanitizer-logs.sh DIR: fail when the sanitizer build's processes left a
# report in DIR (ASan, LeakSanitizer and UBSan write there, one file per
# process, instead of to a stderr that a test may have thrown away).
# The sanitizers make DIR with their first report: none there, none made.
# Prints the first lines of the first few reports and the first error line
# of each.  The last meson test of the sanitizer build (tests/meson.build);
# run-all.sh empties DIR before each run.
dir=$1
n=0
for f in "$dir"/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    if [ "$n" -le 5 ]; then
        echo "==== $f"
        head -n 15 "$f"
    else
        echo "==== $f: $(grep -m1 -E 'ERROR|runtime error' "$f")"
    fi
done
if [ "$n" -gt 0 ]; then
    echo "sanitizer-logs: $n sanitizer report(s) in $dir (remove them before the next run)" >&2
    exit 1
fi
echo "sanitizer-logs: no sanitizer report in $dir"
