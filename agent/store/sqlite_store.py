"""SQLite session store: one file under the data directory (see ``agent.sqlite_async``)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from agent.sqlite_async import SqliteFile
from agent.store.base import SessionRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, state TEXT NOT NULL, last_seq INTEGER NOT NULL, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (session_id, seq)
);
CREATE INDEX IF NOT EXISTS sessions_updated ON sessions(updated_at);
"""


class SqliteSessionStore:
    def __init__(self, path: Path) -> None:
        self._file = SqliteFile(path, schema=_SCHEMA)
        self._run = self._file.run

    async def load(self, session_id: str) -> SessionRecord | None:
        row = await self._run(lambda db: db.execute(
            "SELECT state, last_seq, updated_at FROM sessions WHERE id = ?", (session_id,)).fetchone())
        if row is None:
            return None
        return SessionRecord(session_id, json.loads(row[0]), int(row[1]), float(row[2]))

    async def save(self, session_id: str, state: dict[str, Any], last_seq: int) -> None:
        body = json.dumps(state, ensure_ascii=False)
        await self._run(lambda db: db.execute(
            "INSERT INTO sessions(id, state, last_seq, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET state = excluded.state, last_seq = excluded.last_seq, "
            "updated_at = excluded.updated_at WHERE excluded.last_seq >= sessions.last_seq",
            (session_id, body, last_seq, time.time())))

    async def append_events(self, session_id: str, events: list[tuple[int, str]], keep: int) -> None:
        if not events:
            return

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO events(session_id, seq, body) VALUES (?, ?, ?)",
                           [(session_id, seq, body) for seq, body in events])
            db.execute("DELETE FROM events WHERE session_id = ? AND seq <= ?", (session_id, events[-1][0] - keep))
            db.execute("COMMIT")

        await self._run(write)

    async def events_after(self, session_id: str, seq: int) -> list[str] | None:
        def read(db: sqlite3.Connection) -> list[str] | None:
            rows = db.execute("SELECT seq, body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq",
                              (session_id, seq)).fetchall()
            first = db.execute("SELECT MIN(seq) FROM events WHERE session_id = ?", (session_id,)).fetchone()[0]
            if rows and rows[0][0] != seq + 1 or (not rows and first is not None and first > seq + 1):
                return None
            return [body for _, body in rows]

        return await self._run(read)

    async def delete(self, session_id: str) -> None:
        def drop(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            db.execute("DELETE FROM events WHERE session_id = ?", (session_id,))

        await self._run(drop)

    async def idle_sessions(self, older_than: float) -> list[str]:
        rows = await self._run(lambda db: db.execute(
            "SELECT id FROM sessions WHERE updated_at < ?", (older_than,)).fetchall())
        return [r[0] for r in rows]

    async def close(self) -> None:
        await self._file.close()
