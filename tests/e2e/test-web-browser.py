#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd-web end to end in a real browser: lsc-sim, lscd and lscd-web, and
headless Chromium driven through its DevTools protocol (cdp.py). The page
shows the battery; a slider's move reaches the wire as the exact frame; a
click on Stop (and the Escape key) puts a STOP on the wire (the time it
took is printed; bench/ measures it against the issue's 100 ms); a group's
button runs it and group.completed shows in the page's log; the page's
claim ends when its tab closes; the page is usable at 390x844. Screenshots
of both layouts go to $LSCD_WEB_SCREENSHOTS when set (make web-screenshots).
Skips visibly without Chromium or python3-websockets."""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile

import tap

try:
    import websockets  # noqa: F401  pylint: disable=unused-import
except ImportError:
    # The build's python may not be Debian's, which has python3-websockets.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3") and \
            subprocess.call(["/usr/bin/python3", "-c", "import websockets"]) == 0:
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    tap.skip_all("python3-websockets is not installed (build-aux/deps installs it)")

from cdp import Browser, chromium_path  # noqa: E402
from lscdharness import ROBOT  # noqa: E402
from webharness import running_web  # noqa: E402

STOP = bytes.fromhex("55 55 02 07")
# gripper (servo 6, no trim) to 1600 in the page's default 300 ms.
GRIPPER_1600 = bytes.fromhex("55 55 08 03 01 2c 01 06 40 06")
# The issue asks for the STOP on the wire within 100 ms of the click. No
# test asserts on time (tests/README): this one checks that the click puts
# a STOP on the wire and says how long it took; bench/run --only web
# measures p50 and p99 over 100 clicks against that bound.
STOP_BOUND_MS = 100
TOKEN = "correct horse battery staple"


def main():
    if not chromium_path():
        tap.skip_all("chromium is not installed (Debian package chromium; build-aux/deps)")
    shots = os.environ.get("LSCD_WEB_SCREENSHOTS") or tempfile.mkdtemp(prefix="lscd-web-shots-")
    loop = asyncio.new_event_loop()
    with running_web("--group", "8:300", robot=ROBOT) as (sim, lscd, web):
        browser = Browser()
        loop.run_until_complete(browser.__aenter__())
        try:
            failed = tap.run(scenario(loop, sim, lscd, web, browser, shots))
        finally:
            loop.run_until_complete(browser.__aexit__(None, None, None))
    sys.exit(1 if failed else 0)


def scenario(loop, sim, lscd, web, browser, shots):
    ctx = {}

    def run(coro):
        return loop.run_until_complete(coro)

    def page_shows_battery():
        async def go():
            page = ctx["page"] = await browser.page(web.origin + "/", 1280, 900)
            await page.wait("document.body.dataset.ready", "the page is ready")
            mv = await page.wait("document.getElementById('battery').dataset.millivolts",
                                 "a battery value")
            text = await page.eval("document.getElementById('battery').textContent")
            tap.eq(text, "%.2f V" % (int(mv) / 1000), "battery shown")
            tap.eq(int(mv), lscd.client().ok("battery")["millivolts"], "lscd's value")
            names = await page.eval("[...document.querySelectorAll('.servo .name')]"
                                    ".map(e => e.textContent)")
            tap.check({"shoulder", "elbow", "gripper"} <= set(names), "a slider per servo", names)
        run(go())

    def slider_move_is_the_exact_frame():
        async def go():
            since = sim.mark()
            await ctx["page"].eval("""(() => {
                const s = document.querySelector('input[type=range][data-servo=gripper]');
                s.value = 1600; s.dispatchEvent(new Event('change')); })()""")
            sim.wait_for("rx", GRIPPER_1600, since)
        run(go())

    def stop_click_puts_stop_on_the_wire():
        async def go():
            await asyncio.sleep(0.3)    # the slider's move is long over
            since = sim.mark()
            clicked = await ctx["page"].click("#stop")
            record = sim.wait_for("rx", STOP, since)
            first = next(r for r in sim.records()[since:] if r.kind == "rx")
            tap.eq(first.data, STOP, "the first frame after the click")
            tap.check(record.t > clicked, "after the click")
            tap.diag("click to STOP on the wire: %.1f ms (the issue's bound: %d ms; "
                     "bench/run --only web)" % ((record.t - clicked) * 1000, STOP_BOUND_MS))
        run(go())

    def stop_cancels_the_slider_move_still_waiting():
        async def go():
            await asyncio.sleep(0.3)
            since = sim.mark()
            # A drag's move waits up to 100 ms to be sent: Stop comes first,
            # in the same task, so that a loaded machine cannot let the
            # page's timer fire between the two.
            await ctx["page"].eval("""(() => {
                const s = document.querySelector('input[type=range][data-servo=gripper]');
                s.value = 1700; s.dispatchEvent(new Event('input'));
                document.getElementById('stop').click(); })()""")
            sim.wait_for("rx", STOP, since)
            await asyncio.sleep(0.5)    # five times the page's delay
            moves = [r for r in sim.records()[since:] if r.kind == "rx" and r.data[3:4] == b"\x03"]
            tap.eq(moves, [], "no move after the Stop")
        run(go())

    def stop_without_a_session_and_when_it_fails():
        async def go():
            page = ctx["page"]
            session = await page.eval("window.realFetch = window.fetch, state.session")
            await page.eval("state.session = '%s'" % ("0" * 32))
            since = sim.mark()
            await page.click("#stop")
            sim.wait_for("rx", STOP, since)     # a session that has ended still stops
            # The first try fails: the page tries again.
            await page.eval("""(() => { const real = window.fetch; let n = 0;
                window.fetch = (...a) => (n++ ? real(...a)
                                              : Promise.reject(new TypeError('offline'))); })()""")
            since = sim.mark()
            await page.click("#stop")
            sim.wait_for("rx", STOP, since)     # a failed try is tried again
            await page.eval("""(() => { window.tries = 0; window.fetch = () => {
                window.tries++; return Promise.reject(new TypeError('offline')); }; })()""")
            await page.click("#stop")
            await page.wait("document.getElementById('conn').textContent === 'STOP FAILED'",
                            "the page says the stop failed")
            tap.eq(await page.eval("window.tries"), 3, "after 3 tries")
            tap.check(await page.eval("document.getElementById('stop').classList.contains('failed')"),
                      "the Stop button shows it")
            tap.check(await page.eval("document.getElementById('log').textContent"
                                      ".includes('STOP FAILED')"), "and the log")
            await page.eval("window.fetch = window.realFetch, state.session = '%s'" % session)
            await stop_clears_the_mark(page)
        run(go())

    async def stop_clears_the_mark(page):
        since = sim.mark()
        await page.click("#stop")
        sim.wait_for("rx", STOP, since)
        await page.wait("!document.getElementById('stop').classList.contains('failed')",
                        "a stop that works clears the mark")

    def stop_fails_within_seconds_when_lscd_does_not_answer():
        async def go():
            page = ctx["page"]
            lscd.signal(signal.SIGSTOP)
            try:
                await page.click("#stop")
                # Each try gives up after 2 s, not --request-timeout's 60.
                await page.wait("document.getElementById('stop').classList.contains('failed')",
                                "STOP FAILED, with lscd stopped")
                tap.check(await page.eval("document.getElementById('log').textContent"
                                          ".includes('no answer within 2 s')"), "the log says why")
            finally:
                lscd.signal(signal.SIGCONT)
            await stop_clears_the_mark(page)
        run(go())

    def stop_after_the_login_ended_stays_and_says_so():
        # 16 newer logins push the page's out: its stream ends, the page
        # says it is logged out; STOP then fails, loudly, and stays.
        with running_web(robot=ROBOT, token=TOKEN) as (sim2, lscd2, web2):
            async def go():
                page = await browser.page(web2.origin + "/login.html", 1280, 900)
                status = await page.eval(
                    "fetch('/api/login', {method: 'POST', body: JSON.stringify({token: '%s'}), "
                    "headers: {'Content-Type': 'application/json', 'X-LSC-Request': '1'}})"
                    ".then((r) => r.status)" % TOKEN)
                tap.eq(status, 200, "the page logs in")
                await page.goto(web2.origin + "/")
                await page.wait("document.body.dataset.ready", "the page is ready")
                for _ in range(16):
                    tap.eq(web2.request("POST", "/api/login", {"token": TOKEN})[0], 200, "a newer login")
                await page.wait("document.body.dataset.loggedOut === '1'",
                                "the page sees its login ended")
                tap.eq(await page.eval("document.getElementById('conn').textContent"), "logged out",
                       "and shows it")
                since = sim2.mark()
                await page.click("#stop")
                await page.wait("document.getElementById('stop').classList.contains('failed')",
                                "STOP FAILED without a login")
                tap.eq(await page.eval("location.pathname"), "/", "the page stays")
                tap.check(await page.eval("document.getElementById('log').textContent"
                                          ".includes('STOP FAILED (not logged in)')"), "the log says why")
                tap.eq([r for r in sim2.records()[since:] if r.data == STOP], [], "nothing reached the wire")
                await browser.send("Target.closeTarget", targetId=page.target)
            run(go())

    def escape_key_sends_stop():
        async def go():
            since = sim.mark()
            await ctx["page"].key("Escape", "Escape", 27)
            sim.wait_for("rx", STOP, since)
        run(go())

    def group_button_and_group_completed_in_log():
        async def go():
            page = ctx["page"]
            await page.click("button[data-group=wave]")
            sim.wait_for("rx", bytes.fromhex("55 55 05 06 08 01 00"))
            await page.wait("document.getElementById('log').textContent"
                            ".includes('group.completed')", "group.completed in the log")
            await page.screenshot(os.path.join(shots, "lscd-web-desktop.png"))
        run(go())

    def drive_claim_ends_with_the_tab():
        async def go():
            page = await browser.page(web.origin + "/", 800, 700)
            await page.wait("document.body.dataset.ready", "the second page is ready")
            watcher = lscd.client()
            watcher.subscribe(["claim."])
            await page.click("#drive")
            acquired = watcher.wait_event("claim.acquired")
            tap.eq(acquired["by"]["name"], "web panel", "the page's hello names the claim")
            other = watcher.request("move", servos=[{"id": 6, "position": 1500}], time_ms=0)
            tap.eq(other["error"]["code"], "claimed", "another client is refused")
            await page.wait("document.getElementById('claims').textContent.includes('web panel')",
                            "the claim is shown")
            await browser.send("Target.closeTarget", targetId=page.target)
            expired = watcher.wait_event("claim.expired")
            tap.eq(expired["claim"], acquired["claim"], "closing the tab ended the claim")
        run(go())

    def phone_layout_usable():
        async def go():
            page = await browser.page(web.origin + "/", 390, 844, mobile=True)
            await page.wait("document.body.dataset.ready", "the phone page is ready")
            width = await page.eval("document.documentElement.scrollWidth")
            tap.check(width <= 390, "nothing wider than the screen", width)
            stop = await page.center("#stop")
            tap.check(0 <= stop[1] - stop[3] / 2 and stop[1] + stop[3] / 2 <= 844 and
                      stop[3] >= 44, "Stop is on screen and large", stop)
            slider = await page.center("input[type=range][data-servo=shoulder]")
            tap.check(slider[2] >= 150, "sliders are wide enough to drag", slider)
            await page.eval("window.scrollTo(0, document.body.scrollHeight)")
            stop = await page.center("#stop")
            tap.check(stop[1] + stop[3] / 2 <= 844, "Stop stays on screen when scrolled", stop)
            since = sim.mark()
            await page.click("#stop")
            sim.wait_for("rx", STOP, since)
            await page.eval("window.scrollTo(0, 0)")
            await page.screenshot(os.path.join(shots, "lscd-web-phone.png"))
        run(go())

    def servo_rows_follow_the_robot_file():
        async def go():
            page = ctx["page"]
            with open(lscd.robot_path, "w") as f:
                f.write(ROBOT.replace("gripper:  {id: 6, min: 1200, max: 2000}",
                                      "claw: {id: 6, min: 1300, max: 1900}\n"
                                      "  wrist: {id: 4, min: 800, max: 2200}"))
            lscd.client().ok("config.reload")
            await page.wait("[...document.querySelectorAll('.servo .name')].map(e => e.textContent)"
                            ".includes('wrist')", "the new servo's row")
            names = await page.eval("[...document.querySelectorAll('.servo .name')]"
                                    ".map(e => e.textContent)")
            tap.eq(sorted(names), ["claw", "elbow", "shoulder", "wrist"], "a row per servo, renamed")
            limit = await page.eval("document.querySelector('input[type=range][data-servo=claw]').max")
            tap.eq(limit, "1900", "with the new limits")
        run(go())

    def screenshots_saved():
        for name in ("lscd-web-desktop.png", "lscd-web-phone.png"):
            with open(os.path.join(shots, name), "rb") as f:
                tap.eq(f.read(8), b"\x89PNG\r\n\x1a\n", name)
        tap.diag("screenshots in " + shots)

    return [page_shows_battery, slider_move_is_the_exact_frame,
            stop_click_puts_stop_on_the_wire, stop_cancels_the_slider_move_still_waiting,
            stop_without_a_session_and_when_it_fails,
            stop_fails_within_seconds_when_lscd_does_not_answer,
            stop_after_the_login_ended_stays_and_says_so, escape_key_sends_stop,
            group_button_and_group_completed_in_log, drive_claim_ends_with_the_tab,
            phone_layout_usable, servo_rows_follow_the_robot_file, screenshots_saved]


main()
