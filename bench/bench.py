# SPDX-License-Identifier: MIT
"""bench.py: lscd's benchmark suite (issue 4 section 5). Run it with
bench/run, which builds what it needs first; see bench/README.md for what
each figure means and how it is measured.

    bench.py --builddir DIR [--quick] [--no-save] [--results DIR] [--only FIGURES]
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(TOP, "tests", "e2e")]

# pylint: disable=wrong-import-position
import benchlib
import clientbench
import lscdharness
import mqttbench
import robotbench
import seqbench
import simharness
import stopbench
import wirebench

STOP_QUEUED = 1000
STOP_TARGET_MS = 25.0
SUBSCRIBERS = 1000
# Requests each client keeps in flight for lscd's capacity (ping).
PIPELINE = 16
# Real-time priority (SCHED_FIFO) for lsc-sim, which stands in for the
# board's hardware and must not be late, and for one extra lscd run that
# tells lscd's pacing from the machine's scheduling delays. Only where
# allowed (root, or CAP_SYS_NICE); otherwise the header says so.
RT_PRIORITY = 10


class Plan:
    """How much of each workload to run: full, or --quick."""

    def __init__(self, quick):
        self.quick = quick
        self.stop_runs = 5 if quick else 100
        self.socat_stop_runs = 1 if quick else 3
        self.idle_samples = 40 if quick else 400
        self.util_frames = {9600: 100 if quick else 500, 115200: 600 if quick else 4000}
        self.rate_seconds = 1 if quick else 4
        self.fanout_rounds = 3 if quick else 20
        self.idle_seconds = 3 if quick else 10
        self.wait_samples = 20 if quick else 200
        self.sequence_steps = 40 if quick else 200
        self.stop18_runs = 10 if quick else 200


class Table:
    """Rows of (figure, lscd, socat, ratio, note), printed aligned."""

    def __init__(self):
        self.rows = []

    def add(self, figure, lscd, socat="", ratio="", note=""):
        self.rows.append((figure, lscd, socat, ratio, note))
        print("  %-44s %s" % (figure, lscd), flush=True)

    def render(self):
        head = ("figure", "lscd", "peer", "lscd/peer", "notes")
        widths = [max(len(r[i]) for r in self.rows + [head]) for i in range(4)]
        lines = []
        for row in [head] + self.rows:
            cells = [row[i].ljust(widths[i]) for i in range(4)] + [row[4]]
            lines.append("  ".join(cells).rstrip())
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join(lines)


def ms(value):
    return "%.2f ms" % value


def ratio(a, b):
    return "%.3g" % (a / b) if b else "-"


def percentiles(values):
    return benchlib.percentile(values, 50), benchlib.percentile(values, 99)


def machine():
    """CPU model, cores, kernel, host."""
    model = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%s, %d cores, Linux %s, host %s" % (model, os.cpu_count(), platform.release(),
                                                 socket.gethostname())


def realtime(pid):
    """Make process pid SCHED_FIFO; False where that is not allowed."""
    try:
        os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(RT_PRIORITY))
        return True
    except PermissionError:
        return False


def revision():
    out = subprocess.run(["git", "-C", TOP, "describe", "--always", "--dirty"],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


class Bench:
    """One run of the suite: binaries, plan, table."""

    def __init__(self, builddir, plan):
        self.sim_bin = os.path.join(builddir, "sim", "lsc-sim")
        self.lscd_bin = os.path.join(builddir, "lscd")
        self.loadgen = os.path.join(builddir, "bench", "loadgen")
        self.seqpeer = seqbench.seqpeer_path(builddir)
        self.scratch = os.path.join(os.path.dirname(builddir), "bench-busy")
        self.builddir = builddir
        self.plan = plan
        self.table = Table()
        self.t0 = time.monotonic()
        self.sim_rt = False
        self.client_rt = False
        self.load = benchlib.loadavg()
        self.only = self.FIGURES

    @contextlib.contextmanager
    def sim(self, baud):
        """lsc-sim at baud, real-time when allowed."""
        with simharness.Sim(baud=baud, binary=self.sim_bin) as sim:
            self.sim_rt = realtime(sim.proc.pid)
            yield sim

    @contextlib.contextmanager
    def lscd(self, sim, baud, *extra):
        """lscd on the simulator's link, once it has opened the pty."""
        with lscdharness.Lscd(sim.link, "--baud", str(baud), "--max-clients",
                              str(SUBSCRIBERS + 100), *extra, binary=self.lscd_bin,
                              log_level="warning") as lscd:
            with lscd.client() as c:
                wirebench.wait_connected(c)
            yield lscd

    def wire_figures(self):
        """Stop latency, request-to-wire and utilisation at 9600 baud, and
        utilisation at 115200, through lscd then socat on the same sim."""
        results = {}
        for baud in (9600, 115200):
            with self.sim(baud) as sim:
                tail = benchlib.Tail(sim.log_path)
                with self.lscd(sim, baud) as lscd:
                    results[("lscd", baud)] = self.wire_path(wirebench.LscdPath(lscd), tail, baud)
                if self.sim_rt:
                    results[("fifo", baud)] = self.realtime_utilisation(sim, tail, baud)
                with benchlib.Socat(sim.pts, baud, sim.dir) as socat:
                    results[("socat", baud)] = self.wire_path(wirebench.SocatPath(socat), tail, baud)
        self.wire_rows(results)

    def realtime_utilisation(self, sim, tail, baud):
        print("lscd real-time at %d baud ..." % baud, flush=True)
        with self.lscd(sim, baud) as lscd:
            if not realtime(lscd.proc.pid):
                raise RuntimeError("lscd could not be made real-time, lsc-sim could")
            return {"util": wirebench.utilisation(wirebench.LscdPath(lscd), tail,
                                                  self.plan.util_frames[baud], baud)}

    def wire_path(self, path, tail, baud):
        p = self.plan
        print("%s at %d baud ..." % (path.name, baud), flush=True)
        out = {"util": wirebench.utilisation(path, tail, p.util_frames[baud], baud)}
        if baud == 9600:
            runs = p.stop_runs if path.name == "lscd" else p.socat_stop_runs
            out["stop"] = wirebench.stop_latency(path, tail, STOP_QUEUED, runs)
            out["idle"], out["frame_ms"] = wirebench.request_to_wire(path, tail, p.idle_samples,
                                                                     baud)
        return out

    def wire_rows(self, res):
        self.stop_rows(res)
        self.idle_rows(res)
        self.utilisation_rows(res)

    def stop_rows(self, res):
        t = self.table
        lscd, socat = res[("lscd", 9600)], res[("socat", 9600)]
        lms, sms = [r[0] for r in lscd["stop"]], [r[0] for r in socat["stop"]]
        lmed, smed = benchlib.median(lms), benchlib.median(sms)
        lmax, smax = max(lms), max(sms)
        verdict = "met" if lmax <= STOP_TARGET_MS else "MISSED"
        t.add("stop latency, %d moves queued, median" % STOP_QUEUED, ms(lmed), ms(smed),
              ratio(lmed, smed), "9600 baud; target <= %g ms: %s" % (STOP_TARGET_MS, verdict))
        t.add("stop latency, %d moves queued, max" % STOP_QUEUED, ms(lmax), ms(smax),
              ratio(lmax, smax), "runs: lscd %d, socat %d" % (len(lms), len(sms)))
        lpass, spass = max(r[1] for r in lscd["stop"]), max(r[1] for r in socat["stop"])
        t.add("  moves ahead of the STOP after the request, max", str(lpass), str(spass),
              ratio(lpass, spass), "frames that ended on the wire between request and STOP")

    def idle_rows(self, res):
        t = self.table
        lscd, socat = res[("lscd", 9600)], res[("socat", 9600)]
        frame = lscd["frame_ms"]
        (l50, l99), (s50, s99) = percentiles(lscd["idle"]), percentiles(socat["idle"])
        n = "9600 baud, %d samples each" % len(lscd["idle"])
        t.add("request-to-wire, idle line, p50", ms(l50), ms(s50), ratio(l50, s50),
              n + "; to the frame's last byte")
        t.add("request-to-wire, idle line, p99", ms(l99), ms(s99), ratio(l99, s99), n)
        t.add("  same, minus the frame's wire time, p50", ms(l50 - frame), ms(s50 - frame),
              ratio(l50 - frame, s50 - frame), "a 10-byte move takes %.2f ms" % frame)
        t.add("  same, minus the frame's wire time, p99", ms(l99 - frame), ms(s99 - frame),
              ratio(l99 - frame, s99 - frame), "")

    def utilisation_rows(self, res):
        t = self.table
        for baud in (9600, 115200):
            lu, su = res[("lscd", baud)]["util"], res[("socat", baud)]["util"]
            t.add("wire utilisation, saturating, %d baud" % baud, "%.1f %%" % (100 * lu),
                  "%.1f %%" % (100 * su), ratio(lu, su),
                  "%d moves from one client" % self.plan.util_frames[baud])
            if ("fifo", baud) in res:
                lu = res[("fifo", baud)]["util"]
                t.add("  same, lscd SCHED_FIFO %d" % RT_PRIORITY, "%.1f %%" % (100 * lu),
                      "%.1f %%" % (100 * su), ratio(lu, su),
                      "real-time lscd: its pacing without the machine's scheduling delays")

    def client_figures(self):
        """Throughput at 9600 and 115200 baud; then RSS, idle wake-ups and
        fan-out at 9600."""
        for baud in (9600, 115200):
            with self.sim(baud) as sim, self.lscd(sim, baud) as lscd:
                print("lscd throughput at %d baud ..." % baud, flush=True)
                if baud == 9600:
                    self.throughput_rows(lscd, "ping", clientbench.PING, baud)
                self.throughput_rows(lscd, "move", clientbench.MOVE, baud)
        with self.sim(9600) as sim, self.lscd(sim, 9600) as lscd:
            self.fanout_figures(sim, lscd)

    def throughput_rows(self, lscd, name, request, baud):
        loads = [(1, 1), (64, 1)] + ([(64, PIPELINE)] if name == "ping" else [])
        for clients, depth in loads:
            rate, cpu, own = clientbench.throughput(self.loadgen, lscd, clients,
                                                    self.plan.rate_seconds, request, depth)
            note = "CPU: lscd %.0f %%, loadgen %.0f %%" % (cpu, own)
            figure = "%s throughput, %d client%s" % (name, clients, "s" if clients > 1 else "")
            if depth > 1:
                figure += ", %d in flight each" % depth
            if name == "move":
                cap = baud / 10.0 / len(benchlib.frame_move(4, 1500))
                note += "; wire bound: %.0f moves/s" % cap
                figure += ", %d baud" % baud
            self.table.add(figure, "%.0f /s" % rate, note=note)

    def fanout_figures(self, sim, lscd):
        p, t = self.plan, self.table
        print("lscd with %d clients ..." % SUBSCRIBERS, flush=True)
        time.sleep(0.5)
        rss0 = clientbench.rss_kib(lscd)
        idle0 = clientbench.wakeups(lscd, p.idle_seconds)
        with clientbench.Subscribers(self.loadgen, lscd, SUBSCRIBERS, "group.started") as subs:
            time.sleep(0.5)
            rss1 = clientbench.rss_kib(lscd)
            idle1 = clientbench.wakeups(lscd, p.idle_seconds)
            tail = benchlib.Tail(sim.log_path)
            lat = clientbench.fanout(subs, sim, tail, p.fanout_rounds)
        f50, f99 = percentiles(lat)
        n = "%d subscribers x %d events" % (SUBSCRIBERS, p.fanout_rounds)
        t.add("event fan-out, p50", ms(f50), note=n + "; sim tx -> subscriber recv")
        t.add("event fan-out, p99", ms(f99), note="max %.2f ms" % max(lat))
        t.add("lscd RSS, 0 clients", "%d KiB" % rss0, note="VmRSS")
        t.add("lscd RSS, %d clients" % SUBSCRIBERS, "%d KiB" % rss1,
              note="%.1f KiB per client" % ((rss1 - rss0) / SUBSCRIBERS))
        t.add("idle wake-ups, 0 clients", "%.1f /s" % idle0,
              note="context switches over %d s" % p.idle_seconds)
        t.add("idle wake-ups, %d clients connected" % SUBSCRIBERS, "%.1f /s" % idle1,
              note="context switches over %d s" % p.idle_seconds)

    def robot_figures(self):
        """Move wait accuracy at 9600 baud, beside a sleeping client: the
        distance between the answer and the servos' arrival, either way."""
        with self.sim(9600) as sim, self.lscd(sim, 9600) as lscd:
            print("move wait accuracy ...", flush=True)
            tail = benchlib.Tail(sim.log_path)
            waited, slept = robotbench.wait_accuracy(lscd, tail, self.plan.wait_samples)
        (w50, w99), (s50, s99) = (percentiles([abs(e) for e in x]) for x in (waited, slept))
        n = "%d moves of %d ms each; peer: move, then sleep %d ms in Python" % (
            len(waited), robotbench.TIME_MS, robotbench.TIME_MS)
        self.table.add("move wait accuracy, |answer - arrival|, p50", ms(w50), ms(s50),
                       ratio(w50, s50), n)
        self.table.add("move wait accuracy, |answer - arrival|, p99", ms(w99), ms(s99),
                       ratio(w99, s99), "signed, median: lscd %+.2f ms, peer %+.2f ms "
                       "(- = before the servos arrived)" % (benchlib.median(waited),
                                                           benchlib.median(slept)))

    def sequence_figures(self):
        """Sequence timing at 115200 baud (20 ms steps) and 9600 (100 ms),
        idle and beside CPU hogs: lscd's sequence.run, a Python loop and a
        C client (bench/seqpeer) playing the same motion, in turn; then
        lscd's sequence.run again with lscd --realtime, as its units run it
        (the peers stay at normal priority, as a user's script would)."""
        realtime = ("--realtime", str(stopbench.REALTIME))
        for baud, step_ms in seqbench.CASES:
            res = {}
            with self.sim(baud) as sim:
                tail = benchlib.Tail(sim.log_path)
                for extra, players in (((), seqbench.PLAYERS), (realtime, ("lscd",))):
                    with self.lscd(sim, baud, *extra) as lscd:
                        if extra and not self.lscd_realtime(lscd):
                            continue
                        for loaded in (False, True):
                            print("sequence timing at %d baud%s%s ..." % (
                                baud, ", lscd --realtime" if extra else "",
                                ", %d CPU hogs" % seqbench.HOGS if loaded else ""), flush=True)
                            res[(bool(extra), loaded)] = seqbench.timing(
                                lscd, self.seqpeer, tail, baud, step_ms,
                                self.plan.sequence_steps, loaded, players)
                            res[(bool(extra), loaded)][0]["floor"] = self.sequence_floor(
                                step_ms, loaded, bool(extra))
            for loaded in (False, True):
                errors, load = res[(False, loaded)]
                self.sequence_rows(baud, step_ms, loaded, errors, load)
                if (True, loaded) in res:
                    self.sequence_rt_rows(loaded, res[(True, loaded)][0], errors)

    def sequence_floor(self, step_ms, loaded, realtime):
        """bench/timerfloor's wake-ups for as many steps, beside the hogs
        when loaded, at lscd --realtime's priority when realtime."""
        with seqbench.cpu_hogs() if loaded else contextlib.nullcontext():
            return seqbench.timer_floor(self.builddir, step_ms, self.plan.sequence_steps,
                                        stopbench.REALTIME if realtime else None)

    @staticmethod
    def lscd_realtime(lscd):
        """Whether lscd runs real-time; says so when it was refused."""
        with lscd.client() as c:
            if c.ok("status")["realtime"]:
                return True
        print("  lscd --realtime was refused: no real-time rows")
        return False

    def sequence_rows(self, baud, step_ms, loaded, errors, load):
        stats = {p: self.sequence_stats(errors[p]) for p in seqbench.PLAYERS}
        floor = self.sequence_stats(errors["floor"])
        notes = [
            "%d steps of %d ms; load average %.2f (1 min) before; timer floor p50 / p99 / max "
            "%.2f / %.2f / %.2f ms (bench/timerfloor)" % (
                len(errors["lscd"]), step_ms, load, *floor),
            "peers: py = Python loop, time.sleep() to each step's time; C = bench/seqpeer, "
            "liblsc, clock_nanosleep(TIMER_ABSTIME)",
            "earliest, signed: lscd %+.2f, py %+.2f, C %+.2f ms (- = before its time)" % tuple(
                min(errors[p]) for p in seqbench.PLAYERS),
        ]
        for k, name in enumerate(("p50", "p99", "max")):
            if loaded:
                figure = "  same, %d CPU hogs, %s" % (seqbench.HOGS, name)
            else:
                figure = "sequence step start - due, %d baud, %s" % (baud, name)
            lscd, py, c = (stats[p][k] for p in seqbench.PLAYERS)
            self.table.add(figure, ms(lscd), "py %s, C %s" % (ms(py), ms(c)),
                           "%s, %s" % (ratio(lscd, py), ratio(lscd, c)), notes[k])

    def sequence_rt_rows(self, loaded, rt, errors):
        """lscd --realtime's figures, beside the same peers' (run at normal
        priority against the normal lscd just before)."""
        stats = self.sequence_stats(rt["lscd"])
        floor = self.sequence_stats(rt["floor"])
        peers = {p: self.sequence_stats(errors[p]) for p in ("python", "c")}
        notes = ["earliest, signed: %+.2f ms; lscd --realtime %d" % (
                     min(rt["lscd"]), stopbench.REALTIME),
                 "timer floor at the same priority p50 / p99 / max %.2f / %.2f / %.2f ms" % (
                     tuple(floor)), ""]
        for k, name in enumerate(("p50", "p99", "max")):
            py, c = peers["python"][k], peers["c"][k]
            note = notes[k]
            self.table.add("    lscd --realtime%s, %s" % (", hogs" if loaded else "", name),
                           ms(stats[k]), "py %s, C %s" % (ms(py), ms(c)),
                           "%s, %s" % (ratio(stats[k], py), ratio(stats[k], c)), note)

    @staticmethod
    def sequence_stats(errors):
        """p50, p99 and max of a play's |error| in ms."""
        return [benchlib.percentile([abs(e) for e in errors], q) for q in (50, 99, 100)]

    def stop_figures(self):
        """STOP with 1,000 moves queued and the idle request-to-wire
        overhead at 9600 baud, on an idle machine and a busy one, through
        lscd, lscd real-time and socat (bench/stopbench.py)."""
        p, res, loads = self.plan, {}, {}
        realtime = ("--realtime", str(stopbench.REALTIME))
        with self.sim(9600) as sim, stopbench.realtime_client() as self.client_rt:
            tail = benchlib.Tail(sim.log_path)
            for loaded in (False, True):
                loads[loaded] = benchlib.loadavg()
                with stopbench.busy(TOP, self.scratch, loaded):
                    for name, extra in (("lscd", ()), ("lscd real-time", realtime)):
                        print("%s, %s machine ..." % (name, "busy" if loaded else "idle"),
                              flush=True)
                        with self.lscd(sim, 9600, *extra) as lscd:
                            with lscd.client() as c:
                                rt = c.ok("status")["realtime"]
                            if extra and not rt:
                                print("  lscd --realtime was refused: no real-time rows")
                                continue
                            res[(name, loaded)] = stopbench.measure(
                                wirebench.LscdPath(lscd), tail, p.stop18_runs, p.socat_stop_runs)
                    print("socat, %s machine ..." % ("busy" if loaded else "idle"), flush=True)
                    with benchlib.Socat(sim.pts, 9600, sim.dir) as socat:
                        res[("socat", loaded)] = stopbench.measure(
                            wirebench.SocatPath(socat), tail, p.stop18_runs, p.socat_stop_runs)
        for loaded in (False, True):
            self.stop_rows18(res, loaded, loads[loaded])

    def stop_rows18(self, res, loaded, load):
        t = self.table
        where = "busy machine" if loaded else "idle machine"
        socat = res[("socat", loaded)]
        s = [r[0] for r in socat["stop"]]
        for name in ("lscd", "lscd real-time"):
            if (name, loaded) not in res:
                continue
            r = res[(name, loaded)]
            v = [x[0] for x in r["stop"]]
            t.add("STOP, %d queued, %s, %s, p50/p99/max" % (stopbench.QUEUED, where, name),
                  "%.2f/%.2f/%.2f ms" % (benchlib.percentile(v, 50), benchlib.percentile(v, 99),
                                         max(v)),
                  "%.0f/%.0f/%.0f ms" % (benchlib.percentile(s, 50), benchlib.percentile(s, 99),
                                         max(s)),
                  ratio(max(v), max(s)),
                  "runs: %d, socat %d; moves ahead of the STOP, max: %d, socat %d; "
                  "load %.2f before" % (len(v), len(s), max(x[1] for x in r["stop"]),
                                        max(x[1] for x in socat["stop"]), load))
            o, so = ([x - d["frame_ms"] for x in d["idle"]] for d in (r, socat))
            t.add("  request-to-wire overhead, %s, %s, p50/p99/max" % (where, name),
                  "%.2f/%.2f/%.2f ms" % (benchlib.percentile(o, 50), benchlib.percentile(o, 99),
                                         max(o)),
                  "%.2f/%.2f/%.2f ms" % (benchlib.percentile(so, 50),
                                         benchlib.percentile(so, 99), max(so)),
                  ratio(benchlib.percentile(o, 99), benchlib.percentile(so, 99)),
                  "beyond the frame's own %.2f ms; %d samples; ratio of the p99s" % (
                      r["frame_ms"], len(o)))
        f = socat["floor"]
        t.add("  floor: socat, a STOP on an idle line, %s, p50/p99/max" % where,
              "", "%.2f/%.2f/%.2f ms" % (benchlib.percentile(f, 50), benchlib.percentile(f, 99),
                                         max(f)),
              "", "the STOP's own 4.17 ms on the wire plus socat and the simulator; the "
              "client: %s" % ("SCHED_FIFO %d" % stopbench.CLIENT_REALTIME if self.client_rt
                              else "normal priority (not allowed)"))

    def report(self, started):
        header = [
            "lscd benchmark (bench/run%s%s), %s UTC, revision %s" % (
                " --quick" if self.plan.quick else "",
                "" if self.only == self.FIGURES else " --only " + " ".join(self.only),
                started.strftime("%Y-%m-%d %H:%M"),
                revision()),
            "machine: %s" % machine(),
            "simulator: lsc-sim, paced pty at the baud given, %s; lscd at normal priority "
            "unless said; times are CLOCK_MONOTONIC" % (
                "SCHED_FIFO %d" % RT_PRIORITY if self.sim_rt else "normal priority (not allowed)"),
            "peer column: socat on the same simulator, unless the note names another peer",
            "run time: %.0f s; load average before %.2f, after %.2f (1 min)" % (
                time.monotonic() - self.t0, self.load, benchlib.loadavg()),
            "",
        ]
        return "\n".join(header) + self.table.render() + "\n"

    def web_figures(self):
        """Click-to-wire latency of the panel's Stop in headless Chromium,
        beside halt from a client on lscd's socket (bench/webbench.py, run
        by a python that has python3-websockets)."""
        print("web panel: Stop click to wire ...", flush=True)
        n = 10 if self.plan.quick else 100
        python = sys.executable
        if subprocess.call([python, "-c", "import websockets"], stderr=subprocess.DEVNULL) != 0:
            python = "/usr/bin/python3"
        out = subprocess.run([python, os.path.join(HERE, "webbench.py"), "--builddir",
                              os.path.dirname(self.lscd_bin), "--clicks", str(n)],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            self.table.add("Stop click-to-wire, web panel", "failed", note=out.stderr[-200:])
            return
        res = {k: [s * 1000 for s in v] for k, v in json.loads(out.stdout.splitlines()[-1]).items()}
        (c50, c99), (p50, p99) = percentiles(res["click"]), percentiles(res["peer"])
        self.table.add("Stop click-to-wire, web panel, p50", ms(c50), ms(p50), ratio(c50, p50),
                       "%d clicks in headless Chromium through lscd-web, 9600 baud" % n)
        self.table.add("Stop click-to-wire, web panel, p99", ms(c99), ms(p99), ratio(c99, p99),
                       "peer: halt from a Python client on lscd's socket, same run")

    def fleet_figures(self):
        """lscd-mqtt: 50 robots on one broker (bench/mqttbench.py)."""
        self.sim_rt = mqttbench.figures(self.builddir, self.table, self.plan.quick, realtime)

    FIGURES = ("wire", "client", "robot", "sequence", "stop", "web", "fleet")

    def run(self, only=FIGURES):
        self.only = tuple(n for n in self.FIGURES if n in only)
        for name in self.FIGURES:
            if name in only:
                getattr(self, name + "_figures")()


def save(text, directory, started):
    os.makedirs(directory, exist_ok=True)
    name = "%s-%s.txt" % (started.strftime("%Y-%m-%d"), socket.gethostname())
    for path in (os.path.join(directory, name), os.path.join(directory, "latest.txt")):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    print("written: %s and latest.txt in %s" % (name, directory))


def main():
    ap = argparse.ArgumentParser(description="lscd benchmark suite")
    ap.add_argument("--builddir", required=True, help="where lscd, lsc-sim and loadgen are built")
    ap.add_argument("--quick", action="store_true", help="fewer runs and samples (under a minute), nothing written")
    ap.add_argument("--no-save", action="store_true", help="print the table only")
    ap.add_argument("--results", default=os.path.join(HERE, "results"),
                    help="directory for the table files (default bench/results)")
    ap.add_argument("--only", nargs="+", choices=Bench.FIGURES, default=Bench.FIGURES,
                    help="run only these groups of figures; the table is printed, not saved")
    args = ap.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    bench = Bench(os.path.abspath(args.builddir), Plan(args.quick))
    bench.run(args.only)
    text = bench.report(started)
    print("\n" + text, end="")
    # A partial table is not the suite's result: printed only.
    if not args.no_save and not args.quick and bench.only == Bench.FIGURES:
        save(text, args.results, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
