"""``switchboard report``: the real command over call records written by the real recorder,
and the page rendered by headless Chromium (screenshot + DOM)."""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from agent.observability.callrecords import FILE_NAME, CallRecorder
from agent.observability.finops import DEFAULT_PRICE_FILE, PriceTable
from agent.contracts.state import CallState

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHARTS = ("latency-p50", "latency-p95", "outcomes", "routes", "escalations", "cost")
T0 = 1_790_000_000.0

pytestmark = pytest.mark.timeout(120)


def _call(i: int, rng: random.Random) -> CallState:
    """One plausible finished call: routed, spoken turns with stage timings, an outcome."""
    started = T0 + i * 360
    state = CallState(session_id=f"call-{i}", channel=rng.choice(["phone", "phone", "web"]), started_at=started)
    target = rng.choice(["field_ops", "field_ops", "it_ops", "human"])
    for turn in range(1, rng.randint(2, 5)):
        stt = rng.uniform(80, 500)
        stages = {"endpoint": rng.uniform(400, 700), "stt": stt, "route": rng.uniform(5, 40),
                  "agent": rng.uniform(20, 900), "tts": rng.uniform(60, 300)}
        state.turn_count = turn
        entry = state.add_turn("caller", "my name is Dana Smith and my pump is leaking", kind="speech")
        entry["metrics"] = {"stages": {k: round(v, 1) for k, v in stages.items()},
                            "latency_ms": round(sum(stages.values()), 1), "total_ms": 3000.0, "barge_in": False}
        human = target == "human"
        state.routes.append({"turn": turn, "target": target, "intent": "human.request" if human else "it.reset",
                             "confidence": 0.8, "action": "handoff" if human else "route",
                             "policy_hits": [rng.choice(["safety:gas", "person_request"])] if human else []})
    state.tool_attempts.append({"tool": "create_work_order", "ok": rng.random() > 0.15, "error": "timeout: slow"})
    if target == "human" or rng.random() < 0.15:
        state.tool_failures = 0 if target == "human" else 2
        state.handoff = {"case_id": f"CASE-{i}", "target": "dispatch", "reason": "caller asked", "priority": "high"}
        state.outcome = "escalated"
    else:
        state.outcome = "resolved" if rng.random() < 0.85 else "abandoned"
    state.count("audio_in_s", rng.uniform(20, 120))
    state.count("audio_out_s", rng.uniform(20, 90))
    state.count("tts_chars", rng.randint(200, 1500))
    state.ended_at = started + rng.uniform(40, 240)
    return state


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    rng = random.Random(7)
    recorder = CallRecorder(tmp_path / FILE_NAME, PriceTable.load(DEFAULT_PRICE_FILE))
    for i in range(60):
        recorder.finish(_call(i, rng))
    with (tmp_path / FILE_NAME).open("a") as f:
        f.write("{torn line\n")
    return tmp_path


def _report(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "agent.cli", "report", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_report_writes_page_and_one_screen_summary(data_dir: Path) -> None:
    records = [json.loads(line) for line in (data_dir / FILE_NAME).read_text().splitlines()[:-1]]
    resolved = sum(r["outcome"] == "resolved" for r in records)
    run = _report(data_dir)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "switchboard calls: 60" in out
    assert f"automation rate (resolved, no person)    {resolved / 60:.0%}" in out
    assert "1 malformed record line(s) skipped" in out and "safety" in out
    assert len(out.splitlines()) <= 24 and max(len(line) for line in out.splitlines()) <= 120
    page = (data_dir / "report.html").read_text()
    for chart in CHARTS:
        assert f'data-chart="{chart}"' in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "Dana" not in (data_dir / FILE_NAME).read_text()  # records are redacted


def test_report_with_no_records_says_so(tmp_path: Path) -> None:
    run = _report(tmp_path, "--out", str(tmp_path / "r" / "empty.html"))
    assert run.returncode == 0, run.stderr
    assert "no call records" in run.stdout and "switchboard calls: 0" in run.stdout
    assert 'data-chart="latency-p95"' in (tmp_path / "r" / "empty.html").read_text()


def test_report_refuses_a_directory_as_records(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).mkdir()
    run = _report(tmp_path)
    assert run.returncode == 2 and "is not a file" in run.stderr


def _png_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed scanlines of a PNG (enough to tell blank from drawn)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(data_dir: Path, tmp_path: Path) -> None:
    assert _report(data_dir).returncode == 0
    page = (data_dir / "report.html").resolve()
    shot = tmp_path / "report.png"
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
                   capture_output=True, timeout=90, check=True)
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    assert len(set(pixels)) > 64, "the screenshot is blank"
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90,
                         check=True).stdout
    for chart in CHARTS:
        assert f'data-chart="{chart}"' in dom
    assert dom.count("<polyline") >= 10  # 6 series x 2 charts, over 17 time buckets
