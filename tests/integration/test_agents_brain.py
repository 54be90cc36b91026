"""SwitchboardBrain end to end in-process: coordinator, domain agents, real MCP servers, hand-over store."""

from __future__ import annotations

import dataclasses
import re
import json
from pathlib import Path
from typing import AsyncIterator

import pytest
import pytest_asyncio

from agent.contracts.actions import CallerInput, EndCall, HandoffEvent, RouteEvent, Say, ToolEvent
from agent.brain import slots
from agent.brain.domain import INTENT_TOOLS
from agent.brain.switchboard import SwitchboardBrain
from agent.config import Settings
from agent.contracts.state import CallState
from tests.eval.conversations.conversation_runner import kill_server, repeated_questions, say
from tests.support import knowledge
from tests.support.scratch import ScratchBrain


#: One brain for the module, like one container serving many calls (building the index is slow).
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("brain")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def brain(data_dir: Path):
    b = SwitchboardBrain.from_settings(Settings(data_dir=knowledge.seeded(data_dir)))
    await b.start()
    yield b
    await b.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scratch(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ScratchBrain]:
    """A second brain for tests that write records other tests of the module change too: its stores are put
    back to the seed by each ``scratch.fresh()``."""
    async with ScratchBrain.started(tmp_path_factory.mktemp("scratch")) as started:
        yield started


def spoken(actions: list) -> str:
    return " ".join(a.text for a in actions if isinstance(a, Say))


async def test_greeting(brain: SwitchboardBrain) -> None:
    actions = [a async for a in brain.greet(CallState("g"))]
    assert actions and isinstance(actions[0], Say) and "help" in actions[0].text


async def test_route_event_then_question_then_continue_without_rerouting(brain: SwitchboardBrain) -> None:
    state = CallState("route")
    first = await say(brain, state, "the pump at site twelve is leaking badly")
    assert isinstance(first[0], RouteEvent) and first[0].target == "field_ops"
    assert spoken(first).endswith("What is the asset tag on the equipment?")
    routes = len(state.routes)
    second = await say(brain, state, "A one two three")
    assert not [a for a in second if isinstance(a, RouteEvent)]  # an answer is not routed afresh
    assert len(state.routes) == routes
    assert state.entities["asset_tag"] == "A123" and state.entities["site"] == 12


async def test_state_survives_a_move_to_another_container(brain: SwitchboardBrain, data_dir: Path) -> None:
    state = CallState("resume")
    await say(brain, state, "the pump at site twelve is leaking badly")
    await say(brain, state, "A one two three")
    moved = CallState.from_dict(json.loads(json.dumps(state.to_dict())))
    other = SwitchboardBrain.from_settings(Settings(data_dir=data_dir))
    await other.start()
    try:
        confirm = await say(other, moved, "high")  # the read-back was heard before the move: only the change now
        assert spoken(confirm) == "Priority high then. Shall I go ahead?"
        done = await say(other, moved, "yes")
        assert [a.status for a in done if isinstance(a, ToolEvent)] == ["started", "ok"]
    finally:
        await other.close()


async def test_safety_goes_to_a_person_with_no_questions(brain: SwitchboardBrain) -> None:
    state = CallState("safety")
    await say(brain, state, "the pump at site twelve is leaking")
    actions = await say(brain, state, "wait, there's smoke coming out of the switch room")
    handoffs = [a for a in actions if isinstance(a, HandoffEvent)]
    assert len(handoffs) == 1 and handoffs[0].priority == "emergency"
    assert "?" not in spoken(actions)  # no questions asked
    assert state.task is None and state.handoff["case_id"] == handoffs[0].case_id
    await brain.end(state)
    assert state.outcome == "escalated"


async def test_killed_server_caller_told_offered_person_and_retry_works(brain: SwitchboardBrain) -> None:
    state = CallState("kill")
    restarts = brain.tools.connections["field_ops"].restarts
    await say(brain, state, "pump A one two five at site twelve has failed, priority high")
    kill_server("field_ops")
    failed = await say(brain, state, "yes")
    text = spoken(failed)
    assert "isn't responding" in text and "person" in text
    assert state.tool_failures == 1 and state.tool_attempts[-1]["ok"] is False
    retried = await say(brain, state, "yes, try again")
    assert [a.status for a in retried if isinstance(a, ToolEvent)] == ["started", "ok"]
    assert brain.tools.connections["field_ops"].restarts == restarts + 1


async def test_two_tool_failures_hand_over(brain: SwitchboardBrain) -> None:
    state = CallState("fail2")
    await say(brain, state, "pump A one two five at site twelve has failed, priority high")
    kill_server("field_ops")
    await say(brain, state, "yes")
    kill_server("field_ops")
    actions = await say(brain, state, "yes")
    assert [a for a in actions if isinstance(a, HandoffEvent)]
    assert state.handoff and state.tool_failures == 2


async def test_failed_transfer_apologises_and_books_a_callback(brain: SwitchboardBrain) -> None:
    state = CallState("transfer", caller_number="+15550142")
    actions = await say(brain, state, "can I talk to a real person please")
    assert [a for a in actions if isinstance(a, HandoffEvent)]
    after = [a async for a in brain.handoff_result(False, "no answer", state)]
    assert "call you back" in spoken(after)
    assert state.handoff["status"] == "transfer_failed"
    accepted = await say(brain, state, "yes please")
    assert state.handoff["status"] == "callback_requested"
    assert "call you back" in spoken(accepted)


async def test_goodbye_ends_the_call_and_outcome_is_resolved(brain: SwitchboardBrain) -> None:
    state = CallState("bye")
    await say(brain, state, "what's the status of work order W O one oh oh oh one")
    actions = await say(brain, state, "no that's all, goodbye")
    assert isinstance(actions[-1], EndCall)
    await brain.end(state)
    assert state.outcome == "resolved"


async def test_a_megabyte_turn_is_refused_and_the_question_repeated(brain: SwitchboardBrain) -> None:
    state = CallState("big")
    await say(brain, state, "the pump at site twelve is leaking badly")
    actions = await say(brain, state, "A" * (1024 * 1024))
    assert "too long" in spoken(actions) and "asset tag" in spoken(actions)
    assert state.task is not None and state.tool_attempts == []


async def test_dtmf_answer(brain: SwitchboardBrain) -> None:
    state = CallState("dtmf")
    await say(brain, state, "I'd like to check on a work order")
    actions = await say(brain, state, "10002#", kind="dtmf")
    assert [a.status for a in actions if isinstance(a, ToolEvent)] == ["started", "ok"]


# --- universal dialogue moves, through the whole brain with the real field-ops server ---------------

async def test_say_that_again_repeats_instead_of_opening_a_ticket(brain: SwitchboardBrain) -> None:
    state = CallState("repeat")
    first = spoken(await say(brain, state, "the pump at site twelve is leaking badly"))
    again = await say(brain, state, "sorry, say that again?")
    assert spoken(again) == first.split(". ")[-1] or first.endswith(spoken(again))
    assert not [a for a in again if isinstance(a, (RouteEvent, ToolEvent))]
    await say(brain, state, "A one two three")
    done = await say(brain, state, "yes")
    reference = spoken(done).split("Your reference is ")[1].split(".")[0]
    assert spoken(done).count(reference) == 1  # read once ...
    assert reference in spoken(await say(brain, state, "can you repeat the reference number?"))  # ... and on request


async def test_negated_correction_is_taken_and_acknowledged(brain: SwitchboardBrain) -> None:
    state = CallState("negated")
    await say(brain, state, "the valve A one two six at site twelve is stuck shut, high priority")
    reply = spoken(await say(brain, state, "urgent, not high"))
    assert reply.startswith("Urgent then.") and state.task["args"]["priority"] == "urgent"
    await say(brain, state, "yes")
    assert [a["arguments"]["priority"] for a in state.tool_attempts if a["ok"]] == ["urgent"]


async def test_symptom_adjective_is_not_a_priority(brain: SwitchboardBrain) -> None:
    state = CallState("symptom")
    await say(brain, state, "the pump A one two three at site twelve has a discharge pressure reading that is high")
    assert "priority" not in state.task["args"]
    state = CallState("explicit")
    await say(brain, state, "pump A one two three at site twelve shows a low flow reading, it's high priority")
    assert state.task["args"]["priority"] == "high"


async def test_leave_it_cancels_the_task(brain: SwitchboardBrain) -> None:
    state = CallState("leave")
    await say(brain, state, "the pump at site twelve is leaking badly")
    reply = spoken(await say(brain, state, "no, leave it"))
    assert state.task is None and "Nothing was sent" in reply and not state.tool_attempts


async def test_dont_know_finds_the_asset_by_what_it_is(brain: SwitchboardBrain) -> None:
    state = CallState("unknown-tag")
    offer = spoken(await say(brain, state, "the standby diesel generator at site twelve won't start"))
    assert "A, one two five" in offer and offer.endswith("?")  # A125 is the standby generator at site 12
    # Not knowing the tag of the one thing offered takes it: the read-back shows it before anything is sent.
    read_back = spoken(await say(brain, state, "I don't know the tag"))
    assert state.task["args"]["asset_tag"] == "A125" and state.task["confirming"], read_back


async def test_no_question_is_asked_a_third_time(brain: SwitchboardBrain) -> None:
    state = CallState("strikes")
    asked = [spoken(await say(brain, state, "what's the status of my work order"))]
    asked += [spoken(await say(brain, state, nonsense)) for nonsense in ("banana", "purple elephant")]
    assert sum("What is the work order number?" in a for a in asked) == 2
    assert asked[-1].endswith("I can look it up.")  # another way: the id looked up by what the caller knows
    assert "put you through" in spoken(await say(brain, state, "no"))  # not that either: a person
    handed = await say(brain, state, "yes please")
    assert [a for a in handed if isinstance(a, HandoffEvent)]


async def test_offer_ignored_and_still_no_answer_goes_to_a_person(brain: SwitchboardBrain) -> None:
    state = CallState("strikes-ignored")
    for line in ("what's the status of my work order", "banana", "purple elephant"):
        await say(brain, state, line)
    last = await say(brain, state, "the moon")
    assert [a for a in last if isinstance(a, HandoffEvent)]
    asked = [t["text"] for t in state.turns if t["role"] == "agent"]
    assert sum("What is the work order number?" in a for a in asked) == 2


async def test_wrong_shape_says_what_was_heard(brain: SwitchboardBrain) -> None:
    state = CallState("shape")
    await say(brain, state, "what's the status of my work order")
    reply = spoken(await say(brain, state, "one zero zero one"))
    assert "I heard one zero, zero one. That's four digits" in reply and "W O, one zero two, three four" in reply


async def test_yes_and_goodbye_at_the_read_back_submits_then_ends(brain: SwitchboardBrain) -> None:
    state = CallState("yes-bye")
    await say(brain, state, "the valve A one two six at site twelve is stuck shut")
    done = await say(brain, state, "yes that's right, thanks, bye")
    assert [a.status for a in done if isinstance(a, ToolEvent)] == ["started", "ok"]
    assert isinstance(done[-1], EndCall)


async def test_help_and_start_over(brain: SwitchboardBrain) -> None:
    state = CallState("help")
    await say(brain, state, "the pump at site twelve is leaking badly")
    reply = spoken(await say(brain, state, "what can you do?"))
    assert "log faults" in reply and reply.endswith("What is the asset tag on the equipment?")
    help_now = spoken(await say(brain, state, "sorry, I don't understand"))  # about the question open now
    # ... and a question that would now be heard a third time gives way to the other way to answer it.
    assert help_now.startswith("You can answer") and help_now.endswith("?") \
        and not help_now.endswith("What is the asset tag on the equipment?"), help_now
    reply = spoken(await say(brain, state, "let's start over"))
    assert state.task is None and reply.endswith("How can I help?")


async def test_off_topic_gets_what_the_line_does_not_an_article(brain: SwitchboardBrain, monkeypatch) -> None:
    # Whatever the router makes of the words: an unclear turn far below the clarify threshold is off-topic.
    import dataclasses

    from agent.brain.switchboard import OFF_TOPIC_CONFIDENCE

    real = brain.coordinator.decide
    monkeypatch.setattr(brain.coordinator, "decide", lambda text, state, **kw: dataclasses.replace(
        real(text, state, **kw), action="clarify", confidence=OFF_TOPIC_CONFIDENCE / 2, clarify_question="X or Y?"))
    state = CallState("off-topic")
    reply = spoken(await say(brain, state, "what's the weather going to be like for the cricket on saturday"))
    assert reply.startswith("Sorry, I can't help there.") and "log faults" in reply and "X or Y" not in reply
    assert not state.entities.get("knowledge_article") and not state.handoff and len(reply.split()) <= 25


async def test_two_requests_in_one_turn_the_second_is_offered_when_the_first_is_done(brain: SwitchboardBrain) -> None:
    state = CallState("two-requests")
    first = spoken(await say(brain, state, "the valve A one two six at site twelve is stuck shut, and also I've "
                                           "forgotten my password"))
    # The first request said is handled first.
    assert first.startswith("I'll open a work order") and state.task["intent"] == "work_order.create"
    done = spoken(await say(brain, state, "yes"))
    assert done.endswith("You also mentioned resetting a password. Shall we do that now?")
    assert [a["arguments"]["asset_tag"] for a in state.tool_attempts if a["ok"]] == ["A126"]
    again = spoken(await say(brain, state, "yes please"))
    assert state.task["intent"] == "password.reset" and "password" in again.lower()


async def test_each_of_two_requests_starts_on_its_own_words(brain: SwitchboardBrain, monkeypatch) -> None:
    import dataclasses

    real = brain.coordinator.decide
    turn = "the valve A one two six at site twelve is stuck shut, priority low, and also I've forgotten my password, I'm E one oh four eight two"

    def first_of_two(text: str, state: CallState, **kw):  # as the router marks the first of two at a call's start
        decision = real(text, state, **kw)
        if text != turn:
            return decision
        return dataclasses.replace(decision, action="route", target="field_ops", intent="work_order.create",
                                   policy_hits=["first_of_two"])

    monkeypatch.setattr(brain.coordinator, "decide", first_of_two)
    monkeypatch.setattr(brain.coordinator, "decide_async", lambda text, state, **kw: _done(first_of_two(text, state)))
    state = CallState("two-requests-own-words")
    first = spoken(await say(brain, state, turn))
    assert "open a work order" in first and "password" not in state.task["args"]["summary"]
    done = spoken(await say(brain, state, "yes"))
    assert done.endswith("You also mentioned resetting a password. Shall we do that now?") and len(done.split()) <= 40
    again = spoken(await say(brain, state, "yes please"))
    assert "password reset" in again and state.task["args"]["user"] == "E10482"  # who called: for both


async def _done(value):
    return value


async def test_leave_it_is_not_swallowed_by_a_free_text_question(brain: SwitchboardBrain) -> None:
    state = CallState("leave-free-text")
    asked = spoken(await say(brain, state, "I'd like to cancel service request S R three zero zero zero three"))
    assert asked.endswith("Why are you cancelling it?")
    reply = spoken(await say(brain, state, "no, leave it, we still need it"))
    assert state.task is None and "Nothing was sent" in reply and not state.tool_attempts


async def test_off_topic_mid_task_says_so_and_the_task_goes_on(brain: SwitchboardBrain, monkeypatch) -> None:
    import dataclasses

    from agent.brain.switchboard import OFF_TOPIC_CONFIDENCE

    state = CallState("off-topic-mid-task")
    await say(brain, state, "the pump at site twelve is leaking badly")
    real = brain.coordinator.decide
    monkeypatch.setattr(brain.coordinator, "decide", lambda text, state, **kw: dataclasses.replace(
        real(text, state, **kw), action="clarify", confidence=OFF_TOPIC_CONFIDENCE / 2))
    reply = spoken(await say(brain, state, "who won the match last night by the way"))
    assert reply == "Sorry, I can't help there. What is the asset tag on the equipment?"
    monkeypatch.setattr(brain.coordinator, "decide", real)
    await say(brain, state, "A one two three")
    assert state.task["confirming"] and state.task["args"]["asset_tag"] == "A123"


async def test_a_person_on_request_mid_task_is_handed_over(brain: SwitchboardBrain) -> None:
    state = CallState("person-mid-task")
    await say(brain, state, "the pump at site twelve is leaking badly")
    handed = await say(brain, state, "this is going nowhere, get me your supervisor")
    assert [a for a in handed if isinstance(a, HandoffEvent)] and state.task is None


@pytest.mark.parametrize("said", ["yes that's right, thanks, bye", "yep, that's everything, cheerio",
                                  "yes please, that's all, goodbye"])
async def test_yes_with_a_goodbye_at_the_read_back_submits_then_ends(brain: SwitchboardBrain, said: str) -> None:
    state = CallState(f"yes-bye-{said}")
    await say(brain, state, "the valve A one two six at site twelve is stuck shut")
    done = await say(brain, state, said)
    assert [a.status for a in done if isinstance(a, ToolEvent)] == ["started", "ok"]
    assert isinstance(done[-1], EndCall) and "Anything else?" not in spoken(done)


async def test_a_caller_opening_in_another_language_is_told_in_it_and_handed_over(brain: SwitchboardBrain) -> None:
    state = CallState("spanish")
    state.turn_count = 1
    opener = CallerInput("Hola, tengo un problema con la bomba de agua.", "speech", 1, language="es")
    actions = [a async for a in brain.respond(opener, state)]
    says = [a for a in actions if isinstance(a, Say)]
    assert [s.language for s in says] == ["es", "en"] and "persona" in says[0].text  # Spanish first, then English
    handoff = actions[-1]
    assert isinstance(handoff, HandoffEvent) and "Spanish" in handoff.reason and "Spanish" in handoff.briefing
    assert state.language == "es" and state.task is None
    case = await brain.handoff.store.get(handoff.case_id)
    assert case is not None and case["language"] == "es" and case["trigger"] == "language"


async def test_another_language_heard_mid_task_is_not_a_hand_over(brain: SwitchboardBrain) -> None:
    # Once the call is under way in English, a turn heard as another language is a misheard English one.
    state = CallState("mid-task")
    await say(brain, state, "the pump at site twelve is leaking badly")
    state.turn_count += 1
    actions = [a async for a in brain.respond(CallerInput("A one two three", "speech", state.turn_count,
                                                          language="cy"), state)]
    assert not any(isinstance(a, HandoffEvent) for a in actions) and state.language is None
    assert state.entities["asset_tag"] == "A123"

async def test_a_plain_move_beats_a_person_request_the_router_guessed(brain: SwitchboardBrain) -> None:
    state = CallState("dont-know-id")
    await say(brain, state, "I'm locked out of my account")
    actions = await say(brain, state, "I don't know my employee number")
    assert not [a for a in actions if isinstance(a, HandoffEvent)] and state.task is not None
    assert "e-mail" in spoken(actions)  # the slot takes an address too: asked for, once
    await say(brain, state, "it's jonas dot berg at northwind dot example")
    done = await say(brain, state, "yes")
    assert [a.status for a in done if isinstance(a, ToolEvent)] == ["started", "ok"]


@pytest.mark.parametrize("reason,handed_over", [
    ("I'm covering for a colleague on the rota", False),  # the classifier half-guesses a person: the reason
    ("I'd rather speak to someone about it", True),  # said plainly: a person
])
async def test_a_free_text_answer_is_not_taken_for_a_person_request_the_router_guessed(
        brain: SwitchboardBrain, reason: str, handed_over: bool) -> None:
    state = CallState(f"free-text-{handed_over}")
    await say(brain, state, "I need access to the shift sharepoint site")  # the level is asked ("to edit" says write)
    await say(brain, state, "E11402")
    asked = await say(brain, state, "write")
    assert "why" in spoken(asked).lower()
    actions = await say(brain, state, reason)
    assert bool([a for a in actions if isinstance(a, HandoffEvent)]) is handed_over
    if not handed_over:
        assert "Is that right" in spoken(actions) or "go ahead" in spoken(actions).lower()


async def test_asking_whether_it_is_a_person_keeps_the_task(brain: SwitchboardBrain) -> None:
    state = CallState("identity")
    await say(brain, state, "the portable dewatering pump P-4204 won't prime")
    actions = await say(brain, state, "am I talking to a real person here")
    assert not [a for a in actions if isinstance(a, HandoffEvent)]
    assert "automated" in spoken(actions) and spoken(actions).endswith("Shall I go ahead and open a work order?")
    assert state.task is not None and state.task["confirming"]


async def test_yes_and_bye_with_a_refused_value_does_not_end_the_call(brain: SwitchboardBrain) -> None:
    state = CallState("yes-bye-refused")
    await say(brain, state, "pump A123 at site fourteen is leaking, low priority")  # A123 is at site 12
    actions = await say(brain, state, "yes that's everything, bye")
    assert not [a for a in actions if isinstance(a, EndCall)] and state.task is not None
    assert spoken(actions).endswith("Which site is the asset at?")


async def test_leave_it_answers_an_either_or_question(brain: SwitchboardBrain) -> None:
    state = CallState("clarify-leave")
    # As left by "is it about reporting a fault, or checking on a work order?" (however the router hears an opener).
    state.dialogue["clarify"] = {"text": "I want to report a fault at Stonebridge", "options": [
        {"target": "field_ops", "intent": "work_order.create"}, {"target": "field_ops", "intent": "work_order.status"}]}
    actions = await say(brain, state, "no, leave it, I'll get the tag and ring back")
    assert not [a for a in actions if isinstance(a, HandoffEvent)] and spoken(actions).startswith("Okay")


async def test_an_identifier_settles_a_request_the_router_was_unsure_of(brain: SwitchboardBrain) -> None:
    state = CallState("clarify-id")
    actions = await say(brain, state, "I rang yesterday about outlook asking for my password, incident two zero zero zero three, any progress")
    assert tools_ok(actions) == ["get_incident"]


async def test_an_unknown_id_is_looked_up_by_another_identifier(brain: SwitchboardBrain) -> None:
    state = CallState("lookup-by-tag")
    # Begun directly: the router is near its threshold on this one (0.50), and is tested elsewhere.
    await _start(brain, state, "work_order.status", "what's the status of my work order, the oil pump keeps tripping")
    asked = spoken(await say(brain, state, "I don't have the work order number"))
    assert asked.endswith("Do you know the site or the asset tag? I can look it up.")
    offered = spoken(await say(brain, state, "the pump is P-4512"))
    assert offered.startswith("Is it W O, one zero zero, zero two")  # the open order for that pump
    done = await say(brain, state, "yes")
    assert [a.name for a in done if isinstance(a, ToolEvent) and a.status == "ok"] == ["get_work_order"]


async def test_no_other_identifier_either_offers_a_person(brain: SwitchboardBrain) -> None:
    state = CallState("lookup-none")
    await say(brain, state, "what's happening with my work order")
    await say(brain, state, "no idea what the number is")
    reply = spoken(await say(brain, state, "no"))
    assert "put you through" in reply and state.dialogue.get("offer") == "person"


async def test_a_question_counts_every_time_it_is_asked_in_a_task(brain: SwitchboardBrain) -> None:
    state = CallState("strikes-apart")
    await say(brain, state, "what's the status of my work order")  # asked once
    await say(brain, state, "banana")  # twice
    between = spoken(await say(brain, state, "it's for the pump A one two four"))  # no order for that pump
    assert between.endswith("Shall I put you through?")  # another question in between ...
    third = spoken(await say(brain, state, "purple elephant"))  # ... does not reset the count
    assert "What is the work order number?" not in third


async def test_no_preference_for_a_choice_is_offered_one(brain: SwitchboardBrain) -> None:
    state = CallState("no-preference")
    asked = spoken(await say(brain, state, "book a visit for W O one zero zero zero three tomorrow"))
    assert asked.endswith("evening (5 to 8)?")
    offered = spoken(await say(brain, state, "I don't mind, whenever"))
    assert offered == "No problem. Shall I put morning?"
    confirm = spoken(await say(brain, state, "yes"))
    assert state.task["args"]["time_window"] == "morning" and "schedule a visit" in confirm


async def test_a_statement_answers_an_open_question_however_the_router_hears_it(brain: SwitchboardBrain, monkeypatch) -> None:
    import dataclasses

    real = brain.coordinator.decide
    state = CallState("free-statement")
    await say(brain, state, "I'd like to cancel service request S R three zero zero zero three")
    assert state.task["asking"] == "reason"

    def elsewhere(text: str, st: CallState, **kw):  # the router sure it is a work-order request, cued or not
        return dataclasses.replace(real(text, st, **kw), action="route", target="field_ops", intent="work_order.status",
                                   confidence=0.9, policy_hits=["topic_switch"])

    monkeypatch.setattr(brain.coordinator, "decide_async", lambda text, st, **kw: _done(elsewhere(text, st)))
    reply = spoken(await say(brain, state, "I plan the maintenance jobs myself now"))
    assert state.task and state.task["intent"] == "service_request.cancel" and "cancel the service request" in reply
    other = CallState("free-question")
    monkeypatch.setattr(brain.coordinator, "decide_async", lambda text, st, **kw: _done(real(text, st, **kw)))
    await say(brain, other, "I'd like to cancel service request S R three zero zero zero three")
    monkeypatch.setattr(brain.coordinator, "decide_async", lambda text, st, **kw: _done(elsewhere(text, st)))
    switched = await say(brain, other, "where's my work order up to")  # put as a question: a new request
    assert [a for a in switched if isinstance(a, RouteEvent)] and (other.task or {}).get("intent") != "service_request.cancel"


async def test_a_value_looked_up_from_a_changed_one_is_looked_up_again(brain: SwitchboardBrain) -> None:
    state = CallState("rederive")
    await say(brain, state, "the pump P-4512 is leaking again, low")
    assert state.task["args"]["site"] == 14  # from the asset
    reply = spoken(await say(brain, state, "actually it's the other pump, P-4530"))
    assert state.task["args"]["site"] == 30 and "site 30" in reply  # P-4530 is at Cedar Falls


async def test_an_answer_that_describes_the_thing_finds_it(brain: SwitchboardBrain) -> None:
    state = CallState("described")
    asked = spoken(await say(brain, state, "the compressor at Eastgate keeps tripping"))
    assert asked.endswith("What is the asset tag on the equipment?")  # three compressors there
    offered = spoken(await say(brain, state, "it's unit two"))
    assert offered == "Is it the gas compressor unit 2, C, two one, zero two?"


async def test_a_follow_up_number_is_the_request_just_done_again(brain: SwitchboardBrain, monkeypatch) -> None:
    import dataclasses

    real = brain.coordinator.decide_async
    state = CallState("follow-up")
    await say(brain, state, "what's the status of WO-10002")

    async def unsure(text: str, st: CallState, **kw):  # however unsure the router is of a bare number
        return dataclasses.replace(await real(text, st, **kw), action="clarify", target="field_ops",
                                   intent="asset.lookup", confidence=0.3, alternatives=[], policy_hits=["low_confidence"])

    monkeypatch.setattr(brain.coordinator, "decide_async", unsure)
    actions = await say(brain, state, "and the other one, 10003")
    ok = [a for a in actions if isinstance(a, ToolEvent) and a.status == "ok"]
    assert [a.name for a in ok] == ["get_work_order"] and "one zero zero, zero three" in spoken(actions)


