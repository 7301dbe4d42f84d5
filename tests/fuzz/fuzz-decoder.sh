#!/bin/sh
# Fuzz tests/fuzz/fuzz-NAME (NAME from this script's name) for
# $LSC_FUZZ_SECONDS (default 10) from its seed corpus; TAP output.
# New inputs go to a scratch directory, crash inputs to the build tree.
name=$(basename "$0" .sh)
target=${name#fuzz-}
bin="$top_builddir/tests/fuzz/$name"
seeds="$top_srcdir/tests/fuzz/corpus/$target"
seconds=${LSC_FUZZ_SECONDS:-10}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" || exit 1
echo "1..1"
"$bin" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$top_builddir/tests/fuzz/$name-" "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?
sed 's/^/# /' "$work/log" | tail -n 30
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
        echo "ok 1 - $name: $runs executions in ${seconds}s, no failure"
else
        echo "not ok 1 - $name: exit status $status (crash input under $top_builddir/tests/fuzz/)"
fi
