"""``python -m bridge serve``: the bridge's entry point where the ``switchboard`` CLI (and with it
the agent) is not installed, as in the bridge image (Dockerfile, target ``bridge``)."""

from __future__ import annotations

import argparse
import sys

from bridge.commands import add_serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge", description="the switchboard ACS phone bridge")
    add_serve(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
