#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscctl end to end, against lsc-sim + lscd: every subcommand, every exit
status, --json parsed back, watch flushing into a pipe and ending on its
own, two lscctl at once, bash completion, the liblsc example program and the
Python example of lscctl(1)."""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import tap
from lscctlharness import (BUILD, COMPLETION, LSCCTL, SRC, TIMEOUT, against_fake, complete,
                           fake_daemon, json_lines, lscctl, ok, popen, status_is)
from lscdharness import Lscd, running, wait_until
from simharness import Sim, hexbytes

EXAMPLE = os.path.join(BUILD, "client", "examples", "run-group")


def subscribers_are(lscd, n):
    """Wait until lscd counts exactly n subscribed clients."""
    c = lscd.client()
    wait_until(lambda: c.ok("status")["subscribers"] == n, "%d subscribers" % n)
    c.close()


def popen_subscribed(lscd, *args):
    """Start an lscctl that subscribes (watch, wait) once earlier ones are
    gone, and return once lscd counts its subscription."""
    subscribers_are(lscd, 0)
    p = popen(lscd, *args)
    subscribers_are(lscd, 1)
    return p


@tap.test
def version_text_and_json():
    with running() as (sim, lscd):
        out = ok(lscd, "version")
        tap.check(re.match(r"lscctl \S+\nlscd \S+ \(protocol 1\)\n$", out), "version text", out)
        v = json_lines(ok(lscd, "--json", "version"))
        tap.eq(len(v), 1, "one JSON line")
        tap.eq((v[0]["ok"], v[0]["protocol"]), (True, 1), "version response")
        tap.check(ok(None, "--version").startswith("lscctl "), "--version without lscd")


@tap.test
def status_text_and_json():
    with running("--group", "8:60000") as (sim, lscd):
        ok(lscd, "run", "8")
        # run answers once the frame is written; status shows the group once
        # the board's start report is read (later still under valgrind).
        wait_until(lambda: json_lines(ok(lscd, "status", "--json"))[0]["group"],
                   "status shows the running group")
        st = json_lines(ok(lscd, "status", "--json"))[0]
        tap.eq(st["device"]["connected"], True, "device connected")
        tap.eq(st["group"]["group"], 8, "running group")
        out = ok(lscd, "status")
        tap.check("device.connected=true\n" in out, "dotted names in text", out)
        tap.check("group.group=8\n" in out, "running group in text", out)


@tap.test
def battery_and_its_timeout():
    with running("--battery-mv", "7123") as (sim, lscd):
        tap.eq(ok(lscd, "battery"), "7123 mV\n", "battery text")
        tap.eq(json_lines(ok(lscd, "--json", "battery"))[0]["millivolts"], 7123, "battery json")
        sim.command("battery off")
        # lscd's battery timeout (1 s) is far below lscctl's (30 s): lscd
        # answers "timeout", which lscctl reports as a timeout.
        p = lscctl(lscd, "--json", "battery")
        status_is(p, 75, "battery unanswered")
        tap.eq(json_lines(p.stdout)[0]["error"]["code"], "timeout", "error response printed")
        tap.check("timeout" in p.stderr, "message names the timeout", p.stderr)


@tap.test
def move_reaches_the_servos():
    # lscd answers a move once its frame is written to the port, which is
    # before the board has it: lsc-sim reads at the pace of the wire. So
    # the board is asked only once it has logged the last frame, which it
    # does after acting on it and on every frame before. At 1200 baud the
    # first frame (6 servos, 23 bytes) is on the wire for 192 ms, and lscd
    # writes the second 9 ms before that ends: a look at the servos as
    # soon as lscctl returns finds them all still at 1500.
    first = {1: 600, 2: 2400, 4: 700, 5: 2300, 6: 800, 7: 2200}
    for baud in (9600, 1200):
        with Sim(baud=baud) as sim, Lscd(sim.link, "--baud", str(baud)) as lscd:
            mark = sim.mark()
            tap.eq(ok(lscd, "move", "-t", "0", *("%d:%d" % s for s in first.items())), "time 0 ms\n",
                   "the time lscd used")
            r = json_lines(ok(lscd, "--json", "move", "--time", "100", "3:1500"))
            tap.eq(r[0]["ok"], True, "json response")
            sim.wait_for("rx", hexbytes("55 55 08 03 01 64 00 03 DC 05"), since=mark)
            servos = sim.state()["servos"]
            tap.eq({i: servos[i] for i in list(first) + [3]}, {**first, 3: 1500},
                   "servo positions at %d baud" % baud)


@tap.test
def invalid_arguments_are_refused_before_sending():
    cases = [
        (("move", "1-1500"), "1-1500"),
        (("move", "0:1500"), "servo id '0'"),
        # An oversized id and an oversized position get the same message.
        (("move", "99999999999999999999:1500"),
         "invalid servo id '99999999999999999999' in '99999999999999999999:1500': expected 1..32"),
        (("move", "1:99999999999999999999"),
         "invalid position '99999999999999999999' in '1:99999999999999999999': expected a "
         "number 0..65535 (lscd knows the board's units)"),
        (("move", "1:1500x"), "1500x"),
        (("move", "-t", "-5", "1:1500"), "invalid time '-5'"),
        (("move", "-t", "65536", "1:1500"), "65536"),
        (("move", "1:1500", "1:1600"), "servo 1 given twice"),
        # A negative number is a value to check, not an unknown option.
        (("move", "-1:1500"), "invalid servo id '-1' in '-1:1500'"),
        (("move", "1:1500", "-2:1500"), "invalid servo id '-2' in '-2:1500'"),
        (("move", "--", "-3:1500"), "invalid servo id '-3' in '-3:1500'"),
        (("run", "-1"), "invalid group '-1'"),
        (("run", "-w1"), "unknown option '-1'"),
        (("speed", "1", "-5"), "invalid percent '-5'"),
        (("speed", "-1", "50"), "invalid group '-1'"),
        (("stop", "-1"), "unexpected argument '-1'"),
        # Each lscctl is a new connection with one move: nothing to replace.
        (("move", "--replace", "1:1500"), "unknown option '--replace'"),
        (("move", "-r", "1:1500"), "unknown option '-r'"),
        (("move",), "missing argument"),
        (("run", "255"), "group '255'"),
        (("run", "8", "-n", "x"), "runs 'x'"),
        (("speed", "8", "0"), "percent '0'"),
        (("speed", "ev-ery", "50"), "invalid group 'ev-ery': expected 0..254, all or a group's name"),
        (("run", "wave!"), "invalid group 'wave!': expected 0..254 or a group's name"),
        (("watch", "--count", "0"), "count '0'"),
        (("watch", "--timeout", "-1"), "timeout '-1'"),
        (("watch", "bogus"), "unknown event 'bogus'"),
        (("watch", "group.started", "group.done"), "unknown event 'group.done'"),
        (("watch", "group"), "unknown event 'group'"),
        (("watch", "group.started."), "no event starts with 'group.started.'"),
        (("watch", "grup."), "no event starts with 'grup.'"),
        (("watch", "."), "no event starts with '.'"),
        (("watch", ""), "unknown event ''"),
        (("stop", "now"), "unexpected argument 'now'"),
        (("frobnicate",), "unknown command 'frobnicate'"),
        (("battery", "--bogus"), "unknown option '--bogus'"),
        (("--bogus", "battery"), "unknown option '--bogus'"),
        (("--json=yes", "battery"), "option '--json' takes no argument"),
        (("battery", "--json=yes"), "option '--json' takes no argument"),
        (("run", "8", "--wait=yes"), "option '--wait' takes no argument"),
        (("run", "8", "--runs"), "option '--runs' needs an argument"),
        ((), "missing command"),
    ]
    with running() as (sim, lscd):
        mark = sim.mark()
        for args, message in cases:
            p = lscctl(lscd, *args)
            status_is(p, 2, "lscctl %s" % " ".join(args))
            tap.check(message in p.stderr, "message for %r names %r" % (args, message), p.stderr)
            # Without a daemon too: validation comes before connecting.
            status_is(lscctl(None, *args, env={"LSCD_SOCKET": "/nonexistent"}), 2, "no daemon")
        status = lscd.client().ok("status")
        tap.eq(status["counters"]["frames_out"], 0, "nothing was sent to the board")
        tap.eq([r.line for r in sim.records()[mark:] if r.kind == "rx"], [], "nothing reached the sim")


@tap.test
def at_schedules_move_pose_and_run():
    # Each is answered once its time came and its frame is written: never
    # before its time (what is checked), however late after it (not judged).
    robot = "servos:\n  arm: {id: 3}\nposes:\n  up: {arm: 2000}\n"
    with running("--group", "3:100", robot=robot) as (sim, lscd):
        cases = (("move", "-t", "0", "3:1600"), ("pose", "-t", "0", "up"), ("run", "3"))
        frames = ("55 55 08 03 01 00 00 03 40 06", "55 55 08 03 01 00 00 03 D0 07",
                  "55 55 05 06 03 01 00")
        for args, frame in zip(cases, frames):
            mark = sim.mark()
            t0 = time.time()
            out = lscctl(lscd, args[0], "--at", "+0.4", *args[1:])
            status_is(out, 0, "%s --at +0.4" % args[0])
            rx = sim.wait_for("rx", hexbytes(frame), since=mark)
            start = rx.t - sim.byte_time(len(rx.data)) + (time.time() - time.monotonic())
            tap.check(start >= t0 + 0.4 - 0.002, "%s: not before its time (%.0f ms after "
                      "lscctl started)" % (args[0], (start - t0) * 1000))
        status_is(lscctl(lscd, "move", "--at", "12", "3:1500"), 2, "a time in 1970: usage")
        for bad in ("+1h1s", "+61m", "+3601", "+1s1m", "+1m1m", "+1h-1s", "+h", "+1d"):
            status_is(lscctl(lscd, "move", "--at", bad, "3:1500"), 2, "--at %s: usage" % bad)


@tap.test
def at_takes_durations_up_to_an_hour_and_halt_counts_what_it_cancels():
    with running() as (sim, lscd):
        for at in ("+1h", "+59m59s", "+1h0m0s", "+30m0.5s", "+1m30s250ms", "+3600"):
            p = popen(lscd, "move", "--at", at, "3:1500")
            halts = []
            # Each halt cancels what was scheduled before it: the move once it arrived.
            wait_until(lambda: halts.append(lscctl(lscd, "halt").stdout) or
                       "1 scheduled request" in halts[-1], "the move scheduled %s" % at)
            tap.eq(halts[-1], "halted: 0 queued requests dropped, 1 scheduled request "
                   "cancelled\n", "--at %s: scheduled, and halt says it cancelled it" % at)
            out, err = p.communicate(timeout=TIMEOUT)
            tap.check(p.returncode != 0 and "cancelled" in err, "lscctl reports it", err)


@tap.test
def run_with_and_without_wait():
    with running("--group", "8:200", "--group", "3:100") as (sim, lscd):
        tap.eq(ok(lscd, "run", "3", "-n", "2"), "", "run returns once written")
        sim.wait_for("rx", bytes.fromhex("55 55 05 06 03 02 00"))
        tap.eq(ok(lscd, "run", "8", "--wait"), "group 8 completed\n", "run --wait text")
        r = json_lines(ok(lscd, "--json", "run", "8", "-w", "-n", "1"))[0]
        tap.eq((r["group"], r["completed"]), (8, True), "run --wait json")


@tap.test
def run_wait_errors_exit_1():
    with running("--group", "8:60000") as (sim, lscd):
        p = lscctl(lscd, "run", "9", "--wait")          # not downloaded
        status_is(p, 1, "group that never starts")
        tap.check("not_started" in p.stderr, "lscd's code on stderr", p.stderr)
        waiter = popen(lscd, "--json", "run", "8", "--wait")
        sim.wait_until(lambda _: sim.state()["running"] == 8, "group 8 running")
        ok(lscd, "stop")
        out, err = waiter.communicate(timeout=TIMEOUT)
        tap.eq(waiter.returncode, 1, "stopped wait exit status")
        tap.check("stopped" in err, "message says stopped", err)
        tap.eq(json_lines(out)[0]["error"]["code"], "stopped", "--json error response")


STOP = bytes.fromhex("55 55 02 07")


def run_until_signal(sim, lscd, sig, *args):
    """Run "lscctl run 8 ARGS...", send it sig once group 8 runs; return the
    process, its stdout and stderr, and the sim's mark at the signal."""
    sim.wait_until(lambda _: sim.state()["running"] is None, "no group running")
    p = popen(lscd, "run", "8", *args)
    sim.wait_until(lambda _: sim.state()["running"] == 8, "group 8 running")
    mark = sim.mark()
    p.send_signal(sig)
    out, err = p.communicate(timeout=TIMEOUT)
    return p, out, err, mark


