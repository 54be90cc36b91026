"""Confidence calibration: fit the router's combination, and measure reliability.

``fit`` scores every labelled example with that example, and its near-duplicates
in the same label, left out of the index (grouped leave-one-out: a caller's words
are rarely a near-copy of an example, so scoring against near-copies would make
the fit over-confident), then fits the evidence weights and the background logit
that minimise the negative log-likelihood of the true labels (``fit_blend``).
``reliability`` bins confidences and compares each bin's mean confidence with its
accuracy; the expected calibration error (ECE) is the count-weighted mean gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from agent.routing.index import KnowledgeIndex
from agent.routing.router import FEATURES, Calibration, evidence
from agent.routing.text import HashedTfidf, normalise

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


def fit_blend(ev: np.ndarray, truth: np.ndarray, use: Sequence[bool] | None = None) -> tuple[Calibration, float]:
    """The weights and background logit minimising the mean negative log-likelihood of ``truth``.

    ``ev`` is (examples, features, labels). The model is a multinomial logit whose logit for a
    label is a weighted sum of its evidence, and for "none of these" a constant, so the NLL is
    convex in (weights, background): Newton's method with a small ridge converges in a few steps.
    A feature whose weight comes out negative (collinear with another) is dropped and the rest
    refitted, so more evidence never lowers a label's probability. ``use`` masks features out
    (ablations).
    """
    n, k, n_labels = ev.shape
    active = [f for f in range(k) if use is None or use[f]]
    while True:
        theta, nll = _newton(ev[:, active, :], truth)
        negative = [f for f, w in zip(active, theta[:-1]) if w < 0]
        if not negative:
            break
        active = [f for f in active if f not in negative]
    weights = np.zeros(k)
    weights[active] = theta[:-1]
    return Calibration(tuple(float(w) for w in weights), float(theta[-1])), nll


def _newton(ev: np.ndarray, truth: np.ndarray, ridge: float = 1e-3, steps: int = 50) -> tuple[np.ndarray, float]:
    n, k, n_labels = ev.shape
    # x[n, l, :]: a label's evidence and a 0 background indicator; the last row is "none of these".
    x = np.zeros((n, n_labels + 1, k + 1))
    x[:, :n_labels, :k] = ev.transpose(0, 2, 1)
    x[:, n_labels, k] = 1.0
    picked = x[np.arange(n), truth]  # n, k+1

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(n), truth].mean() + ridge / 2 * theta @ theta), np.exp(logp)

    theta = np.zeros(k + 1)
    value, p = loss(theta)
    for _ in range(steps):
        mean_x = np.einsum("nl,nlf->nf", p, x)
        grad = (mean_x - picked).mean(axis=0) + ridge * theta
        hess = np.einsum("nl,nlf,nlg->fg", p, x, x) / n - mean_x.T @ mean_x / n + ridge * np.eye(k + 1)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4:
            candidate = theta - t * step
            new_value, new_p = loss(candidate)
            if new_value <= value:
                break
            t /= 2
        else:
            break
        converged = value - new_value < 1e-9
        theta, value, p = candidate, new_value, new_p
        if converged:
            break
    return theta, value


def loo_evidence(index: KnowledgeIndex) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Grouped leave-one-out evidence (examples, features, labels), the true label indices, the labels."""
    examples = index.examples()
    labels = sorted({e.label for _, e in examples})
    pos = {label: i for i, label in enumerate(labels)}
    groups = held_out_groups(examples)
    ev = np.array([evidence(index.example_hits(e.text, exclude=g), labels) for (_, e), g in zip(examples, groups)])
    return ev, np.array([pos[e.label] for _, e in examples]), labels


def fit(index: KnowledgeIndex, use: Sequence[bool] | None = None) -> dict[str, Any]:
    """Grouped leave-one-out fit over the index's labelled examples; returns the calibration and its report."""
    ev, truth, _ = loo_evidence(index)
    cal, nll = fit_blend(ev, truth, use)
    scores = np.einsum("k,nkl->nl", np.asarray(cal.weights), ev)
    full = np.concatenate([scores, np.full((len(truth), 1), cal.background)], axis=1)
    probs = np.exp(full - full.max(axis=1, keepdims=True))
    probs = (probs / probs.sum(axis=1, keepdims=True))[:, :-1]
    top = probs.argmax(axis=1)
    _, ece = reliability(list(probs.max(axis=1)), list(top == truth))
    return {
        **cal.to_dict(),
        "features": list(FEATURES),
        "loo_accuracy": float((top == truth).mean()),
        "loo_nll": nll,
        "loo_ece": ece,
        "examples": len(truth),
    }
