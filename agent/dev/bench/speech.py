"""``switchboard bench speech``: end of turn in both failure directions, per turn model.

Drives the embedded speech engine directly (one channel per clip, caller audio streamed
at real-time pace in 20 ms frames) with two sets of synthesised requests:

- paused: a longer request with a 600-900 ms pause inserted between two words (the
  words before it keep the intonation of a sentence that goes on). A final transcript
  before the caller resumes is a false cut-off.
- finished: a short, complete request. A turn that ends only at the hold cap
  (``SWITCHBOARD_ENDPOINT_HOLD_MS``) is a false hold: the caller waited for nothing.

It prints, per set-up (turn model ``silence`` or ``smart-turn``; words judged by the
``rules`` or the completeness ``model``, with the short silence ``--short-ms``), voice and
split, the false cut-off and false hold rates, and the end-of-turn delay (end of the
caller's last speech -> final transcript ready, which includes recognition) p50/p95; and
the compute time of one Smart Turn and one completeness call.

Splits: the phrases are divided by a seeded shuffle (``--split-seed``) into a dev half, on
which the completeness thresholds were tuned, and a held-out half, reported apart; ``fresh``
is a third set of phrases (``EOT_FRESH``) written after the model was first fitted and never
tuned on.
``--dump FILE`` writes each clip's speculative transcripts (the words at the pause and at
the end), which is what the thresholds are tuned from.

``--answers`` plays answers after the agent's questions instead (``ANSWERS_DEV``, ``ANSWERS_FRESH``: the
second never tuned on): each answer clip twice, once with the question known to the channel (as the
conversation tells it, ``agent/call/expected.py``) and once as a first turn, per voice; ``--split dev`` or
``fresh`` picks one part.

``--wer`` measures recognition instead (``speech_wer``); ``--barge-in`` measures what stops
the agent while it speaks (``speech_barge``): reaction to interruptions, and false
interruptions on backchannels, coughs and noise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np

from agent.dev.bench.latency import _fmt as fmt_ms, _pct as pct
from agent.dev.bench import languages, speech_barge, speech_wer
from agent.call.expected import expectation
from agent.dev.bench.phrases import ANSWERS_DEV, ANSWERS_FRESH, EOT_FRESH, PHRASES
from agent.dev.bench.voices import speech, with_pause
from agent.config import Settings
from agent.speech.engine import FinalTranscript, PartialTranscript, SpeechEvent
from agent.speech.local import LocalSpeechEngine
from agent.speech.vad import FRAME_SAMPLES, RATE

SHORT_WORDS = 7  # requests of at most this many words are the "finished" set; longer ones get a pause
LEAD_MS = 300
TAIL_MS = 2500  # silence after the clip: longer than any hold
TARGET_CUTOFF = 0.03


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--turn-model", action="append", choices=("silence", "smart-turn"),
                   help="end-of-turn rule (repeatable; default: both)")
    p.add_argument("--turn-words", action="append", choices=("rules", "model", "fused", "hybrid"),
                   help="how the speculative words are judged (repeatable; default: rules with silence, model with both)")
    p.add_argument("--short-ms", type=int, default=200,
                   help="with --turn-words model: silence that ends a turn whose words are finished (default 200)")
    p.add_argument("--split", choices=("dev", "held-out", "fresh", "all"), default="all",
                   help="which part of the phrases to play: the dev or held-out half of the phrase set, or the "
                        "fresh end-of-turn phrases (default: all three, reported apart)")
    p.add_argument("--split-seed", type=int, default=19)
    p.add_argument("--tune", action="store_true",
                   help="tune the completeness thresholds on the dev half (offline: the words at each pause and end); "
                        "with --turn-words fused, also Smart Turn's weight beside them (its probability at each pause)")
    p.add_argument("--dump", help="write each clip's speculative transcripts and outcome to this JSON file")
    p.add_argument("--voice", action="append", choices=("piper-lively", "espeak", "piper"),
                   help="caller voice (repeatable; default: piper-lively and espeak)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--answers", action="store_true",
                   help="play answers after the agent's questions, with and without the question known")
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
    split: str = "dev"  # dev | held-out | fresh
    pause_at: int | None = None  # paused: sample where the pause starts
    question: str | None = None  # --answers: what the agent asked before this clip


@dataclass
class Outcome:
    kind: str
    cut_off: bool
    delay_ms: float | None  # end of the last speech -> final transcript
    split: str = "dev"
    text: str = ""
    #: (when it came, ms into the clip's audio, words) of each speculative transcript.
    partials: list[tuple[float, str]] = dataclasses.field(default_factory=list)
    resume_ms: float | None = None  # paused: where speech resumes after the pause in the clip's audio
    question: str | None = None  # the agent's question the channel knew (None: played as a first turn)
    #: A turn ended before the clip's speech did (a finished clip cut at a comma pause: "Yes, | please.").
    early: bool = False


def dev_phrases(seed: int) -> set[str]:
    """The dev half of the phrases (a seeded shuffle): thresholds are tuned on it alone."""
    order = list(PHRASES)
    random.Random(seed).shuffle(order)
    return set(order[: len(order) // 2])


def clips(voice: str, seed: int, split_seed: int = 19) -> list[Clip]:
    rng = random.Random(seed)
    dev = dev_phrases(split_seed)
    out = []
    for text in PHRASES + EOT_FRESH:
        pcm = speech(text, RATE, voice)
        split = "fresh" if text in EOT_FRESH else "dev" if text in dev else "held-out"
        if len(text.split()) <= SHORT_WORDS:
            out.append(Clip("finished", text, pcm, None, split))
        else:
            pause = rng.randrange(600, 901, 50)
            paused, cut = with_pause(pcm, RATE, pause)
            out.append(Clip("paused", text, paused, cut + RATE * pause // 1000, split, cut))
    return out


def answer_clips(voice: str, seed: int) -> list[Clip]:
    """The answers of ``ANSWERS_DEV`` ("dev") and ``ANSWERS_FRESH`` ("fresh"), each with its question; pauses
    drawn as in ``clips`` from their own seeded stream."""
    rng = random.Random(seed)
    out = []
    for split, pairs in (("dev", ANSWERS_DEV), ("fresh", ANSWERS_FRESH)):
        for question, text in pairs:
            pcm = speech(text, RATE, voice)
            if len(text.split()) <= SHORT_WORDS:
                out.append(Clip("finished", text, pcm, None, split, question=question))
            else:
                pause = rng.randrange(600, 901, 50)
                paused, cut = with_pause(pcm, RATE, pause)
                out.append(Clip("paused", text, paused, cut + RATE * pause // 1000, split, cut, question))
    return out


async def _play(engine: LocalSpeechEngine, clip: Clip, question: str | None = None) -> Outcome:
    finals: list[tuple[float, FinalTranscript]] = []
    partials: list[tuple[float, str]] = []
    got = asyncio.Event()

    async def on_event(ev: SpeechEvent) -> None:
        if isinstance(ev, PartialTranscript):
            partials.append(((time.monotonic() - t0) * 1000 - LEAD_MS, ev.text))
        if isinstance(ev, FinalTranscript):
            finals.append((time.monotonic(), ev))
            got.set()

    channel = engine.open(RATE, on_event)
    if question is not None:
        channel.expect(expectation(question))  # as the conversation does once the agent has asked it
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
    resume_ms = None if clip.resume_at is None else (clip.resume_at / RATE * 1000)
    speech_end_at = t0 + speech_end / RATE
    early = any(at < speech_end_at and (resumed_at is None or at >= resumed_at) for at, _ in finals) or cut_off
    return Outcome(clip.kind, cut_off, delay, clip.split, clip.text, partials, resume_ms, question, early)


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


def words_cost_ms(engine: LocalSpeechEngine, texts: list[str]) -> tuple[float, float]:
    """Median wall and CPU ms of one completeness call (MiniLM twice and a dot product) on these words."""
    assert engine.words is not None
    wall, cpu = [], []
    for i, text in enumerate(texts * 3):
        t, c = time.perf_counter(), time.thread_time()
        engine.words.probability(f"{text} {i} {time.monotonic_ns()}")  # new each time: the encoder memoises
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


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


@contextlib.asynccontextmanager
async def _engine(settings: Settings):
    """A local speech engine started with Whisper loaded (before the first clip, not during its pause), closed after."""
    engine = LocalSpeechEngine(settings)
    await engine.start()
    await engine.ready()
    try:
        yield engine
    finally:
        await engine.close()


def _dump(path: str | None, data: list) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)


async def words_at_pauses(voices: list[str], seed: int, split_seed: int, split: str, voice_model: bool = False
                          ) -> list[dict]:
    """Offline, per clip of ``split``: the words Whisper hears up to the mid-sentence pause (paused clips)
    or to the end (finished clips), recognised as the channel does (pre-roll, a short tail, at least 1 s),
    and the completeness model's probability of them; with ``voice_model``, also Smart Turn's probability
    ("voice") on the audio as the channel asks it (pre-roll, the words, ``JUDGE_MS`` of the pause)."""
    from agent.speech.local import JUDGE_MS, MIN_AUDIO_SAMPLES, TAIL_MS as CHANNEL_TAIL_MS

    settings = dataclasses.replace(Settings.from_env(), turn_words="fused" if voice_model else "model",
                                   stt_language_id=False)
    rows = []
    async with _engine(settings) as engine:
        assert engine.stt is not None and engine.words is not None
        for voice in voices:
            for clip in clips(voice, seed, split_seed):
                if split not in ("all", clip.split):
                    continue
                end = clip.pcm.size if clip.pause_at is None else clip.pause_at
                audio = np.concatenate([np.zeros(RATE * 300 // 1000, dtype=np.int16), clip.pcm[:end],
                                        np.zeros(RATE * CHANNEL_TAIL_MS // 1000, dtype=np.int16)])
                if audio.size < MIN_AUDIO_SAMPLES:
                    audio = np.concatenate([np.zeros(MIN_AUDIO_SAMPLES - audio.size, dtype=np.int16), audio])
                text = engine.stt.transcribe(audio).text
                rows.append({"voice": voice, "kind": clip.kind, "split": clip.split, "text": clip.text,
                             "heard": text, "p": engine.words.probability(text)})
                if voice_model and engine.turn is not None:
                    judged = np.concatenate([np.zeros(RATE * 300 // 1000, dtype=np.int16), clip.pcm[:end],
                                             np.zeros(RATE * JUDGE_MS // 1000, dtype=np.int16)])
                    rows[-1]["voice_p"] = engine.turn.probability(judged)
    return rows


def tune(rows: list[dict]) -> tuple[float, float, float, float]:
    """(threshold, cut-off rate, hold rate, margin) on ``rows`` (dev clips): the "unfinished below" threshold
    with the fewest false cut-offs plus false holds (each as a rate of its own set); among equals, the
    one furthest from any clip's probability."""
    pauses = [r["p"] for r in rows if r["kind"] == "paused"]
    finished = [r["p"] for r in rows if r["kind"] == "finished"]
    points = sorted({0.0, 1.0, *pauses, *finished})
    best = None
    for lo, hi in zip(points, points[1:]):
        t = (lo + hi) / 2
        cut = sum(p >= t for p in pauses) / max(1, len(pauses))
        held = sum(p < t for p in finished) / max(1, len(finished))
        key = (round(cut + held, 9), -(hi - lo))
        if best is None or key < best[0]:
            best = (key, t, cut, held, (hi - lo) / 2)
    assert best is not None
    return best[1], best[2], best[3], best[4]


