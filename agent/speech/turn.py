"""Smart Turn v3: does the audio so far sound like a finished turn?

Pipecat's Smart Turn v3.2 (BSD-2) is a small Whisper-encoder classifier over the
last 8 s of 16 kHz audio; it hears intonation and rhythm, so "my laptop is ..." with
a level, trailing pitch reads unfinished where "my email account is locked." reads
finished. Only its ONNX file is used, from the ``pipecat-ai`` wheel installed with
``--no-deps`` (requirements/models.txt): Pipecat's own runtime is not needed. The
features are Pipecat's exactly (its ``_whisper_features`` is a copy of the Whisper
feature extractor): waveform normalised to zero mean and unit variance, 80-bin
log-mel, 8 s left-padded with zeros; faster-whisper's extractor computes the same
spectrogram (to float32 rounding), so it is reused here.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import numpy as np

from agent.speech.vad import RATE

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
WINDOW_S = 8
#: Above this probability of "complete" the turn is finished (Pipecat's threshold).
THRESHOLD = 0.5
_NORM_EPS = 1e-7


def model_path() -> Path:
    """The ONNX file inside the installed ``pipecat-ai`` wheel (found without importing Pipecat)."""
    try:
        dist = distribution("pipecat-ai")
    except PackageNotFoundError:
        raise RuntimeError("SWITCHBOARD_TURN_MODEL=smart-turn needs the pipecat-ai wheel: "
                           "pip install --no-deps --require-hashes -r requirements/models.txt") from None
    for f in dist.files or ():
        if f.name == MODEL_FILE:
            return Path(str(dist.locate_file(f)))
    raise RuntimeError(f"pipecat-ai {dist.version} does not contain {MODEL_FILE}")


@lru_cache(maxsize=1)
def _extractor() -> Any:
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80, sampling_rate=RATE, chunk_length=WINDOW_S)


def features(pcm: np.ndarray) -> np.ndarray:
    """(80, 800) float32 log-mel of the last 8 s of int16 16 kHz ``pcm`` (zeros in front if shorter)."""
    n = WINDOW_S * RATE
    x = np.asarray(pcm, dtype=np.float32)[-n:] / 32768.0
    x = np.pad(x, (n - x.size, 0))
    x = (x - x.mean()) / np.sqrt(x.var() + _NORM_EPS)
    return _extractor()(x, padding=0)[:, : n // 160].astype(np.float32)


class SmartTurn:
    """One onnxruntime session, shared by every channel; ``probability`` is thread-safe."""

    def __init__(self, path: Path | None = None) -> None:
        import onnxruntime as ort

        so = ort.SessionOptions()
        # One thread per call: calls from several sessions run side by side in the speech pool.
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path or model_path()), sess_options=so,
                                             providers=["CPUExecutionProvider"])

    def probability(self, pcm: np.ndarray) -> float:
        """Probability that the speaker has finished, from int16 16 kHz audio ending now."""
        if pcm.size == 0:
            raise ValueError("no audio to judge")
        out = self._session.run(None, {"input_features": features(pcm)[None]})
        return float(np.asarray(out[0]).reshape(-1)[0])
