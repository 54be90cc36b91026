"""The bridge service: Starlette routes wiring webhooks, auth, the call store and call sessions.

Routes
- ``POST /acs/events``: Event Grid (subscription validation, IncomingCall -> answer with media streaming);
  ``OPTIONS /acs/events``: the CloudEvents webhook validation handshake.
  A redelivered event gets 200 and does nothing; an event is recorded as handled only once it was,
  so a failure (non-2xx) leaves it to Event Grid's retry.
- ``POST /acs/callbacks/{call}?token=``: Call Automation events drive the call's state.
- ``WS /acs/media/{call}?token=``: ACS bidirectional media streaming for one call.
- ``GET /healthz``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from agent.transport.peers import Network, RateLimiter, parse_networks, real_peer
from agent.wire.client import AgentUrlError, check_agent_url
from bridge.config import BridgeSettings, ConfigError
from bridge import auth, webhooks
from bridge.agent_link import AgentLink, EntraTokenProvider, NoAuth, TokenProvider
from bridge.apology import load_apology
from bridge.call_control import AcsCallControl, CallControl
from bridge.call_session import CallSession
from bridge.consent import ConsentPolicy
from bridge.transfer_run import AWAITED_KINDS
from bridge.openid import JwtChecker, OpenIdKeys
from bridge.calls import (BUSY, DONE, CallRecord, CallStore, agent_session_id, open_call_store, pooled_session_id,
                          update)

log = logging.getLogger("switchboard.bridge")

SECRET_HEADER = "x-switchboard-secret"
_CALL_ID = re.compile(r"^[A-Za-z0-9\-_.]{1,128}$")


@dataclass
class Bridge:
    settings: BridgeSettings
    store: CallStore
    control: CallControl
    tokens: TokenProvider
    apology: bytes
    limiter: RateLimiter
    acs_jwt: JwtChecker | None  # callbacks and the media upgrade
    events_jwt: JwtChecker | None  # the Event Grid webhook
    trusted_proxies: tuple[Network, ...] = ()
    live: dict[str, CallSession] = field(default_factory=dict)

    @property
    def secret(self) -> str:
        assert self.settings.secret
        return self.settings.secret

    def urls(self, call_id: str) -> tuple[str, str]:
        """(callback URL, media URL) for a call, each carrying its signed token."""
        base = (self.settings.public_url or f"http://127.0.0.1:{self.settings.port}").rstrip("/")
        token = auth.make_token(self.secret, call_id)
        ws_base = "wss://" + base[8:] if base.startswith("https://") else "ws://" + base.removeprefix("http://")
        return f"{base}/acs/callbacks/{call_id}?token={token}", f"{ws_base}/acs/media/{call_id}?token={token}"


def create_app(
    settings: BridgeSettings,
    *,
    control: CallControl | None = None,
    store: CallStore | None = None,
    tokens: TokenProvider | None = None,
    apology: bytes | None = None,
) -> Starlette:
    if not settings.secret:
        raise ConfigError("SWITCHBOARD_BRIDGE_SECRET must be set: it signs the URLs ACS calls back on")
    try:
        check_agent_url(settings.agent_url)
    except AgentUrlError as exc:
        raise ConfigError(f"SWITCHBOARD_BRIDGE_AGENT_URL: {exc}") from None
    if tokens is None:
        tokens = EntraTokenProvider() if settings.agent_auth == "entra" else NoAuth()
    bridge = Bridge(
        settings=settings,
        store=store or open_call_store(settings),
        control=control or AcsCallControl(settings),
        tokens=tokens,
        apology=apology if apology is not None else load_apology(settings.sample_rate, settings.data_dir),
        limiter=RateLimiter(rate=settings.rate_limit_per_s, burst=max(1.0, 2 * settings.rate_limit_per_s)),
        acs_jwt=_jwt_checker(settings.acs_openid_url, settings.acs_audience, settings.acs_issuer,
                             "SWITCHBOARD_BRIDGE_ACS_OPENID_URL"),
        events_jwt=_jwt_checker(settings.eventgrid_openid_url, settings.eventgrid_audience, None,
                                "SWITCHBOARD_BRIDGE_EVENTGRID_OPENID_URL"),
        trusted_proxies=parse_networks(settings.trusted_proxies),
    )
    app = Starlette(routes=[
        Route("/acs/events", partial(events, bridge), methods=["POST"]),
        Route("/acs/events", partial(events_handshake, bridge), methods=["OPTIONS"]),
        Route("/acs/callbacks/{call}", partial(callbacks, bridge), methods=["POST"]),
        WebSocketRoute("/acs/media/{call}", partial(media_socket, bridge)),
        Route("/healthz", partial(health, bridge)),
    ])
    app.state.bridge = bridge
    return app


def _jwt_checker(config_url: str | None, audience: str | None, issuer: str | None, name: str) -> JwtChecker | None:
    """A JWT check for an endpoint when its audience is configured."""
    if not audience:
        return None
    if not config_url:
        raise ConfigError(f"{name} must be set when its audience is")
    try:
        return JwtChecker(OpenIdKeys(config_url), audience, issuer)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _client(bridge: Bridge, conn: Request | WebSocket) -> str:
    return real_peer(conn.client.host if conn.client else None, conn.headers.get("x-forwarded-for"),
                     bridge.trusted_proxies)


async def _authorise(bridge: Bridge, conn: Request | WebSocket, call_id: str | None) -> None:
    """Raises AuthError: the webhook secret (events) or the call's URL token (callbacks, media), then the
    endpoint's JWT when one is configured (ACS signs callbacks and the media upgrade; Event Grid the events)."""
    if call_id is None:
        presented = conn.query_params.get("secret") or conn.headers.get(SECRET_HEADER)
        auth.check_secret(bridge.secret, presented)
        checker = bridge.events_jwt
    else:
        auth.check_token(bridge.secret, call_id, conn.query_params.get("token"))
        checker = bridge.acs_jwt
    if checker is not None:
        await checker.check(conn.headers.get("authorization"))


