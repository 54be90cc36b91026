"""``HandoffService``: what the brain calls to hand a caller to a person.

Order matters and is the point of this module: the case bundle is written durably
*before* ``escalate`` returns the ``HandoffEvent`` that makes the session signal the
transfer, so a person never gets a transfer without the case behind it, even if the
container dies in between.

Brain usage::

    handoff = HandoffService(settings)
    event = await handoff.escalate(state, reason="the caller asked for a person",
                                   trigger="policy:human.request", priority="normal")
    yield Say(handoff.message_for_caller(event)); yield event
    ...  # bridge reports the transfer
    await handoff.transfer_result(state, ok=False, reason="busy")
    yield Say(handoff.message_after_failed_transfer(state))
    await handoff.request_callback(state)          # the caller said yes
    await handoff.decline_callback(state)          # ... or no
    ...  # call ends
    await handoff.capture_for_review(state)
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Callable

from agent.contracts.actions import HandoffEvent
from agent.contracts.speculation import forbid
from agent.brain.entities import spell_case_id
from agent.config import Settings
from agent.handoff.bundle import (
    PRIORITIES,
    CaseError,
    build_case,
    check_priority,
    mask_number,
    new_case_id,
    with_event,
)
from agent.learning.review import needs_review, review_record
from agent.handoff.store import CaseStore, open_case_store
from agent.handoff.summary import brief, spoken_briefing
from agent.handoff.targets import Targets, load_targets
from agent.contracts.state import CallState

_DIGIT_WORDS = dict(zip("0123456789", "zero one two three four five six seven eight nine".split()))
_ID_ATTEMPTS = 8


def spell(symbols: str) -> str:
    """``0123`` -> ``zero one two three``: digits as words, letters one by one."""
    return " ".join(_DIGIT_WORDS.get(ch, ch) for ch in symbols)


class HandoffService:
    def __init__(
        self,
        settings: Settings,
        store: CaseStore | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.targets: Targets = load_targets(settings.handoff_targets_file)
        self.store: CaseStore = store if store is not None else open_case_store(settings)
        self._clock = clock

    async def close(self) -> None:
        await self.store.close()

    # --- hand-over ----------------------------------------------------------------------
    async def escalate(self, state: CallState, *, reason: str, trigger: str, priority: str,
                       target: str | None = None) -> HandoffEvent:
        """Write the case durably, mark the call escalated, and return the event to emit.

        A second escalation in the same call (say after a failed transfer) reuses the
        case: same id, history kept, bundle refreshed with what was said since. ``target``
        overrides the targets file (the next target the caller accepted).
        """
        forbid("a hand-over case")
        check_priority(priority)
        held = state.handoff or {}
        if target is None and held.get("status") == "pending" and held.get("priority") in PRIORITIES \
                and PRIORITIES.index(held["priority"]) < PRIORITIES.index(priority):
            # Asked again while already being put through at a higher priority ("just get someone" after a gas
            # leak): the case keeps that priority, its desk and why.
            priority, target, reason = held["priority"], held.get("target"), held.get("reason") or reason
        route = (state.current or {}).get("target") or "human"
        target = target or self.targets.pick(route, priority)
        now = self._clock()
        previous = await self._current_case(state)
        if previous is not None:
            case = build_case(state, case_id=previous["case_id"], reason=reason, trigger=trigger,
                              priority=priority, target=target, now=now)
            case["brief"] = brief(state, reason)
            case["created_at"] = previous["created_at"]
            case["history"] = [*previous.get("history", []), *case["history"]]
            await self.store.save(case)
        else:
            case = await self._create(state, reason=reason, trigger=trigger, priority=priority, target=target, now=now)
        tried = [*(state.handoff or {}).get("tried", []), target]
        state.handoff = {"case_id": case["case_id"], "target": target, "reason": reason, "priority": priority,
                         "status": "pending", "route": route, "tried": tried}
        state.outcome = "escalated"
        when = datetime.fromtimestamp(now, timezone.utc)
        return HandoffEvent(target=target, case_id=case["case_id"], reason=reason, priority=priority,
                            legs=self.targets.legs(target, when),
                            briefing=spoken_briefing(state, case_id=case["case_id"], priority=priority, reason=reason))

    def next_target(self, state: CallState) -> str | None:
        """After a failed transfer: the next target to offer the caller (None: only a callback is left)."""
        h = state.handoff or {}
        return self.targets.next_after(h.get("route"), h.get("priority", "normal"), list(h.get("tried", [])))

    async def _create(self, state: CallState, **fields: Any) -> dict[str, Any]:
        for _ in range(_ID_ATTEMPTS):
            case = build_case(state, case_id=new_case_id(), **fields)
            case["brief"] = brief(state, fields["reason"])
            if await self.store.create(case):
                return case
        raise CaseError(f"could not find a free case id in {_ID_ATTEMPTS} attempts")

    async def _current_case(self, state: CallState) -> dict[str, Any] | None:
        case_id = (state.handoff or {}).get("case_id")
        return await self.store.get(case_id) if case_id else None

    async def _require_case(self, state: CallState) -> dict[str, Any]:
        case = await self._current_case(state)
        if case is None:
            raise CaseError(f"no hand-over case for session {state.session_id!r}: call escalate() first")
        return case

    async def transfer_result(self, state: CallState, *, ok: bool, reason: str) -> None:
        """Record what the bridge reported: ``transferred``, or ``transfer_failed`` with a callback offered."""
        forbid("a hand-over case")
        case = await self._require_case(state)
        now = self._clock()
        if ok:
            case = with_event(case, event="transferred", now=now, status="transferred", reason=reason)
        else:
            case = with_event(case, event="transfer_failed", now=now, status="transfer_failed", reason=reason,
                              callback_offered=True)
        await self.store.save(case)
        state.handoff = {**(state.handoff or {}), "status": case["status"]}
        if not ok:
            state.handoff["callback_offered"] = True
            state.handoff["next"] = self.next_target(state)

    async def request_callback(self, state: CallState, *, note: str = "caller accepted a callback") -> None:
        """The caller accepted the callback offered after a failed transfer."""
        forbid("a hand-over case")
        case = await self._require_case(state)
        case = with_event(case, event="callback_requested", now=self._clock(), status="callback_requested",
                          reason=note, callback_number=mask_number(state.caller_number))
        await self.store.save(case)
        state.handoff = {**(state.handoff or {}), "status": "callback_requested"}

    async def decline_callback(self, state: CallState) -> None:
        """The caller said no to the callback: the case stays open as ``transfer_failed``."""
        forbid("a hand-over case")
        case = await self._require_case(state)
        await self.store.save(with_event(case, event="callback_declined", now=self._clock()))
        state.handoff = {**(state.handoff or {}), "status": "callback_declined"}

    # --- what the caller hears --------------------------------------------------------------
    def message_for_caller(self, event: HandoffEvent) -> str:
        """Said just before the transfer is signalled; the case id is read in groups of three."""
        name = self.targets.name_for(event.target)
        spelled = spell_case_id(event.case_id)
        if event.priority == "emergency":
            return f"I'm connecting you to {name} now. Your case number is {spelled}."
        if event.target.startswith("queue:"):
            lead = f"I'm passing you to {name} now; you may wait briefly for the next person."
        else:
            lead = f"I'm connecting you to {name} now."
        # Read once, grouped for writing down; "say that again" reads it again (agent.brain.moves).
        return f"{lead} They'll see what you told me. Your case number is {spelled}."

    def message_after_failed_transfer(self, state: CallState) -> str:
        """Said when the bridge reports the transfer failed: apology, case id, callback offer."""
        case_id = (state.handoff or {}).get("case_id")
        masked = mask_number(state.caller_number)
        number = f" on the number ending {spell(masked.lstrip('*'))}" if masked else ""
        case = f" Your case number is {spell_case_id(case_id)}, and everything you told me is saved." if case_id else ""
        nxt = (state.handoff or {}).get("next")
        if nxt:
            who = self.targets.name_for((state.handoff or {}).get("target", ""))
            return (f"I'm sorry, {who} didn't pick up.{case} Shall I try {self.targets.name_for(nxt)} now? "
                    f"If not, we can call you back{number}.")
        return (f"I'm sorry, I couldn't get you through to someone just now.{case} "
                f"Would you like us to call you back{number}?")

    # --- learning loop ------------------------------------------------------------------
    async def capture_for_review(self, state: CallState) -> None:
        """At call end: keep a redacted record of calls that were not resolved."""
        forbid("a hand-over case")
        if needs_review(state):
            await self.store.capture(review_record(state, self._clock()))
