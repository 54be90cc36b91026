"""Routing quality on the held-out evaluation set (see tests/eval/score.py).

Prints the full report (run with ``-s`` to see it); asserts the accuracy targets
and that confidences stay calibrated. Latency is printed, not asserted.
"""

from __future__ import annotations

from pathlib import Path

from agent.config import Settings
from agent.routing import Coordinator
from tests.eval.score import evaluate, format_report, load_rows


def test_routing_accuracy_and_calibration_on_the_eval_set(tmp_path: Path):
    coordinator = Coordinator.from_settings(Settings(data_dir=tmp_path))
    report = evaluate(coordinator, load_rows())
    coordinator.close()
    print("\n" + format_report(report))
    assert report.n >= 200
    assert report.target_accuracy >= 0.95
    assert report.intent_accuracy >= 0.90
    assert report.ece < 0.10
