"""The learning loop: redacted records of unresolved calls, exported for labelling and read back.

Pure transforms only (the store and the CLI do the I/O):

- ``review_record(state, now)``: what is kept of a call that ended unresolved
  (transcript, decisions, tool outcomes, hand-over, outcome), passed through
  ``redact_obj`` so no personal data reaches the learning store.
- ``export_record(record)``: one JSONL line for a labeller, with an empty
  ``label: {target, intent}`` to fill in.
- ``parse_labelled(content)``: labelled lines back as routing ``Example``s;
  all-or-nothing, with errors that name the line.
"""

from __future__ import annotations

import json
from typing import Any

from agent.routing.knowledge import Example, KnowledgeError, validate_example
from agent.handoff.bundle import iso
from agent.privacy.redact import redact, redact_obj
from agent.contracts.state import CallState

#: Outcomes that need no review: the caller got what they came for.
RESOLVED = "resolved"


def needs_review(state: CallState) -> bool:
    return state.outcome != RESOLVED


def review_record(state: CallState, now: float) -> dict[str, Any]:
    """The redacted record of ``state`` for the learning store."""
    raw = {
        "turns": [{"role": t.get("role"), "text": t.get("text", ""), "turn": t.get("turn")} for t in state.turns],
        "decisions": [
            {k: r.get(k) for k in ("turn", "target", "intent", "confidence", "reason", "policy_hits")}
            for r in state.routes
        ],
        "tools": [{"tool": a.get("tool"), "ok": a.get("ok"), "error": a.get("error")} for a in state.tool_attempts],
        "handoff_reason": (state.handoff or {}).get("reason"),
    }
    clean = redact_obj(raw)
    # Case id, target, priority and status come from our own configuration, not the caller.
    handoff = {k: state.handoff.get(k) for k in ("case_id", "target", "priority", "status")} if state.handoff else None
    if handoff is not None:
        handoff["reason"] = clean["handoff_reason"]
    return {
        "id": state.session_id,
        "captured_at": iso(now),
        "channel": state.channel,
        "outcome": state.outcome or "unfinished",
        "turns": clean["turns"],
        "decisions": clean["decisions"],
        "tools": clean["tools"],
        "handoff": handoff,
    }


def export_record(record: dict[str, Any]) -> dict[str, Any]:
    """One labelling line. ``text`` is the caller's first request; the labeller may edit it."""
    caller_turns = [t["text"] for t in record.get("turns", []) if t.get("role") == "caller" and t.get("text")]
    return {
        "id": record["id"],
        "text": caller_turns[0] if caller_turns else "",
        "caller_turns": caller_turns,
        "decisions": record.get("decisions", []),
        "outcome": record.get("outcome"),
        "label": {"target": "", "intent": ""},
    }


def parse_labelled(content: str, source: str = "<labelled>") -> tuple[list[Example], int]:
    """(examples, lines left unlabelled). Raises KnowledgeError naming the first bad line."""
    examples: list[Example] = []
    unlabelled = 0
    for n, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KnowledgeError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise KnowledgeError(f"{where}: expected a JSON object, got {type(data).__name__}")
        label = data.get("label")
        if not isinstance(label, dict):
            raise KnowledgeError(f"{where}: 'label' must be an object like {{\"target\": ..., \"intent\": ...}}")
        if not label.get("target") and not label.get("intent"):
            unlabelled += 1
            continue
        text = data.get("text")
        # The labeller may have typed into ``text``: redact again before it becomes training data.
        example = validate_example(
            {"text": redact(text) if isinstance(text, str) else text, "target": label.get("target"),
             "intent": label.get("intent")},
            where,
        )
        examples.append(example)
    return examples, unlabelled
