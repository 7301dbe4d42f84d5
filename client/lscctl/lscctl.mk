# client/lscctl/lscctl.mk: lscctl, one file per subcommand group, its bash
# completion and manual, and its end-to-end test. It speaks only the
# protocol (through liblsc); "ports" only lists serial ports (libports).
bin_PROGRAMS += client/lscctl/lscctl
client_lscctl_lscctl_SOURCES = \
	client/lscctl/lscctl.c client/lscctl/lscctl.h \
	client/lscctl/lscctl-motion.c client/lscctl/lscctl-info.c \
	client/lscctl/lscctl-watch.c client/lscctl/lscctl-ports.c \
	client/lscctl/lscctl-robot.c \
	client/lscctl/lscctl-claim.c client/lscctl/lscctl-proxy.c client/lscctl/lscctl-proxy.h \
	client/lscctl/lscctl-sequence.c client/lscctl/lscctl-bus.c
client_lscctl_lscctl_CPPFLAGS = $(common_cppflags)
client_lscctl_lscctl_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(SERIALPORT_CFLAGS)
client_lscctl_lscctl_LDADD = client/liblsc/liblsc.la common/libports.la common/libcommon.la \
	$(CJSON_LIBS) $(SERIALPORT_LIBS) -lm

# The completion script is installed under the command's name.
bashcompletion_DATA = client/lscctl/completion/lscctl
EXTRA_DIST += client/lscctl/lscctl.bash-completion
CLEANFILES += client/lscctl/completion/lscctl
client/lscctl/completion/lscctl: client/lscctl/lscctl.bash-completion
	$(AM_V_GEN)$(MKDIR_P) client/lscctl/completion && cp $(srcdir)/client/lscctl/lscctl.bash-completion $@

dist_man_MANS += man/lscctl.1

# End to end against lsc-sim + lscd; test-lscctl.py also runs the example
# program, test-lscctl-robot.py gives lscd a robot file. Both run lscctl
# through lscctlharness.py.
lscctl_e2e_tests = tests/e2e/test-lscctl.py tests/e2e/test-lscctl-robot.py \
	tests/e2e/test-lscctl-share.py
if ENABLE_TESTS
TESTS += $(lscctl_e2e_tests)
endif
EXTRA_DIST += $(lscctl_e2e_tests)
dist_noinst_DATA += tests/e2e/lscctlharness.py
# They pass with lscd under memcheck too (LSCD_TEST_VALGRIND=1).
VALGRIND_TESTS += $(lscctl_e2e_tests)