async def _guard(bridge: Bridge, request: Request, call_id: str | None) -> tuple[bytes, JSONResponse | None]:
    """Rate limit, authenticate and read the body; a response when the request is refused."""
    try:
        await _authorise(bridge, request, call_id)
    except auth.AuthError as exc:
        client = _client(bridge, request)
        # Only the sender's failures count, not the bridge's own (5xx: it could not fetch the keys).
        if exc.status < 500 and bridge.limiter.refuse(client):
            return b"", _problem(429, "rate limited: too many refused requests from this address")
        log.warning("refused %s from %s: %s", request.url.path, client, exc)
        return b"", _problem(exc.status, str(exc))
    body = await request.body()
    return body, None


async def events(bridge: Bridge, request: Request) -> JSONResponse:
    body, refused = await _guard(bridge, request, None)
    if refused:
        return refused
    try:
        parsed = webhooks.parse_event_grid(body)
    except webhooks.WebhookError as exc:
        return _problem(400, str(exc))
    answer: dict[str, Any] = {}
    busy = False
    for event in parsed:
        if isinstance(event, webhooks.Validation):
            answer = {"validationResponse": event.code}  # idempotent: answered on every delivery
            continue
        state = await bridge.store.claim_event(event.event_id)
        if state == DONE:
            continue  # a redelivery of a call already answered: 200, so Event Grid stops retrying
        if state == BUSY:
            busy = True  # another delivery (maybe on another replica) is answering it right now
            continue
        try:
            await _answer(bridge, event)
        except Exception as exc:  # ACS refused (e.g. the call was already answered elsewhere)
            await bridge.store.release_event(event.event_id)  # Event Grid's retry tries again
            log.error("answering a call failed: %s", type(exc).__name__)
            return _problem(502, "could not answer the call")
        await bridge.store.finish_event(event.event_id)
    if busy:
        # Not 2xx: if the other delivery fails, this event must still be retried; once it succeeded,
        # the retry is a duplicate and gets 200.
        return JSONResponse({"error": "event is being handled; retry"}, status_code=503, headers={"Retry-After": "1"})
    return JSONResponse(answer)


