#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscctl and a shared robot, end to end (lsc-sim + lscd): "lscctl claim
-- COMMAND" holds the claim exactly while COMMAND runs, and COMMAND's own
lscctl commands (new processes, new connections to the private socket
claim gives them) move the claimed servos; another client is refused with
the holder's name and pid; the claim is released when COMMAND exits and
expires at once when lscctl claim is SIGKILLed; signals reach COMMAND;
lscctl clients; record then play gives the same wire bytes; play --wait;
SIGINT on record writes the file; usage errors."""

import json
import os
import signal
import socket
import subprocess
import time

import tap
from lscctlharness import LSCCTL, TIMEOUT, complete, lscctl, ok, status_is
from lscdharness import running, wait_until
from simharness import hexbytes

ROBOT = """\
servos:
  shoulder: {id: 1, min: 700, max: 2300, home: 1500}
  elbow:    {id: 2, min: 600, max: 2400, home: 1400}
  wrist:    {id: 3}
"""


def frame_move(time_ms, *targets):
    """SERVO_MOVE of (id, position) pairs."""
    params = [len(targets), time_ms & 0xFF, time_ms >> 8]
    for servo, position in targets:
        params += [servo, position & 0xFF, position >> 8]
    return bytes([0x55, 0x55, len(params) + 2, 0x03] + params)


def rx_since(sim, since):
    return [r.data for r in sim.records()[since:] if r.kind == "rx"]


# lscctl first on the PATH of the scripts claim runs.
PATH = dict(PATH=os.path.dirname(os.path.abspath(LSCCTL)) + os.pathsep + os.environ["PATH"])


def claim_popen(lscd, *args, script):
    """lscctl claim ARGS -- sh -c SCRIPT."""
    return subprocess.Popen([LSCCTL, "-s", lscd.socket_path, "claim"] + list(args) +
                            ["--", "sh", "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, **PATH))


def claims_of(lscd):
    with lscd.client() as c:
        return [(x["name"], x["claims"]) for x in c.ok("status")["connections"] if x["claims"]]


def wait_file(path, what):
    wait_until(lambda: os.path.exists(path), what)


@tap.test
def a_script_under_claim_moves_the_claimed_servos_and_others_are_refused():
    with running(robot=ROBOT) as (sim, lscd):
        d = lscd.dir
        mark = sim.mark()
        script = ('lscctl move shoulder:1200 elbow:1000 -t 0 && lscctl move 1:+100 -t 0 && '
                  'lscctl --json status > %s/status && touch %s/moved && '
                  'while [ ! -e %s/go ]; do sleep 0.05; done; lscctl move 3:900 -t 0' % (d, d, d))
        p = claim_popen(lscd, "shoulder", "elbow", "--lease", "2s", "--safe", "home", script=script)
        wait_file(os.path.join(d, "moved"), "the script moved")
        # Each move was answered as written: the simulator may log it later.
        wait_until(lambda: len(rx_since(sim, mark)) >= 2, "the script's two frames")
        tap.eq(rx_since(sim, mark), [frame_move(0, (1, 1200), (2, 1000)), frame_move(0, (1, 1300))],
               "the script's moves of the claimed servos reached the wire")
        held = claims_of(lscd)
        tap.eq(len(held), 1, "one connection holds a claim")
        tap.eq(held[0][0], "lscctl claim: sh -c " + script[:44], "named after its command, cut to 64 bytes")
        with open(os.path.join(d, "status")) as f:
            seen = json.load(f)
        tap.eq([x["claims"] for x in seen["connections"] if x["claims"]], [held[0][1]],
               "the script's status worked, and shows the claim it runs under")
        before = sim.mark()
        q = lscctl(lscd, "move", "elbow:1500")
        status_is(q, 1, "another client's move of a claimed servo")
        tap.eq(q.stderr, 'lscctl move: claimed by "%s" (pid %d)\n' % (held[0][0], p.pid),
               "it names the holder and its pid")
        tap.eq(rx_since(sim, before), [], "and nothing reached the wire")
        ok(lscd, "move", "wrist:1000", "-t", "0")
        wait_until(lambda: rx_since(sim, before) == [frame_move(0, (3, 1000))],
                   "an unclaimed servo is free")
        open(os.path.join(d, "go"), "w").close()
        out, err = p.communicate(timeout=TIMEOUT)
        tap.eq((p.returncode, out, err), (0, "time 0 ms\n" * 3, ""),
               "claim exits with the script's status; the script's output is its own")
        tap.eq(claims_of(lscd), [], "and released the claim")
        ok(lscd, "move", "elbow:1500", "-t", "0")


@tap.test
def the_exit_status_and_signals_of_the_command():
    with running(robot=ROBOT) as (sim, lscd):
        status_is(lscctl(lscd, "claim", "shoulder", "--", "sh", "-c", "exit 7"), 7, "exit 7")
        p = lscctl(lscd, "claim", "shoulder", "--", "/nonexistent/prog")
        status_is(p, 127, "a command that does not exist")
        tap.check("/nonexistent/prog" in p.stderr, "says which", p.stderr)
        d = lscd.dir
        p = claim_popen(lscd, "shoulder", script="touch %s/up; sleep 30" % d)
        wait_file(os.path.join(d, "up"), "the script runs")
        tap.eq(len(claims_of(lscd)), 1, "held while it runs")
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=TIMEOUT)
        tap.eq(p.returncode, 128 + signal.SIGTERM, "SIGTERM reaches the script: 143")
        tap.eq(claims_of(lscd), [], "and the claim was released")
        tap.eq(claims_of(lscd), [], "nothing left")


@tap.test
def a_killed_claim_expires_into_its_safe_action_and_the_script_loses_the_robot():
    with running(robot=ROBOT) as (sim, lscd):
        d = lscd.dir
        watcher = lscd.client()
        watcher.subscribe(["claim."])
        p = claim_popen(lscd, "shoulder", "elbow", "--lease", "1s", "--safe", "home",
                        script="touch %s/up; sleep 2; lscctl move shoulder:1000 -t 0; echo $? > %s/rc"
                        % (d, d))
        wait_file(os.path.join(d, "up"), "the script runs")
        mark = sim.mark()
        p.kill()
        p.communicate(timeout=TIMEOUT)
        e = watcher.wait_event("claim.expired")
        tap.eq(e["reason"], "disconnect", "SIGKILL: the claim expires at once")
        wait_until(lambda: hexbytes("55 55 0B 03 02 E8 03 01 DC 05 02 78 05") in rx_since(sim, mark),
                   "the home pose reaches the wire")
        wait_file(os.path.join(d, "rc"), "the orphaned script went on")
        with open(os.path.join(d, "rc")) as f:
            tap.eq(f.read().strip(), "69", "its lscctl lost the claim's socket (69), moved nothing")
        tap.eq([f for f in rx_since(sim, mark) if f[3] == 3 and f[7] == 0xE8 and f[8] == 0x03
                and f[6] == 1], [], "no move of 1000 on servo 1")


@tap.test
def nested_claims_and_a_claim_refused():
    with running(robot=ROBOT) as (sim, lscd):
        d = lscd.dir
        p = lscctl(lscd, "claim", "shoulder", "--", "sh", "-c",
                   "lscctl claim elbow -- lscctl move elbow:1000 shoulder:1000 -t 0 && "
                   "lscctl claim shoulder -- true", env=PATH)
        status_is(p, 1, "a nested claim over a servo already held is refused")
        tap.check("already" in p.stderr or "claimed" in p.stderr, "it says why", p.stderr)
        tap.eq(claims_of(lscd), [], "everything was released")
        p = claim_popen(lscd, "all", script="touch %s/up; sleep 30" % d)
        wait_file(os.path.join(d, "up"), "all claimed")
        q = lscctl(lscd, "claim", "wrist", "--", "true")
        status_is(q, 1, "a claim over a held servo")
        tap.check(q.stderr.startswith("lscctl claim: claimed by ") and "(pid %d)" % p.pid in q.stderr,
                  "names the holder", q.stderr)
        q = lscctl(lscd, "claim", "wrist", "--wait", "--timeout", "0.3", "--", "true")
        status_is(q, 75, "--wait --timeout gives up with 75")
        q = lscctl(lscd, "run", "3")
        status_is(q, 1, "a group run while all is claimed")
        p.terminate()
        p.communicate(timeout=TIMEOUT)


# A program under claim that speaks the protocol itself: two connections
# with the same ids, one half-closed before its answer comes.
RAW_CLIENT = r"""
import json, os, socket
def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["LSCD_SOCKET"])
    return s, s.makefile("r")
