# SPDX-License-Identifier: MIT
"""mqttbench.py: the fleet figures (issue 17): ROBOTS simulated robots
(lsc-sim + lscd + lscd-mqtt each, with their own credentials) on one
Mosquitto, all on this machine.

  - command round trip over MQTT (publish with a response topic -> the
    answer received), p50 and p99, beside the same request over the robot's
    Unix socket in the same run (the peer);
  - start spread of a synchronised broadcast: group.run on lsc/all/cmd with
    "at" LEAD s ahead; each robot's start is its frame's first byte on its
    simulator's wire (the rx time logged, minus the frame's wire time);
    the figures are each start minus T (p99, max) and the spread of one
    broadcast (max - min over the robots; p50 and max over the rounds). The
    peer is the same broadcast without "at": the broker's delivery jitter;
  - RSS of one bridge (VmRSS), beside its lscd's.
"""

import json
import os
import time
import uuid

import benchlib
import mqttharness
import seqbench
from benchlib import frame_move, percentile

ROBOTS = 50
LEAD = 0.5
RUN_FRAME = bytes.fromhex("55 55 05 06 08 01 00")
BAUD = 9600


def binaries(builddir):
    """Point the harnesses at the binaries of builddir."""
    os.environ["LSCD"] = os.path.join(builddir, "lscd")
    os.environ["LSC_SIM"] = os.path.join(builddir, "sim", "lsc-sim")
    os.environ["LSCD_MQTT"] = os.path.join(builddir, "lscd-mqtt")


