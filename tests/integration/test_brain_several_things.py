"""Round 78 mechanisms through the real brain and tool servers: busy callers who pack three or more records, faults,
questions and changes into one turn. Wordings of their own, not the evaluation's."""

from __future__ import annotations

import pytest

from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_three_records_listed_in_one_turn_are_each_read(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # Counted and listed: before, "three jobs" was taken as the count alone ("go ahead with the first one").
        state = CallState("three-jobs")
        actions = await say(brain, state, "Lee from stores. I've got three jobs to chase: WO-10002, WO-10006 and "
                                          "WO-10008. Where are they all up to?")
        said = spoken(actions)
        assert tools_ok(actions) == ["get_work_order"] * 3, said
        assert all(n in said for n in ("zero zero, zero two", "zero zero, zero six", "zero zero, zero eight")), said
        assert "first one" not in said, said
        # Of two kinds, three in all: before, the third was never read.
        state = CallState("three-tickets")
        actions = await say(brain, state, "Can you tell me how INC-20004, INC-20006 and SR-30001 are getting on?")
        assert tools_ok(actions) == ["get_incident", "get_incident", "get_service_request"], spoken(actions)
        # Things by their tags, with what is asked of all: each one looked up.
        state = CallState("three-assets")
        actions = await say(brain, state, "For a permit I need to know what C-2101, C-2103 and V-2110 are, and when "
                                          "each was last serviced.")
        said = spoken(actions)
        assert tools_ok(actions) == ["lookup_asset"] * 3, said
        assert "C-2101" in said and "C-2103" in said and "V-2110" in said, said


async def test_three_counted_faults_are_three_jobs_each_with_its_own_thing_and_priority(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("three-faults")
        actions = await say(brain, state, "Westfield depot, site 42, three for you. The rooftop unit H-4201 is blowing "
                                          "warm air. The air compressor C-4202 keeps cutting out, put that one in as "
                                          "high. And the dewatering pump P-4204 won't prime.")
        said = spoken(actions)
        assert "H, four two, zero one" in said and "three for you" not in said.lower(), said
        made = []
        for _ in range(6):
            actions = await say(brain, state, "yes")
            made += [a.arguments for a in actions if getattr(a, "name", "") == "create_work_order"
                     and getattr(a, "status", "") == "ok"]
            if "Anything else" in spoken(actions):
                break
        assert [m["asset_tag"] for m in made] == ["H-4201", "C-4202", "P-4204"], made
        assert made[1].get("priority") == "high" and made[2].get("priority") != "high", made


async def test_a_counted_turn_with_a_cue_is_split_at_every_boundary_and_each_part_done_in_turn(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # Before, the cue split it in two, and the first part (a new job) was taken as a change to WO-10002.
        state = CallState("three-with-cue")
        actions = await say(brain, state, "Three quick ones. The standby generator G-2120 at Eastgate, site 21, failed "
                                          "its weekly run, I need a job raised for that, medium. While I'm on, when's "
                                          "someone coming out for WO-10002? And can you raise WO-10004 to high, the "
                                          "room's at thirty degrees.")
        said = spoken(actions)
        assert "open a work order" in said and "G, two one, two zero" in said, said
        actions = await say(brain, state, "yes")
        said = spoken(actions)
        # The job made, the visit read and told (who comes), and the change read back: all in turn.
        assert tools_ok(actions) == ["create_work_order", "get_work_order"], said
        assert "Dev Patel" in said and "zero zero, zero four" in said and "priority high" in said, said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["update_work_order"], spoken(actions)


async def test_declining_one_of_three_offers_the_next_and_closing_at_a_read_back_still_reads_the_named_record(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("decline-middle")
        await say(brain, state, "Maria Lopez, E10482. Couple of things. My desk phone has no dial tone since lunch. "
                                "And Word freezes every time I save a document. And while I have you, what's the "
                                "latest on INC-20001?")
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_incident"], spoken(actions)
        actions = await say(brain, state, "no, leave the Word one")
        said = spoken(actions)
        # Before, a no dropped everything kept; the record asked about is still offered.
        assert "leave that" in said and "Shall we" in said, said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["get_incident"], spoken(actions)
    async with scratch.fresh() as brain:
        state = CallState("close-at-read-back")
        await say(brain, state, "Ben Carter, E11402. I'm locked out, I need a password reset. While I've got you, I "
                                "need read access to the SCADA historian for the outage review. And what's happening "
                                "with INC-20002?")
        await say(brain, state, "yes")
        actions = await say(brain, state, "yes")
        assert "access request" in spoken(actions), spoken(actions)
        actions = await say(brain, state, "No, that's everything.")
        said = spoken(actions)
        # The access request sent, the record asked about read, then goodbye.
        assert tools_ok(actions) == ["request_access", "get_incident"], said
        assert "Goodbye" in said, said


async def test_a_value_said_for_all_is_no_request_and_two_problems_of_different_kinds_are_two(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("value-for-both")
        actions = await say(brain, state, "Tom Reyes, E11003. Two problems. My Teams calls keep dropping after a "
                                          "minute, and Word freezes every time I save. Neither is urgent, make them "
                                          "both low.")
        said = spoken(actions)
        # Before: one incident, its summary "neither is urgent", priority urgent.
        assert "neither" not in said.lower() and "urgent" not in said.lower(), said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_incident"], spoken(actions)
        actions = await say(brain, state, "yes")
        said = spoken(actions)
        assert "word freezes" in said.lower() and "priority low" in said, said
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["create_incident"], spoken(actions)
        assert "Anything else" in spoken(actions) or "anything" in spoken(actions).lower(), spoken(actions)


async def test_a_note_and_a_priority_asked_together_are_one_update_and_a_pointed_back_note_is_its_own_request(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("note-and-priority")
        actions = await say(brain, state, "On WO-10003, the Eastgate compressor, the discharge pressure has dropped "
                                          "again. Put that down as a note and raise it to high please.")
        said = spoken(actions)
        # Before: the note alone, the priority dropped.
        assert "update the work order" in said and "priority high" in said and "note" in said, said
    async with scratch.fresh() as brain:
        state = CallState("cancel-note-ask")
        actions = await say(brain, state, "Cancel the visit on WO-10002, we've got an audit on site. Put a note on it "
                                          "that the relay was swapped by our own team. And is anything open on the "
                                          "cooling oil pump, P-4512?")
        assert "cancel the visit" in spoken(actions), spoken(actions)
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["cancel_visit"] and "note" in spoken(actions), spoken(actions)
        actions = await say(brain, state, "yes")
        said = spoken(actions)
        assert "add a work order note" in said and "relay was swapped" in said, said
        actions = await say(brain, state, "yes")
        # The note sent, then the thing asked about read without another offer.
        assert tools_ok(actions) == ["add_work_order_note", "lookup_asset"], spoken(actions)


async def test_a_change_to_an_earlier_record_at_a_read_back_is_done_straight_after_on_the_record_it_describes(
        scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("move-at-read-back")
        await say(brain, state, "Can you book an engineer for WO-10005, the backwash valve, on Thursday morning?")
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["schedule_visit"], spoken(actions)
        await say(brain, state, "And the blower at Lakeside, C-5520, is grinding, raise a job for that.")
        actions = await say(brain, state, "Actually, move the backwash valve visit to Friday afternoon.")
        # Before: taken as more words for the job being read back. Now said back with its values, one yes for both.
        said = spoken(actions)
        assert "straight after" in said and "friday" in said.lower() and "afternoon" in said, said
        actions = await say(brain, state, "yes, that's all")
        # On the record the caller's words named (the backwash valve's job), not the job just made.
        assert tools_ok(actions) == ["create_work_order", "reschedule_visit"], spoken(actions)
        moved = next(a for a in actions if getattr(a, "name", "") == "reschedule_visit" and a.status == "ok")
        assert moved.arguments["work_order_id"] == "WO-10005", moved.arguments


async def test_closing_a_record_beside_a_new_thing_never_sets_it_back_to_new(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("close-not-new")
        actions = await say(brain, state, "Dev Patel, E10517. My replacement tablet arrived, so you can close INC-20004. "
                                          "The new tablet is working fine.")
        said = spoken(actions)
        assert "status new" not in said and ("closed" in said or "resolved" in said), said
