# SPDX-License-Identifier: MIT
"""cdp.py: headless Chromium driven through the DevTools protocol, for the
tests and the bench of lscd-web. It speaks the protocol with Debian's
python3-websockets (asyncio); no browser is downloaded.

    async with Browser() as browser:
        page = await browser.page(url, 1280, 900)
        await page.eval("document.title")
        await page.click("#stop")
        await page.screenshot("panel.png")

Chromium runs with a throw-away profile in a temporary directory, on a
DevTools port it picks (read from its stderr), and is killed at the end,
whatever happens. chromium_path() is None when it is not installed:
callers skip visibly.
"""

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import websockets

TIMEOUT = 30.0


def chromium_path():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class CdpError(Exception):
    pass


class Page:
    """One tab, attached with a flat session."""

    def __init__(self, browser, session):
        self.browser = browser
        self.session = session
        self.target = None
        self.loaded = asyncio.Event()
        self.console = []

    async def send(self, method, **params):
        return await self.browser.send(method, session=self.session, **params)

    async def eval(self, expression):
        """The value of EXPRESSION (awaited when a promise), by value."""
        r = await self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                            awaitPromise=True)
        if "exceptionDetails" in r:
            raise CdpError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    async def wait(self, expression, what, timeout=TIMEOUT):
        """Poll EXPRESSION until it is true; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError("%s: not within %.0f s (console: %s)"
                                   % (what, timeout, self.console[-10:]))
            await asyncio.sleep(0.02)

    async def center(self, selector):
        box = await self.eval("(() => { const r = document.querySelector(%s)"
                              ".getBoundingClientRect(); return [r.x + r.width / 2,"
                              " r.y + r.height / 2, r.width, r.height]; })()"
                              % json.dumps(selector))
        return box

    async def click(self, selector):
        """A real mouse click at the middle of SELECTOR's element. Returns
        time.monotonic() just before the button goes up (when "click"
        fires)."""
        x, y, _, _ = await self.center(selector)
        await self.send("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y,
                        button="left", clickCount=1)
        t = time.monotonic()
        await self.send("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y,
                        button="left", clickCount=1)
        return t

    async def key(self, key, code, keycode):
        await self.send("Input.dispatchKeyEvent", type="keyDown", key=key, code=code,
                        windowsVirtualKeyCode=keycode)
        t = time.monotonic()
        await self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code,
                        windowsVirtualKeyCode=keycode)
        return t

    async def viewport(self, width, height, mobile=False):
        await self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                        deviceScaleFactor=1, mobile=mobile)

    async def goto(self, url):
        self.loaded.clear()
        await self.send("Page.navigate", url=url)
        await asyncio.wait_for(self.loaded.wait(), TIMEOUT)

    async def screenshot(self, path):
        r = await self.send("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))


class Browser:
    """Headless Chromium and one DevTools connection to it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lscd-chromium-")
        self.proc = None
        self.ws = None
        self.ids = itertools.count(1)
        self.waiting = {}
        self.pages = {}
        self.reader = None

    async def __aenter__(self):
        try:
            await self.start()
        except BaseException:
            self.kill()
            raise
        return self

    async def __aexit__(self, *exc):
        if self.reader:
            self.reader.cancel()
        if self.ws:
            await self.ws.close()
        self.kill()

    async def start(self):
        argv = [chromium_path(), "--headless=new", "--remote-debugging-port=0",
                "--user-data-dir=" + self.dir, "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-dev-shm-usage", "--mute-audio", "about:blank"]
        if os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")   # Chromium's sandbox refuses root
        self.stderr_path = os.path.join(self.dir, "stderr")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=err, start_new_session=True)
        deadline = time.monotonic() + TIMEOUT
        url = None
        while not url:
            with open(self.stderr_path, errors="replace") as f:
                m = re.search(r"DevTools listening on (ws://\S+)", f.read())
            url = m and m.group(1)
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise CdpError("chromium did not start: " + open(self.stderr_path).read()[-2000:])
            await asyncio.sleep(0.05)
        self.ws = await websockets.connect(url, max_size=None, ping_interval=None)
        self.reader = asyncio.ensure_future(self._read())

    def kill(self):
        """Kill Chromium's whole process group (it forks helpers)."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    async def _read(self):
        async for text in self.ws:
            msg = json.loads(text)
            if "id" in msg:
                fut = self.waiting.pop(msg["id"], None)
                if fut and not fut.done():
                    fut.set_result(msg)
                continue
            page = self.pages.get(msg.get("sessionId"))
            if page and msg["method"] == "Page.loadEventFired":
                page.loaded.set()
            elif page and msg["method"] == "Runtime.consoleAPICalled":
                page.console.append(" ".join(str(a.get("value", a.get("description")))
                                             for a in msg["params"]["args"]))
            elif page and msg["method"] == "Runtime.exceptionThrown":
                page.console.append(str(msg["params"]["exceptionDetails"]))

    async def send(self, method, session=None, **params):
        mid = next(self.ids)
        msg = {"id": mid, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        fut = asyncio.get_running_loop().create_future()
        self.waiting[mid] = fut
        await self.ws.send(json.dumps(msg))
        r = await asyncio.wait_for(fut, TIMEOUT)
        if "error" in r:
            raise CdpError("%s: %s" % (method, r["error"]))
        return r["result"]

    async def page(self, url, width, height, mobile=False):
        """A new tab at URL, WIDTH x HEIGHT, loaded."""
        target = (await self.send("Target.createTarget", url="about:blank"))["targetId"]
        session = (await self.send("Target.attachToTarget", targetId=target,
                                   flatten=True))["sessionId"]
        page = Page(self, session)
        page.target = target
        self.pages[session] = page
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        await page.viewport(width, height, mobile)
        await page.goto(url)
        return page
