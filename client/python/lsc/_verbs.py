# SPDX-License-Identifier: MIT
"""One function per protocol command: its arguments as lscd takes them, and
what the client returns of its answer. lsc.Client and lsc.aio.Client send
what these build; the protocol's defaults apply to every argument left None."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Mapping, Optional, TypeVar, Union

from ._protocol import Servo

T = TypeVar("T")

# A scheduled start (lscd-protocol(7), SCHEDULED STARTS): seconds since the
# epoch, as the events' time, or an aware datetime.
At = Union[float, int, datetime.datetime]


@dataclass(frozen=True)
class Call(Generic[T]):
    """A request to send (cmd, args) and how to read its results."""

    cmd: str
    args: dict[str, Any]
    read: Callable[[dict[str, Any]], T]


def _args(**kw: Any) -> dict[str, Any]:
    """The arguments that are set: None means lscd's default, False a
    boolean's default (left out, so that an older lscd still takes it)."""
    return {k: v for k, v in kw.items() if v is not None and v is not False}


def _whole(res: dict[str, Any]) -> dict[str, Any]:
    return res


def _nothing(res: dict[str, Any]) -> None:
    return None


def _member(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda res: res[name]


def servo_ref(servo: Servo) -> dict[str, Any]:
    """{"name": ...} for a name, {"id": ...} for an id."""
    if isinstance(servo, str):
        return {"name": servo}
    if isinstance(servo, int) and not isinstance(servo, bool):
        return {"id": servo}
    raise TypeError("a servo is a name (str) or an id (int), not %r" % (servo,))


def _servo_list(servos: Union[str, Iterable[Servo]]) -> Union[str, list[Servo]]:
    """"all", or a list of servos (a lone name is a list of one)."""
    if servos == "all":
        return servos
    out = [servos] if isinstance(servos, (str, int)) else list(servos)
    for s in out:
        servo_ref(s)
    return out


def ping() -> Call[None]:
    return Call("ping", {}, _nothing)


def version() -> Call[dict[str, Any]]:
    return Call("version", {}, _whole)


def status() -> Call[dict[str, Any]]:
    return Call("status", {}, _whole)


def _pairs(what: str, servos: Optional[Mapping[Servo, int]]) -> list[tuple[Servo, int]]:
    if servos is None:
        return []
    if not isinstance(servos, Mapping):
        raise TypeError("%s maps servos to values, such as {\"shoulder\": 1200, 9: 2300}, "
                        "not %r" % (what, servos))
    return list(servos.items())


def _at(at: Optional[At]) -> Optional[float]:
    """AT as lscd takes it: seconds since the epoch."""
    if at is None:
        return None
    if isinstance(at, datetime.datetime):
        if at.tzinfo is None:
            raise ValueError("at: a datetime needs its time zone (datetime.now(timezone.utc)), "
                             "not %r" % (at,))
        return at.timestamp()
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        raise TypeError("at is seconds since the epoch (time.time() + 2) or an aware "
                        "datetime, not %r" % (at,))
    return float(at)


def move(positions: Optional[Mapping[Servo, int]], deltas: Optional[Mapping[Servo, int]],
         time_ms: int, replace: bool, wait: bool, confirm: bool = False,
         tolerance: Optional[int] = None, at: Optional[At] = None) -> Call[dict[str, Any]]:
    servos = [dict(servo_ref(s), position=p) for s, p in _pairs("positions", positions)]
    servos += [dict(servo_ref(s), delta=d) for s, d in _pairs("deltas", deltas)]
    return Call("move", _args(servos=servos, time_ms=time_ms, replace=replace, wait=wait,
                              confirm=confirm, tolerance=tolerance, at=_at(at)), _whole)


def unload(servos_: Union[str, Iterable[Servo]]) -> Call[list[int]]:
    return Call("unload", _args(servos=_servo_list(servos_)), _member("servos"))


def positions(servos_: Union[str, Iterable[Servo]]) -> Call[dict[Servo, Optional[int]]]:
    return Call("positions", _args(servos=_servo_list(servos_)),
                lambda res: {p["name"] if p["name"] is not None else p["id"]: p["position"]
                             for p in res["positions"]})


def pose(name: str, time_ms: Optional[int], wait: bool,
         at: Optional[At] = None) -> Call[dict[str, Any]]:
    return Call("pose", _args(name=name, time_ms=time_ms, wait=wait, at=_at(at)), _whole)


def servos() -> Call[list[dict[str, Any]]]:
    return Call("servos", {}, _member("servos"))


def robot() -> Call[dict[str, Any]]:
    return Call("robot", {}, _whole)


def config_reload() -> Call[dict[str, Any]]:
    return Call("config.reload", {}, _whole)


def hello(name: Optional[str], on_disconnect: Optional[str]) -> Call[dict[str, Any]]:
    return Call("hello", _args(name=name, on_disconnect=on_disconnect), _whole)


def claim(servos_: Union[str, Iterable[Servo]], groups: bool, lease_ms: Optional[int],
          safe: Optional[str], wait: bool, timeout_ms: Optional[int]) -> Call[dict[str, Any]]:
    return Call("claim", _args(servos=_servo_list(servos_), groups=groups, lease_ms=lease_ms,
                               safe=safe, wait=wait, timeout_ms=timeout_ms), _whole)


def release(claim_id: Optional[int]) -> Call[int]:
    return Call("release", _args(claim=claim_id), _member("released"))


def run_group(group: Union[int, str], runs: Optional[int], wait: bool,
              at: Optional[At] = None) -> Call[dict[str, Any]]:
    return Call("group.run", _args(group=group, runs=runs, wait=wait, at=_at(at)), _whole)


def sequence_run(name: Optional[str], steps: Optional[list[dict[str, Any]]],
                 loops: Optional[int], speed_: Optional[int], wait: bool,
                 at: Optional[At]) -> Call[dict[str, Any]]:
    if (name is None) == (steps is None):
        raise TypeError("sequence_run takes a name or steps, one of them")
    return Call("sequence.run", _args(name=name, steps=steps, loops=loops, speed=speed_,
                                      wait=wait, at=_at(at)), _whole)


def sequence_stop(run: Optional[int]) -> Call[int]:
    return Call("sequence.stop", _args(run=run), _member("stopped"))


def sequence_list() -> Call[dict[str, Any]]:
    return Call("sequence.list", {}, _whole)


def record_start(name: str, servos_: Union[str, Iterable[Servo]], replace: bool,
                 teach: bool = False) -> Call[Optional[int]]:
    return Call("record.start", _args(name=name, servos=_servo_list(servos_), replace=replace,
                                      teach=teach), lambda res: res.get("period_ms"))


def record_stop() -> Call[dict[str, Any]]:
    return Call("record.stop", {}, _whole)


def cancel(request_id: int) -> Call[None]:
    return Call("cancel", {"request": request_id}, _nothing)


def stop() -> Call[None]:
    return Call("group.stop", {}, _nothing)


def halt() -> Call[int]:
    return Call("halt", {}, _member("dropped"))


def speed(group: Union[int, str], percent: int) -> Call[bool]:
    return Call("group.speed", _args(group=group, percent=percent), _member("applied"))


def battery() -> Call[int]:
    return Call("battery", {}, _member("millivolts"))


def subscribe(events: Optional[Iterable[str]]) -> Call[list[str]]:
    return Call("subscribe", _args(events=_event_list(events)), _member("events"))


def unsubscribe(events: Optional[Iterable[str]]) -> Call[list[str]]:
    return Call("unsubscribe", _args(events=_event_list(events)), _member("events"))


def _event_list(events: Optional[Iterable[str]]) -> Optional[list[str]]:
    if events is None:
        return None
    return [events] if isinstance(events, str) else list(events)


def request(cmd: str, args: dict[str, Any]) -> Call[dict[str, Any]]:
    return Call(cmd, dict(args), _whole)


# The client method of each command of lscd-protocol(7).
METHODS = {
    "ping": "ping", "version": "version", "status": "status", "move": "move",
    "pose": "pose", "servos": "servos", "robot": "robot", "config.reload": "config_reload",
    "hello": "hello", "claim": "claim", "release": "release", "group.run": "run_group",
    "group.stop": "stop", "halt": "halt", "group.speed": "speed", "battery": "battery",
    "subscribe": "subscribe", "unsubscribe": "unsubscribe", "unload": "unload",
    "positions": "positions",
    "sequence.run": "sequence_run", "sequence.stop": "sequence_stop",
    "sequence.list": "sequence_list", "record.start": "record_start",
    "record.stop": "record_stop", "cancel": "cancel",
}
