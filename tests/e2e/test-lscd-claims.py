#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sharing one robot, end to end (lsc-sim + lscd): client identity, claims
refused or waited for, requests over a claim refused before the wire,
emergency stops never blocked and naming who sent them, leases that expire
into the safe action when the holder goes quiet or is killed,
on_disconnect "drop", and the observe socket, walked over every verb."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import tap
from lscdharness import Lscd, error_of, lscd_binary, running, valgrind_on
from simharness import Sim, hexbytes

ROBOT = """\
servos:
  shoulder: {id: 1, min: 700, max: 2300, home: 1500}
  elbow:    {id: 2, min: 600, max: 2400, home: 1400, invert: true}
  wrist:    {id: 3}
"""
# The home pose of shoulder and elbow in one frame, 1000 ms (the safe
# action's time): 1500 and 3000 - 1400 = 1600.
HOME_1_2 = hexbytes("55 55 0B 03 02 E8 03 01 DC 05 02 40 06")


# Frames past recall when something is dropped: the one on the wire, and
# the next, which lscd hands to the driver up to 2 ms early (wire.c).
IN_FLIGHT = 2


def move(servo, position, time_ms=0):
    return {"servos": [{"id": servo, "position": position}], "time_ms": time_ms}


def frame_move(servo, position, time_ms=0):
    params = [1, time_ms & 0xFF, time_ms >> 8, servo, position & 0xFF, position >> 8]
    return bytes([0x55, 0x55, len(params) + 2, 0x03] + params)


def rx_since(sim, since):
    return [r for r in sim.records()[since:] if r.kind == "rx"]


@tap.test
def hello_names_a_client_in_status():
    with running() as (sim, lscd):
        c = lscd.client()
        tap.check(isinstance(c.hello["client"], int) and c.hello["observer"] is False,
                  "hello gives the client's number", c.hello)
        r = c.ok("hello", name="web-panel", on_disconnect="drop")
        tap.eq((r["client"], r["name"], r["on_disconnect"]),
               (c.hello["client"], "web-panel", "drop"), "hello answers")
        c.ok("subscribe", events=["claim."])
        conns = {x["client"]: x for x in c.ok("status")["connections"]}
        me = conns[c.hello["client"]]
        tap.eq((me["name"], me["pid"], me["uid"], me["on_disconnect"], me["events"],
                me["claims"], me["in_flight"]),
               ("web-panel", os.getpid(), os.getuid(), "drop",
                ["claim.acquired", "claim.released", "claim.expired"], [], 1), "status names it")
        for bad in ("", "a\nb", "x" * 65, 7):
            tap.eq(error_of(c.request("hello", name=bad)), ("invalid_argument", "name"),
                   "name %r refused" % (bad,))
        tap.eq(error_of(c.request("hello", on_disconnect="keep")),
               ("invalid_argument", "on_disconnect"), "on_disconnect must be finish or drop")


@tap.test
def an_overlapping_claim_is_refused_with_the_holders_name_or_waits():
    with running(robot=ROBOT) as (sim, lscd):
        a, b = lscd.client(), lscd.client()
        a.ok("hello", name="arm-ctl")
        r = a.ok("claim", servos=["shoulder", 2])
        tap.eq((r["servos"], r["groups"], r["lease_ms"], r["safe"]), ([1, 2], False, 0, "none"),
               "granted")
        r = b.request("claim", servos=["elbow", 3])
        tap.eq(error_of(r), ("claimed", None), "the second is refused")
        tap.eq(r["error"]["holder"], {"client": a.hello["client"], "name": "arm-ctl",
                                      "pid": os.getpid(), "claim": r["error"]["holder"]["claim"]},
               "naming the holder")
        tap.check("arm-ctl" in r["error"]["message"], "and in the message", r)
        tap.eq(b.ok("claim", servos=[3])["servos"], [3], "a disjoint claim is granted")
        rid = b.send_request("claim", servos=["elbow"], wait=True)
        b.ok("ping")            # read after the claim: lscd has it
        c = lscd.client()
        rid_c = c.send_request("claim", servos=[2], wait=True)
        c.ok("ping")
        tap.eq(a.ok("release", claim=r["error"]["holder"]["claim"])["released"], 1, "released")
        tap.eq(b.response(rid)["servos"], [2], "the first waiter gets it")
        tap.eq(c.collect(0.2), [], "the second waits on")
        b.ok("release")
        tap.eq(c.response(rid_c)["servos"], [2], "then the second")
        r = a.request("claim", servos=[2], wait=True, timeout_ms=200)
        tap.eq(error_of(r), ("timeout", "timeout_ms"), "a wait times out")
        tap.eq(error_of(a.request("release", claim=999)), ("unknown_claim", "claim"),
               "releasing what one does not hold")


