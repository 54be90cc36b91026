"""The SQLite session store and the hub's idle expiry, without a network."""

from __future__ import annotations

import time

from agent.brain import PlaceholderResponder
from agent.config import Settings
from agent.session import SessionHub
from agent.state import CallState
from agent.store.sqlite_store import SqliteSessionStore


async def test_save_load_and_fence_against_older_writers(tmp_path):
    store = SqliteSessionStore(tmp_path / "s.sqlite")
    await store.save("s1", {"session_id": "s1", "turn_count": 3}, 12)
    await store.save("s1", {"session_id": "s1", "turn_count": 2}, 8)  # a container that lost the session
    record = await store.load("s1")
    assert record is not None and record.last_seq == 12 and record.state["turn_count"] == 3
    assert await store.load("missing") is None
    await store.close()


async def test_event_log_keeps_the_newest_and_reports_gaps(tmp_path):
    store = SqliteSessionStore(tmp_path / "s.sqlite")
    await store.append_events("s1", [(i, f'{{"seq":{i}}}') for i in range(1, 11)], keep=4)
    assert await store.events_after("s1", 6) == ['{"seq":7}', '{"seq":8}', '{"seq":9}', '{"seq":10}']
    assert await store.events_after("s1", 10) == []
    assert await store.events_after("s1", 2) is None  # 3..6 were dropped
    await store.close()


async def test_idle_sessions_are_ended_and_forgotten(tmp_path):
    ended: list[str] = []

    class Recorder(PlaceholderResponder):
        async def end(self, state: CallState) -> None:
            ended.append(state.session_id)

    settings = Settings(data_dir=tmp_path, session_idle_timeout_s=60)
    store = SqliteSessionStore(tmp_path / "s.sqlite")
    hub = SessionHub(settings, store, Recorder(), None)
    await store.save("old", CallState("old").to_dict(), 3)
    assert await hub.expire_idle(now=time.time() + 30) == []
    assert await hub.expire_idle(now=time.time() + 61) == ["old"]
    assert ended == ["old"] and await store.load("old") is None
    await store.close()
