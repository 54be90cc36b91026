"""Round 56-57 mechanisms through the real brain and tool servers: several things said in one breath by callers who
know what they want. A yes followed by another request or a question sends the first and then takes up the rest; a
change said with "go ahead" at the read-back is sent as told; a question that ends a request is answered before
its read-back; an escalation named with a priority escalates, then sets the priority unless the escalation reached
it; a fault told before a change to the record it is about is that record's story; how a record stands ("it's
been on hold for a week") and "a repeat failure" are no requests."""

from __future__ import annotations

import pytest

from agent.brain.switchboard import SwitchboardBrain
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import spoken, tools_ok
from tests.integration.test_brain_plain_callers import brain  # noqa: F401  (one brain for this module too)

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _result(state: CallState, tool: str) -> dict:
    return next(a["result"] for a in reversed(state.tool_attempts) if a["tool"] == tool and a.get("ok"))


async def test_a_repeat_failure_asked_for_is_a_new_job_not_a_request_to_hear_it_again(brain: SwitchboardBrain) -> None:
    state = CallState("repeat-failure")
    actions = await say(brain, state, "Harbor Road, site 3. The emergency generator G-0320 won't start again, the third "
                                      "time this month. Log a new job, urgent, and note it's a repeat fault.")
    assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
    assert "operations help line" not in spoken(actions)


async def test_an_escalation_named_with_a_priority_escalates_then_sets_the_priority_it_did_not_reach(
        brain: SwitchboardBrain) -> None:
    state = CallState("escalate-and-priority")
    actions = await say(brain, state, "About INC 20004. It has been on hold for days and the crew can't work. "
                                      "Please escalate it, and it should be high priority.")
    assert state.task and state.task["tool"] == "escalate_incident", spoken(actions)
    assert "status" not in state.task["args"]  # how it stands is no change asked
    actions = await say(brain, state, "yes go ahead")
    assert tools_ok(actions) == ["escalate_incident"] and _result(state, "escalate_incident")["priority"] == "medium"
    assert state.task and state.task["tool"] == "update_incident" and state.task["args"]["priority"] == "high", spoken(actions)
    actions = await say(brain, state, "yes")
    assert tools_ok(actions) == ["update_incident"] and _result(state, "update_incident")["priority"] == "high"


async def test_an_escalation_that_reaches_the_priority_asked_is_all_that_is_done(brain: SwitchboardBrain) -> None:
    state = CallState("escalate-reached")
    await say(brain, state, "Can you escalate INC-20003 for me? The whole team is locked out of Outlook. I want it at high "
                            "priority.")
    assert state.task and state.task["tool"] == "escalate_incident"
    actions = await say(brain, state, "yes please")
    assert tools_ok(actions) == ["escalate_incident"] and _result(state, "escalate_incident")["priority"] == "high"
    assert state.task is None and not state.dialogue.get("later"), spoken(actions)


async def test_a_fault_told_before_a_change_to_its_named_record_is_that_records_story(brain: SwitchboardBrain) -> None:
    state = CallState("story-then-change")
    actions = await say(brain, state, "The control room at Riverside is roasting tonight. Work order 10004, the air "
                                      "conditioning one, can you make it urgent.")
    assert state.task and state.task["tool"] == "update_work_order" and state.task["args"].get("priority") == "urgent", \
        spoken(actions)
    assert not state.dialogue.get("later")  # no second request for a new job


async def test_a_yes_then_another_request_sends_the_first_and_starts_the_second(brain: SwitchboardBrain) -> None:
    state = CallState("yes-then-request")
    await say(brain, state, "I'm the night supervisor. Aiko Tanaka, E10620, is locked out and needs a password reset.")
    assert state.task and state.task["tool"] == "request_password_reset"
    actions = await say(brain, state, "Yes please. Also she needs write access to Maximo for the permits.")
    assert tools_ok(actions) == ["request_password_reset"], spoken(actions)
    assert state.task and state.task["tool"] == "request_access" and state.task.get("confirming"), spoken(actions)
    assert state.task["args"].get("user") == "E10620" and state.task["args"].get("access_level") == "write"


async def test_a_change_said_with_a_go_ahead_at_the_read_back_is_sent_as_told(brain: SwitchboardBrain) -> None:
    state = CallState("change-and-go")
    await say(brain, state, "the intake pump a one two four at site twelve is leaking from the gland")
    assert state.task and state.task.get("confirming"), state.task
    actions = await say(brain, state, "uh make it high then yeah log it")
    assert tools_ok(actions) == ["create_work_order"], spoken(actions)
    assert _result(state, "create_work_order")["priority"] == "high"
    # A change alone is still read back before anything is sent.
    await say(brain, state, "the discharge valve a one two six at site twelve is stiff")
    actions = await say(brain, state, "low priority")
    assert not tools_ok(actions) and state.task and state.task.get("confirming"), spoken(actions)


