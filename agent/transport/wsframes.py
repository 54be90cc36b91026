"""Client WebSocket frames on the hot path: parsed from a plain buffer (server side), encoded (client side).

websockets' sans-I/O parser reads every frame through a chain of generators
(``Protocol.parse`` -> ``Frame.parse`` -> ``StreamReader.read_exact``), which was about a
quarter of the container's CPU per 20 ms audio frame. ``FrameReader`` makes the same
checks in the same order as ``Frame.parse`` (RFC 6455 section 5: opcode, client masking,
length, size limit before the payload is buffered, reserved bits, control-frame rules)
and returns websockets' own ``Frame`` objects, so the connection's state machine
(fragmentation, ping, close) stays websockets' ``Protocol.recv_frame``.

``encode_client_frame`` is the other direction, for the bridge's link to the agent:
websockets' client draws every frame's mask key with a ``getrandom()`` system call
and wraps each send in an async context manager; ``MaskKeys`` draws them 1024 at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.frames import Frame, Opcode, apply_mask

_OPCODES = {op.value: op for op in Opcode}


class FrameReader:
    """Feed bytes as they arrive; take complete frames out one at a time.

    One at a time because the size limit of the next frame depends on what the
    connection has already received of a fragmented message.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    def next_frame(self, max_size: int | None) -> Frame | None:
        """The next complete frame, or None until more bytes arrive.

        Raises ProtocolError or PayloadTooBig exactly where ``Frame.parse`` would.
        """
        buf = self._buf
        have = len(buf)
        if have < 2:
            return None
        head1, head2 = buf[0], buf[1]
        opcode = _OPCODES.get(head1 & 0b00001111)
        if opcode is None:
            raise ProtocolError("invalid opcode")
        if not head2 & 0b10000000:
            raise ProtocolError("incorrect masking")  # a client must mask every frame
        length, start = head2 & 0b01111111, 2
        if length == 126:
            if have < 4:
                return None
            length, start = int.from_bytes(buf[2:4], "big"), 4
        elif length == 127:
            if have < 10:
                return None
            length, start = int.from_bytes(buf[2:10], "big"), 10
        if max_size is not None and length > max_size:
            raise PayloadTooBig(length, max_size)  # refused on the header, never buffered whole
        end = start + 4 + length
        if have < end:
            return None
        data = apply_mask(buf[start + 4:end], bytes(buf[start:start + 4]))
        del buf[:end]
        frame = Frame(opcode, data, bool(head1 & 0b10000000),
                      bool(head1 & 0b01000000), bool(head1 & 0b00100000), bool(head1 & 0b00010000))
        frame.check()  # reserved bits, control frames unfragmented and at most 125 bytes
        return frame


def encode_client_frame(payload: bytes, *, text: bool, mask: bytes) -> bytes:
    """One unfragmented, masked client frame (RFC 6455 section 5.2)."""
    n = len(payload)
    head1 = 0x81 if text else 0x82  # FIN + opcode
    if n < 126:
        header = bytes((head1, 0x80 | n))
    elif n < 1 << 16:
        header = bytes((head1, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((head1, 0x80 | 127)) + n.to_bytes(8, "big")
    return header + mask + apply_mask(payload, mask)


def encode_client_messages(messages: Iterable[bytes | str], masks: "MaskKeys") -> bytes:
    """Messages as client frames, back to back: bytes as binary frames, str as text frames."""
    return b"".join(
        encode_client_frame(m.encode() if isinstance(m, str) else m, text=isinstance(m, str), mask=masks.next())
        for m in messages)


class MaskKeys:
    """Unpredictable 4-byte mask keys (RFC 6455 section 5.3) from the OS's random source, in batches."""

    BATCH = 1024

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0

    def next(self) -> bytes:
        if self._at >= len(self._pool):
            self._pool, self._at = os.urandom(4 * self.BATCH), 0
        self._at += 4
        return self._pool[self._at - 4:self._at]
