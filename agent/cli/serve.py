"""``switchboard serve``: run the container (what the Dockerfile starts)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the hosted-agent container (port from $PORT, else 8088)")
    p.add_argument("--port", type=int, help="override $PORT")
    p.add_argument("--host", help="interface to bind (default 0.0.0.0)")
    p.add_argument("--workers", type=int, help="container processes behind the port (override $SWITCHBOARD_WORKERS)")
    p.add_argument("--worker-fd", type=int, help=argparse.SUPPRESS)  # set by the dispatcher for its workers
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvloop

    from agent.app import serve
    from agent.config import Settings
    from agent.observability.logs import setup_logging
    from agent.observability.telemetry import LogContext

    settings = Settings.from_env()
    if args.port is not None:
        settings = settings.with_(port=args.port)
    if args.host:
        settings = settings.with_(host=args.host)
    if args.workers is not None:
        settings = settings.with_(workers=args.workers)
    if settings.workers < 1:
        raise SystemExit(f"--workers / SWITCHBOARD_WORKERS must be at least 1, got {settings.workers}")
    setup_logging(settings.log_level, LogContext())
    if settings.workers > 1 and args.worker_fd is None:
        from agent.transport.workers import run_dispatcher

        run_dispatcher(settings, settings.workers)
        return 0
    if args.worker_fd is not None:
        from agent.lifeline import die_with_parent

        die_with_parent()  # a dispatcher killed outright takes its workers with it
    # uvloop: about a fifth less CPU per audio frame than the default loop (bench transport).
    uvloop.run(serve(settings, link_fd=args.worker_fd))
    return 0
