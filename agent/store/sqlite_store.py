"""SQLite session store: one file under the data directory (see ``agent.sqlite_async``).

Several processes may share the file (``serve --workers``, replicas on one volume):
every write that checks the owner token runs in a ``BEGIN IMMEDIATE`` transaction, so
the check and the write are one step for all of them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

from agent.sqlite_async import SqliteFile
from agent.store.base import SessionRecord, StaleOwner

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, state TEXT NOT NULL, last_seq INTEGER NOT NULL, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (session_id, seq)
);
CREATE INDEX IF NOT EXISTS sessions_updated ON sessions(updated_at);
CREATE TABLE IF NOT EXISTS owners (id TEXT PRIMARY KEY, token INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS owner_seq (n INTEGER NOT NULL);
INSERT INTO owner_seq SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM owner_seq);
"""


def _transaction(db: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    # IMMEDIATE: take the write lock at BEGIN, so a reader never has to upgrade (which
    # fails at once with "database is locked" instead of waiting for the busy timeout).
    db.execute("BEGIN IMMEDIATE")
    try:
        result = fn(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return result


def _check_owner(db: sqlite3.Connection, session_id: str, token: int) -> None:
    row = db.execute("SELECT token FROM owners WHERE id = ?", (session_id,)).fetchone()
    if row is None or row[0] != token:
        raise StaleOwner(session_id)


class SqliteSessionStore:
    def __init__(self, path: Path) -> None:
        self._file = SqliteFile(path, schema=_SCHEMA)
        self._run = self._file.run

    async def claim(self, session_id: str) -> tuple[int, int]:
        def take(db: sqlite3.Connection) -> tuple[int, int]:
            row = db.execute("SELECT token FROM owners WHERE id = ?", (session_id,)).fetchone()
            token = db.execute("UPDATE owner_seq SET n = n + 1 RETURNING n").fetchone()[0]
            db.execute("INSERT INTO owners(id, token) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET token = excluded.token",
                       (session_id, token))
            return int(token), int(row[0]) if row else 0

        return await self._run(lambda db: _transaction(db, take))

    async def renew(self, tokens: dict[str, int]) -> set[str]:
        if not tokens:
            return set()
        ids = list(tokens)

        def renew(db: sqlite3.Connection) -> set[str]:
            rows = db.execute(f"SELECT id, token FROM owners WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
            owned = dict(rows)
            held = [sid for sid in ids if owned.get(sid) == tokens[sid]]
            # A held session is active however quiet its caller: no idle sweep (of any process) ends it.
            db.executemany("UPDATE sessions SET updated_at = ? WHERE id = ?", [(time.time(), sid) for sid in held])
            return set(ids) - set(held)

        return await self._run(lambda db: _transaction(db, renew))

    async def load(self, session_id: str) -> SessionRecord | None:
        row = await self._run(lambda db: db.execute(
            "SELECT state, last_seq, updated_at FROM sessions WHERE id = ?", (session_id,)).fetchone())
        if row is None:
            return None
        return SessionRecord(session_id, json.loads(row[0]), int(row[1]), float(row[2]))

    async def save(self, session_id: str, state: dict[str, Any], last_seq: int, token: int) -> None:
        body = json.dumps(state, ensure_ascii=False)

        def write(db: sqlite3.Connection) -> None:
            _check_owner(db, session_id, token)
            db.execute(
                "INSERT INTO sessions(id, state, last_seq, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET state = excluded.state, last_seq = excluded.last_seq, "
                "updated_at = excluded.updated_at WHERE excluded.last_seq >= sessions.last_seq",
                (session_id, body, last_seq, time.time()))

        await self._run(lambda db: _transaction(db, write))

    async def append_events(self, session_id: str, events: list[tuple[int, str]], keep: int, token: int) -> None:
        if not events:
            return

        def write(db: sqlite3.Connection) -> None:
            _check_owner(db, session_id, token)
            db.executemany("INSERT OR REPLACE INTO events(session_id, seq, body) VALUES (?, ?, ?)",
                           [(session_id, seq, body) for seq, body in events])
            db.execute("DELETE FROM events WHERE session_id = ? AND seq <= ?", (session_id, events[-1][0] - keep))

        await self._run(lambda db: _transaction(db, write))

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
            db.execute("DELETE FROM owners WHERE id = ?", (session_id,))

        await self._run(lambda db: _transaction(db, drop))

    async def idle_sessions(self, older_than: float) -> list[str]:
        rows = await self._run(lambda db: db.execute(
            "SELECT id FROM sessions WHERE updated_at < ?", (older_than,)).fetchall())
        return [r[0] for r in rows]

    async def close(self) -> None:
        await self._file.close()
