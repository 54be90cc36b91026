"""OpenTelemetry for the container: every span and metric name, and the calls that record them.

The rest of the code calls the small facade at the bottom of this module and never
touches OpenTelemetry directly:

- ``ConnectionTelemetry``: ASGI middleware around ``/invocations_ws``: one SERVER span per
  WebSocket connection, parented on the upgrade request's ``traceparent``/``tracestate``/
  ``baggage``, and the ``websocket.*`` metrics. Frames are counted in plain integers
  and flushed to the counters in batches, so the per-frame cost is two integer adds.
- ``bind_session(id)``: tag the current connection span and every later log line with the session.
- ``turn(state, clock)``: a span per caller turn, stage spans (endpoint, stt, route, agent,
  tts) reconstructed from the turn clock when it ends, and the latency histograms.
- ``tool_call(server, tool)``: a GenAI ``execute_tool`` span per MCP tool call; failures count.
- ``chat(provider, model)`` + ``chat_usage(...)``: a GenAI ``chat`` span and token metrics per model call.
- ``synthesis(...)``, ``route(...)``, ``barge_in()``, ``call_finished(record)``: voice/FinOps metrics.
- ``inject_headers(headers)``: for the bridge, so its upgrade request carries its trace.
- The bridge's own: ``bridge_call(call_id, session_id)`` (a span per phone call and its
  ``bridge.*`` metrics: media frames in and out, added latency, reconnects, outages, transfers)
  and ``agent_connection(session_id, reconnect)`` (a CLIENT span per agent connection, inside
  which ``inject_headers`` gives the upgrade its ``traceparent``).

Export is by configuration only (``configure``): OTLP/HTTP when ``Settings.otlp_endpoint``
is set, Azure Monitor when ``Settings.appinsights_connection_string`` is set, otherwise
nothing is exported: spans are still made (log lines need their trace ids) and dropped,
and metrics go to the no-op meter.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Iterator, Mapping, Protocol

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.metrics import MeterProvider, NoOpMeterProvider
from opentelemetry.trace import NoOpTracerProvider, Span, SpanKind, Status, StatusCode, TracerProvider

from agent.envparse import ConfigError
from agent.observability.logs import Redact

log = logging.getLogger("switchboard.telemetry")

# --- names: every span and metric of the container ------------------------------------
SCOPE = "switchboard"
WS_PATH = "/invocations_ws"

SPAN_CONNECTION = "GET /invocations_ws"
SPAN_TURN = "voice.turn"
SPAN_STAGE = "voice.stage.{stage}"  # endpoint | stt | route | agent | tts
SPAN_TOOL = "execute_tool {tool}"  # GenAI semantic conventions: "{gen_ai.operation.name} {gen_ai.tool.name}"
SPAN_CHAT = "chat {model}"

WS_DURATION = "websocket.connection.duration_ms"
WS_CLOSE_CODE = "websocket.connection.close_code"
WS_FRAMES_SENT = "websocket.frames.sent"
WS_FRAMES_RECEIVED = "websocket.frames.received"
WS_BYTES_SENT = "websocket.frames.bytes_sent"
WS_BYTES_RECEIVED = "websocket.frames.bytes_received"
WS_ACTIVE = "websocket.active_connections"

TURN_STAGE_MS = "voice.turn.stage.duration_ms"  # attribute voice.stage
TURN_LATENCY_MS = "voice.turn.latency_ms"  # end of caller speech -> first agent audio (or text)
TURN_DURATION_MS = "voice.turn.duration_ms"  # end of caller speech -> turn done
BARGE_INS = "voice.barge_ins"
BARGE_IN_RESUMES = "voice.barge_in_resumes"
ROUTES = "voice.routes"  # attributes voice.route.target, voice.route.action
ESCALATIONS = "voice.escalations"  # attribute voice.escalation.reason
CALLS_ENDED = "voice.calls.ended"  # attribute voice.call.outcome: resolved | escalated | abandoned
TOOL_ERRORS = "voice.tool.errors"  # attributes gen_ai.tool.name, error.type
STT_RTF = "voice.stt.rtf"  # processing seconds per audio second
TTS_RTF = "voice.tts.rtf"
AUDIO_IN_S = "finops.audio.input_s"
AUDIO_OUT_S = "finops.audio.output_s"
CALL_COST = "finops.call.cost"  # attributes voice.call.outcome, finops.currency
GENAI_TOKENS = "gen_ai.client.token.usage"  # semconv: attributes gen_ai.token.type, gen_ai.request.model
GENAI_DURATION = "gen_ai.client.operation.duration"  # semconv, seconds
# the bridge
SPAN_BRIDGE_CALL = "acs.call"
SPAN_AGENT_CONNECTION = "invocations_ws connect"
BRIDGE_FRAMES_IN = "bridge.media.frames_in"  # caller audio frames from ACS
BRIDGE_FRAMES_OUT = "bridge.media.frames_out"  # agent audio packets to ACS
BRIDGE_ADDED_MS = "bridge.media.added_latency_ms"  # ACS frame received -> handed to the agent socket (sampled)
BRIDGE_RECONNECTS = "bridge.agent.reconnects"
BRIDGE_OUTAGES = "bridge.agent.outages"  # attribute bridge.agent.connection: first | reconnect
BRIDGE_TRANSFERS = "bridge.transfers"  # attribute bridge.transfer.outcome: ok | failed

# attribute keys
A_STAGE = "voice.stage"
A_CLOSE_CODE = "websocket.close.code"
A_SESSION = "session.id"  # semconv (incubating) session.id
A_OUTCOME = "voice.call.outcome"
A_INPUT_KIND = "voice.input.kind"
A_OP = "gen_ai.operation.name"
A_TOOL = "gen_ai.tool.name"
A_TOOL_TYPE = "gen_ai.tool.type"
A_ERROR = "error.type"
A_CALL = "acs.call.id"
A_RECONNECT = "bridge.agent.reconnect"
A_CONNECTION = "bridge.agent.connection"
A_TRANSFER = "bridge.transfer.outcome"

STAGES = ("endpoint", "stt", "route", "agent", "tts")
#: Frames counted before the integer tallies are added to the counters: ~5 s of 20 ms audio.
FLUSH_EVERY = 256
#: A connection that ended without a close frame (the peer vanished), as browsers report it.
CLOSE_ABNORMAL = 1006
#: An export (with its retries) gives up after this long: a dead collector never holds up shutdown for long.
EXPORT_TIMEOUT_S = 3.0

_session_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("switchboard_session_id", default=None)


class Telemetry:
    """The tracer and every instrument, made once from a pair of providers."""

    def __init__(self, tracer_provider: TracerProvider | None = None,
                 meter_provider: MeterProvider | None = None) -> None:
        self.tracer_provider = tracer_provider or NoOpTracerProvider()
        self.meter_provider = meter_provider or NoOpMeterProvider()
        self.tracer = self.tracer_provider.get_tracer(SCOPE)
        m = self.meter_provider.get_meter(SCOPE)
        self.ws_duration = m.create_histogram(WS_DURATION, unit="ms", description="WebSocket connection lifetime")
        self.ws_close_code = m.create_counter(WS_CLOSE_CODE, description="Closed connections by close code")
        self.ws_frames_sent = m.create_counter(WS_FRAMES_SENT, unit="{frame}")
        self.ws_frames_received = m.create_counter(WS_FRAMES_RECEIVED, unit="{frame}")
        self.ws_bytes_sent = m.create_counter(WS_BYTES_SENT, unit="By")
        self.ws_bytes_received = m.create_counter(WS_BYTES_RECEIVED, unit="By")
        self.ws_active = m.create_up_down_counter(WS_ACTIVE, unit="{connection}")
        self.stage_ms = m.create_histogram(TURN_STAGE_MS, unit="ms", description="Turn latency per pipeline stage")
        self.latency_ms = m.create_histogram(TURN_LATENCY_MS, unit="ms",
                                             description="End of caller speech to first agent audio (text if no audio)")
        self.turn_ms = m.create_histogram(TURN_DURATION_MS, unit="ms", description="End of caller speech to turn done")
        self.barge_ins = m.create_counter(BARGE_INS, unit="{barge_in}")
        self.barge_in_resumes = m.create_counter(BARGE_IN_RESUMES, unit="{barge_in}")
        self.routes = m.create_counter(ROUTES, unit="{route}")
        self.escalations = m.create_counter(ESCALATIONS, unit="{call}")
        self.calls_ended = m.create_counter(CALLS_ENDED, unit="{call}",
                                            description="Finished calls by outcome; automation rate = resolved / ended")
        self.tool_errors = m.create_counter(TOOL_ERRORS, unit="{error}")
        self.stt_rtf = m.create_histogram(STT_RTF, unit="1", description="STT processing seconds per audio second")
        self.tts_rtf = m.create_histogram(TTS_RTF, unit="1", description="TTS processing seconds per audio second")
        self.audio_in_s = m.create_counter(AUDIO_IN_S, unit="s")
        self.audio_out_s = m.create_counter(AUDIO_OUT_S, unit="s")
        self.call_cost = m.create_histogram(CALL_COST, unit="{currency}", description="Estimated cost per call")
        self.genai_tokens = m.create_histogram(GENAI_TOKENS, unit="{token}", description="Tokens per model call")
        self.genai_duration = m.create_histogram(GENAI_DURATION, unit="s", description="Model call duration")
        self.bridge_frames_in = m.create_counter(BRIDGE_FRAMES_IN, unit="{frame}")
        self.bridge_frames_out = m.create_counter(BRIDGE_FRAMES_OUT, unit="{frame}")
        self.bridge_added_ms = m.create_histogram(BRIDGE_ADDED_MS, unit="ms",
                                                  description="Time a caller frame spends in the bridge")
        self.bridge_reconnects = m.create_counter(BRIDGE_RECONNECTS, unit="{reconnect}")
        self.bridge_outages = m.create_counter(BRIDGE_OUTAGES, unit="{outage}",
                                               description="Calls given up on: the agent unreachable too long")
        self.bridge_transfers = m.create_counter(BRIDGE_TRANSFERS, unit="{transfer}")

    def shutdown(self) -> None:
        """Flush and stop SDK providers (no-op providers have nothing to flush)."""
        for provider in (self.tracer_provider, self.meter_provider):
            stop = getattr(provider, "shutdown", None)
            if stop is not None:
                with contextlib.suppress(Exception):
                    stop()


_current = Telemetry()


def current() -> Telemetry:
    return _current


def install(telemetry: Telemetry) -> Telemetry:
    """Make ``telemetry`` the one every facade call uses; returns the previous one (tests restore it)."""
    global _current
    previous, _current = _current, telemetry
    return previous


class ExportSettings(Protocol):
    """Where telemetry goes: the agent's ``Settings`` and the bridge's ``BridgeSettings`` both have these."""

    otlp_endpoint: str | None
    appinsights_connection_string: str | None


def configure(settings: ExportSettings, service: str = "switchboard-agent") -> Telemetry:
    """Build providers with the exporters ``settings`` asks for, install them and return them.

    With neither an OTLP endpoint nor an Application Insights connection string, spans are
    still made (so every log line of a call has a trace id) but no exporter is built and
    nothing leaves the process; metrics use the no-op meter.
    A malformed connection string raises ``ConfigError``.
    """
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider

    resource = Resource.create({"service.name": service})
    tracer_provider = SdkTracerProvider(resource=resource)
    if not settings.otlp_endpoint and not settings.appinsights_connection_string:
        install(Telemetry(tracer_provider))
        return current()
    from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    readers = []
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        base = settings.otlp_endpoint.rstrip("/")
        span_exporter = OTLPSpanExporter(endpoint=f"{base}/v1/traces", timeout=EXPORT_TIMEOUT_S)
        tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
        metric_exporter = OTLPMetricExporter(endpoint=f"{base}/v1/metrics", timeout=EXPORT_TIMEOUT_S)
        readers.append(PeriodicExportingMetricReader(metric_exporter))
    if settings.appinsights_connection_string:
        from azure.monitor.opentelemetry.exporter import AzureMonitorMetricExporter, AzureMonitorTraceExporter

        cs = settings.appinsights_connection_string
        try:
            trace_exporter = AzureMonitorTraceExporter(connection_string=cs)
            readers.append(PeriodicExportingMetricReader(AzureMonitorMetricExporter(connection_string=cs)))
        except ValueError as exc:
            raise ConfigError(f"APPLICATIONINSIGHTS_CONNECTION_STRING is not usable: {exc}") from None
        tracer_provider.add_span_processor(BatchSpanProcessor(trace_exporter))
    install(Telemetry(tracer_provider, SdkMeterProvider(resource=resource, metric_readers=readers)))
    targets = (("otlp", settings.otlp_endpoint), ("azure_monitor", settings.appinsights_connection_string))
    log.info("telemetry export: %s", ", ".join(name for name, on in targets if on))
    return current()


# --- connections ------------------------------------------------------------------------
class _Connection:
    """Tallies of one WebSocket; added to the counters every FLUSH_EVERY frames and at close."""

    __slots__ = ("t", "frames_in", "frames_out", "bytes_in", "bytes_out", "_flushed", "close_code")

    def __init__(self, t: Telemetry) -> None:
        self.t = t
        self.frames_in = self.frames_out = self.bytes_in = self.bytes_out = 0
        self._flushed = (0, 0, 0, 0)
        self.close_code: int | None = None

    def tick(self) -> None:
        if self.frames_in + self.frames_out - self._flushed[0] - self._flushed[1] >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        now = (self.frames_in, self.frames_out, self.bytes_in, self.bytes_out)
        d = [a - b for a, b in zip(now, self._flushed)]
        self._flushed = now
        if d[0]:
            self.t.ws_frames_received.add(d[0])
            self.t.ws_bytes_received.add(d[2])
        if d[1]:
            self.t.ws_frames_sent.add(d[1])
            self.t.ws_bytes_sent.add(d[3])


def _size(message: Mapping[str, Any]) -> int:
    data = message.get("bytes")
    if data is not None:
        return len(data)
    text = message.get("text")
    return len(text.encode("utf-8")) if text is not None else 0


class ConnectionTelemetry:
    """Pure-ASGI middleware: a span and the ``websocket.*`` metrics per ``/invocations_ws`` connection."""

    def __init__(self, app: Any, path: str = WS_PATH) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        t = _current
        carrier = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        parent = propagate.extract(carrier)
        span = t.tracer.start_span(SPAN_CONNECTION, context=parent, kind=SpanKind.SERVER, attributes={
            "http.route": self.path, "url.path": self.path, "network.protocol.name": "websocket"})
        conn = _Connection(t)
        started = time.monotonic()
        t.ws_active.add(1)

        async def counted_receive() -> dict[str, Any]:
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                conn.frames_in += 1
                conn.bytes_in += _size(message)
                conn.tick()
            elif kind == "websocket.disconnect" and conn.close_code is None:
                conn.close_code = int(message.get("code") or CLOSE_ABNORMAL)
            return message

        async def counted_send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind == "websocket.send":
                conn.frames_out += 1
                conn.bytes_out += _size(message)
                conn.tick()
            elif kind == "websocket.close" and conn.close_code is None:
                conn.close_code = int(message.get("code") or 1000)
            await send(message)

        token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            await self.app(scope, counted_receive, counted_send)
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            conn.close_code = conn.close_code or 1011
            raise
        finally:
            otel_context.detach(token)
            conn.flush()
            code = conn.close_code or CLOSE_ABNORMAL
            t.ws_active.add(-1)
            t.ws_duration.record((time.monotonic() - started) * 1000)
            t.ws_close_code.add(1, {A_CLOSE_CODE: code})
            span.set_attributes({
                A_CLOSE_CODE: code,
                "websocket.frames.received": conn.frames_in, "websocket.frames.sent": conn.frames_out,
                "websocket.frames.bytes_received": conn.bytes_in, "websocket.frames.bytes_sent": conn.bytes_out})
            if code == 1011:
                span.set_status(Status(StatusCode.ERROR, "closed with 1011"))
            span.end()


def bind_session(session_id: str) -> None:
    """The connection (or HTTP turn) now belongs to ``session_id``: tag its span and log lines."""
    _session_id.set(session_id)
    trace.get_current_span().set_attribute(A_SESSION, session_id)


def session_id() -> str | None:
    return _session_id.get()


def inject_headers(headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers`` plus ``traceparent``/``tracestate``/``baggage`` of the current span.

    For the bridge: pass the result as the upgrade headers of its ``/invocations_ws``
    connection, inside the span of the phone call, and the agent's connection span
    becomes a child of it.
    """
    out = dict(headers or {})
    propagate.inject(out)
    return out


