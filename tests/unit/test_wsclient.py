"""Frames written straight to a websockets client connection reach a real server whole and in order."""

from __future__ import annotations

import asyncio
import json

import websockets

from agent.transport.wsclient import send_messages, write_now
from agent.transport.wsframes import MaskKeys, encode_client_messages


def test_written_frames_arrive_in_order_and_writing_yields_to_websockets_when_it_must() -> None:
    async def go() -> None:
        got: list[bytes | str] = []
        closed = asyncio.Event()

        async def handler(ws: websockets.ServerConnection) -> None:
            async for message in ws:
                got.append(message)
            closed.set()

        async with websockets.serve(handler, "127.0.0.1", 0, compression=None) as server:
            port = server.sockets[0].getsockname()[1]
            async with websockets.connect(f"ws://127.0.0.1:{port}", compression=None) as ws:
                masks = MaskKeys()
                for i in range(50):
                    messages: list[bytes | str] = [bytes([i]) * 640]
                    if i % 10 == 9:
                        messages.append(json.dumps({"type": "ping", "id": str(i)}))
                    assert write_now(ws, encode_client_messages(messages, masks))
                await ws.send("via websockets")  # mixed with websockets' own sends, still in order
                ws.paused = True  # back-pressure: the caller must go through ws.send (and drain)
                assert not write_now(ws, b"\x82\x80\0\0\0\0")
                ws.paused = False
                await send_messages(ws, (b"last", "end"), masks)
            assert not write_now(ws, b"\x82\x80\0\0\0\0")  # closed: nothing written
            await asyncio.wait_for(closed.wait(), 5)
        audio = [m for m in got if isinstance(m, bytes)]
        assert audio == [bytes([i]) * 640 for i in range(50)] + [b"last"]
        texts = [m for m in got if isinstance(m, str)]
        assert texts == [json.dumps({"type": "ping", "id": str(i)}) for i in range(9, 50, 10)] + ["via websockets", "end"]
        assert got[10] == texts[0]  # the ping right after the frame it follows

    asyncio.run(go())