async def test_an_either_or_question_answered_with_a_value_of_one(brain: SwitchboardBrain) -> None:
    state = CallState("clarify-value")
    # As left by "is it about checking on a work order, or booking a technician visit?".
    state.dialogue["clarify"] = {"text": "I need an engineer for work order 10003 on the 11th", "options": [
        {"target": "field_ops", "intent": "work_order.status"}, {"target": "field_ops", "intent": "visit.schedule"}]}
    reply = spoken(await say(brain, state, "morning"))
    assert state.task["intent"] == "visit.schedule" and state.task["args"]["time_window"] == "morning"
    assert "schedule a visit" in reply


async def test_a_tag_given_after_the_site_was_asked_for_still_gives_the_site(brain: SwitchboardBrain) -> None:
    # The site could not be looked up when it was first asked (no tag yet); the tag makes it known.
    state = CallState("tag-after-site")
    asked = await say(brain, state, "the dewatering pump from the hire fleet has seized up")  # (no site named)
    assert spoken(asked).endswith("Which site is the asset at?")
    read_back = await say(brain, state, "P-4204")
    assert state.task["args"]["site"] == 42 and "Is that right?" in spoken(read_back)


async def test_a_status_question_goes_to_the_kind_of_thing_its_id_names(brain: SwitchboardBrain) -> None:
    # Routed as an incident's status, an SR- number is still a service request's.
    state = CallState("id-names-kind")
    text = "what's happening with S R three double oh oh five, the monitor"
    actions = [a async for a in brain.agent.start("incident.status", text, state)]
    assert tools_ok(actions) == ["get_service_request"]
    assert "in progress" in spoken(actions)
    routed = [a async for a in brain.agent.start("incident.status", "any news on INC-20004", CallState("as-routed"))]
    assert [a.name for a in routed if isinstance(a, ToolEvent) and a.status == "ok"] == ["get_incident"]


async def test_a_priority_in_the_turn_makes_a_look_up_a_fault_to_log(brain: SwitchboardBrain) -> None:
    # The router hears a tag and a machine as a look-up; a priority is only ever given to something logged. (Told
    # how the machine is, asking nothing, it is a fault to log even without the priority: no look-up either way.)
    text = "gas compressor unit one at Eastgate is surging, C-2101"
    state = CallState("told-logs")
    told = await say(brain, state, text)
    assert not [a for a in told if isinstance(a, ToolEvent)] and state.task["tool"] == "create_work_order", spoken(told)
    state = CallState("priority-logs")
    logged = await say(brain, state, f"{text}, medium priority")
    assert state.task["tool"] == "create_work_order" and state.task["args"]["priority"] == "medium"
    assert "Is that right?" in spoken(logged)


async def test_unsure_between_a_look_up_and_a_fault_a_priority_settles_it(brain: SwitchboardBrain) -> None:
    text = "station inlet ball valve V-2110 at Eastgate is passing"
    # The router's doubt is made here, not hoped for: its calibration moves with every example added.
    heard = brain.coordinator.decide(text, CallState("unsure-kept"))
    for first, second in (("work_order.create", "asset.lookup"), ("asset.lookup", "work_order.create")):
        unsure = dataclasses.replace(heard, action="clarify", target="field_ops", intent=first, confidence=0.45,
                                     alternatives=[{"target": "field_ops", "intent": second, "confidence": 0.4}])
        assert brain._settled(unsure, text).action == "clarify"
        settled_by = brain._settled(unsure, f"{text}, medium")
        assert (settled_by.action, settled_by.intent) == ("route", "work_order.create")
    state = CallState("unsure-priority")
    settled = await say(brain, state, f"{text}, medium")
    assert state.task["tool"] == "create_work_order" and "Is that right?" in spoken(settled)
    # Whichever of the two the router put first.
    first_read = CallState("unsure-read-first")
    await say(brain, first_read, "the aeration blower A302 at Harbor Road is making a din, medium")
    assert first_read.task["tool"] == "create_work_order"


async def _start(brain: SwitchboardBrain, state: CallState, intent: str, text: str) -> str:
    """Begin ``intent`` directly (the router is tested elsewhere): the agent's first question."""
    state.add_turn("caller", text)
    return spoken([a async for a in brain.agent.start(intent, text, state)])


async def test_an_id_of_another_kind_looks_that_record_up(brain: SwitchboardBrain) -> None:
    # Asked for an asset tag in a look-up, the caller gives a work-order number: that record is read.
    state = CallState("other-id")
    assert (await _start(brain, state, "asset.lookup", "where are we with the compressor")).endswith("asset tag on the equipment?")
    actions = await say(brain, state, "I think it was one double oh oh three")
    assert [(a.name, a.status) for a in actions if isinstance(a, ToolEvent)][-1] == ("get_work_order", "ok")
    assert "in progress" in spoken(actions) and "can't help" not in spoken(actions)


async def test_an_id_in_the_wrong_shape_is_said_back_with_the_shape_expected(brain: SwitchboardBrain) -> None:
    # A new fault keeps asking for its tag, but says what was heard and what a tag looks like.
    state = CallState("wrong-shape")
    assert (await _start(brain, state, "work_order.create", "the pump at site twelve is leaking badly")
            ).endswith("asset tag on the equipment?")
    for attempt in ("I think it's one zero zero zero three", "it should be four four five six one"):
        reply = spoken(await say(brain, state, attempt))
        assert reply.startswith("I heard") and "asset tag looks like" in reply and "can't help" not in reply
    assert not [a for a in state.tool_attempts if a["tool"] == "create_work_order"]


async def test_a_choice_said_in_the_callers_own_words_is_taken_by_its_meaning(brain: SwitchboardBrain) -> None:
    state = CallState("own-words")
    question = await _start(brain, state, "service_request.create", "I need to request something, I'm E10482")
    assert "hardware, software, access" in question
    reply = spoken(await say(brain, state, "a replacement for my headset, the microphone packed in"))
    assert state.task["args"]["request_type"] == "hardware", reply
    state = CallState("own-words-2")
    await _start(brain, state, "service_request.create", "I need to request something, I'm E10482")
    await say(brain, state, "I need adobe acrobat installed on my machine")
    assert state.task["args"]["request_type"] == "software"


@pytest.mark.parametrize(("intent", "opener", "slot", "expected"), [
    ("service_request.create", "could I get a second screen for my desk please, I'm E10482", "request_type", "hardware"),
    ("service_request.create", "I'm E10482, my webcam has stopped working and I need a new one", "request_type", "hardware"),
    ("service_request.create", "I'm E10482 and could I get visio installed on my laptop for the diagrams", "request_type",
     "software"),
    ("incident.create", "the big printer by the stairs jams on every job and nobody can print", "category", "hardware"),
    ("incident.create", "the wireless at the depot keeps cutting out every few minutes", "category", "network"),
    ("incident.create", "outlook won't send anything, it all sits in the outbox", "category", "email"),
    ("incident.create", "my desk phone has no dial tone at all this morning", "category", "telephony"),
    ("access.request", "I need to be able to see the plant trends, I've moved onto the night desk, I'm E10620", "system",
     "scada_historian"),
    ("access.request", "can I get into the maps of the water mains please, I'm E10620", "system", "gis"),
])
async def test_a_choice_the_server_describes_is_read_from_what_the_caller_says(
        brain: SwitchboardBrain, intent: str, opener: str, slot: str, expected: str) -> None:
    # The IT server says what each category and request type covers, after its question; a caller's
    # own words are matched against those things, so "hardware" need not be said (nor asked).
    state = CallState(f"described-{slot}")
    question = await _start(brain, state, intent, opener)
    assert state.task["args"].get(slot) == expected, question
    assert "hardware, software" not in question


async def test_a_choice_near_two_options_is_asked_not_guessed(brain: SwitchboardBrain) -> None:
    # Photoshop (software) for the brochures (near "printer"): too close to call, so the question is asked.
    state = CallState("described-unsure")
    question = await _start(brain, state, "service_request.create",
                            "I'm E10482 and I need photoshop put on my machine for the brochures")
    assert state.task["args"].get("request_type") in (None, "software") and "hardware, software" in question


async def test_a_description_at_the_read_back_does_not_reopen_a_described_choice(brain: SwitchboardBrain) -> None:
    # The words that say what a choice covers are not the words that name the field to change:
    # "a replacement headset" at the read-back is no request to change the request type.
    state = CallState("described-read-back")
    reply = await _start(brain, state, "service_request.create",
                         "my headset has packed in and I'd like a replacement please, I'm E10533")
    assert state.task.get("confirming"), reply
    reply = spoken(await say(brain, state, "a replacement headset, the microphone no longer works"))
    assert "hardware, software" not in reply and state.task["args"]["request_type"] == "hardware", reply


async def test_a_choice_is_never_guessed_from_a_yes_or_a_scale(brain: SwitchboardBrain) -> None:
    state = CallState("no-guess")
    await _start(brain, state, "service_request.create", "I need to request something, I'm E10482")
    await say(brain, state, "yes")
    assert "request_type" not in state.task["args"]
    # Priority is a scale: a description is never turned into one (only explicit words count).
    from agent.brain import slots
    priority = slots.Slot("priority", {"enum": ["low", "medium", "high", "urgent"]}, True)
    assert slots.parse(priority, "it's making a terrible noise", brain.agent.context(), asked=True) is None


async def test_an_off_topic_request_hears_what_the_line_can_do(brain: SwitchboardBrain) -> None:
    for question in ("what's the weather going to be like tomorrow", "what is on the canteen menu today"):
        reply = spoken(await say(brain, CallState("off-topic"), question))
        assert "I can log faults" in reply and "over the phone yet" not in reply


async def test_a_value_at_the_read_back_is_never_taken_for_a_request_for_a_person(brain: SwitchboardBrain) -> None:
    # The classifier may hear "operator" or "put it" as asking for a person; a value the task takes wins.
    for change in ("high. name's carl, shift operator.", "put it as high"):
        state = CallState("readback-value")
        await say(brain, state, "the pump A one two three at site twelve is leaking, priority medium")
        assert state.task and state.task["confirming"]
        actions = await say(brain, state, change)
        assert not [a for a in actions if isinstance(a, HandoffEvent)], change
        assert state.task["args"]["priority"] == "high" and "Shall I go ahead?" in spoken(actions)


async def test_a_yes_that_repeats_a_value_already_read_back_sends_it(brain: SwitchboardBrain) -> None:
    state = CallState("yes-same")
    await say(brain, state, "the pump A one two three at site twelve is leaking, log it as urgent")
    assert state.task["args"]["priority"] == "urgent" and state.task["confirming"]
    actions = await say(brain, state, "yes urgent, that's right, go ahead")
    assert [(a.name, a.status) for a in actions if isinstance(a, ToolEvent)][-1] == ("create_work_order", "ok")


async def test_thanks_in_the_middle_of_a_task_keeps_it(brain: SwitchboardBrain) -> None:
    state = CallState("thanks-mid-task")
    await say(brain, state, "the pump at site twelve is leaking, priority medium")
    assert state.task["asking"] == "asset_tag"
    for aside in ("thank you", "cheers"):
        actions = await say(brain, state, aside)
        assert state.task is not None and state.task["intent"] == "work_order.create", aside
        assert spoken(actions).endswith("?") and "over the phone" not in spoken(actions)
        assert not [a for a in actions if isinstance(a, ToolEvent)]


async def test_thanks_alone_to_the_read_back_sends_it(scratch: ScratchBrain) -> None:
    # Heard, and nothing said against it: "thanks" or "cheers" to "Is that right?" is no reason to ask again.
    for thanks in ("thanks", "cheers", "ok thank you very much"):
        async with scratch.fresh() as brain:
            state = CallState("thanks-read-back")
            await say(brain, state, "the pump A one two three at site twelve is leaking, priority medium")
            assert state.task["confirming"]
            done = await say(brain, state, thanks)
            assert tools_ok(done) == ["create_work_order"], thanks


async def test_two_requests_for_two_desks_without_a_cue_are_both_kept(brain: SwitchboardBrain) -> None:
    state = CallState("two-no-cue")
    first = await say(brain, state, "the workshop rooftop unit at westfield depot, H four two oh one, is blowing "
                                    "cold air only, and while I'm on, my laptop won't join the wifi, I'm E10533")
    assert state.task["intent"] == "work_order.create" and "rooftop unit" in spoken(first)
    assert state.dialogue["later"]["intent"] == "incident.create"
    done = spoken(await say(brain, state, "yes"))
    assert "You also mentioned" in done


async def test_the_same_request_for_two_things_is_two_requests_and_both_takes_them(brain: SwitchboardBrain) -> None:
    state = CallState("two-same")
    await say(brain, state, "at millbrook, booster pump two, A seven oh two, is leaking at the seal, and the "
                            "station supply transformer, T zero seven three zero, is humming much louder than usual")
    assert state.task["args"]["asset_tag"] == "A702" and state.dialogue["later"]["intent"] == "work_order.create"
    await say(brain, state, "medium for both")
    second = await say(brain, state, "yes, log both of them")
    # The first is sent and the second read back at once, with the priority said for both.
    assert [(a.name, a.status) for a in second if isinstance(a, ToolEvent)][-1] == ("create_work_order", "ok")
    assert state.task["args"]["asset_tag"] == "T0730" and state.task["args"]["priority"] == "medium"
    assert "Is that right?" in spoken(second)


async def test_one_request_told_in_two_clauses_is_not_split(brain: SwitchboardBrain) -> None:
    for said in ("my password ran out over the weekend and I can't get onto anything",
                 "I've typed my password in wrong too many times and now it won't let me in at all",
                 "the compressor at site twelve, C two one oh one, is overheating. make it urgent"):
        state = CallState("one-request")
        await say(brain, state, said)
        assert "later" not in state.dialogue, said


async def test_a_value_for_the_other_request_is_kept_for_it(brain: SwitchboardBrain) -> None:
    state = CallState("keep-for-later")
    await say(brain, state, "I need read access to power bi for the monthly dashboards, and my outlook crashes "
                            "every time I open an attachment. employee E one one two three four")
    assert state.dialogue["later"]["intent"] == "incident.create"
    await say(brain, state, "it's for the service reporting I've taken over")
    reply = spoken(await say(brain, state, "medium for outlook"))
    assert reply.startswith("I'll keep that for the other request.") and state.task["intent"] == "access.request"
    await say(brain, state, "yes")
    started = await say(brain, state, "yes")  # "Shall we do that now?"
    assert state.task["intent"] == "incident.create" and state.task["args"].get("priority") == "medium", spoken(started)


async def test_a_correction_in_the_answer_to_an_either_or_question_replaces_the_value(brain: SwitchboardBrain) -> None:
    state = CallState("clarify-correction")
    state.dialogue["clarify"] = {"text": "gas compressor unit one at eastgate, c two one oh one, is leaking oil, medium priority",
                                 "options": [{"target": "field_ops", "intent": "work_order.create"},
                                             {"target": "field_ops", "intent": "knowledge.howto"}]}
    await say(brain, state, "hang on, wrong one. it's not c two one oh one, it's c two one oh two, unit two")
    assert state.task["intent"] == "work_order.create" and state.task["args"]["asset_tag"].replace("-", "") == "C2102"


async def test_a_fault_and_a_status_check_for_one_desk_are_two_requests(brain: SwitchboardBrain) -> None:
    state = CallState("fault-and-status")
    await say(brain, state, "two things. borehole pump one at lakeside, A five five one, is tripping on low flow, "
                            "and can you tell me when the technician's coming for work order one zero zero zero two")
    assert state.task["intent"] == "work_order.create" and state.dialogue["later"]["intent"] == "work_order.status"
    # Neither the count of requests nor the caller's name is the problem.
    assert state.task["args"]["summary"] == "borehole pump one is tripping on low flow"


async def test_a_choice_only_a_write_takes_after_a_look_up_logs_the_thing_looked_up(brain: SwitchboardBrain) -> None:
    state = CallState("write-after-read")
    looked = await say(brain, state, "can you look up asset A one two five for me, the standby generator at riverside")
    assert [a.intent for a in looked if isinstance(a, RouteEvent)] == ["asset.lookup"] and state.task is None
    reply = spoken(await say(brain, state, "low priority"))
    assert state.task["intent"] == "work_order.create" and state.task["args"]["asset_tag"] == "A125", reply
    assert state.task["args"]["priority"] == "low" and "Is that right?" in reply


async def test_an_optional_category_is_read_from_what_the_problem_is_about(brain: SwitchboardBrain) -> None:
    state = CallState("category")
    await _start(brain, state, "incident.create", "the vpn keeps dropping every ten minutes, I'm E11402")
    assert state.task["args"]["category"] == "network"
    state = CallState("category-unknown")
    await _start(brain, state, "incident.create", "the historian trends have frozen again, I'm E11402")
    # The historian is software that freezes; with nothing near enough the default stands. Never another kind.
    assert state.task["args"].get("category") in (None, "software")


async def test_a_returning_caller_asking_how_it_is_going_hears_the_status(brain: SwitchboardBrain) -> None:
    # The problem is described as if new, but the question asks after it: no new ticket is opened.
    state = CallState("returning")
    actions = await say(brain, state, "I rang last week about the cooling oil pump at north ridge tripping. "
                                      "when is somebody coming out?")
    assert [a.intent for a in actions if isinstance(a, RouteEvent)] == ["work_order.status"]
    state = CallState("returning-id")
    actions = await say(brain, state, "my request for a new tablet charger, S R thirty thousand and one, is that done?")
    assert [a.name for a in actions if isinstance(a, ToolEvent)][-1:] == ["get_service_request"], spoken(actions)
    assert not [a for a in state.tool_attempts if a["tool"].startswith(("create_", "request_"))]


async def test_a_new_fault_with_a_question_stays_a_new_fault(brain: SwitchboardBrain) -> None:
    for said in ("the pump A one two three at site twelve is leaking, can you send someone?",
                 "pump P four five one two won't start at all, what should I do?"):
        state = CallState("new-with-question")
        actions = await say(brain, state, said)
        assert [a.intent for a in actions if isinstance(a, RouteEvent)][-1] != "work_order.status", said


async def test_a_description_with_another_value_still_searches_for_the_missing_id(brain: SwitchboardBrain) -> None:
    state = CallState("describe-with-value")
    await _start(brain, state, "work_order.create", "one of the booster pumps at millbrook pumping station is grinding")
    reply = spoken(await say(brain, state, "no idea what the tag is. it's booster pump two, the second one. medium priority"))
    assert "A, seven zero two" in reply and state.task["args"]["priority"] == "medium", reply


async def test_an_id_that_names_nothing_is_said_back_and_the_thing_is_found_by_description(brain: SwitchboardBrain) -> None:
    state = CallState("unknown-id")
    first = spoken(await say(brain, state, "I want to raise a fault on asset zulu nine nine nine, it's jammed half open, medium priority"))
    assert first.startswith("I couldn't find Z, nine nine nine.") and "asset_tag" not in state.task["args"]
    second = spoken(await say(brain, state, "sorry, I read it wrong. it's the outlet valve at cedar falls reservoir"))
    assert second == "Is it the reservoir outlet valve, A, three zero, zero one?"
    third = await say(brain, state, "yes")
    assert state.task["args"]["asset_tag"] == "A3001" and "Is that right?" in spoken(third)


async def test_naming_the_thing_offered_accepts_it(brain: SwitchboardBrain) -> None:
    state = CallState("named-back")
    first = spoken(await say(brain, state, "the standby generator at eastgate compressor station is showing a low coolant alarm"))
    assert first == "Is it the standby generator, G, two one, two zero?"
    await say(brain, state, "I don't know the tag, I'm not on site. it's the standby generator, there's only the one there")
    assert state.task["args"]["asset_tag"] == "G-2120" and state.task["confirming"]
    state = CallState("named-back-no")
    await say(brain, state, "the standby generator at eastgate compressor station is showing a low coolant alarm")
    await say(brain, state, "no, not the standby generator, the portable one")
    assert "asset_tag" not in state.task["args"]


async def test_the_second_of_both_requests_keeps_the_reply_short(brain: SwitchboardBrain) -> None:
    state = CallState("both-short")
    await say(brain, state, "at millbrook, booster pump two, A seven oh two, is leaking at the seal, and the "
                            "station supply transformer, T zero seven three zero, is humming much louder than usual")
    await say(brain, state, "medium for both")
    reply = spoken(await say(brain, state, "yes, log both of them"))
    assert reply.startswith("Your reference is W O") and "Is that right?" in reply and len(reply.split()) <= 40, reply


async def test_an_earlier_call_told_before_a_request_is_not_a_request_of_its_own(brain: SwitchboardBrain) -> None:
    state = CallState("earlier-call")
    actions = await say(brain, state, "i called two days ago about outlook asking for my password over and over, "
                                      "incident twenty thousand and three. nobody's been in touch. escalate it")
    assert "later" not in state.dialogue and state.task["intent"] == "incident.escalate"
    assert state.task["args"]["incident_id"] == "INC-20003", spoken(actions)
    # The reason is what the caller added about the record, not the story of the first call nor the ask.
    assert state.task["args"]["reason"] == "nobody's been in touch" and state.task["confirming"], spoken(actions)


async def test_a_bare_yes_or_a_yes_restating_the_action_is_no_reason(brain: SwitchboardBrain) -> None:
    state = CallState("no-reason")
    await say(brain, state, "please escalate incident twenty thousand and three")
    assert state.task["asking"] == "reason"
    for turn in ("yes, please", "yes, escalate it"):
        await say(brain, state, turn)  # asked again, never stored as the reason
        assert state.task["asking"] == "reason" and "reason" not in state.task["args"], turn


async def test_a_look_up_reads_the_one_record_described_at_once(brain: SwitchboardBrain) -> None:
    state = CallState("read-at-once")
    actions = await say(brain, state, "i rang on monday about the backwash valve at the lakeside treatment plant "
                                      "being slow to close. what's the hold-up?")
    assert [(a.name, a.status) for a in actions if isinstance(a, ToolEvent)][-1] == ("get_work_order", "ok")
    assert "W O, one zero zero, zero five" in spoken(actions) and "on hold" in spoken(actions)


async def test_a_few_things_that_fit_are_named_and_the_caller_picks_one(brain: SwitchboardBrain) -> None:
    for pick, tag in (("the second one", "A552"), ("borehole pump one please", "A551")):
        state = CallState("choices")
        # (one thing looked up; "what pumps have you got at ...?" asks for all of them, a list)
        first = spoken(await say(brain, state, "can you look up the pump at lakeside for me, site fifty five?"))
        assert first == "Is it the borehole pump 1, A, five five one, or the borehole pump 2, A, five five two?"
        actions = await say(brain, state, pick)
        assert [(a.name, a.status) for a in actions if isinstance(a, ToolEvent)][-1] == ("lookup_asset", "ok"), pick
        assert tag in spoken(actions), (pick, spoken(actions))


def tools_ok(actions: list) -> list[str]:
    return [a.name for a in actions if isinstance(a, ToolEvent) and a.status == "ok"]


async def test_news_about_a_named_job_is_a_note_on_it_not_its_status(brain: SwitchboardBrain) -> None:
    state = CallState("note-opener")
    await say(brain, state, "i rang yesterday about the emergency generator at harbor road failing its test, "
                            "work order one zero zero zero six. just to add, it failed again this morning")
    assert state.task["intent"] == "work_order.note" and state.task["confirming"]
    assert state.task["args"] == {"work_order_id": "WO-10006", "note": "it failed again this morning"}
    assert tools_ok(await say(brain, state, "yes, add that")) == ["add_work_order_note"]


async def test_a_question_about_a_named_request_reads_it_rather_than_cancelling_it(brain: SwitchboardBrain) -> None:
    state = CallState("approved-yet")
    actions = await say(brain, state, "i put in a request for gis editor access a couple of days ago, "
                                      "S R three zero zero zero three. has it been approved yet?")
    assert tools_ok(actions) == ["get_service_request"] and state.task is None, spoken(actions)


async def test_right_after_a_read_a_change_or_news_is_about_that_record(brain: SwitchboardBrain) -> None:
    state = CallState("after-read")
    await say(brain, state, "what's the status of work order 10003")
    await say(brain, state, "yes, add that it's making a new noise")
    assert state.task["intent"] == "work_order.note"
    assert state.task["args"] == {"work_order_id": "WO-10003", "note": "it's making a new noise"}
    assert tools_ok(await say(brain, state, "yes please")) == ["add_work_order_note"]
    await say(brain, state, "can you make it urgent, it's getting worse")
    assert state.task["intent"] == "work_order.update"
    assert state.task["args"] == {"work_order_id": "WO-10003", "priority": "urgent", "note": "it's getting worse"}
    assert tools_ok(await say(brain, state, "yes")) == ["update_work_order"]


@pytest.mark.parametrize("opener, intent, status", [
    ("hello again. the laptop incident from earlier, i n c two zero zero zero one. it's working now, a reboot sorted "
     "it, so you can close it", "incident.update", "closed"),
    ("about the backwash valve job, w o one oh oh oh five. the new actuator went on this morning and it's closing fine "
     "now, so you can close it off", "work_order.update", "completed"),  # a job is closed by completing it
])
async def test_a_record_named_changes_to_the_state_said(brain: SwitchboardBrain, opener: str, intent: str,
                                                        status: str) -> None:
    state = CallState("close-it")
    await say(brain, state, opener)
    assert state.task["intent"] == intent and state.task["args"]["status"] == status


async def test_a_record_is_changed_only_when_the_change_is_said(brain: SwitchboardBrain) -> None:
    state = CallState("cut-off")
    actions = await say(brain, state, "hi, I got cut off earlier, I was asking about work order one zero zero zero three")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)


async def test_a_question_about_what_was_just_read_is_answered_not_booked(brain: SwitchboardBrain) -> None:
    state = CallState("read-question")
    read = spoken(await say(brain, state, "when's someone coming out to the oil pump, work order one zero zero zero two?"))
    assert "between 08:00 and 12:00" in read
    actions = await say(brain, state, "is that definitely the morning? roughly what time")
    assert not tools_ok(actions) and state.task is None and "between 08:00 and 12:00" in spoken(actions)


@pytest.mark.parametrize("echo", ["tomorrow morning, okay. and it's Dev Patel coming, is it?",
                                  "between eight and twelve, yes. who is it that's coming?"])
async def test_an_echo_of_what_was_read_then_a_question_is_answered_not_booked(brain: SwitchboardBrain, echo: str) -> None:
    # Saying back part of what was read ("tomorrow morning, okay.") before the question asks for nothing new.
    state = CallState("read-echo")
    await say(brain, state, "when's someone coming out to the oil pump, work order one zero zero zero two?")
    actions = await say(brain, state, echo)
    assert not tools_ok(actions) and state.task is None and "Dev Patel" in spoken(actions)


