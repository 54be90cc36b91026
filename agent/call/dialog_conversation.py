"""One call's conversation when a speech-to-speech engine (Voice Live) runs the dialogue.

The engine hears the caller, answers and speaks by itself; switchboard's decisions reach
it as function tools (``DialogFunctions``, handed in by the app wiring). This extends the
embedded ``Conversation`` where the two differ and shares the rest:

- the engine's audio items are queued to the same speaker, so pacing, ``audio.start``/
  ``audio.end``, barge-in and heard-text truncation are the embedded ones; their text
  arrives alongside and is sent when final;
- spoken turns are the engine's to answer (their ``turn.metrics`` go out when its reply
  has played); typed and keyed turns are passed to it instead of the brain;
- its function calls arrive as ``DialogAction``s and become the usual events;
- a barge-in also cancels the engine's response and truncates its item to what was heard;
- after ``EngineFallback`` the channel is embedded, and so is every step here.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from agent.wire import protocol
from agent.contracts.actions import CallerInput, Say
from agent.contracts.brain import StartingBrain
from agent.call.conversation import Conversation, TurnClock
from agent.speech.engine import (AgentAudio, AgentAudioDone, AgentTranscript, DialogAction, EngineFallback,
                                 FinalTranscript, SpeechEvent, drives_dialog)
from agent.realtime.voicelive_tools import DialogFunctions


@dataclass
class _EngineSpeech:
    """One item of agent speech produced by the engine, queued to the speaker."""

    item_id: str
    pcm: "asyncio.Queue[bytes | None]" = field(default_factory=asyncio.Queue)
    text: str = ""
    final: bool = False
    span: list[Any] | None = None  # its [text, start_ms, end_ms] in the reply, once playing
    dropped: bool = False

    async def pieces(self) -> Any:
        while (pcm := await self.pcm.get()) is not None:
            yield pcm


class DialogConversation(Conversation):
    # The engine runs its own turn-taking, so the line's silences are its to handle: no limit prompts.
    _watches_silence = False

    def __init__(self, *, dialog: DialogFunctions | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dialog = dialog
        self._engine_items: dict[str, _EngineSpeech] = {}
        self._engine_clock = TurnClock(time.monotonic())  # the caller turn engine speech answers

    @property
    def _engine_drives(self) -> bool:
        return drives_dialog(self._speech)

    async def _begin(self, *, greet: bool) -> None:
        if isinstance(self._brain, StartingBrain):
            await self._brain.started()  # the engine's session lists the brain's tools: they must be up
        said = [a.text async for a in self._brain.greet(self.state) if isinstance(a, Say)] if greet else []
        await self._speech.start_dialog(self._dialog, self.state,  # type: ignore[union-attr]
                                        greeting=" ".join(said) or None)

    async def on_speech(self, ev: SpeechEvent) -> None:
        if isinstance(ev, AgentAudio):
            await self._engine_audio(ev)
        elif isinstance(ev, AgentTranscript):
            await self._engine_transcript(ev)
        elif isinstance(ev, AgentAudioDone):
            speech = self._engine_items.pop(ev.item_id, None)
            if speech is not None:
                speech.pcm.put_nowait(None)
        elif isinstance(ev, DialogAction):
            await self._act(ev.action, self._engine_clock)
            await self._on_turn_done()  # a function call changed the state: keep it durable now
        elif isinstance(ev, EngineFallback):
            # The channel now behaves like an embedded one: this Say goes through synthesize.
            await self._emit(protocol.Error(code=protocol.Code.SPEECH_UNAVAILABLE,
                                            message=f"voice service unavailable ({ev.kind}); embedded speech from now"))
            await self._act(Say(ev.message), TurnClock(time.monotonic()))
        else:
            await super().on_speech(ev)

    async def _heard(self, ev: FinalTranscript) -> TurnClock:
        self._engine_clock = await super()._heard(ev)
        return self._engine_clock

    async def _answer(self, turn: CallerInput, clock: TurnClock) -> None:
        if not self._engine_drives:
            await super()._answer(turn, clock)
        elif turn.kind != "speech":  # the engine heard spoken turns itself; typed or keyed ones are passed on
            await self._speech.user_text(  # type: ignore[union-attr]
                turn.text if turn.kind == "text" else f"(keyed digits) {turn.text}")
        else:
            clock.engine_turn = turn.turn  # measured when the engine's spoken reply ends (_reply_finished)

    # --- the engine's speech ------------------------------------------------------------
    async def _engine_audio(self, ev: AgentAudio) -> None:
        speech = self._engine_items.get(ev.item_id)
        if speech is None:
            speech = self._engine_items[ev.item_id] = _EngineSpeech(ev.item_id)
            await self._says.put((speech, self._engine_clock))
        if not speech.dropped:
            speech.pcm.put_nowait(ev.pcm)

    async def _engine_transcript(self, ev: AgentTranscript) -> None:
        speech = self._engine_items.get(ev.item_id)
        reply = self._reply
        if speech is None or speech.dropped:
            # Its audio already finished: a late final transcript still names what was said.
            if ev.final and reply is not None and reply.engine is not None and reply.engine.item_id == ev.item_id:
                speech = reply.engine
            else:
                return
        speech.text, speech.final = ev.text, ev.final
        if speech.span is not None and reply is not None and not reply.interrupted:
            speech.span[0] = ev.text
            self.state.turns[reply.turn_index]["text"] = " ".join(s[0] for s in reply.spans if s[0]).strip()
            if ev.final:
                await self._emit(protocol.Transcript(role="agent", text=ev.text, final=True, item_id=reply.item_id))

    async def _speak(self, say: Any, clock: TurnClock) -> None:
        if isinstance(say, _EngineSpeech):
            if say.dropped:
                return
            if self._reply is not None and self._reply.interrupted:
                # Queued after the barge-in (which dropped everything queued before): a new answer.
                await self._finish_reply()
        await super()._speak(say, clock)

    async def _synthesis(self, say: Any, reply: Any, span: list[Any]) -> AsyncIterator[bytes]:
        if not isinstance(say, _EngineSpeech):
            return await super()._synthesis(say, reply, span)
        say.span, reply.engine = span, say
        if say.text:  # it arrived while this item waited behind another
            await self._engine_transcript(AgentTranscript(say.item_id, say.text, say.final))
        return say.pieces()  # the engine's audio as it streams; its text arrives alongside

    async def _reply_finished(self, reply: Any) -> None:
        clock = reply.clock
        if clock is not None and clock.engine_turn is not None:
            # The first reply to an engine-answered turn closes it (a later one, after a tool, has its own audio).
            turn, clock.engine_turn = clock.engine_turn, None
            await self._emit(clock.metrics(turn))

    async def _interrupted(self, reply: Any, heard_ms: float) -> None:
        engine = reply.engine
        if engine is None or engine.span is None or not self._engine_drives:
            return
        for speech in self._engine_items.values():
            speech.dropped = True
        engine.dropped = True
        engine.pcm.put_nowait(None)
        played = max(0.0, min(heard_ms, engine.span[2]) - engine.span[1])
        await self._speech.interrupted(engine.item_id, played)  # type: ignore[union-attr]
