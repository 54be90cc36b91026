"""``switchboard bench bridge``: what the ACS bridge adds per caller frame, and the gap at a recycle.

Set-up (all on loopback): the real bridge runs in this process with ACS's REST API faked at the
SDK transport; a load process runs a *timing agent* (an ``/invocations_ws`` server that records
when each caller frame arrives) and N simulated ACS calls streaming 20 ms frames on a real-time
schedule. Every frame carries its call and frame number in its first 8 bytes, so the load
process measures send -> arrival on one clock.

1. **direct**: the N calls stream straight to the timing agent (the baseline hop).
2. **bridge**: the same through ACS peer -> bridge -> agent. Added latency = bridge - direct (p50/p99).
3. **recycle**: mid-stream the timing agent closes every socket with 1001, as the platform does
   about every 10 minutes, and accepts the reconnects at once. Reported: caller frames lost
   (never arrived), frames delivered twice, and the longest arrival gap around the recycle.

With ``--pool N`` the bridge spreads the calls over N pooled agent sessions (``pool-<k>`` plus
the call's id); the timing agent keeps each call's conversation apart, as the container does.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import struct
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import uvloop

from agent.wire import protocol, client as codec
from agent.wire.protocol import AudioFormat, Pong, SessionEnd, SessionReady, SessionStart
from agent.transport.wsclient import send_messages
from agent.transport.wsframes import MaskKeys

FRAME_S = codec.FRAME_MS / 1000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--calls", type=int, default=100, help="concurrent calls")
    p.add_argument("--seconds", type=float, default=10.0, help="audio streamed per call and phase")
    p.add_argument("--recycle-at", type=float, default=0.5, help="fraction of the recycle phase at which to recycle")
    p.add_argument("--pool", type=int, default=0,
                   help="spread the calls over this many pooled agent sessions (default 0: a session per call)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the load process: timing agent + simulated ACS calls ---------------------------------------
class TimingAgent:
    """Speaks enough of the protocol for the bridge: session.ready, pong after handling, 1001 on recycle."""

    def __init__(self) -> None:
        self.arrivals: dict[tuple[int, int], list[float]] = {}
        self.sockets: set[Any] = set()
        self.seq: dict[str, int] = {}

    async def handle(self, ws: Any) -> None:
        self.sockets.add(ws)
        try:
            # A call's conversation: its own session, or (pool mode) its call id within a pooled one.
            query = parse_qs(urlsplit(ws.request.path).query)
            session = ":".join(query.get("agent_session_id", []) + query.get("call_id", []))
            frames_in = 0
            async for frame in ws:
                if isinstance(frame, bytes):
                    frames_in += 1
                    call, index = struct.unpack_from("<II", frame)
                    self.arrivals.setdefault((call, index), []).append(time.monotonic())
                    continue
                msg = json.loads(frame)
                if msg["type"] == "session.start":
                    await self._event(ws, session, SessionReady(session, "last_seq" in msg, AudioFormat(), True,
                                                                self.seq.get(session, 0)))
                elif msg["type"] == "ping":  # transient: not numbered
                    await ws.send(protocol.encode(Pong(msg["id"], frames_in, self.seq.get(session, 0)), None))
                elif msg["type"] == "session.end":
                    await ws.close(1000)
        except Exception:  # a recycled socket mid-frame: the bridge reconnects
            pass
        finally:
            self.sockets.discard(ws)

    async def _event(self, ws: Any, session: str, event: protocol.ServerEvent) -> None:
        self.seq[session] = self.seq.get(session, 0) + 1
        await ws.send(protocol.encode(event, self.seq[session]))

    async def recycle(self) -> None:
        await asyncio.gather(*(ws.close(1001, "recycle") for ws in list(self.sockets)), return_exceptions=True)


def _frame(call: int, index: int, size: int) -> bytes:
    return struct.pack("<II", call, index) + b"\x00" * (size - 8)


async def _stream_direct(url: str, call: int, frames: int, size: int, sent: dict) -> None:
    import websockets

    async with websockets.connect(codec.session_url(url, f"direct-{call}"), compression=None) as ws:
        await ws.send(codec.encode(SessionStart(AudioFormat("pcm16", 16000), "test")))
        t0, masks = time.monotonic(), MaskKeys()
        for i in range(frames):
            sent[(call, i)] = time.monotonic()
            await send_messages(ws, (_frame(call, i, size),), masks)  # as the bridge's link sends: less load-process CPU
            await asyncio.sleep(max(0.0, t0 + (i + 1) * FRAME_S - time.monotonic()))
        await ws.send(codec.encode(SessionEnd()))


async def _stream_acs(media_url: str, call: int, frames: int, size: int, sent: dict) -> None:
    import websockets

    async with websockets.connect(media_url, compression=None) as ws:
        t0, masks = time.monotonic(), MaskKeys()
        for i in range(frames):
            frame = json.dumps({"kind": "AudioData", "audioData": {
                "data": base64.b64encode(_frame(call, i, size)).decode(), "timestamp": "2026-11-23T10:00:00Z",
                "participantRawID": "4:+14255550123", "silent": False}})
            sent[(call, i)] = time.monotonic()
            await send_messages(ws, (frame,), masks)
            await asyncio.sleep(max(0.0, t0 + (i + 1) * FRAME_S - time.monotonic()))
        await asyncio.sleep(1.0)  # let re-sent frames land before hanging up


WARMUP_FRAMES = 25  # the first 500 ms of a call overlap the bridge's connect to the agent (buffered, then sent)


def _latencies(agent: TimingAgent, sent: dict) -> list[float]:
    """Steady-state send -> arrival times (ms), leaving out each call's warm-up."""
    return [(agent.arrivals[k][0] - t) * 1000 for k, t in sent.items() if k in agent.arrivals and k[1] >= WARMUP_FRAMES]


