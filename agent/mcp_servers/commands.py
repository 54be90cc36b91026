"""``switchboard mcp field-ops|it-ops``: run one MCP server on its own.

stdio is the default (what the container spawns); ``--http PORT`` serves streamable
HTTP at ``http://HOST:PORT/mcp`` instead. The store defaults to
``$SWITCHBOARD_DATA_DIR/mcp/<server>.sqlite`` and is created and seeded on first start.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable


# The servers import mcp (slow): only the one being run is imported, when it runs.
def _field_ops(db_path: Path) -> Any:
    from agent.mcp_servers.field_ops.server import build_server

    return build_server(db_path)


def _it_ops(db_path: Path) -> Any:
    from agent.mcp_servers.it_ops.server import build_server

    return build_server(db_path)


#: server name -> (build_server(db_path), store file under <data_dir>/mcp/)
SERVERS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "field-ops": (_field_ops, "field_ops.sqlite"),
    "it-ops": (_it_ops, "it_ops.sqlite"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("mcp", help="run the field-ops or it-ops MCP server (stdio or streamable HTTP)")
    parser.add_argument("server", choices=sorted(SERVERS), help="which server to run")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on PORT (path /mcp)")
    parser.add_argument("--host", default="127.0.0.1", help="interface for --http (default 127.0.0.1)")
    parser.add_argument("--db", type=Path, help="SQLite store (default <data dir>/mcp/<server>.sqlite)")
    parser.set_defaults(func=run)


def default_db_path(server: str, data_dir: Path) -> Path:
    return data_dir / "mcp" / SERVERS[server][1]


def run(args: argparse.Namespace) -> int:
    from agent.config import Settings

    build_server, _ = SERVERS[args.server]
    db_path = args.db or default_db_path(args.server, Settings.from_env().data_dir)
    try:
        server = build_server(db_path)
    except (sqlite3.Error, OSError) as exc:
        # A corrupt or unwritable store is an operator problem: say which file, touch nothing.
        print(f"switchboard mcp {args.server}: cannot use store {db_path}: {exc}", file=sys.stderr)
        return 1
    if args.http is None:
        from agent.lifeline import die_with_parent

        die_with_parent()  # spawned by a container over stdio: never outlive it
        server.run()
        return 0
    # stdout is the protocol channel only under stdio; under HTTP a start-up line is useful.
    print(f"{args.server} MCP server on http://{args.host}:{args.http}/mcp (store {db_path})", file=sys.stderr)
    server.run("streamable-http", host=args.host, port=args.http)
    return 0
