"""Voice Live failures told apart: what kind, what the caller hears, what the operator reads (pure).

Four kinds matter because each needs a different reaction:
``auth`` (bad key or missing role: retrying cannot help), ``quota`` (429 / rate limit:
retrying now makes it worse), ``config`` (unknown model or voice, bad session field:
fix the settings), ``network`` (the link dropped or the service is briefly down:
reconnect with backoff). Anything else the service reports is ``None`` here: logged and
the call goes on (for example cancelling a response that had already finished).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

Kind = Literal["auth", "quota", "config", "network"]

CALLER_MESSAGES: dict[str, str] = {
    "auth": "Sorry, my voice service isn't available right now.",
    "quota": "Sorry, my voice service is very busy right now.",
    "config": "Sorry, my voice service isn't set up correctly.",
    "network": "Sorry, I've lost my connection to the voice service.",
}
NO_FALLBACK_TAIL = " Please type your request, or call back in a few minutes."

OPERATOR_HINTS: dict[str, str] = {
    "auth": "check AZURE_VOICELIVE_API_KEY, or give the managed identity the 'Cognitive Services User' role",
    "quota": "the Voice Live resource is rate limited or out of quota; raise the quota or spread the load",
    "config": "check AZURE_VOICELIVE_MODEL and AZURE_VOICELIVE_VOICE (and the session fields named)",
    "network": "the Voice Live endpoint could not be reached or dropped the connection repeatedly",
}

_AUTH_CODES = ("unauthorized", "invalid_api_key", "authentication", "forbidden", "permission", "access_denied")
_QUOTA_CODES = ("rate_limit", "quota", "too_many_requests", "throttl", "capacity")
_CONFIG_CODES = ("model_not_found", "invalid_model", "deployment_not_found", "voice", "unsupported", "invalid_value")


@dataclass(frozen=True)
class Failure:
    kind: Kind
    detail: str  # what the service said, without credentials

    def operator_line(self, endpoint: str) -> str:
        return f"voicelive {self.kind} failure at {endpoint}: {self.detail} ({OPERATOR_HINTS[self.kind]})"

    def caller_message(self, *, fallback: bool) -> str:
        tail = " I'll carry on with my built-in voice." if fallback else NO_FALLBACK_TAIL
        return CALLER_MESSAGES[self.kind] + tail


def from_status(status: int | None, detail: str) -> Failure:
    """A failed WebSocket upgrade (``status`` None: no HTTP answer at all)."""
    if status in (401, 403):
        return Failure("auth", f"HTTP {status} at connect")
    if status == 429:
        return Failure("quota", "HTTP 429 at connect")
    if status in (400, 404, 422):
        return Failure("config", f"HTTP {status} at connect (unknown model or deployment?)")
    return Failure("network", f"HTTP {status} at connect" if status else detail[:200])


def from_error_event(error: Mapping[str, Any]) -> Failure | None:
    """An ``error`` server event's ``error`` object; None when the call can go on."""
    etype = str(error.get("type") or "").lower()
    code = str(error.get("code") or "").lower()
    param = str(error.get("param") or "")
    message = str(error.get("message") or "")[:300]
    detail = f"{etype or 'error'}/{code or '-'}: {message}" + (f" (param {param})" if param else "")
    words = f"{etype} {code}"
    if any(c in words for c in _AUTH_CODES):
        return Failure("auth", detail)
    if any(c in words for c in _QUOTA_CODES):
        return Failure("quota", detail)
    if param.startswith("session") or any(c in code for c in _CONFIG_CODES):
        return Failure("config", detail)
    if etype in ("server_error", "service_unavailable"):
        return Failure("network", detail)
    return None
