"""One SQLite file used from asyncio.

Statements run in a worker thread, one at a time, so the event loop never waits on
the disk and one connection can be shared by every coroutine of the process. WAL
lets other processes (another container, a CLI) read while we write.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Literal, TypeVar

T = TypeVar("T")


class SqliteFile:
    def __init__(self, path: Path, *, schema: str, synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(schema)
        self._lock = threading.Lock()

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(connection)`` in a worker thread, alone on the connection."""

        def locked() -> T:
            with self._lock:
                return fn(self._db)

        return await asyncio.to_thread(locked)

    async def close(self) -> None:
        await self.run(lambda db: db.close())
