"""Round 48-49 mechanisms through the real brain and tool servers: what the line is for, questions answered from the
right sentence of an article, a change to the record just made, whether anyone is on a thing, advice asked inside a
fault report, words added to a named ticket, the articles' own word on who does a job or which record it needs, a
visit named by the trade that comes, and two things said of one record."""

from __future__ import annotations

import re

import pytest

from agent.brain.switchboard import CAPABILITIES
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain for this module too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize("opening", [
    "Morning, I'm covering the front desk this week. What can you do for me?",
    "Do you deal with printer problems as well, or is it only the plant?",
    "Hi, I've just joined the night shift in the control room. What's this number for?",
])
async def test_a_question_about_what_the_line_does_is_answered_with_what_it_does(scratch: ScratchBrain, opening: str) -> None:
    async with scratch.fresh() as brain:
        actions = await say(brain, CallState("line"), opening)
        assert CAPABILITIES in spoken(actions) and not tools_ok(actions), spoken(actions)


@pytest.mark.parametrize("question, answer", [
    ("Where would I look for the tag on one of the compressors?", "base frame"),
    ("Where do they put the number plate on a pump, roughly?", "base frame"),
    ("Is there any way to change my password on my own, without phoning the desk?", "Ctrl+Alt+Del"),
    ("How do I change my password myself?", "Ctrl+Alt+Del"),
])
async def test_a_how_to_is_answered_by_the_sentence_of_the_kind_asked(scratch: ScratchBrain, question: str, answer: str) -> None:
    async with scratch.fresh() as brain:
        actions = await say(brain, CallState("kind"), question)
        assert answer in spoken(actions) and not tools_ok(actions), spoken(actions)


