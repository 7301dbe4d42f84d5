# daemon/protocol/protocol.mk: the JSON side of lscd: request parsing, the
# verb table, one file per verb, calls (a request being answered), events.
noinst_LTLIBRARIES += daemon/protocol/libprotocol.la
daemon_protocol_libprotocol_la_SOURCES = \
	daemon/protocol/request.c daemon/protocol/request.h \
	daemon/protocol/cmd.c daemon/protocol/cmd.h \
	daemon/protocol/cmd-battery.c \
	daemon/protocol/cmd-positions.c \
	daemon/protocol/cmd-unload.c \
	daemon/protocol/cmd-cancel.c \
	daemon/protocol/cmd-claim.c \
	daemon/protocol/cmd-hello.c \
	daemon/protocol/cmd-record.c \
	daemon/protocol/cmd-release.c \
	daemon/protocol/cmd-config-reload.c \
	daemon/protocol/cmd-group-run.c \
	daemon/protocol/cmd-group-speed.c \
	daemon/protocol/cmd-group-stop.c \
	daemon/protocol/cmd-halt.c \
	daemon/protocol/cmd-move.c \
	daemon/protocol/cmd-ping.c \
	daemon/protocol/cmd-pose.c \
	daemon/protocol/cmd-robot.c \
	daemon/protocol/cmd-servos.c \
	daemon/protocol/cmd-sequence-list.c \
	daemon/protocol/cmd-sequence-run.c \
	daemon/protocol/cmd-sequence-stop.c \
	daemon/protocol/cmd-status.c \
	daemon/protocol/cmd-subscribe.c \
	daemon/protocol/cmd-version.c \
	daemon/protocol/call.c daemon/protocol/call.h \
	daemon/protocol/events.c daemon/protocol/events.h
daemon_protocol_libprotocol_la_CPPFLAGS = $(protocol_cppflags)
daemon_protocol_libprotocol_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)

if ENABLE_TESTS
protocol_tests = \
	tests/unit/test-events \
	tests/unit/test-request
check_PROGRAMS += $(protocol_tests)
TESTS += $(protocol_tests)
protocol_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)
protocol_test_ldadd = daemon/liblscd.la $(CHECK_LIBS)

tests_unit_test_events_SOURCES = tests/unit/test-events.c tests/unit/lscd-check.h
tests_unit_test_events_CPPFLAGS = $(protocol_cppflags)
tests_unit_test_events_CFLAGS = $(protocol_test_cflags)
tests_unit_test_events_LDADD = $(protocol_test_ldadd)
tests_unit_test_request_SOURCES = tests/unit/test-request.c tests/unit/lscd-check.h
tests_unit_test_request_CPPFLAGS = $(protocol_cppflags)
tests_unit_test_request_CFLAGS = $(protocol_test_cflags)
tests_unit_test_request_LDADD = $(protocol_test_ldadd)
endif
