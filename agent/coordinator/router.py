"""Routing: labelled-example evidence -> a probability for every (target, intent) label.

Three kinds of evidence per label, each in [0, 1]: kNN (a rank-weighted mean of
its best vector similarities), centroid (cosine to the label's mean example),
and full text (its best BM25 score relative to the best overall). A weighted sum
of the three goes through a softmax that also holds a "none of these" option with
a fixed score, so an utterance unlike every example gets a low confidence instead
of a confident guess. The weights, the inverse temperature and the background
score are fitted at build time on leave-one-out predictions (``calibration.fit``),
so that a confidence of 0.8 means right about 80 % of the time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Collection

import numpy as np

from agent.coordinator.index import ExampleHits, KnowledgeIndex

#: How much each of a label's best three neighbours counts.
KNN_WEIGHTS = (1.0, 0.6, 0.3)


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, float, float]  # knn, centroid, text; they sum to 1
    inv_temperature: float
    background: float  # evidence score of "none of these"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Calibration":
        if not data or "weights" not in data:
            return DEFAULT_CALIBRATION
        return cls(tuple(float(w) for w in data["weights"]), float(data["inv_temperature"]), float(data["background"]))  # type: ignore[arg-type]


DEFAULT_CALIBRATION = Calibration((0.5, 0.3, 0.2), 12.0, 0.2)


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


def evidence(hits: ExampleHits, labels: list[str]) -> np.ndarray:
    """A (3, len(labels)) array: kNN, centroid and text evidence per label."""
    pos = {label: i for i, label in enumerate(labels)}
    knn = np.zeros((len(labels), len(KNN_WEIGHTS)), dtype=np.float64)
    filled = np.zeros(len(labels), dtype=np.int64)
    for label, sim in hits.vector:  # best first
        i = pos.get(label)
        if i is not None and filled[i] < len(KNN_WEIGHTS):
            knn[i, filled[i]] = sim
            filled[i] += 1
    out = np.zeros((3, len(labels)), dtype=np.float64)
    out[0] = knn @ np.array(KNN_WEIGHTS) / sum(KNN_WEIGHTS)
    for label, sim in hits.centroid:
        if label in pos:
            out[1, pos[label]] = max(sim, 0.0)
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
    z = np.append(scores, cal.background) * cal.inv_temperature
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
