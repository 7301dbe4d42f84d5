# daemon/transport.mk: the serial port, port enumeration, the transmit
# scheduler (txqueue, pure) and the paced writer on top of it (wire).
noinst_LTLIBRARIES += daemon/libtransport.la
daemon_libtransport_la_SOURCES = \
	daemon/serial.c daemon/serial.h \
	daemon/baud.c daemon/baud.h \
	daemon/ports.c daemon/ports.h \
	daemon/txqueue.c daemon/txqueue.h \
	daemon/wire.c daemon/wire.h
daemon_libtransport_la_CFLAGS = $(AM_CFLAGS) $(SERIALPORT_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
daemon_libtransport_la_LIBADD = $(SERIALPORT_LIBS) $(SYSTEMD_LIBS) $(CJSON_LIBS)

if ENABLE_TESTS
transport_tests = \
	tests/unit/test-txqueue \
	tests/unit/test-ports \
	tests/unit/test-serial \
	tests/unit/test-wire
check_PROGRAMS += $(transport_tests)
TESTS += $(transport_tests)

transport_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SERIALPORT_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
transport_test_ldadd = daemon/libtransport.la $(CHECK_LIBS)

tests_unit_test_txqueue_SOURCES = tests/unit/test-txqueue.c
tests_unit_test_txqueue_CFLAGS = $(transport_test_cflags)
tests_unit_test_txqueue_LDADD = $(transport_test_ldadd)

tests_unit_test_ports_SOURCES = tests/unit/test-ports.c
tests_unit_test_ports_CFLAGS = $(transport_test_cflags)
tests_unit_test_ports_LDADD = $(transport_test_ldadd) $(SERIALPORT_LIBS)

# LSCD_TEST_SERIAL_PORT=/dev/ttyS0 also runs the real-port (libserialport)
# cases; they change that port's line settings, so they are opt-in.
tests_unit_test_serial_SOURCES = tests/unit/test-serial.c
tests_unit_test_serial_CFLAGS = $(transport_test_cflags)
tests_unit_test_serial_LDADD = $(transport_test_ldadd) -lutil

tests_unit_test_wire_SOURCES = tests/unit/test-wire.c
tests_unit_test_wire_CFLAGS = $(transport_test_cflags)
tests_unit_test_wire_LDADD = $(transport_test_ldadd) $(SYSTEMD_LIBS) -lutil

# Wire order end to end: lscd on lsc-sim, read from the simulator's log.
TESTS += tests/e2e/test-wire.py
endif
EXTRA_DIST += tests/e2e/test-wire.py
