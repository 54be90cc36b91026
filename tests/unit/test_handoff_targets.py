"""Targets file: every kind of target, queues in order or by hours, per-target mode and ring time; colleague briefs."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agent.handoff.summary import brief, spoken_briefing
from agent.handoff.targets import TargetsError, parse_targets
from agent.contracts.state import CallState

BASE = {"emergency": "pstn:+14255550199", "fallback": {"target": "pstn:+14255550110", "name": "the service desk"}}
QUEUES = {
    **BASE,
    "timezone": "Europe/Paris",
    "queues": {
        "dispatch": {"order": "by_hours", "members": [
            {"target": "pstn:+14255550100", "name": "day shift", "hours": "08:00-18:00", "days": "mon-fri"},
            {"target": "teams:8:orgid:6f1c2d7e", "name": "night shift", "hours": "18:00-24:00", "mode": "blind"},
            {"target": "acs:8:acs:0000-desk", "name": "the desk app", "ring_s": 15},
        ]},
        "it": {"members": ["pstn:+14255550130", "pstn:+14255550131"]},
    },
    "routes": {"field_ops": {"default": "queue:dispatch"}, "it_ops": {"default": "queue:it"}},
}
MONDAY_NOON_PARIS = datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)
MONDAY_EVENING_PARIS = datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc)
SUNDAY_NOON_PARIS = datetime(2026, 11, 22, 11, 0, tzinfo=timezone.utc)


def test_queue_by_hours_offers_only_who_is_on_duty_in_the_files_timezone():
    t = parse_targets(QUEUES)
    noon = t.legs("queue:dispatch", MONDAY_NOON_PARIS)
    assert [leg["name"] for leg in noon] == ["day shift", "the desk app"]  # no hours: always on
    assert noon[1] == {"target": "acs:8:acs:0000-desk", "name": "the desk app", "mode": "consult", "ring_s": 15.0}
    evening = t.legs("queue:dispatch", MONDAY_EVENING_PARIS)
    assert [(leg["name"], leg["mode"]) for leg in evening] == [("night shift", "blind"), ("the desk app", "consult")]
    assert [leg["name"] for leg in t.legs("queue:dispatch", SUNDAY_NOON_PARIS)] == ["the desk app"]


def test_queue_in_order_tries_every_member_and_plain_targets_are_one_leg():
    t = parse_targets(QUEUES)
    members = [leg["target"] for leg in t.legs("queue:it", SUNDAY_NOON_PARIS)]
    assert members == ["pstn:+14255550130", "pstn:+14255550131"]
    assert t.legs("pstn:+14255550110", SUNDAY_NOON_PARIS) == [
        {"target": "pstn:+14255550110", "name": "the service desk", "mode": "consult", "ring_s": 30.0}]


def test_next_target_walks_route_then_fallback_skipping_what_was_tried():
    t = parse_targets(QUEUES)
    assert t.next_after("field_ops", "high", []) == "queue:dispatch"
    assert t.next_after("field_ops", "high", ["queue:dispatch"]) == "pstn:+14255550110"
    assert t.next_after("field_ops", "high", ["queue:dispatch", "pstn:+14255550110"]) is None


@pytest.mark.parametrize("change, message", [
    ({"queues": {"q": {"members": []}}}, "non-empty 'members'"),
    ({"queues": {"q": {"members": ["pstn:+14255550100"], "order": "random"}}}, "'order'"),
    ({"queues": {"q": {"members": ["queue:q"]}}}, "cannot contain a queue"),
    ({"queues": {"q": {"members": [{"target": "pstn:+14255550100", "hours": "9-5"}]}}}, "08:00-18:00"),
    ({"queues": {"q": {"members": [{"target": "pstn:+14255550100", "hours": "18:00-08:00"}]}}}, "end after"),
    ({"queues": {"q": {"members": [{"target": "pstn:+14255550100", "days": "weekdays"}]}}}, "'days'"),
    ({"queues": {"q": {"members": [{"target": "pstn:+14255550100", "mode": "warm"}]}}}, "'mode'"),
    ({"queues": {"q": {"members": [{"target": "pstn:+14255550100", "ring_s": 600}]}}}, "'ring_s'"),
    ({"queues": {"q": {"members": [{"target": "pstn:+14255550100", "colour": "red"}]}}}, "unknown key"),
    ({"queues": {"q": {"members": ["pstn:+14255550100"]}}, "routes": {"x": {"default": "queue:nope"}}}, "not defined"),
    ({"timezone": "Mars/Olympus"}, "unknown timezone"),
])
def test_each_class_of_bad_entry_is_named(change, message):
    with pytest.raises(TargetsError, match=message):
        parse_targets({**BASE, **change})


def _sentences(text: str) -> int:
    # Sentence ends outside quotes: ". " followed by a capital letter, plus the final one.
    import re

    outside = re.sub(r'"[^"]*"', '""', text)
    return len(re.findall(r"[.?!](?:\s+(?=[A-Z])|$)", outside))


def _state(**kw) -> CallState:
    s = CallState(session_id="s", channel="phone")
    for role, text in kw.pop("turns", []):
        s.add_turn(role, text)
    for key, value in kw.items():
        setattr(s, key, value)
    return s


STATES = [
    _state(),
    _state(turns=[("caller", "I need a person")]),
    _state(turns=[("caller", "the badge reader at building 4 is dead " * 10)], entities={"building": "4"},
           routes=[{"intent": "incident.create", "action": "clarify"}]),
    _state(turns=[("caller", "reset my password")], current={"target": "it_ops", "intent": "password.reset"},
           entities={"system": "SAP"}, tool_attempts=[{"tool": "reset_password", "ok": False, "error": "locked"}] * 3),
    _state(turns=[("caller", "pump P-1 leaks")], current={"target": "field_ops", "intent": "work_order.create"},
           entities={"asset": "P-1", "site": "12", "tickets": ["WO-1"]},
           tool_attempts=[{"tool": "lookup_asset", "ok": True},
                          {"tool": "create_work_order", "ok": False, "error": "timeout"}]),
]


@pytest.mark.parametrize("state", STATES)
def test_brief_is_at_most_three_sentences_and_says_what_was_tried(state):
    text = brief(state, "the caller asked for a person")
    assert _sentences(text) <= 3, text
    assert "handed to you because: the caller asked for a person" in text
    if not state.tool_attempts:
        assert "Nothing was tried" in text
    for attempt in state.tool_attempts:
        assert attempt["tool"].replace("_", " ") in text
        if not attempt["ok"]:
            assert attempt["error"] in text


def test_brief_names_place_asset_and_counts_repeated_failures():
    text = brief(STATES[3], "three tool failures")
    assert "about SAP" in text and "reset password failed 3 times (locked)" in text
    text = brief(STATES[4], "timeout")
    assert "about P-1 at site 12" in text and "lookup asset worked, but create work order failed (timeout)" in text
    assert "may want (not confirmed) to report an incident" in brief(STATES[2], "unsure")


def test_spoken_briefing_leads_with_priority_and_case():
    text = spoken_briefing(STATES[4], case_id="CASE-7F3K2Q", priority="high", reason="timeout")
    assert text.startswith("Switchboard hand-over, high priority, case 7 F 3 K 2 Q. The caller")
