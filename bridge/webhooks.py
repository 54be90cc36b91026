"""Event Grid and Call Automation webhook bodies: parse them, and what each does to a call's state.

Pure: bytes in, typed events out (``WebhookError`` -> HTTP 400). Both the Event Grid schema
(``eventType``) and the CloudEvents schema (``type``) are accepted, as ACS can deliver either
(the CloudEvents subscription handshake, HTTP OPTIONS, is answered in ``bridge.app``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 1024 * 1024
VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent"
INCOMING_CALL = "Microsoft.Communication.IncomingCall"
_CALLBACK_PREFIX = "Microsoft.Communication."
_MAX_ID = 256


class WebhookError(ValueError):
    """A body we cannot use (answered with 400); the message never echoes the body."""


@dataclass(frozen=True)
class Validation:
    event_id: str
    code: str


@dataclass(frozen=True)
class IncomingCall:
    event_id: str
    context: str
    correlation_id: str | None
    caller: str | None


@dataclass(frozen=True)
class CallEvent:
    event_id: str
    kind: str  # CallConnected, CallDisconnected, MediaStreamingStarted, CallTransferFailed, ...
    call_connection_id: str | None
    operation_context: str | None
    message: str | None


def _events(body: bytes) -> list[dict[str, Any]]:
    if len(body) > MAX_BODY_BYTES:
        raise WebhookError("body too large")
    try:
        parsed = json.loads(body)
    except ValueError:
        raise WebhookError("body is not JSON") from None
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not all(isinstance(e, dict) for e in items):
        raise WebhookError("body must be an event object or a non-empty array of them")
    return items


def _str(value: Any, name: str, *, required: bool = True, limit: int = _MAX_ID) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise WebhookError(f"{name} must be a string of 1-{limit} characters")
    return value


def _head(event: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    event_id = _str(event.get("id"), "id")
    kind = _str(event.get("eventType") or event.get("type"), "eventType")
    data = event.get("data")
    if not isinstance(data, dict):
        raise WebhookError("data must be an object")
    return event_id, kind, data  # type: ignore[return-value]


def parse_event_grid(body: bytes) -> list[Validation | IncomingCall]:
    """Event Grid deliveries to ``/acs/events``; other event types are skipped."""
    out: list[Validation | IncomingCall] = []
    for event in _events(body):
        event_id, kind, data = _head(event)
        if kind == VALIDATION:
            out.append(Validation(event_id, _str(data.get("validationCode"), "validationCode")))  # type: ignore[arg-type]
        elif kind == INCOMING_CALL:
            caller = data.get("from")
            raw = caller.get("rawId") if isinstance(caller, dict) else None
            out.append(IncomingCall(
                event_id,
                _str(data.get("incomingCallContext"), "incomingCallContext", limit=64 * 1024),  # type: ignore[arg-type]
                _str(data.get("correlationId"), "correlationId", required=False),
                raw if isinstance(raw, str) and len(raw) <= _MAX_ID else None,
            ))
    return out


def parse_callbacks(body: bytes) -> list[CallEvent]:
    """Call Automation events posted to ``/acs/callbacks/{call}``."""
    out = []
    for event in _events(body):
        event_id, kind, data = _head(event)
        if not kind.startswith(_CALLBACK_PREFIX):
            raise WebhookError("not a Call Automation event")
        result = data.get("resultInformation")
        message = result.get("message") if isinstance(result, dict) else None
        out.append(CallEvent(
            event_id,
            kind.removeprefix(_CALLBACK_PREFIX),
            _str(data.get("callConnectionId"), "callConnectionId", required=False),
            _str(data.get("operationContext"), "operationContext", required=False, limit=1024),
            message[:500] if isinstance(message, str) else None,
        ))
    return out


def state_change(event: CallEvent) -> dict[str, Any]:
    """The CallRecord fields an event sets (empty for events that do not move the call)."""
    base: dict[str, Any] = {"call_connection_id": event.call_connection_id} if event.call_connection_id else {}
    match event.kind:
        case "CallConnected":
            return {**base, "state": "connected"}
        case "MediaStreamingStarted":
            return {**base, "state": "streaming"}
        case "MediaStreamingFailed":
            return {**base, "state": "media_failed", "reason": event.message or "media streaming failed"}
        case "CallTransferAccepted":
            return {**base, "state": "transferred"}
        case "CallTransferFailed":
            return {**base, "state": "transfer_failed", "reason": event.message or "transfer failed"}
        case "CallDisconnected":
            return {**base, "state": "ended", "reason": "disconnected"}
    return {}
