"""Call scripts and the transcript renderer of ``switchboard call`` (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.dev.client.audio import frames
from agent.dev.client.render import CallLog, format_metrics
from agent.dev.client.script import ScriptError, Step, load_script, parse_script


def test_parse_every_step_kind(tmp_path: Path) -> None:
    path = tmp_path / "it.yaml"
    path.write_text("""
name: IT password reset
steps:
  - say: "  I'm locked out. "
  - wav: rec/caller.wav
  - type: my number is 48213
  - dtmf: 1234#
  - dtmf: 7
  - wait: 1.5
  - hangup: true
""")
    script = load_script(path)
    assert script.name == "IT password reset"
    assert script.steps == (
        Step("say", text="I'm locked out."), Step("wav", text=str(tmp_path / "rec/caller.wav")),
        Step("type", text="my number is 48213"), Step("dtmf", text="1234#"), Step("dtmf", text="7"),
        Step("wait", seconds=1.5), Step("hangup"))


def test_a_bare_list_is_a_script_named_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "quick.yaml"
    path.write_text("- type: hello\n")
    assert load_script(path).name == "quick"


@pytest.mark.parametrize("data, message", [
    (None, "non-empty 'steps'"),
    ({"steps": []}, "non-empty 'steps'"),
    ("just a string", "non-empty 'steps'"),
    ({"steps": [{"shout": "hi"}]}, "step 1: unknown step 'shout'"),
    ({"steps": [{"say": "a", "type": "b"}]}, "step 1: must be one of"),
    ({"steps": ["say hi"]}, "step 1: must be one of"),
    ({"steps": [{"type": "ok"}, {"say": ""}]}, "step 2: 'say' needs non-empty text"),
    ({"steps": [{"type": "x" * 1_000_000}]}, "at most 4000"),
    ({"steps": [{"dtmf": "12; DROP TABLE calls"}]}, "'dtmf' must be"),
    ({"steps": [{"dtmf": True}]}, "'dtmf' must be"),
    ({"steps": [{"wait": -1}]}, "'wait' must be seconds"),
    ({"steps": [{"wait": "soon"}]}, "'wait' must be seconds"),
    ({"steps": [{"wait": 10_000}]}, "'wait' must be seconds"),
    ({"name": 5, "steps": [{"type": "a"}]}, "'name' must be"),
])
def test_bad_scripts_name_the_step_at_fault(data: object, message: str) -> None:
    with pytest.raises(ScriptError, match=message.replace("(", r"\(")) as err:
        parse_script(data)
    assert len(str(err.value)) < 200


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="cannot read"):
        load_script(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [unclosed")
    with pytest.raises(ScriptError, match="not valid YAML"):
        load_script(bad)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ScriptError, match="cannot read"):
        load_script(binary)


def test_frames_are_20_ms_and_the_tail_is_padded() -> None:
    out = frames(bytes(640 * 2 + 100), 16000)
    assert [len(f) for f in out] == [640, 640, 640]
    assert frames(b"", 16000) == []
    assert len(frames(bytes(960), 24000)[0]) == 960


def test_call_log_groups_events_into_turns() -> None:
    log = CallLog()
    lines = [log.add(ev) for ev in [
        {"type": "session.ready", "session_id": "s1", "speech": True, "audio": {"sample_rate": 16000}},
        {"type": "transcript", "role": "agent", "text": "Hello."},
        {"type": "transcript", "role": "caller", "text": "reset my pass", "final": False},
        {"type": "transcript", "role": "caller", "text": "reset my password", "final": True, "kind": "speech"},
        {"type": "route", "target": "it_ops", "intent": "password.reset", "confidence": 0.91, "action": "route",
         "alternatives": [{"target": "field_ops", "intent": "work_order.create", "confidence": 0.04}]},
        {"type": "tool", "name": "reset_password", "status": "ok", "latency_ms": 42.4, "result": {"ticket": "IT-1"}},
        {"type": "turn.metrics", "turn": 1, "stt_ms": 470, "decision_ms": 12, "first_audio_ms": 650.6,
         "total_ms": 1800, "barge_in": False},
        {"type": "transcript", "role": "caller", "text": "gas leak", "final": True, "kind": "text"},
        {"type": "handoff", "target": "human", "case_id": "C-7", "reason": "safety", "priority": "urgent"},
        {"type": "pong", "id": "x"},
    ]]
    assert lines[0] == "connected  session s1 (speech, 16000 Hz)"
    assert lines[2] is None  # partials are hidden by default
    assert "route -> it_ops (password.reset) confidence 0.91" in lines[4] and "work_order.create 0.04" in lines[4]
    assert lines[5] == '   tool    reset_password ok 42 ms {"ticket": "IT-1"}'
    assert lines[6] == "   latency first audio 651 ms, total 1800 ms (stt 470, decision 12)"
    assert lines[7].endswith("[text]")
    assert "case C-7" in lines[8] and lines[9] is None
    assert [t.caller for t in log.turns] == ["", "reset my password", "gas leak"]
    assert log.turns[1].route["target"] == "it_ops" and log.turns[1].metrics["turn"] == 1
    assert log.handoffs()[0]["case_id"] == "C-7" and len(log.routes()) == 1


def test_metrics_with_missing_fields() -> None:
    assert format_metrics({"total_ms": 3, "stt_ms": None, "barge_in": True}) == "total 3 ms barge-in"