async def _load(port: int, calls: int, seconds: float, recycle_at: float, inbox: Any, outbox: Any) -> None:
    import websockets

    agent = TimingAgent()
    frames, size = int(seconds / FRAME_S), 640
    async with websockets.serve(agent.handle, "127.0.0.1", port, compression=None, max_size=None):
        outbox.put("ready")
        # 1. direct
        sent: dict = {}
        await asyncio.gather(*(_stream_direct(f"ws://127.0.0.1:{port}/invocations_ws", c, frames, size, sent)
                               for c in range(calls)))
        direct = _latencies(agent, sent)
        # 2. through the bridge
        media_urls = await asyncio.to_thread(inbox.get)
        agent.arrivals.clear()
        sent = {}
        await asyncio.gather(*(_stream_acs(u, c, frames, size, sent) for c, u in enumerate(media_urls)))
        bridged = _latencies(agent, sent)
        outbox.put(len(sent))  # the bridge phase is over: the bridge process reads its CPU time
        # 3. recycle mid-stream
        media_urls = await asyncio.to_thread(inbox.get)
        agent.arrivals.clear()
        sent = {}

        async def recycle() -> float:
            await asyncio.sleep(seconds * recycle_at)
            at = time.monotonic()
            await agent.recycle()
            return at

        *_, recycled_at = await asyncio.gather(
            *(_stream_acs(u, 1000 + c, frames, size, sent) for c, u in enumerate(media_urls)), recycle())
        lost = sum(1 for k in sent if k not in agent.arrivals)
        twice = sum(1 for k in sent if len(agent.arrivals.get(k, [])) > 1)
        gaps = []
        for c in range(calls):
            times = sorted(agent.arrivals[(1000 + c, i)][0] for i in range(frames) if (1000 + c, i) in agent.arrivals)
            gaps.append(max((b - a for a, b in zip(times, times[1:]) if b > recycled_at - 1), default=0.0) * 1000)
        outbox.put({"direct_ms": direct, "bridge_ms": bridged, "recycle": {
            "frames": len(sent), "lost": lost, "delivered_twice": twice,
            "max_gap_ms_p50": _pct(gaps, 0.5), "max_gap_ms_max": max(gaps)}})


def _load_process(port: int, calls: int, seconds: float, recycle_at: float, inbox: Any, outbox: Any) -> None:
    uvloop.run(_load(port, calls, seconds, recycle_at, inbox, outbox))


