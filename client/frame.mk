# The LSC frame codec: a convenience library linked into lscd, lsc-sim, the
# client library and the tests; its header is installed as <lsc/frame.h>.
noinst_LTLIBRARIES += client/liblscframe.la
client_liblscframe_la_SOURCES = client/lsc-frame.c client/lsc-decoder.c
lscinclude_HEADERS += include/lsc/frame.h

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-frame
TESTS += tests/unit/test-frame
tests_unit_test_frame_SOURCES = tests/unit/test-frame.c
tests_unit_test_frame_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_frame_LDADD = client/liblscframe.la $(CHECK_LIBS)
endif
