# SPDX-License-Identifier: MIT
"""stopbench.py: emergency stop at the physical limit (issue 18). STOP
latency with 1,000 moves queued and the idle request-to-wire overhead, on an
idle machine and beside a busy one, through lscd at normal priority, lscd
real-time (--realtime) and socat, on the same simulator.

The busy machine: two CPU hogs and a parallel build of lscd in a loop (the
disk-heavy process), in a scratch build directory of its own.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import time

import benchlib
import seqbench
import wirebench
from benchlib import FRAME_STOP

QUEUED = 1000
# SCHED_FIFO priority of the real-time lscd: the one the units ship.
REALTIME = 10
# The bench's own, while it sends and times: below lscd's and the
# simulator's, above the hogs, so that a figure is the path's, not the
# time this client waited for a CPU between reading the clock and sending.
CLIENT_REALTIME = 5


@contextlib.contextmanager
def realtime_client():
    """This process SCHED_FIFO CLIENT_REALTIME while the block runs, where
    allowed, its children not; yields whether it is."""
    # Reset on fork: lscd, the hogs and the build must not inherit it (two
    # real-time hogs would starve the machine).
    policy = os.SCHED_FIFO | os.SCHED_RESET_ON_FORK
    try:
        os.sched_setscheduler(0, policy, os.sched_param(CLIENT_REALTIME))
    except PermissionError:
        yield False
        return
    try:
        yield True
    finally:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))


@contextlib.contextmanager
def build_loop(top, scratch):
    """make -j2 of lscd, cleaned and started again, until the block ends.
    The scratch directory is configured once and kept for later runs."""
    if not os.path.exists(os.path.join(scratch, "Makefile")):
        os.makedirs(scratch, exist_ok=True)
        subprocess.run([os.path.join(top, "configure"), "-q"], cwd=scratch, check=True,
                       stdout=subprocess.DEVNULL)
    loop = subprocess.Popen(
        ["sh", "-c", "while :; do make -s clean; make -s -j2 lscd; done"], cwd=scratch,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(2)
        yield
    finally:
        os.killpg(loop.pid, 9)
        loop.wait()


@contextlib.contextmanager
def busy(top, scratch, loaded):
    """The machine as the rows need it: as it is, or with the hogs."""
    if not loaded:
        yield
        return
    with build_loop(top, scratch), seqbench.cpu_hogs(2):
        yield


def stop_idle_line(path, tail, runs):
    """Milliseconds from sending a STOP on an idle line to its last byte in
    the log: the path's own floor (the STOP takes 4.17 ms at 9600 baud)."""
    out = []
    for _ in range(runs):
        tail.skip()
        t0 = time.monotonic()
        path.send_stop()
        rx = tail.wait_rx(FRAME_STOP)
        out.append((rx.t - t0) * 1000)
        time.sleep(wirebench.IDLE_GAP)
    return out


def measure(path, tail, runs, socat_runs):
    """{"stop": [(ms, moves ahead)], "idle": [ms], "frame_ms": x, "floor": [ms]}."""
    n = socat_runs if path.name == "socat" else runs
    out = {"stop": wirebench.stop_latency(path, tail, QUEUED, n)}
    out["idle"], out["frame_ms"] = wirebench.request_to_wire(path, tail, runs, 9600)
    if path.name == "socat":
        out["floor"] = stop_idle_line(path, tail, runs)
    return out