@pytest.mark.parametrize("change", [
    "Oh, could you put that one down as urgent?",
    "Thinking about it I'd say urgent, it's getting worse by the minute.",
])
async def test_a_priority_said_right_after_a_job_is_raised_changes_that_job(scratch: ScratchBrain, change: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState("change-made")
        await say(brain, state, "The chiller H-1420 at site 14 is tripping on high pressure.")
        made = await say(brain, state, "Yes.")
        assert tools_ok(made) == ["create_work_order"], spoken(made)
        actions = await say(brain, state, change)
        assert state.task and state.task["tool"] == "update_work_order", spoken(actions)
        assert state.task["args"].get("priority") == "urgent" and re.search(r"one zero zero, one three", spoken(actions))
        done = await say(brain, state, "Yes.")
        assert tools_ok(done) == ["update_work_order"], spoken(done)


async def test_asked_to_find_out_whether_anybody_is_fixing_a_thing_reads_its_job(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        # (what is wrong with it told as well: still a question after its job, not a new fault)
        actions = await say(brain, CallState("find-out"), "The site manager asked me to find out if anybody is sorting "
                                                           "the emergency generator at Harbor Road, the one that wouldn't start.")
        assert tools_ok(actions) == ["get_work_order"] and "one zero zero, zero six" in spoken(actions), spoken(actions)


async def test_yes_to_a_new_job_for_a_thing_with_none_opens_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("none-yes")
        first = await say(brain, state, "Does anyone know about the air compressor in the workshop at Westfield Depot? "
                                        "It's knocking badly.")
        assert spoken(first).startswith("There's no work order for") and "C, four two, zero two" in spoken(first)
        actions = await say(brain, state, "Yes please.")
        assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
        assert state.task["args"].get("asset_tag") == "C-4202" and state.task["args"].get("site") == 42, state.task["args"]


async def test_advice_asked_in_a_fault_report_is_answered_then_the_job_raised_for_that_thing(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("advice")
        actions = await say(brain, state, "Pump P-4512 at Riverside has stopped, the motor protection relay tripped "
                                          "again, that's three times now. Should I reset it once more?")
        assert "do not reset it again" in spoken(actions) and not tools_ok(actions), spoken(actions)
        assert "password" not in spoken(actions).lower(), spoken(actions)
        actions = await say(brain, state, "Okay. Log a job for the electrician then, high priority.")
        args = (state.task or {}).get("args", {})
        assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
        assert args.get("asset_tag") == "P-4512" and args.get("site") == 12 and args.get("priority") == "high", args


@pytest.mark.parametrize("opening, tool", [
    # words added to a ticket named
    ("Could you add to incident 20002 that it now happens on the docking station too?", "add_incident_comment"),
    # the record the nearest article section says to ask for ("Ask for a service request to clear it.")
    ("I've swapped to a new handset so the Authenticator needs moving and the old registration taking off. I'm E11402.",
     "create_service_request"),
    # a trade as what is cancelled is the visit; who found the fault is no visit
    ("Can you cancel the electrician for work order 10002? We found the fault ourselves. Keep the job open though.",
     "cancel_visit"),
    ("Work order 10004, you can cancel it. Our electrician found a tripped breaker and it's fine now.", "update_work_order"),
])
async def test_the_act_the_words_or_the_articles_name_is_the_one_read_back(scratch: ScratchBrain, opening: str, tool: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState("named-act")
        actions = await say(brain, state, opening)
        assert state.task and state.task["tool"] == tool, spoken(actions)


async def test_a_product_the_articles_send_to_a_person_named_by_the_caller_is_handed_over(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("bitlocker")
        actions = await say(brain, state, "After this morning's update my laptop shows a BitLocker recovery page and I "
                                          "can't get past it.")
        assert state.handoff and "articles:person" in str(state.routes[-1]), spoken(actions)


async def test_two_things_said_of_one_record_are_both_done(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("two-on-one")
        await say(brain, state, "Couple of things on WO-10003. Add a note that the bearings came in today. And book "
                                "an engineer for Friday morning to fit them.")
        done = await say(brain, state, "Yes.")
        assert tools_ok(done) == ["add_work_order_note"] and "visit" in spoken(done).lower(), spoken(done)
        actions = await say(brain, state, "Yes.")
        assert state.task and state.task["tool"] == "schedule_visit", spoken(actions)


async def test_a_request_dropped_by_its_kind_then_another_asked_does_that_one(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("drop-kind")
        await say(brain, state, "I'm ringing for the Millbrook supervisor, he wants an engineer booked for work order "
                                "10006 on Friday morning.")
        actions = await say(brain, state, "Oh wait, he says scrap the visit. Just put a note on it that the starter "
                                          "contactor has been ordered.")
        assert "Nothing was sent" in spoken(actions) and not tools_ok(actions), spoken(actions)
        assert state.task is None or state.task["tool"] == "add_work_order_note" or state.dialogue.get("clarify"), state.task


async def test_dropping_a_request_with_a_plan_of_ones_own_is_no_request_for_a_person(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("own-plan")
        await say(brain, state, "the chiller at north ridge is tripping again")
        actions = await say(brain, state, "hang on. my manager's on the other phone. forget it, i'll call back later.")
        assert not state.handoff and state.task is None and "Nothing was sent" in spoken(actions), spoken(actions)


@pytest.mark.parametrize("said, person", [
    ("The visit for WO-10002 is tomorrow but the operator can't be there, can you move it to Friday?", False),
    ("Can you put me through to the operator please?", True),
])
async def test_a_person_told_of_is_not_a_person_asked_for(scratch: ScratchBrain, said: str, person: bool) -> None:
    async with scratch.fresh() as brain:
        state = CallState("told-of")
        actions = await say(brain, state, said)
        assert bool(state.handoff) is person, spoken(actions)


async def test_a_job_and_a_visit_for_it_in_one_breath_are_both_done_the_priority_with_the_job(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("job-and-visit")
        first = await say(brain, state, "riverside site twelve, pump A123 is screaming and the pressure's dropped, "
                                        "can you raise a job, urgent priority, and get someone out today, evening's fine")
        assert state.task and state.task["args"].get("priority") == "urgent", spoken(first)
        done = await say(brain, state, "yes")
        # The visit was asked for with the job: read back straight after it, not offered again.
        assert tools_ok(done) == ["create_work_order"] and "visit" in spoken(done).lower(), spoken(done)
        assert state.task and state.task["tool"] == "schedule_visit", spoken(done)
        assert state.task["args"].get("time_window") == "evening", state.task["args"]
        assert tools_ok(await say(brain, state, "yes")) == ["schedule_visit"]


async def test_a_record_number_put_right_in_the_same_breath_reads_the_right_one(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        for said, meant in (("status of work order one zero zero zero two sorry no one zero zero zero three please",
                             "zero zero, zero three"),
                            ("hi can you give me the status of work order one zero zero one one sorry no one zero zero "
                             "one two its for my supervisor", "zero zero, one two")):
            actions = await say(brain, CallState("repair"), said)
            assert tools_ok(actions) == ["get_work_order"] and meant in spoken(actions), spoken(actions)


@pytest.mark.parametrize("said, answer", [
    ("printer jammed again. fix?", "front panel"),
    ("vpn says token out of sync. what now?", "resync"),
])
async def test_a_clipped_what_now_is_answered_from_the_articles(scratch: ScratchBrain, said: str, answer: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState("clipped")
        actions = await say(brain, state, said)
        assert "create_incident" not in tools_ok(actions) and (answer in spoken(actions) or state.handoff), spoken(actions)


async def test_an_unpunctuated_advice_question_is_answered_and_raise_one_opens_the_job_for_the_story(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("advice-bare")
        actions = await say(brain, state, "er the intake pump at riverside keeps tripping its relay ive reset it three "
                                          "times should i reset it again")
        assert "do not reset it again" in spoken(actions), spoken(actions)
        actions = await say(brain, state, "Right, raise one then. It's A123.")
        summary = ((state.task or {}).get("args") or {}).get("summary", "")
        assert state.task and state.task["tool"] == "create_work_order" and "trip" in summary, (spoken(actions), summary)


async def test_how_long_after_an_escalation_is_answered_by_the_target_for_its_new_priority(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("after-escalation")
        await say(brain, state, "My Outlook keeps asking for my password, that's INC-20003, and nobody has touched it. "
                                "Please escalate it.")
        done = await say(brain, state, "Yes.")
        assert tools_ok(done) == ["escalate_incident"], spoken(done)
        actions = await say(brain, state, "so how long have they got to fix it now")
        assert "working day" in spoken(actions), spoken(actions)


async def test_a_question_about_what_follows_a_read_is_answered_by_the_kind_asked(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("after-read")
        read = await say(brain, state, "What's happening with SR-30003?")
        assert tools_ok(read) == ["get_service_request"], spoken(read)
        actions = await say(brain, state, "And when she's approved it, how long does it normally take?")
        assert "working day" in spoken(actions), spoken(actions)
