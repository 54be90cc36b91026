"""Telemetry of real calls: the app served by Hypercorn on loopback in this event loop,
a real WebSocket client, and in-memory OpenTelemetry exporters.

Asserts the connection span continues the client's trace (``traceparent`` on the upgrade),
turn and stage spans hang under it, frames and bytes are counted exactly, close codes
and per-stage latencies are recorded, and a call record is written when the call ends.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import pytest
import websockets

from agent.observability import telemetry
from agent.contracts.actions import CallerInput, RouteEvent, Say
from agent.app import create_app
from agent.config import Settings
from agent.speech.engine import FinalTranscript
from agent.contracts.state import CallState
from tests.support.otel import Otel, otel  # noqa: F401 - the fixture
from tests.support.speech_fakes import QuietChannel, QuietSpeech

pytestmark = pytest.mark.timeout(60)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN = "00f067aa0ba902b7"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def serve_app(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    from hypercorn.asyncio import serve

    stops: list[tuple[asyncio.Event, asyncio.Task[None], Any]] = []

    async def start(**kw: Any) -> tuple[str, Any]:
        settings = Settings(data_dir=tmp_path / "data", brain="placeholder", speech_engine="none")
        app, hub = create_app(settings, **kw)
        await hub.start()
        port = _free_port()
        config = app._build_hypercorn_config("127.0.0.1", port)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
        for _ in range(200):
            try:
                _, w = await asyncio.open_connection("127.0.0.1", port)
                w.close()
                break
            except OSError:
                await asyncio.sleep(0.02)
        stops.append((stop, task, hub))
        return f"ws://127.0.0.1:{port}/invocations_ws", hub

    yield start
    for stop, task, hub in stops:
        await hub.shutdown()
        stop.set()
        await asyncio.wait_for(task, 10)


class Wire:
    """A client that keeps an exact tally of every frame in both directions."""

    def __init__(self, conn: websockets.ClientConnection) -> None:
        self.conn = conn
        self.sent = self.sent_bytes = self.received = self.received_bytes = 0
        self.events: list[dict[str, Any]] = []

    async def send(self, frame: str | bytes) -> None:
        await self.conn.send(frame)
        self.sent += 1
        self.sent_bytes += len(frame) if isinstance(frame, bytes) else len(frame.encode())

    async def json(self, kind: str, **fields: Any) -> None:
        await self.send(json.dumps({"type": kind, **fields}))

    async def until(self, kind: str) -> dict[str, Any]:
        while True:
            frame = await asyncio.wait_for(self.conn.recv(), 15)
            self._count(frame)
            if isinstance(frame, str):
                body = json.loads(frame)
                self.events.append(body)
                if body["type"] == kind:
                    return body

    async def drain(self) -> None:
        """Read to the end: the server closes after session.ended."""
        try:
            while True:
                self._count(await asyncio.wait_for(self.conn.recv(), 15))
        except websockets.ConnectionClosed:
            pass

    def _count(self, frame: str | bytes) -> None:
        self.received += 1
        self.received_bytes += len(frame) if isinstance(frame, bytes) else len(frame.encode())


async def _until_closed(otel: Otel, connections: int = 1) -> None:
    for _ in range(250):
        if otel.total(telemetry.WS_CLOSE_CODE) >= connections:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the connection was never recorded as closed")


async def test_text_call_traces_and_counts_every_frame(otel: Otel, serve_app: Any, tmp_path: Path) -> None:
    url, _ = await serve_app(speech=None)
    headers = {"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN}-01", "tracestate": "bridge=acs1",
               "baggage": "tenant=contoso"}
    conn = await websockets.connect(f"{url}?agent_session_id=tel-1", additional_headers=headers)
    c = Wire(conn)
    await c.json("session.start", audio={"encoding": "pcm16", "sample_rate": 16000}, channel="test")
    await c.until("session.ready")
    for _ in range(3):
        await c.send(b"\x00\x01" * 320)  # audio is counted even with no speech engine
    await c.json("input.text", text="my pump is leaking")
    metrics = await c.until("turn.metrics")
    await c.json("ping", id="p1")
    await c.until("pong")
    await c.json("session.end", reason="caller hung up")
    await c.drain()
    await _until_closed(otel)

    assert otel.total(telemetry.WS_FRAMES_RECEIVED) == c.sent == 7
    assert otel.total(telemetry.WS_BYTES_RECEIVED) == c.sent_bytes
    assert otel.total(telemetry.WS_FRAMES_SENT) == c.received
    assert otel.total(telemetry.WS_BYTES_SENT) == c.received_bytes
    assert otel.total(telemetry.WS_CLOSE_CODE, **{telemetry.A_CLOSE_CODE: 1000}) == 1
    assert otel.total(telemetry.WS_ACTIVE) == 0
    [duration] = otel.points(telemetry.WS_DURATION)
    assert duration.count == 1 and duration.sum > 0

    [conn_span] = otel.named(telemetry.SPAN_CONNECTION)
    assert format(conn_span.context.trace_id, "032x") == TRACE_ID
    assert format(conn_span.parent.span_id, "016x") == PARENT_SPAN
    assert conn_span.context.trace_state.get("bridge") == "acs1"
    assert conn_span.attributes["session.id"] == "tel-1"
    assert conn_span.attributes[telemetry.A_CLOSE_CODE] == 1000
    [turn] = otel.named(telemetry.SPAN_TURN)
    assert turn.parent.span_id == conn_span.context.span_id and turn.context.trace_id == conn_span.context.trace_id
    [agent] = otel.named("voice.stage.agent")
    assert agent.parent.span_id == turn.context.span_id
    [stage] = [p for p in otel.points(telemetry.TURN_STAGE_MS) if p.attributes[telemetry.A_STAGE] == "agent"]
    # from the turn being picked up to the first sentence: within the caller-perceived latency
    assert stage.count == 1 and 0 <= stage.sum <= metrics["first_say_ms"]
    assert (agent.end_time - agent.start_time) / 1e6 == pytest.approx(stage.sum, abs=0.06)  # the histogram keeps 0.1 ms
    [latency] = otel.points(telemetry.TURN_LATENCY_MS)
    assert latency.count == 1 and latency.sum == metrics["first_say_ms"]
    assert otel.total(telemetry.CALLS_ENDED, **{telemetry.A_OUTCOME: "abandoned"}) == 1

    [record] = [json.loads(line) for line in (tmp_path / "data" / "calls.jsonl").read_text().splitlines()]
    assert record["session_id"] == "tel-1" and record["channel"] == "test"
    assert record["turns"][0]["stages"]["agent"] == stage.sum
    assert record["turns"][0]["latency_ms"] == metrics["first_say_ms"]
    assert record["usage"]["call_s"] > 0 and record["cost"]["currency"] == "USD"


async def test_refused_and_dropped_connections_record_their_close_codes(otel: Otel, serve_app: Any) -> None:
    url, _ = await serve_app(speech=None)
    bad = await websockets.connect(f"{url}?agent_session_id=..")
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(bad.recv(), 10)
    assert closed.value.rcvd.code == 1008
    dropped = await websockets.connect(f"{url}?agent_session_id=tel-drop")
    await dropped.send(json.dumps({"type": "session.start", "audio": {"encoding": "pcm16", "sample_rate": 16000}}))
    await asyncio.wait_for(dropped.recv(), 10)
    dropped.transport.abort()  # no close frame: the peer just vanished
    await _until_closed(otel, 2)
    assert otel.total(telemetry.WS_CLOSE_CODE, **{telemetry.A_CLOSE_CODE: 1008}) == 1
    assert otel.total(telemetry.WS_CLOSE_CODE, **{telemetry.A_CLOSE_CODE: 1006}) == 1
    assert otel.total(telemetry.WS_ACTIVE) == 0


async def test_a_dropped_call_gets_its_record_when_it_expires(otel: Otel, serve_app: Any, tmp_path: Path) -> None:
    url, hub = await serve_app(speech=None)
    c = Wire(await websockets.connect(f"{url}?agent_session_id=tel-gone"))
    await c.json("session.start", audio={"encoding": "pcm16", "sample_rate": 16000})
    await c.json("input.text", text="hello")
    await c.until("turn.metrics")
    await c.conn.close()  # the caller's link dropped: no session.end, the session waits for a resume
    await _until_closed(otel)
    records = tmp_path / "data" / "calls.jsonl"
    assert not records.exists()
    later = time.time() + hub.settings.session_idle_timeout_s + 1
    assert await hub.expire_idle(now=later) == ["tel-gone"]
    assert await hub.expire_idle(now=later) == []
    [record] = [json.loads(line) for line in records.read_text().splitlines()]
    assert record["session_id"] == "tel-gone" and record["outcome"] == "abandoned" and len(record["turns"]) == 1
    assert otel.total(telemetry.CALLS_ENDED) == 1
    # Hypercorn hands the app 1006 for any close the client starts (it drops the client's code):
    # on the agent's side a close without session.end is a drop, whatever the client sent.
    assert otel.total(telemetry.WS_CLOSE_CODE, **{telemetry.A_CLOSE_CODE: 1006}) == 1


# --- a spoken turn: every stage -------------------------------------------------------
STT_MS = 120.0
SPEECH_ENDED_S_AGO = 0.4


class ScriptedChannel(QuietChannel):
    """The recogniser's result is scripted: the first audio frame ends a caller utterance that
    finished SPEECH_ENDED_S_AGO ago and took STT_MS to recognise."""

    _heard = False

    async def feed(self, pcm: bytes) -> None:
        if not self._heard:
            self._heard = True
            now = time.monotonic()
            await self._on_event(FinalTranscript(text="reset my password", speech_end_ms=1000.0,
                                                 speech_end_at=now - SPEECH_ENDED_S_AGO, stt_ms=STT_MS,
                                                 rtf=4.0, audio_ms=1000.0))


class ScriptedSpeech(QuietSpeech):
    name = "scripted"
    channel = ScriptedChannel


class RoutingBrain:
    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def greet(self, state: CallState) -> AsyncIterator[Any]:
        yield Say("Hello.")

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Any]:
        await asyncio.sleep(0.02)
        state.routes.append({"turn": turn.turn, "target": "it_ops", "intent": "it.password_reset", "confidence": 0.9})
        yield RouteEvent("it_ops", "it.password_reset", 0.9, "password words")
        await asyncio.sleep(0.03)
        yield Say("I can reset that.")

    async def handoff_result(self, ok: bool, reason: str, state: CallState) -> AsyncIterator[Any]:
        yield Say("Transferred.")

    async def end(self, state: CallState) -> None:
        state.outcome = "resolved"


async def test_spoken_turn_records_every_stage(otel: Otel, serve_app: Any, tmp_path: Path) -> None:
    url, _ = await serve_app(speech=ScriptedSpeech(), brain=RoutingBrain())
    c = Wire(await websockets.connect(f"{url}?agent_session_id=tel-voice"))
    await c.json("session.start", audio={"encoding": "pcm16", "sample_rate": 16000}, channel="phone")
    await c.until("session.ready")
    await c.send(b"\x00\x00" * 320)
    metrics = await c.until("turn.metrics")
    await c.json("session.end")
    await c.drain()
    await _until_closed(otel)

    by_stage = {p.attributes[telemetry.A_STAGE]: p for p in otel.points(telemetry.TURN_STAGE_MS)}
    assert set(by_stage) == set(telemetry.STAGES)
    assert by_stage["stt"].sum == STT_MS
    assert by_stage["endpoint"].sum >= SPEECH_ENDED_S_AGO * 1000 - STT_MS - 1
    assert by_stage["tts"].sum == pytest.approx(metrics["first_audio_ms"] - metrics["first_say_ms"], abs=0.2)
    [turn] = otel.named(telemetry.SPAN_TURN)
    stage_spans = {s.attributes[telemetry.A_STAGE]: s for s in otel.spans.get_finished_spans()
                   if s.name.startswith("voice.stage.")}
    assert set(stage_spans) == set(telemetry.STAGES)
    assert all(s.parent.span_id == turn.context.span_id for s in stage_spans.values())
    assert turn.start_time <= stage_spans["endpoint"].start_time < stage_spans["stt"].start_time
    assert otel.total(telemetry.ROUTES, **{"voice.route.target": "it_ops"}) == 1
    assert otel.points(telemetry.STT_RTF)[0].sum == pytest.approx(0.25)
    [tts_rtf] = otel.points(telemetry.TTS_RTF)  # greeting + reply, each 10 ms of work for 100 ms of audio
    assert tts_rtf.count == 2 and tts_rtf.min >= 0.09
    assert otel.total(telemetry.CALLS_ENDED, **{telemetry.A_OUTCOME: "resolved"}) == 1
    assert otel.total(telemetry.AUDIO_IN_S) == pytest.approx(0.02)

    [record] = [json.loads(line) for line in (tmp_path / "data" / "calls.jsonl").read_text().splitlines()]
    assert record["outcome"] == "resolved" and record["routes"][0]["target"] == "it_ops"
    assert record["turns"][0]["stages"]["stt"] == STT_MS
    assert record["usage"]["tts_chars"] == len("Hello.") + len("I can reset that.")
    assert record["usage"]["audio_out_s"] == pytest.approx(0.2)
    assert set(record["cost"]["items"]) >= {"stt", "tts", "telephony"} and record["cost"]["total"] > 0
