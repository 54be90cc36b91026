"""LLM mode: a write request repeated in the same call is asked about, not run twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agent.contracts.actions import ToolEvent
from agent.brain.llm import LlmAgent, ModelReply
from tests.integration.test_agents_llm import ScriptedModel, _state, _turn, call, tools  # noqa: F401 (fixture)

ARGS = {"site": 12, "asset_tag": "A123", "summary": "pump leaking again", "priority": "high"}


def _count(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "mcp" / "field_ops.sqlite") as db:
        return db.execute("SELECT count(*) FROM work_orders WHERE summary='pump leaking again'").fetchone()[0]


async def test_the_same_request_again_is_confirmed_as_a_repeat(tools, tmp_path: Path) -> None:  # noqa: F811
    model = ScriptedModel([call("create_work_order", ARGS, "c1"), ModelReply("Logged."),
                           call("create_work_order", ARGS, "c2"), ModelReply("Okay, I won't."),
                           call("create_work_order", ARGS, "c3"), ModelReply("Logged another.")])
    agent = LlmAgent(tools, model)
    state = _state()
    await _turn(agent, state, "pump A123 at site 12 is leaking, high priority", first=True)
    await _turn(agent, state, "yes")
    assert _count(tmp_path) == 1
    ticket = state.tool_attempts[-1]["result"]["work_order_id"]

    state.task = None  # the caller comes back and says it all again: a new task
    asked = await _turn(agent, state, "pump A123 at site 12 is leaking, high priority", first=True)
    assert "already logged as W O" in asked[-1].text and "another" in asked[-1].text
    declined = await _turn(agent, state, "no")
    assert not [a for a in declined if isinstance(a, ToolEvent)] and _count(tmp_path) == 1
    assert ticket in model.requests[-1][-1]["content"]  # the model hears which ticket already exists

    state.task = None
    await _turn(agent, state, "pump A123 at site 12 is leaking, high priority", first=True)
    await _turn(agent, state, "yes")
    assert _count(tmp_path) == 2  # asked for on purpose
