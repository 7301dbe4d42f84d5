# SPDX-License-Identifier: MIT
"""lsc.Client: the synchronous client (see the package's documentation)."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import socket as _socket
import stat
import threading
import time
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, TypeVar, Union

from . import _verbs
from ._protocol import (MAX_EVENTS, READ_LINE_MAX, ClaimBase, ClientBase, Event, EventQueue,
                        LineSplitter, Servo, answers_of_unmatched, check_hello, decode_line,
                        encode_request, patterns, response_id, result, unmatched_error)
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


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold signals off in the main thread (where Python runs its handlers)
    for the block: an interrupt (Ctrl-C) comes after it, never between a
    transfer and the count of what it moved."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # The mask to restore, read before anything is blocked: an interrupt
    # that lands before the try leaves nothing blocked behind it.
    old = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


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
    """The iterator of Client.events(), with a bounded queue of its own: it
    gets every event its patterns select from the moment events() returned
    until it is closed (close()) or garbage collected."""

    def __init__(self, client: "Client", queue: EventQueue, timeout: Optional[float]) -> None:
        self._client = client
        self._queue = queue
        self.patterns = queue.patterns
        self.timeout = timeout

    def __iter__(self) -> "Events":
        return self

    def __next__(self) -> Event:
        event = self._client._next(lambda: self._queue.take(None), self.timeout)  # pylint: disable=protected-access
        if event is None:
            raise StopIteration
        return event

    def close(self) -> None:
        """Take no more events (the subscription stays: it is the client's)."""
        self._client._close_events(self._queue)  # pylint: disable=protected-access


class Client(ClientBase):
    """A connection to lscd, one method per command of lscd-protocol(7).

    socket: the socket's path; None: $LSCD_SOCKET, else /run/lscd/lscd.sock.
    name: said to lscd with hello, shown in lscctl status and in the "by"
    of events. reconnect: when the connection is lost (lscd restarted),
    connect again at the next call, with the same name and subscription;
    the calls in flight then raise ConnectionLost. timeout: seconds any one
    call may wait for its answer (None: as long as it takes), else
    TimeoutError. connect_timeout: seconds to wait for lscd at a (re)connect
    with reconnect=True, and for its hello in any case (a peer that is not
    lscd: ProtocolError). max_events: events each queue keeps unread before
    the next ones are counted as lost (see events()).

    The client may be shared by threads: each call waits for its own
    answer, whichever thread reads it, and events are kept for events().

    A request is checked before it is sent: what lscd would refuse without
    reading its id (a line over 65536 bytes, a string with U+0000, nesting
    deeper than 32 levels) raises LineTooLong or InvalidJson, and nothing
    is sent. Should lscd still answer a line with an error without id, it
    is the answer of the request in flight when there is one; when there
    are several, each raises ProtocolError, as which one it answers is
    unknown (no call ever waits for an answer that cannot come).
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
        # Requests waiting for an answer: id -> connection (what an answer
        # without id may answer: see answers_of_unmatched).
        self._waiting: dict[int, int] = {}
        self._cmds: dict[int, str] = {}
        # What _recv read and _sort_inbound did not sort yet: (connection, bytes).
        self._inbound: list[tuple[int, bytes]] = []
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
             tolerance: Optional[int] = None,
             at: Optional[_verbs.At] = None) -> dict[str, Any]:
        """Move servos in one frame: move({"shoulder": 1200, 9: 2300}, time_ms=800).

        positions: servo (name or id) to position in the board's units
        (500..2500 us on an LSC board, 0..1000 on a bus board); deltas:
        servo to a change from its last target. replace: supersede this
        client's queued moves of the same servos. wait: return when the move
        has ended instead of once written. Returns {"time_ms": N} (the time
        used, raised by max_speed) and "completed": True with wait. confirm
        (a bus board, with wait): read the servos once the move has ended,
        adding "confirmed" (each within tolerance of its target) and
        "positions" (since 1.5). at: start then (seconds since the epoch,
        or an aware datetime; at most an hour ahead): the call returns once
        the frame is written then, or raises Cancelled (see cancel())."""
        return self._call(_verbs.move(positions, deltas, time_ms, replace, wait, confirm,
                                      tolerance, at))

    def pose(self, name: str, *, time_ms: Optional[int] = None,
             wait: bool = False, at: Optional[_verbs.At] = None) -> dict[str, Any]:
        """Move to a pose of the robot file ("home" always exists); as move."""
        return self._call(_verbs.pose(name, time_ms, wait, at))

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
                  wait: bool = False, at: Optional[_verbs.At] = None) -> dict[str, Any]:
        """Run an action group (number or name) runs times (0: forever).
        wait: return when the board reports it completed (else Stopped,
        Preempted, NotStarted). at: start then, as move's.
        {"group", "runs"} (and "completed")."""
        return self._call(_verbs.run_group(group, runs, wait, at))

    def sequence_run(self, name: Optional[str] = None, *,
                     steps: Optional[list[dict[str, Any]]] = None, loops: Optional[int] = None,
                     speed: Optional[int] = None, wait: bool = False,
                     at: Optional[_verbs.At] = None) -> dict[str, Any]:
        """Play a sequence lscd plays itself: a file by name (UnknownSequence
        when there is none), or steps inline ([{"pose": "rest", "time_ms":
        1000}, ...], lscd-robot(5)). loops: how many times (0: until
        stopped); speed: percent of the written times; at: start then, as
        move's. {"run", "steps", "duration_ms"}; with wait, {"run",
        "completed"} when it ends (else Stopped, Preempted, DeviceLost)."""
        return self._call(_verbs.sequence_run(name, steps, loops, speed, wait, at))

    def sequence_stop(self, run: Optional[int] = None) -> int:
        """End a run (its id) or every run at once: how many ended."""
        return self._call(_verbs.sequence_stop(run))

    def sequence_list(self) -> dict[str, Any]:
        """{"sequences": [...], "playing": [...]}: every sequence file (name,
        path, steps, duration_ms, or the error that keeps it from playing)
        and every run playing (run, name, servos)."""
        return self._call(_verbs.sequence_list())

    def record_start(self, name: str, servos: Union[str, Iterable[Servo]], *,
                     replace: bool = False, teach: bool = False) -> Optional[int]:
        """Record every move of these servos (names and ids, or "all") that
        reaches the wire, whoever sends it, into the sequence NAME of lscd's
        recordings directory; replace: overwrite a recording of that name.
        teach (a bus board): unload the servos and record their positions
        as a hand moves them; returns the reading period in ms (None
        without teach). Refused lsc.Claimed while another client claims
        one of them, lsc.Unsupported on an LSC board, lsc.InvalidArgument
        when a read-only sequence has that name."""
        return self._call(_verbs.record_start(name, servos, replace, teach))

    def record_stop(self) -> dict[str, Any]:
        """Stop the recording and write its sequence: {"name", "path",
        "steps", "dropped"}. lsc.IoError when lscd cannot write the file:
        it keeps the recording, and record_stop() again writes it."""
        return self._call(_verbs.record_stop())

    def cancel(self, request: int) -> None:
        """Cancel a request of this client that waits for its at (its id:
        see pending()); that request then raises Cancelled."""
        return self._call(_verbs.cancel(request))

    def pending(self) -> dict[int, str]:
        """The requests of this client waiting for their answers: id to
        command, oldest first (the id to cancel() a scheduled one)."""
        with self._cond:
            return {rid: self._cmds[rid] for rid, conn in self._waiting.items()
                    if conn == self.connection and rid in self._cmds}

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
        for its answer. timeout: seconds to wait for each event, else
        TimeoutError. The iteration ends when the client is closed.

        Each iterator has its own queue of at most max_events events, and
        gets every event it selects (two iterators that select an event both
        get it). One left unread loses only its own events, reported to it
        as events.lost with "local": true; other iterators and next_event()
        lose nothing by it. An iterator takes events until it is closed
        (Events.close()) or garbage collected."""
        pats = patterns(prefixes)
        with self._cond:
            queue = self._events.iterator_queue(pats)
        try:
            self.subscribe(pats)
        except BaseException:
            self._close_events(queue)
            raise
        return Events(self, queue, timeout)

    def next_event(self, prefixes: Optional[Iterable[str]] = None,
                   timeout: Optional[float] = None) -> Optional[Event]:
        """The next event PREFIXES select (None: any) that was subscribed to,
        waiting at most TIMEOUT seconds (else TimeoutError); None once the
        client is closed. It reads the client's queue, which keeps (up to
        max_events) the events no live events() iterator selects; else it
        takes one from an iterator's queue, which that iterator then does
        not yield."""
        pats = patterns(prefixes)
        return self._next(lambda: self._events.take(pats), timeout)

    def _next(self, take_event: Callable[[], Optional[Event]],
              timeout: Optional[float]) -> Optional[Event]:
        """The event take_event() gives, reading until it gives one."""
        def take() -> Union[Event, None, bool]:
            event = take_event()
            if event is not None:
                return event
            if self._closed:
                return False
            if self._sock is None:
                self._ensure()
            return None
        got = self._wait(take, timeout, "an event")
        return got if isinstance(got, Event) else None

    def _close_events(self, queue: EventQueue) -> None:
        with self._cond:
            self._events.close(queue)

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
            self._cmds[rid] = cmd
        try:
            self._send(sock, conn, rid, line)
            msg = self._wait(lambda: self._answers.pop(rid, None), self.timeout,
                             "the answer to %s" % cmd)
        finally:
            with self._cond:
                self._waiting.pop(rid, None)
                self._cmds.pop(rid, None)
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
            try:
                self._recv(self._sock, self.connection, 0)
            finally:
                self._sort_inbound()

    def _send(self, sock: Any, conn: int, rid: int, line: bytes) -> None:
        """Write one request line whole. An interrupt (Ctrl-C, any
        BaseException) that lands before its first byte leaves nothing
        sent; one that lands after its last byte leaves the request sent
        whole, so the connection stays: lscd carries the request out and
        answers it, and the answer is dropped when it comes (the call
        raised the interrupt instead). Only a line cut short breaks the
        stream: the connection is dropped then. Signals are held off during
        each send() and the count of what it sent, so the count is exact."""
        view, sent = memoryview(line), 0
        with self._send_lock:
            try:
                while sent < len(line):
                    with signals_held():
                        try:
                            sent += sock.send(view[sent:],
                                              _socket.MSG_NOSIGNAL | _socket.MSG_DONTWAIT)
                        except BlockingIOError:
                            pass
                    if sent < len(line):
                        with selectors.DefaultSelector() as sel:
                            sel.register(sock, selectors.EVENT_WRITE)
                            sel.select()
                return
            except (OSError, ValueError) as e:
                why = "sending failed: %s" % e
            except BaseException:
                if 0 < sent < len(line):
                    with self._cond:
                        self._lost(conn, "interrupted while sending a request: %d of its "
                                         "%d bytes were sent" % (sent, len(line)))
                raise
        with self._cond:
            # lscd may still have answers for us before its end of stream.
            self._answers[rid] = ConnectionLost("%s (lscd at %s)" % (why, self.path))

    def _wait(self, take: Callable[[], Any], timeout: Optional[float], what: str) -> Any:
        """Read until take() (called with the lock held) returns something
        other than None. One thread reads at a time, for all of them."""
        deadline = deadline_of(timeout)
        while True:
            # reading: whether this thread took the reader's turn; set with
            # _reading at once, so that an interrupt anywhere gives it back.
            reading = False
            try:
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
                    sock, conn = self._sock, self.connection
                    self._reading = reading = True
                self._recv(sock, conn, left)
            finally:
                if reading:
                    with self._cond:
                        self._reading = False
                        self._sort_inbound()
                        if sock is not self._sock:
                            sock.close()  # lost while this thread read it (see _lost)
                        self._cond.notify_all()

    def _recv(self, sock: _socket.socket, conn: int, timeout: Optional[float]) -> bool:
        """Wait at most TIMEOUT for SOCK (connection CONN), then read what
        came into self._inbound (b"" at the end of the connection), with
        signals held off: an interrupt lands before the read or after its
        bytes are kept, never between (see _sort_inbound). False when
        nothing came."""
        with selectors.DefaultSelector() as sel:
            try:
                sel.register(sock, selectors.EVENT_READ)
                if not sel.select(timeout):
                    return False
            except (OSError, ValueError):
                pass
        with signals_held():
            try:
                data = sock.recv(65536, _socket.MSG_DONTWAIT)
            except BlockingIOError:
                return False
            except (OSError, ValueError):
                data = b""
            self._inbound.append((conn, data))
        return True

    def _sort_inbound(self) -> None:
        """Sort what _recv kept into answers and events (lock held)."""
        while self._inbound:
            self._received(*self._inbound.pop(0))

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
        elif unmatched_error(msg):
            in_flight = [r for r, c in self._waiting.items()
                         if c == conn and r not in self._answers]
            self._answers.update(answers_of_unmatched(msg, in_flight))
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
                    if not self._recv(sock, conn, left_until(deadline)) and \
                            time.monotonic() >= deadline:
                        raise TimeoutError("lscd at %s did not answer %s" % (self.path, cmd))
                    self._sort_inbound()
                msg = self._answers.pop(rid)
            finally:
                self._waiting.pop(rid, None)
            if isinstance(msg, Exception):
                raise msg
            self._replay.answered(cmd, args, result(msg))

    def _first_line(self, sock: _socket.socket, deadline: float) -> dict[str, Any]:
        """The first line from SOCK, at most HELLO_LINE_MAX bytes, within
        the deadline even while data keeps coming (ProtocolError)."""
        lines: list[bytes] = []
        while not lines:
            left = left_until(deadline)
            with selectors.DefaultSelector() as sel:
                sel.register(sock, selectors.EVENT_READ)
                data = sock.recv(65536) if left and sel.select(left) else None
            if data is None:
                raise ProtocolError("no hello from %s within %g s: is it lscd?"
                                    % (self.path, self.connect_timeout))
            if not data:
                raise ConnectionLost("lscd at %s closed the connection at once" % self.path)
            lines = self._lines.feed(data)
        hello = decode_line(lines[0])
        self._lines.limit = READ_LINE_MAX
        if hello.get("event") == "hello":
            for more in lines[1:]:
                self._dispatch(self.connection, decode_line(more))
        return hello
