"""The container's side of the warm hand-over, with the real brain over /invocations_ws.

The handoff event carries the legs to dial and the spoken briefing; a failed transfer
offers the next target from the targets file and "yes" hands over to it (same case);
the recording state the bridge reports lands on the case.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Iterator

import pytest

from agent.dev.localserver import LocalServer
from tests.support.wsclient import Client

pytestmark = pytest.mark.timeout(180)
TOKEN = "warm-test-token-1234567890"


@pytest.fixture(scope="module")
def brain_server(tmp_path_factory: pytest.TempPathFactory, seed_knowledge) -> Iterator[LocalServer]:
    server = seed_knowledge(LocalServer(tmp_path_factory.mktemp("warm"), {"SWITCHBOARD_BRAIN": "switchboard",
                                                                         "SWITCHBOARD_CASES_TOKEN": TOKEN})).start()
    yield server
    server.stop()


def case(server: LocalServer, case_id: str) -> dict:
    request = urllib.request.Request(f"{server.http}/cases/{case_id}", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


async def turn(c: Client, text: str) -> list[dict]:
    start = len(c.events)
    await c.send("input.text", text=text)
    await c.wait_for("turn.metrics")
    return c.events[start:]


async def test_failed_warm_transfer_offers_the_next_target_then_hands_over_to_it(brain_server: LocalServer) -> None:
    c = await Client.connect(brain_server.ws, "warm-1")
    await c.start(channel="phone")
    await c.wait_for("transcript", role="agent")
    await c.send("call.recording", state="recording", recording_id="rec-42")
    await turn(c, "the pump at site fourteen keeps tripping")
    events = await turn(c, "I want to speak to a person")
    first = next(e for e in events if e["type"] == "handoff")
    assert first["legs"] and first["legs"][0]["target"] == first["target"]
    assert {"name", "mode", "ring_s"} <= set(first["legs"][0])
    assert first["briefing"].startswith("Switchboard hand-over") and "site 14" in first["briefing"]

    await c.send("handoff.result", ok=False, reason="field dispatch: Call declined by the callee.")
    offer = await c.wait_for("transcript", role="agent")
    assert "didn't pick up" in offer["text"] and "Shall I try" in offer["text"]
    events = await turn(c, "yes please")
    second = next(e for e in events if e["type"] == "handoff")
    assert second["case_id"] == first["case_id"] and second["target"] != first["target"]

    stored = case(brain_server, first["case_id"])
    assert stored["recording"] == {"state": "recording", "id": "rec-42"}
    assert stored["brief"] and stored["target"] == second["target"]
    # Escalating again keeps the history: the first hand-over, its failure, then the next target.
    assert [(h["event"], h.get("target")) for h in stored["history"]] == [
        ("escalated", first["target"]), ("transfer_failed", None), ("escalated", second["target"])]
    await c.close()


async def test_bad_recording_reports_are_refused_with_a_clear_error(brain_server: LocalServer) -> None:
    c = await Client.connect(brain_server.ws, "warm-2")
    await c.start(channel="phone")
    for bad, says in (({"state": "maybe"}, "'state' must be one of"),
                      ({"state": "recording"}, "'recording_id' is required"),
                      ({"state": "declined", "recording_id": "x"}, "'recording_id' is required"),
                      ({"state": "recording", "recording_id": 7}, "'recording_id' must be a string")):
        await c.send("call.recording", **bad)
        error = await c.wait_for("error")
        assert error["code"] == "bad_message" and says in error["message"]
        c.events.clear()
    await c.close()
