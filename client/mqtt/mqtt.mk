# client/mqtt/mqtt.mk: lscd-mqtt, one robot's bridge between lscd (through
# liblsc) and an MQTT broker (libmosquitto). bridge.c owns the loop;
# config.c, payload.c, dedup.c and pace.c are pure, with unit tests and fuzz
# targets (tests/fuzz/fuzz-mqtt-*.c).
mqtt_cppflags = $(common_cppflags) -I$(top_srcdir)/client/mqtt
mqtt_pure_sources = \
	client/mqtt/mqtt-config.c client/mqtt/mqtt-config.h \
	client/mqtt/payload.c client/mqtt/payload.h \
	client/mqtt/dedup.c client/mqtt/dedup.h \
	client/mqtt/pace.c client/mqtt/pace.h
mqtt_pure_libs = common/libyamldoc.la common/libcommon.la $(YAML_LIBS) $(CJSON_LIBS)

# Built as $(top_builddir)/lscd-mqtt, like lscd: the tests run it from there.
sbin_PROGRAMS += lscd-mqtt
lscd_mqtt_SOURCES = client/mqtt/main.c \
	client/mqtt/bridge.c client/mqtt/bridge.h \
	client/mqtt/broker.c client/mqtt/broker.h \
	$(mqtt_pure_sources)
lscd_mqtt_CPPFLAGS = $(mqtt_cppflags)
lscd_mqtt_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS) $(MOSQUITTO_CFLAGS)
lscd_mqtt_LDADD = client/liblsc/liblsc.la $(mqtt_pure_libs) $(SYSTEMD_LIBS) $(MOSQUITTO_LIBS)

dist_man_MANS += man/lscd-mqtt.8
dist_doc_DATA += client/mqtt/mqtt.yaml.example

if ENABLE_TESTS
mqtt_unit_tests = tests/unit/test-mqtt-config tests/unit/test-mqtt-payload tests/unit/test-mqtt-dedup \
	tests/unit/test-mqtt-pace
check_PROGRAMS += $(mqtt_unit_tests)
TESTS += $(mqtt_unit_tests)
mqtt_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS)
mqtt_test_ldadd = $(mqtt_pure_libs) $(CHECK_LIBS)
tests_unit_test_mqtt_config_SOURCES = tests/unit/test-mqtt-config.c tests/unit/lscd-check.h $(mqtt_pure_sources)
tests_unit_test_mqtt_config_CPPFLAGS = $(mqtt_cppflags)
tests_unit_test_mqtt_config_CFLAGS = $(mqtt_test_cflags)
tests_unit_test_mqtt_config_LDADD = $(mqtt_test_ldadd)
tests_unit_test_mqtt_payload_SOURCES = tests/unit/test-mqtt-payload.c tests/unit/lscd-check.h $(mqtt_pure_sources)
tests_unit_test_mqtt_payload_CPPFLAGS = $(mqtt_cppflags)
tests_unit_test_mqtt_payload_CFLAGS = $(mqtt_test_cflags)
tests_unit_test_mqtt_payload_LDADD = $(mqtt_test_ldadd)
tests_unit_test_mqtt_dedup_SOURCES = tests/unit/test-mqtt-dedup.c tests/unit/lscd-check.h $(mqtt_pure_sources)
tests_unit_test_mqtt_dedup_CPPFLAGS = $(mqtt_cppflags)
tests_unit_test_mqtt_dedup_CFLAGS = $(mqtt_test_cflags)
tests_unit_test_mqtt_dedup_LDADD = $(mqtt_test_ldadd)
tests_unit_test_mqtt_pace_SOURCES = tests/unit/test-mqtt-pace.c tests/unit/lscd-check.h $(mqtt_pure_sources)
tests_unit_test_mqtt_pace_CPPFLAGS = $(mqtt_cppflags)
tests_unit_test_mqtt_pace_CFLAGS = $(mqtt_test_cflags)
tests_unit_test_mqtt_pace_LDADD = $(mqtt_test_ldadd)
endif

# End-to-end, with a real Mosquitto broker per test (tests/e2e/mqttharness.py);
# test-mqtt.py passes with lscd and lscd-mqtt under memcheck.
mqtt_e2e_tests = tests/e2e/test-mqtt.py tests/e2e/test-mqtt-fleet.py
if ENABLE_TESTS
TESTS += $(mqtt_e2e_tests)
endif
VALGRIND_TESTS += tests/e2e/test-mqtt.py
dist_noinst_DATA += tests/e2e/mqttharness.py tests/e2e/mqtt.supp
EXTRA_DIST += $(mqtt_e2e_tests)

# The instance template, with the configured paths (systemd/systemd.mk's
# systemd_edit), checked offline by tests/units-mqtt.sh.
nodist_systemdsystemunit_DATA += systemd/lscd-mqtt@.service
systemd/lscd-mqtt@.service: $(srcdir)/systemd/lscd-mqtt@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	$(systemd_edit) $(srcdir)/systemd/lscd-mqtt@.service.in >$@.tmp && mv $@.tmp $@
CLEANFILES += systemd/lscd-mqtt@.service
EXTRA_DIST += systemd/lscd-mqtt@.service.in
if ENABLE_TESTS
TESTS += tests/units-mqtt.sh
endif
EXTRA_DIST += tests/units-mqtt.sh
