#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd-web end to end, over HTTP without a browser: POST /api/VERB is the
protocol's request and answers the protocol's answer, with HTTP statuses
mapped from its error codes; bodies that are not one JSON object are
refused before lscd; GET /api/events streams lscd's events as one data:
line each, and its session makes the page's requests one lscd client,
whose claim ends with the stream; the page's files; lscd going away."""

import json
import signal
import socket
import threading
import time

import tap
from lscdharness import ROBOT, VALGRIND_SLOWDOWN, valgrind_on, wait_until
from webharness import running_web


def stream(web):
    """An open GET /api/events: (connection, response, session id)."""
    conn = web.connection()
    conn.request("GET", "/api/events")
    resp = conn.getresponse()
    tap.eq(resp.status, 200, "events status")
    tap.eq(resp.headers["Content-Type"], "text/event-stream", "events type")
    record = read_record(resp)
    tap.eq(record[:2], ["retry: 2000", "event: session"], "the stream opens with its session")
    return conn, resp, json.loads(record[2][len("data: "):])["session"]


def read_record(resp):
    """The lines of the next SSE record (up to its blank line); comments
    (keepalives) are skipped."""
    lines = []
    while True:
        line = resp.readline().decode()
        if not line:
            raise EOFError("the event stream ended")
        line = line.rstrip("\n")
        if line == "" and lines:
            return lines
        if line and not line.startswith(":"):
            lines.append(line)


def next_event(resp, name):
    while True:
        record = read_record(resp)
        if record[0].startswith("data: "):
            event = json.loads(record[0][6:])
            if event["event"] == name:
                return event, record


@tap.test
def verbs_answer_the_protocol_answer():
    with running_web(robot=ROBOT) as (sim, lscd, web):
        status, answer = web.post("ping")
        tap.eq((status, answer["ok"]), (200, True), "ping")
        status, answer = web.post("move", {"servos": [{"name": "gripper", "position": 1600}],
                                           "time_ms": 300})
        tap.eq((status, answer["time_ms"]), (200, 300), "move")
        sim.wait_for("rx", bytes.fromhex("55 55 08 03 01 2c 01 06 40 06"))
        status, answer = web.post("servos")
        tap.eq(next(s for s in answer["servos"] if s["id"] == 6)["target"], 1600, "servos")
        status, answer = web.post("battery")
        tap.eq((status, answer["millivolts"]), (200, lscd.client().ok("battery")["millivolts"]),
               "battery")


@tap.test
def error_codes_become_statuses():
    with running_web(robot=ROBOT) as (sim, lscd, web):
        cases = [
            ("move", {"servos": [{"id": 1, "position": 9000}], "time_ms": 0}, 400, "invalid_argument"),
            ("move", {"servos": [{"name": "shoulder", "position": 2400}], "time_ms": 0}, 400,
             "out_of_limits"),
            ("move", {"time_ms": 0}, 400, "missing_argument"),
            ("pose", {"name": "nope"}, 404, "unknown_pose"),
            ("group.run", {"group": "nope"}, 404, "unknown_group"),
            ("frobnicate", {}, 404, "unknown_command"),
        ]
        for verb, args, status, code in cases:
            got, answer = web.post(verb, args)
            tap.eq((got, answer["error"]["code"]), (status, code), verb + " " + json.dumps(args))
        holder = lscd.client()
        holder.ok("claim", servos=[1])
        got, answer = web.post("move", {"servos": [{"id": 1, "position": 1500}], "time_ms": 0})
        tap.eq((got, answer["error"]["code"]), (409, "claimed"), "claimed")
        holder.subscribe(["device."])
        sim.unplug()
        holder.wait_event("device.disconnected")
        got, answer = web.post("move", {"servos": [{"id": 2, "position": 1500}], "time_ms": 0})
        tap.eq((got, answer["error"]["code"]), (503, "not_connected"), "not_connected")


