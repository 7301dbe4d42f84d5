#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The robot model end to end (lsc-sim + lscd with a robot file): named
moves on the wire with trim and inversion applied, limits refused before
the wire, waits that complete when the servos arrive and are preempted by
a later move or a group, deltas, speed limits, reloads that keep the old
model when the file is bad, and the state a restarted lscd reads back."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import tap
from lscdharness import ROBOT, Lscd, error_of, lscd_binary, running, valgrind_on
from simharness import Sim, hexbytes

def rx_since(sim, since):
    """The frames the board received after mark SINCE."""
    return [r.data for r in sim.records()[since:] if r.kind == "rx"]


def moved(sim, client, want_hex, **args):
    """Send a move; check it is ok and the board received WANT_HEX."""
    since = sim.mark()
    r = client.ok("move", **args)
    tap.eq(sim.wait_for("rx", since=since).data, hexbytes(want_hex), "on the wire: " + want_hex)
    return r


@tap.test
def a_named_move_writes_trim_and_inversion():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        # shoulder 1200 - 20 = 1180 (04 9C); elbow inverted: 3000 - 1000 = 2000.
        r = moved(sim, c, "55 55 0B 03 02 F4 01 01 9C 04 02 D0 07",
                  servos=[{"name": "shoulder", "position": 1200},
                          {"name": "elbow", "position": 1000}], time_ms=500)
        tap.eq(r["time_ms"], 500, "the time used")
        # An id still works, and a servo the file does not name is raw.
        moved(sim, c, "55 55 08 03 01 64 00 05 B0 04", servos=[{"id": 5, "position": 1200}],
              time_ms=100)


@tap.test
def out_of_limits_is_refused_before_the_wire():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        bad = [({"name": "shoulder", "position": 2400}, "servos[0].position"),
               ({"name": "gripper", "position": 1100}, "servos[0].position"),
               ({"id": 2, "position": 550}, "servos[0].position")]
        for servo, field in bad:
            r = c.request("move", servos=[servo], time_ms=100)
            tap.eq(error_of(r), ("out_of_limits", field), "refused: %r" % servo)
        r = c.request("move", servos=[{"name": "elbow", "position": 1500},
                                      {"name": "shoulder", "position": 2301}], time_ms=100)
        tap.eq(error_of(r), ("out_of_limits", "servos[1].position"), "one bad servo of two")
        tap.check("700..2300" in r["error"]["message"], "the message gives the limits", r)
        moved(sim, c, "55 55 08 03 01 64 00 06 D0 07", servos=[{"id": 6, "position": 2000}],
              time_ms=100)
        tap.eq(rx_since(sim, since), [hexbytes("55 55 08 03 01 64 00 06 D0 07")],
               "only the good move reached the wire")


@tap.test
def unknown_names_are_refused():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        tap.eq(error_of(c.request("move", servos=[{"name": "wrist", "position": 1500}],
                                  time_ms=1)), ("unknown_servo", "servos[0].name"), "servo")
        tap.eq(error_of(c.request("pose", name="dance")), ("unknown_pose", "name"), "pose")
        tap.eq(error_of(c.request("group.run", group="dance")), ("unknown_group", "group"),
               "group.run")
        tap.eq(error_of(c.request("group.speed", group="dance", percent=50)),
               ("unknown_group", "group"), "group.speed")
        tap.eq(error_of(c.request("move", servos=[{"name": "shoulder", "position": 1500},
                                                  {"id": 1, "position": 1500}], time_ms=1)),
               ("invalid_argument", "servos[1]"), "one servo twice, by name and id")
        c.ok("ping")
        tap.eq(rx_since(sim, since), [], "nothing reached the wire")


@tap.test
def groups_and_poses_by_name():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        since = sim.mark()
        tap.eq(c.ok("group.run", group="wave")["group"], 8, "wave is group 8")
        tap.eq(sim.wait_for("rx", since=since).data, hexbytes("55 55 05 06 08 01 00"), "RUN 8")
        since = sim.mark()
        c.ok("group.speed", group="bow", percent=50)
        tap.eq(sim.wait_for("rx", since=since).data, hexbytes("55 55 05 0B 03 32 00"),
               "speed of group 3")
        since = sim.mark()
        r = c.ok("pose", name="rest", time_ms=0)
        # shoulder 900 - 20 = 880 (03 70); elbow 3000 - 2100 = 900 (03 84).
        tap.eq(sim.wait_for("rx", since=since).data,
               hexbytes("55 55 0B 03 02 00 00 01 70 03 02 84 03"), "rest in one frame")
        tap.eq(r["time_ms"], 0, "the first move of a servo is not stretched")
        since = sim.mark()
        c.ok("pose", name="home", time_ms=1000)
        # shoulder 1480 (05 C8), elbow 1500 (05 DC), gripper 1500; shoulder
        # moves 600 at 1000 us/s: 600 ms, below the 1000 asked.
        tap.eq(sim.wait_for("rx", since=since).data,
               hexbytes("55 55 0E 03 03 E8 03 01 C8 05 02 DC 05 06 DC 05"), "home")