(a, ra), (b, rb) = connect(), connect()
hello = json.loads(ra.readline()); json.loads(rb.readline())
a.sendall(b'{"cmd":"move","id":1,"servos":[{"id":1,"position":1000}],"time_ms":200,"wait":true}\n')
a.shutdown(socket.SHUT_WR)
b.sendall(b'{"cmd":"subscribe","id":1,"events":["move.completed"]}\nnot json\n')
# The refusal of the line that is not JSON comes from lscctl claim at once.
answers = sorted((json.loads(rb.readline()) for _ in range(2)), key=lambda x: "id" in x)
print(json.dumps([answers[1], answers[0], json.loads(ra.readline()),
                  json.loads(rb.readline())["event"], os.environ["LSCD_CLAIM"], hello["client"]]))
"""


@tap.test
def programs_under_claim_have_their_own_ids_and_subscriptions():
    with running(robot=ROBOT) as (sim, lscd):
        p = lscctl(lscd, "claim", "shoulder", "--lease", "300ms", "--", "sh", "-c",
                   "sleep 1 && python3 -c '%s'" % RAW_CLIENT.replace("'", "'\\''"))
        status_is(p, 0, "the program ran, its claim renewed past the lease")
        sub, bad, moved, event, claim, client = json.loads(p.stdout)
        tap.eq(sub, {"id": 1, "ok": True, "events": ["move.completed"]},
               "subscribe answers with this program's subscription and id")
        tap.eq(bad["error"]["code"], "invalid_json", "a line that is not JSON is refused")
        tap.eq(moved, {"id": 1, "ok": True, "time_ms": 200, "completed": True},
               "the same id on another connection, answered after its write side closed")
        tap.eq(event, "move.completed", "the event goes to the program that subscribed")
        tap.check(claim.isdigit() and client > 0, "LSCD_CLAIM and the hello of the claim's connection",
                  (claim, client))


@tap.test
def clients_lists_every_connection():
    with running(robot=ROBOT) as (sim, lscd):
        c = lscd.client()
        c.ok("hello", name="web panel")
        c.ok("subscribe", events=["claim."])
        r = c.ok("claim", servos=["wrist"])
        out = ok(lscd, "clients").splitlines()
        tap.eq(out[0].split(), ["CLIENT", "PID", "UID", "CONNECTED", "QUEUED", "INFLIGHT",
                                "CLAIMS", "EVENTS", "NAME"], "a header")
        rows = {line.split()[0]: line for line in out[1:]}
        mine = rows[str(c.hello["client"])].split()
        tap.eq((mine[1], mine[2], mine[5], mine[6], mine[7], mine[8], mine[9:]),
               (str(os.getpid()), str(os.getuid()), "0", "0", str(r["claim"]),
                "claim.acquired,claim.released,claim.expired", ['"web', 'panel"']),
               "pid, uid, queued, in flight, claims, events, the name quoted")
        tap.eq(len(rows), 2, "and lscctl's own connection, without a name")
        j = json.loads(ok(lscd, "--json", "clients"))
        tap.eq(sorted(x["client"] for x in j["connections"])[0], c.hello["client"], "--json: status")


@tap.test
def record_then_play_gives_the_same_wire_bytes():
    with running(robot=ROBOT) as (sim, lscd):
        rec = subprocess.Popen([LSCCTL, "-s", lscd.socket_path, "record", "demo", "--servos",
                                "shoulder,elbow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        watcher = lscd.client()
        # record.start answered: lscctl waits, nothing in flight.
        wait_until(lambda: any(x["in_flight"] == 0 and x["pid"] == rec.pid
                               for x in watcher.ok("status")["connections"]), "the recording started")
        mark = sim.mark()
        ok(lscd, "move", "shoulder:1200", "-t", "100")
        time.sleep(0.3)
        ok(lscd, "move", "shoulder:1300", "elbow:900", "-t", "0")
        time.sleep(0.2)
        ok(lscd, "move", "wrist:1000", "-t", "0")
        wait_until(lambda: len(rx_since(sim, mark)) == 3, "three moves on the wire")
        recorded = rx_since(sim, mark)
        rec.send_signal(signal.SIGINT)
        out, err = rec.communicate(timeout=TIMEOUT)
        path = os.path.join(lscd.dir, "recordings", "demo.yaml")
        tap.eq((rec.returncode, out), (0, "recorded demo: 2 steps in %s\n" % path),
               "SIGINT stops the recording and writes the file")
        tap.check(os.path.exists(path), "the file is there", path)
        rows = ok(lscd, "sequences").splitlines()
        name, steps, duration = rows[1].split()[:3]
        tap.eq((name, steps), ("demo", "2"), "sequences lists it")
        tap.check(0.3 <= float(duration.rstrip("s")) < 5, "with the gap as its duration", duration)
        tap.eq(json.loads(ok(lscd, "--json", "sequences"))["sequences"][0]["steps"], 2, "--json")
        mark = sim.mark()
        tap.eq(ok(lscd, "play", "demo", "--wait"), "run 1 completed\n", "play --wait waits for the end")
        wait_until(lambda: len(rx_since(sim, mark)) >= 2, "the steps on the wire")
        tap.eq(rx_since(sim, mark), recorded[:2], "the same bytes, the unrecorded servo left out")
        mark = sim.mark()
        out = ok(lscd, "play", "demo", "--loops", "2", "--speed", "200")
        tap.check(out.startswith("run 2: 2 steps"), "play answers as it starts", out)
        wait_until(lambda: len(rx_since(sim, mark)) >= 4, "two loops played")
        time.sleep(0.3)
        tap.eq(rx_since(sim, mark), [frame_move(50, (1, 1200)), recorded[1]] * 2,
               "two loops, their times halved")
        sock = lscd.socket_path
        tap.check("demo" in complete("lscctl", "-s", sock, "play", ""), "completion offers sequences")
        tap.eq(complete("lscctl", "-s", sock, "seq"), ["sequences"], "and the new commands")
        tap.eq(complete("lscctl", "-s", sock, "claim", "--sa"), ["--safe"], "claim's options")
        tap.eq(complete("lscctl", "-s", sock, "claim", "--safe", "h"), ["home"], "safe actions")
        tap.eq(complete("lscctl", "-s", sock, "claim", "sh"), ["shoulder"], "servo names, no colon")
        tap.eq(complete("lscctl", "-s", sock, "claim", "a"), ["all"], "or all")
        tap.check("true" in complete("lscctl", "-s", sock, "claim", "shoulder", "--", "tru"),
                  "after --, a command")
        status_is(lscctl(lscd, "play", "nosuch"), 1, "an unknown sequence")
        status_is(lscctl(lscd, "record", "demo"), 1, "an existing recording without --replace")
        status_is(lscctl(lscd, "play", "demo", "--speed", "0"), 2, "speed 0")
        status_is(lscctl(lscd, "play", "demo", "--at", "12"), 2, "at in 1970")
        status_is(lscctl(lscd, "play", "demo", "--timeout", "1"), 2, "timeout without wait")
        status_is(lscctl(lscd, "record", "../x"), 2, "a name with a slash")


@tap.test
def play_wait_interrupted_stops_the_run():
    with running(robot=ROBOT) as (sim, lscd):
        seq = os.path.join(lscd.dir, "recordings")
        os.makedirs(seq, exist_ok=True)
        with open(os.path.join(seq, "slow.yaml"), "w") as f:
            f.write("steps:\n  - servos: {shoulder: 1200}\n    time_ms: 100\n    hold_ms: 5000\n"
                    "  - servos: {shoulder: 1300}\n    time_ms: 100\n")
        watcher = lscd.client()
        watcher.subscribe(["sequence."])
        p = subprocess.Popen([LSCCTL, "-s", lscd.socket_path, "play", "slow", "--wait"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        watcher.wait_event("sequence.step")
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT)
        tap.eq((p.returncode, err), (130, "lscctl play: interrupted, sequence stopped\n"),
               "SIGINT stops the run, 130")
        e = watcher.wait_event("sequence.stopped")
        tap.check(e.get("by", {}).get("pid", p.pid) == p.pid, "stopped by it", e)


@tap.test
def usage_errors():
    with running(robot=ROBOT) as (sim, lscd):
        for args, what in ((["claim", "shoulder"], "missing command"),
                           (["claim", "--", "true"], "missing servo"),
                           (["claim", "shoulder", "--lease", "0", "--", "true"], "lease 0"),
                           (["claim", "shoulder", "--lease", "2x", "--", "true"], "lease 2x"),
                           (["claim", "shoulder", "--lease", "-1s", "--", "true"], "lease -1s"),
                           (["claim", "shoulder", "--lease", "2h", "--", "true"], "lease 2h"),
                           (["claim", "shoulder", "--safe", "pose:", "--", "true"], "safe pose:"),
                           (["claim", "shoulder", "--safe", "jump", "--", "true"], "safe jump"),
                           (["claim", "33", "--", "true"], "servo 33"),
                           (["claim", "all", "shoulder", "--", "true"], "all with a servo"),
                           (["claim", "shoulder", "--timeout", "1", "--", "true"], "timeout without wait")):
            p = lscctl(lscd, *args)
            status_is(p, 2, what)
        tap.eq(claims_of(lscd), [], "nothing claimed")


tap.main()
