# SPDX-License-Identifier: MIT
"""lscdharness.py: run lscd for a test, and talk to it (python3 stdlib only).

    from simharness import Sim
    from lscdharness import Lscd

    with Sim("--group", "8:200") as sim, Lscd(sim.link) as lscd:
        with lscd.client() as c:                     # hello already read
            c.subscribe()
            r = c.request("group.run", group=8, wait=True)
            assert r["ok"] and r["completed"]
            ev = c.wait_event("group.completed")

lscd runs in the foreground on a private socket in a temporary directory
(removed by stop()), with --log-level debug and its stderr kept in a file.
Each Lscd has its own --lock-dir there too, so that tests never refuse one
another's lscd; pass lock_dir to share one.
The binary is $LSCD, else $top_builddir/lscd, else lscd from $PATH.
Every wait has a timeout (seconds) and raises TimeoutError naming what was
seen; nothing here asserts on elapsed time.

stop() fails (LscdError) when lscd exits other than with status 0 after its
SIGTERM, or when its stderr holds a sanitizer report. With
LSCD_TEST_VALGRIND=1 lscd runs under valgrind memcheck (VALGRIND_ARGS), and
stop() also fails on any memcheck error, any leaked block, or any file
descriptor other than stdin/stdout/stderr still open at exit.
"""

import contextlib
import glob
import itertools
import json
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time

from program import Program

DEFAULT_TIMEOUT = 10.0

# Under valgrind: errors and leaks of every kind exit with VALGRIND_STATUS;
# timeouts for start and stop are multiplied by VALGRIND_SLOWDOWN.
VALGRIND_STATUS = 99
VALGRIND_SLOWDOWN = 5
VALGRIND_ARGS = ["valgrind", "--error-exitcode=%d" % VALGRIND_STATUS, "--leak-check=full",
                 "--show-leak-kinds=all", "--errors-for-leak-kinds=all", "--track-fds=yes"]

# What UBSan, AddressSanitizer and LeakSanitizer print when they find something.
SANITIZER_REPORTS = ("runtime error", "Sanitizer")


def valgrind_on():
    """Whether lscd runs under valgrind (LSCD_TEST_VALGRIND=1)."""
    return os.environ.get("LSCD_TEST_VALGRIND", "") not in ("", "0")


def valgrind_problems(log_path):
    """What a valgrind --track-fds log reports beyond a clean exit: memcheck
    errors (leaks included), and descriptors left open other than 0-2 (which
    it does not list) and its own log. [] when clean."""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    problems = []
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    if not summary:
        problems.append("no ERROR SUMMARY (valgrind killed?)")
    elif summary.group(1) != "0":
        problems.append("%s memcheck errors (leaks included)" % summary.group(1))
    if not re.search(r"FILE DESCRIPTORS: \d+ open", text):
        problems.append("no FILE DESCRIPTORS report")
    for m in re.finditer(r"Open [^\n]*?(?:descriptor|socket) (\d+):([^\n]*)", text):
        if m.group(2).strip() != log_path:
            problems.append("fd %s left open:%s" % (m.group(1), m.group(2)))
    return ["%s: %s" % (os.path.basename(log_path), p) for p in problems]


def exit_problems(code, terminated, log, valgrind_log):
    """What is wrong with how a program ended, as text ([] when nothing): a
    status other than 0 after our SIGTERM, a sanitizer report in its LOG,
    and under valgrind an error, a leak or an fd left open (its logs match
    VALGRIND_LOG, with %p for the pid)."""
    problems = []
    if terminated and code != 0:
        problems.append("exited with %d after SIGTERM" % code)
    if any(report in log for report in SANITIZER_REPORTS):
        problems.append("a sanitizer report on stderr")
    if valgrind_on():
        logs = sorted(glob.glob(valgrind_log.replace("%p", "*")))
        problems += [p for path in logs for p in valgrind_problems(path)]
        if not logs:
            problems.append("no valgrind log")
        if problems:
            problems += [open(path, encoding="utf-8", errors="replace").read()[-6000:]
                         for path in logs]
    if problems:
        problems.append("stderr:\n" + log[-4000:])
    return problems


class LscdError(Exception):
    """lscd failed to start, or exited."""


def lscd_binary():
    """Path of the lscd to test."""
    if os.environ.get("LSCD"):
        return os.environ["LSCD"]
    top = os.environ.get("top_builddir")
    if top and os.path.exists(os.path.join(top, "lscd")):
        return os.path.join(top, "lscd")
    found = shutil.which("lscd")
    if not found:
        raise LscdError("lscd not found: set LSCD or top_builddir")
    return found


