#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: its command line. A usage error names the program, not
the path it was run by, and points to --help. Arguments that can never work
(a --device that exists and is no serial port, an empty value, an unknown
--socket-group) are usage errors too, found before anything starts. Each
exits with status 2."""

import os
import shutil
import subprocess
import tempfile

import tap
from lscdharness import lscd_binary

TRY_HELP = "Try 'lscd --help' for more information.\n"


def run_lscd(*args, timeout=10):
    """lscd's CompletedProcess; returncode None when it was still running
    after timeout seconds (then killed)."""
    try:
        return subprocess.run([lscd_binary()] + list(args), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, None, e.stdout, e.stderr)


@tap.test
def an_unknown_option_names_the_program_and_points_to_help():
    for args, message in ((["--bogus"], "unrecognized option '--bogus'"),
                          (["-x"], "invalid option -- 'x'"),
                          (["--device"], "option '--device' requires an argument")):
        r = run_lscd(*args)
        tap.eq((r.returncode, r.stderr), (2, "lscd: %s\n%s" % (message, TRY_HELP)),
               "lscd %s" % " ".join(args))



@tap.test
def arguments_that_can_never_work_are_usage_errors():
    directory = tempfile.mkdtemp(prefix="lscd-options-")
    regular = os.path.join(directory, "file")
    with open(regular, "w", encoding="ascii"):
        pass
    # lscd must not get as far as listening: should it, on a private socket.
    sock = ["--socket", os.path.join(directory, "lscd.sock")]
    absent = ["--device", os.path.join(directory, "absent")]
    cases = [
        (["--device", directory] + sock, "invalid value for --device: %s is a directory, "
         "not a serial port" % directory),
        (["--device", regular] + sock, "invalid value for --device: %s is a regular file, "
         "not a serial port" % regular),
        (["--device", "/dev/null"] + sock, "invalid value for --device: /dev/null is a mem "
         "device, not a serial port"),
        (["--device", ""] + sock, "empty value for --device"),
        (["--socket", ""] + absent, "empty value for --socket"),
        (["--socket-group", "no-such-group-lscd"] + absent + sock,
         "invalid value for --socket-group: no-such-group-lscd: no such group"),
    ]
    try:
        for args, message in cases:
            r = run_lscd(*args, timeout=5)
            tap.eq((r.returncode, r.stderr), (2, "lscd: %s\n" % message),
                   "lscd %s" % " ".join(repr(a) for a in args))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


tap.main()
