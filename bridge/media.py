"""ACS media-streaming frames: parse what ACS sends, encode what we send back.

Pure functions, no I/O. Shapes (the Python SDK has no parser; these follow the Java/JS SDKs):

- in  ``{"kind": "AudioMetadata", "audioMetadata": {"subscriptionId", "encoding", "sampleRate", "channels", "length"}}``
- in  ``{"kind": "AudioData", "audioData": {"data": "<base64 PCM16>", "timestamp", "participantRawID", "silent"}}``
- in  ``{"kind": "DtmfData", "dtmfData": {"data": "5", "timestamp", "participantRawID"}}``
- out ``{"kind": "AudioData", "audioData": {"data": "<base64 PCM16>"}, "stopAudio": null}``
- out ``{"kind": "StopAudio", "audioData": null, "stopAudio": {}}``
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

#: Largest ACS text frame we accept; a 20 ms packet is ~1.3 KB of base64, so 256 KiB is generous.
MAX_ACS_FRAME_CHARS = 256 * 1024
_DTMF = re.compile(r"^[0-9*#A-D]{1,64}$")


class MediaError(ValueError):
    """An ACS media frame we cannot use; the message says why (never echoes the payload)."""


@dataclass(frozen=True)
class AudioMetadata:
    sample_rate: int
    channels: int
    encoding: str


@dataclass(frozen=True)
class AudioIn:
    pcm: bytes
    silent: bool


@dataclass(frozen=True)
class DtmfIn:
    digits: str


AcsFrame = AudioMetadata | AudioIn | DtmfIn


def packet_bytes(sample_rate: int) -> int:
    """Bytes in one 20 ms PCM16 mono packet: 640 at 16 kHz, 960 at 24 kHz."""
    return sample_rate // 50 * 2


def parse(text: str | bytes) -> AcsFrame:
    """Decode one ACS media frame; raises MediaError on anything malformed."""
    if len(text) > MAX_ACS_FRAME_CHARS:
        raise MediaError(f"frame larger than {MAX_ACS_FRAME_CHARS} characters")
    try:
        body = json.loads(text)
    except ValueError:
        raise MediaError("frame is not JSON") from None
    if not isinstance(body, dict):
        raise MediaError("frame is not a JSON object")
    kind = body.get("kind")
    if kind == "AudioData":
        data = _section(body, "audioData")
        raw = data.get("data")
        if not isinstance(raw, str):
            raise MediaError("audioData.data must be a base64 string")
        try:
            pcm = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise MediaError("audioData.data is not valid base64") from None
        if len(pcm) % 2:
            raise MediaError("audioData.data has an odd byte count (not PCM16)")
        return AudioIn(pcm, bool(data.get("silent", False)))
    if kind == "DtmfData":
        digits = _section(body, "dtmfData").get("data")
        if not isinstance(digits, str) or not _DTMF.match(digits):
            raise MediaError("dtmfData.data must be 1-64 of 0-9 * # A-D")
        return DtmfIn(digits)
    if kind == "AudioMetadata":
        meta = _section(body, "audioMetadata")
        rate, channels, encoding = meta.get("sampleRate"), meta.get("channels", 1), meta.get("encoding", "PCM")
        if rate not in (16000, 24000) or channels != 1 or encoding != "PCM":
            raise MediaError("audioMetadata must be PCM, mono, 16000 or 24000 Hz")
        return AudioMetadata(rate, channels, encoding)
    raise MediaError("unknown or missing kind")


def _section(body: dict, key: str) -> dict:
    section = body.get(key)
    if not isinstance(section, dict):
        raise MediaError(f"{key} must be an object")
    return section


def encode_audio(pcm: bytes) -> str:
    """One outgoing AudioData frame (ACS plays it to the caller)."""
    return json.dumps({"kind": "AudioData", "audioData": {"data": base64.b64encode(pcm).decode()}, "stopAudio": None})


STOP_AUDIO = json.dumps({"kind": "StopAudio", "audioData": None, "stopAudio": {}})


class Packetizer:
    """Cuts agent audio of any length into fixed 20 ms packets, carrying the remainder.

    The agent sends 100 ms chunks; ACS wants 20 ms packets. ``flush`` pads the tail
    with silence so the end of an utterance is not lost.
    """

    def __init__(self, sample_rate: int) -> None:
        self.size = packet_bytes(sample_rate)
        self._rest = b""

    def feed(self, pcm: bytes) -> list[bytes]:
        data = self._rest + pcm
        cut = len(data) - len(data) % self.size
        self._rest = data[cut:]
        return [data[i:i + self.size] for i in range(0, cut, self.size)]

    def flush(self) -> list[bytes]:
        if not self._rest:
            return []
        packet, self._rest = self._rest.ljust(self.size, b"\0"), b""
        return [packet]

    def clear(self) -> None:
        self._rest = b""
