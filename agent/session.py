"""Sessions: one caller's WebSocket connection(s), seq numbering, persistence and resume.

``SessionHub`` is process-wide: it owns the store, the brain and the speech engine,
knows every live session (to persist and close them on SIGTERM) and expires idle
ones. ``LiveSession`` is one session attached to at most one WebSocket at a time;
events it emits are numbered, sent if a socket is attached, and always appended
to the store's replay log, so a client that reconnects with ``last_seq`` misses
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
import weakref
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from agent import protocol, telemetry
from agent.brain import Brain, StartingBrain
from agent.callrecords import CallRecorder
from agent.config import MAX_FRAME_BYTES, Settings
from agent.conversation import Conversation
from agent.keypad import KeypadConfig
from agent.protocol import Code, ProtocolError
from agent.speech.engine import SpeechEngine
from agent.state import CallState
from agent.store import SessionStore

log = logging.getLogger("switchboard.session")

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_UNSUPPORTED = 1003
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_REPLACED = 4000  # a newer connection took this session over
#: Start loading what only turns need this long after start-up if no greeting has gone out by then.
WARM_AFTER_S = 1.0


def _reason(text: str) -> str:
    # Close reasons must fit in a control frame (123 bytes of UTF-8).
    return text.encode("utf-8")[:120].decode("utf-8", "ignore")


class LiveSession:
    def __init__(self, hub: "SessionHub", state: CallState, seq: int, sample_rate: int) -> None:
        self.hub = hub
        self.state = state
        self.seq = seq
        self.sample_rate = sample_rate
        self.ws: WebSocket | None = None
        # The connection that attached last. It owns the session from _attach on, before
        # ``ws`` is set in ``connect``: an older connection winding down in that window
        # must not take the conversation away from it.
        self.owner: WebSocket | None = None
        self.frames_in = 0
        self.bytes_in = 0
        self._send_lock = asyncio.Lock()
        self.conversation: Conversation | None = None
        self.last_activity = time.monotonic()

    @property
    def id(self) -> str:
        return self.state.session_id

    async def emit(self, body: dict[str, Any]) -> None:
        async with self._send_lock:
            self.seq += 1
            frame = protocol.encode(body, self.seq)
            await self._send(text=frame)
            await self.hub.store.append_events(self.id, [(self.seq, frame)], self.hub.settings.replay_buffer_events)

    async def connect(self, ws: WebSocket, ready: dict[str, Any], last_seq: int | None) -> bool:
        """Attach ``ws``: send ``ready``, then every stored event after ``last_seq``.

        Done under the send lock so that no new event can slip between the replay and
        the live stream. Returns False when events after ``last_seq`` were already dropped.
        """
        async with self._send_lock:
            missed = await self.hub.store.events_after(self.id, last_seq) if last_seq is not None else []
            self.ws = ws
            self.seq += 1
            frame = protocol.encode({**ready, "last_seq": self.seq - 1}, self.seq)
            await self._send(text=frame)
            await self.hub.store.append_events(self.id, [(self.seq, frame)], self.hub.settings.replay_buffer_events)
            for old in missed or []:
                await self._send(text=old)
        return missed is not None

    async def pong(self, ping_id: str) -> None:
        """Answer a ping. Transient: not numbered, not stored, never replayed."""
        body = protocol.event("pong", id=ping_id, frames_in=self.frames_in, last_seq=self.seq)
        async with self._send_lock:
            await self._send(text=json.dumps(body, separators=(",", ":")))

    async def send_audio(self, pcm: bytes) -> None:
        if not self.hub.greeting_heard.is_set():
            self.hub.greeting_heard.set()
        async with self._send_lock:
            await self._send(data=pcm)

    async def _send(self, *, text: str | None = None, data: bytes | None = None) -> None:
        ws = self.ws
        if ws is None or ws.application_state != WebSocketState.CONNECTED:
            return
        try:
            if text is not None:
                await ws.send_text(text)
            else:
                await ws.send_bytes(data or b"")
        except Exception:  # the peer went away mid-send; the replay log still has text events
            self.ws = None

    async def persist(self) -> None:
        await self.hub.store.save(self.id, self.state.to_dict(), self.seq)


class SessionHub:
    def __init__(self, settings: Settings, store: SessionStore, brain: Brain, speech: SpeechEngine | None) -> None:
        self.settings = settings
        self.store = store
        self.brain = StartingBrain(brain)
        self.speech = speech
        self.live: dict[str, LiveSession] = {}
        self._handlers: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._sweeper: asyncio.Task[None] | None = None
        self._http_locks: dict[str, asyncio.Lock] = {}
        # Weak: a session's lock lives only while some handler holds or awaits it.
        self._lifecycle_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.keypad = KeypadConfig(settings.dtmf_inter_digit_s, settings.dtmf_max_digits)
        self.greeting_heard = asyncio.Event()  # the first agent audio of this process went out
        self._warming: asyncio.Task[None] | None = None
        self.calls = CallRecorder.from_settings(settings)  # a record per finished call in calls.jsonl

    # --- process lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        """Return once a new call can be greeted: speech can speak. The brain (index, tool servers)
        and speech recognition load in the background (``ready``); turns wait for them."""
        if self.speech is not None:
            await self.speech.start()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="session-sweeper")
        self._warming = asyncio.create_task(self._warm(), name="warming")

    async def _warm(self) -> None:
        # What only turns need loads once the first greeting is being heard (its audio is going
        # out), or after WARM_AFTER_S without a call: it never competes with that greeting for
        # the CPU, and it is ready by the time the caller has listened and answered.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.greeting_heard.wait(), WARM_AFTER_S)
        await asyncio.gather(self.brain.started(), self.speech.ready() if self.speech is not None else asyncio.sleep(0))

    async def ready(self) -> None:
        """Wait until everything ``start`` left to load has loaded (raises if any of it failed)."""
        if self._warming is None:
            raise RuntimeError("start() must run before ready()")
        await asyncio.shield(self._warming)

    async def shutdown(self) -> None:
        """SIGTERM: persist every live session, close its socket with 1001, then stop."""
        self._closing = True
        if self._sweeper:
            self._sweeper.cancel()
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
        for live in list(self.live.values()):
            with contextlib.suppress(Exception):
                await live.persist()
            ws = live.ws
            if ws is not None and ws.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await ws.close(CLOSE_GOING_AWAY, "server shutting down; reconnect to resume")
        if self._handlers:
            _, late = await asyncio.wait(self._handlers, timeout=self.settings.shutdown_grace_s)
            # Sessions were persisted above; a handler still draining a turn is cut short
            # here, before the store closes under it.
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.brain.close()
        if self.speech is not None:
            with contextlib.suppress(Exception):
                await self.speech.close()
        await self.store.close()

    async def _sweep_forever(self) -> None:
        interval = max(1.0, min(60.0, self.settings.session_idle_timeout_s / 10))
        while True:
            await asyncio.sleep(interval)
            try:
                await self.expire_idle()
            except Exception:
                log.exception("idle-session sweep failed")

    async def expire_idle(self, now: float | None = None) -> list[str]:
        """End and forget sessions idle past the timeout that no socket holds."""
        cutoff = (now or time.time()) - self.settings.session_idle_timeout_s
        expired = []
        for session_id in await self.store.idle_sessions(cutoff):
            if session_id in self.live:
                continue
            record = await self.store.load(session_id)
            if record is not None:
                state = CallState.from_dict(record.state)
                if state.ended_at is None:
                    state.ended_at = time.time()
                    with contextlib.suppress(Exception):
                        await self.brain.end(state)
                    self.calls.finish(state)
            await self.store.delete(session_id)
            expired.append(session_id)
        return expired

    # --- one HTTP turn (POST /invocations) -------------------------------------------
    async def text_turn(self, session_id: str | None, text: str) -> tuple[str, list[dict[str, Any]]]:
        """Run one typed caller turn outside any WebSocket; return the events it produced."""
        session_id = session_id or str(uuid.uuid4())
        telemetry.bind_session(session_id)
        if session_id in self.live:
            raise LookupError(f"session {session_id} is connected over /invocations_ws; send input.text there")
        lock = self._http_locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            record = await self.store.load(session_id)
            if record is None:
                live = LiveSession(self, CallState(session_id=session_id, channel="api"), 0, 16000)
            else:
                tail = await self.store.events_after(session_id, record.last_seq) or []
                live = LiveSession(self, CallState.from_dict(record.state), record.last_seq + len(tail), 16000)
            first_seq = live.seq
            conversation = Conversation(state=live.state, brain=self.brain, emit=live.emit,
                                        send_audio=live.send_audio, speech=None, on_turn_done=live.persist,
                                        sample_rate=16000, keypad=self.keypad)
            await conversation.start(greet=False)
            await conversation.text(text)
            await conversation.close()
            await live.persist()
            frames = await self.store.events_after(session_id, first_seq) or []
        self._http_locks.pop(session_id, None)
        return session_id, [json.loads(f) for f in frames]

    # --- one connection ---------------------------------------------------------------
    def session_id_for(self, ws: WebSocket) -> str:
        """The platform's session id (else ``?agent_session_id=``, else a new one); with ``?call_id=``,
        that call's conversation within it: several calls share one pooled session (sandbox),
        each its own conversation, resumed by the same pair after a recycle."""
        base = self.settings.platform_session_id or ws.query_params.get("agent_session_id") or str(uuid.uuid4())
        call = ws.query_params.get("call_id")
        return f"{base}:{call}" if call else base

    async def handle(self, ws: WebSocket) -> None:
        """The ``/invocations_ws`` handler body (the host has already accepted)."""
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            await self._handle(ws)
        finally:
            if task is not None:
                self._handlers.discard(task)

    async def _handle(self, ws: WebSocket) -> None:
        if self._closing:
            await ws.close(CLOSE_GOING_AWAY, "server shutting down; reconnect to resume")
            return
        session_id = self.session_id_for(ws)
        problem = protocol.check_session_id(session_id)
        if problem:
            await ws.close(CLOSE_POLICY, _reason(f"invalid agent_session_id: {problem}"))
            return
        telemetry.bind_session(session_id)

        start = await self._await_start(ws)
        if start is None:
            return
        async with self._lifecycle(session_id):
            live, resumed = await self._attach(ws, session_id, start)
        try:
            ready = protocol.event("session.ready", session_id=session_id, resumed=resumed,
                                   audio=start.audio.to_dict(), speech=self.speech is not None)
            if not await live.connect(ws, ready, start.last_seq):
                await live.emit(protocol.error(ProtocolError(
                    Code.REPLAY_GAP, f"events after seq {start.last_seq} are no longer kept; the transcript so far "
                    "is in the next events")))
                for turn in live.state.turns[-20:]:
                    await live.emit(protocol.event("transcript", role=turn["role"], text=turn["text"], final=True,
                                                   replayed=True))
            assert live.conversation is not None
            log.info("session %s %s (seq %d)", session_id, "resumed" if resumed else "started", live.seq,
                     extra={"session_id": session_id})
            if not resumed:
                await live.conversation.start(greet=True)
            # The loop runs in a task of its own: awaited here, every frame's wake-up would be
            # sent down the two dozen coroutines of the host's ASGI middleware stack and back,
            # which was most of the per-frame CPU. Cancelling this handler cancels the loop.
            await asyncio.create_task(self._receive_loop(ws, live), name=f"frames-{session_id}")
        finally:
            async with self._lifecycle(session_id):
                await self._detach(ws, live)

    async def _await_start(self, ws: WebSocket) -> protocol.SessionStart | None:
        """Read frames until ``session.start``; everything before it gets an error event."""
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return None
            if message.get("bytes") is not None:
                await self._send_error(ws, ProtocolError(Code.NOT_STARTED, "send session.start before audio"))
                continue
            parsed = protocol.parse_text(message.get("text") or "")
            if isinstance(parsed, protocol.SessionStart):
                return parsed
            if isinstance(parsed, ProtocolError):
                await self._send_error(ws, parsed)
            else:
                await self._send_error(ws, ProtocolError(
                    Code.NOT_STARTED, f"send session.start first (got {type(parsed).__name__})"))

    async def _send_error(self, ws: WebSocket, err: ProtocolError) -> None:
        # Before session.start there is no session yet, so these errors carry seq 0.
        await ws.send_text(protocol.encode(protocol.error(err), 0))

    def _lifecycle(self, session_id: str) -> asyncio.Lock:
        """Attach and detach of one session never interleave.

        A caller that reconnects while its old connection is still being wound down
        (turn drained, state persisted) waits for that, then resumes from the store.
        """
        lock = self._lifecycle_locks.get(session_id)
        if lock is None:
            lock = self._lifecycle_locks[session_id] = asyncio.Lock()
        return lock

    async def _attach(
        self, ws: WebSocket, session_id: str, start: protocol.SessionStart
    ) -> tuple[LiveSession, bool]:
        previous = self.live.get(session_id)
        if previous is not None and previous.ws is not None:
            # One socket per session: the newest wins (the old one is usually a half-dead link).
            old = previous.ws
            previous.ws = None
            with contextlib.suppress(Exception):
                await old.close(CLOSE_REPLACED, "replaced by a newer connection for this session")
        if previous is not None:
            live, resumed = previous, True
        else:
            record = await self.store.load(session_id)
            if record is not None:
                state = CallState.from_dict(record.state)
                tail = await self.store.events_after(session_id, record.last_seq) or []
                live = LiveSession(self, state, record.last_seq + len(tail), start.audio.sample_rate)
                resumed = True
            else:
                state = CallState(session_id=session_id, channel=start.channel, call_id=start.call_id,
                                  caller_number=start.caller)
                live = LiveSession(self, state, 0, start.audio.sample_rate)
                resumed = False
                await live.persist()
            self.live[session_id] = live
        live.owner = ws
        live.sample_rate = start.audio.sample_rate
        if live.conversation is None:
            conversation: Conversation | None = None

            async def on_speech(ev: Any) -> None:
                if conversation is not None:
                    await conversation.on_speech(ev)

            channel = self.speech.open(live.sample_rate, on_speech) if self.speech is not None else None
            conversation = Conversation(
                state=live.state, brain=self.brain, emit=live.emit, send_audio=live.send_audio,
                speech=channel, on_turn_done=live.persist, sample_rate=live.sample_rate, keypad=self.keypad)
            live.conversation = conversation
            if resumed:
                await conversation.start(greet=False)
        return live, resumed

    async def _receive_loop(self, ws: WebSocket, live: LiveSession) -> None:
        conversation = live.conversation
        assert conversation is not None
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            live.last_activity = time.monotonic()
            data = message.get("bytes")
            if data is not None:
                if len(data) > MAX_FRAME_BYTES:
                    await ws.close(CLOSE_TOO_BIG, f"frame larger than {MAX_FRAME_BYTES} bytes")
                    return
                live.frames_in += 1
                live.bytes_in += len(data)
                err = protocol.check_audio(data)
                if err is not None:
                    await live.emit(protocol.error(err))
                    continue
                await conversation.audio(data)
                continue
            text = message.get("text") or ""
            if len(text.encode("utf-8")) > MAX_FRAME_BYTES:
                await ws.close(CLOSE_TOO_BIG, f"frame larger than {MAX_FRAME_BYTES} bytes")
                return
            parsed = protocol.parse_text(text)
            if isinstance(parsed, ProtocolError):
                await live.emit(protocol.error(parsed))
            elif isinstance(parsed, protocol.InputText):
                await conversation.text(parsed.text)
            elif isinstance(parsed, protocol.InputDtmf):
                await conversation.dtmf(parsed.digits)
            elif isinstance(parsed, protocol.PlaybackProgress):
                conversation.playback_progress(parsed.item_id, parsed.played_ms)
            elif isinstance(parsed, protocol.HandoffResult):
                await conversation.handoff_result(parsed.ok, parsed.reason)
            elif isinstance(parsed, protocol.Ping):
                await live.pong(parsed.id)
            elif isinstance(parsed, protocol.SessionStart):
                await live.emit(protocol.error(ProtocolError(Code.ALREADY_STARTED, "session.start was already received")))
            elif isinstance(parsed, protocol.SessionEnd):
                await self._end(ws, live, parsed.reason)
                return

    async def _end(self, ws: WebSocket, live: LiveSession, reason: str) -> None:
        conversation = live.conversation
        assert conversation is not None
        await conversation.close()
        live.state.ended_at = time.time()
        await conversation.end_call()
        self.calls.finish(live.state)
        await live.persist()  # before session.ended: a client that sees it can rely on the stored state
        await live.emit(protocol.event("session.ended", reason=reason, frames_in=live.frames_in,
                                       bytes_in=live.bytes_in))
        live.conversation = None
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_NORMAL, "session ended")

    async def _detach(self, ws: WebSocket, live: LiveSession) -> None:
        if live.owner is not ws:
            return  # replaced by a newer connection, which now owns the session
        live.ws = None
        if live.conversation is not None:
            # The caller may come back: keep what they said (flush + finish the turn), then persist.
            await live.conversation.close()
            live.conversation = None
        await live.persist()
        self.live.pop(live.id, None)  # no newer connection can attach meanwhile: the lifecycle lock is held
        log.info("session %s detached (seq %d)", live.id, live.seq, extra={"session_id": live.id})
