"""Scoring of ``agent.privacy.redact`` on a labelled PII corpus (JSON lines).

Each line: ``{"text", "pii": [{"category", "value"}], "keep": [ops ids]}``. A PII value is
*caught* when none of its identifying tokens survives redaction (a half-removed address
or a date missing only its year still leaks); a ``keep`` string must survive verbatim,
else it is a false redaction. ``python -m tests.unit.pii_score`` prints both corpora.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from agent.privacy.redact import redact

HERE = Path(__file__).parent
DEV = HERE / "pii_corpus_dev.jsonl"
TEST = HERE / "pii_corpus_test.jsonl"  # held out: written before any tuning, never tuned on
# Written blind (by someone who saw neither the redactor nor the other corpora). The misses of the
# first were described by category to whoever generalised the redactor next, so it is half-seen;
# the second has only ever been scored. Neither is tuned on.
BLIND = (HERE / "pii_corpus_blind1.jsonl", HERE / "pii_corpus_blind2.jsonl")
_FILLER = frozenset("of the at dot on in is and th st nd rd slash dash underscore a an to".split())


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def tokens(value: str) -> list[str]:
    """The parts of a PII value that identify someone (connecting words left out)."""
    return [t for t in re.findall(r"[A-Za-z0-9']+", value) if t.lower() not in _FILLER]


def _present(token: str, redacted: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(token)}(?![\w'])", redacted, re.I) is not None


def leaked(value: str, redacted: str) -> list[str]:
    """The identifying tokens of ``value`` still in ``redacted``. A single spelled letter on its own
    identifies nobody (and "I" is a word): letters count only as two in a row, as they were spelled."""
    parts = tokens(value)
    left = [t for t in parts if len(t) > 1 and _present(t, redacted)]
    for a, b in zip(parts, parts[1:]):
        if len(a) == len(b) == 1 and _present(f"{a} {b}", redacted):
            left += [t for t in (a, b) if t not in left]
    return left


@dataclass
class Score:
    total: Counter = field(default_factory=Counter)
    caught: Counter = field(default_factory=Counter)
    kept: int = 0
    keeps: int = 0
    misses: list[tuple[str, str, str, list[str]]] = field(default_factory=list)
    false: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, category: str) -> float:
        return self.caught[category] / self.total[category] if self.total[category] else 1.0


def score(rows: list[dict]) -> Score:
    s = Score()
    for row in rows:
        out = redact(row["text"])
        for item in row["pii"]:
            s.total[item["category"]] += 1
            left = leaked(item["value"], out)
            if left:
                s.misses.append((item["category"], row["text"], out, left))
            else:
                s.caught[item["category"]] += 1
        for keep in row["keep"]:
            s.keeps += 1
            if keep in out:
                s.kept += 1
            else:
                s.false.append((keep, row["text"], out))
    return s


def report(name: str, s: Score) -> str:
    lines = [f"{name}: " + ", ".join(f"{c} {s.caught[c]}/{s.total[c]} ({s.recall(c):.0%})" for c in sorted(s.total))
             + f"; ops ids kept {s.kept}/{s.keeps}"]
    lines += [f"  miss {c}: {text!r} -> {out!r} (left {left})" for c, text, out, left in s.misses]
    lines += [f"  false redaction of {keep!r}: {text!r} -> {out!r}" for keep, text, out in s.false]
    return "\n".join(lines)


if __name__ == "__main__":
    for name, path in (("dev", DEV), ("test (held out)", TEST), ("blind 1 (misses described by category)", BLIND[0]),
                       ("blind 2 (only ever scored)", BLIND[1])):
        if path.exists():
            print(report(name, score(load(path))))
