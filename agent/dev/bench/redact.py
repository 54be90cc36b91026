"""``switchboard bench redact``: what redaction costs per log line.

``agent.privacy.redact.redact`` runs on every decision-log line and JSON log record, so its
cost per call is on the hot path. Timed, best of ``--repeats`` passes, over the routing-eval
utterances (ops talk without personal data: the common line) and the labelled PII dev corpus
(every line has personal data or ops ids), then once over a hostile 1 MB line.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from agent.privacy.redact import redact

ROOT = Path(__file__).resolve().parents[3]
CORPORA = {
    "routing-eval utterances": sorted((ROOT / "tests" / "eval").glob("routing*.jsonl")),
    "PII dev corpus": [ROOT / "tests" / "unit" / "pii_corpus_dev.jsonl"],
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--repeats", type=int, default=7, help="passes over each corpus; the fastest counts (default 7)")


def _texts(files: list[Path]) -> list[str]:
    return [json.loads(line)["text"] for f in files for line in f.read_text().splitlines() if line.strip()]


def per_call_us(texts: list[str], repeats: int) -> float:
    """Microseconds per ``redact`` call, the fastest of ``repeats`` passes (the others met a busy host)."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        begin = time.perf_counter()
        for text in texts:
            redact(text)
        best = min(best, (time.perf_counter() - begin) / len(texts))
    return best * 1e6


def run(args: argparse.Namespace) -> int:
    for name, files in CORPORA.items():
        texts = _texts(files)
        print(f"{name}: {len(texts)} lines, {per_call_us(texts, args.repeats):.1f} µs per call")
    hostile = "five " * 200_000
    begin = time.perf_counter()
    redact(hostile)
    print(f"hostile line ({len(hostile)} chars of spoken digits): {(time.perf_counter() - begin) * 1000:.0f} ms")
    return 0
