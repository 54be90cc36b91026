"""The demo (``make demo``): three scripted phone calls through the real speech pipeline.

Starts the container locally (``switchboard serve`` with embedded speech and the real brain,
exactly what the Dockerfile runs), shows its start-up log while the models load, then places
a field work order, an IT password reset and a safety escalation as spoken calls, printing
every turn with its latency, and ends with a summary table. ``--url`` runs the same calls
against a container that is already running (``docker run -p 8088:8088 ...``) or in Foundry.

    python -m agent.dev.demo [--url ws://127.0.0.1:8088/invocations_ws] [--scripts FILE ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from agent.dev.client.render import CallLog
from agent.dev.client.runner import CallResult, PiperCallerVoice, run_script
from agent.dev.client.script import load_script
from agent.dev.localserver import REPO, LocalServer

SCRIPTS = [REPO / "samples" / "scripts" / f"{name}.yaml"
           for name in ("field_work_order", "it_password_reset", "safety_escalation")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.dev.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="run against this endpoint instead of starting a local container")
    parser.add_argument("--scripts", nargs="+", type=Path, default=SCRIPTS, help="call scripts to run")
    args = parser.parse_args(argv)
    scripts = [load_script(path) for path in args.scripts]

    if args.url:
        return _run_calls(args.url, scripts)
    with tempfile.TemporaryDirectory(prefix="switchboard-demo-") as data:
        # Unbuffered, so start-up log lines reach the file (and the screen) as they happen.
        server = LocalServer(Path(data), {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": "switchboard",
                                          "PYTHONUNBUFFERED": "1"})
        _start_with_progress(server)
        try:
            return _run_calls(server.ws, scripts)
        finally:
            print("\nstopping the container…", flush=True)
            server.stop()


def _start_with_progress(server: LocalServer) -> None:
    """``server.start()`` in a thread while its log is echoed, so model loading is visible."""
    print(f"starting the container (switchboard serve, embedded speech, port {server.port}) …", flush=True)
    failure: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(server.start, failure), daemon=True)
    began = time.monotonic()
    thread.start()
    shown, last_print = 0, began
    while thread.is_alive():
        thread.join(0.5)
        lines = server.log_path.read_text(errors="replace").splitlines() if server.log_path.exists() else []
        for line in lines[shown:]:
            text = progress_line(line)
            if text:
                print(f"  [{time.monotonic() - began:5.1f}s] {text}", flush=True)
                last_print = time.monotonic()
        shown = len(lines)
        if time.monotonic() - last_print >= 3 and thread.is_alive():
            print(f"  [{time.monotonic() - began:5.1f}s] loading models and tools…", flush=True)
            last_print = time.monotonic()
    if failure:
        raise SystemExit(f"the container did not start: {failure[0]}")
    print(f"  ready after {time.monotonic() - began:.1f}s\n", flush=True)


def _capture(fn: Any, failure: list[BaseException]) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - reported by the waiting thread
        failure.append(exc)


def progress_line(line: str) -> str | None:
    """A start-up log line worth showing (switchboard's own INFO+ records), as plain text."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or not str(record.get("logger", "")).startswith("switchboard"):
        return None
    return f"{record.get('logger', '').removeprefix('switchboard.')}: {record.get('msg', '')}"


def _run_calls(url: str, scripts: list[Any]) -> int:
    voice = PiperCallerVoice()
    results: list[CallResult] = []
    for i, script in enumerate(scripts, 1):
        print(f"=== call {i}/{len(scripts)}: {script.name} " + "=" * max(0, 60 - len(script.name)), flush=True)
        results.append(asyncio.run(run_script(url, script, voice=voice,
                                              on_line=lambda line: print(line, flush=True))))
        print(flush=True)
    print(summary_table(results))
    return 0 if all(not r.log.errors for r in results) else 1


def summary_table(results: list[CallResult]) -> str:
    """One row per call: where it went, what was done, and how fast the agent answered."""
    header = ("call", "route", "conf", "done", "turns", "1st audio ms (median/max)", "call s")
    rows = [header] + [_row(r) for r in results]
    widths = [max(len(str(row[c])) for row in rows) for c in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(["summary", rule, lines[0], rule, *lines[1:], rule])


def _row(result: CallResult) -> tuple[str, ...]:
    log: CallLog = result.log
    route = log.routes()[0] if log.routes() else {}
    done = [_tool_outcome(t) for turn in log.turns for t in turn.tools if t.get("status") == "ok"]
    handoffs = log.handoffs()
    outcome = (f"hand-over {handoffs[0].get('case_id')}" if handoffs
               else ", ".join(str(d) for d in done) or "-")
    first_audio = [t.metrics["first_audio_ms"] for t in log.turns
                   if t.metrics and isinstance(t.metrics.get("first_audio_ms"), (int, float))]
    latency = (f"{statistics.median(first_audio):.0f} / {max(first_audio):.0f}" if first_audio else "-")
    return (result.name, f"{route.get('target', '-')} {route.get('intent', '')}".strip(),
            f"{float(route.get('confidence') or 0):.2f}" if route else "-",
            outcome + (f" ({len(log.errors)} errors)" if log.errors else ""),
            str(sum(1 for t in log.turns if t.caller)), latency, f"{result.seconds:.0f}")


def _tool_outcome(tool: dict[str, Any]) -> str:
    """``create_work_order WO-10013``: the tool and the id of what it created, if it says."""
    result = tool.get("result")
    ids = [v for k, v in result.items() if k.endswith("_id") and isinstance(v, str)] if isinstance(result, dict) else []
    return f"{tool.get('name')} {ids[0]}" if ids else str(tool.get("name"))


if __name__ == "__main__":
    sys.exit(main())