@tap.test
def run_wait_interrupted_stops_the_group():
    with running("--group", "8:60000") as (sim, lscd):
        for sig, status, args in ((signal.SIGINT, 130, ("--wait",)),
                                  (signal.SIGTERM, 143, ("--wait",)),
                                  # runs forever: waits until stopped
                                  (signal.SIGINT, 130, ("-n", "0", "--wait", "--json"))):
            p, out, err, mark = run_until_signal(sim, lscd, sig, *args)
            what = "run %s, %s" % (" ".join(args), signal.Signals(sig).name)
            tap.eq(p.returncode, status, "%s: exit status (%s)" % (what, err))
            tap.eq((out, err), ("", "lscctl run: interrupted, group stopped\n"), what + ": output")
            sim.wait_for("rx", STOP, since=mark)
            sim.wait_until(lambda _: sim.state()["running"] is None, what + ": group stopped")


@tap.test
def run_wait_detached_leaves_the_group_running():
    with running("--group", "8:60000") as (sim, lscd):
        p, _, err, mark = run_until_signal(sim, lscd, signal.SIGINT, "--wait", "--detach")
        tap.eq(p.returncode, -signal.SIGINT, "killed by SIGINT as before (%s)" % err)
        c = lscd.client()
        wait_until(lambda: c.ok("status")["clients"] == 1, "lscd has seen lscctl go")
        tap.eq(sim.state()["running"], 8, "the group still runs")
        tap.eq([r for r in sim.records()[mark:] if r.kind == "rx" and r.data == STOP], [], "no stop")
        tap.eq(ok(lscd, "run", "8", "--detach"), "", "--detach without --wait")