def wait_until(predicate, what, timeout=DEFAULT_TIMEOUT, interval=0.01):
    """Poll predicate() until it returns a true value (returned); raise
    TimeoutError naming what after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError("%s: not within %.1f s" % (what, timeout))
        time.sleep(interval)


class Lscd(Program):
    """One lscd process on DEVICE with its socket in a temporary directory.

    Attributes: dir, socket_path, lock_dir, stderr_path, proc, argv.
    prefix: words put before the lscd command (e.g. systemd-socket-activate).
    env: extra environment variables. wait: how start() knows lscd is up:
    "socket" (connectable), or None (the caller waits itself).
    """

    NAME = "lscd"
    ERROR = LscdError

    def __init__(self, device, *args, directory=None, socket_path=None, lock_dir=None,
                 prefix=(), env=None, wait="socket", binary=None, log_level="debug",
                 robot=None):
        self._own_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="lscd-")
        # Never the machine's /etc/lscd/robot.yaml or /run/lscd/state.json:
        # the robot file (ROBOT: its text, written now) and the state are
        # the test's own.
        self.robot_path = os.path.join(self.dir, "robot.yaml")
        self.state_path = os.path.join(self.dir, "state.json")
        self.sequence_dir = os.path.join(self.dir, "sequences")
        self.record_dir = os.path.join(self.dir, "recordings")
        if robot is not None:
            self.write_robot(robot)
        self.socket_path = socket_path or os.path.join(self.dir, "run", "lscd.sock")
        self.lock_dir = lock_dir or tempfile.mkdtemp(prefix="lock-", dir=self.dir)
        self.stderr_path = os.path.join(self.dir, "lscd.err")
        self.valgrind_log = os.path.join(self.dir, "valgrind.%p.log")
        wrapper = VALGRIND_ARGS + ["--log-file=" + self.valgrind_log] if valgrind_on() else []
        self.argv = list(prefix) + wrapper + [binary or lscd_binary(), "--device", device,
                                    "--socket", self.socket_path,
                                    "--lock-dir", self.lock_dir,
                                    "--robot", self.robot_path,
                                    "--state", self.state_path,
                                    "--sequences", self.sequence_dir,
                                    "--recordings", self.record_dir,
                                    "--log-level", log_level] + list(args)
        self.env = dict(os.environ, **(env or {}))
        self.wait = wait
        self.proc = None
        self._clients = []

    def write_robot(self, text):
        """Write the robot file (read at start, and by config.reload)."""
        with open(self.robot_path, "w") as f:
            f.write(text)

    # ---- life cycle ----
    def start(self, timeout=DEFAULT_TIMEOUT):
        """Start lscd; with wait="socket" return once its socket accepts."""
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err, env=self.env)
        if self.wait == "socket":
            self.wait_connectable(timeout * (VALGRIND_SLOWDOWN if valgrind_on() else 1))
        return self

    def wait_connectable(self, timeout=DEFAULT_TIMEOUT, path=None):
        """Wait until a connection to the socket (or PATH) succeeds."""
        path = path or self.socket_path

        def up():
            if self.proc.poll() is not None:
                raise LscdError("lscd exited with %d: %s" % (self.proc.returncode,
                                                            self.stderr()))
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(path)
                return True
            except OSError:
                return False
        wait_until(up, "lscd listening on %s" % path, timeout)

    def wait_log(self, text, timeout=DEFAULT_TIMEOUT):
        """Wait until lscd's log contains text."""
        return wait_until(lambda: text in self.stderr(), "lscd log line %r" % text, timeout)

    def signal(self, signum):
        self.proc.send_signal(signum)

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        """The exit status, once lscd exits."""
        if valgrind_on():
            timeout *= VALGRIND_SLOWDOWN
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired as e:
            raise TimeoutError("lscd did not exit within %.1f s" % timeout) from e

    def stop(self, timeout=DEFAULT_TIMEOUT, check=True):
        """SIGTERM, wait, close clients, clean up. Returns the exit status.
        With check, raise LscdError for what _problems() finds."""
        code = None
        terminated = False
        for c in self._clients:
            c.close()
        if valgrind_on():
            timeout *= VALGRIND_SLOWDOWN
        if self.proc:
            code, terminated = self.terminate(timeout)
        problems = self._problems(code, terminated) if self.proc else []
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        if check and problems:
            raise LscdError("lscd: " + "\n".join(problems))
        return code

    def _problems(self, code, terminated):
        return exit_problems(code, terminated, self.stderr(), self.valgrind_log)

    # ---- clients ----
    def client(self, hello=True, timeout=DEFAULT_TIMEOUT):
        """A connected Client (closed by stop()); with hello, its hello event
        has been read into client.hello."""
        c = Client(self.socket_path, hello=hello, timeout=timeout)
        self._clients.append(c)
        return c


