# SPDX-License-Identifier: MIT
"""lscd-mqtt end to end, with a real Mosquitto broker (password file and
ACL written by the harness) and two robots (lsc-sim + lscd + lscd-mqtt):
answers by response topic and correlation data or by reply_to, each on its
own robot's wire; errors that reach no wire; broker ACLs; the last will;
broker and lscd restarts; QoS 1 redelivery run once, each delivery answered; the in-flight bound,
which never refuses a stop. And what a hostile review found: a retained
request is neither run nor answered, live or at a reconnection; a request reusing an id with
other content runs; answer topics that would get the bridge disconnected,
or fake a robot's topics, are refused; transient answers are not
remembered; the bridge's ids and liblsc's do not meet; scheduled requests
die with the bridge; status reads renew no claim; online waits for the
SUBACKs; TLS options never mean plaintext; a password file open to others
is refused; connection failures are warnings once per reason."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import tap
import mqttharness
from mqttharness import Bridge, Broker, Fleet, Robot, correlation_of
from simharness import hexbytes

# move servo 1 to 1000 in 100 ms, and lscd's frame for it.
MOVE = {"cmd": "move", "servos": [{"id": 1, "position": 1000}], "time_ms": 100}
MOVE_FRAME = hexbytes("55 55 08 03 01 64 00 01 e8 03")
STOP_FRAME = hexbytes("55 55 02 07")


def frames(sim, since):
    """What the board received since the mark SINCE."""
    return [r.data for r in sim.records()[since:] if r.kind == "rx"]


def two_robots():
    broker = Broker(["a", "b"])
    return broker, Fleet(broker)


@tap.test
def response_topic_and_correlation():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        mq.subscribe("lsc/a/status")
        mq.subscribe("lsc/a/event/#")
        marks = {i: fleet[i].sim.mark() for i in ("a", "b")}
        answer = mq.request("lsc/a/cmd", dict(MOVE, id="m1"), correlation=b"\x00corr-1")
        tap.eq((answer["ok"], answer["id"], answer["robot"]), (True, "m1", "a"), "answered")
        tap.eq(mq.answers(b"\x00corr-1"), [answer], "one answer, with the correlation data")
        fleet["a"].sim.wait_for("rx", MOVE_FRAME, since=marks["a"])
        time.sleep(0.3)
        tap.eq(frames(fleet["b"].sim, marks["b"]), [], "nothing on robot b's wire")
        tap.eq(frames(fleet["a"].sim, marks["a"]), [MOVE_FRAME], "the frame once on a's wire")
        event = mq.wait(lambda m: m.topic == "lsc/a/event/move.completed", "move.completed")
        tap.eq((event.qos, json.loads(event.payload)["servos"]), (1, [1]), "its event, QoS 1")
        mq.wait(lambda m: m.topic == "lsc/a/status" and
                {"id": 1, "target": 1000} in [{k: s[k] for k in ("id", "target")}
                                              for s in json.loads(m.payload)["servos"]],
                "the retained status with servo 1's new target")


@tap.test
def mqtt311_reply_to():
    broker, fleet = two_robots()
    with broker, fleet, broker.client(version=3) as old, broker.client() as mq:
        mq.subscribe("replies/old/#")
        old.publish("lsc/b/cmd", {"cmd": "ping", "id": 12, "reply_to": "replies/old/1"})
        m = mq.wait(lambda m: m.topic == "replies/old/1", "answer on reply_to")
        tap.eq(json.loads(m.payload), {"id": 12, "robot": "b", "ok": True}, "reply_to answer")
        mq.subscribe("lsc/b/reply")
        old.publish("lsc/b/cmd", {"cmd": "ping", "id": "no-reply-to"})
        m = mq.wait(lambda m: m.topic == "lsc/b/reply", "answer on the robot's reply topic")
        tap.eq(json.loads(m.payload)["id"], "no-reply-to", "without reply_to: lsc/ID/reply")


@tap.test
def bad_requests_answered_nothing_on_the_wire():
    broker, fleet = two_robots()
    cases = [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b"[1,2]", "invalid_request"),
        (b'{"id":1}', "missing_argument"),
        (b" " * 70000, "line_too_long"),
        (b'{"cmd":"fly"}', "unknown_command"),
        (b'{"cmd":"config.reload"}', "forbidden"),
        (b'{"cmd":"subscribe"}', "forbidden"),
        (b'{"cmd":"move","servos":[{"id":1,"position":99999}],"time_ms":100}',
         "invalid_argument"),
        (b'{"cmd":"ping","reply_to":"x/#"}', "invalid_argument"),
    ]
    with broker, fleet, broker.client() as mq:
        since = fleet["a"].sim.mark()
        for payload, code in cases:
            answer = mq.request("lsc/a/cmd", payload)
            tap.eq((answer["ok"], answer["error"]["code"]), (False, code), payload[:40])
        tap.eq(frames(fleet["a"].sim, since), [], "nothing reached the wire")
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "ping"})["ok"], True, "the bridge is still up")


@tap.test
def acl_keeps_robots_apart():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq, broker.client("a") as as_a:
        since = fleet["b"].sim.mark()
        corr = uuid.uuid4().bytes
        as_a.publish("lsc/b/cmd", MOVE, response_topic=mq.reply_topic, correlation=corr)
        own = uuid.uuid4().bytes
        as_a.publish("lsc/a/cmd", {"cmd": "ping"}, response_topic=mq.reply_topic,
                     correlation=own)
        mq.wait(lambda m: correlation_of(m) == own, "a's credentials command robot a")
        time.sleep(1.0)
        tap.eq(mq.answers(corr), [], "robot b's bridge never saw a's request")
        tap.eq(frames(fleet["b"].sim, since), [], "nothing on b's wire")


@tap.test
def sigkill_publishes_the_will():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        mq.subscribe("lsc/a/online")
        mq.wait(lambda m: m.payload == b"true", "online true")
        since = mq.mark()
        fleet["a"].bridge.kill()
        m = mq.wait(lambda m: m.topic == "lsc/a/online", "the will", since=since)
        tap.eq(m.payload, b"false", "online false through the last will")
        with broker.client() as late:
            late.subscribe("lsc/a/online")
            m = late.wait(lambda m: m.topic == "lsc/a/online", "retained online")
            tap.eq((m.payload, bool(m.retain)), (b"false", True), "retained false")


@tap.test
def broker_restart_reconnects():
    broker, fleet = two_robots()
    with broker, fleet:
        broker.restart()
        # The new broker keeps nothing: what it holds was published again.
        with broker.client() as mq:
            mq.subscribe("lsc/+/status")
            mq.subscribe("lsc/+/online")
            for i in ("a", "b"):
                m = mq.wait(lambda m: m.topic == "lsc/%s/status" % i, "status of " + i, 20)
                tap.check("servos" in json.loads(m.payload), "status of %s is back" % i, m.payload)
                mq.wait(lambda m: m.topic == "lsc/%s/online" % i and m.payload == b"true",
                        "online of " + i, 20)
            tap.eq(mq.request("lsc/b/cmd", {"cmd": "ping"})["ok"], True, "service resumed")


@tap.test
def lscd_restart_not_connected_then_resume():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        mq.subscribe("lsc/a/online")
        since = mq.mark()
        robot = fleet["a"]
        robot.stop_lscd()
        mq.wait(lambda m: m.payload == b"false", "online false", since=since)
        answer = mq.request("lsc/a/cmd", MOVE)
        tap.eq(answer["error"]["code"], "not_connected", "answered not_connected")
        since = mq.mark()
        robot.start_lscd()
        mq.wait(lambda m: m.payload == b"true", "online true", since=since)
        mark = robot.sim.mark()
        tap.eq(mq.request("lsc/a/cmd", MOVE)["ok"], True, "service resumed")
        robot.sim.wait_for("rx", MOVE_FRAME, since=mark)


@tap.test
def qos1_redelivery_runs_once():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        since = fleet["a"].sim.mark()
        corr = b"redelivered"
        for _ in range(3):
            mq.publish("lsc/a/cmd", MOVE, qos=1, response_topic=mq.reply_topic, correlation=corr)
        mq.until(lambda: len(mq.answers(corr)) >= 3, "three answers")
        fleet["a"].sim.wait_for("rx", MOVE_FRAME, since=since)
        time.sleep(0.5)         # a fourth answer or a second frame would be here by now
        answers = mq.answers(corr)
        tap.check(len(answers) == 3 and all(a == answers[0] for a in answers),
                  "each delivery answered the same", answers)
        tap.eq(answers[0]["ok"], True, "it ran")
        tap.eq(frames(fleet["a"].sim, since), [MOVE_FRAME], "the frame went out once")


@tap.test
def repeats_before_the_answer_are_answered():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        since = fleet["a"].sim.mark()
        corr = b"early-repeats"
        # lscd answers at "at": the nine repeats all come while the first waits
        request = dict(MOVE, id="r", at=time.time() + 1.0)
        for _ in range(10):
            mq.publish("lsc/a/cmd", request, response_topic=mq.reply_topic, correlation=corr)
        mq.until(lambda: len(mq.answers(corr)) >= 10, "ten answers")
        fleet["a"].sim.wait_for("rx", MOVE_FRAME, since=since)
        time.sleep(0.5)         # an eleventh answer or a second frame would be here by now
        answers = mq.answers(corr)
        tap.eq(len(answers), 10, "every delivery answered once")
        tap.check(all(a == answers[0] and a["ok"] for a in answers), "with the same answer",
                  answers)
        tap.eq(frames(fleet["a"].sim, since), [MOVE_FRAME], "the move ran once")


@tap.test
def cancel_names_the_callers_id():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq, broker.client() as other:
        since = fleet["a"].sim.mark()
        mq.publish("lsc/a/cmd", dict(MOVE, at=time.time() + 30, id="later"),
                   response_topic=mq.reply_topic, correlation=b"later")
        time.sleep(0.3)
        answer = other.request("lsc/a/cmd", {"cmd": "cancel", "request": "later"})
        tap.eq((answer["error"]["code"], answer["error"]["field"]), ("invalid_argument", "request"),
               "another client's requests are not its to cancel")
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "cancel", "request": "later"})["ok"], True,
               "cancelled by the id its sender gave")
        m = mq.wait(lambda m: mqttharness.correlation_of(m) == b"later", "the move's answer")
        tap.eq((json.loads(m.payload)["id"], json.loads(m.payload)["error"]["code"]),
               ("later", "cancelled"), "the move answered cancelled, with its id")
        tap.eq(frames(fleet["a"].sim, since), [], "nothing on the wire")


@tap.test
def overflow_answered_busy():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        at = time.time() + 30
        for n in range(70):
            mq.publish("lsc/b/cmd", dict(MOVE, at=at, id=n), response_topic=mq.reply_topic,
                       correlation=b"busy-%d" % n)
        busy = mq.wait(lambda m: b'"busy"' in m.payload, "a busy answer")
        tap.eq(json.loads(busy.payload)["error"]["code"], "busy", "overflow is busy")
        tap.eq(mq.request("lsc/b/cmd", {"cmd": "ping"})["ok"], True,
               "64 requests waiting for their \"at\" do not lock out a ping")
        halts = [b"halt-%d" % n for n in range(150)]
        for corr in halts:
            mq.publish("lsc/b/cmd", {"cmd": "halt"}, qos=0, response_topic=mq.reply_topic,
                       correlation=corr)
        mq.until(lambda: all(mq.answers(c) for c in halts), "150 halts answered")
        tap.eq([a for c in halts for a in mq.answers(c) if not a["ok"]], [],
               "150 halts run while the bridge is full, none busy")
        mq.until(lambda: sum(b'"cancelled"' in x.payload for x in mq.messages) >= 64,
                 "the 64 scheduled moves answered cancelled")


@tap.test
def stops_never_busy():
    broker, fleet = two_robots()
    pad = "x" * 60000
    bad = [b"bad-%d" % n for n in range(40)]
    long = [b"long-%d" % n for n in range(30)]
    halts = [b"halt-%d" % n for n in range(20)]
    with broker, fleet, broker.client() as mq:
        lscd = fleet["b"].lscd
        lscd.signal(signal.SIGSTOP)
        try:
            for corr in bad:
                mq.publish("lsc/b/cmd", {"cmd": "halt", "pad": pad},
                           response_topic=mq.reply_topic, correlation=corr)
            mq.until(lambda: all(mq.answers(c) for c in bad), "the halts with an argument "
                     "answered while lscd sleeps")
            tap.eq({(a["error"]["code"], a["error"]["field"]) for c in bad for a in mq.answers(c)},
                   {("invalid_argument", "pad")}, "a halt with an argument: invalid_argument")
            for n, corr in enumerate(long):
                mq.publish("lsc/b/cmd", dict(MOVE, id=n, pad=pad),
                           response_topic=mq.reply_topic, correlation=corr)
            mq.until(lambda: any(mq.answers(c) for c in long), "long requests refused busy")
            for corr in halts:
                mq.publish("lsc/b/cmd", {"cmd": "halt"}, response_topic=mq.reply_topic,
                           correlation=corr)
            time.sleep(0.5)
        finally:
            lscd.signal(signal.SIGCONT)
        mq.until(lambda: all(mq.answers(c) for c in halts + long), "every request answered")
        tap.eq([a for c in halts for a in mq.answers(c) if not a["ok"]], [],
               "every halt ran, none busy")
        tap.check(any(a["error"]["code"] == "busy" for c in long for a in mq.answers(c)),
                  "long requests beyond half of lscd's connection were busy")
        tap.eq([len(mq.answers(c)) for c in bad + long + halts], [1] * 90, "one answer each")


def restart_bridge(mq, robot):
    """A reconnection of ROBOT's bridge: SIGKILL (unless it is dead
    already), a new one, online again."""
    since = mq.mark()
    mq.subscribe("lsc/%s/online" % robot.id)
    robot.bridge.kill()
    mq.wait(lambda m: m.topic == "lsc/%s/online" % robot.id and m.payload == b"false",
            "online false", since=since)
    since = mq.mark()
    robot.bridge.restart()
    mq.wait(lambda m: m.topic == "lsc/%s/online" % robot.id and m.payload == b"true",
            "online true again", since=since)


@tap.test
def retained_request_never_runs():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        since = fleet["a"].sim.mark()
        mq.publish("lsc/a/cmd", dict(MOVE, id="kept"), retain=True,
                   response_topic=mq.reply_topic, correlation=b"kept")
        mq.publish("lsc/all/cmd", dict(MOVE, id="kept-all"), retain=True,
                   response_topic=mq.reply_topic, correlation=b"kept-all")
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "ping"})["ok"], True, "the bridge answers a ping")
        empty = mq.request("lsc/a/cmd", b"")
        tap.eq(empty["error"]["code"], "invalid_json", "an empty request not retained: invalid_json")
        mqttharness.wait_until(lambda: "Ignoring the retained" in fleet["a"].bridge.stderr(),
                               "the notice", mqttharness.DEFAULT_TIMEOUT)
        restart_bridge(mq, fleet["a"])
        # clearing them, as mosquitto_pub -r -n does: no answer either
        for topic in ("lsc/a/cmd", "lsc/all/cmd"):
            mq.publish(topic, b"", retain=True, response_topic=mq.reply_topic,
                       correlation=b"clear")
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "ping"})["ok"], True, "the new bridge answers")
        time.sleep(0.5)
        tap.eq([mq.answers(c) for c in (b"kept", b"kept-all", b"clear")], [[], [], []],
               "retained requests, live or kept, are never answered")
        tap.eq(frames(fleet["a"].sim, since), [], "nor run")
        tap.eq(fleet["a"].bridge.stderr().count("Ignoring the retained"), 1,
               "one notice: the new bridge was not sent them, and a clearing is silent")


@tap.test
def stops_pass_any_verbs_list():
    verbs = "verbs:\n  allow: [ping]\n  deny: [halt, group.stop]\n"
    with Broker(["a"]) as broker, broker.client() as mq:
        mq.subscribe("lsc/a/online")
        robot = Robot(broker, "a", broker_config=verbs).start()
        try:
            mq.wait(lambda m: m.topic == "lsc/a/online" and m.payload == b"true", "online")
            since = robot.sim.mark()
            for cmd in ("halt", "group.stop"):
                answers = mq.broadcast({"cmd": cmd}, ["a"])
                tap.eq(answers["a"]["ok"], True, "%s on lsc/all/cmd runs whatever verbs says"
                       % cmd)
            tap.eq(mq.request("lsc/a/cmd", MOVE)["error"]["code"], "forbidden",
                   "a move the list does not allow is refused")
            robot.sim.wait_for("rx", STOP_FRAME, since=since)
        finally:
            robot.stop()


@tap.test
def same_id_other_request_runs():
    broker, fleet = two_robots()
    with broker, fleet, broker.client(version=3) as old, broker.client() as mq:
        mq.subscribe("replies/old/#")
        since = fleet["a"].sim.mark()
        old.publish("lsc/a/cmd", dict(MOVE, id=5, reply_to="replies/old/x"))
        mq.wait(lambda m: m.topic == "replies/old/x", "the move's answer")
        fleet["a"].sim.wait_for("rx", MOVE_FRAME, since=since)
        mark = mq.mark()
        old.publish("lsc/a/cmd", {"cmd": "halt", "id": 5, "reply_to": "replies/old/x"})
        m = mq.wait(lambda m: m.topic == "replies/old/x", "the halt's answer", since=mark)
        tap.check("dropped" in json.loads(m.payload), "halt with the move's id got its own answer",
                  m.payload)
        fleet["a"].sim.wait_for("rx", STOP_FRAME, since=since)
        mark = mq.mark()
        move2 = {"cmd": "move", "servos": [{"id": 1, "position": 2000}], "time_ms": 100}
        old.publish("lsc/a/cmd", dict(move2, id=5, reply_to="replies/old/x"))
        m = mq.wait(lambda m: m.topic == "replies/old/x", "the second move's answer", since=mark)
        tap.eq(json.loads(m.payload)["ok"], True, "a move with the first one's id and another "
               "target is answered its own")
        fleet["a"].sim.wait_for("rx", hexbytes("55 55 08 03 01 64 00 01 d0 07"), since=since)


@tap.test
def answer_topics_that_would_hurt_are_refused():
    broker, fleet = two_robots()
    deep = "replies/" + "/".join(["x"] * 300)
    with broker, fleet, broker.client() as mq:
        mq.subscribe("lsc/a/reply")
        mq.subscribe("lsc/a/online")
        mq.subscribe("lsc/a/status")
        since = mq.mark()
        for n, (field, kw, payload) in enumerate([
                ("reply_to", {}, {"cmd": "ping", "reply_to": deep}),
                ("response_topic", {"response_topic": deep, "correlation": b"deep"}, {"cmd": "ping"}),
                ("reply_to", {}, {"cmd": "ping", "reply_to": "lsc/a/status"}),
                ("reply_to", {}, {"cmd": "ping", "reply_to": "lsc/a/event/group.completed"}),
                ("reply_to", {}, {"cmd": "ping", "reply_to": "a\u0001b"}),
                ("reply_to", {}, {"cmd": "ping", "reply_to": "x" * 2000})]):
            mark = mq.mark()
            mq.publish("lsc/a/cmd", dict(payload, id=n), **kw)
            m = mq.wait(lambda m: m.topic == "lsc/a/reply", "the answer on lsc/a/reply", since=mark)
            answer = json.loads(m.payload)
            tap.eq((answer["id"], answer["error"]["code"], answer["error"]["field"]),
                   (n, "invalid_argument", field), "%s %s refused" % (field, str(payload)[:50]))
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "ping"})["ok"], True, "the bridge is still up")
        tap.eq([m.payload for m in mq.on_topic("lsc/a/online", since)], [],
               "and never lost the broker")
        tap.check(all("servos" in json.loads(m.payload) for m in mq.on_topic("lsc/a/status", since)),
                  "nothing but statuses on lsc/a/status")


@tap.test
def transient_answers_are_not_remembered():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        mq.subscribe("lsc/a/online")
        robot = fleet["a"]
        later = dict(MOVE, at=time.time() + 60, id="later")
        mq.publish("lsc/a/cmd", later, response_topic=mq.reply_topic, correlation=b"later")
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "ping"})["ok"], True, "scheduled")
        since = mq.mark()
        robot.stop_lscd()
        mq.until(lambda: mq.answers(b"later"), "the scheduled move's answer")
        tap.check(mq.answers(b"later")[0]["error"]["code"] in ("shutdown", "not_connected"),
                  "lscd stopping answered it shutdown", mq.answers(b"later"))
        robot.start_lscd()
        mq.wait(lambda m: m.topic == "lsc/a/online" and m.payload == b"true", "online", since=since)
        mq.publish("lsc/a/cmd", later, response_topic=mq.reply_topic, correlation=b"later")
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "cancel", "request": "later"})["ok"], True,
               "the retry reached lscd, which holds it for its \"at\"")
        mq.until(lambda: len(mq.answers(b"later")) == 2, "the retry's answer")
        tap.eq(mq.answers(b"later")[1]["error"]["code"], "cancelled", "the retry ran, then cancelled")


def servo_target(msg, servo):
    """Servo SERVO's target in the status message MSG, or None."""
    for s in json.loads(msg.payload)["servos"]:
        if s["id"] == servo:
            return s.get("target")
    return None