async def test_a_question_put_as_a_statement_reads_the_job(brain: SwitchboardBrain) -> None:
    # "I need to know when ..." asks as much as "when ...?": the job is found and read, none is opened.
    state = CallState("indirect-question")
    actions = await say(brain, state, "hello, north ridge substation here, the cooling oil pump keeps tripping, "
                                      "and I need to know when the engineer is coming because we need a permit")
    assert tools_ok(actions) == ["get_work_order"] and "Dev Patel" in spoken(actions), spoken(actions)


async def test_an_unsure_turn_among_one_desks_requests_is_not_off_topic() -> None:
    from agent.routing.decision import Decision

    def decision(alternatives: list[tuple[str, str, float]]) -> Decision:
        return Decision(target="field_ops", intent="visit.reschedule", confidence=0.31,
                        alternatives=[{"target": t, "intent": i, "confidence": c} for t, i, c in alternatives],
                        reason="", action="clarify", priority="normal", policy_hits=["low_confidence"], passages=[],
                        clarify_question=None, latency_ms=0.0)

    # Moving or cancelling a visit, or the job's status: unsure which, but plainly field operations.
    assert not SwitchboardBrain._lost(decision([("field_ops", "visit.cancel", 0.23), ("field_ops", "work_order.status", 0.14)]))
    # Spread over the desks and the small talk: nothing the line does comes close.
    assert SwitchboardBrain._lost(decision([("it_ops", "incident.create", 0.2), ("human", "smalltalk.offtopic", 0.2)]))


async def test_a_yes_after_a_value_said_back_at_the_read_back_sends_it(brain: SwitchboardBrain) -> None:
    # The level said back as read, then the yes in a sentence of its own: sent, not asked about again.
    state = CallState("later-yes")
    read_back = spoken(await say(brain, state, "I need write access to power bi please, I'm E11234, "
                                               "I maintain the monthly reports"))
    assert "access level write" in read_back, read_back
    actions = await say(brain, state, "write, so I can change the reports. yes, send it")
    assert tools_ok(actions) == ["request_access"], spoken(actions)


@pytest.mark.parametrize("opener", [
    "hi, it's Ben Carter in the control room, E one one four oh two. teams calls on my PC won't ring through to me",
    "morning, this is Grace Kim from finance, E one oh eight five oh. my headset crackles on every call",
])
async def test_who_is_calling_is_no_request_for_a_person(brain: SwitchboardBrain, opener: str) -> None:
    # A name introduced reads like "can I speak to <name>" to the classifier: the rest of the turn decides.
    state = CallState("introduced")
    actions = await say(brain, state, opener)
    assert not [a for a in actions if isinstance(a, HandoffEvent)], spoken(actions)
    assert state.task and state.task["intent"] == "incident.create", spoken(actions)


async def test_the_request_sentence_of_a_long_turn_decides_it(brain: SwitchboardBrain) -> None:
    # The story first, the request last: the request sentence on its own is clear, the whole turn was not.
    state = CallState("request-sentence")
    await say(brain, state, "hello, yes, I'm ringing from the riverside pumping station about the control room air "
                            "conditioning job, the number is ten thousand and four. could we get an engineer booked in?")
    assert state.task and state.task["intent"] == "visit.schedule"
    # A question back about the choices picks none of them.
    await say(brain, state, "the day after tomorrow please")
    assert state.task["asking"] == "time_window"
    reply = spoken(await say(brain, state, "what times have you got?"))
    assert "time_window" not in state.task["args"] and "afternoon (12 to 5)" in reply, reply


async def test_a_value_taken_back_in_the_opener_is_said_back(brain: SwitchboardBrain) -> None:
    state = CallState("opener-correction")
    actions = await say(brain, state, "hi, it's the pump at site twelve, no, not twelve, fourteen, it's making a "
                                      "horrible grinding noise")
    assert spoken(actions).startswith("Site 14 then."), spoken(actions)
    assert state.task["args"]["site"] == 14


async def test_a_number_answering_either_or_is_the_record_of_its_shape_not_a_goodbye(brain: SwitchboardBrain) -> None:
    # "Is it about checking on a work order, or looking up an asset?" - "yeah, one oh oh oh six, that's it":
    # the number has a work order's shape, not a tag's; "that's it" ends nothing.
    state = CallState("either-or-number")
    state.dialogue["clarify"] = {"text": "it's the generator job, can you tell me when the engineer's due",
                                 "options": [{"target": "field_ops", "intent": "work_order.status"},
                                             {"target": "field_ops", "intent": "asset.lookup"}]}
    actions = await say(brain, state, "yeah, one oh oh oh six, that's it")
    assert tools_ok(actions) == ["get_work_order"] and not [a for a in actions if isinstance(a, EndCall)], spoken(actions)


async def test_a_follow_up_question_is_answered_from_the_same_topic(brain: SwitchboardBrain) -> None:
    # "and how long does it have to be?" names nothing: it is about the password just explained.
    state = CallState("howto-follow-up")
    first = spoken(await say(brain, state, "how can I change my own password on my work laptop?"))
    assert "Ctrl+Alt+Del" in first, first
    reply = spoken(await say(brain, state, "and how long does it have to be?"))
    assert "14 characters" in reply, reply


async def test_a_site_saying_who_it_is_is_no_request_of_its_own(brain: SwitchboardBrain) -> None:
    # "riverside pumping station here." then the fault: one request, the tag in it kept.
    state = CallState("site-here")
    await say(brain, state, "riverside pumping station here. there's a slow drip off the shaft on intake pump one, "
                            "A one two three")
    assert state.task["args"].get("asset_tag") == "A123" and not state.dialogue.get("later"), state.task


async def test_a_refusal_that_says_what_to_do_instead_offers_it(brain: SwitchboardBrain) -> None:
    # WO-10003 has no visit: moving one is refused with "book one instead", which is offered, and a yes books
    # it for the day and window said for the move.
    state = CallState("instead")
    read_back = await _start(brain, state, "visit.reschedule", "can you move the visit for work order one zero zero "
                                                               "zero three to next tuesday afternoon")
    assert "move the visit" in read_back, read_back
    refused = spoken(await say(brain, state, "yes"))
    assert refused.endswith("Shall I schedule a visit instead?"), refused
    actions = await say(brain, state, "yes please")
    assert tools_ok(actions) == ["schedule_visit"] and "between 12:00 and 17:00" in spoken(actions), spoken(actions)


async def test_yes_to_anything_else_asks_what_else(brain: SwitchboardBrain) -> None:
    state = CallState("yes-more")
    await say(brain, state, "what's the status of work order 10003")
    actions = await say(brain, state, "yes")
    assert spoken(actions) == "Sure. What else can I help with?" and not [a for a in actions if isinstance(a, EndCall)]


async def test_a_change_the_router_heard_for_a_record_is_kept(brain: SwitchboardBrain) -> None:
    # "cancel" is also a state of a work order: the visit named is what is cancelled, not the job.
    state = CallState("cancel-visit")
    await say(brain, state, "please cancel the technician visit for work order one zero zero zero two")
    assert state.task["intent"] == "visit.cancel", state.task


async def test_who_is_calling_is_no_request_of_its_own(brain: SwitchboardBrain) -> None:
    state = CallState("intro")
    actions = await say(brain, state, "hello, olivia grant from operations. any update on i n c two oh oh oh one, "
                                      "maria's vpn problem?")
    assert tools_ok(actions) == ["get_incident"] and "later" not in state.dialogue, spoken(actions)


async def test_a_value_taken_back_in_the_opener_is_replaced(brain: SwitchboardBrain) -> None:
    state = CallState("opener-negation")
    await say(brain, state, "i need to report the portable dewatering pump at site twenty four, no sorry, "
                            "not twenty four, forty two. it won't prime")
    assert state.task["args"]["site"] == 42
    state = CallState("opener-digits")
    await say(brain, state, "i need to move a technician visit. it's for work order one zero zero zero one, no sorry, "
                            "not zero one, zero six")
    await say(brain, state, "moving it")  # the either/or question, if asked, is answered; the number stands
    assert (state.task or {}).get("args", {}).get("work_order_id") == "WO-10006", state.task


async def test_yes_with_more_to_the_second_request_starts_it_with_that(brain: SwitchboardBrain) -> None:
    state = CallState("later-yes-more")
    await say(brain, state, "two things please. i need a password reset, and also my monitor in the control room "
                            "keeps flickering")
    await say(brain, state, "e one oh six two oh")
    await say(brain, state, "yes")
    await say(brain, state, "yes, and it's low priority, it's just annoying really")
    assert state.task["intent"] == "incident.create" and state.task["args"]["priority"] == "low", state.task


async def test_a_go_ahead_before_the_read_back_stands_through_an_aside(brain: SwitchboardBrain) -> None:
    state = CallState("go-ahead")
    await say(brain, state, "one of the booster pumps at millbrook pumping station is making a grinding noise")
    await say(brain, state, "no idea what the tag is, sorry. it's booster pump two, the second one. medium priority")
    await say(brain, state, "yes go ahead")
    assert state.task["confirming"]
    assert tools_ok(await say(brain, state, "nice one")) == ["create_work_order"]
    state = CallState("no-go-ahead")  # without one, "nice one" at the read-back sends nothing
    await say(brain, state, "the pump A one two five at site twelve has failed, priority high")
    assert not tools_ok(await say(brain, state, "nice one")) and state.task["confirming"]


async def test_a_bare_id_of_one_kind_is_read(brain: SwitchboardBrain) -> None:
    actions = await say(brain, CallState("bare-id"), "what is hotel one zero one one?")
    assert tools_ok(actions) == ["lookup_asset"] and "office chiller plant" in spoken(actions)


async def test_a_go_ahead_for_both_requests_sends_the_second_after_its_read_back(brain: SwitchboardBrain) -> None:
    state = CallState("both-go-ahead")
    await say(brain, state, "the workshop rooftop unit at westfield depot, h forty-two oh one, is blowing cold air only, "
                            "and while I've got you my laptop won't join the wifi, I'm E10533")
    await say(brain, state, "medium for both")
    await say(brain, state, "yes, go ahead with both")
    assert state.task["intent"] == "incident.create" and state.task["confirming"]
    assert not state.task["args"]["summary"].startswith("while"), state.task["args"]
    assert tools_ok(await say(brain, state, "cheers")) == ["create_incident"]


async def test_values_for_each_of_two_requests_go_to_the_one_they_name(brain: SwitchboardBrain) -> None:
    state = CallState("each-its-value")
    await say(brain, state, "stonebridge generating station. gas turbine generator two, g six eight oh two, has a lube oil "
                            "pressure alarm, and the fuel gas booster compressor c six eight two oh is leaking oil")
    await say(brain, state, "high for the turbine, medium for the compressor")
    assert state.task["args"]["priority"] == "high"
    await say(brain, state, "yes")
    await say(brain, state, "yes")
    assert state.task["args"]["asset_tag"] in ("C-6820", "C6820") and state.task["args"]["priority"] == "medium"
    # "That's everything, bye" to its read-back: all of it right, sent, then goodbye.
    actions = await say(brain, state, "that's everything, bye")
    assert tools_ok(actions) == ["create_work_order"] and isinstance(actions[-1], EndCall)


async def test_an_employee_id_settles_it_for_it_when_unsure(brain: SwitchboardBrain) -> None:
    state = CallState("employee-id-settles")
    await say(brain, state, "the historian trends in the control room have frozen again, I'm E11402, put it as low")
    assert state.task["intent"] == "incident.create" and state.task["args"]["user"] == "E11402", state.task


@pytest.mark.parametrize("question, answer", [
    ("i've typed my password wrong a few times and now it says my account's locked. how long do i have to wait?",
     "15 minutes"),
    ("the vpn keeps telling me token out of sync, what am i meant to do about that?", "resync"),
    ("quick one, how often do the gas compressors at eastgate get serviced?", "4,000 running hours"),
])
async def test_a_question_of_how_or_what_is_answered_from_the_articles(brain: SwitchboardBrain, question: str,
                                                                      answer: str) -> None:
    state = CallState("how-question")
    reply = spoken(await say(brain, state, question))
    assert answer in reply and state.task is None, reply


async def test_a_correction_right_after_filing_changes_the_record_just_made(brain: SwitchboardBrain) -> None:
    state = CallState("after-filing")
    await say(brain, state, "the sludge transfer pump at harbor road, a three oh one, keeps blocking up and tripping "
                            "out, medium priority")
    made = await say(brain, state, "yes")
    assert tools_ok(made) == ["create_work_order"]
    await say(brain, state, "oh hang on, sorry, i said medium, it should be high. it's the only one we've got running")
    assert state.task["intent"] == "work_order.update" and state.task["args"]["priority"] == "high"
    assert state.task["args"]["work_order_id"] == state.entities["work_order_id"]
    assert state.task["args"]["note"] == "it's the only one we've got running"
    assert tools_ok(await say(brain, state, "yes")) == ["update_work_order"]  # no second work order


async def test_an_id_said_again_after_a_self_correction_is_the_one_meant(brain: SwitchboardBrain) -> None:
    state = CallState("self-correction")
    await say(brain, state, "hi, i need a password reset, i'm locked out")
    await say(brain, state, "employee number e one oh seven seven seven. hang on, no, that's jonas's, i'm reading off "
                            "the wrong sheet. mine's e one oh eight five oh")
    assert state.task["args"]["user"] == "E10850"


async def test_yes_with_a_change_to_anything_else_is_that_change(brain: SwitchboardBrain) -> None:
    state = CallState("yes-close")
    await say(brain, state, "what's the status of work order 10005")
    await say(brain, state, "yes, close it")  # a yes with a request is the request, not "what else?"
    assert state.task["intent"] == "work_order.update" and state.task["args"]["status"] == "completed"


async def test_a_site_named_with_a_possessive_is_that_site(brain: SwitchboardBrain) -> None:
    state = CallState("possessive-site")
    await say(brain, state, "the chemical dosing pump at millbrook's lost its prime, it's not dosing anything")
    assert state.task["args"].get("site") == 7 or state.task.get("proposed", {}).get("asset_tag") == "P-4701", state.task


@pytest.mark.parametrize("said, sent", [("cheers, bye", True), ("thanks, bye", True), ("no thanks, bye", False)])
async def test_a_thanks_and_goodbye_at_the_read_back_sends_it_and_a_no_does_not(brain: SwitchboardBrain, said: str,
                                                                                sent: bool) -> None:
    state = CallState("thanks-bye")
    await say(brain, state, "the pump A one two five at site twelve has failed, priority high")
    actions = await say(brain, state, said)
    assert (tools_ok(actions) == ["create_work_order"]) is sent and isinstance(actions[-1], EndCall)


async def test_a_question_naming_a_tag_never_writes_a_ticket(brain: SwitchboardBrain) -> None:
    state = CallState("question-tag")
    await say(brain, state, "hello, can you tell me about the generator up at cedar falls? when was it last looked at?")
    actions = await say(brain, state, "is it not on your system? ... hang on. g three oh two oh")
    assert not (state.task or {}).get("confirming") and not tools_ok(actions), spoken(actions)


async def test_unclear_twice_but_naming_a_record_reads_it(brain: SwitchboardBrain) -> None:
    state = CallState("unclear-then-id")
    await say(brain, state, "hi there, i'm chasing up a ticket about the scada historian, the trends in the control "
                            "room aren't updating")
    actions = await say(brain, state, "can you not just look it up under my name? ... oh, right, okay. "
                                      "it's i n c two zero zero zero two")
    assert tools_ok(actions) == ["get_incident"] and not state.handoff, spoken(actions)


async def test_a_question_after_telling_of_an_earlier_report_is_about_that_report(brain: SwitchboardBrain) -> None:
    state = CallState("did-it-go-through")
    actions = await say(brain, state, "sorry, we got cut off earlier. i was reporting the instrument air compressor at "
                                      "eastgate tripping on temperature, did that go through?")
    assert (state.task or {}).get("intent", "work_order.status") == "work_order.status", spoken(actions)
    assert "create_work_order" not in [a.name for a in actions if isinstance(a, ToolEvent)]


async def test_a_short_ask_at_the_end_is_judged_with_its_sentence(brain: SwitchboardBrain) -> None:
    # Alone, "can we move that?" and "the technician coming for ... job 10002" are each unsure; together a move.
    state = CallState("ask-leaning")
    actions = await say(brain, state, "It's the operator at North Ridge. The technician coming for the oil pump job, "
                                      "ten thousand and two, can we move that?")
    assert state.task and state.task["intent"] == "visit.reschedule" and not state.handoff, spoken(actions)
    # Nothing to change was said yet: the booked day and window are not read back as the move.
    assert not state.task.get("confirming") and set(state.task["args"]) <= {"work_order_id", "date"}, state.task
    await say(brain, state, "after lunch thursday would suit")
    assert state.task["args"]["time_window"] == "afternoon" and state.task.get("confirming"), state.task
    actions = await say(brain, state, "oh sorry, no, scrap that, make it the evening, not the afternoon")
    assert state.task and state.task["args"]["time_window"] == "evening", spoken(actions)  # a change, not a cancel


async def test_a_move_that_names_only_the_window_keeps_the_booked_day(brain: SwitchboardBrain) -> None:
    state = CallState("move-window")
    await say(brain, state, "can you shift the engineer's visit on WO-10002 to the afternoon")
    assert state.task.get("confirming") and state.task["args"]["time_window"] == "afternoon" and "date" in state.task["args"]


async def test_a_note_asked_for_after_a_read_is_a_note_whatever_the_news_holds(brain: SwitchboardBrain) -> None:
    # "this morning" in the news is no booking: the ask before the colon decides.
    state = CallState("note-after-read")
    await say(brain, state, "can you tell me where we're at with work order ten thousand and one?")
    actions = await say(brain, state, "right. can you stick a note on it: vibration's up to eleven millimetres per "
                                      "second this morning and the standby pump is running.")
    assert state.task and state.task["intent"] == "work_order.note", spoken(actions)
    assert " and and so on" not in spoken(actions) and spoken(actions).count(" and so on") == 1


async def test_a_question_about_another_way_to_answer_is_answered(brain: SwitchboardBrain) -> None:
    state = CallState("email-any-good")
    await say(brain, state, "my laptop won't get on the wi-fi, it keeps saying certificate expired")
    held = state.task["args"].get("category")
    actions = await say(brain, state, "dunno my employee number, i've only just started. is my email any good?")
    assert spoken(actions).startswith("Yes, your work email address will do."), spoken(actions)
    assert state.task["args"].get("category") == held  # "email" asked about is no category


async def test_a_greeting_and_a_name_with_a_department_are_no_request_of_their_own(brain: SwitchboardBrain) -> None:
    state = CallState("intro-department")
    actions = await say(brain, state, "Hi, Grace Kim, asset management. I need to sort out Maximo access for someone "
                                      "in my team, Jonas Berg.")
    assert state.task and state.task["intent"] == "access.request" and not state.dialogue.get("later"), spoken(actions)


async def test_asking_if_this_is_the_right_line_is_told_what_the_line_does(brain: SwitchboardBrain) -> None:
    state = CallState("right-line")
    actions = await say(brain, state, "Is this the right number for computer problems, or is it just for the pumps and that?")
    assert "IT tickets" in spoken(actions) and not state.task, spoken(actions)


async def test_an_id_remembered_by_its_end_finds_the_record(brain: SwitchboardBrain) -> None:
    state = CallState("id-ending")
    actions = await say(brain, state, "I need to cancel the technician visit on the North Ridge oil pump job. "
                                      "It's the one ending in oh two.")
    assert state.task["intent"] == "visit.cancel" and state.task.get("proposed") == {"work_order_id": "WO-10002"}, \
        spoken(actions)


async def test_a_thing_described_in_other_words_than_its_record_is_offered(brain: SwitchboardBrain) -> None:
    state = CallState("aircon-is-climate-control")
    actions = await say(brain, state, "The air conditioning in the lab at Lakeside Water Treatment Plant has packed in. "
                                      "It's thirty-one degrees in there.")
    assert state.task.get("proposed") == {"asset_tag": "H-5530"}, spoken(actions)


async def test_a_value_taken_back_in_the_answer_to_which_request_is_the_one_meant(
        brain: SwitchboardBrain, monkeypatch: pytest.MonkeyPatch) -> None:
    state = CallState("clarify-negated-site")
    decide = brain.coordinator.decide_async
    policy = brain.coordinator.policy

    async def unsure_once(text, st, **kw):  # the router's doubt is made here: its calibration moves with the examples
        monkeypatch.setattr(brain.coordinator, "decide_async", decide)
        d = await decide(text, st, **kw)
        return dataclasses.replace(
            d, action="clarify", target="field_ops", intent="work_order.create", confidence=0.45, policy_hits=["low_confidence"],
            alternatives=[{"target": "field_ops", "intent": "work_order.status", "confidence": 0.35}],
            clarify_question=policy.either_or("work_order.create", "work_order.status"))

    monkeypatch.setattr(brain.coordinator, "decide_async", unsure_once)
    monkeypatch.setattr(brain, "_settled", lambda d, text, **kw: d)  # nothing settles the doubt made above
    monkeypatch.setattr(brain, "_unfounded_change", lambda d, text, st: None)
    monkeypatch.setattr(brain, "_status_asked", lambda d, text, st: None)
    await say(brain, state, "I'm ringing about the backup generator at the reservoir. The fuel's dropped to thirty "
                            "percent and the delivery hasn't turned up.")
    assert state.dialogue.get("clarify"), "the test needs the either/or question"
    monkeypatch.undo()
    await say(brain, state, "It's site thirteen. No, not thirteen, thirty. Three zero.")
    assert state.task["intent"] == "work_order.create" and state.task["args"]["site"] == 30


async def test_a_status_with_a_second_request_pending_still_says_when_the_technician_comes(brain: SwitchboardBrain) -> None:
    state = CallState("status-then-offer")
    actions = await say(brain, state, "North Ridge again. Two things: when's the technician coming for job ten thousand "
                                      "and two, and I need to report the bypass valve V fourteen ten, it's passing.")
    said = spoken(actions)
    assert "W O, one zero zero, zero two" in said and " is booked for " in said, said  # "and two" is in the number
    assert state.dialogue.get("offer") == "later" and len(said.split()) <= 40, said
    # Getting on with the second request without a yes accepts the offer.
    await say(brain, state, "site fourteen. it's passing when it's closed, high priority")
    assert state.task and state.task["intent"] == "work_order.create" and state.task["args"].get("site") == 14, state.task


async def test_a_write_on_a_closed_record_says_so_before_the_read_back(brain: SwitchboardBrain) -> None:
    state = CallState("closed-record")
    actions = await say(brain, state, "Can I get someone out to Millbrook for job ten thousand and nine, the noisy "
                                      "booster pump? Tomorrow morning.")
    assert "zero nine is completed." in spoken(actions), spoken(actions)
    actions = await say(brain, state, "Oh, it's closed, is it? Leave it then, I'll ring back if it's still noisy.")
    assert state.task is None and "Nothing was sent" in spoken(actions), spoken(actions)


async def test_an_option_word_describing_a_thing_is_no_value(brain: SwitchboardBrain) -> None:
    state = CallState("a-new-one")
    await say(brain, state, "Dev Patel here. That ticket for my cracked tablet screen, INC two oh oh oh four, you can "
                            "close it. Stores gave me a new one.")
    assert state.task["intent"] == "incident.update" and state.task["args"].get("status") == "closed", state.task


async def test_a_new_one_after_reading_a_closed_job_is_for_the_same_thing(brain: SwitchboardBrain) -> None:
    state = CallState("new-one-after-read")
    first = await say(brain, state, "hello, it's Marek from riverside. the seal on intake pump one got replaced a few weeks "
                            "back, job ten thousand and seven, and it's weeping again. can you reopen that one?")
    actions = await say(brain, state, "ah. go on then, raise a new one. it's a slow drip from the shaft, so medium")
    task = state.task
    assert task["intent"] == "work_order.create" and task.get("confirming"), spoken(first + actions)
    assert (task["args"]["asset_tag"], task["args"]["site"], task["args"]["summary"]) == \
        ("A123", 12, "a slow drip from the shaft"), spoken(first + actions)
    assert tools_ok(await say(brain, state, "yes, that's right")) == ["create_work_order"]


async def test_hearing_a_result_again_does_not_ask_anything_else_a_third_time(brain: SwitchboardBrain) -> None:
    state = CallState("come-again-after-result")
    await say(brain, state, "the pump A one two three at site twelve is leaking, priority medium")
    done = spoken(await say(brain, state, "yes"))
    assert done.endswith("Anything else?")
    again = spoken(await say(brain, state, "come again?"))
    assert again == done.removesuffix(" Anything else?") and "Anything else?" not in again, again


async def test_a_new_request_that_names_an_existing_requests_number_reads_it(brain: SwitchboardBrain) -> None:
    state = CallState("sr-status-by-number")
    actions = await say(brain, state, "hi, it's Jonas Berg. has my GIS access come through yet? the request was thirty "
                                      "thousand and three")
    assert tools_ok(actions) == ["get_service_request"] and "Grace Kim" in spoken(actions), spoken(actions)


async def test_a_start_over_followed_by_a_new_request_starts_that_request(brain: SwitchboardBrain) -> None:
    state = CallState("start-over-with-request")
    await say(brain, state, "I need my password reset, I think.")
    actions = await say(brain, state, "Sorry, start again. It's not a password thing at all, my laptop screen has "
                                      "cracked right across.")
    assert state.task and state.task["intent"] == "incident.create", spoken(actions)


async def test_a_question_about_a_result_is_answered_from_the_whole_result(brain: SwitchboardBrain) -> None:
    state = CallState("question-about-result")
    await say(brain, state, "could you raise an access request for E one oh seven seven seven, read access to power bi, "
                            "for the monthly reports")
    done = spoken(await say(brain, state, "yes"))
    assert "approval from Grace Kim" in done, done  # whom it waits for is said first
    assert "email" not in done, done  # the rest of the message is cut for the ear
    answer = await say(brain, state, "sorry, how long does that take?")
    assert "usually within one working day" in spoken(answer), spoken(answer)
    assert not [a for a in answer if isinstance(a, (RouteEvent, ToolEvent))]


async def test_a_question_the_result_does_not_answer_is_not_answered_from_it(brain: SwitchboardBrain) -> None:
    state = CallState("question-not-in-result")
    await say(brain, state, "please reset the password for E one one zero five zero")
    await say(brain, state, "yes")
    actions = await say(brain, state, "what's the weather doing tomorrow?")
    assert "reset link" not in spoken(actions) and "1199" not in spoken(actions), spoken(actions)


async def test_announcing_several_things_is_asked_to_go_on(brain: SwitchboardBrain) -> None:
    state = CallState("announce")
    actions = await say(brain, state, "Morning, Hannah Weiss from finance here. I've got a couple of quick questions if "
                                      "that's ok.")
    assert spoken(actions) == "Sure. Go ahead with the first one." and not state.handoff and not state.task
    state = CallState("announce-with-request")
    actions = await say(brain, state, "two things. the pump at site twelve, A one two three, is leaking, and when is "
                                      "the technician coming for job ten thousand and two?")
    assert "Go ahead with the first one" not in spoken(actions) and state.task, spoken(actions)


