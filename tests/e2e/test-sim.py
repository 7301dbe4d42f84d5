#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Self-tests of lsc-sim: a plain client on the pty sends the reference's host
frames and checks the bytes that come back and the simulator's log."""

import errno
import os
import random
import select
import signal
import socket
import stat
import subprocess
import tempfile
import time

import tap
from simharness import Sim, SimError, hexbytes, sim_argv

# The reference's examples (lsc-serial-protocol-v1.1.md).
MOVE_1 = hexbytes("55 55 08 03 01 E8 03 01 D0 07")
MOVE_2_9 = hexbytes("55 55 0B 03 02 20 03 02 B0 04 09 FC 08")
RUN_8_ONCE = hexbytes("55 55 05 06 08 01 00")
RUN_2_FOREVER = hexbytes("55 55 05 06 02 00 00")
STOP = hexbytes("55 55 02 07")
SPEED_8_50 = hexbytes("55 55 05 0B 08 32 00")
SPEED_ALL_300 = hexbytes("55 55 05 0B FF 2C 01")
BATTERY = hexbytes("55 55 02 0F")
BATTERY_7500 = hexbytes("55 55 04 0F 4C 1D")
COMPLETE_8_ONCE = hexbytes("55 55 05 08 08 01 00")


def run_frame(group, runs):
    return bytes([0x55, 0x55, 0x05, 0x06, group, runs & 0xFF, runs >> 8])


def complete_frame(group, runs):
    return bytes([0x55, 0x55, 0x05, 0x08, group, runs & 0xFF, runs >> 8])


def battery_frame(mv):
    return bytes([0x55, 0x55, 0x04, 0x0F, mv & 0xFF, mv >> 8])


def sim_cli(*args):
    """Run lsc-sim with args, return (status, stdout, stderr)."""
    p = subprocess.run(sim_argv(*args), capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL, check=False)
    return p.returncode, p.stdout, p.stderr


def nothing_before_battery(sim, line, mv=7400):
    """Prove that nothing was sent for what came before: ask the battery and
    check its reply is the very next thing on the line."""
    line.write(BATTERY)
    tap.eq(line.read(6), battery_frame(mv), "next bytes on the line")


@tap.test
def help_and_version():
    code, out, err = sim_cli("--help")
    tap.eq(code, 0, "--help status")
    for word in ("--link", "--baud", "--log", "--control", "--battery-mv", "--no-battery",
                 "--group", "--garbage-every", "--verbose", "--version",
                 "garbage N", "battery on|off", "battery-mv MV", "unplug", "replug",
                 "emit run G N|stop|complete G N", "raw HEX", "group G MS", "state", "quit",
                 "rx HEX", "beep HEX", "discard N", "tx HEX", "SIGTERM"):
        tap.check(word in out, "--help mentions %r" % word)
    tap.eq(err, "", "--help stderr")
    code, out, err = sim_cli("--version")
    tap.eq(code, 0, "--version status")
    tap.check(out.startswith("lsc-sim ") and out.strip().split()[1][0].isdigit(),
              "--version prints 'lsc-sim VERSION'", out)


@tap.test
def bad_flags_are_usage_errors():
    cases = [
        ((), "--link PATH is required"),
        (("--link", "/tmp/x", "--baud", "1234"), "--baud"),
        (("--link", "/tmp/x", "--baud", "fast"), "--baud"),
        (("--link", "/tmp/x", "--group", "255"), "--group"),
        (("--link", "/tmp/x", "--group", "3:x"), "--group"),
        (("--link", "/tmp/x", "--group", "3:3600001"), "--group"),
        (("--link", "/tmp/x", "--battery-mv", "70000"), "--battery-mv"),
        (("--link", "/tmp/x", "--garbage-every", "0:5"), "--garbage-every"),
        (("--link", "/tmp/x", "--garbage-every", "100"), "--garbage-every"),
        (("--link", "/tmp/x", "--bogus"), "bogus"),
        (("--link", "/tmp/x", "extra"), "unexpected argument 'extra'"),
    ]
    for args, needle in cases:
        code, out, err = sim_cli(*args)
        tap.eq(code, 2, "status of %s" % " ".join(args))
        tap.check(needle in err and "--help" in err, "stderr of %s names %r" % (args, needle), err)
        tap.eq(out, "", "stdout of %s" % " ".join(args))