@tap.test
def bridge_ids_apart_from_its_own_requests():
    # The bridge's status reads (liblsc's numeric ids) are in flight among
    # these requests: none may take one's id and be refused not_connected.
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        corrs = [b"ping-%d" % n for n in range(200)]
        for corr in corrs:
            mq.publish("lsc/a/cmd", {"cmd": "ping"}, qos=0, response_topic=mq.reply_topic,
                       correlation=corr)
        mq.until(lambda: all(mq.answers(c) for c in corrs), "200 answers")
        # busy is the bound's answer (valgrind gets there); not_connected is a lie.
        tap.eq([a for c in corrs for a in mq.answers(c)
                if not a["ok"] and a["error"]["code"] != "busy"], [], "every ping ok or busy")
        tap.check(any(a["ok"] for c in corrs for a in mq.answers(c)), "pings ran")


@tap.test
def scheduled_requests_do_not_outlive_the_bridge():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        since = fleet["a"].sim.mark()
        at = time.time() + 4    # well after the kill, even on a loaded machine
        mq.publish("lsc/a/cmd", dict(MOVE, at=at), response_topic=mq.reply_topic,
                   correlation=b"held")
        # Answered after the move: lscd holds it for its "at".
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "ping"})["ok"], True, "the move is held")
        fleet["a"].bridge.kill()
        time.sleep(max(0.0, at - time.time()) + 1.0)
        tap.eq(frames(fleet["a"].sim, since), [], "the move did not run after the bridge died")
        restart_bridge(mq, fleet["a"])


