"""GenAI spans and token metrics of model calls: the real OpenAI SDK against a fake Azure
OpenAI transport (wire-level), through ``AzureModelClient``."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from openai import AsyncAzureOpenAI
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent.observability import telemetry
from agent.brain.llm import AzureModelClient

COMPLETION = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Done."}}],
    "usage": {"prompt_tokens": 120, "completion_tokens": 7, "total_tokens": 127},
}


@pytest.fixture
def otel() -> Any:
    spans = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    previous = telemetry.install(telemetry.Telemetry(tp, MeterProvider(metric_readers=[reader])))
    yield spans, reader
    telemetry.install(previous)


def _client(handler: Any) -> AsyncAzureOpenAI:
    transport = httpx.MockTransport(handler)
    return AsyncAzureOpenAI(azure_endpoint="https://example.openai.azure.com", api_version="2024-10-21",
                            api_key="k", max_retries=0, http_client=httpx.AsyncClient(transport=transport))


async def test_model_call_gets_a_chat_span_with_token_usage(otel: Any) -> None:
    spans, reader = otel
    client = AzureModelClient(_client(lambda request: httpx.Response(200, json=COMPLETION)), "gpt-4o-prod")
    reply = await client.complete([{"role": "user", "content": "hi"}], [])
    assert reply.text == "Done." and reply.tokens == 127
    [span] = spans.get_finished_spans()
    assert span.name == "chat gpt-4o-prod"
    assert span.attributes["gen_ai.operation.name"] == "chat"
    assert span.attributes["gen_ai.request.model"] == "gpt-4o-prod"
    assert (span.attributes["gen_ai.usage.input_tokens"], span.attributes["gen_ai.usage.output_tokens"]) == (120, 7)
    points = {p.attributes["gen_ai.token.type"]: p.sum for rm in reader.get_metrics_data().resource_metrics
              for sm in rm.scope_metrics for m in sm.metrics if m.name == telemetry.GENAI_TOKENS
              for p in m.data.data_points}
    assert points == {"input": 120, "output": 7}


async def test_a_failed_model_call_is_an_error_span(otel: Any) -> None:
    spans, _ = otel
    client = AzureModelClient(_client(lambda request: httpx.Response(
        500, content=json.dumps({"error": {"message": "overloaded"}}))), "gpt-4o-prod")
    with pytest.raises(Exception):
        await client.complete([{"role": "user", "content": "hi"}], [])
    [span] = spans.get_finished_spans()
    assert span.attributes["error.type"] == "InternalServerError"
    assert span.status.status_code.name == "ERROR"
