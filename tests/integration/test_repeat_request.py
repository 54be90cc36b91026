"""A caller who reconnects and repeats a whole request is asked, not given a second ticket.

A real ``switchboard serve`` with the real brain: a work order is created, the socket
drops, the caller resumes by ``last_seq`` and says the same request again.
"""

from __future__ import annotations

import sqlite3
from typing import Iterator

import pytest

from agent.agents.entities import spell_out
from agent.localserver import LocalServer
from tests.support.wsclient import Client

pytestmark = pytest.mark.timeout(180)
REQUEST = ["the pump at site fourteen keeps tripping", "P dash forty five twelve", "urgent"]


@pytest.fixture(scope="module")
def brain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = LocalServer(tmp_path_factory.mktemp("repeat"), {"SWITCHBOARD_BRAIN": "switchboard"}).start()
    yield server
    server.stop()


async def _turn(c: Client, text: str) -> str:
    start = len(c.events)
    await c.send("input.text", text=text)
    await c.wait_for("turn.metrics")
    return " ".join(e["text"] for e in c.events[start:] if e.get("type") == "transcript" and e.get("role") == "agent")


def _work_orders(server: LocalServer) -> list[tuple[str, str]]:
    with sqlite3.connect(server.data_dir / "mcp" / "field_ops.sqlite") as db:
        return db.execute("SELECT number, asset_tag FROM work_orders ORDER BY number").fetchall()


async def _resume(server: LocalServer, session: str, last_seq: int) -> Client:
    c = await Client.connect(server.ws, session)
    ready = await c.start(last_seq=last_seq)
    assert ready["resumed"] is True
    return c


async def test_a_repeated_request_after_a_reconnect_is_confirmed_not_duplicated(brain_server):
    seeded = _work_orders(brain_server)
    c = await Client.connect(brain_server.ws, "repeat-1")
    await c.start()
    await c.wait_for("transcript", role="agent")  # greeting
    said = [await _turn(c, text) for text in REQUEST]
    assert "Is that right?" in said[-1], said
    done = await _turn(c, "yes")
    tickets = _work_orders(brain_server)
    assert len(tickets) == len(seeded) + 1 and "W O, one zero" in done
    last_seq = c.events[-1]["seq"]
    await c.conn.close(code=1001)  # the line drops

    c = await _resume(brain_server, "repeat-1", last_seq)
    said = [await _turn(c, text) for text in REQUEST]
    new = max(tickets)[0]
    assert f"already logged as {spell_out(f'WO-{new}')}" in said[-1] and "another" in said[-1], said
    no = await _turn(c, "no")
    assert "won't log another" in no
    assert _work_orders(brain_server) == tickets  # no second ticket
    await c.close()


async def test_a_caller_who_wants_another_gets_another(brain_server):
    c = await Client.connect(brain_server.ws, "repeat-2")
    await c.start()
    await c.wait_for("transcript", role="agent")
    for text in REQUEST:
        await _turn(c, text)
    await _turn(c, "yes")
    before = _work_orders(brain_server)
    for text in REQUEST:
        said = await _turn(c, text)
    assert "already logged" in said
    await _turn(c, "yes")
    after = _work_orders(brain_server)
    assert len(after) == len(before) + 1  # asked on purpose: a new ticket, with a new idempotency key
