"""agent.observability.telemetry without a server: stage maths, the connection middleware's batching,
tool spans, header injection and the log context (session, trace id, redaction)."""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
from typing import Any

import pytest
from opentelemetry import propagate, trace

from agent.observability import telemetry
from agent.brain.mcp_client import ToolError
from agent.observability.logs import JsonFormatter
from agent.observability.telemetry import Stage, stages
from tests.support.otel import Otel, otel  # noqa: F401 - the fixture


# --- stages ---------------------------------------------------------------------------
def test_spoken_turn_has_every_stage_on_one_clock() -> None:
    got = stages(started_ms=700, stt_ms=150, decision_ms=730, first_say_ms=900, first_audio_ms=1020)
    assert got == [Stage("endpoint", 0, 550), Stage("stt", 550, 700), Stage("route", 700, 730),
                   Stage("agent", 730, 900), Stage("tts", 900, 1020)]
    assert [s.ms for s in got] == [550, 150, 30, 170, 120]


def test_typed_turn_has_no_endpoint_or_stt_and_a_holding_phrase_before_the_decision_counts_from_pickup() -> None:
    got = stages(started_ms=2, stt_ms=None, decision_ms=40, first_say_ms=10, first_audio_ms=None)
    assert got == [Stage("route", 2, 40), Stage("agent", 2, 10)]


def test_stages_never_run_backwards() -> None:
    # An STT figure longer than the time since speech ended (clock skew) must not go negative.
    got = stages(started_ms=50, stt_ms=80, decision_ms=None, first_say_ms=None, first_audio_ms=None)
    assert all(s.ms >= 0 for s in got)


# --- the connection middleware ---------------------------------------------------------
async def test_frames_are_flushed_in_batches_while_the_connection_lives(otel: Otel) -> None:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []
    checkpoint = asyncio.Event()
    resume = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        for _ in range(300):
            await receive()
            await send({"type": "websocket.send", "bytes": b"x" * 10})
        checkpoint.set()
        await resume.wait()
        await send({"type": "websocket.close", "code": 4000})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for _ in range(300):
        inbox.put_nowait({"type": "websocket.receive", "text": "é"})  # 2 bytes of UTF-8
    middleware = telemetry.ConnectionTelemetry(app)
    task = asyncio.create_task(middleware({"type": "websocket", "path": "/invocations_ws", "headers": []},
                                          inbox.get, send))
    await checkpoint.wait()
    # 600 frames so far: two batches of FLUSH_EVERY already reached the counters, the rest waits.
    flushed = otel.total(telemetry.WS_FRAMES_RECEIVED) + otel.total(telemetry.WS_FRAMES_SENT)
    assert flushed == 2 * telemetry.FLUSH_EVERY
    assert otel.total(telemetry.WS_ACTIVE) == 1
    resume.set()
    await task
    assert otel.total(telemetry.WS_FRAMES_RECEIVED) == 300 and otel.total(telemetry.WS_BYTES_RECEIVED) == 600
    assert otel.total(telemetry.WS_FRAMES_SENT) == 300 and otel.total(telemetry.WS_BYTES_SENT) == 3000
    assert otel.total(telemetry.WS_CLOSE_CODE, **{telemetry.A_CLOSE_CODE: 4000}) == 1
    assert otel.total(telemetry.WS_ACTIVE) == 0


async def test_a_crashing_handler_is_recorded_as_1011_and_still_raises(otel: Otel) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    async def nothing() -> dict[str, Any]:
        return {"type": "websocket.disconnect", "code": 1000}

    with pytest.raises(RuntimeError):
        await telemetry.ConnectionTelemetry(app)({"type": "websocket", "path": "/invocations_ws", "headers": []},
                                                 nothing, lambda m: None)
    [span] = otel.spans.get_finished_spans()
    assert span.status.status_code == trace.StatusCode.ERROR
    assert otel.total(telemetry.WS_CLOSE_CODE, **{telemetry.A_CLOSE_CODE: 1011}) == 1


async def test_other_paths_and_http_pass_through_untouched(otel: Otel) -> None:
    seen = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    mw = telemetry.ConnectionTelemetry(app)
    await mw({"type": "http", "path": "/invocations_ws"}, None, None)
    await mw({"type": "websocket", "path": "/other"}, None, None)
    assert seen == ["/invocations_ws", "/other"] and otel.spans.get_finished_spans() == ()


# --- tools ------------------------------------------------------------------------------
def test_tool_calls_get_genai_execute_tool_spans_and_failures_are_counted(otel: Otel) -> None:
    with telemetry.tool_call("it_ops", "reset_password"):
        pass
    with pytest.raises(ToolError):
        with telemetry.tool_call("it_ops", "create_ticket"):
            raise ToolError("it_ops", "create_ticket", "timeout", "the server took too long")
    ok, failed = otel.spans.get_finished_spans()
    assert ok.name == "execute_tool reset_password"
    assert ok.attributes["gen_ai.operation.name"] == "execute_tool"
    assert ok.attributes["gen_ai.tool.name"] == "reset_password" and ok.kind == trace.SpanKind.CLIENT
    assert ok.status.status_code == trace.StatusCode.UNSET
    assert failed.attributes["error.type"] == "timeout" and failed.status.status_code == trace.StatusCode.ERROR
    assert otel.total(telemetry.TOOL_ERRORS, **{"gen_ai.tool.name": "create_ticket", "error.type": "timeout"}) == 1
    assert otel.total(telemetry.TOOL_ERRORS, **{"gen_ai.tool.name": "reset_password"}) == 0


def test_injected_headers_carry_the_current_trace(otel: Otel) -> None:
    tracer = otel.tracer_provider.get_tracer("bridge")
    with tracer.start_as_current_span("bridge call") as span:
        headers = telemetry.inject_headers({"authorization": "Bearer x"})
    assert headers["authorization"] == "Bearer x"
    assert headers["traceparent"].split("-")[1] == format(span.get_span_context().trace_id, "032x")
    extracted = trace.get_current_span(propagate.extract(headers)).get_span_context()
    assert extracted.span_id == span.get_span_context().span_id


# --- logs -------------------------------------------------------------------------------
def _logger() -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(telemetry.LogContext())
    logger = logging.getLogger("test.telemetry.logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def test_every_log_line_has_session_and_trace_ids_and_no_personal_data(otel: Otel) -> None:
    logger, out = _logger()
    tracer = otel.tracer_provider.get_tracer("t")

    def in_a_call() -> int:
        telemetry.bind_session("call-42")
        with tracer.start_as_current_span("turn") as span:
            logger.info("caller %s said: call me on %s", "Dana", "555 867 5309")
            try:
                raise ValueError("mail dana.smith@contoso.com")
            except ValueError:
                logger.exception("tool failed")
            return span.get_span_context().trace_id

    trace_id = contextvars.copy_context().run(in_a_call)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["session_id"] == "call-42" and first["trace_id"] == format(trace_id, "032x")
    assert "555" not in first["msg"] and "[PHONE]" in first["msg"]
    assert "dana.smith@contoso.com" not in second["exc"] and "[EMAIL]" in second["exc"]
    assert second["session_id"] == "call-42"


def test_lines_outside_a_call_have_no_ids_and_a_1mb_message_is_handled() -> None:
    logger, out = _logger()
    contextvars.copy_context().run(logger.warning, "x" * 1_000_000 + " 555-867-5309")
    contextvars.copy_context().run(logger.info, "swept", extra={"session_id": "from-extra"})
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert "session_id" not in first and "trace_id" not in first
    assert first["msg"].endswith("[PHONE]")
    assert second["session_id"] == "from-extra"
