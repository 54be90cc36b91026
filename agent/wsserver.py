"""The WebSocket protocol the container is served with: uvicorn's sans-I/O ``websockets``.

Two gaps in uvicorn 0.54 are closed here, both reachable by a hostile client:
a handshake that ``websockets`` refuses (a request line over its limit, say) is
answered by ``websockets`` but never written out, so the client hangs until its own
timeout; and shutting down while such a handshake is pending trips an assertion.
"""

from __future__ import annotations

import websockets.http11
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

#: Query strings carry the session id (and, behind some proxies, a token): allow 16 KiB,
#: so that an over-long id is refused by the session with close 1008 and a reason rather
#: than by the HTTP parser. Longer request lines get HTTP 414.
MAX_REQUEST_LINE = 16 * 1024
websockets.http11.MAX_LINE_LENGTH = max(websockets.http11.MAX_LINE_LENGTH, MAX_REQUEST_LINE)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.handshake_exc is not None and not self.transport.is_closing():
            self.transport.write(b"".join(self.conn.data_to_send()))  # the 400/414/431 websockets wrote
            self.transport.close()

    def shutdown(self) -> None:
        if not self.handshake_complete and self.conn.handshake_exc is not None:
            self.transport.close()  # already answered above; uvicorn would answer twice and assert
            return
        super().shutdown()
