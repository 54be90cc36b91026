"""One call's conversation loop: caller turns in, agent speech and events out.

Sits between the session (transport, seq, persistence) and the brain. Caller turns
(typed, keyed or spoken) are queued and handled one at a time; each ``Action`` the
brain yields becomes wire events at once, and each ``Say`` is also synthesised and
streamed as audio by a separate speaker task, so the first sentence plays while the
brain is still working on the rest. Barge-in stops the speaker, clears the client's
buffer and keeps in the conversation only what the caller heard. If the sound that
stopped it forms no caller turn (a backchannel, a noise: ``NoTurn`` or an empty
transcript, or nothing at all within ``RESUME_AFTER_S``), the agent carries on from the
start of the sentence that was cut, so a false interruption never leaves the caller in silence.

This class is the embedded pipeline: the brain answers every turn and the channel
synthesises what it says. With a speech-to-speech channel (``drives_dialog``, Voice
Live) the engine answers by itself: ``DialogConversation`` (agent/call/dialog_conversation.py)
extends this one through its ``_begin``, ``_answer``, ``_synthesis``, ``_reply_finished``
and ``_interrupted`` steps, so pacing, ``audio.start``/``audio.end`` and barge-in
truncation stay shared, and it behaves as this class once the engine falls back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable

from agent.wire import protocol
from agent.observability import telemetry
from agent.contracts.actions import Action, CallerInput, EndCall, HandoffEvent, RouteEvent, Say, ToolEvent
from agent.contracts.brain import Brain
from agent.call.expected import expectation
from agent.call.keypad import DigitCollector, KeypadConfig
from agent.call.limits import ENDS, SAY, CallLimits, Watch
from agent.call.speculation import Ready, Speculation, begin_turn
from agent.speech.engine import (BargeIn, FinalTranscript, NoTurn, PartialTranscript, SpeechChannel, SpeechEvent,
                                 SpeechStarted, drives_dialog, expect_answer)
from agent.contracts.state import CallState

log = logging.getLogger("switchboard.conversation")

Emit = Callable[[protocol.ServerEvent], Awaitable[None]]
SendAudio = Callable[[bytes], Awaitable[None]]

#: Audio is sent at most this far ahead of real-time playback, so that a barge-in
#: leaves little unplayed audio in the client's buffer and "heard" stays accurate.
AUDIO_LEAD_S = 0.3
AUDIO_CHUNK_MS = 100
#: After a barge-in, a caller who has said no words by now did not want the turn: the agent resumes.
RESUME_AFTER_S = 3.0


@dataclass
class _Reply:
    """Agent audio of one reply being played."""

    item_id: str
    turn_index: int  # position of the agent turn entry in state.turns
    started_at: float = 0.0
    sent_ms: float = 0.0
    #: (text, start_ms, end_ms) of every sentence sent so far, in audio time
    spans: list[list[Any]] = field(default_factory=list)
    played_ms: float | None = None  # from playback.progress, when the client sends it
    interrupted: bool = False
    clock: "TurnClock | None" = None  # the turn this reply answers (its metrics record a barge-in)
    engine: Any = None  # the engine's speech item playing now (DialogConversation)


@dataclass(frozen=True)
class _Resumed(Say):
    """The rest of an interrupted reply, said after a false interruption: a reply of its own."""


@dataclass
class TurnClock:
    origin: float  # time.monotonic() of end of caller speech (or text received)
    stt_ms: float | None = None
    stt_rtf: float | None = None
    decision_ms: float | None = None
    first_say_ms: float | None = None
    first_audio_ms: float | None = None
    barge_in: bool = False
    speculative: bool | None = None  # True: the reply was prepared ahead and adopted
    #: Set for a spoken turn a speech-to-speech engine answers: its metrics go out when the reply ends.
    engine_turn: int | None = None

    def since(self) -> float:
        return round((time.monotonic() - self.origin) * 1000, 1)

    def metrics(self, turn: int) -> protocol.TurnMetrics:
        return protocol.TurnMetrics(
            turn=turn, stt_ms=self.stt_ms, stt_rtf=self.stt_rtf, decision_ms=self.decision_ms,
            first_say_ms=self.first_say_ms, first_audio_ms=self.first_audio_ms, total_ms=self.since(),
            barge_in=self.barge_in, speculative=self.speculative)


class Conversation:
    #: Call limits (agent/call/limits.py) apply: silence prompts, then close, and the longest call.
    _watches_silence = True

    def __init__(
        self,
        *,
        state: CallState,
        brain: Brain,
        emit: Emit,
        send_audio: SendAudio,
        speech: SpeechChannel | None,
        on_turn_done: Callable[[], Awaitable[None]],
        sample_rate: int,
        keypad: KeypadConfig = KeypadConfig(),
        limits: CallLimits | None = None,
        speculate: bool = False,
    ) -> None:
        """``speculate``: answer a spoken turn that sounds finished during its end-of-turn silence
        (agent/call/speculation.py), played only if the turn ends with those words."""
        self.state = state
        self._brain = brain
        self._emit = emit
        self._send_audio = send_audio
        self._speech = speech
        self._on_turn_done = on_turn_done
        self._rate = sample_rate
        self._inputs: asyncio.Queue[tuple[CallerInput, TurnClock] | None] = asyncio.Queue()
        self._says: asyncio.Queue[tuple[Any, TurnClock] | None] = asyncio.Queue()  # Says (or engine speech)
        self._reply: _Reply | None = None
        self._items = itertools.count(1)
        self._worker: asyncio.Task[None] | None = None
        self._speaker: asyncio.Task[None] | None = None
        self.ended = asyncio.Event()
        self._muted = False
        self._keys = DigitCollector(keypad)
        self._keys_timer: asyncio.TimerHandle | None = None
        self._limits = limits
        self._handoff_pending = False  # a transfer is under way: silence on the line is expected
        self._watch: Watch | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._watch_changed = asyncio.Event()  # wakes the watcher: its next deadline may have moved
        self._resume: str | None = None  # what an interrupted reply still had to say, until a caller turn forms
        self._resume_timer: asyncio.TimerHandle | None = None
        self._resuming: set[asyncio.Task[None]] = set()
        self._speculates = speculate
        self._ahead: Speculation | None = None  # the turn being answered ahead, if any
        self._busy = False  # a turn is being handled

    # --- lifecycle ------------------------------------------------------------------
    async def start(self, *, greet: bool) -> None:
        self._worker = asyncio.create_task(self._work(), name=f"turns:{self.state.session_id}")
        if self._speech is not None:
            self._speaker = asyncio.create_task(self._speak_loop(), name=f"speaker:{self.state.session_id}")
            if self._limits is not None and self._watches_silence:
                # A spoken call only: a typed session has no line to go quiet on.
                now = time.monotonic()
                self._watch = Watch(self._limits, now=now, call_started=now - (time.time() - self.state.started_at))
                self._watcher = asyncio.create_task(self._watch_loop(), name=f"limits:{self.state.session_id}")
        await self._begin(greet=greet)

    async def _begin(self, *, greet: bool) -> None:
        if greet:
            await self._run_actions(self._brain.greet(self.state), TurnClock(time.monotonic()))
            await self._on_turn_done()

    async def close(self, *, drain_timeout: float = 10.0) -> None:
        """Stop after the turns already received are handled (the caller said them; keep them).

        Nobody is listening any more (hang-up or dropped link), so speech stops at once:
        what the brain still says is recorded and sent as text events, not synthesised.
        """
        self._mute()
        await self._drop_ahead()
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        if self._speech is not None:
            with contextlib.suppress(Exception):
                await self._speech.flush()
        self._keys_due(force=True)  # keys pressed before the hang-up are caller input too
        await self._inputs.put(None)
        if self._worker is not None:
            try:
                await asyncio.wait_for(self._worker, drain_timeout)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                log.warning("session %s: turn still running at close; cancelled", self.state.session_id)
        if self._speaker is not None:
            self._speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._speaker
        if self._speech is not None:
            await self._speech.close()

    def _mute(self) -> None:
        self._muted = True
        self._forget_resume()
        if self._reply is not None:
            self._reply.interrupted = True
        self._drop_queued_speech()

    def _drop_queued_speech(self) -> list[Any]:
        """Empty the speech queue; returns what it held (``Say``s or engine speech)."""
        dropped = []
        while not self._says.empty():
            with contextlib.suppress(asyncio.QueueEmpty):
                item = self._says.get_nowait()
                self._says.task_done()
                if item is not None:
                    dropped.append(item[0])
        return dropped

    async def end_call(self) -> None:
        await self._brain.end(self.state)

    # --- caller input ---------------------------------------------------------------
    def _caller_active(self) -> None:
        if self._watch is not None:
            self._watch.activity(time.monotonic())
            self._watch_changed.set()

    def _hold(self) -> None:
        if self._watch is not None:
            self._watch.hold(time.monotonic())
            self._watch_changed.set()

    def _release(self) -> None:
        if self._watch is not None:
            self._watch.release(time.monotonic())
            self._watch_changed.set()

    async def text(self, text: str) -> None:
        self._caller_active()
        self._forget_resume()
        await self._inputs.put((CallerInput(text, "text"), TurnClock(time.monotonic())))

    async def dtmf(self, digits: str) -> None:
        """Key presses: collected into one caller turn (``agent/call/keypad.py``), as long as the
        question being asked expects when the brain knows it."""
        self._caller_active()
        await self.barge_in()  # keying digits is the caller acting: stop talking over them
        self._forget_resume()
        now = time.monotonic()
        for keys in self._keys.press(digits, now, self._brain.keypad_length(self.state)):
            await self._inputs.put((CallerInput(keys, "dtmf"), TurnClock(now)))
        if self._keys_timer is not None:
            self._keys_timer.cancel()
            self._keys_timer = None
        if self._keys.deadline is not None:
            # The timer is re-armed on every key, so when it fires the pause is over: it expires the keys
            # at their deadline, not at "now" (uvloop's millisecond timers can fire a hair early).
            self._keys_timer = asyncio.get_running_loop().call_later(
                max(0.0, self._keys.deadline - now), self._keys_due, True)

    def _keys_due(self, force: bool = False) -> None:
        """The pause after the last key has passed (``force``: its timer fired, or the call is closing):
        the keys so far are a turn."""
        if self._keys_timer is not None:
            self._keys_timer.cancel()
            self._keys_timer = None
        deadline = self._keys.deadline
        keys = self._keys.expire(deadline if force and deadline is not None else time.monotonic())
        if keys:
            self._inputs.put_nowait((CallerInput(keys, "dtmf"), TurnClock(time.monotonic())))

    async def audio(self, pcm: bytes) -> None:
        if self._speech is not None:
            self.state.count("audio_in_s", len(pcm) / 2 / self._rate)
            await self._speech.feed(pcm)

    def playback_progress(self, item_id: str, played_ms: int) -> None:
        if self._reply is not None and self._reply.item_id == item_id:
            self._reply.played_ms = float(played_ms)

    async def handoff_result(self, ok: bool, reason: str) -> None:
        # Only a hand-over signalled to the client and not yet reported on can have a result;
        # any other report is the client's mistake, answered, never acted on.
        if (self.state.handoff or {}).get("status") != "pending":
            await self._emit(protocol.error(protocol.ProtocolError(
                protocol.Code.NO_HANDOFF, "handoff.result: no hand-over is pending on this session")))
            return
        if self._handoff_pending:
            self._handoff_pending = False
            self._release()
        await self._run_actions(self._brain.handoff_result(ok, reason, self.state), TurnClock(time.monotonic()))
        await self._on_turn_done()

    async def on_speech(self, ev: SpeechEvent) -> None:
        """Callback for the speech channel."""
        if isinstance(ev, (SpeechStarted, PartialTranscript, FinalTranscript)):
            self._caller_active()
        if isinstance(ev, FinalTranscript):
            if ev.text.strip():
                expect_answer(self._speech, None)  # the caller has answered: the next question is the next reply's
                self._forget_resume()
                await self._heard(ev)
            else:
                await self._drop_ahead()
                await self._carry_on()
        elif isinstance(ev, NoTurn):
            await self._drop_ahead()
            await self._carry_on()
        elif isinstance(ev, PartialTranscript):
            if self._resume_timer is not None:  # words: a turn is forming, its end decides
                self._resume_timer.cancel()
                self._resume_timer = None
            await self._emit(protocol.Transcript(role="caller", text=ev.text, final=False))
            await self._speculate(ev)
        elif isinstance(ev, BargeIn):
            await self._drop_ahead()
            await self.barge_in()
        elif isinstance(ev, SpeechStarted):
            await self._drop_ahead()  # a new utterance: what was answered ahead was not the turn

    async def _speculate(self, ev: PartialTranscript) -> None:
        """Answer the words so far ahead, if they sound finished and the call is waiting for them only."""
        await self._drop_ahead()  # an answer to fewer words: the caller went on
        if ev.end_ms is None or not self._speculates or not self._waiting():
            return
        self._ahead = Speculation(self._brain, CallerInput(ev.text, "speech", language=ev.language), self.state,
                                  self._synthesize_ahead)

    def _waiting(self) -> bool:
        """Nothing but the caller's turn can happen next: no turn handled or queued, the agent silent,
        no reply to resume, no keys being collected."""
        return not (self._busy or not self._inputs.empty() or self._reply is not None or not self._says.empty()
                    or self._resume is not None or self._keys.deadline is not None or self._muted
                    or self.ended.is_set() or drives_dialog(self._speech))

    def _synthesize_ahead(self, say: Say) -> AsyncIterator[bytes]:
        assert self._speech is not None
        return self._speech.synthesize(say.text, say.language)

    async def _drop_ahead(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await ahead.discard()

    async def _heard(self, ev: FinalTranscript) -> TurnClock:
        """Queue a spoken caller turn; its clock starts at the end of the speech."""
        clock = TurnClock(ev.speech_end_at, stt_ms=round(ev.stt_ms, 1), stt_rtf=round(ev.rtf, 3))
        await self._inputs.put((CallerInput(ev.text, "speech", language=ev.language), clock))
        return clock

    # --- turns ----------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            item = await self._inputs.get()
            if item is None:
                return
            turn, clock = item
            self._hold()
            self._busy = True
            try:
                with telemetry.turn(self.state, clock):
                    await self._turn(turn, clock)
            except Exception:
                log.exception("session %s: turn failed", self.state.session_id)
                await self._emit(protocol.Error(code=protocol.Code.INTERNAL,
                                                message="Something went wrong handling that turn."))
            finally:
                self._busy = False
                self._release()
            await self._on_turn_done()

    async def _turn(self, turn: CallerInput, clock: TurnClock) -> None:
        ahead, self._ahead = self._ahead, None
        adopted = await ahead.adopt(turn, self.state) if ahead is not None else None
        if adopted is None:
            turn = begin_turn(self.state, turn)
        else:
            turn, clock.speculative = adopted[0], True
        await self._emit(protocol.Transcript(role="caller", text=turn.text, final=True, kind=turn.kind))
        if adopted is None:
            await self._answer(turn, clock)
        else:
            await self._reply_with(_replay(adopted[1]), turn, clock)

    async def _answer(self, turn: CallerInput, clock: TurnClock) -> None:
        await self._reply_with(self._brain.respond(turn, self.state), turn, clock)

    async def _reply_with(self, actions: AsyncIterator[Action], turn: CallerInput, clock: TurnClock) -> None:
        await self._run_actions(actions, clock)
        if self._speech is not None:
            await self._says.join()
        await self._emit(clock.metrics(turn.turn))

    async def _run_actions(self, actions: Any, clock: TurnClock) -> None:
        async for action in actions:
            await self._act(action, clock)

    async def _act(self, action: Action, clock: TurnClock) -> None:
        if isinstance(action, Say):
            if clock.first_say_ms is None:
                clock.first_say_ms = clock.since()
            if self._speech is None or self._muted:
                self.state.add_turn("agent", action.text, filler=action.filler)
                await self._emit(protocol.Transcript(role="agent", text=action.text, final=True))
            else:
                # Recorded when it is actually spoken (see _speak), so a barge-in can truncate it.
                await self._says.put((action, clock))
        elif isinstance(action, RouteEvent):
            if clock.decision_ms is None:
                clock.decision_ms = clock.since()
            telemetry.route(action.target, action.action)
            await self._emit(protocol.Route(
                target=action.target, intent=action.intent, confidence=round(action.confidence, 3),
                reason=action.reason, alternatives=action.alternatives, action=action.action))
        elif isinstance(action, ToolEvent):
            await self._emit(protocol.Tool(
                name=action.name, status=action.status, arguments=action.arguments,
                result=action.result, error=action.error, latency_ms=action.latency_ms))
        elif isinstance(action, HandoffEvent):
            if self._speech is not None:
                await self._says.join()  # the caller hears what happens next before the transfer
            await self._emit(protocol.Handoff(target=action.target, case_id=action.case_id,
                                              reason=action.reason, priority=action.priority,
                                              legs=action.legs or None, briefing=action.briefing or None))
            if not self._handoff_pending:
                self._handoff_pending = True
                self._hold()
        elif isinstance(action, EndCall):
            if self._speech is not None:
                await self._says.join()
            await self._emit(protocol.SessionEnded(reason=action.reason))
            self.ended.set()

    # --- limits ---------------------------------------------------------------------
    async def _watch_loop(self) -> None:
        watch = self._watch
        assert watch is not None
        while not self.ended.is_set():
            self._watch_changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._watch_changed.wait(), watch.next_check(time.monotonic()))
            due = watch.due(time.monotonic())
            if due is None or self.ended.is_set():
                continue
            log.info("session %s: %s (call limits)", self.state.session_id, due)
            clock = TurnClock(time.monotonic())
            await self._act(Say(SAY[due]), clock)
            if due in ENDS:
                await self._act(EndCall(ENDS[due]), clock)
                return

    # --- speaking -------------------------------------------------------------------
    async def _speak_loop(self) -> None:
        while True:
            item = await self._says.get()
            try:
                if item is not None:
                    await self._speak(*item)
            finally:
                self._says.task_done()
                if self._says.empty():
                    await self._finish_reply()

    async def _speak(self, say: Any, clock: TurnClock) -> None:
        """Play one item of agent speech (a ``Say``, or an engine's) as part of the current reply."""
        assert self._speech is not None
        if isinstance(say, _Resumed) and self._reply is not None and self._reply.interrupted:
            await self._finish_reply()  # the interrupted reply may still be winding down
        if self._reply is None:
            entry = self.state.add_turn("agent", "", filler=bool(getattr(say, "filler", False)))
            self._reply = _Reply(f"a{next(self._items)}", self.state.turns.index(entry), clock=clock)
            self._hold()  # the agent is speaking: not the caller's silence
        reply = self._reply
        if reply.interrupted:
            if self._resume is not None and type(say) in (Say, Ready):
                self._resume = f"{self._resume} {say.text}"  # the brain went on: heard if the agent resumes
            return
        span = [say.text, reply.sent_ms, reply.sent_ms]
        reply.spans.append(span)
        synthesis = await self._synthesis(say, reply, span)
        # aclosing: on barge-in the synthesiser stops at once instead of when garbage-collected.
        async with contextlib.aclosing(synthesis) as pieces:
            async for pcm in pieces:
                span[2] += len(pcm) / 2 / self._rate * 1000  # the whole piece is known before it plays
                for chunk in _chunks(pcm, self._rate * 2 * AUDIO_CHUNK_MS // 1000):
                    if reply.interrupted:
                        return
                    if reply.started_at == 0.0:
                        reply.started_at = time.monotonic()
                        self._speech.set_agent_speaking(True)
                        await self._emit(protocol.AudioStart(item_id=reply.item_id))
                        if clock.first_audio_ms is None:
                            clock.first_audio_ms = clock.since()
                    # Pace: stay at most AUDIO_LEAD_S ahead of what the caller has heard.
                    ahead = reply.sent_ms / 1000 - (time.monotonic() - reply.started_at)
                    if ahead > AUDIO_LEAD_S:
                        await asyncio.sleep(ahead - AUDIO_LEAD_S)
                        if reply.interrupted:
                            return
                    await self._send_audio(chunk)
                    reply.sent_ms += len(chunk) / 2 / self._rate * 1000
                    self.state.count("audio_out_s", len(chunk) / 2 / self._rate)

    async def _synthesis(self, say: Any, reply: _Reply, span: list[Any]) -> AsyncIterator[bytes]:
        """The audio of ``say``: its text is recorded and sent now, then synthesised."""
        assert self._speech is not None
        entry = self.state.turns[reply.turn_index]
        entry["text"] = (entry["text"] + " " + say.text).strip()
        # The caller's next turn is judged with what the agent has just said in mind (agent/call/expected.py).
        expect_answer(self._speech, expectation(entry["text"]))
        await self._emit(protocol.Transcript(role="agent", text=say.text, final=True, item_id=reply.item_id))
        speech = say.audio if isinstance(say, Ready) else self._speech.synthesize(say.text, say.language)
        return telemetry.synthesis(speech, say.text, self._rate, self.state)

    async def _finish_reply(self) -> None:
        reply, self._reply = self._reply, None
        if reply is None or self._speech is None:
            return
        try:
            await self._play_out(reply)
        finally:
            self._release()

    async def _play_out(self, reply: _Reply) -> None:
        assert self._speech is not None
        if reply.started_at:
            # Let the client's buffer play out before barge-in disarms.
            remaining = reply.sent_ms / 1000 - (time.monotonic() - reply.started_at)
            if remaining > 0 and not reply.interrupted:
                await asyncio.sleep(remaining)
            self._speech.set_agent_speaking(False)
            if not reply.interrupted:
                await self._emit(protocol.AudioEnd(item_id=reply.item_id))
        await self._reply_finished(reply)

    async def _reply_finished(self, reply: _Reply) -> None:
        """A reply has played out (or was interrupted); the embedded turn already sent its metrics."""

    async def barge_in(self) -> None:
        reply = self._reply
        if reply is None or reply.interrupted or not reply.started_at:
            return
        reply.interrupted = True
        telemetry.barge_in()
        if reply.clock is not None:
            reply.clock.barge_in = True
        await self._emit(protocol.AudioClear(item_id=reply.item_id))
        if self._speech is not None:
            self._speech.set_agent_speaking(False)
        heard = reply.played_ms
        if heard is None:
            heard = min(reply.sent_ms, (time.monotonic() - reply.started_at) * 1000)
        entry = self.state.turns[reply.turn_index]
        entry["text"] = heard_text(reply.spans, heard)
        entry["interrupted"] = True
        entry["heard_ms"] = round(heard)
        expect_answer(self._speech, expectation(entry["text"]))  # only a question heard whole is answered
        # The agent transcript already sent carried whole sentences: say what was actually heard.
        await self._emit(protocol.TranscriptTruncated(item_id=reply.item_id, text=entry["text"],
                                                      heard_ms=entry["heard_ms"]))
        # Drop what the brain queued for this reply: the caller never heard it (kept to resume with).
        queued = self._drop_queued_speech()
        if not drives_dialog(self._speech):
            rest = " ".join([resume_text(reply.spans, heard)] + [s.text for s in queued if isinstance(s, Say)]).strip()
            self._forget_resume()
            if rest:
                self._resume = rest
                self._resume_timer = asyncio.get_running_loop().call_later(RESUME_AFTER_S, self._resume_due)
        await self._interrupted(reply, heard)

    def _forget_resume(self) -> None:
        self._resume = None
        if self._resume_timer is not None:
            self._resume_timer.cancel()
            self._resume_timer = None

    def _resume_due(self) -> None:
        self._resume_timer = None
        task = asyncio.get_running_loop().create_task(self._carry_on())
        self._resuming.add(task)
        task.add_done_callback(self._resuming.discard)

    async def _carry_on(self) -> None:
        """No caller turn formed after an interruption: say the rest of the interrupted reply."""
        rest = self._resume
        self._forget_resume()
        if rest is None or self._muted or self.ended.is_set():
            return
        log.info("session %s: false interruption; resuming the reply", self.state.session_id)
        telemetry.barge_in_resumed()
        await self._act(_Resumed(rest), TurnClock(time.monotonic()))

    async def _interrupted(self, reply: _Reply, heard_ms: float) -> None:
        """The caller barged in after ``heard_ms`` of ``reply``; the embedded brain needs nothing more."""


def heard_text(spans: list[list[Any]], heard_ms: float) -> str:
    """The part of a reply the caller heard, from sentence timings (pure).

    Sentences that finished playing are kept whole; the one playing is cut at the
    word reached in proportion to its playing time, and marked with an ellipsis. A
    sentence with no audio yet (``end == start``: still being synthesised when the
    caller spoke) was not heard, however late the interruption.
    """
    if not spans:
        return ""
    kept: list[str] = []
    for text, start, end in spans:
        if end <= start:
            break
        if heard_ms >= end:
            kept.append(text)
            continue
        if heard_ms > start and end > start:
            words = text.split()
            n = int(len(words) * (heard_ms - start) / (end - start))
            if n:
                kept.append(" ".join(words[:n]) + "…")
        break
    return " ".join(kept)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def resume_text(spans: list[list[Any]], heard_ms: float) -> str:
    """What a reply cut at ``heard_ms`` had left to say, from the start of the sentence that was cut (pure).

    The counterpart of ``heard_text``: sentences heard whole are dropped; the one playing
    (located the same way) is said again from its start, the rest follow.
    """
    rest: list[str] = []
    for text, start, end in spans:
        if end > start and heard_ms >= end:
            continue
        if end > start and heard_ms > start:
            n = int(len(text.split()) * (heard_ms - start) / (end - start))  # words heard
            sentences = _SENTENCE_END.split(text.strip())
            seen = 0
            for i, sentence in enumerate(sentences):
                seen += len(sentence.split())
                if n < seen:
                    break
            rest.append(" ".join(sentences[i:]))
        else:
            rest.append(text)
    return " ".join(rest)


async def _replay(actions: list[Action]) -> AsyncIterator[Action]:
    for action in actions:
        yield action


def _chunks(data: bytes, size: int) -> list[bytes]:
    size = max(2, size - size % 2)
    return [data[i : i + size] for i in range(0, len(data), size)]
