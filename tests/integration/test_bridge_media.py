"""The bridge's media behaviour against a scripted agent on loopback: paced playback, barge-in,
transfers with the case id in custom headers, seq de-duplication on resume, the Entra bearer token.

A scripted agent stands in for the container where the container cannot yet produce the event
(agent audio, ``audio.clear``, ``handoff`` need speech and the real brain); it speaks the same
``/invocations_ws`` protocol (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import websockets

from agent.wire import protocol
from bridge.config import BridgeSettings
from agent.dev.localserver import free_port
from bridge.agent_link import AgentLink, EntraTokenProvider
from bridge.apology import tones
from bridge.simulator import FAKE_CONNECTION_STRING, FakeAcs, LocalBridge

CHUNK = b"\x22\x01" * 1600  # the agent's 100 ms at 16 kHz
BYE = b"\x33\x02" * 1600


class ScriptedAgent:
    """An /invocations_ws server: greets with 1 s of audio; DTMF 9 -> audio.clear; 0/1/2 -> handoff."""

    TARGETS = {"0": "pstn:+14255550100", "1": "teams:8:orgid:6f1c2d7e", "2": "queue:field-dispatch"}

    def __init__(self, greeting_chunks: int = 10) -> None:
        self.greeting_chunks = greeting_chunks
        self.headers: list[dict[str, str]] = []
        self.received: list[dict[str, Any]] = []
        self.audio_in = 0
        self.seq = 0

    async def __aenter__(self) -> "ScriptedAgent":
        self._server = await websockets.serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/invocations_ws"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _event(self, ws, event: protocol.ServerEvent) -> None:
        self.seq += 1
        await ws.send(protocol.encode(event, self.seq))

    async def _handle(self, ws) -> None:
        self.headers.append(dict(ws.request.headers))
        async for frame in ws:
            if isinstance(frame, bytes):
                self.audio_in += 1
                continue
            msg = json.loads(frame)
            self.received.append(msg)
            kind = msg["type"]
            if kind == "session.start":
                await self._event(ws, protocol.SessionReady("s", False, protocol.AudioFormat(), True, self.seq))
                await self._event(ws, protocol.AudioStart("greet"))
                for _ in range(self.greeting_chunks):
                    await ws.send(CHUNK)
                await self._event(ws, protocol.AudioEnd("greet"))
            elif kind == "input.dtmf" and msg["digits"] == "9":
                await self._event(ws, protocol.AudioClear("greet"))
            elif kind == "input.dtmf" and msg["digits"] == "*":  # goodbye: the agent ends the call
                await self._event(ws, protocol.AudioStart("bye"))
                for _ in range(5):
                    await ws.send(BYE)
                await self._event(ws, protocol.AudioEnd("bye"))
                await self._event(ws, protocol.SessionEnded("caller said goodbye"))
                await ws.close(1000)
            elif kind == "input.dtmf" and msg["digits"] in self.TARGETS:
                await self._event(ws, protocol.Handoff(self.TARGETS[msg["digits"]], "CASE-42", "caller asked", "normal"))
            elif kind == "ping":  # transient: not numbered
                await ws.send(protocol.encode(protocol.Pong(msg["id"], self.audio_in, self.seq), None))
            elif kind == "session.end":
                await self._event(ws, protocol.SessionEnded(msg.get("reason") or "caller"))
                await ws.close(1000)

    def results(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == "handoff.result"]


def settings_for(tmp_path, agent_url: str) -> BridgeSettings:
    port = free_port()
    return BridgeSettings(data_dir=tmp_path / "bridge", host="127.0.0.1", port=port, agent_url=agent_url,
                    secret="media-secret", acs_connection_string=FAKE_CONNECTION_STRING,
                    public_url=f"http://127.0.0.1:{port}")


async def test_agent_audio_is_played_in_20ms_packets_at_real_time_pace(tmp_path):
    async with ScriptedAgent(greeting_chunks=10) as agent, \
            LocalBridge(settings_for(tmp_path, agent.url), apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await call.peer.wait_until(lambda: len(call.peer.played) >= 50)
        packets = [pcm for _, pcm in call.peer.played]
        assert all(len(p) == 640 for p in packets)
        assert b"".join(packets) == CHUNK * 10  # every byte, once, in order
        times = [t for t, _ in call.peer.played]
        assert times[-1] - times[0] >= 0.9 * 49 * 0.02  # real time, although the agent sent it all at once
        await call.hang_up()
    assert agent.received[-1] == {"type": "session.end", "reason": "caller hung up"}


async def test_barge_in_sends_stop_audio_and_drops_queued_packets(tmp_path):
    async with ScriptedAgent(greeting_chunks=30) as agent, \
            LocalBridge(settings_for(tmp_path, agent.url), apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await call.peer.wait_until(lambda: len(call.peer.played) >= 10)
        await call.peer.send_dtmf("9")
        await call.peer.wait_until(lambda: call.peer.stops)
        await asyncio.sleep(0.3)
        after = [t for t, _ in call.peer.played if t > call.peer.stops[0]]
        assert after == []  # nothing of the cleared item follows the StopAudio
        assert len(call.peer.played) < 60  # the 3 s item (150 packets) was cut short
        await call.hang_up()


@pytest.mark.parametrize("digit, header_kind", [("0", "sipHeaders"), ("1", "voipHeaders")])
async def test_handoff_transfers_with_the_case_id_and_reports_back(tmp_path, digit, header_kind):
    async with ScriptedAgent() as agent, \
            LocalBridge(settings_for(tmp_path, agent.url), apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await call.peer.send_dtmf(digit)
        await call.peer.wait_until(lambda: bridge.fake.bodies(":transferToParticipant"))
        [body] = bridge.fake.bodies(":transferToParticipant")
        assert body["operationContext"] == "CASE-42"
        assert body["customCallingContext"] == {header_kind: {"X-MS-Custom-CaseId": "CASE-42"}}
        assert f"callConnections/{call.connection_id}:transferToParticipant" in bridge.fake.requests[-1][1]
        assert not agent.results()  # reported only once ACS says how it went
        assert await call.callback("CallTransferAccepted", operationContext="CASE-42") == 200
        await call.peer.wait_until(lambda: agent.results())
        assert agent.results() == [{"type": "handoff.result", "ok": True}]
        await call.hang_up()


async def test_failed_transfers_are_reported_with_a_reason(tmp_path):
    async with ScriptedAgent() as agent, \
            LocalBridge(settings_for(tmp_path, agent.url), fake=FakeAcs(refuse_transfer=True),
                        apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await call.peer.send_dtmf("0")  # ACS refuses the request
        await call.peer.wait_until(lambda: len(agent.results()) == 1)
        await call.peer.send_dtmf("2")  # a queue: not dialable by ACS transfer
        await call.peer.wait_until(lambda: len(agent.results()) == 2)
        first, second = agent.results()
        assert first["ok"] is False and "HttpResponseError" in first["reason"]
        assert second["ok"] is False and "queue" in second["reason"]
        await call.hang_up()


async def test_transfer_failed_callback_reaches_the_agent(tmp_path):
    async with ScriptedAgent() as agent, \
            LocalBridge(settings_for(tmp_path, agent.url), apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await call.peer.send_dtmf("0")
        await call.peer.wait_until(lambda: bridge.fake.bodies(":transferToParticipant"))
        await call.callback("CallTransferFailed", resultInformation={"code": 500, "message": "Target busy"})
        await call.peer.wait_until(lambda: agent.results())
        assert agent.results() == [{"type": "handoff.result", "ok": False, "reason": "Target busy"}]
        await call.hang_up()


async def test_agent_ending_the_call_plays_the_goodbye_then_hangs_up(tmp_path):
    async with ScriptedAgent(greeting_chunks=1) as agent, \
            LocalBridge(settings_for(tmp_path, agent.url), apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await call.peer.wait_until(lambda: len(call.peer.played) >= 5)
        await call.peer.send_dtmf("*")
        await call.peer.wait_until(lambda: any(":terminate" in url for _, url, _, _ in bridge.fake.requests))
        played_at_hang_up = b"".join(pcm for _, pcm in call.peer.played)
        assert played_at_hang_up.endswith(BYE * 5)  # the whole goodbye was heard first
        await call.hang_up()
    assert not [m for m in agent.received if m["type"] == "session.end"]  # the agent ended it, not the caller


class ResumingAgent:
    """First connection: ready, events 2-4 and audio, then close 1001. Second: ready, replays 3-4
    (already seen) and sends 5."""

    def __init__(self) -> None:
        self.starts: list[dict[str, Any]] = []

    async def _transcripts(self, ws, seqs) -> None:
        for seq in seqs:
            await ws.send(protocol.encode(protocol.Transcript("agent", f"t{seq}", True), seq))

    async def handle(self, ws) -> None:
        start = json.loads(await ws.recv())
        self.starts.append(start)
        if len(self.starts) == 1:
            await ws.send(protocol.encode(protocol.SessionReady("acs:resume", False, protocol.AudioFormat(), True, 0), 1))
            await self._transcripts(ws, (2, 3, 4))
            await ws.send(CHUNK)
            await asyncio.sleep(0.1)
            await ws.close(1001, "recycle")
            return
        await ws.send(protocol.encode(protocol.SessionReady("acs:resume", True, protocol.AudioFormat(), True, 5), 6))
        await self._transcripts(ws, (3, 4, 5))
        await ws.send(protocol.encode(protocol.SessionEnded("agent"), 7))
        await ws.close(1000)


async def test_resume_sends_last_seq_and_skips_replayed_events():
    agent = ResumingAgent()
    async with websockets.serve(agent.handle, "127.0.0.1", 0) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/invocations_ws"
        events: list[dict[str, Any]] = []
        audio: list[bytes] = []

        async def on_event(e):
            events.append(e)

        async def on_audio(a):
            audio.append(a)

        link = AgentLink(url, "acs:resume", sample_rate=16000, on_event=on_event, on_audio=on_audio,
                         call_id="c1", caller="4:+1425")
        await asyncio.wait_for(link.run(), 10)
    assert [s.get("last_seq") for s in agent.starts] == [None, 4]
    assert agent.starts[0]["channel"] == "phone" and agent.starts[0]["call_id"] == "c1"
    assert [e.text for e in events if isinstance(e, protocol.Transcript)] == ["t2", "t3", "t4", "t5"]
    assert audio == [CHUNK] and link.stats.events_skipped == 2 and link.stats.reconnects == 1


class FakeCredential:
    """An azure-identity style async credential; records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: Any):
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken("fake-entra-token", 4_000_000_000)


async def test_entra_bearer_token_reaches_the_agent_on_the_upgrade(caplog):
    caplog.set_level(logging.DEBUG)
    credential = FakeCredential()
    async with ScriptedAgent(greeting_chunks=0) as agent:
        async def ignore(_):
            return None

        link = AgentLink(agent.url, "acs:entra", sample_rate=16000, on_event=ignore, on_audio=ignore,
                         tokens=EntraTokenProvider(credential))
        task = asyncio.create_task(link.run())
        while not link.connected:
            await asyncio.sleep(0.01)
        await link.end("test over")
        await task
    assert agent.headers[0]["authorization"] == "Bearer fake-entra-token"
    assert credential.scopes == [("https://ai.azure.com/.default",)]
    assert agent.received[0]["type"] == "session.start"
    bridge_side = [r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")]
    assert not any("fake-entra-token" in m for m in bridge_side)  # the bearer never reaches the logs
