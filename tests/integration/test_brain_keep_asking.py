"""Round 72-73 mechanisms through the real brain and tool servers: callers who keep asking after each answer (who is on
it, will someone ring, how long now, is anyone booked), who wave off with "leave it there", and who add to the job an
asset's look-up named. Wordings of their own, not the evaluation's."""

from __future__ import annotations

import pytest

from agent.contracts.actions import HandoffEvent
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_who_is_on_a_record_is_the_person_whose_note_says_how_far_it_got(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("who-on-job")
        await say(brain, state, "Where are we with work order 10003, the compressor at Eastgate?")
        actions = await say(brain, state, "And which technician has it, do you know?")
        assert "Sam O'Connor" in spoken(actions), spoken(actions)
        state = CallState("who-on-incident")
        await say(brain, state, "Can you check incident 20001 for me please, the VPN one?")
        actions = await say(brain, state, "Right. Who's actually looking at it?")
        assert "Liam Murphy" in spoken(actions), spoken(actions)


async def test_why_the_caller_asks_is_no_request(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # A visit is booked on WO-10002: its technician is asked for, with what the caller will do with the name.
        state = CallState("purpose-beside-question")
        await say(brain, state, "Is anyone coming out for job 10002 at North Ridge?")
        actions = await say(brain, state, "Tomorrow, right. Who's the engineer? I need to tell security at the gate.")
        assert not state.task and "Dev Patel" in spoken(actions), (spoken(actions), state.task)


async def test_asking_whether_someone_will_ring_after_a_request_gets_an_answer_not_a_person(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("will-someone-ring")
        await say(brain, state, "Please raise the priority of work order 10006 to urgent, the generator at Harbor Road.")
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["update_work_order"], spoken(actions)
        for asked in ("Alright, fine. Will someone phone us when they're on their way?",
                      "Will somebody actually call me back about it, or is that just for your records?"):
            actions = await say(brain, state, asked)
            assert not any(isinstance(a, HandoffEvent) for a in actions) and "urgent" in spoken(actions).lower() \
                or "4 hours" in spoken(actions), spoken(actions)
            assert "I can log faults" not in spoken(actions), spoken(actions)


async def test_how_long_now_is_the_target_for_the_priority_the_record_has_now(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("how-long-now")
        await say(brain, state, "Incident 20003 is stopping me working, please escalate it.")
        actions = await say(brain, state, "yes go ahead")
        assert tools_ok(actions) == ["escalate_incident"], spoken(actions)
        actions = await say(brain, state, "Right, and how long should it take now it's been escalated to them?")
        assert "1 working day" in spoken(actions), spoken(actions)


async def test_a_question_about_how_a_record_stands_after_a_write_reads_it_afresh(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("reread-after-note")
        await say(brain, state, "Add a comment to INC-20002 that the trends dropped out again at lunchtime.")
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["add_incident_comment"], spoken(actions)
        actions = await say(brain, state, "Is anybody working on it right now?")
        assert tools_ok(actions) == ["get_incident"] and "Application Support" in spoken(actions), spoken(actions)


async def test_an_add_to_the_job_after_an_assets_look_up_goes_on_its_one_open_job(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("note-on-assets-job")
        await say(brain, state, "Can you look up pump A123 for me, is there a job open on it?")
        actions = await say(brain, state, "That's the one. Don't raise anything new, just add to that job that the "
                                          "bearing has started squealing since the night shift.")
        assert state.task and state.task["intent"] == "work_order.note", (spoken(actions), state.task)
        assert state.task["args"].get("work_order_id") == "WO-10001", state.task
        actions = await say(brain, state, "Yes. And has an engineer been booked for it yet?")
        assert tools_ok(actions) == ["add_work_order_note", "get_work_order"], spoken(actions)
        assert "No technician visit is booked" in spoken(actions), spoken(actions)


async def test_leave_it_there_ends_the_call_and_points_at_no_place(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("leave-it-there")
        await say(brain, state, "What's the state of the pump A123 at Riverside?")
        actions = await say(brain, state, "Okay, we'll leave it there. Cheers.")
        assert tools_ok(actions) == [] and "Goodbye" in spoken(actions), spoken(actions)


async def test_an_act_on_the_record_held_asked_after_a_how_to_is_on_that_record(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("act-after-howto")
        await say(brain, state, "What's happening with INC-20004, my tablet screen?")
        await say(brain, state, "Can I follow it up myself somehow?")
        actions = await say(brain, state, "OK. Could you add a comment that the touch screen has stopped responding on "
                                          "the right edge too?")
        assert state.task and state.task["intent"] == "incident.comment", (spoken(actions), state.task)
        assert state.task["args"].get("incident_id") == "INC-20004", state.task


async def test_that_one_changed_after_an_assets_look_up_is_its_open_job(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("that-one-bumped")
        await say(brain, state, "Could you look up pump A123 at Riverside for me?")
        actions = await say(brain, state, "OK, can you put that one up to urgent please? The bearing's getting hotter.")
        assert state.task and state.task["intent"] == "work_order.update", (spoken(actions), state.task)
        assert state.task["args"].get("work_order_id") == "WO-10001" and state.task["args"].get("priority") == "urgent"


async def test_words_asked_added_after_the_story_and_the_records_number_go_on_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("add-after-story")
        actions = await say(brain, state, "The standby generator at Harbor Road tripped during its run this afternoon. "
                                          "There's a job open already, WO-10006. Could you add that it tripped on "
                                          "overspeed this time?")
        assert state.task and state.task["intent"] == "work_order.note", (spoken(actions), state.task)
        assert "overspeed" in state.task["args"].get("note", ""), state.task
        assert not tools_ok(actions), spoken(actions)  # no visit, no read: the note is read back


async def test_an_address_asked_of_a_named_site_is_that_sites(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("address-of-site")
        actions = await say(brain, state, "A delivery driver is bringing pallets to the Westfield depot, which road is it on?")
        assert "Westfield Avenue" in spoken(actions) and "Market Square" not in spoken(actions), spoken(actions)


async def test_a_question_beside_a_value_is_answered_with_the_read_back(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("borrow-beside-id")
        await say(brain, state, "My laptop is completely dead, no lights at all even on the charger.")
        actions = await say(brain, state, "It's E10850. Could I borrow one while it's looked at?")
        assert "loan laptop" in spoken(actions) and state.task and state.task.get("confirming"), spoken(actions)


async def test_a_story_of_something_not_working_settles_a_problem_against_a_request(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("broken-settles")
        actions = await say(brain, state, "Nobody in the east wing office can scan to email any more. We press scan "
                                          "and nothing happens at all.")
        if state.dialogue.get("clarify"):  # the router may be unsure between a problem and a request: the story says
            actions = await say(brain, state, "Amy Chen, E10620. It's everyone on this side, about ten of us.")
        assert not any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)
        assert state.task and state.task["intent"] == "incident.create", (spoken(actions), state.task)
