"""``switchboard bench transport``: many concurrent sessions streaming real-time audio.

Each session sends 20 ms PCM16 frames on an absolute real-time schedule and, every
``--ping-every`` frames, a ``ping``; the server answers ``pong`` only after it has
handled every earlier frame, so ping -> pong is the server's per-frame latency
including any queueing. Dropped frames = frames sent - frames the server counted
(reported in ``session.ended``). Server CPU and RSS are sampled with psutil.
The speech pipeline is disabled (SWITCHBOARD_SPEECH=none) unless --url points at
a server configured otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websockets

from agent.wire.client import FRAME_MS, session_url
from agent.transport.wsclient import send_messages
from agent.transport.wsframes import MaskKeys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sessions", type=int, default=100)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--sample-rate", type=int, default=16000, choices=(8000, 16000, 24000))
    p.add_argument("--ping-every", type=int, default=10, help="frames between latency probes")
    p.add_argument("--ramp", type=float, default=5.0, help="seconds over which sessions are opened")
    p.add_argument("--clients", type=int, default=2,
                   help="load-generator processes (one Python process cannot drive hundreds of sessions)")
    p.add_argument("--workers", type=int, default=1,
                   help="container processes behind the port of the container started (serve --workers)")
    p.add_argument("--url", help="an already running container's ws URL (else one is started)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


@dataclass
class SessionResult:
    sent: int = 0
    received: int | None = None
    latencies_ms: list[float] = field(default_factory=list)
    late_sends: int = 0
    error: str | None = None


async def _session(url: str, index: int, args: argparse.Namespace, start_at: float) -> SessionResult:
    res = SessionResult()
    frame = b"\x00\x01" * (args.sample_rate * FRAME_MS // 1000)
    pings: dict[str, float] = {}
    masks = MaskKeys()
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    try:
        async with websockets.connect(session_url(url, f"bench-{index}-{int(time.time())}"),
                                      max_size=None, ping_interval=None, compression=None) as ws:
            await ws.send(json.dumps({"type": "session.start", "channel": "test",
                                      "audio": {"encoding": "pcm16", "sample_rate": args.sample_rate}}))
            done = asyncio.Event()

            async def reader() -> None:
                async for message in ws:
                    if isinstance(message, bytes):
                        continue
                    ev = json.loads(message)
                    if ev["type"] == "pong" and ev["id"] in pings:
                        res.latencies_ms.append((time.monotonic() - pings.pop(ev["id"])) * 1000)
                    elif ev["type"] == "session.ended":
                        res.received = ev.get("frames_in")
                        done.set()

            read_task = asyncio.create_task(reader())
            t0 = time.monotonic()
            total = int(args.seconds * 1000 / FRAME_MS)
            for n in range(total):
                due = t0 + n * FRAME_MS / 1000
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -FRAME_MS / 1000:
                    res.late_sends += 1  # the load generator itself fell behind
                messages: list[bytes | str] = [frame]
                if n % args.ping_every == args.ping_every - 1:
                    pid = f"{n}"
                    pings[pid] = time.monotonic()
                    messages.append(json.dumps({"type": "ping", "id": pid}))
                # One socket write per tick, as the bridge sends: the load generator's CPU is
                # taken from the server under test on this shared 2-core machine.
                await send_messages(ws, messages, masks)
                res.sent += 1
            await ws.send(json.dumps({"type": "session.end", "reason": "bench"}))
            await asyncio.wait_for(done.wait(), 30)
            read_task.cancel()
    except Exception as exc:  # a failed session is a figure, not a crash of the benchmark
        res.error = f"{type(exc).__name__}: {exc}"
    return res


class _Sampler:
    """CPU and RSS of the server (its dispatcher and workers together), once a second."""

    def __init__(self, pid: int | None) -> None:
        self.proc = psutil.Process(pid) if pid else None
        self.cpu: list[float] = []
        self.rss_mb: list[float] = []
        self.cpu_seconds = 0.0

    def _tree(self) -> list[psutil.Process]:
        assert self.proc is not None
        return [self.proc, *self.proc.children(recursive=True)]

    def _cpu_s(self) -> float:
        total = 0.0
        for p in self._tree():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    async def run(self, stop: asyncio.Event) -> None:
        if self.proc is None:
            return
        start = last = self._cpu_s()
        t_last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(1.0)
            now, t_now = self._cpu_s(), time.monotonic()
            self.cpu.append(100 * (now - last) / (t_now - t_last))
            last, t_last = now, t_now
            self.rss_mb.append(sum(p.memory_info().rss for p in self._tree()) / 2**20)
        self.cpu_seconds = self._cpu_s() - start


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _client_slice(url: str, args: argparse.Namespace, indexes: list[int],
                  t0_wall: float) -> tuple[list[SessionResult], float]:
    """One load-generator process: its share of the sessions, on its own event loop (and its CPU seconds)."""

    async def go() -> list[SessionResult]:
        t0 = time.monotonic() + (t0_wall - time.time())
        return await asyncio.gather(*[
            _session(url, i, args, t0 + args.ramp * i / max(1, args.sessions)) for i in indexes])

    import uvloop  # the load generator must not be the bottleneck

    cpu0 = time.process_time()
    results = uvloop.run(go())
    return results, time.process_time() - cpu0


async def _bench(args: argparse.Namespace, url: str, pid: int | None) -> dict[str, object]:
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    sampler = _Sampler(pid)
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    clients = max(1, min(args.clients, args.sessions))
    slices = [list(range(k, args.sessions, clients)) for k in range(clients)]
    t0_wall = time.time() + 1.5  # every client process starts its schedule at the same moment
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(clients, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = await asyncio.gather(*[
            loop.run_in_executor(pool, _client_slice, url, args, part, t0_wall) for part in slices])
    stop.set()
    await sampling
    results = [r for part, _ in parts for r in part]
    client_cpu_s = sum(cpu for _, cpu in parts)
    lat = [x for r in results for x in r.latencies_ms]
    sent = sum(r.sent for r in results)
    counted = [r for r in results if r.received is not None]
    dropped = sum(r.sent - (r.received or 0) for r in counted)
    return {
        "sessions": args.sessions,
        "client_processes": clients,
        "server_workers": args.workers if not args.url else None,
        "seconds": args.seconds,
        "frames_sent": sent,
        "frames_per_s": round(sent / args.seconds, 1),
        "dropped_frames": dropped,
        "failed_sessions": sum(1 for r in results if r.error or r.received is None),
        "errors": sorted({r.error for r in results if r.error})[:3],
        "latency_p50_ms": round(_pct(lat, 0.50), 2),
        "latency_p99_ms": round(_pct(lat, 0.99), 2),
        "latency_max_ms": round(max(lat), 2) if lat else None,
        "probes": len(lat),
        "client_late_sends": sum(r.late_sends for r in results),
        "server_cpu_pct_mean": round(statistics.mean(sampler.cpu), 1) if sampler.cpu else None,
        "server_cpu_pct_max": round(max(sampler.cpu), 1) if sampler.cpu else None,
        "server_cpu_us_per_frame": round(sampler.cpu_seconds / sent * 1e6, 1) if sent and sampler.proc else None,
        "client_cpu_us_per_frame": round(client_cpu_s / sent * 1e6, 1) if sent else None,
        "server_rss_mb_max": round(max(sampler.rss_mb), 1) if sampler.rss_mb else None,
    }


def run(args: argparse.Namespace) -> int:
    from agent.dev.localserver import LocalServer

    server = None
    if args.url:
        url, pid = args.url, None
    else:
        data = Path(tempfile.mkdtemp(prefix="sb-bench-"))
        server = LocalServer(data, {"SWITCHBOARD_SPEECH": "none", "SWITCHBOARD_BRAIN": "placeholder",
                                    "SWITCHBOARD_LOG_LEVEL": "WARNING", "SWITCHBOARD_WORKERS": str(args.workers)}).start()
        url, pid = server.ws, server.proc.pid if server.proc else None
    try:
        figures = asyncio.run(_bench(args, url, pid))
    finally:
        if server is not None:
            server.stop()
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"transport: {figures['sessions']} sessions x {figures['seconds']} s of 20 ms frames")
        for key, value in figures.items():
            print(f"  {key:22} {value}")
    return 0 if figures["failed_sessions"] == 0 else 1
