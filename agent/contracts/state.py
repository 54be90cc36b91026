"""The durable state of one call.

Everything a call needs to continue on another container after a drop lives here
and is JSON-serialisable, because the session store persists it after every turn
(SQLite locally, Redis when shared). Keep it plain data: no sockets, no clients.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class CallState:
    session_id: str
    channel: str = "test"  # phone | web | test
    call_id: str | None = None
    caller_number: str | None = None
    started_at: float = field(default_factory=time.time)
    ended_at: float | None = None

    #: Conversation so far: {"role": "caller"|"agent", "text", "ts", "turn", "kind"?, "interrupted"?}
    turns: list[dict[str, Any]] = field(default_factory=list)
    turn_count: int = 0

    #: Every routing decision: {"turn", "target", "intent", "confidence", "alternatives", "reason", "policy_hits"}
    routes: list[dict[str, Any]] = field(default_factory=list)
    #: The domain currently handling the call: {"target", "intent"} or None.
    current: dict[str, Any] | None = None
    #: Passages retrieved for the current decision: [{"id", "title", "text", "score"}].
    passages: list[dict[str, Any]] = field(default_factory=list)

    #: Slot-filling progress of the active task: {"tool", "args", "asked", "confirming"}.
    task: dict[str, Any] | None = None
    #: Entities heard so far in the call (asset, site, ticket numbers, ...).
    entities: dict[str, Any] = field(default_factory=dict)
    #: Dialogue moves' memory: {"offer": "person"|None, "question": last question asked (normalised),
    #: "strikes": times in a row it was asked}.
    dialogue: dict[str, Any] = field(default_factory=dict)
    low_confidence_turns: int = 0
    tool_failures: int = 0
    #: Every tool call: {"tool", "server", "arguments", "ok", "result"|"error", "latency_ms", "ts"}.
    tool_attempts: list[dict[str, Any]] = field(default_factory=list)

    #: Pending or completed hand-over: {"case_id", "target", "reason", "priority", "status"}.
    handoff: dict[str, Any] | None = None
    #: The call's recording as the bridge reported it: {"state": recording|declined|off, "id"?}; None: not recorded.
    recording: dict[str, Any] | None = None
    #: The caller's language when it is not English (ISO 639-1, from the recogniser); None: English.
    language: str | None = None
    #: resolved | escalated | abandoned | None (still going)
    outcome: str | None = None

    #: Usage for FinOps: audio seconds in/out, stt/tts seconds, llm tokens.
    usage: dict[str, float] = field(default_factory=dict)

    def add_turn(self, role: str, text: str, **extra: Any) -> dict[str, Any]:
        entry = {"role": role, "text": text, "ts": time.time(), "turn": self.turn_count, **extra}
        self.turns.append(entry)
        return entry

    def count(self, key: str, amount: float) -> None:
        self.usage[key] = self.usage.get(key, 0.0) + amount

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CallState":
        known = {f.name for f in fields(cls)}
        # Unknown keys come from a newer container during a rolling upgrade: drop them.
        return cls(**{k: v for k, v in data.items() if k in known})
