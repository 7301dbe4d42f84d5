# SPDX-License-Identifier: MIT
"""lsc.Client: the synchronous client (see the package's documentation)."""

from __future__ import annotations

import os
import selectors
import socket as _socket
import stat
import threading
import time
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, TypeVar, Union

from . import _verbs
from ._protocol import (MAX_EVENTS, ClaimBase, ClientBase, Event, LineSplitter, Servo, check_hello,
                        decode_line, encode_request, patterns, response_id, result)
from .errors import ConnectionLost, ProtocolError, UnknownClaim

T = TypeVar("T")

__all__ = ["Client", "Claim", "Events"]


def connect_error(e: OSError, path: str) -> OSError:
    """E, with a message that says what to do about it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if isinstance(e, ConnectionRefusedError) and mode is not None and not stat.S_ISSOCK(mode):
        return type(e)(e.errno, "cannot connect to lscd at %s: not a socket ($LSCD_SOCKET or "
                                "socket= names it)" % path)
    hints = {
        FileNotFoundError: "no socket there: is lscd running? (systemctl start lscd.socket; "
                           "$LSCD_SOCKET or socket= names another)",
        ConnectionRefusedError: "nothing listens there: is lscd running?",
        PermissionError: "permission denied: members of the group lscd may connect "
                         "(sudo usermod -aG lscd $USER, then log in again)",
    }
    hint = next((h for cls, h in hints.items() if isinstance(e, cls)), e.strerror or str(e))
    return type(e)(e.errno, "cannot connect to lscd at %s: %s" % (path, hint))


def deadline_of(timeout: Optional[float]) -> Optional[float]:
    return None if timeout is None else time.monotonic() + timeout


def left_until(deadline: Optional[float]) -> Optional[float]:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class Claim(ClaimBase):
    """A claim lscd granted (Client.claim): id, servos (ids), groups,
    lease_ms, safe. As a context manager, it is released at the end of the
    with block; a claim that already ended (its lease expired, or its
    connection closed) is then left as it is."""

    def release(self) -> int:
        """Release it: 1, or 0 when it ended with its connection."""
        return 0 if self._gone() else self.client.release(self.id)

    def __enter__(self) -> "Claim":
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.release()
        except (UnknownClaim, ConnectionLost):
            pass


class Events(Iterator[Event]):
    """The iterator of Client.events()."""

    def __init__(self, client: "Client", patterns_: Optional[tuple[str, ...]],
                 timeout: Optional[float]) -> None:
        self._client = client
        self.patterns = patterns_
        self.timeout = timeout

    def __iter__(self) -> "Events":
        return self

    def __next__(self) -> Event:
        event = self._client.next_event(self.patterns, self.timeout)
        if event is None:
            raise StopIteration
        return event


class Client(ClientBase):
    """A connection to lscd, one method per command of lscd-protocol(7).

    socket: the socket's path; None: $LSCD_SOCKET, else /run/lscd/lscd.sock.
    name: said to lscd with hello, shown in lscctl status and in the "by"
    of events. reconnect: when the connection is lost (lscd restarted),
    connect again at the next call, with the same name and subscription;
    the calls in flight then raise ConnectionLost. timeout: seconds any one
    call may wait for its answer (None: as long as it takes), else
    TimeoutError. connect_timeout: seconds to wait for lscd at a (re)connect
    with reconnect=True, and for its hello in any case. max_events: events
    kept unread before the next ones are counted as lost.

    The client may be shared by threads: each call waits for its own
    answer, whichever thread reads it, and events are kept for events().
    Connects at once; close() (or the end of a with block) disconnects.
    """

    def __init__(self, socket: Optional[str] = None, name: Optional[str] = None, *,
                 reconnect: bool = False, timeout: Optional[float] = None,
                 connect_timeout: float = 10.0, max_events: int = MAX_EVENTS) -> None:
        super().__init__(socket, name, reconnect, timeout, connect_timeout, max_events)
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._sock: Optional[_socket.socket] = None
        self._reading = False
        self._lines = LineSplitter()
        self._answers: dict[int, Union[dict[str, Any], Exception]] = {}
        self._waiting: dict[int, int] = {}
        with self._cond:
            self._connect()

    # ---- the commands ----
    def ping(self) -> None:
        """Nothing but an answer: lscd is alive (and a claim's lease renewed)."""
        return self._call(_verbs.ping())

    def version(self) -> dict[str, Any]:
        """{"version", "protocol", "protocol_minor"} of lscd."""
        return self._call(_verbs.version())

    def status(self) -> dict[str, Any]:
        """The device, the running group, the connections, the queue, the
        counters (lscd-protocol(7), status)."""
        return self._call(_verbs.status())

    def move(self, positions: Optional[Mapping[Servo, int]] = None, *, time_ms: int,
             deltas: Optional[Mapping[Servo, int]] = None, replace: bool = False,
             wait: bool = False, confirm: bool = False,
             tolerance: Optional[int] = None) -> dict[str, Any]:
        """Move servos in one frame: move({"shoulder": 1200, 9: 2300}, time_ms=800).

        positions: servo (name or id) to position in microseconds; deltas:
        servo to a change from its last target. replace: supersede this
        client's queued moves of the same servos. wait: return when the move
        has ended instead of once written. Returns {"time_ms": N} (the time
        used, raised by max_speed) and "completed": True with wait. confirm
        (a bus board, with wait): read the servos once the move has ended,
        adding "confirmed" (each within tolerance of its target) and
        "positions" (since 1.5)."""
        return self._call(_verbs.move(positions, deltas, time_ms, replace, wait, confirm,
                                      tolerance))

    def pose(self, name: str, *, time_ms: Optional[int] = None,
             wait: bool = False) -> dict[str, Any]:
        """Move to a pose of the robot file ("home" always exists); as move."""
        return self._call(_verbs.pose(name, time_ms, wait))

    def servos(self) -> list[dict[str, Any]]:
        """Every servo lscd knows: id, name, limits, target, moving, until."""
        return self._call(_verbs.servos())

    def robot(self) -> dict[str, Any]:
        """The robot model: path, file, loaded, servos, poses, groups."""
        return self._call(_verbs.robot())

    def config_reload(self) -> dict[str, Any]:
        """Read the robot file again; the new model, or InvalidConfig."""
        return self._call(_verbs.config_reload())

    def hello(self, name: Optional[str] = None, *,
              on_disconnect: Optional[str] = None) -> dict[str, Any]:
        """Say who this client is (name) and what happens to its queued
        frames when it goes away (on_disconnect: "finish" or "drop");
        kept across reconnects. {"client", "name", "on_disconnect"}."""
        return self._call(_verbs.hello(name, on_disconnect))

    def claim(self, servos: Union[str, Iterable[Servo]], *, groups: bool = False,
              lease_ms: Optional[int] = None, safe: Optional[str] = None,
              wait: bool = False, timeout_ms: Optional[int] = None) -> Claim:
        """Take exclusive control of servos: names and ids, one of them, or
        "all" (every servo, and the groups). groups: of the action groups
        too. lease_ms: it expires after this long without a request from
        this client, and safe ("stop", "home", "pose:NAME") runs then. wait:
        queue for it rather than raise Claimed, for at most timeout_ms.
        Returns a Claim, which a with block releases."""
        res = self._call(_verbs.claim(servos, groups, lease_ms, safe, wait, timeout_ms))
        return Claim.granted(res, self)

    def release(self, claim: Optional[int] = None) -> int:
        """Release a claim by id, or every claim of this connection: how many."""
        return self._call(_verbs.release(claim))

    def run_group(self, group: Union[int, str], *, runs: Optional[int] = None,
                  wait: bool = False) -> dict[str, Any]:
        """Run an action group (number or name) runs times (0: forever).
        wait: return when the board reports it completed (else Stopped,
        Preempted, NotStarted). {"group", "runs"} (and "completed")."""
        return self._call(_verbs.run_group(group, runs, wait))

    def stop(self) -> None:
        """Stop the running action group, ahead of every queued move."""
        return self._call(_verbs.stop())

    def halt(self) -> int:
        """Drop every client's queued frames, then stop: how many were dropped."""
        return self._call(_verbs.halt())

    def speed(self, group: Union[int, str], percent: int) -> bool:
        """Set a group's speed (or "all"), in percent; False when only
        remembered, because the board is absent."""
        return self._call(_verbs.speed(group, percent))

    def battery(self) -> int:
        """The board's battery voltage, in millivolts."""
        return self._call(_verbs.battery())

    def unload(self, servos: Union[str, Iterable[Servo]]) -> list[int]:
        """Torque off (a bus board, since 1.5): the servos (names or ids, or
        "all") go limp; returns their ids. Their targets become unknown."""
        return self._call(_verbs.unload(servos))

    def positions(self, servos: Union[str, Iterable[Servo]]) -> dict[Servo, Optional[int]]:
        """Where the servos are (a bus board, since 1.5): {name or id:
        logical position, None when the board did not report it}."""
        return self._call(_verbs.positions(servos))

    def subscribe(self, events: Optional[Iterable[str]] = None) -> list[str]:
        """Receive these events too (names, or prefixes ending in "."; None:
        all). The whole subscription, kept across reconnects."""
        return self._call(_verbs.subscribe(events))

    def unsubscribe(self, events: Optional[Iterable[str]] = None) -> list[str]:
        """Stop receiving these events (None: all); what remains."""
        return self._call(_verbs.unsubscribe(events))

    def request(self, cmd: str, /, **args: Any) -> dict[str, Any]:
        """Any command, for one this package has no method for yet:
        request("group.run", group=8, wait=True). Its results as a dict."""
        return self._call(_verbs.request(cmd, args))

    # ---- events ----
    def events(self, prefixes: Optional[Iterable[str]] = None, *,
               timeout: Optional[float] = None) -> Events:
        """Subscribe to PREFIXES (event names, or prefixes ending in ".";
        None: every event) now, and return an iterator over the events they
        select, oldest first, including those that came while a call waited
        for its answer. Others stay queued for another events(). timeout:
        seconds to wait for each event, else TimeoutError. The iteration
        ends when the client is closed."""
        pats = patterns(prefixes)
        self.subscribe(pats)
        return Events(self, pats, timeout)

    def next_event(self, prefixes: Optional[Iterable[str]] = None,
                   timeout: Optional[float] = None) -> Optional[Event]:
        """The next event PREFIXES select (None: any) that was subscribed to,
        waiting at most TIMEOUT seconds (else TimeoutError); None once the
        client is closed."""
        pats = patterns(prefixes)

        def take() -> Union[Event, None, bool]:
            event = self._events.take(pats)
            if event is not None:
                return event
            if self._closed:
                return False
            if self._sock is None:
                self._ensure()
            return None
        got = self._wait(take, timeout, "an event")
        return got if isinstance(got, Event) else None

    # ---- life cycle ----
    def close(self) -> None:
        """Disconnect. Calls waiting in other threads raise ConnectionLost,
        and their events() iterations end."""
        with self._cond:
            self._closed = True
            self._lost(self.connection, "the client was closed")
            self._cond.notify_all()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _connected(self) -> bool:
        return self._sock is not None

    # ---- the machinery ----
    def _call(self, call: _verbs.Call[T]) -> T:
        return call.read(self._request(call.cmd, call.args))

    def _request(self, cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        rid = next(self._ids)
        line = encode_request(cmd, rid, args)
        with self._cond:
            self._poll()
            self._ensure()
            sock, conn = self._sock, self.connection
            self._waiting[rid] = conn
        try:
            self._send(sock, conn, rid, line)
            msg = self._wait(lambda: self._answers.pop(rid, None), self.timeout,
                             "the answer to %s" % cmd)
        finally:
            with self._cond:
                self._waiting.pop(rid, None)
                self._answers.pop(rid, None)
        if isinstance(msg, Exception):
            raise msg
        res = result(msg)
        with self._cond:
            self._replay.answered(cmd, args, res)
        return res

    def _ensure(self) -> None:
        """A connection, made again if it was lost and reconnect is on
        (lock held)."""
        if self._closed:
            raise ConnectionLost("the client is closed")
        if self._sock is None:
            if not self.reconnect:
                raise ConnectionLost("the connection to lscd at %s was lost (reconnect=False)"
                                     % self.path)
            self._connect()

    def _poll(self) -> None:
        """Take in what lscd sent while nobody read, an end of connection
        included, so that a restart while idle is seen before the next
        request is written to the dead connection (lock held)."""
        if self._sock is not None and not self._reading:
            data = self._recv(self._sock, 0)
            if data is not None:
                self._received(self.connection, data)

    def _send(self, sock: Any, conn: int, rid: int, line: bytes) -> None:
        """Write one request line whole; a line cut short by an interrupt
        (Ctrl-C) breaks the stream, so the connection is dropped then."""
        with self._send_lock:
            try:
                sock.sendall(line, _socket.MSG_NOSIGNAL)
                return
            except OSError as e:
                why = "sending failed: %s" % e
            except BaseException:
                with self._cond:
                    self._lost(conn, "interrupted while sending a request")
                raise
        with self._cond:
            # lscd may still have answers for us before its end of stream.
            self._answers[rid] = ConnectionLost("%s (lscd at %s)" % (why, self.path))

    def _wait(self, take: Callable[[], Any], timeout: Optional[float], what: str) -> Any:
        """Read until take() (called with the lock held) returns something
        other than None. One thread reads at a time, for all of them."""
        deadline = deadline_of(timeout)
        while True:
            with self._cond:
                while True:
                    got = take()
                    if got is not None:
                        return got
                    left = left_until(deadline)
                    if left == 0:
                        raise TimeoutError("%s did not come within %g s" % (what, timeout))
                    if not self._reading:
                        break
                    self._cond.wait(left)
                if self._sock is None:
                    raise ConnectionLost("not connected to lscd at %s" % self.path)
                self._reading = True
                sock, conn = self._sock, self.connection
            data = None
            try:
                data = self._recv(sock, left)
            finally:
                with self._cond:
                    self._reading = False
                    if data is not None:
                        self._received(conn, data)
                    if sock is not self._sock:
                        sock.close()  # lost while this thread read it (see _lost)
                    self._cond.notify_all()

    @staticmethod
    def _recv(sock: _socket.socket, timeout: Optional[float]) -> Optional[bytes]:
        """What came within TIMEOUT (None: nothing), b"" at the end of the
        connection."""
        with selectors.DefaultSelector() as sel:
            try:
                sel.register(sock, selectors.EVENT_READ)
                if not sel.select(timeout):
                    return None
                return sock.recv(65536)
            except (OSError, ValueError):
                return b""

    def _received(self, conn: int, data: bytes) -> None:
        """Sort what came into answers and events (lock held)."""
        if conn != self.connection or self._sock is None:
            return
        if not data:
            self._lost(conn, "lscd at %s closed the connection" % self.path)
            return
        try:
            for line in self._lines.feed(data):
                self._dispatch(conn, decode_line(line))
        except ProtocolError as e:
            self._lost(conn, str(e))

    def _dispatch(self, conn: int, msg: dict[str, Any]) -> None:
        rid = response_id(msg)
        if rid is not None:
            if self._waiting.get(rid) == conn:
                self._answers[rid] = msg
        elif "event" in msg and "ok" not in msg:
            self._events.put(Event.of(msg))

    def _lost(self, conn: int, why: str) -> None:
        """The connection CONN ended: every call waiting on it raises
        ConnectionLost (lock held)."""
        if conn != self.connection or self._sock is None:
            return
        sock, self._sock = self._sock, None
        try:
            sock.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass
        # The end of stream wakes a thread that waits to read it; closing
        # the descriptor under it would not. That thread closes it then.
        if not self._reading:
            sock.close()
        for rid, c in self._waiting.items():
            if c == conn and rid not in self._answers:
                self._answers[rid] = ConnectionLost(why)

    def _connect(self) -> None:
        """Connect, read lscd's hello, and set the connection up as the last
        one was (lock held). With reconnect, retry until connect_timeout."""
        deadline = time.monotonic() + self.connect_timeout
        delay = 0.02
        while True:
            try:
                sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
                try:
                    sock.settimeout(left_until(deadline))
                    sock.connect(self.path)
                    sock.settimeout(None)
                except BaseException:
                    sock.close()
                    raise
                break
            except (FileNotFoundError, ConnectionRefusedError) as e:
                if not self.reconnect or time.monotonic() + delay >= deadline:
                    raise connect_error(e, self.path) from None
            except OSError as e:
                raise connect_error(e, self.path) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        try:
            self._set_up(sock, deadline)
        except BaseException:
            self._lost(self.connection, "setting up the connection failed")
            raise

    def _set_up(self, sock: _socket.socket, deadline: float) -> None:
        """Take lscd's hello from SOCK, then replay hello and subscribe."""
        self.connection += 1
        conn = self.connection
        self._sock, self._lines = sock, LineSplitter()
        hello = self._first_line(sock, deadline)
        self.server = check_hello(hello)
        if conn > 1:
            self._events.put(Event.of(hello))
        for cmd, args in self._replay.requests():
            rid = next(self._ids)
            self._waiting[rid] = conn
            try:
                sock.sendall(encode_request(cmd, rid, args), _socket.MSG_NOSIGNAL)
                while rid not in self._answers:
                    data = self._recv(sock, left_until(deadline))
                    if data is None:
                        raise TimeoutError("lscd at %s did not answer %s" % (self.path, cmd))
                    self._received(conn, data)
                msg = self._answers.pop(rid)
            finally:
                self._waiting.pop(rid, None)
            if isinstance(msg, Exception):
                raise msg
            self._replay.answered(cmd, args, result(msg))

    def _first_line(self, sock: _socket.socket, deadline: float) -> dict[str, Any]:
        buf = b""
        while b"\n" not in buf:
            data = self._recv(sock, left_until(deadline))
            if data is None:
                raise ProtocolError("no hello from %s within %g s: is it lscd?"
                                    % (self.path, self.connect_timeout))
            if not data:
                raise ConnectionLost("lscd at %s closed the connection at once" % self.path)
            buf += data
        line, rest = buf.split(b"\n", 1)
        hello = decode_line(line)
        if hello.get("event") == "hello":
            for more in self._lines.feed(rest):
                self._dispatch(self.connection, decode_line(more))
        return hello