#: Smart Turn weights tried by ``tune_fused`` (0: the words alone).
VOICE_WEIGHTS = (0.0, 0.125, 0.25, 0.5, 1.0, 2.0)


def tune_fused(rows: list[dict], weights: tuple[float, ...] = VOICE_WEIGHTS) -> tuple[float, float, float, float, float]:
    """(weight, threshold, cut-off rate, hold rate, margin) on ``rows`` (dev clips with "p" and "voice_p"): for
    each Smart Turn weight the best threshold on the fused probability (``tune``); the weight with the fewest
    false cut-offs plus false holds wins, the smaller weight among equals (the words alone unless the voice helps)."""
    from agent.speech.endpoint import fused

    best = None
    for w in weights:
        t, cut, held, margin = tune([{"kind": r["kind"], "p": fused(r["p"], r["voice_p"], w)} for r in rows])
        if best is None or round(cut + held, 9) < round(best[2] + best[3], 9):
            best = (w, t, cut, held, margin)
    assert best is not None
    return best


def _rates(rows: list[dict], part: str, weight: float, threshold: float) -> str:
    """False cut-offs and holds of ``part``'s clips under the fused rule (weight 0: the words alone)."""
    from agent.speech.endpoint import fused

    mine = [r for r in rows if r["split"] == part]
    q = [(r["kind"], fused(r["p"], r.get("voice_p"), weight)) for r in mine]
    cut = sum(k == "paused" and v >= threshold for k, v in q)
    held = sum(k == "finished" and v < threshold for k, v in q)
    return f"cut {cut}/{sum(k == 'paused' for k, _ in q)}, held {held}/{sum(k == 'finished' for k, _ in q)}"


