"""Speculative replies (agent/call/speculation.py): a spoken turn answered during its end-of-turn silence.

The conversation runs for real with a scripted speech channel (it reports what the local
channel would: a finished-sounding speculative transcript, then the final one) and a brain
that, like the real one, changes the call's state, records its decision through the
deferred log and calls a guarded tool on a read-back "yes". Events are awaited, never timed.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

import pytest

from agent.call.conversation import Conversation
from agent.contracts.actions import CallerInput, RouteEvent, Say, ToolEvent
from agent.contracts.brain import PlaceholderResponder, StartingBrain
from agent.contracts.speculation import defer, forbid
from agent.contracts.state import CallState
from agent.speech.engine import FinalTranscript, PartialTranscript, SpeechStarted
from agent.wire import protocol

RATE = 16000
ASK = "my laptop will not start"


class Tools:
    """A tool server's ticket table; ``call`` guarded as the real ToolManager's is."""

    def __init__(self) -> None:
        self.tickets: list[dict[str, Any]] = []

    async def call(self, server: str, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        forbid("a tool call")
        self.tickets.append(arguments)
        return {"id": f"INC-{20000 + len(self.tickets)}"}


class Brain(PlaceholderResponder):
    """Routes a request to a read-back; a "yes" at the read-back creates the ticket (a tool call)."""

    def __init__(self) -> None:
        self.tools = Tools()
        self.started = False
        self.log: list[str] = []  # the decision log on disk
        self.runs = 0
        self.hold = asyncio.Event()  # the reply's last sentence waits for this
        self.hold.set()

    async def start(self) -> None:
        await self.tools.call("field_ops", "list_sites", {})  # as the real brain reads the site names
        self.started = True

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Any]:
        self.runs += 1
        if state.task and turn.text.lower().startswith("yes"):
            yield ToolEvent("create_incident", "started", arguments=state.task)
            result = await self.tools.call("it_ops", "create_incident", state.task)
            state.task = None
            yield ToolEvent("create_incident", "ok", result=result)
            yield Say(f"Done. Your incident is {result['id']}.")
            return
        state.routes.append({"turn": state.turn_count, "intent": "incident.create"})
        state.task = {"summary": turn.text}
        entry = f"turn {state.turn_count}: {turn.text}"
        defer(lambda: self.log.append(entry))
        yield RouteEvent("it_ops", "incident.create", 0.9, "laptop fault")
        yield Say("Sorry to hear that.")
        await self.hold.wait()
        yield Say(f"I'll log an incident: {turn.text}. Is that right?")


class Channel:
    """Speaks a tenth of a second per sentence; counts what it was asked to synthesise."""

    sample_rate = RATE

    def __init__(self) -> None:
        self.synthesised: list[str] = []

    async def feed(self, pcm: bytes) -> None:
        pass

    def set_agent_speaking(self, speaking: bool) -> None:
        pass

    async def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        self.synthesised.append(text)
        await asyncio.sleep(0)
        yield b"\x00\x00" * (RATE // 10)

    async def flush(self) -> None:
        pass

    async def close(self) -> None:
        pass


class Call:
    def __init__(self, *, speculate: bool = True, state: CallState | None = None, starting: bool = False) -> None:
        self.events: list[Any] = []
        self.changed = asyncio.Event()
        self.brain = Brain()
        self.channel = Channel()
        self.audio = 0
        brain = StartingBrain(self.brain) if starting else self.brain
        self.conversation = Conversation(state=state or CallState(session_id="s1"), brain=brain,
                                         emit=self._emit, send_audio=self._audio, speech=self.channel,
                                         on_turn_done=self._done, sample_rate=RATE, speculate=speculate)

    @property
    def state(self) -> CallState:
        return self.conversation.state

    async def _emit(self, event: Any) -> None:
        self.events.append(event)
        self.changed.set()

    async def _audio(self, pcm: bytes) -> None:
        self.audio += len(pcm)

    async def _done(self) -> None:
        pass

    async def wait(self, kind: type, after: int = 0) -> Any:
        async def find() -> Any:
            while True:
                for e in self.events[after:]:
                    if isinstance(e, kind):
                        return e
                self.changed.clear()
                await self.changed.wait()
        return await asyncio.wait_for(find(), 20)

    async def pause(self, text: str, end_ms: float) -> None:
        """The caller pauses after ``text``: the channel's speculative transcript of it (sounds finished)."""
        await self.conversation.on_speech(PartialTranscript(text, end_ms, "en"))

    async def turn(self, text: str, end_ms: float) -> list[Any]:
        """The turn ends with ``text``; its events up to its metrics."""
        n = len(self.events)
        await self.conversation.on_speech(FinalTranscript(text=text, speech_end_ms=end_ms, speech_end_at=0.0,
                                                          stt_ms=1.0, rtf=1.0, audio_ms=end_ms, language="en"))
        await self.wait(protocol.TurnMetrics, n)
        return self.events[n:]

    async def settle(self) -> None:
        """Let the speculation in flight run as far as it can."""
        for _ in range(20):
            await asyncio.sleep(0)


