# lsc-sim, the board simulator: installed (the README demo and lsc-sim(1)
# use it) and used by the end-to-end tests. Its board logic is pure and has
# its own unit test; tests/e2e/test-sim.py checks the running program.
bin_PROGRAMS += tests/sim/lsc-sim
tests_sim_lsc_sim_SOURCES = \
	tests/sim/sim-main.c \
	tests/sim/sim.c tests/sim/sim.h \
	tests/sim/sim-board.c tests/sim/sim-board.h \
	tests/sim/sim-cmd.c tests/sim/sim-cmd.h \
	tests/sim/sim-control.c tests/sim/sim-control.h \
	tests/sim/sim-log.c tests/sim/sim-log.h \
	tests/sim/sim-pty.c tests/sim/sim-pty.h \
	daemon/baud.c daemon/baud.h
tests_sim_lsc_sim_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
tests_sim_lsc_sim_LDADD = client/liblscframe.la $(SYSTEMD_LIBS) -lutil

dist_noinst_DATA += tests/e2e/tap.py tests/e2e/program.py tests/e2e/simharness.py

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-sim-board
TESTS += tests/unit/test-sim-board tests/e2e/test-sim.py
tests_unit_test_sim_board_SOURCES = tests/unit/test-sim-board.c tests/unit/lscd-check.h \
	tests/sim/sim-board.c tests/sim/sim-board.h
tests_unit_test_sim_board_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_unit_test_sim_board_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_sim_board_LDADD = client/liblscframe.la $(CHECK_LIBS)
endif
EXTRA_DIST += tests/e2e/test-sim.py
VALGRIND_TESTS += tests/e2e/test-sim.py
