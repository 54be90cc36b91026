"""Round 70-71 mechanisms through the real brain and tool servers: dispatchers who ask for a technician by who comes
and when (not by "visit"), a record named with its story, a second act on the same record asked at a read-back or
beside an answer (said back with the open question, sent by the one yes), lists that say who is due where, and callers
unsure they rang the right desk."""

from __future__ import annotations

import pytest

from agent.contracts.actions import HandoffEvent
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_technician_asked_for_with_a_time_is_a_visit(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # By the person who comes and when, on the job open on a thing named by its tag: that job's visit.
        state = CallState("technician-with-time")
        actions = await say(brain, state, "We need an engineer out to intake pump A123 at Riverside, the job on it is "
                                          "already open. Thursday afternoon would suit.")
        assert state.task and state.task["intent"] == "visit.schedule", spoken(actions)
        assert state.task["args"].get("time_window") == "afternoon", state.task
        assert (state.task.get("proposed") or state.task["args"]).get("work_order_id") == "WO-10001", state.task
        # A person booked back in, with a time of day said as a habit ("mornings are best").
        state = CallState("booked-back-in")
        actions = await say(brain, state, "Dev started on the cooling oil pump at North Ridge, WO-10002, and needs to "
                                          "finish off. Could you book him back in on Monday? Mornings are best for us.")
        assert state.task and state.task["intent"] in ("visit.schedule", "visit.reschedule"), spoken(actions)
        assert state.task["args"].get("time_window") == "morning", state.task
        # Asked to know when someone comes is no booking.
        state = CallState("asked-to-know")
        actions = await say(brain, state, "the cooling oil pump at north ridge keeps tripping, and I need to know when "
                                          "the engineer is coming")
        assert tools_ok(actions) == ["get_work_order"], spoken(actions)


async def test_a_fault_told_with_its_records_number_is_no_new_record(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("story-with-number")
        actions = await say(brain, state, "Eastgate, about the gas compressor that kept surging on start-up, WO-10003. I "
                                          "want the tech back out tomorrow, and it has to be the afternoon.")
        assert state.task and state.task["intent"] in ("visit.schedule", "visit.reschedule"), spoken(actions)
        assert state.task["args"].get("work_order_id") == "WO-10003", state.task
        assert not state.dialogue.get("later"), state.dialogue


async def test_a_note_asked_at_a_visits_read_back_is_said_back_and_sent_with_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("note-at-visit-read-back")
        await say(brain, state, "Please book a technician visit for WO-10006 tomorrow morning.")
        assert state.task and state.task.get("confirming"), state.task
        actions = await say(brain, state, "Oh and put on the job that the padlock code is 4417, and they should ring "
                                          "the duty manager on arrival.")
        said = spoken(actions)
        assert "4417" in said and "duty manager" in said and "straight after" in said, said
        assert state.task and state.task["intent"] == "visit.schedule", state.task
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["schedule_visit", "add_work_order_note"], spoken(actions)
        assert "will come" in spoken(actions), spoken(actions)  # the first result is still told, short


async def test_a_visit_asked_for_while_a_job_is_read_back_follows_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # At the read-back, the visit by its time and more for the job in one turn.
        state = CallState("visit-at-job-read-back")
        await say(brain, state, "Stonebridge, gas turbine G-6801, the enclosure vent fan has seized. High priority.")
        assert state.task and state.task["intent"] == "work_order.create" and state.task.get("confirming"), state.task
        actions = await say(brain, state, "Friday afternoon for the visit please. And note that the turbine hall needs "
                                          "ear defenders.")
        assert "straight after" in spoken(actions) and "ear defenders" in state.task["args"]["summary"], state.task
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_work_order", "schedule_visit"], spoken(actions)
        # A value answered with someone asked to come.
        state = CallState("value-and-visit")
        await say(brain, state, "The air compressor C-4202 at Westfield depot keeps tripping on high temperature.")
        assert state.task and state.task["intent"] == "work_order.create", state.task
        while state.task and not state.task.get("confirming"):
            await say(brain, state, "site 42")
        actions = await say(brain, state, "Low. And could you send someone over next Tuesday morning?")
        assert "straight after" in spoken(actions) and state.task["args"].get("priority") == "low", spoken(actions)
        actions = await say(brain, state, "yes please")
        assert tools_ok(actions) == ["create_work_order", "schedule_visit"], spoken(actions)


async def test_a_visit_asked_for_with_a_new_fault_follows_it_unasked(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("fault-and-visit")
        await say(brain, state, "Lakeside, borehole pump A552, the motor is overheating and tripping out. Medium "
                                "priority. I'd like a visit on Wednesday morning.")
        assert state.task and state.task["intent"] == "work_order.create", state.task
        assert (state.dialogue.get("later") or {}).get("accepted"), state.dialogue
        actions = await say(brain, state, "That's right. Who will be coming?")
        assert tools_ok(actions) == ["create_work_order"], spoken(actions)
        assert state.task and state.task["intent"] == "visit.schedule", spoken(actions)
        assert "get this right" not in spoken(actions), spoken(actions)


async def test_a_caller_unsure_of_the_desk_is_heard_for_the_problem(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # Who the caller thought of ringing, and a site's name, are no part of the problem.
        state = CallState("unsure-of-desk")
        await say(brain, state, "Not sure if this is you or the field maintenance team. The desktop PC in the Millbrook "
                                "pump station control room won't power on at all.")
        assert state.task and state.task["intent"] == "incident.create", state.task
        await say(brain, state, "E10482")
        assert state.task["args"].get("category") == "hardware", state.task
        # "Who handles ...?" on the way to the problem: the problem is logged, the question is no summary.
        state = CallState("who-handles")
        await say(brain, state, "Who looks after desk phones now? Mine keeps dropping calls after a minute or so.")
        assert state.task and state.task["intent"] == "incident.create", state.task
        await say(brain, state, "E11003")
        assert "who" not in state.task["args"].get("summary", "").lower(), state.task


async def test_a_value_that_only_sounds_a_little_like_a_hazard_is_the_value(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("value-not-hazard")
        await say(brain, state, "The switch room chiller H-1420 at North Ridge is making a grinding noise.")
        while state.task and state.task.get("asking") != "priority" and not state.task.get("confirming"):
            await say(brain, state, "site 14")
        actions = await say(brain, state, "Let's say high, the switch room needs it.")
        assert not any(isinstance(a, HandoffEvent) for a in actions) and state.task["args"].get("priority") == "high", \
            spoken(actions)
        # A hazard said with the value is still one.
        actions = await say(brain, state, "High, and there's smoke coming out of the switch room now.")
        assert any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)


async def test_asked_who_is_due_at_a_place_lists_its_jobs_and_their_visits(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("due-at-place")
        actions = await say(brain, state, "Is anyone from your team booked at North Ridge Substation this week?")
        assert tools_ok(actions) == ["list_work_orders"] and "Dev Patel" in spoken(actions), spoken(actions)
        state = CallState("work-at-place")
        actions = await say(brain, state, "Have we got any jobs going at Riverside Pumping Station?")
        assert tools_ok(actions) == ["list_work_orders"] and "vibrating" in spoken(actions), spoken(actions)
        state = CallState("nobody-due")
        actions = await say(brain, state, "Is anybody booked to come out to Riverside Pumping Station?")
        assert tools_ok(actions) == ["list_work_orders"], spoken(actions)
        assert "No technician visit is booked" in spoken(actions), spoken(actions)
        # A visit called off, with the day it was booked for, is no booking.
        state = CallState("called-off")
        actions = await say(brain, state, "Somebody's due out to the oil pump at North Ridge tomorrow, but the permit "
                                          "won't be ready, so can you call that visit off?")
        assert state.task and state.task["intent"] == "visit.cancel", spoken(actions)


async def test_all_said_at_a_read_back_sends_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        for answer in ("Nothing else.", "That'll do, thanks.", "No, that's the lot."):
            state = CallState(f"all-said-{answer}")
            await say(brain, state, "Can you add a note to WO-10003 that the filter housing has been replaced?")
            assert state.task and state.task.get("confirming"), state.task
            actions = await say(brain, state, answer)
            assert tools_ok(actions) == ["add_work_order_note"], (answer, spoken(actions))
