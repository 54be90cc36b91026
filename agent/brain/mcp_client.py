"""Connections to the MCP tool servers, shared by every call in the container.

One ``ServerConnection`` per server: a local stdio process (``switchboard mcp field-ops``)
or a remote streamable-HTTP URL. Tools are discovered with ``list_tools`` at start-up.
``call`` has a timeout and retries a transient failure once with the same arguments
(so the same idempotency key: a retry never makes a second ticket); a dead server is
restarted. Anything that still fails raises ``ToolError``, which agents turn into speech.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Mapping

import anyio

from agent.observability import telemetry
from agent.contracts.speculation import forbid
from agent.config import Settings

if TYPE_CHECKING:
    from mcp import ClientSession

log = logging.getLogger(__name__)

SERVERS = ("field_ops", "it_ops")
CONNECTION_CLOSED = -32000
REQUEST_TIMEOUT = -32001

_CLOSED_ERRORS = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, ConnectionError)

ErrorKind = Literal["unavailable", "timeout", "rejected", "unknown_tool"]


class ToolError(Exception):
    """A tool call that did not produce a result.

    ``kind``: ``unavailable`` (server down or crashed), ``timeout``, ``rejected`` (the
    server refused the arguments or failed; ``message`` is its reason, written for a
    person), ``unknown_tool``.
    """

    def __init__(self, server: str, tool: str, kind: ErrorKind, message: str) -> None:
        super().__init__(f"{server}.{tool}: {kind}: {message}")
        self.server, self.tool, self.kind, self.message = server, tool, kind, message


@dataclass(frozen=True)
class ToolSpec:
    """A discovered tool: what the agent needs to fill and call it."""

    server: str
    name: str
    description: str
    input_schema: dict[str, Any]
    annotations: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerSpec:
    """How to reach one server: a command to spawn (stdio) or a URL (streamable HTTP)."""

    name: str
    command: list[str] | None = None
    url: str | None = None
    env: dict[str, str] | None = None


def server_specs(settings: Settings) -> list[ServerSpec]:
    """field_ops and it_ops from settings: remote URL when set, else ``switchboard mcp NAME``."""
    urls = {"field_ops": settings.mcp_field_ops_url, "it_ops": settings.mcp_it_ops_url}
    env = {"SWITCHBOARD_DATA_DIR": str(settings.data_dir.resolve())}
    specs = []
    for name in SERVERS:
        if urls[name]:
            specs.append(ServerSpec(name, url=urls[name]))
        else:
            cmd = [sys.executable, "-m", "agent.cli", "mcp", name.replace("_", "-")]
            specs.append(ServerSpec(name, command=cmd, env=env))
    return specs


def result_data(result: Any) -> Any:
    """The payload of a CallToolResult: structured content, else the text parsed as JSON."""
    structured = getattr(result, "structured_content", None)
    if isinstance(structured, dict):
        return structured["result"] if set(structured) == {"result"} else structured
    texts = [c.text for c in getattr(result, "content", []) if getattr(c, "type", "") == "text"]
    text = "\n".join(texts)
    try:
        return json.loads(text)
    except ValueError:
        return text


class ServerConnection:
    """One MCP server. Its session lives in a supervisor task, because the SDK's transports
    are context managers that must be entered and left in the same task."""

    def __init__(self, spec: ServerSpec, *, start_timeout_s: float = 20.0) -> None:
        self.spec = spec
        self.tools: dict[str, ToolSpec] = {}
        self._start_timeout_s = start_timeout_s
        self._session: ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._ready = asyncio.Event()
        self._failure: BaseException | None = None
        self._lock = asyncio.Lock()
        self.generation = 0  # bumps on every (re)start, so concurrent callers restart once
        self.restarts = 0

    async def start(self) -> None:
        self._stop, self._ready, self._failure = asyncio.Event(), asyncio.Event(), None
        self._task = asyncio.create_task(self._supervise(), name=f"mcp:{self.spec.name}")
        try:
            await asyncio.wait_for(self._ready.wait(), self._start_timeout_s)
        except asyncio.TimeoutError:
            await self.close()
            raise ToolError(self.spec.name, "*", "unavailable", "the server did not start in time") from None
        if self._failure is not None:
            failure = self._failure
            await self.close()
            raise ToolError(self.spec.name, "*", "unavailable", f"cannot start: {failure}") from failure
        self.generation += 1

    async def _supervise(self) -> None:
        # The SDK is imported here, not at module level: it takes most of a second, and the
        # container starts tool servers in the background after it can greet (docs/deploy.md).
        from mcp import ClientSession, StdioServerParameters
        from mcp.client.stdio import stdio_client
        from mcp.client.streamable_http import streamable_http_client

        try:
            async with AsyncExitStack() as stack:
                if self.spec.url:
                    read, write = await stack.enter_async_context(streamable_http_client(self.spec.url))
                else:
                    assert self.spec.command
                    params = StdioServerParameters(
                        command=self.spec.command[0], args=self.spec.command[1:], env=self.spec.env
                    )
                    # The servers' stderr goes to the process's own stderr file: stdio_client needs a
                    # real file descriptor, which a replaced sys.stderr (a test's capture) lacks.
                    read, write = await stack.enter_async_context(stdio_client(params, errlog=sys.__stderr__))
                session = await stack.enter_async_context(ClientSession(read, write))
                await session.initialize()
                listing = await session.list_tools()
                self.tools = {
                    t.name: ToolSpec(
                        self.spec.name, t.name, t.description or "", dict(t.input_schema or {}),
                        t.annotations.model_dump(by_alias=True, exclude_none=True) if t.annotations else {},
                    )
                    for t in listing.tools
                }
                self._session = session
                self._ready.set()
                await self._stop.wait()
        except Exception as exc:  # noqa: BLE001 - reported to start() or logged for a live server
            self._failure = exc
            log.warning("MCP server %s stopped: %s", self.spec.name, exc)
        finally:
            self._session = None
            self._ready.set()

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 10)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - best effort on shutdown
                self._task.cancel()
            self._task = None

    async def restart(self, seen_generation: int) -> None:
        """Restart unless another caller already did since ``seen_generation``."""
        async with self._lock:
            if self.generation != seen_generation and self._session is not None:
                return
            log.warning("restarting MCP server %s", self.spec.name)
            await self.close()
            self.restarts += 1
            await self.start()

    @property
    def alive(self) -> bool:
        return self._session is not None and self._task is not None and not self._task.done()

    async def call_once(self, tool: str, arguments: dict[str, Any], timeout_s: float) -> Any:
        from mcp.shared.exceptions import MCPError  # loaded by _supervise already

        session = self._session
        if session is None:
            raise ToolError(self.spec.name, tool, "unavailable", "the server is not running")
        try:
            result = await session.call_tool(tool, arguments, read_timeout_seconds=timeout_s)
        except MCPError as exc:
            if exc.code == REQUEST_TIMEOUT:
                raise ToolError(self.spec.name, tool, "timeout", "the server took too long") from exc
            if exc.code == CONNECTION_CLOSED:
                raise ToolError(self.spec.name, tool, "unavailable", "the server stopped") from exc
            raise ToolError(self.spec.name, tool, "rejected", exc.message) from exc
        except _CLOSED_ERRORS as exc:
            raise ToolError(self.spec.name, tool, "unavailable", "the server stopped") from exc
        if getattr(result, "is_error", False):
            raise ToolError(self.spec.name, tool, "rejected", str(result_data(result))[:500])
        return result_data(result)


class ToolManager:
    """All tool servers of the container; safe to share between concurrent calls."""

    def __init__(self, specs: list[ServerSpec], *, timeout_s: float = 5.0) -> None:
        self.connections = {s.name: ServerConnection(s) for s in specs}
        self.timeout_s = timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> "ToolManager":
        return cls(server_specs(settings), timeout_s=settings.tool_timeout_s)

    async def start(self) -> None:
        """Start every server; one that cannot start is logged and retried on first use."""
        results = await asyncio.gather(*(c.start() for c in self.connections.values()), return_exceptions=True)
        for conn, res in zip(self.connections.values(), results):
            if isinstance(res, BaseException):
                log.error("MCP server %s unavailable at start-up: %s", conn.spec.name, res)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.connections.values()), return_exceptions=True)

    async def ensure(self, server: str) -> bool:
        """Is ``server`` up? Restarts it if it is not (say it failed at start-up)."""
        conn = self.connections.get(server)
        if conn is None:
            return False
        if not conn.alive:
            try:
                await conn.restart(conn.generation)
            except ToolError as exc:
                log.error("MCP server %s still unavailable: %s", server, exc.message)
        return conn.alive

    def tools(self, server: str) -> dict[str, ToolSpec]:
        conn = self.connections.get(server)
        return dict(conn.tools) if conn else {}

    def tool(self, server: str, name: str) -> ToolSpec | None:
        return self.tools(server).get(name)

    async def call(self, server: str, tool: str, arguments: Mapping[str, Any],
                   *, idempotency_key: str | None = None) -> Any:
        """Call ``tool`` on ``server``; one retry on a timeout or a dead server.

        If the tool takes an ``idempotency_key`` and none is given, one is made here,
        and the retry reuses it. Refused during a speculative reply (a tool call is a side
        effect; the real turn makes it after the endpoint: agent/call/speculation.py).
        """
        forbid("a tool call")
        conn = self.connections.get(server)
        if conn is None:
            raise ToolError(server, tool, "unknown_tool", f"no server named {server}")
        args = dict(arguments)
        spec = conn.tools.get(tool)
        if spec is not None and "idempotency_key" in spec.input_schema.get("properties", {}):
            args.setdefault("idempotency_key", idempotency_key or uuid.uuid4().hex)
        for attempt in range(2):
            if not conn.alive:
                await conn.restart(conn.generation)  # found dead between calls: restart, then call
            if tool not in conn.tools:
                raise ToolError(server, tool, "unknown_tool", f"{server} has no tool {tool}")
            seen = conn.generation
            try:
                with telemetry.tool_call(server, tool):
                    return await conn.call_once(tool, args, self.timeout_s)
            except ToolError as exc:
                log.warning("tool %s.%s attempt %d failed: %s", server, tool, attempt + 1, exc.message)
                if exc.kind == "timeout" and attempt == 0:
                    continue  # transient: same arguments, same idempotency key
                if exc.kind == "unavailable":
                    # Died during the call: restart for the next call, but do not resend
                    # a request that may itself have crashed the server; the caller decides.
                    try:
                        await conn.restart(seen)
                    except ToolError as restart_exc:
                        log.error("MCP server %s did not come back: %s", server, restart_exc.message)
                raise
        raise AssertionError("unreachable")
