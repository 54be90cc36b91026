"""The client side of ``/invocations_ws``: what every client of the agent shares.

The CLI caller (``agent/client/caller.py``), the spoken benchmark caller
(``agent/bench/caller.py``), the test client (``tests/support/wsclient.py``) and the
bridge's agent link (``bridge/agent_link.py``) all read agent events into the typed
classes of ``agent/protocol.py`` here, send their messages through ``encode``, cut audio
into the same frames and agree on which close codes end a session. Like ``protocol``
it imports only the standard library, so the bridge ships it without the agent.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from agent.protocol import FINAL_CLOSE_CODES, SERVER_EVENTS, AudioFormat, ClientMessage, ServerEvent, body

#: Caller audio goes out in 20 ms frames, as a phone line delivers it.
FRAME_MS = 20


def frame_bytes(rate: int, ms: int = FRAME_MS) -> int:
    """Bytes of one PCM16 mono frame of ``ms`` at ``rate``."""
    return rate * ms // 1000 * 2


def ends_session(close_code: int | None) -> bool:
    """True when the agent closed for good; any other close (or none: 1006) is resumed."""
    return close_code in FINAL_CLOSE_CODES


def session_url(url: str, session_id: str) -> str:
    """``url`` with ``agent_session_id`` set (replacing one already there)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "agent_session_id"]
    query.append(("agent_session_id", session_id))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


# --- client -> agent -----------------------------------------------------------------------
def encode(message: ClientMessage) -> str:
    """One text frame. ``None`` fields are left out, so defaults stay the agent's."""
    return json.dumps(body(message), separators=(",", ":"), ensure_ascii=False)


# --- agent -> client -----------------------------------------------------------------------
class DecodeError(ValueError):
    """A text frame from the agent that is not a valid event of its ``type``."""


@dataclass(frozen=True)
class UnknownEvent:
    """An event type this client does not know (a newer agent): passed on, never an error."""

    type: str


@dataclass(frozen=True)
class Incoming:
    event: Union[ServerEvent, UnknownEvent]
    seq: int | None  # None for transient events (pong)
    raw: dict[str, Any]  # the JSON object as received (tests and logs show the wire)


def decode(frame: str) -> Incoming:
    """Parse one text frame from the agent; raises DecodeError when it breaks the contract."""
    try:
        obj = json.loads(frame)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"agent sent a text frame that is not JSON: {exc}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise DecodeError("agent sent a text frame that is not an object with a 'type'")
    kind = obj["type"]
    seq = obj.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        seq = None
    cls = SERVER_EVENTS.get(kind)
    if cls is None:
        return Incoming(UnknownEvent(kind), seq, obj)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in obj:
            values[f.name] = obj[f.name]
        elif f.default is dataclasses.MISSING:
            raise DecodeError(f"agent sent {kind} without '{f.name}'")
    if "audio" in values:
        audio = values["audio"]
        if not isinstance(audio, dict):
            raise DecodeError(f"agent sent {kind} with 'audio' that is not an object")
        rate = audio.get("sample_rate")
        if not isinstance(rate, int) or isinstance(rate, bool):
            raise DecodeError(f"agent sent {kind} without an integer audio sample_rate")
        values["audio"] = AudioFormat(str(audio.get("encoding", "pcm16")), rate)
    return Incoming(cls(**values), seq, obj)
