#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: what lscd keeps for the board across runs and
reconnects (issue 11, items 3, 4 and 9).

- A RUN frame that reaches the wire while a group.run wait is pending ends
  that wait "preempted", whoever sent it (the waiting client itself,
  another client, the board's gamepad); only the last run's wait
  completes, and a stop ends it "stopped".
- STOP and halt keep their promise after a reconnect: however many group
  speeds lscd re-applies by itself, at most one frame goes out ahead of
  them, and every remembered speed still reaches the board.
- group.speed while the board is absent is remembered and answered
  "applied":false; it reaches the board at the next connect.

Order and counts of frames come from the simulator's receive log; nothing
here asserts on elapsed time."""

import json
import os
import shutil
import struct
import tempfile
import time

import tap
from lscdharness import Lscd, error_of, running
from simharness import Sim, hexbytes

STOP = hexbytes("55 55 02 07")
# Every group has a speed: 255 frames for lscd to re-apply at connect.
GROUPS = range(255)
# The STOP tests run the line at 2400 baud: a SPEED frame lasts 29 ms, so
# that a client's request, sent on device.connected, usually reaches lscd
# while the first re-applied frame is still on the wire. What is asserted is
# lscd's part only: at most one frame starts after the request was sent.
# How many frames were written before it arrived is the client's latency
# (two under distcheck's load), so it is only logged.
SLOW_BAUD = 2400
LONG = 120          # seconds: 255 frames take 7.4 s at 2400 baud
# Command bytes of the frames the simulator's log is searched for.
ACTION_GROUP_RUN = 0x06
ACTION_GROUP_SPEED = 0x0B


def run_frame(group, runs=1):
    return bytes([0x55, 0x55, 0x05, ACTION_GROUP_RUN, group]) + struct.pack("<H", runs)


def speed_frame(group, percent):
    return bytes([0x55, 0x55, 0x05, ACTION_GROUP_SPEED, group]) + struct.pack("<H", percent)


def is_speed(frame):
    return len(frame) > 3 and frame[3] == ACTION_GROUP_SPEED


def frames_text(frames, shown=4):
    """How many frames, and the first few, for a failure message."""
    text = ", ".join(f.hex(" ") for f in frames[:shown])
    return "%d frames: %s%s" % (len(frames), text, ", ..." if len(frames) > shown else "")


def percent_of(group):
    """A distinct speed per group, so that every frame tells its group;
    never 100, which the simulator's state does not list."""
    return 101 + group


def send_lines(client, requests):
    """Send every request in one write (back to back, as one burst)."""
    client.send_raw(b"".join(json.dumps(r).encode() + b"\n" for r in requests))


def lines_until(client, done, timeout=30):
    """Every line received, in order, until done(lines) is true."""
    lines = []
    deadline = time.monotonic() + timeout
    while not done(lines):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("not done within %.1f s; got %r" % (timeout, lines))
        lines.append(client.recv(left))
    return lines


def index_of(lines, match, what):
    found = [i for i, m in enumerate(lines) if match(m)]
    tap.eq(len(found), 1, "exactly one %s" % what)
    return found[0]


# ---- item 4: which wait completes ----

@tap.test
def a_second_run_preempts_the_first_wait_of_the_same_client():
    """group.run 2 with wait, twice back to back by one client: "first" is
    answered preempted once the second RUN is on the wire, before the run
    ends; "second" completes with the run."""
    with running("--group", "2:2000") as (sim, lscd):
        c = lscd.client()
        c.subscribe(["group."])
        send_lines(c, [{"cmd": "group.run", "id": "first", "group": 2, "wait": True},
                       {"cmd": "group.run", "id": "second", "group": 2, "wait": True}])
        lines = lines_until(c, lambda ls: any(m.get("id") == "second" for m in ls)
                            and any(m.get("event") == "group.completed" for m in ls))
        first = index_of(lines, lambda m: m.get("id") == "first", "answer to first")
        second = index_of(lines, lambda m: m.get("id") == "second", "answer to second")
        completed = index_of(lines, lambda m: m.get("event") == "group.completed",
                             "group.completed")
        tap.eq(error_of(lines[first]), ("preempted", None), "first is preempted")
        tap.check(first < completed, "first is answered before the run ends", lines)
        tap.eq(lines[second], {"id": "second", "ok": True, "group": 2, "runs": 1,
                               "completed": True}, "second completes")
        tap.check(second < completed, "second is answered with the completion", lines)
        tap.eq((lines[completed]["group"], lines[completed]["runs"]), (2, 1), "the completion")
        started = [m for m in lines if m.get("event") == "group.started"]
        tap.eq([(m["group"], m["source"]) for m in started], [(2, "lscd"), (2, "lscd")],
               "both starts are lscd's")
        tap.eq([r.data for r in sim.wait_count("rx", 2)], [run_frame(2), run_frame(2)],
               "both RUN frames reached the board")
        c.ok("ping")
        tap.eq([m for m in c.inbox if "ok" in m], [], "no answer twice")


@tap.test
def a_run_by_another_client_preempts_a_wait():
    """Another client restarts the very group being waited for: the wait
    is preempted, not completed by the other client's run."""
    with running("--group", "2:60000") as (sim, lscd):
        waiter = lscd.client()
        other = lscd.client()
        other.subscribe(["group.started"])
        rid = waiter.send_request("group.run", group=2, wait=True)
        tap.eq(other.wait_event("group.started")["source"], "lscd", "the waiter's run")
        other.ok("group.run", group=2)
        tap.eq(error_of(waiter.response(rid)), ("preempted", None), "preempted")
        tap.eq(other.wait_event("group.started")["source"], "lscd", "the other's run")
        tap.eq([r.data for r in sim.wait_count("rx", 2)], [run_frame(2), run_frame(2)],
               "both RUN frames reached the board")


@tap.test
def an_external_start_preempts_a_wait():
    """The board's gamepad starts the group being waited for: the wait is
    preempted."""
    with running("--group", "2:60000") as (sim, lscd):
        waiter = lscd.client()
        watcher = lscd.client()
        watcher.subscribe(["group.started"])
        rid = waiter.send_request("group.run", group=2, wait=True)
        tap.eq(watcher.wait_event("group.started")["source"], "lscd", "the waiter's run")
        sim.command("emit run 2 1")
        tap.eq(error_of(waiter.response(rid)), ("preempted", None), "preempted")
        ev = watcher.wait_event("group.started")
        tap.eq((ev["group"], ev["source"]), (2, "external"), "the gamepad's start")


@tap.test
def a_stop_ends_the_last_wait_with_stopped():
    """first and second back to back, then a stop from another client:
    first is preempted, second (the run that was stopped) is stopped."""
    with running("--group", "2:60000") as (sim, lscd):
        waiter = lscd.client()
        other = lscd.client()
        other.subscribe(["group.started", "group.stopped"])
        send_lines(waiter, [{"cmd": "group.run", "id": "first", "group": 2, "wait": True},
                            {"cmd": "group.run", "id": "second", "group": 2, "wait": True}])
        tap.eq(error_of(waiter.response("first")), ("preempted", None), "first preempted")
        other.wait_event("group.started")
        other.wait_event("group.started")
        other.ok("group.stop")
        tap.eq(error_of(waiter.response("second")), ("stopped", None), "second stopped")
        tap.eq(other.wait_event("group.stopped").get("group"), 2, "the board stopped group 2")
        sim.wait_for("rx", STOP)


# ---- item 3: STOP and halt after a reconnect ----

def set_every_speed(client):
    """group.speed for every group while connected: each one is written
    ("applied" is checked by the tests of item 9)."""
    send_lines(client, [{"cmd": "group.speed", "id": "s%d" % g, "group": g,
                         "percent": percent_of(g)} for g in GROUPS])
    for g in GROUPS:
        r = client.response("s%d" % g, timeout=LONG)
        tap.check(r["ok"], "speed of group %d set" % g, r)


def reconnect_then(sim, client, cmd):
    """Unplug and replug; on device.connected send CMD at once. Returns
    (its response, the frames received after the replug up to the STOP,
    those of them that started on the wire after CMD was sent)."""
    sim.unplug()
    client.wait_event("device.disconnected", timeout=30)
    since = sim.mark()
    sim.replug()
    client.wait_event("device.connected", timeout=30)
    asked = time.monotonic()          # CLOCK_MONOTONIC, as the sim's log
    response = client.request(cmd, timeout=LONG)
    stop = sim.wait_for("rx", STOP, since=since, timeout=LONG)
    rx = [r for r in sim.records()[since:] if r.kind == "rx"]
    before = rx[:rx.index(stop)]
    return response, [r.data for r in before], \
        [r.data for r in before if r.t - sim.byte_time(len(r.data)) > asked]


def check_speeds_restored(sim, since, before):
    """Every remembered speed still reaches the board after the replug (log
    records from SINCE on), in group order, once, with the STOP right after
    the BEFORE frames reconnect_then saw; the board holds them all."""
    want = [speed_frame(g, percent_of(g)) for g in GROUPS]

    def complete(records):
        rx = [r.data for r in records[since:] if r.kind == "rx"]
        return rx if len([f for f in rx if is_speed(f)]) >= len(want) else None
    rx = sim.wait_until(complete, "%d SPEED frames after the replug" % len(want),
                        timeout=LONG)
    tap.eq([f for f in rx if f != STOP], want, "every remembered speed, in order, once")
    tap.eq(rx.count(STOP), 1, "one STOP")
    tap.eq(rx[:rx.index(STOP)], before, "the frames ahead of the STOP are those seen")
    tap.eq(sim.state()["speeds"], {g: percent_of(g) for g in GROUPS}, "the board has them")


def stop_after_reconnect(cmd):
    with Sim(baud=SLOW_BAUD) as sim, Lscd(sim.link, "--baud", str(SLOW_BAUD)) as lscd:
        c = lscd.client()
        c.subscribe(["device."])
        set_every_speed(c)
        sim.wait_count("rx", len(GROUPS), timeout=LONG)
        since = sim.mark()
        response, before, ahead = reconnect_then(sim, c, cmd)
        tap.diag("%s: %d frames before the STOP, %d of them after the request"
                 % (cmd, len(before), len(ahead)))
        tap.check(all(is_speed(f) for f in before), "only speeds ahead of the STOP",
                  frames_text(before))
        # 255 speeds wait: an lscd that queued the STOP behind them would
        # start some 250 frames after the request. One may start while the
        # request travels to lscd, one more when the simulator, starved,
        # logs a frame late (its start is computed back from its end).
        tap.check(len(ahead) <= 2, "at most two frames start after the request, of the 255 "
                  "queued", frames_text(ahead))
        check_speeds_restored(sim, since, before)
        return response


@tap.test
def group_stop_after_a_reconnect_is_not_behind_the_speeds():
    tap.eq(stop_after_reconnect("group.stop")["ok"], True, "group.stop answered")


@tap.test
def halt_after_a_reconnect_is_not_behind_the_speeds():
    response = stop_after_reconnect("halt")
    tap.eq((response["ok"], response["dropped"]), (True, 0),
           "halt drops no remembered speed")


# ---- item 9: group.speed while the board is absent ----

@tap.test
def group_speed_while_unplugged_is_remembered():
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["device."])
        rid = c.send_request("group.speed", group=3, percent=50)
        tap.eq(c.response(rid), {"id": rid, "ok": True, "applied": True}, "connected")
        sim.wait_for("rx", speed_frame(3, 50))
        sim.unplug()
        c.wait_event("device.disconnected")
        errors = c.ok("status")["counters"]["errors"]
        for group, percent in ((3, 80), (7, 250)):
            rid = c.send_request("group.speed", group=group, percent=percent)
            tap.eq(c.response(rid), {"id": rid, "ok": True, "applied": False},
                   "unplugged: group %d" % group)
        tap.eq(c.ok("status")["counters"]["errors"], errors, "no error counted")
        since = sim.mark()
        sim.replug()
        c.wait_event("device.connected")
        rx = sim.wait_count("rx", 2, since=since)
        tap.eq([r.data for r in rx], [speed_frame(3, 80), speed_frame(7, 250)],
               "the remembered speeds (the latest of group 3) reach the board")
        speeds = sim.state()["speeds"]
        tap.eq((speeds.get(3), speeds.get(7)), (80, 250), "the board has them")


