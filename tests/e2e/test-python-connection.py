#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The connection of the package lsc: reconnecting when lscd restarts
(reconnect=True) with the same name and subscription, calls in flight that
raise ConnectionLost, wrong sockets and peers that are not lscd, ids
matched exactly, Ctrl-C in events() and in a call, close() from another
thread, and the makefile("rw") trap the README's old snippet fell into."""

import ast
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import lsc
import lsc.aio
import tap
from lscdharness import Lscd, running, wait_until
from pyclient import both, rx_since
from simharness import Sim


def lines_waiting(sock, n):
    """Wait until N lines are in SOCK's receive buffer, unread."""
    wait_until(lambda: sock.recv(65536, socket.MSG_PEEK).count(b"\n") >= n,
               "%d lines waiting" % n)


@tap.test
def the_makefile_trap():
    with running() as (sim, lscd):
        # The old snippet: one text wrapper to read and write. A write after
        # a read drops the lines the wrapper had read ahead.
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(lscd.socket_path)
        lines = sock.makefile("rw", encoding="utf-8", newline="\n")
        for request in ({"cmd": "subscribe", "id": 1, "events": ["battery"]},
                        {"cmd": "battery", "id": 2}):
            lines.write(json.dumps(request) + "\n")
            lines.flush()
        lines_waiting(sock, 4)
        tap.eq(json.loads(lines.readline())["event"], "hello", "the snippet reads hello")
        lines.write(json.dumps({"cmd": "ping", "id": 3}) + "\n")
        lines.flush()
        got = json.loads(lines.readline())
        tap.eq(got, {"id": 3, "ok": True}, "the trap is real: the three lines read ahead of "
               "the write are gone, the next line is the ping's answer")
        sock.close()
        # The package in the same case: lines read ahead, then a write.
        with lsc.Client(lscd.socket_path) as c, lscd.client() as other:
            c.subscribe(["battery"])
            for _ in range(3):
                other.ok("battery")
            lines_waiting(c._sock, 3)  # pylint: disable=protected-access
            c.ping()
            c.ping()
            tap.eq([c.next_event(timeout=5).name for _ in range(3)], ["battery"] * 3,
                   "lsc keeps every line it read ahead")
    for name in os.listdir(os.path.dirname(lsc.__file__)):
        if name.endswith(".py"):
            with open(os.path.join(os.path.dirname(lsc.__file__), name)) as f:
                tree = ast.parse(f.read())
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                     and n.attr == "makefile"]
            tap.eq(calls, [], "%s calls no makefile()" % name)


@both
def reconnect_after_lscd_restarts(make):
    d = tempfile.mkdtemp(prefix="lscd-restart-")
    with Sim() as sim:
        lscd = Lscd(sim.link, directory=d).start()
        try:
            with make(lscd.socket_path, name="py", reconnect=True) as c:
                restarts(sim, lscd, c, d)
        finally:
            lscd.stop(check=False)
    shutil.rmtree(d)


def restarts(sim, lscd, c, d):
    """Restart lscd under client C in the ways of reconnect_after_lscd_restarts."""
    c.subscribe(["battery"])
    lscd.stop()
    lscd.__init__(sim.link, directory=d)
    lscd.start()
    c.ping()
    tap.eq(c.connection, 2, "a second connection")
    hello = c.next_event(timeout=5)
    tap.eq((hello.name, hello["client"]), ("hello", c.server["client"]),
           "events() yields the new connection's hello")
    c.battery()
    tap.eq(c.next_event(["battery"], timeout=5).name, "battery",
           "the subscription was made again")
    mine = [x for x in c.status()["connections"] if x["client"] == c.server["client"]]
    tap.eq(mine[0]["name"], "py", "and the name")
    # Away for a while: the call waits for lscd to come back.
    lscd.stop()
    lscd.__init__(sim.link, directory=d)
    later = threading.Timer(0.5, lscd.start)
    later.daemon = True
    later.start()
    tap.eq(c.battery(), 7400, "a call while lscd is away waits for it")
    later.join()
    tap.eq(c.connection, 3, "a third connection")
    # A call in flight when lscd dies raises ConnectionLost.
    since = sim.mark()
    killer = threading.Thread(target=lambda: (sim.wait_count("rx", 1, since=since),
                                              lscd.kill()), daemon=True)
    killer.start()
    with tap.raises(lsc.ConnectionLost, "the call in flight"):
        c.move({1: 2000}, time_ms=30000, wait=True)
    killer.join()
    lscd.stop(check=False)
    lscd.__init__(sim.link, directory=d)
    lscd.start()
    tap.eq(c.battery(), 7400, "and the next call connects again")


