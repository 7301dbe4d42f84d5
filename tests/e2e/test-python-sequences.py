#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The methods of sequences, recordings and scheduled starts on both
clients: sequence_run (by name, inline, at), sequence_stop, sequence_list,
record_start (teach too) and record_stop, cancel and pending, and the at argument of
move, pose and run_group."""

import asyncio
import concurrent.futures
import datetime
import os
import threading
import time

import lsc
import tap
from lscdharness import running, wait_until
from pyclient import ROBOT, AioDriver, both
from simharness import hexbytes

TIMEOUT = 20
STEPS = [{"servos": {"gripper": 1500}, "time_ms": 100}, {"pose": "rest", "time_ms": 100}]


def background(c, method, *args, **kwargs):
    """Start C.METHOD(*ARGS, **KWARGS) without waiting: a future of its result."""
    if isinstance(c, AioDriver):
        return asyncio.run_coroutine_threadsafe(getattr(c.client, method)(*args, **kwargs),
                                                c.loop)
    future = concurrent.futures.Future()

    def run():
        try:
            future.set_result(getattr(c, method)(*args, **kwargs))
        except BaseException as e:  # pylint: disable=broad-except
            future.set_exception(e)
    threading.Thread(target=run, daemon=True).start()
    return future


@both
def sequences(make):
    with running(robot=ROBOT) as (sim, lscd), make(lscd.socket_path, timeout=TIMEOUT) as c:
        r = c.sequence_run(steps=STEPS, wait=True)
        tap.eq(r.get("completed"), True, "sequence_run inline, waited for")
        with tap.raises(lsc.UnknownSequence, "a sequence that is not there"):
            c.sequence_run("nowhere")
        with tap.raises(TypeError, "a name and steps"):
            c.sequence_run("a", steps=STEPS)
        c.record_start("rec", ["gripper", 1])
        c.move({"gripper": 1300}, time_ms=0, wait=True)
        c.move({"gripper": 1700, 1: 1000}, time_ms=50, wait=True)
        rec = c.record_stop()
        tap.eq((rec["name"], rec["steps"], rec["dropped"]), ("rec", 2, 0), "record_stop")
        tap.check(os.path.exists(rec["path"]), "the recording's file", rec["path"])
        with tap.raises(lsc.InvalidArgument, "record_stop with no recording"):
            c.record_stop()
        listed = c.sequence_list()
        tap.eq([s["name"] for s in listed["sequences"]], ["rec"], "sequence_list: the files")
        run = c.sequence_run("rec", loops=0, speed=50)
        tap.eq(sorted(run), ["duration_ms", "run", "steps"], "sequence_run by name")
        tap.eq([p["run"] for p in c.sequence_list()["playing"]], [run["run"]], "it plays")
        tap.eq(c.sequence_stop(run["run"]), 1, "sequence_stop of that run")
        tap.eq(c.sequence_stop(), 0, "sequence_stop of every run: none left")


@both
def teach(make):
    """record_start(teach=True): the period on a bus board, the refusals of
    an LSC board and of another client's claim."""
    bus = "board: bus\nservos:\n  base: {id: 1}\n  grip: {id: 3}\n"
    with running("--board", "bus", robot=bus) as (sim, lscd), \
            make(lscd.socket_path, timeout=TIMEOUT) as c:
        other = lscd.client()
        other.ok("claim", servos=["grip"])
        with tap.raises(lsc.Claimed, "teach of a servo another client claims"):
            c.record_start("t", ["base", "grip"], teach=True)
        tap.eq(c.record_start("t", ["base"], teach=True), 100, "teach: the period in ms")
        sim.wait_for("rx", hexbytes("55 55 04 14 01 01"))
        sim.command("hand 1 250")
        wait_until(lambda: any(p == 250 for p in c.positions(["base"]).values()),
                   "the hand's position is read")
        tap.eq(c.record_stop()["name"], "t", "record_stop ends teaching")
    with running(robot=ROBOT) as (sim, lscd), make(lscd.socket_path, timeout=TIMEOUT) as c:
        with tap.raises(lsc.Unsupported, "teach on an LSC board"):
            c.record_start("t", [1], teach=True)
        tap.eq(c.record_start("r", [1]), None, "without teach: None")


@both
def scheduled_starts(make):
    with running("--group", "8:100", robot=ROBOT) as (sim, lscd), \
            make(lscd.socket_path, timeout=TIMEOUT) as c:
        for name, call in (("move", lambda at: c.move({1: 1000}, time_ms=0, at=at)),
                           ("pose", lambda at: c.pose("rest", time_ms=0, at=at)),
                           ("run_group", lambda at: c.run_group(8, at=at)),
                           ("sequence_run", lambda at: c.sequence_run(steps=STEPS, at=at))):
            start = time.time()
            call(start + 0.5)
            tap.check(time.time() - start >= 0.45, "%s(at=): answered once it started" % name)
        aware = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=0.3)
        tap.check("time_ms" in c.move({2: 1000}, time_ms=0, at=aware), "at: an aware datetime")
        with tap.raises(ValueError, "a naive datetime"):
            c.move({2: 1000}, time_ms=0, at=datetime.datetime.now())
        with tap.raises(lsc.InvalidArgument, "at in the past"):
            c.move({2: 1000}, time_ms=0, at=time.time() - 10)
        later = background(c, "move", {3: 1000}, time_ms=0, at=time.time() + 60)
        wait_until(lambda: "move" in c.pending().values(), "the scheduled move is pending")
        rid = next(r for r, cmd in c.pending().items() if cmd == "move")
        tap.eq(c.cancel(rid), None, "cancel")
        tap.check(isinstance(later.exception(TIMEOUT), lsc.Cancelled), "it raised Cancelled")
        with tap.raises(lsc.InvalidArgument, "cancel of a request that is not scheduled"):
            c.cancel(rid)
        tap.eq(c.pending(), {}, "nothing pending")


tap.main()
