# tests/fuzz/fuzz.mk: the fuzz targets (tests/README: Fuzzing). A target is
# tests/fuzz/fuzz-NAME.c, which registers itself (FUZZ_TARGET, fuzz.h), and
# its seed corpus tests/fuzz/corpus/NAME/. Listing its file below is all it
# takes for every driver to run it:
#  - tests/fuzz/replay (every make check, any compiler): each corpus file
#    through its target; memcheck.sh does the same under valgrind;
#  - with --enable-fuzzing (CC=clang): the libFuzzer binary tests/fuzz/fuzz,
#    and fuzz-all.sh, a TAP test that fuzzes every target at once for
#    $LSC_FUZZ_SECONDS (build-aux/test-all: 60).
fuzz_targets = tests/fuzz/fuzz-decoder.c tests/fuzz/fuzz-request.c tests/fuzz/fuzz-robot.c

fuzz_targets += tests/fuzz/fuzz-sequence.c
# lscd-mqtt's pure parts: its configuration file and its cmd payloads.
fuzz_targets += tests/fuzz/fuzz-mqtt-config.c tests/fuzz/fuzz-mqtt-payload.c $(mqtt_pure_sources)
fuzz_common = tests/fuzz/fuzz.c tests/fuzz/fuzz.h tests/fuzz/fuzz-yamldoc.c tests/fuzz/fuzz-yamldoc.h \
	$(fuzz_targets)
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz-all.sh tests/fuzz/memcheck.sh \
	tests/fuzz/make-request-seeds.py

if ENABLE_TESTS
check_PROGRAMS += tests/fuzz/replay
TESTS += tests/fuzz/replay tests/fuzz/memcheck.sh
tests_fuzz_replay_SOURCES = tests/fuzz/replay.c $(fuzz_common)
tests_fuzz_replay_CPPFLAGS = $(daemon_cppflags) -I$(top_srcdir)/client/mqtt \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus"'
tests_fuzz_replay_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS)
tests_fuzz_replay_LDADD = daemon/liblscd.la
endif
FUZZ_TESTS += tests/fuzz/replay

if ENABLE_FUZZING
# The code under test is compiled into the binary, so that libFuzzer sees
# its coverage.
fuzz_cflags = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
noinst_PROGRAMS += tests/fuzz/fuzz
tests_fuzz_fuzz_SOURCES = tests/fuzz/libfuzzer.c $(fuzz_common) \
	$(daemon_liblscd_la_SOURCES) $(daemon_net_libnet_la_SOURCES) \
	$(daemon_protocol_libprotocol_la_SOURCES) $(daemon_robot_librobot_la_SOURCES) \
	$(daemon_transport_libtransport_la_SOURCES) $(common_libports_la_SOURCES) \
	$(common_libcommon_la_SOURCES) $(common_libcodec_la_SOURCES) \
	$(common_libyamldoc_la_SOURCES)
tests_fuzz_fuzz_CPPFLAGS = $(daemon_cppflags) -I$(top_srcdir)/client/mqtt
tests_fuzz_fuzz_CFLAGS = $(AM_CFLAGS) $(fuzz_cflags) \
	$(SYSTEMD_CFLAGS) $(CJSON_CFLAGS) $(SERIALPORT_CFLAGS) $(YAML_CFLAGS)
tests_fuzz_fuzz_LDFLAGS = $(AM_LDFLAGS) $(fuzz_cflags)
tests_fuzz_fuzz_LDADD = $(SYSTEMD_LIBS) $(CJSON_LIBS) $(SERIALPORT_LIBS) $(YAML_LIBS) -lm
TESTS += tests/fuzz/fuzz-all.sh
FUZZ_TESTS += tests/fuzz/fuzz-all.sh
endif
