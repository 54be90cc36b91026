"""The ``invocations_ws`` wire protocol: typed messages, parsed and serialised here only.

Binary frames carry raw PCM16 little-endian mono audio at the session's sample rate,
both ways. Text frames are JSON objects with a ``type``. ``docs/protocol.md`` is the
human-readable contract; this module is its single implementation.

Parsing never raises on client input: it returns a ``ProtocolError`` with a stable
``code`` that the session sends back as an ``error`` event. Agent events are one frozen
dataclass per ``type``, turned into JSON by ``encode`` only; ``agent/wire/client.py``
reads them back into the same classes for every client. This module imports nothing
but the standard library, so a client (the bridge) can ship it without the agent.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, Literal, Union
from urllib.parse import parse_qsl

#: The platform proxy caps WebSocket frames at 1 MiB; we enforce the same.
MAX_FRAME_BYTES = 1024 * 1024
SUPPORTED_SAMPLE_RATES = (8000, 16000, 24000)
MAX_TEXT_CHARS = 4000
MAX_DTMF_DIGITS = 64
#: Sequence numbers are stored as signed 64-bit integers (SQLite INTEGER, Redis).
MAX_SEQ = 2**63 - 1
#: A playback position beyond a day is not a position in one reply.
MAX_PLAYED_MS = 24 * 3600 * 1000
DTMF_CHARS = frozenset("0123456789*#ABCD")
CHANNELS = ("phone", "web", "test", "api")


# --- error codes (stable: clients switch on them) ---------------------------------
class Code:
    BAD_JSON = "bad_json"
    BAD_MESSAGE = "bad_message"
    UNKNOWN_TYPE = "unknown_type"
    NOT_STARTED = "not_started"
    ALREADY_STARTED = "already_started"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    UNSUPPORTED_SAMPLE_RATE = "unsupported_sample_rate"
    ODD_AUDIO_LENGTH = "odd_audio_length"
    TEXT_TOO_LONG = "text_too_long"
    BAD_DTMF = "bad_dtmf"
    REPLAY_GAP = "replay_gap"
    NO_HANDOFF = "no_handoff_pending"
    SPEECH_UNAVAILABLE = "speech_unavailable"
    INTERNAL = "internal_error"
    STORE_UNAVAILABLE = "store_unavailable"


@dataclass(frozen=True)
class ProtocolError:
    code: str
    message: str


# --- client -> agent ---------------------------------------------------------------
@dataclass(frozen=True)
class AudioFormat:
    encoding: str = "pcm16"
    sample_rate: int = 16000

    def to_dict(self) -> dict[str, Any]:
        return {"encoding": self.encoding, "sample_rate": self.sample_rate}


@dataclass(frozen=True)
class SessionStart:
    TYPE: ClassVar[str] = "session.start"
    audio: AudioFormat = field(default_factory=AudioFormat)
    channel: str = "test"
    last_seq: int | None = None
    call_id: str | None = None
    caller: str | None = None  # caller number, from the bridge


@dataclass(frozen=True)
class InputText:
    TYPE: ClassVar[str] = "input.text"
    text: str


@dataclass(frozen=True)
class InputDtmf:
    TYPE: ClassVar[str] = "input.dtmf"
    digits: str


@dataclass(frozen=True)
class PlaybackProgress:
    TYPE: ClassVar[str] = "playback.progress"
    item_id: str
    played_ms: int


@dataclass(frozen=True)
class HandoffResult:
    TYPE: ClassVar[str] = "handoff.result"
    ok: bool
    reason: str | None = None
    target: str | None = None  # who took the call, after a warm transfer


@dataclass(frozen=True)
class CallRecording:
    """The bridge reports the call's recording: ``recording`` (with consent), ``declined`` or ``off``."""

    TYPE: ClassVar[str] = "call.recording"
    state: str
    recording_id: str | None = None


RECORDING_STATES = ("recording", "declined", "off")


@dataclass(frozen=True)
class SessionEnd:
    TYPE: ClassVar[str] = "session.end"
    reason: str = "caller"


@dataclass(frozen=True)
class Ping:
    """Application-level ping; answered with ``pong`` after every earlier frame was handled."""

    TYPE: ClassVar[str] = "ping"
    id: str


ClientMessage = Union[SessionStart, InputText, InputDtmf, PlaybackProgress, HandoffResult, CallRecording, SessionEnd,
                      Ping]


def _str(obj: dict[str, Any], key: str, *, required: bool = True, limit: int = 256) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _Bad(f"'{key}' must be a string")
    if len(value) > limit:
        raise _Bad(f"'{key}' is longer than {limit} characters", Code.TEXT_TOO_LONG)
    return value