def _agent_session(settings: BridgeSettings, record: CallRecord) -> str:
    """The session the call's link opens: its own (one sandbox per call) or one of the pool's."""
    if settings.session_pool > 0:
        return pooled_session_id(record.call_id, settings.session_pool)
    return record.agent_session_id


async def events_handshake(bridge: Bridge, request: Request) -> Response:
    """The CloudEvents webhook validation handshake (HTTP OPTIONS) Event Grid sends to a subscription
    using the CloudEvents schema: allow the origin that asked, at any rate."""
    _, refused = await _guard(bridge, request, None)
    if refused:
        return refused
    origin = request.headers.get("webhook-request-origin")
    if not origin or len(origin) > 255:
        return _problem(400, "WebHook-Request-Origin header required")
    return Response(status_code=200, headers={"WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*"})


async def _answer(bridge: Bridge, event: webhooks.IncomingCall) -> None:
    raw = event.correlation_id or uuid.uuid4().hex
    call_id = re.sub(r"[^A-Za-z0-9\-_.]", "_", raw)[:128]
    await bridge.store.put(CallRecord(call_id, agent_session_id(call_id), caller=event.caller))
    callback_url, media_url = bridge.urls(call_id)
    connection_id = await bridge.control.answer(event.context, callback_url, media_url)
    await update(bridge.store, call_id, call_connection_id=connection_id)
    log.info("answered call %s", call_id)


async def callbacks(bridge: Bridge, request: Request) -> JSONResponse:
    call_id = request.path_params["call"]
    if not _CALL_ID.match(call_id):
        return _problem(404, "unknown call")
    body, refused = await _guard(bridge, request, call_id)
    if refused:
        return refused
    if await bridge.store.get(call_id) is None:
        return _problem(404, "unknown call")
    try:
        parsed = webhooks.parse_callbacks(body)
    except webhooks.WebhookError as exc:
        return _problem(400, str(exc))
    busy = False
    for event in parsed:
        state = await bridge.store.claim_event(event.event_id)
        if state == DONE:
            continue  # a redelivery: 200, nothing done twice
        if state == BUSY:
            busy = True
            continue
        try:
            await _apply(bridge, call_id, event)
        except Exception as exc:
            await bridge.store.release_event(event.event_id)  # ACS retries; the next delivery applies it
            log.error("call %s: handling %s failed: %s", call_id, event.kind, type(exc).__name__)
            return _problem(500, "could not handle the event")
        await bridge.store.finish_event(event.event_id)
    if busy:
        return JSONResponse({"error": "event is being handled; retry"}, status_code=503, headers={"Retry-After": "1"})
    return JSONResponse({})


async def _apply(bridge: Bridge, call_id: str, event: webhooks.CallEvent) -> None:
    changes = webhooks.state_change(event)
    if changes:
        record = await update(bridge.store, call_id, **changes)
        log.info("call %s: %s -> %s", call_id, event.kind, record.state if record else "?")
    live = bridge.live.get(call_id)
    if live is not None:
        live.call_event(event)
    elif event.kind in AWAITED_KINDS:  # the call's media socket (and its transfer) is on another replica
        await bridge.store.relay(call_id, json.dumps(dataclasses.asdict(event)))
    if event.kind == "CallDisconnected" and live is not None:
        live.hang_up()
    if event.kind == "MediaStreamingFailed" and event.call_connection_id:
        await bridge.control.hang_up(event.call_connection_id)  # a call without media is a silent call


