"""The hosted-agent container: ``InvocationAgentServerHost`` wiring only.

``/invocations_ws`` is the voice/text WebSocket (see ``docs/protocol.md``);
``POST /invocations`` runs one typed caller turn over HTTP with the same semantics
as ``input.text``; ``/readiness`` comes from the host. ``serve`` runs it exactly as
the Dockerfile does, with the platform's 1 MiB frame limit and a SIGTERM path that
persists every live session before closing sockets with 1001.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket

from azure.ai.agentserver.invocations import InvocationAgentServerHost

from agent.wire import protocol
from agent.observability import telemetry
from agent.contracts.brain import Brain, PlaceholderResponder
from agent.config import Settings
from agent.wire.protocol import MAX_FRAME_BYTES
from agent.call.session import SessionHub
from agent.speech.engine import SpeechEngine
from agent.realtime.voicelive_tools import DialogFunctions
from agent.store import SessionStore, StoreUnavailable, open_store

log = logging.getLogger("switchboard.app")


def build_brain(settings: Settings) -> Brain:
    if settings.brain == "placeholder":
        return PlaceholderResponder()
    from agent.brain.switchboard import SwitchboardBrain

    return SwitchboardBrain.from_settings(settings)


def build_dialog(brain: Brain, settings: Settings) -> DialogFunctions | None:
    """Voice Live's function tools: the brain's coordinator, MCP tools and hand-over (None when it has none)."""
    if isinstance(brain, PlaceholderResponder):
        return None  # nothing to offer, and agent.brain stays unimported
    from agent.brain.dialog_tools import DialogTools

    return DialogTools.for_brain(brain, holding_s=settings.holding_phrase_ms / 1000)


def build_speech(settings: Settings) -> SpeechEngine | None:
    if settings.speech_engine == "none":
        return None
    from agent.speech.local import LocalSpeechEngine

    # The speech layer does not know the tool servers: the names callers use for sites and assets
    # are handed to it here, when the prompt is on (SWITCHBOARD_STT_VOCABULARY_PROMPT, docs/speech.md).
    prompt = ""
    if settings.stt_vocabulary_prompt:
        from agent.mcp_servers.field_ops.seed import vocabulary

        prompt = vocabulary()
    if settings.speech_engine == "voicelive":
        from agent.realtime.voicelive import VoiceLiveEngine

        fallback = LocalSpeechEngine(settings, vocabulary=prompt) if settings.voicelive_fallback_local else None
        return VoiceLiveEngine(settings, fallback=fallback)
    return LocalSpeechEngine(settings, vocabulary=prompt)


def create_app(
    settings: Settings,
    *,
    brain: Brain | None = None,
    speech: SpeechEngine | None | str = "auto",
    store: SessionStore | None = None,
) -> tuple[InvocationAgentServerHost, SessionHub]:
    """Build the host and its session hub. Call ``hub.start()`` before serving."""
    brain = brain or build_brain(settings)
    hub = SessionHub(
        settings,
        store or open_store(settings),
        brain,
        build_speech(settings) if speech == "auto" else speech,  # type: ignore[arg-type]
        build_dialog(brain, settings),
    )
    # The host's own observability prints OTel log records to stdout; ours is configured in agent.observability.telemetry.
    app = InvocationAgentServerHost(configure_observability=None, routes=_extra_routes(settings))
    app.add_middleware(telemetry.ConnectionTelemetry)  # span + websocket.* metrics per connection

    @app.ws_handler
    async def invocations_ws(websocket: WebSocket) -> None:
        await hub.handle(websocket)

    @app.invoke_handler
    async def invocations(request: Request) -> Response:
        return await _text_turn(hub, request)

    return app, hub


def _extra_routes(settings: Settings) -> list[Any]:
    from agent.handoff.desk import desk_routes  # GET /desk: the page that shows them live
    from agent.handoff.routes import case_routes  # GET /cases for the human agent's desktop

    return [*case_routes(settings), *desk_routes()]


async def _text_turn(hub: SessionHub, request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_FRAME_BYTES:
        return _problem(413, "too_large", f"body larger than {MAX_FRAME_BYTES} bytes")
    payload = protocol.load_json(body or b"{}")
    if isinstance(payload, protocol.ProtocolError):
        return _problem(400, payload.code, payload.message)
    if not isinstance(payload, dict):
        return _problem(400, protocol.Code.BAD_MESSAGE, "body must be a JSON object like {\"text\": \"...\"}")
    parsed = protocol.parse_object({**payload, "type": "input.text"})
    if isinstance(parsed, protocol.ProtocolError):
        return _problem(400, parsed.code, parsed.message)
    query_session_id, repeated = protocol.session_id_in_query(request.scope.get("query_string", b"").decode("latin-1"))
    if repeated:
        return _problem(400, "bad_session_id", f"invalid session id: {repeated}")
    session_id = hub.settings.platform_session_id or payload.get("session_id") or query_session_id
    if session_id is not None:
        problem = protocol.check_session_id(session_id) if isinstance(session_id, str) else "must be a string"
        if problem:
            return _problem(400, "bad_session_id", f"invalid session id: {problem}")
    assert isinstance(parsed, protocol.InputText)
    try:
        session_id, events = await hub.text_turn(session_id, parsed.text)
    except LookupError as exc:
        return _problem(409, "session_connected", str(exc))
    except StoreUnavailable as exc:  # raised before the turn ran: sending it again is safe
        return _problem(503, protocol.Code.STORE_UNAVAILABLE, f"session store unavailable; retry shortly ({exc})")
    return JSONResponse({"session_id": session_id, "events": events})


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def serve(settings: Settings, *, ready: asyncio.Event | None = None, link_fd: int | None = None) -> None:
    """Run the container until SIGTERM/SIGINT.

    With ``link_fd`` this process is one of ``switchboard serve --workers N``: it binds no
    port and serves the connections its dispatcher passes over that socket (agent/transport/workers.py).

    Served by uvicorn with the sans-I/O ``websockets`` protocol and httptools: HTTP/1.1
    only, as the platform requires, and on this 2-core machine about a third less CPU
    per audio frame than the host's default Hypercorn/wsproto stack (``bench transport``).
    """
    import uvicorn

    exporters = telemetry.configure(settings)
    # The brain's imports and index load in a thread while the speech models load: both are
    # on the way to the first greeting, and each mostly waits on C code and disk.
    brain = asyncio.ensure_future(asyncio.to_thread(build_brain, settings))
    speech = build_speech(settings)
    if speech is not None:
        await speech.start()
    app, hub = create_app(settings, brain=await brain, speech=speech)
    await hub.start()  # the speech engine's start is idempotent
    warming = asyncio.create_task(hub.ready(), name="warming")
    warming.add_done_callback(_warmed)
    # Everything loaded so far (models, modules, indexes) lives as long as the process:
    # move it out of the collector's reach, so full collections stay short and do not
    # stall every session's audio while they walk a few hundred thousand objects.
    gc.collect()
    gc.freeze()
    from agent.transport.wsserver import WebSocketProtocol

    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, http="httptools", ws=WebSocketProtocol,
        ws_max_size=MAX_FRAME_BYTES,  # the platform proxy's limit -> close 1009
        ws_ping_interval=settings.ws_keepalive_interval_s or None, ws_ping_timeout=None,
        ws_per_message_deflate=False,  # PCM does not compress; deflate would only cost CPU
        lifespan="off",  # start-up (models, tool servers) is done above, before the port opens
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) or 1,
        log_config=None, access_log=False, server_header=False,
        proxy_headers=False)  # X-Forwarded-For is read by agent.transport.peers, from trusted proxies only
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # ours persist sessions first

    async def stop_on_signal() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("shutting down: persisting %d live session(s)", len(hub.live))
        await hub.shutdown()  # sessions persisted, sockets closed with 1001
        server.should_exit = True

    watcher = asyncio.create_task(stop_on_signal())
    taking = asyncio.create_task(_take_connections(server, link_fd)) if link_fd is not None else None
    if link_fd is None:
        log.info("switchboard listening on %s:%s", settings.host, settings.port)
    if ready is not None:
        ready.set()
    try:
        await server.serve(sockets=[] if link_fd is not None else None)
    finally:
        watcher.cancel()
        if taking is not None:
            taking.cancel()
        exporters.shutdown()  # flush what is still buffered


def _warmed(warming: "asyncio.Task[None]") -> None:
    if warming.cancelled():
        return
    if warming.exception() is not None:
        # What loads in the background (tool servers, recognition) failed: stop as a failed start-up would.
        log.error("start-up failed in the background: %r; shutting down", warming.exception())
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        gc.freeze()  # what loaded in the background lives as long as the process too (see serve)
        log.info("everything loaded")  # bench coldstart waits for this line


async def _take_connections(server: Any, link_fd: int) -> None:
    from agent.transport.workers import take_connections

    while not server.started:
        await asyncio.sleep(0.01)
    await take_connections(server, link_fd)
    os.kill(os.getpid(), signal.SIGTERM)  # the dispatcher has gone: persist and close, as on SIGTERM
