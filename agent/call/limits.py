"""Silence and call-length limits: when to check on a quiet caller, and when to close (pure).

A phone caller who goes quiet is usually gone (the line dropped, the handset was put
down) or distracted; leaving the line open in silence helps neither. After
``silence_prompt_s`` of quiet the agent asks "are you still there?"; after a further
``silence_close_s`` with nothing from the caller it says goodbye and ends the call
(the call state and any case stay stored, so a callback can pick it up). Quiet is
counted only while nothing happens: the caller talking, a turn being worked on, the
agent speaking or a hand-over waiting for its result all hold the clock.

A call also has a maximum length (``max_call_s``), counted from the call's start
across reconnects, with a spoken warning ``call_warning_s`` before the end.

``Watch`` is the clock-free decision: the conversation feeds it what happens and
asks it what is due at ``now``; it never sleeps or speaks itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Due = Literal["prompt", "close", "warn", "limit"]

PROMPT = "Are you still there?"
CLOSE = "I can't hear anything, so I'll end the call now. Everything you told me is saved. Please call back any time."
WARN = "Just so you know, this call will end in about a minute."
LIMIT = "We've reached the time limit for this call. Everything is saved. Please call back to carry on."

#: What the agent says for each limit, and the ``session.ended`` reason of the two that end the call.
SAY: dict[Due, str] = {"prompt": PROMPT, "close": CLOSE, "warn": WARN, "limit": LIMIT}
ENDS: dict[Due, str] = {"close": "silence", "limit": "max_duration"}


@dataclass(frozen=True)
class CallLimits:
    """Defaults and the environment variables are in ``agent.config.Settings``; 0 turns a limit off."""

    silence_prompt_s: float  # quiet before "are you still there?" (0: never, and never closed for silence)
    silence_close_s: float  # quiet after the prompt before goodbye (0: prompt only)
    max_call_s: float  # from the call's start, across reconnects (0: no limit)
    call_warning_s: float  # the warning comes this long before max_call_s (0: none)


class Watch:
    """What a call's limits make due, from the events fed to it (times in seconds, any monotonic clock)."""

    def __init__(self, limits: CallLimits, *, now: float, call_started: float | None = None) -> None:
        self.limits = limits
        self._call_started = now if call_started is None else call_started
        self._quiet_since = now
        self._prompted = False
        self._warned = False
        self._held = 0  # how many reasons hold the silence clock (turn running, agent speaking, ...)
        self._done = False

    def activity(self, now: float) -> None:
        """The caller did something (spoke, typed, keyed): quiet starts again from here."""
        self._quiet_since = now
        self._prompted = False

    def hold(self, now: float) -> None:
        """Something is going on that is not the caller's turn to fill (nestable)."""
        self._held += 1
        self._quiet_since = now

    def release(self, now: float) -> None:
        self._held = max(0, self._held - 1)
        self._quiet_since = now  # quiet counts from when the agent stopped, not from when it started

    def due(self, now: float) -> Due | None:
        """The limit that is due now, if any; each is returned once (a prompt again after new activity)."""
        if self._done:
            return None
        lim = self.limits
        if lim.max_call_s:
            elapsed = now - self._call_started
            if elapsed >= lim.max_call_s:
                self._done = True
                return "limit"
            if lim.call_warning_s and not self._warned and elapsed >= lim.max_call_s - lim.call_warning_s:
                self._warned = True
                return "warn"
        if self._held or not lim.silence_prompt_s:
            return None
        quiet = now - self._quiet_since
        if not self._prompted:
            if quiet >= lim.silence_prompt_s:
                self._prompted = True
                self._quiet_since = now  # the close period counts from the prompt
                return "prompt"
            return None
        if lim.silence_close_s and quiet >= lim.silence_close_s:
            self._done = True
            return "close"
        return None

    def next_check(self, now: float) -> float:
        """Seconds until something could next be due (for the caller's sleep)."""
        lim = self.limits
        waits = []
        if lim.max_call_s and not self._done:
            end = self._call_started + lim.max_call_s
            if lim.call_warning_s and not self._warned:
                waits.append(end - lim.call_warning_s - now)
            waits.append(end - now)
        if lim.silence_prompt_s and not self._held and not self._done:
            period = lim.silence_close_s if self._prompted else lim.silence_prompt_s
            if period:
                waits.append(self._quiet_since + period - now)
        return max(0.05, min(waits)) if waits else 3600.0
