#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The package lsc where a review found it wanting: requests lscd cannot
read (no call may wait for an answer that cannot come), error answers
without an id, peers that are not lscd and never end their first line, one
events() iterator's backlog against another's, an interrupt right after a
request line went out, and lsc.aio.Client in a second event loop."""

import asyncio
import concurrent.futures
import itertools
import os
import resource
import signal
import socket
import threading
import time

import lsc
import lsc.aio
import tap
from lscdharness import running
from pyclient import AioDriver, both

# A call that would hang fails the test instead.
TIMEOUT = 10


def nested(depth):
    """A list nested DEPTH deep (itself counted)."""
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


@both
def requests_lscd_cannot_read_are_refused_before_sending(make):
    with running() as (sim, lscd), make(lscd.socket_path, timeout=TIMEOUT) as c:
        with tap.raises(lsc.InvalidJson, "a string with U+0000"):
            c.hello("a\x00b")
        with tap.raises(lsc.InvalidJson, "a key with U+0000"):
            c.request("ping", **{"a\x00": 1})
        with tap.raises(lsc.InvalidJson, "an argument nested 32 deep: the request is 33"):
            c.request("ping", x=nested(32))
        try:
            c.request("ping", x=nested(31))
            tap.check(False, "ping takes no x")
        except lsc.InvalidArgument as e:
            tap.eq(e.field, "x", "31 deep (32 with the request) is lscd's limit: it read it")
        tap.eq(c.hello("a\\u0000b")["name"], "a\\u0000b", "a backslash before u0000 is text")
        tap.eq(c.ping(), None, "the connection serves on")
        tap.eq(c.connection, 1, "the same connection")
        counters = [x for x in lscd.client().request("status")["connections"]
                    if x["client"] == c.server["client"]]
        tap.check(counters, "lscd still has the client")


class Peer:
    """A Unix socket server that is not lscd: SCRIPT(conn) runs for each
    connection it accepts, in a thread of its own."""

    count = itertools.count()

    def __init__(self, script):
        self.dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "peer-%d" % os.getpid())
        os.makedirs(self.dir, exist_ok=True)
        self.path = os.path.join(self.dir, "peer-%d.sock" % next(Peer.count))
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(4)
        self.script = script
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        with conn:
            try:
                self.script(conn)
            except OSError:
                pass

    def close(self):
        self.server.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        self.server.close()
        os.unlink(self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


HELLO = (b'{"event":"hello","time":1.0,"protocol":1,"protocol_minor":3,"version":"0.1.0",'
         b'"client":1,"observer":false,"device":null}\n')
NO_ID = b'{"ok":false,"error":{"code":"invalid_json","message":"as lscd says it"}}\n'


def read_lines(conn, n):
    data = b""
    while data.count(b"\n") < n:
        more = conn.recv(65536)
        if not more:
            break
        data += more
    return data


def one_then_no_id(conn):
    conn.sendall(HELLO)
    read_lines(conn, 1)
    conn.sendall(NO_ID)
    conn.recv(1)


def two_then_no_id(conn):
    conn.sendall(HELLO)
    read_lines(conn, 2)
    conn.sendall(NO_ID)
    conn.recv(1)


@both
def an_error_without_id(make):
    with Peer(one_then_no_id) as peer, make(peer.path, timeout=TIMEOUT) as c:
        with tap.raises(lsc.InvalidJson, "one request in flight: the answer is its own"):
            c.ping()
    with Peer(two_then_no_id) as peer, make(peer.path, timeout=TIMEOUT) as c:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            calls = [pool.submit(c.ping) for _ in range(2)]
            errors = [type(f.exception(TIMEOUT + 5)).__name__ for f in calls]
        tap.eq(errors, ["ProtocolError"] * 2,
               "two in flight: each fails with ProtocolError, neither waits")


def zeros(conn):
    block = b"\0" * 65536
    while True:
        conn.sendall(block)


def drip(conn):
    while True:
        conn.sendall(b"x")
        time.sleep(0.01)


@tap.test
def a_peer_that_never_ends_its_first_line():
    def aio(path, **options):
        async def go():
            await (await lsc.aio.connect(path, **options)).close()
        asyncio.run(go())

    for label, connect in (("lsc.Client", lsc.Client), ("lsc.aio.Client", aio)):
        with Peer(zeros) as peer:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with tap.raises(lsc.ProtocolError, "%s: a flood of bytes" % label):
                connect(peer.path, connect_timeout=TIMEOUT)
            grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
            tap.check(grown < 8 * 1024, "%s: read at most a line's worth (%d KiB more)"
                      % (label, grown))
        with Peer(drip) as peer:
            start = time.monotonic()
            with tap.raises(lsc.ProtocolError, "%s: a byte every 10 ms" % label):
                connect(peer.path, connect_timeout=0.5)
            took = time.monotonic() - start
            tap.check(took < 5, "%s: connect_timeout holds while bytes come (%.1f s)"
                      % (label, took))


def take(c, events):
    """The next event of ITERATOR events, for either client."""
    if isinstance(c, AioDriver):
        return c.run(events.__anext__())
    return next(events)


@both
def an_unread_iterator_costs_no_other_its_events(make):
    with running("--group", "8:200") as (sim, lscd), \
            make(lscd.socket_path, max_events=5, timeout=TIMEOUT) as c:
        idle = c.events(["move.", "battery"], timeout=TIMEOUT)
        groups = c.events(["group."], timeout=TIMEOUT)
        for _ in range(20):
            c.battery()
        c.run_group(8, wait=True)
        tap.eq([take(c, groups).name for _ in range(2)], ["group.started", "group.completed"],
               "the group iterator got its events")
        got = [take(c, idle) for _ in range(6)]
        tap.eq([e.name for e in got], ["battery"] * 5 + ["events.lost"],
               "the idle one kept its 5 and lost the rest")
        tap.eq((got[5]["count"], got[5]["local"]), (15, True), "its own loss, counted")
        c.battery()
        tap.eq(take(c, idle).name, "battery", "then its events again")
        both_ = c.events(["battery"], timeout=TIMEOUT)
        c.battery()
        tap.eq((take(c, idle).name, take(c, both_).name), ("battery", "battery"),
               "two iterators that select an event both get it")
        both_.close()
        idle.close()
        c.battery()
        tap.eq(c.next_event(["battery"], timeout=TIMEOUT).name, "battery",
               "an event no live iterator selects goes to next_event()")


class Interrupt(BaseException):
    """What the signal of InterruptingSocket raises (as Ctrl-C would)."""


def interrupt(signum, frame):
    raise Interrupt()


class InterruptingSocket:
    """A client's socket where a signal comes once while the client sends a
    request line: WHEN "before" any byte of it is sent, "after" it was sent
    whole, or "half" way, once half of it went out (the socket buffer full)."""

    def __init__(self, sock, when):
        self._sock = sock
        self.when = when

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def send(self, data, flags=0):
        when, self.when = self.when, None
        if when in ("before", "half-signal"):
            os.kill(os.getpid(), signal.SIGUSR1)
            raise BlockingIOError()
        if when == "half":
            self.when = "half-signal"
            return self._sock.send(bytes(data[:len(data) // 2]), flags)
        n = self._sock.send(data, flags)
        if when == "after":
            os.kill(os.getpid(), signal.SIGUSR1)
        return n

    def sendall(self, data, flags=0):
        view = memoryview(data)
        while view:
            view = view[self.send(view, flags):]


@tap.test
def an_interrupt_around_a_request_line():
    old = signal.signal(signal.SIGUSR1, interrupt)
    try:
        with running() as (sim, lscd), lsc.Client(lscd.socket_path, timeout=TIMEOUT) as c:
            c.move({1: 600}, time_ms=0, wait=True)
            for when, connected in (("before", True), ("after", True), ("half", False)):
                c._sock = InterruptingSocket(c._sock, when)  # pylint: disable=protected-access
                with tap.raises(Interrupt, "interrupted %s the line went out" % when):
                    c.move({1: 2000 if when == "after" else 1000}, time_ms=0)
                if connected:
                    tap.eq(c.ping(), None, "%s: the connection serves on" % when)
                    tap.eq(c.connection, 1, "%s: the same connection" % when)
                else:
                    with tap.raises(lsc.ConnectionLost, "half a line: the connection is dropped"):
                        c.ping()
            servos = lscd.client().request("servos")["servos"]
            tap.eq([s["target"] for s in servos if s["id"] == 1], [2000],
                   "the move sent whole was carried out, the others were not")
    finally:
        signal.signal(signal.SIGUSR1, old)


@tap.test
def an_aio_client_in_two_event_loops():
    with running() as (sim, lscd):
        c = lsc.aio.Client(lscd.socket_path, name="two-loops", timeout=TIMEOUT)
        tap.eq(asyncio.run(c.ping()), None, "the first asyncio.run()")
        status = asyncio.run(c.status())
        tap.eq(c.connection, 2, "the second: it connects anew in its loop")
        mine = [x["name"] for x in status["connections"] if x["client"] == c.server["client"]]
        tap.eq(mine, ["two-loops"], "with its name")
        with AioDriver(lscd.socket_path) as d:
            with tap.raises(RuntimeError, "a client whose loop still runs, from another"):
                asyncio.run(d.client.ping())
            tap.eq(d.ping(), None, "and it serves on in its own loop")
        asyncio.run(c.close())


tap.main()