@tap.test
def group_speed_before_the_board_is_present():
    directory = tempfile.mkdtemp(prefix="lscd-absent-")
    try:
        with Lscd(os.path.join(directory, "lsc.pty")) as lscd:
            c = lscd.client()
            tap.eq(c.hello["device"]["connected"], False, "absent at start")
            c.subscribe(["device.connected"])
            for group, percent in (("all", 300), (5, 120)):
                rid = c.send_request("group.speed", group=group, percent=percent)
                tap.eq(c.response(rid), {"id": rid, "ok": True, "applied": False},
                       "absent: group %s" % group)
            tap.eq(c.ok("status")["counters"]["errors"], 0, "no error counted")
            with Sim(directory=directory) as sim:
                c.wait_event("device.connected", timeout=30)
                rx = sim.wait_count("rx", 2)
                tap.eq([r.data for r in rx],
                       [hexbytes("55 55 05 0B FF 2C 01"), speed_frame(5, 120)],
                       "the remembered speeds reach the board at connect")
                since = sim.mark()
                rid = c.send_request("group.speed", group=6, percent=40)
                tap.eq(c.response(rid), {"id": rid, "ok": True, "applied": True}, "connected")
                sim.wait_for("rx", speed_frame(6, 40), since=since)
                speeds = sim.state()["speeds"]
                tap.eq((speeds[5], speeds[6], speeds[9]), (120, 40, 300),
                       "the board has them")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


tap.main()
