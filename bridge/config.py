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

from agent.envparse import ConfigError, SettingsBase, env_choice, env_float, env_int, env_networks

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
    # ACS-signed JWTs on callbacks and the media upgrade are required when the audience (the ACS
    # resource's immutable id) is set; keys and issuer come from ACS's OpenID configuration.
    acs_audience: str | None = None
    acs_openid_url: str = "https://acscallautomation.communication.azure.com/calling/.well-known/acsopenidconfiguration"
    acs_issuer: str | None = None  # default: the issuer the OpenID configuration names
    # Event Grid with Entra delivery: a JWT for this audience from this (Entra) OpenID configuration.
    eventgrid_audience: str | None = None
    eventgrid_openid_url: str | None = None
    fallback_target: str | None = None  # "+15551234567" or an ACS raw id: where calls go if the agent is down
    sample_rate: int = 16000  # 16000 | 24000
    gap_buffer_s: float = 5.0  # caller audio kept while the agent link is down
    agent_outage_s: float = 8.0  # longer than this unreachable -> apology + fallback transfer
    agent_first_connect_s: float = 20.0  # the same for a call's first connection (a sandbox may be starting)
    session_pool: int = 0  # N > 0: calls share N long-lived agent sessions (pool-<k>); 0: a session per call
    rate_limit_per_s: float = 20.0  # refused requests per client IP, on every endpoint
    #: Proxies whose X-Forwarded-For is believed (IPs or CIDRs); none by default: the TCP peer counts.
    trusted_proxies: tuple[str, ...] = ()
    # warm hand-over (docs/handoff.md)
    cognitive_services_endpoint: str | None = None  # Azure AI services ACS speaks hold prompt and briefing with
    tts_voice: str = "en-US-JennyNeural"
    hold_prompt: str = "Please hold while I brief a colleague on your call."
    hold_music_url: str | None = None  # a WAV ACS plays on hold instead of the prompt
    caller_id: str | None = None  # E.164 number of the ACS resource, shown to phone targets
    # recording (bridge/consent.py): off, or on after the consent prompt unless the caller opts out
    recording: str = "off"  # off | on
    consent_prompt: str = ("This call is recorded so we can help you and improve our service. "
                           "To continue without recording, press 2 now.")
    consent_opt_out_digit: str = "2"
    consent_window_s: float = 4.0  # after the prompt was sent, how long the opt-out key is awaited
    # telemetry export (agent/observability/telemetry.py), the same variables as the agent's
    otlp_endpoint: str | None = None
    appinsights_connection_string: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "BridgeSettings":
        """Build settings from ``env`` (default ``os.environ``); raises ConfigError on bad values."""
        e = os.environ if env is None else env
        d = cls()
        if env_int(e, "SWITCHBOARD_BRIDGE_SESSION_POOL", d.session_pool) < 0:
            raise ConfigError("SWITCHBOARD_BRIDGE_SESSION_POOL must be 0 (a session per call) or more")
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
            acs_audience=e.get("SWITCHBOARD_BRIDGE_ACS_AUDIENCE") or None,
            acs_openid_url=e.get("SWITCHBOARD_BRIDGE_ACS_OPENID_URL") or d.acs_openid_url,
            acs_issuer=e.get("SWITCHBOARD_BRIDGE_ACS_ISSUER") or None,
            eventgrid_audience=e.get("SWITCHBOARD_BRIDGE_EVENTGRID_AUDIENCE") or None,
            eventgrid_openid_url=e.get("SWITCHBOARD_BRIDGE_EVENTGRID_OPENID_URL") or None,
            fallback_target=e.get("SWITCHBOARD_BRIDGE_FALLBACK_TARGET") or None,
            sample_rate=int(env_choice(e, "SWITCHBOARD_BRIDGE_SAMPLE_RATE", str(d.sample_rate), ("16000", "24000"))),
            gap_buffer_s=env_float(e, "SWITCHBOARD_BRIDGE_GAP_BUFFER_S", d.gap_buffer_s),
            agent_outage_s=env_float(e, "SWITCHBOARD_BRIDGE_AGENT_OUTAGE_S", d.agent_outage_s),
            agent_first_connect_s=env_float(e, "SWITCHBOARD_BRIDGE_AGENT_FIRST_CONNECT_S", d.agent_first_connect_s),
            session_pool=env_int(e, "SWITCHBOARD_BRIDGE_SESSION_POOL", d.session_pool),
            rate_limit_per_s=env_float(e, "SWITCHBOARD_BRIDGE_RATE_LIMIT_PER_S", d.rate_limit_per_s),
            trusted_proxies=env_networks(e, "SWITCHBOARD_TRUSTED_PROXIES"),
            cognitive_services_endpoint=e.get("SWITCHBOARD_BRIDGE_COGNITIVE_SERVICES_ENDPOINT") or None,
            tts_voice=e.get("SWITCHBOARD_BRIDGE_TTS_VOICE") or d.tts_voice,
            hold_prompt=e.get("SWITCHBOARD_BRIDGE_HOLD_PROMPT") or d.hold_prompt,
            hold_music_url=e.get("SWITCHBOARD_BRIDGE_HOLD_MUSIC_URL") or None,
            caller_id=e.get("SWITCHBOARD_BRIDGE_CALLER_ID") or None,
            recording=env_choice(e, "SWITCHBOARD_BRIDGE_RECORDING", d.recording, ("off", "on")),
            consent_prompt=e.get("SWITCHBOARD_BRIDGE_CONSENT_PROMPT") or d.consent_prompt,
            consent_opt_out_digit=env_choice(e, "SWITCHBOARD_BRIDGE_CONSENT_OPT_OUT_DIGIT",
                                             d.consent_opt_out_digit, tuple("0123456789*#")),
            consent_window_s=env_float(e, "SWITCHBOARD_BRIDGE_CONSENT_WINDOW_S", d.consent_window_s),
            otlp_endpoint=e.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
            appinsights_connection_string=e.get("APPLICATIONINSIGHTS_CONNECTION_STRING") or None,
        )
