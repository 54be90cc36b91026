"""The WebSocket protocol the container (and the bridge) is served with: uvicorn's sans-I/O ``websockets``.

Two gaps in uvicorn 0.54 are closed here, both reachable by a hostile client:
a handshake that ``websockets`` refuses (a request line over its limit, say) is
answered by ``websockets`` but never written out, so the client hangs until its own
timeout; and shutting down while such a handshake is pending trips an assertion.

Per audio frame, uvicorn spends more than the app does; three costs are cut here, with
behaviour unchanged:
- once the connection is open, frames are parsed by ``agent.transport.wsframes.FrameReader``
  instead of websockets' generator-based parser, and handed to websockets'
  ``recv_frame``, so fragmentation, ping/pong, close and every close code stay its own;
- the receive queue is a plain deque with a waiter (``asyncio.Queue`` looks up the
  running loop on every wait: a ``getpid()`` system call per frame on Python 3.11);
- reading pauses once ``MAX_INBOX_BYTES`` wait for the app, not after every message.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import websockets.http11
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.frames import CloseCode, Opcode
from websockets.protocol import State
from websockets.streams import StreamReader

from agent.transport.wsframes import FrameReader

#: Query strings carry the session id (and, behind some proxies, a token): allow 16 KiB,
#: so that an over-long id is refused by the session with close 1008 and a reason rather
#: than by the HTTP parser. Longer request lines get HTTP 414.
MAX_REQUEST_LINE = 16 * 1024
websockets.http11.MAX_LINE_LENGTH = max(websockets.http11.MAX_LINE_LENGTH, MAX_REQUEST_LINE)

#: Received bytes that may wait for the app before the socket is no longer read (back-pressure).
MAX_INBOX_BYTES = 1 << 20

_AT_EOF = StreamReader.at_eof.__code__


def _size(message: dict[str, Any]) -> int:
    return len(message.get("bytes") or message.get("text") or "")


class Inbox:
    """One connection's ASGI receive events, oldest first, with the bytes they hold."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: deque[dict[str, Any]] = deque()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.size = 0

    def put_nowait(self, message: dict[str, Any]) -> None:
        self._items.append(message)
        self.size += _size(message)
        self._wake_one()

    async def get(self) -> dict[str, Any]:
        while not self._items:
            waiter = self._loop.create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()  # woken, then cancelled: pass the wake-up on
                raise
        message = self._items.popleft()
        self.size -= _size(message)
        return message

    def empty(self) -> bool:
        return not self._items

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


class WebSocketProtocol(WebSocketsSansIOProtocol):
    _frames: FrameReader | None = None
    _stopped = False  # a close frame or a protocol error: later bytes are discarded, as websockets does

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue: Inbox = Inbox(self.loop)  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._frames is None and not self._take_over():
            super().data_received(data)
            if self.conn.handshake_exc is not None and not self.transport.is_closing():
                self.transport.write(b"".join(self.conn.data_to_send()))  # the 400/414/431 websockets wrote
                self.transport.close()
            return
        if self._stopped:
            return
        assert self._frames is not None
        self._frames.feed(data)
        self._read_frames(self._frames)

    def _take_over(self) -> bool:
        """Parse frames ourselves from now on, if websockets' parser sits between two frames."""
        conn = self.conn
        if not self.handshake_complete or conn.state is not State.OPEN or conn.reader.buffer:
            return False
        if conn.extensions:
            return False  # permessage-deflate was negotiated (the servers here turn it off): websockets decodes
        parser = conn.parser
        while parser.gi_yieldfrom is not None:
            parser = parser.gi_yieldfrom
        if parser.gi_code is not _AT_EOF:
            return False  # mid-frame (a client that did not wait for 101): websockets keeps it
        self._frames = FrameReader()
        return True

    def _read_frames(self, frames: FrameReader) -> None:
        conn = self.conn
        try:
            while True:
                frame = frames.next_frame(self._size_limit())
                if frame is None:
                    break
                conn.recv_frame(frame)
                if frame.opcode is Opcode.CLOSE:
                    self._stopped = True
                    break
        except (ProtocolError, UnicodeDecodeError, PayloadTooBig) as exc:
            self._stopped = True
            if isinstance(exc, ProtocolError):
                conn.fail(CloseCode.PROTOCOL_ERROR, str(exc))
            elif isinstance(exc, UnicodeDecodeError):
                conn.fail(CloseCode.INVALID_DATA, f"{exc.reason} at position {exc.start}")
            else:
                exc.set_current_size(conn.current_size)
                conn.fail(CloseCode.MESSAGE_TOO_BIG, str(exc))
            conn.parser_exc = exc
            self.handle_events()  # the frames before the bad one still reach the app
            self.handle_parser_exception()
            return
        self.handle_events()

    def _size_limit(self) -> int | None:
        # As websockets' Protocol.parse: what is left of the message limit, capped by the fragment limit.
        conn = self.conn
        limit = conn.max_message_size
        if limit is not None and conn.current_size is not None:
            limit -= conn.current_size
        if conn.max_fragment_size is not None:
            limit = conn.max_fragment_size if limit is None else min(limit, conn.max_fragment_size)
        return limit

    def send_receive_event_to_app(self) -> None:
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # past websocket.close: dropped, and reading goes on until the peer's close
        if self.curr_msg_data_type == "text":
            try:
                self.queue.put_nowait({"type": "websocket.receive", "text": data.decode()})
            except UnicodeDecodeError:
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        else:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": data})
        if not self.read_paused and self.queue.size > MAX_INBOX_BYTES:
            self.read_paused = True
            self.transport.pause_reading()

    async def receive(self) -> Any:
        message = await self.queue.get()
        if self.read_paused and self.queue.size <= MAX_INBOX_BYTES // 2:
            self.read_paused = False
            self.transport.resume_reading()
        return message

    def shutdown(self) -> None:
        if not self.handshake_complete and self.conn.handshake_exc is not None:
            self.transport.close()  # already answered above; uvicorn would answer twice and assert
            return
        super().shutdown()
