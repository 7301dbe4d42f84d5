# SPDX-License-Identifier: MIT
"""lscctlharness.py: run lscctl, and its bash completion, for the end-to-end
tests (python3 stdlib only).

    from lscctlharness import lscctl, ok, complete

    with running() as (sim, lscd):
        out = ok(lscd, "move", "1:1500")        # exit 0 required; stdout
        p = lscctl(lscd, "move", "1:99")        # CompletedProcess
        words = complete("lscctl", "-s", lscd.socket_path, "move", "")

fake_daemon() and against_fake() stand in for lscd, to try what lscd does
not send.

lscctl is $top_builddir/client/lscctl/lscctl; the completion script is
$top_srcdir/client/lscctl/lscctl.bash-completion, run with that lscctl
first on $PATH. Every run has a timeout (TIMEOUT seconds).
"""

import json
import os
import socket
import subprocess
import tempfile
import threading

import tap

BUILD = os.environ.get("top_builddir", ".")
SRC = os.environ.get("top_srcdir", ".")
LSCCTL = os.path.join(BUILD, "client", "lscctl", "lscctl")
COMPLETION = os.path.join(SRC, "client", "lscctl", "lscctl.bash-completion")
TIMEOUT = 60


def lscctl(lscd, *args, env=None):
    """Run lscctl on lscd's socket (lscd None: no -s); return CompletedProcess."""
    argv = [LSCCTL] + (["-s", lscd.socket_path] if lscd else []) + list(args)
    return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT,
                          env=dict(os.environ, **(env or {})))


def popen(lscd, *args):
    return subprocess.Popen([LSCCTL, "-s", lscd.socket_path] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ok(lscd, *args):
    """Run lscctl, require exit 0, return its stdout."""
    p = lscctl(lscd, *args)
    tap.eq(p.returncode, 0, "exit status of lscctl %s (stderr %r)" % (" ".join(args), p.stderr))
    return p.stdout


def status_is(p, want, what):
    tap.eq(p.returncode, want, "%s: exit status (stdout %r, stderr %r)" % (what, p.stdout, p.stderr))


def json_lines(text):
    return [json.loads(line) for line in text.splitlines()]


def complete(*words, env=None):
    """The words bash completion offers for the command line WORDS, the
    last being the word under the cursor (split as bash splits them: at
    "=" and ":" too)."""
    cmd = ('source "%s"; COMP_WORDS=(%s); COMP_CWORD=%d; _lscctl; echo "${COMPREPLY[*]}"'
           % (COMPLETION, " ".join("'%s'" % w for w in words), len(words) - 1))
    path = os.path.dirname(os.path.abspath(LSCCTL)) + os.pathsep + os.environ["PATH"]
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=TIMEOUT,
                       env=dict(os.environ, PATH=path, **(env or {})))
    tap.eq((p.returncode, p.stderr), (0, ""), "bash completion of %r" % (words,))
    return p.stdout.split()


def fake_daemon(path, answer):
    """Serve one connection: send a hello, then answer with these bytes."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        conn.sendall(b'{"event":"hello","time":1.0,"protocol":1,"version":"0","device":null}\n')
        conn.makefile("rb").readline()
        conn.sendall(answer)
        conn.close()
        server.close()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def against_fake(answer, *args):
    """Run lscctl against a fake lscd that answers its first request with
    these bytes; return CompletedProcess."""
    with tempfile.TemporaryDirectory(prefix="lscctl-") as d:
        path = os.path.join(d, "fake")
        thread = fake_daemon(path, answer)
        p = lscctl(None, "-s", path, *args)
        thread.join(TIMEOUT)
    return p
