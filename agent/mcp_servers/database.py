"""One SQLite file per MCP server: open it, create and seed it once, hand out transactions.

Each call gets its own short-lived connection: tools run on worker threads, and a
connection per call is also what keeps two server processes on one file safe (WAL
lets readers run beside the single writer; ``busy_timeout`` makes a second writer
wait instead of failing). Writes take ``BEGIN IMMEDIATE`` so a check-then-insert
(idempotency keys, next ticket number) cannot interleave with another process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from agent.mcp_servers import audit, idempotency

#: How long a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 5000

Seeder = Callable[[sqlite3.Connection], None]


class Database:
    """A server's store. ``schema`` is idempotent DDL; ``seed`` fills an empty store once."""

    def __init__(self, path: Path, schema: str, seed: Seeder) -> None:
        self.path = Path(path)
        self._schema = schema
        self._seed = seed

    def open(self) -> "Database":
        """Create the file, tables and demo data if missing; safe to race with another process."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        with self.write() as conn:
            for statement in _statements(self._schema + audit.DDL + idempotency.DDL + _META_DDL):
                conn.execute(statement)
            seeded = conn.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone()
            if seeded is None:
                self._seed(conn)
                conn.execute("INSERT INTO meta (key, value) VALUES ('seeded', datetime('now'))")
        return self

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (sqlite3's implicit
        # transactions would start them with a deferred lock).
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys=ON")
            yield conn
        finally:
            conn.close()


_META_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _statements(ddl: str) -> list[str]:
    return [s.strip() for s in ddl.split(";") if s.strip()]
