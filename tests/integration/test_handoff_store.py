"""Case stores against real SQLite and a real redis-server; a case survives SIGKILL right after escalate."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest

from agent.config import Settings
from agent.handoff.bundle import build_case
from agent.handoff.store import CaseStore, FallbackCaseStore, RedisCaseStore, SqliteCaseStore, open_case_store
from agent.contracts.state import CallState

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REDIS_SERVER = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server) - Redis case store not tested")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
         "--appendfsync", "always", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def _case(case_id: str, created: float, session: str = "s") -> dict:
    state = CallState(session_id=session, caller_number="+14255550100")
    state.add_turn("caller", "my name is Dana, asset A123 is down")
    return build_case(state, case_id=case_id, reason="asked for a person", trigger="policy:human.request",
                      priority="normal", target="queue:it-service-desk", now=created)


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CaseStore]:
    if request.param == "sqlite":
        s: CaseStore = SqliteCaseStore(tmp_path / "cases.sqlite")
    else:
        url = request.getfixturevalue("redis_url")
        import redis

        redis.Redis.from_url(url).flushdb()
        s = RedisCaseStore(url)
    yield s
    await s.close()


async def test_round_trip_duplicate_ids_recent_order_and_review_records(store: CaseStore) -> None:
    first, second = _case("CASE-222222", 1_795_000_000.0), _case("CASE-333333", 1_795_000_100.0)
    assert await store.create(first) is True
    assert await store.create(second) is True
    assert await store.create(_case("CASE-222222", 1_795_000_200.0, session="other")) is False  # id taken
    assert await store.get("CASE-222222") == first  # the first write is untouched
    assert [c["case_id"] for c in await store.recent(10)] == ["CASE-333333", "CASE-222222"]
    assert [c["case_id"] for c in await store.recent(1)] == ["CASE-333333"]
    assert await store.get("CASE-999999") is None

    first["status"] = "transferred"
    await store.save(first)
    assert (await store.get("CASE-222222"))["status"] == "transferred"

    await store.capture({"id": "sess-a", "captured_at": "2026-11-23T10:00:00Z", "outcome": "abandoned"})
    await store.capture({"id": "sess-b", "captured_at": "2026-11-23T11:00:00Z", "outcome": "escalated"})
    await store.capture({"id": "sess-a", "captured_at": "2026-11-23T12:00:00Z", "outcome": "escalated"})
    assert [(r["id"], r["outcome"]) for r in await store.captured()] == [("sess-b", "escalated"),
                                                                         ("sess-a", "escalated")]


async def test_hostile_strings_are_stored_as_data(store: CaseStore) -> None:
    case = _case("CASE-444444", 1_795_000_000.0, session="'; DROP TABLE cases; --")
    case["reason"] = "x" * 1_000_000 + "\u202e\x00"
    assert await store.create(case)
    assert await store.get("CASE-444444") == case
    assert await store.get("'; DROP TABLE cases; --") is None
    assert len(await store.recent(5)) == 1


async def test_settings_pick_the_store(tmp_path: Path, redis_url: str) -> None:
    sqlite_store = open_case_store(Settings(data_dir=tmp_path))
    assert isinstance(sqlite_store, SqliteCaseStore) and sqlite_store.path == tmp_path / "cases.sqlite"
    await sqlite_store.close()
    shared = open_case_store(Settings(data_dir=tmp_path, redis_url=redis_url))
    assert isinstance(shared, FallbackCaseStore) and isinstance(shared.primary, RedisCaseStore)
    await shared.close()


async def test_dead_redis_does_not_block_a_hand_over(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from agent.handoff.service import HandoffService

    settings = Settings(data_dir=tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    service = HandoffService(settings)
    state = CallState(session_id="s", caller_number="+14255550100")
    state.add_turn("caller", "my name is Dana, there is smoke in the server room")
    event = await service.escalate(state, reason="safety phrase", trigger="safety:smoke", priority="emergency")
    await service.transfer_result(state, ok=False, reason="busy")
    await service.capture_for_review(state)
    await service.close()
    assert "kept locally" in caplog.text and "Dana" not in caplog.text

    reader = open_case_store(settings)
    try:
        case = await reader.get(event.case_id)
        assert case is not None and case["status"] == "transfer_failed"
        assert [c["case_id"] for c in await reader.recent(5)] == [event.case_id]
        assert [r["id"] for r in await reader.captured()] == ["s"]
    finally:
        await reader.close()


async def test_cases_from_both_stores_are_listed_together(tmp_path: Path, redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    local = SqliteCaseStore(tmp_path / "cases.sqlite")
    await local.create(_case("CASE-222222", 1_795_000_000.0))  # written while Redis was down
    await local.close()
    store = open_case_store(Settings(data_dir=tmp_path, redis_url=redis_url))
    try:
        assert await store.create(_case("CASE-333333", 1_795_000_100.0))
        assert await store.create(_case("CASE-222222", 1_795_000_200.0)) is False  # id taken locally
        assert [c["case_id"] for c in await store.recent(10)] == ["CASE-333333", "CASE-222222"]
        assert (await store.get("CASE-222222"))["created_at"] == "2026-11-18T11:06:40Z"
    finally:
        await store.close()


_CHILD = """
import asyncio, os, signal, sys
from pathlib import Path
from agent.config import Settings
from agent.handoff.service import HandoffService
from agent.contracts.state import CallState

async def main():
    settings = Settings(data_dir=Path(sys.argv[1]), redis_url=sys.argv[2] or None)
    service = HandoffService(settings)
    state = CallState(session_id="crash-1", channel="phone", caller_number="+14255550100")
    state.add_turn("caller", "there is a gas smell at site 4")
    event = await service.escalate(state, reason="safety phrase", trigger="safety:gas", priority="emergency")
    sys.stdout.write(event.case_id + "\\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # the container dies the instant escalate returns

asyncio.run(main())
"""


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_case_survives_sigkill_right_after_escalate(backend: str, tmp_path: Path,
                                                          request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path), url], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    case_id = proc.stdout.strip()
    store = open_case_store(Settings(data_dir=tmp_path, redis_url=url or None))
    try:
        case = await store.get(case_id)
    finally:
        await store.close()
    assert case is not None, f"{case_id} lost after SIGKILL"
    assert case["priority"] == "emergency" and case["transcript"][0]["text"] == "there is a gas smell at site 4"
    assert json.loads(json.dumps(case)) == case
