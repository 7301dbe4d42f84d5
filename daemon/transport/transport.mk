# daemon/transport/transport.mk: lscd's serial side: the port (serial), which
# port --device names (device: a path, or auto's choice), the
# transmit scheduler (txqueue, pure) and the paced writer on top (wire).
noinst_LTLIBRARIES += daemon/transport/libtransport.la
daemon_transport_libtransport_la_SOURCES = \
	daemon/transport/serial.c daemon/transport/serial.h \
	daemon/transport/device.c daemon/transport/device.h \
	daemon/transport/txqueue.c daemon/transport/txqueue.h \
	daemon/transport/wire.c daemon/transport/wire.h
daemon_transport_libtransport_la_CPPFLAGS = $(transport_cppflags)
daemon_transport_libtransport_la_CFLAGS = $(AM_CFLAGS) $(SERIALPORT_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
daemon_transport_libtransport_la_LIBADD = common/libports.la common/libcommon.la \
	common/libcodec.la $(SERIALPORT_LIBS) $(SYSTEMD_LIBS)

if ENABLE_TESTS
transport_tests = \
	tests/unit/test-txqueue \
	tests/unit/test-serial \
	tests/unit/test-wire
check_PROGRAMS += $(transport_tests)
TESTS += $(transport_tests)
transport_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SERIALPORT_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
transport_test_ldadd = daemon/transport/libtransport.la $(CHECK_LIBS)

tests_unit_test_txqueue_SOURCES = tests/unit/test-txqueue.c tests/unit/lscd-check.h
tests_unit_test_txqueue_CPPFLAGS = $(transport_cppflags)
tests_unit_test_txqueue_CFLAGS = $(transport_test_cflags)
tests_unit_test_txqueue_LDADD = $(transport_test_ldadd)

# LSCD_TEST_SERIAL_PORT=/dev/ttyS0 also runs the real-port (libserialport)
# cases; they change that port's line settings, so they are opt-in.
tests_unit_test_serial_SOURCES = tests/unit/test-serial.c tests/unit/lscd-check.h
tests_unit_test_serial_CPPFLAGS = $(transport_cppflags)
tests_unit_test_serial_CFLAGS = $(transport_test_cflags)
tests_unit_test_serial_LDADD = $(transport_test_ldadd) -lutil

tests_unit_test_wire_SOURCES = tests/unit/test-wire.c tests/unit/lscd-check.h
tests_unit_test_wire_CPPFLAGS = $(transport_cppflags)
tests_unit_test_wire_CFLAGS = $(transport_test_cflags)
tests_unit_test_wire_LDADD = $(transport_test_ldadd) $(SYSTEMD_LIBS) -lutil

# Wire order end to end: lscd on lsc-sim, read from the simulator's log.
# --device auto on a fake USB bus (root; skipped otherwise).
TESTS += tests/e2e/test-wire.py tests/e2e/test-device-auto.py
endif
EXTRA_DIST += tests/e2e/test-wire.py tests/e2e/test-device-auto.py
dist_noinst_DATA += tests/e2e/fakeusb.py
VALGRIND_TESTS += tests/e2e/test-device-auto.py
