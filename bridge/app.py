"""The bridge service: Starlette routes wiring webhooks, auth, the call store and call sessions.

Routes
- ``POST /acs/events``: Event Grid (subscription validation, IncomingCall -> answer with media streaming).
- ``POST /acs/callbacks/{call}?token=``: Call Automation events drive the call's state.
- ``WS /acs/media/{call}?token=``: ACS bidirectional media streaming for one call.
- ``GET /healthz``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from agent.config import ConfigError, Settings
from bridge import auth, webhooks
from bridge.agent_link import AgentLink, EntraTokenProvider, NoAuth, TokenProvider
from bridge.apology import load_apology
from bridge.call_control import AcsCallControl, CallControl
from bridge.call_session import CallSession
from bridge.calls import CallRecord, CallStore, agent_session_id, open_call_store, pooled_session_id, update

log = logging.getLogger("switchboard.bridge")

SECRET_HEADER = "x-switchboard-secret"
_CALL_ID = re.compile(r"^[A-Za-z0-9\-_.]{1,128}$")


@dataclass
class Bridge:
    settings: Settings
    store: CallStore
    control: CallControl
    tokens: TokenProvider
    apology: bytes
    limiter: auth.RateLimiter
    jwt: auth.JwtValidator | None
    live: dict[str, CallSession] = field(default_factory=dict)

    @property
    def secret(self) -> str:
        assert self.settings.bridge_secret
        return self.settings.bridge_secret

    def urls(self, call_id: str) -> tuple[str, str]:
        """(callback URL, media URL) for a call, each carrying its signed token."""
        base = (self.settings.bridge_public_url or f"http://127.0.0.1:{self.settings.bridge_port}").rstrip("/")
        token = auth.make_token(self.secret, call_id)
        ws_base = "wss://" + base[8:] if base.startswith("https://") else "ws://" + base.removeprefix("http://")
        return f"{base}/acs/callbacks/{call_id}?token={token}", f"{ws_base}/acs/media/{call_id}?token={token}"


def create_app(
    settings: Settings,
    *,
    control: CallControl | None = None,
    store: CallStore | None = None,
    tokens: TokenProvider | None = None,
    apology: bytes | None = None,
) -> Starlette:
    if not settings.bridge_secret:
        raise ConfigError("SWITCHBOARD_BRIDGE_SECRET must be set: it signs the URLs ACS calls back on")
    if tokens is None:
        tokens = EntraTokenProvider() if settings.bridge_agent_auth == "entra" else NoAuth()
    bridge = Bridge(
        settings=settings,
        store=store or open_call_store(settings),
        control=control or AcsCallControl(settings),
        tokens=tokens,
        apology=apology if apology is not None else load_apology(settings.bridge_sample_rate, settings.data_dir),
        limiter=auth.RateLimiter(rate=settings.bridge_rate_limit_per_s, burst=max(1.0, 2 * settings.bridge_rate_limit_per_s)),
        jwt=auth.JwtValidator(settings.bridge_jwks_file, settings.bridge_jwt_audience) if settings.bridge_jwks_file else None,
    )
    app = Starlette(routes=[
        Route("/acs/events", partial(events, bridge), methods=["POST"]),
        Route("/acs/callbacks/{call}", partial(callbacks, bridge), methods=["POST"]),
        WebSocketRoute("/acs/media/{call}", partial(media_socket, bridge)),
        Route("/healthz", partial(health, bridge)),
    ])
    app.state.bridge = bridge
    return app


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _client(conn: Request | WebSocket) -> str:
    return conn.client.host if conn.client else "unknown"


async def _authorise(bridge: Bridge, conn: Request | WebSocket, call_id: str | None) -> None:
    """Raises AuthError: the webhook secret (events) or the call's URL token (callbacks, media), then any JWT."""
    if call_id is None:
        presented = conn.query_params.get("secret") or conn.headers.get(SECRET_HEADER)
        auth.check_secret(bridge.secret, presented)
    else:
        auth.check_token(bridge.secret, call_id, conn.query_params.get("token"))
    if bridge.jwt is not None and not isinstance(conn, WebSocket):
        bridge.jwt.check(conn.headers.get("authorization"))


