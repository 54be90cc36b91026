"""The decision log: one JSON line per recorded decision, caller words redacted.

Appends under a lock so concurrent calls in one process never interleave lines.
The log is an audit trail and the raw material for routing review, so each line
is self-contained: session, turn, redacted utterance, outcome, evidence, latency.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from agent.routing.decision import Decision
from agent.privacy.redact import redact

#: A logged utterance is cut to this many characters (after redaction).
MAX_LOGGED_CHARS = 2000


def log_entry(decision: Decision, session_id: str, turn: int) -> dict[str, Any]:
    """The log line for ``decision`` as a dict (pure)."""
    text = redact(decision.utterance[: MAX_LOGGED_CHARS * 2])
    if len(text) > MAX_LOGGED_CHARS:
        text = text[:MAX_LOGGED_CHARS] + f"... [{len(decision.utterance)} chars]"
    return {
        "ts": time.time(),
        "session": session_id,
        "turn": turn,
        "utterance": text,
        "target": decision.target,
        "intent": decision.intent,
        "confidence": round(decision.confidence, 4),
        "action": decision.action,
        "priority": decision.priority,
        "alternatives": decision.alternatives,
        "policy_hits": decision.policy_hits,
        "retrieval_ids": [p.id for p in decision.passages],
        "latency_ms": round(decision.latency_ms, 3),
    }


class DecisionLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