@tap.test
def bodies_lscd_would_refuse_never_reach_it():
    with running_web() as (sim, lscd, web):
        watcher = lscd.client()
        before = watcher.ok("status")["counters"]["requests"]
        cases = [
            ("{", 400, "invalid_json"), ("[1]", 400, "invalid_json"), ("1 2", 400, "invalid_json"),
            ('{"a":1,"a":2}', 400, "invalid_json"), ('{"a":"\\u0000"}', 400, "invalid_json"),
            ('{"a":01}', 400, "invalid_json"), (b'{"a":"\xff"}', 400, "invalid_json"),
            ('{"cmd":"halt"}', 400, "invalid_request"), ('{"id":1}', 400, "invalid_request"),
        ]
        for body, status, code in cases:
            got, _, data = web.request("POST", "/api/ping", body)
            tap.eq((got, json.loads(data)["error"]["code"]), (status, code), repr(body))
        got, _, data = web.request("POST", "/api/subscribe", "{}")
        tap.eq(got, 403, "subscribe belongs to the event stream")
        for path in ("/api/", "/api/Move", "/api/move/x", "/api/" + "a" * 33, "/api/.x"):
            got, _, _ = web.request("POST", path, "{}")
            tap.eq(got, 404, path)
        after = watcher.ok("status")["counters"]["requests"]
        tap.eq(after - before, 1, "only the watcher's own status reached lscd")


@tap.test
def events_stream_and_session():
    with running_web("--group", "8:200", robot=ROBOT) as (sim, lscd, web):
        conn, resp, session = stream(web)
        tap.eq(len(session), 32, "a 128-bit session id")
        status, answer = web.post("group.run", {"group": 8})
        tap.eq(status, 200, "group.run")
        started, record = next_event(resp, "group.started")
        tap.eq(len(record), 1, "one data: line per event")
        tap.eq(started["group"], 8, "group.started")
        next_event(resp, "group.completed")
        # The session: the page's requests are its own lscd client.
        hdr = {"X-LSC-Session": session}
        status, answer = web.post("hello", {"name": "test page"}, hdr)
        tap.eq((status, answer["name"]), (200, "test page"), "hello through the session")
        status, claim = web.post("claim", {"servos": [1], "lease_ms": 60000}, hdr)
        tap.eq(status, 200, "claim through the session")
        acquired, _ = next_event(resp, "claim.acquired")
        tap.eq(acquired["by"]["name"], "test page", "the claim is the page's")
        status, answer = web.post("move", {"servos": [{"id": 1, "position": 1500}], "time_ms": 0})
        tap.eq((status, answer["error"]["code"]), (409, "claimed"), "lscd-web's shared client is another")
        status, answer = web.post("move", {"servos": [{"id": 1, "position": 1500}], "time_ms": 0}, hdr)
        tap.eq(status, 200, "the holder moves")
        watcher = lscd.client()
        watcher.subscribe(["claim."])
        resp.close()
        conn.close()
        expired = watcher.wait_event("claim.expired")
        tap.eq((expired["claim"], expired["reason"]), (claim["claim"], "disconnect"),
               "the claim ends with the stream")
        status, answer = web.post("ping", None, hdr)
        tap.eq((status, answer["error"]["code"]), (400, "invalid_request"), "the session is gone")


@tap.test
def claims_need_a_session_and_a_halt_does_not():
    with running_web(robot=ROBOT) as (sim, lscd, web):
        watcher = lscd.client()
        before = watcher.ok("status")["counters"]["requests"]
        for verb, args in (("claim", {"servos": [1]}), ("release", {"claim": 1}),
                           ("hello", {"name": "a script"})):
            status, answer = web.post(verb, args)
            tap.eq((status, answer["error"]["code"]), (400, "invalid_request"),
                   verb + " without a session")
            tap.check("session" in answer["error"]["message"], "says why", answer)
        tap.eq(watcher.ok("status")["counters"]["requests"] - before, 1, "none reached lscd")
        conn, resp, session = stream(web)
        status, answer = web.post("release", {"claim": 99}, {"X-LSC-Session": session})
        tap.eq((status, answer["error"]["code"]), (404, "unknown_claim"), "release with a session")
        resp.close()
        conn.close()
        stale = {"X-LSC-Session": session}
        status, answer = web.post("ping", None, stale)
        # Until lscd-web sees the stream go; a ping caught as the session
        # ends is answered 409 cancelled.
        while status == 200 or answer["error"]["code"] == "cancelled":
            time.sleep(0.02)
            status, answer = web.post("ping", None, stale)
        tap.eq((status, answer["error"]["code"]), (400, "invalid_request"), "the session ended")
        since = sim.mark()
        status, answer = web.post("halt", None, stale)
        tap.eq((status, answer["ok"]), (200, True), "a halt with an ended session still halts")
        sim.wait_for("rx", bytes.fromhex("55 55 02 07"), since)
        status, answer = web.post("group.stop", None, {"X-LSC-Session": "0" * 32})
        tap.eq(status, 200, "so does group.stop with a session never seen")


