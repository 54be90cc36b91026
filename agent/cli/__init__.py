"""The ``switchboard`` command.

Each sub-command lives in the module that owns it; that module exposes
``register(subparsers)`` which adds its parser(s) with ``set_defaults(func=...)``.
``func(args) -> int`` is the exit code. Command modules import heavy libraries
inside ``func`` so that ``switchboard --help`` stays fast. They are imported here by
name (not loaded from strings), so the import graph and the linters see them.
"""

from __future__ import annotations

import argparse
from typing import Callable

from agent.cli import bench, call, report, samples, serve
from agent.routing import commands as coordinator_commands
from agent.handoff import commands as handoff_commands
from agent.mcp_servers import commands as mcp_commands
from bridge import commands as bridge_commands
from deploy import commands as deploy_commands

#: What contributes sub-commands, in help order.
REGISTRATIONS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    serve.register,  # serve
    coordinator_commands.register,  # route, index
    mcp_commands.register,  # mcp
    handoff_commands.register,  # cases, review
    call.register,  # call
    bench.register,  # bench
    report.register,  # report
    bridge_commands.register,  # bridge
    deploy_commands.register,  # deploy
    samples.register,  # samples
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard", description="switchboard: a voice front door for operations teams.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in REGISTRATIONS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)

