"""Export is chosen by configuration only: with nothing set nothing leaves the process;
with an OTLP endpoint, spans and metrics arrive at a small OTLP/HTTP collector on loopback."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from agent.observability import telemetry
from agent.config import ConfigError, Settings

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def restore_telemetry() -> Iterator[None]:
    previous = telemetry.current()
    yield
    telemetry.install(previous)


def _emit_everything() -> None:
    """One of each kind of signal, through the public facade."""
    with telemetry.tool_call("it_ops", "reset_password"):
        pass
    telemetry.route("it_ops", "route")
    telemetry.call_finished({"outcome": "resolved", "usage": {"audio_in_s": 3.0}, "cost": {"total": 0.01}})


def test_without_configuration_nothing_is_exported_or_attempted(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def spy(self: socket.socket, address: Any) -> Any:
        attempts.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    monkeypatch.setattr(socket.socket, "connect_ex", spy)
    t = telemetry.configure(Settings(data_dir=tmp_path))
    assert isinstance(t.meter_provider, NoOpMeterProvider)
    with t.tracer.start_as_current_span("call") as span:  # spans still get ids, for the logs
        _emit_everything()
    assert span.get_span_context().is_valid
    assert t.tracer_provider._active_span_processor._span_processors == ()  # no exporter anywhere
    t.shutdown()
    assert attempts == []


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        type(self).received.append((self.path, body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_otlp_endpoint_receives_spans_and_metrics(collector: str, tmp_path: Path) -> None:
    t = telemetry.configure(Settings(data_dir=tmp_path, otlp_endpoint=collector + "/"))
    _emit_everything()
    t.shutdown()  # flushes the batch span processor and the periodic metric reader
    paths = [p for p, _ in Collector.received]
    assert "/v1/traces" in paths and "/v1/metrics" in paths
    request = ExportTraceServiceRequest()
    request.ParseFromString(next(b for p, b in Collector.received if p == "/v1/traces"))
    spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
    assert [s.name for s in spans] == ["execute_tool reset_password"]
    attrs = {a.key: a.value.string_value for a in spans[0].attributes}
    assert attrs["gen_ai.operation.name"] == "execute_tool"
    service = {a.key: a.value.string_value for a in request.resource_spans[0].resource.attributes}
    assert service["service.name"] == "switchboard-agent"
    metrics = next(b for p, b in Collector.received if p == "/v1/metrics")
    assert telemetry.CALLS_ENDED.encode() in metrics and telemetry.ROUTES.encode() in metrics


def test_an_unreachable_collector_does_not_raise(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # bound, never listening: connection refused
        t = telemetry.configure(Settings(data_dir=tmp_path, otlp_endpoint=dead))
        _emit_everything()
        t.shutdown()


def test_a_malformed_application_insights_string_is_a_clear_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="APPLICATIONINSIGHTS_CONNECTION_STRING is not usable"):
        telemetry.configure(Settings(data_dir=tmp_path, appinsights_connection_string="'; DROP TABLE x; --"))
