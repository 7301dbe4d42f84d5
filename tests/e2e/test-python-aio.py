#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lsc.aio.Client against lsc-sim + lscd: 100 requests in flight at once,
each matched to its own answer while events come in between; async for
over events and async with over a claim; a call cancelled or timed out
leaves the connection usable, its late answer dropped."""

import asyncio

import lsc
import lsc.aio
import tap
from lscdharness import running
from pyclient import rx_since
from simharness import hexbytes


def move_frame(servo, position, time_ms):
    """The SERVO_MOVE frame of one servo (lsc/frame.h)."""
    return bytes([0x55, 0x55, 8, 3, 1, time_ms & 0xFF, time_ms >> 8, servo,
                  position & 0xFF, position >> 8])


@tap.test
def a_hundred_requests_in_flight():
    with running() as (sim, lscd):
        async def main():
            async with lsc.aio.Client(lscd.socket_path) as c:
                await c.subscribe(["battery", "move."])
                since = sim.mark()

                async def one(i):
                    kind = i % 4
                    if kind == 0:
                        name = "n%d" % i
                        return (await c.hello(name))["name"] == name
                    if kind == 1:
                        # 25 moves of 25 servos, every other one waited for.
                        wait = i % 8 == 1
                        r = await c.move({1 + i // 4: 1000 + i}, time_ms=i, wait=wait)
                        return r["time_ms"] == i and r.get("completed", False) == wait
                    if kind == 2:
                        return await c.battery() == 7400
                    return (await c.version())["protocol"] == 1

                results = await asyncio.gather(*(one(i) for i in range(100)))
                tap.eq(results.count(True), 100, "each of the 100 got its own answer")
                moves = sorted(move_frame(1 + i // 4, 1000 + i, i) for i in range(1, 100, 4))
                frames = sorted(f for f in rx_since(sim, since) if f[3] == 3)
                tap.eq(frames, moves, "the 25 moves on the wire, once each")
                names = set()
                while True:
                    try:
                        names.add((await c.next_event(timeout=0.5)).name)
                    except TimeoutError:
                        break
                tap.eq(names, {"battery", "move.completed"}, "the events that came between")
        asyncio.run(main())


@tap.test
def async_for_and_async_with():
    with running("--group", "8:200") as (sim, lscd), lscd.client() as other:
        async def main():
            async with lsc.aio.Client(lscd.socket_path, name="aio") as c:
                events = await c.events(["group."])
                run = asyncio.ensure_future(c.run_group(8, wait=True))
                seen = []
                async for event in events:
                    seen.append(event.name)
                    if event.name == "group.completed":
                        break
                tap.eq(seen, ["group.started", "group.completed"], "async for")
                tap.eq((await run)["completed"], True, "the run that was waited for")
                async with c.claim([1, 2], lease_ms=3000) as claim:
                    tap.eq(claim.servos, [1, 2], "async with claim")
                    r = other.request("move", servos=[{"id": 1, "position": 1500}], time_ms=0)
                    tap.eq(r["error"]["code"], "claimed", "held inside the block")
                other.ok("move", servos=[{"id": 1, "position": 1500}], time_ms=0)
                claims = await c.events(["claim."], timeout=5)
                claim = await c.claim("all")
                tap.eq(await claim.release(), 1, "await claim, then release")
                async for event in claims:
                    if event.name == "claim.released" and event["claim"] == claim.id:
                        break
        asyncio.run(main())


@tap.test
def cancelled_and_timed_out_calls():
    with running() as (sim, lscd):
        async def main():
            async with lsc.aio.Client(lscd.socket_path) as c:
                since = sim.mark()
                task = asyncio.ensure_future(c.move({1: 2000}, time_ms=3000, wait=True))
                while not rx_since(sim, since):
                    await asyncio.sleep(0.01)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                tap.check(task.cancelled(), "cancelled")
                c.timeout = 0.3
                with tap.raises(TimeoutError, "no answer within the client's timeout"):
                    await c.move({2: 2000}, time_ms=3000, wait=True)
                c.timeout = None
                # The late answers (completed moves) must not answer these.
                for _ in range(3):
                    tap.eq(await c.version(), {"version": c.server["version"], "protocol": 1,
                                               "protocol_minor": c.server["protocol_minor"]},
                           "the next calls")
                await asyncio.sleep(3.5)
                tap.eq(await c.battery(), 7400, "after the late answers came and were dropped")
                tap.eq(rx_since(sim, since)[:2], [hexbytes("55 55 08 03 01 B8 0B 01 D0 07"),
                                                  hexbytes("55 55 08 03 01 B8 0B 02 D0 07")],
                       "both moves were still carried out")
        asyncio.run(main())


tap.main()
