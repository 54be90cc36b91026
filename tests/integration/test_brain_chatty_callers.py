"""Round 64-65 mechanisms through the real brain and tool servers: callers who ask about the line itself (is it a
machine, does a person read this, is this the right line) before or beside their request, policy questions asked on
the way (is it true that ..., how far ahead ...), a need told beside a how-to question, what happens after a ticket,
chasing a record for someone else, and newcomers whose first words are who sent them or when they started."""

from __future__ import annotations

import pytest

from agent.contracts.actions import HandoffEvent
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import say
from tests.integration.test_agents_brain import scratch, spoken, tools_ok  # noqa: F401  (one scratch brain here too)
from tests.support.scratch import ScratchBrain

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _handed_over(actions: list) -> bool:
    return any(isinstance(a, HandoffEvent) for a in actions)


async def test_asked_about_the_line_before_anything_else_it_is_answered_not_put_through(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        for said in ("Hello! A quick one before I start, am I speaking to a robot or a real person?",
                     "Will anyone actually see what I'm telling you, or is it all just a computer?"):
            state = CallState("line-question")
            actions = await say(brain, state, said)
            assert not _handed_over(actions) and not state.task, spoken(actions)
            assert "automated assistant" in spoken(actions) or "reads what you tell me" in spoken(actions), spoken(actions)
        # A person asked for as well is a person.
        state = CallState("line-then-person")
        actions = await say(brain, state, "Is this a machine? Put me through to someone on the desk, please.")
        assert _handed_over(actions), spoken(actions)


async def test_a_request_beside_a_question_about_the_line_is_taken_up(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("line-and-status")
        actions = await say(brain, state, "Is this the IT help desk line? Never mind. Where has INC-20001 got to?")
        assert tools_ok(actions) == ["get_incident"], spoken(actions)
        state = CallState("machine-and-fault")
        actions = await say(brain, state, "Are you a machine? Whatever. The printer on our floor keeps jamming on every job.")
        assert spoken(actions).startswith("I'm the help line's automated assistant.") and state.task, spoken(actions)
        assert state.task["intent"] == "incident.create", state.task


async def test_a_rule_checked_or_asked_on_the_way_is_answered_from_the_articles(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("is-it-true")
        actions = await say(brain, state, "Northgate office here. Is it true that low priority jobs can wait ten working days?")
        assert not state.task and "10 working days" in spoken(actions), spoken(actions)


async def test_a_need_told_beside_a_how_to_question_is_started_after_the_answer(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("need-and-question")
        actions = await say(brain, state, "I need a new docking station for the hot desk. How long does that usually take?")
        assert state.task and state.task["intent"] == "service_request.create", spoken(actions)
        assert spoken(actions).endswith("?"), spoken(actions)  # its first question, in place of "anything else?"


async def test_what_happens_after_a_ticket_is_who_has_it_and_how_soon(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("what-next")
        await say(brain, state, "INC-20001, the VPN one. Can you make it urgent please, the whole depot is off.")
        await say(brain, state, "yes")
        actions = await say(brain, state, "What happens now then, will somebody phone me?")
        assert not _handed_over(actions), spoken(actions)
        assert "Network Operations has it" in spoken(actions) and "4 hours" in spoken(actions), spoken(actions)


async def test_chasing_a_record_for_someone_else_reads_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("chasing")
        actions = await say(brain, state, "Hello, the ops manager asked me to chase up a ticket about Outlook, INC-20003.")
        assert tools_ok(actions) == ["get_incident"] and not state.task, spoken(actions)


async def test_who_sent_the_caller_and_when_they_started_are_no_part_of_the_request(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("sent-here")
        await say(brain, state, "Hi, I'm a temp at Millbrook. The supervisor told me to call this number. Booster pump "
                                "two, A702, is leaking oil all over the floor.")
        summary = str((state.task or {}).get("args", {}).get("summary", ""))
        assert "leak" in summary and "told" not in summary and "number" not in summary, state.task
        state = CallState("started-monday")
        actions = await say(brain, state, "Hi, I joined the finance team on Monday and I've forgotten my password. "
                                          "Now it's saying my account is locked.")
        assert state.task and state.task["intent"] == "password.reset", spoken(actions)


async def test_being_new_is_who_calls_not_a_request_for_access(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("just-joined")
        actions = await say(brain, state, "Hi, I've just started with the finance team and my laptop says the wifi "
                                          "certificate has expired.")
        assert state.task and state.task["intent"] == "incident.create", spoken(actions)


async def test_who_calls_said_with_a_new_request_is_no_attempt_at_the_number_asked(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("new-request-at-number")
        await say(brain, state, "Can you check on my service request?")
        actions = await say(brain, state, "Right. I need write access to Maximo to raise work orders. I'm Liam Murphy, E11234.")
        assert "I heard" not in spoken(actions) and (state.task or {}).get("intent") == "access.request", spoken(actions)


async def test_a_question_of_how_things_work_before_a_record_is_no_act_of_its_own(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("who-decides-then-record")
        actions = await say(brain, state, "Hi, depot office. Who decides how urgent a ticket is, anyway? Mine is the "
                                          "tablet one, INC-20004, I want to know where it's at.")
        assert tools_ok(actions) == ["get_incident"] and not state.task, spoken(actions)
