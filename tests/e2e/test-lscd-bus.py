#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: board profiles (lscd --board, the robot file's board)
against lsc-sim --board bus and --firmware old. The exact wire bytes of
unload (CMD 20) and position reads (CMD 21), the reply's decoding into
logical positions, concurrent reads sharing one query, the timeout, the
"unsupported" refusal on an LSC board with nothing on the wire, and the
older firmware's reports (bus-servo-and-d6a.md)."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import tap
from lscctlharness import LSCCTL, TIMEOUT
from lscdharness import Lscd, error_of, running
from simharness import Sim, hexbytes

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


def target_of(client, servo):
    """The target servos lists for SERVO, None when unknown or not listed."""
    return next((s["target"] for s in client.ok("servos")["servos"] if s["id"] == servo), None)


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
        # The first step comes from wherever the arm is: 2 s for the whole
        # range (recorder.c), then the hand's moves in the period's time.
        want = [bytes([0x55, 0x55, 11, 3, 2, t & 255, t >> 8, 1, b & 255, b >> 8, 3, g & 255,
                       g >> 8])
                for t, (b, g) in zip([2000] + [period] * len(hand), [(500, 500)] + hand)]
        tap.eq(rx(sim, since, 0x03), want, "the replay approaches the first pose in 2 s, then "
               "makes the hand's moves, 100 ms each")


@tap.test
def taught_positions_stay_within_the_limits():
    """A hand may move a servo past its limits (and a trim makes wire 0 a
    logical -20): positions says so ("outside_limits"), and teach keeps
    each sample at the limit, counting them ("clamped"), so that the
    sequence it writes always plays."""
    robot = "board: bus\nservos:\n  base: {id: 1, min: 100, max: 900, trim: 20}\n"
    with running("--board", "bus", robot=robot) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        c.ok("record.start", name="wide", servos=["base"], teach=True, replace=True)
        sim.wait_for("rx", hexbytes("55 55 04 14 01 01"), since=since)
        for wire in (0, 980, 520):
            wait_reads(sim, 2)
            sim.command("hand 1 %d" % wire)
        wait_reads(sim, 2)
        r = c.ok("record.stop")
        tap.check(r["clamped"] >= 2, "samples past the limits are counted", r)
        sim.command("hand 1 0")
        got = c.ok("positions", servos=["base"])["positions"][0]
        tap.eq((got["position"], got.get("outside_limits")), (-20, True),
               "positions says a reading is outside the limits")
        c.ok("sequence.run", name="wide", wait=True, timeout=120)
        with open(os.path.join(lscd.dir, "recordings", "wide.yaml"), encoding="utf-8") as f:
            text = f.read()
        tap.check("base: 100}" in text and "base: 900}" in text and "base: 500}" in text,
                  "kept at 100 and 900, and 500 (wire 520) as read", text)


@tap.test
def teach_survives_a_power_cycle():
    """The board unplugged and back during teach mode comes back with its
    servos under torque: lscd unloads them again, and teach keeps
    recording what the hand does."""
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        c.ok("record.start", name="cycle", servos=["base"], teach=True, replace=True)
        sim.wait_for("rx", hexbytes("55 55 04 14 01 01"), since=since)
        sim.unplug()
        back = sim.mark()
        sim.replug()
        sim.wait_for("rx", hexbytes("55 55 04 14 01 01"), since=back)
        tap.eq(len(rx(sim, since, 0x14)), 2, "the unload is sent again")
        wait_reads(sim, 2)
        sim.command("hand 1 300")
        wait_reads(sim, 2)
        tap.check(c.ok("record.stop")["steps"] >= 1, "the hand's move was recorded")


@tap.test
def teach_on_a_silent_board():
    """A board that never answers the reads: record.stop stops the
    recording all the same and says so, with the periods skipped."""
    with running("--board", "lsc", robot=BUS_ROBOT) as (sim, lscd):
        c = lscd.client()
        c.ok("record.start", name="mute", servos=["base"], teach=True, replace=True)
        wait_reads(sim, 3)
        first = c.request("record.stop")
        tap.eq(error_of(first)[0], "invalid_argument", "nothing was recorded: an error")
        tap.check("stopped" in first["error"]["message"] and
                  "teach periods read nothing" in first["error"]["message"],
                  "its message says the recording stopped, and the periods skipped", first)
        again = c.request("record.stop")
        tap.eq(again["error"]["message"], "no recording runs", "the recording stopped")