# --- the bridge -------------------------------------------------------------------------
#: One caller frame in this many is timed for ``bridge.media.added_latency_ms`` (once a second
#: per call): a histogram record per frame would cost more than the bridge's own work on it.
SAMPLE_EVERY = 50


class BridgeCall:
    """Tallies of one phone call through the bridge; added to the counters every FLUSH_EVERY frames and at the end."""

    __slots__ = ("t", "span", "frames_in", "frames_out", "_flushed")

    def __init__(self, t: Telemetry, span: Span) -> None:
        self.t, self.span = t, span
        self.frames_in = self.frames_out = 0
        self._flushed = (0, 0)

    def frame_in(self, received_at: float) -> None:
        """A caller frame was handed to the agent link; ``received_at``: ``time.perf_counter()`` on arrival."""
        self.frames_in += 1
        if self.frames_in % SAMPLE_EVERY == 1:
            self.t.bridge_added_ms.record((time.perf_counter() - received_at) * 1000)
        if self.frames_in - self._flushed[0] >= FLUSH_EVERY:
            self.flush()

    def frames_sent(self, total: int) -> None:
        """Agent audio packets sent to ACS so far (the player's running count)."""
        self.frames_out = total

    def transfer(self, ok: bool) -> None:
        self.t.bridge_transfers.add(1, {A_TRANSFER: "ok" if ok else "failed"})
        self.span.add_event("transfer", {A_TRANSFER: "ok" if ok else "failed"})

    def outage(self, first_connection: bool) -> None:
        kind = "first" if first_connection else "reconnect"
        self.t.bridge_outages.add(1, {A_CONNECTION: kind})
        self.span.set_status(Status(StatusCode.ERROR, f"agent unreachable ({kind} connection)"))

    def flush(self) -> None:
        d_in, d_out = self.frames_in - self._flushed[0], self.frames_out - self._flushed[1]
        self._flushed = (self.frames_in, self.frames_out)
        if d_in:
            self.t.bridge_frames_in.add(d_in)
        if d_out:
            self.t.bridge_frames_out.add(d_out)


