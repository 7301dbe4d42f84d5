# SPDX-License-Identifier: MIT
"""What the tests of the Python package lsc share (python3 stdlib only):
the robot file they run lscd with, the frames the board received, and
AioDriver, which drives lsc.aio.Client from synchronous test code so that
one test body checks both clients."""

import asyncio
import inspect
import threading

import lsc
import lsc.aio
import tap
from lscdharness import ROBOT  # noqa: F401 (the tests take it from here)
from simharness import hexbytes

def rx_since(sim, since):
    """The frames the board received after mark SINCE."""
    return [r.data for r in sim.records()[since:] if r.kind == "rx"]


def wire(sim, since, *frames):
    """Wait until the board received FRAMES (hex) after SINCE; return what it did."""
    sim.wait_count("rx", len(frames), since=since)
    return rx_since(sim, since) == [hexbytes(f) for f in frames]


class AioDriver:
    """An lsc.aio.Client on an event loop of its own thread; each coroutine
    method is called as a plain one. .client is the lsc.aio.Client."""

    def __init__(self, *args, **kwargs):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.client = lsc.aio.Client(*args, **kwargs)
        self.run(self.client.connect())

    def run(self, coro, timeout=60):
        """Run CORO on the client's loop; its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __getattr__(self, name):
        attr = getattr(self.client, name)
        if inspect.iscoroutinefunction(attr):
            return lambda *a, **kw: self.run(attr(*a, **kw))
        return attr

    def claim(self, *args, **kwargs):
        async def take():
            return await self.client.claim(*args, **kwargs)
        return SyncClaim(self, self.run(take()))

    def events(self, *args, **kwargs):
        async def subscribed():
            return await self.client.events(*args, **kwargs)
        return self.run(subscribed())

    def close(self):
        """Close the client; the loop runs on until the with block ends."""
        self.run(self.client.close())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.close()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()


class SyncClaim:
    """An lsc.aio.Claim as AioDriver hands it out: its fields, and a with
    block that releases it as async with does."""

    def __init__(self, driver, claim):
        self._driver = driver
        self.claim = claim

    def __getattr__(self, name):
        return getattr(self.claim, name)

    def release(self):
        return self._driver.run(self.claim.release())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._driver.run(self.claim.__aexit__(*exc))


# The two clients, by the name the tests print.
FLAVOURS = {"lsc.Client": lsc.Client, "lsc.aio.Client": AioDriver}


def both(fn):
    """Register FN(make) as one test per client class; MAKE takes lsc.Client's
    arguments."""
    for label, make in FLAVOURS.items():
        def test(fn=fn, make=make):
            fn(make)
        test.__name__ = "%s_(%s)" % (fn.__name__, label)
        tap.test(test)
    return fn
