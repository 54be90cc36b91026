"""``switchboard cases list|show`` and ``switchboard review export|import``.

Settings come from the environment (``SWITCHBOARD_DATA_DIR``, ``SWITCHBOARD_REDIS_URL``),
so the commands read the same store the container writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    cases = sub.add_parser("cases", help="hand-over cases: list, show")
    cases_sub = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    ls = cases_sub.add_parser("list", help="newest cases first")
    ls.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    ls.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    ls.set_defaults(func=cases_list)
    show = cases_sub.add_parser("show", help="one case bundle as JSON")
    show.add_argument("case_id", help="e.g. CASE-7F3K2Q (case does not matter)")
    show.set_defaults(func=cases_show)

    review = sub.add_parser("review", help="learning loop: export unresolved calls, import labels")
    review_sub = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    export = review_sub.add_parser("export", help="write captured (redacted) calls as JSONL for labelling")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.set_defaults(func=review_export)
    imp = review_sub.add_parser("import", help="add labelled records to the knowledge index as routing examples")
    imp.add_argument("file", type=Path, help="labelled JSONL from `review export`")
    imp.set_defaults(func=review_import)


def _settings() -> Any:
    from agent.config import Settings

    return Settings.from_env()


async def _with_store(fn: Any) -> Any:
    from agent.handoff.store import open_case_store

    store = open_case_store(_settings())
    try:
        return await fn(store)
    finally:
        await store.close()


def cases_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("--limit must be at least 1", file=sys.stderr)
        return 2
    cases = asyncio.run(_with_store(lambda s: s.recent(args.limit)))
    if args.json:
        for c in cases:
            print(json.dumps(c, ensure_ascii=False))
        return 0
    if not cases:
        print("no cases")
        return 0
    print(f"{'CASE':<12} {'CREATED':<20} {'PRIORITY':<9} {'STATUS':<18} {'TARGET':<32} REASON")
    for c in cases:
        print(f"{c['case_id']:<12} {c['created_at']:<20} {c['priority']:<9} {c['status']:<18} "
              f"{c['target'][:32]:<32} {c['reason'][:60]}")
    return 0


def cases_show(args: argparse.Namespace) -> int:
    from agent.handoff.bundle import CaseError, normalise_case_id

    try:
        case_id = normalise_case_id(args.case_id)
    except CaseError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    case = asyncio.run(_with_store(lambda s: s.get(case_id)))
    if case is None:
        print(f"no case {case_id}", file=sys.stderr)
        return 1
    print(json.dumps(case, ensure_ascii=False, indent=2))
    return 0


def review_export(args: argparse.Namespace) -> int:
    from agent.learning.review import export_record

    records = asyncio.run(_with_store(lambda s: s.captured()))
    lines = "".join(json.dumps(export_record(r), ensure_ascii=False) + "\n" for r in records)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(lines, encoding="utf-8")
        print(f"wrote {len(records)} record(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(lines)
    return 0


def review_import(args: argparse.Namespace) -> int:
    from agent.routing.knowledge import KnowledgeError
    from agent.learning.learned import import_labelled

    try:
        content = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        report = import_labelled(_settings(), content, str(args.file))
    except KnowledgeError as exc:
        print(f"nothing imported: {exc}", file=sys.stderr)
        return 2
    print(f"{report.labelled} labelled, {report.unlabelled} left unlabelled, "
          f"{report.new_in_file} new in {report.file}, {report.new_in_index} new in the index")
    return 0
