#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: board profiles (lscd --board, the robot file's board)
against lsc-sim --board bus and --firmware old. The exact wire bytes of
unload (CMD 20) and position reads (CMD 21), the reply's decoding into
logical positions, concurrent reads sharing one query, the timeout, the
"unsupported" refusal on an LSC board with nothing on the wire, and the
older firmware's reports (bus-servo-and-d6a.md)."""

import os
import signal
import subprocess

import tap
from lscctlharness import LSCCTL, TIMEOUT
from lscdharness import error_of, running
from simharness import hexbytes

BUS_ROBOT = """\
board: bus
servos:
  base:  {id: 1, min: 0, max: 1000}
  arm:   {id: 2, min: 100, max: 900, trim: 20, invert: true}
  grip:  {id: 3}
"""


def rx(sim, since=0, cmd=None):
    return [r.data for r in sim.records()[since:]
            if r.kind == "rx" and (cmd is None or r.data[3] == cmd)]


def positions(answer):
    return {p["id"]: p["position"] for p in answer["positions"]}


@tap.test
def unload_and_read_on_the_wire():
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        tap.eq(c.ok("unload", servos=[1, 2, 3])["servos"], [1, 2, 3], "unload answers its servos")
        sim.wait_for("rx", hexbytes("55 55 06 14 03 01 02 03"), since=since)
        sim.command("hand 1 250")
        sim.command("hand 2 700")
        got = c.ok("positions", servos=["base", "arm", "grip"])
        tap.eq(rx(sim, since, 0x15), [hexbytes("55 55 06 15 03 01 02 03")],
               "one position read, ids in order")
        tap.eq(got["positions"], [
            {"id": 1, "name": "base", "position": 250},
            # wire 700 = (1000 - logical) + 20: logical 320
            {"id": 2, "name": "arm", "position": 320},
            {"id": 3, "name": "grip", "position": 500},
        ], "logical positions: trim and inversion undone")
        servos = {s["id"]: s for s in c.ok("servos")["servos"]}
        tap.eq([servos[i]["target"] for i in (1, 2, 3)], [250, 320, 500],
               "the readings are the servos' targets")
        c.ok("move", servos=[{"id": 1, "delta": 100}], time_ms=0)
        tap.eq(sim.wait_for("rx", hexbytes("55 55 08 03 01 00 00 01 5E 01"), since=since).data[3],
               3, "a delta moves from the reading, 350 in a bus servo's units")
        tap.eq(c.ok("unload", servos="all")["servos"], list(range(1, 33)), "all: ids 1..32")
        sim.wait_for("rx", hexbytes("55 55 23 14 20 " + " ".join("%02X" % i for i in range(1, 33))),
                     since=since)
        tap.eq(c.ok("servos")["servos"][0]["target"], None, "unloaded: the target is unknown")


@tap.test
def bus_positions_are_0_to_1000():
    with running("--board", "bus", lscd_args=("--board", "bus")) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        c.ok("move", servos=[{"id": 4, "position": 0}, {"id": 5, "position": 1000}], time_ms=10)
        sim.wait_for("rx", hexbytes("55 55 0B 03 02 0A 00 04 00 00 05 E8 03"), since=since)
        tap.eq(error_of(c.request("move", servos=[{"id": 4, "position": 1001}], time_ms=10)),
               ("invalid_argument", "servos[0].position"), "1001 is outside a bus board's range")
        tap.eq(c.ok("robot")["board"], "bus", "robot names the board")