@tap.test
def max_speed_stretches_the_time():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        r = c.ok("move", servos=[{"name": "shoulder", "position": 800}], time_ms=0)
        tap.eq(r["time_ms"], 0, "unknown previous target: the requested time stands")
        r = c.ok("move", servos=[{"name": "shoulder", "position": 2000},
                                 {"name": "elbow", "position": 1500}], time_ms=300)
        tap.eq(r["time_ms"], 1200, "1200 us at 1000 us/s: 1200 ms")
        r = c.ok("move", servos=[{"name": "shoulder", "delta": -100}], time_ms=500)
        tap.eq(r["time_ms"], 500, "slow enough: as requested")


@tap.test
def deltas_start_from_the_last_target():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        r = c.request("move", servos=[{"id": 3, "delta": 100}], time_ms=0)
        tap.eq(error_of(r), ("unknown_position", "servos[0].delta"), "never moved")
        moved(sim, c, "55 55 08 03 01 00 00 03 DC 05", servos=[{"id": 3, "position": 1500}],
              time_ms=0)
        since = sim.mark()
        # Pipelined: the second delta starts from the first one's target.
        rids = [c.send_request("move", servos=[{"id": 3, "delta": d}], time_ms=0)
                for d in (100, 100, -50)]
        for rid in rids:
            tap.check(c.response(rid)["ok"], "delta accepted")
        sim.wait_count("rx", 3, since=since)
        tap.eq(rx_since(sim, since), [hexbytes("55 55 08 03 01 00 00 03 40 06"),
                                      hexbytes("55 55 08 03 01 00 00 03 A4 06"),
                                      hexbytes("55 55 08 03 01 00 00 03 72 06")],
               "1600, 1700, 1650")
        r = c.request("move", servos=[{"name": "gripper", "delta": 10}], time_ms=0)
        tap.eq(error_of(r)[0], "unknown_position", "by name too")
        moved(sim, c, "55 55 08 03 01 00 00 06 D0 07", servos=[{"name": "gripper",
                                                                "position": 2000}], time_ms=0)
        r = c.request("move", servos=[{"name": "gripper", "delta": 1}], time_ms=0)
        tap.eq(error_of(r), ("out_of_limits", "servos[0].delta"), "2000 + 1 > max 2000")
        c.ok("group.run", group=8)
        r = c.request("move", servos=[{"id": 3, "delta": 100}], time_ms=0)
        tap.eq(error_of(r)[0], "unknown_position", "a group ran: unknown again")


@tap.test
def a_wait_completes_when_the_servos_arrive():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        c.subscribe(["move."])
        for time_ms in (0, 150, 400):
            since = sim.mark()
            r = c.ok("move", servos=[{"name": "shoulder", "position": 1500 + time_ms},
                                     {"id": 9, "position": 1000}], time_ms=time_ms, wait=True)
            answered = time.monotonic()
            tap.eq(r.get("completed"), True, "completed (%d ms)" % time_ms)
            sim.wait_for("rx", since=since)       # read by the simulator, to date it
            arrival = sim.last_arrival([1, 9], monotonic=True)
            # The simulator dates a frame from when it read its last byte,
            # a little after lscd's clock says it left the wire.
            if not valgrind_on():
                tap.check(abs(answered - arrival) < 0.020, "within 20 ms of the servos' arrival "
                          "(%d ms): %+.4f s" % (time_ms, answered - arrival))
            ev = c.wait_event("move.completed")
            tap.eq((ev["servos"], ev["source"]), ([1, 9], "move"), "move.completed")
            sim.wait_until(lambda _: sim.state()["now"] >= arrival, "the arrival")
            tap.eq(sim.positions()[1], 1480 + time_ms, "the shoulder is there, trim applied")
            tap.eq(sim.positions()[9], 1000, "servo 9 is there")
        servos = {s["id"]: s for s in c.ok("servos")["servos"]}
        tap.eq((servos[1]["target"], servos[1]["moving"]), (1900, False), "servos: shoulder")
        tap.eq((servos[9]["name"], servos[9]["target"]), (None, 1000), "servos: raw id 9")
        tap.check(6 in servos and servos[6]["target"] is None, "gripper: named, never moved")