def round_trips(mq, fleet, request, samples):
    """(MQTT round trips, Unix socket round trips) in seconds, interleaved
    request by request over the robots: the Unix socket's request goes to
    the robot half the fleet away, so that each finds its robot's line idle
    (a move is answered once written, after the one before it)."""
    ids = list(fleet.robots)
    over_mqtt, over_unix = [], []
    clients = {}
    try:
        for n in range(samples):
            robot = fleet[ids[n % len(ids)]]
            corr = uuid.uuid4().bytes
            since = mq.mark()
            t0 = time.monotonic()
            mq.publish("lsc/%s/cmd" % robot.id, request, response_topic=mq.reply_topic,
                       correlation=corr)
            m = mq.wait(lambda m, c=corr: mqttharness.correlation_of(m) == c, "an answer", 30,
                        since)
            over_mqtt.append(mq.received_at(m) - t0)
            robot = fleet[ids[(n + len(ids) // 2) % len(ids)]]
            c = clients.get(robot.id) or clients.setdefault(robot.id, robot.lscd.client())
            t0 = time.monotonic()
            r = c.request(request["cmd"], **{k: v for k, v in request.items() if k != "cmd"})
            over_unix.append(time.monotonic() - t0)
            if not (json.loads(m.payload)["ok"] and r["ok"]):
                raise RuntimeError("a request failed: %s / %s" % (m.payload, r))
    finally:
        for c in clients.values():
            c.close()
    return over_mqtt, over_unix


def broadcast_starts(mq, fleet, lead):
    """Each robot's start (CLOCK_REALTIME) of one group.run broadcast, with
    "at" LEAD seconds ahead, or without "at" when LEAD is None; and T."""
    offset = seqbench.realtime_offset()
    marks = {i: r.sim.mark() for i, r in fleet.robots.items()}
    request = {"cmd": "group.run", "group": 8}
    at = None if lead is None else round(time.time() + lead, 6)
    if at is not None:
        request["at"] = at
    answers = mq.broadcast(request, list(fleet.robots), 60)
    if not all(a["ok"] for a in answers.values()):
        raise RuntimeError("group.run refused: %s" % answers)
    starts = []
    for i, r in fleet.robots.items():
        rec = r.sim.wait_for("rx", RUN_FRAME, since=marks[i], timeout=30)
        starts.append(rec.t + offset - benchlib.wire_time(len(RUN_FRAME), BAUD))
    return starts, at


def figures(builddir, table, quick, realtime):
    """Add the fleet rows to TABLE (bench.Table). REALTIME(pid) makes a
    simulator real-time where allowed, as the rest of the suite does;
    returns whether it was."""
    binaries(builddir)
    samples = 50 if quick else 500
    rounds = 3 if quick else 10
    ids = ["r%02d" % i for i in range(ROBOTS)]
    print("fleet of %d robots on one broker ..." % ROBOTS, flush=True)
    t_start = time.monotonic()
    with mqttharness.Broker(ids) as broker, mqttharness.Fleet(broker, ids) as fleet, \
            broker.client() as mq:
        started = time.monotonic() - t_start
        sims_rt = all([realtime(r.sim.proc.pid) for r in fleet.robots.values()])
        rtt = {}
        for name, request in (("ping", {"cmd": "ping"}),
                              ("move", {"cmd": "move", "servos": [{"id": 1, "position": 1500}],
                                        "time_ms": 0})):
            rtt[name] = round_trips(mq, fleet, request, samples)
        at_offsets, at_spreads, now_spreads = [], [], []
        for _ in range(rounds):
            starts, at = broadcast_starts(mq, fleet, LEAD)
            at_offsets += [s - at for s in starts]
            at_spreads.append(max(starts) - min(starts))
            mq.broadcast({"cmd": "group.stop"}, ids, 60)
            starts, _ = broadcast_starts(mq, fleet, None)
            now_spreads.append(max(starts) - min(starts))
            mq.broadcast({"cmd": "group.stop"}, ids, 60)
        some = fleet[ids[0]]
        rss = benchlib.proc_status(some.bridge.proc.pid, "VmRSS")["VmRSS"]
        rss_lscd = benchlib.proc_status(some.lscd.proc.pid, "VmRSS")["VmRSS"]
    for name in ("ping", "move"):
        over_mqtt, over_unix = rtt[name]
        for q in (50, 99):
            a, b = percentile(over_mqtt, q) * 1000, percentile(over_unix, q) * 1000
            table.add("fleet: %s round trip over MQTT, p%d" % (name, q), "%.2f ms" % a,
                      "%.2f ms" % b, "%.3g" % (a / b),
                      "peer: the same request on a robot's Unix socket; %d requests over %d "
                      "robots" % (samples, ROBOTS) if q == 50 else
                      "Python clients (paho-mqtt; lscdharness) on both sides")
    late = [abs(x) for x in at_offsets]
    table.add("fleet: broadcast with at, |start - T|, p99", "%.2f ms" % (percentile(late, 99) * 1000),
              note="%d robots x %d broadcasts, T %.1f s ahead; start = frame's first byte" % (
                  ROBOTS, rounds, LEAD))
    table.add("fleet: broadcast with at, |start - T|, max", "%.2f ms" % (max(late) * 1000),
              note="earliest %+.2f ms (- = before T)" % (min(at_offsets) * 1000))
    table.add("fleet: broadcast start spread, p50", "%.2f ms" % (percentile(at_spreads, 50) * 1000),
              "%.2f ms" % (percentile(now_spreads, 50) * 1000),
              "%.3g" % (percentile(at_spreads, 50) / percentile(now_spreads, 50)),
              "max - min over %d robots; peer: the same broadcast without at" % ROBOTS)
    table.add("fleet: broadcast start spread, max", "%.2f ms" % (max(at_spreads) * 1000),
              "%.2f ms" % (max(now_spreads) * 1000), "%.3g" % (max(at_spreads) / max(now_spreads)))
    table.add("fleet: RSS of one bridge", "%d KiB" % rss, "%d KiB" % rss_lscd,
              "%.3g" % (rss / rss_lscd), "VmRSS; peer: its lscd; %d robots started in %.1f s" % (
                  ROBOTS, started))
    return sims_rt
