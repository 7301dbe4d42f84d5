#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fault injection, the serial line: noise between the board's frames, and
frames that arrive in pieces.

Expected behaviour:
- garbage_between_frames: 40 bursts of 1..200 random non-0x55 bytes (the
  simulator's "garbage"), each followed by a valid board frame (unknown
  command 0x30 with a distinct parameter, or a gamepad START with a
  distinct run count). Every frame becomes its event, in order, and
  status counters grow by exactly the frames sent (frames_in) and the
  garbage bytes sent (bytes_discarded), and bytes_in by both.
- random_bytes_then_clean_boundary: bursts of arbitrary bytes (0x55 and
  partial headers included), each followed by a clean boundary (300 bytes
  without 0x55, longer than any frame) and then a valid frame: every frame
  after a boundary is decoded, lscd never loses a byte in its counters
  (bytes_in grows by everything sent) and keeps serving clients.
- frames_split_at_every_byte_boundary: each of three board frames (COMPLETE,
  battery reply, unknown command) is sent in two pieces for every cut
  point, and once one byte at a time, with a pause (1..25 ms, below the
  50 ms idle gap) between the pieces: every one is decoded exactly once,
  nothing is discarded.
- a_false_header_is_ended_by_a_quiet_line: a false header ("55 55 ff 00",
  whose Length would swallow 253 bytes) and, after a pause longer than the
  idle gap, a STOP, a battery reply and a COMPLETE: all three are reported.
"""

import random
import time

import tap
from lscdharness import running


def raw(sim, data):
    """Have the simulator write data verbatim on the line."""
    sim.command("raw " + data.hex(" ").upper())


def unknown_frame(n):
    """A frame of command 0x30 (not an LSC command) with params n, 0, n+1."""
    return bytes([0x55, 0x55, 5, 0x30, n & 0xFF, 0, (n + 1) & 0xFF])


def counters(client):
    return client.ok("status")["counters"]


@tap.test
def garbage_between_frames():
    rng = random.Random(7)
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["frame.unknown", "group.started"])
        before = counters(c)
        garbage = frame_bytes = 0
        want = []
        for i in range(40):
            n = rng.randint(1, 200)
            sim.command("garbage %d" % n)
            garbage += n
            if i % 4 == 3:
                sim.command("emit run 5 %d" % (100 + i))
                frame_bytes += 7
                want.append(("group.started", 100 + i))
            else:
                frame = unknown_frame(i)
                raw(sim, frame)
                frame_bytes += len(frame)
                want.append(("frame.unknown", frame[4:].hex()))
        got = []
        for _ in want:
            ev = c.recv()
            got.append((ev["event"], ev["runs"] if ev["event"] == "group.started"
                        else ev["params"]))
        tap.eq(got, want, "every frame decoded, in order")
        after = counters(c)
        tap.eq(after["frames_in"] - before["frames_in"], len(want), "frames_in")
        tap.eq(after["bytes_discarded"] - before["bytes_discarded"], garbage,
               "every garbage byte counted as discarded")
        tap.eq(after["bytes_in"] - before["bytes_in"], garbage + frame_bytes, "bytes_in")


@tap.test
def random_bytes_then_clean_boundary():
    rng = random.Random(11)
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["frame.unknown"])
        before = counters(c)
        sent = 0
        for i in range(20):
            noise = bytes(rng.choice((0x55, 0x55, 0, 3, 6, 8, 0x0F, rng.randrange(256)))
                          for _ in range(rng.randint(1, 120)))
            raw(sim, noise)
            sim.command("garbage 300")
            frame = unknown_frame(200 + i)
            raw(sim, frame)
            sent += len(noise) + 300 + len(frame)
            c.wait_event("frame.unknown", lambda ev, f=frame: ev["params"] == f[4:].hex())
        tap.eq(counters(c)["bytes_in"] - before["bytes_in"], sent, "every byte counted in")
        tap.eq(c.ok("ping")["ok"], True, "still serving")


@tap.test
def frames_split_at_every_byte_boundary():
    rng = random.Random(3)
    frames = [
        ("group.completed", lambda k: bytes([0x55, 0x55, 5, 8, 7, k, 0]),
         lambda ev: ev["runs"]),
        ("battery", lambda k: bytes([0x55, 0x55, 4, 0x0F, k, 0x1D]),
         lambda ev: ev["millivolts"] & 0xFF),
        ("frame.unknown", lambda k: bytes([0x55, 0x55, 5, 0x30, k, 0, 0]),
         lambda ev: int(ev["params"][:2], 16)),
    ]
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["group.completed", "battery", "frame.unknown"])
        before = counters(c)
        count = 0
        for name, make, key in frames:
            size = len(make(1))
            # k = 1..size-1: two pieces cut after byte k; k = size: byte by byte.
            for k in range(1, size + 1):
                frame = make(k)
                pieces = ([frame[:k], frame[k:]] if k < size
                          else [frame[i:i + 1] for i in range(size)])
                for piece in pieces:
                    raw(sim, piece)
                    time.sleep(rng.uniform(0.001, 0.025))
                ev = c.wait_event(name)
                tap.eq(key(ev), k, "%s cut %d" % (name, k))
                count += 1
        after = counters(c)
        tap.eq(after["frames_in"] - before["frames_in"], count, "each frame decoded once")
        tap.eq(after["bytes_discarded"], before["bytes_discarded"], "nothing discarded")
        tap.eq(c.events(), [], "no extra event")


@tap.test
def a_false_header_is_ended_by_a_quiet_line():
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["group.", "battery"])
        for header in ("55 55 ff 00", "55 55 09", "55 55 55 55 20"):
            sim.command("raw " + header)
            time.sleep(0.2)
            sim.command("raw 55 55 02 07 55 55 04 0f 2c 1c 55 55 05 08 03 01 00")
            tap.eq("group" in c.wait_event("group.stopped"), False, "%s: STOP found" % header)
            tap.eq(c.wait_event("battery")["millivolts"], 7212, "%s: battery found" % header)
            tap.eq(c.wait_event("group.completed")["group"], 3, "%s: COMPLETE found" % header)


tap.main()