@tap.test
def the_queue_of_waiting_claims_never_strands_anyone():
    with running(robot=ROBOT) as (sim, lscd):
        a, b, c = lscd.client(), lscd.client(), lscd.client()
        a.ok("claim", servos=[1])
        rid_b = b.send_request("claim", servos=[1, 2], wait=True)
        time.sleep(0.1)
        tap.eq(c.request("claim", servos=[2], timeout_ms=0)["servos"], [2],
               "a claim that does not wait is granted at once: nobody holds servo 2")
        c.ok("release")
        rid_c = c.send_request("claim", servos=[2], wait=True)
        time.sleep(0.1)
        b.close()
        tap.eq(c.response(rid_c)["servos"], [2], "a waiter ahead that leaves lets the next in")
        tap.eq(a.ok("status")["connections"][0]["claims"] is not None, True, "status still works")


@tap.test
def a_claim_is_checked_before_it_is_granted():
    with running(robot=ROBOT) as (sim, lscd):
        a = lscd.client()
        r = a.ok("claim", servos=[1])
        tap.eq(error_of(a.request("claim", servos=["shoulder", 2])), ("invalid_argument", "servos"),
               "one's own claims never overlap")
        tap.eq(error_of(a.request("claim", servos=[5], safe="home")), ("invalid_argument", "safe"),
               "a safe pose that moves none of the claimed servos")
        tap.eq(error_of(a.request("claim", servos=[2], safe="pose:nope")), ("unknown_pose", "safe"),
               "a safe pose that does not exist")
        tap.eq(error_of(a.request("claim", servos=[2], timeout_ms=100)),
               ("invalid_argument", "timeout_ms"), "timeout_ms without wait")
        for name in ("a\u0085b", "evil\u202egnp", "a\u2028b", "   "):
            r = a.request("hello", name=name.encode().decode("unicode_escape"))
            tap.eq(error_of(r), ("invalid_argument", "name"), "name %s refused" % name)


@tap.test
def a_claimed_servo_refuses_a_third_clients_move_before_the_wire():
    with running("--group", "8:300", robot=ROBOT) as (sim, lscd):
        a, b = lscd.client(), lscd.client()
        a.ok("claim", servos=[1], groups=True)
        since = sim.mark()
        tap.eq(error_of(b.request("move", **move(1, 1200))), ("claimed", None), "move")
        tap.eq(error_of(b.request("move", servos=[{"name": "shoulder", "delta": 0}],
                                  time_ms=0))[0], "unknown_position", "checked in order")
        tap.eq(error_of(b.request("pose", name="home")), ("claimed", None), "pose over it")
        tap.eq(error_of(b.request("group.run", group=8)), ("claimed", None), "group.run")
        tap.eq(error_of(b.request("group.speed", group=8, percent=50)), ("claimed", None),
               "group.speed")
        for verb in ("status", "servos", "robot", "battery", "subscribe", "ping"):
            tap.check(b.request(verb)["ok"], "%s is never refused" % verb)
        b.ok("move", **move(3, 1300))
        sim.wait_for("rx", frame_move(3, 1300), since=since)
        tap.eq([r.data for r in rx_since(sim, since) if r.data[3] != 0x0F],
               [frame_move(3, 1300)], "only the unclaimed move reached the wire")
        a.ok("move", **move(1, 1200))
        sim.wait_for("rx", frame_move(1, 1200), since=since)


@tap.test
def a_grant_drops_other_clients_queued_frames_over_it():
    with running() as (sim, lscd):
        a, b = lscd.client(), lscd.client()
        rids = [b.send_request("move", **move(1, 600 + i)) for i in range(300)]
        b.ok("ping")
        a.ok("claim", servos=[1])
        since = sim.mark()
        answers = [b.response(rid) for rid in rids]
        claimed = [r for r in answers if not r["ok"]]
        tap.check(claimed and all(error_of(r)[0] == "claimed" for r in claimed),
                  "queued moves of the claimed servo answered claimed (%d)" % len(claimed))
        time.sleep(0.1)
        tap.check(len(rx_since(sim, since)) <= IN_FLIGHT, "nothing of them on the wire after "
                  "the grant, apart from the frames in flight", rx_since(sim, since))


