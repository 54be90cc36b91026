"""The MCP connection manager and the embedded domain agent against real MCP server processes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import psutil
import pytest

from agent.contracts.actions import Say, ToolEvent
from agent.brain.domain import DomainAgent, fetch_site_names
from agent.brain.mcp_client import ServerSpec, ToolError, ToolManager
from agent.config import Settings
from agent.dev.localserver import free_port
from agent.mcp_servers.database import Database
from agent.mcp_servers.field_ops.seed import seed
from agent.mcp_servers.field_ops.store import SCHEMA
from agent.contracts.state import CallState

#: A tiny MCP server with the failure modes the real ones should never show on purpose.
FLAKY_SERVER = '''
import asyncio, json, sys
from pathlib import Path
from mcp.server.mcpserver import MCPServer

LOG = Path(sys.argv[1])
server = MCPServer("flaky")

@server.tool()
async def create_thing(name: str, idempotency_key: str | None = None) -> dict:
    """Create a thing; the first call stalls past the client's timeout."""
    calls = json.loads(LOG.read_text()) if LOG.exists() else []
    calls.append(idempotency_key)
    LOG.write_text(json.dumps(calls))
    if len(calls) == 1:
        await asyncio.sleep(5)
    return {"id": "TH-10001", "name": name}

@server.tool()
async def get_thing(seconds: float) -> dict:
    """Read a thing slowly."""
    await asyncio.sleep(seconds)
    return {"id": "TH-10001", "message": "Thing TH-10001 is ready."}

