# SPDX-License-Identifier: MIT
"""The part of lsc that does no I/O, shared by lsc.Client and lsc.aio.Client:
request lines, response lines, the hello check, events and their bounded
queue, and what a client replays after it reconnects."""

from __future__ import annotations

import collections
import itertools
import json
import os
import re
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

from .errors import InvalidJson, LineTooLong, ProtocolError, RequestError, from_response

DEFAULT_SOCKET = "/run/lscd/lscd.sock"
# The protocol version this package speaks (lscd's hello says its own).
PROTOCOL = 1
# The longest request line lscd takes, newline included (lscd-protocol(7)).
LINE_MAX = 65536
# The deepest nesting of arrays and objects lscd reads in a request, the
# request object itself counted (lscd-protocol(7), invalid_json; common/json.h).
JSON_MAX_DEPTH = 32
# The longest line read from lscd (a status of many connections is long).
READ_LINE_MAX = 16 << 20
# The longest first line taken from a peer: lscd's hello is small, and a
# peer that is not lscd must not make the client read on without end.
HELLO_LINE_MAX = LINE_MAX
# A \u0000 escape in JSON text: one preceded by an even number of backslashes.
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# Events a client keeps unread before it counts the next ones as lost.
MAX_EVENTS = 1024

# A servo: by name (str) or by id (int).
Servo = Union[str, int]


def socket_path(path: Optional[str]) -> str:
    """PATH, else $LSCD_SOCKET, else /run/lscd/lscd.sock."""
    return path or os.environ.get("LSCD_SOCKET") or DEFAULT_SOCKET