@tap.test
def a_wait_is_preempted_by_a_later_move_or_a_group():
    with running(robot=ROBOT) as (sim, lscd):
        c, other = lscd.client(), lscd.client()
        c.subscribe(["move."])
        rid = c.send_request("move", servos=[{"id": 1, "position": 1000},
                                             {"id": 2, "position": 1000}], time_ms=1500,
                             wait=True)
        sim.wait_count("rx", 1)
        other.ok("move", servos=[{"id": 2, "position": 2000}], time_ms=100)
        tap.eq(error_of(c.response(rid)), ("preempted", None), "a later move of servo 2")
        ev = c.wait_event("move.completed", timeout=5)
        tap.eq(ev["servos"], [2], "the later move completes first")
        ev = c.wait_event("move.completed", timeout=5)
        tap.eq(ev["servos"], [1], "servo 1 still completes the first move")
        since = sim.mark()
        rid = c.send_request("pose", name="rest", time_ms=2000, wait=True)
        sim.wait_count("rx", 1, since=since)    # the pose is on the wire before the group
        other.ok("group.run", group="wave")
        tap.eq(error_of(c.response(rid)), ("preempted", None), "a group run")
        targets = [s["target"] for s in c.ok("servos")["servos"]]
        tap.check(all(t is None for t in targets), "no target is known after a group", targets)
        tap.eq([m for m in c.collect(2.2) if m.get("event") == "move.completed"], [],
               "a preempted pose publishes nothing, even past its end")


@tap.test
def a_wait_ends_with_device_lost():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        rid = c.send_request("move", servos=[{"id": 1, "position": 1000}], time_ms=3000,
                             wait=True)
        sim.wait_count("rx", 1)
        sim.unplug()
        tap.eq(error_of(c.response(rid)), ("device_lost", None), "unplugged")


REST_SHOULDER_950 = ROBOT.replace("shoulder: 900", "shoulder: 950")


@tap.test
def a_bad_reload_keeps_the_old_model():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        c.subscribe(["robot."])
        lscd.write_robot(ROBOT + "  hop: 300\n")
        r = c.request("config.reload")
        tap.eq(error_of(r), ("invalid_config", None), "refused")
        want = lscd.robot_path + ":11: group hop must be an integer from 0 to 254"
        tap.eq(r["error"]["message"], want, "FILE:LINE: what")
        tap.eq(r["error"]["errors"], [want], "every error")
        tap.eq(c.ok("robot")["groups"], {"wave": 8, "bow": 3}, "the old model stays")
        lscd.write_robot(ROBOT.replace("gripper:  {id: 6", "gripper:  {id: 2"))
        r = c.request("config.reload")
        tap.check("id 2 is also servo elbow" in r["error"]["message"], "repeated id", r)
        lscd.write_robot(REST_SHOULDER_950)
        r = c.ok("config.reload")
        tap.eq(r["poses"]["rest"], {"shoulder": 950, "elbow": 2100}, "the new model")
        tap.eq(c.wait_event("robot.changed")["poses"]["rest"]["shoulder"], 950, "robot.changed")
        lscd.write_robot(ROBOT)
        lscd.signal(signal.SIGHUP)
        tap.eq(c.wait_event("robot.changed")["poses"]["rest"]["shoulder"], 900, "SIGHUP reloads")
        lscd.write_robot("servos: [")
        lscd.signal(signal.SIGHUP)
        lscd.wait_log("was not reloaded")
        tap.eq(c.ok("robot")["poses"]["rest"]["shoulder"], 900, "a bad file on SIGHUP: kept")
        os.unlink(lscd.robot_path)
        r = c.request("config.reload")
        tap.eq(error_of(r), ("invalid_config", None), "a file gone since start is an error")
        tap.check("No such file" in r["error"]["message"], "saying so", r)
        tap.eq(c.ok("robot")["groups"], {"wave": 8, "bow": 3}, "and the limits stay")
        os.mkfifo(lscd.robot_path)
        r = c.request("config.reload")
        tap.check(error_of(r)[0] == "invalid_config" and "not a regular file" in
                  r["error"]["message"], "a FIFO is refused, never waited on", r)
        tap.check(c.ok("ping"), "and lscd answers on")


