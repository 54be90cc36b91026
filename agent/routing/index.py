"""The knowledge index interface shared by the embedded and Azure AI Search backends.

Two kinds of documents live in one index: article passages (answers for the
domain agents) and labelled examples (evidence for routing). ``search`` returns
passages by hybrid retrieval (BM25, dense sentence embeddings and hashed TF-IDF
vectors, fused by reciprocal rank); ``example_hits`` returns the raw vector and
full-text evidence the router turns into a decision, so the router is the same
code whichever backend holds the documents.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Collection, Protocol, Sequence

import numpy as np

from agent.routing.knowledge import Example, Passage

#: Reciprocal-rank-fusion constant (the usual 60): dampens the weight of rank 1.
RRF_K = 60


@dataclass(frozen=True)
class ExampleHits:
    """Evidence for routing a query: nearest labelled examples by hashed TF-IDF vector (label,
    cosine), by text (label, bm25) and by dense embedding (label, cosine), best first, and the
    cosine to every label's centroid in both vector spaces."""

    vector: list[tuple[str, float]]
    text: list[tuple[str, float]]
    centroid: list[tuple[str, float]]
    dense: list[tuple[str, float]] = field(default_factory=list)
    dense_centroid: list[tuple[str, float]] = field(default_factory=list)


class LabelCentroids:
    """Mean example vector per label, with one example left out on demand (for calibration)."""

    def __init__(self, vectors: np.ndarray, labels: list[str]) -> None:
        self.labels = sorted(set(labels))
        pos = {label: i for i, label in enumerate(self.labels)}
        self._row_label = np.array([pos[label] for label in labels], dtype=np.int64)
        self._vectors = vectors
        self._sums = np.zeros((len(self.labels), vectors.shape[1]), dtype=np.float64)
        np.add.at(self._sums, self._row_label, vectors)
        self._sq = (self._sums**2).sum(axis=1)
        self._sums_t = np.ascontiguousarray(self._sums.T)  # term-major: see EmbeddedIndex

    def sims(self, qv: np.ndarray, exclude_rows: Sequence[int] = ()) -> list[tuple[str, float]]:
        nz = np.flatnonzero(qv)
        dots = qv[nz].astype(np.float64) @ self._sums_t[nz]
        sq = self._sq.copy()
        for label in {int(self._row_label[r]) for r in exclude_rows}:
            rows = [r for r in exclude_rows if self._row_label[r] == label]
            rest = self._sums[label] - self._vectors[rows].sum(axis=0)
            dots[label], sq[label] = float(rest @ qv), float(rest @ rest)
        norms = np.sqrt(np.clip(sq, 1e-12, None))
        return [(label, float(d / n)) for label, d, n in zip(self.labels, dots, norms)]


class KnowledgeIndex(Protocol):
    #: True when queries wait on the network (then async callers query from a worker thread).
    blocking_io: bool

    def search(self, query: str, k: int = 5, kind: str | None = "article") -> list[Passage]:
        """Hybrid (full-text + vector) retrieval, fused by reciprocal rank."""

    def example_hits(self, query: str, k: int = 30, exclude: Collection[str] = ()) -> ExampleHits:
        """Nearest labelled examples; ``exclude`` leaves those example ids out (calibration)."""

    def add_examples(self, examples: list[Example]) -> int:
        """Add labelled examples to a built index without a rebuild; returns how many were new."""

    def examples(self) -> list[tuple[str, Example]]:
        """Every labelled example with its document id."""

    def get_meta(self, key: str) -> Any:
        """A stored JSON value (``None`` when absent)."""

    def set_meta(self, key: str, value: Any) -> None: ...

    def close(self) -> None: ...


def rrf_fuse(rankings: list[list[str]], k: int) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of several best-first id lists; returns (id, score) best first."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def example_id(example: Example) -> str:
    """Stable id for an example: adding the same example twice is a no-op."""
    digest = hashlib.sha1(f"{example.label}\n{example.text}".encode("utf-8")).hexdigest()[:16]
    return f"ex-{digest}"
