"""Silence and call-length limits through a real container: a quiet caller is asked, then the call closes
politely; a caller who answers is not cut off; a transfer in progress and a typed session are never prompted."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import pytest

from agent.app import create_app
from agent.call.limits import CLOSE, LIMIT, PROMPT, WARN
from agent.config import Settings
from agent.contracts.actions import CallerInput, HandoffEvent, Say
from agent.contracts.brain import PlaceholderResponder
from agent.contracts.state import CallState
from agent.store import open_store
from tests.support.inproc import served
from tests.support.speech_fakes import QuietSpeech
from tests.support.wsclient import Client


class TransferringBrain(PlaceholderResponder):
    """Hands every caller turn over to a person."""

    async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Any]:
        state.handoff = {"case_id": "CASE-TEST", "status": "pending"}  # as the hand-over service records it
        yield Say("Putting you through.")
        yield HandoffEvent(target="+14255550100", case_id="CASE-TEST", reason="asked", priority="normal")


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    count = iter(range(100))
    async with contextlib.AsyncExitStack() as stack:
        async def start(speech: Any = None, brain: Any = None, **limits: float) -> tuple[str, Settings]:
            settings = Settings(data_dir=tmp_path / f"data{next(count)}", brain="placeholder", speech_engine="none",
                                **limits)
            app, hub = create_app(settings, speech=speech, brain=brain)
            await hub.start()
            return await stack.enter_async_context(served(app, hub)), settings

        yield start


def said(c: Client) -> list[str]:
    return [e["text"] for e in c.of("transcript") if e["role"] == "agent"]


async def test_a_silent_caller_is_asked_then_the_call_closes_politely_and_is_kept(serve: Any) -> None:
    url, settings = await serve(QuietSpeech(), silence_prompt_s=0.6, silence_close_s=0.6, max_call_s=0)
    c = await Client.connect(url, "quiet-caller")
    await c.start(channel="phone")
    ended = await c.wait_for("session.ended", timeout=30)
    assert ended["reason"] == "silence"
    assert said(c) == ["Hello, this is switchboard.", PROMPT, CLOSE]
    # The agent's words were spoken (audio), not only sent as text.
    assert len(c.of("audio.start")) == 3
    await c.send("session.end")  # what the bridge does on session.ended: hang up
    await c.conn.wait_closed()
    record = await open_store(settings).load("quiet-caller")
    assert record is not None
    assert [t["text"] for t in record.state["turns"] if t["role"] == "agent"][-2:] == [PROMPT, CLOSE]


async def test_a_caller_who_answers_the_prompt_is_not_cut_off(serve: Any) -> None:
    url, _ = await serve(QuietSpeech(), silence_prompt_s=0.8, silence_close_s=0.8, max_call_s=0)
    c = await Client.connect(url, "answers")
    await c.start(channel="phone")
    await c.wait_for("transcript", role="agent", text=PROMPT, timeout=30)
    await c.send("input.text", text="yes I'm here")
    await c.wait_for("transcript", role="agent", text="You said: yes I'm here", timeout=30)
    # Silence starts again after the answer: a fresh prompt, not the goodbye.
    await c.wait_for("transcript", role="agent", text=PROMPT, timeout=30)
    assert CLOSE not in said(c)
    assert not c.of("session.ended")
    await c.close()


async def test_a_long_call_is_warned_then_ended(serve: Any) -> None:
    url, _ = await serve(QuietSpeech(), silence_prompt_s=0, max_call_s=2.0, call_warning_s=1.0)
    c = await Client.connect(url, "long-call")
    await c.start(channel="phone")
    ended = await c.wait_for("session.ended", timeout=30)
    assert ended["reason"] == "max_duration"
    assert said(c)[-2:] == [WARN, LIMIT]
    await c.close()


async def test_no_prompt_while_a_transfer_is_pending_and_again_after_it_failed(serve: Any) -> None:
    url, _ = await serve(QuietSpeech(), TransferringBrain(), silence_prompt_s=0.5, silence_close_s=5, max_call_s=0)
    c = await Client.connect(url, "transfer")
    await c.start(channel="phone")
    await c.send("input.text", text="a person please")
    await c.wait_for("handoff", timeout=30)
    await asyncio.sleep(2.0)  # four prompt periods with the transfer under way
    assert PROMPT not in said(c)
    await c.send("handoff.result", ok=False, reason="no answer")
    await c.wait_for("transcript", role="agent", text=PROMPT, timeout=30)
    await c.close()


async def test_a_typed_session_is_never_prompted(serve: Any) -> None:
    url, _ = await serve(None, silence_prompt_s=0.3, silence_close_s=0.3, max_call_s=1.0, call_warning_s=0.5)
    c = await Client.connect(url, "typed")
    await c.start(channel="web")
    await asyncio.sleep(2.0)
    await c.send("input.text", text="still here")
    await c.wait_for("transcript", role="agent", text="You said: still here", timeout=30)
    assert said(c) == ["Hello, this is switchboard.", "You said: still here"]
    assert not c.of("session.ended")
    await c.close()
