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

from bridge.config import BridgeSettings
from agent.dev.localserver import free_port
from bridge import auth
from bridge.apology import tones
from bridge.simulator import FAKE_CONNECTION_STRING, FakeAcs, LocalBridge, callback_event, event_grid_incoming_call

SECRET = "s3cret-for-this-deployment-only"


def settings_for(tmp_path, **changes) -> BridgeSettings:
    port = free_port()
    return BridgeSettings(data_dir=tmp_path / "bridge", host="127.0.0.1", port=port,
                    agent_url=f"ws://127.0.0.1:{free_port()}/invocations_ws", secret=SECRET,
                    acs_connection_string=FAKE_CONNECTION_STRING, public_url=f"http://127.0.0.1:{port}",
                    agent_outage_s=30).with_(**changes)


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
        again = await bridge.post_event(validation())  # the same event again: answered again (idempotent)
        assert again.status_code == 200 and again.json() == {"validationResponse": "code-1"}
        for body in (b"{not json", b"[]", json.dumps([{"id": "x", "eventType": "y"}]).encode(),
                     b'"' + b"x" * (1024 * 1024) + b'"'):
            response = await bridge.http.post(url, params={"secret": SECRET}, content=body)
            assert response.status_code == 400, body[:40]
        incoming = event_grid_incoming_call()
        assert (await bridge.post_event(incoming)).status_code == 200
        # A redelivery is a success to Event Grid (only 200-204 stop its retries) and answers nothing.
        assert (await bridge.post_event(incoming)).status_code == 200
        assert len(bridge.fake.bodies("callConnections:answer")) == 1
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
        assert (await bridge.http.post(call.callback_url, json=event)).status_code == 200  # duplicate: no-op

        media_base = call.media_url.split("?")[0]
        for bad in (media_base, f"{media_base}?token=nope", f"{media_base}?token={other}"):
            with pytest.raises(websockets.InvalidStatus) as refused:
                await websockets.connect(bad)
            assert refused.value.response.status_code == 403
        peer = await call.connect_media()  # the real URL still works
        await peer.send_audio(b"\x00" * 640)
        await call.hang_up()
    _assert_no_secrets(caplog, bridge)


async def test_a_failed_answer_leaves_the_event_to_event_grids_retry(tmp_path):
    fake = FakeAcs(fail_answers=1)
    async with LocalBridge(settings_for(tmp_path), fake=fake, apology=tones(16000)) as bridge:
        incoming = event_grid_incoming_call()
        assert (await bridge.post_event(incoming)).status_code == 502  # not 2xx: Event Grid retries
        assert (await bridge.post_event(incoming)).status_code == 200  # the retry answers the call
        assert (await bridge.post_event(incoming)).status_code == 200  # and a duplicate after it does nothing
        assert len(fake.bodies("callConnections:answer")) == 2  # the refused attempt and the one that worked
        call_id = fake.bodies("callConnections:answer")[1]["callbackUri"].split("?")[0].rsplit("/", 1)[-1]
        record = await bridge.app.state.bridge.store.get(call_id)
        assert record is not None and record.call_connection_id == "conn-1"


async def test_cloudevents_webhook_validation_handshake(tmp_path):
    async with LocalBridge(settings_for(tmp_path), apology=tones(16000)) as bridge:
        url = f"{bridge.base}/acs/events"
        origin = {"WebHook-Request-Origin": "eventgrid.azure.net"}
        ok = await bridge.http.options(url, params={"secret": SECRET}, headers=origin)
        assert ok.status_code == 200 and ok.headers["WebHook-Allowed-Origin"] == "eventgrid.azure.net"
        assert ok.headers["WebHook-Allowed-Rate"] == "*"
        assert (await bridge.http.options(url, params={"secret": SECRET})).status_code == 400  # no origin
        assert (await bridge.http.options(url, headers=origin)).status_code == 401  # the secret is still required
        assert (await bridge.http.options(url, params={"secret": "x"}, headers=origin)).status_code == 403


