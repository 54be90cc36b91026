"""Drive scripted multi-turn calls through SwitchboardBrain with real MCP servers, and score them.

A conversation (YAML, see ``*.yaml`` here) is caller lines plus the expected end state:
the outcome, which tools succeeded, whether the call was handed over, phrases the agent
said, and SQL checks on the MCP servers' own SQLite stores. ``{ticket_number}`` in a
query is the number of the last ticket the call created.

Expectation keys (all optional): ``outcome``, ``tools_ok``, ``tools_not_ok`` (tools that must
not have succeeded), ``tool_counts`` ({tool: successful calls}), ``tool_failures``,
``handoff``, ``handoff_priority``, ``not_handoff_priority``, ``ended``, ``said`` (every pattern somewhere),
``said_any`` (at least one pattern), ``not_said``, ``replies`` (list of {turn: N (1-based
caller turn), said_any: [...], not_said: [...]} for the agent's answer to that turn),
``entities``, ``sql``, ``max_reply_words`` (no reply longer) and ``no_loops`` (no question
asked three times).

Issue 18's split: ``test/`` is the fixed test part, never used for tuning; ``dev/`` may be.
Run on its own for the figures: ``.venv/bin/python tests/eval/conversations/conversation_runner.py
[--llm] [FOLDER...]`` (default: this folder; e.g. ``.../conversations/test .../conversations/dev``);
``--llm`` runs the brain in LLM mode with the scripted model of ``slot_model.py``.
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

# Run as a script from any checkout (a git worktree too): the brain scored is this tree's, not whichever
# one the virtualenv happens to have installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from agent.contracts.actions import CallerInput, EndCall, HandoffEvent, Say, ToolEvent
from agent.brain.switchboard import SwitchboardBrain
from agent.brain.toolrun import ticket_of
from agent.config import Settings
from agent.contracts.state import CallState
from tests.support import knowledge

HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    name: str
    failures: list[str] = field(default_factory=list)
    turn_ms: list[float] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    #: The agent's answer to each caller turn (non-filler sentences joined), in order.
    replies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def looped(self) -> bool:
        return bool(repeated_questions(self.replies))


#: Every expectation key the runner checks; any other key is a typo that would check nothing.
EXPECT_KEYS = frozenset({
    "outcome", "tools_ok", "tools_not_ok", "tool_counts", "tool_failures", "handoff", "handoff_priority",
    "not_handoff_priority", "ended", "said", "said_any", "not_said", "replies", "entities", "sql",
    "max_reply_words", "no_loops",
})


def load_conversations(folder: Path = HERE) -> list[dict[str, Any]]:
    conversations = []
    for path in sorted(folder.glob("*.yaml")):
        for conv in yaml.safe_load(path.read_text()):
            unknown = set(conv.get("expect", {})) - EXPECT_KEYS
            if unknown:
                raise ValueError(f"{path.name}: {conv['name']!r} has unknown expectation keys {sorted(unknown)}")
            conv.setdefault("source", path.name)
            conversations.append(conv)
    return conversations


#: The same question this many times in one call is a loop (issue 18).
LOOP_COUNT = 3
#: Reply lengths counted in the report: about 25 words is the aim, 40 the limit.
LONG_REPLY_WORDS = (25, 40)


def words(text: str) -> int:
    return len(text.split())


def repeated_questions(replies: list[str]) -> list[str]:
    """Questions (the last question of each reply, normalised) asked ``LOOP_COUNT`` times or more."""
    asked: dict[str, int] = {}
    for reply in replies:
        questions = re.findall(r"[^.!?]*\?", reply)
        if questions:
            key = " ".join(re.findall(r"[a-z]+", questions[-1].lower()))
            asked[key] = asked.get(key, 0) + 1
    return [q for q, n in asked.items() if n >= LOOP_COUNT]


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
        result.replies.append(" ".join(a.text for a in actions if isinstance(a, Say) and not a.filler))
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
    _check_replies(conv.get("expect", {}), result)
    return result


def _check_replies(expect: dict[str, Any], result: Result) -> None:
    fail = result.failures.append
    limit = expect.get("max_reply_words")
    if limit is not None:
        for reply in result.replies:
            if words(reply) > limit:
                fail(f"reply of {words(reply)} words > {limit}: {reply[:80]!r}")
    if expect.get("no_loops") and result.looped:
        fail(f"asked {LOOP_COUNT}+ times: {repeated_questions(result.replies)}")
    for check in expect.get("replies", []):
        turn = int(check["turn"])
        reply = result.replies[turn - 1] if 0 < turn <= len(result.replies) else ""
        patterns = check.get("said_any", [])
        if patterns and not any(re.search(p, reply, flags=re.I) for p in patterns):
            fail(f"answer to turn {turn} matched none of {patterns}: {reply[:80]!r}")
        for pattern in check.get("not_said", []):
            if re.search(pattern, reply, flags=re.I):
                fail(f"answer to turn {turn} said /{pattern}/")


def _check(expect: dict[str, Any], state: CallState, result: Result, data_dir: Path, ended: bool) -> None:
    fail = result.failures.append
    if "outcome" in expect and state.outcome != expect["outcome"]:
        fail(f"outcome {state.outcome!r} != {expect['outcome']!r}")
    ok_tools = [a["tool"] for a in state.tool_attempts if a["ok"]]
    for tool in expect.get("tools_ok", []):
        if tool not in ok_tools:
            fail(f"tool {tool} never succeeded (ok: {ok_tools})")
    for tool in expect.get("tools_not_ok", []):
        if tool in ok_tools:
            fail(f"tool {tool} succeeded but should not have")
    for tool, count in expect.get("tool_counts", {}).items():
        if ok_tools.count(tool) != count:
            fail(f"tool {tool} succeeded {ok_tools.count(tool)} times, expected {count}")
    if "tool_failures" in expect and state.tool_failures != expect["tool_failures"]:
        fail(f"tool_failures {state.tool_failures} != {expect['tool_failures']}")
    if "handoff" in expect and bool(state.handoff) != bool(expect["handoff"]):
        fail(f"handoff {state.handoff} (expected {expect['handoff']})")
    if "handoff_priority" in expect and (state.handoff or {}).get("priority") != expect["handoff_priority"]:
        fail(f"handoff priority {(state.handoff or {}).get('priority')} != {expect['handoff_priority']}")
    if "not_handoff_priority" in expect and (state.handoff or {}).get("priority") == expect["not_handoff_priority"]:
        fail(f"handed over at {expect['not_handoff_priority']} priority")
    if "ended" in expect and ended != expect["ended"]:
        fail(f"ended {ended} != {expect['ended']}")
    spoken = "\n".join(t["text"] for t in state.turns if t["role"] == "agent")
    for pattern in expect.get("said", []):
        if not re.search(pattern, spoken, flags=re.I):
            fail(f"agent never said /{pattern}/")
    if expect.get("said_any") and not any(re.search(p, spoken, flags=re.I) for p in expect["said_any"]):
        fail(f"agent said none of {expect['said_any']}")
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


async def run_all(data_dir: Path, conversations: list[dict[str, Any]] | None = None, *,
                  llm: bool = False) -> list[Result]:
    """``llm``: the brain in LLM mode with the scripted ``SlotFillingModel`` (``slot_model.py``)."""
    # (Every folder's brain would build the same knowledge index: one build is copied into each.)
    settings = Settings(data_dir=knowledge.seeded(data_dir))
    brain = SwitchboardBrain.from_settings(settings)
    await brain.start()  # opens the coordinator (its policy) and fetches the site names
    if llm:
        from agent.brain.llm import LlmAgent
        from tests.eval.conversations.slot_model import SlotFillingModel

        site_names = dict(brain.agent.site_names)
        brain.agent = LlmAgent(brain.tools, SlotFillingModel(site_names),
                               failure_limit=brain.coordinator.policy.tool_failure_limit)
        brain.agent.site_names = site_names  # one dict: read by the model and the agent
    try:
        todo = load_conversations() if conversations is None else conversations
        return [await run_one(brain, conv, data_dir) for conv in todo]
    finally:
        await brain.close()


def report(results: list[Result]) -> str:
    passed = sum(r.ok for r in results)
    times = sorted(ms for r in results for ms in r.turn_ms)
    p50 = statistics.median(times) if times else 0.0
    p95 = times[int(0.95 * (len(times) - 1))] if times else 0.0
    completed_turns = [len(r.turn_ms) for r in results if r.ok]
    replies = [words(reply) for r in results for reply in r.replies]
    short, limit = LONG_REPLY_WORDS
    lines = [f"task completion: {passed}/{len(results)} = {passed / max(len(results), 1):.1%}",
             f"turns per completed task: {statistics.mean(completed_turns) if completed_turns else 0:.2f}",
             f"loops (a question asked {LOOP_COUNT}+ times): {sum(r.looped for r in results)} calls",
             f"replies over {short} words: {sum(n > short for n in replies)}/{len(replies)}, "
             f"over {limit} words: {sum(n > limit for n in replies)}, longest {max(replies or [0])}",
             f"brain turn latency over {len(times)} turns: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(times or [0]):.1f} ms"]
    for r in results:
        if not r.ok:
            lines.append(f"FAILED {r.name}: {'; '.join(r.failures)}")
            lines += [f"    {t}" for t in r.transcript]
    return "\n".join(lines)


def main(folders: list[Path], *, llm: bool = False) -> int:
    """Score each folder in a fresh data directory (so seeded stores start equal); exit 1 under 90 %."""
    rates = []
    for folder in folders:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = asyncio.run(run_all(Path(tmp), load_conversations(folder), llm=llm))
        print(f"== {folder}{' (LLM mode, scripted model)' if llm else ''}\n{report(outcome)}\n")
        rates.append(sum(r.ok for r in outcome) / max(len(outcome), 1))
    return 0 if min(rates) >= 0.9 else 1


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--llm"]
    sys.exit(main([Path(a) for a in args] or [HERE], llm="--llm" in sys.argv[1:]))
