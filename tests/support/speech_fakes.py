"""A speech engine for in-process tests: it hears nothing and speaks 100 ms of silence per sentence.

Subclass ``QuietChannel`` to script what the recogniser reports (override ``feed``), and name the
subclass in ``QuietSpeech.channel``.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator


class QuietChannel:
    def __init__(self, sample_rate: int, on_event: Any) -> None:
        self.sample_rate = sample_rate
        self._on_event = on_event

    async def feed(self, pcm: bytes) -> None:
        pass

    def set_agent_speaking(self, speaking: bool) -> None:
        pass

    async def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        await asyncio.sleep(0.01)
        yield b"\x00\x00" * (self.sample_rate // 10)

    async def flush(self) -> None:
        pass

    async def close(self) -> None:
        pass


class QuietSpeech:
    name = "quiet"
    channel: type[QuietChannel] = QuietChannel

    async def start(self) -> None:
        pass

    async def ready(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def open(self, sample_rate: int, on_event: Any) -> QuietChannel:
        return self.channel(sample_rate, on_event)