@tap.test
def runtime_errors_are_clear():
    code, _, err = sim_cli("--link", "/nonexistent-dir/lsc.pty")
    tap.eq(code, 1, "status for a link in a missing directory")
    tap.check("/nonexistent-dir/lsc.pty" in err, "error names the link", err)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ttyUSB0")
        with open(path, "w", encoding="ascii") as f:
            f.write("not a link")
        code, _, err = sim_cli("--link", path)
        tap.eq(code, 1, "status for a link path that is a file")
        tap.check("not a symlink" in err, "refuses to replace a file", err)
        with open(path, encoding="ascii") as f:
            tap.eq(f.read(), "not a link", "the file is untouched")
        ctl = os.path.join(d, "ctl")
        os.mkdir(ctl)
        code, _, err = sim_cli("--link", os.path.join(d, "l"), "--control", ctl)
        tap.eq(code, 1, "status for a control path that is a directory")
        tap.check(ctl in err, "error names the control socket", err)
        tap.check(not os.path.lexists(os.path.join(d, "l")), "link removed on failure")


@tap.test
def readiness_link_and_sockets():
    with Sim() as sim:
        tap.check(os.path.islink(sim.link), "link is a symlink")
        tap.eq(os.readlink(sim.link), sim.pts, "link target")
        tap.check(sim.pts.startswith("/dev/pts/"), "pts path", sim.pts)
        tap.check(stat.S_ISSOCK(os.stat(sim.control_path).st_mode), "control socket exists")
        tap.eq(sim.records()[0].kind, "plug", "first log line")
        tap.eq(sim.records()[0].data, sim.pts, "plug names the pts")
        st = sim.state()
        tap.eq(st["running"], None, "running at start")
        unknown = {i: None for i in range(1, 33)}
        tap.eq((st["servos"], st["positions"], st["arrivals"], st["arrivals_mono"]),
               (unknown,) * 4, "servos unknown at power-on")
        tap.eq(st["speeds"], {}, "speeds at power-on")
        tap.eq(st["pty"], sim.pts, "state pty")


@tap.test
def servo_moves_update_positions():
    with Sim() as sim, sim.line() as line:
        line.write(MOVE_1 + MOVE_2_9)
        sim.wait_for("rx", MOVE_2_9)
        tap.eq([r.data for r in sim.records("rx")], [MOVE_1, MOVE_2_9], "rx log")
        servos = sim.state()["servos"]
        tap.eq((servos[1], servos[2], servos[9], servos[3]), (2000, 1200, 2300, None),
               "targets")
        nothing_before_battery(sim, line)


def move_frame(time_ms, *servos):
    """SERVO_MOVE of (id, position) pairs in time_ms."""
    body = bytes([len(servos), time_ms & 0xFF, time_ms >> 8])
    for sid, pos in servos:
        body += bytes([sid, pos & 0xFF, pos >> 8])
    return bytes([0x55, 0x55, len(body) + 2, 0x03]) + body


def usec(seconds):
    """Seconds as printed by lsc-sim (6 decimals) -> exact microseconds."""
    return round(seconds * 1e6)


def between(start, target, time_ms, elapsed_us):
    """Where a servo moving linearly from start to target in time_ms is
    elapsed_us after the move's frame came: rounded half away from zero."""
    dur = time_ms * 1000
    if elapsed_us >= dur:
        return target
    if elapsed_us <= 0:
        return start
    num = 2 * (target - start) * elapsed_us
    step = (abs(num) + dur) // (2 * dur)
    return start + (step if num >= 0 else -step)


def state_after(sim, t_us):
    """The first state taken at or after t_us (CLOCK_MONOTONIC)."""
    def taken_after(_):
        st = sim.state()
        return st if usec(st["now"]) >= t_us else None
    return sim.wait_until(taken_after, "the sim's clock at %d us" % t_us)


