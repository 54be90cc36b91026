"""The bridge's own settings: the same SWITCHBOARD_BRIDGE_* variables deployers already set,
read without the agent's Settings (which no longer carries any bridge field)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from agent.config import Settings
from bridge.config import BridgeSettings, ConfigError

DOC = (Path(__file__).resolve().parents[2] / "docs" / "bridge.md").read_text()


def test_every_documented_variable_is_read():
    documented = set(re.findall(r"`(SWITCHBOARD_BRIDGE_[A-Z_]+)`", DOC))
    assert len(documented) >= 10
    source = (Path(__file__).resolve().parents[2] / "bridge" / "config.py").read_text()
    assert {v for v in documented if f'"{v}"' not in source} == set()


def test_values_come_from_the_environment():
    s = BridgeSettings.from_env({
        "SWITCHBOARD_BRIDGE_PORT": "9001", "SWITCHBOARD_HOST": "127.0.0.1", "SWITCHBOARD_DATA_DIR": "/tmp/b",
        "SWITCHBOARD_REDIS_URL": "redis://r:6379/0", "SWITCHBOARD_BRIDGE_AGENT_URL": "wss://agent/invocations_ws",
        "SWITCHBOARD_BRIDGE_AGENT_AUTH": "entra", "SWITCHBOARD_BRIDGE_SECRET": "s3", "SWITCHBOARD_BRIDGE_SAMPLE_RATE": "24000",
        "SWITCHBOARD_BRIDGE_ACS_AUDIENCE": "acs-id", "SWITCHBOARD_BRIDGE_AGENT_OUTAGE_S": "2.5",
        "SWITCHBOARD_TRUSTED_PROXIES": "10.0.0.0/8", "SWITCHBOARD_BRIDGE_RECORDING": "on",
    })
    assert (s.port, s.host, s.data_dir, s.redis_url) == (9001, "127.0.0.1", Path("/tmp/b"), "redis://r:6379/0")
    assert (s.agent_url, s.agent_auth, s.secret, s.sample_rate) == ("wss://agent/invocations_ws", "entra", "s3", 24000)
    assert (s.acs_audience, s.agent_outage_s) == ("acs-id", 2.5)
    assert (s.trusted_proxies, s.recording) == (("10.0.0.0/8",), "on")
    assert BridgeSettings.from_env({}) == BridgeSettings()
    assert "s3" not in repr(s)  # secrets stay out of logs


@pytest.mark.parametrize("name, value", [
    ("SWITCHBOARD_BRIDGE_PORT", "eighty"),
    ("SWITCHBOARD_BRIDGE_AGENT_AUTH", "basic"),
    ("SWITCHBOARD_BRIDGE_SAMPLE_RATE", "8000"),
    ("SWITCHBOARD_BRIDGE_GAP_BUFFER_S", "lots"),
    ("SWITCHBOARD_TRUSTED_PROXIES", "proxy.internal"),
    ("SWITCHBOARD_BRIDGE_RECORDING", "maybe"),
])
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        BridgeSettings.from_env({name: value})


def test_the_agent_settings_carry_no_bridge_fields():
    assert [f.name for f in dataclasses.fields(Settings) if f.name.startswith("bridge")] == []


def test_unknown_fields_are_refused():
    with pytest.raises(ConfigError, match="bridge_port"):
        BridgeSettings().with_(bridge_port=1)
