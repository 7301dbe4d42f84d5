#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscctl and the robot model, against lsc-sim + lscd with a robot file:
move by name and id with positions and changes (the exact bytes on the
wire, trim and inversion applied), refusals that send nothing (limits,
unknown names, unknown positions) with exit status 1, usage errors with 2,
move and pose --wait, servos, robot, reload (a bad file: every error
printed, exit 1, the old model kept), groups by name, bash completion of
names with and without lscd, and the examples of lscctl(1) and
lscd-robot(5) run as written."""

import os
import re
import shlex
import signal

import tap
from lscctlharness import SRC, against_fake, complete, json_lines, lscctl, ok, popen, status_is
from lscdharness import running, wait_until
from simharness import hexbytes


def robot_of_the_manual():
    """The example robot file of lscd-robot(5)."""
    with open(os.path.join(SRC, "man", "lscd-robot.5"), encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"^\.SH EXAMPLE\n\.EX\n(.*?)^\.EE\n", text, re.S | re.M).group(1)
    return block.replace("\\-", "-")


# The robot file of lscd-robot(5) (shoulder: id 1, trim -20, max_speed
# 1000; elbow: id 2, inverted; gripper: id 6; the pose rest; the group
# wave, 8), with a second group.
ROBOT = robot_of_the_manual() + "  bow: 3\n"

# Groups the simulator has: 8 (wave) and 3 (bow), short.
SIM_GROUPS = ("--group", "8:100", "--group", "3:100")


def robot_running(robot=ROBOT):
    return running(*SIM_GROUPS, robot=robot)


def rx_since(sim, since):
    """The frames the board received after mark SINCE."""
    return [r.data for r in sim.records()[since:] if r.kind == "rx"]


def frames_out(lscd):
    with lscd.client() as c:
        return c.ok("status")["counters"]["frames_out"]


def refused(sim, lscd, args, status, *messages):
    """Run lscctl ARGS: it must exit with STATUS, say each of MESSAGES on
    stderr, and nothing may reach the board."""
    before, mark = frames_out(lscd), sim.mark()
    p = lscctl(lscd, *args)
    what = "lscctl %s" % " ".join(args)
    status_is(p, status, what)
    tap.eq(p.stdout, "", what + ": nothing on stdout")
    for m in messages:
        tap.check(m in p.stderr, "%s: stderr says %r" % (what, m), p.stderr)
    tap.eq(frames_out(lscd), before, what + ": lscd wrote nothing")
    tap.eq(rx_since(sim, mark), [], what + ": nothing reached the board")
    return p


def moved(sim, lscd, args, out, wire):
    """Run lscctl ARGS: exit 0, OUT on stdout, and the frame WIRE (hex) on
    the wire."""
    mark = sim.mark()
    tap.eq(ok(lscd, *args), out, "output of lscctl %s" % " ".join(args))
    sim.wait_for("rx", hexbytes(wire), since=mark)


@tap.test
def a_named_move_writes_trim_and_inversion():
    with robot_running() as (sim, lscd):
        # shoulder 1200 - 20 = 1180 (04 9C), elbow 3000 - 1000 = 2000 (07 D0)
        moved(sim, lscd, ("move", "shoulder:1200", "elbow:1000", "-t", "500"), "time 500 ms\n",
              "55 55 0B 03 02 F4 01 01 9C 04 02 D0 07")
        # An id works as before, for a named servo (its trim applies) and
        # for one the file does not name.
        moved(sim, lscd, ("move", "1:1300", "3:2000", "-t", "100"), "time 100 ms\n",
              "55 55 0B 03 02 64 00 01 00 05 03 D0 07")
        # Names and ids in any order; --json prints lscd's answer.
        mark = sim.mark()
        r = json_lines(ok(lscd, "--json", "move", "4:900", "gripper:1300", "--time", "20"))
        tap.eq((len(r), r[0]["ok"], r[0]["time_ms"]), (1, True, 20), "--json answer")
        sim.wait_for("rx", hexbytes("55 55 0B 03 02 14 00 04 84 03 06 14 05"), since=mark)


@tap.test
def changes_start_from_the_last_target():
    with robot_running() as (sim, lscd):
        ok(lscd, "move", "shoulder:1200", "elbow:1000", "3:1500", "-t", "0")
        # shoulder 1300 - 20, elbow 3000 - 950, servo 3 1450
        moved(sim, lscd, ("move", "shoulder:+100", "elbow:-50", "3:-50", "-t", "100"),
              "time 100 ms\n", "55 55 0E 03 03 64 00 01 00 05 02 02 08 03 AA 05")
        moved(sim, lscd, ("move", "shoulder:+0", "-t", "0"), "time 0 ms\n",
              "55 55 08 03 01 00 00 01 00 05")
        # A change of a servo lscd never moved, named or not.
        for servo in ("gripper", "4"):
            refused(sim, lscd, ("move", servo + ":+10"), 1, "unknown_position",
                    "its position is unknown")
        # A change that leaves the limits: 1300 + 1001 > 2300.
        refused(sim, lscd, ("move", "shoulder:+1001"), 1, "out_of_limits",
                "outside its limits 700..2300")
        # A group moves the servos where lscd cannot follow.
        ok(lscd, "run", "wave", "--wait")
        refused(sim, lscd, ("move", "shoulder:+10"), 1, "unknown_position")


@tap.test
def out_of_limits_is_refused_before_the_wire():
    with robot_running() as (sim, lscd):
        p = refused(sim, lscd, ("move", "shoulder:2400"), 1)
        tap.eq(p.stderr, "lscctl move: shoulder 1: 2400 is outside its limits 700..2300 "
               "(out_of_limits, field servos[0].position)\n", "the message")
        # One servo out of its limits refuses the whole move.
        refused(sim, lscd, ("move", "elbow:1500", "gripper:1100"), 1,
                "outside its limits 1200..2000", "servos[1].position")
        p = lscctl(lscd, "--json", "move", "gripper:2001")
        status_is(p, 1, "--json move out of limits")
        tap.eq(json_lines(p.stdout)[0]["error"]["code"], "out_of_limits", "--json error response")


@tap.test
def unknown_names_are_refused():
    with robot_running() as (sim, lscd):
        for args, code, message in (
                (("move", "wrist:1500"), "unknown_servo", 'no servo is named "wrist"'),
                (("move", "shoulder:1500", "wrist:+5"), "unknown_servo", "servos[1].name"),
                (("pose", "sit"), "unknown_pose", 'no pose is named "sit"'),
                (("run", "dance"), "unknown_group", 'no group is named "dance"'),
                (("run", "dance", "--wait"), "unknown_group", 'no group is named "dance"'),
                (("speed", "dance", "50"), "unknown_group", 'no group is named "dance"'),
                # The same servo by name and by id.
                (("move", "shoulder:1500", "1:1500"), "invalid_argument", "more than once")):
            refused(sim, lscd, args, 1, code, message)


@tap.test
def usage_errors_are_refused_without_lscd():
    cases = [
        (("move", "shoulder"), "invalid servo target 'shoulder': expected SERVO:POS, "
         "e.g. 1:1500, shoulder:1200 or shoulder:+100"),
        (("move", "shoulder1200"), "invalid servo target 'shoulder1200'"),
        (("move", "shoulder:"), "invalid position '' in 'shoulder:': expected a number 0..65535"),
        (("move", ":1500"), "invalid servo '' in ':1500': expected an id 1..32 or a name "
         "([A-Za-z_][A-Za-z0-9_]*, at most 32 bytes)"),
        (("move", "sh-oulder:1500"), "invalid servo 'sh-oulder' in 'sh-oulder:1500'"),
        (("move", "sh\u00f6ulder:1500"), "invalid servo 'sh\u00f6ulder'"),
        (("move", "s" * 33 + ":1500"), "invalid servo '%s'" % ("s" * 33)),
        (("move", "1x:1500"), "invalid servo id '1x' in '1x:1500'"),
        (("move", "+1:1500"), "invalid servo id '+1' in '+1:1500'"),
        (("move", "shoulder:+"), "invalid change '+' in 'shoulder:+': expected -2000..+2000"),
        (("move", "shoulder:-"), "invalid change '-' in 'shoulder:-'"),
        (("move", "shoulder:+2001"), "invalid change '+2001'"),
        (("move", "shoulder:-2001"), "invalid change '-2001'"),
        (("move", "shoulder:+-5"), "invalid change '+-5'"),
        (("move", "shoulder:++5"), "invalid change '++5'"),
        (("move", "shoulder:+5x"), "invalid change '+5x'"),
        (("move", "shoulder:1200:1300"), "invalid position '1200:1300'"),
        (("move", "shoulder:1200", "shoulder:-5"), "servo shoulder given twice"),
        (("move", "shoulder:1200", "elbow:65536"), "invalid position '65536' in 'elbow:65536'"),
        (("move", "-T", "0", "shoulder:1200"), "invalid timeout '0'"),
        (("move",) + tuple("%d:1500" % i for i in range(1, 34)), "too many servos: at most 32"),
        (("pose",), "missing argument: expected NAME"),
        (("pose", "rest", "home"), "unexpected argument 'home'"),
        (("pose", "1st"), "invalid pose '1st': expected a name"),
        (("pose", "re st"), "invalid pose 're st'"),
        (("pose", ""), "invalid pose ''"),
        (("pose", "-t", "99999", "rest"), "invalid time '99999'"),
        (("pose", "rest", "-n", "2"), "unknown option '-n'"),
        (("run", "wa-ve"), "invalid group 'wa-ve': expected 0..254 or a group's name"),
        (("run", "-5"), "invalid group '-5'"),
        (("run", "all"), "invalid group 'all': only speed takes all"),
        (("speed", "wa.ve", "100"), "invalid group 'wa.ve': expected 0..254, all or a group's name"),
        (("speed", "wave", "0"), "invalid percent '0'"),
        (("servos", "shoulder"), "unexpected argument 'shoulder'"),
        (("robot", "--wait"), "unknown option '--wait'"),
        (("reload", "/etc/lscd/robot.yaml"), "unexpected argument '/etc/lscd/robot.yaml'"),
    ]
    env = {"LSCD_SOCKET": "/nonexistent"}
    for args, message in cases:
        p = lscctl(None, *args, env=env)
        what = "lscctl %s" % " ".join(args)
        status_is(p, 2, what)
        tap.check(message in p.stderr, "%s: stderr names %r" % (what, message), p.stderr)


@tap.test
def lscd_not_running_exits_69():
    env = {"LSCD_SOCKET": "/nonexistent/lscd.sock"}
    for args in (("move", "shoulder:1200"), ("pose", "rest"), ("servos",), ("robot",),
                 ("reload",), ("run", "wave"), ("speed", "wave", "100")):
        p = lscctl(None, *args, env=env)
        status_is(p, 69, "lscctl %s without lscd" % " ".join(args))
        tap.eq(p.stderr, "lscctl: cannot connect to lscd at /nonexistent/lscd.sock: "
               "No such file or directory\n", "the message")


@tap.test
def move_wait_returns_once_the_move_ended():
    with robot_running() as (sim, lscd):
        mark = sim.mark()
        out = ok(lscd, "move", "shoulder:1200", "elbow:1000", "-t", "300", "--wait")
        tap.eq(out, "time 300 ms, completed\n", "move --wait")
        sim.wait_count("rx", 1, since=mark)
        tap.eq(rx_since(sim, mark), [hexbytes("55 55 0B 03 02 2C 01 01 9C 04 02 D0 07")],
               "one frame on the wire")
        tap.eq({i: sim.state()["servos"][i] for i in (1, 2)}, {1: 1180, 2: 2000},
               "the board has the targets")
        servos = {s["id"]: s for s in json_lines(ok(lscd, "--json", "servos"))[0]["servos"]}
        tap.eq([(servos[i]["target"], servos[i]["moving"]) for i in (1, 2)],
               [(1200, False), (1000, False)], "lscd: arrived, no longer moving")
        r = json_lines(ok(lscd, "--json", "move", "-w", "gripper:1500", "-t", "50"))[0]
        tap.eq((r["ok"], r["time_ms"], r["completed"]), (True, 50, True), "--json move --wait")
        # max_speed: 1200 -> 700 is 500 us, at most 1000 us/s.
        tap.eq(ok(lscd, "move", "shoulder:700", "-t", "100", "--wait"),
               "time 500 ms (raised from 100 ms by max_speed), completed\n", "raised time")


@tap.test
def move_wait_ends_with_preempted_and_its_timeout():
    with robot_running() as (sim, lscd):
        waiter = popen(lscd, "move", "shoulder:2000", "-t", "60000", "--wait")
        with lscd.client() as c:
            wait_until(lambda: moving(c, 1), "shoulder moving")
        ok(lscd, "move", "shoulder:1000", "-t", "0")
        out, err = waiter.communicate(timeout=60)
        tap.eq((waiter.returncode, out), (1, ""), "preempted wait: exit status 1 (%s)" % err)
        tap.check("(preempted" in err, "says preempted", err)
        p = lscctl(lscd, "pose", "rest", "-t", "60000", "--wait", "--timeout", "0.2")
        status_is(p, 75, "pose --wait --timeout")
        tap.eq(p.stderr, "lscctl pose: timed out\n", "says it timed out")


def moving(client, servo):
    """Whether lscd says servo is moving."""
    servos = client.ok("servos")["servos"]
    return any(s["id"] == servo and s["moving"] for s in servos)


@tap.test
def pose_moves_every_servo_of_it():
    with robot_running() as (sim, lscd):
        # shoulder 900 - 20 = 880, elbow 3000 - 2100 = 900; no target is
        # known yet, so the time stands.
        moved(sim, lscd, ("pose", "rest", "-t", "400"), "time 400 ms\n",
              "55 55 0B 03 02 90 01 01 70 03 02 84 03")
        moved(sim, lscd, ("pose", "home", "--wait"), "time 1000 ms, completed\n",
              "55 55 0E 03 03 E8 03 01 C8 05 02 DC 05 06 DC 05")
        r = json_lines(ok(lscd, "--json", "pose", "rest"))[0]
        tap.eq((r["ok"], r["time_ms"]), (True, 1000), "--json pose")


SERVOS_TABLE = """\
ID  NAME      TARGET  MOVING  LIMITS      HOME   TRIM  INVERT  MAX_SPEED
 1  shoulder       -  no      700..2300   1500    -20  no           1000
 2  elbow          -  no      600..2400   1500      0  yes             -
 6  gripper        -  no      1200..2000  1500      0  no              -
