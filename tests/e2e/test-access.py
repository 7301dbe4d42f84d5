#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Access control: who may connect to lscd's socket.

Needs root (to create a group and two users, removed again at the end,
even on failure); skipped otherwise, with the reason.

Expected behaviour, with lscd --socket-mode 0660 --socket-group G:
- socket_mode_group_and_directory: the socket is mode 0660, owned by root
  and group G, and the directory lscd created for it is not writable by
  group or others.
- outsider_is_refused: a user not in G gets EACCES from connect().
- member_gets_in_and_is_logged: a user whose supplementary groups include G
  connects, gets hello and a ping answer; lscd's debug log names that
  connection's peer pid and uid (SO_PEERCRED).
The clients run as those users through setpriv(1) (--reuid, --regid,
--init-groups), as a tiny python program.
"""

import grp
import os
import pwd
import shutil
import stat
import subprocess
import tempfile

import tap
from lscdharness import Lscd
from simharness import Sim

SUFFIX = "%d" % os.getpid()
GROUP = "lscdt-g" + SUFFIX
MEMBER = "lscdt-in" + SUFFIX
OUTSIDER = "lscdt-out" + SUFFIX

# Connect, print "pid PID" then the hello and the ping answer, or the
# errno name of a failed connect.
CLIENT = r"""
import errno, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print(errno.errorcode[e.errno]); sys.exit(3)
print("pid", os.getpid(), flush=True)
f = s.makefile("rwb")
print(f.readline().decode().strip())
f.write(b'{"cmd":"ping","id":"as-member"}\n'); f.flush()
print(f.readline().decode().strip())
"""


def run(*argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def python_for_others():
    """A python3 other users may execute (not one under /root)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise tap.Skip("no system python3 for the other users")


def as_user(user, socket_path):
    """Run CLIENT as user (its own groups); (exit status, output lines)."""
    pw = pwd.getpwnam(user)
    proc = subprocess.run(["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                           "--init-groups", "--", python_for_others(), "-c", CLIENT,
                           socket_path],
                          cwd="/", capture_output=True, text=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin"})
    return proc.returncode, proc.stdout.splitlines() + proc.stderr.splitlines()


class Setup:
    """The group, the two users, lsc-sim and lscd; close() removes all."""

    def __init__(self):
        self.made = []
        self.sim = self.lscd = None
        self.dir = tempfile.mkdtemp(prefix="lscd-access-")
        os.chmod(self.dir, 0o755)          # like /run: others may traverse it
        try:
            self._make("groupadd", GROUP)
            self._make("useradd", "-M", "-U", "-s", "/usr/sbin/nologin", "-G", GROUP, MEMBER)
            self._make("useradd", "-M", "-U", "-s", "/usr/sbin/nologin", OUTSIDER)
            self.sim = Sim().start()
            self.lscd = Lscd(self.sim.link, "--socket-mode", "0660", "--socket-group", GROUP,
                             directory=self.dir).start()
        except BaseException:
            self.close()
            raise

    def _make(self, *argv):
        run(*argv)
        self.made.append(("groupdel" if argv[0] == "groupadd" else "userdel", argv[-1]))

    def close(self):
        try:
            if self.lscd:
                self.lscd.stop()
        finally:
            if self.sim:
                self.sim.stop()
            for argv in reversed(self.made):
                subprocess.run(argv, check=False, capture_output=True)
            shutil.rmtree(self.dir, ignore_errors=True)


def with_setup(fn):
    def test():
        setup = Setup()
        try:
            fn(setup)
        finally:
            setup.close()
    test.__name__ = fn.__name__
    return tap.test(test)


@with_setup
def socket_mode_group_and_directory(setup):
    st = os.stat(setup.lscd.socket_path)
    tap.check(stat.S_ISSOCK(st.st_mode), "a socket")
    tap.eq(oct(st.st_mode & 0o7777), oct(0o660), "mode 0660")
    tap.eq((st.st_uid, st.st_gid), (0, grp.getgrnam(GROUP).gr_gid), "owner root, group G")
    d = os.stat(os.path.dirname(setup.lscd.socket_path))
    tap.eq(d.st_mode & (stat.S_IWOTH | stat.S_IWGRP), 0,
           "its directory is not writable by group or others (%o)" % (d.st_mode & 0o7777))


@with_setup
def outsider_is_refused(setup):
    code, out = as_user(OUTSIDER, setup.lscd.socket_path)
    tap.eq((code, out), (3, ["EACCES"]), "connect() refused with EACCES")


@with_setup
def member_gets_in_and_is_logged(setup):
    code, out = as_user(MEMBER, setup.lscd.socket_path)
    tap.eq(code, 0, "the member's client ran: %r" % out)
    pid = int(out[0].split()[1])
    tap.check('"event":"hello"' in out[1], "hello received", out)
    tap.check('"id":"as-member"' in out[2] and '"ok":true' in out[2], "ping answered", out)
    uid = pwd.getpwnam(MEMBER).pw_uid
    setup.lscd.wait_log("pid %d, uid %d" % (pid, uid))


if os.geteuid() != 0:
    tap.skip_all("needs root to create a group and users (CI runs as root)")
if not shutil.which("setpriv") or not shutil.which("useradd"):
    tap.skip_all("setpriv(1) or useradd(8) is missing")
tap.main()
