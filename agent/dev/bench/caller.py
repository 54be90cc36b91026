"""A spoken caller on ``/invocations_ws``: streams audio at real-time pace, records what comes back.

Like a phone line, it sends 20 ms frames continuously (silence when the caller is not
talking) so the agent's VAD sees real silence. Caller-audio time (``audio_ms``, ms of
audio sent so far) stamps every received event, so tests and benchmarks measure in
audio time as well as wall time. Optionally it plays the agent's audio back into its
own input at a given attenuation (an echo path).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import websockets

from agent.wire import client as codec
from agent.wire.protocol import (AudioClear, AudioEnd, AudioFormat, AudioStart, ClientMessage, ServerEvent, SessionEnd,
                            SessionStart)
from agent.wire.client import FRAME_MS


@dataclass
class Received:
    event: ServerEvent | codec.UnknownEvent
    body: dict[str, Any]  # as received: what tests assert on
    audio_ms: float  # caller audio sent when it arrived
    at: float  # time.monotonic()
    audio_in: int  # bytes of agent audio received before it


@dataclass
class SpokenCall:
    url: str
    sample_rate: int = 16000
    echo_db: float | None = None  # feed agent audio back at this gain (e.g. -20), as a phone echo would
    events: list[Received] = field(default_factory=list)
    agent_audio: bytearray = field(default_factory=bytearray)
    audio_ms: float = 0.0
    late_frames: int = 0  # frames the sender could not send on time (its own lateness: dropped audio)
    frames_sent: int = 0
    underruns: int = 0  # times agent audio arrived after a playing client's buffer had run dry
    underrun_ms: float = 0.0
    _buffered_until: float | None = None  # when the simulated client playout buffer runs dry
    _queue: deque = field(default_factory=deque)  # caller speech frames waiting to be sent
    _echo: deque = field(default_factory=deque)  # agent audio frames to feed back
    _conn: Any = None
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _sent_at: list[float] = field(default_factory=list)  # time.monotonic() each frame went out

    @property
    def frame_samples(self) -> int:
        return codec.frame_bytes(self.sample_rate) // 2

    async def connect(self, session_id: str | None = None) -> dict[str, Any]:
        url = codec.session_url(self.url, session_id)  # merged: the URL may carry a query of its own
        self._conn = await websockets.connect(url, max_size=None)
        await self.send(SessionStart(AudioFormat("pcm16", self.sample_rate), "test"))
        self._tasks = [asyncio.create_task(self._receive()), asyncio.create_task(self._stream())]
        return (await self.wait_for("session.ready")).body

    async def send(self, message: ClientMessage) -> None:
        await self._conn.send(codec.encode(message))

    def say(self, pcm: np.ndarray) -> float:
        """Queue caller speech; returns the caller-audio time at which it will start."""
        start = self.audio_ms + len(self._queue) * FRAME_MS
        n = self.frame_samples
        pcm = np.asarray(pcm, dtype=np.int16)
        pcm = np.concatenate([pcm, np.zeros(-pcm.size % n, dtype=np.int16)])
        self._queue.extend(pcm.reshape(-1, n))
        return start

    async def _stream(self) -> None:
        n = self.frame_samples
        t0 = time.monotonic()
        sent = 0
        while True:
            frame = self._queue.popleft() if self._queue else np.zeros(n, dtype=np.int16)
            if self._echo:
                frame = np.clip(frame.astype(np.int32) + self._echo.popleft(), -32768, 32767).astype(np.int16)
            await self._conn.send(frame.tobytes())
            sent += 1
            self.frames_sent = sent
            self._sent_at.append(time.monotonic())
            self.audio_ms = sent * FRAME_MS
            delay = t0 + sent * FRAME_MS / 1000 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.1:
                self.late_frames += 1

    async def _receive(self) -> None:
        n = self.frame_samples
        async for frame in self._conn:
            if isinstance(frame, bytes):
                self.agent_audio.extend(frame)
                self._playout(len(frame) / 2 / self.sample_rate)
                if self.echo_db is not None:
                    pcm = np.frombuffer(frame, dtype=np.int16).astype(np.float64) * 10 ** (self.echo_db / 20)
                    pcm = np.concatenate([pcm, np.zeros(-pcm.size % n)]).astype(np.int16)
                    self._echo.extend(pcm.reshape(-1, n))
                continue
            incoming = codec.decode(frame)  # a malformed event fails the benchmark: the contract is broken
            if isinstance(incoming.event, AudioClear):
                self._echo.clear()  # the client drops its buffered agent audio, so no more echo of it
            if isinstance(incoming.event, (AudioStart, AudioEnd, AudioClear)):
                self._buffered_until = None  # a new item starts (or playing stops): no underrun across items
            self.events.append(Received(incoming.event, incoming.raw, self.audio_ms, time.monotonic(),
                                        len(self.agent_audio)))
            self._changed.set()

    def _playout(self, seconds: float) -> None:
        now = time.monotonic()
        if self._buffered_until is not None and now > self._buffered_until + 0.02:
            self.underruns += 1
            self.underrun_ms += (now - self._buffered_until) * 1000
        self._buffered_until = max(now, self._buffered_until or now) + seconds

    def speaking(self) -> bool:
        return bool(self._queue)

    def sent_at(self, audio_ms: float) -> float | None:
        """``time.monotonic()`` when the caller audio up to ``audio_ms`` had been sent, if it has."""
        i = int(round(audio_ms / FRAME_MS)) - 1
        return self._sent_at[i] if 0 <= i < len(self._sent_at) else None

    def of(self, event_type: str, **match: Any) -> list[Received]:
        return [r for r in self.events if r.body.get("type") == event_type
                and all(r.body.get(k) == v for k, v in match.items())]

    async def wait_for(self, event_type: str, timeout: float = 30.0, after: int = 0, **match: Any) -> Received:
        """The first event of ``event_type`` (matching fields) among events[after:]."""
        deadline = time.monotonic() + timeout
        while True:
            for r in self.events[after:]:
                if r.body.get("type") == event_type and all(r.body.get(k) == v for k, v in match.items()):
                    return r
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {event_type} {match or ''} within {timeout}s; got "
                                   f"{[r.body.get('type') for r in self.events[after:]]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def close(self, end: bool = True) -> None:
        receiver, sender = self._tasks or (None, None)
        if sender is not None:
            sender.cancel()  # hang up: no audio after session.end, so frames_sent == the server's frames_in
            await asyncio.gather(sender, return_exceptions=True)
        if end and self._conn is not None:
            try:
                await self.send(SessionEnd("caller hung up"))
                await self.wait_for("session.ended", timeout=15)
            except Exception:
                pass
        if receiver is not None:
            receiver.cancel()
            await asyncio.gather(receiver, return_exceptions=True)
        if self._conn is not None:
            await self._conn.close()