"""


@tap.test
def servos_prints_a_table():
    with robot_running() as (sim, lscd):
        tap.eq(ok(lscd, "servos"), SERVOS_TABLE, "the named servos, no target known")
        ok(lscd, "move", "shoulder:900", "17:2500", "-t", "0", "--wait")
        ok(lscd, "move", "elbow:2400", "-t", "60000")
        want = (SERVOS_TABLE
                .replace(" 1  shoulder       -", " 1  shoulder     900")
                .replace(" 2  elbow          -  no ", " 2  elbow       2400  yes")
                + "17  -           2500  no      500..2500   1500      0  no              -\n")
        tap.eq(ok(lscd, "servos"), want, "targets, moving, and a servo the file does not name")
        r = json_lines(ok(lscd, "--json", "servos"))
        tap.eq(len(r), 1, "one JSON line")
        tap.eq([(s["id"], s["name"], s["target"]) for s in r[0]["servos"]],
               [(1, "shoulder", 900), (2, "elbow", 2400), (6, "gripper", None), (17, None, 2500)],
               "--json servos")
    with running() as (sim, lscd):
        tap.eq(ok(lscd, "servos"), "no servos: the robot file names none, and lscd has moved none\n",
               "without a robot file")


@tap.test
def what_lscd_sends_is_shown_safely():
    # Names and paths reach the terminal: a control character must not, as
    # is; members of an unexpected type must not crash lscctl.
    odd = (b'{"id":1,"ok":true,"servos":[{"id":1,"name":"a\\u001b[2Jb","target":"x",'
           b'"moving":null,"min":[1],"max":{}},{"id":2},7]}\n')
    p = against_fake(odd, "servos")
    status_is(p, 0, "servos")
    tap.check("\x1b" not in p.stdout, "no raw escape", repr(p.stdout))
    tap.eq(p.stdout.splitlines()[1].split()[:3], ['1', '"a\\u001b[2Jb"', 'x'], "quoted as JSON")
    for model in (b'"path":"/x\\u001b]0;t\\u0007","file":true,"servos":{"s\\u001bx":{"id":1}},'
                  b'"poses":[1,2],"groups":"none"',
                  b'"path":null,"file":false,"servos":{},"poses":{"home":{}},"groups":{}'):
        p = against_fake(b'{"id":1,"ok":true,' + model + b'}\n', "robot")
        status_is(p, 0, "robot")
        tap.check("\x1b" not in p.stdout and "\x07" not in p.stdout, "no raw control character",
                  repr(p.stdout))
    tap.check(p.stdout.startswith("# lscd's robot model, loaded -: no robot file\n"), "no path",
              repr(p.stdout))
    errors = (b'{"id":1,"ok":false,"error":{"code":"invalid_config","message":"f:1: a",'
              b'"errors":["f:1: a","f:2: b",3]}}\n')
    p = against_fake(errors, "reload")
    status_is(p, 1, "reload refused")
    tap.eq(p.stderr, "f:1: a\nf:2: b\n?\nlscctl reload: the robot file has 3 errors: "
           "lscd keeps the model it had (invalid_config)\n", "each error")
    p = against_fake(b'{"id":1,"ok":false,"error":{"code":"invalid_config","message":"f:1: a"}}\n',
                     "reload")
    status_is(p, 1, "reload refused without errors")
    tap.eq(p.stderr, "lscctl reload: f:1: a (invalid_config)\n", "lscd's message")


ROBOT_TEXT = """\
servos:
  shoulder: {id: 1, min: 700, max: 2300, home: 1500, trim: -20, invert: false, max_speed: 1000}
  elbow:    {id: 2, min: 600, max: 2400, home: 1500, trim: 0, invert: true}
  gripper:  {id: 6, min: 1200, max: 2000, home: 1500, trim: 0, invert: false}
