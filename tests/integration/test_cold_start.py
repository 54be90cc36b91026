"""A new container greets before everything has loaded, and loses no turn to what is still loading.

Served in-process (``tests.support.inproc``) with a brain whose
``start`` (tool servers, in production) is held back by the test, so the order is exact:
the greeting plays while the brain is starting, and a typed turn sent meanwhile is
answered as soon as the start completes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from agent.app import create_app
from agent.contracts.brain import PlaceholderResponder, StartingBrain
from agent.config import Settings
from tests.support.inproc import served
from tests.support.wsclient import Client


class HeldBrain(PlaceholderResponder):
    """The placeholder brain, whose start waits until the test lets it finish."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = False

    async def start(self) -> None:
        await self.release.wait()
        self.started = True


class FailingBrain(PlaceholderResponder):
    async def start(self) -> None:
        raise RuntimeError("tool server would not start")


async def test_greeting_plays_while_the_brain_starts_and_an_early_turn_is_answered_after(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", brain="placeholder", speech_engine="none")
    brain = HeldBrain()
    app, hub = create_app(settings, brain=brain)
    await hub.start()  # returns although the brain is still starting
    try:
        async with served(app, hub) as url:
            client = await Client.connect(url, "cold-1")
            await client.start()
            greeting = await client.wait_for("transcript", role="agent")
            assert greeting["text"] == "Hello, this is switchboard." and not brain.started
            await client.send("input.text", text="are you there")
            await client.wait_for("transcript", role="caller")
            waiting = asyncio.ensure_future(client.wait_for("transcript", role="agent", text="You said: are you there"))
            await asyncio.sleep(0.2)
            assert not waiting.done()  # the turn waits for the brain; it is not dropped or answered half-started
            brain.release.set()
            await asyncio.wait_for(waiting, 10)
            await asyncio.wait_for(hub.ready(), 5)
            assert brain.started
            await client.close()
    finally:
        brain.release.set()


async def test_a_brain_that_fails_to_start_fails_readiness_and_the_turns_waiting_for_it() -> None:
    brain = StartingBrain(FailingBrain())
    await brain.start()
    with pytest.raises(RuntimeError, match="would not start"):
        await brain.started()
    greeting = [a async for a in brain.greet(None)]  # type: ignore[arg-type]
    assert greeting  # greeting needs nothing start loads
    with pytest.raises(RuntimeError, match="would not start"):
        _ = [a async for a in brain.respond(None, None)]  # type: ignore[arg-type]


async def test_a_turn_before_the_background_start_begins_it_rather_than_waiting_forever() -> None:
    inner = HeldBrain()
    brain = StartingBrain(inner)
    replying = asyncio.ensure_future(_collect(brain.handoff_result(True, "", None)))  # type: ignore[arg-type]
    await asyncio.sleep(0.1)
    assert not replying.done()  # it began the start and waits for it
    inner.release.set()
    replies: list[Any] = await asyncio.wait_for(replying, 5)
    assert inner.started and replies[0].text == "Transfer complete."
    await brain.close()


async def _collect(actions: Any) -> list[Any]:
    return [a async for a in actions]
