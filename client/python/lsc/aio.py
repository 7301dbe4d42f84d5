# SPDX-License-Identifier: MIT
"""lsc.aio: the asyncio client, with the methods of lsc.Client as coroutines.

    import asyncio, lsc.aio

    async def main():
        async with lsc.aio.Client(name="dashboard") as robot:
            print(await robot.battery(), "mV")
            async for event in robot.events(["group."]):
                print(event.name, event.data)

    asyncio.run(main())

Any number of calls may be in flight at once (asyncio.gather): each is
matched to its answer by id. Events that come meanwhile are kept for
events() (await robot.events([...]) subscribes before returning, so that
the events of a request sent next are not missed; async for subscribes when
the iteration starts).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, Generator, Iterable, Mapping, Optional, TypeVar, Union

from . import _verbs
from . import client as _sync
from ._protocol import (MAX_EVENTS, READ_LINE_MAX, ClaimBase, ClientBase, Event, EventQueue,
                        LineSplitter, Servo, answers_of_unmatched, check_hello, decode_line,
                        encode_request, patterns, response_id, result, unmatched_error)
from .client import connect_error, deadline_of, left_until
from .errors import ConnectionLost, ProtocolError, UnknownClaim

T = TypeVar("T")

__all__ = ["Client", "Claim", "Events", "connect"]


async def connect(socket: Optional[str] = None, name: Optional[str] = None,
                  **options: Any) -> "Client":
    """A connected Client (the arguments are Client's)."""
    return await Client(socket, name, **options).connect()


class Claim(ClaimBase):
    """A claim lscd granted; as lsc.Claim, with a coroutine release() and
    async with."""

    async def release(self) -> int:
        """Release it: 1, or 0 when it ended with its connection."""
        return 0 if self._gone() else await self.client.release(self.id)

    async def __aenter__(self) -> "Claim":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self.release()
        except (UnknownClaim, ConnectionLost):
            pass


class ClaimRequest:
    """What Client.claim() returns: await it for the Claim, or use it in
    async with, which claims at the start and releases at the end."""

    def __init__(self, client: "Client", call: _verbs.Call[dict[str, Any]]) -> None:
        self._client = client
        self._call = call
        self._claim: Optional[Claim] = None

    async def _take(self) -> Claim:
        res = await self._client._call(self._call)  # pylint: disable=protected-access
        self._claim = Claim.granted(res, self._client)
        return self._claim

    def __await__(self) -> Generator[Any, None, Claim]:
        return self._take().__await__()

    async def __aenter__(self) -> Claim:
        return await self._take()

    async def __aexit__(self, *exc: Any) -> None:
        if self._claim is not None:
            await self._claim.__aexit__(*exc)


class Events:
    """What Client.events() returns: await it to subscribe at once; iterate
    with async for (which subscribes first, if not done yet). It has a
    bounded queue of its own, as lsc.Events: it gets every event its
    patterns select from the moment events() returned until it is closed
    (close()) or garbage collected."""

    def __init__(self, client: "Client", queue: EventQueue, timeout: Optional[float]) -> None:
        self._client = client
        self._queue = queue
        self.patterns = queue.patterns
        self.timeout = timeout
        self._subscribed = False

    def close(self) -> None:
        """Take no more events (the subscription stays: it is the client's)."""
        self._client._events.close(self._queue)  # pylint: disable=protected-access

    async def _subscribe(self) -> "Events":
        if not self._subscribed:
            await self._client.subscribe(self.patterns)
            self._subscribed = True
        return self

    def __await__(self) -> Generator[Any, None, "Events"]:
        return self._subscribe().__await__()

    def __aiter__(self) -> "Events":
        return self

    async def __anext__(self) -> Event:
        await self._subscribe()
        event = await self._client._next(lambda: self._queue.take(None), self.timeout)  # pylint: disable=protected-access
        if event is None:
            raise StopAsyncIteration
        return event


class Client(ClientBase):
    """A connection to lscd for asyncio: the arguments and methods of
    lsc.Client, the methods as coroutines. Connects at connect(), at the
    start of async with, or at the first call."""

    def __init__(self, socket: Optional[str] = None, name: Optional[str] = None, *,
                 reconnect: bool = False, timeout: Optional[float] = None,
                 connect_timeout: float = 10.0, max_events: int = MAX_EVENTS) -> None:
        super().__init__(socket, name, reconnect, timeout, connect_timeout, max_events)
        self._reader: Optional[asyncio.StreamReader] = None
        self._writer: Optional[asyncio.StreamWriter] = None
        self._task: Optional[asyncio.Task[None]] = None
        self._pending: dict[int, tuple[int, asyncio.Future[dict[str, Any]]]] = {}
        self._cmds: dict[int, str] = {}
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._waiters: set[asyncio.Future[None]] = set()
        self._connect_lock: Optional[asyncio.Lock] = None
        self._write_lock: Optional[asyncio.Lock] = None

    # ---- the commands (documented as lsc.Client's) ----
    async def ping(self) -> None:
        return await self._call(_verbs.ping())

    async def version(self) -> dict[str, Any]:
        return await self._call(_verbs.version())

    async def status(self) -> dict[str, Any]:
        return await self._call(_verbs.status())

    async def move(self, positions: Optional[Mapping[Servo, int]] = None, *, time_ms: int,
                   deltas: Optional[Mapping[Servo, int]] = None, replace: bool = False,
                   wait: bool = False, confirm: bool = False,
                   tolerance: Optional[int] = None,
                   at: Optional[_verbs.At] = None) -> dict[str, Any]:
        return await self._call(_verbs.move(positions, deltas, time_ms, replace, wait, confirm,
                                            tolerance, at))

    async def pose(self, name: str, *, time_ms: Optional[int] = None,
                   wait: bool = False, at: Optional[_verbs.At] = None) -> dict[str, Any]:
        return await self._call(_verbs.pose(name, time_ms, wait, at))

    async def servos(self) -> list[dict[str, Any]]:
        return await self._call(_verbs.servos())

    async def robot(self) -> dict[str, Any]:
        return await self._call(_verbs.robot())

    async def config_reload(self) -> dict[str, Any]:
        return await self._call(_verbs.config_reload())

    async def hello(self, name: Optional[str] = None, *,
                    on_disconnect: Optional[str] = None) -> dict[str, Any]:
        return await self._call(_verbs.hello(name, on_disconnect))

    def claim(self, servos: Union[str, Iterable[Servo]], *, groups: bool = False,
              lease_ms: Optional[int] = None, safe: Optional[str] = None,
              wait: bool = False, timeout_ms: Optional[int] = None) -> ClaimRequest:
        return ClaimRequest(self, _verbs.claim(servos, groups, lease_ms, safe, wait, timeout_ms))

    async def release(self, claim: Optional[int] = None) -> int:
        return await self._call(_verbs.release(claim))

    async def run_group(self, group: Union[int, str], *, runs: Optional[int] = None,
                        wait: bool = False, at: Optional[_verbs.At] = None) -> dict[str, Any]:
        return await self._call(_verbs.run_group(group, runs, wait, at))

    async def sequence_run(self, name: Optional[str] = None, *,
                           steps: Optional[list[dict[str, Any]]] = None,
                           loops: Optional[int] = None, speed: Optional[int] = None,
                           wait: bool = False, at: Optional[_verbs.At] = None) -> dict[str, Any]:
        return await self._call(_verbs.sequence_run(name, steps, loops, speed, wait, at))

    async def sequence_stop(self, run: Optional[int] = None) -> int:
        return await self._call(_verbs.sequence_stop(run))

    async def sequence_list(self) -> dict[str, Any]:
        return await self._call(_verbs.sequence_list())

    async def record_start(self, name: str, servos: Union[str, Iterable[Servo]], *,
                           replace: bool = False, teach: bool = False) -> Optional[int]:
        return await self._call(_verbs.record_start(name, servos, replace, teach))

    async def record_stop(self) -> dict[str, Any]:
        return await self._call(_verbs.record_stop())

    async def cancel(self, request: int) -> None:
        return await self._call(_verbs.cancel(request))

    def pending(self) -> dict[int, str]:
        """The requests of this client waiting for their answers: id to
        command, oldest first (the id to cancel() a scheduled one)."""
        return {rid: self._cmds[rid] for rid, (conn, _) in self._pending.items()
                if conn == self.connection and rid in self._cmds}

    async def stop(self) -> None:
        return await self._call(_verbs.stop())

    async def halt(self) -> int:
        return await self._call(_verbs.halt())

    async def speed(self, group: Union[int, str], percent: int) -> bool:
        return await self._call(_verbs.speed(group, percent))

    async def battery(self) -> int:
        return await self._call(_verbs.battery())

    async def unload(self, servos: Union[str, Iterable[Servo]]) -> list[int]:
        return await self._call(_verbs.unload(servos))

    async def positions(self, servos: Union[str, Iterable[Servo]]) -> dict[Servo, Optional[int]]:
        return await self._call(_verbs.positions(servos))

    async def subscribe(self, events: Optional[Iterable[str]] = None) -> list[str]:
        return await self._call(_verbs.subscribe(events))

    async def unsubscribe(self, events: Optional[Iterable[str]] = None) -> list[str]:
        return await self._call(_verbs.unsubscribe(events))

    async def request(self, cmd: str, /, **args: Any) -> dict[str, Any]:
        return await self._call(_verbs.request(cmd, args))

    # ---- events ----
    def events(self, prefixes: Optional[Iterable[str]] = None, *,
               timeout: Optional[float] = None) -> Events:
        """The events PREFIXES select, as lsc.Client.events() (each iterator
        with a queue of its own): await it to subscribe at once, or let
        async for subscribe when it starts."""
        return Events(self, self._events.iterator_queue(patterns(prefixes)), timeout)

    async def next_event(self, prefixes: Optional[Iterable[str]] = None,
                         timeout: Optional[float] = None) -> Optional[Event]:
        pats = patterns(prefixes)
        return await self._next(lambda: self._events.take(pats), timeout)

    async def _next(self, take: Callable[[], Optional[Event]],
                    timeout: Optional[float]) -> Optional[Event]:
        """The event take() gives, waiting until it gives one."""
        deadline = deadline_of(timeout)
        while True:
            event = take()
            if event is not None:
                return event
            if self._closed:
                return None
            if self._writer is None:
                await self._ensure()
                continue
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, left_until(deadline))
            except asyncio.TimeoutError:
                raise TimeoutError("no event within %g s" % timeout) from None
            finally:
                self._waiters.discard(waiter)

    # ---- life cycle ----
    async def connect(self) -> "Client":
        """Connect now (if not connected yet); returns the client."""
        await self._ensure()
        return self

    async def close(self) -> None:
        """Disconnect: calls in flight raise ConnectionLost, and events()
        iterations end."""
        self._adopt_loop()
        self._closed = True
        writer, task = self._writer, self._task
        self._lost(self.connection, "the client was closed")
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if writer is not None:
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def __aenter__(self) -> "Client":
        return await self.connect()

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def _connected(self) -> bool:
        return self._writer is not None

    # ---- the machinery ----
    async def _call(self, call: _verbs.Call[T]) -> T:
        rid = next(self._ids)
        line = encode_request(call.cmd, rid, call.args)
        await self._ensure()
        self._cmds[rid] = call.cmd
        try:
            res = await self._exchange(rid, line)
        finally:
            self._cmds.pop(rid, None)
        self._replay.answered(call.cmd, call.args, res)
        return call.read(res)

    async def _exchange(self, rid: int, line: bytes) -> dict[str, Any]:
        """Send one request line on the current connection; its results."""
        conn, writer = self.connection, self._writer
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = (conn, future)
        try:
            assert self._write_lock is not None
            async with self._write_lock:
                if writer is None or writer is not self._writer:
                    raise ConnectionLost("not connected to lscd at %s" % self.path)
                writer.write(line)
                try:
                    await writer.drain()
                except OSError as e:
                    # lscd may still have answers for us before its end of stream.
                    raise ConnectionLost("sending to lscd at %s failed: %s"
                                         % (self.path, e)) from None
            try:
                msg = await asyncio.wait_for(future, self.timeout)
            except asyncio.TimeoutError:
                raise TimeoutError("no answer within %g s" % self.timeout) from None
        finally:
            self._pending.pop(rid, None)
        return result(msg)

    async def _ensure(self) -> None:
        """A connection, made again if it was lost and reconnect is on, or
        made anew in this event loop if the client's loop ended."""
        moved = self._adopt_loop()
        assert self._connect_lock is not None
        async with self._connect_lock:
            if self._closed:
                raise ConnectionLost("the client is closed")
            if self._writer is not None:
                return
            if self.connection and not self.reconnect and not moved:
                raise ConnectionLost("the connection to lscd at %s was lost (reconnect=False)"
                                     % self.path)
            await self._connect()

    def _adopt_loop(self) -> bool:
        """Make the running event loop the client's. A client lives in one
        loop at a time: when the loop it connected in has ended (a second
        asyncio.run()), its connection ended with it, and the client
        connects anew in this one (a new connection, with its name and
        subscription); while that loop still runs, RuntimeError. Whether
        the client moved to this loop."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return False
        old, self._loop = self._loop, loop
        if old is not None and old.is_running():
            self._loop = old
            raise RuntimeError("this lsc.aio.Client belongs to another event loop, which still "
                               "runs: use one client per event loop")
        if self._writer is not None:
            try:
                self._writer.close()
            except RuntimeError:  # its loop is closed; so is the transport's socket then
                pass
        self._writer = self._reader = self._task = None
        for _, future in self._pending.values():
            if not future.done() and not future.get_loop().is_closed():
                future.cancel()
        self._pending.clear()
        self._waiters.clear()
        self._connect_lock, self._write_lock = asyncio.Lock(), asyncio.Lock()
        return old is not None

    async def _connect(self) -> None:
        deadline = time.monotonic() + self.connect_timeout
        delay = 0.02
        while True:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_unix_connection(self.path, limit=READ_LINE_MAX),
                    left_until(deadline))
                break
            except (FileNotFoundError, ConnectionRefusedError) as e:
                if not self.reconnect or time.monotonic() + delay >= deadline:
                    raise connect_error(e, self.path) from None
            except OSError as e:
                raise connect_error(e, self.path) from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)
        try:
            await self._set_up(reader, writer, deadline)
        except BaseException:
            self._lost(self.connection, "setting up the connection failed")
            writer.close()
            raise

    async def _set_up(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      deadline: float) -> None:
        """Take lscd's hello, start reading, replay hello and subscribe."""
        lines_ = LineSplitter()
        try:
            lines = await asyncio.wait_for(self._first_lines(reader, lines_),
                                           left_until(deadline))
        except asyncio.TimeoutError:
            raise ProtocolError("no hello from %s within %g s: is it lscd?"
                                % (self.path, self.connect_timeout)) from None
        hello = check_hello(decode_line(lines[0]))
        lines_.limit = READ_LINE_MAX
        self.connection += 1
        self.server = hello
        self._reader, self._writer = reader, writer
        if self.connection > 1:
            self._put_event(Event.of(hello))
        for line in lines[1:]:
            self._dispatch(self.connection, decode_line(line))
        self._task = asyncio.get_running_loop().create_task(
            self._read(reader, lines_, self.connection))
        for cmd, args in self._replay.requests():
            rid = next(self._ids)
            res = await self._exchange(rid, encode_request(cmd, rid, args))
            self._replay.answered(cmd, args, res)

    async def _first_lines(self, reader: asyncio.StreamReader,
                           lines: LineSplitter) -> list[bytes]:
        """The first line from the peer (at most HELLO_LINE_MAX bytes, else
        ProtocolError) and any that came whole with it."""
        while True:
            data = await reader.read(65536)
            if not data:
                raise ConnectionLost("lscd at %s closed the connection at once" % self.path)
            got = lines.feed(data)
            if got:
                return got

    async def _read(self, reader: asyncio.StreamReader, lines: LineSplitter, conn: int) -> None:
        """Sort every line of connection CONN into answers and events."""
        why = "lscd at %s closed the connection" % self.path
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for line in lines.feed(data):
                    self._dispatch(conn, decode_line(line))
        except (OSError, ProtocolError) as e:
            why = "reading from lscd at %s failed: %s" % (self.path, e)
        except asyncio.CancelledError:
            why = "the event loop of lsc.aio.Client(%s) ended its connection" % self.path
            raise
        finally:
            self._lost(conn, why)

    def _dispatch(self, conn: int, msg: dict[str, Any]) -> None:
        rid = response_id(msg)
        if rid is not None:
            conn_future = self._pending.get(rid)
            if conn_future and conn_future[0] == conn and not conn_future[1].done():
                conn_future[1].set_result(msg)
        elif unmatched_error(msg):
            in_flight = [r for r, (c, f) in self._pending.items() if c == conn and not f.done()]
            for r, answer in answers_of_unmatched(msg, in_flight).items():
                future = self._pending[r][1]
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
        elif "event" in msg and "ok" not in msg:
            self._put_event(Event.of(msg))

    def _put_event(self, event: Event) -> None:
        self._events.put(event)
        self._wake()

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _lost(self, conn: int, why: str) -> None:
        """Connection CONN ended: its calls in flight raise ConnectionLost."""
        if conn != self.connection or self._writer is None:
            return
        writer, self._writer, self._reader = self._writer, None, None
        writer.close()
        for c, future in self._pending.values():
            if c == conn and not future.done():
                future.set_exception(ConnectionLost(why))
        self._wake()


def _share_docs() -> None:
    """The coroutines say what lsc.Client's methods of the same name say."""
    for name, member in vars(Client).items():
        same = getattr(_sync.Client, name, None)
        if callable(member) and member.__doc__ is None and same is not None:
            member.__doc__ = same.__doc__


_share_docs()
