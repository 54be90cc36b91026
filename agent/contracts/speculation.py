"""The guard a speculative reply runs under (agent/call/speculation.py).

A spoken turn may be answered on a copy of the call's state before the caller has
surely finished; that answer is kept only if the turn ends with the same words. While
it runs, nothing may reach the world: code with an effect outside ``CallState`` asks
here first. ``forbid`` stops the speculation (a tool call, a hand-over: the real turn
does them after the endpoint); ``defer`` holds an effect that only records what the
turn did (the decision log) until the reply is adopted, and drops it with a discarded
one. Outside a speculation both simply let the effect happen.
"""

from __future__ import annotations

from contextvars import Context, ContextVar, copy_context
from typing import Callable

#: The effects held back by the speculation running in this context (None: not speculating).
_deferred: ContextVar[list[Callable[[], None]] | None] = ContextVar("speculation", default=None)


class Speculative(Exception):
    """A side effect was attempted during a speculative reply: the speculation is abandoned."""


def speculating() -> list[Callable[[], None]]:
    """Mark the current context (a task and what it starts) as speculative; returns its held effects."""
    held: list[Callable[[], None]] = []
    _deferred.set(held)
    return held


def unguarded() -> Context:
    """The current context outside any speculation: for work a turn begins on behalf of the whole
    process (loading the brain), which must not inherit a speculative turn's guard."""
    context = copy_context()
    context.run(_deferred.set, None)
    return context


def forbid(what: str) -> None:
    """Raise ``Speculative`` if speculating: ``what`` cannot be undone, so it waits for the real turn."""
    if _deferred.get() is not None:
        raise Speculative(what)


def defer(effect: Callable[[], None]) -> None:
    """Run ``effect`` now, or, while speculating, when the reply is adopted (never if it is discarded)."""
    held = _deferred.get()
    if held is None:
        effect()
    else:
        held.append(effect)

