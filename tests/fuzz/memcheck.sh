#!/bin/sh
# Every fuzz target's corpus replayed under valgrind memcheck. The system's
# libraries (libcjson) are not built with AddressSanitizer, so only valgrind
# sees a read inside one past the end of an input (each request line is an
# exact-size allocation without NUL, see fuzz-request.c): any memcheck error
# makes this test fail (exit status 99).
bin="$top_builddir/tests/fuzz/replay"
if ! command -v valgrind >/dev/null 2>&1; then
        echo "1..0 # SKIP valgrind is not installed"
        exit 0
fi
if grep -q __asan_init "$bin"; then
        echo "1..0 # SKIP built with AddressSanitizer, which valgrind cannot run (replay covers it)"
        exit 0
fi
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
valgrind --quiet --log-file="$log" --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=all "$bin"
status=$?
if grep -q "debuginfo reader:" "$log"; then
        echo "1..0 # SKIP this valgrind cannot read the compiler's debug information"
        sed 's/^/# /' "$log" | tail -n 5
        exit 0
fi
sed 's/^/# /' "$log"
exit $status