@tap.test
def emergency_stop_is_never_blocked_and_names_who_sent_it():
    with running("--group", "8:5000", robot=ROBOT) as (sim, lscd):
        holder, op, watcher = lscd.client(), lscd.client(), lscd.client()
        holder.ok("hello", name="choreo")
        op.ok("hello", name="operator")
        watcher.subscribe(["group."])
        holder.ok("claim", servos="all")
        r = holder.ok("group.run", group=8)
        ev = watcher.wait_event("group.started")
        tap.eq(ev["by"], {"client": holder.hello["client"], "name": "choreo"},
               "group.started names who ran it")
        op.ok("group.stop")
        ev = watcher.wait_event("group.stopped")
        tap.eq(ev["by"], {"client": op.hello["client"], "name": "operator"},
               "group.stopped names who stopped it")
        for i in range(100):
            holder.send_request("move", **move(1, 700 + i))
        holder.ok("ping")
        r = op.ok("halt")
        tap.check(r["dropped"] > 0, "halt drops the holder's queued frames too: %d" % r["dropped"])
        conns = {x["client"]: x for x in op.ok("status")["connections"]}
        tap.eq(len(conns[holder.hello["client"]]["claims"]), 1, "the claim stays held")


def lease_holder(lscd, robot_frames=200):
    """A client holding shoulder and elbow with a 500 ms lease and safe
    home, with moves of both queued."""
    h = lscd.client()
    h.ok("hello", name="teleop")
    h.ok("claim", servos=["shoulder", "elbow"], lease_ms=500, safe="home")
    for i in range(robot_frames):
        h.send_request("move", servos=[{"id": 1, "position": 800 + i}], time_ms=0)
    return h


@tap.test
def a_lease_that_runs_out_drops_the_queue_and_runs_the_safe_action():
    with running(robot=ROBOT) as (sim, lscd):
        w = lscd.client()
        w.subscribe(["claim."])
        h = lease_holder(lscd)
        last = time.monotonic()
        ev = w.wait_event("claim.expired", timeout=10)
        expired = time.monotonic()
        tap.eq((ev["reason"], ev["by"]["name"], ev["safe"]), ("lease", "teleop", "home"),
               "claim.expired, reason lease")
        tap.check(ev["dropped"] > 0, "the queued frames were dropped: %d" % ev["dropped"])
        tap.check(expired - last >= 0.5, "not before the lease ran out")
        # The lease runs from the last request lscd read, which a loaded
        # machine reads after "last"; test-claims holds the exact time.
        if not valgrind_on():
            tap.check(expired - last < 0.5 + 0.4, "at its end: %.3f s" % (expired - last))
        safe = sim.wait_for("rx", HOME_1_2)
        after = [r for r in sim.records() if r.kind == "rx" and r.t > safe.t]
        tap.eq([r.data for r in after], [], "the safe pose is the last frame on the wire")
        answers = [m for m in h.collect(0.3) if "ok" in m and not m["ok"]]
        tap.check(answers and all(m["error"]["code"] == "dropped" for m in answers),
                  "the holder's moves are answered dropped")


HOLDER = r"""
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rwb", buffering=0)
f.readline()
s.sendall(b'{"cmd":"hello","name":"doomed"}\n')
s.sendall(b'{"cmd":"claim","servos":["shoulder","elbow"],"lease_ms":5000,"safe":"home"}\n')
for i in range(300):
    s.sendall(json.dumps({"cmd": "move", "servos": [{"id": 1, "position": 800 + i}],
                          "time_ms": 0}).encode() + b"\n")
print("queued", flush=True)
time.sleep(60)
"""


@tap.test
def a_killed_holder_expires_at_once_with_reason_disconnect():
    with running(robot=ROBOT) as (sim, lscd):
        w = lscd.client()
        w.subscribe(["claim."])
        p = subprocess.Popen([sys.executable, "-c", HOLDER, lscd.socket_path],
                             stdout=subprocess.PIPE, text=True)
        tap.eq(p.stdout.readline().strip(), "queued", "the holder claimed and queued")
        w.wait_event("claim.acquired")
        sim.wait_count("rx", 3)
        p.send_signal(signal.SIGKILL)
        p.wait()
        killed = time.monotonic()
        ev = w.wait_event("claim.expired", timeout=10)
        tap.eq((ev["reason"], ev["by"]["name"]), ("disconnect", "doomed"), "reason disconnect")
        tap.check(time.monotonic() - killed < 2.0, "long before its 5 s lease")
        safe = sim.wait_for("rx", HOME_1_2)
        after = [r for r in sim.records() if r.kind == "rx" and r.t > safe.t]
        tap.eq(after, [], "nothing of the holder after the safe pose")


@tap.test
def on_disconnect_drop_discards_the_queue():
    with running() as (sim, lscd):
        c = lscd.client()
        c.ok("hello", name="quitter", on_disconnect="drop")
        for i in range(200):
            c.send_request("move", **move(4, 700 + i))
        c.ok("ping")
        sim.wait_count("rx", 2)
        c.close()
        gone = time.monotonic()
        time.sleep(0.5)
        late = [r for r in sim.records() if r.kind == "rx" and r.t > gone]
        tap.check(len(late) <= IN_FLIGHT, "nothing of it after its disconnect, apart from "
                  "the frames in flight", late)
        other = lscd.client()
        other.ok("move", **move(4, 1500))
        tap.check(sim.wait_for("rx", frame_move(4, 1500)), "the wire works on")