@tap.test
def run_wait_timeout_exits_75():
    with running("--group", "8:60000") as (sim, lscd):
        p = lscctl(lscd, "run", "8", "--wait", "--timeout", "0.3")
        status_is(p, 75, "run --wait --timeout")
        tap.check("timed out" in p.stderr, "says it timed out", p.stderr)


@tap.test
def stop_halt_speed():
    with running("--group", "8:60000") as (sim, lscd):
        ok(lscd, "run", "8", "-n", "0")
        mark = sim.mark()
        tap.eq(ok(lscd, "stop"), "", "stop")
        sim.wait_for("rx", bytes.fromhex("55 55 02 07"), since=mark)
        tap.check(re.match(r"halted: \d+ queued requests? dropped, 0 scheduled requests "
                           r"cancelled\n$", ok(lscd, "halt")), "halt text")
        tap.check("dropped" in json_lines(ok(lscd, "--json", "halt"))[0], "halt json")
        mark = sim.mark()
        ok(lscd, "speed", "all", "200")
        sim.wait_for("rx", bytes.fromhex("55 55 05 0B FF C8 00"), since=mark)
        ok(lscd, "speed", "8", "50")
        sim.wait_for("rx", bytes.fromhex("55 55 05 0B 08 32 00"), since=mark)


