"""Sessions: one caller's WebSocket connection(s), seq numbering, persistence and resume.

``SessionHub`` is process-wide: it owns the store, the brain and the speech engine,
knows every live session (to persist and close them on SIGTERM) and expires idle
ones. ``LiveSession`` is one session attached to at most one WebSocket at a time;
events it emits are numbered, sent if a socket is attached, and always appended
to the store's replay log, so a client that reconnects with ``last_seq`` misses
nothing.

Store faults: calls are retried for a while (agent/store/retry.py). What still cannot
be written is kept in memory, the caller gets one ``store_unavailable`` error event,
the conversation goes on, and everything kept is written, in order, at the first write
that succeeds. A session that ends or detaches with data still unwritten stays in
memory (``SessionHub.unsaved``) and is written in the background as soon as the store
answers; a reconnect meanwhile resumes from that copy.

Ownership: attaching claims the session in the store (a fencing token, agent/store/base.py).
Every write carries the token; when another container or worker claims the session,
this one's next write, or the periodic lease renewal, finds out: it closes its socket
with 4000 and writes nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
import uuid
import weakref
from typing import Any, Awaitable, Callable

from starlette.websockets import WebSocket, WebSocketState

from agent.wire import protocol
from agent.observability import telemetry
from agent.contracts.brain import Brain, StartingBrain
from agent.observability.callrecords import CallRecorder
from agent.config import Settings
from agent.call.conversation import Conversation
from agent.call.dialog_conversation import DialogConversation
from agent.call.keypad import KeypadConfig
from agent.call.limits import CallLimits
from agent.wire.protocol import MAX_FRAME_BYTES, Close, Code, ProtocolError
from agent.speech.engine import SpeechEngine, drives_dialog
from agent.realtime.voicelive_tools import DialogFunctions
from agent.contracts.state import CallState
from agent.store import SessionStore, StaleOwner, StoreUnavailable

log = logging.getLogger("switchboard.session")

#: Start loading what only turns need this long after start-up if no greeting has gone out by then.
WARM_AFTER_S = 1.0
#: How often each process renews its sessions' ownership, which is also how soon a
#: container that lost a session to another one learns it (and closes with 4000).
LEASE_RENEW_S = 1.0


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
        self.token = 0  # the fencing token from the store's claim
        self.fenced = False  # another connection claimed the session: write nothing more
        self.store_down = False  # the caller was told the store is unavailable
        self._unsaved: list[tuple[int, str]] = []  # emitted, not yet in the store's replay log
        self.record: list[str] | None = None  # every frame emitted, when the caller wants them (HTTP turns)

    @property
    def id(self) -> str:
        return self.state.session_id

    async def emit(self, event: protocol.ServerEvent) -> None:
        async with self._send_lock:
            frame = self._number(event)
            if frame:
                await self._send(text=frame)
                await self._store_events()

    def _number(self, event: protocol.ServerEvent) -> str:
        """Number and encode ``event`` and queue it for the store (send lock held); "" once fenced."""
        if self.fenced:
            return ""
        self.seq += 1
        frame = protocol.encode(event, self.seq)
        if self.record is not None:
            self.record.append(frame)
        self._unsaved.append((self.seq, frame))
        # The store keeps only the newest events; an outage longer than that loses the oldest
        # from replay, which a reconnect then reports as a replay gap, as it would anyway.
        del self._unsaved[:-self.hub.settings.replay_buffer_events]
        return frame

    async def _store_events(self) -> bool:
        """Write every unsaved event (send lock held); False if they could not be written."""
        if not self._unsaved or self.fenced:
            return not self.fenced
        events = list(self._unsaved)
        if not await self._write(lambda token: self.hub.store.append_events(
                self.id, events, self.hub.settings.replay_buffer_events, token)):
            return False
        self._unsaved.clear()
        if self.store_down:
            self.store_down = False
            log.info("session %s: store back, unsaved events written", self.id, extra={"session_id": self.id})
        return True

    async def _store_failed(self) -> None:
        if self.store_down:
            return
        self.store_down = True  # once per outage: the event itself waits in memory with the rest
        await self._send(text=self._number(protocol.error(ProtocolError(
            Code.STORE_UNAVAILABLE, "the session store is not answering; the call goes on, and what is said is "
            "kept and stored as soon as it answers again"))))

    async def _lose(self) -> None:
        """Another connection (another container or worker) owns the session now: stop, close 4000."""
        if self.fenced:
            return
        self.fenced = True
        self._unsaved.clear()
        log.warning("session %s: claimed by another connection; closing this one", self.id,
                    extra={"session_id": self.id})
        ws, self.ws = self.ws, None
        if ws is not None and ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await ws.close(Close.REPLACED, "replaced by a newer connection for this session")

    async def connect(self, ws: WebSocket, ready: protocol.SessionReady, last_seq: int | None) -> bool:
        """Attach ``ws``: send ``ready``, then every stored event after ``last_seq``.

        Done under the send lock so that no new event can slip between the replay and
        the live stream. Returns False when events after ``last_seq`` were already dropped.
        Raises ``StoreUnavailable`` (before anything is sent) when the replay cannot be read.
        """
        async with self._send_lock:
            if last_seq is not None:
                if not await self._store_events():  # the replay log must hold everything emitted so far
                    raise StoreUnavailable("events kept in memory could not be written")
                missed = await self.hub.store.events_after(self.id, last_seq)
            else:
                missed = []
            self.ws = ws
            await self._send(text=self._number(dataclasses.replace(ready, last_seq=self.seq)))
            for old in missed or []:
                await self._send(text=old)
            await self._store_events()
        return missed is not None

    async def pong(self, ping_id: str) -> None:
        """Answer a ping. Transient: not numbered, not stored, never replayed."""
        frame = protocol.encode(protocol.Pong(ping_id, self.frames_in, self.seq), None)
        async with self._send_lock:
            await self._send(text=frame)

    async def send_audio(self, pcm: bytes) -> None:
        if not self.hub.greeting_heard.is_set():
            self.hub.greeting_heard.set()
        async with self._send_lock:
            await self._send(data=pcm)

    async def _send(self, *, text: str | None = None, data: bytes | None = None) -> None:
        ws = self.ws
        if ws is None or ws.application_state != WebSocketState.CONNECTED or text == "":
            return
        try:
            if text is not None:
                await ws.send_text(text)
            else:
                await ws.send_bytes(data or b"")
        except Exception:  # the peer went away mid-send; the replay log still has text events
            self.ws = None

    async def persist(self) -> bool:
        """Write unsaved events, then the state; False when the store could not take them (or lost ownership).

        Events first: the stored ``last_seq`` must never run ahead of the stored replay log,
        since a container resuming the session numbers its events from there.
        """
        async with self._send_lock:
            if not await self._store_events():
                return False
            state = self.state.to_dict()
            return await self._write(lambda token: self.hub.store.save(self.id, state, self.seq, token))

    async def _write(self, write: Callable[[int], Awaitable[None]]) -> bool:
        """One store write under this session's token; False when the store is unavailable or the session lost."""
        while True:
            token = self.token
            try:
                await write(token)
                return True
            except StoreUnavailable:
                await self._store_failed()
                return False
            except StaleOwner:
                if self.token != token:
                    continue  # a newer connection here claimed it meanwhile: the session is still ours
                await self._lose()
                return False


