"""``switchboard report``: summarise the local call records (``$SWITCHBOARD_DATA_DIR/calls.jsonl``).

Writes a self-contained HTML page (inline SVG charts) and prints a one-screen summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="HTML report and text summary of the local call records")
    p.add_argument("--out", type=Path, help="HTML file to write (default: DATA_DIR/report.html)")
    p.add_argument("--records", type=Path, help="call records to read (default: DATA_DIR/calls.jsonl)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.observability.callrecords import FILE_NAME, read_records
    from agent.config import Settings
    from agent.observability.report.page import render_html, render_text
    from agent.observability.report.summary import summarize

    settings = Settings.from_env()
    source = args.records or settings.data_dir / FILE_NAME
    if source.exists() and not source.is_file():
        print(f"switchboard report: {source} is not a file", file=sys.stderr)
        return 2
    try:
        result = read_records(source)
    except OSError as exc:
        print(f"switchboard report: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    summary = summarize(result.records, skipped_lines=result.skipped)
    out = args.out or settings.data_dir / "report.html"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(summary, source=str(source)), encoding="utf-8")
    except OSError as exc:
        print(f"switchboard report: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(render_text(summary))
    if not result.records:
        print(f"(no call records in {source} yet: calls are recorded when they end)")
    print(f"report: {out}")
    return 0
