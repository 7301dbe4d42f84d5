#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Wire scheduling end to end: lscd on lsc-sim, the order of frames on the
wire read from the simulator's receive log. Priority (group.stop, halt),
round-robin fairness between clients, latest-wins replace, and that every
request is answered exactly once. Nothing here asserts on elapsed time: the
queues are sized in seconds of wire at 9600 baud so that they are still
full when the next request arrives, and only the order is checked."""

import json
import struct

import tap
from lscdharness import Lscd, error_of
from simharness import Sim, hexbytes

STOP = hexbytes("55 55 02 07")
TIME_MS = 100


def move_frame(servos):
    """The SERVO_MOVE frame for [(id, position), ...] at TIME_MS."""
    body = struct.pack("<BBH", 0x03, len(servos), TIME_MS)
    for sid, pos in servos:
        body += struct.pack("<BH", sid, pos)
    return bytes([0x55, 0x55, len(body) + 1]) + body


def move_args(servos):
    return {"servos": [{"id": s, "position": p} for s, p in servos], "time_ms": TIME_MS}


def send_moves(client, servo, positions, prefix, **extra):
    """Queue one move per position in a single write; returns the ids."""
    ids, lines = [], []
    for pos in positions:
        rid = "%s%d" % (prefix, pos)
        ids.append(rid)
        lines.append(dict({"cmd": "move", "id": rid}, **move_args([(servo, pos)]), **extra))
    client.send_raw(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    return ids


def answers(client, ids, got=None):
    """{id: response} for every id (each answered exactly once), starting
    from the responses already taken in got."""
    got = dict(got or {})
    got.update({rid: client.response(rid, timeout=60) for rid in ids if rid not in got})
    extra = [m for m in client.inbox if m.get("id") in got]
    tap.eq(extra, [], "second answers")
    return got


def wire(sim, count):
    """The frames the simulator received, in wire order, once there are
    COUNT of them."""
    return [r.data for r in sim.wait_count("rx", count, timeout=60)]


@tap.test
def halt_drops_the_queue_and_stop_goes_next():
    """1,000 moves queued (about 10 s of wire): halt answers every unsent
    one 'halted', and the STOP follows the moves already written at once."""
    with Sim() as sim, Lscd(sim.link) as lscd:
        a, b = lscd.client(), lscd.client()
        positions = list(range(500, 1500))
        ids = send_moves(a, 1, positions, "a")
        first = {ids[2]: a.response(ids[2], timeout=30)}
        # lscd reads a client's lines in order and answers a ping at once:
        # once it is answered, every move is queued, none still unread.
        a.ok("ping", timeout=30)
        r = b.ok("halt")
        got = answers(a, ids, first)
        halted = [rid for rid in ids if not got[rid]["ok"]]
        for rid in halted:
            tap.eq(error_of(got[rid]), ("halted", None), rid)
        tap.eq(len(halted), r["dropped"], "dropped count")
        tap.check(r["dropped"] > 0, "halt dropped queued moves")
        written = len(ids) - len(halted)
        tap.eq(halted, ids[written:], "the unsent tail was dropped")
        expect = [move_frame([(1, p)]) for p in positions[:written]] + [STOP]
        tap.eq(wire(sim, len(expect)), expect, "wire order")
        tap.diag("%d moves written before the halt, %d halted" % (written, len(halted)))


@tap.test
def group_stop_jumps_queued_moves():
    """A STOP from another client goes out ahead of the queued moves; none
    of the moves is lost or reordered."""
    with Sim() as sim, Lscd(sim.link) as lscd:
        a, b = lscd.client(), lscd.client()
        positions = list(range(500, 800))
        ids = send_moves(a, 1, positions, "a")
        first = {ids[2]: a.response(ids[2], timeout=30)}
        b.ok("group.stop")
        got = answers(a, ids, first)
        tap.check(all(r["ok"] for r in got.values()), "every move written")
        frames = wire(sim, len(positions) + 1)
        at = frames.index(STOP)
        moves = frames[:at] + frames[at + 1:]
        tap.eq(moves, [move_frame([(1, p)]) for p in positions], "moves in order")
        tap.check(at < len(positions) // 2, "STOP ahead of the queue", "at %d" % at)
        tap.diag("STOP went out as frame %d of %d" % (at + 1, len(frames)))


@tap.test
def clients_take_turns():
    """Three clients flood at once: once a client has frames queued, at most
    one frame of each other client goes between two of its frames, and each
    client's frames keep their order."""
    with Sim() as sim, Lscd(sim.link) as lscd:
        clients = [lscd.client() for _ in range(3)]
        sizes = [120, 40, 40]
        sent = []
        for servo, (c, n) in enumerate(zip(clients, sizes), 1):
            sent.append(send_moves(c, servo, range(500, 500 + n), "c%d-" % servo))
        for c, ids in zip(clients, sent):
            got = answers(c, ids)
            tap.check(all(r["ok"] for r in got.values()), "every move written")
        frames = wire(sim, sum(sizes))
        owners = [f[7] for f in frames]   # the servo id tells the clients apart
        for servo, n in zip((1, 2, 3), sizes):
            mine = [f for f in frames if f[7] == servo]
            tap.eq(mine, [move_frame([(servo, p)]) for p in range(500, 500 + n)],
                   "client %d in order" % servo)
        for servo in (2, 3):
            at = [i for i, o in enumerate(owners) if o == servo]
            gaps = [j - i - 1 for i, j in zip(at, at[1:])]
            tap.check(max(gaps) <= 2, "client %d served every round" % servo,
                      "gaps %r in %r" % (gaps, owners))


