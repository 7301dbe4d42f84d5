# tests/reliability.mk: the reliability and security suite (tests/README
# says what each test proves and how to run the long versions by hand):
# fault injection with lsc-sim, load, the soak and access control. The
# fuzz targets and their corpus replay live in tests/fuzz/fuzz.mk.
reliability_tests = \
	tests/e2e/test-fault-device.py \
	tests/e2e/test-soak.py \
	tests/e2e/test-fault-line.py \
	tests/e2e/test-fault-clients.py \
	tests/e2e/test-load-clients.py \
	tests/e2e/test-access.py
if ENABLE_TESTS
TESTS += $(reliability_tests)
endif
EXTRA_DIST += $(reliability_tests) tests/README tests/e2e-under-load.sh

# Under valgrind (build-aux/test-all's valgrind step) only the fault tests:
# the device test then does 10 unplug cycles instead of 100. The load test
# and the soak are about volume and run once, in the plain make check;
# test-access resolves the group with getgrnam(), which leaves glibc's NSS
# modules allocated at exit (no lscd leak, but valgrind counts it).
VALGRIND_TESTS += \
	tests/e2e/test-fault-device.py \
	tests/e2e/test-fault-line.py \
	tests/e2e/test-fault-clients.py