server.run()
'''


@pytest.fixture
async def manager(tmp_path: Path):
    tools = ToolManager.from_settings(Settings(data_dir=tmp_path))
    await tools.start()
    yield tools
    await tools.close()


def _server_pid(name: str) -> int:
    for child in psutil.Process().children(recursive=True):
        try:
            cmd = child.cmdline()
        except psutil.Error:
            continue
        if "mcp" in cmd and name in cmd:
            return child.pid
    raise AssertionError(f"no {name} process")


async def test_tools_are_discovered_from_both_servers(manager: ToolManager) -> None:
    field = manager.tools("field_ops")
    it = manager.tools("it_ops")
    assert {"create_work_order", "get_work_order", "lookup_asset"} <= set(field)
    assert {"create_incident", "request_password_reset", "cancel_service_request"} <= set(it)
    assert "site" in field["create_work_order"].input_schema["required"]


async def test_same_idempotency_key_never_duplicates(manager: ToolManager, tmp_path: Path) -> None:
    args = {"site": 12, "asset_tag": "A123", "summary": "pump leaking", "priority": "high"}
    first = await manager.call("field_ops", "create_work_order", args, idempotency_key="call-1")
    again = await manager.call("field_ops", "create_work_order", args, idempotency_key="call-1")
    assert first["work_order_id"] == again["work_order_id"]
    with sqlite3.connect(tmp_path / "mcp" / "field_ops.sqlite") as db:
        assert db.execute("SELECT count(*) FROM work_orders WHERE summary = 'pump leaking'").fetchone()[0] == 1


async def test_killed_server_is_reported_then_restarted(manager: ToolManager) -> None:
    before = _server_pid("field-ops")
    psutil.Process(before).kill()
    with pytest.raises(ToolError) as err:
        await manager.call("field_ops", "get_work_order", {"work_order_id": "WO-10001"})
    assert err.value.kind == "unavailable"
    result = await manager.call("field_ops", "get_work_order", {"work_order_id": "WO-10001"})
    assert result["work_order_id"] == "WO-10001"
    assert _server_pid("field-ops") != before
    assert manager.connections["field_ops"].restarts == 1


async def test_hostile_arguments_are_refused_and_nothing_is_written(manager: ToolManager, tmp_path: Path) -> None:
    db = tmp_path / "mcp" / "field_ops.sqlite"
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT count(*) FROM work_orders").fetchone()[0]
    for args in ({"site": 12, "asset_tag": "A123'; DROP TABLE work_orders;--", "summary": "x", "priority": "low"},
                 {"site": 12, "asset_tag": "A123", "summary": "x" * (1024 * 1024), "priority": "low"},
                 {"site": "12 OR 1=1", "asset_tag": "A123", "summary": "x", "priority": "low"}):
        with pytest.raises(ToolError) as err:
            await manager.call("field_ops", "create_work_order", args)
        assert err.value.kind == "rejected"
        assert len(err.value.message) < 2000
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM work_orders").fetchone()[0] == before


async def test_concurrent_calls_share_one_process(manager: ToolManager) -> None:
    pid = _server_pid("field-ops")
    ids = [f"WO-1000{n}" for n in range(1, 7)] * 3
    results = await asyncio.gather(*(manager.call("field_ops", "get_work_order", {"work_order_id": i}) for i in ids))
    assert [r["work_order_id"] for r in results] == ids
    assert _server_pid("field-ops") == pid


async def test_unknown_tool_and_dead_command() -> None:
    tools = ToolManager([ServerSpec("nowhere", command=[sys.executable, "-c", "raise SystemExit(3)"])], timeout_s=1)
    await tools.start()  # logged, not raised: the container still serves other servers
    with pytest.raises(ToolError) as err:
        await tools.call("nowhere", "anything", {})
    assert err.value.kind == "unavailable"
    with pytest.raises(ToolError) as err:
        await tools.call("missing_server", "anything", {})
    assert err.value.kind == "unknown_tool"
    await tools.close()


async def test_timeout_is_retried_once_with_the_same_idempotency_key(tmp_path: Path) -> None:
    script, log = tmp_path / "flaky.py", tmp_path / "calls.json"
    script.write_text(FLAKY_SERVER)
    tools = ToolManager([ServerSpec("flaky", command=[sys.executable, str(script), str(log)])], timeout_s=0.5)
    await tools.start()
    try:
        result = await tools.call("flaky", "create_thing", {"name": "x"})
        keys = json.loads(log.read_text())
        assert result["id"] == "TH-10001"
        assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
        with pytest.raises(ToolError) as err:
            await tools.call("flaky", "get_thing", {"seconds": 2})
        assert err.value.kind == "timeout"
    finally:
        await tools.close()


async def test_holding_phrase_when_a_tool_is_slow(tmp_path: Path) -> None:
    script = tmp_path / "flaky.py"
    script.write_text(FLAKY_SERVER)
    tools = ToolManager([ServerSpec("field_ops", command=[sys.executable, str(script), str(tmp_path / "c.json")])],
                        timeout_s=3)
    await tools.start()
    try:
        agent = DomainAgent(tools, holding_phrase_ms=50, site_names={})
        spec = tools.tool("field_ops", "get_thing")
        assert spec is not None
        state = CallState("s-hold")
        state.task = {"tool": "get_thing", "server": "field_ops", "intent": "x", "args": {"seconds": 0.4},
                      "asking": None, "confirming": False, "key": "k", "opening": ""}
        actions = [a async for a in agent.continue_task("yes", state)]
        kinds = [(type(a).__name__, getattr(a, "filler", None) or getattr(a, "status", None)) for a in actions]
        assert kinds[:3] == [("ToolEvent", "started"), ("Say", True), ("ToolEvent", "ok")]
        ok = actions[2]
        assert isinstance(ok, ToolEvent) and ok.latency_ms is not None and ok.latency_ms >= 400
        assert any(isinstance(a, Say) and "T H, one zero zero, zero one" in a.text for a in actions)
        assert state.tool_attempts[-1]["ok"] and state.task is None
    finally:
        await tools.close()


async def test_a_server_that_never_started_is_reported_to_the_caller(tmp_path: Path) -> None:
    tools = ToolManager([ServerSpec("field_ops", command=[sys.executable, "-c", "raise SystemExit(3)"])], timeout_s=1)
    await tools.start()
    try:
        assert await fetch_site_names(tools) == {}  # sites by number only; nothing raised at start-up
        agent = DomainAgent(tools, site_names={})
        state = CallState("down")
        actions = [a async for a in agent.start("work_order.create", "my pump is leaking", state)]
        assert "isn't available" in actions[-1].text and "person" in actions[-1].text
        assert state.tool_failures == 1 and state.tool_attempts[-1]["ok"] is False
        assert state.task is None
    finally:
        await tools.close()


@asynccontextmanager
async def remote_field_ops(tmp_path: Path, db: Path) -> AsyncIterator[ToolManager]:
    """A ToolManager whose field_ops is ``switchboard mcp field-ops --http`` over ``db`` on loopback."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "mcp", "field-ops", "--http", str(port),
                             "--db", str(db)], stderr=subprocess.DEVNULL)
    try:
        settings = Settings(data_dir=tmp_path, mcp_field_ops_url=f"http://127.0.0.1:{port}/mcp")
        tools = ToolManager.from_settings(settings)
        assert tools.connections["field_ops"].spec.url
        for _ in range(100):  # the server needs a moment to bind
            await tools.start()
            if tools.connections["field_ops"].alive:
                break
            await tools.close()
            await asyncio.sleep(0.2)
        try:
            yield tools
        finally:
            await tools.close()
    finally:
        proc.terminate()
        proc.wait(10)


async def test_remote_server_over_streamable_http(tmp_path: Path) -> None:
    async with remote_field_ops(tmp_path, tmp_path / "fo.sqlite") as tools:
        assert "create_work_order" in tools.tools("field_ops")
        result = await tools.call("field_ops", "get_work_order", {"work_order_id": "WO-10001"})
        assert result["work_order_id"] == "WO-10001"


async def test_site_names_come_from_the_server_not_from_this_container(tmp_path: Path) -> None:
    """A remote field-ops whose sites this container has never seen: callers can still name them."""
    db = tmp_path / "remote" / "fo.sqlite"
    with Database(db, SCHEMA, seed).open().write() as conn:
        conn.execute("INSERT INTO sites VALUES (77, 'Quarry Lane Booster Station', '7 Quarry Lane', 'east')")
        conn.execute("INSERT INTO assets VALUES ('K-7701', 77, 'pump', 'KSB', 'Etanorm', 'Booster pump')")
    async with remote_field_ops(tmp_path, db) as tools:
        names = await fetch_site_names(tools)
        assert names["Quarry Lane Booster Station"] == 77 and names["Riverside Pumping Station"] == 12
        agent = DomainAgent(tools, site_names=names)
        state = CallState("remote-sites")
        said = [a.text async for a in agent.start(
            "work_order.create", "pump K seventy seven oh one at quarry lane booster station is leaking", state)
            if isinstance(a, Say)]
        assert state.task is not None and state.task["args"]["site"] == 77, said
        assert "Is that right?" in said[-1]
        [a async for a in agent.continue_task("yes", state)]
    # The agent passed the tag as heard ("K7701"); the server stored it in its own form.
    assert state.tool_attempts[-1]["ok"], state.tool_attempts[-1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT asset_tag, site FROM work_orders ORDER BY number DESC").fetchone() == ("K-7701", 77)
