# SPDX-License-Identifier: MIT
"""lscd-mqtt end to end with ten robots (ten lsc-sim + lscd + lscd-mqtt,
each with its own broker credentials) on one Mosquitto: each request on
its own robot's wire only; a broadcast STOP on all ten wires; a broadcast
group.run with "at" 300 ms ahead starting on every wire at about that time
(the spread is asserted loosely here and measured in bench/mqttbench.py)."""

import time

import tap
from mqttharness import Broker, Fleet
from simharness import hexbytes

IDS = ["r%d" % i for i in range(10)]
STOP_FRAME = hexbytes("55 55 02 07")
RUN_FRAME = hexbytes("55 55 05 06 08 01 00")
# Loose on purpose: with "at", every lscd starts its frame at T whatever the
# broker's delivery; this only catches a start that ignored "at".
SPREAD_LIMIT = 0.25


def frames(sim, since, data=None):
    return [r for r in sim.records()[since:] if r.kind == "rx" and (data is None or r.data == data)]


def run(fleet, mq):
    for robot_id in IDS:
        marks = {i: fleet[i].sim.mark() for i in IDS}
        answer = mq.request("lsc/%s/cmd" % robot_id, {"cmd": "group.run", "group": 8})
        tap.eq((answer["robot"], answer["ok"]), (robot_id, True), "answered by " + robot_id)
        fleet[robot_id].sim.wait_for("rx", RUN_FRAME, since=marks[robot_id])
        others = [i for i in IDS if i != robot_id and frames(fleet[i].sim, marks[i])]
        tap.eq(others, [], "no other wire has a frame of %s's request" % robot_id)

    marks = {i: fleet[i].sim.mark() for i in IDS}
    answers = mq.broadcast({"cmd": "group.stop"}, IDS)
    tap.eq(sorted(answers), IDS, "every robot answered the broadcast STOP")
    tap.check(all(a["ok"] for a in answers.values()), "all ok", answers)
    for i in IDS:
        fleet[i].sim.wait_for("rx", STOP_FRAME, since=marks[i])

    marks = {i: fleet[i].sim.mark() for i in IDS}
    offset = time.time() - time.monotonic()
    at = round(time.time() + 0.3, 6)
    answers = mq.broadcast({"cmd": "group.run", "group": 8, "at": at}, IDS)
    tap.check(all(a["ok"] for a in answers.values()), "every robot ran the group at T", answers)
    starts = []
    for i in IDS:
        r = fleet[i].sim.wait_for("rx", RUN_FRAME, since=marks[i])
        starts.append(r.t + offset)
    spread = max(starts) - min(starts)
    tap.diag("start spread across ten robots: %.1f ms" % (spread * 1000))
    tap.check(min(starts) >= at - 0.02, "no robot started before T", (min(starts), at))
    tap.check(spread < SPREAD_LIMIT, "ten starts together", spread)


@tap.test
def ten_robots():
    broker = Broker(IDS)
    with broker, Fleet(broker) as fleet, broker.client() as mq:
        run(fleet, mq)


tap.main()
