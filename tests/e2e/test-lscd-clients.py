#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: many clients. A client that does not read is not
disconnected: lscd stops reading its requests until it reads (others go on)
and drops only events it has no room for, reported by events.lost; a client
that leaves with frames queued still gets them written; --max-clients."""

import json
import os
import shutil
import subprocess
import threading
import time

import tap
from lscdharness import Client, Lscd, error_of, running, wait_until
from simharness import valgrind_prefix


def status_lines(n, start=0):
    return b"".join(json.dumps({"cmd": "status", "id": i}).encode() + b"\n"
                    for i in range(start, start + n))


def requests_stalled(client):
    """True once lscd's request counter stops moving: it reads no more."""
    before = client.ok("status")["counters"]["requests"]
    time.sleep(0.3)
    return client.ok("status")["counters"]["requests"] == before + 1


def answers_in_order(client, n, timeout=60):
    got = []
    while len(got) < n:
        msg = client.recv(timeout=timeout)
        if "id" in msg:
            got.append(msg)
    return got


@tap.test
def a_client_that_never_reads_is_paused_others_go_on():
    with running("--group", "8:50", lscd_args=("--max-client-output", "65536")) as (sim, lscd):
        good = lscd.client()
        good.subscribe(["group."])
        slow = lscd.client()
        # Every status answer is ~400 bytes: far more than the socket buffer
        # and the 64 KiB bound together, and slow reads none for now.
        slow.send_raw(status_lines(4000))
        wait_until(lambda: requests_stalled(good), "lscd stops reading the slow client")
        tap.check(good.ok("status")["counters"]["requests"] < 4000, "its requests wait unread")
        tap.eq(good.ok("status")["clients"], 2, "it is not disconnected")
        good.ok("group.run", group=8)
        tap.eq(good.wait_event("group.started")["source"], "lscd", "events still flow")
        good.wait_event("group.completed")
        got = answers_in_order(slow, 4000)
        tap.eq([r["id"] for r in got], list(range(4000)), "then every request is answered, in order")
        tap.check(all(r["ok"] for r in got), "all of them ok")
        tap.eq(slow.ok("ping")["ok"], True, "the connection is still open")
        tap.check("is not reading" not in lscd.stderr(), "nothing logged as a failure")


@tap.test
def a_client_that_pipelines_while_reading_gets_every_answer():
    with running() as (sim, lscd):
        c = lscd.client()
        writer = threading.Thread(target=c.send_raw, args=(status_lines(10000),))
        writer.start()
        got = answers_in_order(c, 10000)
        writer.join()
        tap.eq([r["id"] for r in got], list(range(10000)), "10,000 answers, in order")
        tap.eq(c.ok("ping")["ok"], True, "the connection is still open")


@tap.test
def a_full_subscriber_loses_events_not_its_connection():
    with running(lscd_args=("--max-client-output", "16384")) as (sim, lscd):
        good = lscd.client()
        good.subscribe(["frame.unknown"])
        slow = lscd.client()
        slow.subscribe(["frame.unknown"])
        slow.send_raw(status_lines(1000))
        wait_until(lambda: requests_stalled(good), "lscd stops reading the slow client")
        n = 300
        for k in range(0, n, 30):
            sim.command("raw " + " ".join("55 55 04 30 %02x 77" % (i & 0xFF)
                                          for i in range(k, k + 30)))
        for i in range(n):
            good.wait_event("frame.unknown", timeout=60)
        msgs = []
        while sum(1 for m in msgs if "id" in m) < 1000:
            msgs.append(slow.recv(timeout=60))
        msgs += slow.collect(0.5)
        lost = [m for m in msgs if m.get("event") == "events.lost"]
        seen = [m for m in msgs if m.get("event") == "frame.unknown"]
        tap.eq(len(lost), 1, "one events.lost")
        tap.eq(lost[0]["count"] + len(seen) if lost else None, n, "its count is what was lost")
        tap.eq([m["id"] for m in msgs if "id" in m], list(range(1000)), "no answer was lost")
        tap.eq(slow.ok("ping")["ok"], True, "the connection is still open")


@tap.test
def frames_of_a_departed_client_still_go_out():
    with running() as (sim, lscd):
        c = lscd.client()
        moves = [{"cmd": "move", "servos": [{"id": 1 + i % 8, "position": 1000 + i}],
                  "time_ms": 10} for i in range(40)]
        c.send_raw(b"".join(json.dumps(m).encode() + b"\n" for m in moves))
        c.close()
        rx = sim.wait_count("rx", 40)
        tap.eq([r.data for r in rx],
               [bytes([0x55, 0x55, 8, 3, 1, 10, 0, 1 + i % 8,
                       (1000 + i) & 0xFF, (1000 + i) >> 8]) for i in range(40)],
               "all 40 moves written, in order")
        tap.eq(lscd.client().ok("status")["clients"], 1, "only the new client is left")


@tap.test
def everything_a_departed_client_sent_counts():
    # 100 moves of ~2 KiB each (a long id): several reads' worth, still
    # unread when the client closes.
    with running() as (sim, lscd):
        c = lscd.client()
        pad = "x" * 2000
        c.send_raw(b"".join(json.dumps({"cmd": "move", "id": [i, pad], "time_ms": 0, "servos": [
            {"id": 1, "position": 600 + i}]}).encode() + b"\n" for i in range(100)))
        c.close()
        rx = sim.wait_count("rx", 100, timeout=120)   # generous: valgrind parses slowly
        tap.eq([r.data[-2:] for r in rx], [(600 + i).to_bytes(2, "little") for i in range(100)],
               "all 100 moves written, in order")
        tap.eq(lscd.client().ok("status")["counters"]["requests"], 101, "all read")


