"""The bridge's client for the agent's ``/invocations_ws``, surviving recycles without losing caller audio.

One ``AgentLink`` per call. It connects with ``agent_session_id=`` merged into the agent URL's query
(and the Foundry preview header), sends ``session.start``
(with ``last_seq`` when resuming), and keeps going when the platform recycles the socket
(1001) or it drops (1006): reconnect with exponential backoff and jitter, same session id.

Caller audio is never lost across a gap: every frame stays in ``_unacked`` until the agent
confirms it. The link sends ``ping {id: "a<N>"}`` every few frames; the agent answers
``pong`` only after handling every earlier frame, so the pong acknowledges frames 1..N.
On reconnect everything unacknowledged is sent again, in order. The window is bounded
(``gap_buffer_s`` of audio); beyond it the oldest frames are dropped and counted. A frame
handled by the old container after its last pong is sent twice (at most one ping period, 200 ms).
Pongs are transient on the agent (never stored or replayed), so they cost it no disk I/O.

Agent audio is never duplicated (the agent does not replay audio) and replayed text events
whose ``seq`` was already seen are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from agent.wire import client as codec
from agent.observability import telemetry
from agent.wire.protocol import (MAX_FRAME_BYTES, AudioFormat, ClientMessage, Ping, Pong, ServerEvent, SessionEnd,
                            SessionReady, SessionStart)
from agent.wire.client import UnknownEvent
from agent.transport.wsclient import send_messages
from agent.transport.wsframes import MaskKeys

log = logging.getLogger("switchboard.bridge.link")
#: websockets logs the upgrade's headers (the Entra bearer token) at DEBUG: never below INFO here.
_ws_log = logging.getLogger("switchboard.bridge.agent_ws")
_ws_log.setLevel(logging.INFO)

PING_EVERY_FRAMES = 10  # 200 ms of 20 ms packets: bounds the audio re-sent after a recycle
IDLE_PING_S = 0.2  # audio that stops between two pings is confirmed this long after the last frame
FOUNDRY_SCOPE = "https://ai.azure.com/.default"


class TokenProvider(Protocol):
    async def headers(self) -> dict[str, str]:
        """Headers for the WebSocket upgrade (empty when the agent needs no auth)."""
        ...


class NoAuth:
    async def headers(self) -> dict[str, str]:
        return {}


class EntraTokenProvider:
    """A Microsoft Entra bearer token for the Foundry endpoint, from any azure-identity async credential."""

    def __init__(self, credential: Any = None, scope: str = FOUNDRY_SCOPE) -> None:
        if credential is None:
            from azure.identity.aio import DefaultAzureCredential

            credential = DefaultAzureCredential()
        self._credential = credential
        self._scope = scope

    async def headers(self) -> dict[str, str]:
        token = await self._credential.get_token(self._scope)  # cached and refreshed by azure-identity
        return {"Authorization": f"Bearer {token.token}"}


class AgentUnavailable(Exception):
    """The agent could not be reached for longer than the outage limit."""


@dataclass
class LinkStats:
    frames_sent: int = 0  # distinct caller frames offered by the bridge
    frames_acked: int = 0  # confirmed handled by the agent (pong)
    frames_resent: int = 0
    frames_dropped: int = 0  # fell out of the bounded window during a long gap
    reconnects: int = 0
    events_skipped: int = 0  # replayed events already seen
    last_gap_s: float = 0.0  # time between losing and regaining the agent
    acked_at_drops: list[int] = field(default_factory=list)  # frames confirmed when each connection was lost


EventHandler = Callable[[ServerEvent | UnknownEvent], Awaitable[None]]
AudioHandler = Callable[[bytes], Awaitable[None]]


class AgentLink:
    def __init__(
        self,
        url: str,
        session_id: str,
        *,
        sample_rate: int,
        on_event: EventHandler,
        on_audio: AudioHandler,
        tokens: TokenProvider | None = None,
        call_id: str | None = None,
        caller: str | None = None,
        gap_buffer_s: float = 5.0,
        outage_s: float = 8.0,
        first_connect_s: float = 20.0,
        pool: bool = False,
        backoff_base_s: float = 0.05,
        backoff_cap_s: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        # Merged: the configured URL may carry a query. Pooled (``pool`` given): the call's
        # conversation is ``call_id`` within the shared session.
        self._url = codec.session_url(url, session_id, call_id if pool else None)
        self.session_id = session_id
        self._sample_rate = sample_rate
        self._on_event, self._on_audio = on_event, on_audio
        self._tokens = tokens or NoAuth()
        self._call_id, self._caller = call_id or None, caller or None
        self._max_unacked_bytes = int(gap_buffer_s * sample_rate * 2)
        self._outage_s = outage_s
        self._first_connect_s = first_connect_s
        self.first_ready = asyncio.Event()  # set at the first session.ready: the agent has answered
        self._backoff = (backoff_base_s, backoff_cap_s)
        self._rng = rng or random.Random()
        self.stats = LinkStats()
        self.last_seq = 0
        self._ws: websockets.ClientConnection | None = None
        self._send_lock = asyncio.Lock()
        self._idle_ping: asyncio.TimerHandle | None = None
        self._last_audio_at = 0.0
        self._masks = MaskKeys()
        self._unacked: deque[tuple[int, bytes]] = deque()
        self._unacked_bytes = 0
        self._control: deque[str] = deque()  # text messages not yet sent (dtmf, handoff.result, session.end)
        self._ending = False
        self._closed = asyncio.Event()

    @property
    def connected(self) -> bool:
        return self._ws is not None

    # --- what the call sends ---------------------------------------------------------
    async def send_audio(self, pcm: bytes) -> None:
        self.stats.frames_sent += 1
        index = self.stats.frames_sent
        self._unacked.append((index, pcm))
        self._unacked_bytes += len(pcm)
        while self._unacked_bytes > self._max_unacked_bytes and len(self._unacked) > 1:
            _, old = self._unacked.popleft()
            self._unacked_bytes -= len(old)
            self.stats.frames_dropped += 1
        ws = self._ws
        if ws is None:
            return  # buffered; delivered on reconnect
        messages: tuple[bytes | str, ...] = (pcm,)
        if index % PING_EVERY_FRAMES == 0:
            messages = (pcm, codec.encode(Ping(f"a{index}")))
        try:
            async with self._send_lock:  # in order with control messages; one socket write when the way is clear
                await send_messages(ws, messages, self._masks)
        except ConnectionClosed:
            pass  # still in _unacked; the run loop reconnects and re-sends
        # If the audio pauses before the next ping is due, confirm what was sent anyway.
        loop = asyncio.get_running_loop()
        self._last_audio_at = loop.time()
        if self._idle_ping is None:
            self._idle_ping = loop.call_later(IDLE_PING_S, self._idle_check)

    def _idle_check(self) -> None:
        # One timer per call, moved on while audio flows (not one made and cancelled per frame).
        loop = asyncio.get_running_loop()
        wait = self._last_audio_at + IDLE_PING_S - loop.time()
        if wait > 0:
            self._idle_ping = loop.call_later(wait, self._idle_check)
            return
        self._idle_ping = None
        asyncio.ensure_future(self._ping_unconfirmed())

    async def _ping_unconfirmed(self) -> None:
        ws = self._ws
        if ws is None or not self._unacked:
            return
        with contextlib.suppress(ConnectionClosed):
            async with self._send_lock:
                await ws.send(codec.encode(Ping(f"a{self._unacked[-1][0]}")))

    async def send(self, message: ClientMessage) -> None:
        self._control.append(codec.encode(message))
        await self._flush_control()

    async def end(self, reason: str, timeout_s: float = 5.0) -> None:
        """The caller hung up: ask the agent to end the session and wait for it to close."""
        self._ending = True
        await self.send(SessionEnd(reason))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closed.wait(), timeout_s)

    # --- the connection loop ---------------------------------------------------------------
    async def run(self) -> int:
        """Connect and keep connected until the session ends; returns the final close code
        (1000 ended, 4000 taken over, 1008 refused, or the code seen after ``end``).

        Raises AgentUnavailable when the agent stays unreachable past its patience: the
        first connection gets ``first_connect_s`` (a new session may be a sandbox that is
        still starting), a reconnect ``outage_s`` (the session's container was running)."""
        attempt = 0
        down_since = time.monotonic()
        try:
            while True:
                limit = self._outage_s if self.first_ready.is_set() else self._first_connect_s
                code: int | None = None
                with telemetry.agent_connection(self.session_id, self.stats.reconnects) as span:
                    try:
                        ws = await self._connect(timeout_s=max(0.5, limit - (time.monotonic() - down_since)))
                    except (OSError, InvalidHandshake, asyncio.TimeoutError, ConnectionClosed) as exc:
                        log.info("agent unreachable (%s); attempt %d", type(exc).__name__, attempt + 1)
                        telemetry.connection_failed(span, exc)
                        ws = None
                    if ws is not None:
                        self.stats.last_gap_s = time.monotonic() - down_since
                        attempt = 0
                        code = await self._pump(ws)
                        telemetry.connection_closed(span, code)
                if code is not None:
                    if codec.ends_session(code) or self._ending:
                        return code
                    log.info("agent socket closed with %s; resuming after seq %d, re-sending %d unconfirmed frames",
                             code, self.last_seq, len(self._unacked))
                    self.stats.acked_at_drops.append(self.stats.frames_acked)
                    down_since = time.monotonic()
                    self.stats.reconnects += 1
                    telemetry.agent_reconnecting()
                if time.monotonic() - down_since >= limit:
                    what = "reconnecting" if self.first_ready.is_set() else "on the first connection"
                    raise AgentUnavailable(f"agent unreachable for {limit:.1f}s {what}")
                base, cap = self._backoff
                delay = self._rng.uniform(base, min(cap, base * 2 ** attempt))
                attempt += 1
                await asyncio.sleep(min(delay, max(0.0, limit - (time.monotonic() - down_since))))
        finally:
            self._closed.set()

    async def _connect(self, timeout_s: float) -> websockets.ClientConnection:
        # The traceparent of this connection's span goes on the upgrade: the agent's span continues the call's trace.
        headers = telemetry.inject_headers(codec.upgrade_headers(await self._tokens.headers()))
        ws = await websockets.connect(self._url, additional_headers=headers,
                                      max_size=MAX_FRAME_BYTES, open_timeout=timeout_s, compression=None,
                                      logger=_ws_log)
        try:
            await ws.send(codec.encode(SessionStart(AudioFormat("pcm16", self._sample_rate), "phone",
                                                    last_seq=self.last_seq or None, call_id=self._call_id,
                                                    caller=self._caller)))
            while True:  # up to session.ready; replayed events follow it and go through _pump
                frame = await asyncio.wait_for(ws.recv(), timeout_s)
                if isinstance(frame, str):
                    incoming = _decode(frame)
                    if incoming is None:
                        continue
                    if isinstance(incoming.event, SessionReady):
                        # Not counted in last_seq: the replayed events after it carry older seqs.
                        break
                    await self._dispatch(incoming)
            async with self._send_lock:  # re-send what the agent has not confirmed, in order, before new audio
                for _, pcm in list(self._unacked):
                    await ws.send(pcm)
                resent = len(self._unacked)
                if resent:
                    await ws.send(codec.encode(Ping(f"a{self._unacked[-1][0]}")))
                if self.stats.reconnects:
                    self.stats.frames_resent += resent
                self._ws = ws
                self.first_ready.set()
        except BaseException:
            await ws.close()
            raise
        await self._flush_control()
        return ws

    async def _pump(self, ws: websockets.ClientConnection) -> int:
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    await self._on_audio(frame)
                elif (incoming := _decode(frame)) is not None:
                    await self._dispatch(incoming)
        except ConnectionClosed:
            pass
        finally:
            self._ws = None
        return ws.close_code if ws.close_code is not None else 1006

    async def _dispatch(self, incoming: codec.Incoming) -> None:
        seq = incoming.seq
        if seq is not None and seq > 0:
            if seq <= self.last_seq:
                self.stats.events_skipped += 1
                return
            self.last_seq = seq
        if isinstance(incoming.event, Pong):
            self._ack(incoming.event.id)
            return
        await self._on_event(incoming.event)

    def _ack(self, ping_id: Any) -> None:
        if not (isinstance(ping_id, str) and ping_id.startswith("a") and ping_id[1:].isdigit()):
            return
        upto = int(ping_id[1:])
        while self._unacked and self._unacked[0][0] <= upto:
            _, pcm = self._unacked.popleft()
            self._unacked_bytes -= len(pcm)
        self.stats.frames_acked = max(self.stats.frames_acked, upto)

    async def _flush_control(self) -> None:
        ws = self._ws
        if ws is None:
            return
        try:
            async with self._send_lock:
                while self._control:
                    await ws.send(self._control[0])
                    self._control.popleft()
        except ConnectionClosed:
            pass  # kept; sent after reconnect


def _decode(frame: str) -> codec.Incoming | None:
    # One bad event from the agent is logged and skipped: it must not drop the caller.
    try:
        return codec.decode(frame)
    except codec.DecodeError as exc:
        log.warning("skipped an agent event: %s", exc)
        return None
