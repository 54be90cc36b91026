"""Which address a request is counted under, and the per-address budget of refusals."""

from __future__ import annotations

import pytest

from agent.config import ConfigError, Settings
from agent.transport.peers import RateLimiter, parse_networks, real_peer

PROXIES = parse_networks(["10.0.0.0/8", "192.168.1.5", "fd00::/8"])


@pytest.mark.parametrize("peer, header, expected", [
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from a proxy: the header is ignored
    ("127.0.0.1", "198.51.100.1", "127.0.0.1"),  # loopback is not trusted unless configured
    ("10.1.1.1", None, "10.1.1.1"),
    ("10.1.1.1", "198.51.100.1", "198.51.100.1"),
    ("10.1.1.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # what the client wrote itself is not believed
    ("10.1.1.1", "6.6.6.6, 198.51.100.1, 192.168.1.5, 10.2.2.2", "198.51.100.1"),  # trusted hops skipped
    ("10.1.1.1", "10.3.3.3, 192.168.1.5", "10.1.1.1"),  # nothing but proxies: the peer
    ("10.1.1.1", "not-an-address", "10.1.1.1"),
    ("10.1.1.1", "198.51.100.1, ", "10.1.1.1"),  # an empty hop is malformed
    ("fd00::1", "2001:db8::7", "2001:db8::7"),
    (None, "198.51.100.1", "unknown"),
])
def test_real_peer(peer, header, expected):
    assert real_peer(peer, header, PROXIES) == expected


def test_without_trusted_proxies_the_tcp_peer_always_counts():
    assert real_peer("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"


def test_trusted_proxies_setting_is_validated():
    configured = Settings.from_env({"SWITCHBOARD_TRUSTED_PROXIES": " 10.0.0.0/8, ::1 "})
    assert configured.trusted_proxies == ("10.0.0.0/8", "::1")
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(ConfigError, match="SWITCHBOARD_TRUSTED_PROXIES"):
        Settings.from_env({"SWITCHBOARD_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"})


def test_rate_limiter_counts_refusals_per_client():
    now = [0.0]
    limiter = RateLimiter(rate=2, burst=2, clock=lambda: now[0])
    assert [limiter.refuse("a") for _ in range(3)] == [False, False, True]
    assert limiter.refuse("b") is False  # another address has its own bucket
    now[0] += 0.5  # one refusal's worth of tokens back
    assert limiter.refuse("a") is False
    assert limiter.refuse("a") is True


def test_rate_limiter_memory_is_bounded():
    limiter = RateLimiter(rate=1, burst=1, max_clients=100)
    for i in range(1000):
        limiter.refuse(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._buckets) <= 100
