"""What flows between the voice pipeline and the brain (coordinator + domain agents).

``CallerInput`` goes in; a stream of ``Action`` comes out. The session turns each
action into wire events (see ``agent.wire.protocol``) and, for ``Say``, into speech.
These types carry no I/O and are the contract between packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

InputKind = Literal["speech", "text", "dtmf"]


@dataclass(frozen=True)
class CallerInput:
    """One complete caller turn."""

    text: str
    kind: InputKind = "text"
    turn: int = 0
    #: Language the recogniser heard (ISO 639-1); None when it cannot tell (typed, keyed, English-only model).
    language: str | None = None


@dataclass(frozen=True)
class Say:
    """A sentence (or clause) for the caller. Streamed: TTS starts on the first one."""

    text: str
    #: A holding phrase ("one moment...") is spoken but is not part of the answer.
    filler: bool = False
    #: Language of ``text`` (ISO 639-1): the synthesiser pronounces it as that language.
    language: str = "en"


@dataclass(frozen=True)
class RouteEvent:
    target: str  # field_ops | it_ops | human
    intent: str
    confidence: float
    reason: str
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    action: str = "route"  # route | clarify | handoff


@dataclass(frozen=True)
class ToolEvent:
    name: str
    status: Literal["started", "ok", "error"]
    arguments: dict[str, Any] | None = None
    result: Any = None
    error: str | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class HandoffEvent:
    target: str
    case_id: str
    reason: str
    priority: str = "normal"  # emergency | high | normal | low
    #: What the bridge dials, in order: [{"target", "name", "mode", "ring_s"}] (a queue's members, or the target).
    legs: list[dict[str, Any]] = field(default_factory=list)
    #: Spoken to the person before the caller is connected (agent/handoff/summary.py).
    briefing: str = ""


@dataclass(frozen=True)
class EndCall:
    reason: str = "completed"


Action = Union[Say, RouteEvent, ToolEvent, HandoffEvent, EndCall]
