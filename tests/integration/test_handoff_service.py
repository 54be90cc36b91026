"""HandoffService with a real SQLite store: escalate, transfer results, callback, learning capture."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import AsyncIterator

import pytest

from agent.config import Settings
from agent.handoff.bundle import CASE_ID_RE, CaseError
from agent.handoff.service import HandoffService
from agent.handoff.targets import TargetsError
from agent.contracts.state import CallState

RAW_PII = ["Dana", "Reyes", "4255550123", "425-555-0123", "dana.reyes@contoso.com", "42 Elm Street",
           "4111 1111 1111 1111", "123-45-6789", "five five five one two three four"]


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[HandoffService]:
    svc = HandoffService(Settings(data_dir=tmp_path), clock=lambda: 1_795_000_000.0)
    yield svc
    await svc.close()


def field_call() -> CallState:
    s = CallState(session_id="sess-1", channel="phone", call_id="call-1", caller_number="+14255550123")
    s.add_turn("caller", "my name is Dana Reyes, pump P-4512 at site 12 is leaking")
    s.routes.append({"turn": 0, "target": "field_ops", "intent": "work_order.create", "confidence": 0.9,
                     "action": "route", "reason": "work order examples"})
    s.current = {"target": "field_ops", "intent": "work_order.create"}
    s.entities = {"asset": "P-4512", "site": "12"}
    return s


async def test_escalate_writes_the_case_then_marks_the_call(service: HandoffService) -> None:
    state = field_call()
    event = await service.escalate(state, reason="the caller asked for a person", trigger="policy:human.request",
                                   priority="normal")
    assert CASE_ID_RE.fullmatch(event.case_id)
    assert (event.target, event.reason, event.priority) == ("pstn:+14255550120", "the caller asked for a person",
                                                            "normal")
    assert state.handoff == {"case_id": event.case_id, "target": "pstn:+14255550120",
                             "reason": "the caller asked for a person", "priority": "normal", "status": "pending",
                             "route": "field_ops", "tried": ["pstn:+14255550120"]}
    assert event.legs == [{"target": "pstn:+14255550120", "name": "field dispatch", "mode": "consult", "ring_s": 30.0}]
    assert event.briefing.startswith(f"Switchboard hand-over, normal priority, case {' '.join(event.case_id[5:])}.")
    assert "P-4512 at site 12" in event.briefing and "Nothing was tried" in event.briefing
    assert state.outcome == "escalated"
    stored = await service.store.get(event.case_id)
    assert stored is not None and stored["entities"] == {"asset": "P-4512", "site": "12"}
    assert stored["caller_number"] == "*******0123" and stored["trigger"] == "policy:human.request"


@pytest.mark.parametrize(
    "current, priority, target",
    [
        ({"target": "field_ops"}, "high", "pstn:+14255550100"),
        ({"target": "it_ops"}, "high", "teams:8:orgid:6f1c2d7e-3b0a-4c55-9e21-5a7d0c8b9f10"),
        ({"target": "it_ops"}, "low", "pstn:+14255550130"),
        (None, "normal", "pstn:+14255550110"),
        ({"target": "it_ops"}, "emergency", "pstn:+14255550199"),
    ],
)
async def test_target_follows_route_and_priority(service: HandoffService, current: dict | None, priority: str,
                                                 target: str) -> None:
    state = CallState(session_id="s", current=current)
    assert (await service.escalate(state, reason="r", trigger="t", priority=priority)).target == target


async def test_emergency_message_is_short_and_reads_the_case_id(service: HandoffService) -> None:
    state = CallState(session_id="s")
    state.add_turn("caller", "someone collapsed near the gas main")
    event = await service.escalate(state, reason="safety phrase", trigger="safety:collapsed", priority="emergency")
    message = service.message_for_caller(event)
    assert message.startswith("I'm connecting you to our emergency desk now.")
    code = event.case_id.partition("-")[2]
    assert "Your case number is " in message and event.case_id not in message and "C A S E" not in message
    from agent.brain.entities import spell_grouped
    assert message.endswith(f"Your case number is {spell_grouped(code)}.")
    assert "repeat" not in message  # no extra words before an emergency transfer


async def test_normal_message_reassures_and_reads_the_case_id_once(service: HandoffService) -> None:
    event = await service.escalate(field_call(), reason="r", trigger="t", priority="normal")
    message = service.message_for_caller(event)
    assert message.startswith("I'm connecting you to field dispatch now")
    assert "They'll see what you told me" in message
    spelled = message.split("Your case number is ")[1].split(".")[0]
    assert message.count(spelled) == 1 and len(message.split()) <= 25


async def test_failed_transfer_then_callback_is_recorded(service: HandoffService) -> None:
    state = field_call()
    event = await service.escalate(state, reason="r", trigger="t", priority="high")
    await service.transfer_result(state, ok=False, reason="target busy")
    assert state.handoff["status"] == "transfer_failed" and state.handoff["callback_offered"] is True
    apology = service.message_after_failed_transfer(state)
    assert apology.startswith("I'm sorry, the field dispatch supervisor didn't pick up")
    assert ("Shall I try field dispatch now? If not, we can call you back on the number ending zero one two three."
            in apology)
    await service.request_callback(state)
    case = await service.store.get(event.case_id)
    assert case["status"] == "callback_requested"
    assert [h["event"] for h in case["history"]] == ["escalated", "transfer_failed", "callback_requested"]
    assert case["history"][1]["reason"] == "target busy" and case["history"][2]["callback_number"] == "*******0123"


async def test_declined_callback_keeps_the_case_open(service: HandoffService) -> None:
    state = field_call()
    event = await service.escalate(state, reason="r", trigger="t", priority="normal")
    await service.transfer_result(state, ok=False, reason="no answer")
    await service.decline_callback(state)
    case = await service.store.get(event.case_id)
    assert case["status"] == "transfer_failed" and case["history"][-1]["event"] == "callback_declined"
    assert state.handoff["status"] == "callback_declined"


async def test_successful_transfer_is_recorded(service: HandoffService) -> None:
    state = field_call()
    event = await service.escalate(state, reason="r", trigger="t", priority="normal")
    await service.transfer_result(state, ok=True, reason="CallTransferAccepted")
    assert (await service.store.get(event.case_id))["status"] == "transferred"
    assert state.handoff["status"] == "transferred"


async def test_second_escalation_reuses_the_case_and_keeps_its_history(service: HandoffService) -> None:
    state = field_call()
    first = await service.escalate(state, reason="asked for a person", trigger="t", priority="normal")
    await service.transfer_result(state, ok=False, reason="no answer")
    state.add_turn("caller", "now there's smoke coming out of it")
    second = await service.escalate(state, reason="safety phrase", trigger="safety:smoke", priority="emergency")
    assert second.case_id == first.case_id and second.target == "pstn:+14255550199"
    case = await service.store.get(first.case_id)
    assert [h["event"] for h in case["history"]] == ["escalated", "transfer_failed", "escalated"]
    assert case["priority"] == "emergency" and case["status"] == "pending"
    assert case["transcript"][-1]["text"] == "now there's smoke coming out of it"
    assert len(await service.store.recent(10)) == 1


async def test_asked_again_while_an_emergency_is_pending_keeps_it_an_emergency(service: HandoffService) -> None:
    # "Just get someone" after a gas leak: no lower priority, no other desk; a higher one still raises it.
    state = field_call()
    first = await service.escalate(state, reason="gas", trigger="safety:gas", priority="emergency")
    again = await service.escalate(state, reason="asked for a person", trigger="person_request", priority="normal")
    assert (again.case_id, again.priority, again.target) == (first.case_id, "emergency", first.target)
    assert state.handoff["reason"] == "gas"
    calm = field_call()
    await service.escalate(calm, reason="asked for a person", trigger="person_request", priority="normal")
    raised = await service.escalate(calm, reason="safety phrase", trigger="safety:smoke", priority="emergency")
    assert raised.priority == "emergency"


async def test_transfer_result_without_a_case_is_a_clear_error(service: HandoffService) -> None:
    with pytest.raises(CaseError, match="call escalate"):
        await service.transfer_result(CallState(session_id="s"), ok=True, reason="x")


async def test_bad_priority_writes_nothing(service: HandoffService) -> None:
    state = field_call()
    with pytest.raises(CaseError):
        await service.escalate(state, reason="r", trigger="t", priority="URGENT")
    assert state.handoff is None and state.outcome is None
    assert await service.store.recent(5) == []


def test_missing_or_broken_targets_file_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(TargetsError, match="cannot read hand-over targets file"):
        HandoffService(Settings(data_dir=tmp_path, handoff_targets_file=tmp_path / "nope.yaml"))
    bad = tmp_path / "targets.yaml"
    bad.write_text("emergency: [unclosed\n")
    with pytest.raises(TargetsError, match="not valid YAML"):
        HandoffService(Settings(data_dir=tmp_path, handoff_targets_file=bad))


async def test_learning_store_holds_nothing_unredacted(service: HandoffService, tmp_path: Path) -> None:
    state = field_call()
    state.add_turn("agent", "Thanks Dana. What's a good callback number?")
    state.add_turn("caller", "425-555-0123, or five five five one two three four, or dana.reyes@contoso.com")
    state.add_turn("caller", "I'm at 42 Elm Street; bill card 4111 1111 1111 1111; my SSN is 123-45-6789")
    state.tool_attempts.append({"tool": "create_work_order", "ok": False, "error": "caller Dana Reyes not found"})
    await service.escalate(state, reason="Dana Reyes asked for a person", trigger="t", priority="normal")
    await service.capture_for_review(state)

    resolved = CallState(session_id="sess-resolved", outcome="resolved")
    resolved.add_turn("caller", "thanks, that's all")
    await service.capture_for_review(resolved)

    records = await service.store.captured()
    assert [r["id"] for r in records] == ["sess-1"]
    assert "P-4512" in records[0]["turns"][0]["text"]
    # Scan the whole database file, not just the API view: the raw strings must not be anywhere in review rows.
    db = sqlite3.connect(tmp_path / "cases.sqlite")
    rows = " ".join(r[0] for r in db.execute("SELECT body FROM review"))
    db.close()
    assert [p for p in RAW_PII if p in rows] == []


async def test_each_failed_target_offers_the_next_until_only_a_callback_is_left(service: HandoffService) -> None:
    state = field_call()
    offered = []
    event = await service.escalate(state, reason="r", trigger="t", priority="high")
    while True:
        await service.transfer_result(state, ok=False, reason="no answer")
        nxt = state.handoff["next"]
        if nxt is None:
            break
        offered.append(nxt)
        again = await service.escalate(state, reason="r", trigger="next", priority="high", target=nxt)
        assert again.case_id == event.case_id and again.target == nxt
    # supervisor -> field dispatch -> service desk (the human route and the fallback are the same desk)
    assert offered == ["pstn:+14255550120", "pstn:+14255550110"]
    assert service.message_after_failed_transfer(state).endswith("Would you like us to call you back on the number "
                                                                  "ending zero one two three?")
    case = await service.store.get(event.case_id)
    assert [h["event"] for h in case["history"]].count("transfer_failed") == 3
    assert case["brief"].count(".") <= 4 and "P-4512" in case["brief"]
