"""A local Voice Live: a WebSocket server speaking the realtime protocol as the real SDK expects it.

It serves ``/voice-live/realtime`` (the path ``azure.ai.voicelive.aio.connect`` appends),
checks the ``api-key`` header at the upgrade (401 otherwise, or any ``fail_status`` the
test asks for), answers ``session.update`` with ``session.updated`` (or an
``invalid_request_error`` naming ``session.voice`` when ``reject_voice``), and follows a
script: each ``Turn`` is "heard" once enough loud caller audio has arrived
(``speech_started`` at the first loud chunk, so an agent reply can be barged in on, then
``speech_stopped``, ``committed`` and the transcription), then its responses play one by
one: ``Say`` streams pcm16 deltas (a tone, faster than real time) with transcript deltas;
``Call`` issues a function call, and the next response waits for the client's
``function_call_output`` and ``response.create``. A ``response.create`` carrying a
``pre_generated_assistant_message`` speaks that text. A second ``response.create`` while
one is active gets the service's error. ``response.cancel`` stops the audio;
``conversation.item.truncate`` is acknowledged. Every client event is kept in
``received`` (with its connection number) for the test to inspect.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import websockets
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request

LOUD_RMS = 500.0
#: After a turn is heard, the rest of that burst of caller audio is the same turn, not a new one.
SAME_TURN_S = 0.3


@dataclass
class Say:
    text: str
    audio_ms: int = 600


@dataclass
class Call:
    name: str
    arguments: dict[str, Any] | str  # a str is sent exactly as given (malformed JSON, huge payloads)


@dataclass
class Turn:
    hear: str
    responses: list[Say | Call] = field(default_factory=list)
    hear_ms: int = 300  # loud caller audio needed before the transcription
    drop_after: bool = False  # abort the TCP connection once this turn's responses are done


class VoiceLiveEmulator:
    def __init__(self, script: list[Turn] | None = None, *, api_key: str = "test-key",
                 fail_status: int | None = None, reject_voice: bool = False, error_event: dict[str, Any] | None = None,
                 chunk_ms: int = 100, speed: float = 2.0) -> None:
        self.script = list(script or [])
        self.api_key = api_key
        self.fail_status = fail_status
        self.reject_voice = reject_voice
        self.error_event = error_event  # sent right after session.updated (auth/quota errors as events)
        self.chunk_ms = chunk_ms
        self.speed = speed
        self.received: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []  # path and headers of every upgrade attempt
        self.port = 0
        self._server: Any = None
        self._ids = itertools.count(1)
        self._conn: ServerConnection | None = None
        self._conn_no = 0
        self._rate = 24000
        self._turn = 0
        self._loud_ms = 0.0
        self._speaking = False  # caller speech in progress (speech_started sent)
        self._heard_at = 0.0
        self._pending: list[Say | Call] = []  # responses left in the current turn
        self._active: asyncio.Task[None] | None = None
        self._cancel = asyncio.Event()
        self._drop_when_done = False
        self._changed = asyncio.Condition()

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> "VoiceLiveEmulator":
        self._server = await serve(self._handler, "127.0.0.1", 0, process_request=self._check, max_size=None)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def drop(self) -> None:
        """Cut the current connection without a close frame (a network drop)."""
        if self._conn is not None and self._conn.transport is not None:
            self._conn.transport.abort()

    # --- inspection --------------------------------------------------------------------------
    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e.get("type") == kind]

    async def wait_for(self, kind: str, timeout: float = 20.0, count: int = 1) -> list[dict[str, Any]]:
        async def ready() -> list[dict[str, Any]]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.of(kind)) >= count)
            return self.of(kind)

        return await asyncio.wait_for(ready(), timeout)

    # --- the protocol ----------------------------------------------------------------------------
    def _check(self, connection: ServerConnection, request: Request) -> Any:
        self.requests.append({"path": request.path, "headers": dict(request.headers.raw_items())})
        if not request.path.startswith("/voice-live/realtime"):
            return connection.respond(404, "no such path\n")
        if request.headers.get("api-key") != self.api_key:
            return connection.respond(401, "Access denied due to invalid subscription key.\n")
        if self.fail_status is not None:
            return connection.respond(self.fail_status, "refused\n")
        return None

    async def _handler(self, conn: ServerConnection) -> None:
        self._conn = conn
        self._conn_no += 1
        number = self._conn_no
        self._speaking, self._loud_ms = False, 0.0
        await self._send({"type": "session.created", "session": {"id": f"sess_{number}"}})
        try:
            async for raw in conn:
                event = json.loads(raw)
                async with self._changed:
                    self.received.append({**event, "_conn": number})
                    self._changed.notify_all()
                await self._on(event)
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._active is not None:
                self._active.cancel()
                self._active = None

    async def _send(self, event: dict[str, Any]) -> None:
        conn = self._conn
        if conn is None:
            return
        event.setdefault("event_id", f"event_{next(self._ids)}")
        try:
            await conn.send(json.dumps(event))
        except websockets.ConnectionClosed:
            pass

    async def _on(self, ev: dict[str, Any]) -> None:
        kind = ev.get("type")
        if kind == "session.update":
            session = ev.get("session", {})
            self._rate = int(session.get("input_audio_sampling_rate") or 24000)
            if self.reject_voice:
                await self._send({"type": "error", "error": {
                    "type": "invalid_request_error", "code": "invalid_value", "param": "session.voice.name",
                    "message": f"Voice '{session.get('voice', {}).get('name')}' is not supported."}})
                return
            await self._send({"type": "session.updated", "session": session})
            if self.error_event is not None:
                await self._send({"type": "error", "error": self.error_event})
        elif kind == "input_audio_buffer.append":
            await self._audio(base64.b64decode(ev["audio"]))
        elif kind == "response.create":
            await self._response_create(ev.get("response") or {})
        elif kind == "response.cancel":
            if self._active is None:
                await self._send({"type": "error", "error": {"type": "invalid_request_error",
                                  "code": "response_cancel_not_active", "message": "no active response"}})
            self._cancel.set()
        elif kind == "conversation.item.truncate":
            await self._send({"type": "conversation.item.truncated", "item_id": ev["item_id"],
                              "content_index": ev.get("content_index", 0), "audio_end_ms": ev["audio_end_ms"]})
        elif kind == "conversation.item.create":
            item = dict(ev.get("item") or {})
            item.setdefault("id", f"item_{next(self._ids)}")
            await self._send({"type": "conversation.item.created", "item": item})

    async def _audio(self, pcm: bytes) -> None:
        if self._turn >= len(self.script):
            return
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype=np.int16).astype(np.float64)
        loud = samples.size and math.sqrt(float(np.mean(samples ** 2))) > LOUD_RMS
        if not loud or asyncio.get_running_loop().time() - self._heard_at < SAME_TURN_S:
            return
        turn = self.script[self._turn]
        if not self._speaking:
            self._speaking = True
            self._cancel.set()  # interrupt_response: the caller talking stops the agent
            await self._send({"type": "input_audio_buffer.speech_started", "audio_start_ms": 0,
                              "item_id": f"item_{next(self._ids)}"})
        self._loud_ms += samples.size / self._rate * 1000
        if self._loud_ms < turn.hear_ms:
            return
        self._turn += 1
        self._speaking, self._loud_ms = False, 0.0
        self._heard_at = asyncio.get_running_loop().time()
        item = f"item_{next(self._ids)}"
        await self._send({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": turn.hear_ms, "item_id": item})
        await self._send({"type": "input_audio_buffer.committed", "item_id": item})
        await self._send({"type": "conversation.item.input_audio_transcription.completed", "item_id": item,
                          "content_index": 0, "transcript": turn.hear})
        self._pending = list(turn.responses)
        self._drop_when_done = turn.drop_after
        await self._wait_idle()
        self._next_response()

    async def _response_create(self, response: dict[str, Any]) -> None:
        if self._active is not None:
            await self._send({"type": "error", "error": {"type": "invalid_request_error",
                              "code": "conversation_already_has_active_response",
                              "message": "Conversation already has an active response"}})
            return
        pre = response.get("pre_generated_assistant_message")
        if pre:
            text = " ".join(part.get("text", "") for part in pre.get("content", []))
            self._start(Say(text, audio_ms=max(400, 250 * len(text.split()))))
        elif self._pending:
            self._next_response()
        else:
            self._start(Say("Okay.", audio_ms=400))

    def _next_response(self) -> None:
        if self._pending:
            self._start(self._pending.pop(0))

    def _start(self, step: Say | Call) -> None:
        self._cancel.clear()
        self._active = asyncio.get_running_loop().create_task(self._respond(step))

    async def _wait_idle(self) -> None:
        while self._active is not None:
            await asyncio.sleep(0.01)

    async def _respond(self, step: Say | Call) -> None:
        rid, item = f"resp_{next(self._ids)}", f"item_{next(self._ids)}"
        status = "completed"
        try:
            await self._send({"type": "response.created", "response": {"id": rid, "status": "in_progress"}})
            if isinstance(step, Call):
                args = step.arguments if isinstance(step.arguments, str) else json.dumps(step.arguments)
                call_id = f"call_{next(self._ids)}"
                await self._send({"type": "response.output_item.added", "response_id": rid, "output_index": 0,
                                  "item": {"id": item, "type": "function_call", "name": step.name, "call_id": call_id}})
                await self._send({"type": "response.function_call_arguments.done", "response_id": rid,
                                  "item_id": item, "output_index": 0, "call_id": call_id, "name": step.name,
                                  "arguments": args})
                await self._send({"type": "response.output_item.done", "response_id": rid, "output_index": 0,
                                  "item": {"id": item, "type": "function_call", "name": step.name,
                                           "call_id": call_id, "arguments": args}})
            else:
                status = await self._speak(rid, item, step)
            await self._send({"type": "response.done", "response": {"id": rid, "status": status}})
        finally:
            self._active = None
        if status == "completed" and isinstance(step, Say) and self._drop_when_done and not self._pending:
            self._drop_when_done = False
            self.drop()

    async def _speak(self, rid: str, item: str, say: Say) -> str:
        await self._send({"type": "response.output_item.added", "response_id": rid, "output_index": 0,
                          "item": {"id": item, "type": "message", "role": "assistant"}})
        words = say.text.split()
        chunk = int(self._rate * self.chunk_ms / 1000)
        total = int(self._rate * say.audio_ms / 1000)
        chunks = max(1, math.ceil(total / chunk))
        t = np.arange(total) / self._rate
        pcm = (8000 * np.sin(2 * math.pi * 220 * t)).astype(np.int16).tobytes()
        for i in range(chunks):
            if self._cancel.is_set():
                return "cancelled"
            piece = pcm[i * chunk * 2 : (i + 1) * chunk * 2]
            await self._send({"type": "response.audio.delta", "response_id": rid, "item_id": item,
                              "output_index": 0, "content_index": 0, "delta": base64.b64encode(piece).decode()})
            first, last = len(words) * i // chunks, len(words) * (i + 1) // chunks
            if last > first:
                await self._send({"type": "response.audio_transcript.delta", "response_id": rid, "item_id": item,
                                  "output_index": 0, "content_index": 0,
                                  "delta": (" " if first else "") + " ".join(words[first:last])})
            await asyncio.sleep(self.chunk_ms / 1000 / self.speed)
        await self._send({"type": "response.audio.done", "response_id": rid, "item_id": item, "output_index": 0,
                          "content_index": 0})
        await self._send({"type": "response.audio_transcript.done", "response_id": rid, "item_id": item,
                          "output_index": 0, "content_index": 0, "transcript": say.text})
        await self._send({"type": "response.output_item.done", "response_id": rid, "output_index": 0,
                          "item": {"id": item, "type": "message", "role": "assistant", "status": "completed"}})
        return "completed"
