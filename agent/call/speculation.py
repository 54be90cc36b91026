"""Speculative replies: a spoken turn answered while its end-of-turn silence still runs.

When the speculative transcript of a pause sounds finished (``PartialTranscript.end_ms``),
``Speculation`` runs the brain on a deep copy of the call's state, under the guard of
agent/contracts/speculation.py, and synthesises the first sentence. If the turn then ends
with the same words and nothing else touched the call meanwhile, the conversation adopts
it: the copy's contents become the state, the effects held back (the decision log) happen,
and the actions are replayed as a normal turn's would be, after the endpoint and in the same
order, the first sentence's audio already made. Otherwise it is dropped and leaves no trace:
the live state, the wire and the caller's ear never saw it.

Only pure speech is prepared: a reply that calls a tool, hands over or ends the call (or
needs a holding phrase, which only a tool call does) stops the speculation at that point,
before the effect, and the turn runs after the endpoint as it always did.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

from agent.contracts.actions import Action, CallerInput, RouteEvent, Say
from agent.contracts.brain import Brain
from agent.contracts.speculation import Speculative, speculating
from agent.contracts.state import CallState

log = logging.getLogger("switchboard.speculation")

Synthesize = Callable[[Say], AsyncIterator[bytes]]


def begin_turn(state: CallState, turn: CallerInput) -> CallerInput:
    """Count ``turn`` and record it in ``state``: how every caller turn starts, real or speculative."""
    state.turn_count += 1
    turn = dataclasses.replace(turn, turn=state.turn_count)
    # The language is noted on a turn only when it is not English (the exception worth reading).
    state.add_turn("caller", turn.text, kind=turn.kind,
                   **({"language": turn.language} if turn.language not in (None, "en") else {}))
    return turn


@dataclass(frozen=True)
class Ready(Say):
    """A ``Say`` whose audio was synthesised ahead: ``audio`` yields it, then the rest as it comes."""

    audio: Any = field(default=None, compare=False)


def _as_it_was(state: CallState) -> dict[str, Any]:
    """What must not have changed for a speculation to hold: everything but the usage counters,
    which caller audio keeps moving (they are carried over on adoption)."""
    data = state.to_dict()
    data.pop("usage")
    return data


class Speculation:
    """One spoken turn answered ahead. Start it with the caller's words and the live state; at the
    endpoint ``adopt`` it (the turn that ended) or ``discard`` it."""

    def __init__(self, brain: Brain, turn: CallerInput, state: CallState, synthesize: Synthesize) -> None:
        self.turn = turn
        self._before = _as_it_was(state)
        self._usage = dict(state.usage)
        self._copy = CallState.from_dict(state.to_dict())  # to_dict copies deeply
        self._actions: list[Action] = []
        self._held: list[Callable[[], None]] = []
        self._audio: AsyncIterator[bytes] | None = None
        self._first: asyncio.Future[bytes] | None = None  # the first piece of the first sentence
        self._task = asyncio.ensure_future(self._run(brain, synthesize))

    async def _run(self, brain: Brain, synthesize: Synthesize) -> bool:
        self._held = speculating()  # this task (and what it starts) is speculative from here
        turn = begin_turn(self._copy, self.turn)
        try:
            async with contextlib.aclosing(brain.respond(turn, self._copy)) as actions:
                async for action in actions:
                    if not isinstance(action, (Say, RouteEvent)) or (isinstance(action, Say) and action.filler):
                        log.debug("speculation stops at %s", type(action).__name__)
                        return False  # the brain waits at this yield: closing it there, the effect never happens
                    if isinstance(action, Say) and self._audio is None:
                        self._audio = synthesize(action)
                        self._first = asyncio.ensure_future(anext(self._audio))
                    self._actions.append(action)
        except Speculative as stop:
            log.debug("speculation stops before %s", stop)
            return False
        except Exception:  # noqa: BLE001 - the real turn runs the brain again and reports it
            log.debug("speculation failed", exc_info=True)
            return False
        return True

    async def adopt(self, turn: CallerInput, state: CallState) -> tuple[CallerInput, list[Action]] | None:
        """If ``turn`` (the turn that ended) has the words answered and ``state`` is as it was, make the
        speculative state the live one and return the numbered turn and the actions to replay; else None
        (discarded)."""
        prepared = turn == self.turn and await asyncio.shield(self._task)
        if not prepared or _as_it_was(state) != self._before:
            await self.discard()
            return None
        usage = {k: state.usage.get(k, 0.0) + self._copy.usage.get(k, 0.0) - self._usage.get(k, 0.0)
                 for k in {*state.usage, *self._copy.usage}}
        for f in dataclasses.fields(CallState):
            setattr(state, f.name, getattr(self._copy, f.name))
        state.usage = usage
        for effect in self._held:
            effect()
        actions = list(self._actions)
        first = next((i for i, a in enumerate(actions) if isinstance(a, Say)), None)
        if first is not None:
            say = actions[first]
            assert isinstance(say, Say)
            actions[first] = Ready(say.text, say.filler, say.language, audio=self._prepared())
        return dataclasses.replace(turn, turn=state.turn_count), actions

    async def _prepared(self) -> AsyncIterator[bytes]:
        assert self._audio is not None and self._first is not None
        try:
            try:
                first = await self._first
            except StopAsyncIteration:
                return
            yield first
            async for pcm in self._audio:
                yield pcm
        finally:
            await self._audio.aclose()  # type: ignore[attr-defined]  # a barge-in: the rest is not made

    async def discard(self) -> None:
        """Stop it, and the synthesis it began; nothing it did is kept."""
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task
        if self._first is not None:
            self._first.cancel()
            with contextlib.suppress(BaseException):
                await self._first
        if self._audio is not None:
            with contextlib.suppress(BaseException):
                await self._audio.aclose()  # type: ignore[attr-defined]
