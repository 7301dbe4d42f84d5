#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd-protocol(7) matches the code: every command lscd lists (from its
cmd_table[]) has its section, with each of its arguments; every error code
and every event name in the sources is documented."""

import os
import re
import subprocess

import tap
from lscdharness import lscd_binary

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))


def read(path):
    with open(os.path.join(TOP, path), encoding="utf-8") as f:
        return f.read()


PAGE = read("man/lscd-protocol.7")


def commands():
    """{name: [argument names]} from lscd --list-commands."""
    out = subprocess.run([lscd_binary(), "--list-commands"], capture_output=True, text=True,
                         check=True, timeout=10).stdout
    table = {}
    for line in out.splitlines():
        if not line.startswith(" "):
            name = line.strip()
            table[name] = []
        elif line.startswith("    ") and not line.startswith("     ") and ":" in line:
            words = line.split()
            if len(words) > 1 and words[1].rstrip(",") in ("integer", "boolean", "array", "string"):
                table[name].append(words[0])
    return table


@tap.test
def every_command_and_argument_is_documented():
    table = commands()
    tap.check(len(table) >= 11, "lscd lists its commands", table)
    for name, args in table.items():
        section = re.search(r"^\.SS %s\n(.*?)(?=^\.S[SH] )" % re.escape(name), PAGE,
                            re.S | re.M)
        tap.check(section, "a section for " + name)
        for arg in args:
            tap.check(re.search(r"^\.B %s$" % re.escape(arg), section.group(1), re.M),
                      "%s documents its argument %s" % (name, arg))


@tap.test
def every_error_code_is_documented():
    codes = re.findall(r'\[LSC_ERRCODE_\w+\]\s*=\s*"(\w+)"', read("common/protocol.c"))
    tap.eq(len(codes), 31, "error codes found in protocol.c")
    errors = PAGE[PAGE.index(".SH ERRORS"):PAGE.index(".SH LIMITS")]
    for code in codes:
        tap.check(re.search(r"^\.TP\n\.B %s$" % code, errors, re.M), "error %s documented" % code)


@tap.test
def every_event_is_documented():
    names = re.findall(r'\[LSC_EVENT_\w+\]\s*=\s*"([\w.]+)"', read("common/protocol.c"))
    tap.eq(len(names), 16, "events found in protocol.c")
    events = PAGE[PAGE.index(".SH EVENTS"):PAGE.index(".SH ERRORS")]
    for name in names:
        tap.check(re.search(r"^\.TP\n\.B %s$" % re.escape(name), events, re.M),
                  "event %s documented" % name)
    tap.check('{"event":"hello"' in PAGE, "hello documented")


tap.main()