@tap.test
def check_config_and_a_bad_file_at_start():
    d = tempfile.mkdtemp(prefix="lscd-robot-")
    try:
        good, bad = os.path.join(d, "good.yaml"), os.path.join(d, "bad.yaml")
        with open(good, "w") as f:
            f.write(ROBOT)
        with open(bad, "w") as f:
            f.write(ROBOT.replace("min: 700", "min: 2400") + "  9: 1\n")
        r = subprocess.run([lscd_binary(), "--check-config", good], capture_output=True,
                           text=True, timeout=30)
        tap.eq((r.returncode, r.stdout), (0, good + ": ok: 3 named servos, 2 poses, 2 groups\n"),
               "a good file")
        r = subprocess.run([lscd_binary(), "--check-config", bad], capture_output=True,
                           text=True, timeout=30)
        tap.eq(r.returncode, 2, "a bad file exits 2")
        tap.eq(r.stderr.splitlines(),
               [bad + ":3: servo shoulder: min 2400 is above max 2300",
                bad + ":7: pose rest: no servo is named \"shoulder\"",
                bad + ":11: group name \"9\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*, "
                      "at most 32 bytes)"], "every error with its line")
        example = os.path.join(os.environ.get("top_srcdir", "."), "man", "robot.yaml.example")
        r = subprocess.run([lscd_binary(), "--check-config", example], capture_output=True,
                           text=True, timeout=30)
        tap.eq((r.returncode, r.stdout.split(": ok: ")[1]),
               (0, "5 named servos, 5 poses, 2 groups\n"), "the installed example is valid")
        r = subprocess.run([lscd_binary(), "--check-config", os.path.join(d, "none.yaml")],
                           capture_output=True, text=True, timeout=30)
        tap.check(r.returncode == 2 and "No such file" in r.stderr, "a missing file", r.stderr)
        r = subprocess.run([lscd_binary(), "--device", "/dev/null-not-there", "--robot", bad,
                            "--socket", os.path.join(d, "s")], capture_output=True, text=True,
                           timeout=30)
        tap.eq(r.returncode, 2, "lscd does not start with a bad robot file")
        tap.check("not starting" in r.stderr and ":3: servo shoulder" in r.stderr,
                  "and says why", r.stderr)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@tap.test
def state_survives_a_restart():
    d = tempfile.mkdtemp(prefix="lscd-state-")
    try:
        with Sim() as sim:
            with Lscd(sim.link, directory=d, robot=ROBOT) as lscd:
                c = lscd.client()
                c.ok("group.speed", group=8, percent=50)
                c.ok("move", servos=[{"name": "shoulder", "position": 1200}], time_ms=100,
                     wait=True)
            with Lscd(sim.link, directory=d) as lscd:
                c = lscd.client()
                lscd.wait_log("Restored the state")
                servos = {s["id"]: s for s in c.ok("servos")["servos"]}
                tap.eq(servos[1]["target"], 1200, "the target survives")
                r = c.request("move", servos=[{"name": "shoulder", "delta": 100}], time_ms=0)
                tap.eq(r.get("time_ms"), 100, "so do deltas and speed limits")
                c.subscribe(["device."])
                since = sim.mark()
                sim.unplug()
                sim.replug()
                c.wait_event("device.connected")
                tap.eq(sim.wait_for("rx", hexbytes("55 55 05 0B 08 32 00"), since=since).data,
                       hexbytes("55 55 05 0B 08 32 00"), "the speed is re-applied after a "
                       "power cycle that follows the restart")
                servos = {s["id"]: s for s in c.ok("servos")["servos"]}
                tap.eq(servos[1]["target"], None, "a power cycle forgets the targets")
            with open(os.path.join(d, "state.json"), "w") as f:
                f.write('{"version":1,"boot_id":')
            with Lscd(sim.link, directory=d) as lscd:
                lscd.wait_log("is damaged")
                tap.check(lscd.client().ok("ping"), "a damaged state never stops lscd")
    finally:
        shutil.rmtree(d, ignore_errors=True)


tap.main()
