// SPDX-License-Identifier: MIT
// The lscd panel: plain JavaScript, no build step, nothing from elsewhere.
// Every action is a POST /api/VERB with the protocol's arguments; lscd's
// events come from GET /api/events. The page's requests carry its event
// stream's session, so that lscd sees the page as one client: the claim it
// takes while a person drives is its own, renewed by a ping every second,
// and released when the page goes away (the lease, and the stream's end).
// Stop never depends on that session: lscd-web halts through its own
// connection when the session has ended, and the page tries again without
// it, then says loudly that the stop failed.
"use strict";

const LEASE_MS = 3000;
const BATTERY_POLL_MS = 5000;
const BATTERY_WINDOW_MS = 5 * 60 * 1000;
const LOG_MAX = 200;
const HALT_TRIES = 3;
const HALT_RETRY_MS = 200;
const HALT_TIMEOUT_MS = 2000;   // each try: STOP FAILED shows within seconds
const $ = (id) => document.getElementById(id);

const state = {
  session: null,       // X-LSC-Session of our event stream
  claim: null,         // the id of the claim we hold
  renew: null,         // its ping timer
  servos: new Map(),   // id -> { row, slider, number, info }
  battery: [],         // [ms since epoch, millivolts]
  dragging: null,      // the slider a finger or mouse holds
};

// POST /api/VERB; with the page's session unless opt.noSession. A 401
// sends to the login page, but with opt.stay (STOP: the page must stay);
// opt.timeoutMs gives up on an answer that has not come by then.
async function api(verb, args, opt = {}) {
  const headers = { "Content-Type": "application/json", "X-LSC-Request": "1" };
  if (state.session && !opt.noSession)
    headers["X-LSC-Session"] = state.session;
  const signal = opt.timeoutMs ? AbortSignal.timeout(opt.timeoutMs) : undefined;
  let r, answer;
  try {
    r = await fetch("/api/" + verb, { method: "POST", headers, body: JSON.stringify(args || {}), signal });
    if (r.status === 401 && !opt.stay)
      location.replace("/login.html");
    answer = await r.json();
  } catch (e) {
    const message = e.name === "TimeoutError" ? "no answer within " + opt.timeoutMs / 1000 + " s" : e.message;
    log(verb + ": " + message, true);
    return { ok: false, error: { code: e.name === "TimeoutError" ? "timeout" : "network", message } };
  }
  if (r.status === 401)
    answer = { ok: false, error: { code: "forbidden", message: "not logged in" } };
  if (!answer.ok && answer.error.code !== "superseded")
    log(verb + ": " + answer.error.code + ": " + answer.error.message, true);
  return answer;
}

function log(text, error) {
  const li = document.createElement("li");
  li.textContent = new Date().toLocaleTimeString() + " " + text;
  if (error)
    li.className = "error";
  const list = $("log");
  list.prepend(li);
  while (list.children.length > LOG_MAX)
    list.lastChild.remove();
}

function setConn(text, on) {
  $("conn").textContent = text;
  $("conn").className = "badge " + (on ? "on" : "off");
}

// ---- servos ----
function servoRow(s) {
  const row = document.createElement("div");
  row.className = "servo";
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = s.name || "servo " + s.id;
  const slider = document.createElement("input");
  slider.type = "range";
  const number = document.createElement("input");
  number.type = "number";
  for (const el of [slider, number]) {
    el.min = s.min; el.max = s.max; el.step = 1;
    el.value = s.target ?? s.home ?? Math.round((s.min + s.max) / 2);
    el.dataset.servo = s.name || s.id;
    el.setAttribute("aria-label", name.textContent);
  }
  const limits = document.createElement("span");
  limits.className = "limits";
  limits.textContent = "id " + s.id + ", " + s.min + "–" + s.max + " µs";
  slider.addEventListener("input", () => { number.value = slider.value; moveSoon(s, slider.value); });
  slider.addEventListener("pointerdown", () => { state.dragging = slider; });
  slider.addEventListener("change", () => {
    state.dragging = null;
    number.value = slider.value;
    move(s, slider.value);
  });
  number.addEventListener("change", () => { slider.value = number.value; move(s, number.value); });
  row.append(name, slider, number, limits);
  return { row, slider, number, info: s };
}

function servoRef(s) {
  return s.name ? { name: s.name } : { id: s.id };
}

let pendingMove = null, pendingTimer = null;
function moveSoon(s, value) {
  // At most one move per 100 ms while a slider is dragged: the line takes
  // about 10 ms per move, and each replaces the one before if still queued.
  pendingMove = { s, value };
  if (!pendingTimer)
    pendingTimer = setTimeout(() => {
      const p = pendingMove;
      pendingMove = pendingTimer = null;
      move(p.s, p.value);
    }, 100);
}

