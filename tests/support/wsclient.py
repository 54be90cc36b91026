"""A small test client for /invocations_ws built on the ``websockets`` library.

It reads every agent event through the shared client codec (``agent/wire/client.py``),
so a test fails when the agent sends an event its clients cannot decode; the events are
kept as the JSON received, which is what the tests assert on. ``send`` writes any message,
malformed ones included (the agent's refusals are under test).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from agent.wire import client as codec
from agent.wire.protocol import AudioFormat, SessionStart


class Client:
    def __init__(self, conn: websockets.ClientConnection) -> None:
        self.conn = conn
        self.events: list[dict[str, Any]] = []
        self.audio = bytearray()

    @classmethod
    async def connect(cls, url: str, session_id: str | None = None, **kw: Any) -> "Client":
        if session_id is not None:
            url = codec.session_url(url, session_id)
        return cls(await websockets.connect(url, max_size=None, **kw))

    async def send(self, kind: str, **fields: Any) -> None:
        await self.conn.send(json.dumps({"type": kind, **fields}))

    async def start(self, sample_rate: int = 16000, **fields: Any) -> dict[str, Any]:
        await self.conn.send(codec.encode(SessionStart(AudioFormat("pcm16", sample_rate), **fields)))
        return await self.wait_for("session.ready")

    async def recv(self, timeout: float = 10.0) -> dict[str, Any] | bytes:
        frame = await asyncio.wait_for(self.conn.recv(), timeout)
        if isinstance(frame, bytes):
            self.audio.extend(frame)
            return frame
        body = codec.decode(frame).raw  # raises DecodeError: the agent broke its contract
        self.events.append(body)
        return body

    async def wait_for(self, kind: str, timeout: float = 30.0, **match: Any) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ev = await self.recv(max(0.01, deadline - loop.time()))
            if isinstance(ev, dict) and ev.get("type") == kind and all(ev.get(k) == v for k, v in match.items()):
                return ev

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]

    async def close(self) -> None:
        await self.conn.close()
