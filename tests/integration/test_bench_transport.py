"""``switchboard bench transport`` and ``bench bridge`` run end to end and count frames exactly (figures are not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_bench_transport_streams_every_frame_and_reports_figures(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "agent.cli", "bench", "transport", "--sessions", "4", "--seconds", "1",
         "--ramp", "0.2", "--clients", "2", "--json"],
        capture_output=True, text=True, timeout=180, env={**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-2000:]
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["frames_sent"] == 4 * 50
    assert figures["dropped_frames"] == 0 and figures["failed_sessions"] == 0
    assert figures["probes"] == 4 * 5
    assert figures["latency_p99_ms"] >= figures["latency_p50_ms"] > 0
    assert figures["server_rss_mb_max"] is None or figures["server_rss_mb_max"] > 0
    assert figures["client_cpu_us_per_frame"] > 0


def test_bench_bridge_delivers_every_caller_frame_across_the_recycle(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "agent.cli", "bench", "bridge", "--calls", "3", "--seconds", "2", "--json"],
        capture_output=True, text=True, timeout=180, env={**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-2000:]
    figures = json.loads(out.stdout[out.stdout.index("{"):])
    assert figures["frames_per_phase"] == 3 * (100 - 25)  # every steady-state frame through the bridge
    assert figures["recycle"]["frames"] == 3 * 100 and figures["recycle"]["lost"] == 0
    assert figures["bridge_ms"]["p99"] >= figures["bridge_ms"]["p50"] > 0
    assert figures["bridge_cpu_us_per_frame"] > 0
