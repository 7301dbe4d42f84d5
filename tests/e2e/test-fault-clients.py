#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fault injection, the clients: each kind of misbehaving client gets its
documented treatment (lscd-protocol(7)) while a well-behaved witness client
on the same lscd is unaffected: its ping round-trips and it still receives
the events it subscribed to (frame.unknown for a frame the simulator's
board sends, distinct each time), before, during and after.

Expected behaviour, per kind:
- never reads: it floods status requests and does not read; lscd stops
  reading its requests while its unread output is over half of
  --max-client-output, and once it reads, every request is answered in
  order on the same connection.
- half-closes: requests (a waiting group.run, a move, and a last line
  without newline) then shutdown(SHUT_WR): every request is answered, then
  lscd closes the connection.
- 1 MiB without newline: line_too_long once the line passes 64 KiB, then
  the connection is closed.
- NUL bytes and invalid UTF-8 (raw NUL, \\u0000, 0xFF, overlong, surrogate,
  truncated sequence): invalid_json each, the connection stays open.
- nesting deeper than 1000 (arrays, objects, 30000 deep): invalid_json,
  the connection stays open.
- numbers: non-integer, out of range, 1e400, strings, 2^53+1: invalid_argument
  naming the field; 2000.0 is accepted as 2000 (its frame is on the wire).
- duplicate keys (top level, id, nested): invalid_request.
Nothing a refused request carried reaches the wire. all_at_once runs every
kind at the same time against one lscd.
"""

import errno
import json
import socket

import tap
from lscdharness import Client, error_of, running, wait_until

LINE_MAX = 65536


class Witness:
    """A client that must not notice anything: ping, and a fresh
    frame.unknown event for a frame the simulator's board sends."""

    def __init__(self, sim, lscd):
        self.sim = sim
        self.client = lscd.client()
        self.client.subscribe(["frame.unknown"])
        self.n = 0

    def check(self, when):
        self.n += 1
        params = bytes([self.n & 0xFF, self.n >> 8, 0x77])
        tap.eq(self.client.ok("ping")["ok"], True, "witness ping %s" % when)
        self.sim.command("raw 55 55 05 30 " + params.hex(" "))
        self.client.wait_event("frame.unknown", lambda ev: ev["params"] == params.hex())


def flood(sock, data):
    """Send as much of data as the socket takes without blocking; returns
    the bytes not sent. An error (lscd closed us) ends it too."""
    sock.setblocking(False)
    view = memoryview(data)
    try:
        while view:
            view = view[sock.send(view[:65536]):]
    except BlockingIOError:
        pass
    except OSError as e:
        if e.errno not in (errno.EPIPE, errno.ECONNRESET):
            raise
        return b""
    finally:
        sock.setblocking(True)
    return bytes(view)


def answers(client, requests):
    """Send each raw line; return the responses in order."""
    out = []
    for line in requests:
        client.send_raw(line + b"\n")
        out.append(client.recv())
    return out


# ---- the kinds of bad client: start(lscd, witness) -> finish(), which
# ---- waits for and checks the treatment.

def never_reads(sim, lscd, witness):
    c = Client(lscd.socket_path)
    c.send({"cmd": "subscribe"})
    n = 20000
    pending = flood(c.sock, b"".join(json.dumps({"cmd": "status", "id": i}).encode() + b"\n"
                                     for i in range(n)))

    def finish():
        nonlocal pending
        ids = []
        while len(ids) < n:
            pending = flood(c.sock, pending) if pending else pending
            msg = c.recv(timeout=60)
            if "id" in msg:
                ids.append(msg["id"])
        tap.eq(ids, list(range(n)), "never reads: once it reads, every request is answered")
        tap.eq(c.ok("ping")["ok"], True, "never reads: its connection stayed open")
        tap.check("is not reading" not in lscd.stderr(), "never reads: no failure logged")
        c.close()
    return finish


def half_closes(sim, lscd, witness):
    c = lscd.client()
    c.send_raw(b'{"cmd":"group.run","group":8,"wait":true,"id":1}\n'
               b'{"cmd":"move","servos":[{"id":3,"position":1234}],"time_ms":77,"id":2}\n'
               b'{"cmd":"ping","id":3}')
    c.shutdown_write()

    def finish():
        got = {}
        while len(got) < 3:
            r = c.recv(timeout=30)
            got[r["id"]] = r
        tap.eq(got[1].get("completed"), True, "half-closed: the wait completed")
        tap.eq(got[2], {"id": 2, "ok": True, "time_ms": 77}, "half-closed: the move was written")
        tap.eq(got[3], {"id": 3, "ok": True}, "half-closed: last line without newline")
        tap.check(c.closed_by_peer(), "half-closed: closed once all is answered")
    return finish


def one_mib_without_newline(sim, lscd, witness):
    c = lscd.client()
    pending = flood(c.sock, b"x" * (1 << 20))

    def finish():
        nonlocal pending
        while pending:
            pending = flood(c.sock, pending)
        tap.eq(error_of(c.recv(timeout=30)), ("line_too_long", None), "1 MiB: line_too_long")
        tap.check(c.closed_by_peer(), "1 MiB: then the connection is closed")
    return finish