@tap.test
def a_full_queue_refuses_and_every_request_is_answered_once():
    with running() as (sim, lscd):
        c = lscd.client()
        n = 4300                          # more than one client may queue (4096)
        c.send_raw(b"".join(json.dumps({"cmd": "move", "id": i, "time_ms": 0, "servos": [
            {"id": 1 + i % 32, "position": 500 + i % 2000}]}).encode() + b"\n"
                            for i in range(n)))
        first_full = None
        answers = {}
        while first_full is None:
            r = c.recv()
            answers[r["id"]] = r
            if not r["ok"]:
                first_full = r
        tap.eq(error_of(first_full), ("queue_full", None), "the queue bound is reported")
        halt = lscd.client().ok("halt")
        while len(answers) < n:
            r = c.recv()
            tap.check(r["id"] not in answers, "one answer per request", r)
            answers[r["id"]] = r
        codes = {}
        for r in answers.values():
            code = "ok" if r["ok"] else error_of(r)[0]
            codes[code] = codes.get(code, 0) + 1
        tap.eq(set(codes) - {"ok", "queue_full", "halted"}, set(), "only these outcomes")
        tap.eq(codes.get("halted", 0), halt["dropped"], "halt dropped the queued ones")
        tap.eq(c.collect(0.2), [], "nothing more")


@tap.test
def max_clients_is_enforced():
    with running(lscd_args=("--max-clients", "2")) as (sim, lscd):
        a = lscd.client()
        # the harness's probe connection may not be gone yet
        wait_until(lambda: a.ok("status")["clients"] == 1, "only a connected")
        b = lscd.client()
        extra = Client(lscd.socket_path, hello=False)
        tap.check(extra.closed_by_peer(), "the third client is closed at once")
        refusal = extra.recv()
        tap.eq((refusal["ok"], refusal["error"]["code"]), (False, "too_many_clients"),
               "after one line that says why")
        extra.close()
        tap.check("Refusing a client" in lscd.stderr(), "and it is logged")
        tap.eq((a.ok("ping")["ok"], b.ok("ping")["ok"]), (True, True), "the two are served")
        b.close()
        wait_until(lambda: a.ok("status")["clients"] == 1, "b gone")
        c = lscd.client()
        tap.eq(c.ok("ping")["ok"], True, "a place is free again")


@tap.test
def out_of_file_descriptors_pauses_accepting():
    if valgrind_prefix():
        raise tap.Skip("valgrind needs file descriptors of its own")
    if not shutil.which("prlimit"):
        raise tap.Skip("prlimit is not installed")
    from simharness import Sim  # pylint: disable=import-outside-toplevel
    with Sim() as sim:
        lscd = Lscd(sim.link, prefix=("prlimit", "--nofile=24:24"))
        try:
            lscd.start()
            clients = []
            while True:                   # fill every descriptor lscd has
                c = Client(lscd.socket_path, hello=False)
                try:
                    c.recv(timeout=1)
                except TimeoutError:
                    waiting = c
                    break
                clients.append(c)
            tap.check(len(clients) >= 5, "some clients were served", len(clients))
            lscd.wait_log("pausing until one disconnects")
            clients.pop(0).close()
            tap.eq(waiting.recv()["event"], "hello", "the waiting client is served")
            tap.eq(waiting.ok("ping")["ok"], True, "and answered")
            tap.eq(clients[-1].ok("ping")["ok"], True, "the others still are")
            tap.eq(lscd.stderr().count("pausing until one disconnects"), 1,
                   "warned once, no spinning")
            for c in clients + [waiting]:
                c.close()
        finally:
            lscd.stop()


@tap.test
def accepting_resumes_when_descriptors_return_without_a_client_leaving():
    """Out of file descriptors with no client of lscd's own to leave (the
    shortage is the limit's): accepting is paused, and once descriptors are
    available again it resumes by itself (retried every second while
    paused), so the waiting client is served."""
    if valgrind_prefix():
        raise tap.Skip("valgrind needs file descriptors of its own")
    if not shutil.which("prlimit"):
        raise tap.Skip("prlimit is not installed")
    with running() as (sim, lscd):
        pid = str(lscd.proc.pid)
        wait_until(lambda: lscd.client().ok("status")["clients"] == 1, "the probe gone")
        for c in lscd._clients:           # pylint: disable=protected-access
            c.close()
        wait_until(lambda: len(os.listdir("/proc/%s/fd" % pid)) <= 16, "clients closed")
        used = len(os.listdir("/proc/%s/fd" % pid))
        subprocess.run(["prlimit", "--pid", pid, "--nofile=%d:" % used], check=True)
        waiting = Client(lscd.socket_path, hello=False)
        lscd.wait_log("pausing until one disconnects")
        subprocess.run(["prlimit", "--pid", pid, "--nofile=%d:" % (used + 64)], check=True)
        tap.eq(waiting.recv()["event"], "hello", "the waiting client is served")
        tap.eq(waiting.ok("ping")["ok"], True, "and answered")
        waiting.close()


@tap.test
def events_reach_every_subscriber_once():
    with running() as (sim, lscd):
        clients = [lscd.client() for _ in range(5)]
        for c in clients[:4]:
            c.subscribe(["frame.unknown"])
        sim.command("raw 55 55 03 21 7F")
        lines = [c.wait_event("frame.unknown") for c in clients[:4]]
        tap.eq(len({json.dumps(e, sort_keys=True) for e in lines}), 1, "the same event")
        clients[4].ok("ping")
        for c in clients:
            tap.eq([m for m in c.collect(0.1) if "event" in m], [],
                   "no duplicates, none to the unsubscribed")


tap.main()
