"""Round 66-67 mechanisms through the real brain and tool servers: callers who name a record that exists while a new
one is being made and say what to do with it, a story told of a record that was reported before (or of a fault that
has gone), acts on the record just made ("add to it that ...", "could an engineer come out?"), counted requests split
where the caller numbers them, a read-back answered as if it were "anything else?", a person trapped, and questions
nothing the line does fits that an article answers."""

from __future__ import annotations

import pytest

from agent.contracts.actions import EndCall, HandoffEvent
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")

FAULT = "Millbrook pumping station. The booster pump is making a terrible grinding noise."


async def test_a_record_named_with_an_order_while_a_new_one_is_made_is_that_order(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("named-and-changed")
        await say(brain, state, FAULT)
        assert state.task and state.task["intent"] == "work_order.create", state.task
        actions = await say(brain, state, "Hang on, there's a job already, it's WO-10002. Could you make it urgent?")
        assert state.task and state.task["intent"] == "work_order.update", spoken(actions)
        assert state.task["args"].get("priority") == "urgent" and "no new work order" in spoken(actions).lower(), spoken(actions)
        state = CallState("named-and-noted")
        await say(brain, state, FAULT)
        actions = await say(brain, state, "The job number is WO-10003. Please add that the seal has gone again.")
        assert state.task and state.task["tool"] == "add_work_order_note", spoken(actions)
        assert "seal" in state.task["args"].get("note", ""), state.task
        # A bare number is the record, read: no order was given.
        state = CallState("named-only")
        await say(brain, state, FAULT)
        actions = await say(brain, state, "Oh, it's WO-10003.")
        assert tools_ok(actions) == ["get_work_order"] and not state.task, spoken(actions)


async def test_a_story_of_a_record_reported_before_goes_with_that_record(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("reported-before")
        actions = await say(brain, state, "My laptop keeps dropping off the VPN every hour. I logged it last week, "
                                          "INC-20001, and nobody has rung me back. I want it escalated please.")
        assert state.task and state.task["intent"] == "incident.escalate", spoken(actions)
        # A fault told as gone is nothing to report: the record named is closed.
        state = CallState("gone-now")
        actions = await say(brain, state, "The historian trends were frozen, but after the server restart they're "
                                          "updating fine now. You can close INC-20002.")
        assert state.task and state.task["intent"] == "incident.update", spoken(actions)
        assert state.task["args"].get("status") in ("resolved", "closed"), state.task
        # What is asked to be added goes on the record, with the news told before the ask, not the record retold.
        state = CallState("added-after-retold")
        actions = await say(brain, state, "I've got a ticket open about the cracked tablet, INC-20004. The battery "
                                          "won't charge either now, could you add that?")
        assert state.task and state.task["tool"] == "add_incident_comment", spoken(actions)
        assert "battery" in state.task["args"].get("comment", "") and "ticket open" not in state.task["args"]["comment"], \
            state.task


async def _job_made(brain, name: str) -> CallState:
    """A call that has just raised a work order for the intake pump A124."""
    state = CallState(name)
    await say(brain, state, "Riverside pumping station, the raw water intake pump A124 keeps tripping out.")
    while state.task and state.task.get("tool") == "create_work_order" and not state.task.get("confirming"):
        await say(brain, state, "medium")
    made = await say(brain, state, "yes")
    assert tools_ok(made) == ["create_work_order"], spoken(made)
    return state


async def test_an_act_on_the_record_just_made_is_done_on_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = await _job_made(brain, "act-on-it")
        number = state.entities.get("work_order_id")
        actions = await say(brain, state, "Oh, and could you put on it that the isolator has been locked off?")
        assert state.task and state.task["tool"] == "add_work_order_note", spoken(actions)
        assert state.task["args"].get("work_order_id") == number and "isolator" in state.task["args"].get("note", ""), state.task
        state = await _job_made(brain, "someone-to-come")
        actions = await say(brain, state, "Could an engineer pop out on Thursday morning?")
        assert state.task and state.task["tool"] == "schedule_visit", spoken(actions)
        assert state.task["args"].get("time_window") == "morning", state.task


async def test_a_time_the_caller_is_away_is_not_the_window_asked_for(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("away-then")
        await say(brain, state, "Can we get a technician out for job WO-10003?")
        actions = await say(brain, state, "Friday please, the afternoon would be best, we're not around in the mornings.")
        assert state.task and state.task["args"].get("time_window") == "afternoon", spoken(actions)


async def test_no_thats_all_at_a_read_back_sends_what_was_read_back(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("no-thats-all")
        await say(brain, state, "Please cancel service request SR-30002, we don't need it any more.")
        assert state.task and state.task.get("confirming"), state.task
        actions = await say(brain, state, "No, that's everything.")
        assert tools_ok(actions) == ["cancel_service_request"] and isinstance(actions[-1], EndCall), spoken(actions)
        # "No, that's wrong" is a no.
        state = CallState("no-thats-wrong")
        await say(brain, state, "Please cancel service request SR-30003, we don't need it any more.")
        actions = await say(brain, state, "No, that's all wrong.")
        assert not tools_ok(actions), spoken(actions)
        # Called off or turned down before: nothing is sent either.
        for first in ("Hmm, no, leave it, I need to ask my manager.", "Actually, scrap that for now."):
            state = CallState("called-off")
            await say(brain, state, "Please cancel service request SR-30003, we don't need it any more.")
            await say(brain, state, first)
            actions = await say(brain, state, "No, that's all.")
            assert not tools_ok(actions), (first, spoken(actions))


async def test_yes_thats_right_to_anything_else_keeps_the_call_open(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("confirmed-after")
        await say(brain, state, "What's the status of work order WO-10001?")
        actions = await say(brain, state, "Yes, that's right.")
        assert not any(isinstance(a, EndCall) for a in actions) and spoken(actions).endswith("?"), spoken(actions)
        actions = await say(brain, state, "No, that's all, thanks.")
        assert isinstance(actions[-1], EndCall), spoken(actions)


async def test_counted_requests_are_split_where_the_caller_numbers_them(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("first-and-second")
        actions = await say(brain, state, "Two things please. First, the rooftop unit on the workshop at Westfield Depot "
                                          "is rattling badly. The tag is H4201. And second, could you tell me how the "
                                          "job on the booster pump is getting on? That's WO-10002.")
        assert state.task and state.task["intent"] == "work_order.create", spoken(actions)
        assert (state.dialogue.get("later") or {}).get("intent") == "work_order.status", state.dialogue
        summary = state.task["args"].get("summary", "")
        assert "rattling" in summary and "two things" not in summary, state.task


async def test_a_person_trapped_is_an_emergency(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        for said in ("The power's gone off at the depot and a driver is trapped in the goods lift.",
                     "Somebody is stuck in an elevator at the operations centre, the lights have all gone out."):
            state = CallState("trapped")
            actions = await say(brain, state, said)
            handed = [a for a in actions if isinstance(a, HandoffEvent)]
            assert handed and state.handoff and state.handoff["priority"] == "emergency", spoken(actions)


async def test_a_question_nothing_the_line_does_fits_is_answered_from_an_article(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("guest-code")
        actions = await say(brain, state, "We have a visitor in the meeting room who needs the guest wifi. "
                                          "What's today's code?")
        assert "reception" in spoken(actions).lower() and not state.task, spoken(actions)
        state = CallState("canteen")
        actions = await say(brain, state, "Is the canteen at Westfield Depot open on Saturday?")
        assert "can't help" in spoken(actions), spoken(actions)


async def test_a_system_only_the_other_desk_has_settles_an_unsure_desk(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("maximo-crash")
        actions = await say(brain, state, "Whenever I open a work order in Maximo the whole program just shuts down.")
        assert state.task and state.task["intent"] == "incident.create", spoken(actions)


async def test_a_clause_of_time_in_a_fault_asks_nothing(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("when-clause")
        actions = await say(brain, state, "Morning, Grace Kim here. My desk phone isn't right. When I lift the handset "
                                          "there's no tone at all.")
        assert state.task and state.task["intent"] == "incident.create", spoken(actions)


async def test_a_request_pointed_at_by_a_word_of_it_is_the_one_told_before(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("the-x-one")
        await say(brain, state, "Sam O'Connor, E10533. Please cancel my request SR-30002, I don't need it now. "
                                "What I need instead is Visio on my laptop.")
        await say(brain, state, "Yes, cancel it.")
        actions = await say(brain, state, "Yes, do the Visio one please.")
        assert state.task and state.task["intent"] == "service_request.create", spoken(actions)
        assert state.task["args"].get("request_type") == "software" and "visio" in state.task["args"].get("summary", "").lower(), \
            state.task


async def test_a_bare_ask_for_a_job_before_what_it_is_for_is_one_request(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("raise-then-what")
        actions = await say(brain, state, "I need a job raised please. The dosing pump at Millbrook, P-4701, "
                                          "has lost its prime. The fitter needs a number before he starts.")
        assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
        assert state.task["args"].get("asset_tag") == "P-4701", state.task


async def test_why_said_after_the_answer_before_it_is_not_asked_again(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("why-with-level")
        await say(brain, state, "I need access to Power BI please.")
        await say(brain, state, "E10533.")
        actions = await say(brain, state, "Just read. I have to pull the weekly pump reports for my manager.")
        assert state.task and "weekly pump reports" in state.task["args"].get("justification", ""), spoken(actions)
        state = CallState("thanks-is-no-why")
        await say(brain, state, "I need access to Power BI please.")
        await say(brain, state, "E10533.")
        actions = await say(brain, state, "Read. Thanks very much for sorting it.")
        assert not state.task["args"].get("justification") and spoken(actions).startswith("Why"), spoken(actions)


async def test_a_reason_given_at_the_read_back_is_the_reason(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("reason-at-read-back")
        await say(brain, state, "I need access to Power BI please.")
        await say(brain, state, "E10533.")
        await say(brain, state, "Read. Sorry, not write, read. I just look at the dashboards.")
        assert state.task and state.task.get("confirming") and state.task["args"].get("access_level") == "read", state.task
        actions = await say(brain, state, "Because I have to send the weekly pump figures to my manager.")
        assert state.task and "weekly pump figures" in state.task["args"].get("justification", ""), spoken(actions)
        assert spoken(actions).endswith("?"), spoken(actions)
