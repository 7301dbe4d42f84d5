# SPDX-License-Identifier: MIT
"""The life cycle the test harnesses share for the programs they run
(lsc-sim in simharness, lscd in lscdharness): reading what the program
wrote on stderr, SIGTERM then wait (SIGKILL when it does not exit in time),
and use as a context manager that never leaves the process behind."""

import signal
import subprocess


class Program:
    """Base of Sim and Lscd. Subclasses set NAME and ERROR (the exception
    class they raise), the attributes proc (subprocess.Popen, or None
    before start) and stderr_path, and define start() and stop()."""

    NAME = "program"
    ERROR = RuntimeError
    proc = None
    stderr_path = None

    def stderr(self):
        """What the program wrote on stderr so far."""
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def terminate(self, timeout):
        """SIGTERM unless it already exited, then wait. Returns (exit status,
        whether this call sent SIGTERM). Kills it and raises ERROR when it is
        still running after timeout seconds."""
        terminated = self.proc.poll() is None
        if terminated:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout), terminated
        except subprocess.TimeoutExpired:
            self.kill()
            raise self.ERROR("%s did not exit within %.1f s of SIGTERM"
                             % (self.NAME, timeout)) from None

    def kill(self):
        """SIGKILL and reap (for failure paths)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, kind, value, tb):
        try:
            self.stop(check=kind is None)
        finally:
            self.kill()
