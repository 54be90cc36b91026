"""Aggregate call records into the figures the report shows (pure).

Input: the dicts ``agent.observability.callrecords.read_records`` returns. Anything missing or of the
wrong type in a record is treated as absent, so a hand-edited or older record lowers
the counts instead of breaking the report.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from agent.observability.telemetry import STAGES

#: Series the latency chart draws: the pipeline stages plus the caller-perceived latency.
LATENCY_SERIES = (*STAGES, "latency")
#: Candidate time-bucket widths in seconds; the smallest giving at most MAX_BUCKETS wins.
BUCKET_WIDTHS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400)
MAX_BUCKETS = 24


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` (0-100) of non-empty ``values``."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass(frozen=True)
class Percentiles:
    n: int
    p50: float
    p90: float
    p95: float

    @classmethod
    def of(cls, values: list[float]) -> "Percentiles | None":
        if not values:
            return None
        return cls(len(values), *(round(percentile(values, q), 1) for q in (50, 90, 95)))


@dataclass
class Summary:
    calls: int = 0
    skipped_lines: int = 0
    first_at: float | None = None
    last_at: float | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)
    escalation_reasons: Counter[str] = field(default_factory=Counter)
    tool_errors: Counter[str] = field(default_factory=Counter)
    tool_calls: int = 0
    turns: int = 0
    stages: dict[str, Percentiles] = field(default_factory=dict)
    #: (bucket start epoch s, {series: Percentiles})
    stages_over_time: list[tuple[float, dict[str, Percentiles]]] = field(default_factory=list)
    bucket_s: int = 0
    #: (ended_at, cost, outcome) per call, in time order
    costs: list[tuple[float, float, str]] = field(default_factory=list)
    currency: str = ""
    audio_in_s: float = 0.0
    audio_out_s: float = 0.0

    @property
    def resolved(self) -> int:
        return self.outcomes.get("resolved", 0)

    @property
    def escalated(self) -> int:
        return self.outcomes.get("escalated", 0)

    def rate(self, outcome: str) -> float:
        return self.outcomes.get(outcome, 0) / self.calls if self.calls else 0.0

    @property
    def total_cost(self) -> float:
        return sum(c for _, c, _ in self.costs)

    @property
    def cost_per_call(self) -> float:
        return self.total_cost / len(self.costs) if self.costs else 0.0

    @property
    def cost_per_resolved(self) -> float | None:
        """Everything spent, divided by the calls that needed no person."""
        return self.total_cost / self.resolved if self.resolved else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _turn_values(turn: Mapping[str, Any]) -> dict[str, float]:
    stages = turn.get("stages") if isinstance(turn.get("stages"), dict) else {}
    out = {k: v for k, v in ((s, _num(stages.get(s))) for s in STAGES) if v is not None}
    latency = _num(turn.get("latency_ms"))
    if latency is not None:
        out["latency"] = latency
    return out


def _bucket_width(span_s: float) -> int:
    return next((w for w in BUCKET_WIDTHS if span_s / w < MAX_BUCKETS), BUCKET_WIDTHS[-1])


def summarize(records: Iterable[Mapping[str, Any]], *, skipped_lines: int = 0) -> Summary:
    s = Summary(skipped_lines=skipped_lines)
    per_call: list[tuple[float, list[dict[str, float]]]] = []
    for r in records:
        ended = _num(r.get("ended_at")) or _num(r.get("started_at"))
        if ended is None:
            s.skipped_lines += 1
            continue
        s.calls += 1
        s.first_at = ended if s.first_at is None else min(s.first_at, ended)
        s.last_at = ended if s.last_at is None else max(s.last_at, ended)
        outcome = r.get("outcome") if isinstance(r.get("outcome"), str) else "abandoned"
        s.outcomes[outcome] += 1
        for route in r.get("routes") or []:
            if isinstance(route, dict) and isinstance(route.get("target"), str):
                s.routes[route["target"]] += 1
        escalation = r.get("escalation")
        if isinstance(escalation, dict):
            s.escalation_reasons[str(escalation.get("trigger") or "other")] += 1
        for err in r.get("tool_errors") or []:
            if isinstance(err, dict):
                s.tool_errors[str(err.get("tool") or "?")] += 1
        s.tool_calls += int(_num(r.get("tool_calls")) or 0)
        turns = [_turn_values(t) for t in r.get("turns") or [] if isinstance(t, dict)]
        s.turns += len(turns)
        per_call.append((ended, turns))
        cost = r.get("cost") if isinstance(r.get("cost"), dict) else {}
        total = _num(cost.get("total"))
        if total is not None:
            s.costs.append((ended, total, outcome))
            s.currency = s.currency or str(cost.get("currency") or "")
        usage = r.get("usage") if isinstance(r.get("usage"), dict) else {}
        s.audio_in_s += _num(usage.get("audio_in_s")) or 0.0
        s.audio_out_s += _num(usage.get("audio_out_s")) or 0.0
    s.costs.sort()
    s.stages = _percentiles(t for _, turns in per_call for t in turns)
    if per_call and s.first_at is not None and s.last_at is not None:
        s.bucket_s = _bucket_width(s.last_at - s.first_at)
        buckets: dict[float, list[dict[str, float]]] = {}
        for ended, turns in per_call:
            start = ended - (ended - s.first_at) % s.bucket_s
            buckets.setdefault(start, []).extend(turns)
        s.stages_over_time = [(start, _percentiles(turns)) for start, turns in sorted(buckets.items())]
    return s


def _percentiles(turns: Iterable[dict[str, float]]) -> dict[str, Percentiles]:
    values: dict[str, list[float]] = {k: [] for k in LATENCY_SERIES}
    for t in turns:
        for k, v in t.items():
            values[k].append(v)
    return {k: p for k, p in ((k, Percentiles.of(v)) for k, v in values.items()) if p is not None}
