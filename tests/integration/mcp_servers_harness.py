"""Helpers for the MCP server tests: spawn ``switchboard mcp`` for real and inspect its SQLite store."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

REPO = Path(__file__).resolve().parents[2]


def server_command(server: str, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "agent.cli", "mcp", server, "--db", str(db), *extra]


@asynccontextmanager
async def stdio_session(server: str, db: Path) -> AsyncIterator[ClientSession]:
    """A ClientSession to a fresh ``switchboard mcp SERVER`` process over stdio."""
    command = server_command(server, db)
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=str(REPO))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


async def call_ok(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, f"{tool} failed: {result.content[0].text}"
    return result.structured_content


async def call_error(session: ClientSession, tool: str, **arguments: Any) -> str:
    result = await session.call_tool(tool, arguments)
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    return result.content[0].text


def rows(db: Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def snapshot(db: Path) -> str:
    """Every table's content except the audit log (which grows on every call by design)."""
    with sqlite3.connect(db) as conn:
        lines = [line for line in conn.iterdump() if "audit_log" not in line]
    return "\n".join(lines)


def audit_rows(db: Path) -> list[dict[str, Any]]:
    return [
        {**dict(r), "arguments": json.loads(r["arguments"])}
        for r in rows(db, "SELECT tool, arguments, ok, error, latency_ms FROM audit_log ORDER BY id")
    ]
