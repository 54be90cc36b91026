"""``switchboard bridge serve`` (and ``python -m bridge serve`` in the bridge's own image): run the
ACS bridge (settings from ``SWITCHBOARD_BRIDGE_*``)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bridge", help="the ACS phone bridge")
    cmds = p.add_subparsers(dest="bridge_command", metavar="CMD", required=True)
    add_serve(cmds)


def add_serve(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="serve the Event Grid webhook, ACS callbacks and media WebSocket")
    s.add_argument("--port", type=int, help="override SWITCHBOARD_BRIDGE_PORT (default 8089)")
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    import uvloop

    from agent.observability import telemetry
    from agent.observability.logs import setup_logging
    from bridge.app import create_app, serve
    from bridge.config import BridgeSettings, ConfigError

    try:
        settings = BridgeSettings.from_env()
        if args.port is not None:
            settings = settings.with_(port=args.port)
        setup_logging(settings.log_level, telemetry.LogContext())  # trace ids on log lines, personal data redacted
        exporters = telemetry.configure(settings, service="switchboard-bridge")
        app = create_app(settings)
    except (ConfigError, ValueError) as exc:
        print(f"switchboard bridge: {exc}", file=sys.stderr)
        return 2
    try:
        uvloop.run(serve(settings, app))  # less CPU per media message than the default loop
    finally:
        exporters.shutdown()  # flush what is still buffered
    return 0
