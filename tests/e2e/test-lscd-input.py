#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: bad input. Every class gets its stable error code (and
the field at fault) while the connection stays open; a line over 64 KiB
gets line_too_long and then the connection is closed; nothing invalid
reaches the wire; half-closed clients still get their answers."""

import json

import tap
from lscdharness import error_of, running

BAD_LINES = [
    (b"{\"cmd\":\"ping\"", "invalid_json", None),
    (b"not json at all", "invalid_json", None),
    (b"\xef\xbb\xbf{\"cmd\":\"ping\",\"id\":1}", "invalid_json", None),
    (b"{\"cmd\":\"ping\",\x01\"id\":1}", "invalid_json", None),
    (b"{\"cmd\":\"ping\",\"id\":01}", "invalid_json", None),
    (b"{\"cmd\":\"ping\",\"id\":\"\x1b[31m\"}", "invalid_json", None),
    (b"{\"cmd\":\"ping\"} {}", "invalid_json", None),
    (b"{\"cmd\":\"p\xc3\x28ng\"}", "invalid_json", None),
    (b"{\"cmd\":\"ping\",\"x\":\"\x00\"}", "invalid_json", None),
    (b"[" * 33 + b"]" * 33, "invalid_json", None),
    (b"[1,2]", "invalid_request", None),
    (b"\"ping\"", "invalid_request", None),
    (b"{\"cmd\":\"ping\",\"cmd\":\"version\"}", "invalid_request", None),
    (b"{}", "missing_argument", "cmd"),
    (b"{\"cmd\":[]}", "invalid_argument", "cmd"),
    (b"{\"cmd\":\"fly\"}", "unknown_command", None),
    (b"{\"cmd\":\"ping\",\"loud\":true}", "invalid_argument", "loud"),
    (b"{\"cmd\":\"move\",\"time_ms\":5}", "missing_argument", "servos"),
    (b"{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000}]}", "missing_argument", "time_ms"),
    (b"{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000},{\"id\":2,\"position\":\"9\"}],"
     b"\"time_ms\":5}", "invalid_argument", "servos[1].position"),
    (b"{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000.5}],\"time_ms\":5}",
     "invalid_argument", "servos[0].position"),
    (b"{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":3000}],\"time_ms\":5}",
     "invalid_argument", "servos[0].position"),
    (b"{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000}],\"time_ms\":1e400}",
     "invalid_argument", "time_ms"),
    (b"{\"cmd\":\"group.run\",\"group\":-1}", "invalid_argument", "group"),
    (b"{\"cmd\":\"group.run\",\"group\":8,\"runs\":\"1\"}", "invalid_argument", "runs"),
    (b"{\"cmd\":\"group.speed\",\"group\":8,\"percent\":0}", "invalid_argument", "percent"),
    (b"{\"cmd\":\"group.speed\",\"percent\":50}", "missing_argument", "group"),
    (b"{\"cmd\":\"subscribe\",\"events\":[\"grop.\"]}", "invalid_argument", "events[0]"),
]


@tap.test
def every_bad_input_class_has_its_code_and_field():
    with running() as (sim, lscd):
        c = lscd.client()
        for line, code, field in BAD_LINES:
            c.send_raw(line + b"\n")
            r = c.recv()
            tap.eq(error_of(r), (code, field), repr(line))
            tap.check(r["error"]["message"], "a message for %r" % line, r)
            tap.check("id" not in r, "no id when the request had none", r)
        tap.eq(c.ok("ping")["ok"], True, "still connected after every error")
        tap.eq(sim.records("rx"), [], "nothing reached the wire")
        tap.eq(lscd.client().ok("status")["counters"]["errors"], len(BAD_LINES),
               "every error counted")


@tap.test
def the_id_is_echoed_on_errors():
    with running() as (sim, lscd):
        c = lscd.client()
        r = c.request("group.run", id="r-1", group=999)
        tap.eq(r["id"], "r-1", "id echoed")
        tap.eq(error_of(r), ("invalid_argument", "group"), "error")
        c.send_raw(b"{\"id\":[1,2],\"cmd\":\"nope\"}\n")
        r = c.recv()
        tap.eq((r["id"], error_of(r)), ([1, 2], ("unknown_command", None)), "unknown command")


@tap.test
def the_id_is_echoed_as_the_same_json_text():
    with running() as (sim, lscd):
        c = lscd.client()
        for text in (b"9007199254740993", b"1234567890123456789", b"1.50", b"-0",
                     b'"\\u00e9"', b'[1, {"a" : 2}]'):
            c.send_raw(b'{"cmd":"ping","id":' + text + b'}\n')
            line = c.sock.recv(4096)
            tap.eq(line, b'{"id":' + text + b',"ok":true}\n', "id %s" % text.decode())
        c.send_raw(b'{"cmd":"nope","id":9007199254740993}\n')
        tap.check(c.sock.recv(4096).startswith(b'{"id":9007199254740993,"ok":false'), "on errors too")


@tap.test
def a_line_over_64_kib_is_refused_and_the_connection_closed():
    with running() as (sim, lscd):
        c = lscd.client()
        watcher = lscd.client()
        big = b"{\"cmd\":\"ping\",\"pad\":\"" + b"x" * 70000 + b"\"}\n"
        c.send_raw(b"{\"cmd\":\"ping\",\"id\":1}\n" + big)
        tap.eq(c.recv(), {"id": 1, "ok": True}, "the line before it is answered")
        tap.eq(error_of(c.recv()), ("line_too_long", None), "line_too_long")
        tap.check(c.closed_by_peer(), "then the connection is closed")
        tap.eq(watcher.ok("ping")["ok"], True, "other clients are not affected")


@tap.test
def a_line_over_64_kib_waits_for_the_answers_still_due():
    with running("--group", "8:300") as (sim, lscd):
        c = lscd.client()
        big = b"{\"cmd\":\"ping\",\"pad\":\"" + b"x" * 70000 + b"\"}\n"
        c.send_raw(b"{\"cmd\":\"group.run\",\"group\":8,\"wait\":true,\"id\":1}\n" + big)
        tap.eq(error_of(c.recv()), ("line_too_long", None), "line_too_long at once")
        r = c.recv()
        tap.eq((r.get("id"), r.get("completed")), (1, True),
               "the wait sent before it is still answered")
        tap.check(c.closed_by_peer(), "then the connection is closed")


@tap.test
def a_line_of_exactly_64_kib_is_accepted():
    with running() as (sim, lscd):
        c = lscd.client()
        head = b"{\"cmd\":\"ping\",\"id\":7,\"pad\":\""
        tail = b"\"}\n"
        line = head + b"x" * (65536 - len(head) - len(tail)) + tail
        tap.eq(len(line), 65536, "size with the newline")
        c.send_raw(line)
        r = c.recv()
        tap.eq(error_of(r), ("invalid_argument", "pad"), "parsed as a request")
        tap.eq(c.ok("ping")["ok"], True, "connection open")


@tap.test
def half_closed_client_still_gets_its_answers():
    with running("--group", "8:200") as (sim, lscd):
        c = lscd.client()
        c.send_raw(b"{\"cmd\":\"group.run\",\"group\":8,\"wait\":true,\"id\":1}\n"
                   b"{\"cmd\":\"battery\",\"id\":2}\n{\"cmd\":\"ping\",\"id\":3}")
        c.shutdown_write()
        got = {}
        while len(got) < 3:
            r = c.recv()
            got[r["id"]] = r
        tap.eq(got[1].get("completed"), True, "the wait completed")
        tap.eq(got[2]["millivolts"], 7400, "battery")
        tap.eq(got[3], {"id": 3, "ok": True}, "the last line had no newline, still answered")
        tap.check(c.closed_by_peer(), "closed once everything was answered")


@tap.test
def requests_split_across_writes_and_batched():
    with running() as (sim, lscd):
        c = lscd.client()
        line = json.dumps({"cmd": "ping", "id": "split"}).encode() + b"\n"
        for b in line:
            c.send_raw(bytes([b]))
        tap.eq(c.recv(), {"id": "split", "ok": True}, "byte by byte")
        c.send_raw(b"".join(json.dumps({"cmd": "ping", "id": i}).encode() + b"\n"
                            for i in range(100)))
        tap.eq([c.recv()["id"] for _ in range(100)], list(range(100)), "100 in one write")


tap.main()
