"""The hot-path frame reader against websockets' own parser, and the connection's receive inbox."""

from __future__ import annotations

import asyncio
import os

import pytest
from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from agent.transport.wsframes import FrameReader
from agent.transport.wsserver import Inbox


def _wire(frame: Frame) -> bytes:
    return frame.serialize(mask=True)  # as a client sends it


def _raw(head1: int, payload: bytes) -> bytes:
    """A masked client frame built by hand (zero mask key), for what websockets refuses to serialize."""
    assert len(payload) < 65536
    length = bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    return bytes([head1]) + length + b"\0\0\0\0" + payload


def _websockets_parse(data: bytes, max_size: int | None) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=True, max_size=max_size)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("websockets wanted more bytes")


FRAMES = [
    Frame(Opcode.BINARY, b"\x00\x01" * 320),  # a 20 ms audio frame
    Frame(Opcode.TEXT, '{"type":"ping","id":"1"}'.encode()),
    Frame(Opcode.BINARY, b""),
    Frame(Opcode.BINARY, os.urandom(125)),
    Frame(Opcode.BINARY, os.urandom(126)),  # 16-bit length
    Frame(Opcode.BINARY, os.urandom(70_000)),  # 64-bit length
    Frame(Opcode.TEXT, "héllo".encode(), fin=False),
    Frame(Opcode.CONT, b" world"),
    Frame(Opcode.PING, b"abc"),
    Frame(Opcode.PONG, b""),
    Frame(Opcode.CLOSE, b"\x03\xe8bye"),
]


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f"{f.opcode.name}-{len(f.data)}")
def test_frames_parse_as_websockets_parses_them(frame: Frame) -> None:
    wire = _wire(frame)
    reader = FrameReader()
    reader.feed(wire)
    ours = reader.next_frame(1 << 20)
    assert ours == _websockets_parse(wire, 1 << 20) == frame
    assert type(ours.data) is bytes
    assert reader.next_frame(1 << 20) is None


def test_frames_split_at_every_byte_and_packed_together() -> None:
    stream = b"".join(_wire(f) for f in FRAMES[:5])
    reader, got = FrameReader(), []
    for i in range(len(stream)):  # one byte at a time: no frame before it is complete
        reader.feed(stream[i:i + 1])
        while (frame := reader.next_frame(None)) is not None:
            got.append(frame)
    assert got == FRAMES[:5]
    reader.feed(stream)  # all at once
    assert [reader.next_frame(None) for _ in range(5)] == FRAMES[:5]
    assert reader.next_frame(None) is None


def test_oversize_frame_is_refused_on_its_header() -> None:
    header = _wire(Frame(Opcode.BINARY, b"\0" * (2 << 20)))[:14]  # header + mask, no payload yet
    reader = FrameReader()
    reader.feed(header)
    with pytest.raises(PayloadTooBig) as err:
        reader.next_frame(1 << 20)
    assert "2097152 bytes" in str(err.value) and "1048576 bytes" in str(err.value)


@pytest.mark.parametrize(("wire", "message"), [
    (b"\x83\x80abcd", "invalid opcode"),
    (b"\x82\x03abc", "incorrect masking"),  # an unmasked client frame
    (b"\xc2\x80abcd", "reserved bits must be 0"),
    (_raw(0x89, b"x" * 126), "control frame too long"),
    (_raw(0x09, b"x"), "fragmented control frame"),
])
def test_protocol_violations_raise_what_websockets_raises(wire: bytes, message: str) -> None:
    reader = FrameReader()
    reader.feed(wire)
    with pytest.raises(ProtocolError, match=message):
        reader.next_frame(None)
    with pytest.raises(ProtocolError, match=message):
        _websockets_parse(wire, None)


def test_inbox_keeps_order_counts_bytes_and_survives_a_cancelled_wait() -> None:
    async def go() -> None:
        inbox = Inbox(asyncio.get_running_loop())
        waiting = asyncio.create_task(inbox.get())
        await asyncio.sleep(0)
        inbox.put_nowait({"type": "websocket.receive", "bytes": b"ab"})
        waiting.cancel()  # woken, then cancelled before it ran: the message must stay for the next get
        with pytest.raises(asyncio.CancelledError):
            await waiting
        inbox.put_nowait({"type": "websocket.receive", "text": "xyz"})
        assert inbox.size == 5 and not inbox.empty()
        assert (await inbox.get())["bytes"] == b"ab"
        assert (await inbox.get())["text"] == "xyz"
        assert inbox.size == 0 and inbox.empty()
        later = asyncio.create_task(inbox.get())
        await asyncio.sleep(0)
        inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        assert (await asyncio.wait_for(later, 1))["code"] == 1000

    asyncio.run(go())


# --- the protocol: handshake by websockets, then frames by FrameReader --------------------
class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()
        self.closed = False
        self.reading = True
        self.pauses = 0

    def write(self, data: bytes) -> None:  # type: ignore[override]
        self.out += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False
        self.pauses += 1

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 8088)}.get(name, default)