def send_move(sim, line, time_ms, *servos):
    """Write a move; return its rx Record (its t is the move's start)."""
    frame = move_frame(time_ms, *servos)
    mark = sim.mark()
    line.write(frame)
    return sim.wait_for("rx", frame, since=mark)


@tap.test
def moves_go_in_a_straight_line():
    # 500 -> 2500 in 65.535 s: a microsecond of pulse per 32.8 ms, so each
    # sample, 0.1 s after the last, is further on, and all of them (within
    # the harness's 10 s timeouts) are on the way.
    with Sim() as sim, sim.line() as line:
        send_move(sim, line, 0, (5, 500))
        rx = send_move(sim, line, 65535, (5, 2500), (6, 1000))
        samples = []
        for _ in range(4):
            time.sleep(0.1)
            st = sim.state()
            samples.append(st["positions"][5])
            want = between(500, 2500, 65535, usec(st["now"] - rx.t))
            tap.eq(st["positions"][5], want, "servo 5 at %.6f" % st["now"])
            tap.check(500 < st["positions"][5] < 2500, "on the way", st["positions"][5])
            tap.eq((st["servos"][5], st["servos"][6]), (2500, 1000), "targets")
            tap.eq(st["positions"][6], None, "a move from an unknown position: unknown")
        tap.check(samples == sorted(samples) and samples[0] < samples[-1],
                  "the position grows", samples)
        arrivals = sim.arrivals(monotonic=True)
        tap.eq(usec(arrivals[5]), usec(rx.t) + 65535000,
               "arrival: the frame's last byte plus its time, to the microsecond")
        tap.eq(arrivals[6], arrivals[5], "servo 6 arrives with servo 5")
        offset = time.time() - time.monotonic()
        tap.check(abs(sim.arrivals()[5] - arrivals[5] - offset) < 0.05,
                  "arrivals are on the wall clock, arrivals_mono on the monotonic one",
                  (sim.arrivals()[5], arrivals[5], offset))
        tap.eq(sim.last_arrival([5, 6], monotonic=True), arrivals[5], "last_arrival")
        tap.eq(sim.last_arrival([5, 7]), None, "last_arrival with an unknown servo")


@tap.test
def a_move_starts_where_the_servo_is():
    with Sim() as sim, sim.line() as line:
        send_move(sim, line, 0, (5, 500))
        first = send_move(sim, line, 65535, (5, 2500))
        time.sleep(0.1)
        second = send_move(sim, line, 300, (5, 1500))
        start = between(500, 2500, 65535, usec(second.t - first.t))
        arrival = usec(sim.arrivals(monotonic=True)[5])
        tap.eq(arrival, usec(second.t) + 300000, "arrival of the new move")
        st = sim.state()
        tap.eq(st["positions"][5], between(start, 1500, 300, usec(st["now"] - second.t)),
               "on the way from where servo 5 was (%d)" % start)
        st = state_after(sim, arrival)
        tap.eq(st["positions"][5], 1500, "at the target once arrived")


@tap.test
def group_start_and_power_cycle_forget_positions():
    with Sim("--group", "8:60000") as sim, sim.line() as line:
        send_move(sim, line, 0, (1, 1200))
        tap.eq(sim.positions()[1], 1200, "a move of 0 ms is there at once")
        line.write(RUN_8_ONCE)
        tap.eq(line.read(7), RUN_8_ONCE, "group 8 runs")
        st = sim.state()
        tap.eq((st["servos"][1], st["positions"][1], st["arrivals"][1]), (None, None, None),
               "a group start makes servos unknown (groups carry no positions)")
        send_move(sim, line, 0, (2, 1800))
        line.write(STOP)
        tap.eq(line.read(4), STOP, "the group stops")
        st = sim.state()
        tap.eq((st["servos"][2], st["positions"][2]), (1800, 1800),
               "a move after the start is known, and a STOP keeps it")
        line.close()
        sim.unplug()
        sim.replug()
        st = sim.state()
        tap.eq((st["servos"][2], st["positions"][2], st["arrivals_mono"][2]),
               (None, None, None), "a power cycle makes servos unknown")


