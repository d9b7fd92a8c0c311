#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# docs/man: every option a command's --help lists is in its man page, and
# every option its man page lists is in --help.

load helpers

MAN_DIR=$VOIDOCI_SRCDIR/docs/man

# No setup or teardown of helpers.bash: these tests run no container, and
# the teardown's leak scan would cost more than the tests.
setup() {
    [ -x "$VOIDOCI" ] || skip "no voidoci binary at $VOIDOCI"
}

# help_options ARG...: the option names (-x, --long) of `voidoci ARG... --help`'s
# option lines, sorted.
help_options() {
    "$VOIDOCI" "$@" --help | grep -E '^ +-' |
        sed -E 's/^ +((-[a-zA-Z]), )?(--[a-z0-9-]+).*/\2 \3/' | tr ' ' '\n' | grep . | sort -u
}

# man_options PAGE: the option names of the man page's option entries
# (lines "*-x*, *--long* _ARG_" or "*--long*"), sorted.
man_options() {
    grep -E '^\*-' "$MAN_DIR/$1.8.scd" | grep -oE '\*-{1,2}[a-zA-Z0-9-]+\*' | tr -d '*' | sort -u
}

@test "man pages: a page for each command, and the same options as --help" {
    local cmd cmds bad=0
    cmds=$("$VOIDOCI" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && $1 != "help" { print $1 }' |
        grep -v Commands:)
    [ -n "$cmds" ]
    for cmd in $cmds; do
        [ -f "$MAN_DIR/voidoci-$cmd.8.scd" ] || { echo "no man page for $cmd" >&2; bad=1; continue; }
        if ! diff <(help_options "$cmd") <(man_options "voidoci-$cmd") >&2; then
            echo "^ $cmd: --help (<) and voidoci-$cmd.8 (>) differ" >&2
            bad=1
        fi
    done
    [ "$bad" = 0 ]
}

@test "man pages: voidoci(8) has the global options and every command" {
    diff <(help_options) <(man_options voidoci)
    local cmd
    for cmd in $("$VOIDOCI" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }' |
        grep -v Commands:); do
        grep -qE "^(\*[a-z]+\*\(8\), )?\*$cmd\*" "$MAN_DIR/voidoci.8.scd" || {
            echo "voidoci.8 lacks $cmd" >&2
            return 1
        }
    done
}

@test "man pages: each has the sections the issue asks for" {
    local page s
    for page in "$MAN_DIR"/*.8.scd; do
        for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES FILES ENVIRONMENT; do
            grep -qx "# $s" "$page" || {
                echo "$page lacks $s" >&2
                return 1
            }
        done
        grep -qxE '# (OPTIONS|GLOBAL OPTIONS)' "$page"
    done
}