@tap.test
def every_request_gets_one_answer():
    with running_web() as (sim, lscd, web):
        results = []

        def one(i):
            results.append(web.post("move", {"servos": [{"id": 1 + i % 6, "position": 1000 + i}],
                                             "time_ms": 20, "wait": True}))
        threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # A wait ends when its servo arrives, or "preempted" when a later
        # move of the same servo (16 moves, 6 servos) is planned first: a
        # matter of timing. Each gets exactly one of the two.
        tap.eq(len(results), 16, "16 moves, 16 answers")
        tap.check(all((s == 200 and a.get("completed")) or
                      (s == 409 and a["error"]["code"] in ("preempted", "superseded"))
                      for s, a in results),
                  "each completed, or preempted by a later move of its servo", results)
        tap.check(any(s == 200 for s, _ in results), "some completed", results)


@tap.test
def the_page_files():
    with running_web() as (sim, lscd, web):
        status, headers, body = web.request("GET", "/")
        tap.eq(status, 200, "/")
        tap.check(b"app.js" in body, "the page")
        tap.check("default-src 'self'" in headers["Content-Security-Policy"], "a CSP")
        tap.eq(headers["X-Content-Type-Options"], "nosniff", "nosniff")
        for path, kind in (("/app.js", "text/javascript"), ("/style.css", "text/css"),
                           ("/login.html", "text/html")):
            status, headers, _ = web.request("GET", path)
            tap.eq((status, headers["Content-Type"].split(";")[0]), (200, kind), path)
        for path in ("/../Makefile", "/%2e%2e/x.js", "/nope.html", "/web.mk", "/.hidden.js"):
            status, _, _ = web.request("GET", path)
            tap.eq(status, 404, path)
        status, _, _ = web.request("PUT", "/api/ping", "{}")
        tap.eq(status, 405, "PUT")
        status, _, _ = web.request("GET", "/api/ping")
        tap.eq(status, 405, "GET of a verb")


GROUP8_ONCE = bytes.fromhex("55 55 05 06 08 01 00")


def raw_post(web, verb, body="", session=None, close=False):
    """The bytes of POST /api/VERB, for a connection that pipelines."""
    extra = "X-LSC-Session: %s\r\n" % session if session else ""
    extra += "Connection: close\r\n" if close else ""
    return ("POST /api/%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-LSC-Request: 1\r\n%s"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (verb, web.port, extra, len(body), body)).encode()


