"""A newer connection taking a session over while the old one winds down keeps the conversation.

Served in-process (``tests.support.inproc``) so that the store can
be slowed: replaying missed events is what the new connection waits on between claiming
the session and holding its socket, the window in which the old connection's clean-up
once closed the conversation under it (the new connection then failed with 1011).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent.app import create_app
from agent.config import Settings
from agent.store import open_store
from tests.support.inproc import served
from tests.support.wsclient import Client


class SlowReplay:
    """The real store, with replay slowed to widen the take-over window."""

    def __init__(self, store: Any) -> None:
        self._store = store

    async def events_after(self, session_id: str, seq: int) -> list[str] | None:
        await asyncio.sleep(0.3)
        return await self._store.events_after(session_id, seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def test_takeover_while_the_old_connection_winds_down_keeps_the_conversation(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", brain="placeholder", speech_engine="none")
    app, hub = create_app(settings, store=SlowReplay(open_store(settings)))  # type: ignore[arg-type]
    await hub.start()
    async with served(app, hub) as url:
        old = await Client.connect(url, "takeover-1")
        await old.start()
        greeting = await old.wait_for("transcript", role="agent")
        await old.send("input.text", text="first line")
        await old.wait_for("transcript", role="agent", text="You said: first line")

        new = await Client.connect(url, "takeover-1")
        ready = await new.start(last_seq=greeting["seq"])  # the old socket is closed (4000) meanwhile
        assert ready["resumed"] is True
        assert (await new.wait_for("transcript", role="caller"))["text"] == "first line"  # replayed
        await new.send("input.text", text="second line")
        reply = await new.wait_for("transcript", role="agent", text="You said: second line")
        assert reply["seq"] > ready["seq"]
        await asyncio.wait_for(old.conn.wait_closed(), 5)
        assert old.conn.close_code == 4000
        assert hub.live["takeover-1"].conversation is not None  # still the new connection's
        await new.close()
