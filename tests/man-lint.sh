#!/bin/sh
# SPDX-License-Identifier: MIT
# Lint every man page in man/ with groff and with mandoc; any warning fails.
# TAP: one test point per page and tool.
set -u
. "${top_srcdir:?}/tests/tap.sh"

groff=${GROFF:-groff}
mandoc=$(command -v mandoc || true)

for page in "$top_srcdir"/man/*.[1-8]; do
    [ -e "$page" ] || continue
    name=${page##*/}
    # -ww: every warning; -z: no output; -t: tables, as man(1) runs tbl.
    tap_check "groff $name" "$groff" -ww -z -t -mandoc "$page"
    if [ -n "$mandoc" ]; then
        # -Tlint -Wall: errors, warnings and style messages all fail.
        tap_check "mandoc $name" "$mandoc" -Tlint -Wall "$page"
    else
        tap_skip "mandoc $name" "mandoc is not installed"
    fi
done
tap_done
