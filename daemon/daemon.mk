# daemon/daemon.mk: lscd itself. Everything but main.c is a convenience
# library, so that the unit tests (and the fuzz target) link the same code.
# The serial port and wire come from daemon/transport.mk, the codec from
# client/frame.mk.
noinst_LTLIBRARIES += daemon/liblscd.la
daemon_liblscd_la_SOURCES = \
	daemon/board.c daemon/board.h \
	daemon/call.c daemon/call.h \
	daemon/client.c daemon/client.h \
	daemon/cmd.c daemon/cmd.h \
	daemon/cmd-battery.c \
	daemon/cmd-group-run.c \
	daemon/cmd-group-speed.c \
	daemon/cmd-group-stop.c \
	daemon/cmd-halt.c \
	daemon/cmd-move.c \
	daemon/cmd-ping.c \
	daemon/cmd-status.c \
	daemon/cmd-subscribe.c \
	daemon/cmd-version.c \
	daemon/errcode.c daemon/errcode.h \
	daemon/events.c daemon/events.h \
	daemon/json.c daemon/json.h \
	daemon/linebuf.c daemon/linebuf.h \
	daemon/list.h \
	daemon/lock.c daemon/lock.h \
	daemon/log.c daemon/log.h \
	daemon/manager.c daemon/manager.h \
	daemon/options.h \
	daemon/outbuf.c daemon/outbuf.h \
	daemon/request.c daemon/request.h \
	daemon/server.c daemon/server.h
daemon_liblscd_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
daemon_liblscd_la_LIBADD = daemon/libtransport.la client/liblscframe.la \
	$(SYSTEMD_LIBS) $(CJSON_LIBS) -lm

# Built as $(top_builddir)/lscd: tests/units.sh, the benchmarks and
# tests/e2e/lscdharness.py run it from there.
sbin_PROGRAMS += lscd
lscd_SOURCES = daemon/main.c
lscd_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
lscd_LDADD = daemon/liblscd.la

dist_man_MANS += man/lscd-protocol.7
dist_noinst_DATA += tests/e2e/lscdharness.py

if ENABLE_TESTS
lscd_unit_tests = \
	tests/unit/test-json \
	tests/unit/test-linebuf \
	tests/unit/test-events \
	tests/unit/test-request
check_PROGRAMS += $(lscd_unit_tests)
TESTS += $(lscd_unit_tests)
lscd_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
lscd_test_ldadd = daemon/liblscd.la $(CHECK_LIBS)

tests_unit_test_json_SOURCES = tests/unit/test-json.c tests/unit/lscd-check.h
tests_unit_test_json_CFLAGS = $(lscd_test_cflags)
tests_unit_test_json_LDADD = $(lscd_test_ldadd)
tests_unit_test_linebuf_SOURCES = tests/unit/test-linebuf.c tests/unit/lscd-check.h
tests_unit_test_linebuf_CFLAGS = $(lscd_test_cflags)
tests_unit_test_linebuf_LDADD = $(lscd_test_ldadd)
tests_unit_test_events_SOURCES = tests/unit/test-events.c tests/unit/lscd-check.h
tests_unit_test_events_CFLAGS = $(lscd_test_cflags)
tests_unit_test_events_LDADD = $(lscd_test_ldadd)
tests_unit_test_request_SOURCES = tests/unit/test-request.c tests/unit/lscd-check.h
tests_unit_test_request_CFLAGS = $(lscd_test_cflags)
tests_unit_test_request_LDADD = $(lscd_test_ldadd)

endif
# End-to-end: lsc-sim + lscd + JSON clients, each on private paths.
lscd_e2e_tests = \
	tests/e2e/test-lscd-commands.py \
	tests/e2e/test-lscd-groups.py \
	tests/e2e/test-lscd-battery.py \
	tests/e2e/test-lscd-device.py \
	tests/e2e/test-lscd-input.py \
	tests/e2e/test-lscd-clients.py \
	tests/e2e/test-lscd-lifecycle.py \
	tests/e2e/test-lscd-options.py \
	tests/e2e/test-lscd-protocol-doc.py
if ENABLE_TESTS
TESTS += $(lscd_e2e_tests)
endif
EXTRA_DIST += $(lscd_e2e_tests)
# They all pass with lscd under memcheck (LSCD_TEST_VALGRIND=1).
VALGRIND_TESTS += $(lscd_e2e_tests)
