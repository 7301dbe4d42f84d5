#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: the process. SIGTERM answers every pending request
"shutdown" and removes the socket; socket activation through
systemd-socket-activate; READY=1, STATUS= and WATCHDOG=1 on a test
NOTIFY_SOCKET; the command line."""

import grp
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile

import tap
from lscdharness import Client, Lscd, error_of, lscd_binary, running, wait_until
from simharness import Sim, hexbytes, valgrind_prefix


@tap.test
def sigterm_answers_every_pending_request():
    with running("--group", "8:60000", "--no-battery",
                 lscd_args=("--battery-timeout", "30000")) as (sim, lscd):
        c = lscd.client()
        c.subscribe(["group.started"])
        wait_id = c.send_request("group.run", group=8, wait=True)
        c.wait_event("group.started")
        battery_id = c.send_request("battery")
        move_ids = [c.send_request("move", servos=[{"id": 2, "position": 900 + i}],
                                   time_ms=0) for i in range(50)]
        c.ok("ping")
        sim.wait_for("rx", hexbytes("55 55 02 0F"))
        lscd.signal(signal.SIGTERM)
        tap.eq(error_of(c.response(wait_id)), ("shutdown", None), "the wait")
        tap.eq(error_of(c.response(battery_id)), ("shutdown", None), "the battery query")
        moves = [c.response(i) for i in move_ids]
        shut = [m for m in moves if not m["ok"]]
        tap.check(shut, "some moves were still queued", len(shut))
        tap.check(all(error_of(m) == ("shutdown", None) for m in shut), "answered shutdown")
        tap.check(c.closed_by_peer(), "then the connection closes")
        tap.eq(c.inbox, [], "and nothing else came")
        tap.eq(lscd.wait_exit(), 0, "exit status")
        tap.check(not os.path.exists(lscd.socket_path), "socket removed")


@tap.test
def sigterm_does_not_wait_long_for_clients_that_do_not_read():
    # Each client has more answers than its socket takes and reads none:
    # lscd gives their output one bounded chance at exit, not one per client.
    with running() as (sim, lscd):
        stuck = [lscd.client() for _ in range(100)]
        for c in stuck:
            c.send_raw(b"".join(json.dumps({"cmd": "ping", "id": "x" * 64000}).encode() + b"\n"
                                for _ in range(4)))
        wait_until(lambda: lscd.stderr().count(": ping\n") >= 4 * len(stuck),
                   "every ping read", timeout=60)
        lscd.signal(signal.SIGTERM)
        tap.eq(lscd.wait_exit(), 0, "lscd exits at once, with status 0")


@tap.test
def socket_activation():
    if not shutil.which("systemd-socket-activate"):
        raise tap.Skip("systemd-socket-activate is not installed")
    with Sim() as sim:
        directory = tempfile.mkdtemp(prefix="lscd-sa-")
        path = os.path.join(directory, "activated.sock")
        lscd = Lscd(sim.link, directory=directory, socket_path=path, wait=None,
                    prefix=("systemd-socket-activate", "-l", path))
        try:
            lscd.start()
            # The path appears at bind(), before listen(): wait until it accepts.
            # That first connection starts lscd, a client that leaves at once.
            lscd.wait_connectable()
            c = lscd.client()
            tap.eq(c.hello["device"]["connected"], True, "hello through the passed socket")
            c.ok("group.stop")
            sim.wait_for("rx", hexbytes("55 55 02 07"))
            tap.check("passed by systemd" in lscd.stderr(), "lscd used the passed socket",
                      lscd.stderr())
            d = lscd.client()
            tap.eq(d.ok("status")["clients"], 2, "a second client, same socket")
        finally:
            lscd.stop()
            shutil.rmtree(directory, ignore_errors=True)


def notify_socket(directory):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = os.path.join(directory, "notify")
    s.bind(path)
    s.settimeout(10)
    return s, path


def datagrams_until(sock, want):
    """Every notification received until one contains want."""
    seen = []
    while not any(want in d for d in seen):
        seen.append(sock.recv(4096).decode())
    return seen


@tap.test
def ready_status_and_watchdog_notifications():
    with Sim() as sim:
        directory = tempfile.mkdtemp(prefix="lscd-notify-")
        sock, path = notify_socket(directory)
        lscd = Lscd(sim.link, directory=directory,
                    env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
        try:
            lscd.start()
            seen = datagrams_until(sock, "READY=1")
            tap.check(any("STATUS=Connected to " + sim.link in d for d in seen),
                      "STATUS names the device", seen)
            seen = datagrams_until(sock, "WATCHDOG=1")
            tap.check(seen, "watchdog pings while idle")
            sim.unplug()
            seen = datagrams_until(sock, "STATUS=Waiting for device")
            tap.check(seen, "STATUS follows the device")
        finally:
            lscd.stop()
            sock.close()
            shutil.rmtree(directory, ignore_errors=True)


@tap.test
def no_ready_before_listening_when_the_port_is_busy():
    with running() as (sim, first):
        directory = tempfile.mkdtemp(prefix="lscd-busy-")
        sock, path = notify_socket(directory)
        second = Lscd(sim.link, directory=directory, wait=None, env={"NOTIFY_SOCKET": path})
        try:
            second.start()
            tap.check(second.wait_exit() != 0, "fails")
            sock.settimeout(0.2)
            got = []
            try:
                while True:
                    got.append(sock.recv(4096).decode())
            except socket.timeout:
                pass
            tap.check(not any("READY=1" in d for d in got), "never said READY=1", got)
        finally:
            second.stop()
            sock.close()
            shutil.rmtree(directory, ignore_errors=True)


def run_lscd(*args):
    return subprocess.run([lscd_binary()] + list(args), capture_output=True, text=True,
                          timeout=10, check=False)


@tap.test
def command_line():
    r = run_lscd("--version")
    tap.eq((r.returncode, r.stdout), (0, "lscd 0.1.0\n"), "--version")
    r = run_lscd("--help")
    tap.eq(r.returncode, 0, "--help")
    for option in ("--device", "--baud", "--socket", "--socket-mode", "--socket-group",
                   "--battery-timeout", "--log-level", "--usb-id", "--max-clients",
                   "--max-client-output"):
        tap.check(option in r.stdout, "--help mentions " + option)
    r = run_lscd("--list-commands")
    for cmd in ("ping", "version", "status", "move", "group.run", "group.stop", "halt",
                "group.speed", "battery", "subscribe", "unsubscribe"):
        tap.check(cmd + "\n" in r.stdout, "--list-commands lists " + cmd)
    for bad in (["--baud", "fast"], ["--baud", "12345"], ["--usb-id", "1a86"], ["--log-level", "loud"],
                ["--socket-mode", "999"], ["--max-client-output", "10"], ["extra"],
                ["--nope"]):
        r = run_lscd(*bad)
        tap.eq(r.returncode, 2, "usage error for %s" % bad)
        tap.check(r.stderr, "with a message for %s" % bad)
        if len(bad) == 2:
            tap.check("invalid value for %s: %s\n" % tuple(bad) in r.stderr,
                      "naming the option and its value", r.stderr)
    r = run_lscd("--baud=fast")
    tap.eq((r.returncode, r.stderr), (2, "lscd: invalid value for --baud: fast\n"),
           "--option=value")


@tap.test
def socket_mode_and_stale_socket():
    with Sim() as sim:
        directory = tempfile.mkdtemp(prefix="lscd-mode-")
        path = os.path.join(directory, "sub", "lscd.sock")
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        os.mkdir(os.path.dirname(path))
        stale.bind(path)
        stale.close()                     # a socket file nobody listens on
        lscd = Lscd(sim.link, "--socket-mode", "0600", "--socket-group", str(os.getgid()),
                    directory=directory, socket_path=path)
        try:
            lscd.start()
            tap.eq(os.stat(path).st_mode & 0o777, 0o600, "--socket-mode")
            tap.eq(os.stat(path).st_gid, os.getgid(), "--socket-group")
            tap.check("stale" in lscd.stderr(), "the stale socket was replaced")
            other = Lscd(sim.link, directory=directory, socket_path=path, wait=None)
            other.start()
            tap.check(other.wait_exit() != 0, "a live socket is not taken over")
            tap.eq(Client(path).hello["event"], "hello", "the first lscd still serves")
            if valgrind_prefix():
                return      # getgrnam() leaves glibc's NSS modules loaded
            group = grp.getgrgid(os.getgid()).gr_name
            other = Lscd(os.path.join(directory, "absent"), "--socket-group", group,
                         wait=None, socket_path=os.path.join(directory, "by-name.sock"))
            other.start()
            other.wait_connectable()
            tap.eq(os.stat(other.socket_path).st_gid, os.getgid(), "a group by name")
            other.stop()
            other = Lscd(os.path.join(directory, "absent"), "--socket-group",
                         "no-such-group-lscd", wait=None)
            other.start()
            tap.check(other.wait_exit() != 0, "an unknown group is fatal")
            tap.check("no-such-group-lscd" in other.stderr(), "and named", other.stderr())
            other.stop()
        finally:
            lscd.stop()
            shutil.rmtree(directory, ignore_errors=True)


def exit_status_on(directory, path):
    """How an lscd told to listen on PATH exits (None: it did not)."""
    lscd = Lscd(os.path.join(directory, "absent"), directory=directory, socket_path=path,
                wait=None)
    lscd.start()
    try:
        return lscd.wait_exit()
    except TimeoutError:
        return None
    finally:
        lscd.stop(check=False)


@tap.test
def a_socket_in_use_is_never_removed():
    directory = tempfile.mkdtemp(prefix="lscd-inuse-")
    dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    waiting = []
    try:
        path = os.path.join(directory, "dgram.sock")
        dgram.bind(path)                  # another program's datagram socket
        tap.check(exit_status_on(directory, path) not in (0, None),
                  "a datagram socket is not taken over")
        dgram.sendto(b"x", path)
        tap.eq(dgram.recv(1), b"x", "nor removed")
        path = os.path.join(directory, "busy.sock")
        busy.bind(path)
        busy.listen(0)                    # a live listener with a full backlog
        while True:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            waiting.append(c)
            try:
                c.connect(path)
            except BlockingIOError:
                break
        tap.check(exit_status_on(directory, path) not in (0, None),
                  "a live socket with a full backlog is refused, not waited on")
        tap.check(os.path.exists(path), "and kept")
    finally:
        for c in waiting + [dgram, busy]:
            c.close()
        shutil.rmtree(directory, ignore_errors=True)


tap.main()