@tap.test
def watch_count_ends_on_its_own_and_prints_json():
    with running("--group", "8:100") as (sim, lscd):
        watcher = popen_subscribed(lscd, "--json", "watch", "--count", "2", "group.")
        ok(lscd, "run", "8")
        out, err = watcher.communicate(timeout=TIMEOUT)
        tap.eq(watcher.returncode, 0, "watch --count exit status (%s)" % err)
        events = json_lines(out)
        tap.eq([e["event"] for e in events], ["group.started", "group.completed"], "events")
        tap.check(all(isinstance(e["time"], float) for e in events), "times kept")


@tap.test
def watch_text_is_flushed_into_a_pipe():
    with running("--group", "8:60000") as (sim, lscd):
        watcher = popen_subscribed(lscd, "watch", "group.started")
        try:
            ok(lscd, "run", "8", "-n", "3")
            ready, _, _ = select.select([watcher.stdout], [], [], TIMEOUT)
            tap.check(ready, "a line arrives while watch still runs")
            line = watcher.stdout.readline()
            tap.check(watcher.poll() is None, "watch is still running")
            tap.check(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} group\.started "
                               r"by\.client=\d+ by\.name=null group=8 runs=3 source=lscd\n$", line),
                      "event text", line)
        finally:
            watcher.kill()
            watcher.communicate()


