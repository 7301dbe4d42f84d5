#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fakeusb.py: a fake USB bus, so that lscd --device auto, its choice and
the USB identity it reports run without hardware (python3 stdlib only).

libserialport, and so lscd and lscctl, find serial ports and their USB
identity only through files: the links in /sys/class/tty, then busnum,
devnum, idVendor, idProduct, manufacturer, product and serial found by
walking up from /sys/class/tty/NAME/device/. As root, in a private mount
namespace, a FakeBus mounts a tmpfs over /sys and one over /dev, writes
there the tree the kernel and udev would make for the adapters plugged
into it (/sys/devices/.../usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0,
/dev/serial/by-id and by-path links), and bind-mounts a pseudo-terminal,
lsc-sim's, on each adapter's node: /dev/ttyUSB0 is then the simulator's
line. The real /dev/pts stays mounted inside the fake /dev, so ptys still
work. The host's /sys and /dev are never touched: FakeBus refuses to run
in the mount namespace of pid 1.

    import fakeusb
    fakeusb.enter_namespace()              # first: re-exec under unshare -m, or skip
    with Sim() as sim, fakeusb.FakeBus() as bus:
        port = bus.plug("ttyUSB0", fakeusb.CH340, "1-1", pty=sim.pts)
        ...                                # lscd --device auto finds port.path
        sim.unplug(); bus.unplug("ttyUSB0")

enter_namespace() re-executes the running program under `unshare -m`
(private propagation) unless it runs there already; when it is not root,
or unshare is missing or refused, it skips the whole test file visibly
(TAP "1..0 # SKIP ..."), as tests/README says.

As a program it puts lsc-sim behind a fake adapter and runs a command
there (build-aux/quickstart --fake-usb uses it; see fakeusb.py --help).
"""

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile

import tap

# Set in the environment of the program re-executed under unshare -m.
NAMESPACE_ENV = "LSC_FAKEUSB_NAMESPACE"

Adapter = collections.namedtuple("Adapter", "vid pid manufacturer product serial driver")
Adapter.__doc__ = """A USB serial adapter: ids, the strings its descriptor has (None:
no such string, so no such file in /sys), and its kind of tty: "ttyUSB"
(usb-serial drivers) or "ttyACM" (cdc_acm)."""

# As the real ones describe themselves (a CH340 has no serial number and,
# often, no manufacturer string).
CH340 = Adapter(0x1a86, 0x7523, None, "USB Serial", None, "ttyUSB")
CH9102 = Adapter(0x1a86, 0x55d4, "WCH.CN", "USB Single Serial", "5434012345", "ttyACM")
CP2102 = Adapter(0x10c4, 0xea60, "Silicon Labs", "CP2102 USB to UART Bridge Controller",
                 "0001", "ttyUSB")
FTDI = Adapter(0x0403, 0x6001, "FTDI", "FT232R USB UART", "A50285BI", "ttyUSB")

# Character device majors of the kinds of tty (as the kernel numbers them).
MAJORS = {"ttyUSB": 188, "ttyACM": 166, "ttyAMA": 204}

# Where the fake host controller sits, as on a PC (by-path names use it).
CONTROLLER = "/sys/devices/pci0000:00/0000:00:14.0"
PCI_NAME = "pci-0000:00:14.0"

# Nodes of the fake /dev besides the adapters: what programs open.
DEV_NODES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
             "urandom": (1, 9), "tty": (5, 0), "ptmx": (5, 2)}


class FakeUsbError(Exception):
    """The fake bus cannot be set up (or is asked something impossible)."""


def namespace_problem():
    """Why this process cannot have a fake bus (None when it can): not
    root, no unshare(1), or unshare -m refused (a container without
    CAP_SYS_ADMIN, a seccomp filter)."""
    if os.geteuid() != 0:
        return "not root (a fake USB bus needs mount namespaces and mounts)"
    if not shutil.which("unshare"):
        return "unshare(1) not found (util-linux)"
    p = subprocess.run(["unshare", "-m", "true"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, check=False)
    if p.returncode != 0:
        return "unshare -m fails: %s" % (p.stderr.strip() or "status %d" % p.returncode)
    return None


def in_private_namespace():
    """Whether this process's mount namespace is not the host's (pid 1's)."""
    try:
        return os.readlink("/proc/self/ns/mnt") != os.readlink("/proc/1/ns/mnt")
    except OSError:
        return os.environ.get(NAMESPACE_ENV) == "1"


def enter_namespace():
    """Run the rest of this program in a private mount namespace: re-execute
    it under unshare -m, or return when already there. Skips the whole test
    file (tap.skip_all) when that is impossible, saying why."""
    if os.environ.get(NAMESPACE_ENV) == "1":
        return
    problem = namespace_problem()
    if problem:
        tap.skip_all("fake USB bus: " + problem)
    env = dict(os.environ, **{NAMESPACE_ENV: "1"})
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                           sys.executable] + sys.argv, env)


