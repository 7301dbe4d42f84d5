# daemon/daemon.mk: lscd itself. The layers below are convenience
# libraries (daemon/*/*.mk); this is the loop that owns sd-event and wires
# them together (manager). Everything but main.c is liblscd, so that the
# unit tests and the fuzz targets link the same code.
noinst_LTLIBRARIES += daemon/liblscd.la
daemon_liblscd_la_SOURCES = \
	daemon/lock.c daemon/lock.h \
	daemon/realtime.c daemon/realtime.h \
	daemon/manager.c daemon/manager.h \
	daemon/options.h
daemon_liblscd_la_CPPFLAGS = $(daemon_cppflags)
daemon_liblscd_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
daemon_liblscd_la_LIBADD = daemon/net/libnet.la daemon/protocol/libprotocol.la \
	daemon/robot/librobot.la daemon/transport/libtransport.la \
	common/libports.la common/libcommon.la common/libcodec.la \
	$(SERIALPORT_LIBS) $(SYSTEMD_LIBS) $(CJSON_LIBS) $(YAML_LIBS) -lm

# Built as $(top_builddir)/lscd: tests/units.sh, the benchmarks and
# tests/e2e/lscdharness.py run it from there.
sbin_PROGRAMS += lscd
lscd_SOURCES = daemon/main.c
lscd_CPPFLAGS = $(daemon_cppflags) -DLSCD_ROBOT_FILE='"$(sysconfdir)/lscd/robot.yaml"' \
	-DLSCD_SEQUENCE_DIR='"$(sysconfdir)/lscd/sequences"'
lscd_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
lscd_LDADD = daemon/liblscd.la

dist_man_MANS += man/lscd-protocol.7
dist_noinst_DATA += tests/e2e/lscdharness.py

# End-to-end: lsc-sim + lscd + JSON clients, each on private paths.
lscd_e2e_tests = \
	tests/e2e/test-lscd-commands.py \
	tests/e2e/test-lscd-groups.py \
	tests/e2e/test-lscd-board.py \
	tests/e2e/test-lscd-robot.py \
	tests/e2e/test-lscd-claims.py \
	tests/e2e/test-lscd-realtime.py \
	tests/e2e/test-lscd-sequences.py \
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
