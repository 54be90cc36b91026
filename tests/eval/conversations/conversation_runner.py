"""Drive scripted multi-turn calls through SwitchboardBrain with real MCP servers, and score them.

A conversation (YAML, see ``*.yaml`` here) is caller lines plus the expected end state:
the outcome, which tools succeeded, whether the call was handed over, phrases the agent
said, and SQL checks on the MCP servers' own SQLite stores. ``{ticket_number}`` in a
query is the number of the last ticket the call created.

Run on its own for the figures: ``.venv/bin/python tests/eval/conversations/conversation_runner.py``
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

from agent.actions import CallerInput, EndCall, HandoffEvent, Say, ToolEvent
from agent.agents.brain import SwitchboardBrain
from agent.agents.toolrun import ticket_of
from agent.config import Settings
from agent.state import CallState

HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    name: str
    failures: list[str] = field(default_factory=list)
    turn_ms: list[float] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def load_conversations(folder: Path = HERE) -> list[dict[str, Any]]:
    conversations = []
    for path in sorted(folder.glob("*.yaml")):
        for conv in yaml.safe_load(path.read_text()):
            conv.setdefault("source", path.name)
            conversations.append(conv)
    return conversations


def kill_server(name: str) -> int:
    """Kill this process's MCP server child for ``name`` (e.g. field_ops); returns its pid."""
    wanted = name.replace("_", "-")
    for child in psutil.Process().children(recursive=True):
        try:
            cmd = child.cmdline()
        except psutil.Error:
            continue
        if "mcp" in cmd and wanted in cmd:
            child.kill()
            child.wait(5)
            return child.pid
    raise RuntimeError(f"no running MCP server {name}")


async def say(brain: SwitchboardBrain, state: CallState, text: str, kind: str = "text") -> list[Any]:
    """One caller turn the way the conversation loop runs it: count, record, respond, record replies."""
    state.turn_count += 1
    state.add_turn("caller", text, kind=kind)
    actions = [a async for a in brain.respond(CallerInput(text, kind, state.turn_count), state)]  # type: ignore[arg-type]
    for action in actions:
        if isinstance(action, Say):
            state.add_turn("agent", action.text, filler=action.filler)
    return actions


async def run_one(brain: SwitchboardBrain, conv: dict[str, Any], data_dir: Path) -> Result:
    result = Result(conv["name"])
    slug = re.sub(r"\W+", "-", conv["name"])
    state = CallState(session_id=f"eval-{slug}-{time.time_ns()}")
    ended = False
    for turn in conv["turns"]:
        if isinstance(turn, dict) and "kill" in turn:
            kill_server(turn["kill"])
            result.transcript.append(f"[killed {turn['kill']}]")
            continue
        if isinstance(turn, dict) and "transfer_ok" in turn:
            actions = [a async for a in brain.handoff_result(bool(turn["transfer_ok"]), "bridge report", state)]
            result.transcript += [f"agent: {a.text}" for a in actions if isinstance(a, Say)]
            continue
        text = turn if isinstance(turn, str) else turn["say"] * int(turn.get("repeat", 1))
        kind = "text" if isinstance(turn, str) else turn.get("kind", "text")
        started = time.perf_counter()
        actions = await say(brain, state, text, kind)
        result.turn_ms.append((time.perf_counter() - started) * 1000.0)
        result.transcript.append(f"caller: {text[:120]}")
        for a in actions:
            if isinstance(a, Say):
                result.transcript.append(f"agent: {a.text}")
            elif isinstance(a, ToolEvent) and a.status != "started":
                result.transcript.append(f"[tool {a.name} {a.status} {a.error or ''}]")
            elif isinstance(a, HandoffEvent):
                result.transcript.append(f"[handoff {a.target} {a.case_id}]")
            elif isinstance(a, EndCall):
                ended = True
        if ended:
            break
    await brain.end(state)
    _check(conv.get("expect", {}), state, result, data_dir, ended)
    return result


def _check(expect: dict[str, Any], state: CallState, result: Result, data_dir: Path, ended: bool) -> None:
    fail = result.failures.append
    if "outcome" in expect and state.outcome != expect["outcome"]:
        fail(f"outcome {state.outcome!r} != {expect['outcome']!r}")
    ok_tools = [a["tool"] for a in state.tool_attempts if a["ok"]]
    for tool in expect.get("tools_ok", []):
        if tool not in ok_tools:
            fail(f"tool {tool} never succeeded (ok: {ok_tools})")
    if "tool_failures" in expect and state.tool_failures != expect["tool_failures"]:
        fail(f"tool_failures {state.tool_failures} != {expect['tool_failures']}")
    if "handoff" in expect and bool(state.handoff) != bool(expect["handoff"]):
        fail(f"handoff {state.handoff} (expected {expect['handoff']})")
    if "handoff_priority" in expect and (state.handoff or {}).get("priority") != expect["handoff_priority"]:
        fail(f"handoff priority {(state.handoff or {}).get('priority')} != {expect['handoff_priority']}")
    if "ended" in expect and ended != expect["ended"]:
        fail(f"ended {ended} != {expect['ended']}")
    spoken = "\n".join(t["text"] for t in state.turns if t["role"] == "agent")
    for pattern in expect.get("said", []):
        if not re.search(pattern, spoken, flags=re.I):
            fail(f"agent never said /{pattern}/")
    for pattern in expect.get("not_said", []):
        if re.search(pattern, spoken, flags=re.I):
            fail(f"agent said /{pattern}/")
    for key, value in expect.get("entities", {}).items():
        if state.entities.get(key) != value:
            fail(f"entity {key}={state.entities.get(key)!r} != {value!r}")
    tickets = [re.sub(r"\D", "", ticket_of(a["result"]) or "") for a in state.tool_attempts if a["ok"]]
    for check in expect.get("sql", []):
        query = check["query"]
        if "{ticket_number}" in query:
            if not tickets or not tickets[-1]:
                fail("no ticket created for an SQL check")
                continue
            query = query.replace("{ticket_number}", str(int(tickets[-1])))
        db = data_dir / "mcp" / f"{check['db']}.sqlite"
        with sqlite3.connect(db) as conn:
            row = list(conn.execute(query).fetchone() or [])
        if row != check["equals"]:
            fail(f"SQL {query!r} gave {row} != {check['equals']}")


async def run_all(data_dir: Path, conversations: list[dict[str, Any]] | None = None) -> list[Result]:
    settings = Settings(data_dir=data_dir)
    brain = SwitchboardBrain.from_settings(settings)
    await brain.start()
    try:
        return [await run_one(brain, conv, data_dir) for conv in (conversations or load_conversations())]
    finally:
        await brain.close()


def report(results: list[Result]) -> str:
    passed = sum(r.ok for r in results)
    times = sorted(ms for r in results for ms in r.turn_ms)
    p50 = statistics.median(times) if times else 0.0
    p95 = times[int(0.95 * (len(times) - 1))] if times else 0.0
    lines = [f"task completion: {passed}/{len(results)} = {passed / max(len(results), 1):.1%}",
             f"brain turn latency over {len(times)} turns: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(times or [0]):.1f} ms"]
    for r in results:
        if not r.ok:
            lines.append(f"FAILED {r.name}: {'; '.join(r.failures)}")
            lines += [f"    {t}" for t in r.transcript]
    return "\n".join(lines)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        outcome = asyncio.run(run_all(Path(tmp)))
        print(report(outcome))
        sys.exit(0 if sum(r.ok for r in outcome) / len(outcome) >= 0.9 else 1)
