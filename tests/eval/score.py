"""Score the coordinator on the labelled evaluation set (tests/eval/routing_eval.jsonl).

The set was written separately from samples/knowledge/examples and is never
indexed: it measures how routing carries over to phrasings nobody trained on.
Each line: {"text", "target", "intent"} and optionally "current" (the route the
call is already on, for topic switches and goodbyes). On those lines the decision
should carry ``topic_switch`` exactly when the expected label differs from
"current" (a goodbye never switches); the report counts how often it does.

Run: ``.venv/bin/python -m tests.eval.score`` (builds a fresh index in a temp dir).
The split for issue 18: ``routing_test.jsonl`` is the fixed test part, never used for tuning
lexicons, thresholds or examples; ``routing_dev.jsonl`` may be. Score both with
``python -m tests.eval.score tests/eval/routing_test.jsonl tests/eval/routing_dev.jsonl``.
Prints the index build time, target and intent accuracy (also per expected
target), topic-switch flags, a calibration table with the ECE, and decision
latency p50/p95. ``python -m tests.eval.score FILE...`` scores other files in the
same format; ``--no-errors`` leaves the error lines out (for the test part, which
must not be read line by line); ``--ablation`` refits the evidence blend without
each kind of evidence in turn and prints accuracy and ECE for each.
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
from agent.routing import Coordinator
from agent.routing.calibration import Bin, fit_blend, loo_evidence, reliability
from agent.routing.router import FEATURES
from agent.contracts.state import CallState

EVAL_FILE = Path(__file__).with_name("routing_eval.jsonl")
#: A Wednesday mid-morning in the policy's time zone: business-hours rules stay out of the way.
EVAL_NOW = datetime(2026, 11, 18, 10, 30, tzinfo=timezone.utc)


@dataclass
class Report:
    n: int
    target_accuracy: float
    intent_accuracy: float
    clarify_rate: float
    switch_right: int
    switch_rows: int
    ece: float
    table: list[Bin]
    latency_p50_ms: float
    latency_p95_ms: float
    errors: list[dict[str, object]]
    #: expected target -> (rows routed to it, rows expecting it)
    per_target: dict[str, tuple[int, int]]


def load_rows(path: Path = EVAL_FILE) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(coordinator: Coordinator, rows: list[dict[str, object]]) -> Report:
    target_ok, intent_ok, conf, latencies, errors = [], [], [], [], []
    clarified = 0
    per_target: dict[str, list[int]] = {}
    switch_right = switch_rows = 0
    coordinator.decide("warm up", CallState(session_id="eval"), now=EVAL_NOW)
    for n, row in enumerate(rows):
        state = CallState(session_id=f"eval-{n}", current=row.get("current"))  # type: ignore[arg-type]
        d = coordinator.decide(str(row["text"]), state, now=EVAL_NOW)
        t, i = d.target == row["target"], d.intent == row["intent"]
        target_ok.append(t)
        intent_ok.append(i)
        conf.append(d.confidence)
        counts = per_target.setdefault(str(row["target"]), [0, 0])
        counts[0] += t
        counts[1] += 1
        latencies.append(d.latency_ms)
        clarified += d.action == "clarify"
        if row.get("current"):
            current = row["current"]
            want_switch = not str(row["intent"]).startswith("smalltalk.") and \
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
        clarify_rate=clarified / len(rows),
        switch_right=switch_right,
        switch_rows=switch_rows,
        ece=ece,
        table=table,
        latency_p50_ms=statistics.median(latencies),
        latency_p95_ms=q[94],
        errors=errors,
        per_target={k: (v[0], v[1]) for k, v in sorted(per_target.items())},
    )


def format_report(r: Report, errors: bool = True) -> str:
    lines = [
        f"utterances        {r.n}",
        f"target accuracy   {r.target_accuracy:.3f}",
        f"intent accuracy   {r.intent_accuracy:.3f}",
        f"clarify rate      {r.clarify_rate:.3f}",
        f"switch flags      {r.switch_right}/{r.switch_rows} right",
        f"ECE (10 bins)     {r.ece:.3f}",
        f"latency p50/p95   {r.latency_p50_ms:.2f} / {r.latency_p95_ms:.2f} ms",
        "",
        "target accuracy per expected target",
        *(f"  {t:<10} {ok:4d}/{n:<4d} {ok / n:.3f}" for t, (ok, n) in r.per_target.items()),
        "",
        "confidence bin   n    mean conf  accuracy",
    ]
    for b in r.table:
        lines.append(f"  {b.low:.1f}-{b.high:.1f}     {b.count:4d}   {b.confidence:.3f}      {b.accuracy:.3f}")
    if r.errors and errors:
        lines += ["", "errors:"] + [f"  {e}" for e in r.errors]
    return "\n".join(lines)


def format_comparison(reports: list[tuple[Path, Report]]) -> str:
    """One line per file and each file's difference from the first (e.g. test part, then dev part)."""
    first = reports[0][1]
    lines = ["file                              n    target  intent  ECE    (difference from the first file)"]
    for path, r in reports:
        lines.append(f"{path.name:<32} {r.n:4d}   {r.target_accuracy:.3f}   {r.intent_accuracy:.3f}   {r.ece:.3f}"
                     f"  ({r.target_accuracy - first.target_accuracy:+.3f} {r.intent_accuracy - first.intent_accuracy:+.3f}"
                     f" {r.ece - first.ece:+.3f})")
    return "\n".join(lines)


def ablation(coordinator: Coordinator, rows: list[dict[str, object]]) -> list[tuple[str, Report]]:
    """The blend refitted with all evidence, then without each kind in turn, scored on ``rows``."""
    ev, truth, _ = loo_evidence(coordinator.index)
    fitted = coordinator.router.calibration
    kinds = [("all", [True] * len(FEATURES))] + [(f"without {f}", [g != f for g in FEATURES]) for f in FEATURES]
    kinds += [("without hashed tf-idf", [f not in ("knn", "centroid") for f in FEATURES]),
              ("without dense", [not f.startswith("dense") for f in FEATURES])]
    out = []
    try:
        for name, use in kinds:
            coordinator.router.calibration = fit_blend(ev, truth, use)[0]
            out.append((name, evaluate(coordinator, rows)))
    finally:
        coordinator.router.calibration = fitted
    return out


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        coordinator = Coordinator.from_settings(Settings(data_dir=Path(tmp)))
        print(f"index build       {time.perf_counter() - started:.2f} s (embedded, with calibration fit)\n")
        for path in [Path(a) for a in argv if not a.startswith("--")] or [EVAL_FILE]:
            rows = load_rows(path)
            if "--ablation" in flags:
                for name, r in ablation(coordinator, rows):
                    print(f"{path.name:<24} {name:<24} target {r.target_accuracy:.3f}  intent {r.intent_accuracy:.3f}  ECE {r.ece:.3f}")
                continue
            reports.append((path, evaluate(coordinator, rows)))
            print(f"== {path}\n{format_report(reports[-1][1], errors='--no-errors' not in flags)}\n")
        coordinator.close()
    if len(reports) > 1:
        print(format_comparison(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
