"""URL tokens, the webhook secret, ACS JWTs and the per-IP rate limit."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bridge import auth


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


@pytest.fixture
def jwks(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}))
    return key, path


def _jwt(key, aud="acs-resource", exp_in=300, kid="k1"):
    return jwt.encode({"aud": aud, "iss": "https://acscallautomation.communication.azure.com",
                       "exp": int(time.time()) + exp_in}, key, algorithm="RS256", headers={"kid": kid})


def test_jwt_validation_with_a_local_key(jwks):
    key, path = jwks
    v = auth.JwtValidator(path, "acs-resource")
    assert v.check(f"Bearer {_jwt(key)}")["aud"] == "acs-resource"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for header, status in [
        (None, 401), ("Basic abc", 401),
        (f"Bearer {_jwt(key, aud='someone-else')}", 403),
        (f"Bearer {_jwt(key, exp_in=-10)}", 403),
        (f"Bearer {_jwt(other)}", 403),  # right kid, wrong key
        (f"Bearer {_jwt(key, kid='nope')}", 403),
        ("Bearer not.a.jwt", 403),
    ]:
        with pytest.raises(auth.AuthError) as err:
            v.check(header)
        assert err.value.status == status
