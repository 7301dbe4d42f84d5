#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: its command line, and one lscd per device.

A usage error names the program, not the path it was run by, and points to
--help. Arguments that can never work (a --device that exists and is no
serial port, an empty value, an unknown --socket-group) are usage errors
too, found before anything starts. Each exits with status 2.

A second lscd for a device that one serves, spelled the same or through
another path to the same directory, is refused with status 1 and the pid of
the first, whether the device is present or not; so is a second
--device auto. Once the first has exited, another starts."""

import os
import shutil
import subprocess
import tempfile

import tap
from lscdharness import Lscd, lscd_binary
from simharness import Sim, hexbytes

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
        (["--device", "/dev/tty"] + sock, "invalid value for --device: /dev/tty is a console "
         "or virtual terminal, not a serial port"),
        (["--device", ""] + sock, "empty value for --device"),
        (["--device", "ttyUSB0"] + sock, "invalid value for --device: ttyUSB0: neither auto "
         "nor a path (a path has a '/': /dev/ttyUSB0, ./ttyUSB0)"),
        (["--device", "Auto"] + sock, "invalid value for --device: Auto: neither auto nor a "
         "path (a path has a '/': /dev/Auto, ./Auto)"),
        (["--socket", ""] + absent, "empty value for --socket"),
        (["--socket-group", "no-such-group-lscd"] + absent + sock,
         "invalid value for --socket-group: no-such-group-lscd: no such group"),
        (["--socket-mode", "1777"] + absent + sock, "invalid value for --socket-mode: 1777"),
    ]
    try:
        for args, message in cases:
            r = run_lscd(*args, timeout=5)
            tap.eq((r.returncode, r.stderr), (2, "lscd: %s\n" % message),
                   "lscd %s" % " ".join(repr(a) for a in args))
    finally:
        shutil.rmtree(directory, ignore_errors=True)



def refused(device, lock_dir, first):
    """Start an lscd on DEVICE and require that it exits 1 at once, naming
    FIRST (an Lscd) as the lscd that serves it."""
    second = Lscd(device, lock_dir=lock_dir, wait=None)
    try:
        second.start()
        code = second.wait_exit()
        log = second.stderr()
    finally:
        second.stop()
    tap.eq(code, 1, "the second lscd on %s: exit status (stderr %r)" % (device, log))
    tap.check("--device %s is in use by another lscd, pid %d " % (device, first.proc.pid) in log,
              "it names the device and the first lscd's pid", log)


def lock_name(path):
    """The name of the lock file of PATH (absolute, its directory canonical),
    as lscd(8) says: escaped as systemd-escape --path does, plus ".lock"."""
    out = ""
    for i, ch in enumerate(path.lstrip("/")):
        if ch == "/":
            out += "-"
        elif ch.isascii() and (ch.isalnum() or ch in "_:" or (ch == "." and i > 0)):
            out += ch
        else:
            out += "".join("\\x%02x" % b for b in ch.encode())
    return out + ".lock"


def lock_files(lock_dir):
    """{name: content} of the files in lock_dir."""
    out = {}
    for name in os.listdir(lock_dir):
        with open(os.path.join(lock_dir, name), encoding="ascii") as f:
            out[name] = f.read()
    return out


@tap.test
def a_second_lscd_for_one_device_is_refused_present_or_not():
    directory = tempfile.mkdtemp(prefix="lscd-lock-")
    lock_dir = os.path.join(directory, "lock")
    link = os.path.join(directory, "lsc.pty")
    alias = os.path.join(directory, "alias")
    os.symlink(directory, alias)          # another path to the same directory
    try:
        with Lscd(link, lock_dir=lock_dir) as first:
            tap.eq(lock_files(lock_dir), {lock_name(link): "%d\n" % first.proc.pid},
                   "the lock file holds the first lscd's pid")
            refused(link, lock_dir, first)
            refused(os.path.join(alias, "lsc.pty"), lock_dir, first)
            c = first.client()
            c.subscribe(["device.connected"])
            with Sim(directory=directory) as sim:
                c.wait_event("device.connected")
                refused(link, lock_dir, first)
                c.ok("group.stop")
                sim.wait_for("rx", hexbytes("55 55 02 07"))
        tap.eq(lock_files(lock_dir), {}, "the first lscd removed its lock file at exit")
        with Sim(directory=directory) as sim, Lscd(link, lock_dir=lock_dir) as third:
            tap.eq(third.client().hello["device"]["connected"], True,
                   "once the first has exited, another lscd serves the device")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@tap.test
def a_second_auto_lscd_is_refused():
    directory = tempfile.mkdtemp(prefix="lscd-lock-")
    lock_dir = os.path.join(directory, "lock")
    try:
        with Lscd("auto", "--usb-id", "dead:beef", lock_dir=lock_dir) as first:
            refused("auto", lock_dir, first)
            with Lscd(os.path.join(directory, "absent"), lock_dir=lock_dir) as other:
                tap.eq(other.client().hello["device"]["path"], os.path.join(directory, "absent"),
                       "an lscd for another device starts beside it")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@tap.test
def a_lock_directory_that_cannot_be_made_stops_lscd():
    directory = tempfile.mkdtemp(prefix="lscd-lock-")
    regular = os.path.join(directory, "file")
    with open(regular, "w", encoding="ascii"):
        pass
    try:
        lock_dir = os.path.join(regular, "lock")
        r = run_lscd("--device", os.path.join(directory, "absent"), "--socket",
                     os.path.join(directory, "lscd.sock"), "--lock-dir", lock_dir, timeout=5)
        tap.eq(r.returncode, 1, "exit status (stderr %r)" % r.stderr)
        tap.check("<3>Cannot create the lock directory %s (--lock-dir): Not a directory\n"
                  % lock_dir in r.stderr, "it says why", r.stderr)
        tap.check(not os.path.exists(os.path.join(directory, "lscd.sock")), "nothing started")
    finally:
        shutil.rmtree(directory, ignore_errors=True)



@tap.test
def the_units_make_the_default_lock_directory():
    r = run_lscd("--help")
    tap.check("(default /run/lscd/lock)" in r.stdout, "--help names the default", r.stdout)
    for unit in ("lscd.service", "lscd@.service"):
        path = os.path.join(os.environ.get("top_builddir", "."), "systemd", unit)
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        # Under ProtectSystem=strict, only a RuntimeDirectory= is writable;
        # kept when one instance stops, since it holds the others' locks.
        for line in ("RuntimeDirectory=lscd lscd/lock", "RuntimeDirectoryPreserve=yes"):
            tap.check(line in lines, "%s has %s" % (unit, line))


tap.main()