@contextlib.contextmanager
def bridge_call(call_id: str, session_id: str) -> Iterator[BridgeCall]:
    """The span of one phone call (current while it runs, so the agent connections hang under it)."""
    t = _current
    with t.tracer.start_as_current_span(SPAN_BRIDGE_CALL, kind=SpanKind.SERVER,
                                        attributes={A_CALL: call_id, A_SESSION: session_id}) as span:
        call = BridgeCall(t, span)
        try:
            yield call
        finally:
            call.flush()
            span.set_attributes({BRIDGE_FRAMES_IN: call.frames_in, BRIDGE_FRAMES_OUT: call.frames_out})


@contextlib.contextmanager
def agent_connection(session_id: str, reconnect: int) -> Iterator[Span]:
    """A CLIENT span per connection attempt to the agent (``reconnect``: reconnects before it)."""
    t = _current
    with t.tracer.start_as_current_span(SPAN_AGENT_CONNECTION, kind=SpanKind.CLIENT, record_exception=False,
                                        set_status_on_exception=False,
                                        attributes={A_SESSION: session_id, A_RECONNECT: reconnect}) as span:
        yield span


def agent_reconnecting() -> None:
    _current.bridge_reconnects.add(1)


def connection_failed(span: Span, error: BaseException) -> None:
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))


