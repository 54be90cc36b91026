"""The coordinator: retrieve, classify, apply the policy, and record the decision.

``decide`` is a pure function of the utterance, the call state and the clock (it
reads the index but changes nothing); ``record`` commits a decision to the call
state and the decision log. Keeping them apart lets the brain decide, act, and
only then record, and lets the evaluation run ``decide`` alone. Async callers (the brain, the
Voice Live tools) use ``decide_async``: an index that waits on the network (Azure AI Search)
is queried from a worker thread, so one caller's search never stalls the event loop that
carries every session's audio.

Order of the rules, first match wins: safety words used on their own -> a safety
word inside a name ("fire door") that the classifier still judges a safety call
-> explicit request for a person -> too many failed tools -> low confidence
(clarify once, then a person) -> classifier says emergency -> route (noting a
topic switch).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Any

from agent.config import Settings
from agent.routing.decision import Decision
from agent.routing.decision_log import DecisionLog, log_entry
from agent.routing.index import KnowledgeIndex
from agent.routing.indexes import open_index
from agent.routing.knowledge import DOMAINS, Passage
from agent.routing.policy import Policy, load_policy, spoken_forms
from agent.routing.router import Calibration, Router, Scored, without
from agent.contracts.speculation import defer
from agent.contracts.state import CallState

PASSAGES_KEPT = 3


class Coordinator:
    def __init__(self, index: KnowledgeIndex, policy: Policy, log: DecisionLog | None) -> None:
        self.index = index
        self.policy = policy
        self.log = log
        self.router = Router(index, Calibration.from_dict(index.get_meta("calibration")))

    @classmethod
    def from_settings(cls, settings: Settings) -> "Coordinator":
        """Open (or build on first use) the configured index and load the policy file."""
        policy = load_policy(settings.policy_file)
        index = open_index(settings)
        return cls(index, policy, DecisionLog(settings.data_dir / "decisions.jsonl"))

    # --- deciding ---------------------------------------------------------------------
    def decide(self, utterance: str, state: CallState, *, now: datetime | None = None) -> Decision:
        """Where this turn should go. Reads ``state``; does not change it."""
        started = time.perf_counter()
        now = now or datetime.now(timezone.utc)
        forms = spoken_forms(utterance)
        fields = self._decide(forms, state, now)
        return Decision(**fields, latency_ms=(time.perf_counter() - started) * 1000.0, utterance=utterance)

    async def decide_async(self, utterance: str, state: CallState, *, now: datetime | None = None) -> Decision:
        """``decide`` for the event loop: off the loop when the index blocks (network I/O on Azure AI
        Search, a sentence-embedding model run on the embedded index); inline for one that does not."""
        if getattr(self.index, "blocking_io", False):
            return await asyncio.to_thread(self.decide, utterance, state, now=now)
        return self.decide(utterance, state, now=now)

    def _decide(self, forms: tuple[str, str], state: CallState, now: datetime) -> dict[str, Any]:
        p = self.policy
        current = state.current or {}
        word, in_name, named = p.safety_words(forms)
        if word:
            return self._emergency(1.0, [], [f"safety:{word}"],
                                   f'The caller mentioned "{word}": safety calls go straight to a person, day or night.', forms[1])
        normalised = forms[1]
        if not normalised:
            return self._unclear(state, current, "Nothing recognisable was said.", p.empty_question, [], [])

        # Words on both sides of a switch cue ("..., and also ...", "and my ..."). Mid-call the words
        # after the cue are the new request (those before it usually answer or close the current
        # one), unless they are no recognisable request on their own ("... and my id is E10482").
        # When no request is under way yet and both sides are clear, different requests, they are
        # handled in the order said: the first is routed, and the dialogue offers the second next.
        query, scored, cue, first_of_two = normalised, [], False, False
        parts = p.split_at_switch(normalised)
        if parts:
            head, tail = parts
            after = self.router.classify(tail)
            if after and after[0].confidence >= p.low_confidence_threshold:
                before = self.router.classify(head) if head and not current else []
                if _clear_request(before, p.low_confidence_threshold) and before[0].label != after[0].label:
                    query, scored, first_of_two = head, before, True
                else:
                    query, scored, cue = tail, after, True
        if not scored:
            scored = self.router.classify(normalised)
        if in_name:
            # "fire door", "won't fire": a safety word that may name a thing or an action. The
            # classifier judges the turn; when the word only names a thing, what is said about the
            # thing decides, without the name's safety word (which would otherwise pull every such
            # turn towards the safety examples). The policy sets how sure it must be.
            rest = p.without_safety_words(query) if named else query
            judged = self.router.classify(rest) if rest else []
            safety = next((s.confidence for s in judged if s.intent == "safety.emergency"), 0.0)
            # A caller who denies a hazard ("nothing's on fire") has said it is not one: the rest
            # of the turn must sound more surely like a safety call to outweigh that.
            needed = p.safety_denied_confidence if p.safety_denied(forms) else p.safety_in_name_confidence
            if safety >= needed:
                return self._emergency(safety, [x.to_dict() for x in scored if x.intent != "safety.emergency"][:3],
                                       [f"safety:{in_name}", "safety:context"],
                                       f'"{in_name}" with words that sound like a safety call ({safety:.0%}): straight to a person.',
                                       normalised)
        if in_name or p.safety_exempted(forms) or p.danger_denied(forms):
            # A routine phrase the operations team listed ("smoke detector"), a name the classifier
            # judged routine, or danger the caller denies with no safety phrase said ("no leak, no
            # smell, nothing dangerous"): it must not turn back into an emergency below, and the
            # other labels' probabilities are now conditional on "not a safety call".
            scored = without(scored, lambda intent: intent == "safety.emergency")
        top = scored[0]
        alternatives = [s.to_dict() for s in scored[1:4]]
        target = top.target
        if top.intent.startswith("smalltalk."):
            # Saying goodbye or chatting off topic is not a new destination: it stays with whoever has the call.
            target = current.get("target", "human")
        passages = self.passages(query, target)
        priority = p.priority_for(top.intent, forms)

        phrase = p.person_asked(forms)
        if phrase or (top.intent == "human.request" and top.confidence >= p.low_confidence_threshold):
            why = f'The caller asked for a person ("{phrase}").' if phrase else "The caller asked for a person."
            return self._to_person("human.request", 1.0 if phrase else top.confidence, alternatives, priority,
                                   ["person_request" if phrase else "person_request:classifier"], why, passages, now)
        if state.tool_failures >= p.tool_failure_limit:
            return self._to_person(top.intent, top.confidence, alternatives, priority, ["tool_failures"],
                                   f"{state.tool_failures} tool attempts failed in this call (limit {p.tool_failure_limit}).",
                                   passages, now)
        if top.confidence < p.low_confidence_threshold:
            # The either/or names two different requests: a how-to of either desk is one request.
            second = next((s for s in scored[1:] if s.intent != top.intent), top)
            question = p.either_or(top.intent, second.intent)
            why = f"Unsure between {p.name_of(top.intent)} and {p.name_of(second.intent)} ({top.confidence:.0%})."
            return self._unclear(state, {"target": target, "intent": top.intent}, why, question, alternatives,
                                 passages, confidence=top.confidence, priority=priority)
        if top.intent == "safety.emergency":
            return _fields("human", top.intent, top.confidence, alternatives, "handoff", p.safety_priority,
                           ["safety:classifier", f"queue:{p.hours.on_call_queue}"],
                           "This sounds like a safety emergency: straight to a person.", passages)

        hits = ["first_of_two"] if first_of_two else []
        reason = f"Sounds like {p.name_of(top.intent)} ({top.confidence:.0%} sure)."
        if first_of_two:
            reason += " The first of two requests in this turn."
        if _switched(current, top, cue=cue, sure=top.confidence >= p.topic_switch_confidence):
            hits.append("topic_switch")
            reason += f" Topic switch from {current.get('target')}/{current.get('intent')}."
        return _fields(target, top.intent, top.confidence, alternatives, "route", priority, hits, reason, passages)

    def _emergency(self, confidence: float, alternatives: list[dict[str, Any]], hits: list[str], reason: str,
                   query: str) -> dict[str, Any]:
        return _fields("human", "safety.emergency", confidence, alternatives, "handoff", self.policy.safety_priority,
                       hits + [f"queue:{self.policy.hours.on_call_queue}"], reason,
                       self.index.search(query, k=PASSAGES_KEPT) if query else [])

    def passages(self, query: str, target: str) -> list[Passage]:
        """What the index holds nearest ``query``, of ``target``'s desk when it holds any."""
        found = self.index.search(query, k=PASSAGES_KEPT * 2)
        if target in DOMAINS:
            found = [x for x in found if x.domain == target] or found
        return found[:PASSAGES_KEPT]

    def _to_person(self, intent: str, confidence: float, alternatives: list[dict[str, Any]], priority: str,
                   hits: list[str], reason: str, passages: list[Passage], now: datetime) -> dict[str, Any]:
        if not self.policy.hours.is_open(now):
            hits = hits + ["after_hours", f"queue:{self.policy.hours.after_hours_queue}"]
            reason += f" Outside business hours: a callback is booked in the {self.policy.hours.after_hours_queue} queue."
        return _fields("human", intent, confidence, alternatives, "handoff", priority, hits, reason, passages)

    def _unclear(self, state: CallState, guess: dict[str, Any], reason: str, question: str,
                 alternatives: list[dict[str, Any]], passages: list[Passage], *, confidence: float = 0.0,
                 priority: str | None = None) -> dict[str, Any]:
        p = self.policy
        target = guess.get("target", "human")
        intent = guess.get("intent", "human.request")
        priority = priority or p.default_priority
        if state.low_confidence_turns >= p.max_clarifications:
            return _fields("human", intent, confidence, alternatives, "handoff", priority, ["low_confidence_repeat"],
                           reason + " Still unclear after a clarifying question: a person takes over.", passages)
        return _fields(target, intent, confidence, alternatives, "clarify", priority, ["low_confidence"],
                       reason, passages, clarify_question=question)

    # --- recording ----------------------------------------------------------------------
    def record(self, decision: Decision, state: CallState) -> None:
        """Commit ``decision`` to the call state and the decision log."""
        state.routes.append({
            "turn": state.turn_count,
            "target": decision.target,
            "intent": decision.intent,
            "confidence": round(decision.confidence, 4),
            "alternatives": decision.alternatives,
            "reason": decision.reason,
            "policy_hits": decision.policy_hits,
            "action": decision.action,
            "priority": decision.priority,
        })
        if decision.action == "clarify":
            state.low_confidence_turns += 1
        elif decision.action == "route":
            state.low_confidence_turns = 0
            if not decision.intent.startswith("smalltalk."):
                state.current = {"target": decision.target, "intent": decision.intent}
        state.passages = [x.to_dict() for x in decision.passages]
        if self.log is not None:
            # A speculative reply (agent/call/speculation.py) is logged only once it is adopted.
            write, entry = self.log.write, log_entry(decision, state.session_id, state.turn_count)
            defer(lambda: write(entry))

    def close(self) -> None:
        self.index.close()


def _clear_request(scored: list[Scored], threshold: float) -> bool:
    """A confident label for something the line does (a goodbye or chat before a cue is not a request)."""
    return bool(scored) and scored[0].confidence >= threshold and not scored[0].intent.startswith("smalltalk.")


def _switched(current: dict[str, Any], top: Scored, *, cue: bool, sure: bool) -> bool:
    """A topic switch needs evidence: a switch cue before a different request, or a confident
    decision for another domain. A short answer mid-task ("P dash forty five twelve, urgent")
    that the classifier half-guesses as another domain is not one."""
    if not current or top.intent.startswith("smalltalk."):
        return False
    if cue:
        return (current.get("target"), current.get("intent")) != (top.target, top.intent)
    return sure and current.get("target") != top.target


def _fields(target: str, intent: str, confidence: float, alternatives: list[dict[str, Any]], action: str,
            priority: str, hits: list[str], reason: str, passages: list[Passage],
            clarify_question: str | None = None) -> dict[str, Any]:
    return {
        "target": target, "intent": intent, "confidence": float(min(max(confidence, 0.0), 1.0)),
        "alternatives": alternatives, "reason": reason, "action": action, "priority": priority,
        "policy_hits": hits, "passages": passages, "clarify_question": clarify_question,
    }
