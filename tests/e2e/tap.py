# SPDX-License-Identifier: MIT
"""tap.py: a tiny TAP producer for the end-to-end tests (python3 stdlib only).

Each test is a function; each function is one test point. A failing assert
or any exception makes that point "not ok" with the traceback as diagnostics;
the other tests still run. A test that cannot run raises Skip.

    import tap

    @tap.test
    def battery_answers():
        tap.eq(reply, b"\\x55\\x55\\x04\\x0f\\x4c\\x1d", "battery reply")

    tap.main()      # plan, run every registered test, exit 1 if any failed

Run one file's tests selectively by naming them: test-foo.py battery pacing.
"""

import contextlib
import signal
import sys
import traceback

_tests = []

# Tests send SIGINT to the programs they start, as a user's Ctrl-C would. A
# shell that starts the suite in the background (make check &, nohup) has
# it ignored, and the programs would inherit that: a Python handler is
# reset to the default at exec, so they get the default back.
signal.signal(signal.SIGINT, signal.default_int_handler)

# Seconds a single test may take before it is failed; generous on purpose
# (slow CI machines, sanitizers): this bounds hangs, it does not judge speed.
TEST_TIMEOUT = 120


class Skip(Exception):
    """Raise inside a test to report it as skipped, with the reason."""


class Timeout(Exception):
    """A test ran past TEST_TIMEOUT."""


def test(fn):
    """Decorator: register fn as one test point, named after the function."""
    _tests.append(fn)
    return fn


def diag(text):
    """Print text as TAP diagnostics (one '# ' line per line)."""
    for line in str(text).splitlines() or [""]:
        print("# " + line, flush=True)


def eq(got, want, what="value"):
    """Assert got == want, with both shown on failure."""
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def check(cond, what, detail=None):
    """Assert cond; what names the property, detail explains a failure."""
    if not cond:
        raise AssertionError(what if detail is None else "%s: %s" % (what, detail))


@contextlib.contextmanager
def raises(error, what):
    """with tap.raises(SomeError, "what"): the block must raise SomeError."""
    try:
        yield
    except error:
        return
    raise AssertionError("%s: %s was not raised" % (what, error.__name__))


def skip_all(reason):
    """Skip the whole file (e.g. a missing optional tool) and exit."""
    print("1..0 # SKIP " + reason, flush=True)
    sys.exit(0)


def _on_alarm(signum, frame):
    raise Timeout("test did not finish within %d s" % TEST_TIMEOUT)


def _run_one(number, fn):
    name = fn.__name__.replace("_", " ")
    signal.alarm(TEST_TIMEOUT)
    try:
        fn()
    except Skip as e:
        print("ok %d - %s # SKIP %s" % (number, name, e), flush=True)
        return True
    except Exception as e:  # pylint: disable=broad-except
        print("not ok %d - %s" % (number, name), flush=True)
        diag("".join(traceback.format_exception(type(e), e, e.__traceback__)).rstrip())
        return False
    finally:
        signal.alarm(0)
    print("ok %d - %s" % (number, name), flush=True)
    return True


def run(tests):
    """Print the plan, run each test as one point; return the failure count."""
    signal.signal(signal.SIGALRM, _on_alarm)
    print("1..%d" % len(tests), flush=True)
    failed = 0
    for number, fn in enumerate(tests, 1):
        if not _run_one(number, fn):
            failed += 1
    return failed


def main():
    """Run every test registered with @tap.test (or, when the command line
    names some, those whose name contains one of them); exit 1 if any failed."""
    wanted = sys.argv[1:]
    tests = [t for t in _tests if not wanted or any(w in t.__name__ for w in wanted)]
    sys.exit(1 if run(tests) else 0)
