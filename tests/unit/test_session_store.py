"""The SQLite session store, its ownership fence, its retries and the hub's idle expiry, without a network."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import redis.exceptions

from agent.contracts.brain import PlaceholderResponder
from agent.config import Settings
from agent.call.session import SessionHub
from agent.contracts.state import CallState
from agent.store import StaleOwner, StoreUnavailable
from agent.store.retry import RetryingStore, transient
from agent.store.sqlite_store import SqliteSessionStore


async def test_save_load_and_fence_against_older_writers(tmp_path):
    store = SqliteSessionStore(tmp_path / "s.sqlite")
    token, _ = await store.claim("s1")
    await store.save("s1", {"session_id": "s1", "turn_count": 3}, 12, token)
    await store.save("s1", {"session_id": "s1", "turn_count": 2}, 8, token)  # an older copy of the state
    record = await store.load("s1")
    assert record is not None and record.last_seq == 12 and record.state["turn_count"] == 3
    assert await store.load("missing") is None
    await store.close()


async def test_event_log_keeps_the_newest_and_reports_gaps(tmp_path):
    store = SqliteSessionStore(tmp_path / "s.sqlite")
    token, _ = await store.claim("s1")
    await store.append_events("s1", [(i, f'{{"seq":{i}}}') for i in range(1, 11)], keep=4, token=token)
    assert await store.events_after("s1", 6) == ['{"seq":7}', '{"seq":8}', '{"seq":9}', '{"seq":10}']
    assert await store.events_after("s1", 10) == []
    assert await store.events_after("s1", 2) is None  # 3..6 were dropped
    await store.close()


async def test_only_the_last_claimant_may_write_across_processes_sharing_the_file(tmp_path):
    # Two store objects on one file stand for two worker processes (each has its own connection).
    a, b = SqliteSessionStore(tmp_path / "s.sqlite"), SqliteSessionStore(tmp_path / "s.sqlite")
    token_a, before = await a.claim("s1")
    assert before == 0
    await a.save("s1", {"by": "a"}, 1, token_a)
    token_b, before = await b.claim("s1")
    assert before == token_a and token_b > token_a
    for write in (lambda: a.save("s1", {"by": "a"}, 99, token_a),
                  lambda: a.append_events("s1", [(2, '{"seq":2}')], 10, token_a)):
        with pytest.raises(StaleOwner):
            await write()
    assert await a.renew({"s1": token_a}) == {"s1"} and await b.renew({"s1": token_b}) == set()
    # The owner's renewal keeps a quiet session out of every process's idle sweep.
    await b.save("s1", {"by": "b"}, 1, token_b)
    before_renewal = time.time()
    await b.renew({"s1": token_b})
    assert "s1" not in await a.idle_sessions(before_renewal)
    await b.save("s1", {"by": "b"}, 2, token_b)
    record = await a.load("s1")
    assert record is not None and record.state == {"by": "b"} and await a.events_after("s1", 1) == []
    # Tokens are never handed out twice, even once the session is deleted and claimed again.
    await b.delete("s1")
    assert (await a.claim("s1"))[0] > token_b
    await a.close()
    await b.close()


class Flaky:
    """A store whose calls fail with ``error`` the first ``failures`` times."""

    def __init__(self, inner, error: Exception, failures: int) -> None:
        self.inner, self.error, self.failures, self.calls = inner, error, failures, 0

    def __getattr__(self, name):
        async def call(*args, **kwargs):
            self.calls += 1
            if self.failures > 0:
                self.failures -= 1
                raise self.error
            return await getattr(self.inner, name)(*args, **kwargs)
        return call


@pytest.mark.parametrize("error", [
    redis.exceptions.ConnectionError("Connection refused"),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    redis.exceptions.BusyLoadingError("Redis is loading the dataset in memory"),
    redis.exceptions.ReadOnlyError("You can't write against a read only replica."),
    sqlite3.OperationalError("database is locked"),
    sqlite3.OperationalError("database table is locked"),
    ConnectionResetError(104, "Connection reset by peer"),
])
async def test_transient_errors_are_retried_until_the_store_answers(tmp_path, error):
    assert transient(error)
    flaky = Flaky(SqliteSessionStore(tmp_path / "s.sqlite"), error, failures=3)
    store = RetryingStore(flaky, budget_s=30)
    token, _ = await store.claim("s1")
    assert flaky.calls == 4
    await store.save("s1", {"n": 1}, 1, token)
    assert (await store.load("s1")).state == {"n": 1}
    await store.close()


@pytest.mark.parametrize("error", [
    redis.exceptions.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"),
    sqlite3.OperationalError("no such table: sessions"),
    sqlite3.IntegrityError("NOT NULL constraint failed"),
    ValueError("bad state"),
])
async def test_other_errors_are_not_retried(tmp_path, error):
    assert not transient(error)
    flaky = Flaky(SqliteSessionStore(tmp_path / "s.sqlite"), error, failures=1)
    with pytest.raises(type(error)):
        await RetryingStore(flaky, budget_s=30).load("s1")
    assert flaky.calls == 1


async def test_a_lasting_outage_ends_in_store_unavailable_then_single_attempts_until_it_answers(tmp_path):
    flaky = Flaky(SqliteSessionStore(tmp_path / "s.sqlite"), redis.exceptions.ConnectionError("down"), 10**6)
    store = RetryingStore(flaky, budget_s=0.3)
    with pytest.raises(StoreUnavailable):
        await store.load("s1")
    assert flaky.calls > 2 and store.down
    calls = flaky.calls
    with pytest.raises(StoreUnavailable):  # known down: one attempt, no waiting
        await store.load("s1")
    assert flaky.calls == calls + 1
    flaky.failures = 0
    assert await store.load("s1") is None and not store.down
    await store.close()


async def test_a_real_database_is_locked_from_another_process_is_waited_out(tmp_path):
    path = tmp_path / "s.sqlite"
    store = RetryingStore(SqliteSessionStore(path), budget_s=30)
    token, _ = await store.claim("s1")
    other = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # a writer elsewhere holds the file past SQLite's own busy timeout
    release = threading.Timer(6.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        await store.save("s1", {"n": 2}, 5, token)
    finally:
        release.join()
        other.close()
    assert (await store.load("s1")).last_seq == 5
    await store.close()


async def test_idle_sessions_are_ended_and_forgotten(tmp_path):
    ended: list[str] = []

    class Recorder(PlaceholderResponder):
        async def end(self, state: CallState) -> None:
            ended.append(state.session_id)

    settings = Settings(data_dir=tmp_path, session_idle_timeout_s=60)
    store = SqliteSessionStore(tmp_path / "s.sqlite")
    hub = SessionHub(settings, store, Recorder(), None)
    token, _ = await store.claim("old")
    await store.save("old", CallState("old").to_dict(), 3, token)
    assert await hub.expire_idle(now=time.time() + 30) == []
    assert await hub.expire_idle(now=time.time() + 61) == ["old"]
    assert ended == ["old"] and await store.load("old") is None
    await store.close()
