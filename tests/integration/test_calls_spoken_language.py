"""A caller who opens in another language, through a real ``switchboard serve``.

The caller's words are spoken by espeak-ng's Spanish voice and streamed at real-time pace;
the container must hear that they are not English, tell the caller so in Spanish (then in
English), and hand the call over with the language on the case. Both set-ups: the default
(tiny.en recognises, Whisper base names the language on the first turns) and base alone.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterator

import pytest

from agent.dev.localserver import LocalServer
from tests.integration.test_calls_spoken import hang_up, heard, of_type, open_call, said, speak_with, until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture(scope="module", params=["tiny.en", "base"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           seed_knowledge) -> Iterator[LocalServer]:
    server = seed_knowledge(LocalServer(tmp_path_factory.mktemp("spoken-language"),
                                        {"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": "switchboard",
                                         "SWITCHBOARD_STT_MODEL": request.param})).start(timeout=180)
    yield server
    server.stop()


async def test_a_spanish_opener_is_answered_in_spanish_and_handed_over_with_the_language(
        server: LocalServer) -> None:
    c = await open_call(server, "spoken-es-1")
    try:
        start = await speak_with(c, "Buenos días, necesito ayuda con mi cuenta de correo.", "espeak:es+m3:170:40")
        handoff = await until(c, start, of_type("handoff"), timeout=60)
        events = c.events[start:]
    finally:
        await hang_up(c)
    assert "Le paso con una persona" in said(events), (heard(events), said(events))
    assert "Spanish" in handoff["reason"]
    with sqlite3.connect(server.data_dir / "cases.sqlite") as db:
        body = json.loads(db.execute("SELECT body FROM cases WHERE case_id = ?", (handoff["case_id"],)).fetchone()[0])
    assert body["language"] == "es" and body["trigger"] == "language"
    caller = [t for t in body["transcript"] if t["role"] == "caller"]
    assert caller[0]["language"] == "es"  # the caller's turn is marked too