def connection_closed(span: Span, code: int) -> None:
    span.set_attribute(A_CLOSE_CODE, code)


class LogContext(Redact):
    """Adds ``session_id``, ``trace_id`` and ``span_id`` to every record, then redacts personal data.

    Install on the log handler (``agent serve`` passes it to ``agent.observability.logs.setup_logging``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.session_id = getattr(record, "session_id", None) or _session_id.get()  # an explicit extra= wins
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            record.trace_id = format(ctx.trace_id, "032x")
            record.span_id = format(ctx.span_id, "016x")
        return super().filter(record)


# --- turns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    name: str
    start_ms: float  # from the turn origin (end of caller speech, or receipt of typed input)
    end_ms: float

    @property
    def ms(self) -> float:
        return round(self.end_ms - self.start_ms, 1)


def stages(*, started_ms: float, stt_ms: float | None, decision_ms: float | None,
           first_say_ms: float | None, first_audio_ms: float | None) -> list[Stage]:
    """The pipeline stages of one turn on its clock (pure).

    ``started_ms`` is when the turn was picked up (transcript ready). Endpointing is the
    time from end of speech until recognition started; STT ends at ``started_ms``;
    routing ends at the decision; the agent stage runs until the first sentence; TTS
    until the first audio leaves. Stages a turn did not have are left out.
    """
    out: list[Stage] = []
    if stt_ms is not None:
        stt_start = max(0.0, started_ms - stt_ms)
        out.append(Stage("endpoint", 0.0, stt_start))
        out.append(Stage("stt", stt_start, max(stt_start, started_ms)))
    if decision_ms is not None:
        out.append(Stage("route", started_ms, max(started_ms, decision_ms)))
    if first_say_ms is not None:
        begin = decision_ms if decision_ms is not None and decision_ms <= first_say_ms else started_ms
        out.append(Stage("agent", begin, max(begin, first_say_ms)))
        if first_audio_ms is not None:
            out.append(Stage("tts", first_say_ms, max(first_say_ms, first_audio_ms)))
    return out


def _epoch_ns(monotonic_s: float) -> int:
    return time.time_ns() - int((time.monotonic() - monotonic_s) * 1e9)


@contextlib.contextmanager
def turn(state: Any, clock: Any) -> Iterator[Span]:
    """Span one caller turn; on a clean exit record its stages from ``clock``.

    ``clock`` is the conversation's turn clock (``origin`` monotonic seconds, ``stt_ms``,
    ``stt_rtf``, ``decision_ms``, ``first_say_ms``, ``first_audio_ms``, ``barge_in``).
    The stage figures are also kept on the caller's entry in ``state.turns`` (key
    ``metrics``), so they persist with the call and reach its call record.
    """
    t = _current
    started_ms = (time.monotonic() - clock.origin) * 1000
    origin_ns = _epoch_ns(clock.origin)  # once: the turn and its stages share one time base
    with t.tracer.start_as_current_span(SPAN_TURN, start_time=origin_ns) as span:
        yield span
        total_ms = round((time.monotonic() - clock.origin) * 1000, 1)
        found = stages(started_ms=started_ms, stt_ms=clock.stt_ms, decision_ms=clock.decision_ms,
                       first_say_ms=clock.first_say_ms, first_audio_ms=clock.first_audio_ms)
        entry = next((e for e in reversed(state.turns) if e.get("role") == "caller"), None)
        kind = (entry or {}).get("kind", "text")
        parent = trace.set_span_in_context(span)
        for stage in found:
            t.stage_ms.record(stage.ms, {A_STAGE: stage.name})
            t.tracer.start_span(SPAN_STAGE.format(stage=stage.name), context=parent,
                                start_time=origin_ns + int(stage.start_ms * 1e6),
                                attributes={A_STAGE: stage.name}).end(end_time=origin_ns + int(stage.end_ms * 1e6))
        latency = clock.first_audio_ms if clock.first_audio_ms is not None else clock.first_say_ms
        if latency is not None:
            t.latency_ms.record(latency, {A_INPUT_KIND: kind})
        t.turn_ms.record(total_ms, {A_INPUT_KIND: kind})
        if clock.stt_rtf:
            t.stt_rtf.record(1.0 / clock.stt_rtf)  # the engine reports audio seconds per processing second
        metrics = {"stages": {s.name: s.ms for s in found}, "latency_ms": latency, "total_ms": total_ms,
                   "barge_in": bool(clock.barge_in)}
        span.set_attributes({"voice.turn": state.turn_count, A_INPUT_KIND: kind, "voice.turn.total_ms": total_ms,
                             **{f"voice.stage.{s.name}_ms": s.ms for s in found}})
        if entry is not None:
            entry["metrics"] = metrics


def route(target: str, action: str) -> None:
    _current.routes.add(1, {"voice.route.target": target, "voice.route.action": action})
    trace.get_current_span().add_event("route", {"voice.route.target": target, "voice.route.action": action})


def barge_in() -> None:
    _current.barge_ins.add(1)
    trace.get_current_span().add_event("barge_in")


def barge_in_resumed() -> None:
    """A barge-in formed no caller turn and the agent carried on (a false interruption)."""
    _current.barge_in_resumes.add(1)
    trace.get_current_span().add_event("barge_in_resumed")


async def synthesis(chunks: AsyncIterator[bytes], text: str, sample_rate: int, state: Any) -> AsyncIterator[bytes]:
    """Pass TTS chunks through, timing only the engine (not our pacing) for the real-time factor.

    Counts ``tts_chars`` (what TTS is billed on) in ``state.usage``.
    """
    state.count("tts_chars", len(text))
    compute_s = audio_s = 0.0
    try:
        while True:
            begin = time.perf_counter()
            try:
                pcm = await chunks.__anext__()
            except StopAsyncIteration:
                return
            compute_s += time.perf_counter() - begin
            audio_s += len(pcm) / 2 / sample_rate
            yield pcm
    finally:
        if audio_s > 0:
            _current.tts_rtf.record(compute_s / audio_s)
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:  # closing us (barge-in) must stop the synthesiser at once too
            await aclose()


# --- tools ------------------------------------------------------------------------------
@contextlib.contextmanager
def tool_call(server: str, tool: str) -> Iterator[Span]:
    """A GenAI ``execute_tool`` span around one MCP tool call; a failure is recorded and counted.

    The error type is the exception's ``kind`` (``ToolError``: unavailable, timeout,
    rejected, unknown_tool) or its class name.
    """
    t = _current
    attributes = {A_OP: "execute_tool", A_TOOL: tool, A_TOOL_TYPE: "extension",
                  "mcp.method.name": "tools/call", "switchboard.mcp.server": server}
    with t.tracer.start_as_current_span(SPAN_TOOL.format(tool=tool), kind=SpanKind.CLIENT, attributes=attributes,
                                        record_exception=False, set_status_on_exception=False) as span:
        try:
            yield span
        except Exception as exc:
            kind = str(getattr(exc, "kind", "") or type(exc).__name__)
            span.set_attribute(A_ERROR, kind)
            span.set_status(Status(StatusCode.ERROR, kind))
            t.tool_errors.add(1, {A_TOOL: tool, A_ERROR: kind})
            raise


@contextlib.contextmanager
def chat(provider: str, model: str) -> Iterator[Span]:
    """A GenAI ``chat`` span around one model call; pass the response's usage to ``chat_usage``."""
    t = _current
    attributes = {A_OP: "chat", "gen_ai.provider.name": provider, "gen_ai.request.model": model}
    begin = time.perf_counter()
    with t.tracer.start_as_current_span(SPAN_CHAT.format(model=model), kind=SpanKind.CLIENT,
                                        attributes=attributes) as span:
        try:
            yield span
        except Exception as exc:
            span.set_attribute(A_ERROR, type(exc).__name__)
            raise
        finally:
            t.genai_duration.record(time.perf_counter() - begin, attributes)