@tap.test
def status_reads_renew_no_claim():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        mq.subscribe("lsc/a/event/claim.expired")
        mq.subscribe("lsc/a/status")
        claim = mq.request("lsc/a/cmd", {"cmd": "claim", "servos": [1], "lease_ms": 1500})
        tap.eq(claim["ok"], True, "claimed servo 1 with a lease of 1.5 s")
        other = fleet["a"].lscd.client()
        # Another client's moves of servo 2: each move.completed makes the
        # bridge read the status, which must not renew the network's claim.
        deadline = time.monotonic() + 10
        n = 0
        while time.monotonic() < deadline and not mq.on_topic("lsc/a/event/claim.expired"):
            since = mq.mark()
            other.ok("move", servos=[{"id": 2, "position": 1500 + 100 * (n % 2)}], time_ms=50)
            mq.wait(lambda m: m.topic == "lsc/a/status" and
                    servo_target(m, 2) == 1500 + 100 * (n % 2), "the status read", since=since)
            n += 1
        expired = mq.on_topic("lsc/a/event/claim.expired")
        tap.check(expired, "the claim expired while the bridge read the status %d times" % n)


def warnings(program, text):
    """The lines PROGRAM logged at the warning level or above holding TEXT."""
    return [l for l in program.stderr().splitlines()
            if l[:3] in ("<0>", "<1>", "<2>", "<3>", "<4>") and text in l]


