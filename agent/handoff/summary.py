"""What a colleague would tell the person taking the call, in at most three sentences.

Pure: composed from ``CallState`` (never by a model, so nothing is invented). ``brief``
is written for the desk and the case; ``spoken_briefing`` is what the person hears on
the phone before the caller is connected (case id, priority, then the brief).

1. the problem, with the place and the asset: what the caller asked for and first said;
2. what was tried in our systems and what failed;
3. what the caller wants now, and why it comes to a person.
"""

from __future__ import annotations

from typing import Any

from agent.handoff.bundle import _intent_words
from agent.contracts.state import CallState

_QUOTE_WORDS = 24
_PLACE_KEYS = ("site", "location", "building", "room", "depot")
_ASSET_KEYS = ("asset", "equipment", "system", "application", "device")


def _first(entities: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = entities.get(key)
        if value not in (None, "", [], {}):
            return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return None


def _clip(text: str, words: int = _QUOTE_WORDS) -> str:
    parts = text.split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + "…"


def _intent(state: CallState) -> tuple[str | None, bool]:
    """(what the caller wants in words, whether it was confirmed by the router)."""
    if state.current and state.current.get("intent"):
        return _intent_words(state.current["intent"]), True
    guess = next((r for r in reversed(state.routes) if r.get("intent") not in (None, "human.request")), None)
    if guess is None:
        return None, False
    return _intent_words(guess["intent"]), guess.get("action") != "clarify"


def _problem(state: CallState) -> str:
    said = next((str(t["text"]).strip() for t in state.turns
                 if t.get("role") == "caller" and str(t.get("text", "")).strip()), "")
    place, asset = _first(state.entities, _PLACE_KEYS), _first(state.entities, _ASSET_KEYS)
    where = " ".join(filter(None, [f"about {asset}" if asset else "", f"at site {place}" if place and place.isdigit()
                                   else (f"at {place}" if place else "")]))
    wants, sure = _intent(state)
    lead = "The caller" + (f", {where}," if where else "")
    if wants:
        lead += f" {'wants' if sure else 'may want (not confirmed)'} to {wants}"
    elif not said:
        return lead + " has not said what they need yet."
    else:
        lead += " needs help"
    return lead + (f"; in their words: \"{_clip(said)}\"." if said else ".")


def _attempts(state: CallState) -> str:
    if not state.tool_attempts:
        return "Nothing was tried in our systems yet."
    worked: list[str] = []
    failed: dict[str, list[str]] = {}  # tool -> its errors, in order
    for a in state.tool_attempts:
        name = str(a.get("tool", "a tool")).replace("_", " ")
        if a.get("ok"):
            if name not in worked:
                worked.append(name)
        else:
            failed.setdefault(name, []).append(str(a.get("error") or "no reason given"))
    parts = []
    if worked:
        parts.append(f"{' and '.join(worked)} worked")
    for name, errors in failed.items():
        times = {1: "", 2: " twice"}.get(len(errors), f" {len(errors)} times")
        parts.append(f"{name} failed{times} ({', '.join(dict.fromkeys(errors))})")
    return "I tried it: " + ", but ".join(parts) + "."


def _why(state: CallState, reason: str) -> str:
    wants, _ = _intent(state)
    now = f"They still need to {wants}" if wants else "They need a person"
    return f"{now}; handed to you because: {reason.strip().rstrip('.') or 'a person was asked for'}."


def brief(state: CallState, reason: str) -> str:
    """At most three sentences: the problem (place, asset), what was tried and failed, what they want now and why."""
    return " ".join((_problem(state), _attempts(state), _why(state, reason)))


def spoken_briefing(state: CallState, *, case_id: str, priority: str, reason: str) -> str:
    """What the person hears before being connected to the caller."""
    code = " ".join(case_id.partition("-")[2])
    return f"Switchboard hand-over, {priority} priority, case {code}. {brief(state, reason)} Connecting the caller now."