def encode_request(cmd: str, rid: int, args: dict[str, Any]) -> bytes:
    """The line of a request. TypeError or ValueError for what JSON cannot
    carry; for a line lscd would refuse, LineTooLong (too long) or
    InvalidJson (a string with U+0000, or arrays and objects nested deeper
    than lscd reads). Nothing is sent then: lscd could not read the id of
    such a line, so its answer could not be matched to the request."""
    if not isinstance(cmd, str) or not cmd:
        raise TypeError("cmd must be a non-empty string, not %r" % (cmd,))
    for key in ("cmd", "id"):
        if key in args:
            raise TypeError("%r is not an argument: the client sets it" % key)
    request = dict(args, cmd=cmd, id=rid)
    line = json.dumps(request, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode() + b"\n"
    if len(line) > LINE_MAX:
        raise LineTooLong("the request line would be %d bytes, lscd takes at most %d; "
                          "nothing was sent" % (len(line), LINE_MAX))
    if _ESCAPED_NUL.search(line):
        raise InvalidJson("a string holds U+0000, which lscd refuses; nothing was sent")
    if nesting_exceeds(request, JSON_MAX_DEPTH):
        raise InvalidJson("arrays and objects nested deeper than lscd's %d levels (the "
                          "request object is one); nothing was sent" % JSON_MAX_DEPTH)
    return line


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether VALUE (already encodable as JSON) nests dicts, lists and
    tuples deeper than LIMIT, VALUE itself counted."""
    level = [value]
    for _ in range(limit):
        level = [v for c in level if isinstance(c, (dict, list, tuple))
                 for v in (c.values() if isinstance(c, dict) else c)]
        if not level:
            return False
    return any(isinstance(c, (dict, list, tuple)) for c in level)


def decode_line(line: bytes) -> dict[str, Any]:
    """One line from lscd as a dict; ProtocolError when it is not an object."""
    try:
        msg = json.loads(line)
    except ValueError as e:
        raise ProtocolError("not a JSON line from lscd: %r (%s)" % (line[:200], e)) from None
    if not isinstance(msg, dict):
        raise ProtocolError("not a JSON object from lscd: %r" % (line[:200],))
    return msg


class LineSplitter:
    """Bytes in, complete lines out; a line longer than limit bytes is a
    ProtocolError. The limit starts at HELLO_LINE_MAX, for the first line
    of a connection; the client raises it to READ_LINE_MAX after the hello.
    Each byte is scanned for a newline once."""

    def __init__(self, limit: int = HELLO_LINE_MAX) -> None:
        self.limit = limit
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The lines DATA completes, without their newline."""
        if b"\n" not in data:
            self._buf += data
            lines = []
        else:
            self._buf += data
            *lines, rest = self._buf.split(b"\n")
            self._buf = bytearray(rest)
            if any(len(line) > self.limit for line in lines):
                raise ProtocolError("a line from %s exceeds %d bytes" % (self._peer(), self.limit))
        if len(self._buf) > self.limit:
            raise ProtocolError("a line from %s exceeds %d bytes" % (self._peer(), self.limit))
        return [bytes(line) for line in lines]

    def _peer(self) -> str:
        return "the peer (is it lscd?)" if self.limit == HELLO_LINE_MAX else "lscd"


def check_hello(msg: dict[str, Any]) -> dict[str, Any]:
    """The first line of a connection, which must be lscd's hello event.
    An error answer instead (too_many_clients) is raised as its class."""
    if msg.get("ok") is False and isinstance(msg.get("error"), dict):
        raise from_response(msg["error"])
    if msg.get("event") != "hello":
        raise ProtocolError("the first line is not lscd's hello: %r" % (msg,))
    if msg.get("protocol") != PROTOCOL:
        raise ProtocolError("lscd speaks protocol %r, this package %d"
                            % (msg.get("protocol"), PROTOCOL))
    return msg


def response_id(msg: dict[str, Any]) -> Optional[int]:
    """The id of a response, or None for an event or an id this package
    never sends (ids are ints, matched exactly: 1.0, "1" and true are not 1)."""
    if "ok" not in msg:
        return None
    rid = msg.get("id")
    return rid if type(rid) is int else None  # pylint: disable=unidiomatic-typecheck


def unmatched_error(msg: dict[str, Any]) -> bool:
    """Whether MSG is an error answer without an id: lscd's answer to a line
    it could not read far enough to find the id (invalid_json)."""
    return msg.get("ok") is False and "id" not in msg


def answers_of_unmatched(msg: dict[str, Any], in_flight: list[int]) -> dict[int, Any]:
    """What the requests IN_FLIGHT (waiting for their answers on the
    connection: sent, or about to be) get for MSG, an error answer without
    an id (unmatched_error).

    lscd answers every line exactly once, and this package sends only lines
    with an id; encode_request refuses what lscd cannot read, so this comes
    only when lscd and this package disagree about a line. With one request
    in flight the answer is certainly its own: it gets MSG, and raises its
    error class. With several, which one it answers is unknown; guessing
    could give a request another's outcome, and waiting could hang one for
    ever, so each of them gets a ProtocolError saying so (their outcome is
    unknown: lscd still carries out those it could read, and their late
    answers are dropped). With none, it answers nothing (an empty dict)."""
    if len(in_flight) == 1:
        return {in_flight[0]: msg}
    error = msg.get("error") if isinstance(msg.get("error"), dict) else {}
    why = ProtocolError("lscd answered a line it could not read (%s: %s) while %d requests "
                        "were in flight: which one is unknown, so each of them fails; their "
                        "outcome is unknown" % (error.get("code"), error.get("message"),
                                                len(in_flight)))
    return {rid: why for rid in in_flight}


def result(msg: dict[str, Any]) -> dict[str, Any]:
    """The results of an ok response (without id and ok); the error of a
    failed one raised as its class."""
    if msg.get("ok") is not True:
        error = msg.get("error")
        raise from_response(error if isinstance(error, dict) else {"code": ""})
    return {k: v for k, v in msg.items() if k not in ("id", "ok")}


@dataclass(frozen=True)
class Event:
    """An event from lscd. name: "group.completed", ...; time: lscd's wall
    clock in seconds (None for one the client made); data: the whole line,
    so event["group"] or event.data["group"] reads a field.

    Two names are always delivered, whatever the subscription: events.lost
    ({"count": N}; "local": true when the client's own queue overflowed)
    and, after a reconnect, the new connection's hello."""

    name: str
    time: Optional[float]
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the event, or DEFAULT."""
        return self.data.get(key, default)

    @classmethod
    def of(cls, msg: dict[str, Any]) -> "Event":
        """The Event of an event line."""
        when = msg.get("time")
        return cls(str(msg["event"]), float(when) if isinstance(when, (int, float)) else None,
                   msg)

    def matches(self, patterns: Optional[tuple[str, ...]]) -> bool:
        """Whether PATTERNS (names, and prefixes ending in ".") select this
        event; None selects all. events.lost and hello always match."""
        if patterns is None or self.name in ("events.lost", "hello"):
            return True
        return any(self.name == p or (p.endswith(".") and self.name.startswith(p))
                   for p in patterns)


def patterns(prefixes: Optional[Iterable[str]]) -> Optional[tuple[str, ...]]:
    """PREFIXES as a tuple (None stays None); a lone string is one pattern."""
    if prefixes is None:
        return None
    if isinstance(prefixes, str):
        return (prefixes,)
    return tuple(prefixes)


class EventQueue:
    """The events one consumer has not taken yet, at most LIMIT: an events()
    iterator's own (PATTERNS: what it selects), or the client's (None: every
    event no live iterator selects, for next_event()). When it is full the
    next events are counted, not kept; the count comes out as an events.lost
    event ("local": true) at the point of the gap, as lscd does for its own
    bound. A queue's backlog costs no other queue an event."""

    def __init__(self, limit: int = MAX_EVENTS,
                 patterns_: Optional[tuple[str, ...]] = None) -> None:
        if limit < 1:
            raise ValueError("max_events must be at least 1")
        self.limit = limit
        self.patterns = patterns_
        self._queue: collections.deque[Event] = collections.deque()
        self._lost = 0

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, event: Event) -> None:
        """Keep EVENT, or count it when the queue is full."""
        if len(self._queue) >= self.limit:
            self._lost += 1
            return
        self._flush_lost()
        self._queue.append(event)

    def take(self, patterns_: Optional[tuple[str, ...]], borrow: bool = False) -> Optional[Event]:
        """The oldest event PATTERNS_ selects, or None; events it does not
        select stay for another reader. borrow: for a reader other than the
        queue's own, who takes neither a hello nor events.lost from it."""
        for i, event in enumerate(self._queue):
            if borrow and event.name in ("events.lost", "hello"):
                continue
            if event.matches(patterns_):
                del self._queue[i]
                return event
        if self._lost and not borrow:
            self._flush_lost()
            return self._queue.pop()
        return None

    def _flush_lost(self) -> None:
        if self._lost:
            self._queue.append(Event("events.lost", time.time(), {
                "event": "events.lost", "time": time.time(), "count": self._lost,
                "local": True}))
            self._lost = 0


