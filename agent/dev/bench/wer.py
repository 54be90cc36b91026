"""Word error rate with the normalisation speech tests need (pure)."""

from __future__ import annotations

import re
from typing import Iterable

_DIGITS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_DIGITS["oh"] = "0"
_TEENS = {w: str(10 + i) for i, w in enumerate(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_SPELLINGS = {"cannot": "can not", "can't": "can not", "won't": "will not", "don't": "do not", "i'd": "i would",
              "okay": "ok", "e-mail": "email", "wifi": "wireless", "there's": "there is", "it's": "it is",
              "into": "in to", "i'm": "i am"}


def normalise(text: str) -> list[str]:
    """Lower case, no punctuation, contractions expanded, spoken digits joined into numbers."""
    t = text.lower().replace("-", " ")
    for a, b in _SPELLINGS.items():
        t = re.sub(rf"\b{re.escape(a)}\b", b, t)
    words = re.findall(r"[a-z']+|\d+", t)
    out: list[str] = []
    for w in words:
        w = _DIGITS.get(w, _TEENS.get(w, w))
        if w.isdigit() and out and out[-1].isdigit() and len(w) == 1:
            out[-1] += w  # "four five six seven" -> "4567", as a recogniser writes it
        else:
            out.append(w)
    return out


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def wer(pairs: Iterable[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs: total edits / total reference words."""
    edits = words = 0
    for ref, hyp in pairs:
        r, h = normalise(ref), normalise(hyp)
        edits += edit_distance(r, h)
        words += len(r)
    return edits / words if words else 0.0
