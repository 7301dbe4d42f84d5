#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: the device. Unplug and replug with clients connected
(events, pending requests answered, speeds re-applied before anything
else), a device absent at start, SIGUSR1, and the exclusive open."""

import os
import shutil
import signal
import tempfile

import tap
from lscdharness import Lscd, error_of, running
from simharness import Sim, hexbytes, valgrind_prefix


@tap.test
def unplug_and_replug_with_clients_connected():
    with running("--group", "8:60000", "--no-battery",
                 lscd_args=("--battery-timeout", "30000")) as (sim, lscd):
        watcher = lscd.client()
        worker = lscd.client()
        watcher.subscribe(["device.", "group.started"])
        worker.ok("group.speed", group="all", percent=200)
        worker.ok("group.speed", group=8, percent=50)
        wait_id = worker.send_request("group.run", group=8, runs=0, wait=True)
        watcher.wait_event("group.started")
        battery_id = worker.send_request("battery")
        sim.wait_for("rx", hexbytes("55 55 02 0F"))

        sim.unplug()
        ev = watcher.wait_event("device.disconnected")
        tap.eq((ev["device"]["connected"], ev["device"]["path"]), (False, sim.link),
               "disconnected event names the lost port")
        tap.check(ev["reason"], "it has a reason", ev)
        tap.eq(error_of(worker.response(wait_id)), ("device_lost", None), "wait answered")
        tap.eq(error_of(worker.response(battery_id)), ("device_lost", None), "battery answered")
        tap.eq(error_of(worker.request("move", servos=[{"id": 1, "position": 1500}],
                                       time_ms=0)), ("not_connected", None), "move refused")
        tap.eq(error_of(worker.request("battery")), ("not_connected", None), "battery refused")
        s = worker.ok("status")
        tap.eq((s["device"]["connected"], s["group"]), (False, None), "status")

        since = sim.mark()
        sim.replug()
        ev = watcher.wait_event("device.connected")
        tap.eq(ev["device"]["connected"], True, "connected event")
        worker.ok("move", servos=[{"id": 1, "position": 1500}], time_ms=0)
        rx = sim.wait_count("rx", 3, since=since)
        tap.eq([r.data for r in rx[:3]],
               [hexbytes("55 55 05 0B FF C8 00"), hexbytes("55 55 05 0B 08 32 00"),
                hexbytes("55 55 08 03 01 00 00 01 DC 05")],
               "speeds re-applied, in order, before the move")
        speeds = sim.state()["speeds"]
        tap.eq((speeds[8], speeds[3]), (50, 200), "the board has them again")


@tap.test
def device_absent_at_start():
    directory = tempfile.mkdtemp(prefix="lscd-absent-")
    link = os.path.join(directory, "lsc.pty")
    with Lscd(link) as lscd:
        c = lscd.client()
        tap.eq(c.hello["device"]["connected"], False, "hello says disconnected")
        tap.eq(c.hello["device"]["path"], link, "and names the path")
        tap.eq(error_of(c.request("group.stop")), ("not_connected", None), "not_connected")
        c.subscribe(["device.connected"])
        with Sim(directory=directory) as sim:
            c.wait_event("device.connected")
            c.ok("group.stop")
            sim.wait_for("rx", hexbytes("55 55 02 07"))
        tap.check("waiting" in lscd.stderr(), "the wait is logged", lscd.stderr())
    shutil.rmtree(directory, ignore_errors=True)


@tap.test
def auto_without_a_known_port_waits():
    # No USB serial bridge here (or not one with this id): lscd says so and
    # keeps serving, disconnected.
    with Lscd("auto", "--usb-id", "dead:beef", log_level="warning") as lscd:
        c = lscd.client()
        tap.eq((c.hello["device"]["requested"], c.hello["device"]["path"],
                c.hello["device"]["connected"]), ("auto", "auto", False), "hello")
        lscd.wait_log("<4>--device auto: no serial port with a known USB id (--usb-id dead:beef)")
        tap.eq(error_of(c.request("battery")), ("not_connected", None), "battery")
        lines = lscd.stderr().splitlines()
        tap.check(lines and all(l[:3] in ("<3>", "<4>") for l in lines),
                  "every line has its priority, none above --log-level warning", lines)


@tap.test
def sigusr1_reopens_the_device():
    with running() as (sim, lscd):
        c = lscd.client()
        c.subscribe(["device."])
        lscd.signal(signal.SIGUSR1)
        ev = c.wait_event("device.disconnected")
        tap.check("SIGUSR1" in ev["reason"], "reason names SIGUSR1", ev)
        c.wait_event("device.connected")
        c.ok("group.stop")
        sim.wait_for("rx", hexbytes("55 55 02 07"))


@tap.test
def a_second_lscd_is_refused_naming_the_port():
    with running() as (sim, lscd):
        second = Lscd(sim.link, wait=None)
        second.start()
        code = second.wait_exit()
        log = second.stderr()
        second.stop()
        tap.check(code != 0, "exits with failure", code)
        tap.check(sim.link in log, "the message names the port", log)
        tap.check("in use" in log, "and says it is in use", log)
        c = lscd.client()
        c.ok("group.stop")
        sim.wait_for("rx", hexbytes("55 55 02 07"))


@tap.test
def no_wakeups_while_connected_and_idle():
    if valgrind_prefix():
        raise tap.Skip("valgrind's own scheduling wakes the process")
    with running() as (sim, lscd):
        c = lscd.client()
        c.ok("ping")

        def switches():
            with open("/proc/%d/status" % lscd.proc.pid, encoding="ascii") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        return int(line.split()[1])
            raise AssertionError("no voluntary_ctxt_switches")
        c.collect(0.5)                    # let start-up work settle
        before = switches()
        c.collect(1.5)
        tap.eq(switches(), before, "lscd slept through 1.5 s of idleness")


tap.main()