async def test_a_question_about_the_options_is_answered_and_sets_nothing(brain: SwitchboardBrain) -> None:
    state = CallState("options-question")
    await say(brain, state, "the booster pump P four five one two at site fourteen is making a grinding noise")
    actions = spoken(await say(brain, state, "hang on, how is urgent different from high?"))
    assert "4 hours" in actions and "24 hours" in actions and actions.endswith("?"), actions
    assert state.task.get("args", {}).get("priority") in (None, "medium"), state.task
    assert "Priority low then" in spoken(await say(brain, state, "low then"))


async def test_a_request_sentence_decides_which_change_when_the_state_is_only_told(brain: SwitchboardBrain) -> None:
    state = CallState("escalate-not-update")
    await say(brain, state, "it's Maria Lopez about incident two zero zero zero one. it's still in progress and I "
                            "still can't get on the VPN from site. Could you escalate it please?")
    assert state.task and state.task["intent"] == "incident.escalate", state.task


async def test_a_request_put_as_a_question_keeps_its_news(brain: SwitchboardBrain) -> None:
    state = CallState("comment-as-question")
    await say(brain, state, "About incident two zero zero zero three. Can you add that Outlook now crashes as well "
                            "when it asks?")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and "outlook now crashes" in task["args"].get("comment", ""), task


async def test_a_change_after_reading_a_service_request_is_for_that_request(brain: SwitchboardBrain) -> None:
    state = CallState("cancel-after-sr-read")
    read = await say(brain, state, "what's happening with S R three zero zero zero five?")
    assert tools_ok(read) == ["get_service_request"], spoken(read)
    await say(brain, state, "ok, please cancel it, the desk has been taken out")
    assert state.task and state.task["intent"] == "service_request.cancel", state.task


async def test_the_ask_before_a_records_number_decides_what_is_done_with_it(brain: SwitchboardBrain) -> None:
    state = CallState("ask-before-number")
    await say(brain, state, "next, put a note on job one zero zero zero five, the valve is passing again and the "
                            "actuator tripped twice")
    assert state.task and state.task["intent"] == "work_order.note", state.task
    assert state.task["args"]["note"].startswith("the valve is passing again"), state.task


async def test_a_priority_said_with_a_new_thing_after_a_write_is_the_new_things(brain: SwitchboardBrain) -> None:
    state = CallState("priority-for-new-thing")
    await say(brain, state, "add a note to work order ten thousand and one saying the standby pump is doing the work")
    await say(brain, state, "yes")
    await say(brain, state, "Next one. The compressor at Eastgate, C two one zero two, keeps tripping on high "
                            "vibration. Urgent priority.")
    assert state.task and state.task["intent"] == "work_order.create", state.task


async def test_thats_it_to_a_read_back_sends_it(brain: SwitchboardBrain) -> None:
    state = CallState("thats-it-at-read-back")
    await say(brain, state, "the air compressor C four two zero two at site forty two is leaking air, low priority")
    assert state.task and state.task.get("confirming")
    actions = await say(brain, state, "that's it, thanks")
    assert tools_ok(actions) == ["create_work_order"] and not [a for a in actions if isinstance(a, EndCall)], spoken(actions)


async def test_a_yes_that_orders_a_change_then_thanks_sends_it(brain: SwitchboardBrain) -> None:
    state = CallState("yes-close-it-thanks")
    read = await say(brain, state, "what's the status of work order ten thousand and five?")
    assert tools_ok(read) == ["get_work_order"], spoken(read)
    await say(brain, state, "yes, close it")
    assert state.task and state.task.get("confirming") and state.task["args"].get("status") == "completed", state.task
    assert tools_ok(await say(brain, state, "thanks")) == ["update_work_order"]


async def test_a_question_at_a_read_back_is_answered_not_handed_over(brain: SwitchboardBrain) -> None:
    state = CallState("question-at-read-back")
    await say(brain, state, "the inlet valve V two one one zero at Eastgate won't close fully, high priority")
    actions = await say(brain, state, "will somebody get here today?")
    assert not state.handoff and "24 hours" in spoken(actions) and spoken(actions).endswith("?"), spoken(actions)
    assert tools_ok(await say(brain, state, "ok, yes")) == ["create_work_order"]


async def test_a_priority_said_of_a_new_fault_is_not_a_change_to_a_ticket_named_later(brain: SwitchboardBrain) -> None:
    state = CallState("priority-of-the-fault-not-the-ticket")
    await say(brain, state, "Two things. The pump A one two five at Riverside is dripping oil from the seal, low priority. "
                            "And where's incident two zero zero zero six up to?")
    assert state.task and state.task["intent"] == "work_order.create", state.task
    assert state.task["args"].get("priority") == "low" and state.dialogue["later"]["intent"] == "incident.status"


async def test_a_question_of_what_hours_is_answered_when_the_router_is_unsure(brain: SwitchboardBrain) -> None:
    state = CallState("what-hours")
    actions = await say(brain, state, "what times do the technicians come out? I'd have to open the gate for them.")
    assert "08:00" in spoken(actions) and not state.task, spoken(actions)


async def test_a_request_leaning_on_a_how_to_answer_is_for_that_problem(brain: SwitchboardBrain) -> None:
    state = CallState("log-it-after-howto")
    await say(brain, state, "how do I get outlook working on my phone again? it stopped syncing this morning")
    await say(brain, state, "tried that already. could you log it for me? it's Sam O'Connor, E one oh five three three")
    task = state.task or {}
    assert task.get("intent") == "incident.create" and task["args"].get("user") == "E10533", task
    assert "sync" in task["args"].get("summary", ""), task


async def test_a_switch_cue_with_an_apostrophe_keeps_the_second_request(brain: SwitchboardBrain) -> None:
    state = CallState("cue-with-apostrophe")
    await say(brain, state, "It's Aiko Tanaka, E10620. My password's expired. And while I've got you, my second monitor "
                            "request, has it shipped yet?")
    assert state.task and state.task["intent"] == "password.reset"
    assert (state.dialogue.get("later") or {}).get("target") == "it_ops", state.dialogue


@pytest.mark.parametrize("opener,unhelpful", [
    # An either/or of things to pick from, then "not sure", "what?" and the like: never a third time.
    ("one of the intake pumps at Riverside is making a racket, gravel in it by the sound",
     ["I don't know", "ok", "yes", "what?", "it's the usual one", "eh?"]),
    # A read-back the caller cannot get past, then a person offered and not heard: a person.
    ("borehole pump A five five one at Lakeside keeps tripping out, high priority",
     ["hmm", "eh?", "you know the one", "sorry?", "what?", "pardon?"]),
    ("Hiya, Nora Ali from IT, a new starter in my team needs a laptop for Monday",
     ["I'm not sure", "eh?", "what?", "sorry?", "you know the one", "I don't know"]),
])
async def test_unhelpful_answers_never_hear_a_question_a_third_time(brain: SwitchboardBrain, opener: str,
                                                                     unhelpful: list[str]) -> None:
    state = CallState(f"unhelpful-{opener[:12]}")
    replies = []
    for text in [opener, *unhelpful]:
        actions = await say(brain, state, text)
        replies.append(" ".join(a.text for a in actions if isinstance(a, Say) and not a.filler))
        if any(isinstance(a, (EndCall, HandoffEvent)) for a in actions):
            break
    assert not repeated_questions(replies), replies


async def test_a_question_after_the_yes_to_a_read_back_is_answered_once_it_is_sent(brain: SwitchboardBrain) -> None:
    state = CallState("yes-then-a-question")
    await say(brain, state, "put a note on work order ten thousand and two: the overload relay tripped again at six")
    assert state.task and state.task.get("confirming"), state.task
    actions = await say(brain, state, "yes. what time is the technician due?")
    said = spoken(actions)
    assert tools_ok(actions) == ["add_work_order_note", "get_work_order"], said
    assert "08:00" in said and "Anything else" not in said.split("08:00")[0] and len(said.split()) <= 40, said


async def test_a_yes_that_only_goes_on_to_say_send_it_asks_nothing_more(brain: SwitchboardBrain) -> None:
    state = CallState("yes-can-you-send-it")
    await say(brain, state, "the inlet valve V two one one zero at Eastgate won't close fully, high priority")
    actions = await say(brain, state, "yes, can you send it?")
    assert tools_ok(actions) == ["create_work_order"] and spoken(actions).endswith("Anything else?"), spoken(actions)


async def test_an_employee_number_answering_an_either_or_picks_the_request_that_takes_it(brain: SwitchboardBrain) -> None:
    # An asset tag is "a letter and digits" too; the employee number's own letter says which request it answers.
    state = CallState("employee-number-settles-either-or")
    state.dialogue["clarify"] = {"text": "I need to get into the maps with the pipe runs on, only to look",
                                 "options": [{"target": "field_ops", "intent": "work_order.create"},
                                             {"target": "it_ops", "intent": "access.request"}]}
    await say(brain, state, "Sam O'Connor, E one zero five three three.")
    task = state.task or {}
    assert task.get("intent") == "access.request" and task["args"].get("user") == "E10533", task


async def test_a_question_about_the_request_on_the_way_is_answered_from_its_articles(brain: SwitchboardBrain) -> None:
    state = CallState("aside-in-a-task")
    await say(brain, state, "Can I get into the GIS maps? Only need to look. I'm E10533.")
    assert state.task and state.task["intent"] == "access.request", state.task
    actions = await say(brain, state, "who signs that off?")
    said = spoken(actions)
    assert "line manager" in said and said.endswith("?") and state.task and not state.handoff, said
    # A question the articles do not answer is not answered with whatever they hold.
    actions = await say(brain, state, "do you know if it's raining over there?")
    assert "manager" not in spoken(actions) and state.task, spoken(actions)


async def test_an_either_or_question_never_names_one_request_twice(brain: SwitchboardBrain) -> None:
    state = CallState("either-or-distinct")
    actions = await say(brain, state, "how long will they be there?")
    said = spoken(actions)
    if "or" in said and "?" in said:
        first, _, second = said.partition(", or ")
        assert first.split("about")[-1].strip() != second.rstrip("?").strip(), said


async def test_a_record_that_exists_given_for_a_new_records_question_is_read(brain: SwitchboardBrain) -> None:
    state = CallState("chasing-not-reporting")
    await say(brain, state, "third time I've called about the oil pump at North Ridge, it keeps tripping and nobody comes")
    assert state.task and state.task["intent"] == "work_order.create", state.task
    actions = await say(brain, state, "the job number's W O ten thousand and two")
    assert tools_ok(actions) == ["get_work_order"] and "Dev Patel" in spoken(actions), spoken(actions)
    assert not any(a.get("tool") == "create_work_order" for a in state.tool_attempts)
    # A bare number to a new fault's question is no record named: it is still an answer to that question.
    state = CallState("bare-number-to-a-new-fault")
    await say(brain, state, "third time I've called about the oil pump at North Ridge, it keeps tripping and nobody comes")
    assert not tools_ok(await say(brain, state, "one double oh oh two"))


async def test_a_yes_that_orders_another_action_reads_that_one_back(brain: SwitchboardBrain) -> None:
    state = CallState("yes-but-another-action")
    await say(brain, state, "can you book a technician for work order ten thousand and four on Friday morning?")
    assert state.task and state.task["tool"] == "schedule_visit" and state.task.get("confirming"), state.task
    actions = await say(brain, state, "yes, cancel it")
    assert not tools_ok(actions) and state.task and state.task["tool"] == "cancel_visit", spoken(actions)
    assert state.task.get("confirming") and state.task["args"]["work_order_id"] == "WO-10004", state.task
    # A yes that names the action read back is a plain yes.
    state = CallState("yes-and-the-same-action")
    await say(brain, state, "can you book a technician for work order ten thousand and four on Friday morning?")
    assert tools_ok(await say(brain, state, "yes, book it")) == ["schedule_visit"]
    # So is one with the verb the read-back used, and one naming a new record (no other action on this one).
    state = CallState("yes-submit-it")
    await say(brain, state, "I need read access to Power BI for the shift dashboards, I'm E10620")
    assert state.task and state.task.get("confirming"), state.task
    assert tools_ok(await say(brain, state, "yes submit it")) == ["request_access"]


async def test_two_tickets_named_to_hear_about_are_both_read_in_the_order_said(brain: SwitchboardBrain) -> None:
    state = CallState("two-tickets-read")
    actions = await say(brain, state, "where are my two up to? the AutoCAD install, that's SR three zero zero zero two, "
                                      "and the cracked tablet, INC two zero zero zero four")
    assert tools_ok(actions) == ["get_service_request", "get_incident"], spoken(actions)
    assert len(spoken(actions).split()) <= 40 and not state.task, spoken(actions)


async def test_a_question_leaning_on_a_record_just_read_is_answered_from_it(brain: SwitchboardBrain) -> None:
    state = CallState("leaning-on-the-read")
    read = await say(brain, state, "what is asset A one two four? I've never heard of it")
    assert tools_ok(read) == ["lookup_asset"], spoken(read)
    actions = await say(brain, state, "are they doing any work on it?")
    assert "no open work orders" in spoken(actions).lower() and not state.task, spoken(actions)


async def test_a_question_about_a_choice_outside_a_task_is_answered_and_followed(brain: SwitchboardBrain) -> None:
    state = CallState("choice-question-no-task")
    actions = await say(brain, state, "how soon does somebody get to an urgent priority job, roughly?")
    assert "4 hours" in spoken(actions) and not state.task and not state.handoff, spoken(actions)
    actions = await say(brain, state, "and a low one?")
    assert "10 working days" in spoken(actions) and not state.handoff, spoken(actions)
    # One option named, with no choice named, is about that thing, not about the choice.
    actions = await say(brain, state, "how do I get on the VPN from home?")
    assert "remote access to the company network" not in spoken(actions), spoken(actions)


async def test_a_question_that_names_a_priority_changes_no_record(brain: SwitchboardBrain) -> None:
    state = CallState("priority-in-a-question")
    actions = await say(brain, state, "when is my urgent one, work order ten thousand and two, getting sorted?")
    assert tools_ok(actions) == ["get_work_order"] and not state.task, spoken(actions)


async def test_a_turn_that_only_asks_to_know_is_answered_whatever_the_router_heard(brain: SwitchboardBrain) -> None:
    state = CallState("only-asks-to-know")
    actions = await say(brain, state, "how late do the visits go on in the evening?")
    assert "20:00" in spoken(actions) and not state.task, spoken(actions)
    # Asked as a request, it is one.
    await say(brain, state, "can you book a visit for work order ten thousand and four in the evening?")
    assert state.task and state.task["intent"] == "visit.schedule", state.task


async def test_where_to_find_something_is_answered_and_where_a_job_is_up_to_is_not(brain: SwitchboardBrain) -> None:
    state = CallState("where-questions")
    actions = await say(brain, state, "where am I meant to find the asset tag on this valve? I'm right by it and see nothing.")
    assert "handwheel" in spoken(actions) and not state.task, spoken(actions)
    state = CallState("where-are-we-with-it")
    actions = await say(brain, state, "the compressor at Eastgate I rang about, where are we with it?")
    assert "handwheel" not in spoken(actions) and "riveted" not in spoken(actions), spoken(actions)


async def test_not_knowing_the_tag_of_the_one_thing_offered_takes_it_and_reads_it_back(brain: SwitchboardBrain) -> None:
    state = CallState("no-tag-for-the-offer")
    offer = await say(brain, state, "the transformer cooling oil pump at North Ridge is tripping again")
    assert "P, four five, one two" in spoken(offer), spoken(offer)
    actions = await say(brain, state, "haven't got a clue what its tag is, sorry")
    task = state.task or {}
    assert task.get("confirming") and task["args"].get("asset_tag") == "P-4512" and not tools_ok(actions), spoken(actions)
    assert not state.handoff and "Is it the" not in spoken(actions), spoken(actions)


async def test_why_a_record_needs_an_action_is_what_the_caller_told_of_it_before(brain: SwitchboardBrain) -> None:
    state = CallState("reason-told-before")
    await say(brain, state, "the VPN has been dropping every ten minutes all week and my whole team can't work, "
                            "it's INC two zero zero zero one")
    actions = await say(brain, state, "right, escalate it then")
    task = state.task or {}
    assert task.get("confirming") and "team" in str(task["args"].get("reason", "")), spoken(actions)
    # Told nothing before about the record: the question is asked.
    state = CallState("no-reason-told")
    await say(brain, state, "INC two zero zero zero one please")
    actions = await say(brain, state, "escalate it")
    assert spoken(actions).endswith("Why does it need escalating?"), spoken(actions)


async def test_news_for_a_ticket_named_with_the_write_is_that_write_with_all_it_told(brain: SwitchboardBrain) -> None:
    state = CallState("news-for-a-ticket")
    actions = await say(brain, state, "I tried the VPN again from site fourteen this morning and it still drops. "
                                      "Can you add that to INC two zero zero zero one?")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and task.get("confirming"), spoken(actions)
    assert "site fourteen" in task["args"].get("comment", ""), task


async def test_what_is_done_with_a_record_is_read_in_the_sentence_that_names_it(brain: SwitchboardBrain) -> None:
    # The id has a clause of its own ("..., WO 10004."): the ask is in the rest of its sentence.
    state = CallState("ask-in-the-ids-sentence")
    actions = await say(brain, state, "We need to call off the technician visit for the Riverside intake pump job, "
                                      "WO one zero zero zero one. The site's locked down.")
    task = state.task or {}
    assert task.get("intent") == "visit.cancel" and not tools_ok(actions), spoken(actions)


async def test_a_who_question_after_a_read_gets_the_one_person_the_result_names(brain: SwitchboardBrain) -> None:
    state = CallState("who-to-chase")
    read = await say(brain, state, "where's my access request at, S R three zero zero zero three")
    assert tools_ok(read) == ["get_service_request"], spoken(read)
    actions = await say(brain, state, "who do I need to chase?")
    assert "Grace Kim" in spoken(actions) and not state.task and not state.handoff, spoken(actions)


async def test_a_write_the_router_only_guessed_at_right_after_a_read_is_on_that_record(brain: SwitchboardBrain) -> None:
    state = CallState("guessed-write-after-read")
    read = await say(brain, state, "Maria Lopez, I've got incident I N C two zero zero zero one for my VPN, "
                                   "what's happening with it?")
    assert tools_ok(read) == ["get_incident"], spoken(read)
    actions = await say(brain, state, "Can you add a comment that I tested it from site twelve this morning and it "
                                      "still fails?")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and task.get("confirming"), spoken(actions)
    assert task["args"].get("incident_id") == "INC-20001" and "site twelve" in task["args"].get("comment", ""), task


async def test_a_request_ending_on_a_question_about_its_choice_is_answered_and_no_value_is_taken(
        brain: SwitchboardBrain) -> None:
    state = CallState("request-then-options-question")
    actions = await say(brain, state, "Can you log a fault, the booster pump A seven zero one at Millbrook is making a "
                                      "grinding noise. What's the difference between medium and high?")
    said = spoken(actions)
    assert "24 hours" in said and "3 working days" in said and len(said.split()) <= 40, said
    task = state.task or {}
    assert task.get("intent") == "work_order.create" and "priority" not in task["args"], task


async def test_a_new_record_offered_instead_of_a_change_to_a_closed_one_keeps_what_was_said(brain: SwitchboardBrain) -> None:
    # WO 10009 (booster pump A701 at site 7) is completed: it takes no change, so a new one is offered before
    # any read-back of the change, and its read-back carries the asset, the site and the caller's story.
    state = CallState("new-instead-of-reopen")
    first = await say(brain, state, "put work order ten thousand and nine back to open, the booster pump A seven oh one "
                                    "is noisy at start-up again")
    assert "is completed. Shall I open a work order instead?" in spoken(first), spoken(first)
    actions = await say(brain, state, "yes, do that, and make it high priority")
    task = state.task or {}
    assert task.get("tool") == "create_work_order" and task.get("confirming"), (spoken(actions), task)
    assert task["args"].get("asset_tag") == "A701" and task["args"].get("site") == 7, task
    assert "noisy" in task["args"].get("summary", "") and task["args"].get("priority") == "high", task


@pytest.mark.parametrize("opening", [
    # News for a closed record, asked for as a note, told before the ask.
    "the booster pump at Millbrook is rattling again on start-up. Can you put a note on job ten thousand and nine?",
    # A closed incident the caller wants back.
    "it's about incident twenty thousand and six, the Maximo screen is crawling again, could you reopen it please",
])
async def test_a_closed_record_is_said_before_anything_and_a_new_one_offered(brain: SwitchboardBrain, opening: str) -> None:
    state = CallState("closed-then-new")
    actions = await say(brain, state, opening)
    said = spoken(actions)
    assert re.search(r"is (?:completed|closed)\. Shall I open (?:a work order|an incident) instead\?$", said), said
    assert not [a for a in actions if isinstance(a, ToolEvent) and a.status != "started" and a.name.startswith(("add_", "update_"))]
    declined = await say(brain, state, "no")
    assert state.task is None and "Nothing was sent" in spoken(declined), spoken(declined)


async def test_news_told_of_an_incident_named_by_number_is_a_comment_not_a_new_incident(brain: SwitchboardBrain) -> None:
    state = CallState("news-for-incident")
    await say(brain, state, "hello, about my printer incident, two zero zero zero three. I swapped the toner like they "
                            "said and it still jams on every page")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and task["args"].get("incident_id") == "INC-20003", task
    # Asked about it, or chased, the same record is read, not written to.
    for asked in ("about my printer incident, two zero zero zero three. is anybody coming to look at it?",
                  "I'm chasing incident two zero zero zero three, the printer still jams on every page"):
        state = CallState("question-for-incident")
        actions = await say(brain, state, asked)
        assert [a.name for a in actions if isinstance(a, ToolEvent) and a.status != "started"] == ["get_incident"], \
            spoken(actions)


async def test_a_yes_said_in_words_no_list_holds_sends_what_was_read_back(brain: SwitchboardBrain) -> None:
    state = CallState("unlisted-yes")
    await say(brain, state, "the extractor fan in the wash bay at site 14 is rattling badly")
    assert (state.task or {}).get("intent") == "work_order.create", state.task
    while not (state.task or {}).get("confirming"):
        await say(brain, state, "asset F-1402")  # whatever else it asks: a tag it may look up
        if len(state.turns) > 12:
            break
    actions = await say(brain, state, "that'll do")
    assert any(isinstance(a, ToolEvent) and a.name == "create_work_order" for a in actions), spoken(actions)


async def test_a_change_said_as_where_it_takes_a_value_sets_it_and_a_described_thing_does_not(
        brain: SwitchboardBrain) -> None:
    ctx = brain._context()
    spec = brain.tools.tool("field_ops", "update_work_order")
    priority = next(s for s in slots.slots_of(spec.input_schema) if s.name == "priority")
    status = next(s for s in slots.slots_of(spec.input_schema) if s.name == "status")
    said = "the workshop's freezing, could you knock the heating job 10004 down to low"
    assert slots.parse(priority, said, ctx, asked=False) == "low"
    assert slots.parse(priority, "since lunch the load went up to high on the feeder", ctx, asked=False) is None
    assert slots.parse(status, "close it please, stores sent the new one and it works", ctx, asked=False) == "completed"


@pytest.mark.parametrize("said, intent", [
    # A change with no record of its kind pointed at: a new fault that names its priority.
    ("feeder breaker B-1402 at North Ridge is getting hot, high priority", "work_order.create"),
    # A record pointed at with nothing to change it to: its status.
    ("hiya, following up on incident two zero zero zero three, the Outlook one", "incident.status"),
    # Both: the change stands.
    ("the workshop's freezing, could you knock the heating job ten thousand and four down to low", "work_order.update"),
])
async def test_a_change_needs_a_record_and_something_to_change_it_to(brain: SwitchboardBrain, said: str,
                                                                    intent: str) -> None:
    state = CallState(f"founded-{intent}")
    actions = await say(brain, state, said)
    done = tools_ok(actions)
    assert (state.task or {}).get("intent") == intent or done == [INTENT_TOOLS[intent][1]], (state.task, spoken(actions))



@pytest.mark.parametrize("said, ends", [
    ("yes, add that on for Liam to see", False),  # names what a tool does: a request the router took for a goodbye
    ("and can you escalate it for me", False),
    ("brilliant, speak soon", True),  # no goodbye word, no request: the router's goodbye stands
    ("ta", True),
])
async def test_the_call_ends_only_on_a_goodbye_meant(brain: SwitchboardBrain, said: str, ends: bool) -> None:
    state = CallState("goodbye-meant")
    await say(brain, state, "about my printer incident, two zero zero zero three, is anyone coming?")
    actions = await say(brain, state, said)
    assert any(isinstance(a, EndCall) for a in actions) == ends, spoken(actions)


@pytest.mark.parametrize("said", [
    # The question first, news after it.
    "Eastgate here, when is someone coming to look at compressor C two one oh one? It's still running hot today",
    # Unpunctuated, as a recogniser may write it.
    "what time will the engineer get to the generator at harbor road it still won't start on its weekly test",
])
async def test_a_when_question_about_a_fault_asks_after_its_job(brain: SwitchboardBrain, said: str) -> None:
    state = CallState("when-question")
    actions = await say(brain, state, said)
    assert (state.task or {}).get("intent") != "work_order.create", spoken(actions)
    assert "create_work_order" not in tools_ok(actions) and tools_ok(actions), spoken(actions)  # something read


async def test_the_same_thing_reported_again_in_other_words_asks_before_a_second_job(brain: SwitchboardBrain) -> None:
    state = CallState("same-thing-again")
    await say(brain, state, "the lab climate control H5530 at Lakeside is dripping water, medium priority")
    done = await say(brain, state, "yes")
    assert "create_work_order" in tools_ok(done)
    reference = re.search(r"Your reference is (W O, [a-z ,]+)\.", spoken(done)).group(1)
    # Told again in other words (a new summary, no priority): the same asset at the same site is the same fault.
    again = await say(brain, state, "yes please, log it: the aircon in the lab at site 55, H5530, water all down the wall")
    assert f"already logged as {reference}" in spoken(again), spoken(again)
    # A thanks to "Do you want another one?" is no yes; the question stands.
    thanks = await say(brain, state, "thank you")
    assert not tools_ok(thanks) and "another one?" in spoken(thanks), spoken(thanks)
    assert "won't log another" in spoken(await say(brain, state, "no"))


async def test_a_thing_described_in_one_clause_of_a_long_story_is_found_by_meaning(brain: SwitchboardBrain) -> None:
    state = CallState("thing-in-a-story")
    actions = await say(brain, state, "hiya, it's the new lad at Lakeside, the water works, I've only been here since "
                                      "Monday and nobody's about. The air conditioning unit in the lab is dripping all "
                                      "down the wall onto the bench, I've put a tray under it and moved the samples out "
                                      "of the way")
    assert "lab climate control, H, five five, three zero" in spoken(actions), spoken(actions)


