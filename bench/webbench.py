# SPDX-License-Identifier: MIT
"""webbench.py: click-to-wire latency of the panel's Stop button.

lsc-sim, lscd and lscd-web run as in the browser test; headless Chromium
(tests/e2e/cdp.py, python3-websockets) loads the panel, and the bench
clicks Stop CLICKS times with a real mouse event (Input.dispatchMouseEvent).
A click's latency runs from just before the button goes up (when "click"
fires) to the STOP frame's last byte in the simulator's log: the page's
fetch, lscd-web (libmicrohttpd, liblsc), lscd and the frame's 4.17 ms of
wire at 9600 baud. The peer, in the same run on the same lsc-sim and
lscd: halt sent by a Python client straight on lscd's socket, from just
before the send to the same frame. Clicks are 50-80 ms apart.

Run by bench.py through a python that has websockets:
    webbench.py --builddir DIR --clicks N     prints {"click": [s...], "peer": [s...]}
"""

import argparse
import asyncio
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "tests", "e2e")]

# pylint: disable=wrong-import-position
from cdp import Browser  # noqa: E402
from lscdharness import ROBOT  # noqa: E402

STOP = bytes.fromhex("55 55 02 07")


async def clicks(sim, web, n):
    out = []
    async with Browser() as browser:
        page = await browser.page(web.origin + "/", 1280, 900)
        await page.wait("document.body.dataset.ready", "the panel is ready")
        for _ in range(n):
            since = sim.mark()
            t = await page.click("#stop")
            out.append(sim.wait_for("rx", STOP, since).t - t)
            await asyncio.sleep(random.uniform(0.05, 0.08))
    return out


def peer(sim, lscd, n):
    out = []
    with lscd.client() as c:
        for _ in range(n):
            since = sim.mark()
            t = time.monotonic()
            c.ok("halt")
            out.append(sim.wait_for("rx", STOP, since).t - t)
            time.sleep(random.uniform(0.05, 0.08))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--clicks", type=int, default=100)
    args = ap.parse_args()
    os.environ["top_builddir"] = args.builddir
    os.environ.setdefault("top_srcdir", os.path.dirname(HERE))
    from webharness import running_web  # pylint: disable=import-outside-toplevel
    with running_web(robot=ROBOT) as (sim, lscd, web):
        click = asyncio.run(clicks(sim, web, args.clicks))
        direct = peer(sim, lscd, args.clicks)
    print(json.dumps({"click": click, "peer": direct}))


if __name__ == "__main__":
    main()
