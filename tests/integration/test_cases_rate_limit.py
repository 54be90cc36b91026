"""GET /cases on a real ``switchboard serve``: wrong tokens are rate limited per client address,
spoofed forwarding headers do not reset the count, the right token is always served."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from agent.handoff.routes import REFUSAL_BURST

pytestmark = pytest.mark.timeout(120)
TOKEN = "cases-token-for-this-test"


def _get(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_wrong_tokens_are_limited_and_spoofed_forwarding_does_not_help(server_factory):
    server = server_factory({"SWITCHBOARD_CASES_TOKEN": TOKEN})
    url = f"{server.http}/cases"
    burst = int(REFUSAL_BURST)
    statuses = [_get(url, {"Authorization": f"Bearer guess-{i}", "X-Forwarded-For": f"198.51.100.{i}"})
                for i in range(burst + 3)]
    assert statuses == [401] * burst + [429] * 3
    assert _get(url, {"Authorization": f"Bearer {TOKEN}"}) == 200  # the desk with the token is never shut out
    assert _get(url, {}) == 429


def test_behind_a_configured_proxy_each_client_has_its_own_budget(server_factory):
    server = server_factory({"SWITCHBOARD_CASES_TOKEN": TOKEN, "SWITCHBOARD_TRUSTED_PROXIES": "127.0.0.1"})
    url = f"{server.http}/cases/CASE-AAAAAA"
    burst = int(REFUSAL_BURST)
    guesser = {"Authorization": "Bearer guess", "X-Forwarded-For": "203.0.113.7"}
    assert [_get(url, guesser) for _ in range(burst + 1)] == [401] * burst + [429]
    assert _get(url, {"Authorization": "Bearer typo", "X-Forwarded-For": "203.0.113.8"}) == 401