def wire(events: list[Any]) -> list[tuple[Any, ...]]:
    """The events as the caller sees them, without timings and item ids."""
    out: list[tuple[Any, ...]] = []
    for e in events:
        if isinstance(e, protocol.Transcript):
            out.append(("transcript", e.role, e.text, e.final))
        elif isinstance(e, protocol.Route):
            out.append(("route", e.intent))
        elif isinstance(e, protocol.Tool):
            out.append(("tool", e.name, e.status))
        elif isinstance(e, protocol.TurnMetrics):
            out.append(("metrics", e.turn))
        else:
            out.append((type(e).__name__,))
    return out


def comparable(state: CallState) -> dict[str, Any]:
    data = state.to_dict()
    for turn in data["turns"]:
        turn.pop("ts")
        turn.pop("metrics", None)  # timings
    for key in ("usage", "started_at"):
        data.pop(key)
    return data


async def test_a_reply_prepared_during_the_silence_is_played_when_the_turn_ends_with_the_same_words() -> None:
    plain, ahead = Call(speculate=False), Call()
    try:
        for call in (plain, ahead):
            await call.conversation.start(greet=False)
        await ahead.pause(ASK, 900.0)
        await ahead.settle()
        # Before the endpoint: the brain has answered and the first sentence is made, but nothing was said.
        assert ahead.brain.runs == 1 and ahead.channel.synthesised == ["Sorry to hear that."]
        assert wire(ahead.events) == [("transcript", "caller", ASK, False)] and ahead.audio == 0
        assert ahead.state.turns == [] and ahead.brain.log == []

        await plain.pause(ASK, 900.0)
        expected = await plain.turn(ASK, 900.0)
        got = await ahead.turn(ASK, 900.0)
        assert ahead.brain.runs == 1  # adopted, not answered again
        assert wire(got) == wire(expected)  # the same events in the same order as a normal turn
        assert got[-1].speculative is True and expected[-1].speculative is None
        assert comparable(ahead.state) == comparable(plain.state)
        assert ahead.brain.log == plain.brain.log == [f"turn 1: {ASK}"]  # logged once adopted
        assert ahead.audio == plain.audio > 0
        assert ahead.channel.synthesised == plain.channel.synthesised  # the first sentence made once
    finally:
        for call in (plain, ahead):
            await call.conversation.close()


@pytest.mark.parametrize("goes_on", ["final", "new utterance"])
async def test_a_prepared_reply_is_discarded_without_a_trace_when_the_caller_goes_on(goes_on: str) -> None:
    call = Call()
    try:
        await call.conversation.start(greet=False)
        call.brain.hold.clear()  # the speculation is mid-reply when the caller goes on
        await call.pause("my laptop", 500.0)
        await call.settle()
        assert call.brain.runs == 1
        before = call.state.to_dict()
        if goes_on == "new utterance":
            await call.conversation.on_speech(SpeechStarted(800.0))
            await call.settle()
        call.brain.hold.set()
        await call.settle()
        # Nothing of it: no state change, no event, no audio, no decision logged.
        assert call.state.to_dict() == before and call.brain.log == [] and call.audio == 0
        assert wire(call.events) == [("transcript", "caller", "my laptop", False)]

        got = await call.turn(ASK, 1400.0)
        assert call.brain.runs == 2 and got[-1].speculative is None
        assert [t["text"] for t in call.state.turns if t["role"] == "caller"] == [ASK]
        assert call.state.task == {"summary": ASK} and call.brain.log == [f"turn 1: {ASK}"]
        assert not any("my laptop." in e.text for e in got if isinstance(e, protocol.Transcript))
    finally:
        await call.conversation.close()


