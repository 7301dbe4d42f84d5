#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd end to end: real-time scheduling (lscd(8), --realtime and LATENCY).

Granted, lscd runs SCHED_FIFO at the priority asked for, with its memory
locked, and says so in status and its log. Refused (no CAP_SYS_NICE and an
RLIMIT_RTPRIO of 0), it says why and serves at normal priority. Started
real-time by someone else (chrt, as systemd's CPUSchedulingPolicy= would),
it locks its memory all the same. A priority out of 0..99 is a usage
error. Times are never judged here: bench/run measures them."""

import os
import resource
import shutil
import subprocess

import tap
from lscdharness import Lscd, lscd_binary, valgrind_on
from simharness import Sim


def status_of(pid, field):
    """A field of /proc/PID/status, in kB."""
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def asan_build():
    """AddressSanitizer makes mlockall() a no-op that succeeds: lscd says
    "all" and nothing is locked (VmLck 0)."""
    with open(lscd_binary(), "rb") as f:
        return b"AddressSanitizer" in f.read()


def check_locked(pid):
    if asan_build():
        tap.diag("AddressSanitizer build: mlockall() does nothing, VmLck not checked")
        return
    tap.check(status_of(pid, "VmLck") > 0, "memory locked (VmLck)")


def can_be_realtime():
    """Whether this process may make a child SCHED_FIFO; the test needs it."""
    probe = subprocess.run(["chrt", "-f", "1", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        raise tap.Skip("this machine gives no real-time priority (chrt -f 1: %s)"
                       % probe.stderr.decode().strip())
    if valgrind_on():
        raise tap.Skip("under valgrind, locking memory would lock valgrind's own")


@tap.test
def granted_lscd_runs_fifo_with_its_memory_locked():
    can_be_realtime()
    with Sim() as sim, Lscd(sim.link, "--realtime", "10") as lscd:
        with lscd.client() as c:
            tap.eq(c.ok("status")["realtime"],
                   {"policy": "fifo", "priority": 10, "memory_locked": "all"},
                   "status says real-time")
        pid = lscd.proc.pid
        tap.eq(os.sched_getscheduler(pid) & ~0x40000000, os.SCHED_FIFO, "policy SCHED_FIFO")
        tap.eq(os.sched_getparam(pid).sched_priority, 10, "priority 10")
        check_locked(pid)
        tap.check("Real-time: fifo 10, memory locked" in lscd.stderr(), "logged",
                  lscd.stderr())
        with lscd.client() as c:
            tap.eq(c.request("ping")["ok"], True, "and it serves")


@tap.test
def refused_lscd_says_why_and_serves_at_normal_priority():
    if not shutil.which("setpriv"):
        raise tap.Skip("setpriv (util-linux) is not installed")
    drop = ["setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice", "--"]
    with Sim() as sim:
        lscd = Lscd(sim.link, "--realtime", "10", prefix=drop)
        # Inherited by lscd: no real-time priority without CAP_SYS_NICE.
        old = resource.getrlimit(resource.RLIMIT_RTPRIO)
        resource.setrlimit(resource.RLIMIT_RTPRIO, (0, old[1]))
        try:
            lscd.start()
        finally:
            resource.setrlimit(resource.RLIMIT_RTPRIO, old)
        try:
            with lscd.client() as c:
                tap.eq(c.ok("status")["realtime"], None, "status: not real-time")
                tap.eq(c.request("ping")["ok"], True, "it serves")
            tap.eq(os.sched_getscheduler(lscd.proc.pid), os.SCHED_OTHER, "policy SCHED_OTHER")
            tap.check("--realtime 10 refused, running at normal priority: SCHED_FIFO needs "
                      "CAP_SYS_NICE" in lscd.stderr(), "the warning says why", lscd.stderr())
        finally:
            lscd.stop()
            lscd.kill()


@tap.test
def started_realtime_by_chrt_it_locks_its_memory():
    can_be_realtime()
    for chrt, policy, priority in ((["chrt", "-f", "5"], "fifo", 5),
                                   (["chrt", "-r", "7"], "rr", 7)):
        with Sim() as sim, Lscd(sim.link, prefix=chrt) as lscd:
            with lscd.client() as c:
                tap.eq(c.ok("status")["realtime"],
                       {"policy": policy, "priority": priority, "memory_locked": "all"},
                       "%s: status says real-time" % " ".join(chrt))
            check_locked(lscd.proc.pid)


@tap.test
def a_finite_memory_lock_locks_the_start_and_lscd_survives_a_flood():
    """Locking later allocations too under RLIMIT_MEMLOCK would make them
    fail once the limit is reached (lscd aborted at 300 clients)."""
    can_be_realtime()
    drop = ["setpriv", "--bounding-set", "-ipc_lock", "--inh-caps", "-ipc_lock", "--"]
    with Sim() as sim:
        lscd = Lscd(sim.link, "--realtime", "10", prefix=drop)
        old = resource.getrlimit(resource.RLIMIT_MEMLOCK)
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (8 << 20, old[1]))
        try:
            lscd.start()
        finally:
            resource.setrlimit(resource.RLIMIT_MEMLOCK, old)
        try:
            with lscd.client() as c:
                tap.eq(c.ok("status")["realtime"]["memory_locked"], "current",
                       "locked as mapped at start")
            clients = [lscd.client() for _ in range(300)]
            for c in clients:
                for i in range(5):
                    c.send_request("status", id=i)
            for c in clients:
                for i in range(5):
                    c.response(i)
            tap.eq(lscd.proc.poll(), None, "lscd still runs after 300 clients x 5 status")
            tap.check("memory locked as mapped now, not what it allocates later" in
                      lscd.stderr(), "the log says how much is locked", lscd.stderr())
            for c in clients:
                c.close()
        finally:
            lscd.stop()
            lscd.kill()


@tap.test
def a_priority_out_of_range_is_a_usage_error():
    for value in ("100", "-1", "ten", "+5", " 5", ""):
        r = subprocess.run([lscd_binary(), "--realtime", value, "--device", "/nonexistent/x"],
                           capture_output=True, text=True, timeout=10, check=False)
        what = "empty" if not value else "invalid"
        tap.eq((r.returncode, r.stderr.splitlines()[0] if r.stderr else ""),
               (2, "lscd: %s value for --realtime%s" % (what, ": " + value if value else "")),
               "--realtime %r" % value)


@tap.test
def without_the_option_lscd_stays_at_normal_priority():
    with Sim() as sim, Lscd(sim.link) as lscd:
        with lscd.client() as c:
            tap.eq(c.ok("status")["realtime"], None, "status: null")
        tap.eq(os.sched_getscheduler(lscd.proc.pid), os.SCHED_OTHER, "policy SCHED_OTHER")
        if not valgrind_on():
            tap.eq(status_of(lscd.proc.pid, "VmLck"), 0, "nothing locked")


tap.main()
