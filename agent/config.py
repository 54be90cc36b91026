"""One settings object for the whole container, read from the environment.

Every variable is documented in README.md ("Configuration"). Nothing else in the
agent reads ``os.environ`` for switchboard settings: take a ``Settings``. The ACS
bridge, deployed on its own, has its own (``bridge/config.py``, ``SWITCHBOARD_BRIDGE_*``).
With no variable set at all, everything runs embedded on this machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from agent.envparse import (ConfigError, SettingsBase, env_bool, env_choice, env_float, env_int, env_networks,
                            env_seconds)
from agent.speech.denoise import DENOISERS
from agent.speech.models import STT_MODELS

__all__ = ["ConfigError", "REPO_ROOT", "Settings"]  # ConfigError: raised by from_env, caught by its callers

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Whisper's own default beam is 5; wider beams cost time for nothing measurable on short turns.
MAX_BEAM_SIZE = 8


def on_platform(env: Mapping[str, str]) -> bool:
    """Running as a Foundry hosted agent: the variables the platform sets (as the agentserver SDK checks)."""
    return bool(env.get("FOUNDRY_HOSTING_ENVIRONMENT") or env.get("FOUNDRY_AGENT_SESSION_ID"))


def _default_data_dir(env: Mapping[str, str], default: Path) -> Path:
    # The platform keeps a session's $HOME across idle deprovisioning, and nothing else:
    # there, SQLite state (sessions, cases, call records) must live under it to survive.
    if on_platform(env):
        return (Path(env["HOME"]) if env.get("HOME") else Path.home()) / "data"
    return default


@dataclass(frozen=True)
class Settings(SettingsBase):
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
    workers: int = 1  # container processes behind the port (agent/transport/workers.py); 1 = no dispatcher

    # --- speech -----------------------------------------------------------------
    speech_engine: str = "local"  # local | voicelive | none
    vad: str = "webrtc"  # webrtc | silero
    endpoint_silence_ms: int = 500
    endpoint_hold_ms: int = 1100  # silence needed after an unfinished-sounding phrase
    turn_model: str = "silence"  # silence | smart-turn (agent/speech/turn.py; measured in docs/speech.md)
    #: How the speculative transcript is judged: ``model`` (agent/speech/completeness.py), ``rules`` (last words),
    #: ``fused`` (the model's probability combined with Smart Turn's on the audio, agent/speech/endpoint.py), or
    #: ``hybrid`` (the model where it is sure, the rules in between).
    turn_words: str = "rules"
    #: Silence that ends a turn whose words the completeness model calls finished (turn_words model, fused, hybrid).
    endpoint_short_ms: int = 200
    #: Sustained voice over the agent that may interrupt it; its words then get 60 ms (agent/speech/local.py):
    #: 140 + 60 + onset detection keeps the stop near 200 ms of caller audio. Coughs and noise are told
    #: apart by the voice model (Silero), not by this length.
    barge_in_ms: int = 140
    #: Answer a spoken turn that sounds finished during its end-of-turn silence, on a copy of the call's
    #: state; played only if the turn ends with those words (agent/call/speculation.py).
    speculative_reply: bool = True
    tts_enabled: bool = True
    #: Prompt Whisper with the seeded site names and asset kinds. Off: it lowered WER on average
    #: (bench speech --wer) but made up digits after an id said digit by digit (E10482 -> E10-482-822).
    stt_vocabulary_prompt: bool = False
    #: The Whisper model (agent/speech/models.py), its beam size (1: greedy) and the noise suppression
    #: in front of it (agent/speech/denoise.py); chosen by WER and latency in docs/speech.md.
    stt_model: str = "tiny.en"
    stt_beam_size: int = 5
    stt_denoise: str = "off"
    #: Identify the caller's language on the first turns (Whisper base; loaded beside an English-only
    #: recogniser): a caller in another language is told so in it and passed to a person.
    stt_language_id: bool = True
    dtmf_inter_digit_s: float = 3.0  # keyed digits pause longer than this -> they are one caller turn
    dtmf_max_digits: int = 16
    #: Spoken calls: "are you still there?" after this much caller silence, goodbye this long after that,
    #: a maximum call length and a warning before it (agent/call/limits.py). 0 turns each off.
    silence_prompt_s: float = 10.0
    silence_close_s: float = 10.0
    max_call_s: float = 1800.0
    call_warning_s: float = 60.0

    # --- brain ------------------------------------------------------------------------
    brain: str = "switchboard"  # switchboard | placeholder (echo; transport tests and benchmarks)

    # --- coordinator and knowledge -----------------------------------------------
    knowledge_dir: Path = REPO_ROOT / "samples" / "knowledge"
    policy_file: Path = REPO_ROOT / "agent" / "routing" / "policy.yaml"
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

    #: Proxies whose X-Forwarded-For is believed (IPs or CIDRs); none by default: the TCP peer counts.
    #: The bridge reads the same variable into its own settings (bridge/config.py).
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
        if env_float(e, "SWITCHBOARD_DTMF_INTER_DIGIT_S", d.dtmf_inter_digit_s) <= 0:
            raise ConfigError("SWITCHBOARD_DTMF_INTER_DIGIT_S must be more than 0")
        if not 1 <= env_int(e, "SWITCHBOARD_STT_BEAM_SIZE", d.stt_beam_size) <= MAX_BEAM_SIZE:
            raise ConfigError(f"SWITCHBOARD_STT_BEAM_SIZE must be 1 (greedy) to {MAX_BEAM_SIZE}")
        if env_int(e, "SWITCHBOARD_DTMF_MAX_DIGITS", d.dtmf_max_digits) < 1:
            raise ConfigError("SWITCHBOARD_DTMF_MAX_DIGITS must be at least 1")
        return cls(
            port=env_int(e, "PORT", d.port),
            host=e.get("SWITCHBOARD_HOST") or d.host,
            data_dir=Path(e.get("SWITCHBOARD_DATA_DIR") or _default_data_dir(e, d.data_dir)),
            redis_url=e.get("SWITCHBOARD_REDIS_URL") or None,
            session_idle_timeout_s=env_float(e, "SWITCHBOARD_SESSION_IDLE_TIMEOUT_S", d.session_idle_timeout_s),
            replay_buffer_events=env_int(e, "SWITCHBOARD_REPLAY_BUFFER_EVENTS", d.replay_buffer_events),
            store_retry_s=env_float(e, "SWITCHBOARD_STORE_RETRY_S", d.store_retry_s),
            ws_keepalive_interval_s=env_float(e, "WS_KEEPALIVE_INTERVAL", d.ws_keepalive_interval_s),
            platform_session_id=e.get("FOUNDRY_AGENT_SESSION_ID") or None,
            shutdown_grace_s=env_float(e, "SWITCHBOARD_SHUTDOWN_GRACE_S", d.shutdown_grace_s),
            log_level=e.get("SWITCHBOARD_LOG_LEVEL") or d.log_level,
            workers=env_int(e, "SWITCHBOARD_WORKERS", d.workers),
            speech_engine=env_choice(e, "SWITCHBOARD_SPEECH", d.speech_engine, ("local", "voicelive", "none")),
            vad=env_choice(e, "SWITCHBOARD_VAD", d.vad, ("webrtc", "silero")),
            endpoint_silence_ms=env_int(e, "SWITCHBOARD_ENDPOINT_SILENCE_MS", d.endpoint_silence_ms),
            endpoint_hold_ms=env_int(e, "SWITCHBOARD_ENDPOINT_HOLD_MS", d.endpoint_hold_ms),
            turn_model=env_choice(e, "SWITCHBOARD_TURN_MODEL", d.turn_model, ("silence", "smart-turn")),
            turn_words=env_choice(e, "SWITCHBOARD_TURN_WORDS", d.turn_words, ("rules", "model", "fused", "hybrid")),
            endpoint_short_ms=env_int(e, "SWITCHBOARD_ENDPOINT_SHORT_MS", d.endpoint_short_ms),
            barge_in_ms=env_int(e, "SWITCHBOARD_BARGE_IN_MS", d.barge_in_ms),
            speculative_reply=env_bool(e, "SWITCHBOARD_SPECULATIVE_REPLY", d.speculative_reply),
            tts_enabled=env_bool(e, "SWITCHBOARD_TTS", d.tts_enabled),
            stt_vocabulary_prompt=env_bool(e, "SWITCHBOARD_STT_VOCABULARY_PROMPT", d.stt_vocabulary_prompt),
            stt_model=env_choice(e, "SWITCHBOARD_STT_MODEL", d.stt_model, STT_MODELS),
            stt_beam_size=env_int(e, "SWITCHBOARD_STT_BEAM_SIZE", d.stt_beam_size),
            stt_denoise=env_choice(e, "SWITCHBOARD_STT_DENOISE", d.stt_denoise, DENOISERS),
            stt_language_id=env_bool(e, "SWITCHBOARD_STT_LANGUAGE_ID", d.stt_language_id),
            dtmf_inter_digit_s=env_float(e, "SWITCHBOARD_DTMF_INTER_DIGIT_S", d.dtmf_inter_digit_s),
            dtmf_max_digits=env_int(e, "SWITCHBOARD_DTMF_MAX_DIGITS", d.dtmf_max_digits),
            silence_prompt_s=env_seconds(e, "SWITCHBOARD_SILENCE_PROMPT_S", d.silence_prompt_s),
            silence_close_s=env_seconds(e, "SWITCHBOARD_SILENCE_CLOSE_S", d.silence_close_s),
            max_call_s=env_seconds(e, "SWITCHBOARD_MAX_CALL_S", d.max_call_s),
            call_warning_s=env_seconds(e, "SWITCHBOARD_CALL_WARNING_S", d.call_warning_s),
            brain=env_choice(e, "SWITCHBOARD_BRAIN", d.brain, ("switchboard", "placeholder")),
            knowledge_dir=Path(e.get("SWITCHBOARD_KNOWLEDGE_DIR") or d.knowledge_dir),
            policy_file=Path(e.get("SWITCHBOARD_POLICY_FILE") or d.policy_file),
            azure_search_endpoint=e.get("AZURE_SEARCH_ENDPOINT") or None,
            azure_search_index=e.get("AZURE_SEARCH_INDEX") or d.azure_search_index,
            azure_search_api_key=e.get("AZURE_SEARCH_API_KEY") or None,
            mcp_field_ops_url=e.get("SWITCHBOARD_MCP_FIELD_OPS_URL") or None,
            mcp_it_ops_url=e.get("SWITCHBOARD_MCP_IT_OPS_URL") or None,
            tool_timeout_s=env_float(e, "SWITCHBOARD_TOOL_TIMEOUT_S", d.tool_timeout_s),
            holding_phrase_ms=env_int(e, "SWITCHBOARD_HOLDING_PHRASE_MS", d.holding_phrase_ms),
            duplicate_window_s=env_float(e, "SWITCHBOARD_DUPLICATE_WINDOW_S", d.duplicate_window_s),
            azure_openai_endpoint=e.get("AZURE_OPENAI_ENDPOINT") or None,
            azure_openai_deployment=e.get("AZURE_OPENAI_DEPLOYMENT") or None,
            azure_openai_api_version=e.get("AZURE_OPENAI_API_VERSION") or d.azure_openai_api_version,
            cases_token=e.get("SWITCHBOARD_CASES_TOKEN") or None,
            handoff_targets_file=Path(e.get("SWITCHBOARD_HANDOFF_TARGETS_FILE") or d.handoff_targets_file),
            voicelive_endpoint=e.get("AZURE_VOICELIVE_ENDPOINT") or None,
            voicelive_model=e.get("AZURE_VOICELIVE_MODEL") or d.voicelive_model,
            voicelive_api_key=e.get("AZURE_VOICELIVE_API_KEY") or None,
            voicelive_voice=e.get("AZURE_VOICELIVE_VOICE") or d.voicelive_voice,
            voicelive_fallback_local=env_bool(e, "SWITCHBOARD_VOICELIVE_FALLBACK", d.voicelive_fallback_local),
            trusted_proxies=env_networks(e, "SWITCHBOARD_TRUSTED_PROXIES"),
            otlp_endpoint=e.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
            appinsights_connection_string=e.get("APPLICATIONINSIGHTS_CONNECTION_STRING") or None,
            price_file=Path(e["SWITCHBOARD_PRICE_FILE"]) if e.get("SWITCHBOARD_PRICE_FILE") else None,
            foundry_project_endpoint=e.get("AZURE_AI_PROJECT_ENDPOINT") or None,
        )
