"""``switchboard bench speech``: end of turn in both failure directions, per turn model.

Drives the embedded speech engine directly (one channel per clip, caller audio streamed
at real-time pace in 20 ms frames) with two sets of synthesised requests:

- paused: a longer request with a 600-900 ms pause inserted between two words (the
  words before it keep the intonation of a sentence that goes on). A final transcript
  before the caller resumes is a false cut-off.
- finished: a short, complete request. A turn that ends only at the hold cap
  (``SWITCHBOARD_ENDPOINT_HOLD_MS``) is a false hold: the caller waited for nothing.

It prints, per turn model (``silence`` and ``smart-turn``) and voice, the false cut-off
and false hold rates, and the end-of-turn delay (end of the caller's last speech ->
final transcript ready, which includes recognition) p50/p95; and the compute time of
one Smart Turn call.

``--wer`` measures recognition instead (``speech_wer``); ``--barge-in`` measures what stops
the agent while it speaks (``speech_barge``): reaction to interruptions, and false
interruptions on backchannels, coughs and noise.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import statistics
import time
from dataclasses import dataclass

import numpy as np

from agent.dev.bench.latency import _fmt as fmt_ms, _pct as pct
from agent.dev.bench import languages, speech_barge, speech_wer
from agent.dev.bench.phrases import PHRASES
from agent.dev.bench.voices import speech, with_pause
from agent.config import Settings
from agent.speech.engine import FinalTranscript, SpeechEvent
from agent.speech.local import LocalSpeechEngine
from agent.speech.vad import FRAME_SAMPLES, RATE

SHORT_WORDS = 7  # requests of at most this many words are the "finished" set; longer ones get a pause
LEAD_MS = 300
TAIL_MS = 2500  # silence after the clip: longer than any hold
TARGET_CUTOFF = 0.03


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--turn-model", action="append", choices=("silence", "smart-turn"),
                   help="end-of-turn rule (repeatable; default: both)")
    p.add_argument("--voice", action="append", choices=("piper-lively", "espeak", "piper"),
                   help="caller voice (repeatable; default: piper-lively and espeak)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--wer", action="store_true",
                   help="measure recognition instead: WER per voice and channel condition (agent.dev.bench.speech_wer)")
    p.add_argument("--barge-in", action="store_true",
                   help="measure barge-in instead: reaction and false interruptions (agent.dev.bench.speech_barge)")
    speech_wer.add_arguments(p)


@dataclass
class Clip:
    kind: str  # paused | finished
    text: str
    pcm: np.ndarray
    resume_at: int | None  # paused: sample where speech resumes after the pause


@dataclass
class Outcome:
    kind: str
    cut_off: bool
    delay_ms: float | None  # end of the last speech -> final transcript


def clips(voice: str, seed: int) -> list[Clip]:
    rng = random.Random(seed)
    out = []
    for text in PHRASES:
        pcm = speech(text, RATE, voice)
        if len(text.split()) <= SHORT_WORDS:
            out.append(Clip("finished", text, pcm, None))
        else:
            pause = rng.randrange(600, 901, 50)
            paused, cut = with_pause(pcm, RATE, pause)
            out.append(Clip("paused", text, paused, cut + RATE * pause // 1000))
    return out


async def _play(engine: LocalSpeechEngine, clip: Clip) -> Outcome:
    finals: list[tuple[float, FinalTranscript]] = []
    got = asyncio.Event()

    async def on_event(ev: SpeechEvent) -> None:
        if isinstance(ev, FinalTranscript):
            finals.append((time.monotonic(), ev))
            got.set()

    channel = engine.open(RATE, on_event)
    lead = np.zeros(RATE * LEAD_MS // 1000, dtype=np.int16)
    audio = np.concatenate([lead, clip.pcm, np.zeros(RATE * TAIL_MS // 1000, dtype=np.int16)])
    speech_end = lead.size + clip.pcm.size
    resume = None if clip.resume_at is None else lead.size + clip.resume_at
    t0 = time.monotonic()
    fed_end_at = resumed_at = None
    try:
        for i in range(0, audio.size - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            due = t0 + i / RATE
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            await channel.feed(audio[i : i + FRAME_SAMPLES].tobytes())
            if resume is not None and resumed_at is None and i + FRAME_SAMPLES > resume:
                resumed_at = time.monotonic()
            if fed_end_at is None and i + FRAME_SAMPLES >= speech_end:
                fed_end_at = t0 + speech_end / RATE
            if fed_end_at is not None and got.is_set() and (resume is None or finals[-1][0] > resumed_at):
                break
        await channel.flush()
    finally:
        await channel.close()
    cut_off = resumed_at is not None and any(at < resumed_at for at, _ in finals)
    last = [at for at, _ in finals if resumed_at is None or at >= resumed_at]
    delay = (last[0] - fed_end_at) * 1000 if last and fed_end_at is not None else None
    return Outcome(clip.kind, cut_off, delay)


def summary(outcomes: list[Outcome], hold_ms: int) -> dict[str, float | None]:
    paused = [o for o in outcomes if o.kind == "paused"]
    finished = [o for o in outcomes if o.kind == "finished"]
    # A finished request is held when its transcript came no sooner than the cap (or never).
    held = [o for o in finished if o.delay_ms is None or o.delay_ms >= hold_ms]
    delays = [o.delay_ms for o in outcomes if o.delay_ms is not None and not o.cut_off]
    return {
        "cutoff": sum(o.cut_off for o in paused) / len(paused) if paused else None,
        "hold": len(held) / len(finished) if finished else None,
        "p50": pct(delays, 50), "p95": pct(delays, 95),
        "n_paused": len(paused), "n_finished": len(finished),
    }


def model_cost_ms(engine: LocalSpeechEngine, pcm: np.ndarray, calls: int = 20) -> tuple[float, float]:
    """Median wall and CPU ms of one Smart Turn call (onnxruntime runs it on the calling thread)."""
    assert engine.turn is not None
    wall, cpu = [], []
    for _ in range(calls):
        t, c = time.perf_counter(), time.thread_time()
        engine.turn.probability(pcm)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


async def _run(models: list[str], voices: list[str], seed: int) -> int:
    sets = {v: clips(v, seed) for v in voices}
    ok = True
    print(f"{'turn model':<11} {'voice':<13} {'cut-off':>9} {'held':>9} {'delay p50':>10} {'p95':>7}")
    for model in models:
        settings = dataclasses.replace(Settings.from_env(), turn_model=model)
        engine = LocalSpeechEngine(settings)
        await engine.start()
        try:
            hold = engine.endpoint_config().hold_ms
            for voice, voice_clips in sets.items():
                outcomes = [await _play(engine, c) for c in voice_clips]
                s = summary(outcomes, hold)
                print(f"{model:<11} {voice:<13} {_rate(s['cutoff'], s['n_paused']):>9} "
                      f"{_rate(s['hold'], s['n_finished']):>9} {fmt_ms(s['p50']):>10} {fmt_ms(s['p95']):>7}", flush=True)
                ok = ok and (model != "smart-turn" or (s["cutoff"] or 0.0) <= TARGET_CUTOFF)
            if engine.turn is not None:
                wall, cpu = model_cost_ms(engine, sets[voices[0]][0].pcm)
                print(f"smart-turn: one call {wall:.0f} ms wall, {cpu:.0f} ms CPU (medians, one thread)")
        finally:
            await engine.close()
    print(f"target: false cut-offs <= {TARGET_CUTOFF:.0%} with smart-turn: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def _rate(v: float | None, n: int) -> str:
    return "-" if v is None else f"{v:.0%}/{n}"


def run(args: argparse.Namespace) -> int:
    if args.wer:
        return languages.run(args) if args.languages else speech_wer.run(args)
    if args.barge_in:
        return speech_barge.run(args.seed)
    models = args.turn_model or ["silence", "smart-turn"]
    voices = args.voice or ["piper-lively", "espeak"]
    return asyncio.run(_run(models, voices, args.seed))
