#!/bin/sh
# Fuzz tests/fuzz/fuzz-request for $LSC_FUZZ_SECONDS from its seed corpus:
# the decoder's driver, which takes the target from this script's name.
. "$top_srcdir/tests/fuzz/fuzz-decoder.sh"
