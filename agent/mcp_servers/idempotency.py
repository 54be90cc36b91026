"""Idempotency keys: a retried create with the same key returns the ticket it made the first time.

The key maps to the ticket id plus a fingerprint of the request (tool name and
arguments). Reusing a key for a different request is refused, because answering
with an unrelated ticket would be worse than an error.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from agent.mcp_servers.errors import RequestError

DDL = """
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    tool TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def fingerprint(tool: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps({"tool": tool, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_once(
    conn: sqlite3.Connection,
    key: str | None,
    tool: str,
    payload: dict[str, Any],
    create: Callable[[], str],
) -> tuple[str, bool]:
    """Run ``create`` (which returns the new ticket id) unless ``key`` was seen before.

    Returns ``(ticket_id, replayed)``. Must run inside a write transaction so the
    lookup and the insert are atomic across processes.
    """
    if key is None:
        return create(), False
    digest = fingerprint(tool, payload)
    row = conn.execute("SELECT tool, fingerprint, ticket_id FROM idempotency WHERE key = ?", (key,)).fetchone()
    if row is not None:
        if row["fingerprint"] != digest:
            raise RequestError(
                f"Idempotency key {key!r} was already used for a different request "
                f"({row['tool']} -> {row['ticket_id']}). Use a new key for a new request."
            )
        return row["ticket_id"], True
    ticket_id = create()
    conn.execute(
        "INSERT INTO idempotency (key, tool, fingerprint, ticket_id, created_at) VALUES (?, ?, ?, ?, ?)",
        (key, tool, digest, ticket_id, datetime.now(timezone.utc).isoformat(timespec="seconds")),
    )
    return ticket_id, False
