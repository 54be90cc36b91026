"""The bridge's settings, read from the environment (``SWITCHBOARD_BRIDGE_*`` and the few
container variables it shares with the agent). Every variable is in README.md ("Configuration").

The bridge is deployed on its own (deploy/bridge), so it does not take the agent's
``Settings``: nothing here concerns speech, the brain or the tools.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from agent.envparse import ConfigError, SettingsBase, env_choice, env_float, env_int

__all__ = ["BridgeSettings", "ConfigError"]  # ConfigError: raised by from_env, caught by its callers


@dataclass(frozen=True)
class BridgeSettings(SettingsBase):
    port: int = 8089
    host: str = "0.0.0.0"
    data_dir: Path = Path("data")  # the call store (SQLite) and the spoken apology
    redis_url: str | None = None  # a call store shared by replicas
    log_level: str = "INFO"
    agent_url: str = "ws://127.0.0.1:8088/invocations_ws"  # locally; the Foundry endpoint in Azure
    agent_auth: str = "none"  # none | entra (DefaultAzureCredential bearer token on the upgrade)
    public_url: str | None = None  # https://... base ACS reaches the bridge at (callback + media URLs)
    secret: str | None = field(default=None, repr=False)  # signs URL tokens; Event Grid webhook secret
    acs_connection_string: str | None = field(default=None, repr=False)
    acs_endpoint: str | None = None  # with managed identity instead of a connection string
    jwks_file: Path | None = None  # ACS/Event Grid JWT signing keys (JWKS); validate when set
    jwt_audience: str | None = None
    fallback_target: str | None = None  # "+15551234567" or an ACS raw id: where calls go if the agent is down
    sample_rate: int = 16000  # 16000 | 24000
    gap_buffer_s: float = 5.0  # caller audio kept while the agent link is down
    agent_outage_s: float = 8.0  # longer than this unreachable -> apology + fallback transfer
    rate_limit_per_s: float = 20.0  # refused requests per client IP, on every endpoint

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "BridgeSettings":
        """Build settings from ``env`` (default ``os.environ``); raises ConfigError on bad values."""
        e = os.environ if env is None else env
        d = cls()
        return cls(
            port=env_int(e, "SWITCHBOARD_BRIDGE_PORT", d.port),
            host=e.get("SWITCHBOARD_HOST") or d.host,
            data_dir=Path(e.get("SWITCHBOARD_DATA_DIR") or d.data_dir),
            redis_url=e.get("SWITCHBOARD_REDIS_URL") or None,
            log_level=e.get("SWITCHBOARD_LOG_LEVEL") or d.log_level,
            agent_url=e.get("SWITCHBOARD_BRIDGE_AGENT_URL") or d.agent_url,
            agent_auth=env_choice(e, "SWITCHBOARD_BRIDGE_AGENT_AUTH", d.agent_auth, ("none", "entra")),
            public_url=e.get("SWITCHBOARD_BRIDGE_PUBLIC_URL") or None,
            secret=e.get("SWITCHBOARD_BRIDGE_SECRET") or None,
            acs_connection_string=e.get("SWITCHBOARD_BRIDGE_ACS_CONNECTION_STRING") or None,
            acs_endpoint=e.get("SWITCHBOARD_BRIDGE_ACS_ENDPOINT") or None,
            jwks_file=Path(e["SWITCHBOARD_BRIDGE_JWKS_FILE"]) if e.get("SWITCHBOARD_BRIDGE_JWKS_FILE") else None,
            jwt_audience=e.get("SWITCHBOARD_BRIDGE_JWT_AUDIENCE") or None,
            fallback_target=e.get("SWITCHBOARD_BRIDGE_FALLBACK_TARGET") or None,
            sample_rate=int(env_choice(e, "SWITCHBOARD_BRIDGE_SAMPLE_RATE", str(d.sample_rate), ("16000", "24000"))),
            gap_buffer_s=env_float(e, "SWITCHBOARD_BRIDGE_GAP_BUFFER_S", d.gap_buffer_s),
            agent_outage_s=env_float(e, "SWITCHBOARD_BRIDGE_AGENT_OUTAGE_S", d.agent_outage_s),
            rate_limit_per_s=env_float(e, "SWITCHBOARD_BRIDGE_RATE_LIMIT_PER_S", d.rate_limit_per_s),
        )