class Client:
    """A JSON-lines client of lscd. Lines received are kept in order until
    taken: responses by id (request, response), events by name (wait_event),
    or everything (recv, collect)."""

    _ids = itertools.count(1)

    def __init__(self, path, hello=True, timeout=DEFAULT_TIMEOUT):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self._buf = b""
        self._eof = False
        self.inbox = []
        self.hello = self.recv(timeout) if hello else None
        if hello and self.hello.get("event") != "hello":
            raise AssertionError("first line is not hello: %r" % self.hello)

    # ---- raw I/O ----
    def send_raw(self, data):
        """Send bytes as they are (no newline added)."""
        self.sock.sendall(data)

    def send(self, obj):
        """Send one JSON object as a line."""
        self.send_raw(json.dumps(obj).encode() + b"\n")

    def _fill(self, timeout):
        """Read what is available into lines within timeout; False at EOF."""
        if self._eof:
            return False
        ready, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            self.inbox.append(json.loads(line))
        return True

    def _take(self, match, what, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for i, msg in enumerate(self.inbox):
                if match(msg):
                    return self.inbox.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("%s not received within %.1f s; pending: %r"
                                   % (what, timeout, self.inbox))
            if not self._fill(left):
                for i, msg in enumerate(self.inbox):
                    if match(msg):
                        return self.inbox.pop(i)
                raise EOFError("connection closed before %s; pending: %r" % (what, self.inbox))

    def recv(self, timeout=DEFAULT_TIMEOUT):
        """The next line received (a dict)."""
        return self._take(lambda m: True, "a line", timeout)

    def collect(self, seconds):
        """Everything received within seconds (and what was already kept)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._fill(deadline - time.monotonic()):
            pass
        out, self.inbox = self.inbox, []
        return out

    def closed_by_peer(self, timeout=DEFAULT_TIMEOUT):
        """Wait for EOF from lscd; True if it came (lines before it are kept)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._fill(deadline - time.monotonic()):
                return True
        return False

    # ---- requests and events ----
    def send_request(self, cmd, id=None, **args):
        """Send a request without waiting; returns its id."""
        rid = next(self._ids) if id is None else id
        self.send(dict({"cmd": cmd, "id": rid}, **args))
        return rid

    def response(self, rid, timeout=DEFAULT_TIMEOUT):
        """The response with this id."""
        return self._take(lambda m: "ok" in m and m.get("id") == rid,
                          "response to id %r" % (rid,), timeout)

    def request(self, cmd, timeout=DEFAULT_TIMEOUT, **args):
        """Send a request and return its response."""
        return self.response(self.send_request(cmd, **args), timeout)

    def ok(self, cmd, timeout=DEFAULT_TIMEOUT, **args):
        """request(), asserting success."""
        r = self.request(cmd, timeout, **args)
        if r.get("ok") is not True:
            raise AssertionError("%s failed: %r" % (cmd, r))
        return r

    def subscribe(self, events=None):
        args = {} if events is None else {"events": events}
        return self.ok("subscribe", **args)

    def wait_event(self, name, predicate=None, timeout=DEFAULT_TIMEOUT):
        """The first event NAME (for which predicate(event) is true)."""
        return self._take(lambda m: m.get("event") == name and (predicate is None or
                                                                predicate(m)),
                          "event %s" % name, timeout)

    def events(self, name=None):
        """Take the events kept so far (of one name if given)."""
        taken = [m for m in self.inbox if "event" in m and (name is None or m["event"] == name)]
        self.inbox = [m for m in self.inbox if m not in taken]
        return taken

    def shutdown_write(self):
        """Half-close: lscd sees end of input, may still answer."""
        self.sock.shutdown(socket.SHUT_WR)

    def close(self):
        if self.sock.fileno() >= 0:
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@contextlib.contextmanager
def running(*sim_args, lscd_args=(), robot=None):
    """Start lsc-sim (with sim_args) and lscd on its link (with the robot
    file ROBOT, YAML text, if given); yield (sim, lscd) and stop both, lscd
    first."""
    from simharness import Sim  # pylint: disable=import-outside-toplevel
    with Sim(*sim_args) as sim:
        with Lscd(sim.link, *lscd_args, robot=robot) as lscd:
            yield sim, lscd


# The robot file of the example of lscd-robot(5), for the tests of the model.
ROBOT = """\
# The example of lscd-robot(5).
servos:
  shoulder: {id: 1, min: 700, max: 2300, home: 1500, trim: -20, invert: false, max_speed: 1000}
  elbow:    {id: 2, min: 600, max: 2400, home: 1500, invert: true}
  gripper:  {id: 6, min: 1200, max: 2000}
poses:
  rest: {shoulder: 900, elbow: 2100}
groups:
  wave: 8
  bow: 3
"""


def error_of(response):
    """(code, field) of an error response; AssertionError if it is ok."""
    if response.get("ok") is not False:
        raise AssertionError("expected an error, got %r" % (response,))
    err = response["error"]
    return err["code"], err.get("field")
