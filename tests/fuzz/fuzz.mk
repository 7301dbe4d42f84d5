# tests/fuzz/fuzz.mk: fuzz targets of the codec. Each target NAME has
#  - tests/fuzz/fuzz-NAME.c, defining LLVMFuzzerTestOneInput();
#  - a seed corpus tests/fuzz/corpus/NAME/;
#  - replay-NAME: the target over its corpus with the normal compiler, a TAP
#    test in every make check;
#  - with --enable-fuzzing (CC=clang): the libFuzzer binary fuzz-NAME, and
#    fuzz-NAME.sh, a TAP test that fuzzes it for $LSC_FUZZ_SECONDS.
EXTRA_DIST += tests/fuzz/corpus/decoder tests/fuzz/fuzz-decoder.sh

if ENABLE_TESTS
check_PROGRAMS += tests/fuzz/replay-decoder
TESTS += tests/fuzz/replay-decoder
tests_fuzz_replay_decoder_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-decoder.c
tests_fuzz_replay_decoder_CPPFLAGS = $(common_cppflags) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/decoder"'
tests_fuzz_replay_decoder_LDADD = common/libcodec.la
endif
FUZZ_TESTS += tests/fuzz/replay-decoder

if ENABLE_FUZZING
# The codec is compiled into the target so that libFuzzer sees its coverage.
fuzz_cflags = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
noinst_PROGRAMS += tests/fuzz/fuzz-decoder
tests_fuzz_fuzz_decoder_SOURCES = tests/fuzz/fuzz-decoder.c $(common_libcodec_la_SOURCES)
tests_fuzz_fuzz_decoder_CPPFLAGS = $(common_cppflags)
tests_fuzz_fuzz_decoder_CFLAGS = $(AM_CFLAGS) $(fuzz_cflags)
tests_fuzz_fuzz_decoder_LDFLAGS = $(AM_LDFLAGS) $(fuzz_cflags)
TESTS += tests/fuzz/fuzz-decoder.sh
FUZZ_TESTS += tests/fuzz/fuzz-decoder.sh
endif

# The request path (tests/fuzz/fuzz-request.c): linebuf, request_parse() and
# cmd_encode() of the daemon's convenience library. The libFuzzer build
# compiles the library's sources into the target, for coverage.
EXTRA_DIST += tests/fuzz/corpus/request tests/fuzz/fuzz-request.sh \
	tests/fuzz/memcheck-request.sh

if ENABLE_TESTS
check_PROGRAMS += tests/fuzz/replay-request
TESTS += tests/fuzz/replay-request tests/fuzz/memcheck-request.sh
tests_fuzz_replay_request_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-request.c
tests_fuzz_replay_request_CPPFLAGS = $(daemon_cppflags) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/request"'
tests_fuzz_replay_request_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_fuzz_replay_request_LDADD = daemon/liblscd.la
endif
FUZZ_TESTS += tests/fuzz/replay-request

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-request
tests_fuzz_fuzz_request_SOURCES = tests/fuzz/fuzz-request.c \
	$(daemon_liblscd_la_SOURCES) $(daemon_net_libnet_la_SOURCES) \
	$(daemon_protocol_libprotocol_la_SOURCES) $(daemon_robot_librobot_la_SOURCES) \
	$(daemon_transport_libtransport_la_SOURCES) $(common_libports_la_SOURCES) \
	$(common_libcommon_la_SOURCES) $(common_libcodec_la_SOURCES)
tests_fuzz_fuzz_request_CPPFLAGS = $(daemon_cppflags)
tests_fuzz_fuzz_request_CFLAGS = $(AM_CFLAGS) $(fuzz_cflags) \
	$(SYSTEMD_CFLAGS) $(CJSON_CFLAGS) $(SERIALPORT_CFLAGS)
tests_fuzz_fuzz_request_LDFLAGS = $(AM_LDFLAGS) $(fuzz_cflags)
tests_fuzz_fuzz_request_LDADD = $(SYSTEMD_LIBS) $(CJSON_LIBS) $(SERIALPORT_LIBS) -lm
TESTS += tests/fuzz/fuzz-request.sh
FUZZ_TESTS += tests/fuzz/fuzz-request.sh
endif