async def _guard(bridge: Bridge, request: Request, call_id: str | None) -> tuple[bytes, JSONResponse | None]:
    """Rate limit, authenticate and read the body; a response when the request is refused."""
    client = _client(request)
    if bridge.limiter.blocked(client):
        return b"", _problem(429, "rate limited: too many refused requests from this address")
    try:
        await _authorise(bridge, request, call_id)
    except auth.AuthError as exc:
        bridge.limiter.charge(client)
        log.warning("refused %s from %s: %s", request.url.path, client, exc)
        return b"", _problem(exc.status, str(exc))
    body = await request.body()
    return body, None


async def _fresh(bridge: Bridge, events: list[Any]) -> list[Any]:
    return [e for e in events if await bridge.store.first_seen(e.event_id)]


async def events(bridge: Bridge, request: Request) -> JSONResponse:
    body, refused = await _guard(bridge, request, None)
    if refused:
        return refused
    try:
        parsed = webhooks.parse_event_grid(body)
    except webhooks.WebhookError as exc:
        return _problem(400, str(exc))
    fresh = await _fresh(bridge, parsed)
    if parsed and not fresh:
        return _problem(409, "event already handled")
    answer: dict[str, Any] = {}
    for event in fresh:
        if isinstance(event, webhooks.Validation):
            answer = {"validationResponse": event.code}
        else:
            try:
                await _answer(bridge, event)
            except Exception as exc:  # ACS refused (e.g. the call was already answered elsewhere)
                log.error("answering a call failed: %s", type(exc).__name__)
                return _problem(502, "could not answer the call")
    return JSONResponse(answer)


def _agent_session(settings: Settings, record: CallRecord) -> str:
    """The session the call's link opens: its own (one sandbox per call) or one of the pool's."""
    if settings.bridge_session_pool > 0:
        return pooled_session_id(record.call_id, settings.bridge_session_pool)
    return record.agent_session_id


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
    fresh = await _fresh(bridge, parsed)
    if not fresh:
        return _problem(409, "event already handled")
    for event in fresh:
        changes = webhooks.state_change(event)
        if changes:
            record = await update(bridge.store, call_id, **changes)
            log.info("call %s: %s -> %s", call_id, event.kind, record.state if record else "?")
        live = bridge.live.get(call_id)
        if event.kind == "CallDisconnected" and live is not None:
            live.hang_up()
        if event.kind == "MediaStreamingFailed" and event.call_connection_id:
            await bridge.control.hang_up(event.call_connection_id)  # a call without media is a silent call
    return JSONResponse({})


async def media_socket(bridge: Bridge, websocket: WebSocket) -> None:
    call_id = websocket.path_params["call"]
    client = _client(websocket)
    if bridge.limiter.blocked(client):
        await websocket.close(1008)
        return
    try:
        if not _CALL_ID.match(call_id):
            raise auth.AuthError(403, "bad call id")
        await _authorise(bridge, websocket, call_id)
    except auth.AuthError as exc:
        bridge.limiter.charge(client)
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
        link_factory=partial(AgentLink, s.bridge_agent_url, _agent_session(s, record), sample_rate=s.bridge_sample_rate,
                             tokens=bridge.tokens, call_id=call_id, caller=record.caller,
                             gap_buffer_s=s.bridge_gap_buffer_s, outage_s=s.bridge_agent_outage_s,
                             first_connect_s=s.bridge_agent_first_connect_s, pool=s.bridge_session_pool > 0),
        store=bridge.store,
        control=bridge.control,
        sample_rate=s.bridge_sample_rate,
        apology=bridge.apology,
        fallback_target=s.bridge_fallback_target,
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


async def serve(settings: Settings, app: Starlette | None = None, *, stop: asyncio.Event | None = None) -> None:
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
    from agent.wsserver import WebSocketProtocol  # uvicorn's sans-I/O protocol, refused handshakes answered

    config = uvicorn.Config(app, host=settings.host, port=settings.bridge_port, ws=WebSocketProtocol, http="httptools",
                            ws_max_size=1024 * 1024, ws_ping_interval=None, access_log=False,  # access lines
                            log_config=None, lifespan="off")  # would carry URL tokens and the webhook secret
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
    log.info("bridge listening on %s:%s", settings.host, settings.bridge_port)
    try:
        await server.serve()
    finally:
        watcher.cancel()
        bridge: Bridge = app.state.bridge
        await bridge.store.close()
        await bridge.control.close()
