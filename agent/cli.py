"""The ``switchboard`` command.

Each sub-command lives in the module that owns it; that module exposes
``register(subparsers)`` which adds its parser(s) with ``set_defaults(func=...)``.
``func(args) -> int`` is the exit code. Command modules import heavy libraries
inside ``func`` so that ``switchboard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that contribute sub-commands, in help order.
COMMAND_MODULES = [
    "agent.commands.serve",  # serve
    "agent.coordinator.commands",  # route, index
    "agent.mcp_servers.commands",  # mcp
    "agent.handoff.commands",  # cases, review
    "agent.commands.call",  # call
    "agent.commands.bench",  # bench
    "agent.commands.report",  # report
    "bridge.commands",  # bridge
    "deploy.commands",  # deploy
    "agent.commands.samples",  # samples
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard", description="switchboard: a voice front door for operations teams.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
