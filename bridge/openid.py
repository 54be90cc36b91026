"""The signing keys behind an OpenID configuration, fetched and cached, and a JWT check per endpoint.

ACS signs every Call Automation callback (a 5-minute token) and the media WebSocket upgrade
(a 24-hour token) with a JWT in the ``Authorization`` header. Its OpenID configuration,
``https://acscallautomation.communication.azure.com/calling/.well-known/acsopenidconfiguration``,
names the issuer and the JWKS endpoint; the audience is the ACS resource's immutable id
(Microsoft Learn, "Secure webhook endpoints and WebSocket connections"). Event Grid's Entra
delivery is the same check against Microsoft Entra's configuration and another audience.

Keys are fetched on first use, kept for ``max_age_s``, and fetched again when a token names a
key the cache does not hold (ACS rotated its keys), at most once per ``refresh_min_s``, so
tokens with made-up key ids cannot make the bridge hammer the key endpoint.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import jwt

from bridge.auth import AuthError, UnknownSigningKey, check_jwt

MAX_DOCUMENT_BYTES = 256 * 1024
FETCH_TIMEOUT_S = 5.0
_LOOPBACK = ("127.0.0.1", "localhost", "::1")

Fetch = Callable[[str], Awaitable[Any]]


class KeyFetchError(AuthError):
    """The OpenID configuration or its keys could not be read: nothing can be verified (503; ACS retries)."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


def check_url(url: str) -> str:
    """Keys must come over https (plain http only from this machine, for tests and local emulators)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        raise ValueError(f"OpenID configuration and key URLs must be https, not {url[:100]!r}")
    return url


async def fetch_json(url: str) -> Any:
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
        if response.status != 200:
            raise KeyFetchError(f"{urlsplit(url).netloc} answered {response.status}")
        body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise KeyFetchError(f"{urlsplit(url).netloc} sent an oversized document")
    return json.loads(body)


class OpenIdKeys:
    """The issuer and signing keys an OpenID configuration URL publishes."""

    def __init__(self, config_url: str, *, fetch: Fetch = fetch_json, clock: Callable[[], float] = time.monotonic,
                 refresh_min_s: float = 60.0, max_age_s: float = 24 * 3600.0) -> None:
        self.config_url = check_url(config_url)
        self._fetch, self._clock = fetch, clock
        self._refresh_min_s, self._max_age_s = refresh_min_s, max_age_s
        self._issuer: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def current(self) -> tuple[str, dict[str, jwt.PyJWK]]:
        """(issuer, keys by kid), fetched if never fetched or older than ``max_age_s``."""
        if self._fetched_at is None or self._clock() - self._fetched_at > self._max_age_s:
            await self._load(force=False)
        assert self._issuer is not None
        return self._issuer, self._keys

    async def refresh(self) -> bool:
        """Fetch again for a key the cache lacks; False when the last fetch was too recent."""
        return await self._load(force=True)

    async def _load(self, *, force: bool) -> bool:
        async with self._lock:  # concurrent requests share one fetch
            now = self._clock()
            if self._fetched_at is not None:
                age = now - self._fetched_at
                if (force and age < self._refresh_min_s) or (not force and age <= self._max_age_s):
                    return False
            try:
                config = await self._fetch(self.config_url)
                issuer, jwks_uri = config.get("issuer"), config.get("jwks_uri")
                if not isinstance(issuer, str) or not isinstance(jwks_uri, str):
                    raise KeyFetchError("OpenID configuration lacks issuer or jwks_uri")
                document = await self._fetch(check_url(jwks_uri))
                keys = {}
                for entry in document.get("keys", []) if isinstance(document, dict) else []:
                    if isinstance(entry, dict) and entry.get("use", "sig") == "sig" and isinstance(entry.get("kid"), str):
                        try:
                            keys[entry["kid"]] = jwt.PyJWK(entry)
                        except jwt.PyJWTError:
                            continue  # a key type we do not use (the rest still verify)
            except KeyFetchError:
                raise
            except Exception as exc:  # network, JSON, URL: all mean "cannot verify now"
                raise KeyFetchError(f"cannot read signing keys from {urlsplit(self.config_url).netloc}: "
                                    f"{type(exc).__name__}") from None
            if not keys:
                raise KeyFetchError("the key set holds no usable signing keys")
            self._issuer, self._keys, self._fetched_at = issuer, keys, now
            self.fetches += 1
            return True


class JwtChecker:
    """One endpoint's check: keys from ``keys``, this audience, and the issuer the configuration
    names (or ``issuer`` when given)."""

    def __init__(self, keys: OpenIdKeys, audience: str, issuer: str | None = None) -> None:
        self.keys, self.audience, self.issuer = keys, audience, issuer

    async def check(self, authorization: str | None) -> dict:
        if not authorization:
            raise AuthError(401, "missing bearer token")  # refused before any fetch
        issuer, keys = await self.keys.current()
        try:
            return check_jwt(authorization, keys, issuer=self.issuer or issuer, audience=self.audience)
        except UnknownSigningKey:
            if not await self.keys.refresh():  # rotated keys are fetched; made-up key ids are not chased
                raise
        issuer, keys = await self.keys.current()
        return check_jwt(authorization, keys, issuer=self.issuer or issuer, audience=self.audience)