// Stop: the move a slider still has waiting is never sent.
function cancelPendingMove() {
  clearTimeout(pendingTimer);
  pendingMove = pendingTimer = null;
}

function move(s, value) {
  const time_ms = Number($("move-time").value) || 0;
  return api("move", { servos: [{ ...servoRef(s), position: Number(value) }], time_ms, replace: true });
}

function showServos(list) {
  const box = $("servos");
  if (!list.length)   // no robot file: the six channels of an LSC-6
    list = [1, 2, 3, 4, 5, 6].map((id) => ({ id, name: null, min: 500, max: 2500, target: null }));
  for (const s of list) {
    let v = state.servos.get(s.id);
    if (!v) {
      v = servoRow(s);
      state.servos.set(s.id, v);
      box.append(v.row);
    }
    v.row.classList.toggle("moving", !!s.moving);
    if (s.target != null && state.dragging !== v.slider) {
      v.slider.value = s.target;
      v.number.value = s.target;
    }
  }
}

async function refreshServos() {
  const r = await api("servos");
  if (r.ok)
    showServos(r.servos);
}

// The robot file changed: servos may have new names, limits, or be gone.
async function rebuildServos() {
  const r = await api("servos");
  if (!r.ok)
    return;
  state.servos.clear();
  $("servos").replaceChildren();
  showServos(r.servos);
}

// ---- groups, poses, sequences ----
function buttons(box, items, verb, args) {
  $(box).replaceChildren(...items.map(([label, value]) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset[verb === "group.run" ? "group" : verb === "pose" ? "pose" : "sequence"] = label;
    b.addEventListener("click", () => api(verb, args(value)));
    return b;
  }));
}

async function refreshRobot() {
  const r = await api("robot");
  if (!r.ok)
    return;
  const groups = Object.entries(r.groups || {});
  buttons("groups", groups.length ? groups : [1, 2, 3].map((n) => ["group " + n, n]),
          "group.run", (group) => ({ group }));
  const poses = Object.keys(r.poses || {});
  if (!poses.includes("home"))
    poses.unshift("home");
  buttons("poses", poses.map((p) => ["pose " + p, p]), "pose", (name) => ({ name }));
  const seq = await api("sequence.list");
  if (seq.ok)
    buttons("sequences", seq.sequences.filter((s) => !s.error).map((s) => ["play " + s.name, s.name]),
            "sequence.run", (name) => ({ name }));
}

// ---- status: the board, and who holds which claim ----
async function refreshStatus() {
  const r = await api("status");
  if (!r.ok) {
    setConn("lscd: " + r.error.code, false);
    return;
  }
  setConn(r.device.connected ? "board connected" : "no board", r.device.connected);
  $("conn").title = r.device.path || r.device.requested || "";
  const held = (r.connections || []).filter((c) => c.claims && c.claims.length);
  $("claims").replaceChildren(...(held.length ? held : [null]).map((c) => {
    const li = document.createElement("li");
    li.textContent = c ? (c.name || "client " + c.client) + " (client " + c.client + ", pid " + c.pid +
                          "): claim " + c.claims.join(", ") : "none";
    return li;
  }));
}

// ---- battery ----
function addBattery(mv) {
  const now = Date.now();
  state.battery.push([now, mv]);
  while (state.battery.length && state.battery[0][0] < now - BATTERY_WINDOW_MS)
    state.battery.shift();
  $("battery").textContent = (mv / 1000).toFixed(2) + " V";
  $("battery").dataset.millivolts = mv;
  drawBattery();
}

function drawBattery() {
  const c = $("battery-chart");
  const w = c.width = c.clientWidth || 600, h = c.height;
  const g = c.getContext("2d");
  const pts = state.battery;
  g.clearRect(0, 0, w, h);
  if (!pts.length)
    return;
  const mvs = pts.map((p) => p[1]);
  const lo = Math.min(...mvs) - 200, hi = Math.max(...mvs) + 200;
  const now = Date.now();
  const x = (t) => w - (now - t) / BATTERY_WINDOW_MS * w;
  const y = (mv) => h - (mv - lo) / (hi - lo) * h;
  g.strokeStyle = "#2060c0";
  g.lineWidth = 2;
  g.beginPath();
  pts.forEach(([t, mv], i) => (i ? g.lineTo(x(t), y(mv)) : g.moveTo(x(t), y(mv))));
  g.stroke();
  g.fillStyle = "#2060c0";
  for (const [t, mv] of pts)
    g.fillRect(x(t) - 2, y(mv) - 2, 4, 4);
  g.fillStyle = "#555";
  g.font = "12px system-ui";
  g.fillText((hi / 1000).toFixed(2) + " V", 4, 14);
  g.fillText((lo / 1000).toFixed(2) + " V", 4, h - 4);
  g.fillText("last " + BATTERY_WINDOW_MS / 60000 + " min", w - 80, h - 4);
}

