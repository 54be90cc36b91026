"""The audit log: one row per tool call, successful or not, reads included."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

DDL = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    tool TEXT NOT NULL,
    arguments TEXT NOT NULL,
    ok INTEGER NOT NULL,
    error TEXT,
    latency_ms REAL NOT NULL
);
"""

#: Longest string argument kept whole in the log; a hostile 1 MB value is logged by its length.
MAX_LOGGED_STRING = 500


def arguments_json(arguments: dict[str, Any]) -> str:
    """The arguments as JSON, with over-long strings cut so the log cannot be flooded."""
    return json.dumps(_shorten(arguments), sort_keys=True, ensure_ascii=False, default=repr)


def record(
    conn: sqlite3.Connection, tool: str, arguments: dict[str, Any], error: str | None, latency_ms: float
) -> None:
    conn.execute(
        "INSERT INTO audit_log (ts, tool, arguments, ok, error, latency_ms) VALUES (?, ?, ?, ?, ?, ?)",
        (
            datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            tool[:100],
            arguments_json(arguments),
            int(error is None),
            None if error is None else error[:1000],
            round(latency_ms, 3),
        ),
    )


def _shorten(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str) and len(value) > MAX_LOGGED_STRING:
        return f"{value[:100]}...[{len(value)} characters]"
    if isinstance(value, (dict, list)) and depth >= 4:
        return f"...[nested {type(value).__name__}]"
    if isinstance(value, dict):
        return {str(k)[:100]: _shorten(v, depth + 1) for k, v in list(value.items())[:50]}
    if isinstance(value, list):
        return [_shorten(v, depth + 1) for v in value[:50]]
    return value
