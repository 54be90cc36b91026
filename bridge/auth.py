"""What the bridge trusts: signed URL tokens, the webhook secret, ACS JWTs (the per-address
rate limit of refusals is ``agent.transport.peers.RateLimiter``, shared with the container's ``/cases``).

All pure (clock injected); fetching the keys ACS signs with is ``bridge.openid``.

- A *URL token* binds one call id to an expiry with HMAC-SHA256 over the per-deployment
  secret: ``<expiry>.<base64url signature>``. It goes into the callback and media URLs
  we hand to ACS, so only ACS (who got the URL from us) can post events for that call.
- The Event Grid webhook is protected by the same secret as a query parameter
  (``?secret=``) or ``X-Switchboard-Secret`` header, compared in constant time.
- ACS signs every callback and the media WebSocket upgrade with an ``Authorization: Bearer``
  JWT; ``check_jwt`` verifies one against the keys of an OpenID configuration, an issuer and
  an audience (per endpoint, see ``bridge.openid``). The URL token stays the second factor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import jwt

DEFAULT_TOKEN_TTL_S = 4 * 3600  # a call's URLs live as long as a long call


class AuthError(Exception):
    """Refused; ``status`` is 401 (nothing usable presented) or 403 (presented but wrong)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _sign(secret: str, call_id: str, expiry: int) -> str:
    mac = hmac.new(secret.encode(), f"{call_id}\n{expiry}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def make_token(secret: str, call_id: str, *, ttl_s: int = DEFAULT_TOKEN_TTL_S, now: float | None = None) -> str:
    expiry = int((time.time() if now is None else now) + ttl_s)
    return f"{expiry}.{_sign(secret, call_id, expiry)}"


def check_token(secret: str, call_id: str, token: str | None, *, now: float | None = None) -> None:
    """Raise AuthError unless ``token`` was made by ``make_token`` for this call and has not expired."""
    if not token:
        raise AuthError(401, "missing token")
    expiry_text, _, signature = token.partition(".")
    if not expiry_text.isdigit() or len(expiry_text) > 12 or not signature:
        raise AuthError(403, "malformed token")
    if not hmac.compare_digest(signature, _sign(secret, call_id, int(expiry_text))):
        raise AuthError(403, "bad token")
    if int(expiry_text) < (time.time() if now is None else now):
        raise AuthError(403, "expired token")


def check_secret(secret: str, presented: str | None) -> None:
    if not presented:
        raise AuthError(401, "missing secret")
    if not hmac.compare_digest(presented.encode(), secret.encode()):
        raise AuthError(403, "wrong secret")


class UnknownSigningKey(AuthError):
    """The token names a key the current key set does not hold (refresh the keys, then retry)."""

    def __init__(self) -> None:
        super().__init__(403, "unknown signing key")


#: ACS signs with RS256 (its OpenID configuration says so); nothing else is accepted, never "none".
ALGORITHMS = ("RS256",)
#: Clock skew allowed between ACS and the bridge when checking ``exp`` and ``nbf``.
LEEWAY_S = 30


def check_jwt(authorization: str | None, keys: dict[str, jwt.PyJWK], *, issuer: str, audience: str) -> dict:
    """The claims of the ``Authorization: Bearer`` JWT, verified against ``keys`` (by ``kid``),
    the issuer, the audience and its expiry; AuthError (401 absent, 403 wrong) otherwise."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise AuthError(401, "missing bearer token")
    token = authorization[7:].strip()
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise AuthError(403, f"invalid JWT: {type(exc).__name__}") from None
    # A token without a kid is only accepted when there is exactly one key to try.
    key = keys.get(kid) if isinstance(kid, str) else (next(iter(keys.values())) if len(keys) == 1 else None)
    if key is None:
        raise UnknownSigningKey()
    try:
        return jwt.decode(token, key.key, algorithms=list(ALGORITHMS), audience=audience, issuer=issuer,
                          leeway=LEEWAY_S, options={"require": ["exp", "iss", "aud"]})
    except jwt.PyJWTError as exc:
        raise AuthError(403, f"invalid JWT: {type(exc).__name__}") from None
