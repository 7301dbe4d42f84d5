#!/bin/sh
# tests/fuzz/fuzz-all.sh [DURATION]: every fuzz target for DURATION, as many
# at once as there are processors ($LSC_FUZZ_JOBS to choose), in a build
# configured with --enable-fuzzing (CC=clang). Run it from the top of that
# build tree; make check sets $top_builddir and $top_srcdir itself.
#   DURATION: seconds, or minutes with an m (600, 10m); default
#   $LSC_FUZZ_SECONDS, else 10.
# Each target of tests/fuzz/fuzz --list replays its seed corpus
# (tests/fuzz/corpus/NAME/), then fuzzes. New inputs go to a scratch
# directory; an input that fails a check stays in the build tree as
# tests/fuzz/NAME-crash-*. TAP: one test point per target, with libFuzzer's
# own count of runs and seconds.
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
duration=${1:-${LSC_FUZZ_SECONDS:-10}}
jobs=${LSC_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
bin="$top_builddir/tests/fuzz/fuzz"

case ${duration%m} in
''|*[!0-9]*) echo "usage: $0 [SECONDS|MINUTESm]" >&2; exit 2 ;;
esac
case $duration in
*m) seconds=$((${duration%m} * 60)) ;;
*) seconds=$duration ;;
esac
if ! targets=$("$bin" --list); then
        echo "Bail out! $bin does not run: configure with --enable-fuzzing CC=clang"
        exit 1
fi
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

# Fuzz target $1, leaving its output and exit status in $work.
fuzz_one() {
        mkdir "$work/$1" &&
                "$bin" "$1" -max_total_time="$seconds" -print_final_stats=1 \
                        -artifact_prefix="$top_builddir/tests/fuzz/$1-" \
                        "$work/$1" "$top_srcdir/tests/fuzz/corpus/$1" >"$work/$1.log" 2>&1
        echo $? >"$work/$1.status"
}

set -- $targets
echo "1..$#"
echo "# $# targets, $jobs at once, ${seconds}s each; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
n=0
for name in $targets; do
        fuzz_one "$name" &
        n=$((n + 1))
        [ $((n % jobs)) -ne 0 ] || wait
done
wait
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

n=0
for name in $targets; do
        n=$((n + 1))
        log="$work/$name.log"
        status=$(cat "$work/$name.status")
        runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log")
        if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
                grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+(INITED|DONE)|Done |stat::)' "$log" |
                        sed 's/^/# /'
                echo "ok $n - $name: $runs, no failure"
        else
                sed 's/^/# /' "$log" | tail -n 40
                echo "not ok $n - $name: exit status $status (failing input: $top_builddir/tests/fuzz/$name-*)"
        fi
done
