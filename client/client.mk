# client/client.mk: liblsc (the client library, with the frame codec inside),
# lscctl, its bash completion and manuals, and their tests.

# liblsc: only lsc_* symbols are exported. -version-info CURRENT:REVISION:AGE;
# bump it as libtool's manual says whenever the interface changes.
lib_LTLIBRARIES += client/liblsc.la
lscinclude_HEADERS += include/lsc/client.h
# lscd's own check of a line's JSON (UTF-8, depth) vets each request before
# it is written, so that none can draw an answer without its id.
client_liblsc_la_SOURCES = client/lsc-client.c client/lsc-client-request.c \
	daemon/json.c daemon/json.h daemon/outbuf.c daemon/outbuf.h
client_liblsc_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
client_liblsc_la_LIBADD = client/liblscframe.la $(CJSON_LIBS) -lm
client_liblsc_la_LDFLAGS = $(AM_LDFLAGS) -version-info 1:0:1 -export-symbols-regex '^lsc_'
pkgconfig_DATA += client/liblsc.pc
EXTRA_DIST += client/liblsc.pc.in

# lscctl: one file per subcommand group; "ports" enumerates through the
# daemon's port lister, compiled in directly (it needs only libserialport).
bin_PROGRAMS += client/lscctl
client_lscctl_SOURCES = \
	client/lscctl.c client/lscctl.h \
	client/lscctl-motion.c client/lscctl-info.c \
	client/lscctl-watch.c client/lscctl-ports.c \
	daemon/ports.c daemon/ports.h
client_lscctl_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(SERIALPORT_CFLAGS)
client_lscctl_LDADD = client/liblsc.la $(CJSON_LIBS) $(SERIALPORT_LIBS) -lm

# The completion script is installed under the command's name.
bashcompletion_DATA = client/completion/lscctl
EXTRA_DIST += client/lscctl.bash-completion
CLEANFILES += client/completion/lscctl
client/completion/lscctl: client/lscctl.bash-completion
	$(AM_V_GEN)$(MKDIR_P) client/completion && cp $(srcdir)/client/lscctl.bash-completion $@

dist_man_MANS += man/lscctl.1 man/liblsc.3

if ENABLE_TESTS
# The example must keep compiling: it is built by "make check".
check_PROGRAMS += client/examples/run-group
client_examples_run_group_SOURCES = client/examples/run-group.c
client_examples_run_group_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
client_examples_run_group_LDADD = client/liblsc.la $(CJSON_LIBS)

check_PROGRAMS += tests/unit/test-client
TESTS += tests/unit/test-client
tests_unit_test_client_SOURCES = tests/unit/test-client.c
tests_unit_test_client_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_client_LDADD = client/liblsc.la $(CJSON_LIBS) $(CHECK_LIBS)

# End to end against lsc-sim + lscd; it also runs the example program.
TESTS += tests/e2e/test-lscctl.py
endif
EXTRA_DIST += tests/e2e/test-lscctl.py
# It passes with lscd under memcheck too (LSCD_TEST_VALGRIND=1).
VALGRIND_TESTS += tests/e2e/test-lscctl.py
