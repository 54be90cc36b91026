"""Call records: one JSON line per finished call in ``<data_dir>/calls.jsonl``.

A record holds what operations and FinOps need, not the conversation itself: session,
channel, start/end, each caller turn's stage latencies, routes, outcome and escalation
reason, tool errors, usage and estimated cost. Every string goes through
``agent.privacy.redact.redact_obj`` first, because routing reasons and tool errors may
quote the caller. ``switchboard report`` reads the file back with ``read_records``.

``build_record`` is pure; ``CallRecorder.finish`` appends the line and records the
call-level metrics. The session hub calls it when a call ends (``session.end``, or
expiry of a dropped call).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.observability import telemetry
from agent.config import Settings
from agent.observability.finops import PriceTable, usage_of
from agent.privacy.redact import redact_obj
from agent.contracts.state import CallState

log = logging.getLogger("switchboard.callrecords")

FILE_NAME = "calls.jsonl"
#: A line longer than this is not one of ours (records are a few KB).
MAX_LINE_BYTES = 1024 * 1024


def escalation_trigger(state: CallState) -> str:
    """A short, low-cardinality reason for a hand-over (pure): the first policy hit of the
    latest hand-over decision (``safety``, ``person_request``, ...), else its intent, else
    ``tool_failures`` when tools kept failing (the brain hands over without a decision)."""
    for decision in reversed(state.routes):
        if decision.get("action") == "handoff" or decision.get("target") == "human":
            hits = [h for h in decision.get("policy_hits") or [] if not str(h).startswith("queue:")]
            return str(hits[0]).split(":")[0] if hits else str(decision.get("intent") or "human_requested")
    return "tool_failures" if state.tool_failures else "other"


def build_record(state: CallState, prices: PriceTable) -> dict[str, Any]:
    """The call record of a finished call (pure)."""
    usage = usage_of(state)
    escalation = None
    if state.handoff:
        escalation = {
            "trigger": escalation_trigger(state),
            "reason": state.handoff.get("reason"),
            "target": state.handoff.get("target"),
            "priority": state.handoff.get("priority"),
            "case_id": state.handoff.get("case_id"),
            "status": state.handoff.get("status"),
        }
    record = {
        "session_id": state.session_id,
        "channel": state.channel,
        "call_id": state.call_id,
        "started_at": state.started_at,
        "ended_at": state.ended_at,
        "outcome": state.outcome or ("escalated" if state.handoff else "abandoned"),
        "escalation": escalation,
        "turns": [
            {"turn": t.get("turn"), "kind": t.get("kind"), "ts": t.get("ts"), **(t.get("metrics") or {})}
            for t in state.turns if t.get("role") == "caller"
        ],
        "routes": [
            {k: r.get(k) for k in ("turn", "target", "intent", "confidence")} for r in state.routes
        ],
        "tool_calls": len(state.tool_attempts),
        "tool_errors": [
            {"tool": a.get("tool"), "error": a.get("error")} for a in state.tool_attempts if not a.get("ok")
        ],
        "usage": usage,
        "cost": prices.cost(usage, state.channel),
    }
    return redact_obj(record)


@dataclass
class CallRecorder:
    path: Path
    prices: PriceTable
    written: int = field(default=0, init=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "CallRecorder":
        return cls(settings.data_dir / FILE_NAME, PriceTable.for_settings(settings))

    def finish(self, state: CallState) -> dict[str, Any]:
        """Write the record of a call that just ended and record its metrics; returns the record.

        A disk error is logged, not raised: losing a record must not break hanging up.
        """
        record = build_record(state, self.prices)
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)  # one write per record: concurrent appenders do not interleave lines
            self.written += 1
        except OSError as exc:
            log.error("could not write the call record of %s to %s: %s", state.session_id, self.path, exc)
        telemetry.call_finished(record)
        return record


@dataclass
class ReadResult:
    records: list[dict[str, Any]]
    skipped: int  # lines that were not a JSON object (torn writes, hand edits)


def read_records(path: Path) -> ReadResult:
    """Every record in ``path``; malformed lines are counted and skipped, never fatal."""
    records: list[dict[str, Any]] = []
    skipped = 0
    if not path.exists():
        return ReadResult(records, 0)
    with path.open("rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            try:
                value = json.loads(raw) if len(raw) <= MAX_LINE_BYTES else None
            except ValueError:
                value = None
            if isinstance(value, dict) and isinstance(value.get("session_id"), str):
                records.append(value)
            else:
                skipped += 1
    return ReadResult(records, skipped)
