# SPDX-License-Identifier: MIT
"""lsc: the Python client of lscd, the daemon that owns an LSC servo controller.

    import lsc

    with lsc.Client(name="demo") as robot:            # $LSCD_SOCKET or /run/lscd/lscd.sock
        events = robot.events(["group.", "battery"])   # subscribed from here on
        robot.move({1: 1200, 2: 1800}, time_ms=800, wait=True)   # ids, or robot file names
        robot.run_group(8, wait=True)                  # back once group 8 completed
        print(robot.battery(), "mV")
        for event in events:                           # those that came meanwhile, then more
            print(event.name, event.data)
            if event.name == "battery":
                break

Client (and lsc.aio.Client for asyncio) has one method per command of
lscd-protocol(7): ping, version, status, move, pose, servos, robot,
config_reload, hello, claim, release, run_group (group.run), stop
(group.stop), halt, speed (group.speed), battery, subscribe, unsubscribe,
sequence_run, sequence_stop, sequence_list, record_start, record_stop and
cancel. move, pose, run_group and sequence_run take at= (a scheduled start:
seconds since the epoch, or an aware datetime); cancel() takes the id of
such a request, from pending(). Results are dicts as lscd sends them,
without "id" and "ok", or the one value that matters (battery() is the
millivolts). request(cmd, **args) sends any command, one that has no method
yet included. A request lscd could not read far enough to find its id
(longer than 65536 bytes, a string with U+0000, nested deeper than 32
levels) raises LineTooLong or InvalidJson before anything is sent.

Servos are named as the robot file names them (lscd-robot(5)) or by id:
move({"shoulder": 1200, 9: 2300}, time_ms=500). Positions are checked by
lscd, which answers errors; each is raised as the subclass of RequestError
named after its code (OutOfLimits, Claimed, Preempted, ...; see
lsc.errors), with code, message and field. Nothing reaches the board when a
request is refused.

Events. client.events(["group.", "battery"]) subscribes and iterates over
the events, oldest first, each an Event (name, time, data). Events that
come while a call waits for its answer are kept for it, up to max_events
(1024); beyond that they are counted and reported as an events.lost event,
as lscd reports the events it could not send. Each iterator keeps its own
events, so one left unread loses only its own; client.next_event() reads
the events no iterator selects.

Claims. `with robot.claim(["shoulder", "elbow"], lease_ms=2000,
safe="home"):` holds the servos for the block; other clients get Claimed,
and if this program dies the arm goes home when the lease runs out.

Connections. Client(reconnect=True) connects again when lscd restarts,
with the same name and subscription; the calls in flight when it went
away raise ConnectionLost, and events() yields the new connection's hello
event. The package writes a request only as a whole line on the socket
and never reads through a text wrapper it also writes to (the mistake of
sock.makefile("rw"), which drops lines it had read ahead on every write).

Examples: /usr/share/doc/python3-lsc/examples (or client/python/examples
in lscd's source). The protocol: man 7 lscd-protocol.
"""

from ._protocol import DEFAULT_SOCKET, Event
from .client import Claim, Client, Events
from .errors import *  # noqa: F401,F403  (every error class, listed in errors.__all__)
from .errors import __all__ as _errors

__version__ = "0.1.0"

__all__ = ["Client", "Claim", "Event", "Events", "DEFAULT_SOCKET", "__version__"] + _errors