@tap.test
def replace_supersedes_only_covered_moves():
    """replace:true drops this client's queued moves whose servos are all in
    the new move, answers each 'superseded', and keeps partial overlaps and
    other clients' moves."""
    with Sim() as sim, Lscd(sim.link) as lscd:
        a, b = lscd.client(), lscd.client()
        positions = list(range(500, 800))
        ids = send_moves(a, 1, positions, "a")
        first = {ids[2]: a.response(ids[2], timeout=30)}
        pair = a.send_request("move", **move_args([(1, 1500), (2, 1500)]))
        other = b.send_request("move", **move_args([(1, 1600)]))
        last = a.send_request("move", replace=True, **move_args([(1, 2000)]))
        got = answers(a, ids + [pair, last], first)
        tap.check(b.response(other)["ok"], "other client's move written")
        superseded = [rid for rid in ids if not got[rid]["ok"]]
        for rid in superseded:
            tap.eq(error_of(got[rid]), ("superseded", None), rid)
        tap.check(superseded, "queued moves superseded")
        tap.check(got[pair]["ok"] and got[last]["ok"], "partial overlap and new move written")
        written = [move_frame([(1, p)]) for rid, p in zip(ids, positions) if got[rid]["ok"]]
        frames = wire(sim, len(written) + 3)
        mine = [f for f in frames if f != move_frame([(1, 1600)])]
        tap.eq(mine, written + [move_frame([(1, 1500), (2, 1500)]), move_frame([(1, 2000)])],
               "wire order of this client")
        tap.eq(len(frames), len(mine) + 1, "the other client's move once")
        tap.diag("%d of %d queued moves superseded" % (len(superseded), len(ids)))


@tap.test
def paced_at_9600_and_115200_baud():
    """A saturating flood arrives whole and in order at either end of the
    supported range; the utilisation of the line is reported, not judged."""
    for baud, n in ((9600, 300), (115200, 2000)):
        with Sim(baud=baud) as sim, Lscd(sim.link, "--baud", str(baud)) as lscd:
            a = lscd.client()
            positions = list(range(500, 500 + n))
            ids = send_moves(a, 1, positions, "m")
            got = answers(a, ids)
            tap.check(all(r["ok"] for r in got.values()), "every move written")
            records = sim.wait_count("rx", n, timeout=60)
            tap.eq([r.data for r in records], [move_frame([(1, p)]) for p in positions],
                   "wire order at %d baud" % baud)
            busy = sum(sim.byte_time(len(r.data)) for r in records)
            span = records[-1].t - records[0].t + sim.byte_time(len(records[0].data))
            tap.diag("%d baud: %d frames, line busy %.1f%% of the time"
                     % (baud, n, 100.0 * busy / span))


tap.main()
