#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd --device auto, as lscd.service runs it, and lscctl ports, on a fake
USB bus (fakeusb.py: a private mount namespace with a crafted /sys and
/dev; lsc-sim's pty is the adapter's node). Root only: skipped otherwise,
saying why.

- A CH340 beside an FTDI adapter: auto takes the CH340, says why, and
  status shows the requested "auto", the port and its whole identity.
- No candidate at start: lscd says so once, naming the USB ports it saw,
  and connects when a CH340 appears, publishing device.connected with it.
- Unplugged, then plugged again as ttyUSB1: auto finds it, the clients are
  kept and the speeds are sent again before anything else.
- Two CH340s: the first by USB bus and port (not by name), with a warning
  naming the other and the board's stable name; after the board is lost,
  the other is not taken (it is not the board) until SIGUSR1; a candidate
  that another program holds is passed over.
- --usb-id adds a bridge; an explicit /dev/serial/by-id link is followed
  across a replug under another name, and /dev/ttyUSB0 is not, and says so.
- lscctl ports and --json ports: the ports in auto's order, identities, and
  the marks (likely LSC board, auto's first choice).
"""

import fcntl
import json
import os
import signal
import subprocess

import fakeusb

fakeusb.enter_namespace()

# pylint: disable=wrong-import-position
import tap
from fakeusb import CH340, CH9102, CP2102, FTDI, FakeBus
from lscdharness import Lscd
from simharness import Sim, hexbytes

LSCCTL = os.path.join(os.environ.get("top_builddir", "."), "client", "lscctl", "lscctl")
STOP = hexbytes("55 55 02 07")


def usb_json(adapter, location):
    """The identity lscd and lscctl report for ADAPTER at LOCATION."""
    return {"vid": "%04x" % adapter.vid, "pid": "%04x" % adapter.pid,
            "manufacturer": adapter.manufacturer, "product": adapter.product,
            "serial": adapter.serial, "bus": int(location.split("-")[0]), "port": location}


def device_json(requested, path, adapter, location):
    return {"requested": requested, "path": path, "connected": True, "baud": 9600,
            "usb": usb_json(adapter, location)}


def log_lines(lscd, text, level=None):
    """lscd's log lines holding text (at level, as "<4>", when given)."""
    return [l for l in lscd.stderr().splitlines()
            if text in l and (level is None or l.startswith(level))]


def pull(sim, bus, name, client):
    """Unplug the adapter /dev/NAME that is SIM (its pty closes, its /sys
    and /dev entries go); returns the device.disconnected client sees."""
    sim.unplug()
    bus.unplug(name)
    return client.wait_event("device.disconnected")


def stays_disconnected(client, what):
    """client sees no device.connected for more than two reopen periods
    (lscd tries every 500 ms), in which a message said once would repeat."""
    got = client.collect(1.2)
    tap.eq([e for e in got if e.get("event") == "device.connected"], [], what)


def reaches(sim, client):
    """A STOP sent by client reaches this simulator's line."""
    since = sim.mark()
    client.ok("group.stop")
    sim.wait_for("rx", STOP, since=since)


@tap.test
def auto_takes_the_ch340_beside_an_ftdi():
    with Sim() as sim, FakeBus() as bus:
        bus.plug("ttyUSB0", FTDI, "1-1")                  # first in every order
        bus.plug("ttyUSB1", CH340, "1-2", pty=sim.pts)
        with Lscd("auto") as lscd:
            c = lscd.client()
            want = device_json("auto", "/dev/ttyUSB1", CH340, "1-2")
            tap.eq(c.ok("status")["device"], want, "status")
            tap.eq(c.hello["device"], want, "hello")
            reaches(sim, c)
            tap.eq(log_lines(lscd, "--device auto chose"),
                   ['<6>--device auto chose /dev/ttyUSB1, the only port with a known USB id '
                    '(--usb-id): USB 1a86:7523, no manufacturer, product "USB Serial", '
                    'no serial, bus 1 port 1-2'], "the log says what and why")
            tap.eq([l for l in lscd.stderr().splitlines() if l[:3] in ("<3>", "<4>")], [],
                   "and warns of nothing")


@tap.test
def no_candidate_at_start_then_a_ch340_appears():
    with FakeBus() as bus:
        bus.plug("ttyUSB0", FTDI, "1-2")
        with Lscd("auto") as lscd:
            c = lscd.client()
            c.subscribe(["device."])
            tap.eq(c.hello["device"], {"requested": "auto", "path": "auto", "connected": False,
                                       "baud": 9600, "usb": None}, "hello: waiting")
            lscd.wait_log("no serial port with a known USB id")
            stays_disconnected(c, "no candidate: waiting")
            tap.eq(log_lines(lscd, "no serial port"),
                   ["<4>--device auto: no serial port with a known USB id (--usb-id "
                    "1a86:7523, 1a86:55d4, 10c4:ea60); other USB serial ports: /dev/ttyUSB0 "
                    "(0403:6001, bus 1 port 1-2); waiting for one"],
                   "said once, with the ids and the other USB ports")
            with Sim() as sim:
                bus.plug("ttyUSB1", CH340, "1-1.3", pty=sim.pts)
                ev = c.wait_event("device.connected")
                tap.eq(ev["device"], device_json("auto", "/dev/ttyUSB1", CH340, "1-1.3"),
                       "device.connected has the identity")
                reaches(sim, c)
                tap.eq(len(log_lines(lscd, "--device auto chose /dev/ttyUSB1")), 1,
                       "the choice is logged")


@tap.test
def unplug_and_replug_under_another_name():
    with Sim("--group", "8:60000") as sim, FakeBus() as bus:
        bus.plug("ttyUSB0", CH340, "1-1", pty=sim.pts)
        with Lscd("auto") as lscd:
            watcher = lscd.client()
            worker = lscd.client()
            watcher.subscribe(["device."])
            worker.ok("group.speed", group=8, percent=50)
            ev = pull(sim, bus, "ttyUSB0", watcher)
            tap.eq((ev["device"]["requested"], ev["device"]["path"], ev["device"]["connected"]),
                   ("auto", "/dev/ttyUSB0", False), "the lost port")
            since = sim.mark()
            bus.plug("ttyUSB1", CH340, "1-1", pty=sim.replug())
            ev = watcher.wait_event("device.connected")
            tap.eq(ev["device"], device_json("auto", "/dev/ttyUSB1", CH340, "1-1"),
                   "found again under its new name")
            worker.ok("move", servos=[{"id": 1, "position": 1500}], time_ms=0)
            rx = sim.wait_count("rx", 2, since=since)
            tap.eq([r.data for r in rx[:2]], [hexbytes("55 55 05 0B 08 32 00"),
                                              hexbytes("55 55 08 03 01 00 00 01 DC 05")],
                   "the speed re-applied before the move")
            tap.eq(watcher.ok("status")["clients"], 2, "both clients kept")


@tap.test
def two_ch340s_the_first_by_bus_and_port_with_a_warning():
    with Sim() as first, Sim() as second, FakeBus() as bus:
        bus.plug("ttyUSB0", CH340, "1-2", pty=second.pts)
        chosen = bus.plug("ttyUSB1", CH340, "1-1.4", pty=first.pts)
        with Lscd("auto") as lscd:
            c = lscd.client()
            tap.eq(c.ok("status")["device"], device_json("auto", "/dev/ttyUSB1", CH340, "1-1.4"),
                   "1-1.4 comes before 1-2, whatever their names")
            reaches(first, c)
            tap.eq(second.records("rx"), [], "nothing went to the other")
            warnings = log_lines(lscd, "", "<4>")
            tap.eq(warnings, ["<4>--device auto: 2 ports have a known USB id; it took "
                              "/dev/ttyUSB1 (1a86:7523, bus 1 port 1-1.4), the first by USB bus "
                              "and port, not /dev/ttyUSB0 (1a86:7523, bus 1 port 1-2), which it "
                              "will not take if it loses this one (until SIGUSR1). If that is "
                              "not the board, name the board's port in LSCD_DEVICE (see "
                              "lscd(8)); this one is LSCD_DEVICE=%s" % chosen.by_path],
                   "one warning: the other, and the by-path name (a CH340 has no serial)")
            c.subscribe(["device.connected"])
            lscd.signal(signal.SIGUSR1)
            tap.eq(c.wait_event("device.connected")["device"]["path"], "/dev/ttyUSB1",
                   "the same choice again")


@tap.test
def after_a_loss_a_port_passed_over_is_not_taken_until_sigusr1():
    with Sim() as board, Sim() as other, FakeBus() as bus:
        bus.plug("ttyUSB0", CH340, "1-1", pty=board.pts)
        bus.plug("ttyUSB1", CH340, "1-2", pty=other.pts)
        with Lscd("auto") as lscd:
            c = lscd.client()
            c.subscribe(["device."])
            tap.eq(c.ok("status")["device"]["path"], "/dev/ttyUSB0", "the first")
            pull(board, bus, "ttyUSB0", c)
            lscd.wait_log("not taking those it passed over before")
            stays_disconnected(c, "the other CH340 is not the board: not taken")
            tap.eq(log_lines(lscd, "not taking"),
                   ["<4>--device auto: no serial port with a known USB id (--usb-id 1a86:7523, "
                    "1a86:55d4, 10c4:ea60); not taking those it passed over before (SIGUSR1 "
                    "lscd to choose afresh): /dev/ttyUSB1 (1a86:7523, bus 1 port 1-2); "
                    "waiting for one"], "said once, with the way out")
            bus.plug("ttyUSB2", CH340, "1-1", pty=board.replug())
            tap.eq(c.wait_event("device.connected")["device"]["path"], "/dev/ttyUSB2",
                   "the board, back under another name")
            reaches(board, c)
            tap.eq(other.records("rx"), [], "nothing went to the other")
            pull(board, bus, "ttyUSB2", c)
            lscd.signal(signal.SIGUSR1)
            tap.eq(c.wait_event("device.connected")["device"]["path"], "/dev/ttyUSB1",
                   "after SIGUSR1, a choice afresh")
            reaches(other, c)


@tap.test
def a_candidate_another_program_holds_is_passed_over():
    with Sim() as first, Sim() as second, FakeBus() as bus:
        bus.plug("ttyUSB0", CH340, "1-1", pty=first.pts)
        bus.plug("ttyUSB1", CP2102, "1-2", pty=second.pts)   # has a serial number
        holder = os.open("/dev/ttyUSB0", os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            with Lscd("auto") as lscd:
                c = lscd.client()
                tap.eq(c.ok("status")["device"]["path"], "/dev/ttyUSB1", "the next one")
                reaches(second, c)
                warning = log_lines(lscd, "2 ports have a known USB id", "<4>")
                tap.check(len(warning) == 1 and "not /dev/ttyUSB0 (1a86:7523, bus 1 port 1-1) "
                          "[in use by another program]" in warning[0], "says why", warning)
                tap.check("LSCD_DEVICE=/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART_"
                          "Bridge_Controller_0001-if00-port0" in warning[0],
                          "by-id for an adapter with a serial number", warning)
        finally:
            os.close(holder)


@tap.test
def usb_id_adds_a_bridge():
    with Sim() as sim, FakeBus() as bus:
        bus.plug("ttyUSB0", FTDI, "1-1", pty=sim.pts)
        with Lscd("auto", "--usb-id", "0403:6001") as lscd:
            c = lscd.client()
            tap.eq(c.ok("status")["device"], device_json("auto", "/dev/ttyUSB0", FTDI, "1-1"),
                   "the FTDI, by --usb-id")
            reaches(sim, c)


@tap.test
def an_explicit_by_id_link_across_a_replug():
    with Sim() as sim, FakeBus() as bus:
        port = bus.plug("ttyUSB0", CH340, "1-1", pty=sim.pts)
        tap.eq(port.by_id, "/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0", "udev's name")
        with Lscd(port.by_id) as lscd:
            c = lscd.client()
            c.subscribe(["device."])
            tap.eq(c.ok("status")["device"], device_json(port.by_id, port.by_id, CH340, "1-1"),
                   "status: the link, and the identity of the port behind it")
            tap.eq(log_lines(lscd, " is USB "),
                   ['<6>%s is USB 1a86:7523, no manufacturer, product "USB Serial", no serial, '
                    'bus 1 port 1-1' % port.by_id], "logged")
            reaches(sim, c)
            pull(sim, bus, "ttyUSB0", c)
            bus.plug("ttyUSB1", CH340, "1-1", pty=sim.replug())
            ev = c.wait_event("device.connected")
            tap.eq(ev["device"], device_json(port.by_id, port.by_id, CH340, "1-1"),
                   "the link now leads to ttyUSB1")
            reaches(sim, c)


@tap.test
def an_explicit_ttyusb_name_says_how_to_follow_the_adapter():
    with Sim() as sim, FakeBus() as bus:
        bus.plug("ttyUSB0", CH340, "1-1", pty=sim.pts)
        with Lscd("/dev/ttyUSB0") as lscd:
            c = lscd.client()
            c.subscribe(["device."])
            pull(sim, bus, "ttyUSB0", c)
            bus.plug("ttyUSB1", CH340, "1-1", pty=sim.replug())
            stays_disconnected(c, "a path names one node: ttyUSB1 is not taken")
            tap.eq(log_lines(lscd, "Cannot open"),
                   ["<4>Cannot open /dev/ttyUSB0: No such file or directory (a USB adapter "
                    "plugged in again may get another number: name it by /dev/serial/by-id or "
                    "/dev/serial/by-path, see lscd(8)); waiting for it"], "said once, how to")


def lscctl_ports(*args):
    p = subprocess.run([LSCCTL] + list(args) + ["ports"], capture_output=True, text=True,
                       timeout=60, check=False)
    tap.eq((p.returncode, p.stderr), (0, ""), "lscctl %s ports" % " ".join(args))
    return p.stdout


@tap.test
def lscctl_ports_in_autos_order_with_identity_and_marks():
    with Sim() as sim, FakeBus() as bus:
        bus.plug("ttyUSB0", FTDI, "1-3")
        bus.plug("ttyUSB1", CH340, "1-1.2", pty=sim.pts)
        bus.plug("ttyACM0", CH9102, "1-1.10")
        bus.add_uart("ttyAMA0")
        tap.eq([json.loads(l) for l in lscctl_ports("--json").splitlines()], [
            {"path": "/dev/ttyUSB1", "description": "USB Serial",
             "usb": usb_json(CH340, "1-1.2"), "lsc": True, "auto": True},
            {"path": "/dev/ttyACM0", "description": "USB Single Serial - 5434012345",
             "usb": usb_json(CH9102, "1-1.10"), "lsc": True, "auto": False},
            {"path": "/dev/ttyUSB0", "description": "FT232R USB UART - A50285BI",
             "usb": usb_json(FTDI, "1-3"), "lsc": False, "auto": False},
            {"path": "/dev/ttyAMA0", "description": "ttyAMA0", "usb": None, "lsc": False,
             "auto": False}], "--json ports")
        tap.eq(lscctl_ports().splitlines(), [
            "DEVICE           USB ID    USB PORT  PRODUCT                  SERIAL",
            "/dev/ttyUSB1     1a86:7523 1-1.2     USB Serial               -  "
            "(likely LSC board; --device auto's first choice)",
            "/dev/ttyACM0     1a86:55d4 1-1.10    USB Single Serial        5434012345  "
            "(likely LSC board)",
            "/dev/ttyUSB0     0403:6001 1-3       FT232R USB UART          A50285BI",
            "/dev/ttyAMA0     -         -         ttyAMA0                  -"], "ports")
        with Lscd("auto") as lscd:
            tap.eq(lscd.client().ok("status")["device"]["path"], "/dev/ttyUSB1",
                   "lscd takes the port marked as auto's first choice")


tap.main()
