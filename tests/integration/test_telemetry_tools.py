"""MCP tool calls through the real ``ToolManager`` and a real ``switchboard mcp it-ops``
process: each call is a GenAI ``execute_tool`` span under the caller's span, and a refused
call is an error span and a ``voice.tool.errors`` count."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent.observability import telemetry
from agent.brain.mcp_client import ServerSpec, ToolError, ToolManager

pytestmark = pytest.mark.timeout(60)
REPO = Path(__file__).resolve().parents[2]


async def test_tool_calls_are_execute_tool_spans_under_the_turn(tmp_path: Path) -> None:
    spans = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    previous = telemetry.install(telemetry.Telemetry(tp, MeterProvider(metric_readers=[reader])))
    command = [sys.executable, "-m", "agent.cli", "mcp", "it-ops", "--db", str(tmp_path / "it.db")]
    tools = ToolManager([ServerSpec("it_ops", command=command, env={"SWITCHBOARD_DATA_DIR": str(tmp_path)})])
    try:
        await tools.start()
        with tp.get_tracer("test").start_as_current_span("voice.turn") as turn:
            found = await tools.call("it_ops", "get_incident", {"incident_id": "INC-20001"})
            with pytest.raises(ToolError) as refused:
                await tools.call("it_ops", "get_incident", {"incident_id": "INC-99999"})
    finally:
        await tools.close()
        telemetry.install(previous)
    assert found["incident_id"] == "INC-20001"
    ok, failed = [s for s in spans.get_finished_spans() if s.name == "execute_tool get_incident"]
    for span in (ok, failed):
        assert span.parent.span_id == turn.get_span_context().span_id
        assert span.attributes["gen_ai.operation.name"] == "execute_tool"
        assert span.attributes["switchboard.mcp.server"] == "it_ops"
    assert "error.type" not in ok.attributes
    assert failed.attributes["error.type"] == refused.value.kind == "rejected"
    errors = [p for rm in reader.get_metrics_data().resource_metrics for sm in rm.scope_metrics
              for m in sm.metrics if m.name == telemetry.TOOL_ERRORS for p in m.data.data_points]
    assert [(dict(p.attributes), p.value) for p in errors] == [
        ({"gen_ai.tool.name": "get_incident", "error.type": "rejected"}, 1)]
