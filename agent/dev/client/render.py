"""Protocol events -> readable lines, and a per-turn record of a call (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Turn:
    """One caller turn and everything the agent did about it (``caller`` is empty for the greeting)."""

    caller: str = ""
    kind: str = ""
    agent: list[str] = field(default_factory=list)
    route: dict[str, Any] | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    handoff: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None


@dataclass
class CallLog:
    """Folds the agent's events into turns; ``add`` returns the line to print, if any."""

    turns: list[Turn] = field(default_factory=lambda: [Turn()])
    errors: list[dict[str, Any]] = field(default_factory=list)
    session_id: str = ""
    show_partials: bool = False

    @property
    def current(self) -> Turn:
        return self.turns[-1]

    def add(self, ev: dict[str, Any]) -> str | None:
        kind = ev.get("type")
        if kind == "session.ready":
            self.session_id = str(ev.get("session_id", ""))
            speech = "speech" if ev.get("speech") else "text only"
            audio = ev.get("audio") or {}
            resumed = ", resumed" if ev.get("resumed") else ""
            return f"connected  session {self.session_id} ({speech}, {audio.get('sample_rate', '?')} Hz{resumed})"
        if kind == "transcript":
            return self._transcript(ev)
        if kind == "route":
            self.current.route = ev
            alts = ", ".join(f"{a.get('intent') or a.get('target')} {float(a.get('confidence') or 0):.2f}" for a in ev.get("alternatives") or []
                             if isinstance(a, dict))
            return (f"   route   {ev.get('action')} -> {ev.get('target')} ({ev.get('intent')}) "
                    f"confidence {float(ev.get('confidence') or 0):.2f}" + (f"  [alt: {alts}]" if alts else ""))
        if kind == "tool":
            self.current.tools.append(ev)
            detail = ev.get("result") if ev.get("status") == "ok" else ev.get("error") or ev.get("arguments")
            took = f" {ev['latency_ms']:.0f} ms" if isinstance(ev.get("latency_ms"), (int, float)) else ""
            return f"   tool    {ev.get('name')} {ev.get('status')}{took} {_short(detail)}".rstrip()
        if kind == "handoff":
            self.current.handoff = ev
            return (f"   handoff -> {ev.get('target')} case {ev.get('case_id')} "
                    f"(priority {ev.get('priority')}): {ev.get('reason')}")
        if kind == "turn.metrics":
            self.current.metrics = ev
            return "   latency " + format_metrics(ev)
        if kind == "error":
            self.errors.append(ev)
            return f"   error   {ev.get('code')}: {ev.get('message')}"
        if kind == "audio.clear":
            return "   (agent audio cleared: barge-in)"
        if kind == "session.ended":
            return f"ended      {ev.get('reason', '')}".rstrip()
        return None

    def _transcript(self, ev: dict[str, Any]) -> str | None:
        text = str(ev.get("text", ""))
        replay = " (replayed)" if ev.get("replayed") else ""
        if ev.get("role") == "caller":
            if not ev.get("final"):
                return f"caller ... {text}" if self.show_partials else None
            if self.current != Turn():  # the greeting (or the previous turn) has content: start a new one
                self.turns.append(Turn())
            self.current.caller, self.current.kind = text, str(ev.get("kind") or "speech")
            return f"caller  >  {text}{replay}" + (f"   [{self.current.kind}]" if self.current.kind != "speech" else "")
        self.current.agent.append(text)
        return f"agent   <  {text}{replay}"

    def routes(self) -> list[dict[str, Any]]:
        return [t.route for t in self.turns if t.route]

    def handoffs(self) -> list[dict[str, Any]]:
        return [t.handoff for t in self.turns if t.handoff]


def format_metrics(m: dict[str, Any]) -> str:
    """``first audio 640 ms, total 1.8 s (stt 470, decision 30, first say 120)``."""
    def ms(key: str) -> str | None:
        v = m.get(key)
        return f"{v:.0f}" if isinstance(v, (int, float)) else None

    head = []
    if ms("first_audio_ms"):
        head.append(f"first audio {ms('first_audio_ms')} ms")
    if ms("total_ms"):
        head.append(f"total {ms('total_ms')} ms")
    parts = [f"{label} {ms(key)}" for key, label in
             (("stt_ms", "stt"), ("decision_ms", "decision"), ("first_say_ms", "first say")) if ms(key)]
    return ", ".join(head) + (f" ({', '.join(parts)})" if parts else "") + (" barge-in" if m.get("barge_in") else "")


def _short(value: Any, limit: int = 100) -> str:
    if value in (None, "", {}, []):
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