DEFLATE_OFFER = b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
UPGRADE = (b"GET /invocations_ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


def _serve(frames_wire: bytes, chunk: int, max_size: int = 1 << 20,
           deflate: bool = False) -> tuple[list[dict], _Transport]:
    """Run one connection through WebSocketProtocol; the app accepts and records what it receives."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from agent.transport.wsserver import WebSocketProtocol

    async def go() -> tuple[list[dict], _Transport]:
        received: list[dict] = []
        done = asyncio.Event()

        async def app(scope: dict, receive, send) -> None:  # noqa: ANN001
            assert (await receive())["type"] == "websocket.connect"
            await send({"type": "websocket.accept"})
            while True:
                message = await receive()
                received.append(message)
                if message["type"] == "websocket.disconnect":
                    done.set()
                    return

        config = Config(app, ws_max_size=max_size, ws_per_message_deflate=deflate, lifespan="off", log_config=None)
        config.load()
        protocol = WebSocketProtocol(config, ServerState(), {}, _loop=asyncio.get_running_loop())
        transport = _Transport()
        protocol.connection_made(transport)
        protocol.data_received(UPGRADE[:-2] + DEFLATE_OFFER + b"\r\n" if deflate else UPGRADE)
        for _ in range(20):
            await asyncio.sleep(0)  # the app accepts: 101 written, frames are ours from here
        assert transport.out.startswith(b"HTTP/1.1 101")
        for i in range(0, len(frames_wire), chunk):
            protocol.data_received(frames_wire[i:i + chunk])
            await asyncio.sleep(0)
        await asyncio.wait_for(done.wait(), 2)
        # The fast reader takes over after the handshake, unless an extension must decode the frames.
        assert (protocol._frames is None) is deflate
        return received, transport

    return asyncio.run(go())


def test_connection_delivers_messages_in_order_whatever_the_chunking() -> None:
    audio = [os.urandom(640) for _ in range(30)]
    wire = b"".join(_wire(Frame(Opcode.BINARY, a)) for a in audio)
    wire += _wire(Frame(Opcode.TEXT, b'{"type":', fin=False)) + _wire(Frame(Opcode.PING, b"p"))
    wire += _wire(Frame(Opcode.CONT, b'"ping"}')) + _wire(Frame(Opcode.CLOSE, b"\x03\xe8"))
    for chunk in (1, 7, 648, 5000, len(wire)):
        received, transport = _serve(wire, chunk)
        assert [m.get("bytes") for m in received[:30]] == audio
        assert received[30] == {"type": "websocket.receive", "text": '{"type":"ping"}'}  # fragments joined
        assert received[31]["type"] == "websocket.disconnect" and received[31]["code"] == 1000
        body = bytes(transport.out).split(b"\r\n\r\n", 1)[1]
        assert body.startswith(b"\x8a\x01p")  # the pong, then the close echoed
        assert b"\x88\x02\x03\xe8" in body and transport.closed
        assert transport.pauses == 0  # small messages never stop the socket being read


def test_reading_pauses_while_a_megabyte_waits_for_the_app_and_resumes_after() -> None:
    big = [os.urandom(300_000) for _ in range(5)]
    wire = b"".join(_wire(Frame(Opcode.BINARY, b)) for b in big) + _wire(Frame(Opcode.CLOSE, b"\x03\xe8"))
    received, transport = _serve(wire, len(wire))  # all in one read: the app cannot keep up
    assert [m.get("bytes") for m in received[:5]] == big
    assert transport.pauses == 1 and transport.reading


def test_bad_frame_closes_1002_after_delivering_the_frames_before_it() -> None:
    wire = _wire(Frame(Opcode.BINARY, b"ok")) + _raw(0xC2, b"rsv1 set")
    received, transport = _serve(wire, len(wire))
    assert received[0]["bytes"] == b"ok"
    assert received[1]["type"] == "websocket.disconnect" and received[1]["code"] == 1002
    assert b"\x88" in bytes(transport.out).split(b"\r\n\r\n", 1)[1] and transport.closed


def test_oversize_frame_closes_1009_before_its_payload_arrives() -> None:
    header = _wire(Frame(Opcode.BINARY, b"\0" * 4096))[:8]
    received, transport = _serve(header, len(header), max_size=1024)
    assert received[0]["type"] == "websocket.disconnect" and received[0]["code"] == 1009
    assert b"\x03\xf1" in bytes(transport.out)  # 1009 in the close frame sent


@pytest.mark.parametrize("payload", [b"", b"x" * 125, b"\x01\x02" * 320, os.urandom(126), os.urandom(70_000)],
                         ids=len)
@pytest.mark.parametrize("text", [False, True])
def test_encoded_client_frames_parse_back_with_both_parsers(payload: bytes, text: bool) -> None:
    from agent.transport.wsframes import MaskKeys, encode_client_frame

    mask = MaskKeys().next()
    wire = encode_client_frame(payload, text=text, mask=mask)
    assert wire[(2 if len(payload) < 126 else 4 if len(payload) < 65536 else 10):][:4] == mask
    expected = Frame(Opcode.TEXT if text else Opcode.BINARY, payload)
    assert _websockets_parse(wire, None) == expected
    reader = FrameReader()
    reader.feed(wire)
    assert reader.next_frame(None) == expected


def test_mask_keys_are_fresh_four_byte_keys() -> None:
    from agent.transport.wsframes import MaskKeys

    masks = MaskKeys()
    keys = [masks.next() for _ in range(3 * MaskKeys.BATCH)]  # across refills
    assert all(len(k) == 4 for k in keys)
    assert len(set(keys)) > 0.99 * len(keys)


def test_permessage_deflate_frames_are_left_to_websockets() -> None:
    from websockets.extensions.permessage_deflate import PerMessageDeflate

    deflate = PerMessageDeflate(False, False, 12, 12)  # as uvicorn's server offer negotiates it
    wire = Frame(Opcode.TEXT, b'{"type":"ping","id":"1"}' * 20).serialize(mask=True, extensions=[deflate])
    assert wire[0] & 0b01000000  # RSV1: compressed
    received, _ = _serve(wire + _wire(Frame(Opcode.CLOSE, b"\x03\xe8")), 64, deflate=True)
    assert received[0] == {"type": "websocket.receive", "text": '{"type":"ping","id":"1"}' * 20}
    assert received[1]["code"] == 1000