@tap.test
def concurrent_reads_share_one_query():
    # lsc-sim's PWM board never answers CMD 21, so every request surely
    # arrives while the query is pending; the replies are injected by hand.
    with running(lscd_args=("--board", "bus", "--battery-timeout", "30000")) as (sim, lscd):
        a, b = lscd.client(), lscd.client()
        r1 = a.send_request("positions", servos=[1, 2])
        r2 = a.send_request("positions", servos=[1])
        r3 = a.send_request("positions", servos=[2, 3])
        r4 = a.send_request("positions", servos=[3])
        a.ok("ping")
        r5 = b.send_request("positions", servos=[2, 1])
        b.ok("ping")
        sim.wait_for("rx", hexbytes("55 55 05 15 02 01 02"))
        sim.command("raw 55 55 09 15 02 01 F4 01 02 20 03")
        tap.eq(positions(a.response(r1)), {1: 500, 2: 800}, "first request")
        tap.eq(positions(a.response(r2)), {1: 500}, "a subset shares the query")
        tap.eq(positions(b.response(r5)), {1: 500, 2: 800}, "another client shares it")
        sim.wait_for("rx", hexbytes("55 55 05 15 02 02 03"))
        sim.command("raw 55 55 06 15 01 02 21 03")
        tap.eq(positions(a.response(r3)), {2: 801, 3: None},
               "the next query asks for what the rest want; a servo not reported is null")
        tap.eq(positions(a.response(r4)), {3: None}, "and answers every one of them")
        tap.eq(rx(sim, 0, 0x15), [hexbytes("55 55 05 15 02 01 02"), hexbytes("55 55 05 15 02 02 03")],
               "two queries for five requests")


@tap.test
def a_move_confirmed_by_reading():
    # lsc-sim's PWM board never answers CMD 21: the readings are injected.
    with running(lscd_args=("--board", "bus", "--battery-timeout", "30000")) as (sim, lscd):
        c = lscd.client()
        query = hexbytes("55 55 04 15 01 01")
        for reading, confirmed in ((605, True), (650, False)):
            since = sim.mark()
            rid = c.send_request("move", servos=[{"id": 1, "position": 600}], time_ms=0,
                                 wait=True, confirm=True, tolerance=10)
            sim.wait_for("rx", query, since=since)
            sim.command("raw 55 55 06 15 01 01 %02X %02X" % (reading & 255, reading >> 8))
            r = c.response(rid)
            tap.eq((r["completed"], r["confirmed"], r["positions"]),
                   (True, confirmed, [{"id": 1, "name": None, "position": reading}]),
                   "read %d for 600 within 10: confirmed %s" % (reading, confirmed))
        tap.eq(error_of(c.request("move", servos=[{"id": 1, "position": 600}], time_ms=0,
                                  confirm=True)), ("invalid_argument", "confirm"),
               "confirm needs wait")


@tap.test
def a_read_times_out():
    with running(lscd_args=("--board", "bus", "--battery-timeout", "300")) as (sim, lscd):
        c = lscd.client()
        code, _ = error_of(c.request("positions", servos=[1]))
        tap.eq(code, "timeout", "no reply: timeout")
        c.ok("ping")


@tap.test
def an_lsc_board_refuses_with_nothing_on_the_wire():
    with running() as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        for verb, args in (("unload", {"servos": [1]}), ("positions", {"servos": [1]}),
                           ("unload", {"servos": "all"}),
                           ("move", {"servos": [{"id": 1, "position": 1500}], "time_ms": 0,
                                     "wait": True, "confirm": True})):
            tap.eq(error_of(c.request(verb, **args)), ("unsupported", None),
                   "%s is unsupported" % verb)
        c.ok("move", servos=[{"id": 1, "position": 1500}], time_ms=0)
        sim.wait_for("rx", since=since)
        tap.eq([r[3] for r in rx(sim, since)], [3], "only the move reached the wire")


def wait_reads(sim, n):
    """n more position reads on the wire, so that the hand's position was
    sampled (a read at or after the hand command sees it)."""
    sim.wait_count("rx", n, since=sim.mark(), timeout=10)


@tap.test
def empty_servo_lists_and_two_teach_starts_are_refused():
    """Each of these aborted lscd (an assertion) before it was refused."""
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        for cmd, args in (("positions", {}), ("unload", {}), ("record.start",
                                                               {"name": "x", "teach": True}),
                          ("record.start", {"name": "y"})):
            tap.eq(error_of(c.request(cmd, servos=[], **args)), ("invalid_argument", "servos"),
                   "%s with servos []" % cmd)
        tap.eq(rx(sim, since), [], "nothing on the wire")
        # Two teach starts in one write: both pass the check before either
        # unload is written; the second is refused once it is.
        ids = [c.send_request("record.start", name=n, servos=["base"], teach=True)
               for n in ("one", "two")]
        answers = [c.response(i) for i in ids]
        tap.eq(sorted(a["ok"] for a in answers), [False, True], "one teach starts, one not")
        tap.eq(c.ok("ping")["ok"], True, "lscd still serves")
        c.request("record.stop")


