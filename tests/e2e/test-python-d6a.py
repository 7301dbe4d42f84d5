#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
""".d6a import (lsc.d6a, python3 -m lsc.d6a): Hiwonder action files the test
makes with the schema of bus-servo-and-d6a.md (".d6a action files"), a
missing Servo2, 18 servos, rows out of Index order, NULL positions and
broken files; then a converted file played by lscd puts the same positions
on the wire."""

import os
import sqlite3
import subprocess
import sys
import tempfile

import lsc.d6a
import tap
from lscdharness import running

SCHEMA = ("CREATE TABLE ActionGroup([Index] INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL "
          "ON CONFLICT FAIL UNIQUE ON CONFLICT ABORT, Time INT%s)")
TMP = tempfile.mkdtemp(prefix="lsc-d6a-")


def make(name, ids, rows, schema=SCHEMA):
    """A .d6a file with columns Servo<id> for IDS and ROWS (index, time,
    positions in the order of IDS)."""
    path = os.path.join(TMP, name)
    db = sqlite3.connect(path)
    db.execute(schema % "".join(", Servo%d INT" % i for i in ids))
    cols = ", ".join(["[Index]", "Time"] + ["Servo%d" % i for i in ids])
    for row in rows:
        db.execute("INSERT INTO ActionGroup(%s) VALUES (%s)" % (cols, ", ".join("?" * len(row))),
                   row)
    db.commit()
    db.close()
    return path


def cli(*args):
    return subprocess.run([sys.executable, "-m", "lsc.d6a", *args], capture_output=True,
                          text=True, timeout=30)


@tap.test
def armpi_mini_file_without_servo2():
    # The first row is the one of an ArmPi mini file (bus-servo-and-d6a.md).
    path = make("armpi.d6a", [1, 3, 4, 5, 6],
                [(2, 800, 1500, 900, 2300, 1000, 1400), (1, 1500, 1500, 830, 2360, 920, 1500)])
    tap.eq(lsc.d6a.read_steps(path), [
        (1500, {1: 1500, 3: 830, 4: 2360, 5: 920, 6: 1500}),
        (800, {1: 1500, 3: 900, 4: 2300, 5: 1000, 6: 1400})],
        "read by column name, in Index order, units kept")
    r = cli(path)
    tap.eq((r.returncode, r.stderr), (0, ""), "python3 -m lsc.d6a succeeds")
    tap.eq(r.stdout.splitlines()[1:], [
        "steps:",
        "  - {servos: {1: 1500, 3: 830, 4: 2360, 5: 920, 6: 1500}, time_ms: 1500}",
        "  - {servos: {1: 1500, 3: 900, 4: 2300, 5: 1000, 6: 1400}, time_ms: 800}"],
        "one step per row")


@tap.test
def eighteen_bus_servos_and_nulls():
    ids = list(range(1, 19))
    rows = [(i + 1, 200 * (i + 1), *[(100 * i + s) % 1001 for s in ids]) for i in range(3)]
    rows.append((4, 300, *([None] * 17 + [1000])))
    rows.append((5, 300, *([None] * 18)))
    path = make("tonypi.d6a", ids, rows)
    steps = lsc.d6a.read_steps(path)
    tap.eq(len(steps), 4, "a row without any position is no step")
    tap.eq(sorted(steps[0][1]), ids, "18 servos")
    tap.eq(steps[1][1][18], (100 + 18) % 1001, "bus units kept")
    tap.eq(steps[3], (300, {18: 1000}), "a NULL leaves its servo out")


@tap.test
def broken_files_are_refused():
    cases = [
        ("not a database", None, "file is not a database"),
        ("no table", "CREATE TABLE Other(x INT)", "no ActionGroup table"),
        ("servo 33", "Servo33", "Servo33: lscd's servo ids are 1..32"),
        ("negative time", "time", "row 1: Time: -5 is not an integer from 0 to 65535"),
        ("a text position", "text", "row 1: Servo1: 'x' is not an integer from 0 to 2500"),
    ]
    for what, kind, message in cases:
        path = os.path.join(TMP, what.replace(" ", "-") + ".d6a")
        if kind is None:
            with open(path, "w", encoding="ascii") as f:
                f.write("SQLite format 2\n" * 10)
        elif kind.startswith("CREATE"):
            db = sqlite3.connect(path)
            db.execute(kind)
            db.close()
        elif kind == "Servo33":
            make(os.path.basename(path), [1, 33], [(1, 100, 500, 500)])
        elif kind == "time":
            make(os.path.basename(path), [1], [(1, -5, 500)])
        else:
            make(os.path.basename(path), [1], [(1, 100, "x")])
        r = cli(path)
        tap.eq((r.returncode, r.stdout), (1, ""), what + ": exit 1, nothing on stdout")
        tap.check(message in r.stderr, what + ": says why", r.stderr)
    r = cli(os.path.join(TMP, "missing.d6a"))
    tap.eq(r.returncode, 1, "a missing file")
    tap.eq(cli().returncode, 2, "usage")


