# SPDX-License-Identifier: MIT
"""Hiwonder action files (.d6a) as lscd sequence files.

    python3 -m lsc.d6a FILE.d6a > seq.yaml

A .d6a file, as Hiwonder's Pi SDKs and PC tools write it, is a SQLite 3
database with one table (bus-servo-and-d6a.md, ".d6a action files"):

    ActionGroup([Index] INTEGER PRIMARY KEY ..., Time INT, Servo1 INT, ...)

one row per pose in Index order, Time in milliseconds (the player moves,
then sleeps Time/1000), and a column ServoN per servo, read by name: the
columns are not always contiguous (an ArmPi mini file has Servo1 and
Servo3..Servo6). Positions keep the product's units: 500..2500 us for PWM
products, 0..1000 for bus-servo products; lscd checks them against its
robot file's board (lscd-robot(5)) when the sequence runs.

Each row becomes a step {servos: {N: position}, time_ms: Time}: the servos
of one row reach their positions in Time, and the next row starts then.
A NULL position leaves that servo out of the step; a file of more than
10000 rows with positions (lscd's longest sequence) is refused. Standard
library only.
"""

from __future__ import annotations

import os
import pathlib
import re
import sqlite3
import sys
from typing import Iterable, Optional

__all__ = ["D6aError", "read_steps", "to_yaml", "convert", "main"]

_SERVO_COLUMN = re.compile(r"Servo([1-9][0-9]?)")
# Columns that look like a servo's or the time but are not read: said.
_LOOKALIKE = re.compile(r"(?is)\s*(servo.*\d.*|time.*)")
# lscd's servo ids, what one frame's time can hold (lsc/frame.h), and the
# steps of its longest sequence (SEQUENCE_STEPS_MAX, sequence.h).
_ID_MAX = 32
_TIME_MAX = 65535
_STEPS_MAX = 10000


class D6aError(Exception):
    """The file is not a .d6a action file lscd can play."""


Step = tuple[int, dict[int, int]]


def _servo_columns(db: sqlite3.Connection) -> dict[int, str]:
    """{servo id: column name} of the ActionGroup table, by name."""
    columns = [row[1] for row in db.execute("PRAGMA table_info(ActionGroup)")]
    if not columns:
        raise D6aError("no ActionGroup table")
    if "Time" not in columns:
        raise D6aError("ActionGroup has no Time column")
    servos = {}
    for name in columns:
        m = _SERVO_COLUMN.fullmatch(name)
        if not m and name != "Time" and _LOOKALIKE.fullmatch(name):
            sys.stderr.write("lsc.d6a: warning: column %s ignored: not Time, nor ServoN with N "
                             "1..%d as the file format names them\n" % (_printable(name), _ID_MAX))
        if m:
            if int(m.group(1)) > _ID_MAX:
                raise D6aError("%s: lscd's servo ids are 1..%d" % (name, _ID_MAX))
            servos[int(m.group(1))] = name
    if not servos:
        raise D6aError("ActionGroup has no ServoN column")
    return dict(sorted(servos.items()))


def _printable(text: str) -> str:
    """TEXT with control characters escaped: one line, nothing injected."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _integer(value: object, what: str, low: int, high: int) -> int:
    # A REAL with no fraction (5.0) is the integer it spells.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise D6aError("%s: %r is not an integer from %d to %d" % (what, value, low, high))
    return value


def read_steps(path: str) -> list[Step]:
    """The rows of the .d6a file PATH as (time_ms, {servo id: position})."""
    # A URI whose path is escaped: "b#x.d6a" is that file, not "b" (the
    # rest read as a fragment), and read-only never creates one.
    if os.path.isdir(path):
        raise D6aError("is a directory, not a .d6a file")
    uri = pathlib.Path(path).absolute().as_uri() + "?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as e:
        raise D6aError(str(e)) from None
    try:
        servos = _servo_columns(db)
        query = "SELECT [Index], Time, %s FROM ActionGroup ORDER BY [Index]" % ", ".join(
            "[%s]" % c for c in servos.values())
        steps = []
        for row in db.execute(query):
            where = "row %s" % row[0]
            time_ms = _integer(row[1], where + ": Time", 0, _TIME_MAX)
            targets = {sid: _integer(v, "%s: Servo%d" % (where, sid), 0, 2500)
                       for sid, v in zip(servos, row[2:]) if v is not None}
            if targets:
                if len(steps) == _STEPS_MAX:
                    raise D6aError("more than %d rows with positions: an lscd sequence has at "
                                   "most %d steps" % (_STEPS_MAX, _STEPS_MAX))
                steps.append((time_ms, targets))
    except sqlite3.Error as e:
        raise D6aError(str(e)) from None
    finally:
        db.close()
    if not steps:
        raise D6aError("no row with a position")
    return steps


def to_yaml(steps: Iterable[Step], source: Optional[str] = None) -> str:
    """lscd's sequence file (lscd-robot(5), sequence.run) of STEPS."""
    lines = ["# Converted from %s by python3 -m lsc.d6a" % _printable(source)] if source else []
    lines.append("steps:")
    for time_ms, targets in steps:
        servos = ", ".join("%d: %d" % (sid, pos) for sid, pos in targets.items())
        lines.append("  - {servos: {%s}, time_ms: %d}" % (servos, time_ms))
    return "\n".join(lines) + "\n"


def convert(path: str) -> str:
    """The sequence file of the .d6a file PATH."""
    return to_yaml(read_steps(path), path)


def main(argv: Optional[list[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    usage = "usage: python3 -m lsc.d6a [--] FILE.d6a > sequence.yaml\n"
    if args in (["--help"], ["-h"]):
        sys.stdout.write(usage)
        return 0
    if args[:1] == ["--"]:
        args = args[1:]
    elif args[:1] and args[0].startswith("-"):
        args = []
    if len(args) != 1:
        sys.stderr.write(usage)
        return 2
    try:
        sys.stdout.write(convert(args[0]))
    except D6aError as e:
        sys.stderr.write("lsc.d6a: %s: %s\n" % (_printable(args[0]), e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
