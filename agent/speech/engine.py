"""The speech boundary: what the rest of the agent needs from a speech engine.

An engine is process-wide (models load once, at start-up). Each call opens a
``SpeechChannel`` at its session sample rate: caller PCM goes in through ``feed``;
recognition results and barge-in come out as ``SpeechEvent``s through the
callback given to ``open``; ``synthesize`` turns reply text into PCM at the
session rate. The local engine (VAD + STT + TTS on this CPU) and Voice Live both
implement this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable, Protocol, Union


@dataclass(frozen=True)
class SpeechStarted:
    """The caller started talking (VAD), at ``at_ms`` of caller audio time."""

    at_ms: float


@dataclass(frozen=True)
class PartialTranscript:
    text: str


@dataclass(frozen=True)
class FinalTranscript:
    """A complete caller turn."""

    text: str
    #: caller-audio time at which speech ended (before the end-of-turn silence)
    speech_end_ms: float
    #: ``time.monotonic()`` when the audio at ``speech_end_ms`` arrived: the origin of turn latency
    speech_end_at: float
    #: wall-clock ms from ``speech_end_at`` to this transcript being ready (includes the
    #: end-of-turn silence; recognition itself starts speculatively when silence begins)
    stt_ms: float
    #: seconds of audio recognised / seconds of compute
    rtf: float
    audio_ms: float


@dataclass(frozen=True)
class BargeIn:
    """Sustained caller speech while the agent was speaking."""

    at_ms: float


SpeechEvent = Union[SpeechStarted, PartialTranscript, FinalTranscript, BargeIn]
OnSpeechEvent = Callable[[SpeechEvent], Awaitable[None]]


class SpeechChannel(Protocol):
    sample_rate: int

    async def feed(self, pcm: bytes) -> None:
        """Caller audio, PCM16 mono at ``sample_rate``; any length."""

    def set_agent_speaking(self, speaking: bool) -> None:
        """Barge-in detection only arms while agent audio is playing."""

    def synthesize(self, text: str) -> AsyncIterator[bytes]:
        """Agent speech for ``text`` as PCM16 at ``sample_rate``, in chunks as they are ready."""

    async def flush(self) -> None:
        """End any caller utterance in progress now (connection dropped): emit its transcript."""

    async def close(self) -> None: ...


class SpeechEngine(Protocol):
    name: str

    async def start(self) -> None:
        """Load models; called once per process before the first call."""

    async def close(self) -> None: ...

    def open(self, sample_rate: int, on_event: OnSpeechEvent) -> SpeechChannel: ...