@tap.test
def run_echoes_then_completes():
    with Sim("--group", "8:200") as sim, sim.line() as line:
        line.write(RUN_8_ONCE)
        tap.eq(line.read(7), RUN_8_ONCE, "echo")
        tap.eq(line.read(7), COMPLETE_8_ONCE, "completion")
        rx = sim.wait_for("rx", RUN_8_ONCE)
        echo = sim.wait_for("tx", RUN_8_ONCE)
        done = sim.wait_for("tx", COMPLETE_8_ONCE)
        tap.check(rx.t <= echo.t <= done.t, "log order rx <= echo <= complete")
        # The board's own timing (not our speed): a run lasts its duration.
        tap.check(done.t - rx.t >= 0.2 - 1e-6, "COMPLETE not before 200 ms",
                  "%.6f" % (done.t - rx.t))
        tap.eq(sim.state()["running"], None, "idle after completion")


@tap.test
def runs_and_speed_scale_the_duration():
    with Sim("--group", "8:100") as sim, sim.line() as line:
        line.write(SPEED_8_50)
        sim.wait_for("rx", SPEED_8_50)
        tap.eq(sim.state()["speeds"], {8: 50}, "speed stored")
        line.write(run_frame(8, 3))
        tap.eq(line.read(7), run_frame(8, 3), "echo")
        tap.eq(line.read(7), complete_frame(8, 3), "completion")
        rx = sim.wait_for("rx", run_frame(8, 3))
        done = sim.wait_for("tx", complete_frame(8, 3))
        tap.check(done.t - rx.t >= 100 * 100 / 50 * 3 / 1000 - 1e-6,
                  "COMPLETE after duration*100/percent*runs", "%.6f" % (done.t - rx.t))
        line.write(SPEED_ALL_300)
        sim.wait_for("rx", SPEED_ALL_300)
        tap.eq(set(sim.state()["speeds"].values()), {300}, "every group at 300 %")
        tap.eq(len(sim.state()["speeds"]), 255, "groups 0..254 set")


@tap.test
def run_forever_then_stop():
    with Sim("--group", "2:50") as sim, sim.line() as line:
        line.write(RUN_2_FOREVER)
        tap.eq(line.read(7), RUN_2_FOREVER, "echo")
        # Several durations later it still runs: a forever run never completes.
        line.read_for(0.3)
        st = sim.state()
        tap.eq((st["running"], st["runs"]), (2, 0), "still running")
        line.write(STOP)
        tap.eq(line.read(4), STOP, "STOP reported")
        tap.check(all(r.data[3] != 0x08 for r in sim.records("tx")),
                  "no COMPLETE for a forever run")
        tap.eq(sim.state()["running"], None, "idle after STOP")
        line.write(STOP)
        nothing_before_battery(sim, line)
        tap.eq([r.data for r in sim.records("rx")], [RUN_2_FOREVER, STOP, STOP, BATTERY], "rx")
        tap.eq(len([r for r in sim.records("tx") if r.data == STOP]), 1, "STOP while idle: nothing")


@tap.test
def run_replaces_running_group_without_stop():
    with Sim("--group", "8:5000", "--group", "9:100") as sim, sim.line() as line:
        line.write(RUN_8_ONCE)
        tap.eq(line.read(7), RUN_8_ONCE, "echo 8")
        line.write(run_frame(9, 1))
        tap.eq(line.read(7), run_frame(9, 1), "echo 9 (no STOP first)")
        tap.eq(line.read(7), complete_frame(9, 1), "only 9 completes")
        tap.eq(sim.state()["running"], None, "idle")
        tap.check(all(r.data != STOP for r in sim.records("tx")), "no STOP sent")


