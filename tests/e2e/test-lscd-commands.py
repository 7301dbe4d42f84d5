#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: each command's response and its exact bytes on the wire
(read from the simulator's log), hello, status and subscriptions."""

import tap
from lscdharness import running
from simharness import hexbytes


def wire_bytes_of(sim, client, cmd, want_hex, **args):
    """Send cmd; check the response is ok and the sim received want_hex."""
    since = sim.mark()
    r = client.ok(cmd, **args)
    rec = sim.wait_for("rx", since=since)
    tap.eq(rec.data, hexbytes(want_hex), "%s on the wire" % cmd)
    return r


@tap.test
def hello_describes_the_device():
    with running() as (sim, lscd):
        c = lscd.client()
        tap.eq(c.hello["protocol"], 1, "protocol")
        tap.eq(c.hello["version"], "0.1.0", "version")
        tap.check(isinstance(c.hello["time"], float), "time is a number", c.hello)
        tap.eq(c.hello["device"], {"requested": sim.link, "path": sim.link, "connected": True,
                                   "baud": 9600, "usb": None}, "device")


@tap.test
def move_writes_servo_move():
    with running() as (sim, lscd):
        c = lscd.client()
        r = wire_bytes_of(sim, c, "move", "55 55 08 03 01 E8 03 01 D0 07",
                          servos=[{"id": 1, "position": 2000}], time_ms=1000)
        tap.eq(r, {"id": r["id"], "ok": True, "time_ms": 1000}, "move answers the time used")
        wire_bytes_of(sim, c, "move", "55 55 0B 03 02 20 03 02 B0 04 09 FC 08",
                      servos=[{"id": 2, "position": 1200}, {"id": 9, "position": 2300}],
                      time_ms=800)
        state = sim.state()
        tap.eq((state["servos"][2], state["servos"][9]), (1200, 2300), "sim servo positions")


@tap.test
def group_commands_write_their_frames():
    with running() as (sim, lscd):
        c = lscd.client()
        r = wire_bytes_of(sim, c, "group.run", "55 55 05 06 08 01 00", group=8, runs=1)
        tap.eq((r["group"], r["runs"]), (8, 1), "group.run result")
        wire_bytes_of(sim, c, "group.stop", "55 55 02 07")
        wire_bytes_of(sim, c, "group.run", "55 55 05 06 02 00 00", group=2, runs=0)
        wire_bytes_of(sim, c, "group.speed", "55 55 05 0B 08 32 00", group=8, percent=50)
        wire_bytes_of(sim, c, "group.speed", "55 55 05 0B FF 2C 01", group="all", percent=300)
        r = wire_bytes_of(sim, c, "halt", "55 55 02 07")
        tap.eq(r["dropped"], 0, "halt with nothing queued")


@tap.test
def battery_writes_the_query():
    with running("--battery-mv", "7500") as (sim, lscd):
        c = lscd.client()
        r = wire_bytes_of(sim, c, "battery", "55 55 02 0F")
        tap.eq(r["millivolts"], 7500, "millivolts")


@tap.test
def answers_without_frames():
    with running() as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        tap.eq(c.ok("ping", id="p"), {"id": "p", "ok": True}, "ping")
        v = c.ok("version")
        tap.eq((v["version"], v["protocol"]), ("0.1.0", 1), "version")
        r = c.request("ping", id={"nested": [1, 2.5, None]})
        tap.eq(r["id"], {"nested": [1, 2.5, None]}, "any JSON id is echoed")
        c.send({"cmd": "ping"})
        tap.eq(c.recv(), {"ok": True}, "no id, none in the response")
        c.ok("group.run", group=3)
        rec = sim.wait_for("rx", since=since)
        tap.eq(rec.data, hexbytes("55 55 05 06 03 01 00"),
               "nothing reached the wire before the run")


@tap.test
def status_reports_state_and_counters():
    with running("--group", "8:60000") as (sim, lscd):
        c = lscd.client()
        other = lscd.client()
        other.subscribe(["battery"])
        c.ok("group.run", group=8, runs=2)
        c.subscribe(["group.started"])
        c.wait_event("group.started")
        s = c.ok("status")
        tap.eq(s["device"]["connected"], True, "connected")
        tap.eq(s["group"], {"group": 8, "runs": 2, "source": "lscd"}, "running group")
        tap.eq((s["clients"], s["subscribers"]), (2, 2), "clients and subscribers")
        tap.check(s["uptime_ms"] >= 0, "uptime", s)
        tap.eq(s["queue"], 0, "queue")
        k = s["counters"]
        tap.eq((k["frames_out"], k["bytes_out"]), (1, 7), "frames and bytes out")
        tap.eq((k["frames_in"], k["bytes_in"]), (1, 7), "the echo came in")
        tap.eq(k["requests"], 4, "requests counted")
        c.request("nope")
        tap.eq(c.ok("status")["counters"]["errors"], 1, "errors counted")
        c.subscribe(["group.stopped"])
        c.ok("group.stop")
        tap.eq(c.wait_event("group.stopped")["group"], 8, "stopped event names the group")
        tap.eq(c.ok("status")["group"], None, "no group after the stop")


@tap.test
def subscribe_and_unsubscribe():
    with running() as (sim, lscd):
        c = lscd.client()
        tap.eq(c.ok("subscribe", events=["group."])["events"],
               ["group.started", "group.stopped", "group.completed"], "prefix")
        tap.eq(c.ok("subscribe", events=["battery"])["events"],
               ["group.started", "group.stopped", "group.completed", "battery"], "adds up")
        tap.eq(c.ok("unsubscribe", events=["group.stopped"])["events"],
               ["group.started", "group.completed", "battery"], "one name removed")
        c.ok("battery")
        ev = c.wait_event("battery")
        tap.eq(ev["millivolts"], 7400, "battery event")
        tap.eq(c.ok("unsubscribe")["events"], [], "absent = all removed")
        c.ok("battery")
        c.ok("ping")
        tap.eq(c.events(), [], "no events once unsubscribed")
        tap.eq(len(c.ok("subscribe")["events"]), 16, "absent = every event")


tap.main()
