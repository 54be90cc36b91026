// switchboard web sample: one call over /invocations_ws (through the local proxy at /ws).
// Protocol: docs/protocol.md. State the tests read is kept in window.sb.
"use strict";

const RATE = 16000;                       // session sample rate: PCM16 mono, 20 ms frames of 640 bytes
const FINAL_CLOSE = new Set([1000, 1008, 1009, 4000]);
const params = new URLSearchParams(location.search);

const sb = window.sb = {
  sessionId: params.get("session") || ("web-" + Math.random().toString(36).slice(2, 12)),
  lastSeq: 0, connected: false, speech: false, ended: false,
  events: [], transcript: [], routes: [], tools: [], handoffs: [], metrics: [],
  audioIn: 0, framesOut: 0, reconnects: 0, playedMs: 0, queuedMs: 0, progressSent: 0, clears: [],
};

const $ = (id) => document.getElementById(id);
let ws = null, ctx = null, mic = null, micNode = null, player = null, micOn = false;
let pushed = 0;                           // samples pushed to the player since the page loaded
let played = 0;                           // samples the player has actually played
let item = null;                          // {id, start} of the agent audio item being played
let progressTimer = null, retryTimer = null;

// ---------- connection ----------
function wsUrl() {
  const u = new URL("ws", location.href);
  u.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  u.searchParams.set("agent_session_id", sb.sessionId);
  return u.toString();
}

function connect() {
  if (ws && ws.readyState <= 1) return;
  clearTimeout(retryTimer);
  sb.ended = false;
  setStatus("connecting…", "wait");
  ws = new WebSocket(wsUrl());
  ws.binaryType = "arraybuffer";
  ws.onopen = () => {
    const start = { type: "session.start", audio: { encoding: "pcm16", sample_rate: RATE }, channel: "web" };
    if (sb.lastSeq > 0) start.last_seq = sb.lastSeq;   // resume: the agent replays what we missed
    ws.send(JSON.stringify(start));
  };
  ws.onmessage = (m) => (typeof m.data === "string" ? onEvent(JSON.parse(m.data)) : onAudio(m.data));
  ws.onclose = (e) => {
    sb.connected = false;
    if (sb.ended || FINAL_CLOSE.has(e.code)) {
      setStatus(`call ended (${e.code}${e.reason ? " " + e.reason : ""})`, "off");
      sb.ended = true;
      return;
    }
    // A drop (network, container restart, platform recycle): resume the same session.
    sb.reconnects++;
    const delay = Math.min(8000, 500 * 2 ** Math.min(sb.reconnects - 1, 4));
    setStatus(`connection lost (${e.code}); reconnecting in ${(delay / 1000).toFixed(1)} s…`, "wait");
    retryTimer = setTimeout(connect, delay);
  };
}

function hangUp() {
  sb.ended = true;
  if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "session.end", reason: "caller hung up" }));
  stopMic();
}

function send(obj) {
  if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj));
}

// ---------- events ----------
function onEvent(ev) {
  if (typeof ev.seq === "number" && ev.seq > 0 && ev.type !== "session.ready") {
    if (ev.seq <= sb.lastSeq) return;                     // already seen before a reconnect
    sb.lastSeq = ev.seq;
  }
  sb.events.push(ev);
  switch (ev.type) {
    case "session.ready":
      sb.connected = true; sb.speech = !!ev.speech; sb.reconnects = 0;
      setStatus(`connected · session ${ev.session_id}${ev.resumed ? " (resumed)" : ""}` +
                (ev.speech ? "" : " · text only"), "on");
      if (ev.resumed) addLine("system", "(reconnected: the call carries on where it was)");
      $("mic").disabled = !ev.speech;
      if (ev.speech && params.get("mic") === "1") startMic();
      break;
    case "transcript": addTranscript(ev); break;
    case "route": sb.routes.push(ev); showRoute(ev); break;
    case "tool": sb.tools.push(ev); addTool(ev); break;
    case "handoff": sb.handoffs.push(ev); showHandoff(ev); break;
    case "turn.metrics": sb.metrics.push(ev); addMetrics(ev); break;
    case "audio.start": item = { id: ev.item_id, start: pushed }; startProgress(); break;
    case "audio.end": player && player.port.postMessage({ type: "drain" }); break;
    case "audio.clear":
      // Barge-in: stop what is playing now and drop everything buffered.
      if (player) player.port.postMessage({ type: "clear" });
      reportProgress(); item = null; pushed = played;
      addLine("system", "(agent stopped: you interrupted)");
      break;
    case "transcript.truncated": addLine("system", `(heard before the interruption: ${ev.text || "nothing"})`); break;
    case "error": addLine("error", `${ev.code}: ${ev.message}`); break;
    case "session.ended": sb.ended = true; addLine("system", `call ended: ${ev.reason || ""}`); stopMic(); break;
  }
}

