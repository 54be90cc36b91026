"""The bridge refuses what it should: wrong or missing secrets and tokens, bad JWTs, malformed and
replayed events, floods; and its logs never hold a secret."""

from __future__ import annotations

import asyncio

import json
import logging
import time

import jwt
import pytest
import websockets
from cryptography.hazmat.primitives.asymmetric import rsa

from agent.config import Settings
from agent.localserver import free_port
from bridge import auth
from bridge.apology import tones
from bridge.simulator import FAKE_CONNECTION_STRING, LocalBridge, callback_event, event_grid_incoming_call

SECRET = "s3cret-for-this-deployment-only"


def settings_for(tmp_path, **changes) -> Settings:
    port = free_port()
    return Settings(data_dir=tmp_path / "bridge", host="127.0.0.1", bridge_port=port,
                    bridge_agent_url=f"ws://127.0.0.1:{free_port()}/invocations_ws", bridge_secret=SECRET,
                    bridge_acs_connection_string=FAKE_CONNECTION_STRING, bridge_public_url=f"http://127.0.0.1:{port}",
                    bridge_agent_outage_s=30).with_(**changes)


def validation(code="code-1"):
    return [{"id": f"v-{code}", "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
             "data": {"validationCode": code}}]


async def test_event_grid_webhook_refusals(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with LocalBridge(settings_for(tmp_path), apology=tones(16000)) as bridge:
        url = f"{bridge.base}/acs/events"
        assert (await bridge.http.post(url, json=validation())).status_code == 401
        assert (await bridge.post_event(validation(), secret="wrong")).status_code == 403
        assert (await bridge.post_event(validation(), secret=SECRET[:-1])).status_code == 403
        ok = await bridge.http.post(url, json=validation(), headers={"X-Switchboard-Secret": SECRET})
        assert ok.status_code == 200 and ok.json() == {"validationResponse": "code-1"}
        assert (await bridge.post_event(validation())).status_code == 409  # same event id again
        for body in (b"{not json", b"[]", json.dumps([{"id": "x", "eventType": "y"}]).encode(),
                     b'"' + b"x" * (1024 * 1024) + b'"'):
            response = await bridge.http.post(url, params={"secret": SECRET}, content=body)
            assert response.status_code == 400, body[:40]
        incoming = event_grid_incoming_call()
        assert (await bridge.post_event(incoming)).status_code == 200
        assert (await bridge.post_event(incoming)).status_code == 409
        assert len(bridge.fake.bodies("callConnections:answer")) == 1  # the replay answered nothing
    _assert_no_secrets(caplog, bridge)


async def test_callback_and_media_refusals(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with LocalBridge(settings_for(tmp_path), apology=tones(16000)) as bridge:
        call = await bridge.place_call(connect_media=False)
        base = call.callback_url.split("?")[0]
        event = callback_event("CallConnected", call.connection_id)
        assert (await bridge.http.post(base, json=event)).status_code == 401
        assert (await bridge.http.post(base, params={"token": "123.abc"}, json=event)).status_code == 403
        other = auth.make_token(SECRET, "another-call")
        assert (await bridge.http.post(base, params={"token": other}, json=event)).status_code == 403
        unknown = f"{bridge.base}/acs/callbacks/unknown-call"
        assert (await bridge.http.post(unknown, params={"token": auth.make_token(SECRET, "unknown-call")},
                                       json=event)).status_code == 404
        assert (await bridge.http.post(call.callback_url, content=b"[{]")).status_code == 400
        assert (await bridge.http.post(call.callback_url, json=[{"id": "i", "type": "Evil", "data": {}}])).status_code == 400
        assert (await bridge.http.post(call.callback_url, json=event)).status_code == 200
        assert (await bridge.http.post(call.callback_url, json=event)).status_code == 409

        media_base = call.media_url.split("?")[0]
        for bad in (media_base, f"{media_base}?token=nope", f"{media_base}?token={other}"):
            with pytest.raises(websockets.InvalidStatus) as refused:
                await websockets.connect(bad)
            assert refused.value.response.status_code == 403
        peer = await call.connect_media()  # the real URL still works
        await peer.send_audio(b"\x00" * 640)
        await call.hang_up()
    _assert_no_secrets(caplog, bridge)


async def test_refused_requests_are_rate_limited_per_client_and_acs_bursts_are_not(tmp_path):
    async with LocalBridge(settings_for(tmp_path, bridge_rate_limit_per_s=2.0), apology=tones(16000)) as bridge:
        # ACS sends every call's requests from a few addresses: 30 good ones at once all pass.
        statuses = [(await bridge.post_event(validation(f"ok{i}"))).status_code for i in range(30)]
        assert statuses == [200] * 30
        # Guessing the secret: a burst of 2 x rate refusals, then the address is shut out...
        statuses = [(await bridge.post_event(validation(f"bad{i}"), secret="guess")).status_code for i in range(8)]
        assert statuses[:4] == [403] * 4 and statuses[4:] == [429] * 4
        # ... but its signed events still pass: junk from an address ACS shares must not shut ACS out.
        assert (await bridge.post_event(validation("after"))).status_code == 200
        assert (await bridge.post_event(validation("bad-again"), secret="guess")).status_code == 429
        await asyncio.sleep(0.6)  # one refusal's worth of tokens back
        assert (await bridge.post_event(validation("bad-later"), secret="guess")).status_code == 403


@pytest.mark.parametrize("spoof", [
    lambda i: {"X-Forwarded-For": f"198.51.100.{i}"},
    lambda i: {"X-Forwarded-For": f"198.51.100.{i}, 127.0.0.1"},
    lambda i: {"Forwarded": f"for=198.51.100.{i}", "X-Real-IP": f"198.51.100.{i}"},
])
async def test_forwarded_headers_from_an_untrusted_peer_do_not_reset_the_limit(tmp_path, spoof):
    async with LocalBridge(settings_for(tmp_path, bridge_rate_limit_per_s=2.0), apology=tones(16000)) as bridge:
        statuses = [(await bridge.post_event(validation(f"bad{i}"), secret="guess", headers=spoof(i))).status_code
                    for i in range(8)]
        assert statuses[:4] == [403] * 4 and statuses[4:] == [429] * 4  # all counted under the real peer


async def test_forwarded_for_is_believed_from_a_configured_proxy_and_counted_per_client(tmp_path):
    settings = settings_for(tmp_path, bridge_rate_limit_per_s=2.0, trusted_proxies=("127.0.0.0/8", "10.0.0.0/8"))
    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        async def junk(chain: str) -> int:
            return (await bridge.post_event(validation(chain + str(time.monotonic())), secret="guess",
                                            headers={"X-Forwarded-For": chain})).status_code

        assert [await junk("203.0.113.7") for _ in range(5)] == [403] * 4 + [429]
        assert await junk("203.0.113.8") == 403  # another client behind the same proxy has its own budget
        # A client that writes its own X-Forwarded-For is counted at the address the proxy saw.
        assert await junk("192.0.2.1, 203.0.113.7") == 429
        assert await junk("192.0.2.2, 203.0.113.7, 10.1.2.3") == 429  # a second trusted hop is skipped
        assert (await bridge.post_event(validation("signed"), headers={"X-Forwarded-For": "203.0.113.7"})
                ).status_code == 200


async def test_acs_jwt_is_required_when_configured(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "acs-1"}]}))
    settings = settings_for(tmp_path, bridge_jwks_file=jwks, bridge_jwt_audience="my-acs-resource")

    def bearer(aud: str) -> dict[str, str]:
        token = jwt.encode({"aud": aud, "exp": int(time.time()) + 60}, key, algorithm="RS256",
                           headers={"kid": "acs-1"})
        return {"Authorization": f"Bearer {token}"}

    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        assert (await bridge.post_event(validation("a"))).status_code == 401
        assert (await bridge.post_event(validation("b"), headers=bearer("someone-else"))).status_code == 403
        assert (await bridge.post_event(validation("c"), headers=bearer("my-acs-resource"))).status_code == 200


def _assert_no_secrets(caplog, bridge: LocalBridge) -> None:
    # httpx/httpcore/websockets here are the simulated ACS side (the test's own clients), not the bridge.
    records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "websockets"))]
    text = "\n".join(f"{r.getMessage()} {r.args!r}" for r in records)
    assert any(r.name.startswith("switchboard.bridge") for r in records)  # the bridge did log...
    access_key = FAKE_CONNECTION_STRING.split("accesskey=")[1]
    for secret in (SECRET, access_key, "token=1", "token=nope"):  # ...without the secret, the ACS key or a URL token
        assert secret not in text