class EventRouter:
    """Where the events of a connection go. Every live events() iterator
    has a queue of its own and gets each event it selects (two iterators
    that select an event both get it); an event that no live iterator
    selects goes to the client's queue, which next_event() reads. An
    iterator is live from events() until it is closed or garbage
    collected: one left unread fills only its own queue, and loses only its
    own events (events.lost, "local": true, in its own queue)."""

    def __init__(self, limit: int) -> None:
        self.client = EventQueue(limit)
        self._iterators: list[weakref.ref[EventQueue]] = []

    def iterator_queue(self, patterns_: Optional[tuple[str, ...]]) -> EventQueue:
        """A new live iterator's queue (the router holds it weakly)."""
        queue = EventQueue(self.client.limit, patterns_)
        self._iterators.append(weakref.ref(queue))
        return queue

    def close(self, queue: EventQueue) -> None:
        """QUEUE's iterator takes no more events."""
        self._iterators = [r for r in self._iterators if r() not in (None, queue)]

    def _live(self) -> list[EventQueue]:
        live = [q for q in (r() for r in self._iterators) if q is not None]
        if len(live) != len(self._iterators):
            self._iterators = [weakref.ref(q) for q in live]
        return live

    def put(self, event: Event) -> None:
        """Deliver EVENT to the iterators that select it, else to the client's queue."""
        taken = False
        for queue in self._live():
            if event.matches(queue.patterns):
                queue.put(event)
                taken = True
        if not taken:
            self.client.put(event)

    def take(self, patterns_: Optional[tuple[str, ...]]) -> Optional[Event]:
        """For next_event(): the oldest event PATTERNS_ selects from the
        client's queue, else from a live iterator's (taken from that one
        only, as if it had yielded it); None when there is none."""
        event = self.client.take(patterns_)
        for queue in self._live():
            if event is not None:
                break
            event = queue.take(patterns_, borrow=True)
        return event