@tap.test
def awkward_names_steps_and_columns():
    """A file name with '#' or '?' is that file (it was read as a URI's
    fragment or query: "b#x.d6a" opened, or created, "b"); a column
    "Servo1\\n" is no servo; 10000 steps convert, 10001 are refused."""
    sub = os.path.join(TMP, "odd dir%20")
    os.makedirs(sub, exist_ok=True)
    for name in ("b#x.d6a", "c?mode=rwc.d6a", "d%23.d6a"):
        path = make(os.path.join(sub, name), [1], [(1, 100, 700)])
        tap.eq(lsc.d6a.read_steps(path), [(100, {1: 700})], "%r is read" % name)
    tap.eq(sorted(os.listdir(sub)), sorted(["b#x.d6a", "c?mode=rwc.d6a", "d%23.d6a"]),
           "and nothing else is created")
    r = cli(os.path.join(sub, "b"))
    tap.eq((r.returncode, os.path.exists(os.path.join(sub, "b"))), (1, False),
           "a missing file is not created")
    path = make("newline.d6a", [1], [(1, 100, 700)],
                schema=SCHEMA.replace("Time INT%s", "Time INT, [Servo2\n] INT DEFAULT 900%s"))
    tap.eq(lsc.d6a.read_steps(path), [(100, {1: 700})], "a column \"Servo2\\n\" is no servo")
    rows = [(i, 20, 500 + i % 2) for i in range(1, 10001)]
    tap.eq(len(lsc.d6a.read_steps(make("max.d6a", [1], rows))), 10000, "10000 steps")
    r = cli(make("over.d6a", [1], rows + [(10001, 20, 600)]))
    tap.eq((r.returncode, r.stdout), (1, ""), "10001 steps are refused")
    tap.check("more than 10000 rows with positions" in r.stderr, "saying why", r.stderr)


@tap.test
def the_command_line_and_look_alike_columns():
    """--help and -h exit 0, "--" ends the options, a directory is said to
    be one, a file name with a newline cannot inject a line into the
    comment, a REAL Time of 5.0 is 5, and each column that looks like a
    servo's or the time but is not read is warned about on stderr."""
    for opt in ("--help", "-h"):
        r = cli(opt)
        tap.eq((r.returncode, r.stdout.startswith("usage:")), (0, True), opt + ": usage, 0")
    path = make("-dash.d6a", [1], [(1, 100, 700)])
    r = cli("--", path)
    tap.eq((r.returncode, r.stdout.splitlines()[-1]), (0, "  - {servos: {1: 700}, time_ms: 100}"),
           "-- then a file name")
    r = cli(TMP)
    tap.eq(r.returncode, 1, "a directory: refused")
    tap.check("is a directory" in r.stderr, "saying so", r.stderr)
    path = make("new\nline.d6a", [1], [(1, 100, 700)])
    r = cli(path)
    tap.eq([line for line in r.stdout.splitlines() if not line.startswith(("#", "steps:", "  - "))],
           [], "no line injected by the file name")
    path = make("real.d6a", [1], [(1, 5.0, 700)],
                schema=SCHEMA.replace("Time INT%s", "Time REAL, servo2 INT, Servo01 INT, "
                                      "[Servo 3] INT, Servo0 INT, Note TEXT%s"))
    r = cli(path)
    tap.eq((r.returncode, r.stdout.splitlines()[-1]), (0, "  - {servos: {1: 700}, time_ms: 5}"),
           "Time 5.0 is 5")
    for name in ("servo2", "Servo01", "Servo 3", "Servo0"):
        tap.check("column %s ignored" % name in r.stderr, "warned: " + name, r.stderr)
    tap.check("Note" not in r.stderr, "not a column that looks like nothing", r.stderr)


@tap.test
def a_converted_file_plays():
    path = make("wave.d6a", [1, 3], [(1, 100, 1200, 1800), (2, 50, 1300, None)])
    with running() as (sim, lscd):
        seq = os.path.join(lscd.dir, "sequences", "wave.yaml")
        os.makedirs(os.path.dirname(seq), exist_ok=True)
        with open(seq, "w", encoding="utf-8") as f:
            f.write(lsc.d6a.convert(path))
        c = lscd.client()
        since = sim.mark()
        c.ok("sequence.run", name="wave", wait=True, timeout=60)
        moves = [r.data for r in sim.records()[since:] if r.kind == "rx" and r.data[3] == 3]
        tap.eq(moves, [bytes.fromhex("55 55 0B 03 02 64 00 01 B0 04 03 08 07"),
                       bytes.fromhex("55 55 08 03 01 32 00 01 14 05")],
               "its rows on the wire, in order, with their times")


tap.main()
