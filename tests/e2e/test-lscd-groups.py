#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: action groups. Events for runs started by a client and
by the simulator's "gamepad"; group.run with wait across two clients;
how a wait ends (completed, stopped, preempted, not_started); halt and
move superseding; frames lscd does not know."""

import tap
from lscdharness import error_of, running
from simharness import hexbytes


@tap.test
def client_run_reports_lscd_source():
    with running("--group", "8:100") as (sim, lscd):
        c = lscd.client()
        c.subscribe(["group."])
        r = c.ok("group.run", group=8, runs=2)
        tap.eq((r["group"], r["runs"]), (8, 2), "answered once written")
        ev = c.wait_event("group.started")
        tap.eq((ev["group"], ev["runs"], ev["source"]), (8, 2, "lscd"), "group.started")
        ev = c.wait_event("group.completed")
        tap.eq((ev["group"], ev["runs"]), (8, 2), "group.completed")
        tap.check(isinstance(ev["time"], float), "events carry a time", ev)


@tap.test
def gamepad_run_reports_external_source():
    # A second's run: the status below must find it running under valgrind.
    with running("--group", "5:1000") as (sim, lscd):
        c = lscd.client()
        c.subscribe()
        sim.command("emit run 5 1")
        ev = c.wait_event("group.started")
        tap.eq((ev["group"], ev["runs"], ev["source"]), (5, 1, "external"), "external start")
        tap.eq(c.ok("status")["group"]["source"], "external", "status knows the source")
        ev = c.wait_event("group.completed")
        tap.eq((ev["group"], ev["runs"]), (5, 1), "its completion")
        sim.command("emit run 5 0")
        c.wait_event("group.started")
        sim.command("emit stop")
        ev = c.wait_event("group.stopped")
        tap.eq(ev.get("group"), 5, "stopped names the running group")
        sim.command("emit complete 7 3")
        ev = c.wait_event("group.completed")
        tap.eq((ev["group"], ev["runs"]), (7, 3), "a bare completion")


@tap.test
def a_gamepad_start_of_the_same_group_is_still_external():
    # lscd's RUN of group 8 was answered (echoed) before; a later gamepad
    # start of the same group must not be taken for lscd's.
    with running("--group", "8:50") as (sim, lscd):
        c = lscd.client()
        c.subscribe(["group.started", "group.completed"])
        c.ok("group.run", group=8, wait=True)
        tap.eq(c.wait_event("group.started")["source"], "lscd", "lscd's own start")
        sim.command("emit run 8 1")
        tap.eq(c.wait_event("group.started")["source"], "external", "the gamepad's")


@tap.test
def wait_in_one_client_completion_event_in_another():
    with running("--group", "8:300") as (sim, lscd):
        waiter = lscd.client()
        watcher = lscd.client()
        watcher.subscribe(["group.completed"])
        rid = waiter.send_request("group.run", group=8, runs=1, wait=True)
        ev = watcher.wait_event("group.completed")
        tap.eq((ev["group"], ev["runs"]), (8, 1), "watcher sees the completion")
        r = waiter.response(rid)
        tap.eq(r, {"id": rid, "ok": True, "group": 8, "runs": 1, "completed": True},
               "the wait ends with the completion")
        tap.eq(waiter.events(), [], "the waiter, not subscribed, got no events")


@tap.test
def group_stop_ends_a_wait_with_stopped():
    with running("--group", "8:60000") as (sim, lscd):
        waiter = lscd.client()
        other = lscd.client()
        other.subscribe(["group.started"])
        rid = waiter.send_request("group.run", group=8, runs=0, wait=True)
        other.wait_event("group.started")
        other.ok("group.stop")
        tap.eq(error_of(waiter.response(rid)), ("stopped", None), "wait ends stopped")
        rid = waiter.send_request("group.run", group=8, wait=True)
        other.wait_event("group.started")
        sim.command("emit stop")          # a stop from the gamepad counts too
        tap.eq(error_of(waiter.response(rid)), ("stopped", None), "gamepad stop")


@tap.test
def another_group_preempts_a_wait():
    with running("--group", "1:60000", "--group", "2:60000") as (sim, lscd):
        a = lscd.client()
        b = lscd.client()
        b.subscribe(["group.started"])
        rid = a.send_request("group.run", group=1, wait=True)
        b.wait_event("group.started")
        b.ok("group.run", group=2)
        tap.eq(error_of(a.response(rid)), ("preempted", None), "preempted by a client")
        rid = a.send_request("group.run", group=1, wait=True)
        b.wait_event("group.started", lambda e: e["group"] == 1)
        sim.command("emit run 2 1")
        tap.eq(error_of(a.response(rid)), ("preempted", None), "preempted by the gamepad")


@tap.test
def a_group_that_does_not_start_is_not_started():
    with running("--group", "8") as (sim, lscd):
        c = lscd.client()
        r = c.request("group.run", group=9, wait=True)
        tap.eq(error_of(r), ("not_started", None), "no echo within 1 s")
        sim.wait_for("note", lambda rec: "not downloaded" in rec.data)
        tap.eq(c.ok("group.run", group=9)["group"], 9,
               "without wait the answer is 'written', nothing more")


@tap.test
def halt_drops_queued_frames_then_stops():
    with running("--group", "3:60000") as (sim, lscd):
        mover = lscd.client()
        boss = lscd.client()
        boss.subscribe(["group.started"])
        boss.ok("group.run", group=3, runs=0)
        boss.wait_event("group.started")
        ids = [mover.send_request("move", servos=[{"id": 1 + i % 6, "position": 600 + i}],
                                  time_ms=100) for i in range(60)]
        mover.ok("ping")                  # every move has been queued or written
        since = sim.mark()
        halt = boss.ok("halt")
        results = [mover.response(i) for i in ids]
        halted = [r for r in results if not r["ok"]]
        tap.check(all(error_of(r) == ("halted", None) for r in halted), "errors are halted",
                  halted[:3])
        tap.eq(halt["dropped"], len(halted), "dropped counts the halted moves")
        tap.check(len(halted) > 0, "some moves were still queued", len(halted))
        stop = sim.wait_for("rx", hexbytes("55 55 02 07"), since=since)
        after = [r for r in sim.records("rx") if r.t > stop.t]
        tap.eq(after, [], "nothing written after the STOP")
        moves = [r for r in sim.records("rx") if r.data[3:4] == b"\x03"]
        tap.eq(len(moves), len(results) - len(halted), "written moves were answered ok")
        sim.wait_for("tx", hexbytes("55 55 02 07"), since=since)


@tap.test
def replace_supersedes_queued_moves_of_the_same_servos():
    with running() as (sim, lscd):
        c = lscd.client()
        ids = [c.send_request("move", servos=[{"id": 4, "position": 1000 + i}], time_ms=0,
                              replace=True) for i in range(40)]
        results = [c.response(i) for i in ids]
        superseded = [r for r in results if not r["ok"]]
        tap.check(all(error_of(r) == ("superseded", None) for r in superseded),
                  "errors are superseded", superseded[:3])
        tap.check(results[-1]["ok"], "the last move is written")
        tap.check(superseded, "queued moves were superseded")
        sim.wait_count("rx", len(results) - len(superseded))
        c.ok("ping")
        tap.eq(len(sim.records("rx")), len(results) - len(superseded),
               "only ok moves reached the wire")
        tap.eq(sim.state()["servos"][4], 1039, "the last position won")


@tap.test
def unknown_frames_are_reported():
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["frame."])
        sim.command("raw 55 55 05 20 0A 0B 0C")
        ev = c.wait_event("frame.unknown")
        tap.eq((ev["cmd"], ev["params"]), (32, "0a0b0c"), "cmd and params")
        sim.command("raw 55 55 08 03 01 E8 03 01 D0 07")
        ev = c.wait_event("frame.unknown")
        tap.eq((ev["cmd"], ev["params"]), (3, "01e80301d007"),
               "a host-to-board frame coming from the board is unknown too")


@tap.test
def unsolicited_reports_become_events():
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["battery", "group.stopped"])
        sim.command("raw 55 55 04 0F 10 27")
        tap.eq(c.wait_event("battery")["millivolts"], 10000, "a voltage nobody asked for")
        sim.command("raw 55 55 02 07")
        ev = c.wait_event("group.stopped")
        tap.check("group" not in ev, "a stop of an unknown group has no group", ev)
        tap.eq(c.ok("status")["counters"]["frames_in"], 2, "frames counted")


tap.main()
