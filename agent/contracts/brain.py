"""The brain: what the agent does with one caller turn.

The session calls ``Brain.respond`` with a complete caller turn and the call's state;
the brain yields ``Action``s (speech, route, tool, handoff events) as it goes, so the
first sentence can be spoken while the rest is still being worked out.

``PlaceholderResponder`` is the minimal brain used until the coordinator and domain
agents are wired in; it is named as such on purpose.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Protocol

from agent.contracts.actions import Action, CallerInput, Say
from agent.contracts.speculation import unguarded
from agent.contracts.state import CallState


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

    def keypad_length(self, state: CallState) -> int | None:
        """How many keys answer the question the caller is being asked, when that is fixed (else None)."""

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

    def keypad_length(self, state: CallState) -> int | None:
        return None

    async def end(self, state: CallState) -> None:
        return None


class StartingBrain:
    """A brain whose ``start`` runs in the background, so a new process greets its first caller sooner.

    The greeting needs nothing ``start`` loads (index, tool servers, site names), so it is spoken
    at once; a caller turn, a hand-over result or the end of a call waits for ``start`` first
    (beginning it if nobody has). A turn that arrives early is answered late, never lost.
    """

    def __init__(self, inner: Brain) -> None:
        self.inner = inner
        self._starting: asyncio.Future[None] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # Voice Live's function calls use the coordinator and tools

    async def start(self) -> None:
        if self._starting is None:
            # The process's start, whichever turn asks first: a speculative one's guard stays with it.
            self._starting = asyncio.get_running_loop().create_task(self.inner.start(), context=unguarded())

    async def started(self) -> None:
        """Wait for the inner brain's start, beginning it if need be (raises what it raised)."""
        await self.start()
        assert self._starting is not None
        await asyncio.shield(self._starting)

    async def close(self) -> None:
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        await self.inner.close()

    def greet(self, state: CallState) -> AsyncIterator[Action]:
        return self.inner.greet(state)

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Action]:
        await self.started()
        async for action in self.inner.respond(turn, state):
            yield action

    async def handoff_result(self, ok: bool, reason: str, state: CallState) -> AsyncIterator[Action]:
        await self.started()
        async for action in self.inner.handoff_result(ok, reason, state):
            yield action

    def keypad_length(self, state: CallState) -> int | None:
        return self.inner.keypad_length(state)

    async def end(self, state: CallState) -> None:
        await self.started()
        await self.inner.end(state)
