#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every error of lscd-protocol(7) as the class of the package lsc named
after its code: the table is complete (every code of common/protocol.c),
and lscd's real answers raise those classes, with code, message, field and
details, through both clients: refused requests, waits that end badly,
frames dropped from the queue, and connections lscd refuses or restricts."""

import asyncio
import os
import re
import shutil
import signal
import tempfile
import threading

import lsc
import lsc.aio
import tap
from lscdharness import Lscd, running, wait_until
from pyclient import ROBOT, AioDriver, both
from simharness import Sim

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))


def codes():
    """The error codes of common/protocol.c."""
    with open(os.path.join(TOP, "common", "protocol.c"), encoding="utf-8") as f:
        return re.findall(r'\[LSC_ERRCODE_\w+\]\s*=\s*"(\w+)"', f.read())


def raised(call, *args, **kwargs):
    """The lsc.RequestError CALL raises (AssertionError if none)."""
    try:
        result = call(*args, **kwargs)
    except lsc.RequestError as e:
        return e
    raise AssertionError("%s returned %r instead of raising" % (call, result))


def check(error, cls, field=None):
    """ERROR is of CLS, with CLS's code and the FIELD lscd named."""
    tap.check(type(error) is cls, "%s raised" % cls.__name__, repr(error))
    tap.eq((error.code, error.field), (cls.code, field), cls.__name__ + ": code and field")
    tap.check(error.message and error.code in str(error), "a message", str(error))


@tap.test
def every_code_has_its_class():
    found = codes()
    tap.eq(len(found), 31, "error codes in protocol.c")
    for code in found:
        cls = lsc.errors.error_class(code)
        name = "".join(word.capitalize() for word in code.split("_"))
        tap.eq((cls.__name__, cls.code), (name, code), "the class of " + code)
        tap.check(getattr(lsc, name) is cls, "lsc.%s is exported" % name)
        tap.check(cls.__doc__, "lsc.%s is documented" % name)
        err = lsc.errors.from_response({"code": code, "message": "m", "field": "f", "x": 1})
        tap.eq((type(err), err.message, err.field, err.details["x"]), (cls, "m", "f", 1),
               "from_response " + code)
    other = lsc.errors.from_response({"code": "from_the_future", "message": "new"})
    tap.eq((type(other), other.code), (lsc.RequestError, "from_the_future"),
           "a code this version does not know")
    tap.check(issubclass(lsc.Timeout, TimeoutError), "Timeout is a TimeoutError")
    tap.check(issubclass(lsc.TooManyClients, ConnectionError), "so is TooManyClients a "
              "ConnectionError")
    tap.check(issubclass(lsc.ConnectionLost, ConnectionError), "and ConnectionLost")


@both
def refused_requests(make):
    with running(robot=ROBOT) as (sim, lscd), make(lscd.socket_path, name="py") as c:
        check(raised(c.request, "move"), lsc.MissingArgument, "servos")
        check(raised(c.move, {1: 2000.5}, time_ms=1), lsc.InvalidArgument, "servos[0].position")
        check(raised(c.request, "dance"), lsc.UnknownCommand)
        check(raised(c.move, {"shoulder": 2400}, time_ms=1), lsc.OutOfLimits,
              "servos[0].position")
        check(raised(c.move, {"wrist": 1500}, time_ms=1), lsc.UnknownServo, "servos[0].name")
        check(raised(c.pose, "dance"), lsc.UnknownPose, "name")
        check(raised(c.run_group, "dance"), lsc.UnknownGroup, "group")
        check(raised(c.move, deltas={3: 10}, time_ms=1), lsc.UnknownPosition, "servos[0].delta")
        check(raised(c.release, 99), lsc.UnknownClaim, "claim")
        lscd.write_robot("servos: [")
        err = raised(c.config_reload)
        check(err, lsc.InvalidConfig)
        tap.check(err.details["errors"], "InvalidConfig: every error", err.details)
        other = lscd.client()
        other.ok("hello", name="holder")
        other.ok("claim", servos=[4])
        err = raised(c.move, {4: 1500}, time_ms=1)
        check(err, lsc.Claimed)
        tap.eq(err.holder["name"], "holder", "Claimed: the holder")


