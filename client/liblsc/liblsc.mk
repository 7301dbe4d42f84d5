# client/liblsc/liblsc.mk: liblsc, the C client library, with the frame
# codec and the protocol constants inside.
# Only lsc_* symbols are exported. -version-info CURRENT:REVISION:AGE;
# bump it as libtool's manual says whenever the interface changes.
lib_LTLIBRARIES += client/liblsc/liblsc.la
lscinclude_HEADERS += include/lsc/client.h
# lscd's own check of a line's JSON (UTF-8, depth) vets each request before
# it is written, so that none can draw an answer without its id.
client_liblsc_liblsc_la_SOURCES = client/liblsc/lsc-client.c client/liblsc/lsc-client-request.c
client_liblsc_liblsc_la_CPPFLAGS = $(common_cppflags)
client_liblsc_liblsc_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
client_liblsc_liblsc_la_LIBADD = common/libcommon.la common/libcodec.la $(CJSON_LIBS) -lm
client_liblsc_liblsc_la_LDFLAGS = $(AM_LDFLAGS) -version-info 2:0:2 -export-symbols-regex '^lsc_'
pkgconfig_DATA += client/liblsc/liblsc.pc
EXTRA_DIST += client/liblsc/liblsc.pc.in
dist_man_MANS += man/liblsc.3

if ENABLE_TESTS
# The example must keep compiling: it is built by "make check".
check_PROGRAMS += client/examples/run-group
client_examples_run_group_SOURCES = client/examples/run-group.c
client_examples_run_group_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
client_examples_run_group_LDADD = client/liblsc/liblsc.la $(CJSON_LIBS)

check_PROGRAMS += tests/unit/test-client
TESTS += tests/unit/test-client
tests_unit_test_client_SOURCES = tests/unit/test-client.c
tests_unit_test_client_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_client_LDADD = client/liblsc/liblsc.la $(CJSON_LIBS) $(CHECK_LIBS)
endif
