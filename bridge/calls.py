"""Call state and the store it lives in, shared by every bridge replica.

A call is known by *our* call id (chosen when ACS offers the call; it is in the callback
and media URLs), mapped to the ACS call connection id and the agent session id. The
store also remembers event ids already handled, so a replayed webhook is refused on any
replica. Redis when ``Settings.redis_url`` is set, else SQLite under ``data_dir``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

from agent.config import Settings
from agent.sqlite_async import SqliteFile

EVENT_MEMORY_S = 24 * 3600  # Event Grid retries for up to 24 h
_UNSAFE = re.compile(r"[^A-Za-z0-9\-_.:]")


def agent_session_id(call_id: str) -> str:
    """The agent session id for a call: ``acs:`` + the id reduced to the container's charset, <= 128."""
    return ("acs:" + _UNSAFE.sub("_", call_id))[:128]


def pooled_session_id(call_id: str, pool: int) -> str:
    """The pooled agent session a call goes to (``pool-<k>``, k < ``pool``): a hash of the call id,
    so every replica and every reconnect after a recycle picks the same one without asking."""
    if pool < 1:
        raise ValueError(f"a session pool needs at least one session, got {pool}")
    digest = hashlib.sha256(call_id.encode("utf-8")).digest()
    return f"pool-{int.from_bytes(digest[:8], 'big') % pool}"


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    agent_session_id: str
    state: str = "incoming"  # incoming|connected|streaming|transferring|transferred|transfer_failed|ended
    call_connection_id: str | None = None
    caller: str | None = None  # ACS raw id of the caller (PII: stored, never logged)
    case_id: str | None = None
    transfer_target: str | None = None
    reason: str | None = None  # why a transfer failed / the call ended
    updated: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> "CallRecord":
        return cls(**json.loads(text))


class CallStore(Protocol):
    async def put(self, record: CallRecord) -> None: ...
    async def get(self, call_id: str) -> CallRecord | None: ...
    async def first_seen(self, event_id: str) -> bool:
        """True the first time an event id is offered, False on every replay."""
        ...
    async def close(self) -> None: ...


async def update(store: CallStore, call_id: str, **changes: object) -> CallRecord | None:
    """Read-modify-write one call; None if the call is unknown."""
    record = await store.get(call_id)
    if record is None:
        return None
    record = replace(record, **changes, updated=time.time())  # type: ignore[arg-type]
    await store.put(record)
    return record


class SqliteCallStore:
    """One file under the data dir; calls run in a worker thread so the loop never blocks on disk."""

    def __init__(self, path: Path) -> None:
        self._file = SqliteFile(path, schema=(
            "CREATE TABLE IF NOT EXISTS calls (call_id TEXT PRIMARY KEY, body TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, at REAL NOT NULL);"))

    async def _run(self, sql: str, args: tuple) -> sqlite3.Cursor:
        return await self._file.run(lambda db: db.execute(sql, args))

    async def put(self, record: CallRecord) -> None:
        await self._run("INSERT OR REPLACE INTO calls VALUES (?, ?)", (record.call_id, record.to_json()))

    async def get(self, call_id: str) -> CallRecord | None:
        row = await self._file.run(
            lambda db: db.execute("SELECT body FROM calls WHERE call_id = ?", (call_id,)).fetchone())
        return CallRecord.from_json(row[0]) if row else None

    async def first_seen(self, event_id: str) -> bool:
        now = time.time()
        await self._run("DELETE FROM seen_events WHERE at < ?", (now - EVENT_MEMORY_S,))
        cur = await self._run("INSERT OR IGNORE INTO seen_events VALUES (?, ?)", (event_id, now))
        return cur.rowcount == 1

    async def close(self) -> None:
        await self._file.close()


class RedisCallStore:
    """Shared by replicas; records and seen event ids expire on their own."""

    def __init__(self, url: str, prefix: str = "switchboard:bridge:") -> None:
        import redis.asyncio as redis

        self._r = redis.from_url(url)
        self._prefix = prefix

    async def put(self, record: CallRecord) -> None:
        await self._r.set(f"{self._prefix}call:{record.call_id}", record.to_json(), ex=EVENT_MEMORY_S)

    async def get(self, call_id: str) -> CallRecord | None:
        raw = await self._r.get(f"{self._prefix}call:{call_id}")
        return CallRecord.from_json(raw) if raw else None

    async def first_seen(self, event_id: str) -> bool:
        return bool(await self._r.set(f"{self._prefix}event:{event_id}", b"1", nx=True, ex=EVENT_MEMORY_S))

    async def close(self) -> None:
        await self._r.aclose()


def open_call_store(settings: Settings) -> CallStore:
    if settings.redis_url:
        return RedisCallStore(settings.redis_url)
    return SqliteCallStore(settings.ensure_data_dir() / "bridge_calls.sqlite")
