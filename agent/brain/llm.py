"""LLM mode: a chat-completions model drives the domain agent, with the MCP tools as functions.

Used when an Azure OpenAI deployment is configured. The confirmation policy is the same
as in embedded mode: a tool that changes something runs only after the caller said yes
to a read-back of its arguments; the model's request waits in ``CallState.task``.
The model sits behind ``ModelClient`` so the tool loop is tested with a scripted client.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterator, Mapping, Protocol

from agent.observability import telemetry
from agent.contracts.actions import Action, Say
from agent.brain import entities, slots
from agent.brain.domain import INTENT_TOOLS, asked_for_the_ear, idempotency_key, spoken
from agent.brain.mcp_client import ToolManager, ToolSpec
from agent.brain.toolrun import ToolOutcome, recent_duplicate, run_tool, ticket_of
from agent.config import Settings
from agent.contracts.state import CallState

#: Model calls per caller turn; a model that keeps calling tools is stopped here.
MAX_STEPS = 5

SYSTEM_PROMPT = (
    "You are the {domain} voice agent of an operations help line, speaking on the phone. "
    "Answer in one or two short spoken sentences, no lists or markdown. Use the tools to act; "
    "ask for any required detail you do not have, one question at a time. The system reads every "
    "change back to the caller for confirmation before it runs, so call the tool as soon as you "
    "have the details. Read ticket numbers as they are. The caller's request was understood as: {intent}."
    "\n\nKnowledge that may help:\n{knowledge}"
)
DOMAIN_NAMES = {"field_ops": "field operations", "it_ops": "IT operations"}


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text as the model produced it (may be malformed)


@dataclass(frozen=True)
class ModelReply:
    text: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tokens: int = 0


class ModelClient(Protocol):
    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        """One chat-completions call."""


class AzureModelClient:
    """Azure OpenAI chat completions with an Entra ID token (no API key in the container)."""

    def __init__(self, client: Any, deployment: str) -> None:
        self.client = client
        self.deployment = deployment

    @classmethod
    def from_settings(cls, settings: Settings) -> "AzureModelClient":
        from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider
        from openai import AsyncAzureOpenAI

        assert settings.azure_openai_endpoint and settings.azure_openai_deployment
        provider = get_bearer_token_provider(DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default")
        client = AsyncAzureOpenAI(azure_endpoint=settings.azure_openai_endpoint,
                                  api_version=settings.azure_openai_api_version,
                                  azure_ad_token_provider=provider)
        return cls(client, settings.azure_openai_deployment)

    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        kwargs: dict[str, Any] = {"model": self.deployment, "messages": messages}
        if tools:
            kwargs["tools"] = tools
        with telemetry.chat("azure.ai.openai", self.deployment) as span:
            response = await self.client.chat.completions.create(**kwargs)
            telemetry.chat_usage(span, self.deployment, response.usage)
        message = response.choices[0].message
        calls = [ToolCall(c.id, c.function.name, c.function.arguments or "{}") for c in (message.tool_calls or [])]
        tokens = response.usage.total_tokens if response.usage else 0
        return ModelReply(message.content, calls, tokens)


def function_tools(specs: Mapping[str, ToolSpec]) -> list[dict[str, Any]]:
    """The MCP tools as chat-completions function tools (idempotency keys are ours, not the model's)."""
    out = []
    for spec in specs.values():
        schema = json.loads(json.dumps(spec.input_schema))
        schema.get("properties", {}).pop("idempotency_key", None)
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r != "idempotency_key"]
        out.append({"type": "function",
                    "function": {"name": spec.name, "description": spec.description[:1000], "parameters": schema}})
    return out


