#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lscd-web's guards, end to end: a listen address that is not loopback
needs a token file that only the service reads; then every request but
the login's own needs the login cookie (HttpOnly, SameSite=Strict) or the
token as a bearer; a POST without X-LSC-Request, with another site's
Origin, a cross-site Sec-Fetch-Site or a preflight is refused with 403,
and so is a loopback request whose Host is another name (DNS rebinding);
the body, stream and idle limits hold. Nothing refused reaches lscd: its
request counter proves it."""

import http.client
import json
import os
import socket
import subprocess
import tempfile
import time

import tap
from lscdharness import wait_until
from webharness import Web, running_web, web_binary

TOKEN = "correct horse battery staple"


def requests_seen(lscd):
    """lscd's count of request lines, the status that asks included."""
    return lscd.client().ok("status")["counters"]["requests"]


def usage_error(*args):
    r = subprocess.run([web_binary(), *args], capture_output=True, text=True, timeout=10)
    return r.returncode, r.stderr


@tap.test
def not_loopback_needs_a_token_only_the_service_reads():
    code, err = usage_error("--listen", "0.0.0.0:0", "--socket", "/nonexistent")
    tap.eq(code, 2, "no token file: refused")
    tap.check("--token-file" in err, "says why", err)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "token")
        with open(path, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(path, 0o644)
        code, err = usage_error("--listen", "0.0.0.0:0", "--token-file", path)
        tap.eq(code, 2, "a token others may read: refused")
        tap.check("chmod 600" in err, "says how", err)
        os.chmod(path, 0o600)
        with open(path, "w") as f:
            f.write("short\n")
        code, err = usage_error("--listen", "0.0.0.0:0", "--token-file", path)
        tap.eq(code, 2, "a short token: refused")
        with open(path, "w") as f:
            f.write("x" * 257 + "\n")
        code, err = usage_error("--listen", "0.0.0.0:0", "--token-file", path)
        tap.eq(code, 2, "a token over 256 characters: refused, not cut")
        tap.check("8 to 256 characters" in err, "says the limit", err)
    for bad in ("8470", "localhost:8470", "127.0.0.1:70000", "[::1]8470", "1.2.3.4:"):
        tap.eq(usage_error("--listen", bad)[0], 2, "--listen " + bad)


@tap.test
def login_required_when_listening_beyond_loopback():
    with running_web(token=TOKEN, listen="0.0.0.0:0") as (sim, lscd, web):
        web.host = "127.0.0.1"
        before = requests_seen(lscd)
        status, _, _ = web.request("POST", "/api/halt", "{}")
        tap.eq(status, 401, "a POST without login")
        status, _, _ = web.request("GET", "/api/events")
        tap.eq(status, 401, "the event stream without login")
        status, headers, _ = web.request("GET", "/")
        tap.eq((status, headers["Location"]), (303, "/login.html"), "the page sends to the login")
        for path in ("/login.html", "/login.js", "/style.css"):
            tap.eq(web.request("GET", path)[0], 200, path + " is public")
        status, headers, _ = web.request("POST", "/api/login", {"token": "wrong"})
        tap.eq((status, headers["Set-Cookie"]), (403, None), "a wrong token")
        status, headers, _ = web.request("POST", "/api/login", {"token": TOKEN},
                                         {"X-LSC-Request": None})
        tap.eq(status, 403, "the login needs X-LSC-Request too")
        status, _, _ = web.request("POST", "/api/halt", "{}", {"Cookie": "lscd_web=" + "0" * 64})
        tap.eq(status, 401, "a made-up cookie")
        status, _, _ = web.request("POST", "/api/halt", "{}", {"Authorization": "Bearer wrong"})
        tap.eq(status, 401, "a wrong bearer")
        tap.eq(requests_seen(lscd) - before, 1, "nothing refused reached lscd")

        status, headers, _ = web.request("POST", "/api/login", {"token": TOKEN})
        tap.eq(status, 200, "the right token")
        cookie = headers["Set-Cookie"]
        attrs = [a.strip() for a in cookie.split(";")]
        tap.check({"HttpOnly", "SameSite=Strict", "Path=/"} <= set(attrs), "cookie attributes", cookie)
        jar = {"Cookie": attrs[0]}
        tap.eq(web.post("ping", None, jar)[0], 200, "a POST with the cookie")
        tap.eq(web.request("GET", "/", None, jar)[0], 200, "the page with the cookie")
        tap.eq(web.post("ping", None, {"Authorization": "Bearer " + TOKEN})[0], 200, "a bearer")
        status, headers, _ = web.request("POST", "/api/logout", "{}", jar)
        tap.check("Max-Age=0" in headers["Set-Cookie"], "logout clears the cookie")
        tap.eq(web.post("ping", None, jar)[0], 401, "the cookie ends with the logout")


@tap.test
def proxied_requests_need_a_token():
    proxy = [("Forwarded", "for=192.0.2.7;proto=https"), ("X-Forwarded-For", "192.0.2.7"),
             ("X-Forwarded-Host", "robot.example"), ("X-Real-IP", "192.0.2.7")]
    with running_web() as (sim, lscd, web):
        tap.check("any user of this machine can control the robot" in web.stderr(),
                  "the log says what no token means", web.stderr())
        before = requests_seen(lscd)
        for name, value in proxy:
            status, _, data = web.request("POST", "/api/halt", "{}", {name: value})
            error = json.loads(data)["error"]
            tap.eq((status, error["code"]), (403, "forbidden"), "without a token: " + name)
            tap.check("--token-file" in error["message"], "says what to do", error)
            tap.eq(web.request("GET", "/", None, {name: value})[0], 403, "the page too: " + name)
        tap.eq(requests_seen(lscd) - before, 1, "nothing proxied reached lscd")
        tap.eq([r for r in sim.records() if r.kind == "rx"], [], "nothing reached the wire")
    with running_web(token=TOKEN) as (sim, lscd, web):
        bearer = {"Authorization": "Bearer " + TOKEN}
        for name, value in proxy:
            tap.eq(web.post("ping", None, dict(bearer, **{name: value}))[0], 200,
                   "with a token and a login: " + name)
            tap.eq(web.post("ping", None, {name: value})[0], 401, "with a token, no login: " + name)
        tap.check("any user of this machine" not in web.stderr(), "no warning with a token")


@tap.test
def longest_token_works():
    token = "t" * 256
    with running_web(token=token) as (sim, lscd, web):
        tap.eq(web.post("ping", None, {"Authorization": "Bearer " + token})[0], 200,
               "a 256-character token, whole")
        tap.eq(web.post("ping", None, {"Authorization": "Bearer " + token[:255]})[0], 401,
               "its first 255 characters are not it")


@tap.test
def any_loopback_address_serves_its_own_host():
    with running_web(listen="127.0.0.2:0") as (sim, lscd, web):
        status, _, _ = web.request("GET", "/")
        tap.eq(status, 200, "Host 127.0.0.2:PORT, as --listen 127.0.0.2 makes it")
        status, _ = web.post("ping")
        tap.eq(status, 200, "a POST to 127.0.0.2")
        status, _, _ = web.request("GET", "/", None, {"Host": "127.0.0.1.evil.example"})
        tap.eq(status, 403, "a name that starts like an address is not one")


@tap.test
def wrong_tokens_are_rate_limited_per_address():
    with running_web(token=TOKEN, listen="0.0.0.0:0") as (sim, lscd, web):
        web.host = "127.0.0.1"
        status, headers, _ = web.request("POST", "/api/login", {"token": TOKEN})
        jar = {"Cookie": headers["Set-Cookie"].split(";")[0]}
        for i in range(5):
            status, _, _ = web.request("POST", "/api/login", {"token": "wrong %d" % i})
            tap.eq(status, 403, "wrong token %d" % (i + 1))
        status, headers, data = web.request("POST", "/api/login", {"token": TOKEN})
        tap.eq((status, json.loads(data)["error"]["code"]), (429, "forbidden"),
               "then even the right token is refused")
        retry = int(headers["Retry-After"])
        tap.check(1 <= retry <= 60, "Retry-After in seconds, within the minute", retry)
        tap.eq(headers["Set-Cookie"], None, "and no login")
        status, headers, _ = web.request("POST", "/api/ping", "{}",
                                         {"Authorization": "Bearer " + TOKEN})
        tap.eq(status, 429, "the bearer too")
        tap.eq(web.post("ping", None, jar)[0], 200, "a login made before still works")
        status, _, _ = web.request("POST", "/api/login", {"token": TOKEN}, source="127.0.0.2")
        tap.eq(status, 200, "another address may log in")
    with running_web(token=TOKEN) as (sim, lscd, web):
        for i in range(5):
            web.request("POST", "/api/ping", "{}", {"Authorization": "Bearer wrong"})
        tap.eq(web.request("POST", "/api/ping", "{}", {"Authorization": "Bearer " + TOKEN})[0], 429,
               "wrong bearers count too")


@tap.test
def cross_site_requests_are_refused():
    with running_web() as (sim, lscd, web):
        own = web.origin
        before = requests_seen(lscd)
        cases = [
            ("no X-LSC-Request", {"X-LSC-Request": None}),
            ("X-LSC-Request: 0", {"X-LSC-Request": "0"}),
            ("another Origin", {"Origin": "http://evil.example"}),
            ("Origin null", {"Origin": "null"}),
            ("same host, other port", {"Origin": "http://127.0.0.1:1"}),
            ("Sec-Fetch-Site cross-site", {"Sec-Fetch-Site": "cross-site"}),
            ("a rebound name", {"Host": "evil.example:%d" % web.port, "Origin": None}),
            ("a form from another site", {"Origin": "http://evil.example", "X-LSC-Request": None,
                                          "Content-Type": "application/x-www-form-urlencoded"}),
        ]
        for what, headers in cases:
            status, _, data = web.request("POST", "/api/halt", "{}", headers)
            tap.eq((status, json.loads(data)["error"]["code"]), (403, "forbidden"), what)
        status, _, _ = web.request("OPTIONS", "/api/halt", None,
                                   {"Origin": "http://evil.example",
                                    "Access-Control-Request-Method": "POST",
                                    "Access-Control-Request-Headers": "x-lsc-request"})
        tap.eq(status, 403, "the preflight")
        status, headers, _ = web.request("GET", "/api/events", None, {"Origin": "http://evil.example"})
        tap.eq(status, 403, "another site's EventSource")
        tap.check("Access-Control-Allow-Origin" not in headers, "no CORS header")
        tap.eq(requests_seen(lscd) - before, 1, "nothing refused reached lscd")
        sim_rx = [r for r in sim.records() if r.kind == "rx"]
        tap.eq(sim_rx, [], "nothing reached the wire")
        status, _ = web.post("ping", None, {"Origin": own, "Sec-Fetch-Site": "same-origin"})
        tap.eq(status, 200, "the panel's own origin")


@tap.test
def body_limit():
    with running_web() as (sim, lscd, web):
        before = requests_seen(lscd)
        big = json.dumps({"name": "x" * 17000})
        tap.eq(web.request("POST", "/api/hello", big)[0], 413, "Content-Length over 16 KiB")
        conn = web.connection()
        conn.putrequest("POST", "/api/hello")
        conn.putheader("X-LSC-Request", "1")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for _ in range(5):
            conn.send(b"1000\r\n" + b" " * 4096 + b"\r\n")
        conn.send(b"0\r\n\r\n")
        tap.eq(conn.getresponse().status, 413, "a chunked body over 16 KiB")
        conn.close()
        tap.eq(requests_seen(lscd) - before, 1, "nothing reached lscd")
        ok = json.dumps({"name": "y" * 60, "pad": " " * 15000})
        status, _, data = web.request("POST", "/api/ping", ok)
        tap.eq(status, 400, "16 KiB are read (lscd refuses pad)")


def open_stream(web):
    """(status, close) of a GET /api/events left open."""
    conn = web.connection()
    conn.request("GET", "/api/events")
    resp = conn.getresponse()

    def close():
        resp.close()
        conn.close()
    return resp.status, close


@tap.test
def stream_limit():
    with running_web() as (sim, lscd, web):
        streams = []
        for _ in range(8):
            status, close = open_stream(web)
            tap.eq(status, 200, "a stream")
            streams.append(close)
        status, _, data = web.request("GET", "/api/events")
        tap.eq((status, json.loads(data)["error"]["code"]), (503, "too_many_clients"), "the ninth")
        streams.pop()()
        deadline = time.monotonic() + 10
        while True:     # the place frees once lscd-web sees the page go
            status, close = open_stream(web)
            close()
            if status == 200:
                break
            tap.check(time.monotonic() < deadline, "a place frees when a page goes")
            time.sleep(0.05)
        for close in streams:
            close()


@tap.test
def idle_connections_are_closed():
    with running_web(web_args=("--idle-timeout", "1")) as (sim, lscd, web):
        s = socket.create_connection(("127.0.0.1", web.port))
        s.settimeout(10)
        s.sendall(b"POST /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        start = time.monotonic()
        tap.eq(s.recv(100), b"", "closed by lscd-web")
        tap.check(time.monotonic() - start < 9, "by the idle timeout, not the test's")
        s.close()


def connect_from(web, source):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", web.port))
    return s


@tap.test
def connection_limits():
    with running_web() as (sim, lscd, web):
        held = [connect_from(web, "127.0.0.1") for _ in range(32)]
        ping = (b"POST /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-LSC-Request: 1\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        over = connect_from(web, "127.0.0.1")
        over.settimeout(10)
        try:
            over.sendall(ping)
            got = over.recv(100)
        except ConnectionError:
            got = b""
        tap.eq(got, b"", "a 33rd connection from one address is closed")
        over.close()
        other = connect_from(web, "127.0.0.2")
        other.settimeout(10)
        other.sendall(ping)
        tap.check(other.recv(100).startswith(b"HTTP/1.1 200"), "another address is served")
        other.close()
        held += [connect_from(web, "127.0.0.%d" % (2 + i // 32)) for i in range(224)]
        extra = connect_from(web, "127.0.0.100")
        extra.sendall(ping)
        extra.settimeout(0.5)
        with tap.raises(socket.timeout, "the 257th connection waits"):
            extra.recv(100)
        for s in held:
            s.close()
        extra.settimeout(10)
        tap.check(extra.recv(100).startswith(b"HTTP/1.1 200"), "served once the others close")
        extra.close()


def ping_from(web, source):
    """The status of a ping from SOURCE, or None when its connection is closed."""
    try:
        return web.request("POST", "/api/ping", "", timeout=10, source=source)[0]
    except (ConnectionError, http.client.HTTPException):
        return None


@tap.test
def aborted_requests_free_their_place_at_once():
    # Part of a request and the close in one go: libmicrohttpd's
    # edge-triggered epoll alone would miss the close, and keep the
    # connection until --idle-timeout.
    with running_web(web_args=("--idle-timeout", "600")) as (sim, lscd, web):
        parts = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                 b"POST /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-LSC-Request: 1\r\n"
                 b"Content-Length: 10\r\n\r\n{}")
        for i in range(96):
            s = connect_from(web, "127.0.0.1")
            s.sendall(parts[i % 2])
            s.close()
        wait_until(lambda: ping_from(web, "127.0.0.1") == 200,
                   "a ping from the address of 96 aborted requests")
        tap.check(True, "96 aborted requests hold no place: the address is served")


@tap.test
def slow_requests_are_cut():
    with running_web(web_args=("--idle-timeout", "600", "--read-timeout", "2")) as (sim, lscd, web):
        slow = []
        for i in range(32):
            s = connect_from(web, "127.0.0.%d" % (2 + i // 16))
            s.sendall(b"GET / HTTP/1.1\r\n")
            slow.append(s)
        closed = 0
        start = time.monotonic()
        while closed < len(slow) and time.monotonic() - start < 60:
            time.sleep(0.5)
            closed = 0
            for s in slow:
                try:
                    s.sendall(b"X: y\r\n")
                except OSError:
                    closed += 1
        tap.eq(closed, len(slow), "a request that trickles in is cut at --read-timeout")
        for s in slow:
            s.close()
        tap.eq(ping_from(web, "127.0.0.2"), 200, "its address is served again")
    code, err = usage_error("--read-timeout", "0")
    tap.eq(code, 2, "--read-timeout 0: refused")


@tap.test
def the_login_body_is_checked_as_the_api_checks():
    with running_web(token=TOKEN) as (sim, lscd, web):
        for body, what in (('{"token":"%s\\u0000"}' % TOKEN, "a token with a NUL after it"),
                           ('{"token":"wrong","token":"%s"}' % TOKEN, "a repeated token key")):
            status, headers, answer = web.request("POST", "/api/login", body)
            tap.eq((status, headers["Set-Cookie"]), (400, None), what + ": refused")
            tap.eq(json.loads(answer)["error"]["code"], "invalid_json", what + ": why")
        status, _, _ = web.request("POST", "/api/halt", "", {"Authorization": "bearer " + TOKEN})
        tap.eq(status, 200, "the scheme bearer in lower case (RFC 7235)")
    with running_web() as (sim, lscd, web):
        status, _, answer = web.request("POST", "/api/login", {"token": TOKEN})
        tap.eq(status, 404, "no --token-file: no login")
        tap.check(b"without --token-file" in answer, "says so", answer)


def raw_request(web, head):
    s = socket.create_connection(("127.0.0.1", web.port))
    s.settimeout(10)
    s.sendall(head.encode() + b"\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


@tap.test
def odd_requests_are_refused():
    with running_web() as (sim, lscd, web):
        before = requests_seen(lscd)
        host = "Host: 127.0.0.1\r\n"
        ping = "POST /api/ping HTTP/1.1\r\nX-LSC-Request: 1\r\nContent-Length: 0\r\nConnection: close\r\n"
        tap.check(raw_request(web, ping + host + host).startswith(b"HTTP/1.1 400 "),
                  "two Host headers: 400")
        origin = "Origin: http://127.0.0.1:%d\r\n" % web.port
        tap.check(raw_request(web, ping + host + origin + "Origin: http://evil.example\r\n")
                  .startswith(b"HTTP/1.1 400 "), "two Origin headers: 400")
        tap.check(raw_request(web, ping + host + "Sec-Fetch-Site: Cross-Site\r\n")
                  .startswith(b"HTTP/1.1 403 "), "Sec-Fetch-Site in any case")
        tap.eq(requests_seen(lscd) - before, 1, "none reached lscd (but the count's own)")
        tap.eq(web.request("GET", "/index.html%00.js")[0], 404, "a name with a NUL: 404")
        tap.eq(web.request("GET", "/index.html")[0], 200, "the name without")


@tap.test
def usage_errors_say_what_is_wrong():
    tap.eq(usage_error("--socket", "")[0], 2, "--socket ''")
    with tempfile.TemporaryDirectory() as d:
        code, err = usage_error("--token-file", d)
        tap.eq(code, 2, "a directory as the token file")
        tap.check("not a regular file" in err, "says so", err)
        code, err = usage_error("--token-file", os.path.join(d, "none"))
        tap.eq(code, 2, "a missing token file")
        tap.eq(err.count("No such file or directory"), 1, "the errno said once")


tap.main()
