"""Speculative replies on spoken calls through a real ``switchboard serve`` (local speech, real brain).

A reply prepared during the end-of-turn silence is played when the turn ends with the same
words (``turn.metrics.speculative``); the read-back "yes", whose reply is a tool call that
creates a ticket, is never answered ahead: exactly one work order is made, after the
endpoint, on a call that goes straight on and on one resumed on a new connection in between (from
the state the adopted reply left).
The checks read the MCP server's own store. Same clips and pacing as tests/integration/test_calls_spoken.py.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from agent.dev.localserver import LocalServer
from tests.integration.test_calls_spoken import (RATE, answered, hang_up, heard, of_type, said, speak, store,
                                                 tool_done, until)
from tests.support.wsclient import Client

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

REQUEST = "The air conditioning unit, asset H two one two zero, at site twelve, is leaking water."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seed_knowledge) -> Iterator[LocalServer]:
    server = seed_knowledge(LocalServer(tmp_path_factory.mktemp("speculative"),
                                        {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": "switchboard",
                                         "SWITCHBOARD_SPECULATIVE_REPLY": "true"})).start(timeout=180)
    yield server
    server.stop()


async def greeted(server: LocalServer, session: str) -> Client:
    c = await Client.connect(server.ws, session, close_timeout=1)
    await c.start(RATE, channel="test")
    await until(c, 0, of_type("audio.end"))  # the greeting has been heard out
    return c


def work_orders(server: LocalServer) -> int:
    if not (server.data_dir / "mcp" / "field_ops.sqlite").exists():
        return 0  # the tool server makes its store on first use
    with store(server, "field_ops") as db:
        # The seed has a work order for H-2120 too (not a leak).
        return db.execute("SELECT COUNT(*) FROM work_orders WHERE asset_tag = 'H-2120' "
                          "AND lower(summary) LIKE '%leak%'").fetchone()[0]


@pytest.mark.parametrize("resume", [False, True], ids=["same connection", "resumed"])
async def test_a_spoken_request_is_answered_ahead_and_its_read_back_yes_makes_one_ticket(
        server: LocalServer, resume: bool) -> None:
    before = work_orders(server)
    session = f"speculative-{resume}"
    c = await greeted(server, session)
    try:
        first = await answered(c, await speak(c, REQUEST))
        assert "Is that right?" in said(first), (heard(first), said(first))
        metrics = next(e for e in first if e["type"] == "turn.metrics")
        assert metrics["speculative"] is True, (heard(first), metrics)  # prepared in the silence, then played
        types = [e["type"] for e in first]
        assert types.index("route") < types.index("audio.start") and types.count("route") == 1
        if resume:
            # The line drops (a platform recycle); the caller comes back on a new connection and answers
            # aloud. A short first answer on a new connection used to be heard as nothing.
            last_seq = max(e["seq"] for e in c.events if "seq" in e)
            await c.conn.close(code=1001)
            c = await Client.connect(server.ws, session, close_timeout=1)
            assert (await c.start(RATE, channel="test", last_seq=last_seq))["resumed"] is True
        start = await speak(c, "Yes.")
        done = await tool_done(c, start)
        assert [t["status"] for t in done if t["type"] == "tool"] == ["started", "ok"], (heard(done), said(done))
        end = await answered(c, start)
        assert next(e for e in end if e["type"] == "turn.metrics").get("speculative") is not True
    finally:
        await hang_up(c)
    assert work_orders(server) == before + 1  # exactly one ticket, made after the endpoint
