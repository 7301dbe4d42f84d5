# sim/sim.mk: lsc-sim, the board simulator: installed (the README demo and
# lsc-sim(1) use it) and used by the end-to-end tests. Its board logic is
# pure and has its own unit test; tests/e2e/test-sim.py checks the program.
bin_PROGRAMS += sim/lsc-sim
sim_lsc_sim_SOURCES = \
	sim/sim-main.c \
	sim/sim.c sim/sim.h \
	sim/sim-board.c sim/sim-board.h \
	sim/sim-cmd.c sim/sim-cmd.h \
	sim/sim-control.c sim/sim-control.h \
	sim/sim-log.c sim/sim-log.h \
	sim/sim-pty.c sim/sim-pty.h
sim_lsc_sim_CPPFLAGS = $(common_cppflags) -I$(top_srcdir)/sim
sim_lsc_sim_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
sim_lsc_sim_LDADD = common/libcommon.la common/libcodec.la $(SYSTEMD_LIBS) -lutil

dist_noinst_DATA += tests/e2e/tap.py tests/e2e/program.py tests/e2e/simharness.py

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-sim-board
TESTS += tests/unit/test-sim-board tests/e2e/test-sim.py
tests_unit_test_sim_board_SOURCES = tests/unit/test-sim-board.c tests/unit/lscd-check.h tests/unit/frame-check.h \
	sim/sim-board.c sim/sim-board.h
tests_unit_test_sim_board_CPPFLAGS = $(common_cppflags) -I$(top_srcdir)/sim
tests_unit_test_sim_board_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_sim_board_LDADD = common/libcodec.la $(CHECK_LIBS)
endif
EXTRA_DIST += tests/e2e/test-sim.py
VALGRIND_TESTS += tests/e2e/test-sim.py
