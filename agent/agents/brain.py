"""SwitchboardBrain: the coordinator, the domain agents and the human hand-over, wired together.

Per caller turn: the coordinator decides; a safety word, a request for a person or too
many failed tools hand over at once; a turn that answers the task in progress continues
it (so "site fourteen" is never routed afresh); anything else is recorded and routed,
which is also how a caller switches topic mid-call. Every piece of per-call state lives
in ``CallState``; the brain itself holds only shared, per-process things (index, tool
server connections), so a call can continue on another container.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Any, AsyncIterator, Callable, Protocol

from agent.actions import Action, CallerInput, EndCall, HandoffEvent, RouteEvent, Say
from agent.agents import entities
from agent.agents.domain import ANYTHING_ELSE, DomainAgent, fetch_site_names
from agent.agents.mcp_client import ToolManager
from agent.agents.slots import slots_of
from agent.config import Settings
from agent.keypad import digits_expected
from agent.state import CallState

GREETING = "Hello, you've reached the operations help line. How can I help you today?"
#: Hand-overs that skip everything else, even a task half done.
URGENT_HITS = ("safety", "person_request", "tool_failures")
#: How sure the coordinator must be that a non-answer mid-task is a new request.
SWITCH_CONFIDENCE = 0.8
#: ... and that an answer to a free-text question is really a change of topic.
FREE_SWITCH_CONFIDENCE = 0.6
#: Longer than anyone says in one turn: refused before parsing, so a pasted megabyte costs nothing.
MAX_TURN_CHARS = 4000
_GOODBYE = re.compile(r"\b(bye|goodbye|that'?s all|that is all|nothing else|no thanks|no thank you|i'?m done)\b")


class Agent(Protocol):
    """What the brain needs from a domain agent (embedded ``DomainAgent`` or ``LlmAgent``)."""

    site_names: dict[str, int]  # site name -> number, read from the field-ops server at start-up
    def answers(self, text: str, state: CallState) -> str | None: ...
    def start(self, intent: str, text: str, state: CallState) -> AsyncIterator[Action]: ...
    def continue_task(self, text: str, state: CallState) -> AsyncIterator[Action]: ...
    def reprompt(self, state: CallState) -> str: ...


class SwitchboardBrain:
    """Implements ``agent.brain.Brain``."""

    def __init__(self, coordinator: Any, tools: ToolManager, handoff: Any, agent: Agent,
                 *, open_coordinator: Callable[[], Any] | None = None) -> None:
        self.coordinator = coordinator  # None until start() when ``open_coordinator`` is given
        self._open_coordinator = open_coordinator
        self.tools = tools
        self.handoff = handoff
        self.agent = agent

    @classmethod
    def from_settings(cls, settings: Settings) -> "SwitchboardBrain":
        from agent.coordinator.coordinator import Coordinator
        from agent.coordinator.policy import load_policy
        from agent.handoff.service import HandoffService

        tools = ToolManager.from_settings(settings)
        limit = load_policy(settings.policy_file).tool_failure_limit
        agent: Agent
        if settings.azure_openai_endpoint and settings.azure_openai_deployment:
            from agent.agents.llm import AzureModelClient, LlmAgent

            agent = LlmAgent(tools, AzureModelClient.from_settings(settings),
                             holding_phrase_ms=settings.holding_phrase_ms, failure_limit=limit)
        else:
            agent = DomainAgent(tools, holding_phrase_ms=settings.holding_phrase_ms, failure_limit=limit)
        # The knowledge index is opened in start(), not here: on a new sandbox's first start it is
        # built (seconds of CPU), and nothing on the way to the greeting needs it.
        return cls(None, tools, HandoffService(settings), agent,
                   open_coordinator=partial(Coordinator.from_settings, settings))

    async def start(self) -> None:
        if self.coordinator is None and self._open_coordinator is not None:
            self.coordinator, _ = await asyncio.gather(asyncio.to_thread(self._open_coordinator), self.tools.start())
        else:
            await self.tools.start()
        self.agent.site_names.update(await fetch_site_names(self.tools))

    async def close(self) -> None:
        await self.tools.close()
        await self.handoff.close()
        if self.coordinator is not None:
            self.coordinator.close()

    async def greet(self, state: CallState) -> AsyncIterator[Action]:
        yield Say(GREETING)

    def keypad_length(self, state: CallState) -> int | None:
        """The digits the slot being asked for takes (a work-order number: five), if fixed."""
        task = state.task
        spec = self.tools.tool(task["server"], task["tool"]) if task and task.get("asking") else None
        if spec is None:
            return None
        asked = next((s for s in slots_of(spec.input_schema) if s.name == task["asking"]), None)  # type: ignore[index]
        return digits_expected(asked.schema) if asked is not None else None

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Action]:
        text = entities.dtmf_digits(turn.text) if turn.kind == "dtmf" else turn.text
        if len(text) > MAX_TURN_CHARS:
            yield Say("Sorry, that was far too long for me to take in.")
            yield Say(self.agent.reprompt(state) if state.task else "Could you say it in a sentence or two?")
            return
        decision = self.coordinator.decide(text, state)
        if decision.action == "handoff" and any(h.startswith(URGENT_HITS) for h in decision.policy_hits):
            async for action in self._record_and_hand_over(decision, state):
                yield action
            return
        if (state.handoff or {}).get("status") == "transfer_failed" and entities.yes_no(text).yes is not None:
            async for action in self._callback_answer(entities.yes_no(text).yes, state):
                yield action
            return
        if self._is_goodbye(decision, text, state):
            self.coordinator.record(decision, state)
            yield _route_event(decision)
            state.task = None
            yield Say("Thank you for calling. Goodbye.")
            yield EndCall("caller said goodbye")
            return
        if state.task and self._continues_task(decision, text, state):
            async for action in self.agent.continue_task(text, state):
                yield action
        else:
            async for action in self._route(decision, text, state):
                yield action
                if isinstance(action, HandoffEvent):
                    return
        if state.tool_failures >= self.coordinator.policy.tool_failure_limit and not state.handoff:
            async for action in self._hand_over(
                state, reason=f"{state.tool_failures} tool attempts failed", trigger="tool_failures",
                priority=(state.routes[-1]["priority"] if state.routes else "normal"),
            ):
                yield action

    def _continues_task(self, decision: Any, text: str, state: CallState) -> bool:
        task = state.task or {}
        fit = self.agent.answers(text, state)
        new_request = decision.action == "route" and decision.intent != task.get("intent")
        switch = new_request and "topic_switch" in decision.policy_hits and decision.confidence >= FREE_SWITCH_CONFIDENCE
        if fit == "value":
            return True
        if fit == "free":
            return not switch
        # Not an answer: a clear new request re-routes; anything else re-asks the question. A bare
        # identifier is a misheard answer, never a new request, however sure the router is.
        if entities.only_codes(text):
            return True
        return not (switch or (new_request and decision.confidence >= SWITCH_CONFIDENCE))

    def _is_goodbye(self, decision: Any, text: str, state: CallState) -> bool:
        said_bye = bool(_GOODBYE.search(text.lower()))
        if decision.intent == "smalltalk.goodbye" and decision.action == "route":
            return said_bye or not state.task
        last = next((t["text"] for t in reversed(state.turns) if t.get("role") == "agent" and t.get("text")), "")
        # "No" to "anything else?" ends the call.
        return not state.task and last.endswith(ANYTHING_ELSE) and entities.yes_no(text).yes is False \
            and len(entities.yes_no(text).rest.split()) <= 3

    async def _route(self, decision: Any, text: str, state: CallState) -> AsyncIterator[Action]:
        if state.task and decision.action == "route":
            topic = str(state.task.get("intent", "request")).split(".")[0].replace("_", " ")
            yield Say(f"Okay, I'll leave the {topic} for now.")
            state.task = None
        if decision.action == "handoff":
            async for action in self._record_and_hand_over(decision, state):
                yield action
            return
        self.coordinator.record(decision, state)
        yield _route_event(decision)
        if decision.action == "clarify":
            yield Say(decision.clarify_question or "Could you tell me a bit more about what you need?")
            return
        async for action in self.agent.start(decision.intent, text, state):
            yield action

    async def _record_and_hand_over(self, decision: Any, state: CallState) -> AsyncIterator[Action]:
        self.coordinator.record(decision, state)
        yield _route_event(decision)
        state.task = None
        trigger = decision.policy_hits[0] if decision.policy_hits else decision.intent
        async for action in self._hand_over(state, reason=decision.reason, trigger=trigger,
                                            priority=decision.priority):
            yield action

    async def _hand_over(self, state: CallState, *, reason: str, trigger: str, priority: str) -> AsyncIterator[Action]:
        state.task = None
        event = await self.handoff.escalate(state, reason=reason, trigger=trigger, priority=priority)
        yield Say(self.handoff.message_for_caller(event))
        yield event

    async def handoff_result(self, ok: bool, reason: str, state: CallState) -> AsyncIterator[Action]:
        await self.handoff.transfer_result(state, ok=ok, reason=reason)
        if ok:
            yield Say("You're being connected now.")
            return
        yield Say(self.handoff.message_after_failed_transfer(state))

    async def _callback_answer(self, accepted: bool, state: CallState) -> AsyncIterator[Action]:
        """The caller's answer to the callback offered after a failed transfer."""
        if accepted:
            await self.handoff.request_callback(state)
            yield Say("Thank you. Someone will call you back as soon as possible. Is there anything else they should know?")
            return
        state.handoff = {**(state.handoff or {}), "status": "callback_declined"}
        yield Say("Okay, no callback. Your case stays open, so you can call back any time and quote the case number.")

    async def end(self, state: CallState) -> None:
        if state.outcome is None:
            if state.handoff:
                state.outcome = "escalated"
            elif any(a.get("ok") for a in state.tool_attempts) or state.entities.get("knowledge_article"):
                state.outcome = "resolved"
            else:
                state.outcome = "abandoned"
        await self.handoff.capture_for_review(state)


def _route_event(decision: Any) -> RouteEvent:
    return RouteEvent(target=decision.target, intent=decision.intent, confidence=decision.confidence,
                      reason=decision.reason, alternatives=list(decision.alternatives), action=decision.action)
