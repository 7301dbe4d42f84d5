# SPDX-License-Identifier: MIT
"""clientbench.py: the figures about lscd's clients: request throughput,
event fan-out, memory and idle wake-ups. Many clients come from one
bench/loadgen process (C: a python loop is slower than lscd, see README).
"""

import json
import resource
import subprocess
import time

import benchlib

PING = json.dumps({"cmd": "ping"})
MOVE = json.dumps(dict({"cmd": "move"}, **benchlib.move_args(4, 1500)))


def cpu_seconds(pid):
    """User + system CPU time of a process so far, in seconds."""
    with open("/proc/%d/stat" % pid, encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def children_cpu():
    """CPU seconds of the children waited for so far (loadgen)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def throughput(loadgen, lscd, clients, seconds, request, depth=1):
    """(requests answered per second, lscd's CPU use and loadgen's, in % of
    one core) with clients each keeping depth requests in flight for
    seconds."""
    pid = lscd.proc.pid
    cpu, own = cpu_seconds(pid), children_cpu()
    out = subprocess.run([loadgen, "rate", lscd.socket_path, str(clients), str(seconds),
                          str(depth), request],
                         capture_output=True, text=True, timeout=seconds + 120, check=False)
    cpu, own = cpu_seconds(pid) - cpu, children_cpu() - own
    if out.returncode != 0:
        raise RuntimeError("loadgen rate: %s" % out.stderr.strip())
    words = out.stdout.split()
    answered, errors, window = int(words[1]), int(words[3]), float(words[5])
    if errors:
        raise RuntimeError("%d of the requests %s failed" % (errors, request))
    return answered / window, 100.0 * cpu / window, 100.0 * own / window


class Subscribers:
    """n clients of lscd held open by one loadgen process, subscribed to
    event (or to nothing when None)."""

    def __init__(self, loadgen, lscd, n, event=None):
        argv = [loadgen, "hold", lscd.socket_path, str(n)] + ([event] if event else [])
        self.n = n
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def _line(self, expected):
        line = self.proc.stdout.readline()
        if not line.startswith(expected):
            self.proc.kill()
            raise RuntimeError("loadgen: %r instead of %r" % (line, expected))
        return line

    def __enter__(self):
        self._line("ready")
        return self

    def arm(self):
        self.proc.stdin.write("arm\n")
        self._line("armed")

    def times(self):
        """Each client's receive time of its first event since arm()."""
        return [float(t) for t in self._line("times").split()[1:]]

    def __exit__(self, *exc):
        self.proc.stdin.close()
        self.proc.wait(30)
        self.proc.stdout.close()


# The frames lsc-sim sends for "emit run 1 0" and "emit stop".
FRAME_STARTED = bytes.fromhex("55 55 05 06 01 00 00")
FRAME_STOPPED = bytes.fromhex("55 55 02 07")


def fanout(subscribers, sim, tail, rounds):
    """Milliseconds from the simulator sending a group start (its log's tx
    time) to each subscriber receiving group.started, over rounds."""
    out = []
    for _ in range(rounds):
        tail.skip()
        subscribers.arm()
        sim.command("emit run 1 0")
        tx = tail.wait(lambda r: r.kind == "tx" and r.data == FRAME_STARTED, "emit run")
        out += [(t - tx.t) * 1000 for t in subscribers.times()]
        sim.command("emit stop")
        tail.wait(lambda r: r.kind == "tx" and r.data == FRAME_STOPPED, "emit stop")
        time.sleep(0.05)
    return out


def rss_kib(lscd):
    return benchlib.proc_status(lscd.proc.pid, "VmRSS")["VmRSS"]


def wakeups(lscd, seconds):
    """Context switches (voluntary + involuntary) per second of lscd over
    seconds of idleness: each is a wake-up of its only thread."""
    def switches():
        s = benchlib.proc_status(lscd.proc.pid, "voluntary_ctxt_switches",
                                 "nonvoluntary_ctxt_switches")
        return s["voluntary_ctxt_switches"] + s["nonvoluntary_ctxt_switches"]
    before = switches()
    time.sleep(seconds)
    return (switches() - before) / seconds
