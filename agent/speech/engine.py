"""The speech boundary: what the rest of the agent needs from a speech engine.

An engine is process-wide (models load once, at start-up). Each call opens a
``SpeechChannel`` at its session sample rate: caller PCM goes in through ``feed``;
recognition results, barge-in and backchannels come out as ``SpeechEvent``s through the
callback given to ``open``; ``synthesize`` turns reply text into PCM at the
session rate. The local engine (VAD + STT + TTS on this CPU) and Voice Live both
implement this.

Speech-to-speech engines (Voice Live) also run the dialogue: their channel has
``drives_dialog = True`` and, besides caller transcripts, emits the agent's own
audio and transcript (``AgentAudio``, ``AgentTranscript``, ``AgentAudioDone``) and
the actions its function calls took (``DialogAction``). The conversation then plays
that audio instead of asking the brain and synthesising. ``EngineFallback`` says the
engine gave up and the channel now behaves like an embedded one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, Protocol, Union

from agent.contracts.actions import Action

if TYPE_CHECKING:
    from agent.realtime.voicelive_tools import DialogFunctions
    from agent.contracts.state import CallState


@dataclass(frozen=True)
class SpeechStarted:
    """The caller started talking (VAD), at ``at_ms`` of caller audio time."""

    at_ms: float


@dataclass(frozen=True)
class PartialTranscript:
    text: str
    #: Set when ``text`` is the speculative transcript of the utterance up to ``end_ms`` (caller-audio
    #: time) and it sounds finished: if the turn ends there, its ``FinalTranscript`` has these words.
    end_ms: float | None = None
    language: str | None = None


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
    #: language heard (ISO 639-1); None when the recogniser cannot tell
    language: str | None = None


@dataclass(frozen=True)
class BargeIn:
    """The caller is taking the turn while the agent speaks: stop it (a backchannel or noise is not this)."""

    at_ms: float


@dataclass(frozen=True)
class NoTurn:
    """Caller sound heard over the agent ended without forming a turn: ``text`` is a backchannel
    ("mm-hm", "okay") or empty. If it stopped the agent, the agent should carry on."""

    text: str


@dataclass(frozen=True)
class AgentAudio:
    """A piece of agent speech made by the engine (PCM16 at the channel rate)."""

    item_id: str
    pcm: bytes


@dataclass(frozen=True)
class AgentAudioDone:
    """The engine has sent all audio of ``item_id``."""

    item_id: str


@dataclass(frozen=True)
class AgentTranscript:
    """What the engine is saying in ``item_id``: the text so far, ``final`` once complete."""

    item_id: str
    text: str
    final: bool


@dataclass(frozen=True)
class DialogAction:
    """A route, tool or hand-over action taken by the engine's dialogue (a function call)."""

    action: Action


@dataclass(frozen=True)
class EngineFallback:
    """The engine stopped (``kind``: auth, quota, network, config); ``message`` is for the caller.

    From now on the channel no longer drives the dialogue: the brain answers and
    ``synthesize`` speaks (embedded TTS, or a short tone when none is loaded)."""

    kind: str
    message: str


SpeechEvent = Union[SpeechStarted, PartialTranscript, FinalTranscript, BargeIn, NoTurn,
                    AgentAudio, AgentAudioDone, AgentTranscript, DialogAction, EngineFallback]
OnSpeechEvent = Callable[[SpeechEvent], Awaitable[None]]
#: What a transcript is as an answer to what the agent just asked: ``endpoint.ANSWERED`` (complete),
#: ``endpoint.BARE_YES_NO`` (a yes or no alone), or None for no opinion (``agent/call/expected.py`` makes these
#: from the agent's words; the speech layer only calls them).
AnswerCheck = Callable[[str], "str | None"]


class SpeechChannel(Protocol):
    sample_rate: int

    async def feed(self, pcm: bytes) -> None:
        """Caller audio, PCM16 mono at ``sample_rate``; any length."""

    def set_agent_speaking(self, speaking: bool) -> None:
        """Barge-in detection only arms while agent audio is playing."""

    def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        """Agent speech for ``text`` (in ``language``) as PCM16 at ``sample_rate``, in chunks as they are ready."""

    async def flush(self) -> None:
        """End any caller utterance in progress now (connection dropped): emit its transcript."""

    def expect(self, check: AnswerCheck | None) -> None:
        """What the agent just asked, as a check of the caller's words (None: nothing): a complete answer
        ends the caller's turn after the short stop. Optional (``expect_answer``): engines without it ignore it."""

    async def close(self) -> None: ...


class DialogChannel(SpeechChannel, Protocol):
    """A channel whose engine runs the dialogue itself (``drives_dialog`` is True)."""

    drives_dialog: bool

    async def start_dialog(self, functions: "DialogFunctions | None", state: "CallState", *,
                           greeting: str | None) -> None:
        """Begin: the engine may call ``functions`` for this call's ``state``; it says ``greeting`` first
        (None on a resumed call). Without functions it only talks."""

    async def interrupted(self, item_id: str, heard_ms: float) -> None:
        """Barge-in: stop ``item_id`` and keep in the engine's context only the ``heard_ms`` played."""

    async def user_text(self, text: str) -> None:
        """A typed (or keyed) caller turn, for the engine to answer."""


def expect_answer(channel: Any, check: AnswerCheck | None) -> None:
    """Tell ``channel`` what answer the agent's last words expect, if it can use it."""
    expect = getattr(channel, "expect", None)
    if callable(expect):
        expect(check)


def drives_dialog(channel: Any) -> bool:
    """True when ``channel`` currently runs the dialogue itself (embedded channels never do)."""
    return bool(getattr(channel, "drives_dialog", False))


class SpeechEngine(Protocol):
    name: str

    async def start(self) -> None:
        """Load what a call's greeting needs; called before the first call (again: no effect).

        Models only needed once the caller has spoken may load later (``ready``), or when first needed."""

    async def ready(self) -> None:
        """Load the rest, if not begun yet, and wait until everything is loaded (raises if loading failed)."""

    async def close(self) -> None: ...

    def open(self, sample_rate: int, on_event: OnSpeechEvent) -> SpeechChannel: ...