@tap.test
def watch_takes_every_event_and_prefix():
    with running() as (sim, lscd):
        events = ("group.", "device.", "frame.", "group.started", "group.stopped", "group.completed",
                  "device.connected", "device.disconnected", "battery", "frame.unknown",
                  "move.", "move.completed", "robot.", "robot.changed", "claim.",
                  "claim.acquired", "claim.released", "claim.expired", "sequence.",
                  "sequence.started", "sequence.step", "sequence.completed", "sequence.stopped")
        p = lscctl(lscd, "--json", "watch", "--timeout", "0.2", *events)
        status_is(p, 75, "watch of every name and prefix times out")


@tap.test
def watch_refused_subscription_exits_1():
    # lscctl checks the names itself: an lscd that refuses one anyway (an
    # older one, say) is reported like any error of lscd's.
    with tempfile.TemporaryDirectory(prefix="lscctl-") as d:
        path = os.path.join(d, "old")
        thread = fake_daemon(path, b'{"id":1,"ok":false,"error":{"code":"invalid_argument",'
                                   b'"message":"unknown event","field":"events[0]"}}\n')
        p = lscctl(None, "-s", path, "--json", "watch", "frame.unknown")
        thread.join(TIMEOUT)
    status_is(p, 1, "watch refused by lscd")
    tap.check("invalid_argument" in p.stderr, "lscd's code on stderr", p.stderr)
    tap.eq(json_lines(p.stdout)[0]["error"]["field"], "events[0]", "--json error response")


@tap.test
def watch_ends_when_its_reader_is_gone():
    # As under systemd (IgnoreSIGPIPE=yes): a failed write must end watch,
    # not leave it printing into a closed pipe forever.
    with running("--group", "8:100") as (sim, lscd):
        subscribers_are(lscd, 0)
        watcher = subprocess.Popen([LSCCTL, "-s", lscd.socket_path, "watch", "group."],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN))
        subscribers_are(lscd, 1)
        watcher.stdout.close()
        try:
            for _ in range(3):
                ok(lscd, "run", "8", "--wait")
                if watcher.poll() is not None:
                    break
            tap.eq(watcher.wait(TIMEOUT), 70, "watch exits with 70")
            tap.check("write error" in watcher.stderr.read(), "and says why")
        finally:
            watcher.kill()
            watcher.wait()
            watcher.stderr.close()


@tap.test
def watch_timeout_exits_75():
    with running() as (sim, lscd):
        p = lscctl(lscd, "watch", "--timeout", "0.2", "group.completed")
        status_is(p, 75, "watch with no events")
        tap.eq(p.stdout, "", "nothing printed")


@tap.test
def two_lscctl_at_once_run_wait_and_watch():
    with running("--group", "8:300") as (sim, lscd):
        watcher = popen_subscribed(lscd, "watch", "--count", "2", "group.")
        runner = popen(lscd, "run", "8", "--wait")
        rout, rerr = runner.communicate(timeout=TIMEOUT)
        wout, werr = watcher.communicate(timeout=TIMEOUT)
        tap.eq((runner.returncode, rout), (0, "group 8 completed\n"), "run --wait (%s)" % rerr)
        tap.eq(watcher.returncode, 0, "watch (%s)" % werr)
        names = [line.split()[2] for line in wout.splitlines()]
        tap.eq(names, ["group.started", "group.completed"], "watch saw the run")


