"""One SQLite file used from asyncio.

Statements run in a worker thread, one at a time, so the event loop never waits on
the disk and one connection can be shared by every coroutine of the process. WAL
lets other processes (another container, a CLI) read while we write.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Literal, TypeVar

T = TypeVar("T")


class SqliteFile:
    def __init__(self, path: Path, *, schema: str, synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        _setup(self._db, schema, synchronous)
        self._lock = threading.Lock()

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(connection)`` in a worker thread, alone on the connection."""

        def locked() -> T:
            with self._lock:
                return fn(self._db)

        return await asyncio.to_thread(locked)

    async def close(self) -> None:
        await self.run(lambda db: db.close())


#: How long start-up waits for another process that is creating the same file.
SETUP_WAIT_S = 10.0


def _setup(db: sqlite3.Connection, schema: str, synchronous: str) -> None:
    """WAL mode and the schema, retried while another process holds the lock.

    Several processes (``serve --workers``, replicas on one volume) may open a new file at
    the same moment; switching it to WAL takes a lock for which SQLite's busy timeout does
    not wait, so "database is locked" here means "try again shortly".
    """
    deadline = time.monotonic() + SETUP_WAIT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={synchronous}")
            db.executescript(schema)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
