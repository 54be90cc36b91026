"""URL tokens, the webhook secret, ACS JWTs and the per-IP rate limit."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bridge import auth
from bridge.openid import JwtChecker, KeyFetchError, OpenIdKeys


def test_token_round_trip_and_binding_to_the_call():
    token = auth.make_token("s3cret", "call-1")
    auth.check_token("s3cret", "call-1", token)
    for secret, call, tok, status in [
        ("s3cret", "call-2", token, 403),  # another call's token
        ("other", "call-1", token, 403),  # another deployment
        ("s3cret", "call-1", token[:-2] + "xx", 403),  # tampered
        ("s3cret", "call-1", "abc.def", 403),
        ("s3cret", "call-1", "' OR 1=1 --", 403),
        ("s3cret", "call-1", "9" * 1000 + ".x", 403),
        ("s3cret", "call-1", None, 401),
    ]:
        with pytest.raises(auth.AuthError) as err:
            auth.check_token(secret, call, tok)
        assert err.value.status == status


def test_expired_token_is_refused():
    token = auth.make_token("s", "c", ttl_s=10, now=1000)
    auth.check_token("s", "c", token, now=1005)
    with pytest.raises(auth.AuthError, match="expired"):
        auth.check_token("s", "c", token, now=1011)


def test_secret():
    auth.check_secret("abc", "abc")
    with pytest.raises(auth.AuthError) as err:
        auth.check_secret("abc", "abd")
    assert err.value.status == 403
    with pytest.raises(auth.AuthError) as err:
        auth.check_secret("abc", "")
    assert err.value.status == 401


ISSUER = "https://acscallautomation.communication.azure.com"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public(key, kid):
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig", "alg": "RS256"}


def _jwt(key, aud="acs-resource", exp_in=300, kid="k1", iss=ISSUER):
    return jwt.encode({"aud": aud, "iss": iss, "exp": int(time.time()) + exp_in}, key, algorithm="RS256",
                      headers={"kid": kid})


def test_jwt_check_against_keys_issuer_and_audience():
    key = _key()
    keys = {"k1": jwt.PyJWK(_public(key, "k1"))}
    check = lambda header: auth.check_jwt(header, keys, issuer=ISSUER, audience="acs-resource")  # noqa: E731
    assert check(f"Bearer {_jwt(key)}")["aud"] == "acs-resource"
    unsigned = jwt.encode({"aud": "acs-resource", "iss": ISSUER, "exp": int(time.time()) + 60}, None, algorithm="none")
    for header, status in [
        (None, 401), ("Basic abc", 401),
        (f"Bearer {_jwt(key, aud='someone-else')}", 403),
        (f"Bearer {_jwt(key, iss='https://evil.example')}", 403),
        (f"Bearer {_jwt(key, exp_in=-120)}", 403),  # beyond the 30 s leeway
        (f"Bearer {_jwt(_key())}", 403),  # right kid, wrong key
        (f"Bearer {unsigned}", 403),  # alg none is never accepted
        ("Bearer not.a.jwt", 403),
    ]:
        with pytest.raises(auth.AuthError) as err:
            check(header)
        assert err.value.status == status, header
    with pytest.raises(auth.UnknownSigningKey):
        check(f"Bearer {_jwt(key, kid='k9')}")


async def test_openid_keys_are_cached_and_refreshed_at_most_once_a_minute():
    k1, k2 = _key(), _key()
    published = {"k1": k1}
    now = [0.0]
    fetched: list[str] = []

    async def fetch(url: str):
        fetched.append(url)
        if url.endswith("/config"):
            return {"issuer": ISSUER, "jwks_uri": "https://acs.example/keys"}
        return {"keys": [_public(k, kid) for kid, k in published.items()]}

    keys = OpenIdKeys("https://acs.example/config", fetch=fetch, clock=lambda: now[0])
    checker = JwtChecker(keys, "acs-resource")
    assert (await checker.check(f"Bearer {_jwt(k1)}"))["iss"] == ISSUER
    assert (await checker.check(f"Bearer {_jwt(k1)}"))["iss"] == ISSUER
    assert keys.fetches == 1  # cached
    published["k2"] = k2  # ACS rotates its keys
    with pytest.raises(auth.UnknownSigningKey):  # fetched a moment ago: not fetched again yet
        await checker.check(f"Bearer {_jwt(k2, kid='k2')}")
    now[0] = 61.0
    assert (await checker.check(f"Bearer {_jwt(k2, kid='k2')}"))["aud"] == "acs-resource"  # refreshed, found
    assert keys.fetches == 2
    for i in range(20):  # made-up key ids do not make the bridge hammer the key endpoint
        with pytest.raises(auth.UnknownSigningKey):
            await checker.check(f"Bearer {_jwt(k1, kid=f'made-up-{i}')}")
    assert keys.fetches == 2
    now[0] = 61.0 + 24 * 3600 + 1  # a day old: fetched again on the next use
    await checker.check(f"Bearer {_jwt(k1)}")
    assert keys.fetches == 3 and len(fetched) == 6


@pytest.mark.parametrize("config, keyset, problem", [
    ({"issuer": ISSUER}, None, "lacks issuer or jwks_uri"),
    ({"issuer": ISSUER, "jwks_uri": "http://acs.example/keys"}, None, "cannot read signing keys"),  # not https
    ({"issuer": ISSUER, "jwks_uri": "https://acs.example/keys"}, {"keys": []}, "no usable signing keys"),
    ({"issuer": ISSUER, "jwks_uri": "https://acs.example/keys"}, "not json", "cannot read signing keys"),
])
async def test_unreadable_key_sources_refuse_with_503(config, keyset, problem):
    async def fetch(url: str):
        if url.endswith("/config"):
            return config
        if keyset == "not json":
            raise ValueError("bad JSON")
        return keyset

    checker = JwtChecker(OpenIdKeys("https://acs.example/config", fetch=fetch), "acs-resource")
    with pytest.raises(KeyFetchError, match=problem) as err:
        await checker.check(f"Bearer {_jwt(_key())}")
    assert err.value.status == 503


def test_keys_come_over_https_only():
    with pytest.raises(ValueError, match="https"):
        OpenIdKeys("http://acs.example/config")
    assert OpenIdKeys("http://127.0.0.1:9/config").config_url  # a local emulator
