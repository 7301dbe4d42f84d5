# common/common.mk: code that more than one program links, installed by
# none on its own. Three convenience libraries, split by what they need:
#  - libcodec: the LSC frame codec (pure; <lsc/frame.h> is installed);
#  - libcommon: protocol constants, strict JSON, output and line buffers,
#    the log, the baud table (cJSON only);
#  - libports: serial port enumeration (libserialport);
#  - libyamldoc: one YAML document read with FILE:LINE errors (libyaml):
#    the robot file, sequence files, lscd-mqtt's configuration.
noinst_LTLIBRARIES += common/libcodec.la common/libcommon.la common/libports.la \
	common/libyamldoc.la
lscinclude_HEADERS += include/lsc/frame.h include/lsc/protocol.h

common_libcodec_la_SOURCES = common/lsc-frame.c common/lsc-decoder.c
common_libcodec_la_CPPFLAGS = $(common_cppflags)

common_libcommon_la_SOURCES = \
	common/protocol.c \
	common/mem.c common/mem.h \
	common/clock.c common/clock.h \
	common/json.c common/json.h \
	common/outbuf.c common/outbuf.h \
	common/linebuf.c common/linebuf.h \
	common/log.c common/log.h \
	common/baud.c common/baud.h \
	common/fail.c common/fail.h \
	common/replace.c common/replace.h \
	common/number.c common/number.h \
	common/list.h
common_libcommon_la_CPPFLAGS = $(common_cppflags)
common_libcommon_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
common_libcommon_la_LIBADD = $(CJSON_LIBS) -lm

common_libports_la_SOURCES = common/ports.c common/ports.h
common_libports_la_CPPFLAGS = $(common_cppflags)
common_libports_la_CFLAGS = $(AM_CFLAGS) $(SERIALPORT_CFLAGS) $(CJSON_CFLAGS)
common_libports_la_LIBADD = $(SERIALPORT_LIBS) $(CJSON_LIBS)

common_libyamldoc_la_SOURCES = common/yamldoc.c common/yamldoc.h
common_libyamldoc_la_CPPFLAGS = $(common_cppflags)
common_libyamldoc_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
common_libyamldoc_la_LIBADD = common/libcommon.la $(YAML_LIBS)

if ENABLE_TESTS
common_tests = \
	tests/unit/test-frame \
	tests/unit/test-json \
	tests/unit/test-linebuf \
	tests/unit/test-log \
	tests/unit/test-ports
check_PROGRAMS += $(common_tests)
TESTS += $(common_tests)
common_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) $(SERIALPORT_CFLAGS)

tests_unit_test_frame_SOURCES = tests/unit/test-frame.c
tests_unit_test_frame_CPPFLAGS = $(common_cppflags)
tests_unit_test_frame_CFLAGS = $(common_test_cflags)
tests_unit_test_frame_LDADD = common/libcodec.la $(CHECK_LIBS)
tests_unit_test_json_SOURCES = tests/unit/test-json.c tests/unit/lscd-check.h
tests_unit_test_json_CPPFLAGS = $(common_cppflags)
tests_unit_test_json_CFLAGS = $(common_test_cflags)
tests_unit_test_json_LDADD = common/libcommon.la $(CHECK_LIBS)
tests_unit_test_linebuf_SOURCES = tests/unit/test-linebuf.c tests/unit/lscd-check.h
tests_unit_test_linebuf_CPPFLAGS = $(common_cppflags)
tests_unit_test_linebuf_CFLAGS = $(common_test_cflags)
tests_unit_test_linebuf_LDADD = common/libcommon.la $(CHECK_LIBS)
tests_unit_test_log_SOURCES = tests/unit/test-log.c tests/unit/lscd-check.h
tests_unit_test_log_CPPFLAGS = $(common_cppflags)
tests_unit_test_log_CFLAGS = $(common_test_cflags)
tests_unit_test_log_LDADD = common/libcommon.la $(CHECK_LIBS)
tests_unit_test_ports_SOURCES = tests/unit/test-ports.c tests/unit/lscd-check.h
tests_unit_test_ports_CPPFLAGS = $(common_cppflags)
tests_unit_test_ports_CFLAGS = $(common_test_cflags)
tests_unit_test_ports_LDADD = common/libports.la $(CHECK_LIBS)
endif
