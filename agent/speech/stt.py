"""Final recognition with faster-whisper (int8): Whisper tiny.en or the multilingual base.

The model is loaded from a folder its wheels installed (agent/speech/models.py), never
by name (a name means a hub download). With a multilingual model each turn's language
is identified first (one decoder step on the encoded audio) and the turn is decoded in
it; callers are expected to speak English, so English is assumed unless Whisper gives
it less than ``NOT_ENGLISH_PROB``. Decoding is tuned for latency: greedy by default
(``beam_size``), no timestamps, no conditioning; an
optional ``vocabulary`` (site names, asset kinds) is given to the decoder as previous
text, the way faster-whisper's ``hotwords`` does, and the engine's builder decides
what goes in it (see docs/speech.md for what it does to WER). The encoder gets a
shortened audio context: Whisper pads every input to 30 s, and encoding that padding
is most of the cost, so a caller turn is padded only to
``MIN_CONTEXT_S`` (or its own length). On the phrase set that cut compute from ~440 to
~100 ms per turn with the same WER (see docs/speech.md). ``transcribe`` blocks: call it
from a worker thread (CTranslate2 releases the GIL).
"""

from __future__ import annotations

import math
import re
import time
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

RATE = 16000
FRAMES_PER_S = 100  # Whisper log-mel frames
MAX_FRAMES = 3000  # the model's full 30 s context
MIN_CONTEXT_S = 10
#: A result is dropped as non-speech when Whisper is this sure there was none (and unsure of the words).
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
#: Above this no-speech probability the text is dropped however confident the words (see is_non_speech).
SURE_NO_SPEECH_PROB = 0.7
#: A turn is taken as another language than English when Whisper gives English less than this.
#: On synthetic voices, English clips (accented, noisy, by telephone) fell under it 23 times in 920
#: (0.1 would have been 61), and requests in four other languages 38 times in 48 (0.1: 43; see
#: docs/speech.md): a wrong "not English" passes an English caller to a person, while a caller
#: missed on the first turn is heard again on the second, so the bar is low.
NOT_ENGLISH_PROB = 0.05
#: Whisper's own fallback threshold: text that gzips this well is a loop, not speech.
MAX_COMPRESSION_RATIO = 2.4
#: Tokens the decoder may emit per second of audio (plus a floor): ids read digit by digit
#: stay well under it, while a looping decoder is stopped early instead of running to 224.
TOKENS_PER_S, MIN_TOKENS, MAX_NEW_TOKENS = 10, 16, 220  # max_length counts the prompt too
#: A letter held this many times in a row (or a digit this many) is a decoder loop, not a word.
_LETTER_RUN = re.compile(r"([^\W\d_])\1{3,}")
_DIGIT_RUN = re.compile(r"(\d)\1{7,}")
#: One to four words said four or more times in a row.
_PHRASE_LOOP = re.compile(r"\b(\w+(?:\W+\w+){0,3}?)(?:\W+\1\b){3,}", re.IGNORECASE)


@dataclass(frozen=True)
class Recognition:
    text: str
    audio_s: float
    compute_s: float
    #: ISO 639-1 code of the language heard; None when the model only knows English.
    language: str | None = None
    #: Whisper's probability that the turn is English (1.0 when it was not asked).
    english_prob: float = 1.0

    @property
    def rtf(self) -> float:
        """Seconds of audio per second of compute (higher is faster)."""
        return self.audio_s / self.compute_s if self.compute_s > 0 else 0.0


