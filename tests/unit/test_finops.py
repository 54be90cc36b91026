"""FinOps: price tables, cost per call, call records (redacted, robust to bad lines) and the
report's aggregation and charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.observability.callrecords import CallRecorder, build_record, escalation_trigger, read_records
from agent.config import Settings
from agent.observability.finops import DEFAULT_PRICE_FILE, PriceError, PriceTable, usage_of
from agent.observability.report import svg
from agent.observability.report.page import render_html, render_text
from agent.observability.report.summary import percentile, summarize
from agent.contracts.state import CallState

TABLE = {"currency": "EUR", "items": {
    "stt": {"usage": "audio_in_s", "price": 1.0, "per": 3600},
    "tts": {"usage": "tts_chars", "price": 16.0, "per": 1_000_000},
    "pstn": {"usage": "call_s", "price": 0.01, "per": 60, "channels": ["phone"]},
}}


def _state(channel: str = "phone") -> CallState:
    s = CallState(session_id="c1", channel=channel, started_at=1000.0)
    s.count("audio_in_s", 1800)
    s.count("tts_chars", 500_000)
    s.ended_at = 1000.0 + 600
    return s


def test_cost_per_call_from_the_table() -> None:
    table = PriceTable.parse(TABLE)
    usage = usage_of(_state())
    assert usage == {"audio_in_s": 1800.0, "tts_chars": 500_000.0, "call_s": 600.0}
    cost = table.cost(usage, "phone")
    assert cost == {"currency": "EUR", "total": pytest.approx(0.5 + 8.0 + 0.1), "items": {
        "stt": 0.5, "tts": 8.0, "pstn": pytest.approx(0.1)}}
    assert table.cost(usage, "web")["items"]["pstn"] == 0.0  # telephony only applies to phone calls


def test_default_table_loads_and_settings_can_override_it(tmp_path: Path) -> None:
    assert {i.usage for i in PriceTable.load(DEFAULT_PRICE_FILE).items} >= {"audio_in_s", "tts_chars", "call_s"}
    custom = tmp_path / "prices.yaml"
    custom.write_text(json.dumps(TABLE))  # JSON is YAML
    recorder = CallRecorder.from_settings(Settings(data_dir=tmp_path, price_file=custom))
    assert recorder.prices.currency == "EUR"
    assert Settings.from_env({"SWITCHBOARD_PRICE_FILE": str(custom)}).price_file == custom


@pytest.mark.parametrize("raw, problem", [
    ([1, 2], "must be a mapping"),
    ({"items": {}}, "non-empty"),
    ({"items": {"a": {"usage": "x", "price": -1}}}, "'price' must be a finite number >= 0"),
    ({"items": {"a": {"usage": "x", "price": float("nan")}}}, "finite"),
    ({"items": {"a": {"usage": "x", "price": True}}}, "'price'"),
    ({"items": {"a": {"usage": "x", "price": "1; DROP TABLE prices"}}}, "'price'"),
    ({"items": {"a": {"price": 1}}}, "'usage'"),
    ({"items": {"a": {"usage": "x", "price": 1, "per": 0}}}, "'per' must be above 0"),
    ({"items": {"a": {"usage": "x", "price": 1, "channels": "phone"}}}, "'channels'"),
    ({"currency": "x" * 50, "items": {"a": {"usage": "x", "price": 1}}}, "currency"),
])
def test_a_bad_table_is_refused_with_the_reason(raw: object, problem: str) -> None:
    with pytest.raises(PriceError, match=problem.replace("(", r"\(").replace("'", "'")):
        PriceTable.parse(raw)


@pytest.mark.parametrize("content, problem", [
    (b"items: [unclosed", "not valid YAML"),
    (b"\xff\xfe\x00garbage", "not valid YAML"),
    (b"#" * (1024 * 1024 + 1), "larger than"),
])
def test_a_bad_price_file_is_refused_and_left_alone(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(PriceError, match=problem):
        PriceTable.load(path)
    assert path.read_bytes() == content
    with pytest.raises(PriceError, match="cannot read"):
        PriceTable.load(tmp_path / "missing.yaml")


# --- call records ---------------------------------------------------------------------------
def test_record_keeps_metrics_and_routes_and_redacts_personal_data() -> None:
    s = _state()
    s.turn_count = 1
    entry = s.add_turn("caller", "I am Dana, call 555 867 5309", kind="speech")
    entry["metrics"] = {"stages": {"stt": 120.0}, "latency_ms": 800.0, "total_ms": 1500.0, "barge_in": True}
    s.routes.append({"turn": 1, "target": "human", "intent": "human.request", "confidence": 0.9,
                     "action": "handoff", "policy_hits": ["person_request", "queue:night"], "reason": "r"})
    s.tool_attempts.append({"tool": "create_ticket", "ok": False, "error": "rejected: phone 555 867 5309 invalid"})
    s.handoff = {"case_id": "CASE-1", "target": "dispatch", "reason": "caller 555-867-5309 wants a person",
                 "priority": "high", "status": "pending"}
    s.outcome = "escalated"
    record = build_record(s, PriceTable.parse(TABLE))
    text = json.dumps(record)
    assert "867" not in text and "Dana" not in text
    assert record["turns"] == [{"turn": 1, "kind": "speech", "ts": entry["ts"], "stages": {"stt": 120.0},
                                "latency_ms": 800.0, "total_ms": 1500.0, "barge_in": True}]
    assert record["escalation"]["trigger"] == "person_request" and record["escalation"]["case_id"] == "CASE-1"
    assert record["tool_errors"] == [{"tool": "create_ticket", "error": "rejected: phone [PHONE] invalid"}]
    assert record["cost"]["currency"] == "EUR" and record["outcome"] == "escalated"


def test_escalation_trigger_falls_back_to_tool_failures() -> None:
    s = _state()
    s.routes.append({"target": "it_ops", "action": "route", "policy_hits": ["topic_switch"]})
    s.tool_failures = 3
    assert escalation_trigger(s) == "tool_failures"


def test_reader_skips_bad_lines_and_keeps_every_good_one(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    recorder = CallRecorder(path, PriceTable.parse(TABLE))
    recorder.finish(_state())
    with path.open("a") as f:
        f.write("not json\n[1,2]\n{\"no_session\": 1}\n\n")
        f.write(json.dumps({"session_id": "x" * 10, "pad": "y" * 2_000_000}) + "\n")  # over the line limit
    recorder.finish(_state("web"))
    result = read_records(path)
    assert [r["channel"] for r in result.records] == ["phone", "web"]
    assert result.skipped == 4
    assert read_records(tmp_path / "none.jsonl").records == []


def test_recorder_logs_instead_of_raising_when_the_disk_refuses(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "calls.jsonl").mkdir()  # a directory where the file should be
    record = CallRecorder(tmp_path / "calls.jsonl", PriceTable.parse(TABLE)).finish(_state())
    assert record["session_id"] == "c1" and "could not write the call record" in caplog.text


# --- report aggregation and charts --------------------------------------------------------
def test_percentiles_and_summary_figures() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([10], 95) == 10
    records = [
        {"session_id": f"s{i}", "ended_at": 1000.0 + i * 60, "outcome": o,
         "turns": [{"stages": {"stt": float(10 * (i + 1))}, "latency_ms": 100.0 * (i + 1)}],
         "routes": [{"target": "it_ops"}], "cost": {"total": 0.5, "currency": "USD"},
         "escalation": {"trigger": "safety"} if o == "escalated" else None}
        for i, o in enumerate(["resolved", "resolved", "escalated", "abandoned"])
    ]
    s = summarize(records)
    assert (s.calls, s.resolved, s.escalated, s.rate("resolved")) == (4, 2, 1, 0.5)
    assert s.stages["stt"].p50 == 25.0 and s.stages["latency"].p95 == pytest.approx(385.0)
    assert s.total_cost == 2.0 and s.cost_per_call == 0.5 and s.cost_per_resolved == 1.0
    assert s.escalation_reasons == {"safety": 1} and s.routes == {"it_ops": 4}
    assert s.bucket_s == 60 and len(s.stages_over_time) == 4


def test_hostile_records_do_not_break_the_report() -> None:
    records = [
        {"session_id": "a", "ended_at": "yesterday"},
        {"session_id": "b", "ended_at": 5.0, "turns": "nope", "routes": [1, None, {"target": 3}],
         "cost": {"total": "free"}, "usage": {"audio_in_s": float("inf")}, "outcome": ["x"]},
        {"session_id": "c", "ended_at": 6.0, "turns": [{"stages": {"stt": "<script>"}, "latency_ms": True}],
         "escalation": {"trigger": "<img src=x onerror=alert(1)>"}},
    ]
    s = summarize(records)
    assert s.calls == 2 and s.skipped_lines == 1 and s.stages == {}
    page = render_html(s)
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert render_text(s).startswith("switchboard calls: 2")


def test_chart_labels_are_escaped_and_empty_charts_say_so() -> None:
    chart = svg.bar_chart("routes", "Routes", [("<b>x</b>", 3.0)])
    assert "<b>" not in chart and "&lt;b&gt;" in chart
    assert "no data yet" in svg.line_chart("l", "L", {}, str)
    assert 'data-chart="cost"' in svg.column_chart("cost", "C", [], unit="USD")
