"""``switchboard samples web``: serve the browser sample and its relay to an agent.

Open the printed URL, press Call, allow the microphone. ``--agent`` is a local container
(``ws://127.0.0.1:8088/invocations_ws``, the default) or a Foundry endpoint
(``wss://...services.ai.azure.com/api/projects/agents/endpoint/protocols/invocations_ws?project_name=P&agent_name=NAME``;
``switchboard deploy agent`` prints it), for which the relay adds an Entra bearer token.
"""

from __future__ import annotations

import argparse
import asyncio

DEFAULT_AGENT = "ws://127.0.0.1:8088/invocations_ws"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("samples", help="run the samples (the browser client)")
    ssub = p.add_subparsers(dest="samples_command", metavar="SAMPLE", required=True)
    web = ssub.add_parser("web", help="serve the browser sample and its WebSocket relay")
    web.add_argument("--port", type=int, default=8080, help="port for the page (default 8080)")
    web.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1: this machine only)")
    web.add_argument("--agent", default=DEFAULT_AGENT, help=f"agent WebSocket URL (default {DEFAULT_AGENT})")
    web.set_defaults(func=run_web)


def run_web(args: argparse.Namespace) -> int:
    import socket
    import sys

    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    from agent.wire.client import AgentUrlError, check_agent_url
    from agent.dev.client.auth import bearer_headers, needs_token
    from agent.dev.client.webproxy import create_app

    try:
        check_agent_url(args.agent)
    except AgentUrlError as exc:
        print(f"samples: --agent: {exc}", file=sys.stderr)
        return 2
    # Check the port first: Hypercorn reports a busy port as a page of lifespan tracebacks.
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        print(f"samples: cannot listen on {args.host}:{args.port}: {exc.strerror or exc} (try --port)",
              file=sys.stderr)
        return 1
    config = Config()
    config.bind = [f"{args.host}:{args.port}"]
    config.accesslog = None
    auth = "with an Entra token from azure-identity" if needs_token(args.agent) else "directly"
    print(f"web sample: http://{args.host}:{args.port}/  (relaying {auth} to {args.agent})", flush=True)
    asyncio.run(serve(create_app(args.agent, bearer_headers), config))  # type: ignore[arg-type]
    return 0
