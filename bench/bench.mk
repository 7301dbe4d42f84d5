# bench/bench.mk: the benchmark suite (bench/run), never part of make check.
# Only its C programs are built here, as noinst programs; bench/run builds
# them with everything else in _build/bench: the load generator, and the C
# peer of the sequence timing figure (liblsc) and the machine's timer floor
# beside it.
noinst_PROGRAMS += bench/loadgen bench/seqpeer bench/timerfloor
bench_loadgen_SOURCES = bench/loadgen.c
bench_seqpeer_SOURCES = bench/seqpeer.c
bench_timerfloor_SOURCES = bench/timerfloor.c
bench_seqpeer_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
bench_seqpeer_LDADD = client/liblsc/liblsc.la $(CJSON_LIBS)

EXTRA_DIST += bench/run bench/README.md bench/bench.py bench/benchlib.py \
	bench/wirebench.py bench/clientbench.py bench/robotbench.py bench/seqbench.py \
	bench/stopbench.py bench/webbench.py bench/mqttbench.py
