"""The coordinator's output for one caller turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.routing.knowledge import Passage


@dataclass(frozen=True)
class Decision:
    target: str  # field_ops | it_ops | human
    #: work_order.create, work_order.status|note|update|list, asset.lookup|list, visit.schedule|reschedule|cancel, incident.create, incident.status,
    #: incident.comment|update, incident.escalate, service_request.create, service_request.cancel, password.reset,
    #: access.request, human.request, safety.emergency, smalltalk.goodbye, knowledge.howto
    intent: str
    confidence: float  # calibrated probability of (target, intent), in [0, 1]
    alternatives: list[dict[str, Any]]  # [{"target", "intent", "confidence"}], the next three
    reason: str  # plain language
    action: str  # route | clarify | handoff
    priority: str  # emergency | high | normal | low
    policy_hits: list[str]
    passages: list[Passage]
    clarify_question: str | None
    latency_ms: float
    #: The caller's words this decision was made on (kept for the decision log, which redacts them).
    utterance: str = field(default="", repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The decision as plain JSON-ready data (without the caller's words)."""
        return {
            "target": self.target,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "alternatives": self.alternatives,
            "reason": self.reason,
            "action": self.action,
            "priority": self.priority,
            "policy_hits": self.policy_hits,
            "passages": [p.to_dict() for p in self.passages],
            "clarify_question": self.clarify_question,
            "latency_ms": round(self.latency_ms, 3),
        }
