"""Warm hand-over through the real bridge, the real Call Automation SDK and the ACS simulator.

The agent side is ``ScriptedAgent``, an ``invocations_ws`` peer on loopback: it answers the
bridge's handshake and pings, and when the caller keys 0 it sends the ``handoff`` event the
container sends (case id, legs, briefing; the container's own side is
test_handoff_warm.py), then records the ``handoff.result``. The people invited are
simulated by ``FakeAcs(people=...)``, which posts the callbacks ACS posts.
"""

from __future__ import annotations

import re

import pytest

from agent.wire import protocol
from bridge.apology import tones
from bridge.simulator import FakeAcs, LocalBridge, Person, ScriptedAgent
from tests.integration.test_bridge_calls import bridge_settings, stream
from tests.integration.test_bridge_replicas import redis_url, replica  # noqa: F401 (redis_url is a fixture)

CASE = "CASE-7F3K2Q"
BRIEFING = ("Handing over CASE-7F3K2Q, high priority: the caller at Harbor Point reports pump P-101 tripped twice; "
            "restarting it failed. They want an engineer on site today.")
SUPERVISOR, MANAGER = "pstn:+14255550100", "teams:8:orgid:6f1c2d7e-3b0a-4c55-9e21-5a7d0c8b9f10"


def handoff(*legs: dict) -> protocol.Handoff:
    return protocol.Handoff(legs[0]["target"], CASE, "the pump keeps tripping", "high", list(legs), BRIEFING)


def paths(fake: FakeAcs) -> list[str]:
    """The Call Automation operations the SDK sent after answering, in order."""
    out = []
    for method, url, _, _ in fake.requests:
        path = url.split("?")[0].split("/calling/callConnections")[-1]
        if path != ":answer":
            out.append(f"{method} {re.sub(r'^/conn-[0-9]+/?', '', path) or '(call)'}")
    return out


