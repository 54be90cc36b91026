"""The brain: what the agent does with one caller turn.

The session calls ``Brain.respond`` with a complete caller turn and the call's state;
the brain yields ``Action``s (speech, route, tool, handoff events) as it goes, so the
first sentence can be spoken while the rest is still being worked out.

``PlaceholderResponder`` is the minimal brain used until the coordinator and domain
agents are wired in; it is named as such on purpose.
"""

from __future__ import annotations

from typing import AsyncIterator, Protocol

from agent.actions import Action, CallerInput, Say
from agent.state import CallState


class Brain(Protocol):
    async def start(self) -> None:
        """Load indexes, start tool servers. Called once per process at start-up."""

    async def close(self) -> None:
        """Stop what ``start`` started."""

    def greet(self, state: CallState) -> AsyncIterator[Action]:
        """What the caller hears first on a new call."""

    def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Action]:
        """Handle one caller turn; mutate ``state``; yield actions in order."""

    def handoff_result(self, ok: bool, reason: str, state: CallState) -> AsyncIterator[Action]:
        """The bridge reports whether the transfer to a human worked."""

    async def end(self, state: CallState) -> None:
        """The call is over (hang-up, ``session.end`` or expiry): set the outcome, capture for review."""


class PlaceholderResponder:
    """Echoes the caller. Stands in for the real brain in transport-only set-ups."""

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def greet(self, state: CallState) -> AsyncIterator[Action]:
        yield Say("Hello, this is switchboard.")

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Action]:
        yield Say(f"You said: {turn.text}")

    async def handoff_result(self, ok: bool, reason: str, state: CallState) -> AsyncIterator[Action]:
        yield Say("Transfer complete." if ok else "The transfer did not go through.")

    async def end(self, state: CallState) -> None:
        return None
