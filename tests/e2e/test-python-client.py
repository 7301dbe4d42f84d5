#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python package lsc against lsc-sim + lscd: every method of
lsc.Client and of lsc.aio.Client (each test runs once per client) with
what it put on the wire or what lscd answered, events kept while calls
wait for their answers, the bounded event queue and its events.lost, and
one synchronous client shared by threads."""

import os
import threading

import lsc
import tap
from lscdharness import error_of, running
from pyclient import ROBOT, both, rx_since, wire


@both
def moves_and_poses(make):
    with running(robot=ROBOT) as (sim, lscd), make(lscd.socket_path, name="py") as c:
        since = sim.mark()
        tap.eq(c.move({"shoulder": 1200, "elbow": 1000}, time_ms=500), {"time_ms": 500},
               "move by name")
        tap.check(wire(sim, since, "55 55 0B 03 02 F4 01 01 9C 04 02 D0 07"),
                  "trim and inversion on the wire", rx_since(sim, since))
        since = sim.mark()
        tap.eq(c.move({5: 1200}, time_ms=100, wait=True), {"time_ms": 100, "completed": True},
               "move by id, waited for")
        tap.check(wire(sim, since, "55 55 08 03 01 64 00 05 B0 04"), "id 5 at 1200")
        since = sim.mark()
        c.move(deltas={5: 100}, time_ms=0)
        c.move({5: 1500}, time_ms=0, replace=True)
        tap.check(wire(sim, since, "55 55 08 03 01 00 00 05 14 05",
                       "55 55 08 03 01 00 00 05 DC 05"), "a delta, then a replacing move",
                  rx_since(sim, since))
        since = sim.mark()
        # The shoulder goes 300 us at its max_speed of 1000 us/s: 300 ms.
        tap.eq(c.pose("rest", time_ms=0, wait=True), {"time_ms": 300, "completed": True},
               "pose")
        tap.check(wire(sim, since, "55 55 0B 03 02 2C 01 01 70 03 02 84 03"), "rest")
        servos = {s["id"]: s for s in c.servos()}
        tap.eq((servos[1]["name"], servos[1]["target"]), ("shoulder", 900), "servos()")
        tap.eq(servos[5]["target"], 1500, "servos(): id 5")
        with tap.raises(TypeError, "a servo that is neither a name nor an id"):
            c.move({1.5: 1000}, time_ms=0)
        with tap.raises(TypeError, "positions that are not a mapping"):
            c.move([1, 1000], time_ms=0)


@both
def groups_stop_halt_and_speed(make):
    with running("--group", "8:200", robot=ROBOT) as (sim, lscd), \
            make(lscd.socket_path, name="py") as c:
        events = c.events(["group."])
        tap.eq(c.run_group("wave", wait=True), {"group": 8, "runs": 1, "completed": True},
               "run_group by name, waited for")
        ev = events.__next__() if hasattr(events, "__next__") else c.next_event(["group."])
        tap.eq((ev.name, ev["by"]["name"]), ("group.started", "py"), "group.started by py")
        tap.eq(c.next_event(["group."], timeout=10).name, "group.completed", "group.completed")
        tap.eq(c.run_group(8, runs=0), {"group": 8, "runs": 0}, "run_group forever")
        tap.eq(c.next_event(["group."], timeout=10).name, "group.started", "started")
        tap.eq(c.stop(), None, "stop")
        tap.eq(c.next_event(["group."], timeout=10).name, "group.stopped", "stopped")
        since = sim.mark()
        tap.eq(c.speed("wave", 50), True, "speed applied")
        tap.check(wire(sim, since, "55 55 05 0B 08 32 00"), "group 8 at 50 % on the wire")
        other = lscd.client()
        other.subscribe(["device."])
        rids = [other.send_request("move", servos=[{"id": 3, "position": 1000 + i}],
                                   time_ms=0) for i in range(40)]
        other.ok("ping")
        dropped = c.halt()
        halted = [rid for rid in rids if other.response(rid).get("error", {}).get("code")
                  == "halted"]
        tap.eq(dropped, len(halted), "halt() counts the moves it dropped")
        sim.unplug()
        other.wait_event("device.disconnected")
        tap.eq(c.speed(8, 100), False, "speed while the board is away: remembered only")


@both
def information_hello_and_reload(make):
    with running("--battery-mv", "6123", robot=ROBOT) as (sim, lscd), \
            make(lscd.socket_path, name="py") as c:
        tap.eq(c.ping(), None, "ping")
        v = c.version()
        tap.eq((v["protocol"], v["protocol_minor"]), (1, c.server["protocol_minor"]), "version")
        tap.check(v["protocol_minor"] >= 2, "protocol 1.2 at least", v)
        tap.eq((c.server["event"], c.server["protocol"]), ("hello", 1), "lscd's hello is kept")
        tap.eq(c.battery(), 6123, "battery in millivolts")
        status = c.status()
        tap.check(status["device"]["connected"], "status: the device", status)
        mine = [x for x in status["connections"] if x["client"] == c.server["client"]]
        tap.eq(mine[0]["name"], "py", "status names this client after name=")
        r = c.hello("renamed", on_disconnect="drop")
        tap.eq(r, {"client": c.server["client"], "name": "renamed", "on_disconnect": "drop"},
               "hello")
        tap.eq(c.robot()["groups"], {"wave": 8, "bow": 3}, "robot")
        lscd.write_robot(ROBOT.replace("bow: 3", "bow: 4"))
        tap.eq(c.config_reload()["groups"], {"wave": 8, "bow": 4}, "config_reload")
        lscd.write_robot(ROBOT + "  hop: 300\n")
        try:
            c.config_reload()
            raise AssertionError("a bad robot file was taken")
        except lsc.InvalidConfig as e:
            tap.eq(len(e.details["errors"]), 1, "InvalidConfig has every error")
            tap.eq(e.message, e.details["errors"][0], "and the first as its message")
            tap.check("group hop" in e.message, "which names the culprit", e)


@both
def claims_and_releases(make):
    with running(robot=ROBOT) as (sim, lscd), make(lscd.socket_path, name="py") as c:
        other = lscd.client()
        with c.claim(["shoulder", "elbow"], lease_ms=5000, safe="home") as claim:
            tap.eq((claim.servos, claim.groups, claim.lease_ms, claim.safe),
                   ([1, 2], False, 5000, "home"), "the claim as granted")
            r = other.request("move", servos=[{"id": 1, "position": 1500}], time_ms=0)
            tap.eq(error_of(r)[0], "claimed", "another client is refused")
            tap.eq(r["error"]["holder"]["name"], "py", "and told who holds it")
            c.move({"shoulder": 1500}, time_ms=0)
        other.ok("move", servos=[{"id": 1, "position": 1600}], time_ms=0)
        one = c.claim("gripper")
        tap.eq(one.servos, [6], "claim of one servo by its name")
        one.release()
        every = c.claim("all")
        tap.eq(every.groups, True, "claim('all') takes the groups too")
        tap.eq(c.release(), 1, "release() every claim")
        with tap.raises(lsc.UnknownClaim, "release of a claim already released"):
            c.release(every.id)
        other.ok("claim", servos=[6])
        try:
            c.move({"gripper": 1500}, time_ms=0)
            raise AssertionError("moved a servo another client holds")
        except lsc.Claimed as e:
            tap.eq(e.holder["client"], other.hello["client"], "Claimed.holder")
        with tap.raises(lsc.Timeout, "a claim that waits longer than timeout_ms"):
            c.claim([6], wait=True, timeout_ms=100)


@both
def subscriptions(make):
    with running() as (sim, lscd), make(lscd.socket_path) as c:
        tap.eq(c.subscribe(["group.", "battery"]), ["group.started", "group.stopped",
                                                    "group.completed", "battery"], "subscribe")
        tap.eq(c.unsubscribe(["group.stopped"]), ["group.started", "group.completed",
                                                  "battery"], "unsubscribe one")
        tap.eq(c.unsubscribe(), [], "unsubscribe all")
        tap.check(len(c.subscribe()) >= 12, "subscribe() is every event")


@both
def request_sends_any_command(make):
    with running("--group", "8:100") as (sim, lscd), make(lscd.socket_path) as c:
        tap.eq(c.request("group.run", group=8, wait=True)["completed"], True, "group.run")
        tap.eq(c.request("version")["protocol"], 1, "version")
        with tap.raises(lsc.UnknownCommand, "a command lscd does not have"):
            c.request("sequence.nope")
        try:
            c.request("move")
            raise AssertionError("a move without servos was taken")
        except lsc.MissingArgument as e:
            tap.eq((e.code, e.field), ("missing_argument", "servos"), "field of the error")
        with tap.raises(TypeError, "id is the client's"):
            c.request("ping", id=7)
        with tap.raises(lsc.LineTooLong, "a line longer than lscd takes, refused before"):
            c.request("ping", pad="x" * 70000)
        with tap.raises(ValueError, "NaN is not JSON"):
            c.request("move", servos=[{"id": 1, "position": float("nan")}], time_ms=0)
        c.ping()


@both
def events_are_kept_while_calls_wait(make):
    with running() as (sim, lscd), make(lscd.socket_path) as c:
        c.subscribe(["battery", "move."])
        other = lscd.client()
        for i in range(5):
            other.ok("move", servos=[{"id": 10 + i, "position": 1500}], time_ms=0)
            tap.eq(c.battery(), 7400, "battery %d" % i)
            c.move({20: 1000 + i}, time_ms=0, wait=True)
        got = []
        while len(got) < 15:
            got.append(c.next_event(timeout=10))
        battery = [e for e in got if e.name == "battery"]
        mine = [e for e in got if e.name == "move.completed" and e["servos"] == [20]]
        theirs = sorted(e["servos"][0] for e in got if e.name == "move.completed"
                        and e["servos"] != [20])
        tap.eq((len(battery), len(mine), theirs), (5, 5, [10, 11, 12, 13, 14]),
               "every event that came during the calls")
        times = [e.time for e in got]
        tap.eq(times, sorted(times), "in the order they came")
        with tap.raises(TimeoutError, "no more events"):
            c.next_event(timeout=0.2)


@both
def the_event_queue_is_bounded(make):
    with running() as (sim, lscd), make(lscd.socket_path, max_events=3) as c:
        c.subscribe(["battery"])
        for _ in range(8):
            c.battery()
        # lscd answers a battery query before it publishes the event: the
        # answer to a later request comes after every one of them.
        c.ping()
        names = [c.next_event(timeout=10).name for _ in range(4)]
        tap.eq(names, ["battery"] * 3 + ["events.lost"], "3 kept, then the loss")
        c.battery()
        tap.eq(c.next_event(timeout=10).name, "battery", "then the events that came after")
        for _ in range(5):
            c.battery()
        c.ping()
        tap.eq([c.next_event(timeout=10).name for _ in range(3)], ["battery"] * 3, "3 again")
        lost = c.next_event(timeout=10)
        tap.eq((lost.name, lost["count"], lost["local"]), ("events.lost", 2, True),
               "events.lost counts what the client dropped")


@tap.test
def one_client_shared_by_threads():
    with running() as (sim, lscd), lsc.Client(lscd.socket_path) as c:
        errors = []
        seen = []

        def work(n):
            try:
                for j in range(25):
                    name = "t%d-%d" % (n, j)
                    if c.hello(name)["name"] != name:
                        errors.append("hello %s answered another name" % name)
                    if not c.move({n + 1: 1000 + j}, time_ms=0, wait=True)["completed"]:
                        errors.append("move")
            except Exception as e:  # pylint: disable=broad-except
                errors.append(repr(e))

        events = c.events(["move."], timeout=10)

        def watch():
            for event in events:
                seen.append(event)
                if len(seen) == 200:
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        workers = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(8)]
        for t in workers:
            t.start()
        for t in workers:
            t.join(60)
        watcher.join(60)
        tap.eq(errors, [], "each thread got its own answers")
        tap.eq(len(seen), 200, "the iterating thread got every move.completed")


@tap.test
def the_socket_comes_from_lscd_socket():
    with running() as (sim, lscd):
        old = os.environ.get("LSCD_SOCKET")
        os.environ["LSCD_SOCKET"] = lscd.socket_path
        try:
            with lsc.Client() as c:
                tap.eq(c.path, lscd.socket_path, "$LSCD_SOCKET")
                c.ping()
        finally:
            if old is None:
                del os.environ["LSCD_SOCKET"]
            else:
                os.environ["LSCD_SOCKET"] = old
        tap.eq(lsc.DEFAULT_SOCKET, "/run/lscd/lscd.sock", "the default")


tap.main()
