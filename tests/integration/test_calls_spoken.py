"""Full spoken calls through a real ``switchboard serve`` with local speech and the real brain.

The caller's words are synthesised at test time (Piper, cached in tests/fixtures/.cache)
and streamed as 20 ms PCM16 frames over /invocations_ws, followed by silence so the
endpointer closes the turn. The container recognises them (faster-whisper), routes them,
fills the task's slots, calls the spawned MCP servers and speaks back; the checks read
the MCP servers' own SQLite stores and the hand-over case store afterwards.

Frames go at real-time pace, as from a phone: in-process the engine takes one utterance
as fast as it is fed (tests/unit/test_speech_engine.py), but through the server at 4x the
start of an utterance was sometimes lost ("The pump, asset A..." heard as "asset of..."),
so faster streaming is not safe here. The caller waits for the agent's audio to finish
before speaking, as a person would, so nothing here is a barge-in. One server (speech
models loaded once) serves the whole module.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any, Callable, Iterator

import numpy as np
import pytest

from agent.dev.localserver import LocalServer
from tests.fixtures.speech import clip, silence
from tests.support.wsclient import Client

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

RATE = 16000
FRAME = RATE // 50  # 20 ms
#: Longer than the endpointer's hold for turns that sound unfinished (1100 ms), so every turn ends.
TRAILING_SILENCE_MS = 1300


@pytest.fixture(scope="module")
def voice_brain_server(tmp_path_factory: pytest.TempPathFactory, seed_knowledge) -> Iterator[LocalServer]:
    # tests/conftest.py's server_factory is per test; this is the same LocalServer, once per module.
    server = seed_knowledge(LocalServer(tmp_path_factory.mktemp("spoken"),
                                        {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": "switchboard"})).start(timeout=180)
    yield server
    server.stop()


async def until(c: Client, after: int, test: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
    """The first event among ``c.events[after:]`` (already received or still to come) that passes ``test``."""
    seen = after
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for ev in c.events[seen:]:
            if test(ev):
                return ev
        seen = len(c.events)
        if loop.time() >= deadline:
            raise TimeoutError(f"no matching event in {timeout}s; got {[e.get('type') for e in c.events[after:]]}")
        try:
            await c.recv(max(0.01, deadline - loop.time()))
        except asyncio.TimeoutError:
            pass


def of_type(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda ev: ev.get("type") == kind and all(ev.get(k) == v for k, v in fields.items())


async def open_call(server: LocalServer, session: str) -> Client:
    c = await Client.connect(server.ws, session, close_timeout=1)
    ready = await c.start(RATE, channel="test")
    assert ready["speech"] is True
    await until(c, 0, of_type("audio.end"))  # the greeting has been heard out
    return c


async def speak(c: Client, text: str) -> int:
    """Say ``text`` then fall silent; returns where this turn's events start in ``c.events``."""
    return await speak_with(c, text, "piper")


async def speak_with(c: Client, text: str, voice: str) -> int:
    """``speak`` in ``voice`` (tests/fixtures/speech.py)."""
    start = len(c.events)
    pcm = np.concatenate([silence(200, RATE), clip(text, RATE, voice), silence(TRAILING_SILENCE_MS, RATE)])
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for n, i in enumerate(range(0, pcm.size, FRAME), start=1):
        await c.conn.send(pcm[i : i + FRAME].tobytes())
        await asyncio.sleep(max(0.0, t0 + n * FRAME / RATE - loop.time()))  # no drift: paced to a clock
    return start


async def answered(c: Client, start: int) -> list[dict[str, Any]]:
    """The turn's events once the agent has finished answering aloud (so the caller may speak)."""
    await until(c, start, of_type("turn.metrics"))
    if any(e.get("type") == "audio.start" for e in c.events[start:]):
        await until(c, start, of_type("audio.end"))
    return c.events[start:]


async def tool_done(c: Client, start: int) -> list[dict[str, Any]]:
    """The turn's events up to its tool call's outcome (without waiting for the spoken result)."""
    await until(c, start, lambda e: e.get("type") == "tool" and e.get("status") in ("ok", "error"))
    return c.events[start:]


async def hang_up(c: Client) -> None:
    """End the call as a phone does: ``session.end``, then gone. The server finishes the sentence it
    is speaking before it answers ``session.ended`` (up to ~10 s here), so the caller does not wait."""
    await c.send("session.end", reason="caller hung up")
    await c.close()


