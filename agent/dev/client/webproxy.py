"""The web sample's server: the page's static files plus a WebSocket relay to the agent.

Browsers cannot put an ``Authorization`` header on a WebSocket upgrade, so the page talks to
``/ws`` here and this relay opens the real connection: to a Foundry endpoint with an Entra
bearer token (``agent.dev.client.auth``), or straight to a local container. Frames are relayed
unchanged both ways; the agent's close code is passed back so the page knows whether to
resume (1001, a drop) or stop (1000, 1008, 1009, 4000).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Callable

import websockets
from starlette.applications import Starlette
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from agent.wire.protocol import MAX_FRAME_BYTES
from agent.wire.client import session_url, upgrade_headers

log = logging.getLogger("switchboard.samples")

WEB_DIR = Path(__file__).resolve().parents[3] / "samples" / "web"
#: What the page sees when the agent's socket ended without a close frame (a drop): resume.
DROPPED = 1012


def upstream_url(agent_url: str, session_id: str | None) -> str:
    """``agent_url`` with the page's ``agent_session_id`` (other query parameters kept)."""
    return session_url(agent_url, session_id or None)


def close_code_for_page(code: int | None) -> int:
    """Codes a server may send on to the browser; 1005/1006 (no close frame) become 'dropped'."""
    if code is None or code in (1005, 1006, 1015) or not (1000 <= code <= 4999):
        return DROPPED
    return code


def create_app(agent_url: str, headers: Callable[[str], dict[str, str]]) -> Starlette:
    """``headers(url)`` gives the upgrade headers for each new agent connection (a fresh token)."""

    async def relay(page: WebSocket) -> None:
        await page.accept()
        url = upstream_url(agent_url, page.query_params.get("agent_session_id"))
        try:
            extra = upgrade_headers(await asyncio.to_thread(headers, url))
            agent = await websockets.connect(url, additional_headers=extra, max_size=MAX_FRAME_BYTES, open_timeout=15)
        except Exception as exc:  # noqa: BLE001 - any failure to reach the agent is reported to the page
            log.warning("cannot reach the agent at %s: %s", agent_url, exc)
            await page.close(code=1011, reason=f"agent unreachable: {type(exc).__name__}"[:120])
            return
        async with agent:
            to_agent = asyncio.create_task(_page_to_agent(page, agent))
            to_page = asyncio.create_task(_agent_to_page(agent, page))
            await asyncio.wait({to_agent, to_page}, return_when=asyncio.FIRST_COMPLETED)
            for task in (to_agent, to_page):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        code = close_code_for_page(agent.close_code) if to_page.done() else 1000
        with contextlib.suppress(Exception):
            await page.close(code=code, reason=(agent.close_reason or "")[:120])

    return Starlette(routes=[
        WebSocketRoute("/ws", relay),
        Mount("/", StaticFiles(directory=WEB_DIR, html=True)),
    ])


async def _page_to_agent(page: WebSocket, agent: websockets.ClientConnection) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            msg = await page.receive()
            if msg["type"] == "websocket.disconnect":
                return
            data = msg.get("bytes") if msg.get("bytes") is not None else msg.get("text")
            if data is not None:
                await agent.send(data)


async def _agent_to_page(agent: websockets.ClientConnection, page: WebSocket) -> None:
    with contextlib.suppress(websockets.ConnectionClosed):
        async for frame in agent:
            if isinstance(frame, bytes):
                await page.send_bytes(frame)
            else:
                await page.send_text(frame)