class LlmAgent:
    """Same interface as ``DomainAgent``; the conversation so far lives in ``state.task["messages"]``."""

    def __init__(self, tools: ToolManager, model: ModelClient, *, holding_phrase_ms: int = 700,
                 failure_limit: int = 2, site_names: Mapping[str, int] | None = None,
                 duplicate_window_s: float = 600.0) -> None:
        self.tools = tools
        self.duplicate_window_s = duplicate_window_s
        self.site_names = dict(site_names or {})  # filled from the server at start-up
        self.model = model
        self.holding_s = holding_phrase_ms / 1000.0
        self.failure_limit = failure_limit

    def answers(self, text: str, state: CallState) -> str | None:
        task = state.task or {}
        if task.get("mode") != "llm":
            return None
        if task.get("pending") and entities.yes_no(text).yes is not None:
            return "value"
        # An asset tag, site, ticket or user id that one of this server's tools takes is an answer.
        ctx = slots.Context(now=datetime.now(), site_names=self.site_names)
        for spec in self.tools.tools(task["server"]).values():
            if slots.mentioned(slots.slots_of(spec.input_schema), text, ctx):
                return "value"
        return "free"  # the model decides what the words mean; a clear topic switch still re-routes

    @staticmethod
    def reason_given(text: str, state: CallState) -> str:
        """The model reads a reason given at its own read-back."""
        return ""

    @staticmethod
    def acts_on_other_record(intent: str, text: str, state: CallState) -> bool:
        """The model reads an id given for another record in its own conversation; the brain does not re-route it."""
        return False

    def reprompt(self, state: CallState) -> str:
        pending = (state.task or {}).get("pending")
        if pending:
            return self._confirmation(pending, state.task["server"])
        return "Could you say that again, in a sentence or two?"

    async def alternative(self, state: CallState) -> AsyncIterator[Action]:
        """The model finds no other way than its own questions: the brain offers a person."""
        return
        yield

    async def start(self, intent: str, text: str, state: CallState, *,
                    hints: Mapping[str, Any] | None = None) -> AsyncIterator[Action]:
        routed = (state.current or {}).get("target")
        target = routed if routed in DOMAIN_NAMES else INTENT_TOOLS.get(intent, ("field_ops", ""))[0]
        knowledge = "\n".join(f"- {p.get('title', '')}: {str(p.get('text', ''))[:500]}" for p in state.passages) or "(none)"
        system = SYSTEM_PROMPT.format(domain=DOMAIN_NAMES.get(target, target), intent=intent, knowledge=knowledge)
        if hints:  # what the call already says (the caller's site), for a look-up by description
            system += "\nKnown from earlier in the call: " + ", ".join(f"{k} {v}" for k, v in hints.items())
        state.task = {
            "mode": "llm", "server": target, "intent": intent, "pending": None,
            "key": idempotency_key(state, intent),
            "messages": [{"role": "system", "content": system}],
        }
        async for action in self.continue_task(text, state):
            yield action

    async def continue_task(self, text: str, state: CallState) -> AsyncIterator[Action]:
        task = state.task
        assert task is not None
        pending = task.get("pending")
        if pending:
            task["pending"] = None
            answer = self._read_back_answer(pending, task["server"], text)
            if answer is not None and answer.step.action == "confirm":
                # A correction of the read-back ("urgent, not high") is applied here, as in embedded
                # mode, and said back; the model is not asked to re-read what the caller just fixed.
                task["pending"] = {**pending, "arguments": answer.arguments}
                yield Say(answer.step.say)
                return
            if answer is not None and answer.step.action == "execute":  # "yes", "yes, that's right"
                async for action in self._run(pending, state):
                    yield action
            elif pending.get("duplicate_of"):
                task["messages"].append(_tool_message(pending["id"], {
                    "error": f"Not done: this call already logged {pending['duplicate_of']} for the same request, "
                             f"and the caller does not want another. They said: {_quoted(text)}"}))
            else:
                # Declined or changed: the model hears why and asks again.
                task["messages"].append(_tool_message(pending["id"], {"error": f"The caller did not confirm. They said: {_quoted(text)}"}))
        else:
            task["messages"].append({"role": "user", "content": text})
        if state.tool_failures >= self.failure_limit:
            return
        async for action in self._loop(state):
            yield action

    async def _loop(self, state: CallState) -> AsyncIterator[Action]:
        task = state.task
        assert task is not None
        specs = self.tools.tools(task["server"])
        for _ in range(MAX_STEPS):
            reply = await self.model.complete(task["messages"], function_tools(specs))
            state.count("llm_tokens", reply.tokens)
            if not reply.tool_calls:
                task["messages"].append({"role": "assistant", "content": reply.text or ""})
                # A model may say more than the ear takes at once: its question is kept, the lead-in cut.
                yield Say(asked_for_the_ear(spoken(reply.text or "Sorry, could you say that again?")))
                return
            task["messages"].append({"role": "assistant", "content": reply.text, "tool_calls": [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in reply.tool_calls]})
            for number, call in enumerate(reply.tool_calls):
                spec = specs.get(call.name)
                args = _arguments(call.arguments)
                if spec is None or args is None:
                    problem = f"unknown tool {call.name}" if spec is None else "arguments are not a JSON object"
                    task["messages"].append(_tool_message(call.id, {"error": problem}))
                    continue
                pending = {"id": call.id, "name": call.name, "arguments": args}
                if slots.is_write(spec.name, spec.annotations):
                    # Calls after this one are answered as skipped, so the transcript stays valid.
                    for later in reply.tool_calls[number + 1:]:
                        task["messages"].append(_tool_message(later.id, {"error": "skipped: waiting for the caller"}))
                    task["pending"] = pending
                    earlier = recent_duplicate(state, spec, args, window_s=self.duplicate_window_s,
                                               now=time.time())
                    ticket = ticket_of(earlier.get("result")) if earlier else None
                    if ticket:
                        # The same request done earlier in this call (a caller repeating it after a drop).
                        pending["duplicate_of"] = ticket
                        yield Say(f"That's already logged as {entities.spell_out(ticket)}. Do you want another one?")
                    else:
                        yield Say(self._confirmation(pending, task["server"]))
                    return
                async for action in self._run(pending, state, speak=False):
                    yield action
                if state.tool_failures >= self.failure_limit:
                    return
        yield Say("Sorry, I'm having trouble with that. I can put you through to a person if you like.")

    async def _run(self, pending: Mapping[str, Any], state: CallState, *, speak: bool = True) -> AsyncIterator[Action]:
        task = state.task
        assert task is not None
        spec = self.tools.tool(task["server"], pending["name"])
        assert spec is not None
        # Same task, tool and arguments -> same key: a retry in a later turn cannot duplicate.
        digest = hashlib.sha256(json.dumps([task["key"], pending["name"], pending["arguments"]], sort_keys=True,
                                           default=str).encode()).hexdigest()[:32]
        key = f"sb-{digest}" if "idempotency_key" in spec.input_schema.get("properties", {}) else None
        outcome = ToolOutcome()
        async for action in run_tool(self.tools, spec, dict(pending["arguments"]), state, outcome, key=key,
                                     holding_s=self.holding_s, write=slots.is_write(spec.name, spec.annotations)):
            yield action
        if outcome.ok:
            task["messages"].append(_tool_message(pending["id"], outcome.data))
        else:
            assert outcome.error is not None
            task["messages"].append(_tool_message(pending["id"], {"error": outcome.error.message,
                                                                  "kind": outcome.error.kind}))
            if state.tool_failures >= self.failure_limit:
                yield Say("Sorry, that system still isn't working.")

    def _read_back_answer(self, pending: Mapping[str, Any], server: str, text: str) -> "_Answer | None":
        """The caller's answer to the read-back of a held call, through the same slot logic as embedded
        mode: a yes (with or without more words) executes, new values (negated ones dropped) are a
        correction said back; None for anything else, which goes to the model."""
        spec = self.tools.tool(server, pending["name"])
        if spec is None:
            return None
        task = {"tool": pending["name"], "args": dict(pending["arguments"]), "asking": None, "confirming": True,
                "read_back": True}
        ctx = slots.Context(now=datetime.now(), site_names=self.site_names)
        step = slots.step(task, spec.input_schema, text, ctx, write=True)
        if step.action == "execute" or (step.action == "confirm" and step.heard):
            return _Answer(step, task["args"])
        return None

    def _confirmation(self, pending: Mapping[str, Any], server: str) -> str:
        spec = self.tools.tool(server, pending["name"])
        fields = slots.slots_of(spec.input_schema) if spec else []
        return slots.confirmation(pending["name"], fields, pending["arguments"])


@dataclass(frozen=True)
class _Answer:
    step: slots.Step
    arguments: dict[str, Any]


def _arguments(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _tool_message(call_id: str, content: Any) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": json.dumps(content, default=str)[:8000]}


def _quoted(said: str) -> str:
    """The caller's words as a quoted sentence: a transcript without marks would run on into whatever the model
    says after it, and its reply's sentences could not be cut for the ear."""
    return f'"{said.strip().rstrip(".!?")}".'
