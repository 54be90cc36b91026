"""`switchboard cases list|show` and `switchboard review export|import` against a real data dir."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from agent.config import Settings
from agent.handoff.service import HandoffService
from agent.contracts.state import CallState

REPO = Path(__file__).resolve().parents[2]


def _seed(data_dir: Path) -> list[str]:
    """Two escalated calls with personal data in them, captured for review."""

    async def run() -> list[str]:
        ids = []
        for n, (words, target) in enumerate([
            ("my name is Dana Reyes, the VPN keeps dropping, call 425-555-0123", "it_ops"),
            ("the conveyor at site 12 stopped, asset P-4512", "field_ops"),
        ]):
            svc = HandoffService(Settings(data_dir=data_dir), clock=lambda n=n: 1_795_000_000.0 + n)
            state = CallState(session_id=f"sess-{n}", current={"target": target, "intent": "incident.create"})
            state.add_turn("caller", words)
            state.routes.append({"turn": 0, "target": target, "intent": "incident.create", "confidence": 0.35,
                                 "action": "clarify", "reason": "unsure"})
            ids.append((await svc.escalate(state, reason="low confidence twice", trigger="confidence:0.35",
                                           priority="normal")).case_id)
            await svc.capture_for_review(state)
            await svc.close()
        return ids

    return asyncio.run(run())


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(d))
    monkeypatch.delenv("SWITCHBOARD_REDIS_URL", raising=False)
    return d


def test_cases_list_and_show_through_the_installed_command(data_dir: Path) -> None:
    first, second = _seed(data_dir)
    env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(data_dir)}
    listing = subprocess.run([sys.executable, "-m", "agent.cli", "cases", "list"], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].startswith("CASE") and second in lines[1] and first in lines[2]
    assert "pstn:+14255550130" in lines[2] and "low confidence twice" in lines[2]

    shown = subprocess.run([sys.executable, "-m", "agent.cli", "cases", "show", first.lower()], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    case = json.loads(shown.stdout)
    assert case["case_id"] == first and case["trigger"] == "confidence:0.35"


def test_cases_show_refuses_bad_and_unknown_ids(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(data_dir)
    assert main(["cases", "show", "'; DROP TABLE cases; --"]) == 2
    assert "not a case id" in capsys.readouterr().err
    assert main(["cases", "show", "CASE-ZZZZZZ"]) == 1
    assert "no case CASE-ZZZZZZ" in capsys.readouterr().err
    assert main(["cases", "list", "--limit", "0"]) == 2


def test_cases_list_on_an_empty_data_dir(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no cases"


def test_review_export_then_import_adds_routing_examples(data_dir: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _seed(data_dir)
    out = tmp_path / "to-label.jsonl"
    assert main(["review", "export", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["sess-0", "sess-1"]
    assert "Dana" not in out.read_text() and "425-555-0123" not in out.read_text()
    assert records[0]["text"] == "my name is [NAME], the VPN keeps dropping, call [PHONE]"
    assert all(r["label"] == {"target": "", "intent": ""} for r in records)

    # A person labels the first record and leaves the second for later.
    records[0]["text"] = "my tunnel to the office falls over whenever the docking station wakes up"
    records[0]["label"] = {"target": "it_ops", "intent": "incident.create"}
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("".join(json.dumps(r) + "\n" for r in records))
    capsys.readouterr()
    assert main(["review", "import", str(labelled)]) == 0
    report = capsys.readouterr().out
    assert "1 labelled, 1 left unlabelled, 1 new in" in report and "1 new in the index" in report

    learned = [json.loads(line) for line in (data_dir / "learned_examples.jsonl").read_text().splitlines()]
    assert learned == [{"text": "my tunnel to the office falls over whenever the docking station wakes up", "target": "it_ops", "intent": "incident.create"}]
    from agent.routing import Coordinator

    coordinator = Coordinator.from_settings(Settings.from_env())
    try:
        assert any(e.text == "my tunnel to the office falls over whenever the docking station wakes up" and e.target == "it_ops" for _, e in coordinator.index.examples())
    finally:
        coordinator.close()

    # Importing the same file again changes nothing.
    assert main(["review", "import", str(labelled)]) == 0
    assert "0 new in" in capsys.readouterr().out
    assert len((data_dir / "learned_examples.jsonl").read_text().splitlines()) == 1


def test_review_import_of_a_bad_file_imports_nothing(data_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "fine", "label": {"target": "it_ops", "intent": "incident.create"}}) + "\n"
                   + json.dumps({"text": "x", "label": {"target": "payroll", "intent": "incident.create"}}) + "\n")
    assert main(["review", "import", str(bad)]) == 2
    assert f"nothing imported: {bad}:2" in capsys.readouterr().err
    assert not (data_dir / "learned_examples.jsonl").exists()

    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["review", "import", str(binary)]) == 2
    assert main(["review", "import", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err