# --- the bridge side (this process) -------------------------------------------------------------
async def _bench(args: argparse.Namespace) -> dict[str, Any]:
    from bridge.config import BridgeSettings
    from agent.dev.localserver import free_port
    from bridge.apology import tones
    from bridge.simulator import FAKE_CONNECTION_STRING, LocalBridge

    ctx = mp.get_context("spawn")
    inbox, outbox = ctx.Queue(), ctx.Queue()
    agent_port = free_port()
    load = ctx.Process(target=_load_process, args=(agent_port, args.calls, args.seconds, args.recycle_at, inbox, outbox))
    load.start()
    try:
        assert await asyncio.to_thread(outbox.get, True, 60) == "ready"
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            settings = BridgeSettings(data_dir=Path(tmp), host="127.0.0.1", port=port,
                                      agent_url=f"ws://127.0.0.1:{agent_port}/invocations_ws",
                                      secret="bench", acs_connection_string=FAKE_CONNECTION_STRING,
                                      public_url=f"http://127.0.0.1:{port}", agent_outage_s=30,
                                      rate_limit_per_s=10_000, session_pool=args.pool)
            async with LocalBridge(settings, apology=tones(16000)) as bridge:
                wait_s = 60 + 4 * args.seconds + args.calls
                calls = [await bridge.place_call(connect_media=False) for _ in range(args.calls)]
                cpu0 = time.process_time()  # this process is the bridge; the load runs elsewhere
                inbox.put([c.media_url for c in calls])
                frames = await asyncio.to_thread(outbox.get, True, wait_s)
                cpu_us_per_frame = (time.process_time() - cpu0) / frames * 1e6
                calls = [await bridge.place_call(connect_media=False) for _ in range(args.calls)]
                inbox.put([c.media_url for c in calls])
                result = await asyncio.to_thread(outbox.get, True, wait_s)
                result["bridge_cpu_us_per_frame"] = cpu_us_per_frame
    finally:
        load.join(10)
        if load.is_alive():
            load.kill()
    return result


def run(args: argparse.Namespace) -> int:
    started = time.time()
    raw = uvloop.run(_bench(args))  # as `bridge serve` runs
    direct, bridged = raw["direct_ms"], raw["bridge_ms"]
    figures = {
        "calls": args.calls,
        "pool": args.pool,
        "seconds": args.seconds,
        "frames_per_phase": len(bridged),
        "direct_ms": {"p50": _pct(direct, 0.5), "p99": _pct(direct, 0.99)},
        "bridge_ms": {"p50": _pct(bridged, 0.5), "p99": _pct(bridged, 0.99)},
        "added_ms": {"p50": _pct(bridged, 0.5) - _pct(direct, 0.5), "p99": _pct(bridged, 0.99) - _pct(direct, 0.99)},
        "bridge_cpu_us_per_frame": round(raw["bridge_cpu_us_per_frame"], 1),
        "recycle": raw["recycle"],
        "wall_s": round(time.time() - started, 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        sessions = f"over {args.pool} pooled sessions" if args.pool else "a session per call"
        print(f"bridge bench: {args.calls} concurrent calls ({sessions}), "
              f"{args.seconds:.0f} s of 20 ms frames per phase")
        print(f"  direct  ACS-less hop     p50 {figures['direct_ms']['p50']:.2f} ms  p99 {figures['direct_ms']['p99']:.2f} ms")
        print(f"  through the bridge       p50 {figures['bridge_ms']['p50']:.2f} ms  p99 {figures['bridge_ms']['p99']:.2f} ms")
        print(f"  added by the bridge      p50 {figures['added_ms']['p50']:.2f} ms  p99 {figures['added_ms']['p99']:.2f} ms"
              "  (target p99 < 5 ms at 100 calls)")
        print(f"  bridge CPU per caller frame {figures['bridge_cpu_us_per_frame']:.0f} us "
              f"(= {figures['bridge_cpu_us_per_frame'] * 50 * args.calls / 1e4:.0f} % of one core at {args.calls} calls)")
        r = figures["recycle"]
        print(f"  recycle (1001 on every call): {r['frames']} frames, lost {r['lost']}, delivered twice "
              f"{r['delivered_twice']}, longest arrival gap p50 {r['max_gap_ms_p50']:.0f} ms, max {r['max_gap_ms_max']:.0f} ms"
              "  (target: 0 lost)")
    return 0 if raw["recycle"]["lost"] == 0 else 1
