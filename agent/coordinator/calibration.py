"""Confidence calibration: fit the router's combination, and measure reliability.

``fit`` scores every labelled example with that example, and its near-duplicates
in the same label, left out of the index (grouped leave-one-out: a caller's words
are rarely a near-copy of an example, so scoring against near-copies would make
the fit over-confident), then grid-searches the evidence weights, inverse temperature and
background score that minimise the negative log-likelihood of the true labels.
``reliability`` bins confidences and compares each bin's mean confidence with its
accuracy; the expected calibration error (ECE) is the count-weighted mean gap.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from agent.coordinator.index import KnowledgeIndex
from agent.coordinator.router import Calibration, evidence
from agent.coordinator.text import HashedTfidf, normalise

INV_TEMPERATURE_GRID = np.geomspace(2.0, 80.0, 48)
BACKGROUND_GRID = np.linspace(0.0, 0.5, 11)
WEIGHT_STEP = 0.1
#: Same-label examples at least this similar to the held-out one are held out with it.
NEAR_DUPLICATE = 0.5


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    confidence: float
    accuracy: float


def reliability(confidences: list[float], correct: list[bool], bins: int = 10) -> tuple[list[Bin], float]:
    """Reliability table and expected calibration error."""
    conf = np.asarray(confidences, dtype=np.float64)
    ok = np.asarray(correct, dtype=np.float64)
    table, ece = [], 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    for b in range(bins):
        lo, hi = edges[b], edges[b + 1]
        mask = (conf >= lo) & ((conf < hi) if b < bins - 1 else (conf <= hi))
        n = int(mask.sum())
        if n == 0:
            continue
        c, a = float(conf[mask].mean()), float(ok[mask].mean())
        table.append(Bin(float(lo), float(hi), n, c, a))
        ece += n / max(len(conf), 1) * abs(c - a)
    return table, ece


def _weight_grid() -> list[tuple[float, float, float]]:
    steps = np.round(np.arange(0.0, 1.0 + 1e-9, WEIGHT_STEP), 2)
    return [(float(a), float(b), float(round(1.0 - a - b, 2))) for a, b in itertools.product(steps, steps) if a + b <= 1.0 + 1e-9]


def held_out_groups(examples: list[tuple[str, Any]]) -> list[list[str]]:
    """For each example, its id plus the ids of same-label near-duplicates (surface similarity)."""
    vec = HashedTfidf()
    feats = [vec.features(normalise(e.text)) for _, e in examples]
    for f in feats:
        vec.observe(f)
    m = vec.matrix(feats)
    sims = m @ m.T
    labels = np.array([e.label for _, e in examples])
    groups = []
    for i in range(len(examples)):
        near = np.flatnonzero((sims[i] >= NEAR_DUPLICATE) & (labels == labels[i]))
        groups.append(sorted({examples[i][0]} | {examples[j][0] for j in near}))
    return groups


def fit(index: KnowledgeIndex) -> dict[str, Any]:
    """Grouped leave-one-out fit over the index's labelled examples; returns the calibration and its report."""
    examples = index.examples()
    labels = sorted({e.label for _, e in examples})
    pos = {label: i for i, label in enumerate(labels)}
    groups = held_out_groups(examples)
    ev = np.array([evidence(index.example_hits(e.text, exclude=g), labels) for (_, e), g in zip(examples, groups)])  # N,3,L
    truth = np.array([pos[e.label] for _, e in examples])
    rows = np.arange(len(truth))
    best: tuple[float, Calibration] = (float("inf"), Calibration((0.5, 0.3, 0.2), 12.0, 0.2))
    for weights in _weight_grid():
        scores = np.einsum("k,nkl->nl", np.asarray(weights), ev)  # N,L
        for background in BACKGROUND_GRID:
            full = np.concatenate([scores, np.full((len(truth), 1), background)], axis=1)
            z = INV_TEMPERATURE_GRID[:, None, None] * full[None]  # B,N,L+1
            z -= z.max(axis=2, keepdims=True)
            logp = z[:, rows, truth] - np.log(np.exp(z).sum(axis=2))
            nll = -logp.mean(axis=1)
            b = int(nll.argmin())
            if nll[b] < best[0]:
                best = (float(nll[b]), Calibration(weights, float(INV_TEMPERATURE_GRID[b]), float(background)))
    nll, cal = best
    scores = np.einsum("k,nkl->nl", np.asarray(cal.weights), ev)
    full = np.concatenate([scores, np.full((len(truth), 1), cal.background)], axis=1) * cal.inv_temperature
    probs = np.exp(full - full.max(axis=1, keepdims=True))
    probs = (probs / probs.sum(axis=1, keepdims=True))[:, :-1]
    top = probs.argmax(axis=1)
    _, ece = reliability(list(probs.max(axis=1)), list(top == truth))
    return {
        **cal.to_dict(),
        "loo_accuracy": float((top == truth).mean()),
        "loo_nll": nll,
        "loo_ece": ece,
        "examples": len(examples),
    }
