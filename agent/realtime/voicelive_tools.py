"""What Voice Live's function calls look like to the speech layer, and nothing more.

A speech-to-speech engine runs the dialogue, but the decisions stay switchboard's: the
engine offers the model the functions ``DialogFunctions`` defines and runs each call
through it. The brain side implements it (``agent/brain/dialog_tools.py``: coordinator,
MCP tools, hand-over) and the app wiring hands it to the conversation, which passes it
to the engine; the speech layer never imports the brain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, AsyncIterator, Protocol

from agent.contracts.actions import Action
from agent.contracts.state import CallState


@dataclass(frozen=True)
class FunctionResult:
    """What the model is told after a function call."""

    output: dict[str, Any]

    def json(self) -> str:
        return json.dumps(self.output, ensure_ascii=False, default=str)


class DialogFunctions(Protocol):
    #: The model's instructions, which name the functions.
    instructions: str

    def definitions(self) -> list[dict[str, Any]]:
        """``{"name", "description", "parameters"}`` for every function (JSON schema parameters)."""

    def run(self, name: str, arguments: str, state: CallState) -> AsyncIterator[Action | FunctionResult]:
        """Run function ``name`` with the model's JSON ``arguments``: actions as they happen, then one result."""