function onAudio(buf) {
  sb.audioIn += buf.byteLength;
  if (!player) return;
  const pcm = ctx.sampleRate === RATE ? buf : resample(new Int16Array(buf), RATE, ctx.sampleRate).buffer;
  pushed += pcm.byteLength / 2;
  player.port.postMessage({ type: "push", pcm }, [pcm]);
}

function resample(pcm, from, to) {
  // Linear interpolation: only used when the browser would not give us a 16 kHz context.
  const out = new Int16Array(Math.round(pcm.length * to / from));
  for (let i = 0; i < out.length; i++) {
    const x = i * from / to, j = Math.floor(x), f = x - j;
    out[i] = (pcm[j] || 0) * (1 - f) + (pcm[Math.min(j + 1, pcm.length - 1)] || 0) * f;
  }
  return out;
}

// playback.progress tells the agent how much of its item the caller really heard (barge-in truncation).
function startProgress() {
  clearInterval(progressTimer);
  progressTimer = setInterval(reportProgress, 250);
}
function reportProgress() {
  if (!item) { clearInterval(progressTimer); return; }
  const ms = Math.max(0, Math.round((played - item.start) * 1000 / (ctx ? ctx.sampleRate : RATE)));
  sb.playedMs = ms;
  send({ type: "playback.progress", item_id: item.id, played_ms: ms });
  sb.progressSent++;
  if (played >= pushed && sb.events.some((e) => e.type === "audio.end" && e.item_id === item.id)) {
    item = null; clearInterval(progressTimer);
  }
}

// ---------- audio ----------
async function ensureAudio() {
  if (ctx) return;
  try { ctx = new AudioContext({ sampleRate: RATE, latencyHint: "interactive" }); }
  catch (e) { ctx = new AudioContext({ latencyHint: "interactive" }); }
  await ctx.audioWorklet.addModule("mic-worklet.js");
  await ctx.audioWorklet.addModule("player-worklet.js");
  player = new AudioWorkletNode(ctx, "player", { outputChannelCount: [1] });
  player.port.onmessage = (e) => {
    if (e.data.type !== "played") return;
    played = e.data.played;
    sb.queuedMs = Math.round(e.data.queued * 1000 / ctx.sampleRate);
    if (e.data.cleared) sb.clears.push({ queuedMs: sb.queuedMs, atPlayedMs: Math.round(played * 1000 / ctx.sampleRate) });
  };
  player.connect(ctx.destination);
  if (ctx.state === "suspended") await ctx.resume();
}

async function startMic() {
  await ensureAudio();
  if (micOn) return;
  try {
    mic = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  } catch (e) {
    addLine("error", "microphone: " + e.message);
    return;
  }
  const source = ctx.createMediaStreamSource(mic);
  micNode = new AudioWorkletNode(ctx, "mic-capture", { processorOptions: { rate: RATE } });
  micNode.port.onmessage = (e) => {
    if (ws && ws.readyState === 1 && sb.connected) { ws.send(e.data); sb.framesOut++; }
  };
  source.connect(micNode);
  micOn = true;
  $("mic").textContent = "Mute microphone";
  $("mic").classList.add("live");
}

function stopMic() {
  if (mic) mic.getTracks().forEach((t) => t.stop());
  if (micNode) micNode.disconnect();
  mic = micNode = null; micOn = false;
  $("mic").textContent = "Start microphone";
  $("mic").classList.remove("live");
}