async def _set_ups(models: list[str], words: list[str] | None, short_ms: int):
    """Each set-up to measure (turn model, words judge) as a started engine, and its hold in ms."""
    for model, judge in setups(models, words):
        settings = dataclasses.replace(Settings.from_env(), turn_model=model, turn_words=judge,
                                       endpoint_short_ms=short_ms)
        async with _engine(settings) as engine:
            yield model, judge, engine, engine.endpoint_config().hold_ms


def setups(models: list[str], words: list[str] | None) -> list[tuple[str, str]]:
    if words:
        return [(m, w) for m in models for w in words]
    return [(m, w) for m in models for w in (("rules", "model") if m == "silence" else ("model",))]


async def _run(models: list[str], words: list[str] | None, voices: list[str], seed: int, split_seed: int,
               split: str, short_ms: int, dump: str | None) -> int:
    sets = {v: [c for c in clips(v, seed, split_seed) if split in ("all", c.split)] for v in voices}
    splits = ("dev", "held-out", "fresh") if split == "all" else (split,)
    ok = True
    records = []
    print(f"{'turn model':<11} {'words':<6} {'voice':<13} {'split':<9} {'cut-off':>9} {'held':>9} "
          f"{'delay p50':>10} {'p95':>7}")
    async for model, judge, engine, hold in _set_ups(models, words, short_ms):
        for voice, voice_clips in sets.items():
            outcomes = [await _play(engine, c) for c in voice_clips]
            for part in splits + (("all",) if len(splits) > 1 else ()):
                s = summary([o for o in outcomes if part in ("all", o.split)], hold)
                print(f"{model:<11} {judge:<6} {voice:<13} {part:<9} {_rate(s['cutoff'], s['n_paused']):>9} "
                      f"{_rate(s['hold'], s['n_finished']):>9} {fmt_ms(s['p50']):>10} {fmt_ms(s['p95']):>7}",
                      flush=True)
                if part in ("held-out", "fresh") or len(splits) == 1:
                    ok = ok and (judge == "rules" or (s["cutoff"] or 0.0) <= TARGET_CUTOFF)
            records += [{"turn_model": model, "words": judge, "voice": voice, **dataclasses.asdict(o)}
                        for o in outcomes]
        if engine.turn is not None:
            wall, cpu = model_cost_ms(engine, sets[voices[0]][0].pcm)
            print(f"smart-turn: one call {wall:.0f} ms wall, {cpu:.0f} ms CPU (medians, one thread)")
        if engine.words is not None:
            wall, cpu = words_cost_ms(engine, [c.text for c in sets[voices[0]]])
            print(f"completeness: one call {wall:.1f} ms wall, {cpu:.1f} ms CPU (medians, one thread)")
    _dump(dump, records)
    if any(judge != "rules" for _, judge in setups(models, words)):
        print(f"target: false cut-offs <= {TARGET_CUTOFF:.0%} with the completeness model (held-out): "
              f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


async def _run_answers(models: list[str], words: list[str] | None, voices: list[str], seed: int, split: str,
                       short_ms: int, dump: str | None) -> int:
    """Each answer clip after its question, with the question known and not: false cut-offs and holds."""
    sets = {v: [c for c in answer_clips(v, seed) if split in ("all", c.split)] for v in voices}
    splits = ("dev", "fresh") if split in ("all", "held-out") else (split,)
    records = []
    print(f"{'turn model':<11} {'words':<6} {'voice':<13} {'part':<6} {'question':<8} {'cut (all)':>9} {'held':>9} "
          f"{'delay p50':>10} {'p95':>7}")
    async for model, judge, engine, hold in _set_ups(models, words, short_ms):
        for voice, voice_clips in sets.items():
            known, unknown = [], []
            for i, c in enumerate(voice_clips):  # alternate, so load from other work falls on both alike
                known.append(await _play(engine, c, c.question))
                unknown.append(await _play(engine, c))
                print(f"{voice} {i + 1}/{len(voice_clips)} {c.text!r}: cut {known[-1].early}/{unknown[-1].early}, "
                      f"delay {known[-1].delay_ms} / {unknown[-1].delay_ms} ms", file=sys.stderr, flush=True)
            for part in splits:
                for label, outcomes in (("known", known), ("none", unknown)):
                    mine = [o for o in outcomes if o.split == part]
                    s = summary(mine, hold)
                    # cut-offs here: any turn that ended before the caller's speech did, paused or not
                    cut = sum(o.early for o in mine)
                    print(f"{model:<11} {judge:<6} {voice:<13} {part:<6} {label:<8} "
                          f"{f'{cut}/{len(mine)}':>9} {_rate(s['hold'], s['n_finished']):>9} "
                          f"{fmt_ms(s['p50']):>10} {fmt_ms(s['p95']):>7}", flush=True)
            records += [{"turn_model": model, "words": judge, "voice": voice, **dataclasses.asdict(o)}
                        for o in known + unknown]
    _dump(dump, records)
    return 0


def _rate(v: float | None, n: int) -> str:
    return "-" if v is None else f"{v:.0%}/{n}"


def run(args: argparse.Namespace) -> int:
    if args.wer:
        return languages.run(args) if args.languages else speech_wer.run(args)
    if args.barge_in:
        return speech_barge.run(args.seed)
    if args.answers:
        return asyncio.run(_run_answers(args.turn_model or ["silence"], args.turn_words,
                                        args.voice or ["piper-lively", "espeak"], args.seed, args.split, args.short_ms,
                                        args.dump))
    if args.tune:
        voices = args.voice or ["piper-lively", "espeak"]
        fusing = "fused" in (args.turn_words or ())
        # Tuned on the dev half only; with --split all (or held-out, fresh) the other parts are only looked at.
        rows = asyncio.run(words_at_pauses(voices, args.seed, args.split_seed, args.split, voice_model=fusing))
        for r in rows:
            voice = f" voice {r['voice_p']:.3f}" if "voice_p" in r else ""
            print(f"{r['p']:.3f}{voice} {r['kind']:<8} {r['split']:<8} {r['voice']:<13} {r['heard']!r}")
        _dump(args.dump, rows)
        dev = [r for r in rows if r["split"] == "dev"]
        parts = [p for p in ("dev", "held-out", "fresh") if any(r["split"] == p for r in rows)]
        if not dev:
            print("no dev clips to tune on (--split dev or all)")
            return 1
        t, cut, held, margin = tune(dev)
        print(f"dev: unfinished below {t:.3f} (+-{margin:.3f}): false cut-offs {cut:.0%}, false holds {held:.0%}")
        if fusing:
            for weight in VOICE_WEIGHTS:
                _, wt, *_ = tune_fused(dev, (weight,))
                print(f"Smart Turn weight {weight:<5}: " + "; ".join(
                    f"{p} {_rates(rows, p, weight, wt)}" for p in parts) + f" (unfinished below {wt:.3f})")
            w, t, cut, held, margin = tune_fused(dev)
            print(f"dev, fused: Smart Turn weight {w}, unfinished below {t:.3f} (+-{margin:.3f}): "
                  f"false cut-offs {cut:.0%}, false holds {held:.0%}")
        return 0
    models = args.turn_model or ["silence", "smart-turn"]
    voices = args.voice or ["piper-lively", "espeak"]
    return asyncio.run(_run(models, args.turn_words, voices, args.seed, args.split_seed, args.split, args.short_ms,
                            args.dump))