poses:
  rest: {shoulder: 900, elbow: 2100}
  home: {shoulder: 1500, elbow: 1500, gripper: 1500}
groups:
  wave: 8
  bow:  3
"""


def origin_line(lscd):
    """The first line of "lscctl robot" for this lscd's file."""
    return re.compile(r"# lscd's robot model, loaded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} from %s\n$"
                      % re.escape(lscd.robot_path))


@tap.test
def robot_prints_the_model():
    with robot_running() as (sim, lscd):
        out = ok(lscd, "robot")
        first, rest = out.split("\n", 1)
        tap.check(origin_line(lscd).match(first + "\n"), "where and when", first)
        tap.eq(rest, ROBOT_TEXT, "the model, in the notation of the robot file")
        r = json_lines(ok(lscd, "--json", "robot"))[0]
        tap.eq((r["path"], r["file"], sorted(r["servos"]), r["groups"]),
               (lscd.robot_path, True, ["elbow", "gripper", "shoulder"], {"wave": 8, "bow": 3}),
               "--json robot")
    with running() as (sim, lscd):
        first, rest = ok(lscd, "robot").split("\n", 1)
        tap.check(re.match(r"# lscd's robot model, loaded \S+ \S+: %s not found$"
                           % re.escape(lscd.robot_path), first), "no file", first)
        tap.eq(rest, "# no names: servos are channels 1..32, over the board's whole range\n"
               "servos: {}\nposes: {}\ngroups: {}\n", "without a robot file")


