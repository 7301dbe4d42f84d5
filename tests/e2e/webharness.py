# SPDX-License-Identifier: MIT
"""webharness.py: run lscd-web for a test, and speak HTTP to it (python3
stdlib only).

    with running_web(robot=ROBOT) as (sim, lscd, web):
        status, answer = web.post("move", {"servos": [{"id": 1, "position": 1200}],
                                           "time_ms": 100})

lscd-web listens on 127.0.0.1 with a port the kernel picks (read back from
its log), speaks to the test's lscd, and serves the page from the source
tree. The binary is $LSCD_WEB, else $top_builddir/client/web/lscd-web.
Under LSCD_TEST_VALGRIND=1 it runs under memcheck like lscd, and stop()
fails on any error, leak or fd left open, or a status other than 0.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile

from lscdharness import (DEFAULT_TIMEOUT, VALGRIND_ARGS, VALGRIND_SLOWDOWN, Lscd,
                         exit_problems, valgrind_on, wait_until)
from program import Program


class WebError(Exception):
    pass


def web_binary():
    if os.environ.get("LSCD_WEB"):
        return os.environ["LSCD_WEB"]
    return os.path.join(os.environ.get("top_builddir", "."), "client", "web", "lscd-web")


def libtool_wrapper(path):
    """Whether PATH is the script libtool puts in front of an uninstalled
    program linked with an uninstalled shared library (liblsc)."""
    with open(path, "rb") as f:
        return b"temporary wrapper script" in f.read(256)


def www_dir():
    return os.path.join(os.environ.get("top_srcdir", "."), "client", "web", "www")


class Web(Program):
    """One lscd-web on lscd's SOCKET. token: the login token (written to a
    0600 file and given with --token-file), or None for none."""

    NAME = "lscd-web"
    ERROR = WebError

    def __init__(self, socket_path, *args, listen="127.0.0.1:0", token=None):
        self.dir = tempfile.mkdtemp(prefix="lscd-web-")
        self.stderr_path = os.path.join(self.dir, "web.err")
        self.valgrind_log = os.path.join(self.dir, "valgrind.%p.log")
        wrapper = VALGRIND_ARGS + ["--log-file=" + self.valgrind_log] if valgrind_on() else []
        if wrapper and libtool_wrapper(web_binary()):
            # valgrind runs the program, not libtool's script in front of it
            wrapper = [os.path.join(os.environ["top_builddir"], "libtool"), "--mode=execute"] + wrapper
        self.argv = wrapper + [web_binary(), "--listen", listen, "--socket", socket_path,
                               "--www", www_dir(), "--log-level", "debug"] + list(args)
        self.token = token
        if token is not None:
            path = os.path.join(self.dir, "token")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, (token + "\n").encode())
            os.close(fd)
            self.argv += ["--token-file", path]
        self.host = listen.rsplit(":", 1)[0]
        self.port = None
        self.proc = None

    def start(self, timeout=DEFAULT_TIMEOUT):
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)

        def port():
            if self.proc.poll() is not None:
                raise WebError("lscd-web exited with %d: %s" % (self.proc.returncode,
                                                               self.stderr()))
            m = re.search(r"port (\d+)", self.stderr())
            return m and int(m.group(1))
        self.port = wait_until(port, "lscd-web listening",
                               timeout * (VALGRIND_SLOWDOWN if valgrind_on() else 1))
        return self

    @property
    def origin(self):
        return "http://%s:%d" % (self.host, self.port)

    def stop(self, timeout=DEFAULT_TIMEOUT, check=True):
        code, terminated = self.terminate(timeout * (VALGRIND_SLOWDOWN if valgrind_on() else 1))
        problems = exit_problems(code, terminated, self.stderr(), self.valgrind_log)
        shutil.rmtree(self.dir, ignore_errors=True)
        if check and problems:
            raise WebError("lscd-web: " + "\n".join(problems))
        return code

    # ---- HTTP ----
    def connection(self, timeout=DEFAULT_TIMEOUT, source=None):
        """A new connection; from the address SOURCE (127.0.0.2, ...) when given."""
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)

    def request(self, method, path, body=None, headers=None, timeout=DEFAULT_TIMEOUT, source=None):
        """(status, headers, body bytes) of one request on a new connection.
        headers: None for the defaults a page sends (X-LSC-Request on a
        POST); a dict adds to and overrides them (a value None removes)."""
        h = {"X-LSC-Request": "1"} if method == "POST" else {}
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        conn = self.connection(timeout, source)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def post(self, verb, args=None, headers=None, timeout=DEFAULT_TIMEOUT):
        """(status, answer as JSON) of POST /api/VERB."""
        status, _, data = self.request("POST", "/api/" + verb,
                                       json.dumps(args) if args is not None else "",
                                       headers, timeout)
        return status, json.loads(data)


@contextlib.contextmanager
def running_web(*sim_args, robot=None, web_args=(), token=None, listen="127.0.0.1:0"):
    """lsc-sim, lscd and lscd-web; yield (sim, lscd, web), stop all three."""
    from simharness import Sim  # pylint: disable=import-outside-toplevel
    with Sim(*sim_args) as sim:
        with Lscd(sim.link, robot=robot) as lscd:
            with Web(lscd.socket_path, *web_args, token=token, listen=listen) as web:
                yield sim, lscd, web