@tap.test
def battery_voltage_and_switch():
    with Sim("--battery-mv", "7500") as sim, sim.line() as line:
        line.write(BATTERY)
        tap.eq(line.read(6), BATTERY_7500, "reply")
        tap.eq(sim.wait_for("tx", BATTERY_7500).kind, "tx", "tx logged")
        tap.eq(sim.command("battery off"), "battery=off", "battery off")
        line.write(BATTERY)
        sim.wait_count("rx", 2)
        tap.eq(sim.command("battery on"), "battery=on", "battery on")
        tap.eq(sim.command("battery-mv 6123"), "battery_mv=6123", "battery-mv")
        nothing_before_battery(sim, line, 6123)


@tap.test
def no_battery_flag_never_answers():
    with Sim("--no-battery", "--group", "1:10") as sim, sim.line() as line:
        line.write(BATTERY + run_frame(1, 1))
        tap.eq(line.read(7), run_frame(1, 1), "first reply is the RUN echo")
        tap.eq(sim.state()["battery"], "off", "state")


@tap.test
def group_not_downloaded_is_ignored():
    with Sim("--group", "1:100") as sim, sim.line() as line:
        line.write(run_frame(2, 1))
        note = sim.wait_for("note")
        tap.eq(note.data, "group 2 not downloaded", "note")
        tap.eq(sim.wait_for("rx").data, run_frame(2, 1), "still logged as received")
        nothing_before_battery(sim, line)
        tap.eq(sim.state()["running"], None, "nothing runs")
        tap.eq(sim.command("group 2 30"), "group=2 duration_ms=30", "define group 2")
        line.write(run_frame(2, 1))
        tap.eq(line.read(14), run_frame(2, 1) + complete_frame(2, 1), "now it runs")


@tap.test
def default_groups_are_0_to_15():
    with Sim() as sim, sim.line() as line:
        line.write(run_frame(16, 1))
        sim.wait_for("note", "group 16 not downloaded")
        line.write(run_frame(15, 0))
        tap.eq(line.read(7), run_frame(15, 0), "group 15 runs")


@tap.test
def malformed_frames_beep():
    with Sim() as sim, sim.line() as line:
        for frame in (hexbytes("55 55 02 01"), COMPLETE_8_ONCE, BATTERY_7500,
                      hexbytes("55 55 05 06 FF 01 00"), hexbytes("55 55 05 0B 01 00 00"),
                      hexbytes("55 55 08 03 01 E8 03 00 D0 07"),
                      hexbytes("55 55 08 03 01 E8 03 01 B8 0B")):
            mark = sim.mark()
            line.write(frame)
            tap.eq(sim.wait_for("beep", since=mark).data, frame, "beep logged")
            nothing_before_battery(sim, line)
        tap.eq(sim.records("rx"), [r for r in sim.records("rx") if r.data == BATTERY],
               "malformed frames are not rx")
        tap.eq(sim.state()["servos"][1], None, "a malformed move moves nothing")


@tap.test
def host_garbage_is_discarded():
    with Sim() as sim, sim.line() as line:
        line.write(hexbytes("01 02 03 55 04") + BATTERY)
        tap.eq(line.read(6), battery_frame(7400), "frame after garbage answered")
        tap.eq(sim.wait_for("discard").data, 5, "discard count")
        tap.eq(sim.records("discard")[0].t <= sim.records("rx")[0].t, True, "discard before rx")


@tap.test
def every_frame_is_found_in_noise():
    rnd = random.Random(20261121)
    frames, stream, noise = [], b"", 0
    for i in range(300):
        if i % 3:
            servo = rnd.randint(1, 32)
            frame = bytes([0x55, 0x55, 0x08, 0x03, 0x01, 0x10, 0x00, servo]) + \
                rnd.randint(500, 2500).to_bytes(2, "little")
        else:
            frame = bytes([0x55, 0x55, 0x05, 0x0B, rnd.randint(0, 255)]) + \
                rnd.randint(1, 400).to_bytes(2, "little")
        junk = bytes(rnd.choice([b for b in range(256) if b != 0x55])
                     for _ in range(rnd.randint(0, 6)))
        frames.append(frame)
        stream += junk + frame
        noise += len(junk)
    with Sim(baud=115200) as sim, sim.line() as line:
        for k in range(0, len(stream), 97):     # odd-sized writes split frames anywhere
            line.write(stream[k:k + 97])
        rx = sim.wait_count("rx", len(frames))
        tap.eq([r.data for r in rx], frames, "every frame, in order, nothing else")
        sim.wait_until(lambda records: sum(r.data for r in records if r.kind == "discard")
                       >= noise, "%d bytes discarded" % noise)
        tap.eq(sum(r.data for r in sim.records("discard")), noise, "every noise byte discarded")
        tap.eq(sim.records("beep"), [], "no beep")