async def media_socket(bridge: Bridge, websocket: WebSocket) -> None:
    call_id = websocket.path_params["call"]
    try:
        if not _CALL_ID.match(call_id):
            raise auth.AuthError(403, "bad call id")
        await _authorise(bridge, websocket, call_id)
    except auth.AuthError as exc:
        client = _client(bridge, websocket)
        # Past the budget a sender is refused without a log line each; the bridge's own faults always log.
        if exc.status >= 500 or not bridge.limiter.refuse(client):
            log.warning("refused media socket from %s: %s", client, exc)
        await websocket.close(1008)
        return
    record = await bridge.store.get(call_id)
    if record is None:
        await websocket.close(1008)
        return
    await websocket.accept()
    s = bridge.settings
    session = CallSession(
        record,
        receive=websocket.receive,
        send_text=websocket.send_text,
        link_factory=partial(AgentLink, s.agent_url, _agent_session(s, record), sample_rate=s.sample_rate,
                             tokens=bridge.tokens, call_id=call_id, caller=record.caller,
                             gap_buffer_s=s.gap_buffer_s, outage_s=s.agent_outage_s,
                             first_connect_s=s.agent_first_connect_s, pool=s.session_pool > 0),
        store=bridge.store,
        control=bridge.control,
        sample_rate=s.sample_rate,
        apology=bridge.apology,
        fallback_target=s.fallback_target,
        consent=ConsentPolicy(s.consent_prompt, s.consent_opt_out_digit, s.consent_window_s)
        if s.recording == "on" else None,
        recording_callback=bridge.urls(call_id)[0],
    )
    bridge.live[call_id] = session
    try:
        await session.run()
    finally:
        bridge.live.pop(call_id, None)
        log.info("call %s media closed: %s", call_id, session.link.stats)


async def health(bridge: Bridge, request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "calls": len(bridge.live)})


class RedactUrlSecrets(logging.Filter):
    """Masks ``token=`` and ``secret=`` query values in log records of the HTTP server."""

    _pattern = re.compile(r"((?:token|secret)=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "=" in message:
            record.msg, record.args = self._pattern.sub(r"\1REDACTED", message), None
        return True


async def serve(settings: BridgeSettings, app: Starlette | None = None, *, stop: asyncio.Event | None = None) -> None:
    """Serve under uvicorn until ``stop`` is set (or SIGTERM/SIGINT when no event is given).

    uvicorn rather than Hypercorn: its ``websockets-sansio`` protocol costs a fraction of
    Hypercorn's wsproto per message, and the bridge handles 50 media messages a second per call.
    """
    import uvicorn

    app = app or create_app(settings)
    # uvicorn logs WebSocket request lines (URL tokens) at INFO and upgrade headers at DEBUG.
    server_log = logging.getLogger("uvicorn.error")
    server_log.setLevel(logging.INFO)
    if not any(isinstance(f, RedactUrlSecrets) for f in server_log.filters):
        server_log.addFilter(RedactUrlSecrets())
    from agent.transport.wsserver import WebSocketProtocol  # uvicorn's sans-I/O protocol, refused handshakes answered

    config = uvicorn.Config(app, host=settings.host, port=settings.port, ws=WebSocketProtocol, http="httptools",
                            ws_max_size=1024 * 1024, ws_ping_interval=None, access_log=False,  # access lines
                            log_config=None, lifespan="off",  # would carry URL tokens and the webhook secret
                            proxy_headers=False)  # X-Forwarded-For is read by agent.transport.peers, from trusted proxies only
    server = uvicorn.Server(config)  # without ``stop``, uvicorn's own SIGTERM/SIGINT handling shuts it down

    async def stopper() -> None:
        if stop is not None:
            await stop.wait()
            server.should_exit = True

    watcher = asyncio.create_task(stopper())
    # As the container does: what start-up loaded lives as long as the process, so full
    # collections need not walk it and stall every call's media while they do.
    gc.collect()
    gc.freeze()
    log.info("bridge listening on %s:%s", settings.host, settings.port)
    try:
        await server.serve()
    finally:
        watcher.cancel()
        bridge: Bridge = app.state.bridge
        await bridge.store.close()
        await bridge.control.close()
