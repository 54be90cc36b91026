"""Learning-loop records: redacted capture, export for labelling, labelled import parsing."""

from __future__ import annotations

import json

import pytest

from agent.routing.knowledge import Example, KnowledgeError
from agent.learning.review import export_record, needs_review, parse_labelled, review_record
from agent.contracts.state import CallState

PII = ["Dana", "Reyes", "425-555-0123", "dana.reyes@contoso.com", "42 Elm Street", "4111 1111 1111 1111"]


def call_with_pii() -> CallState:
    s = CallState(session_id="sess-9", channel="phone", caller_number="+14255550123")
    s.add_turn("caller", "my name is Dana Reyes and my laptop won't boot, asset A123")
    s.add_turn("agent", "Sorry to hear that, Dana. Which site are you at?")
    s.add_turn("caller", "site 12, call me on 425-555-0123 or dana.reyes@contoso.com")
    s.add_turn("caller", "I work from 42 Elm Street, charge card 4111 1111 1111 1111 if needed")
    s.routes.append({"turn": 0, "target": "it_ops", "intent": "incident.create", "confidence": 0.4,
                     "reason": "Dana Reyes sounds like an incident", "policy_hits": ["low_confidence"]})
    s.tool_attempts.append({"tool": "create_incident", "ok": False, "error": "rejected caller Dana Reyes"})
    s.handoff = {"case_id": "CASE-7F3K2Q", "target": "queue:it-service-desk", "reason": "Dana asked for a person",
                 "priority": "normal", "status": "pending"}
    s.outcome = "escalated"
    return s


def test_review_record_holds_no_personal_data_and_keeps_the_ops_facts() -> None:
    record = review_record(call_with_pii(), now=1_795_000_000.0)
    body = json.dumps(record)
    assert [p for p in PII if p in body] == []
    assert "asset A123" in body and "site 12" in body
    assert record["outcome"] == "escalated" and record["id"] == "sess-9"
    assert record["turns"][1]["text"] == "Sorry to hear that, [NAME]. Which site are you at?"
    assert record["decisions"][0]["intent"] == "incident.create" and record["decisions"][0]["confidence"] == 0.4
    assert record["tools"] == [{"tool": "create_incident", "ok": False, "error": "rejected caller [NAME]"}]
    assert record["handoff"] == {"case_id": "CASE-7F3K2Q", "target": "queue:it-service-desk", "priority": "normal",
                                 "status": "pending", "reason": "[NAME] asked for a person"}


@pytest.mark.parametrize("outcome, wanted", [("resolved", False), ("escalated", True), ("abandoned", True), (None, True)])
def test_only_unresolved_calls_need_review(outcome: str | None, wanted: bool) -> None:
    assert needs_review(CallState(session_id="s", outcome=outcome)) is wanted


def test_export_line_has_caller_text_decisions_outcome_and_an_empty_label() -> None:
    line = export_record(review_record(call_with_pii(), now=0.0))
    assert line["text"] == "my name is [NAME] and my laptop won't boot, asset A123"
    assert len(line["caller_turns"]) == 3
    assert line["decisions"][0]["target"] == "it_ops" and line["outcome"] == "escalated"
    assert line["label"] == {"target": "", "intent": ""}


def _line(text: str, target: str = "", intent: str = "") -> str:
    return json.dumps({"id": "x", "text": text, "label": {"target": target, "intent": intent}})


def test_labelled_lines_become_examples_and_unlabelled_are_counted() -> None:
    content = "\n".join([
        _line("my laptop won't boot", "it_ops", "incident.create"),
        _line("not labelled yet"),
        "",
        _line("call me on 425-555-0123 about WO-10234", "field_ops", "work_order.status"),
    ])
    examples, unlabelled = parse_labelled(content, "labels.jsonl")
    assert unlabelled == 1
    assert examples == [
        Example("my laptop won't boot", "it_ops", "incident.create"),
        Example("call me on [PHONE] about WO-10234", "field_ops", "work_order.status"),  # redacted again
    ]


@pytest.mark.parametrize(
    "bad, message",
    [
        ("{not json", "labels.jsonl:2: not valid JSON"),
        ("[1, 2]", "labels.jsonl:2: expected a JSON object"),
        (json.dumps({"text": "x"}), "labels.jsonl:2: 'label' must be an object"),
        (_line("x", "it_ops", ""), "labels.jsonl:2: unknown intent"),
        (_line("x", "", "incident.create"), "labels.jsonl:2: 'target' must be one of"),
        (_line("x", "billing", "incident.create"), "'target' must be one of"),
        (_line("", "it_ops", "incident.create"), "'text' must be a non-empty string"),
        (_line("x" * 1_000_000, "it_ops", "incident.create"), "longer than"),
        (_line("'; DROP TABLE examples; --", "it_ops", "bogus'; --"), "unknown intent"),
    ],
)
def test_a_bad_labelled_line_is_named_and_nothing_is_returned(bad: str, message: str) -> None:
    content = _line("fine", "it_ops", "incident.create") + "\n" + bad
    with pytest.raises(KnowledgeError, match=message):
        parse_labelled(content, "labels.jsonl")
