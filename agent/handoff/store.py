"""Where cases and review records live: SQLite by default, Redis when shared.

A case must survive the call dropping the instant after it is written, so every
write returns only after the store has committed it: SQLite in WAL mode with
``synchronous=FULL`` (the commit fsyncs the log), Redis with a MULTI/EXEC
transaction (durable as far as the server's ``appendfsync`` allows; see
docs/handoff.md). Review records are the redacted learning-loop captures; they sit
beside the cases so a shared deployment shares them too.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Protocol

from agent.config import Settings
from agent.sqlite_async import SqliteFile

log = logging.getLogger(__name__)

#: A shared store that does not answer within this many seconds counts as down.
REDIS_TIMEOUT_S = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
  case_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_created ON cases(created_at);
CREATE TABLE IF NOT EXISTS review (
  record_id TEXT PRIMARY KEY, captured_at TEXT NOT NULL, body TEXT NOT NULL
);
"""


class CaseStore(Protocol):
    async def create(self, case: dict[str, Any]) -> bool:
        """Store a new case durably; False (nothing written) when the case id is taken."""

    async def save(self, case: dict[str, Any]) -> None:
        """Replace a stored case durably (status and history changes)."""

    async def get(self, case_id: str) -> dict[str, Any] | None: ...

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """Newest cases first."""

    async def capture(self, record: dict[str, Any]) -> None:
        """Store a (redacted) review record; a second capture of the same ``id`` replaces it."""

    async def captured(self) -> list[dict[str, Any]]:
        """Every review record, oldest first."""

    async def close(self) -> None: ...


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class SqliteCaseStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        # FULL: a case is on disk before the transfer is signalled, even across a power cut.
        self._file = SqliteFile(path, schema=_SCHEMA, synchronous="FULL")
        self._run = self._file.run

    async def create(self, case: dict[str, Any]) -> bool:
        row = (case["case_id"], case["session_id"], case["created_at"], _dump(case))
        cursor = await self._run(lambda db: db.execute(
            "INSERT OR IGNORE INTO cases(case_id, session_id, created_at, body) VALUES (?, ?, ?, ?)", row))
        return cursor.rowcount == 1

    async def save(self, case: dict[str, Any]) -> None:
        row = (case["case_id"], case["session_id"], case["created_at"], _dump(case))
        await self._run(lambda db: db.execute(
            "INSERT INTO cases(case_id, session_id, created_at, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(case_id) DO UPDATE SET body = excluded.body", row))

    async def get(self, case_id: str) -> dict[str, Any] | None:
        row = await self._run(lambda db: db.execute(
            "SELECT body FROM cases WHERE case_id = ?", (case_id,)).fetchone())
        return json.loads(row[0]) if row else None

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = await self._run(lambda db: db.execute(
            "SELECT body FROM cases ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall())
        return [json.loads(r[0]) for r in rows]

    async def capture(self, record: dict[str, Any]) -> None:
        row = (record["id"], record["captured_at"], _dump(record))
        await self._run(lambda db: db.execute(
            "INSERT INTO review(record_id, captured_at, body) VALUES (?, ?, ?) "
            "ON CONFLICT(record_id) DO UPDATE SET captured_at = excluded.captured_at, body = excluded.body", row))

    async def captured(self) -> list[dict[str, Any]]:
        rows = await self._run(lambda db: db.execute(
            "SELECT body FROM review ORDER BY captured_at, rowid").fetchall())
        return [json.loads(r[0]) for r in rows]

    async def close(self) -> None:
        await self._file.close()


_PREFIX = "switchboard:"


class RedisCaseStore:
    """Cases as JSON strings under ``switchboard:case:<id>``, indexed by a sorted set of creation times."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._r = aioredis.from_url(url, decode_responses=True, socket_connect_timeout=REDIS_TIMEOUT_S,
                                    socket_timeout=REDIS_TIMEOUT_S)

    async def create(self, case: dict[str, Any]) -> bool:
        key = f"{_PREFIX}case:{case['case_id']}"
        async with self._r.pipeline(transaction=True) as p:
            p.set(key, _dump(case), nx=True)
            p.zadd(f"{_PREFIX}cases", {case["case_id"]: _score(case)}, nx=True)
            created, _ = await p.execute()
        return bool(created)

    async def save(self, case: dict[str, Any]) -> None:
        async with self._r.pipeline(transaction=True) as p:
            p.set(f"{_PREFIX}case:{case['case_id']}", _dump(case))
            p.zadd(f"{_PREFIX}cases", {case["case_id"]: _score(case)})
            await p.execute()

    async def get(self, case_id: str) -> dict[str, Any] | None:
        body = await self._r.get(f"{_PREFIX}case:{case_id}")
        return json.loads(body) if body else None

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        ids = await self._r.zrevrange(f"{_PREFIX}cases", 0, max(0, limit - 1))
        if not ids:
            return []
        bodies = await self._r.mget([f"{_PREFIX}case:{i}" for i in ids])
        return [json.loads(b) for b in bodies if b]

    async def capture(self, record: dict[str, Any]) -> None:
        async with self._r.pipeline(transaction=True) as p:
            p.hset(f"{_PREFIX}review", record["id"], _dump(record))
            p.zadd(f"{_PREFIX}review:order", {record["id"]: _score({"created_at": record["captured_at"]})})
            await p.execute()

    async def captured(self) -> list[dict[str, Any]]:
        ids = await self._r.zrange(f"{_PREFIX}review:order", 0, -1)
        if not ids:
            return []
        bodies = await self._r.hmget(f"{_PREFIX}review", ids)
        return [json.loads(b) for b in bodies if b]

    async def close(self) -> None:
        await self._r.aclose()


def _score(case: dict[str, Any]) -> float:
    """Sort key: the ISO creation time as epoch seconds."""
    return datetime.fromisoformat(str(case["created_at"]).replace("Z", "+00:00")).timestamp()


class FallbackCaseStore:
    """The shared store, with a local one that takes the writes while the shared one is down.

    A hand-over must not wait on Redis: if it cannot take a case, the case goes to
    the local SQLite file and the transfer proceeds. Reads look in both.
    """

    def __init__(self, primary: CaseStore, local: CaseStore) -> None:
        self.primary = primary
        self.local = local

    async def _write(self, what: str, key: str, primary: Callable[[], Any], local: Callable[[], Any]) -> Any:
        try:
            return await primary()
        except (OSError, ConnectionError, TimeoutError, _redis_error()) as exc:
            log.warning("shared case store unavailable (%s: %s); %s %s kept locally",
                        type(exc).__name__, exc, what, key)
            return await local()

    async def create(self, case: dict[str, Any]) -> bool:
        if await self._read(lambda s: s.get(case["case_id"])) is not None:
            return False
        return bool(await self._write("case", case["case_id"], lambda: self.primary.create(case),
                                      lambda: self.local.create(case)))

    async def save(self, case: dict[str, Any]) -> None:
        await self._write("case", case["case_id"], lambda: self.primary.save(case), lambda: self.local.save(case))

    async def _read(self, fn: Callable[[CaseStore], Any]) -> Any:
        try:
            found = await fn(self.primary)
        except (OSError, ConnectionError, TimeoutError, _redis_error()):
            found = None
        return found if found is not None else await fn(self.local)

    async def get(self, case_id: str) -> dict[str, Any] | None:
        return await self._read(lambda s: s.get(case_id))

    async def _both(self, fn: Callable[[CaseStore], Any]) -> list[dict[str, Any]]:
        try:
            shared = await fn(self.primary)
        except (OSError, ConnectionError, TimeoutError, _redis_error()):
            shared = []
        return [*shared, *await fn(self.local)]

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        merged = {c["case_id"]: c for c in await self._both(lambda s: s.recent(limit))}
        return sorted(merged.values(), key=lambda c: c["created_at"], reverse=True)[:limit]

    async def capture(self, record: dict[str, Any]) -> None:
        await self._write("review record", record["id"], lambda: self.primary.capture(record),
                          lambda: self.local.capture(record))

    async def captured(self) -> list[dict[str, Any]]:
        merged = {r["id"]: r for r in await self._both(lambda s: s.captured())}
        return sorted(merged.values(), key=lambda r: r["captured_at"])

    async def close(self) -> None:
        await self.primary.close()
        await self.local.close()


def _redis_error() -> type[Exception]:
    import redis.exceptions

    return redis.exceptions.RedisError


def open_case_store(settings: Settings) -> CaseStore:
    """``<data_dir>/cases.sqlite``; with ``redis_url`` set, Redis first and that file as the fallback."""
    local = SqliteCaseStore(settings.ensure_data_dir() / "cases.sqlite")
    if settings.redis_url:
        return FallbackCaseStore(RedisCaseStore(settings.redis_url), local)
    return local
