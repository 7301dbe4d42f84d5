#!/bin/sh
# The request corpus replayed under valgrind memcheck. libcjson is not built
# with AddressSanitizer, so only valgrind sees a read by cJSON past the end
# of a line (each line is an exact-size allocation without NUL, see
# fuzz-request.c): any memcheck error makes this test fail (exit status 99).
if ! command -v valgrind >/dev/null 2>&1; then
        echo "1..0 # SKIP valgrind is not installed"
        exit 0
fi
exec valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
        "$top_builddir/tests/fuzz/replay-request"
