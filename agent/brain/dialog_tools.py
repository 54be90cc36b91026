"""Function tools for a speech-to-speech engine: the coordinator, the MCP tools and the hand-over.

Voice Live runs the conversation, but every decision that matters still goes through
switchboard: ``route_request`` asks the coordinator (same policy, same ``route`` event),
each discovered MCP tool calls the shared ``ToolManager`` (same ``tool`` events, same
idempotency keys), ``handoff_to_human`` goes through ``HandoffService``. The
confirmation policy is enforced here, not left to the model: a write tool runs only
when the caller's own last turn said yes to exactly these arguments, which were read
back to them first (the pending request is an ordinary confirming ``CallState.task``,
so the embedded brain can finish it if the call falls back).

``DialogTools.run`` yields ``Action``s as they happen (a slow tool yields the shared
runner's holding phrase, a ``Say`` with ``filler=True``, for the engine to speak) and
ends with one ``FunctionResult``: the JSON the model gets back.

This is the brain's side of ``agent.realtime.voicelive_tools.DialogFunctions``: the speech
layer knows only that interface; the app wiring hands it this (``for_brain``).
"""

from __future__ import annotations

import json
from typing import Any, AsyncIterator

from agent.contracts.actions import Action, HandoffEvent
from agent.brain import entities, slots
from agent.brain.switchboard import route_event
from agent.brain.domain import idempotency_key, result_sentence
from agent.brain.llm import function_tools
from agent.brain.mcp_client import ToolSpec
from agent.brain.toolrun import ToolOutcome, run_tool
from agent.realtime.voicelive_tools import FunctionResult
from agent.contracts.state import CallState

#: Longer arguments than any spoken request needs: refused before parsing.
MAX_ARGUMENT_CHARS = 16_000
ROUTE = "route_request"
HANDOFF = "handoff_to_human"
KNOWLEDGE_CHARS = 600

INSTRUCTIONS = (
    "You are the operations help line of Northwind Utilities on the phone. Keep every reply to one or two "
    "short spoken sentences. For every new caller request call route_request with the caller's words and "
    "follow its answer: ask its clarifying question, answer from its knowledge, or use the tools it lists. "
    "Before any tool that creates or changes something, read the details back and ask the caller to "
    "confirm; call the tool only after they say yes. Read reference numbers one character at a time. "
    "If the caller asks for a person, or a tool keeps failing, call handoff_to_human."
)


