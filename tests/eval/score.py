"""Score the coordinator on the labelled evaluation set (tests/eval/routing_eval.jsonl).

The set was written separately from samples/knowledge/examples and is never
indexed: it measures how routing carries over to phrasings nobody trained on.
Each line: {"text", "target", "intent"} and optionally "current" (the route the
call is already on, for topic switches and goodbyes). On those lines the decision
should carry ``topic_switch`` exactly when the expected label differs from
"current" (a goodbye never switches); the report counts how often it does.

Run: ``.venv/bin/python -m tests.eval.score`` (builds a fresh index in a temp dir).
Prints the index build time, target and intent accuracy (also per expected
target), topic-switch flags, a calibration table with the ECE, and decision
latency p50/p95. ``python -m tests.eval.score FILE...`` scores other files in the
same format; ``--ablation`` refits the evidence blend without each kind of
evidence in turn and prints accuracy and ECE for each (``--no-errors`` leaves the
error lines out, for a test part that must not be read line by line).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from agent.config import Settings
from agent.coordinator import Coordinator
from agent.coordinator.calibration import Bin, fit_blend, loo_evidence, reliability
from agent.coordinator.router import FEATURES
from agent.state import CallState

EVAL_FILE = Path(__file__).with_name("routing_eval.jsonl")
#: A Wednesday mid-morning in the policy's time zone: business-hours rules stay out of the way.
EVAL_NOW = datetime(2026, 11, 18, 10, 30, tzinfo=timezone.utc)


@dataclass
class Report:
    n: int
    target_accuracy: float
    intent_accuracy: float
    per_target: dict[str, tuple[int, int]]  # expected target -> (right, rows)
    clarify_rate: float
    switch_right: int
    switch_rows: int
    ece: float
    table: list[Bin]
    latency_p50_ms: float
    latency_p95_ms: float
    errors: list[dict[str, object]]


def load_rows(path: Path = EVAL_FILE) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(coordinator: Coordinator, rows: list[dict[str, object]]) -> Report:
    target_ok, intent_ok, conf, latencies, errors = [], [], [], [], []
    clarified = 0
    per_target: dict[str, tuple[int, int]] = {}
    switch_right = switch_rows = 0
    coordinator.decide("warm up", CallState(session_id="eval"), now=EVAL_NOW)
    for n, row in enumerate(rows):
        state = CallState(session_id=f"eval-{n}", current=row.get("current"))  # type: ignore[arg-type]
        d = coordinator.decide(str(row["text"]), state, now=EVAL_NOW)
        t, i = d.target == row["target"], d.intent == row["intent"]
        right, seen = per_target.get(str(row["target"]), (0, 0))
        per_target[str(row["target"])] = (right + t, seen + 1)
        target_ok.append(t)
        intent_ok.append(i)
        conf.append(d.confidence)
        latencies.append(d.latency_ms)
        clarified += d.action == "clarify"
        if row.get("current"):
            current = row["current"]
            want_switch = row["intent"] != "smalltalk.goodbye" and \
                (current["target"], current["intent"]) != (row["target"], row["intent"])  # type: ignore[index]
            switch_rows += 1
            switch_right += want_switch == ("topic_switch" in d.policy_hits)
        if not (t and i):
            errors.append({"text": row["text"], "want": f"{row['target']}/{row['intent']}",
                           "got": f"{d.target}/{d.intent}", "confidence": round(d.confidence, 3), "action": d.action})
    table, ece = reliability(conf, intent_ok)
    q = statistics.quantiles(latencies, n=100)
    return Report(
        n=len(rows),
        target_accuracy=sum(target_ok) / len(rows),
        intent_accuracy=sum(intent_ok) / len(rows),
        per_target=dict(sorted(per_target.items())),
        clarify_rate=clarified / len(rows),
        switch_right=switch_right,
        switch_rows=switch_rows,
        ece=ece,
        table=table,
        latency_p50_ms=statistics.median(latencies),
        latency_p95_ms=q[94],
        errors=errors,
    )


def format_report(r: Report, errors: bool = True) -> str:
    lines = [
        f"utterances        {r.n}",
        f"target accuracy   {r.target_accuracy:.3f}",
        *[f"  {t:<15} {right / n:.3f}  ({right}/{n})" for t, (right, n) in r.per_target.items()],
        f"intent accuracy   {r.intent_accuracy:.3f}",
        f"clarify rate      {r.clarify_rate:.3f}",
        f"switch flags      {r.switch_right}/{r.switch_rows} right",
        f"ECE (10 bins)     {r.ece:.3f}",
        f"latency p50/p95   {r.latency_p50_ms:.2f} / {r.latency_p95_ms:.2f} ms",
        "",
        "confidence bin   n    mean conf  accuracy",
    ]
    for b in r.table:
        lines.append(f"  {b.low:.1f}-{b.high:.1f}     {b.count:4d}   {b.confidence:.3f}      {b.accuracy:.3f}")
    if r.errors and errors:
        lines += ["", "errors:"] + [f"  {e}" for e in r.errors]
    return "\n".join(lines)


def ablation(coordinator: Coordinator, rows: list[dict[str, object]]) -> list[tuple[str, Report]]:
    """The blend refitted with all evidence, then without each kind in turn, scored on ``rows``."""
    ev, truth, _ = loo_evidence(coordinator.index)
    fitted = coordinator.router.calibration
    out = []
    try:
        for name, use in [("all", [True] * len(FEATURES))] + [(f"without {f}", [g != f for g in FEATURES]) for f in FEATURES] + \
                [("without hashed tf-idf", [not f in ("knn", "centroid") for f in FEATURES])]:
            coordinator.router.calibration = fit_blend(ev, truth, use)[0]
            out.append((name, evaluate(coordinator, rows)))
    finally:
        coordinator.router.calibration = fitted
    return out


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    paths = [Path(a) for a in argv if not a.startswith("--")] or [EVAL_FILE]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        coordinator = Coordinator.from_settings(Settings(data_dir=Path(tmp)))
        print(f"index build       {time.perf_counter() - started:.2f} s (embedded, with calibration fit)\n")
        for path in paths:
            rows = load_rows(path)
            if "--ablation" in flags:
                for name, r in ablation(coordinator, rows):
                    print(f"{path.name:<24} {name:<28} target {r.target_accuracy:.3f}  intent {r.intent_accuracy:.3f}  ECE {r.ece:.3f}")
                continue
            print(f"== {path}\n{format_report(evaluate(coordinator, rows), errors='--no-errors' not in flags)}\n")
        coordinator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