@tap.test
def password_file_open_to_others_refused():
    with Broker(["a"]) as broker:
        bridge = Bridge(broker, "a", "/nonexistent/lscd.sock")
        os.chmod(broker.write_password_file("a"), 0o644)
        bridge.start()
        code = bridge.proc.wait(mqttharness.DEFAULT_TIMEOUT)
        tap.eq(code, 1, "lscd-mqtt exits 1")
        tap.check(warnings(bridge, "is open to other users (mode 0644)"), "and says why",
                  bridge.stderr())
        bridge.stop(check=False)


@tap.test
def check_config_checks_the_files():
    d = tempfile.mkdtemp(prefix="mqtt-check-")
    good, wide, empty = (os.path.join(d, n) for n in ("good", "wide", "empty"))
    for path, text, mode in ((good, "pw\n", 0o600), (wide, "pw\n", 0o644), (empty, "", 0o600)):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
    missing = os.path.join(d, "missing.pem")

    def check(password_file, tls="", run=False):
        config = os.path.join(d, "mqtt.yaml")
        with open(config, "w") as f:
            f.write("id: a\nbroker:\n  host: 127.0.0.1\n  username: a\n  password_file: %s\n%s"
                    % (password_file, tls))
        argv = [mqttharness.bridge_binary(), "--config", config, "--socket", "/nonexistent"]
        r = subprocess.run(argv + ([] if run else ["--check-config"]), capture_output=True,
                           text=True, timeout=mqttharness.DEFAULT_TIMEOUT)
        return r.returncode, r.stdout + r.stderr

    try:
        tap.eq(check(good)[0], 0, "a private password file: valid")
        for what, args, says in (
                ("open to others", (wide,), "is open to other users"),
                ("missing", (missing,), missing),
                ("a directory", (d,), d + ": cannot read: Is a directory"),
                ("empty", (empty,), "has no password"),
                ("a missing CA", (good, "  tls:\n    ca: %s\n" % missing), "ca " + missing)):
            for run in (False, True):
                code, out = check(*args, run=run)
                tap.check(code == 1 and says in out, "password file %s, %s: refused, saying why"
                          % (what, "at start" if run else "--check-config"), (code, out))
                tap.check("Invalid function arguments" not in out, "in words", out)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@tap.test