@tap.test
def pacing_spaces_frames_by_wire_time():
    with Sim() as sim, sim.line() as line:
        frames = [bytes([0x55, 0x55, 0x08, 0x03, 0x01, 0xE8, 0x03, 0x01]) +
                  (600 + 50 * i).to_bytes(2, "little") for i in range(20)]
        line.write(b"".join(frames))
        rx = sim.wait_count("rx", 20)
        tap.eq([r.data for r in rx], frames, "all frames in order")
        frame_time = sim.byte_time(10)
        gaps = [b.t - a.t for a, b in zip(rx, rx[1:])]
        tap.check(min(gaps) >= 0.9 * frame_time, "frames spaced by >= 0.9 frame time",
                  "min gap %.6f s, frame time %.6f s" % (min(gaps), frame_time))
        tap.check(rx[-1].t - rx[0].t >= 19 * 0.9 * frame_time, "20 frames span 19 frame times")


@tap.test
def pacing_follows_the_baud_rate():
    with Sim(baud=115200) as sim, sim.line() as line:
        line.write(BATTERY * 20)
        rx = sim.wait_count("rx", 20)
        gaps = [b.t - a.t for a, b in zip(rx, rx[1:])]
        tap.check(min(gaps) >= 0.9 * sim.byte_time(4), "spacing at 115200",
                  "min gap %.6f" % min(gaps))
        tap.eq(line.read(6 * 20), battery_frame(7400) * 20, "20 replies")


@tap.test
def unplug_and_replug_keep_the_path():
    with Sim() as sim:
        line = sim.line()
        line.write(SPEED_8_50)
        sim.wait_for("rx", SPEED_8_50)
        tap.eq(sim.state()["speeds"], {8: 50}, "speed before unplug")
        # The start of a frame, cut off by the unplug: its bytes are logged
        # as discarded, not lost from the log. A generous wait lets the
        # paced reader take them (4 byte times) first.
        line.write(hexbytes("55 55 05 06"))
        select.select([], [], [], 0.5)
        old = sim.pts
        sim.unplug()
        tap.check(not os.path.lexists(sim.link), "link removed at unplug")
        sim.wait_for("unplug")
        kinds = [(r.kind, r.data) for r in sim.records() if r.kind in ("discard", "unplug")]
        tap.eq(kinds, [("discard", 4), ("unplug", None)], "cut frame logged as discarded")
        ready, _, _ = select.select([line.fd], [], [], 5)
        tap.check(ready, "the client sees the line go")
        try:
            got = os.read(line.fd, 16)
            tap.eq(got, b"", "end of file")
        except OSError as e:
            tap.eq(e.errno, errno.EIO, "read after unplug")
        line.close()
        with tap.raises(SimError, "error for emit while unplugged"):
            sim.command("emit stop")
        tap.eq(sim.state()["pty"], "unplugged", "state while unplugged")
        pts = sim.replug()
        tap.eq(sim.wait_for("replug").data, pts, "replug logged with the pts")
        tap.eq(os.readlink(sim.link), pts, "same link path, new pty")
        tap.diag("pts before %s, after %s" % (old, pts))
        tap.eq(sim.state()["speeds"], {}, "speeds forgotten (power cycle)")
        with sim.line() as again:
            nothing_before_battery(sim, again)


@tap.test
def client_reopen_keeps_the_line():
    with Sim() as sim:
        for _ in range(3):
            with sim.line() as line:
                nothing_before_battery(sim, line)
        tap.eq(len(sim.records("rx")), 3, "three sessions answered")


