"""The web sample's relay: URL and close-code handling, and frames relayed both ways to a real container."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from hypercorn.asyncio import serve
from hypercorn.config import Config

from agent.dev.client.auth import needs_token
from agent.dev.client.webproxy import DROPPED, close_code_for_page, create_app, upstream_url
from agent.dev.localserver import free_port


def test_upstream_url_carries_the_page_session_and_keeps_other_parameters() -> None:
    foundry = "wss://a.services.ai.azure.com/api/projects/p/agents/sb/endpoint/protocols/invocations_ws?api-version=v1"
    assert upstream_url(foundry, "web-1") == foundry + "&agent_session_id=web-1"
    assert upstream_url("ws://h/x?agent_session_id=old", "new") == "ws://h/x?agent_session_id=new"
    assert upstream_url("ws://h/x", None) == "ws://h/x"
    assert "%26" in upstream_url("ws://h/x", "a&b=c")  # a hostile id cannot add parameters


@pytest.mark.parametrize("code, page", [(1000, 1000), (1001, 1001), (1008, 1008), (4000, 4000),
                                        (1006, DROPPED), (1005, DROPPED), (None, DROPPED), (99999, DROPPED)])
def test_close_codes_for_the_page(code: int | None, page: int) -> None:
    assert close_code_for_page(code) == page


def test_only_foundry_endpoints_get_a_token() -> None:
    assert needs_token("wss://acct.services.ai.azure.com/api/projects/p/agents/a/endpoint/protocols/invocations_ws")
    assert not needs_token("ws://127.0.0.1:8088/invocations_ws")
    assert not needs_token("wss://evil.example/ai.azure.com")  # the token never leaves for other hosts


async def test_relay_passes_text_audio_and_the_close_code(server) -> None:
    seen: list[str] = []

    def headers(url: str) -> dict[str, str]:
        seen.append(url)
        return {"X-Test": "1"}

    port = free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    stop = asyncio.Event()
    agent_url = f"{server.ws}?api-version=v1"  # a query of its own, as a Foundry URL has: the session id is merged
    task = asyncio.create_task(serve(create_app(agent_url, headers), config, shutdown_trigger=stop.wait))
    try:
        for _ in range(100):
            try:
                conn = await websockets.connect(f"ws://127.0.0.1:{port}/ws?agent_session_id=relay-1")
                break
            except OSError:
                await asyncio.sleep(0.05)
        await conn.send(json.dumps({"type": "session.start", "audio": {"encoding": "pcm16", "sample_rate": 16000}}))
        ready = json.loads(await conn.recv())
        assert ready["type"] == "session.ready" and ready["session_id"] == "relay-1"
        await conn.send(bytes(641))  # odd length: the container's error must come back through the relay
        while (event := json.loads(await asyncio.wait_for(conn.recv(), 10))).get("type") != "error":
            pass
        assert event["code"] == "odd_audio_length"
        await conn.send(json.dumps({"type": "session.end"}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(conn.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
        assert seen == [f"{server.ws}?api-version=v1&agent_session_id=relay-1"]
    finally:
        stop.set()
        await task


def test_samples_web_refuses_a_busy_port_and_a_non_websocket_agent() -> None:
    import socket
    import subprocess
    import sys

    from agent.dev.localserver import REPO

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "agent.cli", "samples", "web", "--port", str(port)],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "agent.cli", "samples", "web", "--agent", "http://example.com"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "must be ws:// or wss://" in done.stderr
    done = subprocess.run([sys.executable, "-m", "agent.cli", "samples", "web", "--agent",
                           "wss://a.services.ai.azure.com/x?authorization=Bearer%20t"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "must not carry an authorization parameter" in done.stderr
