"""Round 60-61 mechanisms through the real brain and tool servers: callers out of hours who ask whether anyone is
there, callers reading ids and messages off screens and emails (letters one by one, a quote, what an email said),
a record of another kind given for the one asked, two requests in a breath where the second only reads a record
it names, a record confirmed and its act ordered in one answer, a thing named by its usual name, a value taken
back and another said; and a few from older rounds read again (a question written after a dash, what a noise usually
means asked without punctuation)."""

from __future__ import annotations

import pytest

from agent.contracts.actions import HandoffEvent
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_asked_whether_anyone_is_there_the_line_says_it_is_and_what_it_is(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("anyone-there")
        actions = await say(brain, state, "Hello? Is anyone even there at this hour?")
        assert not any(isinstance(a, HandoffEvent) for a in actions) and not state.task, spoken(actions)
        assert "I'm here" in spoken(actions) and "automated" in spoken(actions), spoken(actions)
        actions = await say(brain, state, "My tablet ticket, INC-20004, the cracked screen. When's someone going to fix it?")
        assert tools_ok(actions) == ["get_incident"] and "on hold" in spoken(actions), spoken(actions)


async def test_a_record_of_another_kind_given_for_the_number_asked_is_read(scratch: ScratchBrain) -> None:
    # Asked for a work-order number, the caller reads out an incident's, letters and all: that incident, not
    # "a work order number looks like ...".
    async with scratch.fresh() as brain:
        state = CallState("other-kind-given")
        await say(brain, state, "hello, I'm calling about a job")
        assert (state.task or {}).get("asking") == "work_order_id", state.task
        actions = await say(brain, state, "My tablet ticket, INC-20004, the cracked screen. When's someone going to fix it?")
        assert tools_ok(actions) == ["get_incident"], spoken(actions)


async def test_a_work_order_spelled_letter_by_letter_off_an_email_is_read(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        actions = await say(brain, CallState("spelled"), "Hi there. I've got an email here from dispatch about work order "
                                                         "W, O, one, zero, zero, zero, two. When is the technician actually coming?")
        assert tools_ok(actions) == ["get_work_order"] and "Dev Patel" in spoken(actions), spoken(actions)


async def test_a_second_request_that_reads_a_record_named_by_its_number_alone_follows_at_once(scratch: ScratchBrain) -> None:
    # The kind is said once ("work order 10001 ... and 10003?"); a read asked beside a note is done after it unasked.
    async with scratch.fresh() as brain:
        state = CallState("note-then-read")
        await say(brain, state, "Two things while I've got you. Put a note on work order 10001 that the vibration on the "
                                "intake pump is up to twelve millimetres a second now. And what's happening with 10003, the "
                                "compressor at Eastgate?")
        assert state.task and state.task["tool"] == "add_work_order_note", state.task
        actions = await say(brain, state, "Yes.")
        assert tools_ok(actions) == ["add_work_order_note", "get_work_order"], spoken(actions)
        assert "in progress" in spoken(actions) and "now?" not in spoken(actions), spoken(actions)
        assert len(spoken(actions).split()) <= 40, spoken(actions)  # one reply: the read has the room left


async def test_a_reset_then_a_request_read_by_its_number_in_one_breath_are_both_done(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("reset-then-read")
        await say(brain, state, "Two things. My password has expired and I need a reset, and can you tell me where S R "
                                "three zero zero zero five is, the second monitor for control room desk four? I'm E one "
                                "one two three four.")
        assert state.task and state.task["tool"] == "request_password_reset", state.task
        actions = await say(brain, state, "Yes please.")
        assert tools_ok(actions) == ["request_password_reset", "get_service_request"], spoken(actions)
        assert len(spoken(actions).split()) <= 40, spoken(actions)


async def test_a_note_asked_beside_a_status_on_the_record_said_for_both_is_a_note(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("status-then-note")
        actions = await say(brain, state, "Two things about work order W O one zero zero zero one, the Riverside intake "
                                          "pump: what's the status on it, and can you add a note that the standby pump "
                                          "A124 is running fine now?")
        assert tools_ok(actions) == ["get_work_order"], spoken(actions)
        assert state.dialogue["later"]["intent"] == "work_order.note", state.dialogue
        await say(brain, state, "Yes, add the note please.")
        assert state.task["tool"] == "add_work_order_note" and "A124" in state.task["args"]["note"], state.task


async def test_the_record_confirmed_and_its_act_ordered_with_a_reason_is_done(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("cancel-with-reason")
        offered = await say(brain, state, "Hi, I need to cancel the engineer visit for the oil pump at North Ridge, P-4512. "
                                          "I don't have the work order number on me, sorry.")
        assert spoken(offered).endswith("?") and "zero two" in spoken(offered), spoken(offered)
        actions = await say(brain, state, "Yes, that's the one, cancel it. The permit's been withdrawn, we can't let anyone in.")
        assert tools_ok(actions) == ["cancel_visit"], spoken(actions)


async def test_a_question_in_the_reason_is_more_than_a_reason(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("cancel-with-question")
        await say(brain, state, "Hi, I need to cancel the engineer visit for the oil pump at North Ridge, P-4512. I don't "
                                "have the work order number on me, sorry.")
        actions = await say(brain, state, "Yes, that's the one, cancel it. Will I get charged for it?")
        assert not tools_ok(actions), spoken(actions)


async def test_a_quoted_message_is_the_note_and_an_emailed_state_is_no_change(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("quoted-note")
        await say(brain, state, "Hello, this is Priya at Harbor Road. My supervisor forwarded me this, quote: Re WO-10006, "
                                "generator is now also showing ECM fault code 1446, please add to the job. Unquote. Can you "
                                "add that to the work order?")
        assert state.task["tool"] == "add_work_order_note" and state.task["args"]["work_order_id"] == "WO-10006", state.task
        assert "1446" in state.task["args"]["note"] and "supervisor" not in state.task["args"]["note"], state.task
        state = CallState("emailed-state")
        await say(brain, state, "Hi, it's Dev Patel. I had an email: Your incident INC-20004 is on hold pending courier. "
                                "Can you add a comment that the courier never came on Tuesday and I'm at site 21 all this week?")
        assert state.task["tool"] == "add_incident_comment", state.task
        assert state.task["args"]["comment"].startswith("courier never came"), state.task


async def test_a_thing_named_by_its_usual_name_answers_is_it_that_one(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("painted-tag")
        await say(brain, state, "Hi, I'm at Riverside, site twelve. The raw water intake pump number two is dripping from "
                                "the seal, a slow drip. I need a job raising.")
        actions = await say(brain, state, "I don't know the tag, it's been painted over. It's intake pump two, the one "
                                          "next to pump one.")
        assert state.task["args"].get("asset_tag") == "A124" and state.task.get("confirming"), spoken(actions)


@pytest.mark.parametrize("said", ["My email is tom dot reyes at northwind dot example.",
                                  "My email... it's tom dot reyes at northwind dot example."])
async def test_an_email_address_given_does_not_make_it_an_email_fault(scratch: ScratchBrain, said: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState("email-address")
        await say(brain, state, f"Hi, my VPN won't connect from home. The error says: Error 809, the remote server is not "
                                f"responding. {said}")
        assert state.task["args"].get("category") == "network", state.task


async def test_a_priority_taken_back_for_another_is_the_other(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("priority-taken-back")
        await say(brain, state, "Hi, the Power BI asset dashboard won't refresh. My employee ID is E10850.")
        await say(brain, state, "Make it urgent. No, sorry, not urgent, high.")
        assert state.task["args"].get("priority") == "high", state.task


async def test_a_completed_job_asked_to_be_reopened_offers_a_new_one(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("reopen-completed")
        actions = await say(brain, state, "Hello, it's about WO-10008, the oil sample on transformer T-1401. The lab emailed: "
                                          "dissolved gas analysis shows elevated acetylene, 12 ppm. Can you reopen the work order?")
        assert "completed" in spoken(actions) and spoken(actions).endswith("instead?"), spoken(actions)
        await say(brain, state, "Fine, raise a new one for T-1401 at site fourteen then. High priority.")
        task = state.task or {}
        assert task.get("tool") == "create_work_order" and task.get("confirming"), task
        assert task["args"].get("asset_tag") == "T-1401" and task["args"].get("priority") == "high", task


async def test_a_fault_back_told_with_its_old_record_reads_it_and_offers_a_new_one(scratch: ScratchBrain) -> None:
    # Unsure between reading INC-20005 and a new incident: read (it is resolved), a new one offered with the story;
    # "it's just come back, never mind" declines the offer.
    async with scratch.fresh() as brain:
        state = CallState("fault-back-old-record")
        actions = await say(brain, state, "Ben Carter, E11402. My desk phone's got no dial tone again. I had a ticket for "
                                          "it before, INC-20005.")
        assert tools_ok(actions) == ["get_incident"] and "resolved" in spoken(actions), spoken(actions)
        assert spoken(actions).endswith("instead?"), spoken(actions)
        actions = await say(brain, state, "oh hang on its just come back the cables were loose never mind")
        assert not tools_ok(actions) and "leave" in spoken(actions) and not state.dialogue.get("later"), spoken(actions)


async def test_a_read_done_at_once_without_room_for_all_says_what_was_asked(scratch: ScratchBrain) -> None:
    # After the value changed and the reference, the work order's whole status has no room in one reply: who comes
    # when is what the caller asked.
    async with scratch.fresh() as brain:
        state = CallState("read-at-once-room")
        await say(brain, state, "Hi, two things. The air compressor at Westfield Depot, C-4202, has a small oil weep at the "
                                "bearing housing, medium priority. And can you tell me when the technician is coming for "
                                "WO-10002?")
        actions = await say(brain, state, "make it high, yes go ahead")
        assert tools_ok(actions) == ["create_work_order", "get_work_order"], spoken(actions)
        assert "Dev Patel" in spoken(actions) and len(spoken(actions).split()) <= 40, spoken(actions)


async def test_what_a_noise_told_unpunctuated_usually_means_is_answered_from_the_articles(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("what-it-means")
        actions = await say(brain, state, "okay so twenty one oh two has started making a pulsing roaring noise since this "
                                          "morning what does that usually mean")
        assert "surge" in spoken(actions) and not state.task, spoken(actions)


async def test_a_question_written_after_a_dash_is_what_the_turn_asks(scratch: ScratchBrain) -> None:
    # (Round 45.) "My technician's at gas turbine generator 2, G-6802 - has it got anything open on it?" asks what is
    # open on the thing, however much the story before it sounds like a fault to log.
    async with scratch.fresh() as brain:
        state = CallState("question-after-dash")
        actions = await say(brain, state, "Hi, I'm the shift manager at Stonebridge. My technician's at gas turbine "
                                          "generator 2, G-6802 - has it got anything open on it?")
        assert tools_ok(actions) == ["lookup_asset"] and "No open work orders" in spoken(actions), spoken(actions)


@pytest.mark.parametrize("turns", [
    ["Riverside admin. For the aircon job, WO-10004, can I book your technician for the 15th of March?"],
    ["Can I book a technician for WO-10004?", "the 15th of March please"],
])
async def test_a_visit_asked_further_ahead_than_bookings_go_is_told_at_once(scratch: ScratchBrain, turns: list[str]) -> None:
    # (Round 45.) The tool's description says how far ahead: said when the day is heard, not after a read-back and a
    # refusal from the server; the day is asked again.
    async with scratch.fresh() as brain:
        state = CallState("too-far-ahead")
        for turn in turns:
            actions = await say(brain, state, turn)
        assert "60 days ahead" in spoken(actions) and spoken(actions).endswith("?"), spoken(actions)
        assert "date" not in state.task["args"] and state.task["asking"] == "date", state.task