def _int(value: Any, key: str, low: int, high: int) -> int:
    """An integer in [low, high]; a whole float (``1.0``) counts, NaN and infinities do not."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _Bad(f"'{key}' must be an integer from {low} to {high}")
    return value


def _shown(value: Any) -> str:
    """A client value quoted in an error message: scalars only, cut short (never a deep repr)."""
    if isinstance(value, (dict, list)):
        return f"of type {type(value).__name__}"
    return repr(value)[:64]


class _Bad(Exception):
    def __init__(self, message: str, code: str = Code.BAD_MESSAGE) -> None:
        super().__init__(message)
        self.code = code


def _session_start(obj: dict[str, Any]) -> SessionStart:
    audio = obj.get("audio", {})
    if not isinstance(audio, dict):
        raise _Bad("'audio' must be an object like {\"encoding\": \"pcm16\", \"sample_rate\": 16000}")
    encoding = audio.get("encoding", "pcm16")
    if encoding != "pcm16":
        raise _Bad(f"audio encoding {_shown(encoding)} is not supported; use 'pcm16'", Code.UNSUPPORTED_ENCODING)
    rate = audio.get("sample_rate", 16000)
    if not isinstance(rate, int) or isinstance(rate, bool) or rate not in SUPPORTED_SAMPLE_RATES:
        rates = ", ".join(str(r) for r in SUPPORTED_SAMPLE_RATES)
        raise _Bad(f"sample_rate {_shown(rate)} is not supported; use one of {rates}", Code.UNSUPPORTED_SAMPLE_RATE)
    channel = obj.get("channel", "test")
    if channel not in CHANNELS:
        raise _Bad(f"channel must be one of {', '.join(CHANNELS)}")
    last_seq = obj.get("last_seq")
    if last_seq is not None:
        last_seq = _int(last_seq, "last_seq", 0, MAX_SEQ)
    return SessionStart(
        audio=AudioFormat(encoding, rate),
        channel=channel,
        last_seq=last_seq,
        call_id=_str(obj, "call_id", required=False, limit=128),
        caller=_str(obj, "caller", required=False, limit=64),
    )


def _input_text(obj: dict[str, Any]) -> InputText:
    text = _str(obj, "text", limit=MAX_TEXT_CHARS)
    assert text is not None
    if not text.strip():
        raise _Bad("'text' is empty")
    return InputText(text)


def _input_dtmf(obj: dict[str, Any]) -> InputDtmf:
    digits = _str(obj, "digits", limit=MAX_DTMF_DIGITS)
    assert digits is not None
    if not digits or set(digits) - DTMF_CHARS:
        raise _Bad("'digits' must be DTMF characters 0-9 * # A-D", Code.BAD_DTMF)
    return InputDtmf(digits)


def _playback(obj: dict[str, Any]) -> PlaybackProgress:
    item_id = _str(obj, "item_id", limit=64)
    played = obj.get("played_ms")
    # Fractions are rounded down; NaN and infinities (JSON extensions json.loads accepts) are refused.
    if isinstance(played, float) and math.isfinite(played):
        played = math.floor(played)
    assert item_id is not None
    return PlaybackProgress(item_id, _int(played, "played_ms", 0, MAX_PLAYED_MS))


def _handoff_result(obj: dict[str, Any]) -> HandoffResult:
    ok = obj.get("ok")
    if not isinstance(ok, bool):
        raise _Bad("'ok' must be true or false")
    return HandoffResult(ok, _str(obj, "reason", required=False, limit=512),
                         _str(obj, "target", required=False, limit=256))


def _call_recording(obj: dict[str, Any]) -> CallRecording:
    state = obj.get("state")
    if state not in RECORDING_STATES:
        raise _Bad(f"'state' must be one of {', '.join(RECORDING_STATES)}")
    recording_id = _str(obj, "recording_id", required=False, limit=256)
    if (state == "recording") != bool(recording_id):
        raise _Bad("'recording_id' is required with state recording, and only then")
    return CallRecording(state, recording_id)


def _session_end(obj: dict[str, Any]) -> SessionEnd:
    return SessionEnd(_str(obj, "reason", required=False, limit=128) or "caller")


def _ping(obj: dict[str, Any]) -> Ping:
    value = obj.get("id", "")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Bad("'id' must be a string or a number")
    text = str(value)
    if len(text) > 64:
        raise _Bad("'id' is longer than 64 characters")
    return Ping(text)


_PARSERS = {
    "session.start": _session_start,
    "input.text": _input_text,
    "input.dtmf": _input_dtmf,
    "playback.progress": _playback,
    "handoff.result": _handoff_result,
    "call.recording": _call_recording,
    "session.end": _session_end,
    "ping": _ping,
}
CLIENT_TYPES = tuple(_PARSERS)


def parse_text(frame: str) -> ClientMessage | ProtocolError:
    """Parse one text frame from the client."""
    obj = load_json(frame)
    if isinstance(obj, ProtocolError):
        return obj
    return parse_object(obj)


def load_json(text: str | bytes) -> Any:
    """JSON from a client, or a ``bad_json`` error; nesting too deep for the decoder is bad JSON too."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return ProtocolError(Code.BAD_JSON, f"text frames must be JSON objects: {str(exc)[:200]}")


