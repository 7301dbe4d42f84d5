# SPDX-License-Identifier: MIT
"""mqttharness.py: a Mosquitto broker, lscd-mqtt bridges and MQTT clients
for the tests and the benchmark of lscd-mqtt.

    with Broker(["r1", "r2"]) as broker, Fleet(broker, ["r1", "r2"]) as fleet:
        with broker.client() as mq:                  # user "admin": reads, writes all
            answer = mq.request("lsc/r1/cmd", {"cmd": "ping"})
            assert answer["ok"] and answer["robot"] == "r1"

Broker runs Debian's mosquitto on a free loopback port, with a password
file (one user per robot, its password its name reversed, and "admin") and
an ACL file: a robot's user reads lsc/ID/cmd and lsc/all/cmd and writes
lsc/ID/# and replies/#; admin reads and writes everything. A bridge's
configuration may add lines to its broker section. SubackProxy stands
between a bridge and the broker, and holds the broker's SUBACKs.
MQTT clients are paho-mqtt (Debian's python3-paho-mqtt). Every wait has a
timeout; nothing here asserts on elapsed time.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from lscdharness import Lscd, valgrind_on, VALGRIND_ARGS, VALGRIND_SLOWDOWN, wait_until
from program import Program
from simharness import Sim

try:
    import paho.mqtt.client as paho
except ImportError:
    # paho-mqtt is pure Python: an interpreter outside Debian's (pyenv,
    # a venv) takes it from where python3-paho-mqtt installs it.
    sys.path.append("/usr/lib/python3/dist-packages")
    import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

# Waits on the bridges are VALGRIND_SLOWDOWN times longer under valgrind
# (LSCD_TEST_VALGRIND=1), which runs lscd-mqtt and lscd under memcheck.
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TIMEOUT = 10.0 * (VALGRIND_SLOWDOWN if valgrind_on() else 1)
ADMIN = "admin"


def password_of(user):
    return user[::-1] + "-pw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mosquitto_binary():
    return os.environ.get("MOSQUITTO") or shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def bridge_binary():
    if os.environ.get("LSCD_MQTT"):
        return os.environ["LSCD_MQTT"]
    return os.path.join(os.environ.get("top_builddir", "."), "lscd-mqtt")


class BrokerError(Exception):
    pass


class Broker(Program):
    """mosquitto on 127.0.0.1:port, users for ROBOTS and admin."""

    NAME = "mosquitto"
    ERROR = BrokerError

    def __init__(self, robots, port=None, directory=None):
        self.dir = directory or tempfile.mkdtemp(prefix="mqtt-")
        self.port = port or free_port()
        self.robots = list(robots)
        self.stderr_path = os.path.join(self.dir, "mosquitto.err")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            for user in self.robots + [ADMIN]:
                f.write("%s:%s\n" % (user, password_of(user)))
        subprocess.run(["mosquitto_passwd", "-U", passwd], check=True)
        acl = os.path.join(self.dir, "acl")
        with open(acl, "w") as f:
            f.write("pattern read lsc/%u/cmd\npattern read lsc/all/cmd\n"
                    "pattern write lsc/%u/#\npattern write replies/#\n\n"
                    "user admin\ntopic readwrite #\n")
        with open(self.conf, "w") as f:
            f.write("listener %d 127.0.0.1\nset_tcp_nodelay true\nallow_anonymous false\npassword_file %s\n"
                    "acl_file %s\npersistence false\nlog_dest stderr\nlog_type all\n"
                    # As root, mosquitto would become user mosquitto, who cannot
                    # read the test's private directory; as anyone else this is ignored.
                    "user root\n"
                    % (self.port, passwd, acl))
        self.proc = None

    def start(self, timeout=DEFAULT_TIMEOUT):
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen([mosquitto_binary(), "-c", self.conf],
                                         stdin=subprocess.DEVNULL, stdout=err, stderr=err)

        def up():
            if self.proc.poll() is not None:
                raise BrokerError("mosquitto exited: %s" % self.stderr())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return True
            except OSError:
                return False
        wait_until(up, "mosquitto on port %d" % self.port, timeout)
        return self

    def restart(self, timeout=DEFAULT_TIMEOUT):
        """Stop, and start a new mosquitto on the same port: it keeps
        nothing (persistence false)."""
        self.terminate(timeout)
        return self.start(timeout)

    def stop(self, timeout=DEFAULT_TIMEOUT, check=True):
        if self.proc:
            self.terminate(timeout)
        if check:                       # else kept for the failure's inquest
            shutil.rmtree(self.dir, ignore_errors=True)

    def write_password_file(self, user):
        """USER's password, in a file only its owner reads (lscd-mqtt
        refuses one open to others)."""
        path = os.path.join(self.dir, user + ".password")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(password_of(user) + "\n")
        return path

    def client(self, user=ADMIN, **kw):
        return MqttClient(self.port, user, password_of(user), **kw)


class SubackProxy:
    """A TCP proxy on a free loopback port to the broker, for one client:
    the broker's bytes from its first SUBACK on are held until release()."""

    def __init__(self, broker):
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.broker_port = broker.port
        self.released = threading.Event()
        self.held = threading.Event()           # a SUBACK is being held
        self.threads = [threading.Thread(target=self._serve, daemon=True)]
        self.threads[0].start()

    def _serve(self):
        try:
            client, _ = self.listener.accept()
        except OSError:
            return
        upstream = socket.create_connection(("127.0.0.1", self.broker_port))
        self.socks = [client, upstream]
        t = threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True)
        t.start()
        self._pump(upstream, client, True)

    def _pump(self, src, dst, from_broker):
        try:
            self._forward(src, dst, from_broker)
        except OSError:                 # close() while forwarding
            pass

    def _forward(self, src, dst, from_broker):
        buf = b""
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                for s in (src, dst):
                    s.close()
                return
            if not from_broker or self.released.is_set():
                dst.sendall(buf + data)
                buf = b""
                continue
            buf += data
            while buf and not self.held.is_set():
                n = mqtt_packet_length(buf)
                if n is None or n > len(buf):
                    break
                if buf[0] >> 4 == 9:            # SUBACK
                    self.held.set()
                    break
                dst.sendall(buf[:n])
                buf = buf[n:]
            if self.held.is_set():
                self.released.wait()
                dst.sendall(buf)
                buf = b""

    def release(self):
        self.released.set()

    def close(self):
        self.released.set()
        self.listener.close()
        for s in getattr(self, "socks", []):
            try:
                s.close()
            except OSError:
                pass


