"""``Caller``: one call over ``/invocations_ws``, the way a phone bridge would place it.

A microphone pump sends 20 ms PCM16 frames in real time for the whole call (caller speech
when there is some, silence otherwise), because the agent's end-of-turn detection needs the
silence after speech, just as on a phone line. Turns are driven with ``say_audio``,
``type_text`` and ``dtmf``; each waits until the agent has answered (``turn.metrics``) and
its audio has finished. A dropped connection (anything but a normal close) is resumed with
the same session id and ``last_seq``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any, Callable

import websockets
from websockets.exceptions import ConnectionClosed

from agent.wire import client as codec
from agent.dev.client.audio import frames
from agent.dev.client.render import CallLog
from agent.wire.protocol import (AudioClear, AudioEnd, AudioFormat, AudioStart, ClientMessage, InputDtmf, InputText,
                            SessionEnd, SessionEnded, SessionReady, SessionStart, Transcript, TurnMetrics)


class CallError(RuntimeError):
    """The call could not go on (refused, closed for good, or the agent stopped answering)."""


class Caller:
    def __init__(
        self,
        url: str,
        *,
        sample_rate: int = 16000,
        session_id: str | None = None,
        headers: dict[str, str] | None = None,
        channel: str = "test",
        on_line: Callable[[str], None] = print,
        turn_timeout_s: float = 90.0,
        reconnects: int = 5,
    ) -> None:
        self.url = url
        self.rate = sample_rate
        self.session_id = session_id or f"call-{uuid.uuid4().hex[:12]}"
        self.headers = headers or {}
        self.channel = channel
        self.on_line = on_line
        self.turn_timeout_s = turn_timeout_s
        self.reconnects = reconnects
        self.log = CallLog()
        self.agent_audio = bytearray()
        self.speech = False
        self.last_seq = 0
        self._conn: websockets.ClientConnection | None = None
        self._mic: asyncio.Queue[bytes] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Condition()
        self._open_items: set[str] = set()
        self._metrics_seen = 0
        self._closed: ConnectionClosed | None = None
        self._ended = False
        self._ready: SessionReady | None = None

    # --- connection ------------------------------------------------------------------
    def ws_url(self) -> str:
        return codec.session_url(self.url, self.session_id)

    async def connect(self) -> SessionReady:
        """Open the socket and start the session; returns ``session.ready``."""
        await self._open(resume=False)
        self._tasks.append(asyncio.create_task(self._pump_mic()))
        assert self._ready is not None
        return self._ready

    async def _open(self, *, resume: bool) -> None:
        try:
            self._conn = await websockets.connect(self.ws_url(), additional_headers=codec.upgrade_headers(self.headers),
                                                  max_size=None, open_timeout=15)
        except (OSError, ValueError, websockets.InvalidHandshake, asyncio.TimeoutError) as exc:
            raise CallError(f"cannot connect to {self.url}: {exc}") from None
        start = SessionStart(AudioFormat("pcm16", self.rate), self.channel, last_seq=self.last_seq if resume else None)
        self._ready = None
        self._closed = None
        await self._conn.send(codec.encode(start))
        self._tasks.append(asyncio.create_task(self._receive(self._conn)))
        await self._wait(lambda: self._ready is not None or self._closed is not None, 30.0, "session.ready")
        if self._ready is None:
            raise CallError(f"the agent closed the connection before session.ready ({self._close_text()})")
        self.speech = bool(self._ready.speech)

    async def _receive(self, conn: websockets.ClientConnection) -> None:
        try:
            async for frame in conn:
                if isinstance(frame, bytes):
                    self.agent_audio.extend(frame)
                    continue
                try:
                    self._handle(codec.decode(frame))
                except codec.DecodeError as exc:
                    self.on_line(f"   (ignored a bad event: {exc})")
                async with self._changed:
                    self._changed.notify_all()
        except ConnectionClosed as exc:
            self._closed = exc
        else:  # a clean close (1000/1001) ends the iteration without raising
            self._closed = conn.protocol.close_exc
        async with self._changed:
            self._changed.notify_all()
        if not self._ended and self._closed.rcvd and codec.ends_session(self._closed.rcvd.code):
            self._ended = True
        if not self._ended and self._ready is not None:  # a socket that never got ready is retried by _resume itself
            await self._resume()

    async def _resume(self) -> None:
        """Reconnect with the same session id and ``last_seq``, backing off 0.5 s, 1 s, 2 s, …"""
        self.on_line(f"   (connection dropped: {self._close_text()}; resuming from seq {self.last_seq})")
        for attempt in range(self.reconnects):
            await asyncio.sleep(min(8.0, 0.5 * 2 ** attempt))
            try:
                await self._open(resume=True)
                return
            except CallError as exc:
                self.on_line(f"   (resume attempt {attempt + 1} failed: {exc})")
        self.on_line("   (could not resume the call)")
        self._ended = True
        async with self._changed:
            self._changed.notify_all()

    def _handle(self, incoming: codec.Incoming) -> None:
        if incoming.seq is not None and incoming.seq > 0:
            self.last_seq = max(self.last_seq, incoming.seq)
        ev = incoming.event
        if isinstance(ev, SessionReady):
            self._ready = ev
        elif isinstance(ev, AudioStart) or (isinstance(ev, Transcript) and ev.role == "agent" and ev.item_id
                                            and self.speech and not ev.replayed):
            # An agent line with an item id will be spoken: the turn is not over until its audio ends,
            # even if synthesis is slow to start.
            self._open_items.add(str(ev.item_id))
        elif isinstance(ev, (AudioEnd, AudioClear)):
            self._open_items.discard(ev.item_id)
        elif isinstance(ev, TurnMetrics):
            self._metrics_seen += 1
        elif isinstance(ev, SessionEnded):
            self._ended = True
        line = self.log.add(incoming.raw)
        if line:
            self.on_line(line)

    def _close_text(self) -> str:
        rcvd = self._closed.rcvd if self._closed else None
        return f"close {rcvd.code} {rcvd.reason}".strip() if rcvd else "no close frame"

    async def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(done), timeout)
            except asyncio.TimeoutError:
                raise CallError(f"no {what} from the agent within {timeout:.0f}s") from None

    # --- microphone ------------------------------------------------------------------
    async def _pump_mic(self) -> None:
        """Real-time 20 ms frames: queued caller audio first, silence otherwise (audio sessions only)."""
        loop = asyncio.get_running_loop()
        silence = bytes(codec.frame_bytes(self.rate))
        next_at = loop.time()
        while not self._ended:
            frame = self._mic.get_nowait() if not self._mic.empty() else silence
            conn = self._conn
            if self.speech and conn is not None and self._closed is None:
                with contextlib.suppress(ConnectionClosed):
                    await conn.send(frame)
            next_at += codec.FRAME_MS / 1000
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    # --- turns -----------------------------------------------------------------------
    async def wait_quiet(self, quiet_s: float = 0.6, timeout: float | None = None) -> None:
        """Until the agent has said something, its audio has ended and no event came for ``quiet_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or self.turn_timeout_s)
        await self._wait(lambda: bool(self.log.current.agent) or self._ended, timeout or self.turn_timeout_s,
                         "greeting")
        while not self._ended:
            count = len(self.agent_audio), self.last_seq
            await asyncio.sleep(quiet_s)
            if (len(self.agent_audio), self.last_seq) == count and not self._open_items:
                return
            if loop.time() > deadline:
                raise CallError("the agent kept talking past the turn timeout")

    async def _turn(self, send: Callable[[], Any]) -> None:
        seen = self._metrics_seen
        await send()
        await self._wait(lambda: self._metrics_seen > seen or self._ended, self.turn_timeout_s, "answer")
        await self.wait_quiet()

    async def say_audio(self, pcm: bytes) -> None:
        """Speak ``pcm`` (PCM16 at the session rate) in real time and wait for the answer."""
        if not self.speech:
            raise CallError("this endpoint does not understand audio (session.ready speech=false); "
                            "use typed turns")

        async def send() -> None:
            for frame in frames(pcm, self.rate):
                self._mic.put_nowait(frame)
        await self._turn(send)

    async def type_text(self, text: str) -> None:
        await self._turn(lambda: self._send(InputText(text)))

    async def dtmf(self, digits: str) -> None:
        await self._turn(lambda: self._send(InputDtmf(digits)))

    async def _send(self, message: ClientMessage) -> None:
        if self._closed is not None and not self._ended:
            # Dropped: a resume is under way; the turn goes out on the new connection.
            await self._wait(lambda: self._closed is None or self._ended, 30.0, "reconnection")
        if self._conn is None or self._closed is not None or self._ended:
            raise CallError(f"the connection is closed ({self._close_text()})")
        await self._conn.send(codec.encode(message))

    async def hangup(self, reason: str = "caller hung up") -> None:
        if not self._ended and self._closed is None:
            with contextlib.suppress(ConnectionClosed, CallError):
                await self._send(SessionEnd(reason))
                await self._wait(lambda: self._ended or self._closed is not None, 10.0, "session.ended")
        await self.close()

    async def close(self) -> None:
        self._ended = True
        if self._conn is not None:
            await self._conn.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
