"""WAV in and out, and cutting PCM16 into real-time frames (pure except the file helpers)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from agent.wire.client import FRAME_MS, frame_bytes
from agent.speech.resample import resample


class AudioFileError(ValueError):
    """A WAV file we cannot use; the message names the file and the problem."""


def read_wav(path: Path, rate: int) -> bytes:
    """PCM16 mono at ``rate`` from a WAV file (any rate; stereo is mixed down)."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2:
                raise AudioFileError(f"{path}: need 16-bit PCM, got {8 * w.getsampwidth()}-bit")
            channels, src_rate = w.getnchannels(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioFileError(f"{path}: not a PCM WAV file ({exc})") from None
    except OSError as exc:
        raise AudioFileError(f"{path}: {exc.strerror or exc}") from None
    pcm = np.frombuffer(raw, dtype="<i2")
    if channels > 1:
        pcm = pcm[: len(pcm) // channels * channels].reshape(-1, channels).mean(axis=1).astype(np.int16)
    return resample(pcm, src_rate, rate).astype("<i2").tobytes()


def write_wav(path: Path, pcm: bytes, rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)


def frames(pcm: bytes, rate: int, ms: int = FRAME_MS) -> list[bytes]:
    """``pcm`` cut into ``ms`` frames; the last one is padded with silence to full length."""
    size = frame_bytes(rate, ms)
    out = [pcm[i:i + size] for i in range(0, len(pcm), size)]
    if out and len(out[-1]) < size:
        out[-1] = out[-1] + bytes(size - len(out[-1]))
    return out