def tls_options_never_plaintext():
    keys = tempfile.mkdtemp(prefix="mqtt-tls-")
    key, cert = os.path.join(keys, "key.pem"), os.path.join(keys, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=a", "-keyout", key, "-out", cert], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    robot = None
    with Broker(["a"]) as broker, broker.client() as mq:
        mq.subscribe("lsc/a/online")
        try:
            # A client certificate and no "ca", against a plaintext listener.
            robot = Robot(broker, "a", broker_config="  tls:\n    cert: %s\n    key: %s\n"
                          % (cert, key)).start()
            mqttharness.wait_until(lambda: warnings(robot.bridge, "Cannot connect to the broker"),
                                   "a failure to connect", mqttharness.DEFAULT_TIMEOUT)
            robot.lscd.wait_connectable()
            time.sleep(0.5)
            tap.eq([m.payload for m in mq.on_topic("lsc/a/online")], [],
                   "the bridge never came online in plaintext")
        finally:
            if robot:
                robot.stop()
            shutil.rmtree(keys, ignore_errors=True)


@tap.test
def online_after_suback():
    broker = Broker(["a"])
    robot, proxy = None, None
    with broker, broker.client() as mq:
        mq.subscribe("lsc/a/online")
        try:
            proxy = mqttharness.SubackProxy(broker)
            robot = Robot(broker, "a", bridge_args=("--broker", "127.0.0.1:%d" % proxy.port)).start()
            mqttharness.wait_until(proxy.held.is_set, "a SUBACK held", mqttharness.DEFAULT_TIMEOUT)
            mqttharness.wait_until(lambda: "Connected to lscd" in robot.bridge.stderr(),
                                   "lscd connected", mqttharness.DEFAULT_TIMEOUT)
            time.sleep(0.5)
            tap.check(b"true" not in [m.payload for m in mq.on_topic("lsc/a/online")],
                      "not online while the subscriptions are not acknowledged",
                      mq.on_topic("lsc/a/online"))
            proxy.release()
            mq.wait(lambda m: m.topic == "lsc/a/online" and m.payload == b"true",
                    "online once they are")
        finally:
            if robot:
                robot.stop()
            if proxy:
                proxy.close()


@tap.test
def connection_failures_logged_once_per_reason():
    port = mqttharness.free_port()     # nobody listens there
    with Broker(["a"]) as broker:
        bridge = Bridge(broker, "a", "/nonexistent/lscd.sock", "--broker", "127.0.0.1:%d" % port)
        bridge.start()
        mqttharness.wait_until(lambda: bridge.stderr().count("Cannot connect to the broker") >= 4,
                               "four attempts", 30)
        tap.eq(len(warnings(bridge, "Cannot connect to the broker")), 1,
               "the broker's failure: one warning")
        tap.eq(len(warnings(bridge, "Cannot connect to lscd")), 1, "lscd's: one warning")
        tap.check(warnings(bridge, "Cannot connect to lscd")[0].endswith("reason changes)"),
                  "its reason said once", warnings(bridge, "Cannot connect to lscd"))
        bridge.stop()


@tap.test
def bad_credentials_logged_once():
    with Broker(["a"]) as broker:
        bridge = Bridge(broker, "a", "/nonexistent/lscd.sock")
        with open(broker.write_password_file("a"), "w") as f:
            f.write("not-the-password\n")
        bridge.start()
        mqttharness.wait_until(lambda: bridge.stderr().count("Cannot connect to the broker") >= 4,
                               "four attempts", 30)
        tap.check(len(warnings(bridge, "Cannot connect to the broker")) == 1,
                  "refused for its credentials: one warning", bridge.stderr())
        tap.check("Not authorized" in warnings(bridge, "Cannot connect to the broker")[0],
                  "naming the refusal")
        bridge.stop()


@tap.test
def sighup_stops_like_sigterm():
    broker, fleet = two_robots()
    with broker, fleet, broker.client() as mq:
        mq.subscribe("lsc/a/online")
        bridge = fleet["a"].bridge
        mq.publish("lsc/a/cmd", dict(MOVE, at=time.time() + 30), response_topic=mq.reply_topic,
                   correlation=b"held")
        tap.eq(mq.request("lsc/a/cmd", {"cmd": "ping"})["ok"], True, "the move is held")
        since = mq.mark()
        bridge.proc.send_signal(signal.SIGHUP)
        tap.eq(bridge.proc.wait(mqttharness.DEFAULT_TIMEOUT), 0, "exit status 0")
        tap.check("Stopping on signal 1" in bridge.stderr(), "logged", bridge.stderr()[-500:])
        # The bridge has left; its last messages may still be on their way.
        mq.until(lambda: mq.answers(b"held"), "the held move's answer")
        tap.eq(mq.answers(b"held")[0]["error"]["code"], "shutdown", "what waited: shutdown")
        mq.wait(lambda m: m.topic == "lsc/a/online" and m.payload == b"false", "online false",
                since=since)


tap.main()