@tap.test
def wait_for_the_running_group():
    with running("--group", "8:60000", "--group", "5:200") as (sim, lscd):
        p = lscctl(lscd, "wait")
        tap.eq((p.returncode, p.stdout), (0, ""), "nothing runs: returns at once")
        ok(lscd, "run", "5")
        sim.wait_for("tx", lambda r: r.data[3] == 8)            # its COMPLETE
        tap.eq(ok(lscd, "wait"), "", "a group that ended before wait began is not reported")
        ok(lscd, "run", "8", "-n", "0")
        p = lscctl(lscd, "wait", "--timeout", "0.2")
        status_is(p, 75, "wait --timeout on a group that runs forever")
        waiter = popen_subscribed(lscd, "--json", "wait")
        ok(lscd, "stop")
        out, err = waiter.communicate(timeout=TIMEOUT)
        tap.eq(waiter.returncode, 0, "wait ends when stopped (%s)" % err)
        tap.eq(json_lines(out)[0]["event"], "group.stopped", "prints the event")
        # A group that completes; wait follows a replacement group.
        ok(lscd, "run", "8", "-n", "0")
        waiter = popen_subscribed(lscd, "wait")
        ok(lscd, "run", "5")
        out, err = waiter.communicate(timeout=TIMEOUT)
        tap.eq(waiter.returncode, 0, "wait ends on completion (%s)" % err)
        tap.check(re.search(r"group\.completed group=5 runs=1\n$", out), "completion", out)


@tap.test
def unreachable_daemon_exits_69():
    missing = os.path.join(tempfile.mkdtemp(prefix="lscctl-"), "none.sock")
    p = lscctl(None, "-s", missing, "battery")
    status_is(p, 69, "no daemon")
    tap.check(missing in p.stderr, "message names the socket", p.stderr)
    p = lscctl(None, "status", env={"LSCD_SOCKET": missing})
    status_is(p, 69, "no daemon at $LSCD_SOCKET")
    tap.check(missing in p.stderr, "message names $LSCD_SOCKET's path", p.stderr)
    os.rmdir(os.path.dirname(missing))
    with running() as (sim, lscd):
        p = lscctl(None, "version", env={"LSCD_SOCKET": lscd.socket_path})
        status_is(p, 0, "$LSCD_SOCKET is honoured")


@tap.test
def full_lscd_is_reported_with_its_message_and_69():
    with running(lscd_args=("--max-clients", "2")) as (sim, lscd):
        a = lscd.client()
        # the harness's probe connection may not be gone yet
        wait_until(lambda: a.ok("status")["clients"] == 1, "only a connected")
        lscd.client()
        for command, args in (("status", ("status",)), ("status", ("--json", "status")),
                              ("watch", ("watch", "group."))):
            p = lscctl(lscd, *args)
            status_is(p, 69, "lscctl %s with lscd full" % " ".join(args))
            tap.eq(p.stderr, "lscctl %s: lscd at %s refused the connection: lscd serves at most 2 "
                   "clients at once (--max-clients) (too_many_clients)\n" % (command, lscd.socket_path),
                   "lscd's message")


@tap.test
def socket_path_that_is_not_a_socket_exits_69():
    with tempfile.TemporaryDirectory(prefix="lscctl-") as d:
        regular = os.path.join(d, "file")
        with open(regular, "w", encoding="utf-8"):
            pass
        for path in (regular, d):
            p = lscctl(None, "-s", path, "status")
            status_is(p, 69, "-s %s" % path)
            tap.eq(p.stderr, "lscctl: cannot connect to lscd at %s: not a socket\n" % path,
                   "says it is not a socket")


@tap.test
def garbage_from_the_daemon_exits_76_and_loss_69():
    d = tempfile.mkdtemp(prefix="lscctl-")
    for name, answer, want in (("garbage", b"this is not json\n", 76),
                               ("closed", b"", 69),
                               ("error", b'{"id":1,"ok":false,"error":{"code":"x","message":"no"}}\n', 1)):
        path = os.path.join(d, name)
        thread = fake_daemon(path, answer)
        p = lscctl(None, "-s", path, "battery")
        status_is(p, want, name)
        thread.join(TIMEOUT)
        os.unlink(path)
    os.rmdir(d)


