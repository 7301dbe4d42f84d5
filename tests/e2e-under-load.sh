#!/bin/bash
# Run the end-to-end tests N times in a row (default 10) beside two CPU
# hogs and a parallel build, as issue 11 asked of the suite's stability on
# a loaded machine. Not part of make check: it takes tens of minutes.
#   tests/e2e-under-load.sh BUILDDIR [N]
# BUILDDIR is a configured, built tree; a copy of it is rebuilt in a loop
# beside the tests. Prints one line per run and a summary.
set -u
build=$(cd "${1:?usage: $0 BUILDDIR [N]}" && pwd)
runs=${2:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"' EXIT

tests=$(cd "$top" && ls tests/e2e/test-*.py | tr '\n' ' ')

yes >/dev/null & yes >/dev/null &
(cd "$scratch" && "$top/configure" -q >/dev/null &&
 while :; do make -s clean >/dev/null 2>&1; make -s -j2 >/dev/null 2>&1; done) &

failed_runs=0
for i in $(seq "$runs"); do
        start=$(date +%s)
        (cd "$build" && make -s check TESTS="$tests" >/dev/null 2>&1)
        p=$(sed -n 's/^# PASS: *//p' "$build/test-suite.log")
        f=$(sed -n 's/^# \(FAIL\|ERROR\): *//p' "$build/test-suite.log" | awk '{s += $1} END {print s + 0}')
        echo "run $i: $p passed, $f failed, $(( $(date +%s) - start )) s"
        if [ "$f" -ne 0 ]; then
                failed_runs=$((failed_runs + 1))
                grep -E '^(FAIL|ERROR):' "$build/test-suite.log" | sort -u
        fi
done
echo "$runs runs, $failed_runs with a failure"
[ "$failed_runs" -eq 0 ]
