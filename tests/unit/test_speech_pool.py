"""The synthesis pool: earliest deadline first, never more than ``workers`` threads busy."""

import asyncio
import threading
import time

import pytest

from agent.speech.pool import PriorityPool


async def test_waiting_jobs_start_earliest_deadline_first_then_in_arrival_order():
    pool = PriorityPool(1, "t")
    gate, order = threading.Event(), []
    blocker = asyncio.ensure_future(pool.run(0.0, gate.wait))
    await asyncio.sleep(0.05)
    jobs = [asyncio.ensure_future(pool.run(p, order.append, name)) for p, name in
            [(5.0, "rest-1"), (9.0, "later"), (5.0, "rest-2"), (1.0, "first")]]
    await asyncio.sleep(0.05)
    assert order == []  # all waiting behind the blocker
    gate.set()
    await asyncio.gather(blocker, *jobs)
    assert order == ["first", "rest-1", "rest-2", "later"]
    pool.shutdown()


async def test_cancelled_jobs_neither_run_nor_leak_slots_and_concurrency_is_capped():
    pool = PriorityPool(2, "t")
    busy, peak, lock, ran = [0], [0], threading.Lock(), []

    def work(name: str) -> str:
        with lock:
            busy[0] += 1
            peak[0] = max(peak[0], busy[0])
        time.sleep(0.03)
        with lock:
            busy[0] -= 1
        ran.append(name)
        return name

    jobs = [asyncio.ensure_future(pool.run(1.0, work, f"j{i}")) for i in range(8)]
    await asyncio.sleep(0.005)
    jobs[5].cancel()
    jobs[0].cancel()  # already running in a thread: it finishes, its slot is freed only then
    results = await asyncio.gather(*jobs, return_exceptions=True)
    assert isinstance(results[5], asyncio.CancelledError) and "j5" not in ran
    assert peak[0] <= 2
    assert await pool.run(0.0, work, "after") == "after"  # no slot was lost
    pool.shutdown()


def test_a_pool_needs_a_worker():
    with pytest.raises(ValueError):
        PriorityPool(0, "t")
