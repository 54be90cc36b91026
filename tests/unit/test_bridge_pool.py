"""Which pooled agent session a call goes to."""

from __future__ import annotations

import pytest

from bridge.config import BridgeSettings, ConfigError
from bridge.calls import pooled_session_id


def test_pooled_session_ids_are_stable_in_range_and_spread():
    ids = [f"call-{i}" for i in range(200)]
    first = [pooled_session_id(c, 10) for c in ids]
    assert first == [pooled_session_id(c, 10) for c in ids]  # any replica, any reconnect: the same session
    assert {int(s.split("-")[1]) for s in first} == set(range(10))  # every pooled session gets calls
    assert max(first.count(f"pool-{k}") for k in range(10)) < 40  # no session takes a lopsided share
    assert pooled_session_id("x", 1) == "pool-0"


@pytest.mark.parametrize("pool", [0, -3])
def test_a_pool_needs_a_session(pool):
    with pytest.raises(ValueError):
        pooled_session_id("x", pool)


def test_pool_size_setting():
    assert BridgeSettings.from_env({}).session_pool == 0  # one session (sandbox) per call by default
    assert BridgeSettings.from_env({"SWITCHBOARD_BRIDGE_SESSION_POOL": "10"}).session_pool == 10
    with pytest.raises(ConfigError, match="SESSION_POOL"):
        BridgeSettings.from_env({"SWITCHBOARD_BRIDGE_SESSION_POOL": "-1"})