@tap.test
def json_prints_lscd_lines_as_received():
    # Text that cJSON would print differently: a time with more digits, an
    # escaped character, a slash, an exponent, a space.
    odd = b'"time":1796004106.043727,"note":"caf\\u00e9 \\/","big":1E3, "x":[ ]'
    response = b'{"id":1,"ok":true,"millivolts":7400,' + odd + b'}\n'
    p = against_fake(response, "--json", "battery")
    status_is(p, 0, "battery")
    tap.eq(p.stdout.encode(), response, "response printed as received")
    error = b'{"id":1,"ok":false,"error":{"code":"x","message":"caf\\u00e9"},' + odd + b'}\n'
    p = against_fake(error, "--json", "battery")
    status_is(p, 1, "battery refused")
    tap.eq(p.stdout.encode(), error, "error response printed as received")
    completed = b'{"id":1,"ok":true,"group":8,"runs":1,"completed":true,' + odd + b'}\n'
    p = against_fake(completed, "--json", "run", "8", "--wait")
    status_is(p, 0, "run --wait")
    tap.eq(p.stdout.encode(), completed, "answer to run --wait printed as received")
    events = (b'{"event":"group.started","group":8,' + odd + b'}\n'
              b'{"event":"group.completed","group":8,"time":1796004107.1}\n')
    p = against_fake(b'{"id":1,"ok":true,"events":["group.started"]}\n' + events,
                     "--json", "watch", "--count", "2", "group.")
    status_is(p, 0, "watch")
    tap.eq(p.stdout.encode(), events, "events printed as received")
    # Printed as is, a raw control character could drive the terminal; it
    # is not JSON anyway.
    p = against_fake(b'{"id":1,"ok":true,"p":"\x1b]0;x\x07"}\n', "--json", "battery")
    status_is(p, 76, "raw control characters")
    tap.eq(p.stdout, "", "nothing printed")


@tap.test
def control_characters_are_not_printed_raw():
    # A USB product string (or a device path) reaches lscctl's text output:
    # an escape sequence in it must not reach the terminal as is.
    d = tempfile.mkdtemp(prefix="lscctl-")
    path = os.path.join(d, "esc")
    thread = fake_daemon(path, b'{"id":1,"ok":true,"device":{"usb":{"product":"a\\u001b]0;x\\u0007b"}}}\n')
    p = lscctl(None, "-s", path, "status")
    status_is(p, 0, "status")
    tap.check("\x1b" not in p.stdout and "\x07" not in p.stdout, "no raw control character", repr(p.stdout))
    tap.check('device.usb.product="a\\u001b]0;x\\u0007b"' in p.stdout, "quoted as JSON", repr(p.stdout))
    thread.join(TIMEOUT)
    os.unlink(path)
    os.rmdir(d)


@tap.test
def help_and_usage():
    top = ok(None, "--help")
    for cmd in ("move", "pose", "run", "stop", "halt", "speed", "battery", "status", "version",
                "servos", "robot", "reload", "watch", "wait", "ports", "help"):
        tap.check(re.search(r"^  %s " % cmd, top, re.M), "--help lists %s" % cmd)
        a, b = ok(None, "help", cmd), ok(None, cmd, "--help")
        tap.eq(a, b, "help %s == %s --help" % (cmd, cmd))
        tap.check(a.startswith("Usage: lscctl") and cmd in a.splitlines()[0], "usage of " + cmd, a)
    tap.check("--time MS" in ok(None, "help", "move"), "move documents -t")
    tap.check("replace" not in ok(None, "help", "move"), "move has no --replace")
    status_is(lscctl(None, "help", "nope"), 2, "help of an unknown command")


@tap.test
def ports_lists_and_exits_0():
    p = lscctl(None, "ports")
    status_is(p, 0, "ports")
    for port in json_lines(ok(None, "--json", "ports")):
        tap.check(port["path"].startswith("/dev/"), "a device path", port)
        tap.check(isinstance(port["lsc"], bool), "marks LSC boards", port)


