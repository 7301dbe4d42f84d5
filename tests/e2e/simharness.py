# SPDX-License-Identifier: MIT
"""simharness.py: run lsc-sim for a test (python3 stdlib only).

    from simharness import Sim, Line

    with Sim("--group", "8:200") as sim:         # temp dir, link, log, control
        with Line(sim.link, sim.baud) as line:  # a plain client of the pty
            line.write(bytes.fromhex("55 55 05 06 08 01 00"))
            echo = line.read(7)
        sim.wait_for("tx", bytes.fromhex("55 55 05 08 08 01 00"))
        sim.command("battery off")              # "ok ..." -> text; error -> SimError
        print(sim.state()["running"])

The binary is $LSC_SIM, else $top_builddir/sim/lsc-sim, else lsc-sim
from $PATH. Every wait has a timeout (seconds) and raises TimeoutError with
what was seen; nothing here asserts on elapsed time.
"""

import collections
import os
import select
import shutil
import socket
import subprocess
import tempfile
import termios
import time

from program import Program

# Kinds whose details are bytes in hex, and those whose detail is a count.
HEX_KINDS = ("rx", "tx", "beep", "tx-raw", "tx-garbage")
INT_KINDS = ("discard",)

DEFAULT_TIMEOUT = 10.0

Record = collections.namedtuple("Record", "t kind data line")
Record.__doc__ = """One log line: t (float, CLOCK_MONOTONIC seconds), kind ("rx",
"tx", "beep", "discard", "note", "plug", "unplug", "replug", ...), data
(bytes for HEX_KINDS, int for "discard", the rest of the line as str or None
otherwise) and the raw line."""


class SimError(Exception):
    """lsc-sim failed to start, exited, or answered "error ..."."""


def hexbytes(text):
    """'55 55 02 07' -> b'\\x55\\x55\\x02\\x07'."""
    return bytes.fromhex(text)


def sim_binary():
    """Path of the lsc-sim to test."""
    if os.environ.get("LSC_SIM"):
        return os.environ["LSC_SIM"]
    top = os.environ.get("top_builddir")
    if top and os.path.exists(os.path.join(top, "sim", "lsc-sim")):
        return os.path.join(top, "sim", "lsc-sim")
    found = shutil.which("lsc-sim")
    if not found:
        raise SimError("lsc-sim not found: set LSC_SIM or top_builddir")
    return found


# With LSCD_TEST_VALGRIND=1 (build-aux/test-all's valgrind step) every
# lsc-sim runs under memcheck; errors and leaks make it exit with this status.
VALGRIND_STATUS = 99


def valgrind_prefix():
    """The valgrind command line to run programs under, or [] when off."""
    if not os.environ.get("LSCD_TEST_VALGRIND"):
        return []
    return ["valgrind", "--quiet", "--error-exitcode=%d" % VALGRIND_STATUS,
            "--leak-check=full", "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect", "--track-fds=yes"]


def sim_argv(*args, binary=None):
    """The command line that runs lsc-sim with args (under valgrind if on)."""
    return valgrind_prefix() + [binary or sim_binary()] + list(args)


def parse_log_line(line):
    """A Record from one log line, or None for a line that is not one."""
    parts = line.rstrip("\n").split(" ", 2)
    if len(parts) < 2:
        return None
    try:
        t = float(parts[0])
    except ValueError:
        return None
    kind = parts[1]
    rest = parts[2] if len(parts) > 2 else None
    if kind in HEX_KINDS:
        data = bytes.fromhex(rest or "")
    elif kind in INT_KINDS:
        data = int(rest)
    else:
        data = rest
    return Record(t, kind, data, line.rstrip("\n"))


