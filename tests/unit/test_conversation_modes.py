"""What the embedded Conversation and the Voice Live DialogConversation share and where they differ,
on in-memory channels: call limits prompt a silent caller only when switchboard paces the call (a
speech-to-speech engine runs its own turn-taking), and a ``handoff.result`` with no hand-over pending
is refused by both."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

from agent.wire import protocol
from agent.contracts.brain import PlaceholderResponder
from agent.call.conversation import Conversation
from agent.call.dialog_conversation import DialogConversation
from agent.call.limits import PROMPT, CallLimits
from agent.contracts.state import CallState

RATE = 16000
#: Short enough for a unit test: the prompt is due 50 ms into a silent call.
QUICK = CallLimits(silence_prompt_s=0.05, silence_close_s=0.0, max_call_s=0.0, call_warning_s=0.0)


class EmbeddedChannel:
    drives_dialog = False

    async def feed(self, pcm: bytes) -> None:
        return None

    def set_agent_speaking(self, speaking: bool) -> None:
        return None

    async def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        yield b"\x00\x00" * (RATE // 100)  # 10 ms

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        return None


class DialogChannel(EmbeddedChannel):
    drives_dialog = True

    def __init__(self) -> None:
        self.started: list[Any] = []

    async def start_dialog(self, functions: Any, state: CallState, *, greeting: str | None = None) -> None:
        self.started.append(greeting)

    async def interrupted(self, item_id: str, heard_ms: float) -> None:
        return None

    async def user_text(self, text: str) -> None:
        return None


def conversation(cls: type[Conversation], channel: Any, events: list[protocol.ServerEvent],
                 **extra: Any) -> Conversation:
    async def emit(ev: protocol.ServerEvent) -> None:
        events.append(ev)

    async def nothing(*_: Any) -> None:
        return None

    return cls(state=CallState("s1", channel="phone"), brain=PlaceholderResponder(), emit=emit, send_audio=nothing,
               speech=channel, on_turn_done=nothing, sample_rate=RATE, limits=QUICK, **extra)


def said(events: list[protocol.ServerEvent]) -> list[str]:
    return [ev.text for ev in events if isinstance(ev, protocol.Transcript) and ev.role == "agent"]


async def test_the_embedded_conversation_prompts_a_silent_caller() -> None:
    events: list[protocol.ServerEvent] = []
    conv = conversation(Conversation, EmbeddedChannel(), events)
    await conv.start(greet=False)
    for _ in range(200):
        if PROMPT in said(events):
            break
        await asyncio.sleep(0.01)
    await conv.close(drain_timeout=2)
    assert PROMPT in said(events)


async def test_the_dialog_conversation_leaves_silences_to_the_engine() -> None:
    events: list[protocol.ServerEvent] = []
    channel = DialogChannel()
    conv = conversation(DialogConversation, channel, events, dialog=None)
    await conv.start(greet=False)
    await asyncio.sleep(0.3)  # six times the prompt's delay
    await conv.close(drain_timeout=2)
    assert channel.started == [None]
    assert said(events) == []


async def test_a_handoff_result_with_nothing_pending_is_refused_in_both_modes() -> None:
    for cls, channel, extra in ((Conversation, EmbeddedChannel(), {}),
                                (DialogConversation, DialogChannel(), {"dialog": None})):
        events: list[protocol.ServerEvent] = []
        conv = conversation(cls, channel, events, **extra)
        await conv.start(greet=False)
        await conv.handoff_result(True, "")
        await conv.close(drain_timeout=2)
        errors = [ev for ev in events if isinstance(ev, protocol.Error)]
        assert [e.code for e in errors] == [protocol.Code.NO_HANDOFF], cls.__name__
        assert said(events) == [], cls.__name__  # the brain was not told of a transfer that never was
