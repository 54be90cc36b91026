"""Routing: labelled-example evidence -> a probability for every (target, intent) label.

Five kinds of evidence per label (``FEATURES``), each in [0, 1]: in two vector
spaces, dense sentence embeddings (meaning) and hashed TF-IDF (surface words and
misspellings), a kNN score (a rank-weighted mean of the label's best example
similarities) and a centroid score (cosine to the label's mean example); and full
text (its best BM25 score relative to the best overall). A weighted sum of the five
is a logit; a softmax over the labels also holds a "none of these" option with a
fixed logit, so an utterance unlike every example gets a low confidence instead of
a confident guess. The weights and the background logit are a linear blend fitted
at build time on grouped leave-one-out predictions (``calibration.fit``), so that
a confidence of 0.8 means right about 80 % of the time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable, Collection

import numpy as np

from agent.routing.index import ExampleHits, KnowledgeIndex

#: How much each of a label's best three neighbours counts.
KNN_WEIGHTS = (1.0, 0.6, 0.3)
#: The evidence rows, in order.
FEATURES = ("knn", "centroid", "text", "dense_knn", "dense_centroid")


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]  # logit per unit of evidence, one per FEATURES entry
    background: float  # logit of "none of these"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Calibration":
        if not data or len(data.get("weights") or ()) != len(FEATURES) or "background" not in data:
            return DEFAULT_CALIBRATION
        return cls(tuple(float(w) for w in data["weights"]), float(data["background"]))


DEFAULT_CALIBRATION = Calibration((3.0, 2.0, 2.0, 3.0, 2.0), 6.0)


@dataclass(frozen=True)
class Scored:
    target: str
    intent: str
    confidence: float

    @property
    def label(self) -> str:
        return f"{self.target}/{self.intent}"

    def to_dict(self) -> dict[str, object]:
        return {"target": self.target, "intent": self.intent, "confidence": round(self.confidence, 4)}


def without(scored: list[Scored], drop: Callable[[str], bool]) -> list[Scored]:
    """The readings ``drop`` rules out taken away, the others' probabilities conditional on none of those being
    meant ("not a safety call": a routine name; "not a change": nothing said to change it to)."""
    rest_mass = 1.0 - sum(s.confidence for s in scored if drop(s.intent))
    return [Scored(s.target, s.intent, s.confidence / max(rest_mass, 1e-9)) for s in scored if not drop(s.intent)]


def _knn(neighbours: list[tuple[str, float]], pos: dict[str, int]) -> np.ndarray:
    knn = np.zeros((len(pos), len(KNN_WEIGHTS)), dtype=np.float64)
    filled = np.zeros(len(pos), dtype=np.int64)
    for label, sim in neighbours:  # best first
        i = pos.get(label)
        if i is not None and filled[i] < len(KNN_WEIGHTS):
            knn[i, filled[i]] = max(sim, 0.0)
            filled[i] += 1
    return knn @ np.array(KNN_WEIGHTS) / sum(KNN_WEIGHTS)


def _centroid(sims: list[tuple[str, float]], pos: dict[str, int]) -> np.ndarray:
    out = np.zeros(len(pos), dtype=np.float64)
    for label, sim in sims:
        if label in pos:
            out[pos[label]] = max(sim, 0.0)
    return out


def evidence(hits: ExampleHits, labels: list[str]) -> np.ndarray:
    """A (len(FEATURES), len(labels)) array of evidence per label."""
    pos = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(FEATURES), len(labels)), dtype=np.float64)
    out[0] = _knn(hits.vector, pos)
    out[1] = _centroid(hits.centroid, pos)
    out[3] = _knn(hits.dense, pos)
    out[4] = _centroid(hits.dense_centroid, pos)
    best = hits.text[0][1] if hits.text else 0.0
    if best > 0:
        for label, score in hits.text:
            i = pos.get(label)
            if i is not None:
                out[2, i] = max(out[2, i], score / best)
    return out


def probabilities(ev: np.ndarray, cal: Calibration) -> np.ndarray:
    """Probability per label (they sum to less than 1: the rest is "none of these")."""
    scores = np.asarray(cal.weights) @ ev
    z = np.append(scores, cal.background)
    e = np.exp(z - z.max())
    return (e / e.sum())[:-1]


class Router:
    """Classifies an utterance against the labelled examples held by ``index``."""

    def __init__(self, index: KnowledgeIndex, calibration: Calibration = DEFAULT_CALIBRATION) -> None:
        self.index = index
        self.calibration = calibration

    def classify(self, text: str, exclude: Collection[str] = ()) -> list[Scored]:
        """Every label with its calibrated probability, most likely first."""
        hits = self.index.example_hits(text, exclude=exclude)
        # The centroid evidence names every label in the index, including ones that
        # arrived through add_examples after this router was made.
        labels = [label for label, _ in hits.centroid]
        if not labels:
            return []
        probs = probabilities(evidence(hits, labels), self.calibration)
        out = []
        for i in np.argsort(-probs, kind="stable"):
            target, intent = labels[i].split("/", 1)
            out.append(Scored(target=target, intent=intent, confidence=float(probs[i])))
        return out
