# SPDX-License-Identifier: MIT
"""The part of lsc that does no I/O, shared by lsc.Client and lsc.aio.Client:
request lines, response lines, the hello check, events and their bounded
queue, and what a client replays after it reconnects."""

from __future__ import annotations

import collections
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

from .errors import LineTooLong, ProtocolError, RequestError, from_response

DEFAULT_SOCKET = "/run/lscd/lscd.sock"
# The protocol version this package speaks (lscd's hello says its own).
PROTOCOL = 1
# The longest request line lscd takes, newline included (lscd-protocol(7)).
LINE_MAX = 65536
# The longest line read from lscd (a status of many connections is long).
READ_LINE_MAX = 16 << 20
# Events a client keeps unread before it counts the next ones as lost.
MAX_EVENTS = 1024

# A servo: by name (str) or by id (int).
Servo = Union[str, int]


def socket_path(path: Optional[str]) -> str:
    """PATH, else $LSCD_SOCKET, else /run/lscd/lscd.sock."""
    return path or os.environ.get("LSCD_SOCKET") or DEFAULT_SOCKET


def encode_request(cmd: str, rid: int, args: dict[str, Any]) -> bytes:
    """The line of a request. TypeError or ValueError for what JSON cannot
    carry, LineTooLong for a line lscd would refuse: nothing is sent then."""
    if not isinstance(cmd, str) or not cmd:
        raise TypeError("cmd must be a non-empty string, not %r" % (cmd,))
    for key in ("cmd", "id"):
        if key in args:
            raise TypeError("%r is not an argument: the client sets it" % key)
    line = json.dumps(dict(args, cmd=cmd, id=rid), separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode() + b"\n"
    if len(line) > LINE_MAX:
        raise LineTooLong("the request line would be %d bytes, lscd takes at most %d; "
                          "nothing was sent" % (len(line), LINE_MAX))
    return line


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
    """Bytes in, complete lines out; a line longer than READ_LINE_MAX is a
    ProtocolError."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The lines DATA completes, without their newline."""
        self._buf += data
        *lines, rest = self._buf.split(b"\n")
        if len(rest) > READ_LINE_MAX:
            raise ProtocolError("a line from lscd exceeds %d bytes" % READ_LINE_MAX)
        self._buf = bytearray(rest)
        return [bytes(line) for line in lines]


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
    """Events received and not taken yet, at most LIMIT. When it is full the
    next events are counted, not kept; the count comes out as an
    events.lost event ("local": true) at the point of the gap, as lscd does
    for its own bound."""

    def __init__(self, limit: int = MAX_EVENTS) -> None:
        if limit < 1:
            raise ValueError("max_events must be at least 1")
        self.limit = limit
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

    def take(self, patterns_: Optional[tuple[str, ...]]) -> Optional[Event]:
        """The oldest event PATTERNS_ selects, or None; events it does not
        select stay for another reader."""
        for i, event in enumerate(self._queue):
            if event.matches(patterns_):
                del self._queue[i]
                return event
        if self._lost:
            self._flush_lost()
            return self._queue.pop()
        return None

    def _flush_lost(self) -> None:
        if self._lost:
            self._queue.append(Event("events.lost", time.time(), {
                "event": "events.lost", "time": time.time(), "count": self._lost,
                "local": True}))
            self._lost = 0


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
        self._events = EventQueue(max_events)
        self._replay = Replay(name)

    def _state(self, connected: bool) -> str:
        return "closed" if self._closed else "connected" if connected else "disconnected"

    def __repr__(self) -> str:
        return "<%s.%s %s %s, client %s>" % (
            type(self).__module__.replace(".client", ""), type(self).__name__, self.path,
            self._state(self._connected()), self.server.get("client"))

    def _connected(self) -> bool:
        raise NotImplementedError


__all__ = ["ClaimBase", "ClientBase", "DEFAULT_SOCKET", "Event", "EventQueue", "LineSplitter", "Replay",
           "RequestError", "Servo", "check_hello", "decode_line", "encode_request", "patterns", "response_id",
           "result", "socket_path"]
