"""The container app served in this event loop: uvicorn with the container's WebSocket protocol, on loopback.

For tests that need to reach into the running container (its hub, its store, its spans) while
real clients talk to it over real sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator

import uvicorn

from agent.dev.localserver import free_port
from agent.transport.wsserver import WebSocketProtocol


@contextlib.asynccontextmanager
async def served(app: Any, hub: Any) -> AsyncIterator[str]:
    """Serve ``app`` (``hub`` already started); yield its ``/invocations_ws`` URL; shut the hub down after."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ws=WebSocketProtocol, http="httptools",
                                           lifespan="off", log_config=None))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}/invocations_ws"
    finally:
        await hub.shutdown()
        server.should_exit = True
        await asyncio.wait_for(serving, 10)
