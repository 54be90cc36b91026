"""``switchboard bench latency``: spoken turns through a real server, end of caller speech -> first agent audio.

Starts ``switchboard serve`` on loopback with the local speech engine and the real brain
(coordinator, domain agents, MCP tool servers; ``--brain placeholder`` isolates the speech
path) unless ``--url`` points at a running server, then drives sessions that stream
synthesised caller phrases at real-time pace, silence included, like a phone line. For
each turn it measures, on the client, the time from the last caller speech frame sent to
the first agent audio frame received, and collects the server's ``turn.metrics`` stages.
``--barge-ins N`` also interrupts N long agent replies and prints the barge-in reaction:
caller audio sent between the onset of the interruption and the ``audio.clear`` (target
300 ms; a figure of the machine's load, so the tests assert only that the clear comes
on the onset, before the interruption is a finished turn). It also reports dropped
audio (caller frames sent late, frames the server did not count, client playout
underruns) and the WER of the caller transcripts.

``--speculative-reply both`` starts two servers, one answering ahead during the end-of-turn
silence (agent/call/speculation.py) and one not, and alternates sessions between them, so
both see the same load: the figures come side by side with their ratio.

``--server-cpus 0`` pins the server started to CPU 0 (as ``taskset -c 0``: set before the
server starts, so all its threads and tool-server subprocesses inherit it), the platform's
1-vCPU sandbox; the client stays unpinned. With ``--compare-unpinned`` an unpinned server is
started beside the pinned one and sessions alternate between them, as above.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from agent.dev.bench.caller import SpokenCall
from agent.dev.bench.phrases import PHRASES
from agent.dev.bench.voices import speech
from agent.dev.bench.wer import wer

#: Issue 19's targets, end of caller speech -> first agent audio by the caller's clock: sessions -> (p50, p95) ms.
TARGETS = {1: (450, 700), 10: (None, 1000)}
BARGE_IN_TARGET_MS = 300
LONG_REQUEST = ("The wireless network in the warehouse keeps dropping, the scanners lose their connection "
                "every few minutes, and the pickers have to restart them by hand.")
INTERRUPTION = "Hold on, I need to add something."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="ws://.../invocations_ws of a running server (default: start one)")
    p.add_argument("--sessions", type=int, action="append",
                   help="concurrent sessions (repeatable; default: 1 then 10)")
    p.add_argument("--turns", type=int, default=8, help="spoken turns per session (default 8)")
    p.add_argument("--rate", type=int, default=16000, choices=(8000, 16000, 24000))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--brain", choices=("switchboard", "placeholder"), default="switchboard",
                   help="the server's brain: the real one, or the echoing placeholder (speech path only)")
    p.add_argument("--speculative-reply", choices=("on", "off", "both"),
                   help="SWITCHBOARD_SPECULATIVE_REPLY of the server(s) started; both: one of each, compared "
                        "(default: as configured)")
    p.add_argument("--rounds", type=int, default=3,
                   help="with --speculative-reply both or --compare-unpinned: rounds of sessions on each server, "
                        "alternating, the order flipped each round (default 3)")
    p.add_argument("--server-cpus", type=parse_cpus, metavar="LIST",
                   help="pin the server started to these CPUs, as taskset -c (0, 0,1, 0-1); the client stays "
                        "unpinned (default: not pinned)")
    p.add_argument("--compare-unpinned", action="store_true",
                   help="with --server-cpus: start an unpinned server too and alternate sessions between the two "
                        "(--rounds of each), figures side by side")
    p.add_argument("--barge-ins", type=int, default=3,
                   help="long replies to interrupt for the barge-in reaction figure (default 3; 0 skips)")


def parse_cpus(text: str) -> set[int]:
    """``taskset -c`` style: ``0``, ``0,1``, ``0-3,6``."""
    cpus: set[int] = set()
    try:
        for part in text.split(","):
            lo, _, hi = part.strip().partition("-")
            cpus.update(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a CPU list: {text!r} (e.g. 0, 0,1 or 0-1)") from None
    if not cpus or min(cpus) < 0:
        raise argparse.ArgumentTypeError(f"not a CPU list: {text!r} (e.g. 0, 0,1 or 0-1)")
    return cpus


def _cpus_label(cpus: set[int]) -> str:
    return f"pinned to CPU{'s' if len(cpus) > 1 else ''} {','.join(map(str, sorted(cpus)))}"


@dataclass
class Turn:
    phrase: str
    heard: str = ""
    latency_ms: float | None = None  # client: last speech frame sent -> first agent audio received
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionResult:
    turns: list[Turn]
    late_frames: int
    frames_sent: int
    frames_in: int | None
    underruns: int
    underrun_ms: float


async def _greeted_call(url: str, rate: int) -> SpokenCall:
    """A spoken call whose greeting has played."""
    call = SpokenCall(url, rate)
    await call.connect()
    await call.wait_for("audio.end", timeout=60)
    return call


async def _session(url: str, clips: list[tuple[str, np.ndarray]], turns: int, rate: int, offset: int,
                   delay: float, rng: random.Random) -> SessionResult:
    await asyncio.sleep(delay)
    call = await _greeted_call(url, rate)
    done: list[Turn] = []
    try:
        for i in range(turns):
            phrase, pcm = clips[(offset + i) % len(clips)]
            n = len(call.events)
            start = call.say(pcm)
            end_ms = start + pcm.size / rate * 1000
            turn = Turn(phrase)
            heard = await call.wait_for("transcript", after=n, timeout=60, role="caller", final=True)
            turn.heard = heard.body["text"]
            first = await call.wait_for("audio.start", after=n, timeout=60)
            spoken_end = call.sent_at(end_ms)
            if spoken_end is not None:
                turn.latency_ms = (first.at - spoken_end) * 1000
            turn.metrics = (await call.wait_for("turn.metrics", after=n, timeout=60)).body
            done.append(turn)
            await asyncio.sleep(rng.uniform(0.4, 1.2))  # the caller thinks before the next turn
    finally:
        await call.close()
    ended = call.of("session.ended")
    frames_in = ended[-1].body.get("frames_in") if ended else None
    return SessionResult(done, call.late_frames, call.frames_sent, frames_in, call.underruns, call.underrun_ms)


async def _barge_ins(url: str, rate: int, count: int) -> list[float]:
    """Caller-audio ms from the onset of an interruption to the ``audio.clear``, one per trial."""
    request, interruption = speech(LONG_REQUEST, rate, "piper-lively"), speech(INTERRUPTION, rate, "piper-lively")
    call = await _greeted_call(url, rate)
    reactions: list[float] = []
    try:
        for _ in range(count):
            n = len(call.events)
            call.say(request)
            await call.wait_for("audio.start", after=n, timeout=60)
            await asyncio.sleep(1.0)  # let part of the reply play
            onset = call.say(interruption)
            clear = await call.wait_for("audio.clear", after=n, timeout=30)
            reactions.append(clear.audio_ms - onset)
            await call.wait_for("audio.end", after=call.events.index(clear), timeout=60)  # the answer to it
            await asyncio.sleep(0.5)
    finally:
        await call.close()
    return reactions


def report_barge_ins(reactions: list[float]) -> bool:
    worst = max(reactions) if reactions else None
    print(f"\n== barge-in reaction, {len(reactions)} interruptions ==")
    print(f"caller audio from onset to audio.clear: p50 {_fmt(_pct(reactions, 50))} ms  max {_fmt(worst)} ms")
    ok = worst is not None and worst <= BARGE_IN_TARGET_MS
    print(f"target max <= {BARGE_IN_TARGET_MS} ms: {'met' if ok else 'NOT met'}")
    return ok


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return float(np.percentile(values, q))


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def report(sessions: int, results: list[SessionResult], cpu: tuple[float, float, float] | None = None,
           label: str = "") -> bool:
    turns = [t for r in results for t in r.turns]
    lat = [t.latency_ms for t in turns if t.latency_ms is not None]
    p50, p95 = _pct(lat, 50), _pct(lat, 95)
    print(f"\n== {sessions} concurrent session(s), {len(turns)} spoken turns{label} ==")
    print(f"end of caller speech -> first agent audio (client): p50 {_fmt(p50)} ms  p95 {_fmt(p95)} ms  "
          f"max {_fmt(max(lat) if lat else None)} ms")
    print("server stages, ms from end of caller speech (p50 / p95):")
    for key in ("stt_ms", "decision_ms", "first_say_ms", "first_audio_ms"):
        vals = [t.metrics[key] for t in turns if t.metrics.get(key) is not None]
        print(f"  {key:<15} {_fmt(_pct(vals, 50)):>6} / {_fmt(_pct(vals, 95)):>6}")
    rtf = [t.metrics["stt_rtf"] for t in turns if t.metrics.get("stt_rtf")]
    if rtf:
        print(f"  STT real-time factor (audio s per compute s): median {statistics.median(rtf):.1f}")
    missing = sum(r.frames_sent - r.frames_in for r in results if r.frames_in is not None)
    print(f"dropped audio: caller frames sent late {sum(r.late_frames for r in results)}, "
          f"caller frames not counted by the server {missing}, agent playout underruns "
          f"{sum(r.underruns for r in results)} ({sum(r.underrun_ms for r in results):.0f} ms)")
    print(f"WER on the phrase set: {wer([(t.phrase, t.heard) for t in turns]):.1%}")
    ahead = sum(1 for t in turns if t.metrics.get("speculative"))
    print(f"replies prepared during the end-of-turn silence and played: {ahead} of {len(turns)}")
    if cpu is not None:
        print(f"server CPU: {cpu[0]:.0f} s over {cpu[1]:.0f} s wall = {cpu[0] / cpu[1]:.2f} cores on average; "
              f"this client {cpu[2]:.2f} cores (the machine has {psutil.cpu_count()}; "
              f"load average {psutil.getloadavg()[0]:.1f} at the end)")
    for t in [t for t in turns if wer([(t.phrase, t.heard)]) > 0][:5]:
        print(f"  said {t.phrase!r}\n  heard {t.heard!r}")
    want50, want95 = TARGETS.get(sessions, (None, None))
    ok = (want50 is None or (p50 is not None and p50 <= want50)) and (want95 is None or (p95 is not None
                                                                                         and p95 <= want95))
    if want50 or want95:
        print(f"target p50 <= {want50 or '-'} ms, p95 <= {want95} ms: {'met' if ok else 'NOT met'}")
    return ok


async def _run(url: str, sessions_list: list[int], turns: int, rate: int, seed: int,
               server_pid: int | None = None, barge_ins: int = 0) -> bool:
    rng = random.Random(seed)
    print(f"synthesising {len(PHRASES)} caller phrases (Piper) ...", flush=True)
    clips = [(p, speech(p, rate, "piper-lively")) for p in PHRASES]
    all_ok = True
    for sessions in sessions_list:
        # Stagger session starts across one turn's length, as independent callers would be.
        jobs = [_session(url, clips, turns, rate, offset=i * 3, delay=rng.uniform(0, 3.0) if sessions > 1 else 0,
                         rng=random.Random(seed + i)) for i in range(sessions)]
        proc, me = (psutil.Process(server_pid) if server_pid else None), psutil.Process()
        cpu0, mine0, t0 = (sum(proc.cpu_times()[:2]) if proc else 0.0), sum(me.cpu_times()[:2]), time.monotonic()
        results = await asyncio.gather(*jobs)
        wall = time.monotonic() - t0
        cpu = (sum(proc.cpu_times()[:2]) - cpu0, wall, (sum(me.cpu_times()[:2]) - mine0) / wall) if proc else None
        all_ok = report(sessions, list(results), cpu) and all_ok
    if barge_ins > 0:
        all_ok = report_barge_ins(await _barge_ins(url, rate, barge_ins)) and all_ok
    return all_ok


async def _compare(servers: dict[str, tuple[str, int | None]], sessions: int, turns: int, rate: int, seed: int,
                   rounds: int) -> bool:
    """``rounds`` of ``sessions`` concurrent sessions on each server (label -> (url, pid)), alternating.

    The order flips every round (A B, B A, ...), so drift in the host's load falls on both;
    the first label is the baseline of the ratios.
    """
    print(f"synthesising {len(PHRASES)} caller phrases (Piper) ...", flush=True)
    clips = [(p, speech(p, rate, "piper-lively")) for p in PHRASES]
    labels = list(servers)
    results: dict[str, list[SessionResult]] = {label: [] for label in labels}
    rounds_p50: dict[str, list[float | None]] = {label: [] for label in labels}
    loads: dict[str, list[float]] = {label: [] for label in labels}
    cpu = {label: [0.0, 0.0, 0.0] for label in labels}  # server CPU s, wall s, client CPU s
    me = psutil.Process()
    for r in range(rounds):
        for label in (labels if r % 2 == 0 else labels[::-1]):
            url, pid = servers[label]
            rng = random.Random(seed + r)  # the same phrases and pauses for both
            jobs = [_session(url, clips, turns, rate, offset=(r * sessions + i) * 3,
                             delay=rng.uniform(0, 3.0) if sessions > 1 else 0, rng=random.Random(seed + r * 100 + i))
                    for i in range(sessions)]
            loads[label].append(psutil.getloadavg()[0])
            proc = psutil.Process(pid) if pid else None
            cpu0, mine0, t0 = (sum(proc.cpu_times()[:2]) if proc else 0.0), sum(me.cpu_times()[:2]), time.monotonic()
            done = await asyncio.gather(*jobs)
            cpu[label][0] += (sum(proc.cpu_times()[:2]) - cpu0) if proc else 0.0
            cpu[label][1] += time.monotonic() - t0
            cpu[label][2] += sum(me.cpu_times()[:2]) - mine0
            loads[label].append(psutil.getloadavg()[0])
            results[label].extend(done)
            rounds_p50[label].append(_pct([t.latency_ms for d in done for t in d.turns if t.latency_ms is not None],
                                          50))
    figures = {}
    for label in labels:
        used, wall, mine = cpu[label]
        report(sessions, results[label], (used, wall, mine / wall) if servers[label][1] and wall else None,
               label=f", {label}")
        lat = [t.latency_ms for d in results[label] for t in d.turns if t.latency_ms is not None]
        figures[label] = (_pct(lat, 50), _pct(lat, 95))
        print(f"load average (1 min) during its rounds: {min(loads[label]):.1f}-{max(loads[label]):.1f}; "
              f"p50 per round: {', '.join(_fmt(v) for v in rounds_p50[label])} ms")
    base = labels[0]
    b50, b95 = figures[base]
    for label in labels[1:]:
        v50, v95 = figures[label]
        if None not in (b50, b95, v50, v95):
            print(f"\n{sessions} session(s), {label} / {base}, end of caller speech -> first agent audio: "
                  f"p50 {v50:.0f} / {b50:.0f} ms ({v50 / b50:.2f}x), p95 {v95:.0f} / {b95:.0f} ms "
                  f"({v95 / b95:.2f}x); load average {psutil.getloadavg()[0]:.1f}")
    return True


def _compare_locally(args: argparse.Namespace, variants: dict[str, tuple[dict[str, str], set[int] | None]],
                     sessions_list: list[int]) -> int:
    """Start one server per variant (label -> (extra env, CPUs)) and compare them (the first is the baseline)."""
    from agent.dev.localserver import LocalServer

    with tempfile.TemporaryDirectory(prefix="switchboard-bench-") as tmp:
        servers = {label: LocalServer(Path(tmp) / f"server{i}",
                                      {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": args.brain, **env}, cpus=cpus)
                   for i, (label, (env, cpus)) in enumerate(variants.items())}
        try:
            for server in servers.values():
                server.start(timeout=300)
            print("servers: " + ", ".join(f"{label} {s.ws}" for label, s in servers.items())
                  + f" (local speech, {args.brain} brain)")
            urls = {label: (s.ws, s.proc.pid if s.proc else None) for label, s in servers.items()}
            ok = all([asyncio.run(_compare(urls, n, args.turns, args.rate, args.seed, args.rounds))
                      for n in sessions_list])
        finally:
            for server in servers.values():
                server.stop()
    return 0 if ok else 1


def _speculative_env(mode: str | None) -> dict[str, str]:
    return {"SWITCHBOARD_SPECULATIVE_REPLY": str(mode == "on").lower()} if mode in ("on", "off") else {}


def run(args: argparse.Namespace) -> int:
    sessions_list = args.sessions or [1, 10]
    if args.url and (args.speculative_reply or args.server_cpus is not None):
        raise SystemExit("--speculative-reply and --server-cpus start their own server(s): leave out --url")
    if args.compare_unpinned and args.server_cpus is None:
        raise SystemExit("--compare-unpinned compares with a server pinned by --server-cpus: give it")
    if args.speculative_reply == "both":
        if args.compare_unpinned:
            raise SystemExit("compare one thing at a time: --speculative-reply both or --compare-unpinned")
        return _compare_locally(args, {"speculative reply off": (_speculative_env("off"), args.server_cpus),
                                       "speculative reply on": (_speculative_env("on"), args.server_cpus)},
                                args.sessions or [1])
    if args.compare_unpinned:
        env = _speculative_env(args.speculative_reply)
        return _compare_locally(args, {"unpinned": (env, None), _cpus_label(args.server_cpus): (env, args.server_cpus)},
                                sessions_list)
    if args.url:
        return 0 if asyncio.run(_run(args.url, sessions_list, args.turns, args.rate, args.seed,
                                     barge_ins=args.barge_ins)) else 1
    from agent.dev.localserver import LocalServer

    with tempfile.TemporaryDirectory(prefix="switchboard-bench-") as tmp:
        env = {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": args.brain, **_speculative_env(args.speculative_reply)}
        server = LocalServer(Path(tmp), env, cpus=args.server_cpus)
        server.start(timeout=180)
        try:
            where = f", {_cpus_label(args.server_cpus)}" if args.server_cpus is not None else ""
            print(f"server on {server.ws} (local speech, {args.brain} brain{where})")
            assert server.proc is not None
            ok = asyncio.run(_run(server.ws, sessions_list, args.turns, args.rate, args.seed, server.proc.pid,
                                  args.barge_ins))
        finally:
            server.stop()
    return 0 if ok else 1