@tap.test
def bash_completion_offers_table_words():
    script = COMPLETION
    tap.eq(complete("lscctl", "st"), ["stop", "status"], "commands")
    tap.eq(complete("lscctl", "-s", "/x", "move", "--t"), ["--time", "--timeout"], "options of move")
    tap.eq(complete("lscctl", "move", "--r"), [], "no --replace")
    tap.eq(complete("lscctl", "run", "--d"), ["--detach"], "options of run")
    tap.check("group.completed" in complete("lscctl", "watch", "group.c"), "event names")
    tap.eq(sorted(complete("lscctl", "watch", "")),
           sorted(["--count", "--timeout", "--socket", "--json", "--help", "group.", "device.", "frame.",
                   "group.started", "group.stopped", "group.completed", "device.connected",
                   "device.disconnected", "battery", "frame.unknown", "move.", "move.completed",
                   "robot.", "robot.changed", "claim.", "claim.acquired", "claim.released",
                   "claim.expired", "sequence.", "sequence.started", "sequence.step",
                   "sequence.completed", "sequence.stopped"]), "every event and prefix")
    tap.eq(complete("lscctl", "speed", "a"), ["all"], "speed all")
    # bash splits "--socket=PATH" at the "=": PATH is not the command.
    tap.eq(complete("lscctl", "--socket", "=", "/x", "sp"), ["speed"], "after --socket=PATH")
    tap.eq(complete("lscctl", "--socket", "=", "/x", "run", "--w"), ["--wait"], "options after --socket=PATH")
    tap.eq(complete("lscctl", "--socket", "=", script[:-3]), [script], "file names after --socket=")


@tap.test
def example_program_runs_a_group():
    with running("--group", "8:100") as (sim, lscd):
        p = subprocess.run([EXAMPLE, "8"], capture_output=True, text=True, timeout=TIMEOUT,
                           env=dict(os.environ, LSCD_SOCKET=lscd.socket_path))
        tap.eq(p.returncode, 0, "example exit status (%s)" % p.stderr)
        tap.eq(p.stdout, "group.completed group 8\n", "example output")


@tap.test
def header_compiles_as_cplusplus():
    cxx = shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")
    if not cxx:
        raise tap.Skip("no C++ compiler")
    cjson = subprocess.run(["pkg-config", "--cflags", "libcjson"], capture_output=True,
                           text=True, check=True).stdout.split()
    src = ("#include <lsc/client.h>\n"
           "int main() { struct lsc_client *c = nullptr;\n"
           "  return lsc_client_connect(nullptr, &c) == 0 ? lsc_client_ping(c) : 1; }\n")
    # Linking proves the extern "C": C++ names would not resolve. What the
    # library itself needs (sanitizer runtimes in such builds) is not checked.
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([cxx, "-std=c++11", "-Wall", "-Wextra", "-Werror",
                            "-I", os.path.join(SRC, "include")] + cjson +
                           ["-x", "c++", "-", "-x", "none", "-o", os.path.join(d, "a.out"),
                            "-L", os.path.join(BUILD, "client", "liblsc", ".libs"), "-llsc", "-lcjson",
                            "-Wl,--unresolved-symbols=ignore-in-shared-libs"],
                           input=src, capture_output=True, text=True, timeout=TIMEOUT)
    tap.eq(p.returncode, 0, "C++ build against liblsc (%s)" % p.stderr)


def man_python_snippet():
    """The Python example of lscctl(1), unescaped from roff."""
    with open(os.path.join(SRC, "man", "lscctl.1"), encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"\.EX\n(import lsc\n.*?)\.EE\n", text, re.S).group(1)
    return block.replace("\\e", "\\").replace("\\-", "-")


@tap.test
def man_page_python_snippet_works():
    for millivolts, halts in ((7400, False), (6500, True)):
        with running("--battery-mv", str(millivolts)) as (sim, lscd):
            since = sim.mark()
            p = subprocess.run([sys.executable, "-c", man_python_snippet()],
                               capture_output=True, text=True, timeout=TIMEOUT,
                               env=dict(os.environ, LSCD_SOCKET=lscd.socket_path))
            tap.eq((p.returncode, p.stdout, p.stderr), (0, "", ""), "the snippet runs")
            if halts:
                sim.wait_for("rx", hexbytes("55 55 02 07"), since=since)
            stops = [r for r in sim.records()[since:] if r.kind == "rx"
                     and r.data == hexbytes("55 55 02 07")]
            tap.eq(len(stops), int(halts), "%d mV: halted %s" % (millivolts, halts))


tap.main()