@tap.test
def teach_and_unload_respect_claims():
    """Teach mode unloads its servos: while another client claims one, it
    is refused as a move of it is, and so is unload; nothing reaches the
    wire. The holder may teach its own servos."""
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        holder, other = lscd.client(), lscd.client()
        holder.ok("claim", servos=["base"])
        since = sim.mark()
        move = other.request("move", servos=[{"name": "base", "position": 400}], time_ms=0)
        tap.eq(error_of(move), ("claimed", None), "a move of a claimed servo is refused")
        for verb, args in (("record.start", {"name": "t", "servos": ["grip", "base"],
                                             "teach": True}),
                           ("unload", {"servos": ["grip", "base"]}),
                           ("unload", {"servos": "all"})):
            r = other.request(verb, **args)
            tap.eq((error_of(r), r["error"].get("holder")), (error_of(move), move["error"]["holder"]),
                   "%s %s: refused as the move" % (verb, args["servos"]))
        tap.eq(error_of(other.request("record.stop")), ("invalid_argument", None),
               "no recording began")
        tap.eq(rx(sim, since), [], "nothing on the wire")
        tap.eq(holder.ok("record.start", name="mine", servos=["base"], teach=True)["period_ms"],
               100, "the holder teaches its own servo")
        sim.wait_for("rx", hexbytes("55 55 04 14 01 01"), since=since)
        holder.request("record.stop")