async def test_a_prepared_reply_is_not_adopted_when_the_call_changed_meanwhile() -> None:
    call = Call()
    try:
        await call.conversation.start(greet=False)
        await call.pause(ASK, 900.0)
        await call.settle()
        call.state.recording = {"state": "recording"}  # the bridge reported the recording in the silence
        got = await call.turn(ASK, 900.0)
        assert call.brain.runs == 2 and got[-1].speculative is None  # answered again, on the state as it is
        assert call.state.recording == {"state": "recording"} and call.brain.log == [f"turn 1: {ASK}"]
    finally:
        await call.conversation.close()


async def test_a_turn_whose_reply_calls_a_tool_is_never_answered_ahead() -> None:
    call = Call()
    try:
        await call.conversation.start(greet=False)
        await call.pause(ASK, 900.0)
        await call.turn(ASK, 900.0)
        at_read_back = call.state.to_dict()
        await call.pause("yes", 3000.0)
        await call.settle()
        # The speculation stopped at the tool call, before it: no ticket, nothing changed, nothing said.
        assert call.brain.tools.tickets == [] and call.state.to_dict() == at_read_back
        n = len(call.events)
        got = await call.turn("yes", 3000.0)
        assert len(call.brain.tools.tickets) == 1  # exactly one, made after the endpoint
        assert got[-1].speculative is None
        assert [x for x in wire(got) if x[0] == "tool"] == [("tool", "create_incident", "started"),
                                                            ("tool", "create_incident", "ok")]
        assert len(call.events) > n and call.state.task is None
    finally:
        await call.conversation.close()


async def test_a_tool_call_made_while_speculating_is_refused_before_it_runs() -> None:
    """The guard itself, for tools the brain calls without announcing them first (a look-up)."""
    tools = Tools()

    async def speculative() -> None:
        from agent.contracts.speculation import Speculative, speculating
        speculating()
        with pytest.raises(Speculative):
            await tools.call("it_ops", "lookup", {})

    await asyncio.ensure_future(speculative())
    assert tools.tickets == []
    await tools.call("it_ops", "lookup", {})  # outside a speculation it simply runs
    assert len(tools.tickets) == 1


async def test_a_resumed_call_answers_ahead_from_its_stored_state() -> None:
    first = Call()
    await first.conversation.start(greet=False)
    await first.turn(ASK, 900.0)
    await first.conversation.close()
    stored = CallState.from_dict(first.state.to_dict())  # what the session store gives the next container

    resumed = Call(state=stored)
    try:
        await resumed.conversation.start(greet=False)
        await resumed.pause("yes please", 5000.0)
        await resumed.settle()
        got = await resumed.turn("yes please", 5000.0)
        assert len(resumed.brain.tools.tickets) == 1 and got[-1].speculative is None
        assert resumed.state.turn_count == 2 and resumed.state.task is None
    finally:
        await resumed.conversation.close()


async def test_a_brain_first_started_by_a_speculative_turn_starts_as_usual() -> None:
    """A new container whose first call is a resumed one: nothing started the brain before the caller
    spoke. Its start (which calls a tool) is the process's, not under the speculation's guard."""
    call = Call(starting=True)
    try:
        await call.conversation.start(greet=False)
        await call.pause(ASK, 900.0)
        got = await call.turn(ASK, 900.0)
        assert call.brain.started and call.brain.tools.tickets == [{}]
        assert got[-1].speculative is True and call.state.task == {"summary": ASK}
    finally:
        await call.conversation.close()


async def test_the_real_tool_manager_refuses_a_call_while_speculating(tmp_path) -> None:
    from agent.brain.mcp_client import ToolManager
    from agent.config import Settings
    from agent.contracts.speculation import Speculative, speculating

    tools = ToolManager.from_settings(Settings(data_dir=tmp_path))

    async def speculative_turn() -> None:
        speculating()
        await tools.call("field_ops", "create_work_order", {"site": 12})

    with pytest.raises(Speculative):
        await asyncio.create_task(speculative_turn())  # a task of its own: its context is the speculation's
