"""The it-ops MCP server over streamable HTTP, started as ``switchboard mcp it-ops --http PORT``."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from mcp_servers_harness import REPO, rows, server_command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def it_ops_http(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port, db = _free_port(), tmp_path / "it_ops.sqlite"
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(server_command("it-ops", db, "--http", str(port)), cwd=REPO, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start listening"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp", db
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


async def test_password_reset_and_cancel_over_streamable_http(it_ops_http: tuple[str, Path]) -> None:
    url, db = it_ops_http
    async with streamable_http_client(url) as (read, write):
        async with ClientSession(read, write) as session:
            info = await session.initialize()
            names = {tool.name for tool in (await session.list_tools()).tools}
            reset = await session.call_tool("request_password_reset", {"user": "maria.lopez@northwind.example"})
            reference = reset.structured_content["request_id"]
            status = await session.call_tool("get_service_request", {"request_id": reference})
            refused = await session.call_tool("cancel_service_request", {"request_id": "SR-30001", "reason": "Done"})
    assert info.server_info.name == "it-ops" and "request_access" in names
    assert reset.structured_content["request_id"] == "SR-30007"
    assert "ending 4821" in reset.structured_content["next_steps"]
    assert status.structured_content["status"] == "in_progress"
    assert refused.is_error and "already fulfilled" in refused.content[0].text
    assert [tuple(r) for r in rows(db, "SELECT tool, ok FROM audit_log ORDER BY id")] == [
        ("request_password_reset", 1), ("get_service_request", 1), ("cancel_service_request", 0),
    ]
