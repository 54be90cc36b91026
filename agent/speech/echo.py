"""Echo gate: while the agent talks, caller input must be louder than its own echo could be.

We know exactly what audio we sent, so we know its level. An echo path attenuates it
(a phone's echo canceller leaves it 20 dB or more down); the caller talking over the
agent is far louder than that. Input frames quieter than ``ref - margin_db`` are not
counted as speech while the agent speaks (and for a short tail after, while the
client's buffer drains).
"""

from __future__ import annotations

import numpy as np


def frame_rms(frame: np.ndarray) -> float:
    x = np.asarray(frame, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


class EchoGate:
    def __init__(self, *, margin_db: float = 17.0, frame_samples: int = 320, tail_s: float = 0.3) -> None:
        self._factor = 10 ** (-margin_db / 20)
        self._frame = frame_samples
        self._tail_s = tail_s
        self._ref = 0.0
        self._active_until = -1.0
        self.speaking = False

    def note_output(self, pcm: np.ndarray, rate: int) -> None:
        """Agent audio about to be sent: its loudest frame sets the reference level."""
        n = max(1, rate // 50)  # 20 ms frames at the output rate
        x = np.asarray(pcm, dtype=np.int16)
        usable = x[: x.size - x.size % n].reshape(-1, n).astype(np.float64)
        if usable.size:
            rms = np.sqrt(np.mean(usable * usable, axis=1))
            self._ref = max(self._ref, float(rms.max()))

    def set_speaking(self, speaking: bool, now: float) -> None:
        self.speaking = speaking
        if not speaking:
            self._active_until = now + self._tail_s

    def passes(self, frame: np.ndarray, now: float) -> bool:
        """False if ``frame`` could be the agent's own echo."""
        if not self.speaking and now > self._active_until:
            return True
        return frame_rms(frame) >= self._ref * self._factor