def parse_object(obj: Any) -> ClientMessage | ProtocolError:
    """Parse one decoded client message."""
    if not isinstance(obj, dict):
        return ProtocolError(Code.BAD_MESSAGE, "text frames must be JSON objects with a 'type'")
    kind = obj.get("type")
    if not isinstance(kind, str):
        return ProtocolError(Code.BAD_MESSAGE, "message has no 'type' string")
    parser = _PARSERS.get(kind)
    if parser is None:
        shown = kind[:64]
        return ProtocolError(Code.UNKNOWN_TYPE, f"unknown message type {shown!r}; known: {', '.join(CLIENT_TYPES)}")
    try:
        return parser(obj)
    except _Bad as exc:
        return ProtocolError(exc.code, f"{kind}: {exc}")


def check_audio(frame: bytes) -> ProtocolError | None:
    """Audio frames are PCM16: an even number of bytes, within the frame limit."""
    if len(frame) > MAX_FRAME_BYTES:
        return ProtocolError(Code.BAD_MESSAGE, f"audio frame of {len(frame)} bytes exceeds {MAX_FRAME_BYTES}")
    if len(frame) % 2:
        return ProtocolError(Code.ODD_AUDIO_LENGTH, f"PCM16 audio needs an even byte count, got {len(frame)}")
    return None


# --- agent -> client ---------------------------------------------------------------
Role = Literal["caller", "agent"]


@dataclass(frozen=True)
class SessionReady:
    TYPE: ClassVar[str] = "session.ready"
    session_id: str
    resumed: bool
    audio: AudioFormat
    speech: bool
    last_seq: int | None = None  # set by the session when it sends it


@dataclass(frozen=True)
class Transcript:
    TYPE: ClassVar[str] = "transcript"
    role: Role
    text: str
    final: bool
    kind: str | None = None  # caller turns: speech | text | dtmf
    item_id: str | None = None  # agent lines that are spoken: their audio item
    replayed: bool | None = None


@dataclass(frozen=True)
class TranscriptTruncated:
    """After a barge-in: what the caller heard of an agent item; replaces its ``transcript`` events."""

    TYPE: ClassVar[str] = "transcript.truncated"
    item_id: str
    text: str
    heard_ms: int


@dataclass(frozen=True)
class Route:
    TYPE: ClassVar[str] = "route"
    target: str
    intent: str
    confidence: float
    reason: str | None = None
    alternatives: list[dict[str, Any]] | None = None
    action: str | None = None  # route | clarify | handoff


@dataclass(frozen=True)
class Tool:
    TYPE: ClassVar[str] = "tool"
    name: str
    status: str  # started | ok | error
    arguments: dict[str, Any] | None = None
    result: Any = None
    error: str | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class AudioStart:
    TYPE: ClassVar[str] = "audio.start"
    item_id: str


@dataclass(frozen=True)
class AudioEnd:
    TYPE: ClassVar[str] = "audio.end"
    item_id: str


@dataclass(frozen=True)
class AudioClear:
    """Stop playback now and drop buffered agent audio (barge-in)."""

    TYPE: ClassVar[str] = "audio.clear"
    item_id: str


@dataclass(frozen=True)
class Handoff:
    TYPE: ClassVar[str] = "handoff"
    target: str
    case_id: str
    reason: str | None = None
    priority: str | None = None
    legs: list[dict[str, Any]] | None = None  # warm transfer: [{target, name, mode, ring_s}], tried in order
    briefing: str | None = None  # spoken to the person before the caller is connected


