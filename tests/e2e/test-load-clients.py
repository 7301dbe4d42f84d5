#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Load: 1,000 concurrent clients, then 10,000 connect/disconnect cycles,
with no growth of lscd's file descriptors or memory.

How it is measured: the number of entries in /proc/PID/fd, and VmRSS from
/proc/PID/status, each read when only the measuring client is connected
(status says clients == 1), after a warm-up that already did what is
measured (1,000 clients at the same time, then 1,000 cycles).

Expected behaviour:
- 1,000 clients connect at the same time (lscd --max-clients 1100; the
  default is 1024), each gets its hello, each one's ping is answered, and a
  move from every 100th client reaches the wire; status counts them all.
  Once they have left, the fd count equals the baseline exactly. VmRSS
  with the second 1,000 clients connected is at most RSS_SLACK_KIB above
  its value with the first (warm-up) 1,000: a peak reuses the previous
  one's memory (each client's input buffer starts at 4 KiB and grows only
  for long lines, so peaks do not fragment the heap with 64 KiB blocks;
  before that change the peak grew by about 4 MiB each time). VmRSS after
  the clients left is only reported: whether glibc trimmed its heap top by
  then decides it, not what lscd holds.
- 10,000 cycles of connect then close, in four styles (close at once, read
  hello then close, send a ping and close before the answer, send half a
  line and close): afterwards the fd count equals the baseline exactly,
  and VmRSS is at most RSS_SLACK_KIB (512 KiB) above its value before the
  cycles. 10,000 connections leaking 53 bytes each would exceed it, while
  allocator noise stays far below it (+32 KiB measured). Under
  AddressSanitizer VmRSS is not judged (its quarantine holds freed memory).
"""

import json
import os
import resource
import socket

import tap
from lscdharness import lscd_binary, running, wait_until

CLIENTS = 1000
CYCLES = 10000
RSS_SLACK_KIB = 512
tap.TEST_TIMEOUT = 600     # 12,000 connections on a slow machine


def rss_kib(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def asan_build():
    """Whether lscd is built with AddressSanitizer (whose quarantine holds
    freed memory back, so VmRSS grows with churn: leaks are its own job)."""
    with open(lscd_binary(), "rb") as f:
        return b"__asan_init" in f.read()


def raise_fd_limit(want):
    """Make room for want descriptors here and in lscd (which inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            raise tap.Skip("RLIMIT_NOFILE hard limit %d < %d" % (hard, want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_line(s, buf=b""):
    """(line, rest) from socket s, starting with buf."""
    while b"\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("closed by lscd")
        buf += chunk
    line, rest = buf.split(b"\n", 1)
    return json.loads(line), rest


def fds_between_saves(lscd):
    """lscd's fd count, read while its state saver (a thread of its own,
    writing STATE.tmp then renaming it) holds no file open; None while it
    does, or when an fd closed while being read."""
    fd_dir = "/proc/%d/fd" % lscd.proc.pid
    try:
        links = [os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)]
    except FileNotFoundError:
        return None
    return None if lscd.state_path + ".tmp" in links else len(links)


def fd_count(lscd):
    return wait_until(lambda: fds_between_saves(lscd), "the state saver between saves")


def idle(lscd, probe):
    """Wait until only probe is connected; return (fds, rss KiB)."""
    wait_until(lambda: probe.ok("status")["clients"] == 1, "only the probe connected", 60)
    return fd_count(lscd), rss_kib(lscd.proc.pid)


def many_at_once(sim, lscd, n):
    """n clients connected together; each gets hello and a ping answer."""
    socks = [connect(lscd.socket_path) for _ in range(n)]
    rests = []
    for s in socks:
        hello, rest = read_line(s)
        tap.eq(hello["event"], "hello", "hello")
        rests.append(rest)
    since = sim.mark()
    for i, s in enumerate(socks):
        req = {"cmd": "ping", "id": i}
        if i % 100 == 0:
            req = {"cmd": "move", "id": i, "servos": [{"id": 5, "position": 600 + i}],
                   "time_ms": i}
        s.sendall(json.dumps(req).encode() + b"\n")
    for i, s in enumerate(socks):
        r, _ = read_line(s, rests[i])
        tap.eq((r["id"], r["ok"]), (i, True), "answer of client %d" % i)
    moves = sim.wait_count("rx", n // 100, since=since)
    tap.eq(sorted(r.data for r in moves),
           sorted(bytes([0x55, 0x55, 8, 3, 1, i & 0xFF, i >> 8, 5, (600 + i) & 0xFF,
                         (600 + i) >> 8]) for i in range(0, n, 100)),
           "every 100th client's move on the wire")
    return socks


def cycles(lscd, n):
    """n connect/close cycles in four styles."""
    for i in range(n):
        s = connect(lscd.socket_path)
        style = i % 4
        if style == 1:
            read_line(s)
        elif style == 2:
            s.sendall(b'{"cmd":"ping","id":1}\n')
        elif style == 3:
            s.sendall(b'{"cmd":"pi')
        s.close()


@tap.test
def thousand_clients_and_ten_thousand_cycles():
    raise_fd_limit(CLIENTS * 2 + 256)
    with running(lscd_args=("--max-clients", str(CLIENTS + 100))) as (sim, lscd):
        probe = lscd.client()
        socks = many_at_once(sim, lscd, CLIENTS)         # warm-up
        warm_rss = rss_kib(lscd.proc.pid)
        for s in socks:
            s.close()
        idle(lscd, probe)
        cycles(lscd, 1000)
        fds0, rss0 = idle(lscd, probe)
        tap.diag("baseline after warm-up: %d fds, VmRSS %d KiB" % (fds0, rss0))

        socks = many_at_once(sim, lscd, CLIENTS)
        # Measured before status: its answer lists every connection (about
        # 250 bytes each), a one-off allocation malloc keeps, not state.
        peak_fds, peak_rss = fd_count(lscd), rss_kib(lscd.proc.pid)
        status = probe.ok("status")
        tap.eq(status["clients"], CLIENTS + 1, "all connected at the same time")
        tap.eq(len(status["connections"]), CLIENTS + 1, "and listed")
        tap.diag("with %d clients: %d fds, VmRSS %d KiB (first peak %d KiB)"
                 % (CLIENTS, peak_fds, peak_rss, warm_rss))
        if not asan_build():
            tap.check(peak_rss - warm_rss <= RSS_SLACK_KIB, "no memory growth from peak to peak",
                      "VmRSS %d KiB -> %d KiB" % (warm_rss, peak_rss))
        tap.eq(peak_fds, fds0 + CLIENTS, "one fd per client")
        for s in socks:
            s.close()
        fds1, rss1 = idle(lscd, probe)
        tap.diag("after they left: %d fds, VmRSS %d KiB (%+d KiB)" % (fds1, rss1, rss1 - rss0))
        tap.eq(fds1, fds0, "fds back to the baseline")

        cycles(lscd, CYCLES)
        fds2, rss2 = idle(lscd, probe)
        tap.diag("after %d cycles: %d fds, VmRSS %d KiB (%+d KiB)"
                 % (CYCLES, fds2, rss2, rss2 - rss1))
        tap.eq(fds2, fds0, "no fd growth")
        if asan_build():
            tap.diag("VmRSS not judged: AddressSanitizer's quarantine keeps freed memory")
        else:
            tap.check(rss2 - rss1 <= RSS_SLACK_KIB, "no memory growth over the cycles",
                      "VmRSS %d KiB -> %d KiB" % (rss1, rss2))
        tap.eq(lscd.proc.poll(), None, "lscd still running")


tap.main()