def heard(events: list[dict[str, Any]]) -> list[str]:
    """What the recogniser made of the caller (for failure messages)."""
    return [e["text"] for e in events if e.get("type") == "transcript" and e.get("role") == "caller" and e.get("final")]


def said(events: list[dict[str, Any]]) -> str:
    return " ".join(e["text"] for e in events if e.get("type") == "transcript" and e.get("role") == "agent")


def store(server: LocalServer, name: str) -> sqlite3.Connection:
    return sqlite3.connect(server.data_dir / "mcp" / f"{name}.sqlite")


async def test_spoken_work_order_is_confirmed_and_stored(voice_brain_server: LocalServer) -> None:
    c = await open_call(voice_brain_server, "spoken-wo-1")
    try:
        # A tag starting with "A" is a poor spoken test: Piper may read the letter as the article,
        # which Whisper then hears as "of". H-2120 is the control-room air conditioning at site 12.
        first = await answered(c, await speak(
            c, "The air conditioning unit, asset H two one two zero, at site twelve, is leaking water."))
        route = next(e for e in first if e["type"] == "route")
        assert (route["target"], route["intent"], route["action"]) == ("field_ops", "work_order.create", "route"), \
            heard(first)
        assert "Is that right?" in said(first), (heard(first), said(first))
        assert "site 12" in said(first)
        done = await tool_done(c, await speak(c, "Yes."))
        tools = [e for e in done if e["type"] == "tool"]
        assert [t["status"] for t in tools] == ["started", "ok"], (heard(done), said(done))
        ticket = tools[-1]["result"]["work_order_id"]
    finally:
        await hang_up(c)
    with store(voice_brain_server, "field_ops") as db:
        row = db.execute("SELECT asset_tag, site, summary FROM work_orders WHERE number = ?",
                         (int(ticket.split("-")[1]),)).fetchone()
    assert row[:2] == ("H-2120", 12) and "leak" in row[2].lower()


async def test_spoken_password_reset_with_the_employee_id_said_digit_by_digit(voice_brain_server: LocalServer) -> None:
    c = await open_call(voice_brain_server, "spoken-pw-1")
    try:
        first = await answered(c, await speak(c, "I need to reset my password."))
        assert any(e["type"] == "route" and e["intent"] == "password.reset" for e in first), heard(first)
        assert said(first).endswith("?") and not any(e["type"] == "tool" for e in first), said(first)
        answer = await answered(c, await speak(c, "E one zero four eight two."))
        assert "Is that right?" in said(answer) and "E10482" in said(answer).replace(" ", ""), \
            (heard(answer), said(answer))
        done = await tool_done(c, await speak(c, "Yes, that's right."))
        tools = [e for e in done if e["type"] == "tool"]
        assert [t["status"] for t in tools] == ["started", "ok"], (heard(done), said(done))
        request = tools[-1]["result"]["request_id"]
    finally:
        await hang_up(c)
    with store(voice_brain_server, "it_ops") as db:
        row = db.execute("SELECT request_type, requester_id FROM service_requests WHERE number = ?",
                         (int(request.split("-")[1]),)).fetchone()
    assert row == ("password_reset", "E10482")


async def test_spoken_gas_smell_is_handed_over_as_an_emergency_case(voice_brain_server: LocalServer) -> None:
    c = await open_call(voice_brain_server, "spoken-gas-1")
    try:
        start = await speak(c, "I can smell gas at site fourteen.")
        handoff = await until(c, start, of_type("handoff"))
        events = c.events[start:]
    finally:
        await hang_up(c)
    route = next(e for e in events if e["type"] == "route")
    assert (route["target"], route["intent"], route["action"]) == ("human", "safety.emergency", "handoff"), \
        heard(events)
    assert handoff["priority"] == "emergency" and handoff["case_id"]
    with sqlite3.connect(voice_brain_server.data_dir / "cases.sqlite") as db:
        row = db.execute("SELECT session_id, body FROM cases WHERE case_id = ?", (handoff["case_id"],)).fetchone()
    assert row is not None and row[0] == "spoken-gas-1"
    assert json.loads(row[1])["priority"] == "emergency"
