"""Phone calls through the real bridge to the real container, with ACS simulated at its wire shapes.

The container runs as a subprocess (placeholder brain, no speech: it counts caller audio
frames and answers typed and keyed turns); the bridge runs in-process under Hypercorn with
the real Call Automation SDK over a fake transport.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

import pytest
import websockets

from bridge.config import BridgeSettings
from bridge.apology import ringback, tones
from bridge.simulator import FAKE_CONNECTION_STRING, LocalBridge
from agent.dev.localserver import free_port

FRAME = b"\x10\x00" * 320  # 20 ms of 16 kHz PCM16


def bridge_settings(tmp_path, agent_ws: str, **changes) -> BridgeSettings:
    port = free_port()
    return BridgeSettings(data_dir=tmp_path / "bridge", host="127.0.0.1", port=port, agent_url=agent_ws,
                    secret="test-deployment-secret", acs_connection_string=FAKE_CONNECTION_STRING,
                    public_url=f"http://127.0.0.1:{port}").with_(**changes)


async def replay(agent_ws: str, session_id: str, call_id: str | None = None) -> list[dict]:
    """Every event the container kept for a session (a call's conversation in a pooled one), read back
    by resuming it from seq 0."""
    query = {"agent_session_id": session_id, **({"call_id": call_id} if call_id else {})}
    async with websockets.connect(f"{agent_ws}?{urlencode(query)}") as ws:
        await ws.send(json.dumps({"type": "session.start", "audio": {"encoding": "pcm16", "sample_rate": 16000},
                                  "channel": "test", "last_seq": 0}))
        events = []
        with pytest.raises(asyncio.TimeoutError):
            while True:  # until the replay has gone quiet
                frame = await asyncio.wait_for(ws.recv(), 1.0)
                if isinstance(frame, str):
                    events.append(json.loads(frame))
        return events[1:]  # the first is this connection's own session.ready; the replay follows in seq order


async def stream(peer, frames: int, start: int = 0) -> None:
    """Caller audio at real-time pace, as ACS sends it."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for i in range(frames):
        await peer.send_audio(FRAME)
        await asyncio.sleep(max(0.0, t0 + (i + 1) * 0.02 - loop.time()))


async def test_call_with_dtmf_then_hang_up(server, tmp_path):
    async with LocalBridge(bridge_settings(tmp_path, server.ws), apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        answer = bridge.fake.bodies("callConnections:answer")[0]
        media = answer["mediaStreamingOptions"]
        assert media == {"transportType": "websocket", "audioChannelType": "mixed", "contentType": "audio",
                         "transportUrl": media["transportUrl"], "startMediaStreaming": True,
                         "enableBidirectional": True, "audioFormat": "pcm16KMono", "enableDtmfTones": True}
        assert media["transportUrl"].startswith(f"ws://127.0.0.1:{bridge.settings.port}/acs/media/")
        assert "token=" in media["transportUrl"] and "token=" in answer["callbackUri"]

        await stream(call.peer, 50)
        await call.peer.send_dtmf("5")
        await call.peer.send_dtmf("#")
        await stream(call.peer, 10)
        await asyncio.sleep(0.5)
        await call.hang_up()
        await asyncio.sleep(0.3)

    events = await replay(server.ws, call.agent_session_id)
    keyed = [e["text"] for e in events if e["type"] == "transcript" and e.get("kind") == "dtmf"]
    assert keyed == ["5"]  # the keys are one turn; "#" ended it
    ended = [e for e in events if e["type"] == "session.ended"]
    assert ended and ended[0]["reason"] == "caller hung up" and ended[0]["frames_in"] == 60


async def test_recycle_mid_utterance_loses_no_caller_audio(server_factory, tmp_path):
    first = server_factory()
    # The agent URL carries a query of its own, as a Foundry endpoint does: the session id must still
    # reach the container (merged, not appended as a second '?'), or nothing resumes after the 1001.
    queried = f"{first.ws}?api-version=v1&tag=a&tag=b"
    settings = bridge_settings(tmp_path, queried, gap_buffer_s=30.0, agent_outage_s=60.0)
    total = 150
    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        call = await bridge.place_call()

        async def recycle() -> None:
            await asyncio.sleep(1.0)  # mid-utterance: ~50 frames in
            code = await asyncio.to_thread(first.stop, 15)  # SIGTERM: the container closes sockets with 1001
            assert code == 0
            await asyncio.to_thread(server_factory, port=first.port, data_dir=first.data_dir)

        await asyncio.gather(stream(call.peer, total), recycle())
        link = bridge.app.state.bridge.live[call.call_id].link
        await call.peer.wait_until(lambda: link.stats.frames_acked >= total, timeout=30)
        stats = link.stats
        await call.hang_up()
        await asyncio.sleep(0.3)

    assert stats.reconnects == 1 and stats.frames_dropped == 0
    events = await replay(first.ws, call.agent_session_id)
    ready = [e for e in events if e["type"] == "session.ready"]
    assert len(ready) == 2 and ready[1]["resumed"] is True  # the same session, resumed on the new container
    # What the recycled container confirmed (its pongs) plus what the new one counted covers every frame.
    [old_acked] = stats.acked_at_drops
    assert 0 < old_acked < total  # the recycle really came mid-stream
    new_frames = next(e for e in events if e["type"] == "session.ended")["frames_in"]
    assert old_acked + new_frames == total


async def test_agent_outage_plays_apology_then_transfers_to_fallback(tmp_path):
    dead = f"ws://127.0.0.1:{free_port()}/invocations_ws"  # nothing listens here
    apology = tones(16000)
    settings = bridge_settings(tmp_path, dead, agent_first_connect_s=1.2, fallback_target="pstn:+14255550199")
    async with LocalBridge(settings, apology=apology) as bridge:
        call = await bridge.place_call()
        await stream(call.peer, 20)
        await call.peer.wait_until(lambda: bridge.fake.bodies(":transferToParticipant"), timeout=15)
        played = b"".join(pcm for _, pcm in call.peer.played)
        # Ringback while the first connection waited (cut off at once), then the whole apology.
        cut = played.index(apology)
        assert cut > 0 and played[:cut] == ringback(16000)[:cut] and call.peer.stops
        assert set(played[cut + len(apology):]) <= {0}
        times = [t for t, _ in call.peer.played]
        times = times[cut // 640:]  # the apology's packets
        assert times[-1] - times[0] >= 0.9 * (len(times) - 1) * 0.02  # paced at real time, not a burst
        [transfer] = bridge.fake.bodies(":transferToParticipant")
        assert transfer["targetParticipant"]["phoneNumber"]["value"] == "+14255550199"
        assert transfer["customCallingContext"]["sipHeaders"]["X-MS-Custom-CaseId"].startswith("bridge-fallback-")
        assert await call.callback("CallTransferAccepted") == 200
        await call.callback("CallDisconnected")
        await call.hang_up()


async def test_a_new_session_gets_first_connect_patience_and_the_caller_hears_ringing(server_factory, tmp_path):
    """The agent starts (a cold sandbox) well after the call: longer than the reconnect limit, within the first."""
    port = free_port()
    settings = bridge_settings(tmp_path, f"ws://127.0.0.1:{port}/invocations_ws", agent_outage_s=0.3,
                               agent_first_connect_s=60.0, gap_buffer_s=60.0,
                               fallback_target="pstn:+14255550199")
    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await stream(call.peer, 75)  # 1.5 s of caller audio with no agent at all
        session = bridge.app.state.bridge.live[call.call_id]
        assert session.ringing and session.rings >= 1 and not session.link.first_ready.is_set()
        played = b"".join(pcm for _, pcm in call.peer.played)
        assert played and played == ringback(16000)[:len(played)]  # ringing, not silence
        agent = await asyncio.to_thread(server_factory, port=port)
        await asyncio.wait_for(session.link.first_ready.wait(), 30)
        await stream(call.peer, 25)
        link = session.link
        await call.peer.wait_until(lambda: link.stats.frames_acked >= 100, timeout=30)
        assert not session.ringing and call.peer.stops  # the ring was cut when the agent answered
        assert not bridge.fake.bodies(":transferToParticipant")  # no apology, no fallback
        await call.hang_up()
        await asyncio.sleep(0.3)

    events = await replay(agent.ws, call.agent_session_id)
    assert next(e for e in events if e["type"] == "session.ended")["frames_in"] == 100  # the early audio too


async def test_a_reconnect_gets_the_outage_limit_not_the_first_connect_patience(server_factory, tmp_path):
    agent = server_factory()
    settings = bridge_settings(tmp_path, agent.ws, agent_outage_s=0.6, agent_first_connect_s=60.0,
                               fallback_target="pstn:+14255550199")
    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        link = bridge.app.state.bridge.live[call.call_id].link
        await asyncio.wait_for(link.first_ready.wait(), 15)
        await asyncio.to_thread(agent.stop, 15)  # gone for good
        await call.peer.wait_until(lambda: bridge.fake.bodies(":transferToParticipant"), timeout=15)
        assert link.stats.reconnects == 1
        await call.callback("CallDisconnected")
        await call.hang_up()


async def test_pooled_calls_share_one_session_each_its_own_conversation_across_a_recycle(server_factory, tmp_path):
    """The platform runs one sandbox per pooled session and sets FOUNDRY_AGENT_SESSION_ID in it."""
    first = server_factory({"FOUNDRY_AGENT_SESSION_ID": "pool-0"})
    settings = bridge_settings(tmp_path, first.ws, session_pool=1, gap_buffer_s=30.0,
                               agent_outage_s=60.0)
    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        calls = [await bridge.place_call() for _ in range(3)]
        live = bridge.app.state.bridge.live
        links = [live[c.call_id].link for c in calls]
        assert {link.session_id for link in links} == {"pool-0"}
        for link in links:
            await asyncio.wait_for(link.first_ready.wait(), 15)
        for i, call in enumerate(calls):
            await call.peer.send_dtmf(str(i + 1))
            await call.peer.send_dtmf("#")

        async def recycle() -> None:
            await asyncio.sleep(0.6)
            assert await asyncio.to_thread(first.stop, 15) == 0  # 1001 to every call in the sandbox
            await asyncio.to_thread(server_factory, {"FOUNDRY_AGENT_SESSION_ID": "pool-0"}, port=first.port,
                                    data_dir=first.data_dir)

        await asyncio.gather(*(stream(c.peer, 75) for c in calls), recycle())
        for call, link in zip(calls, links):
            await call.peer.wait_until(lambda link=link: link.stats.frames_acked >= 75, timeout=30)
            assert link.stats.reconnects == 1 and link.stats.frames_dropped == 0
        for call in calls:
            await call.hang_up()
        await asyncio.sleep(0.3)

    for i, call in enumerate(calls):
        events = await replay(first.ws, "pool-0", call.call_id)
        ready = [e for e in events if e["type"] == "session.ready"]
        assert {e["session_id"] for e in ready} == {f"pool-0:{call.call_id}"}
        assert [e["resumed"] for e in ready] == [False, True]  # the same conversation, resumed after the recycle
        keyed = [e["text"] for e in events if e["type"] == "transcript" and e.get("kind") == "dtmf"]
        assert keyed == [str(i + 1)]  # its own keys only: the calls did not share a conversation
        assert next(e for e in events if e["type"] == "session.ended")["reason"] == "caller hung up"
