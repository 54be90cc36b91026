"""LLM mode: the chat-completions tool loop against a scripted model and real MCP servers."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agent.contracts.actions import Say, ToolEvent
from agent.brain.llm import LlmAgent, ModelReply, ToolCall, function_tools
from agent.brain.mcp_client import ToolManager
from agent.config import Settings
from agent.contracts.state import CallState
from tests.support import knowledge


class ScriptedModel:
    """Plays back replies in order and keeps every request it was sent."""

    def __init__(self, replies: list[ModelReply]) -> None:
        self.replies = list(replies)
        self.requests: list[list[dict[str, Any]]] = []
        self.tools: list[dict[str, Any]] = []

    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        self.requests.append(json.loads(json.dumps(messages)))
        self.tools = tools
        return self.replies.pop(0)


def call(name: str, args: Any, call_id: str = "c1") -> ModelReply:
    raw = args if isinstance(args, str) else json.dumps(args)
    return ModelReply(None, [ToolCall(call_id, name, raw)], tokens=50)


@pytest.fixture
async def tools(tmp_path: Path):
    manager = ToolManager.from_settings(Settings(data_dir=tmp_path))
    await manager.start()
    yield manager
    await manager.close()


def _state(target: str = "field_ops") -> CallState:
    state = CallState("llm-1")
    state.current = {"target": target, "intent": "work_order.create"}
    return state


async def _turn(agent: LlmAgent, state: CallState, text: str, first: bool = False) -> list[Any]:
    gen = agent.start("work_order.create", text, state) if first else agent.continue_task(text, state)
    actions = [a async for a in gen]
    state.to_dict()  # everything the loop keeps must stay JSON-serialisable for the session store
    json.dumps(state.to_dict())
    return actions


async def test_write_tool_waits_for_yes_then_runs(tools: ToolManager, tmp_path: Path) -> None:
    args = {"site": 12, "asset_tag": "A123", "summary": "pump leaking", "priority": "high"}
    model = ScriptedModel([call("create_work_order", args),
                           ModelReply("Your work order is WO-10016.")])
    agent = LlmAgent(tools, model, holding_phrase_ms=700)
    state = _state()
    first = await _turn(agent, state, "pump A123 at site 12 is leaking, high priority", first=True)
    assert not [a for a in first if isinstance(a, ToolEvent)]  # nothing written yet
    assert "Is that right?" in first[-1].text and "A, one two three" in first[-1].text
    second = await _turn(agent, state, "yes")
    events = [a for a in second if isinstance(a, ToolEvent)]
    assert [e.status for e in events] == ["started", "ok"]
    assert second[-1] == Say("Your work order is W O, one zero zero, one six.")
    tool_message = model.requests[-1][-1]
    assert tool_message["role"] == "tool" and "work_order_id" in tool_message["content"]
    with sqlite3.connect(tmp_path / "mcp" / "field_ops.sqlite") as db:
        assert db.execute("SELECT count(*) FROM work_orders WHERE summary='pump leaking'").fetchone()[0] == 1
    assert state.usage["llm_tokens"] == 50


async def test_no_means_the_tool_never_runs_and_the_model_hears_why(tools: ToolManager, tmp_path: Path) -> None:
    args = {"site": 12, "asset_tag": "A123", "summary": "declined leak", "priority": "low"}
    model = ScriptedModel([call("create_work_order", args), ModelReply("What should I change?")])
    agent = LlmAgent(tools, model)
    state = _state()
    await _turn(agent, state, "pump leaking", first=True)
    # A no that names no new value goes to the model (one that does is applied at once: see
    # test_llm_mode_shares_the_dialogue_moves).
    reply = await _turn(agent, state, "no, that's not what I'm after")
    assert reply == [Say("What should I change?")]
    assert "did not confirm" in model.requests[-1][-1]["content"]
    assert "not what I'm after" in model.requests[-1][-1]["content"]
    with sqlite3.connect(tmp_path / "mcp" / "field_ops.sqlite") as db:
        assert db.execute("SELECT count(*) FROM work_orders WHERE summary='declined leak'").fetchone()[0] == 0


async def test_read_tools_run_straight_away_and_results_go_back_to_the_model(tools: ToolManager) -> None:
    model = ScriptedModel([call("get_work_order", {"work_order_id": "WO-10001"}),
                           ModelReply("It's open.")])
    agent = LlmAgent(tools, model)
    actions = await _turn(agent, _state(), "status of WO-10001", first=True)
    assert [a.status for a in actions if isinstance(a, ToolEvent)] == ["started", "ok"]
    assert "WO-10001" in model.requests[-1][-1]["content"]
    assert actions[-1] == Say("It's open.")


async def test_bad_model_output_and_server_errors_are_fed_back(tools: ToolManager) -> None:
    model = ScriptedModel([
        call("no_such_tool", {}, "a"),
        call("get_work_order", "{not json", "b"),
        call("get_work_order", {"work_order_id": "WO-99999"}, "c"),
        ModelReply("I couldn't find that work order."),
    ])
    agent = LlmAgent(tools, model)
    state = _state()
    actions = await _turn(agent, state, "status of 99999", first=True)
    contents = [m["content"] for m in model.requests[-1] if m["role"] == "tool"]
    assert "unknown tool" in contents[0] and "not a JSON object" in contents[1] and "WO-99999" in contents[2]
    assert state.tool_failures == 1 and not state.tool_attempts[-1]["ok"]
    assert actions[-1] == Say("I couldn't find that work order.")


async def test_a_model_that_loops_is_stopped(tools: ToolManager) -> None:
    model = ScriptedModel([call("get_work_order", {"work_order_id": "WO-10001"}, f"c{i}") for i in range(10)])
    agent = LlmAgent(tools, model)
    actions = await _turn(agent, _state(), "status", first=True)
    assert len(model.requests) == 5
    assert "put you through to a person" in actions[-1].text


async def test_tools_are_exposed_without_idempotency_keys(tools: ToolManager) -> None:
    exposed = {t["function"]["name"]: t["function"]["parameters"] for t in function_tools(tools.tools("it_ops"))}
    assert "request_password_reset" in exposed
    assert "idempotency_key" not in exposed["request_password_reset"]["properties"]
    assert exposed["request_password_reset"]["required"] == ["user"]


async def test_azure_client_at_the_wire_with_a_fake_transport() -> None:
    """The real ``openai`` SDK against an httpx mock transport: URL, token, tools out; tool calls back."""
    import httpx
    from openai import AsyncAzureOpenAI

    from agent.brain.llm import AzureModelClient

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={
            "id": "x", "object": "chat.completion", "created": 0, "model": "gpt-4o",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": None,
                "tool_calls": [{"id": "call_1", "type": "function",
                                "function": {"name": "get_work_order", "arguments": "{\"work_order_id\": \"WO-10001\"}"}}]}}],
            "usage": {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42},
        })

    client = AsyncAzureOpenAI(azure_endpoint="https://example.openai.azure.com", api_version="2024-10-21",
                              azure_ad_token_provider=lambda: "entra-token",
                              http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    model = AzureModelClient(client, "ops-gpt")
    tools = [{"type": "function", "function": {"name": "get_work_order", "description": "d",
                                               "parameters": {"type": "object", "properties": {}}}}]
    reply = await model.complete([{"role": "user", "content": "status of WO-10001"}], tools)
    assert reply.tool_calls == [ToolCall("call_1", "get_work_order", "{\"work_order_id\": \"WO-10001\"}")]
    assert reply.tokens == 42
    request = seen[0]
    assert request.url.path == "/openai/deployments/ops-gpt/chat/completions"
    assert request.headers["authorization"] == "Bearer entra-token"
    body = json.loads(request.content)
    assert body["tools"] == tools and body["messages"][0]["content"] == "status of WO-10001"


def test_brain_uses_the_model_when_a_deployment_is_configured(tmp_path: Path) -> None:
    from agent.brain.switchboard import SwitchboardBrain
    from agent.brain.domain import DomainAgent

    llm = SwitchboardBrain.from_settings(Settings(data_dir=tmp_path, azure_openai_endpoint="https://example.openai.azure.com",
                                                  azure_openai_deployment="ops-gpt"))
    embedded = SwitchboardBrain.from_settings(Settings(data_dir=tmp_path))
    assert isinstance(llm.agent, LlmAgent) and isinstance(embedded.agent, DomainAgent)


async def test_brain_in_llm_mode_confirms_writes_and_reroutes(tools: ToolManager, tmp_path: Path) -> None:
    from agent.brain.switchboard import SwitchboardBrain
    from agent.routing.coordinator import Coordinator
    from agent.handoff.service import HandoffService
    from tests.eval.conversations.conversation_runner import say

    settings = Settings(data_dir=knowledge.seeded(tmp_path))
    args = {"site": 14, "asset_tag": "P-4512", "summary": "oil pump tripping", "priority": "urgent"}
    model = ScriptedModel([
        ModelReply("Which asset is it?"),
        call("create_work_order", args),
        ModelReply("Done, it's WO-10016."),
        ModelReply("Which laptop is it, and what's your employee ID?"),
    ])
    brain = SwitchboardBrain(Coordinator.from_settings(settings), tools, HandoffService(settings),
                             LlmAgent(tools, model))
    state = CallState("llm-brain")
    first = await say(brain, state, "the oil pump at site fourteen keeps tripping")
    assert first[-1] == Say("Which asset is it?")
    confirm = await say(brain, state, "P dash forty five twelve, urgent")
    assert "Is that right?" in confirm[-1].text and not [a for a in confirm if isinstance(a, ToolEvent)]
    done = await say(brain, state, "yes")
    assert [a.status for a in done if isinstance(a, ToolEvent)] == ["started", "ok"]
    switched = await say(brain, state, "also my laptop is broken, the screen is cracked")
    assert state.current["target"] == "it_ops" and state.task["server"] == "it_ops"
    assert switched[-1] == Say("Which laptop is it, and what's your employee ID?")
    assert model.requests[-1][0]["role"] == "system" and "IT operations" in model.requests[-1][0]["content"]
    await brain.handoff.close()


async def test_llm_mode_shares_the_dialogue_moves(tools: ToolManager, tmp_path: Path) -> None:
    """Repeat, a negated correction at the read-back and 'leave it' are handled by the shared move layer:
    the model is not called for them, and the corrected value is what runs."""
    from agent.brain.switchboard import SwitchboardBrain
    from agent.routing.coordinator import Coordinator
    from agent.handoff.service import HandoffService
    from tests.eval.conversations.conversation_runner import say

    settings = Settings(data_dir=knowledge.seeded(tmp_path))
    args = {"site": 14, "asset_tag": "P-4512", "summary": "oil pump tripping", "priority": "high"}
    model = ScriptedModel([call("create_work_order", args), ModelReply("Done."), call("create_work_order", args)])
    brain = SwitchboardBrain(Coordinator.from_settings(settings), tools, HandoffService(settings),
                             LlmAgent(tools, model))
    state = CallState("llm-moves")
    confirm = await say(brain, state, "the oil pump P-4512 at site fourteen keeps tripping, high priority")
    assert confirm[-1].text.endswith("Is that right?")
    calls = len(model.requests)
    again = await say(brain, state, "sorry, say that again?")
    assert again[-1].text == confirm[-1].text and len(model.requests) == calls
    fixed = await say(brain, state, "urgent, not high")
    assert fixed[-1] == Say("Urgent then. Shall I go ahead?") and len(model.requests) == calls
    done = await say(brain, state, "yes")
    assert [a.status for a in done if isinstance(a, ToolEvent)] == ["started", "ok"]
    assert [a["arguments"]["priority"] for a in state.tool_attempts if a["ok"]] == ["urgent"]
    await say(brain, state, "the pump P-4512 at site fourteen tripped again, high priority")
    left = await say(brain, state, "no, leave it")
    assert state.task is None and "Nothing was sent" in left[0].text
    assert sum(a["ok"] for a in state.tool_attempts) == 1
    await brain.handoff.close()


async def test_options_explained_at_a_read_back_leave_room_for_its_question(tools: ToolManager, tmp_path: Path) -> None:
    """"What's the difference between high and urgent?" at an LLM read-back: each option, then the question short
    when the whole read-back would take the reply past 40 words."""
    from agent.brain.switchboard import SwitchboardBrain
    from agent.routing.coordinator import Coordinator
    from agent.handoff.service import HandoffService
    from tests.eval.conversations.conversation_runner import say

    settings = Settings(data_dir=knowledge.seeded(tmp_path))
    args = {"site": 3, "asset_tag": "V-0310", "summary": "the outfall penstock stalls and will not open more than "
            "halfway when the actuator is run from the local panel", "priority": "high"}
    model = ScriptedModel([call("create_work_order", args)])
    brain = SwitchboardBrain(Coordinator.from_settings(settings), tools, HandoffService(settings), LlmAgent(tools, model))
    state = CallState("llm-options")
    await say(brain, state, "the outfall penstock V-0310 at site three stalls half open, high priority")
    answer = await say(brain, state, "what's the difference between high and urgent, actually?")
    said = " ".join(a.text for a in answer if isinstance(a, Say))
    assert "24 hours" in said and said.endswith("?") and len(said.split()) <= 40, said
    await brain.handoff.close()
