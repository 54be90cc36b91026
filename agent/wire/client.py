"""The client side of ``/invocations_ws``: what every client of the agent shares.

The CLI caller (``agent/dev/client/caller.py``), the spoken benchmark caller
(``agent/dev/bench/caller.py``), the test client (``tests/support/wsclient.py``) and the
bridge's agent link (``bridge/agent_link.py``) all read agent events into the typed
classes of ``agent/wire/protocol.py`` here, send their messages through ``encode``, cut audio
into the same frames and agree on which close codes end a session. Like ``protocol``
it imports only the standard library, so the bridge ships it without the agent.

The agent's URL: every client builds its upgrade URL here (``session_url``), by merging
query parameters: a configured URL may already carry a query (``?api-version=v1``,
``?project_name=..&agent_name=..``), and appending ``?agent_session_id=`` to it would hide
the session id inside another parameter's value.

Foundry's public endpoint has two documented shapes:

- ``project`` (the default; the voice-agent how-to and the preview contract): one literal path,
  project and agent in the query, which the platform consumes; other parameters are forwarded:
  ``wss://<account>.services.ai.azure.com/api/projects/agents/endpoint/protocols/invocations_ws``
  ``?project_name=<p>&agent_name=<a>&agent_session_id=<id>``
- ``agent`` (the REST reference): the per-agent path under the project endpoint with ``api-version=v1``:
  ``wss://<account>.services.ai.azure.com/api/projects/<p>/agents/<a>/endpoint/protocols/invocations_ws?api-version=v1``

The preview flag goes on every upgrade as the ``Foundry-Features`` header (a local container
ignores it). The bearer token only ever goes in the ``Authorization`` header: a URL carrying an
``authorization`` parameter is refused, since URLs end up in logs.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from agent.wire.protocol import FINAL_CLOSE_CODES, SERVER_EVENTS, AudioFormat, ClientMessage, ServerEvent, body

#: Caller audio goes out in 20 ms frames, as a phone line delivers it.
FRAME_MS = 20


def frame_bytes(rate: int, ms: int = FRAME_MS) -> int:
    """Bytes of one PCM16 mono frame of ``ms`` at ``rate``."""
    return rate * ms // 1000 * 2


def ends_session(close_code: int | None) -> bool:
    """True when the agent closed for good; any other close (or none: 1006) is resumed."""
    return close_code in FINAL_CLOSE_CODES


# --- the agent's URL -----------------------------------------------------------------------
FEATURES_HEADER = "Foundry-Features"
PREVIEW_FEATURES = "HostedAgents=V1Preview"
#: The ``api-version`` the per-agent path requires.
API_VERSION = "v1"
SHAPES = ("project", "agent")
_PROJECT_PATH = "/api/projects/agents/endpoint/protocols/invocations_ws"


class AgentUrlError(ValueError):
    """An agent URL the clients refuse to use; the message says why."""


def merge_query(url: str, params: dict[str, str | None]) -> str:
    """``url`` with each of ``params`` set (replacing every earlier value of that key; None removes it).

    Everything else is kept as it was: other parameters (repeated keys and blank values
    included, in order) and the fragment.
    """
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    kept += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def check_agent_url(url: str) -> str:
    """Refuse what cannot work or must not be sent; returns ``url``."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise AgentUrlError(f"agent URL must be ws:// or wss:// with a host, not {url[:80]!r}")
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if "authorization" in keys:
        raise AgentUrlError("agent URL must not carry an authorization parameter: the token goes in the header")
    if parts.path.rstrip("/") == _PROJECT_PATH and not {"project_name", "agent_name"} <= keys:
        raise AgentUrlError("the project-level invocations_ws endpoint needs project_name and agent_name "
                            "in its query (as `switchboard deploy agent` prints it)")
    return url


def session_url(url: str, session_id: str | None, call_id: str | None = None) -> str:
    """The upgrade URL for one session: ``url`` with ``agent_session_id`` (and, for a pooled
    session, the ``call_id`` of the call's conversation in it) merged in. A fragment is
    dropped: it never reaches a server, and websockets refuses a URI that has one."""
    params = {"agent_session_id": session_id, **({"call_id": call_id} if call_id is not None else {})}
    merged = urlsplit(merge_query(check_agent_url(url), params))
    return urlunsplit(merged._replace(fragment=""))


def upgrade_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Headers for an upgrade: the preview flag, then ``extra`` (the bearer token)."""
    return {FEATURES_HEADER: PREVIEW_FEATURES, **(extra or {})}


def foundry_ws_url(project_endpoint: str, agent_name: str, shape: str = "project") -> str:
    """The public ``invocations_ws`` endpoint of a hosted agent, from its project endpoint
    (``https://<account>.services.ai.azure.com/api/projects/<project>``)."""
    if shape not in SHAPES:
        raise AgentUrlError(f"endpoint shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    parts = urlsplit(project_endpoint.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    project = parts.path.rsplit("/", 1)[-1]
    if not parts.netloc or not project or "/api/projects/" not in parts.path + "/":
        raise AgentUrlError(f"project endpoint must look like https://<account>.services.ai.azure.com/api/projects/"
                            f"<project>, not {project_endpoint[:80]!r}")
    if shape == "agent":
        path = f"{parts.path}/agents/{quote(agent_name, safe='')}/endpoint/protocols/invocations_ws"
        return urlunsplit((scheme, parts.netloc, path, urlencode({"api-version": API_VERSION}), ""))
    query = urlencode({"project_name": project, "agent_name": agent_name})
    return urlunsplit((scheme, parts.netloc, _PROJECT_PATH, query, ""))


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