def _run(*argv):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       check=False)
    if p.returncode != 0:
        raise FakeUsbError("%s: %s" % (" ".join(argv), p.stderr.strip()))


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def _relative_link(target, link):
    """A symbolic link at link to target, relative as the kernel and udev
    make them."""
    os.symlink(os.path.relpath(target, os.path.dirname(link)), link)


def location_chain(location):
    """'1-1.3.2' -> ['1-1', '1-1.3', '1-1.3.2']: the hubs down to the device."""
    bus, _, ports = location.partition("-")
    if not bus.isdigit() or not ports or not all(p.isdigit() for p in ports.split(".")):
        raise FakeUsbError("bad USB location %r (want BUS-PORT[.PORT]...)" % location)
    parts = ports.split(".")
    return ["%s-%s" % (bus, ".".join(parts[:i])) for i in range(1, len(parts) + 1)]


Port = collections.namedtuple("Port", "name path adapter location bus sysdir by_id by_path")
Port.__doc__ = """A plugged adapter: its tty name, node (/dev/NAME), Adapter, USB
location ("1-1.3") and bus number, its USB device directory in /sys, and
its udev links (by_id is None when another adapter took the same name)."""


class FakeBus:
    """A fake /sys and /dev in this process's (private) mount namespace,
    from start() (or with) to stop(); adapters come and go with plug() and
    unplug(). Programs started meanwhile see only the fake tree."""

    def __init__(self):
        self.ports = {}
        self._ptys = {}
        self._devnum = 1
        self._staging = None
        self._mounted = []

    # ---- life cycle ----
    def start(self):
        """Mount the fake /sys and /dev. Returns self."""
        if not in_private_namespace():
            raise FakeUsbError("refusing to mount over the host's /sys and /dev: "
                               "call fakeusb.enter_namespace() first")
        self._staging = tempfile.mkdtemp(prefix="fakeusb-")
        try:
            self._mount()
        except BaseException:
            self.stop()
            raise
        return self

    def _mount(self):
        pts = os.path.join(self._staging, "pts")
        os.mkdir(pts)
        _run("mount", "--bind", "/dev/pts", pts)
        self._mounted.append(pts)
        _run("mount", "-t", "tmpfs", "-o", "mode=755", "fakesys", "/sys")
        self._mounted.append("/sys")
        _run("mount", "-t", "tmpfs", "-o", "mode=755", "fakedev", "/dev")
        self._mounted.append("/dev")
        self._make_dev()
        _run("mount", "--move", pts, "/dev/pts")
        self._mounted.remove(pts)
        self._make_sys()

    def stop(self):
        """Unplug everything and unmount; the real /sys and /dev are back."""
        for name in list(self.ports):
            self.unplug(name)
        for path in reversed(self._mounted):
            _run("umount", "--recursive", "--lazy", path)
        self._mounted = []
        if self._staging:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _make_dev(self):
        for name, (major, minor) in DEV_NODES.items():
            os.mknod("/dev/" + name, 0o20666, os.makedev(major, minor))
            os.chmod("/dev/" + name, 0o666)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                             ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
            os.symlink(target, "/dev/" + name)
        os.makedirs("/dev/serial/by-id")
        os.makedirs("/dev/serial/by-path")
        os.mkdir("/dev/pts")

    def _make_sys(self):
        os.makedirs("/sys/class/tty")
        os.makedirs("/sys/bus/usb/devices")
        # Virtual consoles: listed in /sys/class/tty, skipped by libserialport.
        for name in ("tty", "console", "ptmx", "tty0"):
            self._class_tty(name, "/sys/devices/virtual/tty/" + name, None)

    def _class_tty(self, name, devdir, dev):
        os.makedirs(devdir)
        if dev:
            _write(os.path.join(devdir, "dev"), "%d:%d" % dev)
            _write(os.path.join(devdir, "uevent"), "MAJOR=%d\nMINOR=%d\nDEVNAME=%s" %
                   (dev[0], dev[1], name))
        _relative_link(devdir, "/sys/class/tty/" + name)

    # ---- the USB tree ----
    def _usb_device(self, path, vid, pid, strings):
        """A USB device directory with its attributes (once)."""
        if os.path.isdir(path):
            return
        os.makedirs(path)
        name = os.path.basename(path)
        bus = name[3:] if name.startswith("usb") else name.split("-")[0]
        _write(os.path.join(path, "busnum"), bus)
        _write(os.path.join(path, "devnum"), str(self._devnum))
        self._devnum += 1
        _write(os.path.join(path, "idVendor"), "%04x" % vid)
        _write(os.path.join(path, "idProduct"), "%04x" % pid)
        for attr, text in zip(("manufacturer", "product", "serial"), strings):
            if text is not None:
                _write(os.path.join(path, attr), text)
        link = "/sys/bus/usb/devices/" + name
        if not os.path.lexists(link):
            _relative_link(path, link)

    def _usb_path(self, location):
        """The directory of the device at location, with the root hub and
        the hubs above it made when missing (hubs have their own busnum:
        a walk up that went too far would find theirs)."""
        chain = location_chain(location)
        bus = chain[0].split("-")[0]
        path = "%s/usb%s" % (CONTROLLER, bus)
        self._usb_device(path, 0x1d6b, 0x0002, ("Linux 6.1.0 xhci-hcd", "xHCI Host Controller",
                                                 "0000:00:14.0"))
        for hub in chain[:-1]:
            path = os.path.join(path, hub)
            if any(p.sysdir == path for p in self.ports.values()):
                raise FakeUsbError("%s is an adapter, not a hub: cannot plug at %s"
                                   % (hub, location))
            self._usb_device(path, 0x05e3, 0x0608, (None, "USB2.0 Hub", None))
        return os.path.join(path, chain[-1])

    # ---- adapters ----
    def plug(self, name, adapter, location, pty=None, interface=0):
        """Plug ADAPTER at USB LOCATION ("1-1.3") as /dev/NAME: its /sys
        tree, its node (the pty at path PTY bind-mounted, or a pty of the
        bus's own when None) and its udev links. Returns the Port."""
        kind = name.rstrip("0123456789")
        if kind != adapter.driver or name in self.ports or kind == name:
            raise FakeUsbError("cannot plug %s as %s" % (adapter.driver, name))
        dev = (MAJORS[kind], int(name[len(kind):]))
        sysdir = self._usb_path(location)
        if os.path.isdir(sysdir):
            raise FakeUsbError("USB location %s is taken" % location)
        self._usb_device(sysdir, adapter.vid, adapter.pid,
                         (adapter.manufacturer, adapter.product, adapter.serial))
        iface = os.path.join(sysdir, "%s:1.%d" % (os.path.basename(sysdir), interface))
        os.makedirs(iface)
        _write(os.path.join(iface, "bInterfaceNumber"), "%02x" % interface)
        if kind == "ttyUSB":
            # usb-serial: interface/ttyUSB0 (the port), then tty/ttyUSB0.
            ttydir = os.path.join(iface, name, "tty", name)
            device = os.path.join(iface, name)
        else:
            ttydir = os.path.join(iface, "tty", name)
            device = iface
        self._class_tty(name, ttydir, dev)
        _relative_link(device, os.path.join(ttydir, "device"))
        path = self._node(name, pty)
        by_id, by_path = self._udev_links(name, adapter, location, interface)
        port = Port(name, path, adapter, location, int(location.split("-")[0]), sysdir,
                    by_id, by_path)
        self.ports[name] = port
        return port

    def _node(self, name, pty):
        """/dev/NAME: the pty at PTY, or a new one the bus holds."""
        if pty is None:
            master, slave = os.openpty()
            self._ptys[name] = (master, slave)
            pty = os.ttyname(slave)
        path = "/dev/" + name
        with open(path, "w", encoding="ascii"):
            pass
        _run("mount", "--bind", pty, path)
        return path

    def _udev_links(self, name, adapter, location, interface):
        """The links udev's 60-serial.rules would make; by-id only when no
        other adapter has the same name (two CH340s without a serial
        number share one: the last plugged gets it, as with udev)."""
        vendor = adapter.manufacturer or "%04x" % adapter.vid
        ident = "_".join(w.replace(" ", "_") for w in (vendor, adapter.product or "%04x" %
                                                       adapter.pid, adapter.serial) if w)
        suffix = "-port0" if adapter.driver == "ttyUSB" else ""
        by_id = "/dev/serial/by-id/usb-%s-if%02d%s" % (ident, interface, suffix)
        ports = location.partition("-")[2]
        by_path = "/dev/serial/by-path/%s-usb-0:%s:1.%d%s" % (PCI_NAME, ports, interface, suffix)
        for link in (by_id, by_path):
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink("../../" + name, link)
        return by_id, by_path

    def unplug(self, name):
        """Take the adapter of /dev/NAME away: its links, node and /sys
        tree (its pty, when the bus holds it, is closed: a program that
        has it open sees the line hang up)."""
        port = self.ports.pop(name)
        for link in (port.by_id, port.by_path):
            if os.path.islink(link) and os.readlink(link) == "../../" + name:
                os.unlink(link)
        _run("umount", "--lazy", port.path)
        os.unlink(port.path)
        for fd in self._ptys.pop(name, ()):
            os.close(fd)
        os.unlink("/sys/class/tty/" + name)
        os.unlink("/sys/bus/usb/devices/" + os.path.basename(port.sysdir))
        shutil.rmtree(port.sysdir)

    def add_uart(self, name, platform="fe201000.serial"):
        """A serial port that is not on USB, as a Raspberry Pi's PL011
        (ttyAMA0): listed, without identity, never a candidate of auto.
        Its node is a pty of the bus's own."""
        kind = name.rstrip("0123456789")
        self._class_tty(name, "/sys/devices/platform/soc/%s/tty/%s" % (platform, name),
                        (MAJORS[kind], int(name[len(kind):])))
        return self._node(name, None)