def chat_usage(span: Span, model: str, usage: Any) -> None:
    """Token counts of a model call (an OpenAI-style ``usage`` with ``prompt_tokens`` and
    ``completion_tokens``, or None) on its span and in ``gen_ai.client.token.usage``."""
    t = _current
    for kind, field_name in (("input", "prompt_tokens"), ("output", "completion_tokens")):
        n = getattr(usage, field_name, None)
        if isinstance(n, int):
            span.set_attribute(f"gen_ai.usage.{kind}_tokens", n)
            t.genai_tokens.record(n, {A_OP: "chat", "gen_ai.request.model": model, "gen_ai.token.type": kind})


# --- calls ------------------------------------------------------------------------------
def call_finished(record: Mapping[str, Any]) -> None:
    """Call-level metrics from a finished call's record (see ``agent.observability.callrecords``)."""
    t = _current
    outcome = record.get("outcome") or "abandoned"
    t.calls_ended.add(1, {A_OUTCOME: outcome})
    escalation = record.get("escalation")
    if escalation:
        t.escalations.add(1, {"voice.escalation.reason": escalation.get("trigger") or "other"})
    usage = record.get("usage") or {}
    if usage.get("audio_in_s"):
        t.audio_in_s.add(usage["audio_in_s"])
    if usage.get("audio_out_s"):
        t.audio_out_s.add(usage["audio_out_s"])
    cost = record.get("cost") or {}
    if "total" in cost:
        t.call_cost.record(cost["total"], {A_OUTCOME: outcome, "finops.currency": cost.get("currency", "")})
