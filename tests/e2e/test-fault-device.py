#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fault injection, the device side: the board is unplugged and replugged
over and over, and stops answering battery queries.

Expected behaviour:
- unplug_replug_cycles: 100 unplug/replug cycles (10 under valgrind, where
  the point is the memory check) with three clients connected. The lscd
  process is the same one throughout, every client stays connected and
  sees, for every cycle, device.disconnected and then device.connected (in
  that order, nothing else), and a move sent after each replug is answered
  ok and its exact frame is in the simulator's rx log of that cycle.
- battery_stops_answering: with the board ignoring GET_BATTERY_VOLTAGE the
  battery request fails with "timeout" (while another client's ping still
  round-trips); once the board answers again the next request returns the
  board's voltage.
"""

import tap
from lscdharness import error_of, running, valgrind_on
from simharness import hexbytes
tap.TEST_TIMEOUT = 600     # 100 cycles at lscd's 0.5 s reopen interval


def move_frame(time_ms, servo, position):
    """The SERVO_MOVE frame of one servo."""
    return bytes([0x55, 0x55, 8, 3, 1, time_ms & 0xFF, time_ms >> 8, servo,
                  position & 0xFF, position >> 8])


@tap.test
def unplug_replug_cycles():
    cycles = 10 if valgrind_on() else 100
    with running() as (sim, lscd):
        pid = lscd.proc.pid
        clients = [lscd.client() for _ in range(3)]
        for c in clients:
            c.subscribe(["device."])
        for cycle in range(cycles):
            sim.unplug()
            for c in clients:
                tap.eq(c.recv()["event"], "device.disconnected", "cycle %d first event" % cycle)
            since = sim.mark()
            sim.replug()
            for c in clients:
                ev = c.recv()
                tap.eq((ev["event"], ev["device"]["connected"]), ("device.connected", True),
                       "cycle %d second event" % cycle)
            position = 500 + cycle * 17
            mover = clients[cycle % len(clients)]
            mover.ok("move", servos=[{"id": 1 + cycle % 32, "position": position}],
                     time_ms=cycle)
            sim.wait_for("rx", move_frame(cycle, 1 + cycle % 32, position), since=since)
        tap.eq(lscd.proc.poll(), None, "lscd still running")
        tap.eq(lscd.proc.pid, pid, "the same process")
        status = clients[0].ok("status")
        tap.eq(status["clients"], 3, "every client still connected")
        tap.eq(status["device"]["connected"], True, "the device is connected")
        for c in clients:
            tap.eq(c.ok("ping")["ok"], True, "each client still served")
            tap.eq(c.events(), [], "no other event")
        tap.eq(len(sim.records("unplug")), cycles, "the simulator saw every unplug")


@tap.test
def battery_stops_answering():
    with running("--battery-mv", "7321", lscd_args=("--battery-timeout", "500")) as (sim, lscd):
        asker = lscd.client()
        other = lscd.client()
        sim.command("battery off")
        rid = asker.send_request("battery")
        tap.eq(other.ok("ping")["ok"], True, "another client is served meanwhile")
        tap.eq(error_of(asker.response(rid)), ("timeout", None), "the request times out")
        tap.check(sim.records("rx"), "the query did reach the board")
        sim.command("battery on")
        tap.eq(asker.ok("battery")["millivolts"], 7321, "the next request works")
        tap.eq(other.ok("battery")["millivolts"], 7321, "for every client")


tap.main()
