"""Real ``switchboard serve`` containers on a real store: Redis restarted and SQLite locked
mid-call, and two containers that both think they hold one session (split brain)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
import urllib.error
import urllib.request
from typing import Callable, Iterator

import pytest
import redis
import websockets

from agent.dev.localserver import LocalServer
from tests.support.redis_server import RedisServer
from tests.support.wsclient import Client

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """Durable: restarted on its append-only file, it has every write it acknowledged."""
    server = RedisServer(tmp_path / "redis", durable=True).start()
    yield server
    server.stop()


@pytest.fixture
def containers(server_factory, tmp_path, redis_server) -> Callable[..., list[LocalServer]]:
    def start(count: int, **env: str) -> list[LocalServer]:
        env = {"SWITCHBOARD_REDIS_URL": redis_server.url, **env}
        return [server_factory(env, data_dir=tmp_path / f"container-{i}") for i in range(count)]
    return start


async def talk(c: Client, text: str) -> dict:
    await c.send("input.text", text=text)
    reply = await c.wait_for("transcript", role="agent", text=f"You said: {text}", timeout=60)
    await c.wait_for("turn.metrics", timeout=60)
    return reply


async def replay_from_start(ws_url: str, session_id: str) -> list[dict]:
    """Everything the store kept for the session, by reconnecting with ``last_seq`` 0."""
    c = await Client.connect(ws_url, session_id)
    ready = await c.start(last_seq=0)
    await c.send("ping", id="end-of-replay")
    await c.wait_for("pong", id="end-of-replay")
    await c.close()
    return [e for e in c.events if e.get("type") != "pong" and e["seq"] < ready["seq"]]


def numbered(events: list[dict]) -> list[dict]:
    return [e for e in events if e.get("type") != "pong"]  # pongs are transient: neither numbered nor stored


def post_turn(server: LocalServer, session_id: str, text: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{server.http}/invocations?agent_session_id={session_id}",
                                     data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


async def closed_with(c: Client) -> int | None:
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await c.recv(30)
    return c.conn.close_code


@pytest.mark.redis
async def test_a_redis_restart_mid_call_loses_nothing_and_the_session_keeps_answering(redis_server, containers):
    [server] = containers(1, SWITCHBOARD_STORE_RETRY_S="3")
    c = await Client.connect(server.ws, "blip-1")
    await c.start()
    await talk(c, "before the outage")

    # A blip shorter than the retry budget: the turn is answered late, and nothing else shows.
    redis_server.kill()
    await c.send("input.text", text="during a short blip")
    await asyncio.sleep(1.0)
    redis_server.start()
    await c.wait_for("transcript", role="agent", text="You said: during a short blip", timeout=60)
    await talk(c, "right after the blip")
    assert not c.of("error"), c.of("error")

    # An outage longer than the budget: one clear error event, the call goes on from memory.
    redis_server.kill()
    await c.send("input.text", text="during a long outage")
    error = await c.wait_for("error", timeout=60)
    assert error["code"] == "store_unavailable"
    await c.wait_for("transcript", role="agent", text="You said: during a long outage", timeout=60)
    await talk(c, "still during the outage")
    redis_server.start()
    await talk(c, "after the store is back")
    assert [e["code"] for e in c.of("error")] == ["store_unavailable"]
    await c.send("ping", id="p")
    await c.wait_for("pong", id="p")
    seen = numbered(c.events)
    assert [e["seq"] for e in seen] == list(range(1, len(seen) + 1))
    await c.close()

    # Everything the caller was sent is in the replay log, in order, exactly as sent.
    await asyncio.sleep(0.5)  # the detached session's last state is written
    replayed = await replay_from_start(server.ws, "blip-1")
    assert [e for e in replayed if e["type"] != "session.ready"] == [e for e in seen if e["type"] != "session.ready"]
    # And the stored state has every turn (acknowledged to the caller by its transcript event).
    state = json.loads(redis.Redis(port=redis_server.port).hget("switchboard:session:blip-1", "state"))
    said = [t["text"] for t in state["turns"] if t["role"] == "caller"]
    assert said == ["before the outage", "during a short blip", "right after the blip", "during a long outage",
                    "still during the outage", "after the store is back"]


@pytest.mark.redis
async def test_connecting_while_the_store_is_down_is_refused_with_1013_then_resumes(redis_server, containers):
    [server] = containers(1, SWITCHBOARD_STORE_RETRY_S="1")
    c = await Client.connect(server.ws, "down-1")
    await c.start()
    await talk(c, "stored before")
    last = c.events[-1]["seq"]
    await c.close()
    await asyncio.sleep(0.5)
    redis_server.kill()
    c2 = await Client.connect(server.ws, "down-1")
    await c2.send("session.start", audio={"encoding": "pcm16", "sample_rate": 16000}, last_seq=last)
    assert await closed_with(c2) == 1013
    status, body = await asyncio.to_thread(post_turn, server, "down-1", "typed while the store is down")
    assert status == 503 and body["error"]["code"] == "store_unavailable"  # refused before the turn ran
    redis_server.start()
    c3 = await Client.connect(server.ws, "down-1")
    ready = await c3.start(last_seq=last)
    assert ready["resumed"] is True and ready["seq"] == last + 1
    reply = await talk(c3, "after the outage")
    assert reply["seq"] > ready["seq"]
    await c3.close()
    for _ in range(100):  # 409 until the container has let go of the WebSocket session
        status, body = await asyncio.to_thread(post_turn, server, "down-1", "typed once it is back")
        if status != 409:
            break
        await asyncio.sleep(0.1)
    assert status == 200 and body["events"][0]["seq"] > reply["seq"]
    state = json.loads(redis.Redis(port=redis_server.port).hget("switchboard:session:down-1", "state"))
    assert [t["text"] for t in state["turns"] if t["role"] == "caller"] == [
        "stored before", "after the outage", "typed once it is back"]


@pytest.mark.redis
async def test_a_caller_who_leaves_during_an_outage_resumes_elsewhere_once_it_is_over(redis_server, containers):
    a, b = containers(2, SWITCHBOARD_STORE_RETRY_S="1")
    c = await Client.connect(a.ws, "gone-1")
    await c.start()
    await talk(c, "before")
    redis_server.kill()
    await talk(c, "said while the store is down")
    seen = numbered(c.events)
    c.conn.transport.abort()  # the link drops too: A holds what it could not store
    await asyncio.sleep(1.5)
    redis_server.start()
    # A writes it in the background once the store answers; B then has all of it.
    r = redis.Redis(port=redis_server.port)
    for _ in range(200):
        stored = await asyncio.to_thread(r.hget, "switchboard:session:gone-1", "last_seq")
        if stored is not None and int(stored) >= seen[-1]["seq"]:
            break
        await asyncio.sleep(0.1)
    replayed = await replay_from_start(b.ws, "gone-1")
    assert [e for e in replayed if e["seq"] <= seen[-1]["seq"]] == seen


async def caller_moves_from_b_to_a(a: LocalServer, b: LocalServer, session_id: str) -> tuple[Client, Client]:
    """A turn on B, then the caller reaches A while B still holds the session (a link B thinks alive)."""
    on_b = await Client.connect(b.ws, session_id)
    await on_b.start()
    await talk(on_b, f"said to b on {session_id}")
    on_a = await Client.connect(a.ws, session_id)
    ready = await on_a.start(last_seq=on_b.events[-1]["seq"])
    assert ready["resumed"] is True and ready["seq"] == on_b.events[-1]["seq"] + 1
    return on_b, on_a


async def callers_turns_in_the_log(server: LocalServer, session_id: str) -> list[str]:
    replayed = await replay_from_start(server.ws, session_id)
    seqs = [e["seq"] for e in replayed]
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # one numbering: no seq issued twice
    return [e["text"] for e in replayed if e["type"] == "transcript" and e["role"] == "caller"]


@pytest.mark.redis
async def test_two_containers_never_both_own_a_session(containers):
    a, b = containers(2)
    on_b, on_a = await caller_moves_from_b_to_a(a, b, "split-1")
    # B learns it lost the session from the store, though nothing happened on its socket.
    assert await closed_with(on_b) == 4000
    await talk(on_a, "said to a")
    # B keeps serving its other sessions.
    other = await Client.connect(b.ws, "split-2")
    await other.start()
    await talk(other, "b keeps serving other sessions")
    await other.close()
    assert await callers_turns_in_the_log(a, "split-1") == ["said to b on split-1", "said to a"]


@pytest.mark.redis
async def test_a_turn_on_the_losing_container_is_refused_not_written(containers):
    a, b = containers(2)
    on_b, on_a = await caller_moves_from_b_to_a(a, b, "split-3")
    # Sent to B after A claimed the session: B may still echo it on its own socket, but its
    # first write is refused (stale token), so it closes with 4000 and stores nothing.
    with contextlib.suppress(websockets.ConnectionClosed):  # B may have learnt it already
        await on_b.send("input.text", text="late on b")
    assert await closed_with(on_b) == 4000
    await talk(on_a, "on a")
    await on_a.close()
    assert await callers_turns_in_the_log(a, "split-3") == ["said to b on split-3", "on a"]


@pytest.mark.redis
async def test_the_redis_store_fences_stale_owners_and_renewal_keeps_a_held_session(redis_server):
    from agent.store import StaleOwner
    from agent.store.redis_store import RedisSessionStore

    a = RedisSessionStore(redis_server.url, idle_timeout_s=60)
    b = RedisSessionStore(redis_server.url, idle_timeout_s=60)
    token_a, before = await a.claim("r1")
    assert before == 0
    await a.save("r1", {"by": "a"}, 1, token_a)
    await a.append_events("r1", [(1, '{"seq":1}')], 10, token_a)
    token_b, before = await b.claim("r1")
    assert before == token_a and token_b != token_a
    with pytest.raises(StaleOwner):
        await a.save("r1", {"by": "a"}, 9, token_a)
    with pytest.raises(StaleOwner):
        await a.append_events("r1", [(2, '{"seq":2}')], 10, token_a)
    assert await a.renew({"r1": token_a}) == {"r1"}
    mark = time.time()
    assert await b.renew({"r1": token_b}) == set()
    assert "r1" not in await a.idle_sessions(mark)  # held: no idle sweep ends it
    record = await a.load("r1")
    assert record is not None and record.state == {"by": "a"} and await a.events_after("r1", 0) == ['{"seq":1}']
    await b.delete("r1")
    assert (await a.claim("r1"))[0] not in (token_a, token_b)  # never handed out twice
    await a.close()
    await b.close()



async def test_a_session_file_locked_by_another_process_mid_call_only_delays_the_turn(server_factory):
    # A budget longer than the lock: each attempt already waits SQLite's own 5 s busy timeout.
    server = server_factory({"SWITCHBOARD_STORE_RETRY_S": "30"})
    c = await Client.connect(server.ws, "locked-1")
    await c.start()
    await talk(c, "before the lock")
    other = sqlite3.connect(server.data_dir / "sessions.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # longer than SQLite's own busy wait: "database is locked"
    try:
        await c.send("input.text", text="while the file is locked")
        await asyncio.sleep(6.5)
    finally:
        other.execute("COMMIT")
        other.close()
    await c.wait_for("transcript", role="agent", text="You said: while the file is locked", timeout=60)
    await talk(c, "after the lock")
    assert not c.of("error"), c.of("error")
    await c.close()
    await asyncio.sleep(0.5)
    replayed = await replay_from_start(server.ws, "locked-1")
    assert [e for e in replayed if e["type"] != "session.ready"] == [
        e for e in numbered(c.events) if e["type"] != "session.ready"]