async def test_refused_requests_are_rate_limited_per_client_and_acs_bursts_are_not(tmp_path):
    async with LocalBridge(settings_for(tmp_path, rate_limit_per_s=2.0), apology=tones(16000)) as bridge:
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
    async with LocalBridge(settings_for(tmp_path, rate_limit_per_s=2.0), apology=tones(16000)) as bridge:
        statuses = [(await bridge.post_event(validation(f"bad{i}"), secret="guess", headers=spoof(i))).status_code
                    for i in range(8)]
        assert statuses[:4] == [403] * 4 and statuses[4:] == [429] * 4  # all counted under the real peer


async def test_forwarded_for_is_believed_from_a_configured_proxy_and_counted_per_client(tmp_path):
    settings = settings_for(tmp_path, rate_limit_per_s=2.0, trusted_proxies=("127.0.0.0/8", "10.0.0.0/8"))
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


ACS_ISSUER = "https://acscallautomation.communication.azure.com"
ACS_RESOURCE = "6f1c2a9e-0d3b-4c55-9d1e-acs-immutable-id"


class OpenIdServer:
    """A local OpenID configuration and JWKS endpoint on loopback, serving locally generated RSA keys."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.private: dict[str, rsa.RSAPrivateKey] = {}
        self.published: set[str] = set()

    def new_key(self, kid: str, publish: bool = True) -> None:
        self.private[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if publish:
            self.published.add(kid)

    def token(self, kid: str = "k1", *, aud: str = ACS_RESOURCE, iss: str | None = None, exp_in: int = 300) -> str:
        claims = {"aud": aud, "iss": iss or self.issuer, "exp": int(time.time()) + exp_in}
        return jwt.encode(claims, self.private[kid], algorithm="RS256", headers={"kid": kid})

    async def __aenter__(self) -> "OpenIdServer":
        from aiohttp import web

        async def config(_: web.Request) -> web.Response:
            return web.json_response({"issuer": self.issuer, "jwks_uri": f"{self.base}/calling/keys"})

        async def keys(_: web.Request) -> web.Response:
            public = [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private[kid].public_key())), "kid": kid,
                       "use": "sig", "alg": "RS256"} for kid in sorted(self.published)]
            return web.json_response({"keys": public})

        app = web.Application()
        app.router.add_get("/calling/.well-known/acsopenidconfiguration", config)
        app.router.add_get("/calling/keys", keys)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.base = f"http://127.0.0.1:{port}"
        self.config_url = f"{self.base}/calling/.well-known/acsopenidconfiguration"
        return self

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_acs_jwts_are_checked_on_callbacks_and_the_media_upgrade(tmp_path):
    from bridge.openid import OpenIdKeys

    async with OpenIdServer(ACS_ISSUER) as acs:
        acs.new_key("k1")
        settings = settings_for(tmp_path, acs_audience=ACS_RESOURCE, acs_openid_url=acs.config_url)
        async with LocalBridge(settings, apology=tones(16000)) as bridge:
            answered = await bridge.post_event(event_grid_incoming_call())  # Event Grid: the secret, no ACS JWT
            assert answered.status_code == 200
            body = bridge.fake.bodies("callConnections:answer")[0]
            callback_url, media_url = body["callbackUri"], body["mediaStreamingOptions"]["transportUrl"]
            event = lambda: callback_event("CallConnected", "conn-1")  # noqa: E731  (a fresh event id each time)

            async def callback(headers: dict[str, str] | None = None, url: str = callback_url) -> int:
                return (await bridge.http.post(url, json=event(), headers=headers or {})).status_code

            assert await callback() == 401  # the URL token alone is not enough
            assert await callback(bearer(acs.token(iss="https://evil.example"))) == 403
            assert await callback(bearer(acs.token(aud="another-acs-resource"))) == 403
            assert await callback(bearer(acs.token(exp_in=-120))) == 403
            assert await callback(bearer(acs.token()), url=callback_url.split("?")[0]) == 401  # nor the JWT alone
            assert await callback(bearer(acs.token())) == 200

            # ACS rotates its keys: a token from a key not yet seen is found after one refresh of the keys.
            checker = bridge.app.state.bridge.acs_jwt
            now = [0.0]
            checker.keys = OpenIdKeys(acs.config_url, clock=lambda: now[0])
            assert await callback(bearer(acs.token())) == 200
            acs.new_key("k2", publish=False)
            assert await callback(bearer(acs.token("k2"))) == 403  # unknown and not published
            acs.published.add("k2")
            now[0] = 61.0
            assert await callback(bearer(acs.token("k2"))) == 200
            assert checker.keys.fetches == 2

            # The media upgrade: the same ACS check, on top of the URL token.
            for headers in ({}, bearer(acs.token(aud="another-acs-resource")), bearer(acs.token("k1", exp_in=-120))):
                with pytest.raises(websockets.InvalidStatus) as refused:
                    await websockets.connect(media_url, additional_headers=headers)
                assert refused.value.response.status_code == 403
            with pytest.raises(websockets.InvalidStatus):
                await websockets.connect(media_url.split("?")[0], additional_headers=bearer(acs.token()))
            conn = await websockets.connect(media_url, additional_headers=bearer(acs.token("k2")))
            await conn.close()


async def test_entra_protected_event_grid_delivery_has_its_own_issuer_and_audience(tmp_path):
    async with OpenIdServer(ACS_ISSUER) as acs, OpenIdServer("https://login.microsoftonline.com/t1/v2.0") as entra:
        acs.new_key("k1")
        entra.new_key("e1")
        settings = settings_for(tmp_path, acs_audience=ACS_RESOURCE, acs_openid_url=acs.config_url,
                                eventgrid_audience="api://switchboard-bridge",
                                eventgrid_openid_url=entra.config_url)
        async with LocalBridge(settings, apology=tones(16000)) as bridge:
            assert (await bridge.post_event(validation("a"))).status_code == 401
            acs_token = bearer(acs.token(aud="api://switchboard-bridge"))  # right audience, ACS's issuer and keys
            assert (await bridge.post_event(validation("b"), headers=acs_token)).status_code == 403
            wrong_aud = bearer(entra.token("e1", aud=ACS_RESOURCE))
            assert (await bridge.post_event(validation("c"), headers=wrong_aud)).status_code == 403
            ok = await bridge.post_event(validation("d"), headers=bearer(entra.token("e1", aud="api://switchboard-bridge")))
            assert ok.status_code == 200 and ok.json() == {"validationResponse": "d"}


async def test_unreachable_acs_keys_refuse_with_503_and_do_not_rate_limit_acs(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/calling/.well-known/acsopenidconfiguration"
    settings = settings_for(tmp_path, acs_audience=ACS_RESOURCE, acs_openid_url=dead,
                            rate_limit_per_s=1.0)
    async with LocalBridge(settings, apology=tones(16000)) as bridge:
        call = await bridge.post_event(event_grid_incoming_call())
        callback_url = bridge.fake.bodies("callConnections:answer")[0]["callbackUri"]
        for _ in range(4):  # ACS retries; none of these is the sender's fault, so none is charged
            response = await bridge.http.post(callback_url, json=callback_event("CallConnected", "conn-1"),
                                              headers=bearer("a.b.c"))
            assert response.status_code == 503
        assert call.status_code == 200


def _assert_no_secrets(caplog, bridge: LocalBridge) -> None:
    # httpx/httpcore/websockets here are the simulated ACS side (the test's own clients), not the bridge.
    records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "websockets"))]
    text = "\n".join(f"{r.getMessage()} {r.args!r}" for r in records)
    assert any(r.name.startswith("switchboard.bridge") for r in records)  # the bridge did log...
    access_key = FAKE_CONNECTION_STRING.split("accesskey=")[1]
    for secret in (SECRET, access_key, "token=1", "token=nope"):  # ...without the secret, the ACS key or a URL token
        assert secret not in text
