"""Case bundle, case ids, targets and caller messages: pure logic, no I/O."""

from __future__ import annotations

import json

import pytest

from agent.handoff.bundle import (
    CASE_ID_RE,
    CaseError,
    build_case,
    mask_number,
    new_case_id,
    normalise_case_id,
    with_event,
)
from agent.handoff.targets import TargetsError, parse_targets
from agent.contracts.state import CallState

NOW = 1_795_000_000.0  # 2026-11-18T...Z


def realistic_state() -> CallState:
    """A field-ops call: a leak reported, two work-order attempts failed, 14 turns in."""
    s = CallState(session_id="sess-7a1", channel="phone", call_id="acs-call-42", caller_number="+1 (425) 555-0123",
                  started_at=NOW - 300)
    s.add_turn("agent", "Hello, this is switchboard. How can I help?")
    s.add_turn("caller", "Hi, this is Dana from the north depot, pump P-4512 at site 12 is leaking oil")
    s.turn_count = 1
    s.routes.append({"turn": 1, "target": "field_ops", "intent": "work_order.create", "confidence": 0.88,
                     "alternatives": [{"target": "it_ops", "intent": "incident.create", "confidence": 0.07}],
                     "reason": "Closest examples are work orders", "policy_hits": [], "action": "route",
                     "priority": "normal"})
    s.current = {"target": "field_ops", "intent": "work_order.create"}
    s.entities = {"asset": "P-4512", "site": "12", "tickets": ["WO-10234"]}
    for i in range(2, 8):
        s.add_turn("agent", f"question {i}")
        s.add_turn("caller", f"answer {i}")
    s.tool_attempts = [
        {"tool": "create_work_order", "server": "field_ops", "arguments": {"asset": "P-4512", "site": "12"},
         "ok": False, "error": "timeout after 5.0 s", "latency_ms": 5003.1, "ts": NOW - 60},
        {"tool": "create_work_order", "server": "field_ops", "arguments": {"asset": "P-4512", "site": "12"},
         "ok": False, "error": "server unavailable", "latency_ms": 12.4, "ts": NOW - 30},
        {"tool": "lookup_asset", "server": "field_ops", "arguments": {"asset": "P-4512"},
         "ok": True, "result": {"asset": "P-4512", "status": "in service"}, "latency_ms": 40.0, "ts": NOW - 90},
    ]
    s.tool_failures = 2
    return s


def test_bundle_holds_everything_a_person_needs() -> None:
    state = realistic_state()
    case = build_case(state, case_id="CASE-7F3K2Q", reason="two tool failures", trigger="policy:tool_failures>=2",
                      priority="high", target="pstn:+14255550100", now=NOW)
    assert case["case_id"] == "CASE-7F3K2Q"
    assert (case["session_id"], case["call_id"], case["channel"]) == ("sess-7a1", "acs-call-42", "phone")
    assert case["caller_number"] == "*******0123"
    assert (case["reason"], case["trigger"], case["priority"]) == ("two tool failures", "policy:tool_failures>=2", "high")
    assert case["status"] == "pending" and case["created_at"].endswith("Z")
    assert case["target"] == "pstn:+14255550100"
    # last 12 of 14 turns, both roles, in order
    assert len(case["transcript"]) == 12 and case["transcript_total_turns"] == 14
    assert {t["role"] for t in case["transcript"]} == {"caller", "agent"}
    assert case["transcript"][-1]["text"] == "answer 7"
    assert case["entities"] == {"asset": "P-4512", "site": "12", "tickets": ["WO-10234"]}
    assert case["routes"][0]["confidence"] == 0.88 and case["routes"][0]["alternatives"]
    assert [a["tool"] for a in case["tool_attempts"]] == ["create_work_order", "create_work_order", "lookup_asset"]
    assert case["tool_attempts"][0]["error"] == "timeout after 5.0 s"
    assert case["tool_attempts"][0]["arguments"] == {"asset": "P-4512", "site": "12"}
    assert case["tool_attempts"][2]["result"] == {"asset": "P-4512", "status": "in service"}
    assert case["tool_attempts"][0]["latency_ms"] == 5003.1
    assert case["history"][0]["event"] == "escalated"
    json.dumps(case)  # plain JSON


def test_summary_says_what_is_wanted_what_was_tried_and_why() -> None:
    case = build_case(realistic_state(), case_id="CASE-7F3K2Q", reason="two tool failures", trigger="t",
                      priority="high", target="queue:x", now=NOW)
    summary = case["summary"]
    assert "raise a work order" in summary and "field operations" in summary
    assert "pump P-4512 at site 12 is leaking oil" in summary
    assert "asset P-4512" in summary and "tickets WO-10234" in summary
    assert "create_work_order failed (timeout after 5.0 s)" in summary and "lookup_asset succeeded" in summary
    assert summary.endswith("Handed over because two tool failures.")


def test_summary_of_an_unsure_call_says_the_intent_is_a_guess() -> None:
    s = CallState(session_id="s")
    s.add_turn("caller", "the thing with the stuff is broken")
    s.routes.append({"turn": 0, "target": "it_ops", "intent": "incident.create", "confidence": 0.31, "action": "clarify"})
    s.low_confidence_turns = 2
    summary = build_case(s, case_id="CASE-222222", reason="low confidence twice", trigger="confidence:0.31",
                         priority="normal", target="queue:x", now=NOW)["summary"]
    assert "may want to report an incident (not confirmed)" in summary
    assert "No system action was attempted." in summary and "unsure of the request 2 time(s)" in summary


def test_empty_call_still_builds() -> None:
    case = build_case(CallState(session_id="s"), case_id="CASE-222222", reason="caller asked", trigger="t",
                      priority="low", target="queue:x", now=NOW)
    assert case["transcript"] == [] and case["caller_number"] is None
    assert "has not said anything yet" in case["summary"]