async function pollBattery() {
  await api("battery");   // the answer comes back as a battery event too
}

// ---- the claim while a person drives ----
async function drive(on) {
  if (on) {
    const r = await api("claim", { servos: "all", lease_ms: LEASE_MS });
    if (!r.ok) {
      $("drive").checked = false;
      return;
    }
    state.claim = r.claim;
    state.renew = setInterval(() => api("ping"), LEASE_MS / 3);
  } else {
    clearInterval(state.renew);
    state.renew = null;
    if (state.claim != null)
      await api("release", { claim: state.claim });
    state.claim = null;
  }
}

function claimEnded(ev) {
  if (ev.claim === state.claim) {
    clearInterval(state.renew);
    state.claim = null;
    $("drive").checked = false;
  }
}

// ---- events ----
let refreshTimer = null;
function refreshSoon() {
  if (!refreshTimer)
    refreshTimer = setTimeout(() => { refreshTimer = null; refreshServos(); }, 150);
}

function onEvent(ev) {
  const { event, time, ...rest } = ev;
  log(event + " " + JSON.stringify(rest));
  if (event === "battery")
    addBattery(ev.millivolts);
  else if (event.startsWith("device."))
    refreshStatus();
  else if (event.startsWith("claim.")) {
    refreshStatus();
    if (event !== "claim.acquired")
      claimEnded(ev);
  } else if (event === "robot.changed")
    refreshRobot().then(rebuildServos);
  if (["move.completed", "sequence.step", "group.completed", "group.stopped"].includes(event))
    refreshSoon();
}

function connect() {
  const es = new EventSource("/api/events");
  es.addEventListener("session", async (e) => {
    state.session = JSON.parse(e.data).session;
    setConn("connected", true);
    await api("hello", { name: "web panel", on_disconnect: "drop" });
    await Promise.all([refreshRobot(), refreshServos(), refreshStatus(), pollBattery()]);
    document.body.dataset.ready = "1";
  });
  es.onmessage = (e) => onEvent(JSON.parse(e.data));
  es.onerror = async () => {
    // The stream ended (lscd-web or lscd went away, or the login ended):
    // its claim went with it. The browser retries by itself, unless the
    // answer was an error (503 while lscd is away, 401 once logged out):
    // then we ask why, and start again unless the login is gone.
    state.session = null;
    claimEnded({ claim: state.claim });
    setConn("reconnecting…", false);
    if (es.readyState !== EventSource.CLOSED)
      return;
    const r = await api("ping", {}, { noSession: true, stay: true });
    if (r.error && r.error.message === "not logged in") {
      setConn("logged out", false);
      document.body.dataset.loggedOut = "1";
      log("the login ended (it expired, or newer ones pushed it out): log in again to use the panel", true);
      return;
    }
    setTimeout(connect, 2000);
  };
}

// The first try names the page (its session); the others need none. The
// page never leaves: without a login, STOP FAILED says so.
async function halt() {
  cancelPendingMove();
  log("STOP");
  let why = "";
  for (let i = 0; i < HALT_TRIES; i++) {
    if (i > 0)
      await new Promise((done) => setTimeout(done, HALT_RETRY_MS));
    const r = await api("halt", {}, { noSession: i > 0, stay: true, timeoutMs: HALT_TIMEOUT_MS });
    if (r.ok) {
      $("stop").classList.remove("failed");
      return;
    }
    why = r.error.message;
    if (why === "not logged in")
      break;
  }
  $("stop").classList.add("failed");
  setConn("STOP FAILED", false);
  log("STOP FAILED (" + why + "): the robot may still be moving", true);
}

$("stop").addEventListener("click", halt);
document.addEventListener("keydown", (e) => { if (e.key === "Escape") halt(); });
$("drive").addEventListener("change", (e) => drive(e.target.checked));
$("speed").addEventListener("input", () => { $("speed-number").value = $("speed").value; });
$("speed-number").addEventListener("change", () => { $("speed").value = $("speed-number").value; });
$("speed-set").addEventListener("click", () =>
  api("group.speed", { group: "all", percent: Number($("speed-number").value) }));
$("group-stop").addEventListener("click", () => api("group.stop"));
window.addEventListener("resize", drawBattery);
setInterval(pollBattery, BATTERY_POLL_MS);
connect();
