"""The demo runner (``python -m agent.dev.demo``) against a running container, and its summary table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agent.dev.client.render import CallLog
from agent.dev.client.runner import CallResult
from agent.dev.demo import SCRIPTS, progress_line, summary_table
from agent.dev.client.script import load_script
from agent.dev.localserver import REPO


def test_demo_runs_scripts_against_an_endpoint_and_summarises(server, tmp_path: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text("name: First call\nsteps:\n  - type: hello\n")
    two = tmp_path / "two.yaml"
    two.write_text("name: Second call\nsteps:\n  - type: one\n  - dtmf: '5'\n")
    done = subprocess.run([sys.executable, "-m", "agent.dev.demo", "--url", server.ws, "--scripts", str(one), str(two)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "=== call 1/2: First call" in out and "=== call 2/2: Second call" in out
    assert "agent   <  You said: hello" in out and "agent   <  You said: 5" in out
    table = out[out.index("summary"):].splitlines()
    assert table[2].split()[:2] == ["call", "route"]
    assert table[4].startswith("First call") and table[5].startswith("Second call")
    assert table[5].split()[-3] == "2"  # turns of the second call


def test_the_shipped_demo_scripts_are_valid() -> None:
    names = [load_script(path).name for path in SCRIPTS]
    assert names == ["Field work order", "IT password reset", "Safety escalation"]


def test_summary_row_shows_route_outcome_and_latency() -> None:
    log = CallLog()
    for ev in [
        {"type": "transcript", "role": "agent", "text": "Hello."},
        {"type": "transcript", "role": "caller", "text": "gas", "final": True},
        {"type": "route", "target": "human", "intent": "safety.emergency", "confidence": 0.97, "action": "handoff"},
        {"type": "handoff", "target": "pstn:+1", "case_id": "CASE-AB12", "reason": "gas", "priority": "emergency"},
        {"type": "turn.metrics", "turn": 1, "first_audio_ms": 900.4, "total_ms": 5000},
        {"type": "transcript", "role": "caller", "text": "ok", "final": True},
        {"type": "tool", "name": "create_work_order", "status": "ok", "result": {"work_order_id": "WO-1"}},
        {"type": "turn.metrics", "turn": 2, "first_audio_ms": 1500, "total_ms": 5000},
    ]:
        log.add(ev)
    table = summary_table([CallResult("Safety", log, b"", 16000, 21.6)])
    row = table.splitlines()[4]
    assert row.split() == ["Safety", "human", "safety.emergency", "0.97", "hand-over", "CASE-AB12", "2",
                           "1200", "/", "1500", "22"]


def test_progress_shows_switchboard_log_lines_only() -> None:
    assert progress_line(json.dumps({"logger": "switchboard.speech", "msg": "ready in 1.5s"})) == "speech: ready in 1.5s"
    assert progress_line(json.dumps({"logger": "hypercorn.error", "msg": "Running"})) is None
    assert progress_line("[2026-11-23] plain text") is None
    assert progress_line("[1, 2]") is None
