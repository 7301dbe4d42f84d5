# SPDX-License-Identifier: MIT
"""benchlib.py: the pieces every lscd benchmark uses (python3 stdlib only).

Processes come from the test harnesses (tests/e2e/simharness.py for lsc-sim,
tests/e2e/lscdharness.py for lscd); this module adds what a measurement
needs on top: reading the simulator's log incrementally, raw LSC frames,
socat as a relay, and statistics.

Time base: every timestamp is CLOCK_MONOTONIC in seconds. The simulator logs
it (6 decimals) and python's time.monotonic() reads the same clock, so a
request's send time and its frame's arrival in the log compare directly.
"""

import os
import shutil
import socket
import subprocess
import time

import simharness

# A request the daemon answers only once written may wait for a whole
# queue of moves: generous, never asserted on.
TIMEOUT = 60.0


class Tail:
    """The simulator's log, read incrementally: new() returns the records
    appended since the last call (whole lines only)."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = ""

    def new(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                f.seek(self.offset)
                text = f.read()
                self.offset = f.tell()
        except FileNotFoundError:
            return []
        text = self.partial + text
        lines = text.split("\n")
        self.partial = lines.pop()
        return [r for r in map(simharness.parse_log_line, lines) if r]

    def skip(self):
        """Forget everything logged so far."""
        self.new()

    def wait(self, predicate, what, timeout=TIMEOUT):
        """Read on until predicate(record) holds for a new record; return it.
        The polling interval does not matter: the record carries its time."""
        return self.until(predicate, what, timeout)[1]

    def until(self, predicate, what, timeout=TIMEOUT):
        """Like wait(), but returns (the records before the match, the
        match); records after it in the same read are dropped."""
        before = []
        deadline = time.monotonic() + timeout
        while True:
            for r in self.new():
                if predicate(r):
                    return before, r
                before.append(r)
            if time.monotonic() > deadline:
                raise TimeoutError("%s: not in the simulator's log within %.0f s" % (what, timeout))
            time.sleep(0.001)

    def wait_rx(self, frame, timeout=TIMEOUT):
        """The next rx record of exactly this frame."""
        return self.wait(lambda r: r.kind == "rx" and r.data == frame,
                         "rx %s" % frame.hex(" "), timeout)

    def until_rx(self, frame, timeout=TIMEOUT):
        """(the rx records before, the next rx record of exactly this frame)."""
        before, match = self.until(lambda r: r.kind == "rx" and r.data == frame,
                                   "rx %s" % frame.hex(" "), timeout)
        return [r for r in before if r.kind == "rx"], match

    def collect_rx(self, count, timeout=TIMEOUT):
        """The next count rx records."""
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            out += [r for r in self.new() if r.kind == "rx"]
            if time.monotonic() > deadline:
                raise TimeoutError("%d of %d frames in the simulator's log" % (len(out), count))
            time.sleep(0.005)
        return out[:count]


# ---- raw frames (the protocol reference, section "host -> board") ----

def frame_move(servo, position, time_ms=0):
    """SERVO_MOVE of one servo: 10 bytes."""
    params = [1, time_ms & 0xFF, time_ms >> 8, servo, position & 0xFF, position >> 8]
    return bytes([0x55, 0x55, len(params) + 2, 0x03] + params)


FRAME_STOP = bytes([0x55, 0x55, 0x02, 0x07])


def move_args(servo, position):
    """The JSON arguments of a move request equivalent to frame_move()."""
    return {"servos": [{"id": servo, "position": position}], "time_ms": 0}


def positions(n, start=0):
    """n servo positions in 500..2499, distinct for n <= 2000, so that
    frames tell apart in the log."""
    return [500 + (start + i) % 2000 for i in range(n)]


def wire_time(nbytes, baud):
    """Seconds nbytes take on an 8N1 line."""
    return 10.0 * nbytes / baud


# ---- processes ----

class Socat:
    """socat relaying a Unix socket to the simulator's pty, as a user would
    without lscd: every byte a client writes goes straight to the line."""

    def __init__(self, pts, baud, directory):
        self.path = os.path.join(directory, "socat.sock")
        binary = shutil.which("socat")
        if not binary:
            raise RuntimeError("socat not found (Debian package socat; build-aux/deps)")
        self.argv = [binary, "UNIX-LISTEN:%s,fork" % self.path,
                     "OPEN:%s,rawer,b%d,cs8,clocal=1,nonblock=0" % (pts, baud)]
        self.proc = None
        self.socks = []

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("socat did not start: %s" % self.proc.stderr.read().decode())
            time.sleep(0.01)
        return self

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        self.socks.append(s)
        return s

    def __exit__(self, *exc):
        for s in self.socks:
            s.close()
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(10)
        self.proc.stderr.close()


def proc_status(pid, *fields):
    """The integer values of fields of /proc/PID/status (kB for Vm*)."""
    out = {}
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in fields:
                out[key] = int(value.split()[0])
    return out


def loadavg():
    """The 1-minute load average."""
    with open("/proc/loadavg", encoding="ascii") as f:
        return float(f.read().split()[0])


# ---- statistics ----

def percentile(values, p):
    """Nearest-rank percentile p (0..100) of values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def median(values):
    return percentile(values, 50)
