# SPDX-License-Identifier: MIT
"""wirebench.py: the figures read from the simulator's receive log, each
measured through lscd and through socat on the same simulator.

Every function takes a Path (an lscd client, or a socket to socat) and a
Tail of the simulator's log, and returns plain numbers (milliseconds or a
ratio); bench.py turns them into the table.
"""

import json
import time

import benchlib
from benchlib import FRAME_STOP, frame_move, move_args, positions

# How long an idle line is left alone before the next request-to-wire
# sample, so that nothing of the previous one is still in flight.
IDLE_GAP = 0.02


def wait_connected(client):
    """Wait until lscd has opened the device."""
    deadline = time.monotonic() + benchlib.TIMEOUT
    while not client.ok("status")["device"]["connected"]:
        if time.monotonic() > deadline:
            raise TimeoutError("lscd did not open the simulator's pty")
        time.sleep(0.01)


class LscdPath:
    """lscd as the way to the wire: JSON requests from lscdharness clients.
    Moves come from one client, STOP (group.stop) from another."""

    name = "lscd"

    def __init__(self, lscd):
        self.lscd = lscd
        self.mover = lscd.client()
        self.controller = lscd.client()

    def send_moves(self, frames_args):
        """Queue one move request per (servo, position) without waiting."""
        self.mover.send_raw(b"".join(
            (json.dumps(dict({"cmd": "move", "id": "m%d" % i}, **move_args(*sp))) + "\n").encode()
            for i, sp in enumerate(frames_args)))
        return len(frames_args)

    def wait_queued(self, count):
        """Wait until lscd holds at least count frames not yet written."""
        deadline = time.monotonic() + benchlib.TIMEOUT
        while self.controller.ok("status")["queue"] < count:
            if time.monotonic() > deadline:
                raise TimeoutError("lscd never held %d frames" % count)
            time.sleep(0.001)

    def send_stop(self):
        return self.controller.send_request("group.stop")

    def collect(self, moves, accept=("ok",)):
        """Wait for the answers to the last moves sent: success, or an error
        whose code is in accept."""
        for i in range(moves):
            r = self.mover.response("m%d" % i, timeout=benchlib.TIMEOUT)
            if not r["ok"] and r["error"]["code"] not in accept:
                raise RuntimeError("lscd: move failed: %r" % r)

    def finish(self, moves, stop_id):
        """Drop what is still queued (halt) and collect every answer."""
        self.controller.response(stop_id, timeout=benchlib.TIMEOUT)
        self.controller.ok("halt", timeout=benchlib.TIMEOUT)
        self.collect(moves, accept=("halted",))


class SocatPath:
    """socat as the way to the wire: raw frames written to its socket, all
    at once, as a program without lscd would."""

    name = "socat"

    def __init__(self, socat):
        self.sock = socat.connect()

    def send_moves(self, frames_args):
        self.sock.sendall(b"".join(frame_move(*sp) for sp in frames_args))
        return len(frames_args)

    def wait_queued(self, count):
        """Everything sent is already on its way to the line: nothing to do."""

    def send_stop(self):
        self.sock.sendall(FRAME_STOP)

    def collect(self, moves):
        """Nothing answers raw frames."""

    def finish(self, moves, stop_id):
        """Nothing to drop: the STOP was the last thing sent."""


def stop_latency(path, tail, queued, runs):
    """Per run, with at least queued moves waiting: (milliseconds from
    sending the stop request to the STOP frame's last byte in the
    simulator's log, how many frames reached the line after the request and
    before the STOP)."""
    out = []
    for _ in range(runs):
        # A fifth more than queued: on a busy machine lscd may take a
        # while to read them all, and the line drains 96 moves a second.
        moves = path.send_moves([(1, p) for p in positions(queued + queued // 5)])
        path.wait_queued(queued)
        tail.skip()
        t0 = time.monotonic()
        stop_id = path.send_stop()
        before, stop = tail.until_rx(FRAME_STOP, timeout=benchlib.TIMEOUT + queued * 0.02)
        out.append(((stop.t - t0) * 1000, sum(1 for r in before if r.t > t0)))
        path.finish(moves, stop_id)
        time.sleep(IDLE_GAP)
    return out


def request_to_wire(path, tail, samples, baud):
    """Milliseconds from sending one move on an idle line to its frame's last
    byte in the log, per sample; and the frame's own wire time."""
    out = []
    for i, pos in enumerate(positions(samples, 500)):
        tail.skip()
        t0 = time.monotonic()
        path.send_moves([(2, pos)])
        rx = tail.wait_rx(frame_move(2, pos))
        out.append((rx.t - t0) * 1000)
        path.collect(1)
        time.sleep(IDLE_GAP + (i % 10) * 0.001)
    return out, benchlib.wire_time(len(frame_move(2, 0)), baud) * 1000


def utilisation(path, tail, frames, baud):
    """Bytes on the wire / line capacity while frames moves are written as
    fast as the path allows, from the first frame's last byte to the last
    frame's (the first frame's own bytes are outside that window)."""
    tail.skip()
    wanted = positions(frames, 1000)
    moves = path.send_moves([(3, p) for p in wanted])
    rx = tail.collect_rx(frames, timeout=benchlib.TIMEOUT + frames * 0.02)
    if [r.data for r in rx] != [frame_move(3, p) for p in wanted]:
        raise RuntimeError("%s: the frames on the wire are not the ones sent" % path.name)
    path.collect(moves)
    carried = sum(len(r.data) for r in rx[1:])
    return carried / ((rx[-1].t - rx[0].t) * baud / 10.0)
