"""Round 52-53 mechanisms through the real brain and tool servers: a story told before a request is no look-up, a
question after thanks keeps the call, questions after a request answered from the articles (a yes/no question, a
thing's routine, what may be done if something happens, what the caller can do alone, which one to use, the first
thing to check), a question said with a yes, a request put as "is that something you can do?", a first part taken
back, and summaries without who calls, their job or how urgent it is not."""

from __future__ import annotations

import re

import pytest

from agent.contracts.actions import EndCall
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain for this module too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _read_back(brain, state: CallState, request: str, details: str = "") -> None:
    """``request`` said, then ``details`` to each question asked, until it is read back."""
    await say(brain, state, request)
    while details and state.task and not state.task.get("confirming"):
        await say(brain, state, details)


async def _sent(brain, state: CallState, request: str, tool: str, *, details: str = "", yes: str = "Yes.") -> None:
    """``request`` read back and sent with ``yes``: ``tool``, and only it, ran."""
    await _read_back(brain, state, request, details)
    done = await say(brain, state, yes)
    assert tools_ok(done) == [tool], spoken(done)


async def test_a_story_told_before_the_request_is_no_look_up(scratch: ScratchBrain) -> None:
    # "The compressor had its service last week" names the thing and tells; it asks nothing to be looked up.
    async with scratch.fresh() as brain:
        state = CallState("story-first")
        actions = await say(brain, state, "Hello, Sam Okafor from the depot office. The compressor in the workshop had "
                                          "its service last week and now it's knocking badly. It's C-4202 at site 42. "
                                          "Put it in as medium please.")
        assert not tools_ok(actions) and state.task and state.task["tool"] == "create_work_order", spoken(actions)
        assert state.task["args"].get("asset_tag") == "C-4202" and state.task["args"].get("priority") == "medium"


