"""``switchboard bench telemetry``: what counting WebSocket frames costs on the hot path.

Pushes frames through an ASGI app three ways, with the real OpenTelemetry SDK meter
behind the counters: bare (no telemetry), through ``ConnectionTelemetry`` (integer
tallies, batched counter adds), and with the naive two counter adds per frame.
Prints the cost per frame and what 25 000 frames/s (500 calls x 50 frames/s) would
take of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from agent.observability import telemetry

TARGET_FRAMES_PER_S = 25_000
FRAME = b"\x00" * 640  # 20 ms of 16 kHz PCM16


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--frames", type=int, default=200_000, help="frames per variant (default 200000)")


async def _pump(app: Any, frames: int) -> float:
    """Seconds to receive ``frames`` frames and send one back per frame through ``app``."""
    received = {"type": "websocket.receive", "bytes": FRAME}
    closing = {"type": "websocket.disconnect", "code": 1000}
    count = 0

    async def receive() -> dict[str, Any]:
        nonlocal count
        count += 1
        return received if count <= frames else closing

    async def send(message: dict[str, Any]) -> None:
        return None

    begin = time.perf_counter()
    await app({"type": "websocket", "path": telemetry.WS_PATH, "headers": []}, receive, send)
    return time.perf_counter() - begin


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    while (await receive())["type"] == "websocket.receive":
        await send({"type": "websocket.send", "bytes": FRAME})


def _naive(t: telemetry.Telemetry) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (message := await receive())["type"] == "websocket.receive":
            t.ws_frames_received.add(1)
            t.ws_bytes_received.add(len(message["bytes"]))
            t.ws_frames_sent.add(1)
            t.ws_bytes_sent.add(len(FRAME))
            await send({"type": "websocket.send", "bytes": FRAME})
    return app


def run(args: argparse.Namespace) -> int:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider

    t = telemetry.Telemetry(TracerProvider(), MeterProvider(metric_readers=[InMemoryMetricReader()]))
    previous = telemetry.install(t)
    try:
        variants = {"bare": _echo, "ConnectionTelemetry (batched)": telemetry.ConnectionTelemetry(_echo),
                    "naive: 4 counter adds per frame pair": _naive(t)}
        results = {name: asyncio.run(_pump(app, args.frames)) for name, app in variants.items()}
    finally:
        telemetry.install(previous)
    base = results["bare"]
    frames = 2 * args.frames  # one in, one out per step
    print(f"{frames:,} frames per variant (half received, half sent), OpenTelemetry SDK meter")
    for name, seconds in results.items():
        extra_ns = (seconds - base) / frames * 1e9
        share = max(0.0, extra_ns) * TARGET_FRAMES_PER_S / 1e9
        print(f"  {name:<40} {seconds / frames * 1e9:8.0f} ns/frame   telemetry {extra_ns:7.0f} ns/frame"
              f"   = {share:6.2%} of a core at {TARGET_FRAMES_PER_S:,} frames/s")
    return 0
