"""``switchboard bench speech --barge-in``: what stops the agent, and how fast.

Starts ``switchboard serve`` on loopback (local speech, the echoing placeholder brain) and
keeps one spoken call. Each trial asks, by typed input, for a long spoken reply and, one
second into its audio, plays one clip over it, streamed at real-time pace as a phone line
would, then listens for a few seconds:

- interruptions ("stop", "wait, no", real requests): the reaction is the caller audio sent
  between the clip's onset and the ``audio.clear`` (target <= 300 ms, aim 200 ms);
- backchannels ("mm-hm", "okay", "yeah" ...), coughs and noise (white, pink, brown, mains
  hum, 2 s each at a speech-like level): stopped is any ``audio.clear``; a stopped agent
  should resume (``NoTurn``), a turn formed is a caller transcript, and left silent counts
  a stop that neither resumed nor answered anything.

Clips are synthesised here: Piper (lively) and espeak-ng voices, noise from seeded
generators. The set measures; nothing is tuned on it.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.dev.bench.caller import SpokenCall
from agent.dev.bench.latency import LONG_REQUEST, _fmt as fmt_ms, _pct as pct
from agent.dev.bench.speech_wer import pink_noise
from agent.dev.bench.voices import cough, speech
from agent.wire.protocol import InputText

RATE = 16000
VOICES = ("piper-lively", "espeak")
INTERRUPTIONS = ("Stop.", "Wait, no.", "Hold on, I need to add something.", "No, that's the wrong site.",
                 "Can you say that again?")
BACKCHANNELS = ("Mm-hm.", "Okay.", "Yeah.", "Uh-huh.", "Right.", "I see.")
NOISE_RMS = 2500  # about a caller's speech level: loud enough to pass the echo gate
NOISE_MS = 2000
LISTEN_MS = 3500  # after a clip: the end of its utterance, a resume, or an answer
TARGET_MS, AIM_MS = 300, 200


@dataclass
class Clip:
    kind: str  # interruption | backchannel | cough | noise
    name: str
    pcm: np.ndarray


@dataclass
class Trial:
    clip: Clip
    reaction_ms: float | None  # onset -> audio.clear, caller audio
    resumed: bool  # a new agent item started after the clear without a caller turn
    gap_ms: float | None  # resumed: caller audio from the audio.clear to the resumed audio.start
    turn: bool  # a caller transcript formed


def _noise(kind: str, rng: np.random.Generator) -> np.ndarray:
    n = RATE * NOISE_MS // 1000
    if kind == "white":
        x = rng.normal(0.0, 1.0, n)
    elif kind == "pink":
        x = pink_noise(n, rng)
    elif kind == "brown":  # a fan or an engine: integrated white noise, its drift removed
        x = np.cumsum(rng.normal(0.0, 1.0, n))
        x -= np.convolve(x, np.ones(800) / 800, mode="same")
    else:  # mains hum with harmonics
        t = np.arange(n) / RATE
        x = np.sin(2 * np.pi * 50 * t) + 0.5 * np.sin(2 * np.pi * 150 * t) + 0.3 * np.sin(2 * np.pi * 250 * t)
    x = x / np.sqrt(np.mean(x * x)) * NOISE_RMS
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (RATE * 0.05))  # 50 ms ramps
    return (x * fade).clip(-32768, 32767).astype(np.int16)


def clips(seed: int) -> list[Clip]:
    rng = np.random.default_rng(seed)
    out = [Clip("interruption", f"{v}: {t}", speech(t, RATE, v)) for t in INTERRUPTIONS for v in VOICES]
    out += [Clip("backchannel", f"{v}: {t}", speech(t, RATE, v)) for t in BACKCHANNELS for v in VOICES]
    out += [Clip("cough", f"cough {ms} ms", cough(RATE, ms=ms, seed=seed + ms)) for ms in (150, 350)]
    out += [Clip("noise", f"{kind} noise 2 s", _noise(kind, rng)) for kind in ("white", "pink", "brown", "hum")]
    return out


async def _quiet(call: SpokenCall, after: int) -> None:
    """Wait until every agent audio item begun after event ``after`` has ended or been cleared."""
    while True:
        started = [r.body["item_id"] for r in call.events[after:] if r.body.get("type") == "audio.start"]
        done = {r.body.get("item_id") for r in call.events[after:] if r.body.get("type") in ("audio.end", "audio.clear")}
        if started and set(started) <= done:
            n = len(call.events)
            await asyncio.sleep(1.0)
            if len(call.events) == n:
                return
        else:
            await call.wait_for("audio.end", after=len(call.events), timeout=60)


async def _trial(call: SpokenCall, clip: Clip) -> Trial:
    n = len(call.events)
    await call.send(InputText(LONG_REQUEST))
    await call.wait_for("audio.start", after=n, timeout=60)
    await asyncio.sleep(1.0)
    onset = call.say(clip.pcm)
    until = onset + clip.pcm.size / RATE * 1000 + LISTEN_MS
    while call.audio_ms < until:
        await asyncio.sleep(0.1)
    heard = [r for r in call.events[n:] if r.audio_ms >= onset]
    clear = next((r for r in heard if r.body.get("type") == "audio.clear"), None)
    turn = any(r.body.get("type") == "transcript" and r.body.get("role") == "caller" and r.body.get("final")
               for r in heard)
    again = None if clear is None or turn else next(
        (r for r in heard[heard.index(clear):] if r.body.get("type") == "audio.start"), None)
    await _quiet(call, n)
    return Trial(clip, reaction_ms=None if clear is None else clear.audio_ms - onset, resumed=again is not None,
                 gap_ms=None if again is None or clear is None else again.audio_ms - clear.audio_ms, turn=turn)


def report(trials: list[Trial]) -> bool:
    print(f"\n== barge-in: {len(trials)} clips over agent speech ==")
    real = [t for t in trials if t.clip.kind == "interruption"]
    reactions = [t.reaction_ms for t in real if t.reaction_ms is not None]
    print(f"interruptions: stopped {len(reactions)}/{len(real)}; caller audio from onset to audio.clear "
          f"p50 {fmt_ms(pct(reactions, 50))} ms, max {fmt_ms(max(reactions) if reactions else None)} ms")
    ok = len(reactions) == len(real) and bool(reactions) and max(reactions) <= TARGET_MS
    print(f"{'kind':<12} {'clips':>5} {'stopped':>8} {'resumed':>8} {'turn':>5} {'silent':>7}")
    for kind in ("backchannel", "cough", "noise"):
        group = [t for t in trials if t.clip.kind == kind]
        stopped = [t for t in group if t.reaction_ms is not None]
        silent = [t for t in stopped if not t.resumed and not t.turn]
        print(f"{kind:<12} {len(group):>5} {len(stopped):>8} {sum(t.resumed for t in stopped):>8} "
              f"{sum(t.turn for t in group):>5} {len(silent):>7}")
        ok = ok and not silent
    gaps = [t.gap_ms for t in trials if t.gap_ms is not None]
    print(f"false interruptions resumed after (caller audio, audio.clear -> audio.start): "
          f"p50 {fmt_ms(pct(gaps, 50))} ms, max {fmt_ms(max(gaps) if gaps else None)} ms")
    false = [t for t in trials if t.clip.kind != "interruption"]
    stopped = [t for t in false if t.reaction_ms is not None or t.turn]
    print(f"false interruptions (stopped the agent or formed a turn): {len(stopped)}/{len(false)} "
          f"= {len(stopped) / len(false):.0%}")
    for t in trials:
        wrong = t.reaction_ms is None if t.clip.kind == "interruption" else (t.reaction_ms is not None or t.turn)
        if wrong:
            print(f"  {t.clip.kind}: {t.clip.name!r} -> {'not stopped' if t.reaction_ms is None else 'stopped'}"
                  f"{', resumed' if t.resumed else ''}{', formed a turn' if t.turn else ''}")
    print(f"target: every interruption stopped within {TARGET_MS} ms (aim {AIM_MS}), no false stop left silent: "
          f"{'met' if ok else 'NOT met'}")
    return ok


async def _run(url: str, seed: int) -> bool:
    print("synthesising clips (Piper, espeak-ng, noise) ...", flush=True)
    items = clips(seed)
    call = SpokenCall(url, RATE)
    await call.connect()
    await call.wait_for("audio.end", timeout=60)  # the greeting
    try:
        trials = []
        for clip in items:
            trials.append(await _trial(call, clip))
            t = trials[-1]
            print(f"  {clip.kind:<12} {clip.name:<45} clear {fmt_ms(t.reaction_ms):>5} ms"
                  f"{f'  resumed after {t.gap_ms:.0f} ms' if t.gap_ms is not None else ''}"
                  f"{'  turn' if t.turn else ''}", flush=True)
    finally:
        await call.close()
    return report(trials)


def run(seed: int) -> int:
    from agent.dev.localserver import LocalServer

    with tempfile.TemporaryDirectory(prefix="switchboard-bench-") as tmp:
        server = LocalServer(Path(tmp), {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": "placeholder"})
        server.start(timeout=180)
        try:
            ok = asyncio.run(_run(server.ws, seed))
        finally:
            server.stop()
    return 0 if ok else 1
