"""Recording consent on phone calls through the bridge and the ACS simulator.

On: the consent prompt is played to the call, then recording starts with Call Automation
(``start_recording`` on the call's server call id) unless the caller keys the opt-out
digit, and the agent is told (for the case). Off: no prompt, nothing recorded.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

from bridge import auth
from bridge.apology import tones
from bridge.simulator import FakeAcs, LocalBridge, ScriptedAgent
from tests.integration.test_bridge_calls import bridge_settings

PROMPT = "This call is recorded. Press 2 to continue without recording."


async def until(predicate, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def reports(agent: ScriptedAgent) -> list[dict]:
    return [m for m in agent.received if m["type"] == "call.recording"]


async def test_consent_prompt_then_recording_with_its_id_reported(tmp_path):
    fake = FakeAcs()
    greeting = b"\x11\x00" * 1600  # 100 ms of agent speech, sent the moment the session is ready
    async with ScriptedAgent([], greeting=greeting) as agent:
        settings = bridge_settings(tmp_path, agent.url, recording="on", consent_prompt=PROMPT,
                                   consent_window_s=0.3)
        async with LocalBridge(settings, fake=fake, apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            await until(lambda: fake.bodies(":play"))
            [prompt] = fake.bodies(":play")
            assert prompt["playSources"][0]["text"]["text"] == PROMPT and prompt["playTo"] == []  # everyone
            assert prompt["operationContext"] == "consent" and not fake.bodies("/calling/recordings")
            await asyncio.sleep(0.3)
            assert call.peer.played == []  # the greeting waits: the caller hears the prompt alone
            await call.callback("PlayCompleted", operationContext="consent")
            await until(lambda: reports(agent))
            await until(lambda: sum(len(pcm) for _, pcm in call.peer.played) >= len(greeting))
            assert b"".join(pcm for _, pcm in call.peer.played)[:len(greeting)] == greeting
            [start] = fake.bodies("/calling/recordings")
            assert start["callLocator"] == {"serverCallId": "server-conn-1", "kind": "serverCallLocator"}
            # The call's own callback endpoint, with a token of its own for this call (signed when the media connects,
            # so its expiry may be a second later than the answer's: compared by what it opens, not character by character).
            url, _, token = start["recordingStateCallbackUri"].partition("?token=")
            assert url == call.callback_url.partition("?token=")[0] and token
            auth.check_token(bridge.settings.secret, call.call_id, unquote(token))
            assert (start["recordingContentType"], start["recordingChannelType"], start["recordingFormatType"]) == (
                "audio", "mixed", "wav")
            [report] = reports(agent)
            assert report["state"] == "recording" and report["recording_id"].startswith("rec-")
            record = await bridge.app.state.bridge.store.get(call.call_id)
            assert (record.recording, record.recording_id) == ("recording", report["recording_id"])
            await call.hang_up()


async def test_opt_out_key_records_nothing_and_is_not_a_caller_turn(tmp_path):
    fake = FakeAcs()
    async with ScriptedAgent([]) as agent:
        settings = bridge_settings(tmp_path, agent.url, recording="on", consent_window_s=5.0)
        async with LocalBridge(settings, fake=fake, apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            await until(lambda: fake.bodies(":play"))
            await call.peer.send_dtmf("2")  # while the prompt plays
            await call.callback("PlayCompleted", operationContext="consent")
            await until(lambda: reports(agent))
            await call.peer.send_dtmf("2")  # after the decision the same key is an ordinary caller key
            await until(lambda: any(m["type"] == "input.dtmf" for m in agent.received))
            assert reports(agent) == [{"type": "call.recording", "state": "declined"}]
            assert [m["digits"] for m in agent.received if m["type"] == "input.dtmf"] == ["2"]
            assert not fake.bodies("/calling/recordings")
            assert (await bridge.app.state.bridge.store.get(call.call_id)).recording == "declined"
            await call.hang_up()


async def test_recording_off_plays_no_prompt_and_records_nothing(tmp_path):
    fake = FakeAcs()
    async with ScriptedAgent([]) as agent:
        async with LocalBridge(bridge_settings(tmp_path, agent.url), fake=fake, apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            await call.peer.send_dtmf("5")
            await until(lambda: any(m["type"] == "input.dtmf" for m in agent.received))
            assert not fake.bodies(":play") and not fake.bodies("/calling/recordings") and not reports(agent)
            assert (await bridge.app.state.bridge.store.get(call.call_id)).recording == "off"
            await call.hang_up()
