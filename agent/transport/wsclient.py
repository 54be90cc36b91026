"""Writing to a ``websockets`` client connection without its per-message machinery.

For the bridge's link to the agent and the benchmarks' load generators, which send
50 audio frames a second per call: ``ClientConnection.send`` wraps each message in an
async context manager and draws its mask key with a system call, together about a third
of the bridge's CPU per caller frame. Frames encoded by ``agent.transport.wsframes`` are written
straight to the socket instead, whenever websockets itself would have nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence

import websockets
from websockets.protocol import State

from agent.transport.wsframes import MaskKeys, encode_client_messages


def write_now(ws: websockets.ClientConnection, frames: bytes) -> bool:
    """Write encoded client frames straight to the socket while nothing stands in the way.

    websockets writes its own frames (pongs, close) as soon as it makes them, so between
    two callbacks nothing of its is pending and these bytes land between whole frames.
    False (nothing written) while the connection is closing or the socket is
    back-pressured: then ``ws.send`` must wait, raise or drain as websockets does.
    """
    if ws.protocol.state is not State.OPEN or ws.paused or ws.transport.is_closing():
        return False
    ws.transport.write(frames)
    return True


async def send_messages(ws: websockets.ClientConnection, messages: Sequence[bytes | str], masks: MaskKeys) -> None:
    """Send ``messages`` in order (bytes binary, str text): one socket write when it can, else ``ws.send`` each."""
    if not write_now(ws, encode_client_messages(messages, masks)):
        for message in messages:
            await ws.send(message)
