#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The package lsc as its users meet it: a method for every command lscd
has, documentation and type hints on every public name, what pydoc shows,
its version, the wheel that pyproject.toml builds with Debian's
python3-build (installed and used against lscd), the examples in
client/python/examples, and the example of the READMEs and of pydoc,
which is one text, run against lsc-sim + lscd."""

import glob
import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
import typing
import zipfile

import lsc
import lsc.aio
import lsc._verbs
import tap
from lscdharness import ROBOT, lscd_binary, running

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("top_builddir", ".")
PYTHON_DIR = os.path.join(TOP, "client", "python")


def read(*path):
    with open(os.path.join(TOP, *path), encoding="utf-8") as f:
        return f.read()


def lscd_commands():
    """The commands lscd --list-commands names."""
    out = subprocess.run([lscd_binary(), "--list-commands"], capture_output=True, text=True,
                         check=True, timeout=10).stdout
    return [line.strip() for line in out.splitlines() if line and not line.startswith(" ")]


def public(cls):
    """The public methods of CLS, by name."""
    return {name: m for name, m in vars(cls).items()
            if callable(m) and not name.startswith("_")}


def run(args, env=None, **kw):
    """ARGS run with PYTHONPATH and the environment of the tests, plus ENV."""
    return subprocess.run(args, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})), **kw)


# Commands lscd has and this package has no method for yet (request(cmd)
# sends them). A command in this list that gets its method fails, so the
# list stays true; it is empty.
PENDING: set[str] = set()


@tap.test
def every_command_of_lscd_has_a_method():
    commands = lscd_commands()
    tap.check(len(commands) >= 18, "lscd lists its commands", commands)
    tap.eq(sorted(set(commands) - set(lsc._verbs.METHODS) - PENDING), [],
           "commands without a method (request(cmd, ...) sends them meanwhile)")
    tap.eq(sorted(PENDING & set(lsc._verbs.METHODS)), [], "pending commands that have one")
    tap.eq(sorted(set(lsc._verbs.METHODS) - set(commands)), [], "methods lscd does not know")
    for cmd, method in lsc._verbs.METHODS.items():
        for cls in (lsc.Client, lsc.aio.Client):
            tap.check(method in public(cls), "%s.%s for %s" % (cls.__qualname__, method, cmd))
    tap.eq(set(public(lsc.Client)), set(public(lsc.aio.Client)) - {"connect"},
           "both clients have the same methods (and lsc.aio.Client a connect())")


@tap.test
def documented_and_typed():
    classes = [lsc.Client, lsc.aio.Client, lsc.Claim, lsc.aio.Claim, lsc.Events,
               lsc.aio.Events, lsc.aio.ClaimRequest, lsc.Event]
    for cls in classes:
        tap.check(inspect.getdoc(cls), "%s is documented" % cls.__qualname__)
        for name, method in public(cls).items():
            where = "%s.%s.%s" % (cls.__module__, cls.__qualname__, name)
            tap.check(inspect.getdoc(method), where + " is documented")
            hints = typing.get_type_hints(method)
            params = [p for p in inspect.signature(method).parameters if p != "self"]
            tap.eq([p for p in params if p not in hints], [], where + ": untyped parameters")
            tap.check("return" in hints, where + ": its return is typed")
    for module in (lsc, lsc.aio, lsc.errors):
        tap.check(inspect.getdoc(module), module.__name__ + " is documented")
    tap.check(os.path.exists(os.path.join(os.path.dirname(lsc.__file__), "py.typed")),
              "py.typed: type checkers use the hints")


@tap.test
def what_pydoc_shows():
    out = run([sys.executable, "-m", "pydoc", "lsc"]).stdout
    for text in ("lsc.Client(name=", "robot.run_group(8, wait=True)", "OutOfLimits",
                 "reconnect=True", "events.lost", "lsc.aio"):
        tap.check(text in out, "pydoc lsc shows " + text)
    out = run([sys.executable, "-m", "pydoc", "lsc.aio.Client.battery"]).stdout
    tap.check("async " in out and "battery(self) -> 'int'" in out and "millivolts" in out,
              "pydoc lsc.aio.Client.battery: a coroutine, with lsc.Client's text", out)


@tap.test
def version_is_lscd_s():
    with open(os.path.join(BUILD, "config.h"), encoding="utf-8") as f:
        version = re.search(r'#define PACKAGE_VERSION "([^"]+)"', f.read()).group(1)
    tap.eq(lsc.__version__, version, "lsc.__version__ is configure's version")
    tap.check('version = {attr = "lsc.__version__"}' in read("client", "python",
                                                             "pyproject.toml"),
              "and the wheel's")


@tap.test
def sequences_through_request():
    with running(robot=ROBOT) as (sim, lscd), lsc.Client(lscd.socket_path) as c:
        r = c.request("sequence.run", steps=[{"servos": {"gripper": 1500}, "time_ms": 100},
                                             {"pose": "rest", "time_ms": 100}], wait=True)
        tap.eq(r.get("completed"), True, "sequence.run, waited for")
        tap.eq(c.request("sequence.list")["playing"], [], "sequence.list")
        with tap.raises(lsc.UnknownSequence, "a sequence that is not there"):
            c.request("sequence.run", name="nowhere")


def debian_python():
    """A python3 that has the module build (Debian's python3-build), or None."""
    for python in ("/usr/bin/python3", sys.executable):
        if os.path.exists(python) and run([python, "-c", "import build, setuptools, wheel"],
                                          env={"PYTHONPATH": ""}).returncode == 0:
            return python
    return None


@tap.test
def a_wheel_from_debian_packages():
    python = debian_python()
    if python is None:
        raise tap.Skip("no python3 with python3-build, -setuptools and -wheel "
                       "(build-aux/deps installs them)")
    tmp = tempfile.mkdtemp(prefix="lsc-wheel-")
    try:
        src = os.path.join(tmp, "src")
        shutil.copytree(PYTHON_DIR, src, ignore=shutil.ignore_patterns("__pycache__", "*.mk"))
        r = run([python, "-m", "build", "--no-isolation", "--outdir",
                 os.path.join(tmp, "dist"), src], env={"PYTHONPATH": ""})
        tap.eq(r.returncode, 0, "python3 -m build --no-isolation: " + r.stderr[-2000:])
        wheels = glob.glob(os.path.join(tmp, "dist", "*.whl"))
        tap.eq([os.path.basename(w) for w in wheels], ["lsc-%s-py3-none-any.whl"
                                                       % lsc.__version__], "one pure wheel")
        tap.eq(len(glob.glob(os.path.join(tmp, "dist", "lsc-*.tar.gz"))), 1, "and an sdist")
        with zipfile.ZipFile(wheels[0]) as z:
            names = z.namelist()
            metadata = z.read("lsc-%s.dist-info/METADATA" % lsc.__version__).decode()
            z.extractall(os.path.join(tmp, "site"))
        want = sorted("lsc/" + os.path.basename(p) for p in
                      glob.glob(os.path.join(PYTHON_DIR, "lsc", "*.py")) + ["py.typed"])
        tap.eq(sorted(n for n in names if not n.startswith("lsc-")), want,
               "the wheel holds the package, all of it and nothing else")
        tap.check("Requires-Python: >=3.9" in metadata, "Requires-Python", metadata)
        with running() as (sim, lscd):
            r = run([python, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                     "import lsc; print(lsc.__file__); print(lsc.Client(sys.argv[2]).battery())",
                     os.path.join(tmp, "site"), lscd.socket_path])
            tap.eq(r.stdout.splitlines(), [os.path.join(tmp, "site", "lsc", "__init__.py"),
                                           "7400"], "the wheel's lsc talks to lscd: " + r.stderr)
    finally:
        shutil.rmtree(tmp)


def example(name, *args, env=None):
    return run([sys.executable, os.path.join(PYTHON_DIR, "examples", name)] + list(args),
               env=env)


@tap.test
def the_examples_run():
    with running("--group", "8:100", "--battery-mv", "6500", robot=ROBOT) as (sim, lscd):
        env = {"LSCD_SOCKET": lscd.socket_path}
        r = example("wait_group.py", "wave", "2", env=env)
        tap.eq((r.returncode, r.stdout.splitlines()[-1]), (0, "group 8 completed 2 run(s)"),
               "wait_group.py: " + r.stderr)
        tap.check("group.started" in r.stdout, "with the events that came meanwhile", r.stdout)
        r = example("share_arm.py", "shoulder", "elbow", env=env)
        tap.eq(r.returncode, 0, "share_arm.py: " + r.stderr)
        tap.check(re.match(r"moved \[1, 2\] under claim \d+$", r.stdout.strip()), r.stdout)
        with lscd.client() as other:
            other.ok("hello", name="teleop")
            other.ok("claim", servos=["elbow"])
            r = example("share_arm.py", "shoulder", "elbow", env=env)
            tap.eq((r.returncode, r.stderr.strip()), (1, "held by teleop (client %d)"
                                                      % other.hello["client"]),
                   "share_arm.py names the holder")
        r = example("battery_watch.py", "7000", "0.05", "3", env=env)
        tap.eq(r.returncode, 0, "battery_watch.py: " + r.stderr)
        tap.eq(r.stdout.splitlines()[:2], ["battery 6500 mV", "below 7000 mV: halt, 0 dropped"],
               "battery_watch.py halts below the threshold")
        for name in ("wait_group.py", "share_arm.py", "battery_watch.py"):
            r = example(name, env=env)
            tap.check(r.returncode == 2 and r.stderr, name + " without arguments: usage")


def python_block(text, heading):
    """The ```python block after HEADING in markdown TEXT."""
    section = text[text.index(heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@tap.test
def one_example_in_every_readme_runs():
    top = python_block(read("README.md"), "### From Python")
    tap.eq(python_block(read("client", "python", "README.md"), "# lsc"), top,
           "client/python/README.md has the README's example")
    doc = inspect.getdoc(lsc).splitlines()
    end = next(i for i, line in enumerate(doc[2:], 2) if line and not line.startswith(" "))
    tap.eq("".join(line[4:] + "\n" for line in doc[2:end - 1]), top,
           "pydoc lsc starts with it")
    tap.check(len(top.strip().splitlines()) <= 11, "about ten lines", top)
    with running("--group", "8:100") as (sim, lscd):
        r = run([sys.executable, "-c", top], env={"LSCD_SOCKET": lscd.socket_path})
        tap.eq(r.returncode, 0, "the example runs: " + r.stderr)
        names = [line.split()[0] for line in r.stdout.splitlines()]
        tap.eq(names, ["7400", "group.started", "group.completed", "battery"], r.stdout)


tap.main()
