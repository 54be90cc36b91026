"""Silence and call-length limits (agent/call/limits.py): pure decisions on an injected clock."""

from __future__ import annotations

import pytest

from agent.config import ConfigError, Settings
from agent.call.limits import CallLimits, Watch

LIMITS = CallLimits(silence_prompt_s=10, silence_close_s=8, max_call_s=600, call_warning_s=60)


def run(watch: Watch, start: float, end: float, step: float = 0.5) -> list[tuple[float, str]]:
    """Every limit that falls due between start and end, checked every ``step`` seconds."""
    out = []
    t = start
    while t <= end:
        due = watch.due(t)
        if due:
            out.append((t, due))
        t = round(t + step, 3)
    return out


def test_a_quiet_caller_is_prompted_then_closed() -> None:
    w = Watch(LIMITS, now=0)
    assert run(w, 0, 40) == [(10, "prompt"), (18, "close")]
    assert w.due(500) is None  # closed: nothing more, the call length limit included


def test_caller_activity_resets_the_silence_and_a_new_silence_gets_a_new_prompt() -> None:
    w = Watch(LIMITS, now=0)
    assert run(w, 0, 12) == [(10, "prompt")]
    w.activity(13)  # "yes, I'm here"
    assert run(w, 13, 22.5) == []
    assert run(w, 23, 23) == [(23, "prompt")]
    w.activity(25)
    assert run(w, 25, 34) == []


@pytest.mark.parametrize("holds", [1, 2, 3])
def test_anything_going_on_holds_the_clock_and_quiet_counts_from_its_end(holds: int) -> None:
    """A turn being worked on, the agent speaking, a transfer pending: none of it is the caller's silence."""
    w = Watch(LIMITS, now=0)
    for i in range(holds):
        w.hold(1 + i)
    assert run(w, 1, 100) == []
    for _ in range(holds):
        w.release(100)
    assert run(w, 100, 109.5) == []
    assert run(w, 110, 110) == [(110, "prompt")]


def test_the_prompt_itself_being_spoken_does_not_count_towards_the_close() -> None:
    w = Watch(LIMITS, now=0)
    assert w.due(10) == "prompt"
    w.hold(10)  # the agent says "are you still there?"
    w.release(12)
    assert w.due(19.9) is None
    assert w.due(20) == "close"


def test_call_length_warns_once_then_ends_the_call_whatever_the_silence() -> None:
    w = Watch(CallLimits(silence_prompt_s=0, silence_close_s=0, max_call_s=600, call_warning_s=60), now=0)
    assert run(w, 0, 700, step=1) == [(540, "warn"), (600, "limit")]


def test_a_resumed_call_counts_its_length_from_when_it_started() -> None:
    w = Watch(LIMITS, now=1000, call_started=1000 - 590)
    assert w.due(1000) == "warn"
    assert w.due(1010) == "limit"


def test_zero_turns_each_limit_off() -> None:
    w = Watch(CallLimits(0, 0, 0, 0), now=0)
    assert run(w, 0, 10_000, step=7) == []
    prompt_only = Watch(CallLimits(5, 0, 0, 0), now=0)
    assert run(prompt_only, 0, 1000) == [(5, "prompt")]


def test_next_check_is_the_nearest_deadline() -> None:
    w = Watch(LIMITS, now=0)
    assert w.next_check(0) == 10
    assert w.due(10) == "prompt"
    assert w.next_check(10) == 8
    w.hold(11)
    assert w.next_check(11) == 600 - 60 - 11  # only the call-length clock runs while held
    assert Watch(CallLimits(0, 0, 0, 0), now=0).next_check(0) == 3600


@pytest.mark.parametrize("raw", ["-1", "nan", "inf", "1e9", "ten"])
@pytest.mark.parametrize("name", ["SWITCHBOARD_SILENCE_PROMPT_S", "SWITCHBOARD_SILENCE_CLOSE_S",
                                  "SWITCHBOARD_MAX_CALL_S", "SWITCHBOARD_CALL_WARNING_S"])
def test_settings_refuse_limits_that_are_not_a_duration(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: raw})


def test_settings_read_the_limits() -> None:
    s = Settings.from_env({"SWITCHBOARD_SILENCE_PROMPT_S": "7.5", "SWITCHBOARD_MAX_CALL_S": "0"})
    assert (s.silence_prompt_s, s.silence_close_s, s.max_call_s, s.call_warning_s) == (7.5, 10.0, 0.0, 60.0)
