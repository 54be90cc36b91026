"""GET /cases and /cases/{id} on a bare Starlette app: bearer auth, bad ids, not found."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from agent.config import Settings
from agent.handoff.service import HandoffService
from agent.contracts.state import CallState

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(settings: Settings) -> TestClient:
    from agent.handoff.routes import case_routes

    return TestClient(Starlette(routes=case_routes(settings)))


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Settings, list[str]]:
    settings = Settings(data_dir=tmp_path, cases_token=TOKEN)

    async def seed() -> list[str]:
        ids = []
        for n, (words, clock) in enumerate([("printer jammed", 1_795_000_000.0), ("gas smell at site 4", 1_795_000_500.0)]):
            svc = HandoffService(settings, clock=lambda c=clock: c)
            state = CallState(session_id=f"s{n}")
            state.add_turn("caller", words)
            ids.append((await svc.escalate(state, reason=words, trigger="t", priority="normal")).case_id)
            await svc.close()
        return ids

    return settings, asyncio.run(seed())


def test_authorised_desk_reads_list_and_case(seeded: tuple[Settings, list[str]]) -> None:
    settings, (older, newer) = seeded
    with _client(settings) as client:
        listing = client.get("/cases", headers=AUTH)
        assert listing.status_code == 200
        assert [c["case_id"] for c in listing.json()["cases"]] == [newer, older]
        assert listing.json()["cases"][0]["summary"].startswith('They first said: "gas smell at site 4"')
        assert "transcript" not in listing.json()["cases"][0]  # the list is an overview
        assert listing.json()["cases"][0]["revision"] == 1  # one history entry: escalated
        assert len(client.get("/cases?limit=1", headers=AUTH).json()["cases"]) == 1

        one = client.get(f"/cases/{older.lower()}", headers=AUTH)  # ids are read out, so case-insensitive
        assert one.status_code == 200 and one.json()["case_id"] == older
        assert one.json()["transcript"][0]["text"] == "printer jammed"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"},
     {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer " + "A" * 100_000}],
    ids=["missing", "wrong", "no-scheme", "basic", "longer", "huge"],
)
def test_wrong_or_missing_token_is_401(seeded: tuple[Settings, list[str]], headers: dict[str, str]) -> None:
    settings, (case_id, _) = seeded
    with _client(settings) as client:
        for path in ("/cases", f"/cases/{case_id}"):
            r = client.get(path, headers=headers)
            assert r.status_code == 401 and r.json()["error"] == "unauthorized"
            assert "printer" not in r.text


def test_no_token_configured_is_503_with_the_reason(seeded: tuple[Settings, list[str]]) -> None:
    settings, (case_id, _) = seeded
    with _client(settings.with_(cases_token=None)) as client:
        r = client.get(f"/cases/{case_id}", headers=AUTH)
        assert r.status_code == 503 and "SWITCHBOARD_CASES_TOKEN" in r.json()["message"]


@pytest.mark.parametrize(
    "path",
    ["/cases/CASE-7F3K2Q'%20OR%201=1--", "/cases/..%5C..%5Cetc%5Cpasswd", "/cases/" + "x" * 5000,
     "/cases/%00", "/cases/CASE-0OIL11"],
)
def test_hostile_case_id_is_400(seeded: tuple[Settings, list[str]], path: str) -> None:
    settings, _ = seeded
    with _client(settings) as client:
        r = client.get(path, headers=AUTH)
        assert r.status_code == 400 and r.json()["error"] == "bad_case_id"
        assert len(r.text) < 400


def test_unknown_case_is_404_and_bad_limit_is_400(seeded: tuple[Settings, list[str]]) -> None:
    settings, _ = seeded
    with _client(settings) as client:
        assert client.get("/cases/CASE-ZZZZZZ", headers=AUTH).status_code == 404
        for limit in ("0", "201", "-1", "ten", "1;DROP"):
            r = client.get(f"/cases?limit={limit}", headers=AUTH)
            assert r.status_code == 400 and r.json()["error"] == "bad_limit"
