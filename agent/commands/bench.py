"""``switchboard bench transport|latency|speech|bridge|coldstart|telemetry|handover``: benchmarks that print figures.

Each benchmark module exposes ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib

BENCHMARKS = {
    "transport": ("agent.bench.transport", "concurrent sessions streaming real-time audio frames"),
    "latency": ("agent.bench.latency", "spoken turns: end of caller speech -> first agent audio"),
    "speech": ("agent.bench.speech", "end of turn: false cut-offs, false holds, end-of-turn delay"),
    "bridge": ("agent.bench.bridge", "added latency through the ACS bridge and the gap at a recycle"),
    "coldstart": ("agent.bench.coldstart", "a new container: start -> readiness, session.ready, greeting audio"),
    "telemetry": ("agent.bench.telemetry", "cost per WebSocket frame of the connection metrics"),
    "handover": ("agent.bench.handover", "warm hand-over in the ACS simulator: decision -> briefing heard"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run a benchmark and print its figures")
    kinds = p.add_subparsers(dest="bench", metavar="BENCH", required=True)
    for name, (module_name, help_text) in BENCHMARKS.items():
        module = importlib.import_module(module_name)
        bp = kinds.add_parser(name, help=help_text)
        module.add_arguments(bp)
        bp.set_defaults(func=module.run)
