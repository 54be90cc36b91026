"""Keys pressed with no terminator become a turn when the inter-digit pause has passed, even when
the event loop's timer fires a hair before the clock says the pause is over (uvloop rounds its
timers to milliseconds). Before the fix the turn was lost and the caller waited for ever."""

from __future__ import annotations

import asyncio
import time

from agent.call import conversation as conv_mod
from agent.call.conversation import Conversation
from agent.call.keypad import KeypadConfig
from agent.contracts.brain import PlaceholderResponder
from agent.contracts.state import CallState


class _EarlyClock:
    """The conversation's view of the time module, whose monotonic() lags the event loop's clock
    (as it looks when a coarse timer wheel fires a little early)."""

    def __init__(self, lag_s: float) -> None:
        self.lag_s = lag_s

    def monotonic(self) -> float:
        return time.monotonic() - self.lag_s

    def time(self) -> float:
        return time.time()


async def _said_after_keys(monkeypatch, lag_s: float) -> list[str]:
    clock = _EarlyClock(0.0)
    monkeypatch.setattr(conv_mod, "time", clock)
    events: list = []

    async def emit(ev) -> None:
        events.append(ev)

    async def nothing(*_a) -> None:
        return None

    call = Conversation(state=CallState("s-keys"), brain=PlaceholderResponder(), emit=emit, send_audio=nothing,
                        speech=None, on_turn_done=nothing, sample_rate=16000,
                        keypad=KeypadConfig(inter_digit_s=0.05))
    await call.start(greet=False)
    await call.dtmf("5")
    # The loop's timer fires at its own idea of the deadline; monotonic() then still reads just before it.
    clock.lag_s = lag_s
    for _ in range(100):
        if any(getattr(e, "role", None) == "agent" for e in events):
            break
        await asyncio.sleep(0.01)
    clock.lag_s = 0.0
    said = [e.text for e in events if getattr(e, "role", None) == "agent"]  # before close flushes the keys
    await call.close()
    return said


async def test_keys_become_a_turn_when_the_timer_fires_slightly_early(monkeypatch) -> None:
    # Lag well under the 50 ms pause but larger than any scheduling jitter: the timer fires "early".
    assert await _said_after_keys(monkeypatch, lag_s=0.03) == ["You said: 5"]


async def test_keys_become_a_turn_with_an_exact_clock(monkeypatch) -> None:
    assert await _said_after_keys(monkeypatch, lag_s=0.0) == ["You said: 5"]
