"""``switchboard bench coldstart``: how long a caller on a cold sandbox waits for the greeting.

On the platform every session is its own sandbox, so a call can be the one that starts the
container. This starts a real ``switchboard serve`` process (the embedded stack by default:
local speech and the real brain, each run with an empty data directory) and measures, from
the moment the process is started:

- ``readiness``: ``GET /readiness`` answers (the port is open),
- ``session_ready``: a client that connected as soon as the port opened gets ``session.ready``,
- ``greeting_audio``: the first byte of greeting audio arrives,
- ``first_answer``: the answer to a typed turn sent as soon as the greeting's audio starts (it
  waits for what loads in the background: the knowledge index, the tool servers),
- ``greeting_cpu_s``: CPU seconds the process had used by then (all threads): unlike the
  times, this hardly moves when other work shares the machine,
- ``rss_mb``: the process's resident memory at that moment, and ``rss_loaded_mb`` once the
  models still loading in the background have loaded (a typed turn has been answered).

Each figure is the median over ``--runs`` starts (max in brackets); the load average is
printed with them, since on a shared machine the times grow with it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websockets

from agent.dev.localserver import REPO, LocalServer

FIGURES = ("readiness_s", "session_ready_s", "greeting_audio_s", "greeting_cpu_s", "first_answer_s", "rss_mb",
           "rss_loaded_mb")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs", type=int, default=3, help="process starts to measure (default 3)")
    p.add_argument("--speech", default="local", choices=("local", "none"), help="speech engine (default local)")
    p.add_argument("--brain", default="switchboard", choices=("switchboard", "placeholder"))
    p.add_argument("--timeout", type=float, default=120.0, help="give up on one start after this many seconds")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (threads included)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _wait_readiness(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited with {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/readiness", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            await asyncio.sleep(0.01)
    raise TimeoutError("no /readiness in time")


async def one_start(env: dict[str, str], timeout: float) -> dict[str, float]:
    """Start ``switchboard serve`` once and time the caller's view of it."""
    with tempfile.TemporaryDirectory(prefix="coldstart-") as data:
        server = LocalServer(Path(data), env)  # only for its environment and port; started here, timed
        log = open(server.log_path, "wb")
        begin = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "serve"], cwd=REPO, env=server.env,
                                stdout=log, stderr=subprocess.STDOUT)
        server.proc = proc
        figures: dict[str, float] = {}
        deadline = begin + timeout
        try:
            await _wait_readiness(server.http, proc, deadline)
            figures["readiness_s"] = time.monotonic() - begin
            async with websockets.connect(f"{server.ws}?agent_session_id=coldstart", compression=None) as ws:
                await ws.send(json.dumps({"type": "session.start", "channel": "test",
                                          "audio": {"encoding": "pcm16", "sample_rate": 16000}}))
                said = asked = False
                speech = True

                async def ask() -> None:
                    # A caller who answers as soon as the greeting starts (barging in): the turn is
                    # answered once the brain (index, tool servers) and recognition have loaded.
                    nonlocal asked
                    asked = True
                    await ws.send(json.dumps({"type": "input.text", "text": "What can you help me with?"}))

                while "first_answer_s" not in figures:
                    frame = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
                    now = time.monotonic() - begin
                    if isinstance(frame, bytes):
                        if "greeting_audio_s" not in figures:
                            figures["greeting_audio_s"] = now
                            figures["rss_mb"] = _rss_mb(proc.pid)
                            figures["greeting_cpu_s"] = _cpu_s(proc.pid)
                            await ask()
                        continue
                    event = json.loads(frame)
                    if event["type"] == "session.ready":
                        figures["session_ready_s"] = now
                        speech = bool(event.get("speech"))
                    elif event["type"] == "transcript" and event.get("role") == "caller":
                        said = True
                    elif event["type"] == "transcript" and event.get("role") == "agent":
                        if said:
                            figures["first_answer_s"] = now
                        elif not speech and not asked:
                            await ask()  # no audio to wait for: the greeting's text is what the caller got
                    elif event["type"] == "error":
                        raise RuntimeError(f"agent error: {event}")
                if "greeting_audio_s" not in figures:  # no speech engine: no audio to wait for
                    figures["greeting_audio_s"] = figures["rss_mb"] = figures["greeting_cpu_s"] = float("nan")
            await _loaded(server, proc, deadline)
            figures["rss_loaded_mb"] = _rss_mb(proc.pid)
        finally:
            server.stop()
            log.close()
    return figures


async def _loaded(server: LocalServer, proc: subprocess.Popen[bytes], deadline: float) -> None:
    """Wait until the server logs that everything it loads in the background has loaded."""
    while time.monotonic() < deadline:
        if "everything loaded" in server.log_path.read_text(errors="replace"):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("background loading did not finish in time")


def summarise(runs: list[dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": len(runs)}
    for name in FIGURES:
        values = [r[name] for r in runs if name in r]
        out[name] = {"median": round(statistics.median(values), 3), "max": round(max(values), 3)} if values else None
    return out


def run(args: argparse.Namespace) -> int:
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    env = {"SWITCHBOARD_SPEECH": args.speech, "SWITCHBOARD_BRAIN": args.brain}
    runs = [asyncio.run(one_start(env, args.timeout)) for _ in range(args.runs)]
    figures = summarise(runs)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"cold start of switchboard serve (speech={args.speech}, brain={args.brain}), {args.runs} run(s), "
          f"load average {figures['load_average']}: median [max] from process start")
    for name in FIGURES:
        f = figures[name]
        unit = "MB" if name.startswith("rss") else "cpu s" if name.endswith("cpu_s") else "s"
        print(f"  {name:<18} {f['median']:8.2f} {unit} [{f['max']:.2f}]" if f else f"  {name:<18} n/a")
    return 0
