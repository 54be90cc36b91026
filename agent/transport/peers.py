"""Who sent a request, and a per-address budget of refused requests.

Both servers run uvicorn with ``proxy_headers`` off: its default believes
``X-Forwarded-For`` from any loopback peer, so anything on the host (or a proxy that
passes the header through) could pick the address it is counted under and sidestep the
rate limit. ``real_peer`` believes the header only when the TCP peer is one of the
configured ``SWITCHBOARD_TRUSTED_PROXIES`` (none by default), and then takes the nearest
address in the chain that is not itself a trusted proxy: the one the last trusted hop
saw. Pure: addresses in, an address out.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.5``, ``10.1.0.0/16``, ``::1`` -> networks; ValueError names a bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value.strip()!r} is not an IP address or network") from None
    return tuple(networks)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def real_peer(peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    """The address to count a request under.

    ``peer`` is the TCP peer; ``forwarded_for`` the ``X-Forwarded-For`` header as sent
    (``client, proxy1, proxy2``: each proxy appends the address it received from).
    """
    if not peer:
        return "unknown"
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if _trusted(hop, proxies):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # a hop no proxy would write: count it against the proxy that passed it on
    return peer


@dataclass
class RateLimiter:
    """Token bucket per client address for refused requests: ``rate`` a second, bursts up to ``burst``.

    Only requests that fail authentication are counted (``refuse``), and once an
    address's bucket is empty its failures are answered 429 instead of 401/403. A request
    that authenticates is never refused by the limiter: ACS sends every call's events,
    callbacks and media sockets from a few addresses, so neither a burst of real calls nor
    junk sent from the same address may shut out its signed traffic. Authentication is a
    constant-time compare before anything costly, so checking it first costs nothing.
    """

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    max_clients: int = 10_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def _tokens(self, client: str, now: float) -> float:
        tokens, last = self._buckets.get(client, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def refuse(self, client: str) -> bool:
        """Count one refused request from ``client``; True when it is over its budget (answer 429)."""
        now = self.clock()
        tokens = self._tokens(client, now)
        over = tokens < 1
        if len(self._buckets) >= self.max_clients and client not in self._buckets:
            # Bound memory under address spraying: forget the idlest half.
            for key, _ in sorted(self._buckets.items(), key=lambda kv: kv[1][1])[: self.max_clients // 2]:
                del self._buckets[key]
        self._buckets[client] = (max(0.0, tokens - 1), now)
        return over
