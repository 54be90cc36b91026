"""A scripted model client for scoring LLM mode on the conversation set.

It plays the model's part with the embedded slot logic: it reads the routed request from
the system prompt, replays the caller's words through ``slots`` to fill the routed tool's
arguments (taken from the function tools it is sent), asks the next question or calls the
tool, and reads back tool results. So the LLM-mode figures measure LLM mode's own plumbing
(the tool loop, held writes, the shared dialogue moves, the brain) on the same calls, not a
language model's skill, and run offline.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Mapping

from agent.brain import slots
from agent.brain.domain import INTENT_TOOLS, result_sentence
from agent.brain.llm import ModelReply, ToolCall
from agent.brain.mcp_client import ToolSpec

_INTENT = re.compile(r"understood as: ([\w.]+)\.")
_DECLINED = re.compile(r"The caller did not confirm\. They said: (.*)$", re.S)


class SlotFillingModel:
    def __init__(self, site_names: Mapping[str, int]) -> None:
        self.site_names = site_names  # the agent's own dict, filled when the brain starts
        self.calls = 0

    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        found = _INTENT.search(str(messages[0].get("content", "")))
        _, name = INTENT_TOOLS.get(found.group(1) if found else "", ("", ""))
        schemas = {t["function"]["name"]: t["function"]["parameters"] for t in tools}
        last = messages[-1]
        if last.get("role") == "tool":
            data = json.loads(last["content"])
            error = data.get("error") if isinstance(data, dict) else None
            if error and not _DECLINED.match(str(error)):
                return ModelReply(f"Sorry, that didn't work: {error} Shall I try again, or put you through to a person?")
            if not error:
                spec = ToolSpec("", name, "", schemas.get(name, {}))
                return ModelReply(result_sentence(spec, data, slots.is_write(name)))
        if name not in schemas:
            return ModelReply("I can't do that here. I can put you through to a person if you like.")
        self.calls += 1
        return self._fill(name, schemas[name], _caller_words(messages))

    def _fill(self, name: str, schema: dict[str, Any], said: list[str]) -> ModelReply:
        ctx = slots.Context(now=datetime.now(), site_names=self.site_names)
        write = slots.is_write(name)
        task = slots.new_task(name, "", "", said[0], "k")
        slots.prefill(task, schema, {}, ctx)
        step = slots.step(task, schema, None, ctx, write=write)
        for text in said[1:]:
            step = slots.step(task, schema, text, ctx, write=write)
        if step.action == "ask":
            return ModelReply(step.say)
        args = {k: v for k, v in task["args"].items() if k != "idempotency_key"}
        return ModelReply(None, [ToolCall(f"call-{self.calls}", name, json.dumps(args))])


def _caller_words(messages: list[dict[str, Any]]) -> list[str]:
    """Everything the caller said in this task, including answers to read-backs they declined."""
    said = []
    for message in messages:
        if message.get("role") == "user":
            said.append(str(message["content"]))
        elif message.get("role") == "tool":
            data = json.loads(message["content"])
            declined = _DECLINED.match(str(data.get("error", ""))) if isinstance(data, dict) else None
            if declined:
                said.append(declined.group(1))
    return said or [""]