@pytest.mark.parametrize("said", [
    "I'm sending a fitter to the Cedar Falls reservoir on Thursday, is there anything he needs to bring?",
    "do I need to sort anything out before I go to the Harbor Road works on Monday?",
    "Hi, I'm a contractor going to North Ridge next week. Is there anything I should know before I get there?",
])
async def test_what_is_required_of_the_caller_is_a_how_to(brain: SwitchboardBrain, said: str) -> None:
    state = CallState("required-how-to")
    actions = await say(brain, state, said)
    routes = [a for a in actions if isinstance(a, RouteEvent)]
    assert routes and routes[-1].intent == "knowledge.howto" and not state.task and not state.handoff, spoken(actions)
    assert not re.search(r"(?:^|\. )- ", spoken(actions)), spoken(actions)  # no list mark read out
    if "North Ridge" in said:
        assert "permit" in spoken(actions), spoken(actions)


@pytest.mark.parametrize("said, tool, value", [
    ("status 10003", "get_work_order", "WO-10003"),
    ("where's ten thousand and five at", "get_work_order", "WO-10005"),
    ("any news on three zero zero zero two", "get_service_request", "SR-30002"),
])
async def test_a_record_number_said_without_its_kind_is_looked_up_in_each_kind(
        brain: SwitchboardBrain, said: str, tool: str, value: str) -> None:
    state = CallState("bare-number")
    actions = await say(brain, state, said)
    assert tools_ok(actions) == [tool], spoken(actions)
    started = [a.arguments for a in actions if isinstance(a, ToolEvent) and a.status == "started"]
    assert value in started[0].values(), started


async def test_what_is_asked_done_with_a_bare_record_number_is_on_the_kind_that_has_it(brain: SwitchboardBrain) -> None:
    state = CallState("bare-number-close")
    await say(brain, state, "you can close twenty thousand and four, the tablet's been swapped and the new one's fine")
    task = state.task or {}
    assert task.get("intent") == "incident.update" and task["args"].get("incident_id") == "INC-20004", task
    # A number no kind of record has is not forced onto one.
    state = CallState("bare-number-none")
    actions = await say(brain, state, "status 55555")
    assert not tools_ok(actions), spoken(actions)


async def test_that_job_after_an_asset_read_with_one_open_job_is_that_job(brain: SwitchboardBrain) -> None:
    state = CallState("that-job-after-asset")
    read = await say(brain, state, "what's the story with the instrument air... no, the gas compressor unit one at "
                                   "Eastgate, tag C twenty-one oh one?")
    assert tools_ok(read) == ["lookup_asset"], spoken(read)
    await say(brain, state, "okay. could you push that job up to urgent please, it's getting worse")
    task = state.task or {}
    assert task.get("intent") == "work_order.update" and task["args"].get("work_order_id") == "WO-10003", task
    assert task["args"].get("priority") == "urgent", task


async def test_anything_else_is_asked_in_other_words_each_time_and_still_answered(brain: SwitchboardBrain) -> None:
    state = CallState("anything-else-forms")
    asked = []
    for opener in ("status of work order ten thousand and three", "where's work order ten thousand and five up to?",
                   "and what's the status of incident twenty thousand and one?"):
        asked.append(spoken(await say(brain, state, opener)).rsplit(". ", 1)[-1])
    assert len(set(asked)) == 3 and all(a.endswith("?") for a in asked), asked
    more = await say(brain, state, "yes")  # a yes to the third form says there is more
    assert "What else" in spoken(more), spoken(more)
    await say(brain, state, "status of work order ten thousand and one")
    done = await say(brain, state, "no")  # a no to any form ends the call
    assert any(isinstance(a, EndCall) for a in done), spoken(done)


async def test_options_asked_about_in_the_last_clause_of_a_request_are_no_value(brain: SwitchboardBrain) -> None:
    state = CallState("options-in-last-clause")
    actions = await say(brain, state, "the outfall penstock at harbor road V zero three one zero won't open more than "
                                      "halfway, what's the difference between high and urgent?")
    assert "24 hours" in spoken(actions) and "priority" not in (state.task or {}).get("args", {}), state.task


async def test_a_name_run_on_into_the_problem_is_no_part_of_the_summary(brain: SwitchboardBrain) -> None:
    state = CallState("introduction-run-on")
    await say(brain, state, "hi its sam okafor from payroll e one one oh oh two my monitor keeps flickering and going off")
    task = state.task or {}
    assert task.get("args", {}).get("summary", "").startswith("my monitor keeps flickering"), task
    assert task["args"].get("user") == "E11002", task


@pytest.mark.parametrize("number, intent", [("one", "visit.schedule"), ("two", "visit.reschedule")])
async def test_unsure_between_booking_and_moving_a_visit_the_work_order_tells(
        brain: SwitchboardBrain, number: str, intent: str) -> None:
    # WO-10002 has a visit booked, WO-10001 none: "shift" is a move of the one there, or a first booking.
    state = CallState(f"book-or-move-{number}")
    actions = await say(brain, state, f"can we shift the technician visit on work order one zero zero zero {number} to "
                                      "friday afternoon please the permit won't be signed off in time otherwise")
    assert "get this right" not in spoken(actions), spoken(actions)
    assert (state.task or {}).get("intent") == intent, state.task


async def test_a_fault_told_with_a_job_number_and_a_change_for_it_is_that_change(brain: SwitchboardBrain) -> None:
    state = CallState("number-and-change")
    await say(brain, state, "the aircon job in the riverside control room ten thousand and four is only down as low "
                            "but we're at thirty degrees so can you put it up to urgent")
    task = state.task or {}
    assert task.get("intent") == "work_order.update", task
    assert task["args"].get("work_order_id") == "WO-10004" and task["args"].get("priority") == "urgent", task


async def test_an_identifier_the_caller_says_they_lack_is_not_asked_for(brain: SwitchboardBrain) -> None:
    state = CallState("lacks-the-tag")
    actions = await say(brain, state, "the fridge in the canteen at riverside has stopped and I don't know the asset number")
    assert (state.task or {}).get("intent") == "work_order.create", state.task  # a fault, not an asset look-up
    assert "asset tag" not in spoken(actions), spoken(actions)
    # Without the admission the tag is asked for as before.
    state = CallState("tag-asked")
    asked = await say(brain, state, "the fridge in the canteen at riverside has stopped")
    assert "asset tag" in spoken(asked), spoken(asked)


async def test_a_caller_who_lost_the_job_number_hears_the_job(brain: SwitchboardBrain) -> None:
    state = CallState("lost-job-number")
    actions = await say(brain, state, "I rang a few days back about compressor unit one at eastgate losing pressure and "
                                      "I never wrote the job number down, can you dig it out for me")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)
    assert "one zero zero, zero three" in spoken(actions), spoken(actions)


async def test_a_request_supposed_with_a_question_is_answered_from_the_articles(brain: SwitchboardBrain) -> None:
    state = CallState("supposed-request")
    actions = await say(brain, state, "quick one, if someone wants access to the finance system who signs it off?")
    assert not tools_ok(actions) and not state.task, spoken(actions)
    assert "manager" in spoken(actions), spoken(actions)


async def test_the_request_before_a_switch_cue_is_done_first_and_the_other_kept(brain: SwitchboardBrain) -> None:
    state = CallState("switch-cue-second")
    await say(brain, state, "my docking station has stopped charging and while I'm on what's happening with S R three "
                            "zero zero zero two")
    assert (state.task or {}).get("intent") == "incident.create", state.task
    assert (state.dialogue.get("later") or {}).get("intent") == "service_request.status", state.dialogue


async def test_a_reference_from_an_earlier_call_is_looked_for_not_the_greeting_said_again(brain: SwitchboardBrain) -> None:
    state = CallState("earlier-reference")
    actions = await say(brain, state, "I rang yesterday about my VPN dropping, what was the reference you gave me?")
    said = spoken(actions)
    assert "help line" not in said and "a person can" in said, said
    assert (state.task or {}).get("intent") == "incident.status", state.task
    done = await say(brain, state, "yes please")
    assert any(isinstance(a, HandoffEvent) for a in done), spoken(done)


async def test_a_yes_and_a_go_ahead_to_anything_else_says_there_is_more(brain: SwitchboardBrain) -> None:
    state = CallState("yes-go-ahead-more")
    await say(brain, state, "status of work order ten thousand and three")
    more = await say(brain, state, "yes please, go ahead")
    assert not any(isinstance(a, EndCall) for a in more) and "What else" in spoken(more), spoken(more)


async def test_a_second_request_is_kept_when_the_switch_cue_is_in_an_announcement(brain: SwitchboardBrain) -> None:
    state = CallState("cue-in-announcement")
    await say(brain, state, "Two things while I've got you. The dosing pump at Millbrook, P forty-seven oh one, is "
                            "weeping from the gland, low priority. And when was booster pump one, A seven oh one, last "
                            "serviced?")
    assert (state.task or {}).get("intent") == "work_order.create", state.task
    assert (state.dialogue.get("later") or {}).get("intent") == "asset.lookup", state.dialogue


async def test_an_id_said_after_who_is_calling_is_theirs_not_a_thing_to_look_up(brain: SwitchboardBrain) -> None:
    state = CallState("id-after-introduction")
    actions = await say(brain, state, "Hi, Grace Kim from asset management, E one oh eight five oh. I need read access to "
                                      "Maximo to check the asset history")
    assert not tools_ok(actions) and (state.task or {}).get("intent") == "access.request", spoken(actions)
    assert "grace" not in str(state.task["args"].get("justification", "")).lower(), state.task


async def test_a_question_about_any_record_of_a_kind_after_a_read_is_answered_from_the_articles(
        brain: SwitchboardBrain) -> None:
    state = CallState("general-after-read")
    await say(brain, state, "what's happening with incident twenty thousand and four")
    actions = await say(brain, state, "and how long does a high priority incident usually take to fix?")
    assert "working day" in spoken(actions) and "tablet" not in spoken(actions).lower(), spoken(actions)


async def test_news_told_for_a_named_record_is_read_then_offered_as_a_comment(brain: SwitchboardBrain) -> None:
    state = CallState("news-offered")
    read = await say(brain, state, "Priya here about my VPN ticket, twenty thousand and one. I tried it from home last "
                                   "night and it dropped twice.")
    assert tools_ok(read) == ["get_incident"] and "as a comment?" in spoken(read), spoken(read)
    added = await say(brain, state, "yes, add that")
    assert tools_ok(added) == ["add_incident_comment"], spoken(added)
    # Another request instead: the offer is not made again.
    state = CallState("news-offer-left")
    await say(brain, state, "work order ten thousand and one, the pump. It's rattling worse today.")
    await say(brain, state, "can you make it urgent")
    done = await say(brain, state, "yes")
    assert tools_ok(done) == ["update_work_order"] and "note?" not in spoken(done), spoken(done)


async def test_an_act_heard_on_another_desk_right_after_a_read_is_that_act_on_the_record_read(
        brain: SwitchboardBrain) -> None:
    state = CallState("act-after-read-other-desk")
    await say(brain, state, "what's the latest on incident twenty thousand and one")
    await say(brain, state, "yes please, add that")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and task["args"].get("incident_id") == "INC-20001", task


async def test_a_visit_cancelled_without_the_job_number_is_found_and_cancelled_on_the_yes(
        brain: SwitchboardBrain) -> None:
    state = CallState("cancel-without-number")
    offer = await say(brain, state, "the technician visit for the transformer cooling oil pump at North Ridge needs "
                                    "cancelling, the shutdown's moved. I haven't got the job number to hand.")
    assert "one zero zero, zero two" in spoken(offer) and not tools_ok(offer), spoken(offer)
    done = await say(brain, state, "yes, cancel it please")
    assert tools_ok(done) == ["cancel_visit"], spoken(done)


async def test_asked_to_be_told_what_a_record_holds_reads_it(brain: SwitchboardBrain) -> None:
    state = CallState("read-me-the-note")
    actions = await say(brain, state, "can you tell me what the last note on work order ten thousand and three says")
    assert tools_ok(actions) == ["get_work_order"] and "Latest note" in spoken(actions), spoken(actions)
    state = CallState("add-a-note-saying")
    await say(brain, state, "add a note to work order ten thousand and three saying the filter was cleaned again")
    assert (state.task or {}).get("intent") == "work_order.note", state.task


async def test_a_job_asked_for_a_thing_is_a_new_fault_and_what_is_wrong_is_asked(brain: SwitchboardBrain) -> None:
    state = CallState("job-for-a-thing")
    actions = await say(brain, state, "I need to log a job for the office chiller plant at the operations centre, "
                                      "tag H one oh one one.")
    task = state.task or {}
    assert task.get("intent") == "work_order.create" and "summary" not in task["args"], task
    assert spoken(actions).endswith("What is wrong with it?"), spoken(actions)


async def test_who_am_i_talking_to_after_a_lead_in_is_answered_not_put_through(brain: SwitchboardBrain) -> None:
    state = CallState("identity-lead-in")
    actions = await say(brain, state, "before anything else, am I talking to a robot?")
    assert not any(isinstance(a, HandoffEvent) for a in actions) and "assistant" in spoken(actions), spoken(actions)


async def test_an_off_topic_question_naming_a_site_is_off_topic(brain: SwitchboardBrain) -> None:
    state = CallState("off-topic-with-site")
    # (Round 18's line: the site's name had the router unsure between two field requests.)
    actions = await say(brain, state, "Fair enough. What's the weather meant to be like up at North Ridge today?")
    assert "can't help there" in spoken(actions) and not state.task, spoken(actions)


@pytest.mark.parametrize("said, answer", [
    ("whereabouts on a pump would I find the asset tag?", "base frame"),
    ("does getting a new starter a laptop need my manager to sign it off?", "service request"),
])
async def test_questions_of_where_and_what_is_needed_are_answered_from_the_articles(
        brain: SwitchboardBrain, said: str, answer: str) -> None:
    state = CallState("how-to-forms")
    actions = await say(brain, state, said)
    assert answer in spoken(actions) and not state.task, spoken(actions)


async def test_a_job_named_with_a_number_out_of_shape_is_that_kind_of_record(brain: SwitchboardBrain) -> None:
    state = CallState("job-number-misshapen")
    actions = await say(brain, state, "it's about job one zero zero three at Eastgate, the discharge pressure has "
                                      "dropped again since lunch")
    # The job is looked for (here found by where and what: WO-10003) and the news offered as a note on it.
    assert tools_ok(actions) == ["get_work_order"] and "as a note?" in spoken(actions), spoken(actions)
    done = await say(brain, state, "yes please")
    assert tools_ok(done) == ["add_work_order_note"], spoken(done)


async def test_a_priority_supposed_in_a_question_is_answered_with_its_target(brain: SwitchboardBrain) -> None:
    state = CallState("priority-supposed")
    # (Round 19's line: the sentence said first around the question had hidden it.)
    actions = await say(brain, state, "Hello, sorry, my English is not so good. If I make a work order with high priority, "
                                      "how many hours until the technician comes?")
    assert "24 hours" in spoken(actions) and not state.task, spoken(actions)


async def test_the_things_said_after_an_announcement_are_heard(brain: SwitchboardBrain) -> None:
    state = CallState("announcement-then-things")
    actions = await say(brain, state, "Tom Reyes, finance, E one one double oh three. Two things. The big printer on our "
                                      "floor jams on every job, I've cleared it twice now, can you log that? Low priority. "
                                      "And what's happening with my Outlook ticket, twenty thousand and three?")
    assert "Go ahead with the first one" not in spoken(actions), spoken(actions)


async def test_how_a_named_thing_is_told_without_a_question_is_a_fault_to_log(brain: SwitchboardBrain) -> None:
    state = CallState("fault-of-a-thing")
    actions = await say(brain, state, "Millbrook, site seventeen, no sorry, not seventeen, seven. Booster pump two, A seven "
                                      "oh two. The discharge pressure's way too high, it's reading nine bar when it's normally six.")
    assert (state.task or {}).get("intent") == "work_order.create" and not tools_ok(actions), spoken(actions)
    # Right after a read, the same words go on about it: no new fault.
    state = CallState("after-a-read")
    await say(brain, state, "what's the story with the transfer pump P forty-five thirty?")
    more = await say(brain, state, "I haven't got the job number to hand, sorry. The pump's P forty-five thirty")
    assert "create_work_order" not in tools_ok(more) and (state.task or {}).get("intent") != "work_order.create", \
        spoken(more)


async def test_a_value_taken_back_in_the_opener_is_said_back_alone(brain: SwitchboardBrain) -> None:
    state = CallState("taken-back-alone")
    actions = await say(brain, state, "Cedar Falls, site thirty three, no sorry, not thirty three, thirty. Transfer pump, "
                                      "P forty-five thirty, it's running hot and tripping.")
    said = spoken(actions)
    assert said.startswith("Site 30 then.") and "P, four five, three zero then" not in said, said


async def test_a_question_is_not_asked_in_the_turn_a_person_takes_over_after_failures(brain: SwitchboardBrain) -> None:
    state = CallState("failures-then-person")
    await say(brain, state, "can you look up asset E one one three zero zero")
    actions = await say(brain, state, "it's R three zero zero zero three")
    said = spoken(actions)
    assert any(isinstance(a, HandoffEvent) for a in actions), said
    assert "?" not in said.split("I'm connecting you")[0], said


async def test_who_calls_and_their_department_is_no_request_of_its_own(brain: SwitchboardBrain) -> None:
    # "Tom Reyes in finance." has no verb and names no record: who calls, not an access request to the finance
    # system; the ask is the escalation, of the ticket named.
    state = CallState("introduction-with-department")
    await say(brain, state, "Tom Reyes in finance. My ticket twenty thousand and three, Outlook keeps asking for my "
                            "password. It's month end and I can't send invoices out. Can you escalate it?")
    task = state.task or {}
    assert task.get("intent") == "incident.escalate" and task["args"].get("incident_id") == "INC-20003", task


async def test_a_value_only_a_change_takes_is_that_change_when_the_router_is_unsure_of_a_comment(
        brain: SwitchboardBrain) -> None:
    state = CallState("drop-it-to-medium")
    await say(brain, state, "Maria Lopez again. The VPN ticket, twenty thousand and one, doesn't need to be high any "
                            "more, I'm working from the office this week. Can you drop it to medium?")
    task = state.task or {}
    assert task.get("intent") == "incident.update" and task["args"].get("priority") == "medium", task


async def test_the_consequence_in_a_run_on_turn_is_the_ask(brain: SwitchboardBrain) -> None:
    # No full stops: "... it started fine so we don't need the engineer on tuesday" asks to cancel the visit.
    state = CallState("run-on-consequence")
    await say(brain, state, "harbor road again about the generator job one double oh oh six we found a loose battery "
                            "lead and its started fine so we dont need the engineer on tuesday")
    task = state.task or {}
    assert task.get("intent") == "visit.cancel" and task["args"].get("work_order_id") == "WO-10006", task


async def test_yes_with_another_act_to_news_offered_as_a_comment_is_that_act(brain: SwitchboardBrain) -> None:
    state = CallState("news-offer-other-act")
    read = await say(brain, state, "Priya here about my VPN ticket, twenty thousand and one. I tried it from home last "
                                   "night and it dropped twice.")
    assert "as a comment?" in spoken(read), spoken(read)
    await say(brain, state, "yeah, escalate it please")
    task = state.task or {}
    assert task.get("intent") == "incident.escalate" and task["args"].get("incident_id") == "INC-20001", task
    assert "dropped twice" in str(task["args"].get("reason", "")), task


async def test_a_clause_that_points_back_is_no_second_request(brain: SwitchboardBrain) -> None:
    # "It's running fine again after the reset" tells of the oil pump, not of an IT reset to log.
    state = CallState("points-back")
    actions = await say(brain, state, "work order ten thousand and two, the oil pump. It's running fine again after "
                                      "the reset.")
    assert "other thing" not in spoken(actions) and not state.dialogue.get("later"), spoken(actions)
    assert (state.task or {}).get("intent", "work_order.status").startswith("work_order"), state.task


async def test_what_someone_sent_needs_asked_in_question_order_is_answered_from_the_articles(
        brain: SwitchboardBrain) -> None:
    state = CallState("required-unpunctuated")
    actions = await say(brain, state, "weve got a contractor going up to north ridge substation next week do they "
                                      "need anything special to get on site")
    assert "permit" in spoken(actions) and not tools_ok(actions), spoken(actions)


async def test_a_call_answered_from_the_articles_about_a_choice_is_resolved(brain: SwitchboardBrain) -> None:
    state = CallState("options-answer-resolves")
    actions = await say(brain, state, "Sorry, my English is not so good. If I make a work order with high priority, how "
                                      "many hours until the technician come?")
    assert "24 hours" in spoken(actions) and not tools_ok(actions), spoken(actions)
    await brain.end(state)
    assert state.outcome == "resolved" and state.entities.get("knowledge_article"), state.entities


async def test_a_question_in_question_order_without_a_mark_is_no_fault_told(brain: SwitchboardBrain) -> None:
    state = CallState("question-order-lookup")
    actions = await say(brain, state, "got a tag here h ten eleven what is it and which site is it on")
    assert tools_ok(actions) == ["lookup_asset"] and "101" in spoken(actions), spoken(actions)


async def test_a_request_named_by_its_number_and_its_choice_is_read_not_made_again(brain: SwitchboardBrain) -> None:
    state = CallState("chasing-by-number-and-choice")
    actions = await say(brain, state, "Jonas Berg here, I'm chasing my access request for the GIS, thirty thousand and "
                                      "three. Who's it sitting with?")
    assert tools_ok(actions) == ["get_service_request"] and "Grace" in spoken(actions), spoken(actions)


async def test_a_field_the_caller_asks_for_is_said_from_what_was_read(brain: SwitchboardBrain) -> None:
    state = CallState("make-and-model")
    actions = await say(brain, state, "What make and model is gas turbine one at Stonebridge, G six eight oh one?")
    assert tools_ok(actions) == ["lookup_asset"], spoken(actions)
    assert "The make is GE. The model is LM6000." in spoken(actions), spoken(actions)


async def test_a_how_to_answer_comes_from_the_section_its_heading_says(brain: SwitchboardBrain) -> None:
    state = CallState("lockout-section")
    actions = await say(brain, state, "how many goes do i get at my password before it locks me out")
    assert "Five wrong attempts" in spoken(actions), spoken(actions)


async def test_two_requests_split_at_the_full_stop_not_at_the_first_and(brain: SwitchboardBrain) -> None:
    state = CallState("split-at-sentence-end")
    await say(brain, state, "Two things. The outfall penstock valve at Harbor Road, V dash zero three one zero, is stiff "
                            "and won't close fully, low priority. And where are we with the generator job, ten thousand "
                            "and six?")
    task = state.task or {}
    assert task.get("intent") == "work_order.create" and task["args"].get("priority") == "low", task
    assert "close fully" in task["args"].get("summary", ""), task
    assert (state.dialogue.get("later") or {}).get("intent") == "work_order.status", state.dialogue


async def test_a_need_run_on_into_a_record_says_what_to_do_with_it(brain: SwitchboardBrain) -> None:
    # No marks at all; "cancel it" is the visit's, and the job itself is to be left open.
    state = CallState("run-on-need")
    await say(brain, state, "north ridge operator again the visit for the oil pump job one zero zero zero two we need "
                            "to cancel it were having an outage and nobody can get on site leave the job itself open "
                            "though")
    task = state.task or {}
    assert task.get("intent") == "visit.cancel" and task["args"].get("work_order_id") == "WO-10002", task


async def test_the_callers_own_id_is_no_record_and_a_system_named_says_the_desk(brain: SwitchboardBrain) -> None:
    state = CallState("caller-id-not-asset")
    actions = await say(brain, state, "Grace Kim, E10850. The asset health dashboard in Power BI has been blank since "
                                      "yesterday.")
    assert not any(isinstance(a, ToolEvent) for a in actions), spoken(actions)  # no look-up of asset "E10850"
    task = state.task or {}
    assert task.get("intent") == "incident.create" and task["args"].get("user") == "E10850", task


async def test_asked_which_jobs_a_place_has_lists_them(brain: SwitchboardBrain) -> None:
    state = CallState("list-by-place")
    actions = await say(brain, state, "are there any open jobs at the eastgate compressor station")
    assert tools_ok(actions) == ["list_work_orders"] and "site 21" in spoken(actions), spoken(actions)
    # A thing described at a place is looked up, not listed.
    state = CallState("thing-at-place")
    actions = await say(brain, state, "when was the generator at Riverside last serviced")
    assert "list_work_orders" not in tools_ok(actions), spoken(actions)


async def test_a_record_without_its_number_is_found_by_place_and_thing_for_the_act_asked(brain: SwitchboardBrain) -> None:
    # "stuck half open" is no status to filter the look-up by: the job on the valve is on hold, and it is a note.
    state = CallState("note-without-number")
    actions = await say(brain, state, "Hi, I rang last week about the backwash valve at Lakeside, the one waiting on a "
                                      "new actuator. I haven't got the job number. Can you add to the job that the "
                                      "valve's now stuck half open?")
    task = state.task or {}
    # A job at Lakeside is offered, not "do you know the site?" (other tests of this module add jobs there and may
    # change the valve's, so which one is not checked here; the eval's round 19 checks it on fresh stores).
    assert task.get("intent") == "work_order.note" and "Is it W O" in spoken(actions), (task, spoken(actions))


async def test_a_question_about_a_place_itself_is_answered_from_the_articles(brain: SwitchboardBrain) -> None:
    state = CallState("site-number")
    actions = await say(brain, state, "what's the site number for Stonebridge generating station? I need it for a form.")
    assert "Site 68" in spoken(actions) and not tools_ok(actions), spoken(actions)
    # A record named at a place is read, not the place.
    state = CallState("where-are-we-with-job")
    actions = await say(brain, state, "Riverside here. Where are we up to with work order ten thousand and one?")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)


async def test_where_to_find_something_with_an_adverb_is_a_how_to(brain: SwitchboardBrain) -> None:
    state = CallState("where-actually-find")
    actions = await say(brain, state, "Quick one. I'm new on site and I've been told to always quote the asset tag when I "
                                      "report a pump fault. Where on a pump do I actually find the tag?")
    routed = [a for a in actions if isinstance(a, RouteEvent)]
    assert routed and routed[0].intent == "knowledge.howto" and not tools_ok(actions), spoken(actions)


async def test_asked_which_jobs_a_thing_has_by_its_tag_reads_them(brain: SwitchboardBrain) -> None:
    state = CallState("list-by-thing")
    actions = await say(brain, state, "can you tell me if there are any open work orders on the switch room chiller at "
                                      "North Ridge, H one four two oh?")
    assert "open work orders" in spoken(actions).lower() and not state.task, spoken(actions)


