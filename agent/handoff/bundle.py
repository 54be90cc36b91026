"""The case bundle: everything a person needs to take over a call, built from ``CallState``.

Pure: ``build_case`` reads the state and the clock value it is given and returns a
JSON-serialisable dict (schema in docs/case-bundle.md). The summary is generated
from the state by rules, never by a model, so it cannot invent what was not said.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone
from typing import Any

from agent.contracts.state import CallState

SCHEMA_ID = "switchboard.case/1"
PRIORITIES = ("emergency", "high", "normal", "low")
STATUSES = ("pending", "transferred", "transfer_failed", "callback_requested")
DEFAULT_TURNS_KEPT = 12

# No 0/O, 1/I/L, U: a case id is read out over the phone and typed back by a person.
_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_LENGTH = 6
CASE_ID_RE = re.compile(rf"CASE-[{_ID_ALPHABET}]{{{_ID_LENGTH}}}")

_INTENT_WORDS = {
    "work_order.create": "raise a work order",
    "work_order.status": "check on a work order",
    "work_order.note": "add a note to a work order",
    "work_order.update": "change a work order",
    "work_order.list": "hear the work orders of a site or an asset",
    "asset.lookup": "look up an asset",
    "asset.list": "hear the assets of a site",
    "visit.schedule": "book a technician visit",
    "visit.reschedule": "move a technician visit",
    "visit.cancel": "cancel a technician visit",
    "incident.create": "report an incident",
    "incident.status": "check on an incident",
    "incident.comment": "add a comment to an incident",
    "incident.update": "change an incident",
    "incident.escalate": "escalate an incident",
    "service_request.create": "raise a service request",
    "service_request.cancel": "cancel a service request",
    "password.reset": "reset a password",
    "access.request": "get access to a system",
    "human.request": "speak to a person",
    "safety.emergency": "report a safety emergency",
    "knowledge.howto": "get help with a how-to question",
}
_TARGET_WORDS = {"field_ops": "field operations", "it_ops": "IT operations", "human": "the service desk"}
_SUMMARY_QUOTE_CHARS = 160


class CaseError(ValueError):
    """A hand-over request we cannot turn into a case (bad priority, hostile id, ...)."""


def new_case_id() -> str:
    """A short readable id such as ``CASE-7F3K2Q`` (30^6, about 7e8 values)."""
    return "CASE-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


def normalise_case_id(raw: str) -> str:
    """``raw`` as a canonical case id; raises CaseError for anything else (never echoes 1 MB back)."""
    candidate = raw.strip().upper() if isinstance(raw, str) and len(raw) <= 64 else ""
    if not CASE_ID_RE.fullmatch(candidate):
        shown = raw[:40] if isinstance(raw, str) else type(raw).__name__
        raise CaseError(f"not a case id: {shown!r} (expected CASE- and 6 letters or digits)")
    return candidate


def mask_number(number: str | None, keep: int = 4) -> str | None:
    """``+14255550100`` -> ``*******0100``: enough to confirm a callback, not to dial."""
    if not number:
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits:
        return None
    keep = max(2, min(keep, 4, len(digits) - 1)) if len(digits) > 2 else 0
    return "*" * (len(digits) - keep) + digits[len(digits) - keep :]


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def check_priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise CaseError(f"priority must be one of {', '.join(PRIORITIES)}; got {priority!r}")
    return priority


def _intent_words(intent: str | None) -> str | None:
    if not intent:
        return None
    return _INTENT_WORDS.get(intent) or intent.replace(".", " ").replace("_", " ")


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SUMMARY_QUOTE_CHARS else text[: _SUMMARY_QUOTE_CHARS - 1].rstrip() + "…"


def _entity_words(entities: dict[str, Any]) -> str:
    parts = []
    for key, value in entities.items():
        if value in (None, "", [], {}):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        parts.append(f"{key.replace('_', ' ')} {shown}")
    return "; ".join(parts)


def _tool_words(attempts: list[dict[str, Any]]) -> str:
    parts = []
    for a in attempts:
        name = str(a.get("tool", "a tool"))
        if a.get("ok"):
            parts.append(f"{name} succeeded")
        else:
            parts.append(f"{name} failed ({a.get('error') or 'no reason given'})")
    return "; ".join(parts)


def summarise(state: CallState, reason: str) -> str:
    """A few plain sentences: what the caller wants, what we know, what was tried, why a person."""
    caller_turns = [t for t in state.turns if t.get("role") == "caller" and str(t.get("text", "")).strip()]
    sentences = []
    if state.current and state.current.get("intent"):
        target = state.current.get("target")
        where = f" ({_TARGET_WORDS.get(target, target)})" if target else ""
        sentences.append(f"The caller wants to {_intent_words(state.current['intent'])}{where}.")
    else:
        # No domain took the call: the best guess is the last decision, said as a guess when unsure.
        guess = next((r for r in reversed(state.routes) if r.get("intent") not in (None, "human.request")), None)
        if guess is not None:
            sure = guess.get("action") != "clarify"
            verb = "wants" if sure else "may want"
            tail = "" if sure else " (not confirmed)"
            sentences.append(f"The caller {verb} to {_intent_words(guess['intent'])}{tail}.")
    if caller_turns:
        sentences.append(f'They first said: "{_quote(str(caller_turns[0]["text"]))}".')
    else:
        sentences.append("The caller has not said anything yet.")
    known = _entity_words(state.entities)
    if known:
        sentences.append(f"Details given: {known}.")
    if state.tool_attempts:
        sentences.append(f"Already tried: {_tool_words(state.tool_attempts)}.")
    else:
        sentences.append("No system action was attempted.")
    if state.low_confidence_turns:
        sentences.append(f"The assistant was unsure of the request {state.low_confidence_turns} time(s).")
    sentences.append(f"Handed over because {reason.rstrip('.')}.")
    return " ".join(sentences)


def _turn(t: dict[str, Any]) -> dict[str, Any]:
    kept = {k: t[k] for k in ("role", "text", "turn", "kind", "interrupted", "language") if k in t}
    if "ts" in t:
        kept["at"] = iso(float(t["ts"]))
    return kept


def _route(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r.get(k) for k in ("turn", "target", "intent", "confidence", "action", "priority", "reason",
                                "alternatives", "policy_hits")}


def _tool(a: dict[str, Any]) -> dict[str, Any]:
    out = {k: a.get(k) for k in ("tool", "server", "arguments", "ok", "latency_ms")}
    out["result" if a.get("ok") else "error"] = a.get("result") if a.get("ok") else a.get("error")
    if "ts" in a:
        out["at"] = iso(float(a["ts"]))
    return out


def build_case(
    state: CallState,
    *,
    case_id: str,
    reason: str,
    trigger: str,
    priority: str,
    target: str,
    now: float,
    turns_kept: int = DEFAULT_TURNS_KEPT,
) -> dict[str, Any]:
    """The case bundle for ``state``; see docs/case-bundle.md for every field."""
    check_priority(priority)
    at = iso(now)
    return {
        "schema": SCHEMA_ID,
        "case_id": normalise_case_id(case_id),
        "session_id": state.session_id,
        "call_id": state.call_id,
        "channel": state.channel,
        "caller_number": mask_number(state.caller_number),
        "created_at": at,
        "updated_at": at,
        "status": "pending",
        "priority": priority,
        "target": target,
        "reason": reason,
        "trigger": trigger,
        # The caller's language as the recogniser heard it: who can take the call depends on it.
        "language": state.language or "en",
        "summary": summarise(state, reason),
        "current": dict(state.current) if state.current else None,
        "entities": dict(state.entities),
        "transcript": [_turn(t) for t in state.turns[-turns_kept:]] if turns_kept > 0 else [],
        "transcript_total_turns": len(state.turns),
        "routes": [_route(r) for r in state.routes],
        "tool_attempts": [_tool(a) for a in state.tool_attempts],
        # Said explicitly, so nobody goes looking for a recording that was never made.
        "recording": dict(state.recording) if state.recording else {"state": "off"},
        "history": [{"at": at, "event": "escalated", "target": target, "reason": reason, "priority": priority}],
    }


def with_event(case: dict[str, Any], *, event: str, now: float, status: str | None = None, **detail: Any) -> dict[str, Any]:
    """A copy of ``case`` with one history entry appended (and the status changed)."""
    if status is not None and status not in STATUSES:
        raise CaseError(f"status must be one of {', '.join(STATUSES)}; got {status!r}")
    at = iso(now)
    out = dict(case)
    out["history"] = [*case.get("history", []), {"at": at, "event": event, **detail}]
    out["updated_at"] = at
    if status is not None:
        out["status"] = status
    return out
