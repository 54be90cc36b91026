"""``switchboard bench transport|latency|speech|bridge|coldstart|telemetry|handover|redact``: benchmarks that print figures.

Each benchmark module exposes ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse

from agent.dev.bench import bridge, coldstart, handover, latency, redact, speech, telemetry, transport

BENCHMARKS = {
    "transport": (transport, "concurrent sessions streaming real-time audio frames"),
    "latency": (latency, "spoken turns: end of caller speech -> first agent audio"),
    "speech": (speech, "end of turn: false cut-offs, false holds, end-of-turn delay; --wer; --barge-in"),
    "bridge": (bridge, "added latency through the ACS bridge and the gap at a recycle"),
    "coldstart": (coldstart, "a new container: start -> readiness, session.ready, greeting audio"),
    "telemetry": (telemetry, "cost per WebSocket frame of the connection metrics"),
    "handover": (handover, "warm hand-over in the ACS simulator: decision -> briefing heard"),
    "redact": (redact, "cost per call of PII redaction on log lines"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run a benchmark and print its figures")
    kinds = p.add_subparsers(dest="bench", metavar="BENCH", required=True)
    for name, (module, help_text) in BENCHMARKS.items():
        bp = kinds.add_parser(name, help=help_text)
        module.add_arguments(bp)
        bp.set_defaults(func=module.run)
