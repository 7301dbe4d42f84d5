# SPDX-License-Identifier: MIT
# TAP for the shell tests; sourced. Points are numbered as they come and
# tap_done prints the plan last, as TAP allows. $tap_tmp is a scratch
# directory, removed at exit; $tap_out collects what a failing point shows.
tap_n=0
tap_failed=0
tap_tmp=$(mktemp -d) || exit 1
tap_out=$tap_tmp/.tap-out
trap 'rm -rf "$tap_tmp"' EXIT
: >"$tap_out"

# tap_point STATUS NAME: ok when STATUS is 0; else not ok, with $tap_out.
tap_point() {
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        sed 's/^/# /' "$tap_out"
        tap_failed=1
    fi
    : >"$tap_out"
}

# tap_check NAME COMMAND...: ok when COMMAND exits 0 and prints nothing.
tap_check() {
    tap_name=$1
    shift
    "$@" >"$tap_out" 2>&1
    tap_rc=$?
    [ $tap_rc -eq 0 ] && [ -s "$tap_out" ] && tap_rc=1
    tap_point $tap_rc "$tap_name"
}

tap_skip() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1 # SKIP $2"
}

tap_done() {
    echo "1..$tap_n"
    exit $tap_failed
}