@tap.test
def reload_applies_a_good_file_and_keeps_the_model_on_a_bad_one():
    with robot_running() as (sim, lscd):
        lscd.write_robot(ROBOT.replace("  bow: 3\n", "  bow: 3\n  dance: 4\n"))
        tap.eq(ok(lscd, "reload"), "reloaded %s: 3 servos, 2 poses, 3 groups\n" % lscd.robot_path,
               "a good file")
        tap.eq(json_lines(ok(lscd, "--json", "robot"))[0]["groups"], {"wave": 8, "bow": 3, "dance": 4},
               "the new model")
        good = json_lines(ok(lscd, "--json", "robot"))[0]
        lscd.write_robot("servos:\n  shoulder: {id: 1, min: 3000}\n  elbow: {id: 40}\n")
        # --json prints lscd's answer, whose errors lscctl prints on stderr.
        p = lscctl(lscd, "--json", "reload")
        status_is(p, 1, "--json, a bad file")
        err = json_lines(p.stdout)[0]["error"]
        tap.eq((err["code"], len(err["errors"])), ("invalid_config", 2), "--json error response")
        tap.check(all(e.startswith(lscd.robot_path + ":") for e in err["errors"]), "FILE:LINE", err)
        want = err["errors"] + ["lscctl reload: the robot file has 2 errors: "
                                "lscd keeps the model it had (invalid_config)"]
        tap.eq(p.stderr.splitlines(), want, "every error on stderr, then what it means")
        p = lscctl(lscd, "reload")
        status_is(p, 1, "a bad file")
        tap.eq((p.stdout, p.stderr.splitlines()), ("", want), "the same without --json")
        tap.eq(json_lines(ok(lscd, "--json", "robot"))[0], good, "the model is the one before")
        moved(sim, lscd, ("move", "shoulder:1200", "-t", "0"), "time 0 ms\n",
              "55 55 08 03 01 00 00 01 9C 04")
        lscd.write_robot("servos: [\n")
        p = lscctl(lscd, "reload")
        status_is(p, 1, "a file that is not YAML")
        tap.check(re.match(r"%s:\d+: .*\nlscctl reload: the robot file has 1 error: "
                           % re.escape(lscd.robot_path), p.stderr), "one error", p.stderr)
        # A file gone since lscd read it is an error too: its limits stay.
        os.unlink(lscd.robot_path)
        p = lscctl(lscd, "reload")
        status_is(p, 1, "the file removed")
        tap.eq(p.stderr, "%s: cannot read: No such file or directory\nlscctl reload: the robot file "
               "has 1 error: lscd keeps the model it had (invalid_config)\n" % lscd.robot_path,
               "the file removed: the error")
        tap.eq(json_lines(ok(lscd, "--json", "robot"))[0], good, "the file removed: the model stays")
    # lscd without a path for a robot file (lscd always has one today).
    p = against_fake(b'{"id":1,"ok":true,"path":null,"file":false,"loaded":1.5,"servos":{},'
                     b'"poses":{"home":{}},"groups":{}}\n', "reload")
    status_is(p, 0, "reload, no path")
    tap.eq(p.stdout, "reloaded: no robot file, no names: servos are channels 1..32, over the "
           "board's whole range\n",
           "reload, no path: what it means")