async def test_a_yes_then_a_question_sends_it_then_answers_the_question(brain: SwitchboardBrain) -> None:
    state = CallState("yes-then-question")
    await say(brain, state, "Lakeside lab here. The climate control unit H-5530 is dripping onto the bench. Low priority.")
    actions = await say(brain, state, "Yes, log it. And what times of day do your technicians visit?")
    assert tools_ok(actions) == ["create_work_order"], spoken(actions)
    assert "17:00" in spoken(actions) and "working days" not in spoken(actions), spoken(actions)


async def test_a_question_that_ends_a_request_is_answered_before_its_read_back(brain: SwitchboardBrain) -> None:
    state = CallState("request-then-question")
    actions = await say(brain, state, "I need a new headset for Ben Carter, E11402, his old one is broken. "
                                      "Will his manager have to approve that?")
    assert "approval" in spoken(actions).lower() and state.task and state.task["tool"] == "create_service_request", \
        spoken(actions)
    assert not [a for a in state.tool_attempts if a["tool"].startswith("get_")]  # no status read for "will it need"
    state = CallState("request-then-target")
    actions = await say(brain, state, "Please log an incident for Jonas Berg, E10777: Maximo crashes when he opens a "
                                      "work order. Medium priority. What's the target time for a medium one?")
    said = spoken(actions)
    assert "3 working days" in said and "4 hours" not in said and state.task["tool"] == "create_incident", said


async def test_counted_requests_for_two_things_are_each_their_own_with_their_own_priority(brain: SwitchboardBrain) -> None:
    state = CallState("two-counted")
    actions = await say(brain, state, "Night shift at Eastgate, site 21. Two problems for you. Compressor C-2102 is "
                                      "knocking badly, high priority. And the instrument air compressor, C-2103, has "
                                      "an oil weep, low priority.")
    assert state.task and state.task["args"].get("asset_tag") == "C-2102" and state.task["args"].get("priority") == "high", \
        spoken(actions)
    actions = await say(brain, state, "yes")
    assert tools_ok(actions) == ["create_work_order"] and "also mentioned" in spoken(actions), spoken(actions)
    await say(brain, state, "yes")
    assert state.task and state.task["args"].get("asset_tag") == "C-2103" and state.task["args"].get("priority") == "low"
    # Two people each with their own fault are two requests too.
    state = CallState("two-people")
    await say(brain, state, "Calling for two of my team. Grace Kim, E10533: her monitor flickers all day. And Dev Patel, "
                            "E10517: his keyboard has dead keys.")
    assert state.task and state.task["args"].get("user") == "E10533" and state.dialogue.get("later")


async def test_a_new_one_asked_beside_an_old_record_it_tells_of_is_that_new_one(brain: SwitchboardBrain) -> None:
    state = CallState("new-beside-old")
    actions = await say(brain, state, "Booster pump A702 at site 7 is leaking again. WO-10009 fixed it last month. Open "
                                      "a new job, urgent priority.")
    assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
    assert state.task["args"].get("priority") == "urgent" and not state.dialogue.get("later")
    assert not tools_ok(actions)  # the old record is not read first


async def test_a_question_whether_a_named_record_is_done_reads_it(brain: SwitchboardBrain) -> None:
    state = CallState("closed-out")
    actions = await say(brain, state, "Right. And WO-10011, has that been finished?")
    assert tools_ok(actions) == ["get_work_order"] and "completed" in spoken(actions), spoken(actions)
    state = CallState("on-hold-why")
    actions = await say(brain, state, "WO-10005 at Lakeside has been on hold for ages. Why is it stuck?")
    assert tools_ok(actions) == ["get_work_order"] and "actuator" in spoken(actions), spoken(actions)


async def test_a_change_said_at_a_notes_read_back_follows_the_note(brain: SwitchboardBrain) -> None:
    state = CallState("note-then-change")
    await say(brain, state, "The oil pump at North Ridge tripped again overnight. It's on WO-10002, which has been at "
                            "urgent all week.")
    assert state.task and state.task["tool"] == "add_work_order_note" and state.task.get("confirming"), state.task
    actions = await say(brain, state, "Drop it to high. No, sorry, medium, not high.")
    assert state.dialogue.get("later", {}).get("intent") == "work_order.update", spoken(actions)
    actions = await say(brain, state, "yes")
    assert tools_ok(actions) == ["add_work_order_note", "update_work_order"], spoken(actions)
    assert _result(state, "update_work_order")["priority"] == "medium"