def parse_log(path):
    """Every Record of the log file at path (empty if it does not exist)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except FileNotFoundError:
        return []
    # A line still being written has no newline yet: leave it for later.
    return [r for r in (parse_log_line(l) for l in lines if l.endswith("\n")) if r]


def _matches(record, kind, data):
    if record.kind != kind:
        return False
    if data is None:
        return True
    if callable(data):
        return bool(data(record))
    return record.data == data


class Sim(Program):
    """One lsc-sim process with its link, log and control socket in a
    temporary directory (removed by stop() unless keep=True).

    Attributes: dir, link, log_path, control_path, baud, pts (the current
    /dev/pts/N), proc (the subprocess.Popen), stderr_path.
    """

    NAME = "lsc-sim"
    ERROR = SimError

    def __init__(self, *args, baud=9600, directory=None, keep=False, binary=None):
        self.args = list(args)
        self.baud = baud
        self.keep = keep
        self.binary = binary or sim_binary()
        self._own_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="lsc-sim-")
        self.link = os.path.join(self.dir, "lsc.pty")
        self.log_path = os.path.join(self.dir, "sim.log")
        self.control_path = os.path.join(self.dir, "sim.ctl")
        self.stderr_path = os.path.join(self.dir, "sim.err")
        self.proc = None
        self.pts = None
        self._control = None
        self._control_buf = b""

    # ---- life cycle ----
    def start(self, timeout=DEFAULT_TIMEOUT):
        """Start lsc-sim and wait for its readiness line. Returns self."""
        argv = sim_argv("--link", self.link, "--log", self.log_path,
                        "--control", self.control_path, "--baud", str(self.baud),
                        *self.args, binary=self.binary)
        if valgrind_prefix():
            timeout *= 5
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err,
                                         stdin=subprocess.DEVNULL)
        line = self._readline_stdout(timeout)
        prefix = "lsc-sim: %s -> " % self.link
        if not line.startswith(prefix):
            raise SimError("unexpected readiness line %r" % line)
        self.pts = line[len(prefix):].strip()
        return self

    def _readline_stdout(self, timeout):
        deadline = time.monotonic() + timeout
        buf = b""
        fd = self.proc.stdout.fileno()
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise SimError("lsc-sim not ready within %.1f s: %s" % (timeout, self.stderr()))
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                code = self.proc.wait()
                raise SimError("lsc-sim exited with %d before ready: %s" % (code, self.stderr()))
            buf += chunk
        return buf.decode()

    def stop(self, timeout=DEFAULT_TIMEOUT, check=True):
        """SIGTERM, wait, clean up. Returns the exit status (None if not
        started). With check, an exit status other than 0 (e.g. a sanitizer
        report) raises SimError with lsc-sim's stderr."""
        code = None
        if self._control:
            self._control.close()
            self._control = None
        if self.proc:
            try:
                code, _ = self.terminate(timeout)
            finally:
                self.proc.stdout.close()
        err = self.stderr()
        if self._own_dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        if check and code:
            raise SimError("lsc-sim exited with %d: %s" % (code, err))
        return code

    def line(self):
        """A Line (plain client) on the link at the sim's baud rate."""
        return Line(self.link, self.baud)

    # ---- control socket ----
    def command_raw(self, line, timeout=DEFAULT_TIMEOUT):
        """Send one command line; return the reply line (without newline)."""
        if self._control is None:
            self._control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._control.connect(self.control_path)
        self._control.settimeout(timeout)
        self._control.sendall(line.encode() + b"\n")
        while b"\n" not in self._control_buf:
            chunk = self._control.recv(65536)
            if not chunk:
                raise SimError("control socket closed after %r" % line)
            self._control_buf += chunk
        reply, self._control_buf = self._control_buf.split(b"\n", 1)
        return reply.decode()

    def command(self, line, timeout=DEFAULT_TIMEOUT):
        """Send a command; return the text after "ok" (maybe ""), or raise
        SimError with the message of an "error ..." reply."""
        reply = self.command_raw(line, timeout)
        if reply == "ok" or reply.startswith("ok "):
            return reply[3:]
        if reply.startswith("error "):
            raise SimError(reply[6:])
        raise SimError("malformed reply %r to %r" % (reply, line))

    def state(self):
        """The "state" reply as a dict: running (int or None), runs (int),
        now (float, CLOCK_MONOTONIC seconds when the state was taken),
        servos {id: target}, positions {id: position at now}, arrivals
        {id: CLOCK_REALTIME seconds, the clock of lscd's event timestamps},
        arrivals_mono {id: CLOCK_MONOTONIC seconds, the clock of the log}
        (None where unknown), speeds {group: percent}, battery ("on"/"off"),
        battery_mv (int), pty (str)."""
        fields = dict(kv.split("=", 1) for kv in self.command("state").split())
        out = dict(fields)
        out["running"] = None if fields["running"] == "none" else int(fields["running"])
        out["runs"] = int(fields["runs"])
        out["now"] = float(fields["now"])
        out["battery_mv"] = int(fields["battery_mv"])
        for name, conv in (("servos", int), ("positions", int), ("arrivals", float),
                           ("arrivals_mono", float)):
            out[name] = {int(k): None if v == "-" else conv(v) for k, v in
                         (p.split(":") for p in fields[name].split(","))}
        out["speeds"] = {} if fields["speeds"] == "none" else {
            int(k): int(v) for k, v in (p.split(":") for p in fields["speeds"].split(","))}
        return out

    def positions(self):
        """{servo id: position now, or None when unknown}."""
        return self.state()["positions"]

    def arrivals(self, monotonic=False):
        """{servo id: when it reached or will reach its target, or None when
        its target is unknown}: the arrival of the move frame's last byte
        plus the frame's time. CLOCK_REALTIME seconds, as lscd's event
        timestamps; with monotonic, CLOCK_MONOTONIC seconds, as the log."""
        return self.state()["arrivals_mono" if monotonic else "arrivals"]

    def last_arrival(self, ids, monotonic=False):
        """When the last of these servos reached or will reach its target
        (see arrivals()); None if any target is unknown."""
        arrivals = self.arrivals(monotonic)
        times = [arrivals[i] for i in ids]
        return None if None in times else max(times)

    def unplug(self):
        """Close the pty and remove the link."""
        self.command("unplug")
        self.pts = None

    def replug(self):
        """A new pty behind the same link; returns its /dev/pts/N."""
        self.pts = self.command("replug")
        return self.pts

    # ---- log ----
    def records(self, kind=None):
        """Every log Record so far (of one kind if given)."""
        return [r for r in parse_log(self.log_path) if kind is None or r.kind == kind]

    def mark(self):
        """The number of log records so far: pass as since= to wait for
        something that happens after this point."""
        return len(self.records())

    def wait_until(self, predicate, what, timeout=DEFAULT_TIMEOUT):
        """Poll the log until predicate(records) returns something true;
        return it. Raises TimeoutError (what, and the last lines seen), or
        SimError if lsc-sim exits meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            records = self.records()
            result = predicate(records)
            if result:
                return result
            if self.proc.poll() is not None:
                raise SimError("lsc-sim exited with %d: %s" % (self.proc.returncode,
                                                             self.stderr()))
            if time.monotonic() >= deadline:
                seen = "\n".join(r.line for r in records[-20:]) or "(nothing)"
                raise TimeoutError("%s: not within %.1f s; last log lines:\n%s"
                                   % (what, timeout, seen))
            time.sleep(0.01)

    def wait_for(self, kind, data=None, since=0, timeout=DEFAULT_TIMEOUT):
        """The first Record of this kind at index >= since whose data equals
        data (or for which data(record) is true, if callable; any if None)."""
        return self.wait_until(
            lambda records: next((r for r in records[since:] if _matches(r, kind, data)), None),
            "log line %s %r after #%d" % (kind, data, since), timeout)

    def wait_count(self, kind, count, since=0, timeout=DEFAULT_TIMEOUT):
        """Wait until at least count records of kind exist at index >= since;
        return them all."""
        def enough(records):
            found = [r for r in records[since:] if r.kind == kind]
            return found if len(found) >= count else None
        return self.wait_until(enough, "%d %s log lines after #%d" % (count, kind, since),
                               timeout)

    def byte_time(self, n=1):
        """Seconds n bytes take on the wire (10 bit times each)."""
        return 10.0 * n / self.baud


class Line:
    """A plain client of a serial device (the sim's link): raw 8N1 at baud,
    non-blocking. read() waits with a timeout; write() writes everything."""

    def __init__(self, path, baud=9600):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
        attrs = termios.tcgetattr(self.fd)
        speed = getattr(termios, "B%d" % baud)
        attrs[0] = 0                                            # iflag
        attrs[1] = 0                                            # oflag
        attrs[2] = termios.CS8 | termios.CREAD | termios.CLOCAL  # cflag: 8N1
        attrs[3] = 0                                            # lflag
        attrs[4] = attrs[5] = speed
        attrs[6][termios.VMIN] = 1
        attrs[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        termios.tcflush(self.fd, termios.TCIOFLUSH)

    def write(self, data, timeout=DEFAULT_TIMEOUT):
        """Write all of data."""
        view = memoryview(data)
        deadline = time.monotonic() + timeout
        while view:
            _, ready, _ = select.select([], [self.fd], [], max(0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("line write stuck with %d bytes left" % len(view))
            view = view[os.write(self.fd, view):]

    def read(self, n, timeout=DEFAULT_TIMEOUT):
        """Exactly n bytes; TimeoutError (with what came) if they do not."""
        out = b""
        deadline = time.monotonic() + timeout
        while len(out) < n:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0, left))
            if not ready:
                raise TimeoutError("read %d of %d bytes: %s" % (len(out), n, out.hex(" ")))
            out += os.read(self.fd, n - len(out))
        return out

    def read_for(self, seconds):
        """Everything that arrives within seconds (for "nothing came" checks,
        prefer following the request with one that must be answered)."""
        out = b""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                out += os.read(self.fd, 4096)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