def mqtt_packet_length(buf):
    """The length of the MQTT packet at the start of BUF, or None while its
    fixed header is incomplete."""
    value, shift = 0, 0
    for i in range(1, min(len(buf), 5)):
        value |= (buf[i] & 0x7f) << shift
        shift += 7
        if not buf[i] & 0x80:
            return i + 1 + value
    return None


class Bridge(Program):
    """lscd-mqtt for robot ID on SOCKET, through BROKER, with its own user."""

    NAME = "lscd-mqtt"
    ERROR = BrokerError

    def __init__(self, broker, robot_id, socket_path, *args, directory=None, broker_config=""):
        self.dir = directory or tempfile.mkdtemp(prefix="lscd-mqtt-")
        self.id = robot_id
        self.stderr_path = os.path.join(self.dir, "lscd-mqtt-%s.err" % robot_id)
        self.config_path = os.path.join(self.dir, "mqtt-%s.yaml" % robot_id)
        with open(self.config_path, "w") as f:
            f.write("broker:\n  username: %s\n  password_file: %s\n  keepalive: 5\n%s"
                    % (robot_id, broker.write_password_file(robot_id), broker_config))
        self.valgrind_log = os.path.join(self.dir, "valgrind-mqtt-%s.%%p.log" % robot_id)
        wrapper = []
        if valgrind_on():
            # The built lscd-mqtt is libtool's wrapper script (it links the
            # uninstalled liblsc): libtool runs valgrind on the real binary.
            libtool = os.path.join(os.environ.get("top_builddir", "."), "libtool")
            wrapper = ([libtool, "--mode=execute"] if os.path.exists(libtool) else []) + \
                VALGRIND_ARGS + ["--log-file=" + self.valgrind_log,
                                 "--suppressions=" + os.path.join(HERE, "mqtt.supp")]
        self.argv = wrapper + [bridge_binary(), "--config", self.config_path, "--id", robot_id,
                               "--broker", "127.0.0.1:%d" % broker.port,
                               "--socket", socket_path, "--log-level", "debug"] + list(args)
        self.proc = None

    def start(self, timeout=DEFAULT_TIMEOUT):
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        return self

    def restart(self):
        """Start again after kill(): memcheck killed wrote no summary, so
        its log is not checked."""
        if self.proc:
            try:
                os.unlink(self.valgrind_log.replace("%p", str(self.proc.pid)))
            except FileNotFoundError:
                pass
        return self.start()

    def stop(self, timeout=DEFAULT_TIMEOUT, check=True):
        if not self.proc:
            return
        code, _ = self.terminate(timeout * (VALGRIND_SLOWDOWN if valgrind_on() else 1))
        problems = []
        if check and code not in (0, -signal.SIGKILL):
            problems.append("exit status %d" % code)
        if check and any(s in self.stderr() for s in ("runtime error", "Sanitizer")):
            problems.append("sanitizer report")
        if check and valgrind_on() and code == 0:
            from lscdharness import valgrind_problems
            import glob
            for log in glob.glob(self.valgrind_log.replace("%p", "*")):
                problems += valgrind_problems(log)
        if problems:
            raise BrokerError("lscd-mqtt %s: %s\n%s" % (self.id, "; ".join(problems),
                                                        self.stderr()[-3000:]))
        if check:                       # else kept for the failure's inquest
            shutil.rmtree(self.dir, ignore_errors=True)


