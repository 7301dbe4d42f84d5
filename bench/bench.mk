# bench/bench.mk: the benchmark suite (bench/run), never part of make check.
# Only its C load generator is built here, as a noinst program; bench/run
# builds it with everything else in _build/bench.
noinst_PROGRAMS += bench/loadgen
bench_loadgen_SOURCES = bench/loadgen.c

EXTRA_DIST += bench/run bench/README.md bench/bench.py bench/benchlib.py \
	bench/wirebench.py bench/clientbench.py bench/robotbench.py
