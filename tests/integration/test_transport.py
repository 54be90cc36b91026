"""The container's transport: a real ``switchboard serve`` process on loopback, a real client."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time
import urllib.error
import urllib.request

import pytest
import websockets

from tests.support.redis_server import RedisServer
from tests.support.wsclient import Client

pytestmark = pytest.mark.timeout(120)


async def test_text_round_trip_numbers_every_event(server):
    c = await Client.connect(server.ws, "call-1")
    ready = await c.start(channel="test")
    assert ready["session_id"] == "call-1" and ready["resumed"] is False and ready["seq"] == 1
    greeting = await c.wait_for("transcript", role="agent")
    await c.send("input.text", text="my pump is leaking")
    caller = await c.wait_for("transcript", role="caller")
    assert caller["text"] == "my pump is leaking" and caller["final"] is True and caller["kind"] == "text"
    reply = await c.wait_for("transcript", role="agent")
    assert reply["text"] == "You said: my pump is leaking"
    metrics = await c.wait_for("turn.metrics")
    assert metrics["turn"] == 1 and metrics["total_ms"] >= 0
    seqs = [e["seq"] for e in c.events]
    assert seqs == list(range(1, len(seqs) + 1)), seqs
    assert greeting["seq"] < caller["seq"] < reply["seq"] < metrics["seq"]
    await c.close()


async def test_audio_frames_are_accepted_and_counted(server):
    c = await Client.connect(server.ws, "audio-1")
    await c.start(sample_rate=8000)
    for _ in range(25):
        await c.conn.send(b"\x01\x00" * 160)  # 20 ms at 8 kHz
    await c.send("ping", id="p1")
    pong = await c.wait_for("pong", id="p1")
    assert pong["frames_in"] == 25
    await c.send("session.end")
    ended = await c.wait_for("session.ended")
    assert ended["frames_in"] == 25 and ended["bytes_in"] == 25 * 320
    with pytest.raises(websockets.ConnectionClosedOK):
        await c.recv(5)
    assert c.conn.close_code == 1000


async def test_oversize_frame_closes_1009_and_fragmented_frames_are_joined(server):
    c = await Client.connect(server.ws, "big-1")
    await c.start()
    # A 600 KiB message sent as 3 continuation fragments is one legal frame under 1 MiB.
    await c.conn.send([b"\x00\x00" * (100 * 1024)] * 3)
    await c.send("ping", id="after-fragments")
    assert (await c.wait_for("pong", id="after-fragments"))["frames_in"] == 1
    with pytest.raises(websockets.ConnectionClosedError):
        # The server may refuse the frame from its header, while we are still sending it.
        await c.conn.send(b"\x00" * (2 * 1024 * 1024))
        while True:
            await c.recv(10)
    assert c.conn.close_code == 1009


@pytest.mark.parametrize(
    "frame, code",
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_message"),
        (json.dumps({"type": "session.dance"}), "unknown_type"),
        (json.dumps({"type": "input.text", "text": 42}), "bad_message"),
        (json.dumps({"type": "input.text", "text": "x" * 5000}), "text_too_long"),
        (json.dumps({"type": "input.dtmf", "digits": "12; DROP TABLE"}), "bad_dtmf"),
        (json.dumps({"type": "playback.progress", "item_id": "a1", "played_ms": -4}), "bad_message"),
        (json.dumps({"type": "session.start"}), "already_started"),
        (b"\x00\x01\x02", "odd_audio_length"),
    ],
)
async def test_bad_input_gets_an_error_and_the_session_goes_on(server, frame, code):
    c = await Client.connect(server.ws, f"bad-{code}")
    await c.start()
    await c.conn.send(frame)
    err = await c.wait_for("error")
    assert err["code"] == code and err["message"]
    await c.send("input.text", text="still here")
    assert (await c.wait_for("transcript", role="agent", text="You said: still here"))
    await c.close()


@pytest.mark.parametrize(
    "start, code",
    [
        ({"audio": {"encoding": "pcm16", "sample_rate": 44100}}, "unsupported_sample_rate"),
        ({"audio": {"encoding": "opus", "sample_rate": 16000}}, "unsupported_encoding"),
        ({"audio": {"encoding": "pcm16", "sample_rate": "16000"}}, "unsupported_sample_rate"),
        ({"channel": "fax"}, "bad_message"),
    ],
)
async def test_bad_session_start_is_refused_and_a_good_one_still_works(server, start, code):
    c = await Client.connect(server.ws, f"start-{code}")
    await c.send("session.start", **start)
    assert (await c.wait_for("error"))["code"] == code
    await c.conn.send(b"\x00\x00" * 320)
    assert (await c.wait_for("error"))["code"] == "not_started"
    await c.send("input.text", text="hello")
    assert (await c.wait_for("error"))["code"] == "not_started"
    ready = await c.start(sample_rate=24000)
    assert ready["audio"]["sample_rate"] == 24000
    await c.close()


@pytest.mark.parametrize(
    "session_id",
    ["../../etc/passwd", "a" * 10_000, "abc%00def", "ab%0Acd", "..", "x%20y", "a%09b", "%E2%98%83"],
)
async def test_hostile_session_ids_are_refused_with_1008(server, session_id):
    async with websockets.connect(f"{server.ws}?agent_session_id={session_id}", max_size=None) as conn:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(conn.recv(), 10)
        assert conn.close_code == 1008
        assert "agent_session_id" in conn.close_reason
    leftovers = [p.name for p in server.data_dir.rglob("*") if "passwd" in p.name or p.name.startswith("..")]
    assert leftovers == []


async def test_a_request_line_too_long_for_any_id_is_refused_promptly(server):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(f"{server.ws}?agent_session_id={'a' * 100_000}", open_timeout=10)
    assert refused.value.response.status_code == 414


async def test_abrupt_drop_then_resume_replays_what_was_missed(server):
    c = await Client.connect(server.ws, "drop-1")
    await c.start()
    await c.wait_for("transcript", role="agent")
    last_seen = c.events[-1]["seq"]
    await c.send("input.text", text="the generator at site twelve is down")
    await asyncio.sleep(0.2)  # let the frame leave: abort() discards unsent bytes
    c.conn.transport.abort()  # TCP gone, no close frame: the turn finishes server-side anyway

    c2 = await Client.connect(server.ws, "drop-1")
    ready = await c2.start(last_seq=last_seen)
    assert ready["resumed"] is True
    caller = await c2.wait_for("transcript", role="caller")
    assert caller["text"] == "the generator at site twelve is down" and caller["seq"] == last_seen + 1
    assert (await c2.wait_for("transcript", role="agent"))["text"].endswith("site twelve is down")
    # The conversation goes on with seq continuing from where it was.
    await c2.send("input.text", text="thanks")
    reply = await c2.wait_for("transcript", role="agent", text="You said: thanks")
    assert reply["seq"] > caller["seq"]
    await c2.close()


async def test_replay_gap_is_reported_with_the_recent_transcript(server_factory):
    server = server_factory({"SWITCHBOARD_REPLAY_BUFFER_EVENTS": "4"})
    c = await Client.connect(server.ws, "gap-1")
    await c.start()
    for i in range(3):
        await c.send("input.text", text=f"turn {i}")
        await c.wait_for("turn.metrics")
    await c.close()
    c2 = await Client.connect(server.ws, "gap-1")
    await c2.start(last_seq=1)
    assert (await c2.wait_for("error"))["code"] == "replay_gap"
    replayed = await c2.wait_for("transcript", text="turn 2")
    assert replayed["replayed"] is True
    await c2.close()


async def test_sigterm_persists_sessions_closes_1001_and_another_container_resumes(server_factory, tmp_path):
    data = tmp_path / "shared-data"
    first = server_factory(data_dir=data)
    c = await Client.connect(first.ws, "recycle-1")
    await c.start()
    await c.send("input.text", text="before the recycle")
    await c.wait_for("turn.metrics")
    last = c.events[-1]["seq"]

    t0 = time.monotonic()
    first.proc.send_signal(signal.SIGTERM)
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await c.recv(10)
    assert c.conn.close_code == 1001
    assert first.proc.wait(10) == 0
    assert time.monotonic() - t0 < 8

    db = sqlite3.connect(data / "sessions.sqlite")
    state = json.loads(db.execute("SELECT state FROM sessions WHERE id = 'recycle-1'").fetchone()[0])
    assert [t["text"] for t in state["turns"] if t["role"] == "caller"] == ["before the recycle"]

    second = server_factory(data_dir=data)
    c2 = await Client.connect(second.ws, "recycle-1")
    ready = await c2.start(last_seq=last)
    assert ready["resumed"] is True and ready["seq"] == last + 1
    await c2.send("input.text", text="after the recycle")
    await c2.wait_for("turn.metrics")
    await c2.send("session.end")
    await c2.wait_for("session.ended")
    state = json.loads(db.execute("SELECT state FROM sessions WHERE id = 'recycle-1'").fetchone()[0])
    assert [t["text"] for t in state["turns"] if t["role"] == "caller"] == ["before the recycle", "after the recycle"]


async def test_a_second_connection_takes_the_session_over(server):
    c1 = await Client.connect(server.ws, "twin-1")
    await c1.start()
    c2 = await Client.connect(server.ws, "twin-1")
    assert (await c2.start())["resumed"] is True
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await c1.recv(10)
    assert c1.conn.close_code == 4000
    await c2.send("input.text", text="one owner")
    assert await c2.wait_for("transcript", role="agent", text="You said: one owner")
    await c2.close()


def _post(url: str, body: bytes) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


async def test_http_invocation_runs_a_text_turn_on_the_same_session(server):
    status, body = await asyncio.to_thread(
        _post, f"{server.http}/invocations", json.dumps({"text": "hello over http", "session_id": "http-1"}).encode())
    assert status == 200 and body["session_id"] == "http-1"
    kinds = [e["type"] for e in body["events"]]
    assert kinds == ["transcript", "transcript", "turn.metrics"]
    assert body["events"][1]["text"] == "You said: hello over http"
    # The same session continues over the WebSocket, numbering where HTTP left off.
    c = await Client.connect(server.ws, "http-1")
    ready = await c.start()
    assert ready["resumed"] is True and ready["seq"] == body["events"][-1]["seq"] + 1
    await c.close()

    for payload, code in [(b"{oops", "bad_json"), (b"[]", "bad_message"), (b'{"text": ""}', "bad_message"),
                          (json.dumps({"text": "x", "session_id": "../x"}).encode(), "bad_session_id")]:
        status, body = await asyncio.to_thread(_post, f"{server.http}/invocations", payload)
        assert status == 400 and body["error"]["code"] == code


async def test_keepalive_pings_when_configured(server_factory):
    server = server_factory({"WS_KEEPALIVE_INTERVAL": "0.3"})
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"GET /invocations_ws?agent_session_id=ka-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert b" 101 " in head
    first = await asyncio.wait_for(reader.readexactly(2), 5)
    assert first[0] == 0x89  # FIN + ping opcode, with no traffic from us
    writer.close()


@pytest.mark.redis
async def test_two_containers_sharing_redis_resume_each_others_sessions(server_factory, tmp_path):
    redis = RedisServer(tmp_path / "redis").start()
    try:
        env = {"SWITCHBOARD_REDIS_URL": redis.url}
        a = server_factory(env, data_dir=tmp_path / "a")
        b = server_factory(env, data_dir=tmp_path / "b")
        c = await Client.connect(a.ws, "scale-1")
        await c.start()
        await c.send("input.text", text="said to container a")
        await c.wait_for("turn.metrics")
        seen = c.events[-1]["seq"]
        await c.send("input.text", text="also said to a")
        c.conn.transport.abort()
        await asyncio.sleep(0.5)  # container a finishes the turn and persists it to redis

        c2 = await Client.connect(b.ws, "scale-1")
        ready = await c2.start(last_seq=seen)
        assert ready["resumed"] is True
        assert (await c2.wait_for("transcript", role="caller"))["text"] == "also said to a"
        await c2.send("input.text", text="said to container b")
        await c2.wait_for("transcript", role="agent", text="You said: said to container b")
        await c2.close()
        # And back to a, which must not use a stale in-memory copy.
        await asyncio.sleep(0.3)
        c3 = await Client.connect(a.ws, "scale-1")
        await c3.start(last_seq=c2.events[-1]["seq"])
        await c3.send("input.text", text="back on a")
        await c3.wait_for("transcript", role="agent", text="You said: back on a")
        metrics = await c3.wait_for("turn.metrics")
        assert metrics["turn"] == 4
        await c3.close()
    finally:
        redis.stop()