@tap.test
def emit_as_the_gamepad():
    with Sim("--group", "3:100") as sim, sim.line() as line:
        tap.eq(sim.command("emit run 3 1"), "", "emit run")
        tap.eq(line.read(14), run_frame(3, 1) + complete_frame(3, 1), "RUN then COMPLETE")
        sim.command("emit run 3 0")
        tap.eq(line.read(7), run_frame(3, 0), "RUN forever")
        tap.eq(sim.state()["running"], 3, "running")
        sim.command("emit stop")
        tap.eq(line.read(4), STOP, "STOP")
        tap.eq(sim.state()["running"], None, "stopped")
        sim.command("emit complete 5 2")
        tap.eq(line.read(7), complete_frame(5, 2), "COMPLETE")
        tx = [r.data for r in sim.records("tx")]
        tap.eq(tx, [run_frame(3, 1), complete_frame(3, 1), run_frame(3, 0), STOP,
                    complete_frame(5, 2)], "tx log")
        with tap.raises(SimError, "emit run of a group not downloaded"):
            sim.command("emit run 40 1")


@tap.test
def garbage_and_raw_on_command():
    with Sim() as sim, sim.line() as line:
        sim.command("garbage 200")
        got = line.read(200)
        tap.check(0x55 not in got, "garbage never holds 0x55")
        tap.eq(sim.wait_for("tx-garbage").data, got, "tx-garbage logged")
        sim.command("raw 55 55 0207 AB")
        tap.eq(line.read(5), STOP + b"\xab", "raw bytes verbatim")
        tap.eq(sim.wait_for("tx-raw").data, STOP + b"\xab", "tx-raw logged")


@tap.test
def garbage_every_flag():
    with Sim("--garbage-every", "20:8") as sim, sim.line() as line:
        got = line.read(40)
        tap.check(0x55 not in got, "periodic garbage never holds 0x55")
        records = sim.wait_count("tx-garbage", 5)
        tap.check(got in b"".join(r.data for r in sim.records("tx-garbage")),
                  "what the line carried was logged as tx-garbage")
        tap.check(all(len(r.data) == 8 for r in records), "8 bytes a time")


@tap.test
def control_errors_are_clear():
    with Sim() as sim:
        for line, needle in (("bogus", "unknown command 'bogus'"), ("", "empty command"),
                             ("garbage", "usage: garbage N"), ("garbage 0", "N must be"),
                             ("battery maybe", "on or off"), ("battery-mv -1", "MV must be"),
                             ("group 255 10", "G must be"), ("emit jump", "usage: emit"),
                             ("emit run 1", "usage: emit run G N"), ("raw 5", "not hex"),
                             ("raw zz", "not hex"), ("replug", "already plugged"),
                             ("raw 55 55\x00 02 07", "NUL byte")):
            reply = sim.command_raw(line)
            tap.check(reply.startswith("error ") and needle in reply,
                      "%r -> error with %r" % (line, needle), reply)
        tap.check(sim.command_raw("help").startswith("ok garbage"), "help lists commands")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(sim.control_path)
            s.sendall(b"raw " + b"55" * 1000 + b"\n")
            reply = s.makefile("rb").read()
            tap.eq(reply, b"error line too long\n", "a line over 1024 bytes, then close")
        tap.eq(sim.command("state").split()[0], "running=none", "others still served")


@tap.test
def quit_and_sigterm_clean_up():
    sim = Sim().start()
    tap.eq(sim.command_raw("quit"), "ok", "quit reply")
    tap.eq(sim.proc.wait(10), 0, "exit status after quit")
    tap.check(not os.path.lexists(sim.link), "link removed after quit")
    tap.check(not os.path.lexists(sim.control_path), "socket removed after quit")
    sim.stop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        sim = Sim().start()
        sim.proc.send_signal(sig)
        tap.eq(sim.proc.wait(10), 0, "exit status after %s" % sig.name)
        tap.check(not os.path.lexists(sim.link), "link removed after %s" % sig.name)
        tap.check(not os.path.lexists(sim.control_path), "socket removed after %s" % sig.name)
        sim.stop()


tap.main()
