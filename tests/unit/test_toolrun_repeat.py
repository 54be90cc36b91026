"""Which earlier tool call a new request repeats: same tool, same request, within the window. A new record
about a thing is the same request when it is for the same thing at the same place, however it is worded."""

from __future__ import annotations

from agent.brain.mcp_client import ToolSpec
from agent.brain.toolrun import recent_duplicate
from agent.contracts.state import CallState

ARGS = {"asset_tag": "P-4512", "site": 14, "priority": "urgent", "description": "The pump keeps tripping."}
SCHEMA = {"type": "object", "required": ["asset_tag", "site", "description"], "properties": {
    "asset_tag": {"type": "string", "pattern": "^[A-Za-z]-?[0-9]{3,4}$", "description": "What is the asset tag?"},
    "site": {"type": "integer", "description": "Which site number?"},
    "priority": {"type": "string", "enum": ["low", "medium", "high", "urgent"]},
    "description": {"type": "string"}}}
WORK_ORDER = ToolSpec("field_ops", "create_work_order", "Open a work order.", SCHEMA)
INCIDENT = ToolSpec("it_ops", "create_incident", "Log an incident.", {"type": "object", "properties": {
    "user": {"type": "string", "description": "Employee ID or work email"}, "summary": {"type": "string"}}})


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
    assert recent_duplicate(state, WORK_ORDER, again, window_s=600, now=1500.0) is earlier
    # The same thing at the same place told in other words, or with another priority, is the same fault.
    told_again = {**ARGS, "description": "oil pump went again at teatime", "priority": "high"}
    assert recent_duplicate(state, WORK_ORDER, told_again, window_s=600, now=1500.0) is earlier


def test_outside_the_window_another_tool_other_values_or_a_failure_are_not_repeats():
    assert recent_duplicate(_state(_attempt(1000.0)), WORK_ORDER, ARGS, window_s=600, now=1601.0) is None
    assert recent_duplicate(_state(_attempt(1000.0, tool="create_incident")), WORK_ORDER, ARGS,
                            window_s=600, now=1100.0) is None
    assert recent_duplicate(_state(_attempt(1000.0, site=12)), WORK_ORDER, ARGS,
                            window_s=600, now=1100.0) is None
    assert recent_duplicate(_state(_attempt(1000.0, asset_tag="A123")), WORK_ORDER, ARGS,
                            window_s=600, now=1100.0) is None
    assert recent_duplicate(_state(_attempt(1000.0, ok=False)), WORK_ORDER, ARGS,
                            window_s=600, now=1100.0) is None


def test_a_record_about_no_thing_repeats_only_with_the_same_arguments():
    laptop = {"user": "E10482", "summary": "laptop will not start"}
    state = _state({"tool": "create_incident", "arguments": laptop, "ok": True, "ts": 1000.0, "result": {}})
    assert recent_duplicate(state, INCIDENT, {**laptop}, window_s=600, now=1100.0) is not None
    # One caller, two problems: two incidents.
    assert recent_duplicate(state, INCIDENT, {**laptop, "summary": "printer jams"}, window_s=600, now=1100.0) is None


def test_the_newest_match_is_returned():
    old, new = _attempt(1000.0), _attempt(1200.0)
    assert recent_duplicate(_state(old, new), WORK_ORDER, ARGS, window_s=600, now=1300.0) is new