class SessionHub:
    def __init__(self, settings: Settings, store: SessionStore, brain: Brain, speech: SpeechEngine | None,
                 dialog: DialogFunctions | None = None) -> None:
        self.settings = settings
        self.store = store
        self.brain = StartingBrain(brain)
        self.speech = speech
        self.dialog = dialog  # what a speech-to-speech engine may call (the brain's, wired by the app)
        self.limits = CallLimits(settings.silence_prompt_s, settings.silence_close_s, settings.max_call_s,
                                 settings.call_warning_s)
        self.live: dict[str, LiveSession] = {}
        # Sessions no socket holds whose last state or events the store could not take yet.
        self.unsaved: dict[str, LiveSession] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._sweeper: asyncio.Task[None] | None = None
        # Weak: a session's lock lives only while some handler holds or awaits it.
        self._lifecycle_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.keypad = KeypadConfig(settings.dtmf_inter_digit_s, settings.dtmf_max_digits)
        # Not with a language model's agent: a discarded speculation would still be a model call paid for.
        self.speculate = settings.speculative_reply and not (settings.azure_openai_endpoint
                                                             and settings.azure_openai_deployment)
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
        self._renewer = asyncio.create_task(self._renew_forever(), name="session-leases")
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
        for task in (self._sweeper, self._renewer, self._flusher):
            if task is not None:
                task.cancel()
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
        for live in [*self.live.values(), *self.unsaved.values()]:
            with contextlib.suppress(Exception):
                await live.persist()
            ws = live.ws
            if ws is not None and ws.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await ws.close(Close.GOING_AWAY, "server shutting down; reconnect to resume")
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

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(LEASE_RENEW_S)
            try:
                await self.renew_leases()
            except StoreUnavailable:
                pass  # the store says so itself; the sessions' own writes keep what they cannot store
            except Exception:
                log.exception("session lease renewal failed")

    async def renew_leases(self) -> None:
        """Keep this process's sessions owned; close (4000) the ones another connection has claimed."""
        held = {sid: live.token for sid, live in self.live.items() if not live.fenced}
        for session_id in await self.store.renew(held):
            live = self.live.get(session_id)
            if live is None or live.token != held[session_id] or self._lifecycle(session_id).locked():
                # An attach here may be claiming it anew (its token is not set yet), or a detach is
                # writing it (and finds out itself): the next renewal looks again.
                continue
            await live._lose()

    def _keep_unsaved(self, live: LiveSession) -> None:
        """Hold a detached session whose data the store has not taken; write it as soon as it answers."""
        self.unsaved[live.id] = live
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_unsaved(), name="session-flusher")

    async def _flush_unsaved(self) -> None:
        delay = 0.2
        while self.unsaved:
            await asyncio.sleep(delay)
            for session_id, live in list(self.unsaved.items()):
                async with self._lifecycle(session_id):  # a reconnect may be taking it back meanwhile
                    if self.unsaved.get(session_id) is live and (await live.persist() or live.fenced):
                        del self.unsaved[session_id]
            delay = min(delay * 2, 5.0)

    async def expire_idle(self, now: float | None = None) -> list[str]:
        """End and forget sessions idle past the timeout that no socket holds."""
        cutoff = (now or time.time()) - self.settings.session_idle_timeout_s
        expired = []
        for session_id in await self.store.idle_sessions(cutoff):
            if session_id in self.live or session_id in self.unsaved:
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
        async with self._lifecycle(session_id):  # one turn at a time, and never beside an attach
            # Raises StoreUnavailable before anything is done: the caller may simply send it again.
            live, _ = await self._claim(session_id, self.unsaved.get(session_id),
                                        lambda: CallState(session_id=session_id, channel="api"), 16000)
            live.record = []
            conversation = Conversation(state=live.state, brain=self.brain, emit=live.emit,
                                        send_audio=live.send_audio, speech=None, on_turn_done=live.persist,
                                        sample_rate=16000, keypad=self.keypad)
            await conversation.start(greet=False)
            await conversation.text(text)
            await conversation.close()
            frames, live.record = live.record, None
            if not await live.persist() and not live.fenced:
                self._keep_unsaved(live)  # the turn happened: answer it, store it when the store is back
        return session_id, [json.loads(f) for f in frames]

    async def _claim(self, session_id: str, previous: LiveSession | None,
                     new_state: Callable[[], CallState], sample_rate: int) -> tuple[LiveSession, bool]:
        """Take ownership of ``session_id`` in the store: (its session, whether it existed before).

        Call with the session's lifecycle lock held.

        ``previous`` (this process's copy, live or unsaved) is used when nobody else claimed
        the session since it did; otherwise the stored state is newer and is loaded.
        Raises ``StoreUnavailable`` before anything changed here.
        """
        token, before = await self.store.claim(session_id)
        self.unsaved.pop(session_id, None)
        if previous is not None and not previous.fenced and previous.token == before:
            previous.token = token
            return previous, True
        if previous is not None:
            await previous._lose()  # another container had it since: this copy is stale
        record = await self.store.load(session_id)
        if record is None:
            live = LiveSession(self, new_state(), 0, sample_rate)
            live.token = token
            await live.persist()  # a new session is stored at once (kept unsaved if the store fails now)
            return live, False
        tail = await self.store.events_after(session_id, record.last_seq) or []
        live = LiveSession(self, CallState.from_dict(record.state), record.last_seq + len(tail), sample_rate)
        live.token = token
        return live, True

    # --- one connection ---------------------------------------------------------------
    def session_id_for(self, ws: WebSocket) -> tuple[str, str | None]:
        """(the session this connection is for, why it cannot be served or None).

        The platform's session id, else ``?agent_session_id=``, else a new one; with ``?call_id=``,
        that call's conversation within it: several calls share one pooled session (sandbox),
        each its own conversation, resumed by the same pair after a recycle.
        """
        query = ws.scope.get("query_string", b"").decode("latin-1")
        call, problem = protocol.call_id_in_query(query)
        if self.settings.platform_session_id:
            base: str | None = self.settings.platform_session_id
        else:
            base, repeated = protocol.session_id_in_query(query)
            problem = repeated or problem
        base = base or str(uuid.uuid4())
        return (f"{base}:{call}" if call else base), problem

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
            await ws.close(Close.GOING_AWAY, "server shutting down; reconnect to resume")
            return
        session_id, problem = self.session_id_for(ws)
        problem = problem or protocol.check_session_id(session_id)
        if problem:
            await ws.close(Close.POLICY, _reason(f"invalid agent_session_id: {problem}"))
            return
        telemetry.bind_session(session_id)

        start = await self._await_start(ws)
        if start is None:
            return
        try:
            async with self._lifecycle(session_id):
                live, resumed = await self._attach(ws, session_id, start)
        except StoreUnavailable:
            await ws.close(Close.TRY_AGAIN, "session store unavailable; reconnect shortly")
            return
        try:
            ready = protocol.SessionReady(session_id=session_id, resumed=resumed, audio=start.audio,
                                          speech=self.speech is not None)
            try:
                complete = await live.connect(ws, ready, start.last_seq)
            except StoreUnavailable:
                await ws.close(Close.TRY_AGAIN, "session store unavailable; reconnect shortly")
                return
            if not complete:
                await live.emit(protocol.error(ProtocolError(
                    Code.REPLAY_GAP, f"events after seq {start.last_seq} are no longer kept; the transcript so far "
                    "is in the next events")))
                for turn in live.state.turns[-20:]:
                    await live.emit(protocol.Transcript(role=turn["role"], text=turn["text"], final=True,
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
        previous = self.live.get(session_id) or self.unsaved.get(session_id)
        live, resumed = await self._claim(
            session_id, previous, lambda: CallState(session_id=session_id, channel=start.channel,
                                                    call_id=start.call_id, caller_number=start.caller),
            start.audio.sample_rate)
        if previous is not None and previous.ws is not None and previous is live:
            # One socket per session: the newest wins (the old one is usually a half-dead link).
            old = previous.ws
            previous.ws = None
            with contextlib.suppress(Exception):
                await old.close(Close.REPLACED, "replaced by a newer connection for this session")
        self.live[session_id] = live
        live.owner = ws
        live.sample_rate = start.audio.sample_rate
        if live.conversation is None:
            conversation: Conversation | None = None

            async def on_speech(ev: Any) -> None:
                if conversation is not None:
                    await conversation.on_speech(ev)

            channel = self.speech.open(live.sample_rate, on_speech) if self.speech is not None else None
            common: dict[str, Any] = dict(state=live.state, brain=self.brain, emit=live.emit,
                                          send_audio=live.send_audio, speech=channel, on_turn_done=live.persist,
                                          sample_rate=live.sample_rate, keypad=self.keypad, limits=self.limits,
                                          speculate=self.speculate)
            conversation = (DialogConversation(dialog=self.dialog, **common) if drives_dialog(channel)
                            else Conversation(**common))
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
                    await ws.close(Close.TOO_BIG, f"frame larger than {MAX_FRAME_BYTES} bytes")
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
                await ws.close(Close.TOO_BIG, f"frame larger than {MAX_FRAME_BYTES} bytes")
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
                await conversation.handoff_result(parsed.ok, parsed.reason or "")
            elif isinstance(parsed, protocol.CallRecording):
                conversation.state.recording = {"state": parsed.state, **(
                    {"id": parsed.recording_id} if parsed.recording_id else {})}
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
        await live.emit(protocol.SessionEnded(reason=reason, frames_in=live.frames_in, bytes_in=live.bytes_in))
        live.conversation = None
        with contextlib.suppress(Exception):
            await ws.close(Close.NORMAL, "session ended")

    async def _detach(self, ws: WebSocket, live: LiveSession) -> None:
        if live.owner is not ws:
            return  # replaced by a newer connection, which now owns the session
        live.ws = None
        if live.conversation is not None:
            # The caller may come back: keep what they said (flush + finish the turn), then persist.
            try:
                await live.conversation.close()
            except Exception:  # a failed turn must not keep the session from being stored and forgotten
                log.exception("session %s: closing the conversation failed", live.id, extra={"session_id": live.id})
            live.conversation = None
        # No newer connection can attach meanwhile: the lifecycle lock is held.
        if self.live.get(live.id) is live:
            del self.live[live.id]
        if not live.fenced and not await live.persist() and not live.fenced:
            self._keep_unsaved(live)
            log.warning("session %s detached unsaved (seq %d); storing it when the store answers", live.id,
                        live.seq, extra={"session_id": live.id})
            return
        log.info("session %s detached (seq %d)", live.id, live.seq, extra={"session_id": live.id})
