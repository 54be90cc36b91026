"""A barge-in that forms no caller turn: the agent carries on from the sentence that was cut.

The conversation runs for real with a scripted speech channel (it reports what a
recogniser would) and a brain that reads a three-sentence reply; events are awaited,
never timed.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

import pytest

from agent.call import conversation as conv
from agent.call.conversation import Conversation
from agent.contracts.actions import CallerInput, Say
from agent.contracts.brain import PlaceholderResponder
from agent.contracts.state import CallState
from agent.speech.engine import BargeIn, FinalTranscript, NoTurn
from agent.wire import protocol

RATE = 16000
REPLY = ["Your work order is open.", "A technician will call you before noon today.", "Is there anything else?"]


class ReadsReply(PlaceholderResponder):
    def __init__(self) -> None:
        self.more = asyncio.Event()  # "slow": the last sentence comes once this is set

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Any]:
        if turn.text in ("status", "slow"):
            for sentence in REPLY:
                if sentence == REPLY[-1] and turn.text == "slow":
                    await self.more.wait()
                yield Say(sentence)
        else:
            yield Say(f"You said: {turn.text}")


class Channel:
    """Speaks one second of silence per sentence; hears nothing by itself."""

    sample_rate = RATE

    def __init__(self) -> None:
        self.speaking: list[bool] = []

    async def feed(self, pcm: bytes) -> None:
        pass

    def set_agent_speaking(self, speaking: bool) -> None:
        self.speaking.append(speaking)

    async def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        await asyncio.sleep(0)
        yield b"\x00\x00" * RATE

    async def flush(self) -> None:
        pass

    async def close(self) -> None:
        pass


class Call:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.changed = asyncio.Event()
        self.brain = ReadsReply()
        self.conversation = Conversation(state=CallState(session_id="s1"), brain=self.brain, emit=self._emit,
                                         send_audio=self._audio, speech=Channel(), on_turn_done=self._done,
                                         sample_rate=RATE)

    async def _emit(self, event: Any) -> None:
        self.events.append(event)
        self.changed.set()

    async def _audio(self, pcm: bytes) -> None:
        pass

    async def _done(self) -> None:
        pass

    async def wait(self, kind: type, after: int = 0, **match: Any) -> Any:
        async def find() -> Any:
            while True:
                for e in self.events[after:]:
                    if isinstance(e, kind) and all(getattr(e, k) == v for k, v in match.items()):
                        return e
                self.changed.clear()
                await self.changed.wait()
        return await asyncio.wait_for(find(), 20)

    def agent_text(self, item_id: str) -> str:
        return " ".join(e.text for e in self.events
                        if isinstance(e, protocol.Transcript) and e.role == "agent" and e.item_id == item_id)


async def _interrupted_reply(call: Call, ask: str = "status") -> tuple[str, int]:
    """Ask for the three-sentence reply and barge in once its audio has started; (item id, events so far)."""
    await call.conversation.start(greet=False)
    await call.conversation.text(ask)
    start = await call.wait(protocol.AudioStart)
    await call.conversation.on_speech(BargeIn(0.0))
    await call.wait(protocol.AudioClear, item_id=start.item_id)
    return start.item_id, len(call.events)


def _spoken_turn(text: str) -> FinalTranscript:
    return FinalTranscript(text=text, speech_end_ms=0.0, speech_end_at=0.0, stt_ms=1.0, rtf=1.0, audio_ms=500.0)


@pytest.mark.parametrize("no_turn", [NoTurn("Okay."), _spoken_turn("")], ids=["backchannel", "no words"])
async def test_after_a_false_interruption_the_agent_resumes_from_the_sentence_that_was_cut(no_turn):
    call = Call()
    try:
        first, n = await _interrupted_reply(call)
        cut = [e for e in call.events if isinstance(e, protocol.TranscriptTruncated)][0]
        await call.conversation.on_speech(no_turn)
        resumed = await call.wait(protocol.AudioStart, after=n)
        assert resumed.item_id != first
        await call.wait(protocol.AudioEnd, after=n, item_id=resumed.item_id)
        # What was not heard whole is said again, from the start of the sentence that was cut.
        heard = cut.text.rstrip("…").split()
        said = call.agent_text(resumed.item_id)
        assert said.endswith(REPLY[-1]) and " ".join(heard + said.split()).count(REPLY[-1]) == 1
        assert any(said.startswith(s) for s in REPLY)
        # The backchannel was no caller turn: the only one is the request.
        assert [e.text for e in call.events if isinstance(e, protocol.Transcript) and e.role == "caller"] == ["status"]
    finally:
        await call.conversation.close()


async def test_a_stop_that_forms_no_turn_never_leaves_the_caller_in_silence(monkeypatch):
    monkeypatch.setattr(conv, "RESUME_AFTER_S", 0.2)
    call = Call()
    try:
        first, n = await _interrupted_reply(call)
        # Nothing more is heard from the caller: no transcript, no backchannel, nothing.
        resumed = await call.wait(protocol.AudioStart, after=n)
        assert resumed.item_id != first and call.agent_text(resumed.item_id)
    finally:
        await call.conversation.close()


async def test_a_real_interruption_is_answered_and_the_old_reply_is_not_resumed(monkeypatch):
    monkeypatch.setattr(conv, "RESUME_AFTER_S", 0.2)
    call = Call()
    try:
        first, n = await _interrupted_reply(call)
        await call.conversation.on_speech(_spoken_turn("Stop."))
        answer = await call.wait(protocol.AudioStart, after=n)
        await call.wait(protocol.AudioEnd, after=n, item_id=answer.item_id)
        await asyncio.sleep(0.4)  # past RESUME_AFTER_S: a pending resume would have started by now
        starts = [e for e in call.events[n:] if isinstance(e, protocol.AudioStart)]
        assert [call.agent_text(s.item_id) for s in starts] == ["You said: Stop."]
    finally:
        await call.conversation.close()


async def test_what_the_brain_says_after_a_false_interruption_is_part_of_the_resumed_reply():
    call = Call()
    try:
        first, n = await _interrupted_reply(call, "slow")
        call.brain.more.set()  # the last sentence arrives while the agent is stopped
        await call.wait(protocol.TurnMetrics, after=n)  # the turn is done: that sentence went to the speaker
        assert not [e for e in call.events[n:] if isinstance(e, protocol.AudioStart)]  # not on its own
        await call.conversation.on_speech(NoTurn("Mm-hm."))
        resumed = await call.wait(protocol.AudioStart, after=n)
        await call.wait(protocol.AudioEnd, after=n, item_id=resumed.item_id)
        assert call.agent_text(resumed.item_id).endswith(REPLY[-1])
    finally:
        await call.conversation.close()