@dataclass(frozen=True)
class TurnMetrics:
    TYPE: ClassVar[str] = "turn.metrics"
    turn: int
    stt_ms: float | None = None
    stt_rtf: float | None = None
    decision_ms: float | None = None
    first_say_ms: float | None = None
    first_audio_ms: float | None = None
    total_ms: float | None = None
    barge_in: bool | None = None
    #: The reply was prepared during the end-of-turn silence and adopted (agent/call/speculation.py).
    speculative: bool | None = None


@dataclass(frozen=True)
class Pong:
    """Transient: not numbered (it carries the session's ``last_seq``), never stored or replayed."""

    TYPE: ClassVar[str] = "pong"
    id: str
    frames_in: int
    last_seq: int


@dataclass(frozen=True)
class SessionEnded:
    TYPE: ClassVar[str] = "session.ended"
    reason: str
    frames_in: int | None = None
    bytes_in: int | None = None


@dataclass(frozen=True)
class Error:
    TYPE: ClassVar[str] = "error"
    code: str
    message: str


ServerEvent = Union[SessionReady, Transcript, TranscriptTruncated, Route, Tool, AudioStart, AudioEnd, AudioClear,
                    Handoff, TurnMetrics, Pong, SessionEnded, Error]
SERVER_EVENTS: dict[str, type[ServerEvent]] = {cls.TYPE: cls for cls in ServerEvent.__args__}  # type: ignore[attr-defined]


def body(message: ServerEvent | ClientMessage) -> dict[str, Any]:
    """The JSON object of a message either way (agent events without ``seq``). ``None`` fields are left out."""
    out: dict[str, Any] = {"type": message.TYPE}
    for f in fields(message):
        value = getattr(message, f.name)
        if value is not None:
            out[f.name] = value.to_dict() if is_dataclass(value) else value
    return out


def encode(ev: ServerEvent, seq: int | None) -> str:
    """One text frame; ``seq`` None for transient events (``pong``)."""
    obj = body(ev)
    if seq is not None:
        obj["seq"] = seq
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def error(err: ProtocolError) -> Error:
    return Error(err.code, err.message)


# --- close codes ---------------------------------------------------------------------
class Close:
    NORMAL = 1000  # session.end handled
    GOING_AWAY = 1001  # shutting down or recycled: resume
    UNSUPPORTED = 1003
    POLICY = 1008  # invalid session id
    TOO_BIG = 1009  # a frame over MAX_FRAME_BYTES
    TRY_AGAIN = 1013  # the session store is unavailable: nothing was changed, reconnect shortly
    REPLACED = 4000  # a newer connection took this session over


#: After these the session is over (or will be refused again): a client must not resume.
#: Anything else (1001 recycle, 1006 drop, 1011) is resumed with the same id and ``last_seq``.
FINAL_CLOSE_CODES = frozenset({Close.NORMAL, Close.POLICY, Close.TOO_BIG, Close.REPLACED})


# --- session ids -------------------------------------------------------------------
_SESSION_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
MAX_SESSION_ID = 128


def check_session_id(value: str) -> str | None:
    """Return why ``value`` is not an acceptable session id, or None when it is.

    Ids reach file names and store keys, so only a conservative charset is allowed
    and ``.``-only names (``..``) are refused outright.
    """
    if not value:
        return "session id is empty"
    if len(value) > MAX_SESSION_ID:
        return f"session id is longer than {MAX_SESSION_ID} characters"
    if set(value) - _SESSION_ID_CHARS:
        return "session id may only contain letters, digits and - _ . :"
    if set(value) == {"."}:
        return "session id may not be only dots"
    return None


SESSION_ID_PARAM = "agent_session_id"
CALL_ID_PARAM = "call_id"  # a pooled session: which call's conversation within it (docs/protocol.md)


def session_id_in_query(query: str) -> tuple[str | None, str | None]:
    """(the ``agent_session_id`` a URL query names, why it cannot be used): the one reading
    of it for every layer (the ``serve --workers`` dispatcher routes on it, the container
    serves it), so they can never pick different values. A repeated parameter is refused:
    one layer taking the first and another the last put one session on two owners.
    """
    return _single_param(query, SESSION_ID_PARAM)


def call_id_in_query(query: str) -> tuple[str | None, str | None]:
    """(the ``call_id`` a pooled session's connection names, why it cannot be used): read,
    and a repeat refused, as ``session_id_in_query`` does."""
    return _single_param(query, CALL_ID_PARAM)


def _single_param(query: str, name: str) -> tuple[str | None, str | None]:
    values = [v for k, v in parse_qsl(query, keep_blank_values=True) if k == name]
    if len(values) > 1:
        return None, f"{name} is given {len(values)} times"
    return (values[0], None) if values else (None, None)
