#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: the battery command. The board's reply, the timeout,
and concurrent requests of several clients sharing one query on the wire."""

import tap
from lscdharness import error_of, running
from simharness import hexbytes

QUERY = hexbytes("55 55 02 0F")


@tap.test
def battery_reply_and_event():
    with running("--battery-mv", "7520") as (sim, lscd):
        asker = lscd.client()
        watcher = lscd.client()
        watcher.subscribe(["battery"])
        tap.eq(asker.ok("battery")["millivolts"], 7520, "reply")
        tap.eq(watcher.wait_event("battery")["millivolts"], 7520, "event to subscribers")
        sim.command("battery-mv 6100")
        tap.eq(asker.ok("battery")["millivolts"], 6100, "a new query, a new value")
        tap.eq(len(sim.records("rx")), 2, "one query per request when not concurrent")


@tap.test
def battery_timeout():
    with running("--no-battery", lscd_args=("--battery-timeout", "300")) as (sim, lscd):
        c = lscd.client()
        code, _ = error_of(c.request("battery"))
        tap.eq(code, "timeout", "no reply")
        sim.wait_for("rx", QUERY)
        sim.command("battery on")
        tap.eq(c.ok("battery")["millivolts"], 7400, "works again once the board answers")


@tap.test
def concurrent_requests_share_one_query():
    # The board is told to ignore the query, so that every request surely
    # arrives while it is pending; the reply is then injected by hand.
    with running("--no-battery", lscd_args=("--battery-timeout", "30000")) as (sim, lscd):
        clients = [lscd.client() for _ in range(3)]
        ids = []
        for c in clients:
            ids.append([c.send_request("battery") for _ in range(4)])
        for c in clients:
            c.ok("ping")                   # each client's requests were read before it
        sim.wait_for("rx", QUERY)
        sim.command("raw 55 55 04 0F 4C 1D")
        for c, mine in zip(clients, ids):
            for rid in mine:
                tap.eq(c.response(rid)["millivolts"], 7500, "answer to %d" % rid)
        tap.eq([r.data for r in sim.records("rx")], [QUERY], "exactly one query on the wire")


tap.main()
