#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: its command line. A usage error names the program, not
the path it was run by, and points to --help; each exits with status 2."""

import subprocess

import tap
from lscdharness import lscd_binary

TRY_HELP = "Try 'lscd --help' for more information.\n"


def run_lscd(*args):
    return subprocess.run([lscd_binary()] + list(args), capture_output=True, text=True,
                          timeout=10, check=False)


@tap.test
def an_unknown_option_names_the_program_and_points_to_help():
    for args, message in ((["--bogus"], "unrecognized option '--bogus'"),
                          (["-x"], "invalid option -- 'x'"),
                          (["--device"], "option '--device' requires an argument")):
        r = run_lscd(*args)
        tap.eq((r.returncode, r.stderr), (2, "lscd: %s\n%s" % (message, TRY_HELP)),
               "lscd %s" % " ".join(args))


tap.main()