def each_refused(lines, code, label):
    """The kind of client that sends lines, each refused with code while
    its connection stays open."""
    def kind(sim, lscd, witness):
        c = lscd.client()

        def finish():
            for line, r in zip(lines, answers(c, lines)):
                tap.eq(error_of(r), (code, None), "%s: %r" % (label, line[:40]))
            tap.eq(c.ok("ping")["ok"], True, "%s: the connection stays open" % label)
        return finish
    return kind


BAD_BYTES = [
    b'{"cmd":"ping","id":1,"x":"a\x00b"}',
    b'\x00',
    b'{"cmd":"ping\\u0000"}',
    b'{"cmd":"ping","x":"\xff"}',
    b'{"cmd":"ping","x":"\xc0\xaf"}',
    b'{"cmd":"ping","x":"\xed\xa0\x80"}',
    b'{"cmd":"ping","x":"\xe2\x82"}',
    b'\xef\xbb\xbf{"cmd":"ping\xfe"}',
]

nul_and_utf8 = each_refused(BAD_BYTES, "invalid_json", "bytes")

DEEP = [
    b'{"cmd":"ping","x":' + b"[" * 1001 + b"]" * 1001 + b"}",
    b'{"cmd":"ping","x":' + b'{"a":' * 1001 + b"1" + b"}" * 1001 + b"}",
    b"[" * 30000 + b"]" * 30000,
    b"[" * 60000,
]

deep_nesting = each_refused(DEEP, "invalid_json", "nesting")


def move(position, time_ms=b"10"):
    return b'{"cmd":"move","servos":[{"id":2,"position":%s}],"time_ms":%s}' % (
        position, time_ms)


NUMBERS = [
    (move(b"2000.5"), "servos[0].position"),
    (move(b"2501"), "servos[0].position"),
    (move(b"499"), "servos[0].position"),
    (move(b"1e400"), "servos[0].position"),
    (move(b"-1e400"), "servos[0].position"),
    (move(b'"2000"'), "servos[0].position"),
    (move(b"9007199254740993"), "servos[0].position"),
    (move(b"2000", b"1e400"), "time_ms"),
    (move(b"2000", b"65536"), "time_ms"),
    (move(b"2000", b"-1"), "time_ms"),
    (move(b"2000", b"0.001"), "time_ms"),
    (b'{"cmd":"group.run","group":8,"runs":1.5}', "runs"),
    (b'{"cmd":"group.speed","group":8,"percent":1e999}', "percent"),
    (b'{"cmd":"group.speed","group":8.25,"percent":50}', "group"),
]


def numbers(sim, lscd, witness):
    c = lscd.client()

    def finish():
        for (line, field), r in zip(NUMBERS, answers(c, [n[0] for n in NUMBERS])):
            tap.eq(error_of(r), ("invalid_argument", field), repr(line))
        since = sim.mark()
        c.send_raw(move(b"2000.0", b"4242") + b"\n")
        tap.eq(c.recv(), {"ok": True, "time_ms": 4242}, "2000.0 accepted")
        sim.wait_for("rx", bytes([0x55, 0x55, 8, 3, 1, 0x92, 0x10, 2, 0xD0, 0x07]), since=since)
    return finish


DUPLICATES = [
    b'{"cmd":"ping","cmd":"ping"}',
    b'{"cmd":"ping","id":1,"id":2}',
    b'{"cmd":"move","servos":[{"id":1,"position":900,"position":901}],"time_ms":1}',
    b'{"cmd":"ping","id":{"a":1,"a":1}}',
]

duplicate_keys = each_refused(DUPLICATES, "invalid_request", "duplicates")


def nothing_refused_on_the_wire(sim):
    """The only move frames on the wire are the accepted ones (servo 3
    from half_closes, servo 2 at 2000 from numbers)."""
    for r in sim.records("rx"):
        if r.data[3] == 3:
            tap.check(r.data[7:] in (bytes([3, 0xD2, 0x04]), bytes([2, 0xD0, 0x07])),
                      "only accepted moves on the wire", r.line)


def run_kind(kind):
    with running("--group", "8:300") as (sim, lscd):
        witness = Witness(sim, lscd)
        witness.check("before")
        finish = kind(sim, lscd, witness)
        witness.check("while it misbehaves")
        finish()
        witness.check("after")
        nothing_refused_on_the_wire(sim)


@tap.test
def a_client_that_never_reads():
    run_kind(never_reads)


@tap.test
def a_client_that_half_closes():
    run_kind(half_closes)


@tap.test
def a_client_sending_1_mib_without_newline():
    run_kind(one_mib_without_newline)


@tap.test
def nul_bytes_and_invalid_utf8():
    run_kind(nul_and_utf8)


@tap.test
def nesting_deeper_than_1000():
    run_kind(deep_nesting)


@tap.test
def non_integer_out_of_range_and_huge_numbers():
    run_kind(numbers)


@tap.test
def duplicate_keys_are_refused():
    run_kind(duplicate_keys)


@tap.test
def all_at_once():
    kinds = (never_reads, half_closes, one_mib_without_newline, nul_and_utf8,
             deep_nesting, numbers, duplicate_keys)
    with running("--group", "8:300") as (sim, lscd):
        witness = Witness(sim, lscd)
        finishes = [kind(sim, lscd, witness) for kind in kinds]
        witness.check("while all misbehave")
        for finish in finishes:
            finish()
            witness.check("after each")
        nothing_refused_on_the_wire(sim)
        tap.eq(witness.client.ok("status")["clients"], 5, "only the survivors are left")


tap.main()