def compression_ratio(text: str) -> float:
    """Bytes of ``text`` over bytes of its zlib compression (Whisper's repetition measure)."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def guard_text(text: str) -> str:
    """``text`` with decoder loops removed: trimmed where a loop starts, or "" if what is left still loops.

    Two shapes of loop are cut: a character held far past any English spelling ("pump
    sssss...", "0000000000...") and a short phrase repeated four or more times ("the
    pump the pump the pump the pump"); the latter keeps one occurrence. Whatever is left
    must not compress like a loop either (a repetition those patterns miss).
    """
    for run in (_LETTER_RUN, _DIGIT_RUN):
        m = run.search(text)
        if m:
            # The word holding the run is noise too; the words before it were heard.
            start = text.rfind(" ", 0, m.start()) + 1
            text = text[:start]
    text = _PHRASE_LOOP.sub(r"\1", text).strip()
    return "" if compression_ratio(text) > MAX_COMPRESSION_RATIO else text


def is_non_speech(no_speech_prob: float, logprob: float) -> bool:
    """Whisper's own rule (likely no speech and unsure of the words), or all but certain there was none.

    The second arm is for the vocabulary prompt: with it, the decoder writes fluent,
    confident text over hum or hiss (log-prob above -1) while no-speech stays at 0.77-0.85;
    on speech, clean, noisy or telephone, no-speech stayed under 0.45 (216 bench decodings).
    """
    return no_speech_prob > SURE_NO_SPEECH_PROB or (no_speech_prob > NO_SPEECH_PROB and logprob < LOW_LOGPROB)


class WhisperRecognizer:
    def __init__(self, *, model: str = "tiny.en", beam_size: int = 1, denoise: str = "off", workers: int = 2,
                 threads_per_worker: int = 1, vocabulary: str | None = None, detect_language: bool = True) -> None:
        """``model``: one of ``agent.speech.models.STT_MODELS``; ``beam_size`` 1 is greedy decoding;
        ``denoise``: noise suppression in front of the recogniser (``agent.speech.denoise.DENOISERS``);
        ``vocabulary``: words callers use that Whisper may not expect (names of sites and equipment);
        ``detect_language``: with a multilingual model, identify the language of each turn and decode in it.
        """
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        from agent.speech.denoise import make_denoiser
        from agent.speech.models import model_dir

        # num_workers lets that many transcriptions run in parallel; threads are per worker.
        self._model = WhisperModel(str(model_dir(model)), device="cpu", compute_type="int8",
                                   cpu_threads=threads_per_worker, num_workers=workers)
        self.model_name = model
        self.multilingual = bool(self._model.model.is_multilingual)
        self._detect = detect_language and self.multilingual
        self._beam_size = beam_size
        self._denoise = make_denoiser(denoise)
        self._tokenizers: dict[str, Tokenizer] = {}
        self._prompts: dict[str, list[int]] = {}
        self._tokenizer = self._language_tokenizer("en")
        self._prompt = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        if vocabulary and vocabulary.strip():
            # Given as "previous text" (faster-whisper's hotwords), capped at half the context as it does.
            words = self._tokenizer.encode(" " + vocabulary.strip())[: self._model.max_length // 2 - 1]
            self._prompt = [self._tokenizer.sot_prev, *words, *self._prompt]
        self._prompts["en"] = self._prompt

    def _language_tokenizer(self, language: str) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        if language not in self._tokenizers:
            self._tokenizers[language] = Tokenizer(self._model.hf_tokenizer, self.multilingual,
                                                   task="transcribe", language=language)
        return self._tokenizers[language]

    def _prompt_for(self, language: str) -> list[int]:
        if language not in self._prompts:  # no vocabulary prompt: the site words are English
            tokenizer = self._language_tokenizer(language)
            self._prompts[language] = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        return self._prompts[language]

    def _language(self, encoded: Any) -> tuple[str, float]:
        """The language of the turn and Whisper's probability that it is English.

        English unless Whisper gives English less than ``NOT_ENGLISH_PROB``; then its most
        likely other language. Whisper base names the language of espeak-ng's formant voices
        poorly (Spanish as Thai, French as Polish) but is fairly clear that they are not
        English, so "not English" is the decision and the name is its best guess.
        """
        ranked = [(token[2:-2], float(prob)) for token, prob in self._model.model.detect_language(encoded)[0]]
        english = next((p for code, p in ranked if code == "en"), 0.0)
        if english >= NOT_ENGLISH_PROB:
            return "en", english
        return next(code for code, _ in ranked if code != "en"), english

    def _encode(self, audio: np.ndarray) -> tuple[Any, int]:
        """The encoder's output for ``audio`` (int16, 16 kHz; at most 30 s), and the samples used."""
        clip = self._denoise(np.asarray(audio, dtype=np.int16)[: MAX_FRAMES * RATE // FRAMES_PER_S])
        samples = clip.astype(np.float32) / 32768.0
        features = self._model.feature_extractor(samples)[:, :MAX_FRAMES]
        context = min(MAX_FRAMES, max(MIN_CONTEXT_S * FRAMES_PER_S, math.ceil(features.shape[1] / 100) * 100))
        features = np.pad(features, ((0, 0), (0, context - features.shape[1])))
        return self._model.encode(features), samples.size

    def identify(self, audio: np.ndarray) -> tuple[str, float]:
        """The language of ``audio`` and Whisper's probability that it is English (multilingual models)."""
        if not self.multilingual:
            raise RuntimeError(f"Whisper {self.model_name} knows only English: it cannot identify languages")
        return self._language(self._encode(audio)[0])

    def transcribe(self, audio: np.ndarray, language: str | None = None) -> Recognition:
        """``audio``: int16 mono at 16 kHz (at most 30 s are used); ``language``: decode in it (multilingual
        models; None: identified here when ``detect_language`` is on, else English)."""
        t0 = time.perf_counter()
        encoded, n = self._encode(audio)
        if language is not None and self.multilingual:
            english_prob = 1.0 if language == "en" else 0.0
        else:
            language, english_prob = self._language(encoded) if self._detect else ("en", 1.0)
        prompt = self._prompt_for(language)
        result = self._model.model.generate(
            encoded, [prompt], beam_size=self._beam_size, return_scores=True, return_no_speech_prob=True,
            max_length=len(prompt) + min(MAX_NEW_TOKENS, MIN_TOKENS + math.ceil(TOKENS_PER_S * n / RATE)),
            suppress_blank=True)[0]
        tokens = result.sequences_ids[0]
        logprob = result.scores[0] if result.scores else 0.0
        # Whisper invents words for noise; it says so through these two numbers.
        text = "" if is_non_speech(result.no_speech_prob, logprob) else guard_text(
            self._language_tokenizer(language).decode(tokens).strip())
        return Recognition(text, n / RATE, time.perf_counter() - t0,
                           language=language if self.multilingual else None, english_prob=english_prob)
