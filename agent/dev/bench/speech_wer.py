"""``switchboard bench speech --wer``: recognition WER on a hard set, per voice and channel condition.

Every clip is a request spoken by a synthetic voice (the agent's own Piper voice and
espeak-ng accents at several rates and pitches), padded with 300 ms of silence each
side, then heard through each condition:

- clean;
- pink and white noise mixed in at a seeded 10-15 dB SNR (measured over the speech);
- a telephone channel: band-pass 300-3400 Hz, 8 kHz G.711 mu-law, back to 16 kHz (soxr).

Requests are the bench phrases (ids and numbers said aloud) and requests naming seeded
sites and asset kinds (templated from the field-ops seed). Every clip is decoded by each
recogniser setting asked for (model, beam size, noise suppression, vocabulary prompt:
``--model``, ``--beam``, ``--denoise``, ``--prompt``, each repeatable), one setting at a time
on one thread, so the settings are compared on the same audio. It prints WER per setting,
voice and condition, the decode time per clip (p50, p95) and the real-time factor, and for
multilingual models how many English clips were heard as another language. The set is for
measuring, never for tuning.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agent.dev.bench.phrases import PHRASES
from agent.dev.bench.voices import speech
from agent.dev.bench.wer import wer
from agent.speech.denoise import DENOISERS
from agent.speech.models import STT_MODELS
from agent.speech.resample import resample

if TYPE_CHECKING:
    from agent.speech.stt import WhisperRecognizer

RATE = 16000
PHONE_RATE = 8000
PAD_MS = 300
VOICES = ("piper", "espeak", "espeak:en-gb-scotland+m3:175:40", "espeak:en-029+f2:135:65",
          "espeak:en-gb-x-rp+m7:190:30")
CONDITIONS = ("clean", "pink", "white", "phone")
SITE_TEMPLATES = ("The {kind} at {site} has tripped.", "Can you send someone to look at the {kind} at {site}?",
                  "Is there an open work order for the {kind} at {site}?")
TARGET_CLEAN, TARGET_HARD = 0.10, 0.15


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--voice-set", action="append", metavar="VOICE",
                   help=f"with --wer: caller voice, repeatable (default: {', '.join(VOICES)})")
    p.add_argument("--limit", type=int, default=0, help="with --wer: use only the first N requests")
    p.add_argument("--model", action="append", choices=STT_MODELS,
                   help="with --wer: Whisper model, repeatable (default: tiny.en and base)")
    p.add_argument("--beam", action="append", type=int, help="with --wer: beam size, repeatable (default: 1 and 5)")
    p.add_argument("--denoise", action="append", choices=DENOISERS,
                   help="with --wer: noise suppression, repeatable (default: off)")
    p.add_argument("--prompt", action="append", choices=("none", "domain"),
                   help="with --wer: the seeded site/asset vocabulary prompt, repeatable (default: none)")
    p.add_argument("--languages", action="store_true",
                   help="with --wer: language detection on requests in other languages (agent.dev.bench.languages)")


def site_phrases(seed: int, n: int = 12) -> list[str]:
    """Requests naming seeded sites and asset kinds, drawn with a fixed seed."""
    from agent.mcp_servers.field_ops.seed import ASSETS, SITES

    rng = random.Random(seed)
    kinds = sorted({row[2] for row in ASSETS})
    return [rng.choice(SITE_TEMPLATES).format(kind=rng.choice(kinds), site=rng.choice(SITES)[1]) for _ in range(n)]


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise with a 1/f power spectrum (white noise shaped in the frequency domain)."""
    spectrum = np.fft.rfft(rng.normal(0.0, 1.0, n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1.0
    x = np.fft.irfft(spectrum / np.sqrt(f), n)
    return x / np.sqrt(np.mean(x * x))


def add_noise(pcm: np.ndarray, speech_rms: float, snr_db: float, colour: str, rng: np.random.Generator) -> np.ndarray:
    """``pcm`` with ``colour`` (pink|white) noise at ``snr_db`` below ``speech_rms``."""
    n = pcm.size
    noise = pink_noise(n, rng) if colour == "pink" else rng.normal(0.0, 1.0, n)
    noise *= speech_rms / (10 ** (snr_db / 20))
    return np.clip(pcm.astype(np.float64) + noise, -32768, 32767).astype(np.int16)


def mu_law(x: np.ndarray, mu: int = 255) -> np.ndarray:
    """Round trip through 8-bit mu-law companding (G.711's curve, quantised to 256 levels)."""
    y = np.clip(x.astype(np.float64) / 32768.0, -1.0, 1.0)
    code = np.round(np.sign(y) * np.log1p(mu * np.abs(y)) / np.log1p(mu) * 127.0)
    z = code / 127.0
    return np.clip(np.sign(z) * np.expm1(np.abs(z) * np.log1p(mu)) / mu * 32768.0, -32768, 32767).astype(np.int16)


def band_pass(pcm: np.ndarray, rate: int, lo: float = 300.0, hi: float = 3400.0) -> np.ndarray:
    """Zero everything outside ``lo``-``hi`` Hz, with 100 Hz cosine skirts (no ringing edge)."""
    spectrum = np.fft.rfft(pcm.astype(np.float64))
    f = np.fft.rfftfreq(pcm.size, 1.0 / rate)
    gain = np.clip(np.minimum((f - lo + 100) / 100, (hi + 100 - f) / 100), 0.0, 1.0)
    gain = 0.5 - 0.5 * np.cos(np.pi * gain)
    return np.clip(np.fft.irfft(spectrum * gain, pcm.size), -32768, 32767).astype(np.int16)


def telephone(pcm: np.ndarray, rate: int = RATE) -> np.ndarray:
    """A narrowband call: down to 8 kHz, 300-3400 Hz, mu-law, and back up to ``rate``."""
    narrow = resample(pcm, rate, PHONE_RATE)
    return resample(mu_law(band_pass(narrow, PHONE_RATE)), PHONE_RATE, rate)


def condition(pcm: np.ndarray, name: str, rng: np.random.Generator) -> np.ndarray:
    """``pcm`` (speech without padding) padded with silence and heard through condition ``name``."""
    pad = np.zeros(RATE * PAD_MS // 1000, dtype=np.int16)
    padded = np.concatenate([pad, pcm, pad])
    if name == "clean":
        return padded
    if name == "phone":
        return telephone(padded)
    if name in ("pink", "white"):
        rms = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)))
        return add_noise(padded, rms, rng.uniform(10.0, 15.0), name, rng)
    raise ValueError(f"condition must be one of {CONDITIONS}, got {name!r}")