@tap.test
def groups_by_name_and_number():
    with robot_running() as (sim, lscd):
        moved(sim, lscd, ("run", "wave"), "", "55 55 05 06 08 01 00")
        mark = sim.mark()
        tap.eq(ok(lscd, "run", "bow", "-n", "2", "--wait"), "group bow completed\n", "run NAME --wait")
        sim.wait_for("rx", hexbytes("55 55 05 06 03 02 00"), since=mark)
        tap.eq(ok(lscd, "run", "3", "--wait"), "group 3 completed\n", "run NUMBER --wait")
        r = json_lines(ok(lscd, "--json", "run", "wave", "--wait"))[0]
        tap.eq((r["group"], r["completed"]), (8, True), "--json run NAME --wait: lscd's answer")
        moved(sim, lscd, ("speed", "wave", "150"), "", "55 55 05 0B 08 96 00")
        moved(sim, lscd, ("speed", "3", "50"), "", "55 55 05 0B 03 32 00")
        moved(sim, lscd, ("speed", "all", "100"), "", "55 55 05 0B FF 64 00")


@tap.test
def move_completed_is_watched():
    with robot_running() as (sim, lscd):
        with lscd.client() as c:
            watcher = popen(lscd, "watch", "--count", "1", "move.completed")
            wait_until(lambda: c.ok("status")["subscribers"] == 1, "watch subscribed")
            ok(lscd, "move", "shoulder:1200", "3:1500", "-t", "50")
            out, err = watcher.communicate(timeout=60)
        tap.eq(watcher.returncode, 0, "watch (%s)" % err)
        tap.check(re.match(r"\S+ \S+ move\.completed servos=\[1,3\] source=move\n$", out),
                  "the event", out)


