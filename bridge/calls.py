"""Call state and the store it lives in, shared by every bridge replica.

A call is known by *our* call id (chosen when ACS offers the call; it is in the callback
and media URLs), mapped to the ACS call connection id and the agent session id. The
store also remembers which event ids are being handled and which were, so a redelivered webhook
does nothing twice on any replica (``claim_event`` / ``finish_event`` / ``release_event``).
Redis when ``BridgeSettings.redis_url`` is set, else SQLite under ``data_dir``.
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

from bridge.config import BridgeSettings
from agent.sqlite_async import SqliteFile

EVENT_MEMORY_S = 24 * 3600
RELAY_MEMORY_S = 600  # a relayed callback nobody took in this time is for a call that is gone  # Event Grid retries for up to 24 h
#: A claim not finished or released within this is taken over: its replica died while handling it.
CLAIM_TTL_S = 60.0
#: What ``claim_event`` says: handle it now / another delivery is handling it / it was handled.
NEW, BUSY, DONE = "new", "busy", "done"
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
    recording: str = "off"  # off | asking | recording | declined
    recording_id: str | None = None
    updated: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> "CallRecord":
        return cls(**json.loads(text))


class CallStore(Protocol):
    async def put(self, record: CallRecord) -> None: ...
    async def get(self, call_id: str) -> CallRecord | None: ...
    async def claim_event(self, event_id: str) -> str:
        """NEW: this caller now handles the event (then ``finish_event`` or ``release_event``);
        BUSY: another delivery is handling it; DONE: it was handled."""
        ...
    async def finish_event(self, event_id: str) -> None:
        """The event was handled: every later delivery is a duplicate."""
        ...
    async def release_event(self, event_id: str) -> None:
        """Handling failed: the next delivery (Event Grid's retry) handles it again."""
        ...
    async def relay(self, call_id: str, body: str) -> None:
        """Leave a callback event for the replica holding the call's media socket."""
        ...
    async def take_relayed(self, call_id: str) -> list[str]:
        """The events left for this call, oldest first; each is returned once."""
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
            "CREATE TABLE IF NOT EXISTS handled_events (event_id TEXT PRIMARY KEY, at REAL NOT NULL,"
            " done INTEGER NOT NULL);"
            "CREATE TABLE IF NOT EXISTS relayed (n INTEGER PRIMARY KEY AUTOINCREMENT, call_id TEXT NOT NULL,"
            " at REAL NOT NULL, body TEXT NOT NULL);"))

    async def _run(self, sql: str, args: tuple) -> sqlite3.Cursor:
        return await self._file.run(lambda db: db.execute(sql, args))

    async def put(self, record: CallRecord) -> None:
        await self._run("INSERT OR REPLACE INTO calls VALUES (?, ?)", (record.call_id, record.to_json()))

    async def get(self, call_id: str) -> CallRecord | None:
        row = await self._file.run(
            lambda db: db.execute("SELECT body FROM calls WHERE call_id = ?", (call_id,)).fetchone())
        return CallRecord.from_json(row[0]) if row else None

    async def claim_event(self, event_id: str) -> str:
        now = time.time()

        def claim(db: sqlite3.Connection) -> str:
            with db:  # one transaction: two processes on the file cannot both take a claim
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM handled_events WHERE at < ?", (now - EVENT_MEMORY_S,))
                row = db.execute("SELECT at, done FROM handled_events WHERE event_id = ?", (event_id,)).fetchone()
                if row is not None and (row[1] or row[0] >= now - CLAIM_TTL_S):
                    return DONE if row[1] else BUSY
                db.execute("INSERT OR REPLACE INTO handled_events VALUES (?, ?, 0)", (event_id, now))
                return NEW

        return await self._file.run(claim)

    async def finish_event(self, event_id: str) -> None:
        await self._run("UPDATE handled_events SET done = 1, at = ? WHERE event_id = ?", (time.time(), event_id))

    async def release_event(self, event_id: str) -> None:
        await self._run("DELETE FROM handled_events WHERE event_id = ? AND done = 0", (event_id,))

    async def relay(self, call_id: str, body: str) -> None:
        now = time.time()
        await self._run("DELETE FROM relayed WHERE at < ?", (now - RELAY_MEMORY_S,))
        await self._run("INSERT INTO relayed (call_id, at, body) VALUES (?, ?, ?)", (call_id, now, body))

    async def take_relayed(self, call_id: str) -> list[str]:
        def take(db: sqlite3.Connection) -> list[str]:
            with db:
                db.execute("BEGIN IMMEDIATE")
                rows = db.execute("SELECT n, body FROM relayed WHERE call_id = ? ORDER BY n", (call_id,)).fetchall()
                db.execute("DELETE FROM relayed WHERE call_id = ? AND n <= ?", (call_id, rows[-1][0] if rows else -1))
                return [body for _, body in rows]

        return await self._file.run(take)

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

    async def claim_event(self, event_id: str) -> str:
        key = f"{self._prefix}event:{event_id}"
        # The claim expires by itself, so a replica that died while answering does not block the retries.
        if await self._r.set(key, BUSY, nx=True, ex=int(CLAIM_TTL_S)):
            return NEW
        state = await self._r.get(key)
        if state is None:  # expired or released between the two commands: try once more
            return NEW if await self._r.set(key, BUSY, nx=True, ex=int(CLAIM_TTL_S)) else BUSY
        return DONE if state == DONE.encode() else BUSY

    async def finish_event(self, event_id: str) -> None:
        await self._r.set(f"{self._prefix}event:{event_id}", DONE, ex=EVENT_MEMORY_S)

    async def release_event(self, event_id: str) -> None:
        await self._r.delete(f"{self._prefix}event:{event_id}")

    async def relay(self, call_id: str, body: str) -> None:
        key = f"{self._prefix}relay:{call_id}"
        async with self._r.pipeline(transaction=True) as pipe:
            await pipe.rpush(key, body).expire(key, int(RELAY_MEMORY_S)).execute()

    async def take_relayed(self, call_id: str) -> list[str]:
        key = f"{self._prefix}relay:{call_id}"
        async with self._r.pipeline(transaction=True) as pipe:
            items, _ = await pipe.lrange(key, 0, -1).delete(key).execute()
        return [item.decode() if isinstance(item, bytes) else item for item in items]

    async def close(self) -> None:
        await self._r.aclose()


def open_call_store(settings: BridgeSettings) -> CallStore:
    if settings.redis_url:
        return RedisCallStore(settings.redis_url)
    return SqliteCallStore(settings.ensure_data_dir() / "bridge_calls.sqlite")