@dataclass(frozen=True)
class Setting:
    """One recogniser set-up compared by the bench."""

    model: str
    beam: int
    denoise: str
    prompt: str  # none | domain

    @property
    def label(self) -> str:
        return f"{self.model} b{self.beam} ns={self.denoise}" + (" +prompt" if self.prompt == "domain" else "")


@dataclass
class Cell:
    pairs: list[tuple[str, str]]
    decode_s: list[float]
    audio_s: list[float]
    not_english: int = 0


def settings_of(args: argparse.Namespace) -> list[Setting]:
    return [Setting(m, b, d, p) for m in args.model or ["tiny.en", "base"] for b in args.beam or [1, 5]
            for d in args.denoise or ["off"] for p in args.prompt or ["none"]]


def _recogniser(s: Setting) -> "WhisperRecognizer":
    from agent.mcp_servers.field_ops.seed import vocabulary as seed_vocabulary
    from agent.speech.stt import WhisperRecognizer

    return WhisperRecognizer(model=s.model, beam_size=s.beam, denoise=s.denoise, workers=1,
                             vocabulary=seed_vocabulary() if s.prompt == "domain" else None)


def _run(settings: list[Setting], voices: list[str], texts: list[str], sites: set[str], seed: int) -> int:
    clips = []  # (voice, text, condition, audio): the same audio for every setting
    rng = np.random.default_rng(seed)
    for voice in voices:
        for text in texts:
            pcm = speech(text, RATE, voice)
            clips += [(voice, text, cond, condition(pcm, cond, rng)) for cond in CONDITIONS]
    print(f"{len(clips)} clips ({len(voices)} voices x {len(texts)} requests x {len(CONDITIONS)} conditions), "
          "one recogniser at a time, one worker, one thread", flush=True)
    cells: dict[tuple[Setting, str, str], Cell] = {}
    for s in settings:
        rec = _recogniser(s)
        rec.transcribe(clips[0][3])  # warm-up, not counted
        for voice, text, cond, audio in clips:
            t0 = time.perf_counter()
            result = rec.transcribe(audio)
            cell = cells.setdefault((s, voice, cond), Cell([], [], []))
            cell.pairs.append((text, result.text))
            cell.decode_s.append(time.perf_counter() - t0)
            cell.audio_s.append(result.audio_s)
            cell.not_english += result.language not in (None, "en")
        print(f"  ... {s.label} done", flush=True)
        del rec
    ok = False
    width = max(len(s.label) for s in settings)
    print(f"{'setting':<{width}} {'voice':<33} " + " ".join(f"{c:>7}" for c in CONDITIONS)
          + f" {'decode p50':>10} {'p95':>6} {'RTF':>5} {'not-en':>7}")
    for s in settings:
        for voice in voices + ["all voices"]:
            row = [[cells[(s, v, c)] for v in (voices if voice == "all voices" else [voice])] for c in CONDITIONS]
            decode = [d for cs in row for cell in cs for d in cell.decode_s]
            audio = sum(a for cs in row for cell in cs for a in cell.audio_s)
            wrong = sum(cell.not_english for cs in row for cell in cs)
            print(f"{s.label:<{width}} {voice:<33} "
                  + " ".join(f"{wer(p for cell in cs for p in cell.pairs):>7.1%}" for cs in row)
                  + f" {statistics.median(decode) * 1000:>8.0f}ms {_p95(decode) * 1000:>4.0f}ms"
                  + f" {sum(decode) / audio:>5.2f} {wrong / len(decode):>7.1%}")
        every = [p for v in voices for c in CONDITIONS for p in cells[(s, v, c)].pairs]
        overall = {c: wer(p for v in voices for p in cells[(s, v, c)].pairs) for c in CONDITIONS}
        print(f"{s.label:<{width}} requests naming seeded sites {wer(p for p in every if p[0] in sites):.1%}, "
              f"other requests {wer(p for p in every if p[0] not in sites):.1%}")
        met = overall["clean"] <= TARGET_CLEAN and all(overall[c] <= TARGET_HARD for c in CONDITIONS[1:])
        ok = ok or met
    print("RTF: seconds of compute per second of audio (lower is faster); not-en: English clips heard as "
          "another language (multilingual models only; such a caller would be passed to a person)")
    print(f"targets (all voices): clean <= {TARGET_CLEAN:.0%}, noise/phone <= {TARGET_HARD:.0%}: "
          f"{'met by at least one setting' if ok else 'MISSED'}")
    return 0 if ok else 1


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def run(args: argparse.Namespace) -> int:
    sites = site_phrases(args.seed)
    texts = list(PHRASES) + sites
    if args.limit:  # a sample of both kinds of request
        texts = list(PHRASES[: args.limit]) + sites[: args.limit]
    return _run(settings_of(args), args.voice_set or list(VOICES), texts, set(sites), args.seed)