class Robot:
    """lsc-sim + lscd + lscd-mqtt for robot ID."""

    def __init__(self, broker, robot_id, sim_args=("--group", "8:300"), broker_config="",
                 bridge_args=()):
        self.id = robot_id
        self.broker_config = broker_config
        self.bridge_args = bridge_args
        self.sim = Sim(*sim_args)
        self.lscd = None
        self.bridge = None
        self.broker = broker

    def start(self):
        self.sim.start()
        self.lscd = Lscd(self.sim.link, log_level="info").start()
        self.bridge = Bridge(self.broker, self.id, self.lscd.socket_path, *self.bridge_args,
                             broker_config=self.broker_config).start()
        return self

    def stop_lscd(self):
        self.lscd.stop()

    def start_lscd(self):
        """A new lscd on the socket path of the one stop_lscd() stopped."""
        os.makedirs(os.path.dirname(self.lscd.socket_path), exist_ok=True)
        self.lscd = Lscd(self.sim.link, socket_path=self.lscd.socket_path,
                         log_level="info").start()

    def stop(self, check=True):
        """Stop all three, whatever fails; then raise the first failure."""
        problems = []
        for p in (self.bridge, self.lscd, self.sim):
            if p:
                try:
                    p.stop(check=check)
                except Exception as e:
                    problems.append(e)
                finally:
                    p.kill()
        if problems:
            raise problems[0]


