"""Consultative (warm) transfer as a pure state machine: events in, call-control commands out.

The caller is put on hold, each leg (one target, or the members of a queue in order) is
invited in turn; the first to answer hears a spoken briefing, then the caller is taken off
hold and the agent leg leaves. When every leg fails (no answer, declined, refused) the
caller is taken off hold and the agent reports the failure, so it can say so and offer the
next target or a callback. A ``blind`` leg is handed the call with a plain transfer.

No I/O here: ``bridge.transfer_run.TransferRun`` executes the commands against ACS and
feeds back the Call Automation events. Operation contexts carry ``<case>/<attempt>#<leg>``
so an event for an earlier leg (a late answer after its ring timer gave up), or for an
earlier attempt on the same case, is told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

MODES = ("consult", "blind")


@dataclass(frozen=True)
class Leg:
    target: str
    name: str = ""
    mode: str = "consult"  # consult | blind
    ring_s: float = 30.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"transfer mode must be one of {', '.join(MODES)}; got {self.mode!r}")
        if not 5 <= self.ring_s <= 180:  # ACS caps the invitation timeout at 180 s
            raise ValueError(f"ring time must be 5-180 s; got {self.ring_s!r}")


# --- commands (what to ask ACS for) -----------------------------------------------------
@dataclass(frozen=True)
class Hold:
    """Put the caller on hold with the hold prompt or music."""


@dataclass(frozen=True)
class Unhold:
    """Take the caller off hold."""


@dataclass(frozen=True)
class AddParticipant:
    target: str
    ring_s: float
    context: str


@dataclass(frozen=True)
class CancelAdd:
    """Withdraw the invitation of a leg whose ring timer ran out."""

    context: str


@dataclass(frozen=True)
class RemoveParticipant:
    """Someone answered a leg that was already given up: let them go, the caller is elsewhere."""

    target: str
    context: str


@dataclass(frozen=True)
class PlayBriefing:
    target: str
    text: str
    context: str


@dataclass(frozen=True)
class Leave:
    """The agent leg hangs up for itself; caller and person stay connected."""


@dataclass(frozen=True)
class BlindTransfer:
    target: str
    context: str


@dataclass(frozen=True)
class Finished:
    ok: bool
    reason: str
    target: str | None  # who took the call, or the last leg tried


Command = Union[Hold, Unhold, AddParticipant, CancelAdd, RemoveParticipant, PlayBriefing, Leave, BlindTransfer,
                Finished]


# --- events (what ACS reported) -----------------------------------------------------------
@dataclass(frozen=True)
class Answered:
    context: str


@dataclass(frozen=True)
class NotAnswered:
    """AddParticipantFailed: declined, busy, unreachable or ACS's own invitation timeout."""

    context: str
    reason: str = "no answer"


@dataclass(frozen=True)
class RingTimeout:
    context: str


@dataclass(frozen=True)
class BriefingDone:
    context: str
    played: bool = True  # False: PlayFailed; the person is connected anyway (the desk shows the case)


@dataclass(frozen=True)
class TransferOutcome:
    context: str
    accepted: bool
    reason: str = ""


@dataclass(frozen=True)
class CallerGone:
    pass


@dataclass(frozen=True)
class CommandFailed:
    """ACS refused a request (HTTP error) for this leg, or for hold/unhold when ``context`` is empty."""

    context: str
    reason: str


Event = Union[Answered, NotAnswered, RingTimeout, BriefingDone, TransferOutcome, CallerGone, CommandFailed]


class ConsultTransfer:
    """One hand-over attempt over ``legs``; ``start()`` then ``on(event)`` until ``done``."""

    def __init__(self, case_id: str, legs: list[Leg], briefing: str, attempt: str = "") -> None:
        if not legs:
            raise ValueError("a transfer needs at least one target")
        self.case_id, self.legs, self.briefing = case_id, list(legs), briefing
        self.key = f"{case_id}/{attempt}" if attempt else case_id
        self.state = "idle"  # idle | ringing | briefing | blind | connected | returned | abandoned
        self.index = -1
        self.held = False
        self.failures: list[str] = []

    @property
    def done(self) -> bool:
        return self.state in ("connected", "returned", "abandoned")

    @property
    def leg(self) -> Leg:
        return self.legs[self.index]

    def context(self, index: int | None = None) -> str:
        return f"{self.key}#{self.index if index is None else index}"

    def _leg_of(self, context: str) -> int | None:
        case, _, n = context.rpartition("#")
        return int(n) if case == self.key and n.isdigit() and int(n) < len(self.legs) else None

    def start(self) -> list[Command]:
        if self.state != "idle":
            raise RuntimeError("transfer already started")
        return self._next_leg()

    def _next_leg(self) -> list[Command]:
        self.index += 1
        if self.index >= len(self.legs):
            self.state = "returned"
            out: list[Command] = [Unhold()] if self.held else []
            self.held = False
            reason = "; ".join(self.failures) or "no target answered"
            return [*out, Finished(False, reason, self.legs[-1].target)]
        leg = self.leg
        if leg.mode == "blind":
            self.state = "blind"
            out = [Unhold()] if self.held else []
            self.held = False
            return [*out, BlindTransfer(leg.target, self.context())]
        self.state = "ringing"
        out = [] if self.held else [Hold()]
        self.held = True
        return [*out, AddParticipant(leg.target, leg.ring_s, self.context())]

    def _fail_leg(self, reason: str) -> list[Command]:
        self.failures.append(f"{self.leg.name or self.leg.target}: {reason}")
        return self._next_leg()

    def on(self, event: Event) -> list[Command]:
        if self.done:
            # A person answering a leg already given up must not sit in a call nobody is in.
            if isinstance(event, Answered) and self.state != "connected":
                index = self._leg_of(event.context)
                if index is not None:
                    return [RemoveParticipant(self.legs[index].target, event.context)]
            return []
        if isinstance(event, CallerGone):
            self.state = "abandoned"
            return [Finished(False, "caller hung up", self.leg.target if self.index >= 0 else None)]
        if isinstance(event, CommandFailed) and not event.context:
            # Hold or unhold refused: the caller may hear the invitation; carry on, the person still gets the call.
            return []
        index = self._leg_of(getattr(event, "context", ""))
        if index is None:
            return []
        if index != self.index:
            if isinstance(event, Answered):
                return [RemoveParticipant(self.legs[index].target, event.context)]
            return []
        if self.state == "ringing":
            if isinstance(event, Answered):
                self.state = "briefing"
                return [PlayBriefing(self.leg.target, self.briefing, event.context)]
            if isinstance(event, RingTimeout):
                return [CancelAdd(event.context), *self._fail_leg("no answer")]
            if isinstance(event, (NotAnswered, CommandFailed)):
                return self._fail_leg(event.reason)
        elif self.state == "briefing":
            if isinstance(event, (BriefingDone, CommandFailed)):
                self.state = "connected"
                self.held = False
                reason = "briefed" if isinstance(event, BriefingDone) and event.played else "briefing not played"
                return [Unhold(), Leave(), Finished(True, reason, self.leg.target)]
        elif self.state == "blind":
            if isinstance(event, TransferOutcome):
                if event.accepted:
                    self.state = "connected"
                    return [Finished(True, "transferred", self.leg.target)]
                return self._fail_leg(event.reason or "transfer refused")
            if isinstance(event, CommandFailed):
                return self._fail_leg(event.reason)
        return []
