"""Store calls that survive a short outage: transient errors are retried with backoff.

A Redis restart, a failover or a network blip, and SQLite's "database is locked" from a
writer in another process, are the same thing to a session: the store will answer again
shortly. Each call is retried with exponential backoff for at most ``budget_s``; then
``StoreUnavailable`` is raised and the session carries on with what it has not stored
kept in memory (agent/call/session.py). While the store is known to be down, calls get one
attempt each (no waiting), so an outage does not stall every turn by the whole budget;
the first call that succeeds ends that state. Every store write is idempotent (same
``seq`` and body, same state), so a write repeated after a lost reply does no harm.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from typing import Any, Awaitable, Callable, TypeVar

import redis.exceptions

from agent.store.base import SessionRecord, SessionStore, StoreUnavailable

T = TypeVar("T")
log = logging.getLogger("switchboard.store")

FIRST_DELAY_S = 0.05
MAX_DELAY_S = 1.0


def transient(exc: BaseException) -> bool:
    """An error that says "try again shortly", not "this request is wrong"."""
    if isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
                        redis.exceptions.ReadOnlyError, ConnectionError, TimeoutError)):
        return True  # ConnectionError covers BusyLoadingError (a restarted Redis loading its data)
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "locked" in text or "busy" in text
    return False


class RetryingStore:
    """Any ``SessionStore`` with bounded retries of transient errors."""

    def __init__(self, inner: SessionStore, *, budget_s: float) -> None:
        self.inner = inner
        self.budget_s = budget_s
        self.down = False

    async def _call(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (0.0 if self.down else self.budget_s)
        delay = FIRST_DELAY_S
        while True:
            try:
                result = await fn()
            except Exception as exc:
                if not transient(exc):
                    raise
                if loop.time() + delay > deadline:
                    if not self.down:
                        log.error("session store unavailable (%s: %s); keeping unsaved data in memory", what, exc)
                    self.down = True
                    raise StoreUnavailable(f"{what}: {exc}") from exc
                log.warning("session store %s failed (%s); retrying in %.2f s", what, exc, delay)
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, MAX_DELAY_S)
                continue
            if self.down:
                log.warning("session store answering again")
                self.down = False
            return result

    async def claim(self, session_id: str) -> tuple[int, int]:
        return await self._call("claim", lambda: self.inner.claim(session_id))

    async def renew(self, tokens: dict[str, int]) -> set[str]:
        return await self._call("renew", lambda: self.inner.renew(tokens))

    async def load(self, session_id: str) -> SessionRecord | None:
        return await self._call("load", lambda: self.inner.load(session_id))

    async def save(self, session_id: str, state: dict[str, Any], last_seq: int, token: int) -> None:
        await self._call("save", lambda: self.inner.save(session_id, state, last_seq, token))

    async def append_events(self, session_id: str, events: list[tuple[int, str]], keep: int, token: int) -> None:
        await self._call("append", lambda: self.inner.append_events(session_id, events, keep, token))

    async def events_after(self, session_id: str, seq: int) -> list[str] | None:
        return await self._call("replay", lambda: self.inner.events_after(session_id, seq))

    async def delete(self, session_id: str) -> None:
        await self._call("delete", lambda: self.inner.delete(session_id))

    async def idle_sessions(self, older_than: float) -> list[str]:
        return await self._call("idle", lambda: self.inner.idle_sessions(older_than))

    async def close(self) -> None:
        await self.inner.close()