@both
def waits_that_end_badly(make):
    with running("--group", "8:60000", robot=ROBOT) as (sim, lscd), \
            make(lscd.socket_path) as c:
        other = lscd.client()
        other.subscribe(["group."])

        def meanwhile(action):
            """Run ACTION in a thread while the next call waits."""
            t = threading.Thread(target=action, daemon=True)
            t.start()
            return t

        t = meanwhile(lambda: (other.wait_event("group.started"), other.ok("group.stop")))
        check(raised(c.run_group, 8, wait=True), lsc.Stopped)
        t.join()
        since = sim.mark()
        t = meanwhile(lambda: (sim.wait_count("rx", 1, since=since),
                               other.ok("move", servos=[{"id": 1, "position": 1000}],
                                        time_ms=0)))
        check(raised(c.move, {1: 2000}, time_ms=60000, wait=True), lsc.Preempted)
        t.join()
        check(raised(c.run_group, 9, wait=True), lsc.NotStarted)
        sim.command("battery off")
        check(raised(c.battery), lsc.Timeout)
        sim.command("battery on")
        since = sim.mark()
        t = meanwhile(lambda: (sim.wait_count("rx", 1, since=since), sim.unplug()))
        check(raised(c.move, {1: 2000}, time_ms=60000, wait=True), lsc.DeviceLost)
        t.join()
        check(raised(c.battery), lsc.NotConnected)
        sim.replug()
        other.subscribe(["device.connected"])
        other.wait_event("device.connected")
        since = sim.mark()
        t = meanwhile(lambda: (sim.wait_count("rx", 1, since=since),
                               lscd.signal(signal.SIGTERM)))
        check(raised(c.move, {1: 1000}, time_ms=60000, wait=True), lsc.Shutdown)
        t.join()


@tap.test
def frames_dropped_from_the_queue():
    # 200 frames of another client keep the wire busy: the queues take
    # turns, so this client's frames wait behind at most one of them each.
    with running() as (sim, lscd), AioDriver(lscd.socket_path) as d:
        busy = lscd.client()

        async def many(n, **move):
            return await asyncio.gather(*(d.client.move({3: 1000 + i % 1000}, time_ms=0, **move)
                                          for i in range(n)), return_exceptions=True)

        def backlog():
            rids = [busy.send_request("move", servos=[{"id": 2, "position": 1000 + i}],
                                      time_ms=0) for i in range(200)]
            busy.ok("ping")
            return rids

        def kinds(results):
            return {type(r).__name__ for r in results}

        rids = backlog()
        moves = asyncio.run_coroutine_threadsafe(many(20), d.loop)
        d.ping()
        dropped = busy.ok("halt")["dropped"]
        results = moves.result(60)
        halted = [r for r in results if isinstance(r, lsc.Halted)]
        tap.check(halted, "a halt: queued moves raise Halted", kinds(results))
        theirs = [rid for rid in rids if not busy.response(rid)["ok"]]
        tap.eq(len(halted) + len(theirs), dropped, "as many as halt dropped")

        backlog()
        results = d.run(many(20, replace=True))
        tap.check(any(isinstance(r, lsc.Superseded) for r in results),
                  "replace=True: the moves it replaced raise Superseded", kinds(results))
        busy.ok("halt")

        async def flood(n):
            # Tasks write their lines in the order they start: once the
            # ping's answer is back, lscd has read every move before it.
            moves = [asyncio.ensure_future(d.client.move({3: 1000 + i % 1000}, time_ms=0))
                     for i in range(n)]
            await d.client.ping()
            await d.client.halt()
            return await asyncio.gather(*moves, return_exceptions=True)

        backlog()
        results = d.run(flood(4200))
        tap.check(any(isinstance(r, lsc.QueueFull) for r in results),
                  "beyond 4096 queued frames: QueueFull", kinds(results))

        backlog()
        d.claim([3], lease_ms=100)
        results = d.run(many(30))
        tap.check(any(isinstance(r, lsc.Dropped) for r in results),
                  "a claim that expires: its queued frames raise Dropped", kinds(results))


def first_client(lscd):
    """A harness client, once lscd has let go of start()'s probe."""
    def attempt():
        try:
            return lscd.client()
        except AssertionError:
            return None
    return wait_until(attempt, "a first client")


@tap.test
def refused_connections():
    with Sim() as sim:
        with Lscd(sim.link, "--max-clients", "1") as lscd:
            holder = first_client(lscd)
            with tap.raises(lsc.TooManyClients, "lsc.Client beyond --max-clients"):
                lsc.Client(lscd.socket_path)
            with tap.raises(lsc.TooManyClients, "lsc.aio.Client beyond --max-clients"):
                asyncio.run(lsc.aio.connect(lscd.socket_path))
            holder.close()
        d = tempfile.mkdtemp(prefix="lscd-observe-")
        observe = os.path.join(d, "observe.sock")
        with Lscd(sim.link, "--observe-socket", observe, directory=d):
            with lsc.Client(observe) as c:
                tap.eq(c.server["observer"], True, "connected as an observer")
                c.status()
                check(raised(c.move, {1: 1500}, time_ms=0), lsc.Forbidden)
                check(raised(c.claim, [1]), lsc.Forbidden)
        shutil.rmtree(d)


tap.main()