@tap.test
def teach_then_replay():
    # lsc-sim's hand moves are instant; each is held for two reads, and the
    # replay must make the same moves: the positions the hand gave, in the
    # sampling period's time, one step per reading that changed.
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        period = c.ok("record.start", name="taught", servos=["base", "grip"], teach=True)["period_ms"]
        tap.eq(period, 100, "two servos are read every 100 ms (the wire's budget, recorder.c)")
        sim.wait_for("rx", hexbytes("55 55 05 14 02 01 03"), since=since)
        # One servo at a time: a read between two hand commands sees no
        # half-made pose.
        hand = [(250, 500), (600, 500), (600, 900), (0, 900), (0, 1000)]
        for base, grip in hand:
            wait_reads(sim, 2)
            sim.command("hand 1 %d" % base)
            sim.command("hand 3 %d" % grip)
        wait_reads(sim, 2)
        r = c.ok("record.stop")
        tap.eq(r["steps"], 6, "the rest pose, then one step per hand move")
        tap.eq(rx(sim, since, 0x14), [hexbytes("55 55 05 14 02 01 03")], "one unload")
        tap.check(all(x == hexbytes("55 55 05 15 02 01 03") for x in rx(sim, since, 0x15)),
                  "every read asks for servos 1 and 3")
        since = sim.mark()
        # It holds each pose as long as the hand did: as long as the reads
        # took on a loaded machine.
        c.ok("sequence.run", name="taught", wait=True, timeout=120)
        want = [bytes([0x55, 0x55, 11, 3, 2, period, 0, 1, b & 255, b >> 8, 3, g & 255, g >> 8])
                for b, g in [(500, 500)] + hand]
        tap.eq(rx(sim, since, 0x03), want, "the replay makes the hand's moves, 100 ms each")


@tap.test
def lscctl_teach():
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        since = sim.mark()
        proc = subprocess.Popen([LSCCTL, "-s", lscd.socket_path, "teach", "wave", "--servos",
                                 "base"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        sim.wait_for("rx", hexbytes("55 55 04 14 01 01"), since=since)
        wait_reads(sim, 1)
        sim.command("hand 1 200")
        wait_reads(sim, 2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        path = os.path.join(lscd.dir, "recordings", "wave.yaml")
        tap.eq((proc.returncode, out), (0, "recorded wave: 2 steps in %s\n" % path),
               "SIGINT stops teaching and writes the file")
        tap.check("every 100 ms" in err, "lscctl says the period", err)
        with open(path, encoding="utf-8") as f:
            steps = [line for line in f if line.startswith("  - ")]
        tap.check(steps[0].startswith("  - {servos: {base: 500}, time_ms: 100") and
                  steps[1].startswith("  - {servos: {base: 200}, time_ms: 100"),
                  "the rest position, then the hand's", steps)


@tap.test
def teach_needs_a_bus_board():
    with running() as (sim, lscd):
        c = lscd.client()
        tap.eq(error_of(c.request("record.start", name="t", servos=[1], teach=True)),
               ("unsupported", None), "refused on an LSC board")
        tap.eq(rx(sim), [], "nothing on the wire")


@tap.test
def older_firmware_reports():
    with running("--firmware", "old", "--group", "4:300") as (sim, lscd):
        c = lscd.client()
        w = lscd.client()
        w.subscribe(["group."])
        code, _ = error_of(c.request("group.run", group=4, runs=1, wait=True))
        sim.wait_for("tx", hexbytes("55 55 02 06"))
        tap.eq(code, "stopped", "a wait ends stopped at the board's STOP")
        started = w.wait_event("group.started")
        tap.eq((started["group"], started["runs"], started["source"]), (4, 1, "lscd"),
               "55 55 02 06 is the run lscd sent")
        stopped = w.wait_event("group.stopped")
        tap.eq((stopped["group"], stopped["reason"]), (4, "board"),
               "a STOP lscd did not send: reason board")
        sim.command("emit run 4 0")
        started = w.wait_event("group.started")
        tap.check("group" not in started and started["source"] == "external",
                  "a bare report lscd did not cause names no group", started)
        c.ok("group.stop")
        stopped = w.wait_event("group.stopped")
        tap.eq(stopped["reason"], "stop", "after lscd's STOP: reason stop")


tap.main()
