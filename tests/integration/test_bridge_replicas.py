"""Several bridge replicas share call state and seen-event ids through Redis (real redis-server)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time

import pytest

from bridge.config import BridgeSettings
from agent.dev.localserver import free_port
from bridge.apology import tones
from bridge.calls import BUSY, DONE, NEW, CallRecord, SqliteCallStore
from bridge.simulator import (FAKE_CONNECTION_STRING, AcsPeer, FakeAcs, LocalBridge, callback_event,
                              event_grid_incoming_call)


@pytest.fixture
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.kill()
    proc.wait()


def replica(tmp_path, name: str, redis_url: str, agent_ws: str) -> BridgeSettings:
    port = free_port()
    return BridgeSettings(data_dir=tmp_path / name, host="127.0.0.1", port=port, agent_url=agent_ws,
                    secret="shared-secret", acs_connection_string=FAKE_CONNECTION_STRING,
                    public_url=f"http://127.0.0.1:{port}", redis_url=redis_url)


async def test_a_call_answered_by_one_replica_is_served_by_another(tmp_path, redis_url, server):
    async with LocalBridge(replica(tmp_path, "a", redis_url, server.ws), apology=tones(16000)) as a, \
            LocalBridge(replica(tmp_path, "b", redis_url, server.ws), apology=tones(16000)) as b:
        incoming = event_grid_incoming_call()
        assert (await a.post_event(incoming)).status_code == 200
        assert (await b.post_event(incoming)).status_code == 200  # Event Grid redelivery to the other replica: a no-op
        assert len(a.fake.bodies("callConnections:answer")) + len(b.fake.bodies("callConnections:answer")) == 1
        answer = a.fake.bodies("callConnections:answer")[0]
        on_b = lambda url: url.replace(f":{a.settings.port}/", f":{b.settings.port}/")  # noqa: E731
        status = (await b.http.post(on_b(answer["callbackUri"]), json=callback_event("CallConnected", "conn-1"))).status_code
        assert status == 200
        peer = await AcsPeer.connect(on_b(answer["mediaStreamingOptions"]["transportUrl"]))
        for _ in range(5):
            await peer.send_audio(b"\x01\x00" * 320)
        await peer.send_dtmf("7")
        call_id = answer["callbackUri"].split("?")[0].rsplit("/", 1)[-1]
        record = await b.app.state.bridge.store.get(call_id)
        assert record.state == "connected" and record.call_connection_id == "conn-1"
        assert record.caller == "4:+14255550123"
        await peer.wait_until(lambda: call_id in b.app.state.bridge.live)
        await peer.hang_up()


async def test_sqlite_store_round_trip_and_replay_memory(tmp_path):
    store = SqliteCallStore(tmp_path / "calls.sqlite")
    await store.put(CallRecord("c1", "acs:c1", caller="4:+1"))
    again = SqliteCallStore(tmp_path / "calls.sqlite")  # a restarted bridge on the same disk
    assert (await again.get("c1")) == CallRecord("c1", "acs:c1", caller="4:+1")
    assert await again.get("'; DROP TABLE calls; --") is None
    assert await store.claim_event("e1") == NEW
    assert await again.claim_event("e1") == BUSY  # being handled by the other process
    await store.release_event("e1")  # handling failed: the next delivery handles it
    assert await again.claim_event("e1") == NEW
    await again.finish_event("e1")
    assert await store.claim_event("e1") == DONE
    await store.close()
    await again.close()


async def test_an_abandoned_claim_is_taken_over(tmp_path, monkeypatch):
    import bridge.calls as calls

    store = SqliteCallStore(tmp_path / "calls.sqlite")
    assert await store.claim_event("e1") == NEW  # and then this replica dies mid-answer
    monkeypatch.setattr(calls, "CLAIM_TTL_S", -1.0)
    assert await store.claim_event("e1") == NEW
    await store.close()


async def test_concurrent_duplicate_deliveries_answer_once(tmp_path, redis_url, server):
    """Event Grid delivers the same IncomingCall to two replicas at once; ACS takes a while to answer."""
    fakes = [FakeAcs(answer_delay_s=0.3), FakeAcs(answer_delay_s=0.3)]
    async with LocalBridge(replica(tmp_path, "a", redis_url, server.ws), fake=fakes[0], apology=tones(16000)) as a, \
            LocalBridge(replica(tmp_path, "b", redis_url, server.ws), fake=fakes[1], apology=tones(16000)) as b:
        incoming = event_grid_incoming_call()
        first = await asyncio.gather(a.post_event(incoming), b.post_event(incoming))
        statuses = sorted(r.status_code for r in first)
        assert statuses == [200, 503]  # one answers; the other is told to retry (not 2xx: the first might fail)
        assert sum(len(f.bodies("callConnections:answer")) for f in fakes) == 1
        busy = next(r for r in first if r.status_code == 503)
        assert busy.headers["Retry-After"] == "1"
        # Event Grid's retry, on either replica, is now a duplicate: 200 and nothing answered twice.
        assert (await a.post_event(incoming)).status_code == 200
        assert (await b.post_event(incoming)).status_code == 200
        assert sum(len(f.bodies("callConnections:answer")) for f in fakes) == 1