@tap.test
def completion_asks_lscd_for_names():
    opts = ["--time", "--wait", "--timeout", "--at", "--socket", "--json", "--help"]
    with robot_running() as (sim, lscd):
        sock = lscd.socket_path
        tap.eq(complete("lscctl", "-s", sock, "move", ""), opts + ["shoulder:", "elbow:", "gripper:"],
               "move: options and servo names")
        tap.eq(complete("lscctl", "-s", sock, "move", "el"), ["elbow:"], "move: one name")
        tap.eq(complete("lscctl", "--socket", "=", sock, "move", "shoulder", ":", "1200", "g"),
               ["gripper:"], "move: after a SERVO:POS, --socket=PATH")
        tap.eq(complete("lscctl", "-s" + sock, "move", "shoulder", ":"), [], "move: after the colon")
        tap.eq(complete("lscctl", "-s", sock, "move", "shoulder", ":", "1"), [], "move: a position")
        tap.eq(complete("lscctl", "-s", sock, "pose", ""), opts + ["rest", "home"], "pose names")
        tap.eq(complete("lscctl", "-s", sock, "run", "w"), ["wave"], "run: group names")
        tap.eq(complete("lscctl", "speed", "", env={"LSCD_SOCKET": sock}),
               ["--socket", "--json", "--help", "all", "wave", "bow"], "speed: $LSCD_SOCKET")
        tap.eq(complete("lscctl", "-s", sock, "servos", ""), ["--socket", "--json", "--help"],
               "servos: options only")
        tap.eq(complete("lscctl", "-s", sock, "rel"), ["reload"], "the command")
        # lscd stopped: completion gives up, and offers no names.
        lscd.signal(signal.SIGSTOP)
        try:
            tap.eq(complete("lscctl", "-s", sock, "run", ""),
                   ["--runs", "--wait", "--detach", "--timeout", "--at", "--socket", "--json", "--help"],
                   "lscd not answering")
        finally:
            lscd.signal(signal.SIGCONT)
    with running() as (sim, lscd):
        tap.eq(complete("lscctl", "-s", lscd.socket_path, "pose", ""),
               opts, "no robot file: no pose, not even home")
    for sock in ("/nonexistent/lscd.sock", "~/nonexistent.sock"):
        tap.eq(complete("lscctl", "-s", sock, "move", ""), opts, "no lscd at " + sock)


