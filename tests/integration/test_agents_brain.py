"""SwitchboardBrain end to end in-process: coordinator, domain agents, real MCP servers, hand-over store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import pytest_asyncio

from agent.actions import EndCall, HandoffEvent, RouteEvent, Say, ToolEvent
from agent.agents.brain import SwitchboardBrain
from agent.config import Settings
from agent.state import CallState
from tests.eval.conversations.conversation_runner import kill_server, say


#: One brain for the module, like one container serving many calls (building the index is slow).
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("brain")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def brain(data_dir: Path):
    b = SwitchboardBrain.from_settings(Settings(data_dir=data_dir))
    await b.start()
    yield b
    await b.close()


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
        confirm = await say(other, moved, "high")
        assert "Is that right?" in spoken(confirm)
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