def main():
    """fakeusb.py [--id VID:PID] [--name ttyUSB0] [--location 1-1]
    [--sim-arg ARG]... [COMMAND [ARG]...]"""
    parser = argparse.ArgumentParser(
        prog="fakeusb.py",
        description="As root, in a private mount namespace: start lsc-sim, plug it into a "
        "fake USB bus as a USB serial adapter (by default a CH340, 1a86:7523, as "
        "/dev/ttyUSB0) and run COMMAND (default: $SHELL) there, so that "
        "lscd --device auto finds it as it finds a board. The host's /sys and /dev are "
        "untouched; everything goes when COMMAND exits.")
    parser.add_argument("--id", default="1a86:7523", help="the adapter's VID:PID")
    parser.add_argument("--name", default="ttyUSB0", help="its node below /dev")
    parser.add_argument("--location", default="1-1", help="its USB port (BUS-PORT[.PORT]...)")
    parser.add_argument("--sim-arg", action="append", default=[], metavar="ARG",
                        help="an argument for lsc-sim (repeatable: --sim-arg=--group "
                        "--sim-arg=1:1500)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    vid, _, pid = args.id.partition(":")
    try:
        ids = (int(vid, 16), int(pid, 16))
    except ValueError:
        parser.error("--id: want VID:PID in hexadecimal, got %r" % args.id)
    kind = args.name.rstrip("0123456789")
    if kind not in ("ttyUSB", "ttyACM") or kind == args.name:
        parser.error("--name: want ttyUSBN or ttyACMN, got %r" % args.name)
    if os.environ.get(NAMESPACE_ENV) != "1":
        problem = namespace_problem()
        if problem:
            sys.exit("fakeusb.py: " + problem)
        os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                               sys.executable] + sys.argv,
                   dict(os.environ, **{NAMESPACE_ENV: "1"}))
    from simharness import Sim  # pylint: disable=import-outside-toplevel
    adapter = Adapter(ids[0], ids[1], None, "USB Serial", None, kind)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    command = command or [os.environ.get("SHELL", "/bin/sh")]
    with Sim(*args.sim_arg) as sim, FakeBus() as bus:
        port = bus.plug(args.name, adapter, args.location, pty=sim.pts)
        print("fakeusb.py: lsc-sim (%s) is %s, USB %s at %s; running %s" %
              (sim.pts, port.path, args.id, args.location, " ".join(command)), flush=True)
        try:
            code = subprocess.call(command)
        except OSError as e:
            print("fakeusb.py: %s: %s" % (command[0], e.strerror), file=sys.stderr)
            code = 127
    sys.exit(code)


if __name__ == "__main__":
    main()