class DialogTools:
    """The function tools of one brain (``SwitchboardBrain``: coordinator, tools, handoff).

    Implements ``agent.realtime.voicelive_tools.DialogFunctions``.
    """

    instructions = INSTRUCTIONS

    def __init__(self, brain: Any, *, holding_s: float) -> None:
        self._brain = brain
        self.tools = brain.tools
        self.handoff = brain.handoff
        self.holding_s = holding_s

    @property
    def coordinator(self) -> Any:
        # Read at call time: the brain opens its knowledge index in start(), after the tools are built.
        return self._brain.coordinator

    @classmethod
    def for_brain(cls, brain: Any, *, holding_s: float) -> "DialogTools | None":
        """None for a brain without a coordinator (the placeholder): the engine then only talks."""
        if all(hasattr(brain, a) for a in ("coordinator", "tools", "handoff")):
            return cls(brain, holding_s=holding_s)
        return None

    # --- what the model sees ----------------------------------------------------------
    def _specs(self) -> dict[str, ToolSpec]:
        """Function name -> MCP tool; a name two servers share is prefixed with its server."""
        found: list[ToolSpec] = [spec for server in self.tools.connections for spec in self.tools.tools(server).values()]
        counts: dict[str, int] = {}
        for spec in found:
            counts[spec.name] = counts.get(spec.name, 0) + 1
        return {(spec.name if counts[spec.name] == 1 else f"{spec.server}__{spec.name}"): spec for spec in found}

    def definitions(self) -> list[dict[str, Any]]:
        """``{"name", "description", "parameters"}`` for every function (JSON schema parameters)."""
        defs = [
            {"name": ROUTE, "description": "Ask the switchboard coordinator where a caller request belongs. "
             "Returns the route, a clarifying question, knowledge passages or the tools to use.",
             "parameters": {"type": "object", "properties": {"utterance": {
                 "type": "string", "description": "The caller's request in their own words."}},
                 "required": ["utterance"]}},
            {"name": HANDOFF, "description": "Transfer the caller to a person; a case with the conversation "
             "so far is opened first.",
             "parameters": {"type": "object", "properties": {"reason": {
                 "type": "string", "description": "Why a person is needed, in a few words."}}, "required": []}},
        ]
        specs = self._specs()
        for (name, spec), tool in zip(specs.items(), function_tools(specs)):
            note = " Changes data: confirm with the caller first." if slots.is_write(spec.name, spec.annotations) else ""
            defs.append({**tool["function"], "name": name, "description": tool["function"]["description"] + note})
        return defs

    # --- running one call ---------------------------------------------------------------
    async def run(self, name: str, arguments: str, state: CallState) -> AsyncIterator[Action | FunctionResult]:
        """Run function ``name`` with the model's JSON ``arguments`` against ``state``."""
        args = parse_arguments(arguments)
        if isinstance(args, str):
            yield FunctionResult({"status": "error", "message": args})
            return
        if name == ROUTE:
            async for item in self._route(str(args.get("utterance", "")), state):
                yield item
        elif name == HANDOFF:
            async for item in self._hand_over(state, reason=str(args.get("reason") or "The caller asked for a person."),
                                              trigger="person_request"):
                yield item
        else:
            spec = self._specs().get(name)
            if spec is None:
                yield FunctionResult({"status": "error", "message": f"there is no function named {name[:64]!r}"})
                return
            async for item in self._tool(spec, args, state):
                yield item

    async def _route(self, utterance: str, state: CallState) -> AsyncIterator[Action | FunctionResult]:
        decision = await self.coordinator.decide_async(utterance, state)
        if decision.action == "handoff":
            self.coordinator.record(decision, state)
            yield route_event(decision)
            trigger = decision.policy_hits[0] if decision.policy_hits else decision.intent
            async for item in self._hand_over(state, reason=decision.reason, trigger=trigger,
                                              priority=decision.priority):
                yield item
            return
        self.coordinator.record(decision, state)
        yield route_event(decision)
        if decision.action == "clarify":
            yield FunctionResult({"action": "clarify", "question": decision.clarify_question})
            return
        tools = [n for n, s in self._specs().items() if s.server == decision.target]
        knowledge = [p.text[:KNOWLEDGE_CHARS] for p in decision.passages if getattr(p, "kind", "article") == "article"]
        yield FunctionResult({"action": "route", "target": decision.target, "intent": decision.intent,
                              "confidence": round(decision.confidence, 3), "tools": tools, "knowledge": knowledge})

    async def _tool(self, spec: ToolSpec, args: dict[str, Any], state: CallState) -> AsyncIterator[Action | FunctionResult]:
        write = slots.is_write(spec.name, spec.annotations)
        args = {k: v for k, v in args.items() if k != "idempotency_key"}
        task = state.task or {}
        if write and not confirmed(task, spec, args, state):
            state.task = {**slots.new_task(spec.name, spec.server, (state.current or {}).get("intent", ""), "",
                                           idempotency_key(state, spec.name)),
                          "args": args, "confirming": True, "asked_turn": state.turn_count}
            yield FunctionResult({"status": "needs_confirmation", "details": args,
                                  "instruction": "Read these details back to the caller and ask them to confirm. "
                                  "Call this tool again with the same arguments only after they say yes."})
            return
        key = task.get("key") if write else None
        if key is None and "idempotency_key" in spec.input_schema.get("properties", {}):
            key = idempotency_key(state, spec.name)
        outcome = ToolOutcome()
        async for action in run_tool(self.tools, spec, args, state, outcome, key=key, holding_s=self.holding_s,
                                     write=write):
            yield action
        if outcome.error is not None:
            if state.tool_failures >= self.coordinator.policy.tool_failure_limit and not state.handoff:
                async for item in self._hand_over(state, reason=f"{state.tool_failures} tool attempts failed",
                                                  trigger="tool_failures", extra={"tool_error": outcome.error.message}):
                    yield item
                return
            yield FunctionResult({"status": "error", "kind": outcome.error.kind,
                                  "message": outcome.error.message[:300]})
            return
        if write:
            state.task = None
        yield FunctionResult({"status": "ok", "result": outcome.data, "say": result_sentence(spec, outcome.data, write)})

    async def _hand_over(self, state: CallState, *, reason: str, trigger: str, priority: str | None = None,
                         extra: dict[str, Any] | None = None) -> AsyncIterator[Action | FunctionResult]:
        state.task = None
        priority = priority or (state.routes[-1].get("priority", "normal") if state.routes else "normal")
        event: HandoffEvent = await self.handoff.escalate(state, reason=reason, trigger=trigger, priority=priority)
        yield event
        yield FunctionResult({"action": "handoff", "case_id": event.case_id, **(extra or {}),
                              "say": self.handoff.message_for_caller(event)})


def parse_arguments(arguments: str) -> dict[str, Any] | str:
    """The model's arguments as a dict, or a short reason they cannot be used (pure)."""
    if len(arguments) > MAX_ARGUMENT_CHARS:
        return f"arguments longer than {MAX_ARGUMENT_CHARS} characters"
    try:
        value = json.loads(arguments or "{}")
    except ValueError as exc:
        return f"arguments are not valid JSON: {exc.msg}"
    if not isinstance(value, dict):
        return "arguments must be a JSON object"
    return value


def confirmed(task: dict[str, Any], spec: ToolSpec, args: dict[str, Any], state: CallState) -> bool:
    """Did the caller say yes, after the read-back, to exactly this call? (pure)"""
    if not task.get("confirming") or task.get("tool") != spec.name or task.get("server") != spec.server:
        return False
    if task.get("args") != args:
        return False
    asked = task.get("asked_turn", state.turn_count)
    said = [t for t in state.turns if t.get("role") == "caller" and t.get("turn", 0) > asked]
    return bool(said) and entities.yes_no(said[-1]["text"]).yes is True