def test_bad_priority_is_refused() -> None:
    with pytest.raises(CaseError, match="priority must be one of"):
        build_case(CallState(session_id="s"), case_id="CASE-222222", reason="r", trigger="t",
                   priority="urgent", target="queue:x", now=NOW)


def test_case_ids_are_readable_and_validated() -> None:
    ids = {new_case_id() for _ in range(200)}
    assert len(ids) == 200 and all(CASE_ID_RE.fullmatch(i) for i in ids)
    assert not any(ch in i[5:] for i in ids for ch in "01OIL")
    assert normalise_case_id(" case-7f3k2q ") == "CASE-7F3K2Q"
    for hostile in ["", "CASE-", "CASE-7F3K2Q' OR 1=1 --", "../../etc/passwd", "CASE-7F3K2O", "x" * 1_000_000]:
        with pytest.raises(CaseError) as err:
            normalise_case_id(hostile)
        assert len(str(err.value)) < 200


@pytest.mark.parametrize(
    "number, masked",
    [("+14255550100", "*******0100"), ("425-555-0100", "******0100"), ("123", "*23"), ("7", "*"), ("", None),
     (None, None), ("anonymous", None)],
)
def test_caller_number_is_masked(number: str | None, masked: str | None) -> None:
    assert mask_number(number) == masked


def test_history_event_changes_status_and_keeps_the_original() -> None:
    case = build_case(CallState(session_id="s"), case_id="CASE-222222", reason="r", trigger="t",
                      priority="low", target="queue:x", now=NOW)
    later = with_event(case, event="transfer_failed", now=NOW + 5, status="transfer_failed", reason="busy")
    assert later["status"] == "transfer_failed" and [h["event"] for h in later["history"]] == ["escalated", "transfer_failed"]
    assert case["status"] == "pending" and len(case["history"]) == 1
    with pytest.raises(CaseError):
        with_event(case, event="x", now=NOW, status="lost")


TARGETS = {
    "emergency": {"target": "pstn:+14255550199", "name": "our emergency desk"},
    "fallback": "queue:general-service-desk",
    "routes": {
        "field_ops": {"high": "pstn:+14255550100", "default": "queue:field-dispatch"},
        "it_ops": {"default": {"target": "queue:it-service-desk", "name": "the IT service desk"}},
    },
}


def test_targets_pick_by_route_and_priority() -> None:
    t = parse_targets(TARGETS)
    assert t.pick("field_ops", "emergency") == "pstn:+14255550199"
    assert t.pick("it_ops", "emergency") == "pstn:+14255550199"
    assert t.pick("field_ops", "high") == "pstn:+14255550100"
    assert t.pick("field_ops", "normal") == "queue:field-dispatch"
    assert t.pick("it_ops", "high") == "queue:it-service-desk"
    assert t.pick("human", "normal") == "queue:general-service-desk"  # no human table -> fallback
    assert t.pick(None, "low") == "queue:general-service-desk"
    assert t.name_for("queue:it-service-desk") == "the IT service desk"
    assert t.name_for("queue:field-dispatch") == "the field dispatch"
    assert t.name_for("pstn:+14255550100") == "a colleague"


@pytest.mark.parametrize(
    "broken, message",
    [
        ([], "expected a mapping"),
        ({"fallback": "queue:x"}, "'emergency' is required"),
        ({**TARGETS, "emergency": "tel:911"}, "emergency: 'tel:911' is not a target"),
        ({**TARGETS, "routes": {"it_ops": {"urgent": "queue:x"}}}, "unknown key"),
        ({**TARGETS, "routes": {"it_ops": "queue:x"}}, "must be a mapping"),
        ({**TARGETS, "fallback": {"target": "queue:x", "name": ""}}, "'name' must be"),
        ({**TARGETS, "fallback": "queue:'; DROP TABLE cases; --"}, "is not a target"),
    ],
)
def test_bad_targets_are_refused_with_a_clear_message(broken: object, message: str) -> None:
    with pytest.raises(TargetsError, match=message):
        parse_targets(broken, "targets.yaml")


def test_shipped_targets_file_is_valid() -> None:
    from agent.config import Settings
    from agent.handoff.targets import load_targets

    t = load_targets(Settings().handoff_targets_file)
    assert t.pick("it_ops", "normal").startswith("pstn:+") and t.emergency.startswith("pstn:+")


def test_case_id_is_read_in_groups_without_the_word_case() -> None:
    from agent.handoff.service import spell_case_id

    assert spell_case_id("CASE-7F3K2Q") == "seven F three, K two Q"


def _doc_blocks() -> list[dict]:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "case-bundle.md").read_text(encoding="utf-8")
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)```", doc, re.S)]


def test_bundles_match_the_documented_schema_and_example() -> None:
    import jsonschema

    schema, example = _doc_blocks()
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    case = build_case(realistic_state(), case_id="CASE-7F3K2Q", reason="r", trigger="t", priority="high",
                      target="pstn:+14255550100", now=NOW)
    later = with_event(with_event(case, event="transfer_failed", now=NOW + 8, status="transfer_failed",
                                  reason="busy", callback_offered=True),
                       event="callback_requested", now=NOW + 12, status="callback_requested", reason="yes",
                       callback_number="*******0123")
    for doc in (case, later, example, build_case(CallState(session_id="s"), case_id="CASE-222222", reason="r",
                                                 trigger="t", priority="low", target="queue:x", now=NOW)):
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
        assert errors == []
    broken = {**case, "priority": "urgent", "caller_number": "+14255550123"}
    assert len(list(validator.iter_errors(broken))) == 2