class Fleet:
    """Robots started in parallel (a thread each), stopped together."""

    def __init__(self, broker, ids=None):
        self.robots = {i: Robot(broker, i) for i in (ids or broker.robots)}

    def __enter__(self):
        threads = [threading.Thread(target=r.start) for r in self.robots.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            for r in self.robots.values():
                if not r.bridge:
                    raise BrokerError("robot %s did not start" % r.id)
            self.wait_online(self.robots)
        except BaseException:
            # __exit__ is not called when __enter__ fails: nothing may be left running.
            self._stop_all(check=False)
            raise
        return self

    def _stop_all(self, check):
        problems = []
        for r in self.robots.values():
            try:
                r.stop(check=check)
            except Exception as e:  # every robot is stopped, then the first problem raised
                problems.append(e)
        return problems

    def wait_online(self, ids, value=b"true", timeout=None):
        """Wait until lsc/ID/online holds VALUE for each of IDS (by default
        for DEFAULT_TIMEOUT, and a second more for each ten robots)."""
        timeout = timeout or DEFAULT_TIMEOUT + len(ids) / 10
        broker = next(iter(self.robots.values())).broker
        with broker.client() as mq:
            mq.subscribe("lsc/+/online")
            for i in ids:
                mq.wait(lambda m: m.topic == "lsc/%s/online" % i and m.payload == value,
                        "lsc/%s/online %s" % (i, value), timeout)

    def __exit__(self, kind, value, tb):
        problems = self._stop_all(check=kind is None)
        if problems:
            raise problems[0]

    def __getitem__(self, robot_id):
        return self.robots[robot_id]


class MqttClient:
    """A paho-mqtt client (MQTT 5 unless version=3) on its own thread;
    messages are kept in arrival order and waited for by predicate."""

    def __init__(self, port, user, password, version=5, client_id=None):
        proto = paho.MQTTv5 if version == 5 else paho.MQTTv311
        self.version = version
        self.c = paho.Client(client_id=client_id or "test-%s" % uuid.uuid4().hex[:12],
                             protocol=proto)
        self.c.username_pw_set(user, password)
        self.messages = []
        self.received = {}              # id(message): when it arrived (CLOCK_MONOTONIC)
        self.replies = {}               # correlation data: messages on reply_topic
        self.reply_topic = "replies/%s" % uuid.uuid4().hex[:12]
        self.cond = threading.Condition()
        self.connected = threading.Event()
        self.c.on_message = self._on_message
        self.c.on_connect = lambda *a: self.connected.set()
        self.c.connect("127.0.0.1", port, keepalive=30)
        self.c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.c.loop_start()
        if not self.connected.wait(DEFAULT_TIMEOUT):
            raise TimeoutError("no CONNACK from the broker")
        self.subscribe(self.reply_topic)

    def _on_message(self, client, userdata, msg):
        received = time.monotonic()
        with self.cond:
            self.received[id(msg)] = received
            self.messages.append(msg)
            if msg.topic == self.reply_topic:
                self.replies.setdefault(correlation_of(msg), []).append(msg)
            self.cond.notify_all()

    def subscribe(self, topic, qos=1):
        done = threading.Event()
        self.c.on_subscribe = lambda *a: done.set()
        self.c.subscribe(topic, qos)
        if not done.wait(DEFAULT_TIMEOUT):
            raise TimeoutError("no SUBACK for %s" % topic)

    def publish(self, topic, payload, qos=1, retain=False, response_topic=None,
                correlation=None):
        props = None
        if self.version == 5 and (response_topic or correlation is not None):
            props = Properties(PacketTypes.PUBLISH)
            if response_topic:
                props.ResponseTopic = response_topic
            if correlation is not None:
                props.CorrelationData = correlation
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        info = self.c.publish(topic, payload, qos=qos, retain=retain, properties=props)
        info.wait_for_publish(DEFAULT_TIMEOUT)

    def wait(self, predicate, what, timeout=DEFAULT_TIMEOUT, since=0):
        """The first message from index SINCE on that PREDICATE accepts."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for m in self.messages[since:]:
                    if predicate(m):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no %s within %.1f s; got %s" % (
                        what, timeout, [(m.topic, m.payload[:80]) for m in self.messages[-8:]]))
                self.cond.wait(left)

    def received_at(self, msg):
        """When MSG arrived (CLOCK_MONOTONIC seconds)."""
        with self.cond:
            return self.received[id(msg)]

    def on_topic(self, topic, since=0):
        with self.cond:
            return [m for m in self.messages[since:] if m.topic == topic]

    def mark(self):
        with self.cond:
            return len(self.messages)

    def answers(self, correlation):
        """Every answer on the reply topic carrying CORRELATION, decoded."""
        with self.cond:
            return [json.loads(m.payload) for m in self.replies.get(correlation, [])]

    def until(self, check, what, timeout=DEFAULT_TIMEOUT):
        """Wait until CHECK() (called once per message that arrives) is true."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not check():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("%s: not within %.1f s" % (what, timeout))
                self.cond.wait(left)

    def request(self, topic, request, timeout=DEFAULT_TIMEOUT, correlation=None):
        """Publish REQUEST with our reply topic and a fresh correlation;
        the decoded answer."""
        correlation = correlation or uuid.uuid4().bytes
        since = self.mark()
        self.publish(topic, request, response_topic=self.reply_topic, correlation=correlation)
        m = self.wait(lambda m: m.topic == self.reply_topic and
                      correlation_of(m) == correlation, "answer on %s" % topic, timeout, since)
        return json.loads(m.payload)

    def broadcast(self, request, ids, timeout=DEFAULT_TIMEOUT, prefix="lsc"):
        """Publish REQUEST on PREFIX/all/cmd; {robot: answer} once each of
        IDS answered. TimeoutError names the robots that did not."""
        corr = uuid.uuid4().bytes
        self.publish(prefix + "/all/cmd", request, response_topic=self.reply_topic,
                     correlation=corr)
        try:
            self.until(lambda: len(self.replies.get(corr, [])) >= len(ids), "every answer",
                       timeout)
        except TimeoutError:
            got = {a.get("robot") for a in self.answers(corr)}
            raise TimeoutError("%s: no answer from %s within %.1f s" % (
                request["cmd"], [i for i in ids if i not in got], timeout)) from None
        return {a["robot"]: a for a in self.answers(corr)}

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def correlation_of(msg):
    props = getattr(msg, "properties", None)
    return getattr(props, "CorrelationData", None) if props else None