@tap.test
def on_disconnect_finish_sends_the_queue():
    with running() as (sim, lscd):
        c = lscd.client()
        for i in range(20):
            c.send_request("move", **move(5, 700 + i))
        c.close()
        tap.check(sim.wait_for("rx", frame_move(5, 719)), "the last queued move still goes out")


# One valid request per verb: the observe test walks lscd's own table, so a
# verb without an example here fails it.
EXAMPLES = {
    "ping": {}, "version": {}, "status": {}, "servos": {}, "robot": {}, "battery": {},
    "subscribe": {"events": ["group."]}, "unsubscribe": {"events": ["group."]},
    "hello": {"name": "dashboard"},
    "move": move(1, 1500), "pose": {"name": "home"}, "group.run": {"group": 1},
    "group.stop": {}, "halt": {}, "group.speed": {"group": 1, "percent": 100},
    "config.reload": {}, "claim": {"servos": [1]}, "release": {},
    "sequence.run": {"steps": [{"servos": {"1": 1500}, "time_ms": 10}]},
    "sequence.stop": {}, "sequence.list": {}, "cancel": {"request": "x"},
    "record.start": {"name": "demo", "servos": "all"}, "record.stop": {},
    "unload": {"servos": [1]}, "positions": {"servos": [1]},
}
# Verbs an LSC board (this test's) lacks: refused "unsupported", not run.
UNSUPPORTED = {"positions"}


def verbs():
    """{verb: acts} from lscd --list-commands."""
    out = subprocess.run([lscd_binary(), "--list-commands"], capture_output=True, text=True,
                         check=True, timeout=10).stdout
    table, name = {}, None
    for line in out.splitlines():
        if not line.startswith(" "):
            name = line.strip()
            table[name] = False
        elif line.strip().startswith("(acts"):
            table[name] = True
    return table


def observe_client(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s, s.makefile("rb")


@tap.test
def the_observe_socket_reads_and_never_acts():
    table = verbs()
    tap.eq(sorted(table), sorted(EXAMPLES), "an example for every verb lscd lists")
    with Sim() as sim:
        observe = os.path.join(sim.dir, "observe.sock")
        with Lscd(sim.link, "--observe-socket", observe, robot=ROBOT) as lscd:
            tap.eq(oct(os.stat(observe).st_mode & 0o777), "0o666", "mode 0666")
            s, f = observe_client(observe)
            hello = json.loads(f.readline())
            tap.eq(hello["observer"], True, "hello says observer")
            since = sim.mark()
            for i, (verb, acts) in enumerate(sorted(table.items())):
                s.sendall(json.dumps(dict({"cmd": verb, "id": i}, **EXAMPLES[verb])).encode() + b"\n")
                r = json.loads(f.readline())
                while "event" in r:
                    r = json.loads(f.readline())
                if acts:
                    tap.eq(error_of(r)[0], "forbidden", "%s is forbidden" % verb)
                elif verb in UNSUPPORTED:
                    tap.eq(error_of(r)[0], "unsupported", "%s is unsupported" % verb)
                else:
                    tap.check(r["ok"], "%s works" % verb, r)
            tap.eq([r.data for r in rx_since(sim, since) if r.data[3] != 0x0F], [],
                   "nothing but the battery query reached the wire")
            c = lscd.client()
            tap.check(c.request("move", **move(1, 1500))["ok"], "the main socket still acts")
            s.close()


@tap.test
def socket_activation_tells_the_sockets_apart_by_name():
    with Sim() as sim:
        d = sim.dir
        main, observe = os.path.join(d, "main.sock"), os.path.join(d, "obs.sock")
        lscd = Lscd(sim.link, prefix=["systemd-socket-activate", "-l", main, "-l", observe,
                                      "--fdname=lscd.socket:observe"],
                    socket_path=main, wait=None)
        with lscd:
            # systemd-socket-activate binds the two one after the other: the
            # main one may take connections before the observe one exists.
            lscd.wait_connectable()
            lscd.wait_connectable(path=observe)
            s, f = observe_client(observe)
            tap.eq(json.loads(f.readline())["observer"], True, "the fd named observe observes")
            s.sendall(b'{"cmd":"halt","id":1}\n')
            tap.eq(error_of(json.loads(f.readline()))[0], "forbidden", "and may not act")
            s.close()
            c = lscd.client()
            tap.eq(c.hello["observer"], False, "the other is the main socket")


tap.main()
