"""``switchboard route`` and ``switchboard index build|search``.

``route`` reads caller utterances from stdin, one per line, and prints one JSON
decision per line, through the same ``Coordinator.decide``/``record`` path a live
call uses, with the configuration from the environment (embedded by default). It
needs no server: the index is built into the data directory on first use.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    route = subparsers.add_parser("route", help="route utterances from stdin, one JSON decision per line")
    route.add_argument("--one-call", action="store_true",
                       help="treat the lines as turns of one call (clarify counts and topic switches carry over)")
    route.add_argument("--passages", action="store_true", help="include the retrieved passages' text")
    route.set_defaults(func=_route)

    index = subparsers.add_parser("index", help="build or query the knowledge index")
    sub = index.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    build = sub.add_parser("build", help="(re)build the index from a knowledge folder")
    build.add_argument("path", type=Path, help="knowledge folder (articles/*.md, examples/*.jsonl, lexicon.yaml)")
    build.set_defaults(func=_build)
    search = sub.add_parser("search", help="print the passages retrieved for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.set_defaults(func=_search)


def _output(decision: Any, with_text: bool) -> dict[str, Any]:
    out = decision.to_dict()
    out["passages"] = [
        {k: v for k, v in p.to_dict().items() if with_text or k != "text"} for p in decision.passages
    ]
    return out


def _route(args: argparse.Namespace) -> int:
    from agent.config import Settings
    from agent.routing import Coordinator
    from agent.contracts.state import CallState

    coordinator = Coordinator.from_settings(Settings.from_env())
    # Undecodable bytes become U+FFFD rather than aborting the whole batch.
    lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    call = CallState(session_id="route-cli", channel="test")
    try:
        for n, line in enumerate(lines):
            state = call if args.one_call else CallState(session_id=f"route-cli-{n}", channel="test")
            state.turn_count = n if args.one_call else 0
            decision = coordinator.decide(line.rstrip("\r\n"), state)
            coordinator.record(decision, state)
            print(json.dumps(_output(decision, args.passages), ensure_ascii=False), flush=True)
    finally:
        coordinator.close()
    return 0


def _build(args: argparse.Namespace) -> int:
    from agent.config import Settings
    from agent.routing.indexes import build_index
    from agent.routing.knowledge import KnowledgeError

    settings = Settings.from_env()
    try:
        index, report = build_index(settings, args.path)
    except KnowledgeError as exc:
        print(f"switchboard index build: {exc}", file=sys.stderr)
        return 2
    index.close()
    print(json.dumps(report, indent=2))
    return 0


def _search(args: argparse.Namespace) -> int:
    from agent.config import Settings
    from agent.routing.indexes import open_index

    index = open_index(Settings.from_env())
    try:
        for p in index.search(args.query, k=args.k):
            print(json.dumps(p.to_dict(), ensure_ascii=False))
    finally:
        index.close()
    return 0
