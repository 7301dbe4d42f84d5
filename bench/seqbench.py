# SPDX-License-Identifier: MIT
"""seqbench.py: sequence timing accuracy, read from the simulator's log.

The same motion (STEPS moves of one servo, each to a new position in one
step's time) is played three ways, one after the other, on the same lsc-sim
and lscd:
  - lscd: one sequence.run of inline steps with "at", lscd's own schedule;
  - python: a Python client loop that sleeps (time.sleep) until each step's
    time and sends the move, waiting for its answer (once written);
  - c: bench/seqpeer, liblsc and clock_nanosleep(TIMER_ABSTIME) to each
    step's time, then the move, waiting for its answer.
All three count each step's time from the same kind of start, a moment
chosen half a second ahead once the player is connected (and seqpeer
started): step i is due at start + i * step, so none of them accumulates
lateness. A step's error is its frame's start on the wire
(the rx time the simulator logged, CLOCK_MONOTONIC, minus the frame's own
wire time) minus that due time.

Beside them, bench/timerfloor sleeps to the same due times and does
nothing else: how late the kernel wakes a process on this machine, at
normal priority and at lscd --realtime's, the floor no player can beat.

lscd takes "at" as a wall-clock time: the start is sent as CLOCK_REALTIME,
converted with the offset between the two clocks read back to back. lscd
counts the steps from that time; its first step pays how late the timer
fired and the planning of the 200 steps (their text was read when the
request arrived).
"""

import contextlib
import os
import subprocess
import sys
import time

import benchlib
from benchlib import frame_move

SERVO = 1
# (baud, step in ms): a frame of one servo takes 0.87 ms at 115200 baud,
# 10.4 ms at 9600.
CASES = ((115200, 20), (9600, 100))
# The players' time to connect and prepare before the first step.
LEAD = 0.5
PLAYERS = ("lscd", "python", "c")
HOGS = 2


def realtime_offset():
    """CLOCK_REALTIME - CLOCK_MONOTONIC in seconds, from the closest of a
    few pairs of readings."""
    best = None
    for _ in range(20):
        r1 = time.clock_gettime_ns(time.CLOCK_REALTIME)
        m = time.monotonic_ns()
        r2 = time.clock_gettime_ns(time.CLOCK_REALTIME)
        if best is None or r2 - r1 < best[0]:
            best = (r2 - r1, (r1 + r2) // 2 - m)
    return best[1] / 1e9


# Each player connects, then plays with the start it is given: LEAD
# seconds after it is ready. Returns that start (CLOCK_MONOTONIC, s).

def play_lscd(lscd, _seqpeer, positions, step_ms):
    steps = [{"servos": {str(SERVO): p}, "time_ms": step_ms} for p in positions]
    with lscd.client() as c:
        start = time.monotonic() + LEAD
        c.ok("sequence.run", steps=steps, at=round(start + realtime_offset(), 6))
    return start


def play_python(lscd, _seqpeer, positions, step_ms):
    with lscd.client() as c:
        start = time.monotonic() + LEAD
        for i, p in enumerate(positions):
            delay = start + i * step_ms / 1000.0 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            c.ok("move", servos=[{"id": SERVO, "position": p}], time_ms=step_ms)
    return start


def play_c(lscd, seqpeer, positions, step_ms):
    argv = [seqpeer, lscd.socket_path, str(step_ms), str(SERVO)] + [str(p) for p in positions]
    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as peer:
        ready = peer.stdout.readline()
        start = time.monotonic() + LEAD
        if ready == "ready\n":
            peer.stdin.write("%d\n" % int(start * 1e9))
            peer.stdin.flush()
        _, err = peer.communicate(timeout=benchlib.TIMEOUT + len(positions) * step_ms / 1000.0)
    if ready != "ready\n" or peer.returncode != 0:
        raise RuntimeError("seqpeer: %s" % err.strip())
    return start


PLAY = {"lscd": play_lscd, "python": play_python, "c": play_c}


def step_errors(player, lscd, seqpeer, tail, baud, step_ms, positions):
    """Milliseconds from each step's due time to its frame's start on the
    wire, for one play of the motion by player."""
    tail.skip()
    start = PLAY[player](lscd, seqpeer, positions, step_ms)
    # lscd's play returns at once: the log is read after the motion, so that
    # no polling of ours runs beside any player's steps.
    time.sleep(max(0.0, start + len(positions) * step_ms / 1000.0 - time.monotonic()))
    rx = tail.collect_rx(len(positions), timeout=benchlib.TIMEOUT)
    want = [frame_move(SERVO, p, step_ms) for p in positions]
    if [r.data for r in rx] != want:
        raise RuntimeError("%s: the frames on the wire are not the motion's" % player)
    wire = benchlib.wire_time(len(want[0]), baud)
    return [(r.t - wire - (start + i * step_ms / 1000.0)) * 1000.0 for i, r in enumerate(rx)]


@contextlib.contextmanager
def cpu_hogs(n=HOGS):
    """n busy processes (python3 -c 'while 1: pass') while the block runs."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(n)]
    try:
        time.sleep(0.5)
        yield
    finally:
        for h in hogs:
            h.kill()
        for h in hogs:
            h.wait()


def timing(lscd, seqpeer, tail, baud, step_ms, steps, loaded, players=PLAYERS):
    """{player: [error ms per step]} for the players in turn, and the
    1-minute load average before them (and before the hogs: a minute's
    average would not show them yet); with loaded, beside CPU hogs."""
    out = {}
    load = benchlib.loadavg()
    with cpu_hogs() if loaded else contextlib.nullcontext():
        for player in players:
            n = PLAYERS.index(player)
            # Positions of their own, so that each play's frames tell apart.
            positions = benchlib.positions(steps, start=n * steps + (1000 if loaded else 0))
            out[player] = step_errors(player, lscd, seqpeer, tail, baud, step_ms, positions)
    return out, load


def seqpeer_path(builddir):
    return os.path.join(builddir, "bench", "seqpeer")


def timer_floor(builddir, step_ms, steps, priority=None):
    """Milliseconds late of each of STEPS wake-ups of bench/timerfloor, a
    loop that only sleeps to each step's time (SCHED_FIFO PRIORITY when
    given): the machine's own floor under every player's figure."""
    argv = [os.path.join(builddir, "bench", "timerfloor"), str(step_ms * 1000), str(steps)]
    if priority:
        argv.append(str(priority))
    out = subprocess.run(argv, capture_output=True, text=True, check=True,
                         timeout=benchlib.TIMEOUT + steps * step_ms / 1000.0)
    return [int(line) / 1000.0 for line in out.stdout.split()]
