"""Run a ``CallScript`` against an endpoint with a ``Caller`` (used by ``switchboard call`` and the demo)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from agent.dev.client.audio import read_wav
from agent.dev.client.caller import Caller
from agent.dev.client.render import CallLog
from agent.dev.client.script import CallScript


class CallerVoice(Protocol):
    def speak(self, text: str, rate: int) -> bytes:
        """PCM16 mono at ``rate`` saying ``text``."""


class PiperCallerVoice:
    """The caller's voice: Piper through the speech package's synthesiser (loaded on first use)."""

    def __init__(self) -> None:
        self._synth = None

    def speak(self, text: str, rate: int) -> bytes:
        if self._synth is None:
            from agent.speech.tts import PiperSynth

            self._synth = PiperSynth()
        return self._synth.synth(text, rate).astype("<i2").tobytes()


@dataclass
class CallResult:
    name: str
    log: CallLog
    agent_audio: bytes
    sample_rate: int
    seconds: float


async def run_script(
    url: str,
    script: CallScript,
    *,
    voice: CallerVoice | None = None,
    headers: dict[str, str] | None = None,
    sample_rate: int = 16000,
    on_line: Callable[[str], None] = print,
    turn_timeout_s: float = 90.0,
) -> CallResult:
    """Place one call: wait for the greeting, run every step, hang up; returns the call's record."""
    caller = Caller(url, sample_rate=sample_rate, headers=headers, on_line=on_line, turn_timeout_s=turn_timeout_s)
    started = time.monotonic()
    await caller.connect()
    try:
        await caller.wait_quiet()
        for step in script.steps:
            if step.kind == "say":
                if caller.speech:
                    if voice is None:
                        raise ValueError("a 'say' step needs a caller voice")
                    pcm = await asyncio.to_thread(voice.speak, step.text, sample_rate)
                    on_line(f"   (caller speaks {len(pcm) / 2 / sample_rate:.1f} s of audio)")
                    await caller.say_audio(pcm)
                else:
                    # A text-only endpoint: the same words as a typed turn, so scripts run anywhere.
                    await caller.type_text(step.text)
            elif step.kind == "wav":
                pcm = read_wav(Path(step.text), sample_rate)
                on_line(f"   (caller plays {step.text}: {len(pcm) / 2 / sample_rate:.1f} s)")
                await caller.say_audio(pcm)
            elif step.kind == "type":
                await caller.type_text(step.text)
            elif step.kind == "dtmf":
                await caller.dtmf(step.text)
            elif step.kind == "wait":
                await asyncio.sleep(step.seconds)
            elif step.kind == "hangup":
                break
    finally:
        await caller.hangup()
    return CallResult(script.name, caller.log, bytes(caller.agent_audio), sample_rate, time.monotonic() - started)