@both
def without_reconnect_a_lost_connection_stays_lost(make):
    d = tempfile.mkdtemp(prefix="lscd-restart-")
    with Sim() as sim:
        with Lscd(sim.link, directory=d) as lscd, make(lscd.socket_path) as c:
            c.ping()
            lscd.stop()
            lscd.__init__(sim.link, directory=d)
            lscd.start()
            for _ in range(2):
                with tap.raises(lsc.ConnectionLost, "reconnect=False"):
                    c.ping()
            c.close()
            with tap.raises(lsc.ConnectionLost, "closed"):
                c.ping()
    shutil.rmtree(d)


class Peer:
    """A Unix socket server that is not lscd: SCRIPT(conn) runs for the one
    connection it accepts."""

    def __init__(self, script):
        self.dir = tempfile.mkdtemp(prefix="peer-")
        self.path = os.path.join(self.dir, "peer.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.thread = threading.Thread(target=self._serve, args=(script,), daemon=True)
        self.thread.start()

    def _serve(self, script):
        conn, _ = self.server.accept()
        with conn:
            script(conn)

    def close(self):
        self.server.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


def send_lines(conn, *objs):
    conn.sendall(b"".join(json.dumps(o).encode() + b"\n" for o in objs))


def read_request(conn):
    data = b""
    while not data.endswith(b"\n"):
        data += conn.recv(65536)
    return json.loads(data)


HELLO = {"event": "hello", "time": 1.0, "protocol": 1, "protocol_minor": 2,
         "version": "0.1.0", "client": 1, "observer": False, "device": None}


@tap.test
def wrong_sockets_and_peers_that_are_not_lscd():
    d = tempfile.mkdtemp(prefix="wrong-")
    try:
        missing = os.path.join(d, "missing.sock")
        for make in (lsc.Client, lambda p: AioConnect(p)):
            try:
                make(missing)
                raise AssertionError("connected to nothing")
            except FileNotFoundError as e:
                tap.check(missing in str(e) and "is lscd running" in str(e),
                          "a missing socket is named, with a hint", str(e))
        plain = os.path.join(d, "plain")
        open(plain, "w").close()
        try:
            lsc.Client(plain)
            raise AssertionError("connected to a plain file")
        except ConnectionRefusedError as e:
            tap.check(plain in str(e), "a plain file: refused, named", str(e))
    finally:
        for name in os.listdir(d):
            os.unlink(os.path.join(d, name))
        os.rmdir(d)
    scripts = {
        "silent": (lambda conn: conn.recv(1), "no hello"),
        "garbage": (lambda conn: conn.sendall(b"SSH-2.0-OpenSSH\r\n"), "not a JSON line"),
        "protocol 2": (lambda conn: send_lines(conn, dict(HELLO, protocol=2)), "protocol 2"),
        "no hello": (lambda conn: send_lines(conn, {"event": "battery"}), "not lscd's hello"),
    }
    for what, (script, message) in scripts.items():
        for make in (lsc.Client, AioConnect):
            peer = Peer(script)
            try:
                make(peer.path, connect_timeout=0.5)
                raise AssertionError("%s: accepted as lscd" % what)
            except lsc.ProtocolError as e:
                tap.check(message in str(e), "%s: ProtocolError" % what, str(e))
            finally:
                peer.close()


def AioConnect(path, **options):  # pylint: disable=invalid-name
    """lsc.aio.connect, run to its end."""
    import asyncio  # pylint: disable=import-outside-toplevel

    async def go():
        c = await lsc.aio.connect(path, **options)
        await c.close()
    asyncio.run(go())


@tap.test
def ids_are_matched_exactly():
    def script(conn):
        send_lines(conn, HELLO)
        rid = read_request(conn)["id"]
        send_lines(conn, {"id": True, "ok": True, "n": "true"},
                   {"id": str(rid), "ok": True, "n": "string"},
                   {"id": float(rid), "ok": True, "n": "float"},
                   {"id": rid + 1000, "ok": True, "n": "another"},
                   {"ok": True, "n": "none"},
                   {"event": "battery", "millivolts": 1, "ok": True},
                   {"id": rid, "ok": True, "n": "it"})
        conn.recv(1)

    for make in (lsc.Client, None):
        peer = Peer(script)
        try:
            if make:
                with make(peer.path) as c:
                    tap.eq(c.request("ping")["n"], "it", "lsc.Client: only the int id")
            else:
                import asyncio  # pylint: disable=import-outside-toplevel

                async def go():
                    async with lsc.aio.Client(peer.path) as c:
                        return (await c.request("ping"))["n"]
                tap.eq(asyncio.run(go()), "it", "lsc.aio.Client: only the int id")
        finally:
            peer.close()


INTERRUPTED = r"""
import sys
import lsc
c = lsc.Client(sys.argv[1])
print("ready", flush=True)
try:
    for event in c.events(["battery"]):
        pass
except KeyboardInterrupt:
    print("interrupted events", flush=True)
c.ping()
print("moving", flush=True)
try:
    c.move({1: 2000}, time_ms=60000, wait=True)
except KeyboardInterrupt:
    print("interrupted call", flush=True)
print("protocol", c.version()["protocol"], flush=True)
c.close()
"""

INTERRUPTED_AIO = r"""
import asyncio, sys
import lsc.aio
async def main():
    async with lsc.aio.Client(sys.argv[1]) as c:
        print("ready", flush=True)
        async for event in c.events(["battery"]):
            pass
try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


@tap.test
def ctrl_c_in_events_and_in_a_call():
    with running() as (sim, lscd):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        p = subprocess.Popen([sys.executable, "-c", INTERRUPTED, lscd.socket_path], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            tap.eq(p.stdout.readline(), "ready\n", "iterating")
            wait_until(lambda: any(x.get("events") == ["battery"] for x in
                                   lscd.client().request("status")["connections"]),
                       "the subscription")
            since = sim.mark()      # before the move: the events put nothing on the wire
            p.send_signal(signal.SIGINT)
            tap.eq(p.stdout.readline(), "interrupted events\n", "Ctrl-C ends events()")
            tap.eq(p.stdout.readline(), "moving\n", "and the client still answers")
            sim.wait_for("rx", bytes.fromhex("55 55 08 03 01 60 EA 01 D0 07"), since=since)
            p.send_signal(signal.SIGINT)
            tap.eq(p.stdout.readline(), "interrupted call\n", "Ctrl-C in a call")
            tap.eq(p.stdout.readline(), "protocol 1\n",
                   "the next call gets its own answer, not the interrupted one's")
            tap.eq(p.wait(30), 0, "exits 0")
            tap.eq(p.stderr.read(), "", "nothing on stderr")
        finally:
            p.kill()
            p.wait()
        p = subprocess.Popen([sys.executable, "-c", INTERRUPTED_AIO, lscd.socket_path],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            tap.eq(p.stdout.readline(), "ready\n", "lsc.aio: iterating")
            wait_until(lambda: any(x.get("events") == ["battery"] for x in
                                   lscd.client().request("status")["connections"]),
                       "lsc.aio: the subscription")
            p.send_signal(signal.SIGINT)
            tap.eq(p.stdout.readline(), "interrupted\n", "lsc.aio: Ctrl-C ends async for")
            tap.eq(p.wait(30), 0, "exits 0")
            tap.eq(p.stderr.read(), "", "nothing on stderr")
        finally:
            p.kill()
            p.wait()


@tap.test
def close_from_another_thread_ends_events():
    with running() as (sim, lscd):
        c = lsc.Client(lscd.socket_path)
        seen = []
        t = threading.Thread(target=lambda: seen.extend(c.events(["battery"])), daemon=True)
        t.start()
        wait_until(lambda: any(x.get("events") == ["battery"] for x in
                               lscd.client().request("status")["connections"]),
                   "the subscription")
        c.close()
        t.join(10)
        tap.check(not t.is_alive(), "the iteration ended")
        tap.eq(seen, [], "with no event")


tap.main()
