"""Every client of the agent (the bridge's link, ``switchboard call``'s Caller, the web relay) builds its
upgrade URL by merging query parameters and sends the Foundry preview header; checked on what a
loopback server actually receives."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import websockets
from hypercorn.asyncio import serve
from hypercorn.config import Config

from agent.wire import protocol
from agent.wire.client import (AgentUrlError, check_agent_url, foundry_ws_url, merge_query, session_url,
                                    upgrade_headers)
from agent.dev.client.caller import Caller, CallError
from agent.dev.client.webproxy import create_app
from agent.dev.localserver import free_port
from bridge.agent_link import AgentLink

#: What a configured agent URL may already carry: a version, repeated keys, a blank value, a fragment.
QUERIED = "?api-version=v1&tag=a&tag=b&empty=#frag"


@pytest.mark.parametrize("url, expected", [
    ("ws://h/x", "ws://h/x?agent_session_id=s1"),
    ("wss://a.services.ai.azure.com/api/projects/p/agents/sb/endpoint/protocols/invocations_ws?api-version=v1",
     "wss://a.services.ai.azure.com/api/projects/p/agents/sb/endpoint/protocols/invocations_ws"
     "?api-version=v1&agent_session_id=s1"),
    ("ws://h/x" + QUERIED, "ws://h/x?api-version=v1&tag=a&tag=b&empty=&agent_session_id=s1"),  # no fragment
    ("ws://h/x?agent_session_id=old&agent_session_id=older&k=v", "ws://h/x?k=v&agent_session_id=s1"),
])
def test_session_id_is_merged_into_any_query(url: str, expected: str) -> None:
    assert session_url(url, "s1") == expected


def test_merge_query_encodes_hostile_values_and_removes_with_none() -> None:
    merged = merge_query("ws://h/x?a=1", {"agent_session_id": "acs:a&b=c?d"})
    assert dict(parse_qsl(urlsplit(merged).query)) == {"a": "1", "agent_session_id": "acs:a&b=c?d"}
    assert merge_query("ws://h/x?a=1&b=2#f", {"a": None}) == "ws://h/x?b=2#f"


@pytest.mark.parametrize("url, problem", [
    ("http://h/x", "ws:// or wss://"),
    ("ws:///x", "ws:// or wss://"),
    ("wss://a.services.ai.azure.com/x?Authorization=Bearer%20t", "authorization"),
    ("wss://a.services.ai.azure.com/api/projects/agents/endpoint/protocols/invocations_ws?agent_name=a",
     "project_name and agent_name"),
])
def test_unusable_agent_urls_are_refused(url: str, problem: str) -> None:
    with pytest.raises(AgentUrlError, match=problem):
        check_agent_url(url)


def test_documented_foundry_shapes() -> None:
    project = "https://acct.services.ai.azure.com/api/projects/ops"
    single = foundry_ws_url(project, "switchboard")
    assert single == ("wss://acct.services.ai.azure.com/api/projects/agents/endpoint/protocols/invocations_ws"
                      "?project_name=ops&agent_name=switchboard")
    assert check_agent_url(single) == single
    assert session_url(single, "acs:c1").endswith("?project_name=ops&agent_name=switchboard&agent_session_id=acs%3Ac1")
    assert foundry_ws_url(project + "/", "sb", "agent") == (
        "wss://acct.services.ai.azure.com/api/projects/ops/agents/sb/endpoint/protocols/invocations_ws?api-version=v1")
    assert upgrade_headers({"Authorization": "Bearer t"}) == {"Foundry-Features": "HostedAgents=V1Preview",
                                                              "Authorization": "Bearer t"}


class Capture:
    """A loopback agent that records each upgrade's path and headers, answers ``session.ready``, then ends."""

    def __init__(self) -> None:
        self.upgrades: list[tuple[str, dict[str, str]]] = []

    async def handler(self, ws: websockets.ServerConnection) -> None:
        self.upgrades.append((ws.request.path, {k.lower(): v for k, v in ws.request.headers.raw_items()}))
        await ws.recv()  # session.start
        await ws.send(protocol.encode(protocol.SessionReady("x", False, protocol.AudioFormat(), False), 1))
        await ws.close(1000)

    def only(self) -> tuple[dict[str, list[str]], dict[str, str]]:
        [(path, headers)] = self.upgrades
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(urlsplit(path).query, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        return query, headers


@pytest.fixture
async def capture():
    cap = Capture()
    async with websockets.serve(cap.handler, "127.0.0.1", 0) as srv:
        cap.url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}/invocations_ws"  # type: ignore[attr-defined]
        yield cap


def _assert_sent(cap: Capture, session_id: str, token: str) -> None:
    query, headers = cap.only()
    assert query == {"api-version": ["v1"], "tag": ["a", "b"], "empty": [""], "agent_session_id": [session_id]}
    assert headers["foundry-features"] == "HostedAgents=V1Preview"
    assert headers["authorization"] == f"Bearer {token}"
    assert not any(k.lower() == "authorization" for k in query)


class _Token:
    async def headers(self) -> dict[str, str]:
        return {"Authorization": "Bearer bridge-token"}


async def noop(_: object) -> None:
    return None


async def test_bridge_link_upgrade(capture: Capture) -> None:
    link = AgentLink(capture.url + QUERIED, "acs:call-1", sample_rate=16000, on_event=noop, on_audio=noop,
                     tokens=_Token(), outage_s=5)
    assert await asyncio.wait_for(link.run(), 10) == 1000
    _assert_sent(capture, "acs:call-1", "bridge-token")


async def test_caller_upgrade(capture: Capture) -> None:
    caller = Caller(capture.url + QUERIED, session_id="call-7", headers={"Authorization": "Bearer cli-token"},
                    on_line=lambda _: None)
    await caller.connect()
    await caller.close()
    _assert_sent(capture, "call-7", "cli-token")
    with pytest.raises(CallError, match="authorization"):
        await Caller(capture.url + "?authorization=t", on_line=lambda _: None).connect()


async def test_web_relay_upgrade(capture: Capture) -> None:
    port = free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    stop = asyncio.Event()
    app = create_app(capture.url + QUERIED, lambda url: {"Authorization": "Bearer relay-token"})
    task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    try:
        for _ in range(100):
            try:
                page = await websockets.connect(f"ws://127.0.0.1:{port}/ws?agent_session_id=web-3")
                break
            except OSError:
                await asyncio.sleep(0.05)
        await page.send(json.dumps({"type": "session.start"}))
        assert json.loads(await asyncio.wait_for(page.recv(), 10))["type"] == "session.ready"
        await page.close()
        _assert_sent(capture, "web-3", "relay-token")
    finally:
        stop.set()
        await task


def test_the_bridge_refuses_to_start_with_an_unusable_agent_url(tmp_path) -> None:
    from bridge.app import create_app as create_bridge
    from bridge.config import BridgeSettings, ConfigError

    settings = BridgeSettings(data_dir=tmp_path, secret="s", acs_connection_string="endpoint=https://x/;accesskey=eA==",
                              agent_url="wss://a.services.ai.azure.com/x?authorization=t")
    with pytest.raises(ConfigError, match="SWITCHBOARD_BRIDGE_AGENT_URL: .*authorization"):
        create_bridge(settings, apology=b"")