def read_all(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


@tap.test
def sigterm_answers_suspended_requests():
    with running_web("--group", "8:60000") as (sim, lscd, web):
        s = socket.create_connection(("127.0.0.1", web.port))
        s.settimeout(30)
        since = sim.mark()
        # A run that waits a minute, then a ping behind it on the same
        # connection: lscd-web reads the ping while it stops.
        s.sendall(raw_post(web, "group.run", '{"group":8,"wait":true}') + raw_post(web, "ping"))
        sim.wait_for("rx", GROUP8_ONCE, since)
        web.proc.send_signal(signal.SIGTERM)
        data = read_all(s)
        s.close()
        tap.eq(web.proc.wait(60), 0, "lscd-web stops cleanly with a request suspended")
        tap.check(data.count(b"HTTP/1.1 503 ") == 2, "the waiting run and the ping behind it: "
                  "one answer each, 503", data)
        tap.check(data.count(b'"code":"shutdown"') == 2, "both say shutdown", data)


def wait_requests(client, before, n):
    """Until lscd counted n more requests than before (what CLIENT's status
    said then) and the polls' own."""
    polls = [0]

    def arrived():
        polls[0] += 1
        return client.ok("status")["counters"]["requests"] - before - polls[0] >= n
    wait_until(arrived, "%d requests at lscd" % n)


def sixteen_waiting_claims(lscd, web):
    """16 claims of servo 1, which another client holds, waiting through
    one page's session: (holder, its claim, a watcher of claims, the 16
    sockets, the page's stream, to keep open)."""
    holder = lscd.client()
    mine = holder.ok("claim", servos=[1])["claim"]
    watcher = lscd.client()
    watcher.subscribe(["claim."])
    page = stream(web)
    counter = lscd.client()
    before = counter.ok("status")["counters"]["requests"]
    waiting = []
    for _ in range(16):
        s = socket.create_connection(("127.0.0.1", web.port))
        s.settimeout(30)
        s.sendall(raw_post(web, "claim", '{"servos":[1],"wait":true}', page[2], close=True))
        waiting.append(s)
    wait_requests(counter, before, 16)
    return holder, mine, watcher, waiting, page


def late_grants_are_released(lscd, holder, mine, watcher):
    holder.ok("release", claim=mine)
    for _ in range(16):
        watcher.wait_event("claim.released", lambda e: e["by"]["name"] == "lscd-web")
    tap.eq([c for c in lscd.client().ok("status")["connections"] if c.get("claims")], [],
           "each late grant was released: no one holds a claim no one asked for")


@tap.test
def waiting_requests_time_out_and_are_bounded():
    # Long enough for the 17th request to come while the 16 wait.
    timeout = 3 * (VALGRIND_SLOWDOWN if valgrind_on() else 1)
    with running_web(robot=ROBOT, web_args=("--request-timeout", str(timeout))) as (sim, lscd, web):
        holder, mine, watcher, waiting, page = sixteen_waiting_claims(lscd, web)
        status, answer = web.post("ping")
        tap.eq((status, answer["error"]["code"]), (503, "too_many_clients"),
               "a 17th request while 16 wait")
        status, answer = web.post("halt")
        tap.eq(status, 200, "a halt is never refused for it")
        for s in waiting:
            data = read_all(s)
            s.close()
            tap.check(data.startswith(b"HTTP/1.1 504 ") and b'"code":"timeout"' in data,
                      "a waiting claim is answered 504 timeout", data)
        tap.eq(web.post("ping")[0], 200, "and the places are free again")
        late_grants_are_released(lscd, holder, mine, watcher)
        page[0].close()


@tap.test
def a_session_ending_answers_its_waiting_requests():
    # Its requests wait on the session's lscd client; when the stream
    # closes, that client goes, and each request still gets one answer.
    with running_web("--group", "8:60000", web_args=("--request-timeout", "600")) as (sim, lscd, web):
        conn, resp, session = stream(web)
        since = sim.mark()
        s = socket.create_connection(("127.0.0.1", web.port))
        s.settimeout(30)
        s.sendall(raw_post(web, "group.run", '{"group":8,"wait":true}', session, close=True))
        sim.wait_for("rx", GROUP8_ONCE, since)
        resp.close()
        conn.close()
        data = read_all(s)
        s.close()
        tap.check(data.startswith(b"HTTP/1.1 409 ") and b'"code":"cancelled"' in data
                  and b"session ended" in data,
                  "a request waiting on the ended session: 409 cancelled", data)
        tap.eq(web.post("ping")[0], 200, "lscd-web goes on")


@tap.test
def clients_that_go_away_free_their_waiting_place():
    with running_web(robot=ROBOT, web_args=("--request-timeout", "600")) as (sim, lscd, web):
        holder, mine, watcher, waiting, page = sixteen_waiting_claims(lscd, web)
        tap.eq(web.post("ping")[1]["error"]["code"], "too_many_clients", "16 wait")
        for s in waiting:
            s.close()
        wait_until(lambda: web.post("ping")[0] == 200, "a ping once the 16 clients went away")
        tap.check(True, "their places are freed before lscd answers")
        late_grants_are_released(lscd, holder, mine, watcher)
        page[0].close()


@tap.test
def lscd_going_away():
    with running_web() as (sim, lscd, web):
        conn, resp, _ = stream(web)
        tap.eq(web.post("ping")[0], 200, "ping")
        lscd.signal(signal.SIGTERM)
        tap.eq(lscd.wait_exit(), 0, "lscd stops")
        status, answer = web.post("ping")
        tap.eq((status, answer["error"]["code"]), (503, "not_connected"), "lscd is gone")
        with tap.raises(EOFError, "the event stream ends"):
            while True:
                read_record(resp)
        conn.close()
        status, _, _ = web.request("GET", "/api/events")
        tap.eq(status, 503, "no stream without lscd")


tap.main()
