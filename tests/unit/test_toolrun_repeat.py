"""Which earlier tool call a new request repeats: same tool, same normalised arguments, within the window."""

from __future__ import annotations

from agent.brain.toolrun import recent_duplicate
from agent.contracts.state import CallState

ARGS = {"asset_tag": "P-4512", "site": 14, "priority": "urgent", "description": "The pump keeps tripping."}


def _state(*attempts: dict) -> CallState:
    state = CallState(session_id="s")
    state.tool_attempts = list(attempts)
    return state


def _attempt(ts: float, ok: bool = True, tool: str = "create_work_order", **changes) -> dict:
    return {"tool": tool, "arguments": {**ARGS, "idempotency_key": f"sb-{ts}", **changes}, "ok": ok, "ts": ts,
            "result": {"work_order_id": "WO-10014"}}


def test_same_request_within_the_window_is_found_whatever_the_key_and_wording():
    earlier = _attempt(1000.0)
    state = _state(earlier)
    again = {**ARGS, "description": "the pump  keeps TRIPPING"}
    assert recent_duplicate(state, "create_work_order", again, window_s=600, now=1500.0) is earlier


def test_outside_the_window_another_tool_other_values_or_a_failure_are_not_repeats():
    assert recent_duplicate(_state(_attempt(1000.0)), "create_work_order", ARGS, window_s=600, now=1601.0) is None
    assert recent_duplicate(_state(_attempt(1000.0, tool="create_incident")), "create_work_order", ARGS,
                            window_s=600, now=1100.0) is None
    assert recent_duplicate(_state(_attempt(1000.0, site=12)), "create_work_order", ARGS,
                            window_s=600, now=1100.0) is None
    assert recent_duplicate(_state(_attempt(1000.0, ok=False)), "create_work_order", ARGS,
                            window_s=600, now=1100.0) is None


def test_the_newest_match_is_returned():
    old, new = _attempt(1000.0), _attempt(1200.0)
    assert recent_duplicate(_state(old, new), "create_work_order", ARGS, window_s=600, now=1300.0) is new
