"""The bridge's spans and metrics, and one trace from ACS to the agent.

The real container app is served in-process (uvicorn, with its connection telemetry) and the
real bridge in-process too, so one in-memory exporter sees both sides: the container's
connection span must be the child of the bridge's agent-connection span on every upgrade,
including the reconnect after a 1001 recycle.
"""

from __future__ import annotations

from pathlib import Path
from opentelemetry.trace import StatusCode

from agent.observability import telemetry
from agent.app import create_app
from agent.config import Settings
from agent.dev.localserver import free_port
from bridge.apology import tones
from bridge.simulator import LocalBridge
from tests.integration.test_bridge_calls import bridge_settings, stream
from tests.support.inproc import served
from tests.support.otel import Otel, otel  # noqa: F401 - the fixture


async def test_a_call_is_one_trace_from_the_bridge_into_the_agent_across_a_recycle(otel: Otel, tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "agent", brain="placeholder", speech_engine="none")
    app, hub = create_app(settings)
    await hub.start()
    async with served(app, hub) as agent_url:
        async with LocalBridge(bridge_settings(tmp_path, agent_url), apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            link = bridge.app.state.bridge.live[call.call_id].link
            await stream(call.peer, 60)
            live = hub.live[call.agent_session_id]
            assert live.ws is not None
            await live.ws.close(1001)  # the platform's recycle
            await call.peer.wait_until(lambda: link.stats.reconnects == 1 and link.connected, timeout=15)
            await stream(call.peer, 40)
            await call.peer.wait_until(lambda: link.stats.frames_acked >= 100, timeout=15)
            await call.hang_up()
            await call.peer.wait_until(lambda: otel.named(telemetry.SPAN_BRIDGE_CALL), timeout=15)

    [call_span] = otel.named(telemetry.SPAN_BRIDGE_CALL)
    assert call_span.attributes[telemetry.A_CALL] == call.call_id
    assert call_span.attributes[telemetry.A_SESSION] == call.agent_session_id
    trace_id = call_span.context.trace_id
    connections = sorted(otel.named(telemetry.SPAN_AGENT_CONNECTION), key=lambda s: s.start_time)
    assert [c.attributes[telemetry.A_RECONNECT] for c in connections] == [0, 1]
    assert all(c.parent.span_id == call_span.context.span_id and c.context.trace_id == trace_id for c in connections)
    assert connections[0].attributes[telemetry.A_CLOSE_CODE] == 1001
    # The container's span of each upgrade continues the bridge's connection span: traceparent was sent every time.
    agent_side = sorted(otel.named(telemetry.SPAN_CONNECTION), key=lambda s: s.start_time)
    assert [s.parent.span_id for s in agent_side] == [c.context.span_id for c in connections]
    assert {s.context.trace_id for s in agent_side} == {trace_id}
    assert otel.total(telemetry.BRIDGE_FRAMES_IN) == 100 == call_span.attributes[telemetry.BRIDGE_FRAMES_IN]
    assert otel.total(telemetry.BRIDGE_RECONNECTS) == 1
    added = otel.points(telemetry.BRIDGE_ADDED_MS)
    assert added and sum(p.count for p in added) == 2  # frames 1 and 51: sampled, not every frame
    assert otel.total(telemetry.BRIDGE_OUTAGES) == 0


async def test_an_outage_and_the_fallback_transfer_are_recorded(otel: Otel, tmp_path: Path):
    dead = f"ws://127.0.0.1:{free_port()}/invocations_ws"
    settings = bridge_settings(tmp_path, dead, agent_first_connect_s=0.6,
                               fallback_target="pstn:+14255550199")
    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        call = await bridge.place_call()
        await call.peer.wait_until(lambda: bridge.fake.bodies(":transferToParticipant"), timeout=15)
        assert await call.callback("CallTransferAccepted") == 200
        await call.peer.wait_until(lambda: otel.named(telemetry.SPAN_BRIDGE_CALL), timeout=15)
        await call.hang_up()
    [call_span] = otel.named(telemetry.SPAN_BRIDGE_CALL)
    assert call_span.status.status_code == StatusCode.ERROR
    assert otel.total(telemetry.BRIDGE_OUTAGES, **{telemetry.A_CONNECTION: "first"}) == 1
    assert otel.total(telemetry.BRIDGE_TRANSFERS, **{telemetry.A_TRANSFER: "ok"}) == 1
    attempts = otel.named(telemetry.SPAN_AGENT_CONNECTION)
    assert attempts and all(a.status.status_code == StatusCode.ERROR for a in attempts)
    assert call_span.attributes[telemetry.BRIDGE_FRAMES_OUT] > 0  # the ring and the apology were played