@tap.test
def pipelined_teach_start_and_stop():
    """Requests are read in order: a teach record.start runs from the moment
    it is read, so the record.stop read next stops it (even with its unload
    still queued) and a later record.start is not refused for it; each
    answered ok had its unload written, and no answer is an error after
    something reached the wire."""
    with running(robot=BUS_ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        lines = [{"cmd": "record.start", "id": 1, "name": "ss", "servos": [1], "teach": True,
                  "replace": True},
                 {"cmd": "record.stop", "id": 2},
                 {"cmd": "record.start", "id": 3, "name": "ss2", "servos": [1], "replace": True}]
        c.send_raw("".join(json.dumps(x) + "\n" for x in lines).encode())
        first, stop, third = (c.response(i) for i in (1, 2, 3))
        tap.check(first["ok"], "the teach start: ok, its unload written", first)
        tap.check(stop["ok"] or "no recording runs" not in stop["error"]["message"],
                  "record.stop stopped the teach recording", stop)
        tap.check(third["ok"], "the next record.start: ok", third)
        sim.wait_for("rx", hexbytes("55 55 04 14 01 01"), since=since)
        c.ok("move", servos=[{"id": 1, "position": 400}], time_ms=0)
        stopped = c.ok("record.stop")
        tap.eq((stopped["name"], stopped["steps"]), ("ss2", 1), "the second recording ran")
        tap.eq(len(rx(sim, since, 0x14)), 1, "one unload on the wire")


@tap.test
def readings_outside_the_range_are_not_positions():
    """A position the board reports outside its range is outside input: the
    client sees null (as for a servo not reported), and no target is
    taken from it, nor from a reading past the servo's limits. lscd once
    reached an assertion planning a move from such a reading with a
    speed limit."""
    robot = "board: bus\nservos:\n  base: {id: 1, min: 100, max: 900, max_speed: 100}\n"
    query = hexbytes("55 55 04 15 01 01")
    with running(lscd_args=("--battery-timeout", "30000"), robot=robot) as (sim, lscd):
        c = lscd.client()

        def read(wire):
            since = sim.mark()
            rid = c.send_request("positions", servos=["base"])
            sim.wait_for("rx", query, since=since)
            sim.command("raw 55 55 06 15 01 01 %02X %02X" % (wire & 255, wire >> 8))
            return c.response(rid)["positions"]

        tap.eq(read(0xFFFF), [{"id": 1, "name": "base", "position": None}],
               "65535 on a bus board: null")
        tap.eq(read(1001), [{"id": 1, "name": "base", "position": None}], "1001: null")
        tap.eq(c.ok("move", servos=[{"name": "base", "position": 500}], time_ms=0,
                    wait=True)["time_ms"], 0, "a move from an unknown position is not stretched")
        tap.eq(read(950), [{"id": 1, "name": "base", "position": 950, "outside_limits": True}],
               "950, past the limits 100..900, is what the board says")
        tap.eq(c.ok("servos")["servos"][0]["target"], 500, "but not a target")
        tap.eq(c.ok("move", servos=[{"name": "base", "position": 100}], time_ms=0)["time_ms"],
               4000, "the next move is planned from 500 at 100 a second")
        c.ok("ping")


@tap.test
def a_stop_never_waits_behind_a_position_query():
    """A position query (up to 38 ms of the line) takes its turn among
    the clients' frames: a STOP requested after it still goes first."""
    big = [{"id": i, "position": 500} for i in range(1, 33)]
    with running(lscd_args=("--board", "bus", "--battery-timeout", "30000")) as (sim, lscd):
        a, b = lscd.client(), lscd.client()
        since = sim.mark()
        # Half a second of moves of 32 servos keep the line busy.
        for _ in range(5):
            a.send_request("move", servos=big, time_ms=100)
        a.ok("ping")            # the moves are read: queued ahead of the query
        # The query and the STOP in one write: lscd reads them together.
        b.send_raw(b'{"cmd":"positions","id":"q","servos":[1]}\n{"cmd":"group.stop","id":"s"}\n')
        rid = "q"
        tap.eq(b.response("s")["ok"], True, "group.stop answered")
        sim.wait_for("rx", hexbytes("55 55 04 15 01 01"), since=since)
        order = [r[3] for r in rx(sim, since) if r[3] in (0x07, 0x15)]
        tap.eq(order, [0x07, 0x15], "the STOP before the query")
        sim.command("raw 55 55 06 15 01 01 F4 01")
        tap.eq(b.response(rid)["positions"][0]["position"], 500, "the query is answered")


@tap.test
def a_confirm_reads_after_the_move():
    """A confirm never shares a query sent while the move still ran: it
    waits for the next one."""
    query = hexbytes("55 55 04 15 01 01")
    with running(lscd_args=("--board", "bus", "--battery-timeout", "30000")) as (sim, lscd):
        a, b, w = lscd.client(), lscd.client(), lscd.client()
        w.subscribe(["move."])
        since = sim.mark()
        early = b.send_request("positions", servos=[1])
        sim.wait_for("rx", query, since=since)
        rid = a.send_request("move", servos=[{"id": 1, "position": 600}], time_ms=0, wait=True,
                             confirm=True, tolerance=10)
        w.wait_event("move.completed")
        since = sim.mark()
        sim.command("raw 55 55 06 15 01 01 2C 01")
        tap.eq(b.response(early)["positions"][0]["position"], 300, "the early query: 300")
        sim.wait_for("rx", query, since=since)
        sim.command("raw 55 55 06 15 01 01 58 02")
        r = a.response(rid)
        tap.eq((r["confirmed"], r["positions"][0]["position"]), (True, 600),
               "the confirm read the next query: 600")


@tap.test
def teach_reads_never_pile_up():
    """While a teach read is outstanding (the PWM board never answers),
    the periods that pass queue no more reads; record.stop says how many
    it skipped."""
    query = hexbytes("55 55 04 15 01 01")
    with running(lscd_args=("--battery-timeout", "30000"), robot=BUS_ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        c.ok("record.start", name="slow", servos=["base"], teach=True)
        sim.wait_for("rx", query, since=since)
        time.sleep(1)   # ten periods: a chance for reads to pile up
        sim.command("raw 55 55 06 15 01 01 2C 01")
        # The unload, the first read, and the next, once the reply was read.
        sim.wait_count("rx", 3, since=since, timeout=10)
        r = c.ok("record.stop")
        tap.check(r["skipped"] >= 1 and r["steps"] == 1, "periods skipped, one sample", r)
        records = sim.records()[since:]
        before = next(i for i, rec in enumerate(records) if rec.kind == "tx-raw")
        tap.eq([rec.data for rec in records[:before] if rec.kind == "rx" and rec.data[3] == 0x15],
               [query], "one read on the wire until the reply")


@tap.test
def a_board_change_ends_teach_mode_and_reads():
    """A reload that makes the board an LSC board ends teach mode (its
    recording written, named in robot.changed) and answers the position
    reads still waiting; no read reaches the PWM board after."""
    query = hexbytes("55 55 04 15 01 01")
    with running(lscd_args=("--battery-timeout", "30000"), robot=BUS_ROBOT) as (sim, lscd):
        c, w = lscd.client(), lscd.client()
        w.subscribe(["robot."])
        since = sim.mark()
        c.ok("record.start", name="cut", servos=["base"], teach=True)
        sim.wait_for("rx", query, since=since)
        since = sim.mark()
        sim.command("raw 55 55 06 15 01 01 2C 01")
        # The next period reads again only once this reply was taken.
        sim.wait_for("rx", query, since=since)
        rid = c.send_request("positions", servos=["base", "grip"])
        c.ok("ping")
        lscd.write_robot("servos:\n  shoulder: {id: 1}\n")
        c.ok("config.reload")
        tap.eq(error_of(c.response(rid)), ("cancelled", None), "a waiting read: cancelled")
        ended = w.wait_event("robot.changed")["recording_ended"]
        path = os.path.join(lscd.dir, "recordings", "cut.yaml")
        tap.eq((ended["name"], ended["path"], ended["steps"]), ("cut", path, 1),
               "robot.changed names the recording, written")
        with open(path, encoding="utf-8") as f:
            steps = [line for line in f if line.startswith("  - ")]
        tap.eq(steps, ["  - {servos: {base: 300}, time_ms: 2000, hold_ms: 0}\n"],
               "written with the names and limits it was recorded with")
        tap.eq(error_of(c.request("record.stop")), ("invalid_argument", None),
               "no recording runs")
        # The line keeps its order: what lscd wrote before the reload is
        # on it before this move.
        c.ok("move", servos=[{"name": "shoulder", "position": 1500}], time_ms=0)
        sim.wait_for("rx", hexbytes("55 55 08 03 01 00 00 01 DC 05"))
        since = sim.mark()
        time.sleep(0.5)  # five teach periods
        c.ok("move", servos=[{"name": "shoulder", "position": 1600}], time_ms=0)
        sim.wait_for("rx", hexbytes("55 55 08 03 01 00 00 01 40 06"), since=since)
        tap.eq(rx(sim, since, 0x15), [], "no read after the change")


@tap.test
def a_query_queued_at_a_board_change_never_reaches_the_wire():
    """A position query still queued behind clients' moves when a reload
    makes the board an LSC board is taken back: its request is answered
    cancelled, and command 21 never reaches the PWM board."""
    big = [{"id": i, "position": 500} for i in range(4, 33)]
    with running(lscd_args=("--battery-timeout", "30000"), robot=BUS_ROBOT) as (sim, lscd):
        movers = [lscd.client() for _ in range(4)]
        b, c = lscd.client(), lscd.client()
        since = sim.mark()
        # Almost a second of the line: the query waits its turn behind
        # one move of each mover.
        ids = [[m.send_request("move", servos=big, time_ms=t) for t in (100, 200)]
               for m in movers]
        rid = b.send_request("positions", servos=["base"])
        b.ok("ping")
        lscd.write_robot("servos:\n  base: {id: 1}\n")
        c.ok("config.reload")
        tap.eq(error_of(b.response(rid)), ("cancelled", None), "the read: cancelled")
        answers = [m.response(i) for m, pair in zip(movers, ids) for i in pair]
        tap.check(all(r["ok"] or r["error"]["code"] == "cancelled" for r in answers),
                  "the movers' moves: written, or cancelled (bus units)", answers)
        c.ok("move", servos=[{"name": "base", "position": 1500}], time_ms=0)
        sim.wait_for("rx", hexbytes("55 55 08 03 01 00 00 01 DC 05"), since=since, timeout=30)
        tap.eq(rx(sim, since, 0x15), [], "no query on the wire")
        tap.eq(len(rx(sim, since, 0x03)), 1 + sum(r["ok"] for r in answers),
               "the moves answered ok were written, no other")


@tap.test
def a_board_change_cancels_what_was_planned_for_the_old_board():
    """A reload that makes the board an LSC board drops every frame still
    queued that was planned for the bus board (moves in its units, the
    unload, the confirm's read), answering each cancelled; a confirmed move
    already written, waiting for its end, is answered cancelled too (not
    preempted), and neither command 20 nor 21 reaches the PWM board."""
    big = [{"id": i, "position": 500} for i in range(4, 33)]
    with running(lscd_args=("--battery-timeout", "30000"), robot=BUS_ROBOT) as (sim, lscd):
        a, b, c = lscd.client(), lscd.client(), lscd.client()
        since = sim.mark()
        waiting = b.send_request("move", servos=[{"id": 3, "position": 600}], time_ms=3000,
                                 wait=True, confirm=True)
        sim.wait_for("rx", hexbytes("55 55 08 03 01 B8 0B 03 58 02"), since=since)
        moves = [a.send_request("move", servos=big, time_ms=100) for _ in range(4)]
        unload = a.send_request("unload", servos=[1])
        confirm = a.send_request("move", servos=[{"id": 1, "position": 600}], time_ms=0,
                                 wait=True, confirm=True)
        a.ok("ping")
        lscd.write_robot("servos:\n  base: {id: 1}\n")
        c.ok("config.reload")
        tap.eq(error_of(b.response(waiting))[0], "cancelled",
               "a confirmed move waiting for its end: cancelled")
        tap.eq(error_of(a.response(unload))[0], "cancelled", "the queued unload: cancelled")
        tap.eq(error_of(a.response(confirm))[0], "cancelled", "the queued confirmed move too")
        answers = [a.response(m) for m in moves]
        tap.check(any(not r["ok"] and r["error"]["code"] == "cancelled" for r in answers),
                  "queued moves in bus units: cancelled", answers)
        written = sum(1 for r in answers if r["ok"])
        c.ok("move", servos=[{"name": "base", "position": 1500}], time_ms=0)
        sim.wait_for("rx", hexbytes("55 55 08 03 01 00 00 01 DC 05"), since=since)
        tap.eq(len(rx(sim, since, 0x03)), 2 + written, "only the moves answered ok were written")
        tap.eq(rx(sim, since, 0x14) + rx(sim, since, 0x15), [], "no unload nor read on the wire")


@tap.test
def state_of_another_board_is_ignored():
    """The state file names its board: a restart with another --board
    ignores it (positions in other units), saying so once."""
    d = tempfile.mkdtemp(prefix="lscd-state-")
    try:
        with Sim() as sim:
            with Lscd(sim.link, "--board", "bus", directory=d) as lscd:
                lscd.client().ok("move", servos=[{"id": 1, "position": 600}], time_ms=0,
                                 wait=True)
            with Lscd(sim.link, directory=d) as lscd:
                c = lscd.client()
                lscd.wait_log("saved for another board")
                tap.eq(target_of(c, 1), None, "600 of a bus board is no target on an LSC board")
                tap.eq(lscd.stderr().count("saved for another board"), 1, "said once")
                c.ok("move", servos=[{"id": 1, "position": 1600}], time_ms=0, wait=True)
            with Lscd(sim.link, directory=d) as lscd:
                lscd.wait_log("Restored the state")
                tap.eq(target_of(lscd.client(), 1), 1600, "the same board's state is restored")
    finally:
        shutil.rmtree(d, ignore_errors=True)


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
        tap.check(steps[0].startswith("  - {servos: {base: 500}, time_ms: 2000") and
                  steps[1].startswith("  - {servos: {base: 200}, time_ms: 100"),
                  "the rest position, then the hand's", steps)


def lscctl(lscd, *args):
    return subprocess.run([LSCCTL, "-s", lscd.socket_path, *args], capture_output=True, text=True,
                          timeout=TIMEOUT)


@tap.test
def lscctl_teach_refuses_an_empty_servo():
    """lscctl teach --servos 1,,2: a usage error (2), nothing sent."""
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        since = sim.mark()
        for servos in ("1,,2", ",1", "1,"):
            p = lscctl(lscd, "teach", "wave", "--servos", servos)
            tap.eq(p.returncode, 2, "--servos %s: usage error" % servos)
            tap.check("empty item" in p.stderr, "saying so", p.stderr)
        lscd.client().ok("ping")
        tap.eq(rx(sim, since, 0x14), [], "nothing unloaded")


@tap.test
def lscctl_positions_are_checked_by_lscd():
    """lscctl move sends any position a frame can carry; lscd checks it
    against its board: 0 on a bus board, 499 refused on an LSC board."""
    with running("--board", "bus", lscd_args=("--board", "bus")) as (sim, lscd):
        since = sim.mark()
        p = lscctl(lscd, "move", "-t", "0", "1:0", "2:1000")
        tap.eq((p.returncode, p.stderr), (0, ""), "lscctl move 1:0 2:1000 on a bus board")
        sim.wait_for("rx", hexbytes("55 55 0B 03 02 00 00 01 00 00 02 E8 03"), since=since)
        p = lscctl(lscd, "move", "1:1001")
        tap.check(p.returncode == 1 and "outside the board's positions 0..1000" in p.stderr,
                  "1001: lscd's refusal, exit 1", p.stderr)
    with running() as (sim, lscd):
        p = lscctl(lscd, "move", "1:499")
        tap.check(p.returncode == 1 and "outside the board's positions 500..2500" in p.stderr,
                  "499 on an LSC board: lscd's refusal, exit 1", p.stderr)
        tap.eq(rx(sim), [], "nothing on the wire")


@tap.test
def lscctl_unload_and_positions():
    with running("--board", "bus", robot=BUS_ROBOT) as (sim, lscd):
        since = sim.mark()
        p = lscctl(lscd, "unload", "base", "2")
        tap.eq((p.returncode, p.stdout), (0, "unloaded: 1 2\n"), "lscctl unload base 2")
        sim.wait_for("rx", hexbytes("55 55 05 14 02 01 02"), since=since)
        sim.command("hand 1 250")
        p = lscctl(lscd, "positions")
        tap.eq((p.returncode, p.stdout), (0, "1 base 250\n2 arm 520\n3 grip 500\n"),
               "lscctl positions: the named servos, logical")
        p = lscctl(lscd, "--json", "positions", "1")
        tap.eq((p.returncode, [x["position"] for x in json.loads(p.stdout)["positions"]]),
               (0, [250]), "--json, one servo")
        p = lscctl(lscd, "unload", "all")
        tap.eq((p.returncode, p.stdout.split()[:3]), (0, ["unloaded:", "1", "2"]), "unload all")
        p = lscctl(lscd, "unload")
        tap.eq(p.returncode, 2, "unload names its servos")
    with running() as (sim, lscd):
        p = lscctl(lscd, "positions", "1")
        tap.check(p.returncode == 1 and "unsupported" in p.stderr,
                  "an LSC board: unsupported, exit 1", p.stderr)


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


@tap.test
def a_stop_written_before_the_runs_echo_is_lscds():
    """group.stop or halt written right after group.run, before the board's
    echo of the run came back: its report is still the STOP lscd wrote
    (reason stop, by), on both firmwares."""
    for firmware in ("new", "old"):
        for stop in ("group.stop", "halt"):
            with running("--firmware", firmware, "--group", "3:5000") as (sim, lscd):
                c, w = lscd.client(), lscd.client()
                c.ok("hello", name="stopper")
                w.subscribe(["group.stopped"])
                c.send_raw((json.dumps({"cmd": "group.run", "id": 1, "group": 3}) + "\n" +
                            json.dumps({"cmd": stop, "id": 2}) + "\n").encode())
                c.response(1)
                c.response(2)
                stopped = w.wait_event("group.stopped")
                tap.eq((stopped["reason"], stopped.get("by", {}).get("name")), ("stop", "stopper"),
                       "%s firmware, %s: reason stop, by its sender" % (firmware, stop))


tap.main()