def man_examples(page):
    """The shell sessions of a man page's examples: lists of (command,
    expected output) from the .EX blocks whose lines start with "$ "."""
    with open(os.path.join(SRC, "man", page), encoding="utf-8") as f:
        text = f.read()
    sessions = []
    for block in re.findall(r"^\.EX\n(.*?)^\.EE\n", text, re.S | re.M):
        block = block.replace("\\-", "-").replace("\\e", "\\").replace("\\(aq", "'")
        if not block.startswith("$ "):
            continue
        steps = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
        sessions.append([(cmd, "".join(l + "\n" for l in out)) for cmd, out in steps])
    return sessions


@tap.test
def manual_examples_run_as_written():
    sessions = man_examples("lscctl.1")
    tap.check(len(sessions) >= 4, "lscctl(1) has its sessions", sessions)
    with running("--group", "8:100", robot=robot_of_the_manual()) as (sim, lscd):
        status = None
        for session in sessions:
            for cmd, want in session:
                words = shlex.split(cmd)
                if words[0] == "sudoedit":
                    continue
                if words == ["echo", "$?"]:
                    tap.eq("%d\n" % status, want, "exit status after the previous command")
                    continue
                tap.eq(words[0], "lscctl", "a command of lscctl(1)'s examples")
                p = lscctl(lscd, *words[1:])
                status = p.returncode
                tap.eq(p.stdout + p.stderr, want.replace("/etc/lscd/robot.yaml", lscd.robot_path),
                       "output of: %s" % cmd)
        # lscd-robot(5): "lscctl move shoulder:1200 elbow:1000 -t 500 writes ..."
        moved(sim, lscd, ("move", "shoulder:1200", "elbow:1000", "-t", "500"), "time 500 ms\n",
              "55 55 0B 03 02 F4 01 01 9C 04 02 D0 07")


tap.main()
