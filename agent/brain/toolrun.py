"""Run one tool call on behalf of a caller: events, holding phrase, attempt record.

Shared by the embedded and the LLM agent so both behave the same on the phone: a
``ToolEvent`` when the call starts and ends, a holding phrase when it takes longer than
``holding_s``, and every attempt written to ``CallState.tool_attempts`` (failures also
counted in ``tool_failures``, which the hand-over policy reads).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator

from agent.contracts.actions import Action, Say, ToolEvent
from agent.brain import slots
from agent.brain.mcp_client import ToolError, ToolManager, ToolSpec
from agent.contracts.state import CallState

_TICKET = re.compile(r"\b[A-Z]{2,4}-\d{4,6}\b")


@dataclass
class ToolOutcome:
    """Filled in by ``run_tool`` (an async generator cannot return a value)."""

    ok: bool = False
    data: Any = None
    error: ToolError | None = None


def ticket_of(data: Any) -> str | None:
    """The ticket number in a tool result (``WO-10234``, ``INC-20017``), if there is one."""
    if not isinstance(data, dict):
        return None
    for key, value in data.items():
        if (key == "id" or key.endswith("_id") or key == "number") and isinstance(value, str) and _TICKET.fullmatch(value):
            return value
    return None


def _normalised(value: Any) -> Any:
    """Arguments as compared for repeats: case, punctuation and spacing of text do not count."""
    if isinstance(value, str):
        return " ".join(re.sub(r"[^\w\s]", " ", value.lower()).split())
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items() if k != "idempotency_key"}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def recent_duplicate(state: CallState, spec: ToolSpec, args: dict[str, Any], *, window_s: float,
                     now: float) -> dict[str, Any] | None:
    """The successful call of ``spec`` for the same request in this call within ``window_s``, if any.

    A caller who reconnects and repeats the whole request gets a new task (and a new
    idempotency key, rightly: asking twice on purpose is allowed), so the server cannot
    tell the repeat from a second request; the call's own record of what it did can.
    A new record about a thing (an asset's tag) is the same request for the same thing at the same
    place, however the problem is worded the second time; any other is the same with the same arguments.
    """
    kinds = {s.name: s.kind for s in slots.slots_of(spec.input_schema)}
    about_a_thing = spec.name.startswith(slots.NEW_RECORD_PREFIXES) and any(
        kinds.get(k) == "code" and v for k, v in args.items())
    keys = {k for k in args if kinds.get(k) in ("code", "site")} if about_a_thing else set(args)
    want = _normalised({k: v for k, v in args.items() if k in keys})
    for attempt in reversed(state.tool_attempts):
        if now - float(attempt.get("ts", 0.0)) > window_s:
            break  # attempts are appended in order: everything earlier is older still
        done = {k: v for k, v in attempt.get("arguments", {}).items() if k in keys}
        if attempt.get("ok") and attempt.get("tool") == spec.name and _normalised(done) == want:
            return attempt
    return None


async def run_tool(tools: ToolManager, spec: ToolSpec, args: dict[str, Any], state: CallState, outcome: ToolOutcome,
                   *, key: str | None, holding_s: float, write: bool) -> AsyncIterator[Action]:
    shown = {**args, **({"idempotency_key": key} if key else {})}
    yield ToolEvent(spec.name, "started", arguments=shown)
    started = time.perf_counter()
    call = asyncio.ensure_future(tools.call(spec.server, spec.name, args, idempotency_key=key))
    try:
        done, _ = await asyncio.wait({call}, timeout=holding_s)
        if not done:
            yield Say("One moment while I " + ("set that up." if write else "look that up."), filler=True)
        outcome.data = await call
        outcome.ok = True
    except ToolError as exc:
        outcome.error = exc
    finally:
        if not call.done():
            call.cancel()  # the caller hung up or barged in; the idempotency key makes a later retry safe
    latency = (time.perf_counter() - started) * 1000.0
    entry: dict[str, Any] = {"tool": spec.name, "server": spec.server, "arguments": shown, "ok": outcome.ok,
                             "latency_ms": round(latency, 1), "ts": time.time(), "turn": state.turn_count}
    if outcome.ok:
        entry["result"] = outcome.data
        state.tool_attempts.append(entry)
        ticket = ticket_of(outcome.data)
        if ticket:
            state.entities[f"{spec.name.partition('_')[2] or spec.name}_id"] = ticket
        yield ToolEvent(spec.name, "ok", arguments=shown, result=outcome.data, latency_ms=latency)
    else:
        assert outcome.error is not None
        entry["error"] = f"{outcome.error.kind}: {outcome.error.message}"
        state.tool_attempts.append(entry)
        state.tool_failures += 1
        yield ToolEvent(spec.name, "error", arguments=shown, error=outcome.error.message, latency_ms=latency)
