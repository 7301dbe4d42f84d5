# SPDX-License-Identifier: MIT
"""The exceptions of lsc.

Every exception the package raises on purpose is an lsc.Error:

- RequestError: lscd answered a request with an error. Its subclass is
  named after the error code of lscd-protocol(7) (OutOfLimits for
  "out_of_limits", Claimed for "claimed", ...), and it carries code,
  message, field and the whole error object as details (Claimed has the
  holder there, InvalidConfig every error of the file). A code this version
  does not know raises RequestError itself, with that code.
- ConnectionLost: the connection closed before the answer came (lscd
  stopped or restarted, or the client was closed). The request may or may
  not have been carried out.
- ProtocolError: the peer does not speak lscd's protocol.

Timeout, ConnectionLost and the errors of connecting are also the builtin
TimeoutError and ConnectionError, so code that catches those keeps working.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

__all__ = [
    "Error", "RequestError", "ConnectionLost", "ProtocolError",
    "InvalidJson", "InvalidRequest", "MissingArgument", "InvalidArgument",
    "UnknownCommand", "LineTooLong", "NotConnected", "DeviceLost", "Timeout",
    "Stopped", "Preempted", "NotStarted", "Halted", "Superseded", "QueueFull",
    "Shutdown", "TooManyClients", "OutOfLimits", "UnknownServo", "UnknownPose",
    "UnknownGroup", "UnknownPosition", "InvalidConfig", "Claimed", "Forbidden",
    "Dropped", "UnknownClaim", "UnknownSequence", "Cancelled", "Unsupported", "IoError",
    "error_class",
    "from_response",
]


class Error(Exception):
    """Base of every exception lsc raises on purpose."""


class ConnectionLost(Error, ConnectionError):
    """The connection to lscd closed before the answer came: lscd stopped or
    restarted, or the client was closed. Whether the request was carried
    out is unknown. With reconnect=True the next call connects again."""


class ProtocolError(Error):
    """The peer sent something that is not lscd's protocol: not JSON, no
    hello first, or a protocol version this package does not speak."""


class RequestError(Error):
    """lscd answered the request with an error.

    code: the error code ("out_of_limits"); message: for humans, may change
    between versions; field: the argument at fault ("servos[0].position"),
    or None; details: the whole error object, with the members some codes
    add ("holder" for claimed, "errors" for invalid_config)."""

    code: str = ""

    def __init__(self, message: str, *, code: Optional[str] = None,
                 field: Optional[str] = None,
                 details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.field = field
        self.details: dict[str, Any] = dict(details or {})

    def __str__(self) -> str:
        where = " (%s)" % self.field if self.field else ""
        return "%s%s: %s" % (self.code, where, self.message)


class InvalidJson(RequestError):
    """The line was not one JSON value (or had a NUL, bad UTF-8, deep nesting)."""
    code = "invalid_json"


class InvalidRequest(RequestError):
    """The JSON value was not an object, or had a key twice."""
    code = "invalid_request"


class MissingArgument(RequestError):
    """A required argument is absent; field names it."""
    code = "missing_argument"


class InvalidArgument(RequestError):
    """An argument of the wrong type, out of range, or not taken by the
    command; field names it."""
    code = "invalid_argument"


class UnknownCommand(RequestError):
    """No command of that name (lscd older than the verb?)."""
    code = "unknown_command"


class LineTooLong(RequestError):
    """The request line exceeds 65536 bytes. The client refuses such a
    request itself, before anything is sent."""
    code = "line_too_long"


class NotConnected(RequestError):
    """The command needs the board, and it is not connected."""
    code = "not_connected"


class DeviceLost(RequestError):
    """The device went away before the frame was written, or during a wait."""
    code = "device_lost"


class Timeout(RequestError, TimeoutError):
    """The board did not answer in time (battery, positions)."""
    code = "timeout"


class Stopped(RequestError):
    """A waiting run_group ended because the group was stopped."""
    code = "stopped"


class Preempted(RequestError):
    """A wait ended because a later move or group run took over."""
    code = "preempted"


class NotStarted(RequestError):
    """The board did not report the group's start within 1 second."""
    code = "not_started"


class Halted(RequestError):
    """The frame was dropped from the queue by a halt."""
    code = "halted"


class Superseded(RequestError):
    """The move was replaced, unsent, by a later move with replace=True."""
    code = "superseded"


class QueueFull(RequestError):
    """This client already has 4096 frames queued."""
    code = "queue_full"


class Shutdown(RequestError):
    """lscd is stopping."""
    code = "shutdown"


class TooManyClients(RequestError, ConnectionError):
    """lscd already serves its maximum of clients, and closed the connection."""
    code = "too_many_clients"


class OutOfLimits(RequestError):
    """A position (or last target plus delta) outside the servo's limits."""
    code = "out_of_limits"


class UnknownServo(RequestError):
    """No servo of the robot file has that name."""
    code = "unknown_servo"


class UnknownPose(RequestError):
    """No pose of the robot file has that name."""
    code = "unknown_pose"


class UnknownGroup(RequestError):
    """No group of the robot file has that name."""
    code = "unknown_group"


class UnknownPosition(RequestError):
    """A delta for a servo whose target lscd does not know."""
    code = "unknown_position"


class InvalidConfig(RequestError):
    """The robot file has errors (details["errors"] lists them); the model
    stays as it was."""
    code = "invalid_config"


class Claimed(RequestError):
    """Another client claims a servo (or the groups) this request acts on.
    holder is details["holder"]: {"client", "name", "pid", "claim"}."""
    code = "claimed"

    @property
    def holder(self) -> Optional[dict[str, Any]]:
        """The claim's holder, or None for a queued frame dropped by a claim."""
        return self.details.get("holder")


class Forbidden(RequestError):
    """The request would act on the robot and came through the observe socket."""
    code = "forbidden"


class Dropped(RequestError):
    """The frame was dropped before it was written: this client's claim
    expired, or it left with on_disconnect="drop"."""
    code = "dropped"


class UnknownClaim(RequestError):
    """release of a claim this connection does not hold (it expired?)."""
    code = "unknown_claim"


class UnknownSequence(RequestError):
    """No sequence file of that name (since 1.3)."""
    code = "unknown_sequence"


class Cancelled(RequestError):
    """A request scheduled with at was cancelled (cancel, halt) (since 1.3)."""
    code = "cancelled"


class Unsupported(RequestError):
    """The board lacks the command: unload, positions or teach on an LSC
    board (lscd --board, the robot file's board) (since 1.5)."""
    code = "unsupported"


class IoError(RequestError):
    """lscd could not write a file: record.stop's sequence file (the
    recording is kept, and record.stop again writes it) (since 1.6)."""
    code = "io_error"


_CLASSES: dict[str, type[RequestError]] = {
    cls.code: cls for cls in RequestError.__subclasses__()
    if cls.__module__ == __name__}


def error_class(code: str) -> type[RequestError]:
    """The exception class of an error code; RequestError for an unknown one."""
    return _CLASSES.get(code, RequestError)


def from_response(error: Mapping[str, Any]) -> RequestError:
    """The exception for the "error" object of a response."""
    code = str(error.get("code", ""))
    field = error.get("field")
    return error_class(code)(str(error.get("message", code)), code=code,
                             field=field if isinstance(field, str) else None, details=error)