class Replay:
    """What a client re-establishes on a new connection: its hello (name,
    on_disconnect) and its subscription, as lscd last answered them."""

    def __init__(self, name: Optional[str]) -> None:
        self.hello: dict[str, Any] = {} if name is None else {"name": name}
        self.subscription: list[str] = []

    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        """The requests that set a new connection up as the old one was."""
        out = []
        if self.hello:
            out.append(("hello", dict(self.hello)))
        if self.subscription:
            out.append(("subscribe", {"events": list(self.subscription)}))
        return out

    def answered(self, cmd: str, args: dict[str, Any], res: dict[str, Any]) -> None:
        """Note what an ok answer to CMD changed."""
        if cmd == "hello":
            self.hello.update({k: v for k, v in args.items() if k in ("name", "on_disconnect")})
        elif cmd in ("subscribe", "unsubscribe") and isinstance(res.get("events"), list):
            self.subscription = list(res["events"])


@dataclass
class ClaimBase:
    """A claim lscd granted: its id, servos (ids), groups, lease_ms and
    safe, as lscd answered; client and connection, where it was granted."""

    id: int
    servos: list[int]
    groups: bool
    lease_ms: int
    safe: str
    client: Any = field(repr=False, compare=False)
    connection: int = field(repr=False, compare=False, default=0)

    @classmethod
    def granted(cls, res: dict[str, Any], client: "ClientBase") -> Any:
        """The claim of CLIENT's current connection that RES answers."""
        return cls(res["claim"], res["servos"], res["groups"], res["lease_ms"], res["safe"],
                   client, client.connection)

    def _gone(self) -> bool:
        """Whether it ended with the connection it was granted on."""
        return self.connection != self.client.connection


class ClientBase:
    """What lsc.Client and lsc.aio.Client both keep: where and how to
    connect, lscd's hello, the events not taken yet, and what to replay on
    a new connection."""

    def __init__(self, socket: Optional[str], name: Optional[str], reconnect: bool,
                 timeout: Optional[float], connect_timeout: float, max_events: int) -> None:
        self.path = socket_path(socket)
        self.reconnect = reconnect
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        #: lscd's hello event of the current connection: "protocol",
        #: "protocol_minor", "version", "client" (this connection's number).
        self.server: dict[str, Any] = {}
        #: How many connections this client made (1 until a reconnect).
        self.connection = 0
        self._closed = False
        self._ids = itertools.count(1)
        self._events = EventRouter(max_events)
        self._replay = Replay(name)

    def _state(self, connected: bool) -> str:
        return "closed" if self._closed else "connected" if connected else "disconnected"

    def __repr__(self) -> str:
        return "<%s.%s %s %s, client %s>" % (
            type(self).__module__.replace(".client", ""), type(self).__name__, self.path,
            self._state(self._connected()), self.server.get("client"))

    def _connected(self) -> bool:
        raise NotImplementedError


__all__ = ["ClaimBase", "ClientBase", "DEFAULT_SOCKET", "Event", "EventQueue", "EventRouter",
           "LineSplitter", "Replay", "RequestError", "Servo", "answers_of_unmatched", "check_hello",
           "decode_line", "encode_request", "patterns", "response_id", "result", "socket_path",
           "unmatched_error"]