async def test_a_new_record_asked_for_by_its_kind_is_that_kind(brain: SwitchboardBrain) -> None:
    state = CallState("kind-named")
    await say(brain, state, "I've got a new phone and I need a service request to clear my old Authenticator "
                            "registration so I can set it up again. My email is grace dot kim at northwind dot example.")
    assert (state.task or {}).get("intent") == "service_request.create", state.task


async def test_a_question_put_as_what_nobody_told_the_caller_is_a_look_up(brain: SwitchboardBrain) -> None:
    state = CallState("nobody-told-me")
    actions = await say(brain, state, "Hi, I'm a contractor from Brightline Electrical. I've been sent to look at asset "
                                      "T dash zero seven three zero, but nobody told me which site it's at or what it is.")
    assert tools_ok(actions) == ["lookup_asset"] and "site 7" in spoken(actions) and not state.task, spoken(actions)


async def test_a_request_for_a_record_read_as_a_status_check_is_what_it_asks(brain: SwitchboardBrain) -> None:
    # The story around the number sounds like a status check; "can you put a note on the job" asks for a note.
    state = CallState("note-asked-of-record")
    await say(brain, state, "Hiya, it's Tomasz from Lakeside water treatment. The backwash valve job, w o one zero zero "
                            "zero five, the new actuator arrived in stores this morning. Can you put a note on the job "
                            "so the fitter knows?")
    task = state.task or {}
    assert task.get("intent") == "work_order.note" and task["args"].get("work_order_id") == "WO-10005", task
    assert "actuator arrived" in task["args"].get("note", ""), task


async def test_asked_which_things_of_a_kind_a_site_has_lists_them(brain: SwitchboardBrain) -> None:
    state = CallState("assets-by-kind")
    actions = await say(brain, state, "Quick one: what generators have we got at Stonebridge generating station?")
    assert tools_ok(actions) == ["list_assets"] and "G-6801" in spoken(actions) and "G-6802" in spoken(actions), \
        spoken(actions)
    # Another place right after: listed afresh, not answered from the list just read.
    actions = await say(brain, state, "and which pumps are at lakeside")
    assert tools_ok(actions) == ["list_assets"] and "A551" in spoken(actions), spoken(actions)


async def test_what_a_kind_of_thing_has_in_general_is_a_how_to(brain: SwitchboardBrain) -> None:
    state = CallState("min-length")
    actions = await say(brain, state, "What's the minimum length for a new password? It keeps rejecting mine.")
    routed = [a for a in actions if isinstance(a, RouteEvent)]
    assert routed and routed[0].intent == "knowledge.howto" and "14" in spoken(actions) and not state.task, \
        spoken(actions)


async def test_a_request_run_on_after_a_record_in_a_transcript_is_heard(brain: SwitchboardBrain) -> None:
    state = CallState("run-on-can-you")
    await say(brain, state, "control room ben carter on the scada historian incident i n c two zero zero zero two can "
                            "you add that the trends for site fourteen stopped too at about three this morning")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and task["args"].get("incident_id") == "INC-20002", task


async def test_the_kind_of_record_a_how_to_answer_names_is_the_one_raised(brain: SwitchboardBrain) -> None:
    state = CallState("howto-names-kind")
    actions = await say(brain, state, "I've got a new phone and need the authenticator moved over to it. What do I do?")
    assert "service request" in spoken(actions), spoken(actions)
    await say(brain, state, "Yes please, raise that request.")
    assert (state.task or {}).get("intent") == "service_request.create", state.task


async def test_a_note_for_a_closed_job_becomes_a_new_one_about_what_was_to_be_added(brain: SwitchboardBrain) -> None:
    state = CallState("closed-note-new")
    actions = await say(brain, state, "i want to add a note to w o one double oh oh seven the seal they replaced on pump "
                                      "a one two three at riverside is dripping again")
    assert "completed" in spoken(actions) and "instead" in spoken(actions), spoken(actions)
    await say(brain, state, "yes please")
    task = state.task or {}
    assert task.get("intent") == "work_order.create" and task["args"].get("asset_tag") == "A123", task
    assert task["args"].get("summary", "").startswith("the seal they replaced"), task


async def test_a_hazard_said_as_what_would_happen_is_no_emergency(brain: SwitchboardBrain) -> None:
    state = CallState("supposed-flood")
    actions = await say(brain, state, "This is the third time I've rung about our emergency generator, work order ten "
                                      "thousand and six. It still isn't fixed and if we lose power tonight the works "
                                      "floods. Make it urgent, now.")
    assert not any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)
    task = state.task or {}
    assert task.get("intent") == "work_order.update" and task["args"].get("priority") == "urgent", task


async def test_an_off_topic_question_with_its_reason_is_off_topic_and_a_place_is_still_asked_about(
        brain: SwitchboardBrain) -> None:
    state = CallState("weather-then-address")
    actions = await say(brain, state, "Random one: do you know what the weather's doing in Kingsbridge tomorrow? "
                                      "We've got an outdoor job on.")
    routed = [a for a in actions if isinstance(a, RouteEvent)]
    assert routed and routed[0].intent == "smalltalk.offtopic", spoken(actions)
    # Unsure twice would go to a person; a question about a place the articles describe is answered.
    actions = await say(brain, state, "Fair enough. Then can you tell me the address of the Lakeside water treatment "
                                      "plant? I've never been.")
    assert "Lakeshore" in spoken(actions) and not any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)


async def test_a_visit_move_takes_what_it_becomes_not_how_it_is_booked(scratch: ScratchBrain) -> None:
    # A fresh store: the seed's one booked visit (WO-10002's) is moved or cancelled by other tests of this module.
    async with scratch.fresh() as fresh:
        state = CallState("move-not-booked-values")
        await say(fresh, state, "hello north ridge again about work order one oh oh oh two the technician booked for "
                                "tomorrow morning can we move it")
        task = state.task or {}
        assert task.get("intent") == "visit.reschedule" and task["args"].get("time_window") != "morning", task
        # At the read-back or the question, a new day and window said together both change.
        await say(fresh, state, "the day after tomorrow in the afternoon")
        assert (state.task or {}).get("args", {}).get("time_window") == "afternoon", state.task


async def test_questions_of_when_and_how_far_ahead_after_a_lead_in_are_how_tos(brain: SwitchboardBrain) -> None:
    state = CallState("visit-hours-howto")
    actions = await say(brain, state, "quick question what times can a technician come out for a visit")
    assert "08:00" in spoken(actions) and not state.task, spoken(actions)
    actions = await say(brain, state, "ok and how far ahead can i book one")
    assert "60" in spoken(actions) and not state.task, spoken(actions)
    # Praise and thanks to "anything else?" closes the call, not "what else can I help with?".
    actions = await say(brain, state, "great thanks")
    assert any(isinstance(a, EndCall) for a in actions), spoken(actions)


async def test_a_tool_named_in_words_right_after_a_read_is_that_act_on_it(brain: SwitchboardBrain) -> None:
    state = CallState("comment-after-read")
    await say(brain, state, "its maria lopez about my vpn incident inc two oh oh oh one")
    await say(brain, state, "please add a comment i tested from site twelve this morning and it still says cannot "
                            "reach gateway")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and task["args"].get("incident_id") == "INC-20001", task


async def test_the_article_names_the_kind_of_request_when_the_router_is_unsure(brain: SwitchboardBrain) -> None:
    # "Access to a shared mailbox ... is a service request." (email.md), not an access request to a system.
    state = CallState("mailbox-service-request")
    await say(brain, state, "hi its nora ali from the it team i need access to the control room shared mailbox")
    assert (state.task or {}).get("intent") == "service_request.create", state.task


async def test_what_the_articles_say_a_person_does_goes_to_that_desk_not_a_ticket(brain: SwitchboardBrain) -> None:
    state = CallState("bitlocker-person")
    actions = await say(brain, state, "My laptop is asking for a BitLocker recovery key and I can't get past it. "
                                      "I'm Grace Kim, E10850.")
    handed = [a for a in actions if isinstance(a, HandoffEvent)]
    assert handed and "IT service desk" in spoken(actions) and not tools_ok(actions), spoken(actions)


async def test_a_closed_record_back_again_is_a_new_one_for_the_same_person_and_kind(brain: SwitchboardBrain) -> None:
    # INC-20006 (closed) was Jonas Berg's, a software incident: the caller names himself, so the new one is his,
    # and its category is the closed one's, not a guess from "slow screen".
    state = CallState("closed-back-again")
    actions = await say(brain, state, "Hello, Jonas Berg, asset management. Can you add a comment to incident two zero "
                                      "zero zero six: the Maximo work order screen is really slow again.")
    assert "closed" in spoken(actions) and "instead" in spoken(actions), spoken(actions)
    await say(brain, state, "Yes, raise a new one.")
    task = state.task or {}
    assert task.get("intent") == "incident.create" and task["args"].get("user") == "E10777", task
    assert task["args"].get("category") == "software", task


async def test_a_number_said_after_its_kind_is_that_kind_whatever_else_is_named(brain: SwitchboardBrain) -> None:
    # "work order screen" names a work order too, but the number follows "Incident".
    state = CallState("kind-before-number")
    actions = await say(brain, state, "Hello, Jonas Berg, asset management. Incident two zero zero zero six, Maximo's "
                                      "work order screen being really slow, it's back again.")
    tools = [a.name for a in actions if isinstance(a, ToolEvent)]
    assert "get_work_order" not in tools and "get_incident" in tools, spoken(actions)


async def test_how_many_things_of_a_kind_a_place_has_is_its_list(brain: SwitchboardBrain) -> None:
    state = CallState("how-many-list")
    actions = await say(brain, state, "how many generators have we got at stonebridge generating station")
    assert tools_ok(actions) == ["list_assets"] and "2 generators" in spoken(actions), spoken(actions)
    actions = await say(brain, state, "ok thanks")  # an acknowledgement and thanks closes
    assert any(isinstance(a, EndCall) for a in actions), spoken(actions)


async def test_two_questions_in_one_turn_are_both_answered(brain: SwitchboardBrain) -> None:
    state = CallState("two-howtos")
    actions = await say(brain, state, "quick question how far ahead can i book a technician visit and what times do "
                                      "they come")
    assert "60 days" in spoken(actions) and "08:00" in spoken(actions), spoken(actions)


async def test_a_fix_asked_for_is_answered_then_a_ticket_asked_for_is_the_problem_told(brain: SwitchboardBrain) -> None:
    state = CallState("trick-then-ticket")
    actions = await say(brain, state, "my laptop wont turn on at all is there a trick")
    assert "15 seconds" in spoken(actions) and not state.task, spoken(actions)
    await say(brain, state, "i tried holding the button down with the charger in nothing happens can you log a ticket")
    assert (state.task or {}).get("intent") == "incident.create", state.task


async def test_a_record_named_then_a_note_asked_for_asks_what_the_note_says(brain: SwitchboardBrain) -> None:
    # Which record it is ("... the intake pump one job w o one oh oh oh one") is no note; the note is asked for.
    state = CallState("note-asked-then-told")
    actions = await say(brain, state, "yeah its riverside control room the intake pump one job w o one oh oh oh one "
                                      "can you add a note to it")
    task = state.task or {}
    assert task.get("intent") == "work_order.note" and "note" not in task["args"], (task, spoken(actions))
    assert "What should the note say?" in spoken(actions), spoken(actions)


async def test_where_a_kind_of_thing_usually_is_is_a_how_to(brain: SwitchboardBrain) -> None:
    state = CallState("where-usually")
    actions = await say(brain, state, "hi im new im an apprentice and i need to find the asset tag on a valve where is "
                                      "it usually")
    assert "handwheel" in spoken(actions) and not state.task, spoken(actions)


async def test_a_count_of_things_after_an_id_is_no_digit_of_it(brain: SwitchboardBrain) -> None:
    state = CallState("two-things-after-id")
    await say(brain, state, "hi sam oconnor e one oh five three three two things my password has expired and the depot "
                            "printer needs a new toner cartridge")
    task = state.task or {}
    assert task.get("intent") == "password.reset" and task["args"].get("user") == "E10533", task


async def test_a_record_number_answers_the_offer_of_the_second_request(brain: SwitchboardBrain) -> None:
    state = CallState("later-by-number")
    # (The second names no record: one it names is read at once, see the next test.)
    await say(brain, state, "two things the supply transformer at millbrook t oh seven three oh is humming much louder "
                            "than usual can you raise a job medium priority and also whats happening with my other "
                            "work order")
    summary = (state.task or {}).get("args", {}).get("summary", "")
    assert summary and not summary.startswith("two things"), state.task
    actions = await say(brain, state, "yes go ahead")
    assert "create_work_order" in tools_ok(actions) and "Shall we do that now?" in spoken(actions), spoken(actions)
    actions = await say(brain, state, "and the other one one zero zero zero six")
    assert tools_ok(actions) == ["get_work_order"] and "zero six" in spoken(actions), spoken(actions)


async def test_the_go_ahead_asked_again_in_a_row_is_said_in_other_words(brain: SwitchboardBrain) -> None:
    # One value changed a turn: each is said back, and the go-ahead is not the same sentence three times running.
    state = CallState("go-ahead-forms")
    await say(brain, state, "the compressor C two one oh one at site twenty one is surging")
    asked = []
    for said in ("site twenty one", "medium", "no wait high not medium"):
        actions = await say(brain, state, said)
        asked.append(spoken(actions).rsplit(". ", 1)[-1])
    assert len(set(asked)) == 3 and all(a.endswith("?") for a in asked), asked
    assert repeated_questions([t["text"] for t in state.turns if t.get("role") == "agent"]) == [], state.turns


async def test_another_act_on_the_record_asked_at_its_read_back_follows_it(scratch: ScratchBrain) -> None:
    # A fresh store: the records changed here are changed by other tests of this module too.
    async with scratch.fresh() as fresh:
        state = CallState("act-after-read-back")
        await say(fresh, state, "add a note to work order one zero zero zero four: the compressor is still tripping")
        assert (state.task or {}).get("intent") == "work_order.note", state.task
        # A value only another tool on the same record takes: kept to follow, the note still read back, the value
        # said back with it ("Okay, priority urgent straight after."), so the one yes sends both.
        actions = await say(fresh, state, "can you bump it up to urgent as well please")
        assert "priority urgent straight after" in spoken(actions) and state.task["intent"] == "work_order.note", \
            spoken(actions)
        actions = await say(fresh, state, "yes")
        assert tools_ok(actions) == ["add_work_order_note", "update_work_order"], spoken(actions)
        assert "priority urgent" in spoken(actions) and not state.task, spoken(actions)

        # "Yes, do both" sends both, with nothing of "do both" in the second.
        state = CallState("act-after-read-back-both")
        await say(fresh, state, "please add a comment to incident two double oh oh three: it happens on my phone too")
        await say(fresh, state, "and can you make it high priority, i can't get any mail at all today")
        actions = await say(fresh, state, "yes do both")
        assert tools_ok(actions) == ["add_incident_comment", "update_incident"], spoken(actions)
        sent = state.tool_attempts[-1]["arguments"]
        assert sent.get("priority") == "high" and "both" not in str(sent.get("comment", "")), sent


async def test_a_fault_told_after_the_thing_is_named_is_logged_not_looked_up(brain: SwitchboardBrain) -> None:
    # Named by tag and place (heard as a look-up), then what is wrong with it: a fault, its summary from the turn.
    state = CallState("fault-after-naming")
    await say(brain, state, "hello please i am calling for the pump a five five two at site twelve it make noise "
                            "like grinding")
    task = state.task or {}
    assert task.get("intent") == "work_order.create" and "grinding" in task["args"].get("summary", ""), task
    # Asked of the thing, even unpunctuated mid-turn ("what's its asset number"): looked up.
    state = CallState("asked-of-thing")
    actions = await say(brain, state, "I'm stood in front of the backup generator at cedar falls reservoir and the "
                                      "plate's worn off what's its asset number")
    assert tools_ok(actions) == ["lookup_asset"], spoken(actions)


async def test_which_one_a_record_is_tells_nothing_to_add_to_it(brain: SwitchboardBrain) -> None:
    # "..., the air conditioning one" says which job, not news for it: the job is read, no note read back.
    state = CallState("which-one-no-news")
    actions = await say(brain, state, "hello its riverside control room about work order w o one oh oh oh four the "
                                      "air conditioning one")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)


async def test_a_one_word_tool_said_as_a_verb_on_the_record_is_that_act(brain: SwitchboardBrain) -> None:
    # "escalate it please" names escalate_incident; the story before it does not make it a status read.
    state = CallState("escalate-as-verb")
    await say(brain, state, "control room here the scada historian trends are still frozen incident two double oh oh "
                            "two we cant see the reservoir levels escalate it please")
    task = state.task or {}
    assert task.get("intent") == "incident.escalate" and task["args"].get("incident_id") == "INC-20002", task
    # "any update on" is no order to update it: read.
    state = CallState("update-as-noun")
    actions = await say(brain, state, "any update on incident two double oh oh two")
    assert tools_ok(actions) == ["get_incident"], spoken(actions)


async def test_a_question_after_a_case_put_first_is_answered_from_the_article(brain: SwitchboardBrain) -> None:
    # The case first ("if I put a work order in as urgent"), then the question: a how-to, answered with the list
    # item it names from the article's section that holds a time, though retrieval ranks "raising one" first.
    state = CallState("case-then-question")
    actions = await say(brain, state, "hiya love quick question if i put a work order in as urgent how quickly does "
                                      "somebody actually come out")
    assert "4 hours" in spoken(actions) and not state.task, spoken(actions)
    # "what can I do about that" after what is wrong asks how to fix it: the article, no ticket.
    state = CallState("what-can-i-do")
    actions = await say(brain, state, "hello outlook says my mailbox is full what can i do about that")
    assert "rchive" in spoken(actions) and not state.task, spoken(actions)


async def test_why_the_offered_request_is_needed_accepts_it(brain: SwitchboardBrain) -> None:
    state = CallState("offer-answered-by-why")
    await say(brain, state, "two things my laptop says certificate expired when it tries the wifi and i also need "
                            "read access to the scada historian")
    await say(brain, state, "e one one two three four")
    await say(brain, state, "medium for the wifi")
    actions = await say(brain, state, "yes go ahead")
    assert "other thing" in spoken(actions), spoken(actions)
    # No yes, but why the access is needed: the offered request goes on, no "can't help there".
    actions = await say(brain, state, "i'm covering the control room trends for the outage review")
    task = state.task or {}
    assert task.get("intent") == "access.request" and task["args"].get("access_level") == "read", (spoken(actions), task)


async def test_a_record_said_after_the_request_is_its_and_scope_said_at_the_read_back_is_heard(
        brain: SwitchboardBrain) -> None:
    # The work order in a sentence of its own after the request: that request's record, not a second request.
    state = CallState("record-after-request")
    await say(brain, state, "Hello, I need to cancel a technician visit. Work order one zero zero zero two.")
    task = state.task or {}
    assert task.get("intent") == "visit.cancel" and task["args"].get("work_order_id") == "WO-10002", task
    assert not state.dialogue.get("later"), state.dialogue
    # Naming what the read-back acts on ("just the visit") is about it: no "can't help there".
    actions = await say(brain, state, "Just the visit. Keep the work order open, we'll rebook when the spare relay is in.")
    assert "can't help" not in spoken(actions) and state.task["confirming"], spoken(actions)
    # "something" is no note yet: the note is asked for, and a note given then is no new request.
    state = CallState("vague-note")
    await say(brain, state, "I'd like to add something to an existing work order please.")
    actions = await say(brain, state, "It's WO dash one zero zero zero one.")
    assert "note say" in spoken(actions), spoken(actions)
    await say(brain, state, "Can you put on it that the standby pump A124 is now making the same noise.")
    task = state.task or {}
    assert task.get("intent") == "work_order.note" and "standby pump" in task["args"].get("note", ""), task


async def test_yes_with_the_verb_of_the_value_read_back_sends_it(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as fresh:
        state = CallState("yes-cancel-it")
        await say(fresh, state, "Hi there. I want to cancel a work order, ten oh oh four. The control room air con at "
                                "Riverside. A contractor sorted it yesterday under warranty.")
        task = state.task or {}
        assert task.get("intent") == "work_order.update" and task["args"].get("status") == "cancelled", task
        # Why it is cancelled is the note, not which job it is.
        assert task["args"].get("note", "").startswith("a contractor sorted it"), task
        # "Yes, cancel it" to a read-back that cancels: sent, not turned into cancelling a visit.
        actions = await say(fresh, state, "Yes, cancel it please.")
        assert tools_ok(actions) == ["update_work_order"]


async def test_a_field_named_to_change_is_asked_and_a_question_after_leaving_it_is_answered(
        brain: SwitchboardBrain) -> None:
    state = CallState("field-named-then-left")
    actions = await say(brain, state, "I want to change the priority on work order ten thousand and six.")
    task = state.task or {}
    assert task.get("intent") == "work_order.update" and task.get("asking") == "priority", (spoken(actions), task)
    # Dropped, then asked whether someone is booked (not booking someone): the job is read, in place of
    # "anything else?".
    actions = await say(brain, state, "Actually no, leave it. Just tell me if anyone's booked to come out for it.")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)
    assert "Nothing was sent" in spoken(actions) and "Anything else?" in spoken(actions)


async def test_an_it_problem_at_a_site_goes_to_the_it_desk(brain: SwitchboardBrain) -> None:
    # A site's name pulls towards the field desk; without it, the turn is clearly an IT fault.
    state = CallState("it-at-a-site")
    await say(brain, state, "The printer in the Westfield depot office is showing a high temperature fuser error and "
                            "won't print. I'm E10850.")
    assert (state.task or {}).get("intent") == "incident.create", state.task
    # "The Wi-Fi's" (a split, joined word with "'s") is still the Wi-Fi.
    state = CallState("wifi-s")
    await say(brain, state, "The Wi-Fi's down for everyone at Westfield depot, nobody can get on since about eight. "
                            "This is Jonas Berg, E one oh triple seven.")
    task = state.task or {}
    assert task.get("intent") == "incident.create" and "wi-fi's" in task["args"].get("summary", ""), task
    # A record's number is the desk's own evidence: kept.
    state = CallState("wo-said-by-letters")
    actions = await say(brain, state, "W O one zero zero zero four. What's happening with it?")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)


async def test_why_before_an_act_asked_on_a_record_is_one_request(brain: SwitchboardBrain) -> None:
    state = CallState("why-then-act")
    await say(brain, state, "We've got a permit freeze at North Ridge this week. Can you cancel the technician visit "
                            "for work order one zero zero zero two?")
    task = state.task or {}
    assert task.get("intent") == "visit.cancel" and task["args"].get("work_order_id") == "WO-10002", task
    assert not state.dialogue.get("later"), state.dialogue


async def test_words_given_to_be_passed_on_are_the_note(brain: SwitchboardBrain) -> None:
    # Which job it is is no note: the note is asked; "Say: ..." answers it without the "say".
    state = CallState("dictated-note")
    actions = await say(brain, state, "Can you add a note to the job for the emergency generator at Harbor Road? "
                                      "It's work order one double oh oh six.")
    assert "note say" in spoken(actions), spoken(actions)
    await say(brain, state, "Say: starter battery replaced this morning, still won't crank on the weekly test.")
    assert (state.task or {}).get("args", {}).get("note", "").lower().startswith("starter battery"), state.task
    # At the read-back, "put down that ..." is what the note says instead.
    actions = await say(brain, state, "put down that the battery was replaced and it still won't crank")
    assert state.task["args"]["note"].startswith("the battery was replaced"), (spoken(actions), state.task)
    # "Tell them ..." to "adding a comment or checking on it?" is a comment, without the "tell them".
    state = CallState("dictated-comment")
    await say(brain, state, "Hi, Maria Lopez here. I want to update my VPN ticket, INC two oh oh oh one.")
    await say(brain, state, "Tell them I tested it from site twelve this morning after the reinstall and it still fails.")
    task = state.task or {}
    assert task.get("intent") == "incident.comment" and task["args"].get("comment", "").startswith("i tested it"), task


async def test_a_how_to_whose_answer_is_a_person_offers_one(brain: SwitchboardBrain) -> None:
    state = CallState("howto-person")
    actions = await say(brain, state, "My laptop's come up with a blue screen asking for a BitLocker recovery key. "
                                      "What do I do?")
    assert "put you through" in spoken(actions) and not any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)
    actions = await say(brain, state, "Okay, yes please.")
    assert any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)


async def test_the_question_just_answered_asked_of_another_thing_is_a_how_to(brain: SwitchboardBrain) -> None:
    state = CallState("howto-another-thing")
    await say(brain, state, "Where would I find the asset tag on a valve? I can't see it anywhere.")
    actions = await say(brain, state, "Oh right. And on a pump?")
    assert "base frame" in spoken(actions) and not state.task, spoken(actions)
    # Thanked for in the same sentence: "ah right, and on a pump?"
    state = CallState("howto-another-thing-acknowledged")
    await say(brain, state, "quick question, where do I find the asset tag on a valve, I can't see it anywhere")
    actions = await say(brain, state, "ah right, and on a pump?")
    assert "base frame" in spoken(actions) and not state.task, spoken(actions)
    # "How far ahead can I book ...?" asks how far ("can I" after the question word is no request).
    state = CallState("how-far-can-i")
    actions = await say(brain, state, "How far ahead can I book a technician visit?")
    assert "60 days" in spoken(actions) and not state.task, spoken(actions)


async def test_the_acts_own_verb_at_its_read_back_names_no_field(brain: SwitchboardBrain) -> None:
    # "Can you escalate it?" at "I'll escalate the incident: ..." kept the incident (its question, "Which incident
    # should be escalated?", shares the verb; the verb names no field to change).
    state = CallState("own-verb-at-read-back")
    await say(brain, state, "I reported Outlook asking for my password over and over, incident twenty thousand and "
                            "three. That was two days ago and nobody has touched it.")
    assert (state.task or {}).get("intent") == "incident.escalate", state.task
    await say(brain, state, "Can you escalate it? I can't send any email to suppliers.")
    assert state.task["args"].get("incident_id") == "INC-20003" and state.task.get("asking") != "incident_id", state.task


async def test_a_new_record_asked_for_in_so_many_words_is_made(brain: SwitchboardBrain) -> None:
    # The router hears "raise" and "open" as changes and look-ups; the words ask for a new record of a kind.
    for said, intent in (("need a work order raised", "work_order.create"), ("I need a ticket opened", "incident.create"),
                         ("could you open an incident for me", "incident.create"),
                         ("I'd like a new work order raised please", "work_order.create")):
        state = CallState("made-by-kind")
        await say(brain, state, said)
        assert (state.task or {}).get("intent") == intent, (said, state.task)
    for said in ("I need a work order updated", "how do I raise a work order"):
        state = CallState("not-made-by-kind")
        await say(brain, state, said)
        assert (state.task or {}).get("intent") != "work_order.create", (said, state.task)


