"""A thread pool whose waiting jobs start earliest deadline first.

Many sessions share two synthesis threads. The first piece of a reply is what the
caller is waiting for (deadline: now); a later piece is needed only when the piece
before it has played (deadline: later). So waiting jobs start in deadline order
(FIFO for equal deadlines), and at most ``workers`` run at once, counted until the
thread really finishes (a cancelled await does not free a slot early).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

T = TypeVar("T")

class PriorityPool:
    def __init__(self, workers: int, name: str) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._free = workers
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, deadline: float, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a thread; ``deadline`` (``time.monotonic()`` seconds) orders waiting jobs."""
        self._loop = asyncio.get_running_loop()
        if self._free > 0 and not self._waiting:
            self._free -= 1
        else:
            turn: asyncio.Future[None] = self._loop.create_future()
            heapq.heappush(self._waiting, (deadline, next(self._order), turn))
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._release()  # the slot was handed over as we were cancelled: pass it on
                raise
        job: Future[T] = self._executor.submit(fn, *args)
        loop = self._loop
        job.add_done_callback(lambda _: loop.call_soon_threadsafe(self._release))
        return await asyncio.wrap_future(job)

    def _release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)  # the slot goes straight to the next job
                return
        self._free += 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
