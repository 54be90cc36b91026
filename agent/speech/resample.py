"""Sample-rate conversion with soxr (band-limited; never sample dropping).

The session speaks 8, 16 or 24 kHz; recognition runs at 16 kHz and Piper
produces 22 050 Hz. ``resample`` converts a whole clip; ``StreamResampler``
converts a stream chunk by chunk without clicks at chunk borders.
"""

from __future__ import annotations

import numpy as np
import soxr


def resample(pcm: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Int16 mono ``pcm`` at ``src_rate`` -> int16 mono at ``dst_rate``."""
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {src_rate} -> {dst_rate}")
    pcm = np.asarray(pcm, dtype=np.int16)
    if src_rate == dst_rate or pcm.size == 0:
        return pcm.copy()
    return np.asarray(soxr.resample(pcm, src_rate, dst_rate), dtype=np.int16)


class StreamResampler:
    """Stateful int16 resampler for audio that arrives in pieces of any length."""

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        if src_rate <= 0 or dst_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {src_rate} -> {dst_rate}")
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        # Passthrough needs no filter; soxr would only add delay.
        self._stream = None if src_rate == dst_rate else soxr.ResampleStream(src_rate, dst_rate, 1, dtype="int16")

    def process(self, pcm: np.ndarray, *, last: bool = False) -> np.ndarray:
        pcm = np.asarray(pcm, dtype=np.int16)
        if self._stream is None:
            return pcm.copy()
        return np.asarray(self._stream.resample_chunk(pcm, last=last), dtype=np.int16)