// ---------- view ----------
function setStatus(text, cls) {
  $("status").textContent = text;
  $("status").className = "status " + cls;
  // One call at a time: Call is live only while there is no connection (or a retry is pending).
  $("connect").disabled = cls === "on";
  $("hangup").disabled = cls === "off";
}

let partial = null;
function addTranscript(ev) {
  if (ev.role === "caller" && !ev.final) {
    if (!partial) partial = addLine("caller partial", ev.text);
    else partial.querySelector(".text").textContent = ev.text;
    return;
  }
  if (partial && ev.role === "caller") { partial.remove(); partial = null; }
  sb.transcript.push({ role: ev.role, text: ev.text, kind: ev.kind || null });
  const tag = ev.role === "caller" && ev.kind && ev.kind !== "speech" ? ev.kind : "";
  addLine(ev.role + (ev.replayed ? " replayed" : ""), ev.text, tag);
}

function addLine(cls, text, tag = "") {
  const row = document.createElement("div");
  row.className = "line " + cls;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = cls.startsWith("caller") ? "You" : cls.startsWith("agent") ? "Agent" : "";
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;                    // textContent: agent text is never parsed as HTML
  if (tag) body.append(el("span", "tag", tag));   // typed / keyed turns are marked
  row.append(who, body);
  $("transcript").append(row);
  $("transcript").scrollTop = $("transcript").scrollHeight;
  return row;
}

function showRoute(ev) {
  const pct = Math.round((ev.confidence || 0) * 100);
  $("route").classList.remove("muted");
  $("route").replaceChildren(
    el("div", "route-target " + ev.target, `${ev.target} · ${ev.intent || ""}`),
    el("div", "bar", null, [el("div", "fill", null, [], { width: pct + "%" })]),
    el("div", "muted", `${ev.action} · confidence ${(ev.confidence || 0).toFixed(2)}`),
    el("div", "muted small", ev.reason || ""),
  );
}

function addTool(ev) {
  const took = typeof ev.latency_ms === "number" ? ` ${Math.round(ev.latency_ms)} ms` : "";
  const detail = ev.status === "ok" ? ev.result : ev.status === "error" ? ev.error : ev.arguments;
  $("tools").classList.remove("muted");
  if ($("tools").dataset.filled !== "1") { $("tools").replaceChildren(); $("tools").dataset.filled = "1"; }
  const row = el("li", "tool " + ev.status, `${ev.name} — ${ev.status}${took}`,
    detail ? [el("div", "muted small", JSON.stringify(detail).slice(0, 160))] : []);
  row.dataset.name = ev.name;
  // The result replaces its own "started" line, so each call shows once.
  const started = [...$("tools").querySelectorAll("li.tool.started")].reverse().find((li) => li.dataset.name === ev.name);
  if (started && ev.status !== "started") started.replaceWith(row); else $("tools").append(row);
}

function showHandoff(ev) {
  $("handoff").replaceChildren(
    el("div", "case", `Case ${ev.case_id}`),
    el("div", "", `to ${ev.target} · priority ${ev.priority}`),
    el("div", "muted small", ev.reason || ""),
  );
  $("handoff").classList.add("active");
}

function addMetrics(m) {
  const fmt = (v) => (typeof v === "number" ? Math.round(v) : "–");
  $("metrics").append(el("tr", "", null, [m.turn, m.stt_ms, m.decision_ms, m.first_audio_ms, m.total_ms]
    .map((v, i) => el("td", "", i === 0 ? String(v) : fmt(v)))));
}

function el(tag, cls, text, children = [], style = null) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  if (style) Object.assign(e.style, style);
  e.append(...children);
  return e;
}

// ---------- controls ----------
$("connect").onclick = async () => { await ensureAudio(); connect(); };
$("hangup").onclick = hangUp;
$("mic").onclick = () => (micOn ? stopMic() : startMic());
$("typed").onsubmit = (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  send({ type: "input.text", text: text.slice(0, 4000) });
  $("text").value = "";
};
$("session").textContent = sb.sessionId;

// Browsers start an AudioContext made without a click suspended: any click wakes it.
document.addEventListener("click", () => ctx && ctx.state === "suspended" && ctx.resume());
if (params.get("autoconnect") === "1") ensureAudio().then(connect);