async def test_a_record_asked_for_with_nothing_wrong_told_asks_what_is_wrong(scratch: ScratchBrain) -> None:
    # "need a work order raised" tells no problem: the summary is asked, not made of the asking words; and a site's
    # name ("Cedar Falls reservoir") is no emergency however the classifier hears it.
    async with scratch.fresh() as brain:
        state = CallState("nothing-wrong-told")
        await say(brain, state, "need a work order raised")
        actions = await say(brain, state, "Cedar Falls reservoir")
        assert not any(isinstance(a, HandoffEvent) for a in actions) and state.task["args"].get("site") == 30, spoken(actions)
        actions = await say(brain, state, "the backup generator, G three oh two oh")
        assert "summary" not in state.task["args"] and "wrong" in spoken(actions), (state.task, spoken(actions))
        actions = await say(brain, state, "fuel's down to about thirty percent")
        assert state.task["args"]["summary"] == "fuel's down to about thirty percent", state.task
        actions = await say(brain, state, "medium's fine, go ahead")
        assert tools_ok(actions) == ["create_work_order"]
        actions = await say(brain, CallState("place-and-hazard"), "there's a strong gas smell at Cedar Falls reservoir")
        assert any(isinstance(a, HandoffEvent) for a in actions)


async def test_a_site_named_as_where_the_caller_is_is_no_reporter(brain: SwitchboardBrain) -> None:
    state = CallState("site-not-reporter")
    await say(brain, state, "Hi, Harbor Road here, site 3. The emergency generator's showing a battery charger "
                            "fault alarm on the panel.")
    await say(brain, state, "G-0320")
    assert state.task["confirming"] and "reported_by" not in state.task["args"], state.task


async def test_a_go_ahead_to_what_should_change_sends_what_was_read_back(scratch: ScratchBrain) -> None:
    # A "no" at the read-back that was about something else, then "go ahead" or "nothing" when asked what to change.
    for answer in ("yes please go ahead", "nothing, it's all fine"):
        async with scratch.fresh() as brain:
            state = CallState("go-ahead-to-change")
            await say(brain, state, "the pump A one two five at site twelve has failed, priority high")
            asked = await say(brain, state, "no, that's the only fault on it")
            assert "What should I change" in spoken(asked), spoken(asked)
            assert tools_ok(await say(brain, state, answer)) == ["create_work_order"], answer
    # Asked again, the question is the change question, not "say that again".
    async with scratch.fresh() as brain:
        state = CallState("change-asked-again")
        await say(brain, state, "the pump A one two five at site twelve has failed, priority high")
        await say(brain, state, "no, that's the only fault on it")
        again = await say(brain, state, "thank you")
        assert "What should I change" in spoken(again) and not tools_ok(again), spoken(again)


async def test_a_time_after_a_tickets_name_is_no_number_of_it(brain: SwitchboardBrain) -> None:
    state = CallState("ticket-two-days-ago")
    actions = await say(brain, state, "Hi, I logged a ticket two days ago about Outlook asking for my password over and "
                                      "over and nothing has happened, can you escalate it")
    assert "I heard" not in spoken(actions) and state.task["asking"] == "incident_id", spoken(actions)


async def test_a_note_asked_for_at_a_changes_read_back_follows_it(scratch: ScratchBrain) -> None:
    # "add a note" names the other act in full, however the router hears the note's words (a new fault). Its words are
    # said back with the open question, so the one yes sends both.
    async with scratch.fresh() as brain:
        state = CallState("note-after-change")
        await say(brain, state, "can you bump up the priority on work order 10001 please")
        await say(brain, state, "urgent, the vibration's got a lot worse")
        actions = await say(brain, state, "and can you add a note that the standby pump A124 is also making a noise now")
        assert "straight after" in spoken(actions) and state.dialogue["later"]["intent"] == "work_order.note", spoken(actions)
        assert "making a noise now" in spoken(actions), spoken(actions)
        actions = await say(brain, state, "yes")
        assert tools_ok(actions) == ["update_work_order", "add_work_order_note"] and state.task is None, spoken(actions)


async def test_a_look_up_is_done_again_with_a_value_put_right(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        for again in ("sorry, I meant Millbrook, not Riverside", "no sorry, Millbrook", "and at site 7?"):
            state = CallState("read-again")
            await say(brain, state, "can you tell me what pumps we have at Riverside")
            actions = await say(brain, state, again)
            assert tools_ok(actions) == ["list_assets"] and "A701" in spoken(actions) and "T-0730" not in spoken(actions), \
                (again, spoken(actions))
        state = CallState("read-again-record")
        await say(brain, state, "what's the status of work order 10001")
        actions = await say(brain, state, "sorry, I meant ten thousand and two")
        assert tools_ok(actions) == ["get_work_order"] and "P-4512" in spoken(actions), spoken(actions)
        # A goodbye is still one.
        state = CallState("read-then-bye")
        await say(brain, state, "can you tell me what pumps we have at Riverside")
        assert any(isinstance(a, EndCall) for a in await say(brain, state, "no that's all, thanks"))


@pytest.mark.parametrize(("read", "asked", "present", "absent"), [
    # "the compressor one, how far along is it": a question about the job just listed, not a how-to on compressors.
    ("what open jobs have we got at site twenty one", "and the compressor one, how far along is it", "in progress",
     ("Centac",)),
    # "who's got it" (no question mark from the recogniser) right after an incident was read: what was read answers
    # it, with its values said as words ("in progress", never "in_progress").
    ("what's the status of incident 20001", "who's got it", "Network Operations", ("_", "can't help")),
])
async def test_a_question_about_what_was_just_read_is_answered_from_it(
        scratch: ScratchBrain, read: str, asked: str, present: str, absent: tuple[str, ...]) -> None:
    async with scratch.fresh() as brain:
        state = CallState("asked-of-read")
        await say(brain, state, read)
        actions = await say(brain, state, asked)
        assert present in spoken(actions) and not [x for x in absent if x in spoken(actions)], spoken(actions)


@pytest.mark.parametrize("turns, done, question, said", [
    # "how long do these normally take?" after an access request was read: access requests, not password rules.
    (["I put in a request for GIS access a couple of days ago, SR three zero zero zero three, where is it"],
     "get_service_request", "how long do these normally take", "working day"),
    # Made urgent, "how soon should someone pick it up now?" is the target for urgent, from the articles.
    (["its maria lopez my vpn incident twenty thousand and one is down as high but im on site and cant get at "
      "anything so make it urgent", "yes"], "update_incident", "So how soon should someone pick it up now?",
     "urgent 4 hours"),
])
async def test_a_question_on_the_record_just_handled_is_answered_for_its_kind_and_how_it_stands(
        scratch: ScratchBrain, turns: list[str], done: str, question: str, said: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState("howto-on-record")
        for turn in turns:
            handled = await say(brain, state, turn)
        assert tools_ok(handled) == [done], spoken(handled)
        actions = await say(brain, state, question)
        assert said in spoken(actions), spoken(actions)


async def test_a_record_number_put_right_while_its_words_are_asked_is_no_answer(scratch: ScratchBrain) -> None:
    # "sorry, not five, four. twenty thousand and four. the cracked tablet one" at "What should the comment say?":
    # the incident is put right and the comment is still asked; "the comment is ..." is what it says.
    async with scratch.fresh() as brain:
        state = CallState("number-put-right")
        await say(brain, state, "I want to add a comment to my incident, INC twenty thousand and five")
        actions = await say(brain, state, "sorry, not five, four. twenty thousand and four. the cracked tablet one")
        assert state.task["args"]["incident_id"] == "INC-20004" and "comment" not in state.task["args"], state.task
        assert "What should the comment say?" in spoken(actions)
        await say(brain, state, "the comment is the courier can pick it up from Westfield depot on Thursday")
        assert state.task["args"]["comment"].startswith("the courier can pick it up"), state.task
        # At the read-back too, a field named then told is that field's new words.
        await say(brain, state, "the comment is the courier comes on Friday instead")
        assert state.task["args"]["comment"] == "the courier comes on Friday instead", state.task
        assert tools_ok(await say(brain, state, "yes")) == ["add_incident_comment"]
    # A clause of its own beside the value put right still answers the question.
    async with scratch.fresh() as brain:
        state = CallState("value-and-reason")
        await say(brain, state, "I need access to the SCADA historian")
        await say(brain, state, "E one one four oh two")
        await say(brain, state, "read only is fine")
        await say(brain, state, "actually, sorry, make that write access, not read, I have to annotate them too")
        assert state.task["args"]["access_level"] == "write" and "annotate" in str(state.task["args"]), state.task


async def test_where_the_caller_is_is_no_first_request(brain: SwitchboardBrain) -> None:
    # "I'm out at the Riverside pumping station and my laptop won't turn on": the place, then the one request.
    state = CallState("whereabouts-first")
    actions = await say(brain, state, "hi I'm out at the Riverside pumping station and my laptop won't turn on at all")
    assert state.task["intent"] == "incident.create" and not state.dialogue.get("later"), (state.task, state.dialogue)
    assert "asset tag" not in spoken(actions)


async def test_a_value_set_at_the_read_back_is_no_dictated_summary(brain: SwitchboardBrain) -> None:
    # "put it as high please" sets the priority; "put" is no "put down that ..." of the summary's words.
    state = CallState("put-it-as-high")
    await say(brain, state, "the transfer pump P forty-five thirty at Cedar Falls isn't pushing anything")
    summary = state.task["args"]["summary"]
    await say(brain, state, "put it as high please")
    assert state.task["args"]["priority"] == "high" and state.task["args"]["summary"] == summary, state.task


async def test_a_fault_back_on_the_thing_just_read_is_a_new_record_for_it(scratch: ScratchBrain) -> None:
    # A completed job read, then "the flow on that transfer pump's dropped again, can you reopen it": a new job for
    # the same pump at the same site, not "Which site is the asset at?".
    async with scratch.fresh() as brain:
        state = CallState("fault-back")
        await say(brain, state, "hiya, is work order ten thousand and twelve finished?")
        actions = await say(brain, state, "right, well the flow on that transfer pump's dropped below setpoint again, "
                                          "can you reopen it")
        assert state.task["args"].get("asset_tag") == "P-4530" and state.task["args"].get("site") == 30, spoken(actions)


async def test_thanks_after_a_turn_not_followed_sends_nothing(scratch: ScratchBrain) -> None:
    # "Sorry, I didn't follow. Shall I go ahead ...?": something was said against the read-back, so a "cheers" now
    # is no go-ahead.
    async with scratch.fresh() as brain:
        state = CallState("thanks-after-sorry")
        await say(brain, state, "the pump A one two five at site twelve has failed, priority high")
        not_followed = await say(brain, state, "just the visit, the job itself stays open")
        assert spoken(not_followed).startswith("Sorry"), spoken(not_followed)
        assert not tools_ok(await say(brain, state, "cheers"))


async def test_a_place_inside_a_site_is_where_the_caller_is_not_the_problem(brain: SwitchboardBrain) -> None:
    # "hi i'm at riverside pumping station, site twelve, in the control room, and my laptop keeps dropping off the
    # wifi": one IT request; its summary is the laptop, not "in the control room".
    state = CallState("place-inside-site")
    await say(brain, state, "hi i'm at riverside pumping station, site twelve, in the control room, and my laptop keeps "
                            "dropping off the wifi every few minutes")
    assert state.task["intent"] == "incident.create", state.task
    await say(brain, state, "e one oh six two oh")
    assert "laptop" in state.task["args"]["summary"] and "control room" not in state.task["args"]["summary"], state.task


async def test_a_value_after_so_in_a_run_on_turn_is_said_as_the_value(brain: SwitchboardBrain) -> None:
    # No commas from the recogniser: "... it's getting bigger so i'd say high" gives the priority at the read-back;
    # "the reading is high" still does not.
    state = CallState("so-high")
    await say(brain, state, "the number two intake pump at riverside has started leaking round the shaft")
    await say(brain, state, "site twelve, and the tag on it is a one two four")
    await say(brain, state, "there's a proper puddle now and it's getting bigger so i'd say high")
    assert state.task["args"].get("priority") == "high", state.task
    state = CallState("reading-high")
    await say(brain, state, "the pump A one two three at site twelve is vibrating and the reading is high")
    assert "priority" not in state.task["args"], state.task


async def test_a_product_put_right_at_the_read_back_replaces_it_in_the_summary(brain: SwitchboardBrain) -> None:
    state = CallState("product-put-right")
    await say(brain, state, "hi, can i get visio installed on my laptop please")
    await say(brain, state, "e one one zero zero three")
    await say(brain, state, "oh actually, not visio, make it power bi desktop, that's what my manager wanted me on")
    summary = state.task["args"]["summary"]
    assert "power bi desktop" in summary and "visio" not in summary and "actually" not in summary, summary


async def test_a_request_put_in_after_a_how_to_is_the_one_the_answer_named(scratch: ScratchBrain) -> None:
    # "can you put a request in for me then" after how to get Power BI access: an access request, not the how-to again
    # (the question before it, without its question mark, is no question asked now).
    async with scratch.fresh() as brain:
        state = CallState("request-after-howto")
        await say(brain, state, "how do i go about getting access to power bi")
        await say(brain, state, "ok, can you put a request in for me then, read access, my id is e one oh six two oh")
        assert (state.task or {}).get("intent") == "access.request", state.task
        await say(brain, state, "i need to see the shift dashboards for the control room handover")
        assert tools_ok(await say(brain, state, "yes submit it")) == ["request_access"]


async def test_a_message_the_caller_is_told_matches_the_one_the_article_says(brain: SwitchboardBrain) -> None:
    # The article: 'If ... the VPN says "token out of sync" ... ask to speak to the IT service desk'; the caller: "my
    # VPN keeps telling me token out of sync". A screen's message "says", "shows" or is "telling" alike.
    actions = await say(brain, CallState("vpn-telling"), "hi, my VPN keeps telling me token out of sync and won't let me in")
    assert any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)


async def test_what_to_do_is_answered_from_a_section_not_the_articles_opening(brain: SwitchboardBrain) -> None:
    actions = await say(brain, CallState("what-to-do"), "there's water dripping out of the air con unit in the control "
                                                        "room at Riverside, what do I do")
    assert "bucket" in spoken(actions) or "condensate" in spoken(actions), spoken(actions)


async def test_the_act_asked_for_at_its_own_read_back_sends_it(scratch: ScratchBrain) -> None:
    # "Can you escalate it?" at "I'll escalate the incident: ... Is that right?", "can you log it?" at a new work
    # order's: the act read back, asked for; not "Sorry, I didn't follow".
    for opening, asked, tool in (
            ("escalate INC 20003 please, I can't send invoices and it's blocking my work", "can you escalate it?",
             "escalate_incident"),
            ("the pump A one two five at site twelve has failed, priority high", "can you log it?", "create_work_order"),
            ("the pump A one two five at site twelve has failed, priority high", "ok, put it in for me please",
             "create_work_order")):
        async with scratch.fresh() as brain:
            state = CallState("act-asked-at-read-back")
            await say(brain, state, opening)
            assert state.task["confirming"], state.task
            assert tools_ok(await say(brain, state, asked)) == [tool], asked


async def test_an_unclear_first_request_is_judged_without_the_thing_at_its_place(brain: SwitchboardBrain) -> None:
    # "... to the chiller at North Ridge ..." pulls towards a fault or a look-up; what is asked of the thing is in
    # the other words: no technician needed means the visit is called off, not "is it a fault or a look-up?".
    for opening in ("there's no need for the technician to come out to the chiller at north ridge any more, the lads "
                    "sorted it",
                    "we don't need the fitter to come to the intake pump at riverside now, one of our electricians "
                    "found a loose wire"):
        state = CallState("thing-at-place")
        actions = await say(brain, state, opening)
        assert [a.intent for a in actions if isinstance(a, RouteEvent)] == ["visit.cancel"], spoken(actions)
    # Its record's number alone is no thing at a place: "update my ticket, INC ..." stays the either/or it was.
    state = CallState("codes-only")
    actions = await say(brain, state, "Hi, Maria Lopez here. I want to update my VPN ticket, INC two oh oh oh one.")
    assert not tools_ok(actions) and state.dialogue.get("clarify"), spoken(actions)


async def test_a_yes_after_a_note_offered_once_was_left_takes_nothing(scratch: ScratchBrain) -> None:
    # The note offered after a read is left by a request for a person; a "yes" after the hand-over answers no offer.
    async with scratch.fresh() as brain:
        state = CallState("offer-left")
        read = await say(brain, state, "Priya here about my VPN ticket, twenty thousand and one. I tried it from home "
                                       "last night and it dropped twice.")
        assert "as a comment?" in spoken(read), spoken(read)
        await say(brain, state, "I'd rather talk to a person about it")
        after = await say(brain, state, "yes")
        assert not tools_ok(after) and "offer" not in state.dialogue, (spoken(after), state.dialogue)


async def test_a_record_wanted_by_its_kind_with_nothing_asked_of_it_is_a_new_one(brain: SwitchboardBrain) -> None:
    # "need a work order" wants one made; "a work order number" or "the work order" asks about one that exists.
    for opening in ("need a work order", "I'd like a job for the compressor at Eastgate please"):
        state = CallState("kind-wanted")
        await say(brain, state, opening)
        assert state.task["intent"] == "work_order.create", (opening, state.task)
    state = CallState("kind-number")
    await say(brain, state, "I need a work order number for my records")
    assert (state.task or {}).get("intent") != "work_order.create", state.task


async def test_a_priority_put_right_in_a_transcript_without_commas(brain: SwitchboardBrain) -> None:
    # "priority low no actually make it urgent": the value after the repair, and no repair words in the summary.
    state = CallState("repair-no-commas")
    await say(brain, state, "the chiller at north ridge H one four two zero has stopped cooling site fourteen priority low "
                            "no actually make it urgent")
    args = state.task["args"]
    assert args["priority"] == "urgent" and "actually" not in args["summary"] and "make" not in args["summary"], args


async def test_a_value_said_and_judged_enough_is_its_own_clause(scratch: ScratchBrain) -> None:
    # "high's fine we can live with it till Friday" at the read-back; "... doesn't need to be urgent anymore low will
    # do" for a named job: the value, though no comma ends the clause before or after it.
    async with scratch.fresh() as brain:
        state = CallState("judged-at-read-back")
        await say(brain, state, "the aeration blower A three zero two at site three is surging")
        assert state.task["confirming"], state.task
        await say(brain, state, "high's fine we can live with it till friday")
        assert state.task["args"]["priority"] == "high", state.task
        state = CallState("judged-change")
        actions = await say(brain, state, "work order one zero zero zero one doesn't need to be urgent anymore low will do")
        assert state.task["intent"] == "work_order.update" and state.task["args"]["priority"] == "low", spoken(actions)


async def test_a_greeting_by_the_time_of_day_names_no_time(brain: SwitchboardBrain) -> None:
    # "Afternoon. Where's ..." greets; it is no time window for a visit heard in the turn.
    state = CallState("greeting-time")
    actions = await say(brain, state, "Afternoon. Could you tell me the status of work order one zero zero zero one?")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)


async def test_another_act_put_right_at_a_read_back_is_sent_with_the_one_yes(scratch: ScratchBrain) -> None:
    # "Can you make it urgent? No, sorry, high, not urgent." at a note's read-back: no words for the note, but the
    # priority for the record's own change, said back with the open question; one yes sends both.
    async with scratch.fresh() as brain:
        state = CallState("act-put-right")
        await say(brain, state, "work order ten thousand and six, the generator at Harbor Road. It failed to start again "
                                "on this morning's test run.")
        assert state.task["intent"] == "work_order.note", state.task
        asked = await say(brain, state, "could you set it to low? no, sorry, medium, not low")
        assert "priority medium" in spoken(asked).lower() and "not low" not in str(state.task["args"]), spoken(asked)
        sent = await say(brain, state, "yes")
        assert tools_ok(sent) == ["add_work_order_note", "update_work_order"], spoken(sent)
        assert "priority medium" in spoken(sent).lower(), spoken(sent)


@pytest.mark.parametrize(("turn", "first", "second"), [
    # "... where my ticket INC-20001 is at?" after another request: the second a status check, not a comment to write.
    ("I need my password reset, and could you let me know where my VPN ticket INC-20001 is at? I'm E10482.",
     "password.reset", "incident.status"),
    # "add a note to WO-10004 saying ... has started ..., and then where's WO-10002 at?": the note on the record named,
    # not a new work order for what the note says; the status check kept for after.
    ("Two things. Can you add a note to WO-10004 saying the air con H-2120 has started dripping again, and then tell "
     "me where WO-10002 is at?", "work_order.note", "work_order.status"),
])
async def test_where_a_named_record_stands_is_its_status_as_the_second_of_two(
        brain: SwitchboardBrain, turn: str, first: str, second: str) -> None:
    state = CallState("standing")
    await say(brain, state, turn)
    assert state.task["intent"] == first and state.dialogue["later"]["intent"] == second, (state.task, state.dialogue)


async def test_what_access_is_for_after_a_second_to(brain: SwitchboardBrain) -> None:
    # "I need to get into SAP to approve the purchase orders": what the access is for is the justification.
    state = CallState("purpose-to")
    await say(brain, state, "hello, I need to get into SharePoint to upload the shift rotas")
    assert "upload the shift rotas" in str(state.task["args"].get("justification", "")), state.task


async def test_a_sentence_that_only_leads_in_leaves_a_how_to_a_how_to(brain: SwitchboardBrain) -> None:
    # "Quick one. How far ahead can we book an engineer?": the lead-in is no request; the question is answered.
    actions = await say(brain, CallState("lead-in"), "Quick one. How far in advance can we book an engineer?")
    assert "60 days" in spoken(actions) and not tools_ok(actions), spoken(actions)


async def test_the_second_of_two_requests_takes_no_value_of_the_first(scratch: ScratchBrain) -> None:
    # "... Raise a job for that, medium. And what's the status of WO-10004?": the priority is the new job's; the
    # second request, kept with the words around it, is still a status check when the caller says yes to it.
    async with scratch.fresh() as brain:
        state = CallState("second-keeps-its-own")
        await say(brain, state, "Two things. The bypass valve V-1410 at North Ridge is stuck shut, it won't move. Raise a "
                                "job for that, medium. And what's the status of WO-10004?")
        assert state.task["intent"] == "work_order.create", state.task
        actions = await say(brain, state, "yes, raise it")  # (a record named to read is read at once, no offer)
        assert tools_ok(actions) == ["create_work_order", "get_work_order"], spoken(actions)


async def test_who_calls_said_with_the_yes_to_a_new_record_instead_is_taken(scratch: ScratchBrain) -> None:
    # "Fine, a new one then, I'm E10482" to "... is closed. Shall I open an incident instead?": the caller's id is the
    # new incident's, not asked again.
    async with scratch.fresh() as brain:
        state = CallState("instead-with-id")
        offered = await say(brain, state, "the maximo slowness is back, incident two double oh oh six, please reopen it")
        assert "instead?" in spoken(offered), spoken(offered)
        await say(brain, state, "fine, log a new one then. I'm E one oh four eight two")
        assert state.task["args"].get("user") == "E10482", state.task


@pytest.mark.parametrize("turn, tag", [
    # who calls, then where they are, is no request of its own: the fault after it is the request
    ("Hi, this is Tomasz at Millbrook Pumping Station, site 7. Booster pump A701 is rattling badly, can you log it?",
     "A701"),
    ("Hello, it's Dana from Harbor Road Treatment Works, site 3. The generator G0320 won't start on test.", "G0320"),
])
async def test_who_calls_and_where_they_are_leaves_the_fault_the_request(
        brain: SwitchboardBrain, turn: str, tag: str) -> None:
    state = CallState(f"who-at-{tag}")
    await say(brain, state, turn)
    assert state.task["intent"] == "work_order.create" and state.task["args"].get("asset_tag") == tag, state.task


async def test_a_look_up_said_with_a_note_on_it_is_read_then_the_note_offered(brain: SwitchboardBrain) -> None:
    # "where's job ten thousand and five up to, and could you also stick a note on it ...": the number is the
    # note's record too, so it is a work order's look-up, read first as said; the note (not a new fault for what
    # it says) is kept for after, with the record.
    state = CallState("read-then-note")
    actions = await say(brain, state, "where's job ten thousand and five up to, and could you also stick a note on "
                                      "it saying the crane is booked for friday")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)
    assert state.dialogue["later"]["intent"] == "work_order.note", state.dialogue
    await say(brain, state, "yes")
    assert state.task["intent"] == "work_order.note" and state.task["args"].get("work_order_id") == "WO-10005", \
        state.task


async def test_a_thing_at_its_place_with_a_fault_told_is_the_fault_to_log(brain: SwitchboardBrain) -> None:
    # The thing at its place sounds like a look-up ("the pump of site twelve, the number one pump"); heard without
    # the places, what is told of it is clearly a fault, with no question asked: the fault is logged.
    state = CallState("thing-at-place-fault")
    await say(brain, state, "hello, i am ringing for the pump of site twelve, the number one pump, it make very big "
                            "rattle, please to send a man")
    assert state.task["intent"] == "work_order.create", state.task


async def test_a_work_order_asked_for_a_tagged_thing_asks_what_is_wrong(brain: SwitchboardBrain) -> None:
    # "I need a work order for the standby cooling fan, F-1010, at North Ridge": the tag is the new record's
    # value, no record of its own; and the kind of thing ("cooling") says nothing wrong, so that is asked.
    state = CallState("work-order-for-tag")
    actions = await say(brain, state, "I need a work order for the standby cooling fan, C two one zero one, at Eastgate")
    assert state.task["intent"] == "work_order.create" and not state.task["args"].get("summary"), state.task
    assert "wrong" in spoken(actions), spoken(actions)