async def test_consultative_transfer_briefs_the_person_then_connects_the_caller(tmp_path):
    fake = FakeAcs(people={"4:+14255550100": Person("answer", 0.05)}, play_s=0.05)
    async with ScriptedAgent([handoff({"target": SUPERVISOR, "name": "the field dispatch supervisor",
                                       "mode": "consult", "ring_s": 20})]) as agent:
        settings = bridge_settings(tmp_path, agent.url, caller_id="+18005550100")
        async with LocalBridge(settings, fake=fake, apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            await stream(call.peer, 10)
            await call.peer.send_dtmf("0")
            result = await agent.result()
            assert result == {"type": "handoff.result", "ok": True, "target": SUPERVISOR}

            hold, add, play, unhold = (fake.bodies(p)[0] for p in (":hold", "participants:add", ":play", ":unhold"))
            for body in (hold, unhold):
                assert body["targetParticipant"]["rawId"] == "4:+14255550123"
                assert body["targetParticipant"]["phoneNumber"]["value"] == "+14255550123"
            assert hold["playSourceInfo"]["kind"] == "text" and hold["playSourceInfo"]["text"]["text"]
            assert add["participantToAdd"]["phoneNumber"]["value"] == "+14255550100"
            assert add["invitationTimeoutInSeconds"] == 20 and re.fullmatch(rf"{CASE}/\w+#0", add["operationContext"])
            assert add["sourceCallerIdNumber"]["value"] == "+18005550100"
            assert add["customCallingContext"]["sipHeaders"] == {"X-MS-Custom-CaseId": CASE}
            # The briefing goes to the person only, never to the caller on hold.
            [to] = play["playTo"]
            assert to["phoneNumber"]["value"] == "+14255550100"
            assert play["playSources"][0]["text"]["text"] == BRIEFING
            # Order: hold, invite, brief, unhold, then the agent leg alone hangs up (DELETE, not :terminate).
            ops = paths(fake)
            assert ops == ["POST :hold", "POST participants:add", "POST :play", "POST :unhold", "DELETE (call)"]
            assert not fake.bodies(":terminate") and not fake.bodies(":transferToParticipant")
            record = await bridge.app.state.bridge.store.get(call.call_id)
            assert record.state == "transferred" and record.transfer_target == SUPERVISOR
            timings = bridge.app.state.bridge.live[call.call_id].transfer_run.timings
            steps = [timings[k] for k in ("decided", "held", "invited", "answered", "briefing")]
            assert steps == sorted(steps)
            # The figure for the report (not asserted: wall clock on a shared machine). The simulated person
            # answers 50 ms after the invitation; ACS starts the briefing when it accepts the play request.
            print(f"\nhand-over decision -> briefing request accepted by ACS: "
                  f"{1000 * (timings['briefing'] - timings['decided']):.0f} ms "
                  f"(of which simulated ringing 50 ms; hold {1000 * (timings['held'] - timings['decided']):.0f} ms, "
                  f"invite {1000 * (timings['invited'] - timings['decided']):.0f} ms after the decision)")
            await call.callback("CallDisconnected")
            await call.hang_up()


async def test_no_answer_returns_to_the_caller_then_the_next_target_takes_the_call(tmp_path):
    fake = FakeAcs(people={"4:+14255550100": Person("decline", 0.05),
                           "8:orgid:6f1c2d7e-3b0a-4c55-9e21-5a7d0c8b9f10": Person("answer", 0.05)}, play_s=0.05)
    first = handoff({"target": SUPERVISOR, "name": "the supervisor", "ring_s": 20})
    second = handoff({"target": MANAGER, "name": "the IT duty manager", "ring_s": 20})
    async with ScriptedAgent([first, second]) as agent:
        async with LocalBridge(bridge_settings(tmp_path, agent.url), fake=fake, apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            await call.peer.send_dtmf("0")
            failed = await agent.result()
            assert failed["ok"] is False and "the supervisor" in failed["reason"]
            assert "declined" in failed["reason"]
            # Back with the caller: held, invited, and taken off hold again; nothing hung up.
            assert paths(fake) == ["POST :hold", "POST participants:add", "POST :unhold"]
            record = await bridge.app.state.bridge.store.get(call.call_id)
            assert record.state == "transfer_failed"
            await stream(call.peer, 10)  # the caller is still on the line and heard by the agent

            await call.peer.send_dtmf("0")  # the caller accepts the next target
            connected = await agent.result()
            assert connected["ok"] is True and connected["target"] == MANAGER
            second_add = fake.bodies("participants:add")[1]
            teams_user = second_add["participantToAdd"]["microsoftTeamsUser"]["userId"]
            assert teams_user == MANAGER.removeprefix("teams:8:orgid:")
            assert second_add["customCallingContext"]["voipHeaders"] == {"X-MS-Custom-CaseId": CASE}
            assert paths(fake)[3:] == ["POST :hold", "POST participants:add", "POST :play", "POST :unhold",
                                       "DELETE (call)"]
            await call.callback("CallDisconnected")
            await call.hang_up()


async def test_queue_members_ring_in_order_while_the_caller_stays_on_hold(tmp_path, monkeypatch):
    # The first member never answers: the bridge's ring timer gives up and withdraws the invitation.
    fake = FakeAcs(people={"4:+14255550100": Person("ring"), "4:+14255550120": Person("answer", 0.05)}, play_s=0.05)
    legs = [{"target": SUPERVISOR, "name": "member one", "ring_s": 5}, {"target": "pstn:+14255550120", "ring_s": 20}]
    async with ScriptedAgent([handoff(*legs)]) as agent:
        async with LocalBridge(bridge_settings(tmp_path, agent.url), fake=fake, apology=tones(16000)) as bridge:
            # The simulated ACS posts no invitation-timeout event: the bridge's own timer ends the ring.
            monkeypatch.setattr("bridge.transfer_run.RING_GRACE_S", 0.0)
            call = await bridge.place_call()
            await call.peer.send_dtmf("0")
            result = await agent.result(timeout=40)
            assert result["ok"] is True and result["target"] == "pstn:+14255550120"
            ops = paths(fake)
            assert ops == ["POST :hold", "POST participants:add", "POST participants:cancelAddParticipant",
                           "POST participants:add", "POST :play", "POST :unhold", "DELETE (call)"]
            cancelled = fake.bodies("cancelAddParticipant")[0]["operationContext"]
            assert cancelled == fake.bodies("participants:add")[0]["operationContext"] and cancelled.endswith("#0")
            await call.callback("CallDisconnected")
            await call.hang_up()


async def test_handover_bench_reports_each_step_in_order():
    import argparse

    from agent.dev.bench.handover import STEPS, _run

    figures = await _run(argparse.Namespace(calls=2, answer_after=0.05))
    p50 = [figures[step]["p50_ms"] for step in STEPS]
    assert p50 == sorted(p50)  # hold, invite, answer, briefing, connected: in that order on every call
    assert figures["answered"]["p50_ms"] >= 50  # the simulated person's answer delay is part of the figure


async def test_callbacks_reaching_another_replica_still_drive_the_transfer(tmp_path, redis_url):
    # Replica A answered the call, so ACS posts every callback to A; the media socket (and so the
    # transfer) is on replica B. A relays what B awaits through the shared store.
    fake = FakeAcs(people={"4:+14255550100": Person("answer", 0.05)}, play_s=0.05)
    async with ScriptedAgent([handoff({"target": SUPERVISOR, "name": "the supervisor", "ring_s": 20})]) as agent:
        async with LocalBridge(replica(tmp_path, "a", redis_url, agent.url), fake=fake, apology=tones(16000)) as a, \
                LocalBridge(replica(tmp_path, "b", redis_url, agent.url), fake=fake, apology=tones(16000)) as b:
            call = await a.place_call(connect_media=False)
            call.media_url = call.media_url.replace(f":{a.settings.port}/", f":{b.settings.port}/")
            await call.connect_media()
            await call.callback("MediaStreamingStarted")
            await call.peer.send_dtmf("0")
            result = await agent.result()
            assert result["ok"] is True and result["target"] == SUPERVISOR
            assert call.call_id in b.app.state.bridge.live and call.call_id not in a.app.state.bridge.live
            assert paths(fake)[-5:] == ["POST :hold", "POST participants:add", "POST :play", "POST :unhold",
                                        "DELETE (call)"]
            await call.callback("CallDisconnected")
            await call.hang_up()


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
async def test_relayed_events_are_taken_once_in_order_per_call(tmp_path, request, kind):
    from bridge.calls import RedisCallStore, SqliteCallStore

    store = SqliteCallStore(tmp_path / "calls.sqlite") if kind == "sqlite" else \
        RedisCallStore(request.getfixturevalue("redis_url"))
    try:
        for call, body in (("c1", "a"), ("c2", "x"), ("c1", "b")):
            await store.relay(call, body)
        assert await store.take_relayed("c1") == ["a", "b"]
        assert await store.take_relayed("c1") == []
        await store.relay("c1", "c")
        assert await store.take_relayed("c1") == ["c"] and await store.take_relayed("c2") == ["x"]
    finally:
        await store.close()


async def test_a_blind_leg_is_a_plain_transfer_without_hold_or_briefing(tmp_path):
    fake = FakeAcs()
    async with ScriptedAgent([handoff({"target": "pstn:+14255550110", "name": "the desk", "mode": "blind"})]) as agent:
        async with LocalBridge(bridge_settings(tmp_path, agent.url), fake=fake, apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            await call.peer.send_dtmf("0")
            await call.peer.wait_until(lambda: fake.bodies(":transferToParticipant"))
            [transfer] = fake.bodies(":transferToParticipant")
            assert transfer["targetParticipant"]["phoneNumber"]["value"] == "+14255550110"
            assert transfer["customCallingContext"]["sipHeaders"] == {"X-MS-Custom-CaseId": CASE}
            assert await call.callback("CallTransferAccepted", operationContext=transfer["operationContext"]) == 200
            result = await agent.result()
            assert result["ok"] is True and result["target"] == "pstn:+14255550110"
            assert paths(fake) == ["POST :transferToParticipant"]  # no hold, no invitation, no briefing
            await call.callback("CallDisconnected")
            await call.hang_up()
