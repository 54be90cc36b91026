"""One settings object for the whole container, read from the environment.

Every variable is documented in README.md ("Configuration"). Nothing else in the
code base reads ``os.environ`` for switchboard settings: take a ``Settings``.
With no variable set at all, everything runs embedded on this machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

from agent.peers import parse_networks

REPO_ROOT = Path(__file__).resolve().parent.parent

#: The platform proxy caps WebSocket frames at 1 MiB; we enforce the same.
MAX_FRAME_BYTES = 1024 * 1024
SUPPORTED_SAMPLE_RATES = (8000, 16000, 24000)


class ConfigError(ValueError):
    """A configuration variable has a value we cannot use."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if not 0 <= value <= 1e6:  # also refuses nan and inf
        raise ConfigError(f"{name} must be between 0 and 1000000 seconds (0 turns it off), got {env.get(name)!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def on_platform(env: Mapping[str, str]) -> bool:
    """Running as a Foundry hosted agent: the variables the platform sets (as the agentserver SDK checks)."""
    return bool(env.get("FOUNDRY_HOSTING_ENVIRONMENT") or env.get("FOUNDRY_AGENT_SESSION_ID"))


def _default_data_dir(env: Mapping[str, str], default: Path) -> Path:
    # The platform keeps a session's $HOME across idle deprovisioning, and nothing else:
    # there, SQLite state (sessions, cases, call records) must live under it to survive.
    if on_platform(env):
        return (Path(env["HOME"]) if env.get("HOME") else Path.home()) / "data"
    return default


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in (env.get(name) or "").split(",") if v.strip())
    try:
        parse_networks(values)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    return values


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    # --- container and sessions -------------------------------------------------
    port: int = 8088
    host: str = "0.0.0.0"
    data_dir: Path = Path("data")
    redis_url: str | None = None
    session_idle_timeout_s: float = 900.0
    replay_buffer_events: int = 512
    store_retry_s: float = 5.0  # how long one store call retries transient errors (agent/store/retry.py)
    ws_keepalive_interval_s: float = 0.0
    platform_session_id: str | None = None  # FOUNDRY_AGENT_SESSION_ID
    shutdown_grace_s: float = 3.0
    log_level: str = "INFO"
    workers: int = 1  # container processes behind the port (agent/workers.py); 1 = no dispatcher

    # --- speech -----------------------------------------------------------------
    speech_engine: str = "local"  # local | voicelive | none
    vad: str = "webrtc"  # webrtc | silero
    endpoint_silence_ms: int = 500
    endpoint_hold_ms: int = 1100  # silence needed after an unfinished-sounding phrase
    turn_model: str = "silence"  # silence | smart-turn (agent/speech/turn.py; measured in docs/speech.md)
    barge_in_ms: int = 200  # a cough is ~150 ms; 200 + detection stays inside the 300 ms stop budget
    tts_enabled: bool = True
    dtmf_inter_digit_s: float = 3.0  # keyed digits pause longer than this -> they are one caller turn
    dtmf_max_digits: int = 16
    #: Spoken calls: "are you still there?" after this much caller silence, goodbye this long after that,
    #: a maximum call length and a warning before it (agent/limits.py). 0 turns each off.
    silence_prompt_s: float = 10.0
    silence_close_s: float = 10.0
    max_call_s: float = 1800.0
    call_warning_s: float = 60.0

    # --- brain ------------------------------------------------------------------------
    brain: str = "switchboard"  # switchboard | placeholder (echo; transport tests and benchmarks)

    # --- coordinator and knowledge -----------------------------------------------
    knowledge_dir: Path = REPO_ROOT / "samples" / "knowledge"
    policy_file: Path = REPO_ROOT / "agent" / "coordinator" / "policy.yaml"
    azure_search_endpoint: str | None = None
    azure_search_index: str = "switchboard-knowledge"
    azure_search_api_key: str | None = None

    # --- domain agents and MCP ----------------------------------------------------
    mcp_field_ops_url: str | None = None  # remote streamable-HTTP MCP URL; else a local stdio process
    mcp_it_ops_url: str | None = None
    tool_timeout_s: float = 5.0
    holding_phrase_ms: int = 700
    duplicate_window_s: float = 600.0  # a request repeated within this in one call is confirmed, not redone
    azure_openai_endpoint: str | None = None
    azure_openai_deployment: str | None = None
    azure_openai_api_version: str = "2024-10-21"

    # --- human hand-over ------------------------------------------------------------
    cases_token: str | None = None  # bearer token for GET /cases/{id}
    handoff_targets_file: Path = REPO_ROOT / "agent" / "handoff" / "targets.yaml"

    # --- Voice Live (cloud speech) -------------------------------------------------
    voicelive_endpoint: str | None = None
    voicelive_model: str = "gpt-4o-realtime-preview"
    voicelive_api_key: str | None = field(default=None, repr=False)
    voicelive_voice: str = "en-US-Ava:DragonHDLatestNeural"
    voicelive_fallback_local: bool = True

    # --- ACS bridge (bridge/) --------------------------------------------------------
    bridge_port: int = 8089
    bridge_agent_url: str = "ws://127.0.0.1:8088/invocations_ws"  # locally; the Foundry endpoint in Azure
    bridge_agent_auth: str = "none"  # none | entra (DefaultAzureCredential bearer token on the upgrade)
    bridge_public_url: str | None = None  # https://... base ACS reaches the bridge at (callback + media URLs)
    bridge_secret: str | None = field(default=None, repr=False)  # signs URL tokens; Event Grid webhook secret
    bridge_acs_connection_string: str | None = field(default=None, repr=False)
    bridge_acs_endpoint: str | None = None  # with managed identity instead of a connection string
    # ACS-signed JWTs on callbacks and the media upgrade are required when the audience (the ACS
    # resource's immutable id) is set; keys and issuer come from ACS's OpenID configuration.
    bridge_acs_audience: str | None = None
    bridge_acs_openid_url: str = "https://acscallautomation.communication.azure.com/calling/.well-known/acsopenidconfiguration"
    bridge_acs_issuer: str | None = None  # default: the issuer the OpenID configuration names
    # Event Grid with Entra delivery: a JWT for this audience from this (Entra) OpenID configuration.
    bridge_eventgrid_audience: str | None = None
    bridge_eventgrid_openid_url: str | None = None
    bridge_fallback_target: str | None = None  # "+15551234567" or an ACS raw id: where calls go if the agent is down
    bridge_sample_rate: int = 16000  # 16000 | 24000
    bridge_gap_buffer_s: float = 5.0  # caller audio kept while the agent link is down
    bridge_agent_outage_s: float = 8.0  # reconnecting longer than this -> apology + fallback transfer
    bridge_agent_first_connect_s: float = 20.0  # the same for a call's first connection (a sandbox may be starting)
    bridge_session_pool: int = 0  # N > 0: calls share N long-lived agent sessions (pool-<k>); 0: a session per call
    bridge_rate_limit_per_s: float = 20.0  # refused requests per client IP, on every endpoint
    # warm hand-over (docs/handoff.md)
    bridge_cognitive_services_endpoint: str | None = None  # Azure AI services ACS speaks hold prompt and briefing with
    bridge_tts_voice: str = "en-US-JennyNeural"
    bridge_hold_prompt: str = "Please hold while I brief a colleague on your call."
    bridge_hold_music_url: str | None = None  # a WAV ACS plays on hold instead of the prompt
    bridge_caller_id: str | None = None  # E.164 number of the ACS resource, shown to phone targets
    # recording (bridge/consent.py): off, or on after the consent prompt unless the caller opts out
    bridge_recording: str = "off"  # off | on
    bridge_consent_prompt: str = ("This call is recorded so we can help you and improve our service. "
                                  "To continue without recording, press 2 now.")
    bridge_consent_opt_out_digit: str = "2"
    bridge_consent_window_s: float = 4.0  # after the prompt was sent, how long the opt-out key is awaited
    #: Proxies whose X-Forwarded-For is believed (IPs or CIDRs); none by default: the TCP peer counts.
    trusted_proxies: tuple[str, ...] = ()

    # --- telemetry ------------------------------------------------------------------
    otlp_endpoint: str | None = None
    appinsights_connection_string: str | None = field(default=None, repr=False)
    price_file: Path | None = None

    # --- deployment (switchboard deploy / samples web) -------------------------------
    foundry_project_endpoint: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from ``env`` (default ``os.environ``); raises ConfigError on bad values."""
        e = os.environ if env is None else env
        d = cls()
        if _float(e, "SWITCHBOARD_DTMF_INTER_DIGIT_S", d.dtmf_inter_digit_s) <= 0:
            raise ConfigError("SWITCHBOARD_DTMF_INTER_DIGIT_S must be more than 0")
        if _int(e, "SWITCHBOARD_DTMF_MAX_DIGITS", d.dtmf_max_digits) < 1:
            raise ConfigError("SWITCHBOARD_DTMF_MAX_DIGITS must be at least 1")
        if _int(e, "SWITCHBOARD_BRIDGE_SESSION_POOL", d.bridge_session_pool) < 0:
            raise ConfigError("SWITCHBOARD_BRIDGE_SESSION_POOL must be 0 (a session per call) or more")
        return cls(
            port=_int(e, "PORT", d.port),
            host=e.get("SWITCHBOARD_HOST") or d.host,
            data_dir=Path(e.get("SWITCHBOARD_DATA_DIR") or _default_data_dir(e, d.data_dir)),
            redis_url=e.get("SWITCHBOARD_REDIS_URL") or None,
            session_idle_timeout_s=_float(e, "SWITCHBOARD_SESSION_IDLE_TIMEOUT_S", d.session_idle_timeout_s),
            replay_buffer_events=_int(e, "SWITCHBOARD_REPLAY_BUFFER_EVENTS", d.replay_buffer_events),
            store_retry_s=_float(e, "SWITCHBOARD_STORE_RETRY_S", d.store_retry_s),
            ws_keepalive_interval_s=_float(e, "WS_KEEPALIVE_INTERVAL", d.ws_keepalive_interval_s),
            platform_session_id=e.get("FOUNDRY_AGENT_SESSION_ID") or None,
            shutdown_grace_s=_float(e, "SWITCHBOARD_SHUTDOWN_GRACE_S", d.shutdown_grace_s),
            log_level=e.get("SWITCHBOARD_LOG_LEVEL") or d.log_level,
            workers=_int(e, "SWITCHBOARD_WORKERS", d.workers),
            speech_engine=_choice(e, "SWITCHBOARD_SPEECH", d.speech_engine, ("local", "voicelive", "none")),
            vad=_choice(e, "SWITCHBOARD_VAD", d.vad, ("webrtc", "silero")),
            endpoint_silence_ms=_int(e, "SWITCHBOARD_ENDPOINT_SILENCE_MS", d.endpoint_silence_ms),
            endpoint_hold_ms=_int(e, "SWITCHBOARD_ENDPOINT_HOLD_MS", d.endpoint_hold_ms),
            turn_model=_choice(e, "SWITCHBOARD_TURN_MODEL", d.turn_model, ("silence", "smart-turn")),
            barge_in_ms=_int(e, "SWITCHBOARD_BARGE_IN_MS", d.barge_in_ms),
            tts_enabled=_bool(e, "SWITCHBOARD_TTS", d.tts_enabled),
            dtmf_inter_digit_s=_float(e, "SWITCHBOARD_DTMF_INTER_DIGIT_S", d.dtmf_inter_digit_s),
            dtmf_max_digits=_int(e, "SWITCHBOARD_DTMF_MAX_DIGITS", d.dtmf_max_digits),
            silence_prompt_s=_seconds(e, "SWITCHBOARD_SILENCE_PROMPT_S", d.silence_prompt_s),
            silence_close_s=_seconds(e, "SWITCHBOARD_SILENCE_CLOSE_S", d.silence_close_s),
            max_call_s=_seconds(e, "SWITCHBOARD_MAX_CALL_S", d.max_call_s),
            call_warning_s=_seconds(e, "SWITCHBOARD_CALL_WARNING_S", d.call_warning_s),
            brain=_choice(e, "SWITCHBOARD_BRAIN", d.brain, ("switchboard", "placeholder")),
            knowledge_dir=Path(e.get("SWITCHBOARD_KNOWLEDGE_DIR") or d.knowledge_dir),
            policy_file=Path(e.get("SWITCHBOARD_POLICY_FILE") or d.policy_file),
            azure_search_endpoint=e.get("AZURE_SEARCH_ENDPOINT") or None,
            azure_search_index=e.get("AZURE_SEARCH_INDEX") or d.azure_search_index,
            azure_search_api_key=e.get("AZURE_SEARCH_API_KEY") or None,
            mcp_field_ops_url=e.get("SWITCHBOARD_MCP_FIELD_OPS_URL") or None,
            mcp_it_ops_url=e.get("SWITCHBOARD_MCP_IT_OPS_URL") or None,
            tool_timeout_s=_float(e, "SWITCHBOARD_TOOL_TIMEOUT_S", d.tool_timeout_s),
            holding_phrase_ms=_int(e, "SWITCHBOARD_HOLDING_PHRASE_MS", d.holding_phrase_ms),
            duplicate_window_s=_float(e, "SWITCHBOARD_DUPLICATE_WINDOW_S", d.duplicate_window_s),
            azure_openai_endpoint=e.get("AZURE_OPENAI_ENDPOINT") or None,
            azure_openai_deployment=e.get("AZURE_OPENAI_DEPLOYMENT") or None,
            azure_openai_api_version=e.get("AZURE_OPENAI_API_VERSION") or d.azure_openai_api_version,
            cases_token=e.get("SWITCHBOARD_CASES_TOKEN") or None,
            handoff_targets_file=Path(e.get("SWITCHBOARD_HANDOFF_TARGETS_FILE") or d.handoff_targets_file),
            voicelive_endpoint=e.get("AZURE_VOICELIVE_ENDPOINT") or None,
            voicelive_model=e.get("AZURE_VOICELIVE_MODEL") or d.voicelive_model,
            voicelive_api_key=e.get("AZURE_VOICELIVE_API_KEY") or None,
            voicelive_voice=e.get("AZURE_VOICELIVE_VOICE") or d.voicelive_voice,
            voicelive_fallback_local=_bool(e, "SWITCHBOARD_VOICELIVE_FALLBACK", d.voicelive_fallback_local),
            bridge_port=_int(e, "SWITCHBOARD_BRIDGE_PORT", d.bridge_port),
            bridge_agent_url=e.get("SWITCHBOARD_BRIDGE_AGENT_URL") or d.bridge_agent_url,
            bridge_agent_auth=_choice(e, "SWITCHBOARD_BRIDGE_AGENT_AUTH", d.bridge_agent_auth, ("none", "entra")),
            bridge_public_url=e.get("SWITCHBOARD_BRIDGE_PUBLIC_URL") or None,
            bridge_secret=e.get("SWITCHBOARD_BRIDGE_SECRET") or None,
            bridge_acs_connection_string=e.get("SWITCHBOARD_BRIDGE_ACS_CONNECTION_STRING") or None,
            bridge_acs_endpoint=e.get("SWITCHBOARD_BRIDGE_ACS_ENDPOINT") or None,
            bridge_acs_audience=e.get("SWITCHBOARD_BRIDGE_ACS_AUDIENCE") or None,
            bridge_acs_openid_url=e.get("SWITCHBOARD_BRIDGE_ACS_OPENID_URL") or d.bridge_acs_openid_url,
            bridge_acs_issuer=e.get("SWITCHBOARD_BRIDGE_ACS_ISSUER") or None,
            bridge_eventgrid_audience=e.get("SWITCHBOARD_BRIDGE_EVENTGRID_AUDIENCE") or None,
            bridge_eventgrid_openid_url=e.get("SWITCHBOARD_BRIDGE_EVENTGRID_OPENID_URL") or None,
            bridge_fallback_target=e.get("SWITCHBOARD_BRIDGE_FALLBACK_TARGET") or None,
            bridge_sample_rate=int(_choice(e, "SWITCHBOARD_BRIDGE_SAMPLE_RATE", str(d.bridge_sample_rate), ("16000", "24000"))),
            bridge_gap_buffer_s=_float(e, "SWITCHBOARD_BRIDGE_GAP_BUFFER_S", d.bridge_gap_buffer_s),
            bridge_agent_outage_s=_float(e, "SWITCHBOARD_BRIDGE_AGENT_OUTAGE_S", d.bridge_agent_outage_s),
            bridge_agent_first_connect_s=_float(e, "SWITCHBOARD_BRIDGE_AGENT_FIRST_CONNECT_S",
                                                d.bridge_agent_first_connect_s),
            bridge_session_pool=_int(e, "SWITCHBOARD_BRIDGE_SESSION_POOL", d.bridge_session_pool),
            bridge_rate_limit_per_s=_float(e, "SWITCHBOARD_BRIDGE_RATE_LIMIT_PER_S", d.bridge_rate_limit_per_s),
            bridge_cognitive_services_endpoint=e.get("SWITCHBOARD_BRIDGE_COGNITIVE_SERVICES_ENDPOINT") or None,
            bridge_tts_voice=e.get("SWITCHBOARD_BRIDGE_TTS_VOICE") or d.bridge_tts_voice,
            bridge_hold_prompt=e.get("SWITCHBOARD_BRIDGE_HOLD_PROMPT") or d.bridge_hold_prompt,
            bridge_hold_music_url=e.get("SWITCHBOARD_BRIDGE_HOLD_MUSIC_URL") or None,
            bridge_caller_id=e.get("SWITCHBOARD_BRIDGE_CALLER_ID") or None,
            bridge_recording=_choice(e, "SWITCHBOARD_BRIDGE_RECORDING", d.bridge_recording, ("off", "on")),
            bridge_consent_prompt=e.get("SWITCHBOARD_BRIDGE_CONSENT_PROMPT") or d.bridge_consent_prompt,
            bridge_consent_opt_out_digit=_choice(e, "SWITCHBOARD_BRIDGE_CONSENT_OPT_OUT_DIGIT",
                                                 d.bridge_consent_opt_out_digit, tuple("0123456789*#")),
            bridge_consent_window_s=_float(e, "SWITCHBOARD_BRIDGE_CONSENT_WINDOW_S", d.bridge_consent_window_s),
            trusted_proxies=_networks(e, "SWITCHBOARD_TRUSTED_PROXIES"),
            otlp_endpoint=e.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
            appinsights_connection_string=e.get("APPLICATIONINSIGHTS_CONNECTION_STRING") or None,
            price_file=Path(e["SWITCHBOARD_PRICE_FILE"]) if e.get("SWITCHBOARD_PRICE_FILE") else None,
            foundry_project_endpoint=e.get("AZURE_AI_PROJECT_ENDPOINT") or None,
        )

    def with_(self, **changes: object) -> "Settings":
        """A copy with some fields changed (tests and commands use this)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(self, **changes)  # type: ignore[arg-type]

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir
