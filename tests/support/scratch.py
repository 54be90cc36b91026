"""One brain per test module whose stores go back to the seed before each test that writes records.

Starting a brain starts its two tool-server processes: about 2 s of a quiet core, more on a busy CI
machine, and some eighty tests wanted a brain on untouched seed records (the one booked visit another
test moves, the next ticket number). The brain keeps no call's state of its own (that is ``CallState``'s),
and the tool servers open their file for each call, so a brain whose files are put back page for page
is, as far as a call can tell, a brain started on the seed.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

from agent.brain.switchboard import SwitchboardBrain
from agent.config import Settings
from tests.support import knowledge

#: Every file a call can write, under the data dir: the two tool servers' records and the hand-over cases.
STORES = ("mcp/field_ops.sqlite", "mcp/it_ops.sqlite", "cases.sqlite")


def _copy(source: Path, target: Path) -> None:
    # SQLite's backup API, not a file copy: the live files are in WAL mode and open in other processes.
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


class ScratchBrain:
    def __init__(self, brain: SwitchboardBrain, data_dir: Path) -> None:
        self.brain = brain
        self.data_dir = data_dir
        self._seed = data_dir / "seed-copy"

    @classmethod
    @contextlib.asynccontextmanager
    async def started(cls, data_dir: Path) -> AsyncIterator["ScratchBrain"]:
        brain = SwitchboardBrain.from_settings(Settings(data_dir=knowledge.seeded(data_dir)))
        await brain.start()  # the tool servers have made and seeded their files once this returns
        scratch = cls(brain, data_dir)
        try:
            scratch._seed.mkdir()
            for name in STORES:
                _copy(data_dir / name, scratch._seed / name.replace("/", "-"))
            yield scratch
        finally:
            await brain.close()

    @contextlib.asynccontextmanager
    async def fresh(self) -> AsyncIterator[SwitchboardBrain]:
        """The brain, its stores as they were seeded."""
        for name in STORES:
            _copy(self._seed / name.replace("/", "-"), self.data_dir / name)
        yield self.brain
