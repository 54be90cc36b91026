"""Voice activity detection on 20 ms frames of 16 kHz int16 audio.

``WebRtcVad`` (default) is tiny and fast. ``SileroVad`` runs the Silero v6 ONNX
model that ships inside faster-whisper with onnxruntime directly (no torch): it
scores 32 ms windows, so each 20 ms frame gets the newest window's score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

RATE = 16000
FRAME_SAMPLES = 320  # 20 ms at 16 kHz


class FrameVad(Protocol):
    def is_speech(self, frame: np.ndarray) -> bool:
        """``frame``: FRAME_SAMPLES int16 samples at 16 kHz."""


class WebRtcVad:
    def __init__(self, aggressiveness: int = 3) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)

    def is_speech(self, frame: np.ndarray) -> bool:
        return bool(self._vad.is_speech(np.asarray(frame, dtype=np.int16).tobytes(), RATE))


def silero_model_path() -> Path:
    import faster_whisper

    return Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"


def load_silero_session() -> Any:
    """One onnxruntime session for the process (sessions are safe to share; state is per channel)."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    return onnxruntime.InferenceSession(str(silero_model_path()), providers=["CPUExecutionProvider"],
                                        sess_options=opts)


class SileroVad:
    """Streaming Silero: the model takes 64 samples of context + 512 new samples and an LSTM state."""

    WINDOW = 512
    CONTEXT = 64

    def __init__(self, session: Any, threshold: float = 0.5) -> None:
        self._session = session
        self._threshold = threshold
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(self.CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._prob = 0.0

    def probability(self, frame: np.ndarray) -> float:
        self._pending = np.concatenate([self._pending, np.asarray(frame, dtype=np.float32) / 32768.0])
        while self._pending.size >= self.WINDOW:
            window, self._pending = self._pending[: self.WINDOW], self._pending[self.WINDOW :]
            x = np.concatenate([self._context, window])[None, :]
            out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
            self._context = window[-self.CONTEXT :]
            self._prob = float(np.ravel(out)[0])
        return self._prob

    def is_speech(self, frame: np.ndarray) -> bool:
        return self.probability(frame) >= self._threshold
