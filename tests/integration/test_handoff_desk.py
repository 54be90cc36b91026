"""The desk page (GET /desk) in a real headless Chromium against a real container.

Cases are written by the real ``HandoffService`` into the container's own case store
(the same SQLite file); the page reads them with the cases token and must show a new
case (summary, transcript, entities, tools, route, priority, recording state) while
its transfer is still pending, then follow its status.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

import pytest

from agent.config import Settings
from agent.handoff.service import HandoffService
from tests.integration.test_handoff_service import field_call
from tests.integration.test_web_sample import CHROMIUM, open_chromium

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")]

TOKEN = "desk-test-token-1234567890"


async def desk_state(page) -> dict:
    return json.loads(await page.eval("JSON.stringify(window.desk || {})"))


async def until(page, what: str, check, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        state = await desk_state(page)
        if check(state):
            return state
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}: {json.dumps(state)[:2000]}")


async def text_of(page, element_id: str) -> str:
    return await page.eval(f"(document.getElementById({element_id!r}) || {{}}).textContent || ''")


async def test_desk_shows_a_new_case_before_the_transfer_completes(server_factory, tmp_path):
    server = server_factory({"SWITCHBOARD_CASES_TOKEN": TOKEN})
    page_html = urllib.request.urlopen(f"{server.http}/desk", timeout=10)
    assert page_html.headers["Cache-Control"] == "no-store" and b"window.desk" in page_html.read()
    # The data stays behind the token.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.http}/cases", timeout=10)
    assert refused.value.code == 401

    service = HandoffService(Settings(data_dir=server.data_dir))
    try:
        async with open_chromium(f"{server.http}/desk#token={TOKEN}", tmp_path) as page:
            await until(page, "a first poll", lambda s: s.get("polls", 0) >= 1)
            assert (await desk_state(page))["order"] == []
            assert "token=" not in await page.eval("location.href")  # the fragment is dropped from the URL bar

            state = field_call()
            state.add_turn("agent", "I'll raise a work order for pump P-4512.")
            state.tool_attempts = [{"tool": "create_work_order", "server": "field_ops",
                                    "arguments": {"asset": "P-4512"}, "ok": False, "error": "timeout after 5.0 s",
                                    "latency_ms": 5001.0}]
            event = await service.escalate(state, reason="two tool failures", trigger="tool_failures", priority="high")
            shown = await until(page, "the new case", lambda s: event.case_id in s.get("order", []))
            assert shown["cases"][event.case_id]["status"] == "pending"  # the person's phone is still ringing

            brief = await text_of(page, "brief")
            assert "P-4512" in brief and "create work order failed" in brief
            transcript = await page.eval("[...document.querySelectorAll('#transcript .turn')]"
                                         ".map(t => t.className + ': ' + t.textContent)")
            assert "turn caller: Callermy name is Dana Reyes, pump P-4512 at site 12 is leaking" in transcript
            assert any(t.startswith("turn agent: AgentI'll raise a work order") for t in transcript)
            assert "assetP-4512" in await text_of(page, "entities")
            assert "create_work_orderfailedtimeout after 5.0 s5001 ms" in await text_of(page, "tools")
            assert "field_ops / work_order.create (confidence 0.90)" in await text_of(page, "route")
            assert "Priority: high" in await page.eval("document.getElementById('case').textContent")
            assert "not recorded" in await text_of(page, "recording")
            await page.screenshot(tmp_path / "desk.png")

            await service.transfer_result(state, ok=True, reason="briefed")
            await until(page, "the transferred status",
                        lambda s: s["cases"][event.case_id]["status"] == "transferred")
            assert "transferred" in await page.eval("document.querySelector('#list li').textContent")

            # A wrong token: the page says so and shows nothing new.
            await page.eval("sessionStorage.setItem('casesToken', 'wrong'); true")
            errors = (await desk_state(page))["errors"]
            await until(page, "a refused poll", lambda s: s["errors"] > errors)
            assert "401" in await text_of(page, "status")
    finally:
        await service.close()
