"""An ``MCPServer`` that audits every tool call and words every refusal for people.

Tools stay plain functions registered with ``@server.tool()``; this class wraps the
SDK's ``call_tool`` so that (1) arguments the tool does not declare are refused,
(2) schema violations and ``RequestError`` become one clear ``isError`` message,
and (3) every call, good or bad, leaves an ``audit_log`` row with its latency.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import ValidationError

from agent.mcp_servers import audit
from agent.mcp_servers.argument_errors import describe, unknown_arguments
from agent.mcp_servers.database import Database
from agent.mcp_servers.errors import RequestError

log = logging.getLogger(__name__)


class AuditedServer(MCPServer):
    def __init__(self, name: str, instructions: str, database: Database) -> None:
        super().__init__(name, instructions=instructions, version="1.0.0", log_level="WARNING")
        self.database = database
        self._schemas: dict[str, dict[str, Any]] | None = None

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context | None = None
    ) -> Any:  # CallToolResult | InputRequiredResult, as the base class
        started = time.perf_counter()
        error: str | None = None
        try:
            schema = (await self._input_schemas()).get(name)
            if schema is None:
                raise ToolError(f"There is no tool named {name[:40]!r} on the {self.name} server.")
            if problem := unknown_arguments(arguments, schema):
                raise ToolError(problem)
            try:
                return await super().call_tool(name, arguments, context)
            except ToolError as exc:
                raise _reworded(exc, schema) from exc.__cause__
        except Exception as exc:
            error = str(exc) or type(exc).__name__
            raise
        finally:
            latency_ms = (time.perf_counter() - started) * 1000
            with anyio.CancelScope(shield=True):  # a cancelled call is still audited
                await anyio.to_thread.run_sync(self._audit, name, arguments, error, latency_ms)

    async def _input_schemas(self) -> dict[str, dict[str, Any]]:
        # Tools are registered before the server runs and never change afterwards.
        if self._schemas is None:
            self._schemas = {tool.name: dict(tool.input_schema) for tool in await self.list_tools()}
        return self._schemas

    def _audit(self, tool: str, arguments: dict[str, Any], error: str | None, latency_ms: float) -> None:
        try:
            with self.database.write() as conn:
                audit.record(conn, tool, arguments, error, latency_ms)
        except Exception:  # the call's outcome stands even if its audit row cannot be written
            log.exception("could not write audit row for %s", tool)


def _reworded(exc: ToolError, schema: dict[str, Any]) -> ToolError:
    cause = exc.__cause__
    if isinstance(cause, RequestError):
        return ToolError(str(cause))
    if isinstance(cause, ValidationError):
        return ToolError(describe(cause.errors(include_url=False), schema))
    if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
        # Another process held the write lock past the busy timeout: transient, safe to retry.
        return ToolError("The store is busy; try the same request again in a moment (same idempotency key).")
    if isinstance(exc, UnexpectedToolError):
        return exc  # the SDK's generic text: internal details stay in the server log
    return ToolError(str(exc))