@pytest.mark.parametrize("opener, turn, field, value, said", [
    # "add that ..." or "also mention ..." at the read-back: more words for the summary
    ("the chiller H2120 at Harbor Road is short cycling, medium priority please",
     "oh and can you also mention the condenser fan looks seized", "summary", "condenser fan looks seized", "Added."),
    # "id say high to be fair ..." to a read-back that held no priority: the priority, said back
    ("the badge reader on the big printer at the operations centre stopped reading our cards this morning, I'm E10850",
     "id say high to be fair its the only printer on the floor", "priority", "high", "Priority high then."),
    # "make it tomorrow evening" when tomorrow is booked already: only the window changed, so only it is said back
    ("can I book a technician for work order ten thousand and six tomorrow afternoon",
     "hang on, make it tomorrow evening, the yard is busy in the afternoon", "time_window", "evening", "Evening then."),
])
async def test_a_change_at_the_read_back_is_taken_and_said_back(
        scratch: ScratchBrain, opener: str, turn: str, field: str, value: str, said: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState(f"read-back-{field}")
        await say(brain, state, opener)
        assert state.task.get("confirming"), state.task
        actions = await say(brain, state, turn)
        assert value in str(state.task["args"].get(field)) and state.task.get("confirming"), state.task
        assert spoken(actions).startswith(said), spoken(actions)


async def test_an_act_named_in_callers_words_is_that_act(brain: SwitchboardBrain) -> None:
    # the engineer is the visit
    state = CallState("kin-visit")
    await say(brain, state, "the job is done now so please cancel the engineer for work order 10002")
    assert state.task["intent"] == "visit.cancel", state.task


@pytest.mark.parametrize("clause, intent, named", [
    ("could you stick a note on it that I'm out until Monday", "incident.comment", True),  # a note is a comment
    ("leave a comment on the job saying the crane is booked", "work_order.note", True),
    ("it needs escalating, we're losing a day", "incident.escalate", True),  # wanted done to it
    ("can it be escalated please", "incident.escalate", True),
    ("any escalation contact for out of hours?", "incident.escalate", False),
    ("there's a note on the job from yesterday", "work_order.note", False),  # no act asked: no verb of putting one
])
async def test_a_tool_is_named_in_the_words_callers_use(
        brain: SwitchboardBrain, clause: str, intent: str, named: bool) -> None:
    assert brain._names_whole_tool(clause, intent) is named


@pytest.mark.parametrize("turn", [
    # "two things, add a note to WO-10002 saying ..., and what's the status of WO-10005": the note, then the status,
    # though the story alone sounds like something else.
    "two things, add a note to WO-10002 saying the new seal kit came yesterday and it still won't start up, and "
    "what's the status of WO-10005",
    # ... and so when the two numbers together would settle the turn as one record's (the note is named in full).
    "Put a note on WO-10004 that the aircon has iced up again this morning, and tell me where we are with WO-10002.",
])
async def test_an_act_named_on_a_record_comes_first_of_two_however_the_story_sounds(
        brain: SwitchboardBrain, turn: str) -> None:
    state = CallState(f"note-then-status-{len(turn)}")
    await say(brain, state, turn)
    assert state.task["intent"] == "work_order.note" and state.dialogue["later"]["intent"] == "work_order.status", \
        (state.task, state.dialogue)


async def test_add_that_after_a_read_is_a_note_whatever_time_it_tells(brain: SwitchboardBrain) -> None:
    # "add that ... this morning" right after a job was read: words for its note, not a visit for "this morning".
    state = CallState("add-that-after-read")
    await say(brain, state, "where is WO-10005 at")
    await say(brain, state, "add that the actuator came in this morning, we can fit it ourselves")
    assert state.task["intent"] == "work_order.note" and state.task["args"].get("work_order_id") == "WO-10005", \
        state.task


async def test_a_request_after_the_line_said_what_it_does_is_heard_afresh(brain: SwitchboardBrain) -> None:
    # "Sorry, I can't help there ... What do you need?" is no question between two requests: an unsure request
    # after it gets its own turn (here, a list of a site's jobs), not a person for being unclear twice.
    state = CallState("lost-then-request")
    await say(brain, state, "What's the weather like at Eastgate this afternoon? We've got a lift planned.")
    actions = await say(brain, state, "Okay. Are there any open work orders at Eastgate, site 21?")
    assert tools_ok(actions) == ["list_work_orders"] and state.handoff is None, spoken(actions)


async def test_a_record_told_of_after_the_trouble_is_the_record_it_is_about(brain: SwitchboardBrain) -> None:
    # "X is broken. There's a ticket for it already, INC-...": one request about that record, read, not a new one.
    state = CallState("trouble-then-its-record")
    actions = await say(brain, state, "The historian trends have stopped updating for the control room. "
                                      "Somebody logged it already I believe, I N C two zero zero zero two")
    assert tools_ok(actions) == ["get_incident"], spoken(actions)
    await say(brain, state, "can you escalate it please")
    assert state.task["intent"] == "incident.escalate" and state.task["args"].get("incident_id") == "INC-20002", \
        state.task


async def test_who_calls_to_an_either_or_question_asks_it_again_and_is_kept(brain: SwitchboardBrain) -> None:
    state = CallState("who-to-either-or")
    asked = await say(brain, state, "I've lost my ID badge somewhere, so I can't get through the doors or release "
                                    "my printing.")
    assert " or " in spoken(asked) and state.dialogue.get("clarify"), spoken(asked)
    again = await say(brain, state, "it's Liam Murphy, employee number E one one two three four")
    assert state.handoff is None and spoken(again).startswith("Thanks.") and " or " in spoken(again), spoken(again)
    await say(brain, state, "no, I just need a new badge")
    assert state.task["intent"] == "service_request.create" and state.task["args"].get("user") == "E11234", state.task


async def test_news_of_a_completed_job_is_offered_as_a_new_one(brain: SwitchboardBrain) -> None:
    # A note goes on an open job only: news told after a completed job was read is offered as a new work order for
    # the same asset and site, read back before it is sent.
    state = CallState("news-of-closed-job")
    read = await say(brain, state, "About job ten thousand and nine, the booster pump at Millbrook. It's making that "
                                   "racket again when it starts up.")
    assert tools_ok(read) == ["get_work_order"] and "open a work order" in spoken(read), spoken(read)
    readback = await say(brain, state, "yes please")
    assert not tools_ok(readback) and state.task["intent"] == "work_order.create", spoken(readback)
    assert state.task["args"].get("asset_tag") == "A701" and state.task["args"].get("site") == 7, state.task
    assert "racket" in state.task["args"].get("summary", "") and "thousand" not in state.task["args"]["summary"], \
        state.task


@pytest.mark.parametrize("opener", [
    "About job ten thousand and nine, the booster pump at Millbrook. It's squealing again on start-up.",
    "The booster pump 1 at Millbrook is squealing again on start-up. You had a job on it before, WO-10009.",
])
async def test_a_new_one_asked_for_after_a_completed_job_is_a_new_one(brain: SwitchboardBrain, opener: str) -> None:
    # Whether the job was read or a note on it was refused as completed, "raise a new one" is a new work order.
    state = CallState(f"new-one-after-closed-{len(opener)}")
    await say(brain, state, opener)
    await say(brain, state, "that one's closed then, but the squeal's back, can you raise a new one please")
    assert state.task["intent"] == "work_order.create" and state.task["args"].get("asset_tag") == "A701", state.task


async def test_a_person_asked_for_then_taken_back_in_the_same_turn_is_no_hand_over(brain: SwitchboardBrain) -> None:
    state = CallState("person-taken-back")
    await say(brain, state, "The dosing pump at Harbor Road keeps losing prime, that's three times this shift.")
    await say(brain, state, "Can I just talk to someone? Actually never mind, you'll do. It's tag P three one oh.")
    assert state.handoff is None and state.task and state.task["intent"] == "work_order.create", state.task


@pytest.mark.parametrize("turn, intent", [
    # Between a new record and how one stands, a turn that asks nothing and names no record is the new one.
    # (The router is unsure between the two on this one.)
    ("The chiller at the operations centre has packed in and the offices are roasting. I don't know the tag, I'm not "
     "an engineer.", "work_order.create"),
    # Asked for, a choice only an act on the named record takes (a visit's time of day) is that act.
    ("I want a technician at Riverside Monday morning for the raw water pump, WO-10001, and I'm not taking no for an "
     "answer.", "visit.schedule"),
    # A record's status heard with another kind's id: the id's own letters say which.
    ("Typical. Fine. WO-10005, what's happening with it?", "work_order.status"),
    # A thing needed is a new request, whatever act on a record a word of its description drew the router to.
    ("I need a proper headset with noise cancelling. The workshop's that noisy I can't hear anyone on calls.",
     "service_request.create"),
    # An act on the record named in a caller's word, by its id: that act, not its status.
    ("My AutoCAD request, SR-30002, bin it. We sorted it another way.", "service_request.cancel"),
    # What the rules are is a question for the articles.
    ("What are the rules for passwords these days? Mine keeps getting refused.", "knowledge.howto"),
    # A tagged thing with a fault, and a request to see to it, is a fault to log, not a look-up.
    ("Pump A125 at Eastgate is making a right racket, can you get it looked at?", "work_order.create"),
    # Asked whether anybody ever fixed it: the job that may exist, never a new fault.
    ("A few weeks back the booster pump at Millbrook was making a racket when it started. Did anybody ever sort it?",
     "work_order.status"),
    # A new record asked for in so many words, heard as a comment on a record the turn does not name.
    ("Liam Murphy here, E11234. Not a big deal, but my laptop battery's gone really low on capacity, it drops from "
     "full to ten per cent in under an hour, and the fan runs high the whole time. Can you log a fault for it? Put it "
     "in as low priority, I'm mostly at my desk plugged in.", "incident.create"),
])
async def test_what_a_first_turn_asks_for(scratch: ScratchBrain, turn: str, intent: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState(f"first-turn-{intent}")
        actions = await say(brain, state, turn)
        routed = state.routes[-1] if state.routes else {}
        read = routed.get("action") == "route" and routed.get("intent") == intent and state.task is None  # done at once
        assert (state.task or {}).get("intent") == intent or read, (spoken(actions), state.routes[-1:])


async def test_an_answer_taken_back_in_its_own_turn_is_the_value_said_after(brain: SwitchboardBrain) -> None:
    state = CallState("answer-taken-back")
    await say(brain, state, "the standby generator is low on fuel, please send someone")
    actions = await say(brain, state, "It's site fourteen. No, sorry, not fourteen, forty two.")
    assert state.task["args"].get("site") == 42, (spoken(actions), state.task)


async def test_an_access_level_said_by_what_it_lets_you_do(brain: SwitchboardBrain) -> None:
    # "update them, not just look at them" is write access; "not taking no for an answer" takes back no value.
    state = CallState("access-by-doing")
    await say(brain, state, "I'm E10620 and I need SAP access so I can update purchase orders, not just look at them.")
    assert state.task["intent"] == "access.request" and state.task["args"].get("access_level") == "write", state.task


async def test_a_time_taken_back_at_the_read_back_is_not_taken_from_the_reason(brain: SwitchboardBrain) -> None:
    state = CallState("time-taken-back-with-reason")
    await say(brain, state, "Book a technician visit for WO-10003 on Thursday afternoon please")
    await say(brain, state, "Sorry, not the afternoon, Thursday morning. We've a permit meeting in the afternoon.")
    assert state.task["args"].get("time_window") == "morning", state.task


@pytest.mark.parametrize("opener", ["Please cancel request thirty thousand and six.", "cancel S R three oh oh oh four for me"])
async def test_cancelling_a_closed_request_says_so_and_asks_nothing_more(brain: SwitchboardBrain, opener: str) -> None:
    # A rejected or fulfilled request cannot be cancelled: the caller hears that at once, not "why are you cancelling
    # it?" first and a refusal after, and no new request is offered in its place.
    state = CallState(f"cancel-closed-{len(opener)}")
    actions = await say(brain, state, opener)
    assert "already" in spoken(actions) and "?" not in spoken(actions).replace("Anything else?", ""), spoken(actions)
    assert state.task is None and not tools_ok(actions), spoken(actions)


async def test_a_record_corrected_after_it_was_read_as_closed_is_the_one_acted_on(brain: SwitchboardBrain) -> None:
    state = CallState("closed-then-corrected")
    first = await say(brain, state, "I need to put a comment on incident INC two double oh oh six")
    assert "closed" in spoken(first) and "instead" in spoken(first), spoken(first)
    actions = await say(brain, state, "oh sorry, wrong one, not six, three. twenty thousand and three")
    assert state.task and state.task["args"].get("incident_id") == "INC-20003", (spoken(actions), state.task)
    assert state.task["intent"] == "incident.comment", state.task


async def test_a_terse_status_after_a_reset_is_the_second_of_two(brain: SwitchboardBrain) -> None:
    # "status of INC ..." asks, in a noun: the reset is done first and the status offered after, not the reset lost.
    state = CallState("reset-then-terse-status")
    await say(brain, state, "Couple of things. Reset the password for E one oh five one seven. And status of "
                            "INC twenty oh oh one.")
    assert state.task and state.task["intent"] == "password.reset", state.task
    assert (state.dialogue.get("later") or {}).get("intent") == "incident.status", state.dialogue


async def test_there_is_the_place_the_caller_named_before(brain: SwitchboardBrain) -> None:
    # A site said by its short name where a place is said, then pointed back to with "there".
    state = CallState("there-place")
    await say(brain, state, "Do you know if the canteen at the depot does breakfast?")
    actions = await say(brain, state, "Ah well. Any open jobs there?")
    listed = [a for a in actions if isinstance(a, ToolEvent) and a.status == "ok"]
    assert [a.name for a in listed] == ["list_work_orders"], spoken(actions)
    assert state.tool_attempts[-1]["arguments"].get("site") == 42, state.tool_attempts[-1]


async def test_do_it_after_a_how_to_that_names_a_request_is_that_request(brain: SwitchboardBrain) -> None:
    state = CallState("do-it-after-howto")
    answer = await say(brain, state, "Got a new phone. How do I move the Authenticator app over to it?")
    assert "service request" in spoken(answer), spoken(answer)
    await say(brain, state, "Right, do it then. I'm E one oh five three three.")
    assert state.task and state.task["intent"] == "service_request.create", state.task


async def test_a_read_asked_mid_request_is_answered_and_the_request_waits(brain: SwitchboardBrain) -> None:
    # Mid-request, "what's the status of ...?" or "any open jobs at ...?" is read at once; the request stays as it was
    # and its question is asked again.
    state = CallState("side-read")
    await say(brain, state, "The intake pump A123 at Riverside has a cracked sight glass, it's weeping a bit")
    held = dict(state.task["args"]) if state.task else {}
    assert state.task and state.task["intent"] == "work_order.create", state.task
    status = await say(brain, state, "Oh, while you're there, what's the status of WO-10003?")
    assert tools_ok(status) == ["get_work_order"] and state.task and state.task["intent"] == "work_order.create", \
        spoken(status)
    assert state.task["args"] == held and spoken(status).rstrip().endswith("?"), spoken(status)
    listed = await say(brain, state, "And are there any open jobs at Harbor Road?")
    assert tools_ok(listed) == ["list_work_orders"] and state.task["intent"] == "work_order.create", spoken(listed)


async def test_that_one_after_a_list_of_one_is_that_record_read(brain: SwitchboardBrain) -> None:
    # The list named one job: "what's happening with that one?" reads it in full (its visit, its notes), not the
    # list again, and not another desk's record.
    state = CallState("that-one-of-a-list")
    await say(brain, state, "anything outstanding at North Ridge?")
    actions = await say(brain, state, "what's happening with that one then?")
    assert tools_ok(actions) == ["get_work_order"], spoken(actions)
    assert state.tool_attempts[-1]["arguments"].get("work_order_id") == "WO-10002", state.tool_attempts[-1]


async def test_a_how_to_told_as_a_story_answers_its_question(brain: SwitchboardBrain) -> None:
    state = CallState("story-then-howto")
    actions = await say(brain, state, "I'm at Cedar Falls in front of a valve I need to report, and there's no number on "
                                      "it that I can see. Where do they put the tag on a valve?")
    assert "handwheel" in spoken(actions), spoken(actions)


async def test_leave_it_please_at_a_read_back_drops_it_and_hands_nothing_over(brain: SwitchboardBrain) -> None:
    # What follows the drop is the caller's own plan ("I'll ring back"), no request for a person.
    state = CallState("leave-it-please")
    await say(brain, state, "The air compressor at the depot, C four two zero two, is dripping oil under the frame.")
    actions = await say(brain, state, "Hmm. No, leave it please. I'll ask my foreman first and call back later.")
    assert state.task is None and state.handoff is None and not tools_ok(actions), spoken(actions)
    assert not any(isinstance(a, HandoffEvent) for a in actions), spoken(actions)


@pytest.mark.parametrize("turn, tool", [
    # Things named, then asked "which ones?", are the list of them.
    ("valves at the Cedar Falls reservoir. which ones have we got?", "list_assets"),
    # Which one of a kind there is at a place is the list of that kind there.
    ("One question please. At Millbrook pumping station, which transformer they have? I need the tag.", "list_assets"),
    # Records asked for in so many words, however the router heard the rest.
    ("Afternoon - what's open at Millbrook right now? I need it for the four o'clock meeting.", "list_work_orders"),
    # A question passed on ("my fitter's asking what ...") is a question to answer.
    ("Quick one, my fitter's asking what asset A702 is and when it was last serviced.", "lookup_asset"),
    # Asked whether an act went through: whether it is so, read.
    ("hi its tom again from finance did the escalation on my outlook ticket go through incident twenty thousand and "
     "three", "get_incident"),
    # A request sentence after a greeting is judged alone by the rules of the whole turn: the site's list.
    ("Hi, could you tell me what jobs are open at Riverside, site twelve?", "list_work_orders"),
])
async def test_what_a_question_asks_is_read(scratch: ScratchBrain, turn: str, tool: str) -> None:
    async with scratch.fresh() as brain:
        state = CallState(f"asked-{tool}")
        actions = await say(brain, state, turn)
        assert tools_ok(actions) == [tool], spoken(actions)


async def test_the_address_of_a_site_by_its_number_is_that_sites(brain: SwitchboardBrain) -> None:
    state = CallState("address-by-number")
    actions = await say(brain, state, "What's the address for site one oh one please?")
    assert spoken(actions).startswith("Site 101") and "Westfield" not in spoken(actions), spoken(actions)


async def test_a_greeting_and_where_the_caller_rings_from_is_no_request_of_its_own(brain: SwitchboardBrain) -> None:
    state = CallState("good-morning-from")
    await say(brain, state, "Good morning. I am calling from Millbrook pumping station, site seven. The booster pump "
                            "A seven zero two is making leak from the gland. Please open work order.")
    assert state.task and state.task["intent"] == "work_order.create", state.task
    assert state.task["args"].get("asset_tag") == "A702" and state.task["args"].get("site") == 7, state.task


async def test_a_places_records_asked_after_a_request_are_the_places_list(scratch: ScratchBrain) -> None:
    # Not the one record just made, and not narrowed to its asset: the site's list.
    async with scratch.fresh() as brain:
        state = CallState("place-list-after-request")
        await say(brain, state, "the booster pump A702 at Millbrook is weeping at the gland")
        await say(brain, state, "yes")
        actions = await say(brain, state, "what work orders are open at Millbrook now?")
        assert tools_ok(actions) == ["list_work_orders"], spoken(actions)
        sent = state.tool_attempts[-1]["arguments"]
        assert sent.get("site") == 7 and "asset_tag" not in sent, sent


async def test_another_id_for_an_unknown_record_then_a_question_of_it_reads_it(scratch: ScratchBrain) -> None:
    # The number was wrong; the thing it is on finds the job, offered; a question about "it" takes the offer.
    async with scratch.fresh() as brain:
        state = CallState("other-id-then-question")
        await say(brain, state, "Can you give me the status of job ten thousand and ninety eight?")
        offered = await say(brain, state, "Maybe I misread it. It's the oil pump P-4512 at North Ridge. What's open on that?")
        assert "W O, one zero zero, zero two" in spoken(offered) and spoken(offered).endswith("?"), spoken(offered)
        actions = await say(brain, state, "When is someone coming out to it?")
        assert tools_ok(actions) == ["get_work_order"] and "Dev Patel" in spoken(actions), spoken(actions)


async def test_a_record_described_by_its_thing_is_read_mid_request_at_the_callers_place(scratch: ScratchBrain) -> None:
    # "where are we on the backwash valve job?" while a fault at Lakeside waits: the one job on that valve at the
    # caller's site is read, and the request's own offer is asked again, not a question from the start.
    async with scratch.fresh() as brain:
        state = CallState("side-read-described")
        first = await say(brain, state, "Hi, Lakeside plant. One of my operators says borehole pump 2's flow has "
                                        "dropped right off this morning.")
        offer = spoken(first).split(". ")[-1]
        actions = await say(brain, state, "Oh, before I forget - where are we on the backwash valve job? Is that still on hold?")
        assert tools_ok(actions) == ["get_work_order"] and "on hold" in spoken(actions), spoken(actions)
        assert spoken(actions).endswith(offer), (offer, spoken(actions))
        assert state.task and state.task["intent"] == "work_order.create", state.task


@pytest.mark.parametrize("opening, thing", [
    ("Hi, I called on Monday about the chiller at North Ridge, the one in the switch room, and nobody's been out yet. "
     "What's happening with it?", "H, one four, two zero"),
    ("hiya, where are we with the job for the aeration blower at harbor road site three?", "blower"),
])
async def test_no_job_on_the_thing_named_is_said_not_another_job_read(scratch: ScratchBrain, opening: str, thing: str) -> None:
    # The only open job at the site is on another thing: it is not read out as if it were the one asked about.
    async with scratch.fresh() as brain:
        state = CallState("none-on-the-thing")
        actions = await say(brain, state, opening)
        assert "get_work_order" not in tools_ok(actions), spoken(actions)
        assert spoken(actions).startswith("There's no work order for") and thing in spoken(actions), spoken(actions)


async def test_raise_one_then_takes_the_offer_of_a_new_job_for_the_thing_with_what_is_wrong(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("raise-one-then")
        await say(brain, state, "Hi, I called on Monday about the chiller at North Ridge, the one in the switch room. "
                                "What's happening with it?")
        actions = await say(brain, state, "You're joking. Right, raise one then. The switch room is at 31 degrees. "
                                          "Make it high priority.")
        args = (state.task or {}).get("args", {})
        assert state.task and state.task["tool"] == "create_work_order", spoken(actions)
        assert args.get("asset_tag") == "H-1420" and args.get("site") == 14 and args.get("priority") == "high", args
        assert "31 degrees" in args.get("summary", ""), args


async def test_whether_someone_is_on_a_thing_says_what_is_open_on_it(brain: SwitchboardBrain) -> None:
    state = CallState("anyone-on-it")
    actions = await say(brain, state, "Quick one: is anyone already working on the chemical dosing pump at Millbrook? "
                                      "The tag's P forty-seven oh one.")
    assert tools_ok(actions) and re.search(r"\bno open work orders\b", spoken(actions), re.I), spoken(actions)


async def test_two_things_counted_by_the_caller_are_two_requests(scratch: ScratchBrain) -> None:
    # A fault with its own values, then a question on another job: both, the fault first.
    async with scratch.fresh() as brain:
        state = CallState("two-things")
        first = await say(brain, state, "Hi, two things. The air compressor at Westfield Depot, C-4202, has a small oil "
                                        "weep at the bearing housing, medium priority. And can you tell me when the "
                                        "technician is coming for WO-10006?")
        assert state.task and state.task["tool"] == "create_work_order", spoken(first)
        done = await say(brain, state, "Yes, that's right.")
        # The second only reads a record it names: read at once, nothing to agree to first.
        assert tools_ok(done) == ["create_work_order", "get_work_order"] and "now?" not in spoken(done), spoken(done)





async def test_a_promise_told_before_a_record_is_one_request_about_it(scratch: ScratchBrain) -> None:
    # "We were told an engineer would come ... and nobody's turned up. Work order 10002": the story of an earlier
    # promise is no request of its own; the record's status says when the visit is.
    async with scratch.fresh() as brain:
        state = CallState("we-were-told")
        actions = await say(brain, state, "Hello, I'm calling from North Ridge substation. We were told an engineer would "
                                          "come out today for the oil pump and nobody's turned up. Work order ten thousand and two.")
        assert tools_ok(actions) == ["get_work_order"] and "Dev Patel" in spoken(actions), spoken(actions)


async def test_whether_anyone_is_booked_for_a_thing_just_looked_up_reads_its_job(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("booked-for-it")
        await say(brain, state, "can you look up asset h dash two one two oh for me what is it")
        actions = await say(brain, state, "is anyone booked to come and look at it")
        assert tools_ok(actions) == ["get_work_order"] and "No technician visit is booked" in spoken(actions), spoken(actions)


async def test_when_someone_comes_to_a_job_read_out_is_that_no_visit_is_booked(scratch: ScratchBrain) -> None:
    # The job read out is on hold with a note of its own; "when is someone coming?" is answered by the booking.
    async with scratch.fresh() as brain:
        state = CallState("when-after-read")
        await say(brain, state, "What's the status of work order 10005?")
        actions = await say(brain, state, "so when is someone actually coming out")
        assert spoken(actions).startswith("No technician visit is booked"), spoken(actions)


async def test_an_act_asked_for_on_a_job_just_read_is_that_act_not_the_read_again(scratch: ScratchBrain) -> None:
    async with scratch.fresh() as brain:
        state = CallState("book-after-read")
        await say(brain, state, "is anyone coming out for the compressor job at eastgate ten thousand and three")
        actions = await say(brain, state, "Well, can you book someone for the day after tomorrow, in the evening?")
        assert state.task and state.task["tool"] == "schedule_visit" and not tools_ok(actions), spoken(actions)
        assert state.task["args"].get("time_window") == "evening", state.task


async def test_the_other_request_named_in_answer_to_its_offer_is_taken(scratch: ScratchBrain) -> None:
    # "Shall we do the other thing you mentioned now?" - "And the monitor request? ...": that one, read. (Its number
    # said in the first turn, it would be read at once.)
    async with scratch.fresh() as brain:
        state = CallState("other-thing-named")
        await say(brain, state, "two things the printer at westfield depot wont release anyones jobs and also whats "
                                "the status of my monitor request")
        await say(brain, state, "my employee id is e one zero six two zero")
        done = await say(brain, state, "yes")
        assert tools_ok(done) == ["create_incident"] and spoken(done).endswith("now?"), spoken(done)
        actions = await say(brain, state, "And the monitor request? It's s r three zero zero zero five.")
        assert tools_ok(actions) == ["get_service_request"], spoken(actions)


async def test_a_how_to_question_with_a_reason_told_after_it_is_answered(brain: SwitchboardBrain) -> None:
    # "how far ahead can I book a visit?" asks to know ("can I" after the question word), whatever follows.
    state = CallState("how-far-ahead-why")
    actions = await say(brain, state, "And how far ahead can I book a visit? We're planning a shutdown.")
    assert "60 days" in spoken(actions) and not state.task, spoken(actions)


async def test_a_question_after_a_value_at_a_read_back_is_answered_and_the_value_taken(brain: SwitchboardBrain) -> None:
    state = CallState("value-then-question")
    await say(brain, state, "Hi, control room supervisor. One of my staff, Ben Carter, E11402 - his headset crackles so "
                            "badly on Teams calls nobody can hear him.")
    actions = await say(brain, state, "Medium - he can use the handset for now. How long will it take to fix?")
    assert "3 working days" in spoken(actions) and spoken(actions).endswith("?"), spoken(actions)
    assert state.task and state.task["args"].get("priority") == "medium", state.task



async def test_a_thing_named_after_a_wrong_number_is_searched_with_its_words(scratch: ScratchBrain) -> None:
    # The number was wrong; "it's for the aeration blower at site three" has no job of its own, and the only open job
    # there (the generator's) is not offered for it.
    async with scratch.fresh() as brain:
        state = CallState("wrong-number-then-thing")
        await say(brain, state, "hiya checking on work order one zero nine nine nine")
        actions = await say(brain, state, "its for the aeration blower at harbor road site three")
        assert spoken(actions).startswith("There's no work order for the aeration blower"), spoken(actions)