async def test_thanks_then_a_question_keeps_the_call_and_is_answered(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("thanks-question")
        read = await say(brain, state, "What's happening with work order 10002?")
        assert tools_ok(read) == ["get_work_order"], spoken(read)
        actions = await say(brain, state, "Lovely, thanks. Does he need anything from us before he can get in?")
        assert not any(isinstance(a, EndCall) for a in actions) and "Goodbye" not in spoken(actions), spoken(actions)


async def test_a_yes_or_no_question_after_a_change_is_answered_from_the_articles(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("is-it-too-hot")
        await _sent(brain, state, "Please make work order 10004 high priority, the control room is getting hotter.",
                    "update_work_order")
        actions = await say(brain, state, "Would thirty-two degrees in there be a problem for the kit?")
        assert "30 degrees" in spoken(actions) and not state.task and not tools_ok(actions), spoken(actions)


@pytest.mark.parametrize("question, answer", [
    ("When does the weekly generator test happen, roughly?", "Monday"),
    ("Which wireless network should my visitor pick on her laptop?", "NW-Guest"),
    ("If I print and nothing comes out, what's the first thing to check?", "Northwind-Print"),
])
async def test_questions_of_routine_choice_and_first_steps_are_answered_from_the_articles(
        scratch: ScratchBrain, question: str, answer: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState("routine")
        actions = await say(brain, state, question)
        assert answer in spoken(actions) and not state.task and not tools_ok(actions), spoken(actions)


async def test_what_may_be_done_if_something_happens_is_answered_not_done(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("if-then-can")
        await _sent(brain, state, "Can you book a technician for work order 10004 tomorrow afternoon?",
                    "schedule_visit")
        actions = await say(brain, state, "If the fitter gets held up on the day, could we move it to another day?")
        assert re.search(r"\bmove\b", spoken(actions)) and not state.task and not tools_ok(actions), spoken(actions)


async def test_what_the_caller_can_do_alone_asked_at_a_read_back_is_answered_and_the_read_back_kept(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("alone-at-read-back")
        await _read_back(brain, state, "I'd like a headset for Teams calls please, I'm E10482.",
                         "A wired headset for Teams calls.")
        assert state.task and state.task["tool"] == "create_service_request", state.task
        actions = await say(brain, state, "While I have you, could I change my password myself next time without phoning?")
        assert "Ctrl+Alt+Del" in spoken(actions) and state.task and state.task["tool"] == "create_service_request", spoken(actions)


async def test_a_question_said_with_the_yes_is_answered_from_what_was_done(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("yes-and-who")
        await say(brain, state, "Could somebody come out for work order 10004 tomorrow morning?")
        actions = await say(brain, state, "Yes please, and who's coming?")
        assert tools_ok(actions) == ["schedule_visit"] and "Maria Lopez" in spoken(actions), spoken(actions)
        assert "can't help" not in spoken(actions)


async def test_an_unsure_question_after_a_request_is_answered_from_its_articles(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("toner-when")
        await _sent(brain, state, "The printer in the finance office is out of toner, can you order a cartridge? E10482.",
                    "create_service_request", details="A toner cartridge for the finance printer.")
        actions = await say(brain, state, "When should the cartridge reach us?")
        assert "next working day" in spoken(actions) and "get this right" not in spoken(actions), spoken(actions)


async def test_a_request_put_as_is_that_something_you_can_do_is_that_request(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("something-you-can")
        actions = await say(brain, state, "Hi, Dev Patel, E10517. I need Power BI on my laptop for the monthly figures. "
                                          "Is that something you could sort out for me?")
        assert state.task and state.task["tool"] == "create_service_request", spoken(actions)
        assert "something you" not in str(state.task["args"].get("summary", "")), state.task["args"]


async def test_a_first_part_taken_back_is_no_request_of_its_own(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("scratch-that")
        actions = await say(brain, state, "Site fourteen. The chiller H1420 is... no, scratch that, the chiller is fine. "
                                          "It's the bypass valve beside it, V1410, it won't shut off fully.")
        assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
        assert state.task["args"].get("asset_tag", "").replace("-", "") == "V1410" and "other thing" not in spoken(actions), \
            spoken(actions)


async def test_how_quickly_asked_after_a_lead_in_at_a_read_back_is_answered_by_the_chosen_priority(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("before-you-do")
        await say(brain, state, "The pump A125 at site 12 is leaking badly, log it as urgent please.")
        actions = await say(brain, state, "Just before you do, how quickly does an urgent one get seen?")
        assert "4 hours" in spoken(actions) and state.task and state.task.get("confirming"), spoken(actions)


async def test_an_act_asked_right_after_a_change_is_done_on_the_record_changed(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("write-after-write")
        await _sent(brain, state, "Please bump work order 10005 up to high priority.", "update_work_order")
        actions = await say(brain, state, "And could you also stick a note on that it squeals when it moves now?")
        assert state.task and state.task["tool"] == "add_work_order_note", spoken(actions)
        assert state.task["args"].get("work_order_id") == "WO-10005", state.task["args"]


async def test_the_reference_asked_for_at_a_read_back_is_not_there_yet(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("no-reference-yet")
        await say(brain, state, "The pump A125 at site 12 is leaking, log it as high please.")
        actions = await say(brain, state, "sorry whats the reference number")
        assert "no reference yet" in spoken(actions) and state.task and state.task.get("confirming"), spoken(actions)
        assert not tools_ok(actions)


async def test_leave_it_for_a_plan_of_their_own_drops_the_request_anywhere_in_the_turn(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("own-plan")
        await say(brain, state, "The pump A125 at site 12 is leaking, log it as high please.")
        actions = await say(brain, state, "oh wait the fitter might have sorted it already leave it for now ill call "
                                          "back later if not")
        assert state.task is None and not tools_ok(actions), spoken(actions)


async def test_a_step_of_their_own_on_a_seized_valve_is_advised_then_the_job_raised_for_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("bar-on-handwheel")
        advice = await say(brain, state, "The valve A126 at Riverside has seized solid. Could I put a bar on the "
                                         "handwheel to shift it?")
        assert "cheater bar" in spoken(advice) and not state.task, spoken(advice)
        actions = await say(brain, state, "Right, raise a job for it then, low priority.")
        assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
        assert state.task["args"].get("asset_tag") == "A126" and state.task["args"].get("priority") == "low", state.task["args"]


async def test_thanks_run_on_into_a_question_of_the_priority_just_given_is_answered(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("thanks-how-long")
        await _sent(brain, state, "The chiller H-1420 at site 14 is dripping from underneath, low priority.",
                    "create_work_order")
        actions = await say(brain, state, "cheers and roughly how long for a low one")
        assert "10 working days" in spoken(actions) and not any(isinstance(a, EndCall) for a in actions), spoken(actions)


async def test_a_name_checked_back_is_answered_from_the_booking(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("name-checked")
        await _sent(brain, state, "Can someone come out for work order 10003 tomorrow evening?", "schedule_visit")
        actions = await say(brain, state, "And that's Sam, yeah?")
        assert "Sam O'Connor" in spoken(actions) and "can't help" not in spoken(actions), spoken(actions)


async def test_the_new_ones_number_is_the_record_made_not_the_one_read_since(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("new-ones-number")
        await _sent(brain, state, "I need a docking station for my desk please, I'm E10620.", "create_service_request",
                    details="A docking station for my desk.")
        read = await say(brain, state, "And where is SR-30005 up to?")
        assert tools_ok(read) == ["get_service_request"], spoken(read)
        actions = await say(brain, state, "ok thanks whats the new ones number again")
        assert "three zero zero, zero seven" in spoken(actions), spoken(actions)


async def test_doing_it_alone_without_ringing_is_no_request_for_a_person(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("alone-no-person")
        await _sent(brain, state, "I'm locked out of my account, it's E10482.",
                    "request_password_reset", yes="Yes please.")
        actions = await say(brain, state, "Could I do it by myself next time, without ringing you?")
        assert "Ctrl+Alt+Del" in spoken(actions) and state.handoff is None, spoken(actions)


async def test_who_has_it_after_an_escalation_is_the_team_it_went_to(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("who-has-it")
        await _sent(brain, state, "Please escalate INC-20003, Outlook is still asking for my password every hour.",
                    "escalate_incident")
        actions = await say(brain, state, "Right, and who's got it now?")
        assert "Messaging" in spoken(actions), spoken(actions)


async def test_how_long_is_answered_by_a_duration_not_by_a_clause_that_shares_a_word(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("link-how-long")
        await _sent(brain, state, "I'm locked out after too many tries, E11003.",
                    "request_password_reset", yes="Yes please.")
        actions = await say(brain, state, "How long does the link stay valid for?")
        assert "30 minutes" in spoken(actions), spoken(actions)


async def test_what_a_message_is_usually_about_is_answered_from_the_articles(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("usually-about")
        actions = await say(brain, state, "If the VPN says authentication failed, what's that normally down to?")
        assert "token" in spoken(actions) and not state.task, spoken(actions)


async def test_the_target_for_a_priority_asked_after_a_ticket_is_read_is_the_target_not_the_ticket(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("target-after-read")
        read = await say(brain, state, "whats happening with my outlook ticket inc two zero zero zero three")
        assert tools_ok(read) == ["get_incident"], spoken(read)
        actions = await say(brain, state, "ok and whats the target for a medium one")
        assert "3 working days" in spoken(actions), spoken(actions)


async def test_someone_elses_earlier_report_then_where_it_has_got_to_reads_the_record(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("their-report")
        actions = await say(brain, state, "Morning, I'm the admin at Harbor Road. Our shift lead reported the emergency "
                                          "generator failing to start, and the reference is W O one double zero zero "
                                          "six. I need to know where it's got to for my report.")
        assert tools_ok(actions) == ["get_work_order"] and not state.task, spoken(actions)


async def test_how_quickly_at_a_read_back_with_no_priority_yet_gives_each_priority(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("how-quickly-no-priority")
        await say(brain, state, "The standby generator A125 at site 12 is showing a charger fault.")
        assert state.task and state.task.get("confirming"), state.task
        actions = await say(brain, state, "Hang on, how soon would someone come out?")
        assert "within 24 hours" in spoken(actions) and "4 hours" in spoken(actions), spoken(actions)
        assert state.task and state.task.get("confirming"), spoken(actions)
